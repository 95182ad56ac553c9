/**
 * @file Nested transformations: no perturbation confusion (jvp in jvp, grad in grad, closures over
 * outer tracers), third derivatives by every combination of modes against closed forms, and
 * hessian / hvp / linearize / jvp-of-grad against a closed-form Hessian.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose, f64, s64 } from "./helpers.js";

type F = (x: ad.Tensor) => ad.Tensor;

const POINTS = [-1.5, -0.3, 0, 0.7, 2];

/** The derivative of a scalar function by one forward-mode pass. */
function dFwd(f: F): F {
  return (x) => ad.jvp(f, [x], [ad.ones(x.shape, x.dtype)])[1];
}

// ---------------------------------------------------------------------------------------------
// Perturbation confusion

test("nesting: d/dx [x * d/dy (x + y)] = 1 with jvp inside jvp (no perturbation confusion)", () => {
  for (const x0 of POINTS) {
    const outer = (x: ad.Tensor): ad.Tensor => {
      const inner = ad.jvp((y: ad.Tensor) => ad.add(x, y), [s64(1)], [s64(1)])[1];
      return ad.mul(x, inner);
    };
    const [value, tangent] = ad.jvp(outer, [s64(x0)], [s64(1)]);
    assertClose(value, x0, `value at ${x0}`);
    assertClose(tangent, 1, `derivative at ${x0}`);
  }
});

test("nesting: d/dx [x * d/dy (x + y)] = 1 with grad inside grad", () => {
  for (const x0 of POINTS) {
    const outer = (x: ad.Tensor): ad.Tensor =>
      ad.mul(x, ad.grad((y: ad.Tensor) => ad.add(x, y))(s64(1)));
    assertClose(ad.grad(outer)(s64(x0)), 1, `at ${x0}`);
  }
});

test("nesting: d/dx [x * d/dy (x + y)] = 1 with grad inside jvp and jvp inside grad", () => {
  for (const x0 of POINTS) {
    const gradInside = (x: ad.Tensor): ad.Tensor =>
      ad.mul(x, ad.grad((y: ad.Tensor) => ad.add(x, y))(s64(1)));
    assertClose(ad.jvp(gradInside, [s64(x0)], [s64(1)])[1], 1, `jvp(grad) at ${x0}`);
    const jvpInside = (x: ad.Tensor): ad.Tensor =>
      ad.mul(x, ad.jvp((y: ad.Tensor) => ad.add(x, y), [s64(1)], [s64(1)])[1]);
    assertClose(ad.grad(jvpInside)(s64(x0)), 1, `grad(jvp) at ${x0}`);
  }
});

test("nesting: d/dx [x * d/dy (x * y)] = 2x (the inner derivative depends on the outer variable)", () => {
  for (const x0 of POINTS) {
    // d/dy (x * y) = x, so the outer function is x^2 and its derivative 2x.
    const viaGrad = (x: ad.Tensor): ad.Tensor =>
      ad.mul(x, ad.grad((y: ad.Tensor) => ad.mul(x, y))(s64(0.5)));
    const viaJvp = (x: ad.Tensor): ad.Tensor =>
      ad.mul(x, ad.jvp((y: ad.Tensor) => ad.mul(x, y), [s64(0.5)], [s64(1)])[1]);
    assertClose(ad.grad(viaGrad)(s64(x0)), 2 * x0, `grad(grad) at ${x0}`);
    assertClose(ad.jvp(viaJvp, [s64(x0)], [s64(1)])[1], 2 * x0, `jvp(jvp) at ${x0}`);
    assertClose(ad.grad(viaJvp)(s64(x0)), 2 * x0, `grad(jvp) at ${x0}`);
    assertClose(ad.jvp(viaGrad, [s64(x0)], [s64(1)])[1], 2 * x0, `jvp(grad) at ${x0}`);
  }
});

test("nesting: grad over a closure of an outer tracer: f(x) = grad(y => x*y*y)(x) = 2x^2, f'(x) = 4x", () => {
  // The inner gradient w.r.t. y alone is 2xy; at y = x that is 2x^2, whose derivative is 4x.
  // Confusing the two perturbations would give d/dx (x^3) = 3x^2 or similar instead.
  const f = (x: ad.Tensor): ad.Tensor => ad.grad((y: ad.Tensor) => ad.mul(ad.mul(x, y), y))(x);
  for (const x0 of POINTS) {
    assertClose(f(s64(x0)), 2 * x0 * x0, `f(${x0})`);
    assertClose(ad.grad(f)(s64(x0)), 4 * x0, `grad f at ${x0}`);
    assertClose(dFwd(f)(s64(x0)), 4 * x0, `jvp f at ${x0}`);
    // Second derivative of f is the constant 4.
    assertClose(ad.grad(ad.grad(f))(s64(x0)), 4, `grad grad f at ${x0}`);
  }
});

