/**
 * @file W7 of the benchmark (bench/workloads.ts): the inputs are what the reference value was
 * computed from, the hand-written float64 trainer (bench/w7-reference.ts) reproduces
 * REFERENCE["W7 train"], and adjoint's training loop as the benchmark runs it (nn.linear,
 * softmaxCrossEntropy, optim.adam, valueAndGrad) reaches it: to rounding in float64, within the
 * benchmark's tolerance in float32.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { trainDigits } from "../../bench/adjoint-runner.js";
import { referenceLosses } from "../../bench/w7-reference.js";
import { REFERENCE, W7_BATCH, W7_STEPS, w7Inputs } from "../../bench/workloads.js";

const inp = w7Inputs();
const ref = REFERENCE["W7 train"]!;

function relErr(x: number, y: number): number {
  return Math.abs(x - y) / Math.abs(y);
}

test("bench W7: inputs are 100 minibatches of 64 digits scaled to [0, 1]", () => {
  assert.equal(inp.batches.length, W7_STEPS);
  assert.equal(inp.labels.length, W7_STEPS);
  for (const [s, x] of inp.batches.entries()) {
    assert.equal(x.length, W7_BATCH * 64);
    assert.ok(x.every((v) => v >= 0 && v <= 1));
    assert.ok(new Set(inp.labels[s]).size >= 9, `minibatch ${s} holds nearly every digit`);
  }
});

test("bench W7: the hand-written float64 trainer gives the reference loss", () => {
  const losses = referenceLosses(inp);
  assert.equal(losses.length, W7_STEPS);
  assert.ok(Math.abs(losses[0]! - Math.log(10)) < 0.05, `first loss ${losses[0]} is near ln 10`);
  assert.ok(relErr(losses.at(-1)!, ref.value) < 1e-13, `last loss ${losses.at(-1)}`);
  assert.ok(losses.at(-1)! < losses[0]! - 0.5, "the loss goes down");
});

test("bench W7: adjoint's training loop reaches the reference loss", () => {
  const f64 = Number(trainDigits(inp, "float64")().loss.item());
  assert.ok(relErr(f64, ref.value) < 1e-13, `float64: ${f64}`);
  const f32 = Number(trainDigits(inp, "float32")().loss.item());
  assert.ok(relErr(f32, ref.value) < ref.rtol, `float32: ${f32}`);
});
