/**
 * @file minimize against SciPy 1.10's figures on Rosenbrock's function from (-1.2, 1, -1.2, ...)
 * (issue 12: no more evaluations than L-BFGS-B and BFGS + 10%, Newton to the global minimum at
 * n = 100 in no more iterations than trust-ncg), quadratic termination, pytrees and dtypes,
 * non-finite losses and gradients, the callback, and typed errors for bad input. The counts are
 * deterministic; the bounds leave no room beyond SciPy's figures + 10%.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { type MinimizeResult, minimize } from "../../src/optim/minimize.js";

/** SciPy's chained Rosenbrock: sum of 100 (x[i+1] - x[i]²)² + (1 - x[i])². */
function rosen(x: ad.Tensor): ad.Tensor {
  const n = x.shape[0]!;
  const a = ad.slice(x, [0], [n - 1]);
  const b = ad.slice(x, [1], [n - 1]);
  return ad.sum(ad.add(ad.mul(100, ad.square(ad.sub(b, ad.square(a)))), ad.square(ad.sub(1, a))));
}

const start = (n: number) =>
  ad.tensor(Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1)));

/** The largest distance of x's entries from 1 (Rosenbrock's global minimiser is all ones). */
const offOnes = (x: ad.Tensor) => Math.max(...Array.from(x.dataSync(), (v) => Math.abs(v - 1)));

function report(name: string, r: MinimizeResult<unknown>): void {
  // Printed so that a regression shows its figures in the test log.
  console.log(
    `${name}: ${r.iterations} iterations, ${r.evaluations} evaluations, ${r.hessianEvaluations} Hessian evaluations, f = ${r.fun.toExponential(2)}, ${r.timeMs.toFixed(0)} ms; ${r.message}`,
  );
}

test("minimize lbfgs: Rosenbrock n = 2 to f < 1e-9 within SciPy L-BFGS-B's 44 evaluations + 10%", () => {
  const r = minimize(rosen, start(2), { method: "lbfgs", ftol: 0 });
  report("lbfgs n=2", r);
  assert.equal(r.converged, true);
  assert.ok(r.fun < 1e-9, `f = ${r.fun}`);
  assert.ok(r.evaluations <= 48, `${r.evaluations} evaluations`);
  assert.ok(r.iterations <= 40, `${r.iterations} iterations`);
  assert.ok(offOnes(r.x) < 1e-4);
  assert.match(
    r.message,
    /^converged: gradient infinity-norm .* <= tol 0\.00001 after \d+ iterations$/,
  );
  assert.ok(r.timeMs >= 0);
});

test("minimize lbfgs: Rosenbrock n = 100 within SciPy's 621 evaluations + 10%", () => {
  const r = minimize(rosen, start(100), { method: "lbfgs", ftol: 0 });
  report("lbfgs n=100", r);
  assert.equal(r.converged, true);
  assert.ok(r.fun < 1e-9, `f = ${r.fun}`);
  assert.ok(r.evaluations <= 683, `${r.evaluations} evaluations`);
  assert.ok(offOnes(r.x) < 1e-4);
});

test("minimize lbfgs: Rosenbrock n = 1000 within SciPy's 5794 evaluations + 10%", () => {
  const r = minimize(rosen, start(1000), { method: "lbfgs", ftol: 0 });
  report("lbfgs n=1000", r);
  assert.equal(r.converged, true);
  assert.ok(r.fun < 1e-9, `f = ${r.fun}`);
  assert.ok(r.evaluations <= 6373, `${r.evaluations} evaluations`);
});

test("minimize bfgs: Rosenbrock n = 100 within SciPy BFGS's 650 evaluations + 10%", () => {
  const r = minimize(rosen, start(100), { method: "bfgs", ftol: 0 });
  report("bfgs n=100", r);
  assert.equal(r.converged, true);
  assert.ok(r.fun < 1e-9, `f = ${r.fun}`);
  assert.ok(r.evaluations <= 715, `${r.evaluations} evaluations`);
  assert.ok(offOnes(r.x) < 1e-4);
});

