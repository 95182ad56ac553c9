/** @file customVjp and customJvp: values, rules in every mode, nesting, pytrees, errors. */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const f64 = (v: number | number[]) => ad.tensor(v, { dtype: "float64" });
const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

// log(1 + e^x) whose derivative stays finite: the naive one is e^x / (1 + e^x) = inf / inf.
const log1pexp: (x: ad.Tensor) => ad.Tensor = ad.customJvp((x: ad.Tensor) => ad.log1p(ad.exp(x)), {
  jvp: ([x]: ad.Tensor[], [dx]: ad.Tensor[]) => [log1pexp(x), ad.mul(dx!, ad.sigmoid(x!))],
});

test("customJvp: a stable log1p(exp(x)) has finite derivatives at x = 100 and 1000, all modes", () => {
  const naive = (x: ad.Tensor) => ad.log1p(ad.exp(x));
  assert.ok(
    Number.isNaN(ad.grad(naive)(f64(1000)).item() as number),
    "the naive derivative is NaN",
  );
  for (const x of [100, 1000]) {
    close(ad.grad(log1pexp)(f64(x)).item() as number, 1);
    close(ad.jvp(log1pexp, [f64(x)], [f64(1)])[1].item() as number, 1);
    // second derivative: sigmoid'(x) = s(1 - s), about 3.7e-44 at 100 and 0 at 1000
    const d2 = ad.grad(ad.grad(log1pexp))(f64(x)).item() as number;
    assert.ok(Number.isFinite(d2) && d2 >= 0 && d2 < 1e-40, `d2 at ${x} = ${d2}`);
  }
  close(ad.grad(log1pexp)(f64(0)).item() as number, 0.5);
  close(ad.hessian(log1pexp)(f64(0)).item() as number, 0.25);
});

test("customJvp: reverse mode differentiates through the rule (the rule, not f, is used)", () => {
  // f's own derivative would be 2x; the rule says 3x: reverse mode must follow the rule.
  const g = ad.customJvp((x: ad.Tensor) => ad.square(x), {
    jvp: ([x]: ad.Tensor[], [dx]: ad.Tensor[]) => [ad.square(x!), ad.mul(ad.mul(dx!, x!), 3)],
  });
  const x = f64([1.5, -2]);
  assert.deepEqual(
    ad
      .grad((x: ad.Tensor) => ad.sum(g(x)))(x)
      .toArray(),
    [4.5, -6],
  );
  const flat = (t: ad.Tensor) => (t.toArray() as number[][]).flat().map((v) => v + 0); // -0 -> 0
  assert.deepEqual(flat(ad.jacrev(g)(x)), flat(ad.jacfwd(g)(x)));
  // the wrong (for f) rule is what checkGrads reports
  assert.throws(() => ad.checkGrads(g, [x], { order: 1 }), ad.GradientCheckError);
});

test("customJvp: pytrees in and out, integer arguments, closures over outer tracers", () => {
  const polar = ad.customJvp(
    (p: { r: ad.Tensor; t: ad.Tensor }) => [ad.mul(p.r, ad.cos(p.t)), ad.mul(p.r, ad.sin(p.t))],
    {
      jvp: ([p]: { r: ad.Tensor; t: ad.Tensor }[], [dp]: { r: ad.Tensor; t: ad.Tensor }[]) => {
        const { r, t } = p!;
        const { r: dr, t: dt } = dp!;
        return [
          [ad.mul(r, ad.cos(t)), ad.mul(r, ad.sin(t))],
          [
            ad.sub(ad.mul(dr, ad.cos(t)), ad.mul(ad.mul(r, ad.sin(t)), dt)),
            ad.add(ad.mul(dr, ad.sin(t)), ad.mul(ad.mul(r, ad.cos(t)), dt)),
          ],
        ];
      },
    },
  );
  const p = { r: f64(2), t: f64(0.5) };
  const loss = (p: { r: ad.Tensor; t: ad.Tensor }) => {
    const [x, y] = polar(p);
    return ad.add(ad.square(x!), ad.mul(y!, 3));
  };
  ad.checkGrads(loss, [p], { order: 2 });
  // closure over an outer tracer: d/dw of grad_x [w * log1pexp(x)] = sigmoid(x)
  const outer = ad.grad((w: ad.Tensor) =>
    ad.grad((x: ad.Tensor) => ad.mul(w, log1pexp(x)))(f64(0.3)),
  )(f64(2));
  close(outer.item() as number, 1 / (1 + Math.exp(-0.3)));
});

// Gradient clipping: identity forward, clipped gradient backward.
const clipGrad = ad.customVjp((x: ad.Tensor) => x, {
  fwd: (x: ad.Tensor) => [x, null],
  bwd: (_res: null, ct: ad.Tensor) => [ad.clip(ct, -1, 1)],
});

test("customVjp: gradient clipping", () => {
  const x = f64([0.5, 2, -3]);
  const g = ad.grad((x: ad.Tensor) => ad.sum(ad.mul(clipGrad(ad.mul(x, x)), 10)))(x);
  // d/dx of 10 x^2 with the inner gradient 10 clipped to 1: 1 * 2x
  assert.deepEqual(g.toArray(), [1, 4, -6]);
  // the value is untouched
  assert.deepEqual(clipGrad(x).toArray(), [0.5, 2, -3]);
});

