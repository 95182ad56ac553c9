/**
 * @file Numerical stability at extreme inputs: logsumexp, softmax and logSoftmax around ±1000,
 * softplus, sigmoid and logSigmoid at ±100, values and derivatives (first and second order)
 * against closed forms computed with the usual shifts.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose, f64, s64, valuesOf } from "./helpers.js";

type F = (x: ad.Tensor) => ad.Tensor;

const TIGHT = { atol: 1e-12, rtol: 1e-12 };
/** For values that may be tiny (e^-100): only a relative error is acceptable. */
const RELATIVE = { atol: 0, rtol: 1e-10 };
/** For s (1 - s)-type values, whose cancellation for s near 1 is float64's (and JAX's) limit. */
const NEAR_ONE = { atol: 1e-15, rtol: 1e-9 };

function lseRef(xs: readonly number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((acc, x) => acc + Math.exp(x - m), 0));
}

function softmaxRef(xs: readonly number[]): number[] {
  const l = lseRef(xs);
  return xs.map((x) => Math.exp(x - l));
}

/** diag(s) - s s^T: the Jacobian of softmax and the Hessian of logsumexp. */
function softmaxJacobianRef(xs: readonly number[]): number[][] {
  const s = softmaxRef(xs);
  return s.map((si, i) => s.map((sj, j) => (i === j ? si : 0) - si * sj));
}

function sigmoidRef(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function softplusRef(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function assertAllFinite(t: ad.Tensor, what: string): void {
  for (const v of valuesOf(t))
    assert.ok(Number.isFinite(v), `${what}: ${t.toString()} has a non-finite element`);
}

const LARGE = [1000, 1001, 1002];
const SMALL = [-1000, -1001];
const MIXED = [1000, -1000, 0];

test("stability: logsumexp at ±1000 is finite and correct, with gradient softmax and Hessian diag(s) - ss^T", () => {
  const lse: F = (x) => ad.logsumexp(x);
  for (const xs of [LARGE, SMALL, MIXED]) {
    const x = f64(xs);
    assertClose(lse(x), lseRef(xs), `value at [${xs}]`, TIGHT);
    assertClose(ad.grad(lse)(x), softmaxRef(xs), `gradient at [${xs}]`, TIGHT);
    const tangent = f64(xs.map((_, i) => i + 1));
    const want = softmaxRef(xs).reduce((acc, s, i) => acc + s * (i + 1), 0);
    assertClose(ad.jvp(lse, [x], [tangent])[1], want, `jvp at [${xs}]`, TIGHT);
    const h = ad.hessian(lse)(x);
    assertAllFinite(h, "hessian");
    assertClose(h, softmaxJacobianRef(xs), `hessian at [${xs}]`, TIGHT);
  }
  assertClose(lse(f64(LARGE)), 1002 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), "explicit", TIGHT);
  assertClose(lse(f64(SMALL)), -1000 + Math.log1p(Math.exp(-1)), "explicit small", TIGHT);
  // float32 too: finite and close.
  const v32 = ad.logsumexp(ad.tensor(LARGE, { dtype: "float32" }));
  assert.equal(v32.dtype, "float32");
  assertClose(v32, lseRef(LARGE), "float32 value", { atol: 1e-3, rtol: 0 });
  assertAllFinite(ad.grad(lse)(ad.tensor(SMALL, { dtype: "float32" })), "float32 gradient");
});

test("stability: logsumexp along an axis with keepdims at ±1000", () => {
  const rows = [LARGE, [-1000, -1001, -1002]];
  const x = f64(rows);
  const out = ad.logsumexp(x, { axis: 1, keepdims: true });
  assertClose(
    out,
    rows.map((r) => [lseRef(r)]),
    "keepdims value",
    TIGHT,
  );
  const colRef = [0, 1, 2].map((j) => lseRef([rows[0]![j]!, rows[1]![j]!]));
  assertClose(ad.logsumexp(x, { axis: 0 }), colRef, "axis 0 (mixed magnitudes)", TIGHT);
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.logsumexp(t, { axis: -1 })))(x);
  assertClose(g, rows.map(softmaxRef), "gradient per row", TIGHT);
});