test("minimize newton: Rosenbrock n = 100 reaches the global minimum in fewer iterations than trust-ncg's 430", () => {
  // n = 100 is above the "auto" threshold: truncated Newton-CG on Hessian-vector products.
  const r = minimize(rosen, start(100), { method: "newton" });
  report("newton n=100", r);
  assert.equal(r.converged, true);
  assert.ok(r.fun < 1e-9, `f = ${r.fun}`);
  assert.ok(offOnes(r.x) < 1e-4, "the global minimiser (1, ..., 1)");
  assert.ok(r.iterations <= 430, `${r.iterations} iterations`);
  assert.ok(r.hessianEvaluations > 0);
  // The same problem with the exact Hessian and full Newton steps: like SciPy's trust-exact, it
  // stops at the local minimum near f = 3.99 (a legitimate answer for a non-convex f).
  const exact = minimize(rosen, start(100), { method: "newton", hessian: "exact" });
  report("newton exact n=100", exact);
  assert.equal(exact.converged, true);
  assert.ok(Math.abs(exact.fun - 3.99) < 0.01, `f = ${exact.fun}`);
});

test("minimize newton: the exact Hessian takes Rosenbrock n = 2 to f < 1e-9 in at most 25 iterations", () => {
  const r = minimize(rosen, start(2), { method: "newton" });
  report("newton n=2", r);
  assert.equal(r.converged, true);
  assert.ok(r.fun < 1e-9, `f = ${r.fun}`);
  assert.ok(r.iterations <= 25, `${r.iterations} iterations`);
  assert.equal(r.hessianEvaluations, r.iterations, "one Hessian per point");
});

/** A strictly convex quadratic ½ xᵀAx − bᵀx of n = 8 unknowns, A well spread (full rank). */
function quadratic(): { f: (x: ad.Tensor) => ad.Tensor; solution: number[]; n: number } {
  const n = 8;
  const m = Array.from({ length: n }, (_, i) =>
    Array.from(
      { length: n },
      (_, j) => (((i + 1) * 37 + (j + 3) * 101 + i * j * 13) % 29) / 29 - 0.5,
    ),
  );
  const M = ad.tensor(m, { dtype: "float64" });
  const A = ad.add(ad.matmul(M, ad.transpose(M)), ad.eye(n, { dtype: "float64" }));
  const b = ad.tensor(
    Array.from({ length: n }, (_, i) => i - 3),
    { dtype: "float64" },
  );
  const f = (x: ad.Tensor) =>
    ad.sub(ad.mul(0.5, ad.sum(ad.mul(x, ad.matmul(A, x)))), ad.sum(ad.mul(b, x)));
  const solution = Array.from(ad.linalg.solve(A, b).dataSync());
  return { f, solution, n };
}

test("minimize bfgs and lbfgs: a quadratic of n unknowns in at most n + 1 iterations with a near-exact line search", () => {
  const { f, solution, n } = quadratic();
  for (const method of ["bfgs", "lbfgs"] as const) {
    const r = minimize(f, ad.zeros([n], { dtype: "float64" }), {
      method,
      c2: 0.1,
      tol: 1e-9,
      ftol: 0,
    });
    report(`${method} quadratic`, r);
    assert.equal(r.converged, true, r.message);
    assert.ok(r.iterations <= n + 1, `${method}: ${r.iterations} iterations`);
    Array.from(r.x.dataSync()).forEach((v, i) => {
      assert.ok(Math.abs(v - solution[i]!) < 1e-8, `${method}: x[${i}] = ${v}`);
    });
  }
  // Newton with the exact Hessian: one step.
  const r = minimize(f, ad.zeros([n], { dtype: "float64" }), { method: "newton", tol: 1e-9 });
  assert.equal(r.iterations, 1);
});

