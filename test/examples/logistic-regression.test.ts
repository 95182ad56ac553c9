/**
 * @file examples/logistic-regression.ts: L-BFGS on the reverse-mode gradient and Newton with
 * the closed-form Hessian reach the same optimum, the closed forms equal ad.grad and ad.hessian,
 * and the fit separates the held-out 3s from 8s.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { numbersAfter, runExample } from "./run-example.js";

test("examples/logistic-regression.ts: L-BFGS and closed-form Newton agree", () => {
  const out = runExample("logistic-regression");
  assert.match(out, /L-BFGS: .* converged true/);
  const [diff] = numbersAfter(out, /^max \|theta_lbfgs - theta_newton\|: (\S+)$/m);
  assert.ok(diff! < 1e-6, `parameters differ by ${diff}`);
  const [gDiff] = numbersAfter(out, /^max \|g - ad\.grad\|: (\S+)$/m);
  const [hDiff] = numbersAfter(out, /^max \|H - ad\.hessian\|: (\S+)$/m);
  assert.ok(gDiff! < 1e-14 && hDiff! < 1e-14, `closed forms off by ${gDiff}, ${hDiff}`);
  const [lbfgsLoss] = numbersAfter(out, /^L-BFGS: .* loss (\S+),/m);
  const [newtonLoss] = numbersAfter(out, /^Newton .* loss (\S+)$/m);
  assert.ok(Math.abs(lbfgsLoss! - newtonLoss!) < 1e-10);
  const [acc] = numbersAfter(out, /^test accuracy: (\S+) \(/m);
  assert.ok(acc! >= 0.9, `test accuracy ${acc}`);
});
