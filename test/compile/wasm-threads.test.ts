/**
 * @file A compiled program's large wasm loop runs split across the fused-kernel thread pool once
 * a worker is ready, with eager's bits; a loop with a sum over all elements and
 * `threads: false` stay on the calling thread.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { fusedThreadStats } from "../../src/compile/fused-threads.js";
import { compileGraph } from "../../src/compile/program.js";
import * as ad from "../../src/index.js";
import { assertSameBits } from "../harness/same-bits.js";

/** A 40-op polynomial chain: one fused loop of 40 element operations, no reduction. */
function chain(x: ad.Tensor): ad.Tensor {
  let y = x;
  for (let k = 0; k < 40; k++) y = k % 2 === 1 ? y.mul(x) : y.add(0.5);
  return y;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a large wasm loop splits across threads with eager's bits; a full sum and threads: false do not", async () => {
  const n = 300_000;
  for (const dtype of ["float64", "float32"] as const) {
    const x = ad.tensor(
      Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.01)),
      { dtype },
    );
    const g = ad.makeGraph(chain, x);
    const want = chain(x);
    const program = compileGraph(g);
    assert.equal(program.stats.wasm, 1);
    // The worker instantiates the program's modules asynchronously: the first runs may be
    // single-threaded, later ones split.
    const before = fusedThreadStats().splitRuns;
    for (let tries = 0; tries < 100 && fusedThreadStats().splitRuns === before; tries++) {
      assertSameBits(program.run([x])[0]!, want, `${dtype} run ${tries}`);
      await sleep(20);
    }
    assert.ok(fusedThreadStats().splitRuns > before, `${dtype}: no run was split`);
    for (let k = 0; k < 5; k++) assertSameBits(program.run([x])[0]!, want, `${dtype} split run`);

    const single = compileGraph(g, { threads: false });
    const s0 = fusedThreadStats().splitRuns;
    assertSameBits(single.run([x])[0]!, want, `${dtype} threads: false`);
    assert.equal(fusedThreadStats().splitRuns, s0, "threads: false splits nothing");
  }
  // A sum over all elements keeps its order: never split.
  const x = ad.tensor(Float64Array.from({ length: n }, (_, i) => Math.cos(i)));
  const total = (v: ad.Tensor) => ad.sum(chain(v));
  const program = compileGraph(ad.makeGraph(total, x));
  const s0 = fusedThreadStats().splitRuns;
  for (let k = 0; k < 5; k++) {
    assertSameBits(program.run([x])[0]!, total(x), "sum");
    await sleep(20);
  }
  assert.equal(fusedThreadStats().splitRuns, s0, "a full sum is not split");
});
