/**
 * @file examples/gaussian-process.ts: the negative log marginal likelihood's derivatives through
 * cholesky and triangularSolve pass checkGrads (first and second order, both modes), and the
 * script's L-BFGS fit on 100 points converges near the true hyperparameters, below the NLL of
 * the true values.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { gpData, gpParams, nll, TRUE } from "../../examples/gaussian-process.js";
import * as ad from "../../src/node.js";
import { numbersAfter, runExample } from "./run-example.js";

test("gaussian-process: the NLL's gradient and Hessian pass checkGrads", () => {
  const { x, y } = gpData(8, 3);
  ad.checkGrads((p: ReturnType<typeof gpParams>) => nll(p, x, y), [gpParams(0.8, 1.3, 0.5)]);
  // The data enter through the solve and the kernel too.
  ad.checkGrads((xs: ad.Tensor, ys: ad.Tensor) => nll(gpParams(1.2, 0.9, 0.4), xs, ys), [x, y], {
    order: 1,
  });
});

test("examples/gaussian-process.ts: L-BFGS recovers the hyperparameters from 100 points", () => {
  const out = runExample("gaussian-process", { n: 100 });
  assert.match(out, /converged true/);
  const [length] = numbersAfter(out, /^length: fitted (\S+) true/m);
  const [signal] = numbersAfter(out, /^signal: fitted (\S+) true/m);
  const [noise] = numbersAfter(out, /^noise: fitted (\S+) true/m);
  const [atFit, atTruth] = numbersAfter(
    out,
    /^NLL at the fit: (\S+) \(at the true values: (\S+)\)$/m,
  );
  assert.ok(Math.abs(length! / TRUE.length - 1) < 0.4, `length ${length}`);
  assert.ok(Math.abs(signal! / TRUE.signal - 1) < 0.4, `signal ${signal}`);
  assert.ok(Math.abs(noise! / TRUE.noise - 1) < 0.15, `noise ${noise}`);
  assert.ok(atFit! < atTruth!, `NLL ${atFit} at the fit, ${atTruth} at the truth`);
});