test("nesting: jvp over a closure of an outer tracer (forward inside reverse and forward)", () => {
  const f = (x: ad.Tensor): ad.Tensor =>
    ad.jvp((y: ad.Tensor) => ad.mul(ad.mul(x, y), y), [x], [ad.onesLike(x)])[1];
  for (const x0 of POINTS) {
    assertClose(f(s64(x0)), 2 * x0 * x0, `f(${x0})`);
    assertClose(ad.grad(f)(s64(x0)), 4 * x0, `grad f at ${x0}`);
    assertClose(dFwd(f)(s64(x0)), 4 * x0, `jvp f at ${x0}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Third derivatives

interface ThirdCase {
  name: string;
  f: F;
  third: (x: number) => number;
}

const sigmoidNum = (x: number): number => 1 / (1 + Math.exp(-x));

const THIRD: readonly ThirdCase[] = [
  {
    name: "tanh",
    f: (x) => ad.tanh(x),
    third: (x) => {
      const t = Math.tanh(x);
      return -2 * (1 - t * t) * (1 - 3 * t * t);
    },
  },
  {
    name: "sigmoid",
    f: (x) => ad.sigmoid(x),
    third: (x) => {
      const s = sigmoidNum(x);
      return s * (1 - s) * (1 - 6 * s + 6 * s * s);
    },
  },
  { name: "exp", f: (x) => ad.exp(x), third: (x) => Math.exp(x) },
];

for (const c of THIRD) {
  test(`nesting: third derivative of ${c.name} by grad(grad(grad(f))) matches the closed form`, () => {
    const d3 = ad.grad(ad.grad(ad.grad(c.f)));
    for (const x0 of POINTS) {
      const got = d3(s64(x0));
      assert.equal(got.dtype, "float64");
      assert.deepEqual([...got.shape], []);
      assertClose(got, c.third(x0), `${c.name}''' at ${x0}`, { atol: 1e-12, rtol: 1e-10 });
    }
  });

  test(`nesting: third derivative of ${c.name} by jvp(jvp(jvp(f))) matches the closed form`, () => {
    const d3 = dFwd(dFwd(dFwd(c.f)));
    for (const x0 of POINTS) {
      assertClose(d3(s64(x0)), c.third(x0), `${c.name}''' at ${x0}`, { atol: 1e-12, rtol: 1e-10 });
    }
  });

  test(`nesting: third derivative of ${c.name} by jacfwd(jacrev(grad(f))) and jvp(grad(grad(f))) matches`, () => {
    const mixed = ad.jacfwd(ad.jacrev(ad.grad(c.f)));
    const fwdOverRev = dFwd(ad.grad(ad.grad(c.f)));
    const revOverFwd = ad.grad(dFwd(dFwd(c.f)));
    for (const x0 of POINTS) {
      const want = c.third(x0);
      const got = mixed(s64(x0));
      assert.deepEqual([...got.shape], [], "jacobians of a 0-d function of a 0-d input are 0-d");
      assertClose(got, want, `jacfwd(jacrev(grad)) at ${x0}`, { atol: 1e-12, rtol: 1e-10 });
      assertClose(fwdOverRev(s64(x0)), want, `jvp(grad(grad)) at ${x0}`, {
        atol: 1e-12,
        rtol: 1e-10,
      });
      assertClose(revOverFwd(s64(x0)), want, `grad(jvp(jvp)) at ${x0}`, {
        atol: 1e-12,
        rtol: 1e-10,
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Hessians of a nonlinear function of a 3-vector

/** f(a, b, c) = a^2 b + sin(b c) + exp(a) c^3. */
function fNl(x: ad.Tensor): ad.Tensor {
  const [a, b, c] = ad.split(x, 3) as [ad.Tensor, ad.Tensor, ad.Tensor];
  return a
    .square()
    .mul(b)
    .add(b.mul(c).sin())
    .add(a.exp().mul(c.pow(3)))
    .sum();
}

function gradNl([a, b, c]: readonly number[]): number[] {
  const ea = Math.exp(a!);
  return [
    2 * a! * b! + ea * c! ** 3,
    a! * a! + c! * Math.cos(b! * c!),
    b! * Math.cos(b! * c!) + 3 * ea * c! * c!,
  ];
}

function hessianNl([a, b, c]: readonly number[]): number[][] {
  const ea = Math.exp(a!);
  const s = Math.sin(b! * c!);
  const co = Math.cos(b! * c!);
  const h00 = 2 * b! + ea * c! ** 3;
  const h01 = 2 * a!;
  const h02 = 3 * ea * c! * c!;
  const h11 = -c! * c! * s;
  const h12 = co - b! * c! * s;
  const h22 = -b! * b! * s + 6 * ea * c!;
  return [
    [h00, h01, h02],
    [h01, h11, h12],
    [h02, h12, h22],
  ];
}

const X0 = [0.3, -0.7, 1.2];
const V0 = [0.5, -1, 2];

function matVec(m: number[][], v: readonly number[]): number[] {
  return m.map((row) => row.reduce((acc, mij, j) => acc + mij * v[j]!, 0));
}

test("nesting: hessian == jacfwd(jacrev(f)) == jacrev(jacfwd(f)) == closed form for f of a 3-vector", () => {
  const x = f64(X0);
  const want = hessianNl(X0);
  const opts = { atol: 1e-12, rtol: 1e-10 };
  assertClose(ad.hessian(fNl)(x), want, "hessian", opts);
  assertClose(ad.jacfwd(ad.jacrev(fNl))(x), want, "jacfwd(jacrev)", opts);
  assertClose(ad.jacrev(ad.jacfwd(fNl))(x), want, "jacrev(jacfwd)", opts);
  assertClose(ad.jacrev(ad.jacrev(fNl))(x), want, "jacrev(jacrev)", opts);
  assertClose(ad.jacfwd(ad.jacfwd(fNl))(x), want, "jacfwd(jacfwd)", opts);
  assertClose(ad.jacfwd(ad.grad(fNl))(x), want, "jacfwd(grad)", opts);
  // The first derivative as a sanity anchor for the closed forms themselves.
  assertClose(ad.grad(fNl)(x), gradNl(X0), "grad", opts);
  assertClose(ad.jacrev(fNl)(x), gradNl(X0), "jacrev", opts);
  assertClose(ad.jacfwd(fNl)(x), gradNl(X0), "jacfwd", opts);
});

test("nesting: hvp(f, [x], [v]) equals hessian(f)(x) · v", () => {
  const x = f64(X0);
  const v = f64(V0);
  const result = ad.hvp(fNl, [x], [v]);
  assert.ok(Array.isArray(result), "hvp returns one entry per primal");
  assert.equal(result.length, 1);
  const want = matVec(hessianNl(X0), V0);
  assertClose(result[0] as ad.Tensor, want, "hvp vs closed form", { atol: 1e-12, rtol: 1e-10 });
  const h = ad.hessian(fNl)(x);
  assertClose(result[0] as ad.Tensor, ad.matmul(h, v), "hvp vs hessian·v", {
    atol: 1e-12,
    rtol: 1e-10,
  });
});

test("nesting: jvp(grad(f)) gives [grad f, H·v]", () => {
  const [g, hv] = ad.jvp(ad.grad(fNl), [f64(X0)], [f64(V0)]);
  assertClose(g, gradNl(X0), "primal output", { atol: 1e-12, rtol: 1e-10 });
  assertClose(hv, matVec(hessianNl(X0), V0), "tangent output", { atol: 1e-12, rtol: 1e-10 });
});

test("nesting: linearize's jvpFn equals jvp, for several tangents", () => {
  // g(x) = sin(x) * sum(x^2): J v = cos(x) v S + sin(x) (2 x·v).
  const g = (x: ad.Tensor): ad.Tensor => ad.mul(ad.sin(x), ad.sum(ad.square(x)));
  const x = f64(X0);
  const [out, jvpFn] = ad.linearize(g, x);
  const s = X0.reduce((acc, xi) => acc + xi * xi, 0);
  assertClose(
    out,
    X0.map((xi) => Math.sin(xi) * s),
    "value",
  );
  for (const v of [V0, [1, 0, 0], [-0.25, 3, 0.125]]) {
    const dot = X0.reduce((acc, xi, i) => acc + 2 * xi * v[i]!, 0);
    const want = X0.map((xi, i) => Math.cos(xi) * v[i]! * s + Math.sin(xi) * dot);
    const viaLinearize = jvpFn(f64(v));
    const viaJvp = ad.jvp(g, [x], [f64(v)])[1];
    assertClose(viaLinearize, want, `linearize tangent for v=[${v}]`, { atol: 1e-12, rtol: 1e-10 });
    assertClose(viaLinearize, viaJvp, `linearize vs jvp for v=[${v}]`, {
      atol: 1e-12,
      rtol: 1e-10,
    });
  }
});

test("nesting: hessian of a scalar function of a scalar via grad(grad) at several points", () => {
  // f(x) = x^3 sin(x): f'' = 6x sin x + 6x^2 cos x - x^3 sin x.
  const f = (x: ad.Tensor): ad.Tensor => ad.mul(ad.pow(x, 3), ad.sin(x));
  for (const x0 of POINTS) {
    const want = 6 * x0 * Math.sin(x0) + 6 * x0 * x0 * Math.cos(x0) - x0 ** 3 * Math.sin(x0);
    assertClose(ad.grad(ad.grad(f))(s64(x0)), want, `grad grad at ${x0}`, {
      atol: 1e-12,
      rtol: 1e-10,
    });
    assertClose(ad.hessian(f)(s64(x0)), want, `hessian at ${x0}`, { atol: 1e-12, rtol: 1e-10 });
    assertClose(dFwd(dFwd(f))(s64(x0)), want, `jvp jvp at ${x0}`, { atol: 1e-12, rtol: 1e-10 });
  }
});