test("stability: softmax at ±1000 is finite and correct, with Jacobian diag(s) - ss^T in both modes", () => {
  const softmax: F = (x) => ad.softmax(x);
  for (const xs of [LARGE, SMALL, MIXED]) {
    const x = f64(xs);
    const s = softmaxRef(xs);
    assertClose(softmax(x), s, `value at [${xs}]`, TIGHT);
    const want = softmaxJacobianRef(xs);
    assertClose(ad.jacrev(softmax)(x), want, `jacrev at [${xs}]`, TIGHT);
    assertClose(ad.jacfwd(softmax)(x), want, `jacfwd at [${xs}]`, TIGHT);
    // vjp with a general cotangent: s * (c - s·c).
    const c = xs.map((_, i) => 0.5 - i);
    const sc = s.reduce((acc, si, i) => acc + si * c[i]!, 0);
    const [, back] = ad.vjp(softmax, x);
    assertClose(
      back(f64(c))[0],
      s.map((si, i) => si * (c[i]! - sc)),
      `vjp at [${xs}]`,
      TIGHT,
    );
  }
  // float32: finite and sums to 1.
  const s32 = ad.softmax(ad.tensor(LARGE, { dtype: "float32" }));
  assertAllFinite(s32, "float32 softmax");
  assertClose(ad.sum(s32), 1, "float32 sum", { atol: 1e-6, rtol: 0 });
});

