/**
 * @file The digits data set loads as scikit-learn's load_digits describes it: 1,797 images of 64
 * pixels in 0..16, labels 0..9 with its class counts, and a split that keeps every class.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadDigits, splitDigits } from "../../examples/data/digits.js";

test("digits: 1,797 images, 64 pixels in 0..16, scikit-learn's class counts", () => {
  const d = loadDigits();
  assert.equal(d.count, 1797);
  assert.equal(d.pixels.length, 1797 * 64);
  const counts = new Array<number>(10).fill(0);
  for (const l of d.labels) counts[l]!++;
  // sklearn.datasets.load_digits: np.bincount(target)
  assert.deepEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  assert.equal(Math.max(...d.pixels), 16);
  assert.equal(Math.min(...d.pixels), 0);
  // The first image is a 0 (its first row: 0 0 5 13 9 1 0 0).
  assert.deepEqual(Array.from(d.pixels.subarray(0, 8)), [0, 0, 5, 13, 9, 1, 0, 0]);
  assert.equal(d.labels[0], 0);
});

test("digits: the split keeps every image once and every class on both sides", () => {
  const d = loadDigits();
  const { train, test: held } = splitDigits(d);
  assert.equal(train.count + held.count, d.count);
  assert.equal(held.count, 360);
  for (const part of [train, held]) assert.equal(new Set(part.labels).size, 10);
});
