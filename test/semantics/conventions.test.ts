/**
 * @file Derivatives at non-differentiable points (API.md "Conventions at non-differentiable points",
 * docs/conventions.md), each in both modes, and the `where` NaN trap with its double-where fix.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose, f64, s64 } from "./helpers.js";

type F = (x: ad.Tensor) => ad.Tensor;

/** The derivative of an elementwise f in forward mode: the tangent for an all-ones input tangent. */
function fwd(f: F, x: ad.Tensor): ad.Tensor {
  return ad.jvp(f, [x], [ad.ones(x.shape, x.dtype)])[1];
}

/** The elementwise derivative of an elementwise f in reverse mode: the gradient of sum(f(x)). */
function rev(f: F, x: ad.Tensor): ad.Tensor {
  return ad.grad((t: ad.Tensor) => ad.sum(f(t)))(x);
}

/** Asserts the elementwise derivative of f at `xs` equals `want` in both modes. */
function bothModes(f: F, xs: number[], want: number[], what: string): void {
  assertClose(rev(f, f64(xs)), want, `${what} (reverse)`, { atol: 0, rtol: 0 });
  assertClose(fwd(f, f64(xs)), want, `${what} (forward)`, { atol: 0, rtol: 0 });
  for (let i = 0; i < xs.length; i++) {
    assertClose(ad.grad(f)(s64(xs[i]!)), want[i]!, `${what} at ${xs[i]} (0-d grad)`, {
      atol: 0,
      rtol: 0,
    });
  }
}

test("conventions: relu'(0) = 0 in both modes", () => {
  bothModes((x) => ad.relu(x), [-1, 0, 2], [0, 0, 1], "relu'");
  // Second order at the kink: the derivative is piecewise constant, so 0.
  assertClose(ad.grad(ad.grad((x: ad.Tensor) => ad.relu(x)))(s64(0)), 0, "relu'' at 0");
});

test("conventions: abs'(0) = 0 in both modes", () => {
  bothModes((x) => ad.abs(x), [-2, 0, 3], [-1, 0, 1], "abs'");
  assertClose(ad.grad(ad.grad((x: ad.Tensor) => ad.abs(x)))(s64(0)), 0, "abs'' at 0");
});

test("conventions: norm'(0) is the zero vector (never NaN) in both modes and at second order", () => {
  const norm: F = (x) => ad.norm(x);
  const zero = f64([0, 0, 0]);
  const g = ad.grad(norm)(zero);
  assertClose(g, [0, 0, 0], "reverse", { atol: 0, rtol: 0 });
  const [value, tangent] = ad.jvp(norm, [zero], [f64([1, -2, 0.5])]);
  assertClose(value, 0, "value");
  assertClose(tangent, 0, "forward", { atol: 0, rtol: 0 });
  const h = ad.hessian(norm)(zero);
  assertClose(
    h,
    [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ],
    "hessian (forward over reverse)",
    { atol: 0, rtol: 0 },
  );
  assertClose(
    ad.jacrev(ad.grad(norm))(zero),
    [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ],
    "reverse over reverse",
    {
      atol: 0,
      rtol: 0,
    },
  );
  assertClose(ad.grad(ad.grad((x: ad.Tensor) => ad.norm(x)))(s64(0)), 0, "0-d second order", {
    atol: 0,
    rtol: 0,
  });
  // Away from 0 the derivative is x / |x| (so the test can tell a constant 0 from the convention).
  assertClose(ad.grad(norm)(f64([3, -4, 0])), [0.6, -0.8, 0], "at [3,-4,0]", { atol: 1e-15 });
  assertClose(ad.jvp(norm, [f64([3, -4, 0])], [f64([1, 1, 1])])[1], -0.2, "forward at [3,-4,0]", {
    atol: 1e-15,
  });
});

