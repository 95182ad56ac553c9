/**
 * @file examples/transformer-reverse.ts with small settings (one block, sequences of 5) learns
 * to reverse held-out sequences (chance: 0.1 per token).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { numbersAfter, runExample } from "./run-example.js";

test("examples/transformer-reverse.ts: one block reverses sequences of 5 tokens", () => {
  const out = runExample("transformer-reverse", {
    steps: 200,
    layers: 1,
    length: 5,
    batch: 32,
    lr: 0.01,
  });
  const [token, sequence] = numbersAfter(
    out,
    /^test token accuracy: (\d\.\d{4}), sequence accuracy: (\d\.\d{4})$/m,
  );
  assert.ok(token! >= 0.95, `token accuracy ${token}`);
  assert.ok(sequence! >= 0.8, `sequence accuracy ${sequence}`);
});