test("stability: softmax and logSoftmax along axis 0 of [[1000, ...], [-1000, ...]]", () => {
  const x = f64([LARGE, [-1000, -1001, -1002]]);
  // Column j holds [1000 + j, -(1000 + j)]: the second entry is e^-(2000 + 2j) relative: 0.
  assertClose(
    ad.softmax(x, { axis: 0 }),
    [
      [1, 1, 1],
      [0, 0, 0],
    ],
    "softmax axis 0",
    TIGHT,
  );
  assertClose(
    ad.logSoftmax(x, { axis: 0 }),
    [
      [0, 0, 0],
      [-2000, -2002, -2004],
    ],
    "logSoftmax axis 0",
    TIGHT,
  );
  assertClose(
    ad.softmax(x),
    [softmaxRef(LARGE), softmaxRef([-1000, -1001, -1002])],
    "default axis -1",
    TIGHT,
  );
  const g = ad.grad((t: ad.Tensor) =>
    ad.sum(
      ad.mul(
        ad.logSoftmax(t, { axis: 0 }),
        f64([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ),
  )(x);
  assertAllFinite(g, "gradient of logSoftmax axis 0");
  // d/dx_ij sum_k w_kj (x_kj - lse_j) = w_ij - s_ij sum_k w_kj, with s = [[1,1,1],[0,0,0]].
  assertClose(
    g,
    [
      [1 - 5, 2 - 7, 3 - 9],
      [4, 5, 6],
    ],
    "gradient value",
    TIGHT,
  );
});

test("stability: logSoftmax at ±1000 is finite and correct, with Jacobian I - 1 s^T", () => {
  const logSoftmax: F = (x) => ad.logSoftmax(x);
  for (const xs of [LARGE, SMALL, MIXED]) {
    const x = f64(xs);
    const l = lseRef(xs);
    assertClose(
      logSoftmax(x),
      xs.map((xi) => xi - l),
      `value at [${xs}]`,
      TIGHT,
    );
    const s = softmaxRef(xs);
    const want = xs.map((_, i) => s.map((sj, j) => (i === j ? 1 : 0) - sj));
    assertClose(ad.jacrev(logSoftmax)(x), want, `jacrev at [${xs}]`, TIGHT);
    assertClose(ad.jacfwd(logSoftmax)(x), want, `jacfwd at [${xs}]`, TIGHT);
    const h = ad.hessian((t: ad.Tensor) => ad.sum(ad.mul(logSoftmax(t), f64(xs.map((_, i) => i)))))(
      x,
    );
    assertAllFinite(h, `second derivative at [${xs}]`);
  }
  assertClose(logSoftmax(f64(MIXED)), [0, -2000, -1000], "mixed", TIGHT);
  const l32 = ad.logSoftmax(ad.tensor(MIXED, { dtype: "float32" }));
  assertAllFinite(l32, "float32 logSoftmax");
  assertClose(l32, [0, -2000, -1000], "float32 mixed", { atol: 1e-3, rtol: 0 });
});

test("stability: softplus(100) = 100, softplus(-100) ≈ 3.72e-44, derivative = sigmoid", () => {
  const softplus: F = (x) => ad.softplus(x);
  assert.equal(softplus(s64(100)).item(), 100);
  assertClose(softplus(s64(-100)), Math.exp(-100), "softplus(-100)", RELATIVE);
  assertClose(softplus(s64(-100)), 3.720075976020836e-44, "softplus(-100) literal", RELATIVE);
  for (const x0 of [-100, -30, -2, 0, 2, 30, 100]) {
    assertClose(softplus(s64(x0)), softplusRef(x0), `softplus(${x0})`, RELATIVE);
    assertClose(ad.grad(softplus)(s64(x0)), sigmoidRef(x0), `softplus'(${x0})`, RELATIVE);
    assertClose(
      ad.jvp(softplus, [s64(x0)], [s64(1)])[1],
      sigmoidRef(x0),
      `softplus'(${x0}) fwd`,
      RELATIVE,
    );
    // softplus'' = s (1 - s): finite everywhere. For large x, 1 - s cancels (s rounds towards 1),
    // as in JAX, so only an absolute error at the scale of float64's epsilon is asked for.
    const s = sigmoidRef(x0);
    const d2 = ad.grad(ad.grad(softplus))(s64(x0));
    assertAllFinite(d2, `softplus''(${x0})`);
    assertClose(d2, s * sigmoidRef(-x0), `softplus''(${x0})`, NEAR_ONE);
  }
  // float32: no overflow.
  assertClose(
    ad.softplus(ad.tensor([100, -100, 0], { dtype: "float32" })),
    [100, 0, Math.LN2],
    "float32",
    {
      atol: 1e-6,
      rtol: 0,
    },
  );
});

test("stability: sigmoid(±100) values and derivatives are finite and correct", () => {
  const sigmoid: F = (x) => ad.sigmoid(x);
  assert.equal(sigmoid(s64(100)).item(), 1);
  assertClose(sigmoid(s64(-100)), 3.720075976020836e-44, "sigmoid(-100)", RELATIVE);
  for (const x0 of [-100, -30, -2, 0, 2, 30, 100]) {
    assertClose(sigmoid(s64(x0)), sigmoidRef(x0), `sigmoid(${x0})`, RELATIVE);
    const want = sigmoidRef(x0) * sigmoidRef(-x0);
    // s' = s (1 - s): for large x, s rounds towards 1 and 1 - s cancels (s'(100) may be 0, as in
    // JAX), so an absolute error at float64's epsilon is accepted; for x <= 0 it must be relative.
    const g = ad.grad(sigmoid)(s64(x0));
    assertAllFinite(g, `sigmoid'(${x0})`);
    const tol = x0 > 0 ? NEAR_ONE : RELATIVE;
    assertClose(g, want, `sigmoid'(${x0})`, tol);
    assertClose(ad.jvp(sigmoid, [s64(x0)], [s64(1)])[1], want, `sigmoid'(${x0}) fwd`, tol);
    assertAllFinite(ad.grad(ad.grad(sigmoid))(s64(x0)), `sigmoid''(${x0})`);
  }
  // sigmoid'(-100) is tiny but must be right relatively: s (1 - s) with 1 - s = 1.
  assertClose(ad.grad(sigmoid)(s64(-100)), 3.720075976020836e-44, "sigmoid'(-100)", RELATIVE);
  const s32 = ad.sigmoid(ad.tensor([100, -100], { dtype: "float32" }));
  assertAllFinite(s32, "float32 sigmoid");
  assertClose(s32, [1, 0], "float32 sigmoid", { atol: 1e-30, rtol: 0 });
});

test("stability: logSigmoid(-100) = -100 with derivative ≈ 1; logSigmoid(100) ≈ -3.72e-44 with derivative ≈ 3.72e-44", () => {
  const logSigmoid: F = (x) => ad.logSigmoid(x);
  assert.equal(logSigmoid(s64(-100)).item(), -100);
  assertClose(logSigmoid(s64(100)), -3.720075976020836e-44, "logSigmoid(100)", RELATIVE);
  assertClose(ad.grad(logSigmoid)(s64(-100)), 1, "logSigmoid'(-100)", TIGHT);
  assertClose(ad.grad(logSigmoid)(s64(100)), 3.720075976020836e-44, "logSigmoid'(100)", RELATIVE);
  assertClose(
    ad.jvp(logSigmoid, [s64(100)], [s64(1)])[1],
    3.720075976020836e-44,
    "logSigmoid'(100) fwd",
    RELATIVE,
  );
  assertClose(ad.jvp(logSigmoid, [s64(-100)], [s64(1)])[1], 1, "logSigmoid'(-100) fwd", TIGHT);
  for (const x0 of [-100, -30, -2, 0, 2, 30, 100]) {
    assertClose(logSigmoid(s64(x0)), -softplusRef(-x0), `logSigmoid(${x0})`, RELATIVE);
    assertClose(ad.grad(logSigmoid)(s64(x0)), sigmoidRef(-x0), `logSigmoid'(${x0})`, RELATIVE);
    const d2 = ad.grad(ad.grad(logSigmoid))(s64(x0));
    assertAllFinite(d2, `logSigmoid''(${x0})`);
    assertClose(d2, -sigmoidRef(x0) * sigmoidRef(-x0), `logSigmoid''(${x0})`, NEAR_ONE);
  }
  const l32 = ad.logSigmoid(ad.tensor([100, -100], { dtype: "float32" }));
  assertAllFinite(l32, "float32 logSigmoid");
  assertClose(l32, [0, -100], "float32 logSigmoid", { atol: 1e-6, rtol: 0 });
});
