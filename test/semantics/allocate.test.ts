/**
 * @file allocate: small arrays are views into shared chunks. Every array comes zero-filled, of
 * its dtype and length, 8-byte aligned, and never overlaps another live array.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { allocate, type DType, type TypedArray } from "../../src/core/dtype.js";

const DTYPES: DType[] = ["float32", "float64", "int32", "bool"];

test("allocate: zero-filled, right dtype and length, aligned, no overlap (small and large sizes)", () => {
  const live: TypedArray[] = [];
  for (let round = 0; round < 3; round++) {
    for (const dtype of DTYPES) {
      for (const size of [0, 1, 7, 16, 17, 40, 100, 128, 129, 256, 257, 1000, 5000]) {
        const a = allocate(dtype, size);
        assert.equal(a.length, size);
        assert.equal(a.byteOffset % 8, 0, `${dtype}[${size}] offset ${a.byteOffset}`);
        assert.ok(
          a.every((v) => v === 0),
          `${dtype}[${size}] is not zero-filled`,
        );
        a.fill(round + 1);
        live.push(a);
      }
    }
  }
  // Every array still holds what was written into it: no two share memory.
  let k = 0;
  for (let round = 0; round < 3; round++) {
    for (const _dtype of DTYPES) {
      for (let j = 0; j < 13; j++) {
        const a = live[k++]!;
        assert.ok(
          a.every((v) => v === round + 1),
          "an array was overwritten by a later one",
        );
      }
    }
  }
});
