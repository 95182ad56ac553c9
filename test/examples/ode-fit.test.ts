/**
 * @file examples/ode-fit.ts: the derivatives of its RK4 trajectory (scan) pass checkGrads, and
 * the script with coarser steps (150 RK4 steps of 0.1 through scan, 50 noisy
 * observations) recovers the Lotka-Volterra parameters from a start 20% off.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { TRUE, trajectory } from "../../examples/ode-fit.js";
import * as ad from "../../src/node.js";
import { numbersAfter, runExample } from "./run-example.js";

test("ode-fit: derivatives of the RK4 trajectory through scan pass checkGrads", () => {
  // 12 steps of 0.1: every state depends on every parameter through the loop.
  ad.checkGrads((p: ad.Tensor) => trajectory(p, 12, 0.1), [ad.tensor(TRUE, { dtype: "float64" })], {
    order: 1,
  });
});

test("examples/ode-fit.ts: L-BFGS through scan recovers the parameters within 3%", () => {
  const out = runExample("ode-fit", { steps: 150, dt: 0.1, every: 3 });
  assert.match(out, /converged true/);
  for (const name of ["alpha", "beta", "gamma", "delta"]) {
    const [fitted, truth] = numbersAfter(
      out,
      new RegExp(`^${name}: fitted (\\S+) true (\\S+)$`, "m"),
    );
    assert.ok(Math.abs(fitted! / truth! - 1) < 0.03, `${name} ${fitted} against ${truth}`);
  }
  const [worst] = numbersAfter(out, /^largest relative error: (\S+)$/m);
  assert.ok(worst! < 0.03);
});
