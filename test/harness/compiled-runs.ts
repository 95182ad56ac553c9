/** @file assertRunsMatch: a compiled program's repeated runs equal the expected outputs, bit for bit. */

import assert from "node:assert/strict";
import type { CompiledProgram } from "../../src/compile/program.js";
import type * as ad from "../../src/index.js";
import { assertSameBits as same } from "./same-bits.js";

/**
 * Runs `program` on `inputs` `rounds` times (a second run uses the planned buffers and linked
 * kernels of the first) and checks every output against `want` by `Object.is`.
 */
export function assertRunsMatch(
  program: CompiledProgram,
  inputs: readonly ad.Tensor[],
  want: readonly ad.Tensor[],
  what: string,
  rounds = 2,
): void {
  for (let round = 1; round <= rounds; round++) {
    const got = program.run(inputs);
    assert.equal(got.length, want.length, `${what}: output count`);
    for (let i = 0; i < got.length; i++) {
      same(got[i]!, want[i]!, `${what} (run ${round}) output ${i}`);
    }
  }
}
