/** @file assertSameBits: two tensors equal element for element, NaN to NaN and -0 to -0. */

import assert from "node:assert/strict";
import type * as ad from "../../src/index.js";

/** Same shape, dtype and bits (NaN to NaN and -0 to -0; NaN payloads aside). */
export function assertSameBits(actual: ad.Tensor, expected: ad.Tensor, what = "value"): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < e.length; i++) {
    if (!Object.is(a[i], e[i])) assert.fail(`${what}: element ${i} is ${a[i]}; expected ${e[i]}`);
  }
}