test("customVjp: residuals, pytrees, several arguments, and a wrong rule caught by checkGrads", () => {
  // f(a, {b}) = a * sin(b) with residuals [sin b, cos b]
  const f = ad.customVjp((a: ad.Tensor, o: { b: ad.Tensor }) => ad.mul(a, ad.sin(o.b)), {
    fwd: (a: ad.Tensor, o: { b: ad.Tensor }) => [
      ad.mul(a, ad.sin(o.b)),
      [a, ad.sin(o.b), ad.cos(o.b)],
    ],
    bwd: ([a, s, c]: ad.Tensor[], ct: ad.Tensor) => [
      ad.mul(ct, s!),
      { b: ad.mul(ad.mul(ct, a!), c!) },
    ],
  });
  const a = f64([0.7, -1.1]);
  const o = { b: f64([0.2, 1.3]) };
  ad.checkGrads((a: ad.Tensor, o: { b: ad.Tensor }) => ad.sum(ad.square(f(a, o))), [a, o], {
    order: 2,
    modes: ["rev"],
  });
  ad.checkGrads((a: ad.Tensor) => f(a, o), [a], { order: 2 }); // forward mode goes through f
  const wrong = ad.customVjp((x: ad.Tensor) => ad.exp(x), {
    fwd: (x: ad.Tensor) => [ad.exp(x), x],
    bwd: (x: ad.Tensor, ct: ad.Tensor) => [ad.mul(ct, x)], // should be ct * exp(x)
  });
  assert.throws(
    () => ad.checkGrads(wrong, [a], { order: 1, modes: ["rev"] }),
    (e: Error) => {
      assert.ok(e instanceof ad.GradientCheckError);
      assert.match(e.message, /rev-mode order 1 derivative w\.r\.t\. argument 0/);
      return true;
    },
  );
});

test("customVjp: nesting: inside jvp, hessian, grad of grad, jacfwd, and vmap-free batching by jacrev", () => {
  // softplus with a hand-written backward pass: bwd = ct * sigmoid(x)
  const sp = ad.customVjp((x: ad.Tensor) => ad.softplus(x), {
    fwd: (x: ad.Tensor) => [ad.softplus(x), x],
    bwd: (x: ad.Tensor, ct: ad.Tensor) => [ad.mul(ct, ad.sigmoid(x))],
  });
  const x = f64([0.3, -0.8]);
  const s = (v: number) => 1 / (1 + Math.exp(-v));
  const xs = [0.3, -0.8];
  // grad of grad: d/dx sigmoid(x) = s(1 - s)
  const gg = ad.grad((x: ad.Tensor) => ad.sum(ad.grad((x: ad.Tensor) => ad.sum(sp(x)))(x)))(x);
  (gg.toArray() as number[]).forEach((v, i) => {
    close(v, s(xs[i]!) * (1 - s(xs[i]!)));
  });
  // hessian (forward over reverse) is diagonal with the same entries
  const h = ad
    .hessian((x: ad.Tensor) => ad.sum(sp(x)))(x)
    .toArray() as number[][];
  close(h[0]![0]!, s(0.3) * (1 - s(0.3)));
  close(h[0]![1]!, 0);
  // inside jvp (forward mode through f) and jacfwd (replay through f) agree with jacrev (the rule)
  const [, t] = ad.jvp((x: ad.Tensor) => sp(x), [x], [f64([1, 1])]);
  (t.toArray() as number[]).forEach((v, i) => {
    close(v, s(xs[i]!));
  });
  assert.deepEqual(
    (ad.jacfwd(sp)(x).toArray() as number[][]).flat().map((v) => v.toFixed(12)),
    (ad.jacrev(sp)(x).toArray() as number[][]).flat().map((v) => v.toFixed(12)),
  );
});

test("custom rules: errors name the rule and what was wrong", () => {
  // The types reject this rule too (fwd must return a pair); the run-time check is for JS callers.
  // @ts-expect-error fwd returns x, not [out, residuals]
  const badFwd = ad.customVjp((x: ad.Tensor) => x, { fwd: (x: ad.Tensor) => x, bwd: () => [null] });
  assert.throws(() => ad.grad(badFwd)(f64(1)), /customVjp: fwd must return \[out, residuals\]/);
  const badBwd = ad.customVjp((x: ad.Tensor) => x, {
    fwd: (x: ad.Tensor) => [x, null],
    bwd: () => [f64([1, 2])],
  });
  assert.throws(
    () => ad.grad(badBwd)(f64(1)),
    /customVjp: cotangent for argument 0 .* must have shape \[\]; got \[2\]/,
  );
  const badJvp = ad.customJvp((x: ad.Tensor) => x, { jvp: () => [f64(1), f64([1, 2])] });
  assert.throws(
    () => ad.jvp(badJvp, [f64(1)], [f64(1)]),
    /customJvp: the rule's tangent for output leaf 0 must have shape \[\]/,
  );
  // and the next call works
  close(ad.grad(log1pexp)(f64(0)).item() as number, 0.5);
});