test("conventions: std' is 0 (never NaN) where the spread is 0, in both modes and at second order", () => {
  const std: F = (x) => ad.std(x);
  const zeros3 = [0, 0, 0];
  const zeros33 = [zeros3, zeros3, zeros3];
  // One element and a length-1 axis: std is the constant 0 there, so every derivative is 0.
  assertClose(ad.grad(std)(f64([5])), [0], "one element (reverse)", { atol: 0, rtol: 0 });
  assertClose(ad.jvp(std, [f64([5])], [f64([1])])[1], 0, "one element (forward)", {
    atol: 0,
    rtol: 0,
  });
  const overRows: F = (x) => ad.sum(ad.std(x, { axis: 1 }));
  assertClose(ad.grad(overRows)(f64([[1], [2]])), [[0], [0]], "length-1 axis", {
    atol: 0,
    rtol: 0,
  });
  // All elements equal: a subgradient, 0, as norm at 0.
  const equal = f64([2, 2, 2]);
  assertClose(ad.grad(std)(equal), zeros3, "equal elements (reverse)", { atol: 0, rtol: 0 });
  assertClose(ad.jvp(std, [equal], [f64([1, -2, 0.5])])[1], 0, "equal elements (forward)", {
    atol: 0,
    rtol: 0,
  });
  assertClose(ad.hessian(std)(equal), zeros33, "hessian", { atol: 0, rtol: 0 });
  assertClose(ad.jacrev(ad.grad(std))(equal), zeros33, "reverse over reverse", {
    atol: 0,
    rtol: 0,
  });
  assertClose(ad.grad(ad.grad((x: ad.Tensor) => ad.std(x)))(s64(3)), 0, "0-d second order", {
    atol: 0,
    rtol: 0,
  });
  // Elsewhere the derivative is (x - mean) / (n std), unchanged.
  assertClose(ad.grad(std)(f64([1, 3])), [-0.5, 0.5], "at [1, 3]", { atol: 1e-15 });
});

test("conventions: sqrt'(0) = +Infinity in both modes", () => {
  const sqrt: F = (x) => ad.sqrt(x);
  assert.equal(ad.grad(sqrt)(s64(0)).item(), Number.POSITIVE_INFINITY);
  assert.equal(fwd(sqrt, s64(0)).item(), Number.POSITIVE_INFINITY);
  assertClose(rev(sqrt, f64([0, 4])), [Number.POSITIVE_INFINITY, 0.25], "vector");
  assertClose(fwd(sqrt, f64([0, 4])), [Number.POSITIVE_INFINITY, 0.25], "vector (forward)");
});

test("conventions: pow(x, 2)' at 0 is 0 (not NaN) in both modes, and pow(x, 2)'' at 0 is 2", () => {
  const sq: F = (x) => ad.pow(x, 2);
  bothModes(sq, [-1.5, 0, 3], [-3, 0, 6], "pow(x, 2)'");
  assertClose(ad.grad(ad.grad(sq))(s64(0)), 2, "second derivative at 0 (reverse)", {
    atol: 0,
    rtol: 0,
  });
  assertClose(
    fwd((x) => fwd(sq, x), s64(0)),
    2,
    "second derivative at 0 (forward)",
    { atol: 0, rtol: 0 },
  );
  // The exponent as a tensor too, differentiated w.r.t. x only.
  const withTensorExponent = (x: ad.Tensor): ad.Tensor => ad.pow(x, s64(2));
  assertClose(ad.grad(withTensorExponent)(s64(0)), 0, "tensor exponent", { atol: 0, rtol: 0 });
});

