/**
 * @file Op specs of the elementwise functions with kernels of their own (src/ops/elementwise-more.ts):
 * log2, log10, exp2, cbrt, trunc, hypot, fmod, against float64 references written from other
 * functions (log(x)/ln 2, sqrt(x^2 + y^2), ...), so the kernels are not checked against themselves.
 */

import * as ad from "../../src/index.js";
import type { OpSpec } from "../harness/spec.js";

const UNARY_SHAPES = [[[]], [[5]], [[2, 3]]] as const;
const BINARY_SHAPES = [
  [[], []],
  [[4], [4]],
  [[2, 3], [3]],
  [
    [2, 1],
    [1, 3],
  ],
  [[3], []],
] as const;

type Domains = OpSpec["domains"];

function unary(
  name: string,
  fn: (x: ad.Tensor) => ad.Tensor,
  ref: (v: number) => number,
  domains: Domains,
  extra: Partial<OpSpec> = {},
): OpSpec {
  return { name, prims: [name], fn, shapes: UNARY_SHAPES, domains, elementwise: ref, ...extra };
}

function binary(
  name: string,
  fn: (x: ad.Tensor, y: ad.Tensor) => ad.Tensor,
  ref: (a: number, b: number) => number,
  domains: Domains,
  extra: Partial<OpSpec> = {},
): OpSpec {
  return { name, prims: [name], fn, shapes: BINARY_SHAPES, domains, elementwise: ref, ...extra };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

const truncRef = (v: number) => (v < 0 ? Math.ceil(v) : Math.floor(v));

export const elementwiseMoreSpecs: OpSpec[] = [
  unary("log2", ad.log2, (v) => Math.log(v) / Math.LN2, ["positive"]),
  unary("log10", ad.log10, (v) => Math.log(v) / Math.LN10, ["positive"]),
  unary("exp2", ad.exp2, (v) => Math.exp(v * Math.LN2), ["real"]),
  // cbrt'(0) is infinite: the domain stays away from 0, on both signs.
  unary("cbrt", ad.cbrt, (v) => Math.sign(v) * Math.abs(v) ** (1 / 3), ["nonzero"]),
  unary("trunc", ad.trunc, truncRef, ["nonzero"], { order: 0 }),
  // trunc's zero derivative, checked as a real one at non-integer points.
  {
    name: "trunc (zero derivative)",
    prims: ["trunc"],
    fn: (x: ad.Tensor) => ad.mul(ad.trunc(x), x),
    shapes: UNARY_SHAPES,
    domains: [{ fixed: [0.25, 1.3, -0.7, 2.6, -1.45, 0.9] }],
    elementwise: (v: number) => truncRef(v) * v,
  },
  // hypot's derivative has a kink at the origin only: both operands away from 0.
  binary("hypot", ad.hypot, (a, b) => Math.sqrt(a * a + b * b), ["nonzero", "nonzero"]),
  // fmod jumps where x/y is an integer; the fixed points stay away from jumps.
  binary("fmod", ad.fmod, (a, b) => a - truncRef(a / b) * b, [
    { fixed: [5.3, -5.3, 2.2, -0.7, 7.9, 1.1] },
    { fixed: [2.1, -1.9, 3.7] },
  ]),
  // signbit: values only (bool); -0 is checked in test/semantics/elementwise-more.test.ts.
  unary("signbit", ad.signbit, (v) => +(v < 0), ["nonzero"], { order: 0, outDType: "bool" }),
  binary("copysign", ad.copysign, (a, b) => (b < 0 ? -Math.abs(a) : Math.abs(a)), [
    "nonzero",
    "nonzero",
  ]),
  // Composites: the prims are the ones they are built from.
  unary("deg2rad", ad.deg2rad, (v) => (v * Math.PI) / 180, ["real"], { prims: ["mul"] }),
  unary("rad2deg", ad.rad2deg, (v) => (v * 180) / Math.PI, ["real"], { prims: ["mul"] }),
  // log(e^x + e^y) written from sigmoid's integral, not from the op's formula.
  binary(
    "logaddexp",
    ad.logaddexp,
    (a, b) => a - Math.log(sigmoid(a - b)),
    ["distinct", "distinct"],
    { prims: ["max", "log1p", "exp", "select"] },
  ),
  binary(
    "logaddexp2",
    ad.logaddexp2,
    (a, b) => Math.log2(2 ** a + 2 ** b),
    ["distinct", "distinct"],
    { prims: ["max", "log1p", "exp2", "select"] },
  ),
  binary("fmax", ad.fmax, Math.max, ["distinct", "distinct"], { prims: ["max", "is_nan"] }),
  binary("fmin", ad.fmin, Math.min, ["distinct", "distinct"], { prims: ["min", "is_nan"] }),
  // heaviside: x1 away from 0 (its step), so x2 gets no derivative there; x2 = 0.5 where x1 = 0 in
  // the semantic tests.
  binary("heaviside", ad.heaviside, (a, b) => (a < 0 ? 0 : a > 0 ? 1 : b), ["nonzero", "real"], {
    prims: ["less", "greater", "select"],
  }),
  unary(
    "nanToNum",
    (x) => ad.nanToNum(x),
    (v) => v,
    ["real"],
    { prims: ["is_nan", "equal"] },
  ),
  // floorDivide is piecewise constant: values, away from the jumps (x / y an integer).
  binary(
    "floorDivide",
    ad.floorDivide,
    (a, b) => Math.floor(a / b),
    [{ fixed: [5.3, -5.3, 2.2, -0.7, 7.9, 1.1] }, { fixed: [2.1, -1.9, 3.7] }],
    { prims: ["floor_divide"], order: 0 },
  ),
  binary(
    "divmod (quotient * y + remainder)",
    (x, y) => {
      const [q, r] = ad.divmod(x, y);
      return ad.add(ad.mul(q, y), r);
    },
    (a) => a,
    [{ fixed: [5.3, -5.3, 2.2, -0.7, 7.9, 1.1] }, { fixed: [2.1, -1.9, 3.7] }],
    { prims: ["floor_divide", "mod"] },
  ),
  // ldexp: e is an integer exponent (a constant argument).
  binary("ldexp", ad.ldexp, (a, b) => a * 2 ** b, ["real", { fixed: [3, -2, 0, 5, -1] }], {
    prims: ["exp2", "mul"],
    constArgs: [1],
  }),
  unary(
    "modf (fractional part)",
    (x) => ad.modf(x)[0],
    (v) => v - (v < 0 ? Math.ceil(v) : Math.floor(v)),
    [{ fixed: [2.25, -1.4, 0.7, -3.6, 5.1, -0.3] }],
    { prims: ["trunc", "sub"] },
  ),
  unary("rint", ad.rint, (v) => Math.round(v), [{ fixed: [0.3, 1.7, -2.2, 3.6, -0.4, 4.1] }], {
    prims: ["round"],
    order: 0,
  }),
  // sinc: the sin(pi x)/(pi x) branch, and the Taylor branch near 0 (its derivatives included).
  unary(
    "sinc",
    ad.sinc,
    (v) => (v === 0 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v)),
    [{ fixed: [0.3, -1.7, 2.2, 0.55, -0.4, 1.25] }],
    { prims: ["sin", "div", "select"] },
  ),
  unary(
    "sinc near 0 (Taylor branch)",
    ad.sinc,
    (v) => 1 - (Math.PI * v) ** 2 / 6 + (Math.PI * v) ** 4 / 120,
    [{ fixed: [0, 2e-4, -3e-4, 5e-4, -1e-4, 7e-4] }],
    { prims: ["select", "mul", "add"] },
  ),
  unary(
    "frexp (mantissa)",
    (x) => ad.frexp(x)[0],
    (v) => v / 2 ** (Math.floor(Math.log2(Math.abs(v))) + 1),
    [{ fixed: [3, -0.3, 5.5, 0.7, -12.5, 100.25] }],
    { prims: ["log2", "exp2", "div"] },
  ),
];