test("minimize gd and adam: fixed-step loops converge on a quadratic, every iteration one evaluation", () => {
  const f = (x: ad.Tensor) => ad.sum(ad.square(ad.sub(x, ad.tensor([1, -2, 3]))));
  const gd = minimize(f, ad.zeros([3]), { method: "gd", lr: 0.1 });
  report("gd", gd);
  assert.equal(gd.converged, true);
  assert.equal(gd.evaluations, gd.iterations + 1);
  assert.deepEqual(
    Array.from(gd.x.dataSync(), (v) => Number(v.toFixed(4))),
    [1, -2, 3],
  );
  const adam = minimize(f, ad.zeros([3]), { method: "adam", lr: 0.05, maxIter: 5000 });
  report("adam", adam);
  assert.equal(adam.converged, true);
  assert.equal(adam.evaluations, adam.iterations + 1);
  assert.ok(adam.fun < 1e-9);
  const short = minimize(f, ad.zeros([3]), { method: "gd", lr: 0.01, maxIter: 5 });
  assert.equal(short.converged, false);
  assert.equal(short.iterations, 5);
  assert.match(short.message, /^stopped: maxIter 5 reached \(gradient infinity-norm .*\)$/);
});

test("minimize: a pytree x0 comes back with its structure and each leaf's dtype; f sees float64", () => {
  const seen: string[] = [];
  const target = ad.tensor([
    [1, 2],
    [3, 4],
  ]);
  const f = (p: { w: ad.Tensor; extra: [ad.Tensor, null]; b: ad.Tensor }) => {
    seen.push(`${p.w.dtype} ${p.extra[0].dtype} ${p.b.dtype}`);
    return ad.add(
      ad.add(ad.sum(ad.square(ad.sub(p.w, target))), ad.sum(ad.square(ad.sub(p.extra[0], 5)))),
      ad.square(ad.add(p.b, 0.5)),
    );
  };
  const x0 = {
    w: ad.zeros([2, 2]),
    extra: [ad.ones([3], { dtype: "float64" }), null] as [ad.Tensor, null],
    b: ad.scalar(0),
  };
  for (const method of ["lbfgs", "bfgs", "newton"] as const) {
    seen.length = 0;
    const r = minimize(f, x0, { method });
    assert.equal(r.converged, true, `${method}: ${r.message}`);
    assert.deepEqual(Object.keys(r.x), ["w", "extra", "b"]);
    assert.deepEqual(r.x.w.shape, [2, 2]);
    assert.equal(r.x.w.dtype, "float32");
    assert.equal(r.x.extra[0].dtype, "float64");
    assert.equal(r.x.extra[1], null);
    assert.deepEqual(r.x.b.shape, []);
    assert.equal(r.x.b.dtype, "float32");
    assert.deepEqual(r.grad.w.shape, [2, 2]);
    assert.equal(r.grad.w.dtype, "float32");
    assert.deepEqual(
      Array.from(r.x.w.dataSync(), (v) => Number(v.toFixed(4))),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      Array.from(r.x.extra[0].dataSync(), (v) => Number(v.toFixed(6))),
      [5, 5, 5],
    );
    assert.equal(Number(r.x.b.item().toFixed(4)), -0.5);
    assert.ok(
      seen.every((s) => s === "float64 float64 float64"),
      seen[0],
    );
  }
  // A size-1 loss of shape [1] is accepted.
  const r = minimize((x: ad.Tensor) => ad.reshape(ad.sum(ad.square(x)), [1]), ad.ones([2]), {
    method: "lbfgs",
  });
  assert.equal(r.converged, true);
});