test("conventions: max/min reduction ties share the derivative equally, in both modes", () => {
  const x = f64([1, 3, 3]);
  assertClose(ad.grad((t: ad.Tensor) => ad.max(t))(x), [0, 0.5, 0.5], "max grad, two-way tie");
  assertClose(
    ad.grad((t: ad.Tensor) => ad.min(t))(f64([2, -1, -1, 5])),
    [0, 0.5, 0.5, 0],
    "min grad",
  );
  assertClose(
    ad.grad((t: ad.Tensor) => ad.max(t))(f64([2, 2, 2])),
    [1 / 3, 1 / 3, 1 / 3],
    "three-way tie",
    {
      atol: 1e-15,
    },
  );
  // Forward mode: the tangent of a tie is the mean of the tied tangents.
  assertClose(ad.jvp((t: ad.Tensor) => ad.max(t), [x], [f64([10, 2, 6])])[1], 4, "max jvp");
  assertClose(
    ad.jvp((t: ad.Tensor) => ad.min(t), [f64([2, -1, -1, 5])], [f64([7, 1, 3, 9])])[1],
    2,
    "min jvp",
  );
  // Along an axis, with ties in some rows only.
  const m = f64([
    [1, 2, 2],
    [5, 0, 5],
    [4, 3, 1],
  ]);
  const [out, back] = ad.vjp((t: ad.Tensor) => ad.max(t, { axis: 1 }), m);
  assertClose(out, [2, 5, 4], "max along axis 1");
  assertClose(
    back(f64([1, 1, 1]))[0],
    [
      [0, 0.5, 0.5],
      [0.5, 0, 0.5],
      [1, 0, 0],
    ],
    "vjp along axis",
  );
  const tangentM = f64([
    [9, 2, 4],
    [6, 7, 8],
    [1, 2, 3],
  ]);
  assertClose(
    ad.jvp((t: ad.Tensor) => ad.max(t, { axis: 1 }), [m], [tangentM])[1],
    [3, 7, 1],
    "jvp along axis",
  );
  assertClose(
    ad.jvp((t: ad.Tensor) => ad.min(t, { axis: 0 }), [m], [tangentM])[1],
    [9, 7, 3],
    "min jvp along axis 0 (no ties)",
  );
  // The Jacobian computed by the two modes is the same matrix.
  const jf = ad.jacfwd((t: ad.Tensor) => ad.max(t, { axis: 1 }))(m);
  const jr = ad.jacrev((t: ad.Tensor) => ad.max(t, { axis: 1 }))(m);
  assertClose(jf, jr, "jacfwd == jacrev", { atol: 0, rtol: 0 });
});

test("conventions: maximum/minimum elementwise ties give 1/2 to each side, so maximum(x, x)' = 1", () => {
  for (const op of [ad.maximum, ad.minimum]) {
    const name = op === ad.maximum ? "maximum" : "minimum";
    const both = ad.grad((a: ad.Tensor, b: ad.Tensor) => op(a, b), { argnums: [0, 1] });
    const [ga, gb] = both(s64(2), s64(2)) as [ad.Tensor, ad.Tensor];
    assertClose(ga, 0.5, `${name} tie, d/da (reverse)`);
    assertClose(gb, 0.5, `${name} tie, d/db (reverse)`);
    const ta = ad.jvp(
      (a: ad.Tensor, b: ad.Tensor) => op(a, b),
      [s64(2), s64(2)],
      [s64(1), s64(0)],
    )[1];
    assertClose(ta, 0.5, `${name} tie, d/da (forward)`);
    const tb = ad.jvp(
      (a: ad.Tensor, b: ad.Tensor) => op(a, b),
      [s64(2), s64(2)],
      [s64(0), s64(1)],
    )[1];
    assertClose(tb, 0.5, `${name} tie, d/db (forward)`);
    const same: F = (x) => op(x, x);
    bothModes(same, [-1, 0, 2.5], [1, 1, 1], `${name}(x, x)'`);
    // Without a tie the derivative goes to the selected side only.
    const [ha, hb] = both(s64(3), s64(2)) as [ad.Tensor, ad.Tensor];
    assertClose(ha, name === "maximum" ? 1 : 0, `${name}(3, 2) d/da`);
    assertClose(hb, name === "maximum" ? 0 : 1, `${name}(3, 2) d/db`);
  }
  // relu written as maximum(x, 0) gets 1/2 at 0 (the tie rule), unlike relu itself.
  assertClose(ad.grad((x: ad.Tensor) => ad.maximum(x, 0))(s64(0)), 0.5, "maximum(x, 0) at 0");
  assertClose(
    fwd((x) => ad.maximum(x, 0), s64(0)),
    0.5,
    "maximum(x, 0) at 0 (forward)",
  );
});

