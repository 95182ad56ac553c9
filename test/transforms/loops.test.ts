/**
 * @file scan and fori: values, derivatives in both modes to order 2 under every checkpoint
 * policy, and ODE sensitivities through 10,000 RK4 steps against closed forms and central
 * differences.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const f64 = (v: number | number[] | number[][]) => ad.tensor(v, { dtype: "float64" });
const POLICIES = ["step", "sqrt", "log", "none"] as const;
const close = (a: number, b: number, rtol: number) =>
  assert.ok(Math.abs(a - b) <= rtol * Math.max(1e-300, Math.abs(b)), `${a} vs ${b}`);

test("scan: a carry and stacked outputs, like lax.scan, under every policy", () => {
  const xs = f64([1, 2, 3, 4, 5]);
  for (const checkpoint of POLICIES) {
    const [total, partial] = ad.scan(
      (c: ad.Tensor, x: ad.Tensor) => [ad.add(c, x), ad.mul(ad.add(c, x), 2)],
      f64(0),
      xs,
      { checkpoint },
    );
    assert.equal(total.item(), 15);
    assert.deepEqual(partial.toArray(), [2, 6, 12, 20, 30]);
  }
});

test("scan: derivatives w.r.t. init, xs and closed-over parameters, order 2, both modes, all policies", () => {
  const xs = f64([
    [0.3, -0.2],
    [0.5, 0.1],
    [-0.4, 0.7],
    [0.2, 0.2],
    [0.9, -0.5],
    [0.1, 0.3],
  ]);
  const h0 = f64([0.1, -0.3]);
  const wh = f64([
    [0.5, -0.4],
    [0.3, 0.6],
  ]);
  for (const checkpoint of POLICIES) {
    const rnn = (wh: ad.Tensor, h0: ad.Tensor, xs: ad.Tensor) => {
      const [h, ys] = ad.scan(
        (h: ad.Tensor, x: ad.Tensor) => {
          const next = ad.tanh(ad.add(ad.matmul(wh, h), x));
          return [next, ad.sum(next)];
        },
        h0,
        xs,
        { checkpoint },
      );
      return ad.add(ad.sum(ad.square(h)), ad.sum(ys));
    };
    ad.checkGrads(rnn, [wh, h0, xs], { order: 2 });
  }
});

test("fori: W3's logistic chain: value 0.6 and dx/dr 0.16 at r = 2.5 over 10,000 steps", () => {
  for (const checkpoint of POLICIES) {
    const xN = (r: ad.Tensor) =>
      ad.fori(0, 10_000, (_i, x: ad.Tensor) => ad.mul(ad.mul(r, x), ad.sub(1, x)), f64(0.5), {
        checkpoint,
      });
    const [value, g] = ad.valueAndGrad(xN)(f64(2.5));
    close(value.item() as number, 0.6, 1e-12);
    close(g.item() as number, 0.16, 1e-9);
    const [, t] = ad.jvp(xN, [f64(2.5)], [f64(1)]);
    close(t.item() as number, 0.16, 1e-9);
  }
});

/** One RK4 step of dy/dt = rhs(y) with step h. */
function rk4(rhs: (y: ad.Tensor) => ad.Tensor, y: ad.Tensor, h: number): ad.Tensor {
  const k1 = rhs(y);
  const k2 = rhs(ad.add(y, ad.mul(k1, h / 2)));
  const k3 = rhs(ad.add(y, ad.mul(k2, h / 2)));
  const k4 = rhs(ad.add(y, ad.mul(k3, h)));
  return ad.add(y, ad.mul(ad.add(ad.add(k1, ad.mul(k2, 2)), ad.add(ad.mul(k3, 2), k4)), h / 6));
}

test("ODE: exponential decay y' = -k y over 10,000 RK4 steps: dy(T)/dk = -T y0 e^{-kT}", () => {
  const T = 2;
  const n = 10_000;
  const y0 = 1.5;
  const solve = (k: ad.Tensor) =>
    ad.fori(0, n, (_i, y: ad.Tensor) => rk4((y) => ad.mul(ad.neg(k), y), y, T / n), f64(y0), {
      checkpoint: "sqrt",
    });
  const k = 0.7;
  const [y, dk] = ad.valueAndGrad(solve)(f64(k));
  close(y.item() as number, y0 * Math.exp(-k * T), 1e-12);
  close(dk.item() as number, -T * y0 * Math.exp(-k * T), 1e-10);
  const eps = 1e-6;
  const fd =
    ((solve(f64(k + eps)).item() as number) - (solve(f64(k - eps)).item() as number)) / (2 * eps);
  close(dk.item() as number, fd, 1e-7);
});

test("ODE: harmonic oscillator x'' = -w^2 x over 10,000 RK4 steps: sensitivities to w and x0", () => {
  const T = 3;
  const n = 10_000;
  const solve = (w: ad.Tensor, x0: ad.Tensor) => {
    const rhs = (s: ad.Tensor) => {
      const [x, v] = ad.split(s, 2);
      return ad.concat([v!, ad.mul(ad.neg(ad.square(w)), x!)]);
    };
    const final = ad.fori(
      0,
      n,
      (_i, s: ad.Tensor) => rk4(rhs, s, T / n),
      ad.concat([ad.reshape(x0, [1]), f64([0])]),
    );
    return ad.sum(ad.slice(final, [0], [1])); // x(T) = x0 cos(w T)
  };
  const w = 1.3;
  const x0 = 0.8;
  const [gw, gx0] = ad.grad(solve, { argnums: [0, 1] })(f64(w), f64(x0)) as ad.Tensor[];
  close(gw!.item() as number, -x0 * T * Math.sin(w * T), 1e-9);
  close(gx0!.item() as number, Math.cos(w * T), 1e-9);
  const eps = 1e-6;
  const fd =
    ((solve(f64(w + eps), f64(x0)).item() as number) -
      (solve(f64(w - eps), f64(x0)).item() as number)) /
    (2 * eps);
  close(gw!.item() as number, fd, 1e-7);
});

test("loops: errors name the loop and the problem", () => {
  assert.throws(
    () => ad.scan((c: ad.Tensor, x: ad.Tensor) => [ad.stack([c, c]), x], f64(0), f64([1, 2])),
    /scan: the carry must keep its shapes; leaf 0 was \[\] and step 0 returned \[2\]/,
  );
  assert.throws(
    () => ad.scan((c: ad.Tensor) => [c, c], f64(0), { a: f64([1, 2]), b: f64([1, 2, 3]) }),
    /scan: every xs leaf must have leading axis 2; leaf 1 has 3/,
  );
  assert.throws(
    () => ad.fori(0, 3, (_i, v: ad.Tensor) => v, f64(1), { checkpoint: "all" as "step" }),
    /fori: checkpoint must be/,
  );
});
