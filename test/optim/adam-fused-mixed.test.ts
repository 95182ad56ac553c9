/**
 * @file adam's fused loops are made once per optimizer and read each step's constants from one
 * record per dtype: a parameter tree mixing float32 and float64 leaves (which uses both loops in
 * one step, in alternation) and a learning-rate schedule (constants that change every step) must
 * still give the tensor ops' results bit for bit (debugNans on makes the step use the ops).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

function run(name: "adam" | "adamw", debug: boolean): number[] {
  const was = ad.debugNans(debug);
  try {
    const opt = ad.optim[name]({
      lr: ad.optim.exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 1 }),
      weightDecay: 0.1,
      amsgrad: name === "adamw",
    });
    const leaf = (k: number, dtype: "float32" | "float64") =>
      ad.tensor(
        Array.from({ length: 33 }, (_, i) => Math.sin(1.3 * i + k) * 10 ** ((i % 5) - 2)),
        { dtype },
      );
    let params = { a: leaf(0, "float32"), b: leaf(1, "float64"), c: leaf(2, "float32") };
    let state = opt.init(params);
    for (let k = 0; k < 5; k++) {
      const grads = {
        a: leaf(10 + k, "float32"),
        b: leaf(20 + k, "float64"),
        c: leaf(30 + k, "float32"),
      };
      ({ params, state } = opt.step(params, grads, state));
    }
    return ad
      .treeLeaves([params, state])
      .flatMap((t) =>
        typeof t === "number" ? [t] : ([(t as ad.Tensor).toArray()].flat(2) as number[]),
      );
  } finally {
    ad.debugNans(was);
  }
}

test("adam and adamw: fused loops on a mixed float32/float64 tree with a schedule equal the ops", () => {
  for (const name of ["adam", "adamw"] as const) {
    const fused = run(name, false);
    const ops = run(name, true);
    assert.equal(fused.length, ops.length);
    for (let i = 0; i < fused.length; i++) {
      assert.ok(
        Object.is(fused[i], ops[i]),
        `${name}: element ${i}: fused ${fused[i]}, ops ${ops[i]}`,
      );
    }
  }
});