test("conventions: clip's derivative w.r.t. x is 1 on the bounds (0 w.r.t. the bounds) in both modes", () => {
  const clip: F = (x) => ad.clip(x, -1, 1);
  bothModes(clip, [-2, -1, 0, 1, 2], [0, 1, 1, 1, 0], "clip'");
  const all = ad.grad((x: ad.Tensor, lo: ad.Tensor, hi: ad.Tensor) => ad.clip(x, lo, hi), {
    argnums: [0, 1, 2],
  });
  const check = (x: number, want: [number, number, number], what: string): void => {
    const got = all(s64(x), s64(-1), s64(1)) as ad.Tensor[];
    assertClose(got[0]!, want[0], `${what}: d/dx`);
    assertClose(got[1]!, want[1], `${what}: d/dlo`);
    assertClose(got[2]!, want[2], `${what}: d/dhi`);
    const tangents = [0, 1, 2].map(
      (k) =>
        ad.jvp(
          (a: ad.Tensor, lo: ad.Tensor, hi: ad.Tensor) => ad.clip(a, lo, hi),
          [s64(x), s64(-1), s64(1)],
          [0, 1, 2].map((j) => s64(j === k ? 1 : 0)),
        )[1],
    );
    assertClose(tangents[0]!, want[0], `${what}: d/dx (forward)`);
    assertClose(tangents[1]!, want[1], `${what}: d/dlo (forward)`);
    assertClose(tangents[2]!, want[2], `${what}: d/dhi (forward)`);
  };
  check(-1, [1, 0, 0], "x = lo");
  check(1, [1, 0, 0], "x = hi");
  check(0, [1, 0, 0], "inside");
  check(-3, [0, 1, 0], "below");
  check(3, [0, 0, 1], "above");
});

test("conventions: where trap: grad of where(x > 0, sqrt(x), 0) at x = -1 is NaN (the untaken branch leaks)", () => {
  const trap: F = (x) => ad.where(ad.greater(x, 0), ad.sqrt(x), 0);
  const g = ad.grad(trap)(s64(-1));
  assert.ok(Number.isNaN(g.item()), `expected NaN, got ${g.item()}`);
  assertClose(trap(s64(-1)), 0, "the value itself is fine");
  assertClose(ad.grad(trap)(s64(4)), 0.25, "taken branch");
  // Elementwise: only the elements whose untaken branch is NaN are poisoned.
  assertClose(rev(trap, f64([-1, 4])), [Number.NaN, 0.25], "vector");
});

test("conventions: the double-where fix gives 0 at x = -1 in both modes", () => {
  const safe: F = (x) => {
    const pos = ad.greater(x, 0);
    return ad.where(pos, ad.sqrt(ad.where(pos, x, 1)), 0);
  };
  assertClose(ad.grad(safe)(s64(-1)), 0, "reverse", { atol: 0, rtol: 0 });
  assertClose(fwd(safe, s64(-1)), 0, "forward", { atol: 0, rtol: 0 });
  assertClose(rev(safe, f64([-1, 0, 4])), [0, 0, 0.25], "vector (reverse)", { atol: 0, rtol: 0 });
  assertClose(fwd(safe, f64([-1, 0, 4])), [0, 0, 0.25], "vector (forward)", { atol: 0, rtol: 0 });
  assertClose(ad.grad(ad.grad(safe))(s64(-1)), 0, "second order", { atol: 0, rtol: 0 });
});