test("minimize: a non-finite loss or gradient stops the run with converged false and the iteration named", () => {
  const f64 = (v: number[]) => ad.tensor(v, { dtype: "float64" });
  for (const method of ["lbfgs", "bfgs", "newton", "gd", "adam"] as const) {
    const nan = minimize((x: ad.Tensor) => ad.sum(ad.log(x)), f64([-1, 2]), { method });
    assert.equal(nan.converged, false);
    assert.equal(nan.iterations, 0);
    assert.ok(Number.isNaN(nan.fun));
    assert.equal(nan.message, "stopped at iteration 0: the loss is NaN");
  }
  const inf = minimize(
    (p: { a: ad.Tensor; b: ad.Tensor }) => ad.add(ad.sum(ad.square(p.a)), ad.sum(ad.sqrt(p.b))),
    { a: f64([1]), b: f64([2, 0]) },
    { method: "bfgs" },
  );
  assert.equal(inf.converged, false);
  assert.equal(
    inf.message,
    "stopped at iteration 0: the gradient is Infinity at element 1 of x's leaf 1 (shape [2])",
  );
  // Gradient descent with too long a step overflows: stopped at the iteration where the loss
  // became infinite, x is the last finite point.
  const gd = minimize((x: ad.Tensor) => ad.sum(ad.pow(x, 4)), f64([3]), { method: "gd", lr: 1 });
  assert.equal(gd.converged, false);
  assert.match(gd.message, /^stopped at iteration (\d+): the loss is Infinity$/);
  assert.ok(Number.isFinite(gd.fun) && Number.isFinite(gd.x.item()));
  // A loss that is NaN beyond x = 1 with its minimum beyond it: the line search shortens its
  // steps toward the wall, then finds no finite lower point and says so.
  const wall = (x: ad.Tensor) =>
    ad.sum(ad.where(ad.less(x, 1), ad.square(ad.sub(x, 2)), Number.NaN));
  const walled = minimize(wall, f64([0]), { method: "lbfgs", ftol: 0 });
  assert.equal(walled.converged, false);
  assert.match(
    walled.message,
    /^stopped at iteration \d+: the line search found no step with a finite, lower loss/,
  );
  assert.ok(walled.x.item() < 1 && walled.x.item() > 0.99);
  // A loss undefined beyond a boundary (a logarithm) is minimised normally: NaN trial steps are
  // shortened, never accepted.
  for (const method of ["lbfgs", "bfgs", "newton"] as const) {
    const barrier = minimize(
      (x: ad.Tensor) => ad.sum(ad.sub(ad.mul(x, 50), ad.log(x))),
      f64([1, 3]),
      { method },
    );
    assert.equal(barrier.converged, true, `${method}: ${barrier.message}`);
    Array.from(barrier.x.dataSync()).forEach((v) => {
      assert.ok(Math.abs(v - 0.02) < 1e-6, `${method}: ${v}`);
    });
  }
});

test("minimize: the callback runs once per iteration with the point as a pytree; returning false stops", () => {
  const seen: number[] = [];
  const r = minimize(rosen, start(2), {
    method: "lbfgs",
    callback: (s) => {
      seen.push(s.iteration);
      assert.equal(s.x.dtype, "float64");
      assert.deepEqual(s.x.shape, [2]);
      assert.ok(Number.isFinite(s.fun) && s.gradNorm >= 0 && s.evaluations > s.iteration);
    },
  });
  assert.deepEqual(
    seen,
    Array.from({ length: r.iterations }, (_, i) => i + 1),
  );
  const losses: number[] = [];
  const stopped = minimize(rosen, start(2), {
    method: "bfgs",
    callback: (s) => {
      losses.push(s.fun);
      return s.iteration < 3;
    },
  });
  assert.equal(stopped.iterations, 3);
  assert.equal(stopped.converged, false);
  assert.equal(stopped.message, "stopped by the callback at iteration 3");
  assert.equal(stopped.fun, losses[2]);
});

