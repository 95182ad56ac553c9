/**
 * @file The digits examples (examples/digits-mlp.ts, examples/digits-cnn.ts) train with small
 * settings and classify the held-out images far above chance (0.1).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { numbersAfter, runExample } from "./run-example.js";

const RESULT = /^test accuracy: (\d\.\d{4}) \((\d+)\/360\)$/m;

test("examples/digits-mlp.ts: 10 epochs reach over 93% test accuracy", () => {
  const out = runExample("digits-mlp", { epochs: 10 });
  const [acc, right] = numbersAfter(out, RESULT);
  assert.ok(acc! >= 0.93, `test accuracy ${acc}`);
  assert.equal(right, Math.round(acc! * 360));
});

test("examples/digits-cnn.ts: 5 epochs reach over 95% test accuracy", () => {
  const out = runExample("digits-cnn", { epochs: 5 });
  const [acc] = numbersAfter(out, RESULT);
  assert.ok(acc! >= 0.95, `test accuracy ${acc}`);
});
