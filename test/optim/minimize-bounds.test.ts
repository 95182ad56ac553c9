/**
 * @file minimize's box constraints (method "lbfgs" with `bounds`): bounded Rosenbrock problems
 * against the minima SciPy 1.17's L-BFGS-B finds (and a closed form for n = 2), the KKT
 * conditions at the result, bounds that never bind giving unbounded L-BFGS's exact run, pytree
 * bounds, x0 clipped into the box, and typed errors.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { minimize } from "../../src/optim/minimize.js";

function rosen(x: ad.Tensor): ad.Tensor {
  const n = x.shape[0]!;
  const a = ad.slice(x, [0], [n - 1]);
  const b = ad.slice(x, [1], [n - 1]);
  return ad.sum(ad.add(ad.mul(100, ad.square(ad.sub(b, ad.square(a)))), ad.square(ad.sub(1, a))));
}

const start = (n: number) =>
  ad.tensor(Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1)));

/** KKT at x for the box: each gradient entry is 0, or pushes against the bound x sits on. */
function assertKkt(x: Float64Array, g: Float64Array, lower: number[], upper: number[]): void {
  x.forEach((v, i) => {
    const atLower = v <= lower[i]!;
    const atUpper = v >= upper[i]!;
    assert.ok(v >= lower[i]! && v <= upper[i]!, `x[${i}] = ${v} is outside the box`);
    if (!atLower && !atUpper) assert.ok(Math.abs(g[i]!) < 1e-4, `g[${i}] = ${g[i]} at interior x`);
    else if (atLower) assert.ok(g[i]! > -1e-4, `g[${i}] = ${g[i]} at the lower bound`);
    else assert.ok(g[i]! < 1e-4, `g[${i}] = ${g[i]} at the upper bound`);
  });
}

test("minimize lbfgs with bounds: Rosenbrock n = 2 under x <= 0.8 ends at (0.8, 0.64), f = 0.04", () => {
  // With x0 <= 0.8, f >= (1 - x0)² >= 0.04, reached only at x0 = 0.8, x1 = 0.64.
  const r = minimize(rosen, start(2), { method: "lbfgs", bounds: [-2, 0.8], tol: 1e-8, ftol: 0 });
  assert.equal(r.converged, true, r.message);
  assert.match(
    r.message,
    /^converged: projected gradient infinity-norm .* <= tol 1e-8 after \d+ iterations$/,
  );
  assert.ok(Math.abs(r.fun - 0.04) < 1e-12, `f = ${r.fun}`);
  const [x0, x1] = r.x.dataSync();
  assert.equal(x0, 0.8);
  assert.ok(Math.abs(x1! - 0.64) < 1e-8);
  assert.ok(r.evaluations <= 45, `${r.evaluations} evaluations`);
});

test("minimize lbfgs with bounds: Rosenbrock n = 100 in a box reaches L-BFGS-B's minimum and the KKT conditions", () => {
  const n = 100;
  const lower = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : -0.5));
  const upper = Array.from({ length: n }, () => 0.8);
  const r = minimize(rosen, start(n), {
    method: "lbfgs",
    bounds: [ad.tensor(lower, { dtype: "float64" }), 0.8],
    ftol: 0,
  });
  assert.equal(r.converged, true, r.message);
  // SciPy 1.17 L-BFGS-B (gtol 1e-8, ftol 0) on the same problem: f = 95.09173506163809 after
  // 28 iterations and 33 evaluations.
  assert.ok(Math.abs(r.fun - 95.09173506163809) < 1e-5, `f = ${r.fun}`);
  assert.ok(r.evaluations <= 50, `${r.evaluations} evaluations`);
  assertKkt(r.x.dataSync() as Float64Array, r.grad.dataSync() as Float64Array, lower, upper);
});

test("minimize lbfgs with bounds that are never reached takes unbounded L-BFGS's steps exactly", () => {
  const free = minimize(rosen, start(100), { method: "lbfgs", ftol: 0 });
  const boxed = minimize(rosen, start(100), { method: "lbfgs", ftol: 0, bounds: [-10, 10] });
  assert.equal(boxed.iterations, free.iterations);
  assert.equal(boxed.evaluations, free.evaluations);
  assert.equal(boxed.fun, free.fun);
  // No finite bound at all: plain L-BFGS, with its own message.
  const open = minimize(rosen, start(2), {
    method: "lbfgs",
    bounds: [null, Number.POSITIVE_INFINITY],
  });
  assert.match(open.message, /^converged: gradient infinity-norm/);
});

test("minimize lbfgs with bounds: pytree bounds per leaf, x0 clipped into the box, dtypes kept", () => {
  const target = ad.tensor([3, -3, 0.5]);
  const f = (p: { w: ad.Tensor; b: ad.Tensor }) =>
    ad.add(ad.sum(ad.square(ad.sub(p.w, target))), ad.square(ad.sub(p.b, 2)));
  const r = minimize(
    f,
    { w: ad.tensor([5, 5, 5]), b: ad.scalar(0) },
    {
      method: "lbfgs",
      bounds: [
        { w: ad.tensor([0, -1, 0]), b: -1 },
        { w: 1, b: ad.scalar(1.5) },
      ],
    },
  );
  assert.equal(r.converged, true, r.message);
  assert.equal(r.x.w.dtype, "float32");
  assert.deepEqual(Array.from(r.x.w.dataSync()), [1, -1, 0.5]);
  assert.equal(r.x.b.item(), 1.5);
  assert.ok(Math.abs(r.fun - (4 + 4 + 0.25)) < 1e-9, `f = ${r.fun}`);
});

test("minimize bounds: bad bounds are ValueErrors naming the element or the structure", () => {
  const f = (x: ad.Tensor) => ad.sum(ad.square(x));
  const x = ad.ones([3]);
  const throwsValue = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof ad.ValueError && message.test(e.message));
  throwsValue(
    () => minimize(f, x, { method: "bfgs", bounds: [0, 1] }),
    /^minimize: option "bounds" applies to method "lbfgs" only; got method "bfgs"/,
  );
  throwsValue(
    () => minimize(f, x, { method: "lbfgs", bounds: [0] as never }),
    /^minimize: bounds must be a pair \[lower, upper\]/,
  );
  throwsValue(
    () => minimize(f, x, { method: "lbfgs", bounds: [ad.tensor([0, 2, 0]), 1] }),
    /^minimize: bounds must have lower <= upper and no NaN; got lower 2 and upper 1 at element 1 of x/,
  );
  throwsValue(
    () => minimize(f, x, { method: "lbfgs", bounds: [Number.NaN, 1] }),
    /^minimize: bounds must have lower <= upper and no NaN/,
  );
  throwsValue(
    () => minimize(f, x, { method: "lbfgs", bounds: [ad.tensor([0, 0]), 1] }),
    /^minimize: bounds\[0\] \(lower\) leaf 0 has shape \[2\], which does not broadcast to x0's leaf shape \[3\]/,
  );
  throwsValue(
    () =>
      minimize(
        (p: { a: ad.Tensor }) => f(p.a),
        { a: x },
        {
          method: "lbfgs",
          bounds: [{ b: 0 } as never, 1],
        },
      ),
    /^minimize: bounds\[0\] \(lower\) must be a number or a pytree with x0's structure \{a: leaf\}; got \{b: leaf\}/,
  );
});