test("minimize: ftol and maxEvaluations end the run with their own messages", () => {
  const r = minimize(rosen, start(100), { method: "lbfgs" });
  assert.equal(r.converged, true);
  assert.match(
    r.message,
    /^(converged: relative decrease of the loss .* <= ftol 2\.22e-9 at iteration \d+|converged: gradient)/,
  );
  const capped = minimize(rosen, start(2), { method: "lbfgs", maxEvaluations: 10 });
  assert.equal(capped.converged, false);
  assert.match(capped.message, /^stopped: maxEvaluations 10 reached after \d+ iterations/);
  assert.ok(capped.evaluations >= 10 && capped.evaluations < 10 + 20);
  const optimal = minimize(rosen, ad.ones([2]), { method: "newton" });
  assert.equal(optimal.iterations, 0);
  assert.equal(optimal.converged, true);
});

test("minimize: bad input is a typed error naming the argument", () => {
  const f = (x: ad.Tensor) => ad.sum(ad.square(x));
  const x = ad.ones([2]);
  const throwsValue = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof ad.ValueError && message.test(e.message));
  throwsValue(
    () => minimize(42 as never, x, { method: "lbfgs" }),
    /^minimize: f must be a function; got 42$/,
  );
  throwsValue(
    () => minimize(f, x, { method: "cg" as never }),
    /^minimize: method must be one of "lbfgs", "bfgs", "newton", "gd", "adam"; got string "cg"/,
  );
  throwsValue(
    () => minimize(f, x, undefined as never),
    /^minimize: method must be one of .*; got undefined/,
  );
  throwsValue(
    () => minimize(f, x, { method: "lbfgs", maxiter: 3 } as never),
    /^minimize: unknown option "maxiter"; .*\(did you mean "maxIter"\?\)/,
  );
  throwsValue(
    () => minimize(f, x, { method: "bfgs", memory: 5 }),
    /^minimize: option "memory" applies to method "lbfgs" only; got method "bfgs"/,
  );
  throwsValue(
    () => minimize(f, x, { method: "lbfgs", memory: 0 }),
    /^minimize: memory must be an integer >= 1; got 0/,
  );
  throwsValue(() => minimize(f, x, { method: "lbfgs", tol: -1 }), /^minimize: tol must be/);
  throwsValue(
    () => minimize(f, x, { method: "gd", lr: Number.NaN }),
    /^minimize: lr must be a finite number > 0; got NaN/,
  );
  throwsValue(
    () => minimize(f, x, { method: "bfgs", c1: 0.5, c2: 0.4 }),
    /^minimize: c1 must be less than c2/,
  );
  throwsValue(
    () => minimize(f, x, { method: "newton", hessian: "dense" as never }),
    /^minimize: hessian must be "exact", "hvp" or "auto"; got string "dense"/,
  );
  throwsValue(
    () => minimize(f, x, { method: "lbfgs", callback: 1 as never }),
    /^minimize: callback must be a function/,
  );
  throwsValue(
    () => minimize((p: { a: unknown }) => f(p.a as ad.Tensor), { a: 3 }, { method: "lbfgs" }),
    /^minimize: x0 must be a pytree of float tensors; leaf 0 is 3$/,
  );
  throwsValue(
    () => minimize(f, [] as unknown as ad.Tensor, { method: "lbfgs" }),
    /^minimize: x0 must hold at least one float element/,
  );
  assert.throws(
    () => minimize(f, ad.tensor([1, 2], { dtype: "int32" }), { method: "lbfgs" }),
    (e: unknown) =>
      e instanceof ad.DTypeError &&
      /^minimize: x0 must be a pytree of float tensors; leaf 0 has dtype int32/.test(e.message),
  );
  throwsValue(
    () => minimize((v: ad.Tensor) => ad.square(v), x, { method: "lbfgs" }),
    /^minimize: f must return a size-1 float tensor \(the loss\); got shape \[2\]/,
  );
  throwsValue(
    () => minimize(() => 3 as never, x, { method: "lbfgs" }),
    /^minimize: f must return a size-1 float tensor \(the loss\); got 3$/,
  );
});
