/**
 * @file The op-spec table: one entry per op, with input domains, shape groups (broadcasting
 * included) and an independent float64 reference. test/ops.generated.test.ts turns every entry
 * into value, storage, finite-difference (orders 1 and 2, both modes) and fwd/rev agreement checks.
 */

import * as ad from "../../src/index.js";
import type { Nd } from "../harness/nd.js";
import * as nd from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";

const T = ad.Tensor;
void T;

// Shape groups for elementwise ops.
const UNARY_SHAPES = [[[]], [[5]], [[2, 3]]] as const;
const BINARY_SHAPES = [
  [[], []],
  [[4], [4]],
  [[2, 3], [3]], // broadcast a row
  [
    [2, 1],
    [1, 3],
  ], // outer broadcast
  [[3], []], // scalar operand
] as const;

function unary(
  name: string,
  prim: string,
  fn: (x: ad.Tensor) => ad.Tensor,
  ref: (v: number) => number,
  domain: OpSpec["domains"] extends readonly (infer D)[] | undefined ? D : never = "real",
  extra: Partial<OpSpec> = {},
): OpSpec {
  return {
    name,
    prims: [prim],
    fn,
    shapes: UNARY_SHAPES,
    domains: [domain],
    elementwise: ref,
    ...extra,
  };
}

function binary(
  name: string,
  prim: string,
  fn: (x: ad.Tensor, y: ad.Tensor) => ad.Tensor,
  ref: (a: number, b: number) => number,
  domains: OpSpec["domains"] = ["real", "real"],
  extra: Partial<OpSpec> = {},
): OpSpec {
  return { name, prims: [prim], fn, shapes: BINARY_SHAPES, domains, elementwise: ref, ...extra };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
const erfRef = (v: number) => {
  // Series / continued fraction in float64 is overkill: integrate exp(-t^2) by Simpson with many panels.
  const n = 2000;
  const h = v / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const t = i * h;
    const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    s += w * Math.exp(-t * t);
  }
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
};
const roundHalfEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
const npMod = (a: number, b: number) => {
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
};

// ---- reductions helpers -------------------------------------------------------------------------
const sumRef =
  (axes?: number[], keepdims = false) =>
  (x: Nd) =>
    nd.reduce(x, axes, 0, (a, v) => a + v, keepdims);
const prodRef = (axes?: number[]) => (x: Nd) => nd.reduce(x, axes, 1, (a, v) => a * v);
const maxRef = (axes?: number[]) => (x: Nd) => nd.reduce(x, axes, -Infinity, Math.max);
const minRef = (axes?: number[]) => (x: Nd) => nd.reduce(x, axes, Infinity, Math.min);

function softmaxRef(x: Nd, log: boolean): Nd {
  // Along the last axis.
  const n = x.shape[x.shape.length - 1]!;
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / n; r++) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) m = Math.max(m, x.data[r * n + i]!);
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x.data[r * n + i]! - m);
    for (let i = 0; i < n; i++) {
      const v = x.data[r * n + i]! - m;
      data[r * n + i] = log ? v - Math.log(s) : Math.exp(v) / s;
    }
  }
  return { shape: x.shape, data };
}

function transposeRef(x: Nd, perm: number[]): Nd {
  const shape = perm.map((p) => x.shape[p]!);
  return nd.gatherBy(x, shape, (idx) => {
    const src = new Array<number>(idx.length);
    perm.forEach((p, i) => {
      src[p] = idx[i]!;
    });
    return src;
  });
}

export const coreSpecs: OpSpec[] = [
  // ---- unary ------------------------------------------------------------------------------------
  unary("neg", "neg", ad.neg, (v) => -v),
  unary("abs", "abs", ad.abs, Math.abs, "nonzero"),
  unary("sign", "sign", ad.sign, Math.sign, "nonzero"),
  unary("exp", "exp", ad.exp, Math.exp),
  unary("log", "log", ad.log, Math.log, "positive"),
  unary("log1p", "log1p", ad.log1p, Math.log1p, "positive"),
  unary("expm1", "expm1", ad.expm1, Math.expm1),
  unary("sqrt", "sqrt", ad.sqrt, Math.sqrt, "positive"),
  unary("rsqrt", "rsqrt", ad.rsqrt, (v) => 1 / Math.sqrt(v), "positive"),
  unary("square", "square", ad.square, (v) => v * v),
  unary("reciprocal", "reciprocal", ad.reciprocal, (v) => 1 / v, "nonzero"),
  unary("sin", "sin", ad.sin, Math.sin),
  unary("cos", "cos", ad.cos, Math.cos),
  unary("tan", "tan", ad.tan, Math.tan, "unit"),
  unary("asin", "asin", ad.asin, Math.asin, "unit"),
  unary("acos", "acos", ad.acos, Math.acos, "unit"),
  unary("atan", "atan", ad.atan, Math.atan),
  unary("sinh", "sinh", ad.sinh, Math.sinh),
  unary("cosh", "cosh", ad.cosh, Math.cosh),
  unary("tanh", "tanh", ad.tanh, Math.tanh),
  unary("asinh", "asinh", ad.asinh, Math.asinh),
  unary("acosh", "acosh", ad.acosh, Math.acosh, "gt1"),
  unary("atanh", "atanh", ad.atanh, Math.atanh, "unit"),
  unary("erf", "erf", ad.erf, erfRef, "real", { atol: 1e-5 }),
  unary("sigmoid", "sigmoid", ad.sigmoid, sigmoid),
  unary("logSigmoid", "softplus", ad.logSigmoid, (v) => -softplus(-v)),
  unary("softplus", "softplus", ad.softplus, softplus),
  unary("relu", "relu", ad.relu, (v) => Math.max(v, 0), "nonzero"),
  unary(
    "gelu",
    "erf",
    (x) => ad.gelu(x),
    (v) => 0.5 * v * (1 + erfRef(v / Math.SQRT2)),
    "real",
    { atol: 1e-5 },
  ),
  unary(
    "gelu approximate",
    "tanh",
    (x) => ad.gelu(x, { approximate: true }),
    (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
  ),
  unary("floor", "floor", ad.floor, Math.floor, "nonzero", { order: 0 }),
  unary("ceil", "ceil", ad.ceil, Math.ceil, "nonzero", { order: 0 }),
  unary(
    "round",
    "round",
    ad.round,
    roundHalfEven,
    { fixed: [0.5, 1.5, 2.5, -0.5, -1.2, 3.7] },
    { order: 0 },
  ),
  // floor/ceil/round have zero derivative: checked as real derivatives at non-integer points.
  ...(
    [
      ["floor", ad.floor, Math.floor],
      ["ceil", ad.ceil, Math.ceil],
      ["round", ad.round, roundHalfEven],
    ] as const
  ).map(([name, fn, ref]) =>
    unary(
      `${name} (zero derivative)`,
      name,
      (x) => ad.mul(fn(x), x),
      (v) => ref(v) * v,
      {
        fixed: [0.25, 1.3, -0.7, 2.6, -1.45, 0.9],
      },
    ),
  ),
  // ---- binary -----------------------------------------------------------------------------------
  binary("add", "add", ad.add, (a, b) => a + b),
  binary("sub", "sub", ad.sub, (a, b) => a - b),
  binary("mul", "mul", ad.mul, (a, b) => a * b),
  binary("div", "div", ad.div, (a, b) => a / b, ["real", "nonzero"]),
  binary("pow", "pow", ad.pow, (a, b) => a ** b, ["positive", "real"]),
  binary("maximum", "max", ad.maximum, Math.max, ["distinct", "distinct"]),
  binary("minimum", "min", ad.minimum, Math.min, ["distinct", "distinct"]),
  binary("atan2", "atan2", ad.atan2, Math.atan2, ["nonzero", "nonzero"]),
  binary(
    "mod",
    "mod",
    ad.mod,
    npMod,
    [{ fixed: [5.3, -5.3, 2.2, -0.7, 7.9, 1.1] }, { fixed: [2.1, -1.9, 3.7] }],
    {
      // mod jumps where x/y is an integer; the fixed points stay away from jumps.
    },
  ),
  // ---- comparison and logic (values only) -------------------------------------------------------
  ...(
    [
      ["equal", "equal", ad.equal, (a: number, b: number) => +(a === b)],
      ["notEqual", "not_equal", ad.notEqual, (a: number, b: number) => +(a !== b)],
      ["less", "less", ad.less, (a: number, b: number) => +(a < b)],
      ["lessEqual", "less_equal", ad.lessEqual, (a: number, b: number) => +(a <= b)],
      ["greater", "greater", ad.greater, (a: number, b: number) => +(a > b)],
      ["greaterEqual", "greater_equal", ad.greaterEqual, (a: number, b: number) => +(a >= b)],
    ] as const
  ).map(([name, prim, fn, ref]) =>
    binary(name, prim, fn, ref, [{ fixed: [1, 2, 3, 2] }, { fixed: [2, 2, 1] }], {
      order: 0,
      outDType: "bool",
    }),
  ),
  binary(
    "logicalAnd",
    "logical_and",
    (a, b) => ad.logicalAnd(ad.greater(a, 0), ad.greater(b, 0)),
    (a, b) => +(a > 0 && b > 0),
    ["nonzero", "nonzero"],
    { order: 0, outDType: "bool", prims: ["logical_and", "greater"] },
  ),
  binary(
    "logicalOr",
    "logical_or",
    (a, b) => ad.logicalOr(ad.greater(a, 0), ad.greater(b, 0)),
    (a, b) => +(a > 0 || b > 0),
    ["nonzero", "nonzero"],
    { order: 0, outDType: "bool" },
  ),
  unary(
    "logicalNot",
    "logical_not",
    (x) => ad.logicalNot(ad.greater(x, 0)),
    (v) => +!(v > 0),
    "nonzero",
    {
      order: 0,
      outDType: "bool",
    },
  ),
  unary(
    "isNaN",
    "is_nan",
    (x) => ad.isNaN(ad.log(x)),
    (v) => +Number.isNaN(Math.log(v)),
    "real",
    {
      order: 0,
      outDType: "bool",
    },
  ),
  unary(
    "isFinite",
    "is_finite",
    (x) => ad.isFinite(ad.log(x)),
    (v) => +Number.isFinite(Math.log(v)),
    "real",
    {
      order: 0,
      outDType: "bool",
    },
  ),
  // ---- selection --------------------------------------------------------------------------------
  {
    name: "where",
    prims: ["select"],
    fn: (c, a, b) => ad.where(ad.greater(c, 0), a, b),
    shapes: [
      [[4], [4], [4]],
      [[2, 3], [3], [2, 1]],
      [[], [3], [3]],
    ],
    domains: ["nonzero", "real", "real"],
    constArgs: [0],
    elementwise: (c, a, b) => (c > 0 ? a : b),
  },
  {
    name: "clip",
    prims: ["select"],
    fn: (x, lo, hi) => ad.clip(x, lo, hi),
    shapes: [
      [[6], [], []],
      [[2, 3], [3], [2, 1]],
    ],
    domains: [
      { fixed: [-1.7, -0.4, 0.3, 1.6, 0.9, -1.2] },
      { fixed: [-1, -0.9] },
      { fixed: [1, 0.8] },
    ],
    elementwise: (x, lo, hi) => Math.min(Math.max(x, lo), hi),
  },
  // ---- reductions -------------------------------------------------------------------------------
  {
    name: "sum",
    prims: ["reduce_sum"],
    fn: (x) => ad.sum(x),
    shapes: [[[]], [[5]], [[2, 3]]],
    ref: sumRef(),
  },
  {
    name: "sum axis=1 keepdims",
    prims: ["reduce_sum"],
    fn: (x) => ad.sum(x, { axis: 1, keepdims: true }),
    shapes: [[[2, 3]], [[2, 3, 4]]],
    ref: sumRef([1], true),
  },
  {
    name: "sum axes [0,2]",
    prims: ["reduce_sum"],
    fn: (x) => ad.sum(x, { axis: [0, -1] }),
    shapes: [[[2, 3, 4]]],
    ref: sumRef([0, 2]),
  },
  {
    name: "mean axis=-1",
    prims: ["reduce_sum"],
    fn: (x) => ad.mean(x, { axis: -1 }),
    shapes: [[[2, 3]], [[4]]],
    ref: (x) => {
      const s = sumRef([x.shape.length - 1])(x);
      return { shape: s.shape, data: s.data.map((v) => v / x.shape[x.shape.length - 1]!) };
    },
  },
  {
    name: "prod",
    prims: ["reduce_prod"],
    fn: (x) => ad.prod(x),
    shapes: [[[4]], [[2, 3]]],
    ref: prodRef(),
  },
  {
    name: "prod axis=0 with zeros",
    prims: ["reduce_prod"],
    fn: (x) => ad.prod(x, { axis: 0 }),
    shapes: [[[3, 2]]],
    domains: [{ fixed: [0, 1.5, 0.7, 0, -1.2, 0] }],
    ref: prodRef([0]),
  },
  {
    name: "max",
    prims: ["reduce_max"],
    fn: (x) => ad.max(x),
    shapes: [[[5]], [[2, 3]]],
    domains: ["distinct"],
    ref: maxRef(),
  },
  {
    name: "min axis=1",
    prims: ["reduce_min"],
    fn: (x) => ad.min(x, { axis: 1 }),
    shapes: [[[2, 3]]],
    domains: ["distinct"],
    ref: minRef([1]),
  },
  {
    name: "argmax",
    prims: ["argmax"],
    fn: (x) => ad.argmax(x, { axis: 1 }),
    shapes: [[[2, 4]]],
    domains: ["distinct"],
    order: 0,
    outDType: "int32",
    ref: (x) => {
      const n = x.shape[1]!;
      const data = new Float64Array(x.shape[0]!);
      for (let r = 0; r < data.length; r++) {
        let best = 0;
        for (let i = 1; i < n; i++) if (x.data[r * n + i]! > x.data[r * n + best]!) best = i;
        data[r] = best;
      }
      return { shape: [x.shape[0]!], data };
    },
  },
  {
    name: "argmin",
    prims: ["argmin"],
    fn: (x) => ad.argmin(x),
    shapes: [[[5]]],
    domains: ["distinct"],
    order: 0,
    outDType: "int32",
    ref: (x) => {
      let best = 0;
      for (let i = 1; i < x.data.length; i++) if (x.data[i]! < x.data[best]!) best = i;
      return { shape: [], data: Float64Array.of(best) };
    },
  },
  {
    name: "logsumexp",
    prims: ["reduce_max", "exp", "log"],
    fn: (x) => ad.logsumexp(x, { axis: -1 }),
    shapes: [[[4]], [[2, 3]]],
    ref: (x) => {
      const l = softmaxRef(x, true);
      const n = x.shape[x.shape.length - 1]!;
      const data = new Float64Array(x.data.length / n).map(
        (_, r) => x.data[r * n]! - l.data[r * n]!,
      );
      return { shape: x.shape.slice(0, -1), data };
    },
  },
  {
    name: "softmax",
    prims: ["exp"],
    fn: (x) => ad.softmax(x),
    shapes: [[[4]], [[2, 3]]],
    ref: (x) => softmaxRef(x, false),
  },
  {
    name: "logSoftmax",
    prims: ["exp"],
    fn: (x) => ad.logSoftmax(x),
    shapes: [[[4]], [[2, 3]]],
    ref: (x) => softmaxRef(x, true),
  },
  {
    name: "variance ddof=1",
    prims: ["reduce_sum"],
    fn: (x) => ad.variance(x, { axis: 0, ddof: 1 }),
    shapes: [[[4]], [[3, 2]]],
    ref: (x) => {
      const n = x.shape[0]!;
      const m = sumRef([0])(x);
      const out = new Float64Array(m.data.length);
      const cols = m.data.length;
      for (let c = 0; c < cols; c++) {
        const mu = m.data[c]! / n;
        let s = 0;
        for (let r = 0; r < n; r++) s += (x.data[r * cols + c]! - mu) ** 2;
        out[c] = s / (n - 1);
      }
      return { shape: m.shape, data: out };
    },
  },
  {
    name: "std",
    prims: ["sqrt"],
    fn: (x) => ad.std(x),
    shapes: [[[5]]],
    ref: (x) => {
      const mu = x.data.reduce((a, b) => a + b, 0) / x.data.length;
      const v = x.data.reduce((a, b) => a + (b - mu) ** 2, 0) / x.data.length;
      return { shape: [], data: Float64Array.of(Math.sqrt(v)) };
    },
  },
  {
    name: "norm",
    prims: ["sqrt"],
    fn: (x) => ad.norm(x),
    shapes: [[[5]], [[2, 3]]],
    ref: (x) => ({ shape: [], data: Float64Array.of(Math.hypot(...x.data)) }),
  },
  {
    name: "norm ord=1 axis=1",
    prims: ["abs"],
    fn: (x) => ad.norm(x, { ord: 1, axis: 1 }),
    shapes: [[[2, 3]]],
    domains: ["nonzero"],
    ref: (x) => sumRef([1])({ shape: x.shape, data: x.data.map(Math.abs) }),
  },
  {
    name: "norm ord=inf",
    prims: ["reduce_max"],
    fn: (x) => ad.norm(x, { ord: "inf" }),
    shapes: [[[5]]],
    domains: [{ fixed: [0.4, -1.7, 1.1, -0.6, 1.3] }],
    ref: (x) => ({ shape: [], data: Float64Array.of(Math.max(...x.data.map(Math.abs))) }),
  },
  {
    name: "cumsum axis=1",
    prims: ["cumsum"],
    fn: (x) => ad.cumsum(x, { axis: 1 }),
    shapes: [[[2, 4]]],
    ref: (x) => {
      const n = x.shape[1]!;
      const data = x.data.slice();
      for (let r = 0; r < x.shape[0]!; r++)
        for (let i = 1; i < n; i++) data[r * n + i]! += data[r * n + i - 1]!;
      return { shape: x.shape, data };
    },
  },
  {
    name: "cumprod",
    prims: ["mul"],
    fn: (x) => ad.cumprod(x, { axis: 0 }),
    shapes: [[[5]]],
    domains: [{ fixed: [1.2, -0.5, 0, 2, 0.7] }],
    ref: (x) => {
      const data = x.data.slice();
      for (let i = 1; i < data.length; i++) data[i]! *= data[i - 1]!;
      return { shape: x.shape, data };
    },
  },
  // ---- shape ------------------------------------------------------------------------------------
  {
    name: "reshape",
    prims: ["reshape"],
    fn: (x) => ad.reshape(x, [3, -1]),
    shapes: [[[2, 3]], [[6]]],
    ref: (x) => ({ shape: [3, 2], data: x.data }),
  },
  {
    name: "transpose",
    prims: ["transpose"],
    fn: (x) => ad.transpose(x, [1, 2, 0]),
    shapes: [[[2, 3, 4]]],
    ref: (x) => transposeRef(x, [1, 2, 0]),
  },
  {
    name: "transpose default",
    prims: ["transpose"],
    fn: (x) => ad.transpose(x),
    shapes: [[[2, 3]]],
    ref: (x) => transposeRef(x, [1, 0]),
  },
  {
    name: "swapAxes",
    prims: ["transpose"],
    fn: (x) => ad.swapAxes(x, 0, -1),
    shapes: [[[2, 3, 4]]],
    ref: (x) => transposeRef(x, [2, 1, 0]),
  },
  {
    name: "expandDims + squeeze",
    prims: ["reshape"],
    fn: (x) => ad.squeeze(ad.expandDims(ad.mul(x, x), 1), 1),
    shapes: [[[3, 2]]],
    elementwise: (v) => v * v,
  },
  {
    name: "squeeze (size-1 axes of x*x)",
    prims: ["reshape"],
    fn: (x) => ad.squeeze(ad.mul(x, x)),
    shapes: [[[3, 1, 2, 1]]],
    ref: (x) => ({ shape: [3, 2], data: x.data.map((v) => v * v) }),
  },
  {
    name: "flatten",
    prims: ["reshape"],
    fn: (x) => ad.flatten(x),
    shapes: [[[2, 3]]],
    ref: (x) => ({ shape: [6], data: x.data }),
  },
  {
    name: "broadcastTo",
    prims: ["broadcast_to"],
    fn: (x) => ad.broadcastTo(x, [2, 3, 4]),
    shapes: [[[3, 1]], [[4]], [[]]],
    ref: (x) => nd.map((v) => v, x, { shape: [2, 3, 4], data: new Float64Array(24) }),
  },
  {
    name: "concat axis=1",
    prims: ["concatenate"],
    fn: (a, b) => ad.concat([a, b], 1),
    shapes: [
      [
        [2, 1],
        [2, 3],
      ],
    ],
    ref: (a, b) =>
      nd.gatherBy(a, [2, 4], (idx) => idx).data && {
        shape: [2, 4],
        data: Float64Array.from(
          [0, 1].flatMap((r) => [a.data[r]!, ...b.data.slice(r * 3, r * 3 + 3)]),
        ),
      },
  },
  {
    name: "stack axis=1",
    prims: ["concatenate"],
    fn: (a, b) => ad.stack([a, b], 1),
    shapes: [[[3], [3]]],
    ref: (a, b) => ({
      shape: [3, 2],
      data: Float64Array.from([0, 1, 2].flatMap((i) => [a.data[i]!, b.data[i]!])),
    }),
  },
  {
    name: "split sizes [1,2]",
    prims: ["slice"],
    fn: (x) => ad.mul(ad.split(x, [1, 2], 1)[1]!, 2),
    shapes: [[[2, 3]]],
    ref: (x) =>
      nd.gatherBy({ shape: x.shape, data: x.data.map((v) => 2 * v) }, [2, 2], ([r, c]) => [
        r!,
        c! + 1,
      ]),
  },
  {
    name: "unstack axis=1",
    prims: ["unstack", "transpose"],
    fn: (x) => ad.mul(ad.unstack(x, 1)[2]!, ad.unstack(x, 1)[0]!),
    shapes: [[[2, 3, 2]]],
    // x[:, 2, :] * x[:, 0, :] for x of shape [2, 3, 2]
    ref: (x) => ({
      shape: [2, 2],
      data: Float64Array.from(
        [0, 1].flatMap((a) => [0, 1].map((c) => x.data[a * 6 + 4 + c]! * x.data[a * 6 + c]!)),
      ),
    }),
  },
  {
    name: "slice",
    prims: ["slice"],
    fn: (x) => ad.slice(x, [1, -3], [2, 2]),
    shapes: [[[3, 4]]],
    ref: (x) => nd.gatherBy(x, [2, 2], ([r, c]) => [r! + 1, c! + 1]),
  },
  {
    name: "take axis=0 with duplicates",
    prims: ["gather"],
    fn: (x) => ad.take(x, ad.tensor([2, 0, 2, -1], { dtype: "int32" }), 0),
    shapes: [[[4, 2]]],
    ref: (x) => nd.gatherBy(x, [4, 2], ([i, c]) => [[2, 0, 2, 3][i!]!, c!]),
  },
  {
    name: "take flattened",
    prims: ["gather"],
    fn: (x) => ad.take(x, [5, 1, 1]),
    shapes: [[[2, 3]]],
    ref: (x) => ({ shape: [3], data: Float64Array.of(x.data[5]!, x.data[1]!, x.data[1]!) }),
  },
  {
    name: "scatterAdd",
    prims: ["scatter_add"],
    fn: (x, u) => ad.scatterAdd(x, ad.tensor([1, 3, 1], { dtype: "int32" }), u, 0),
    shapes: [
      [
        [4, 2],
        [3, 2],
      ],
    ],
    ref: (x, u) => {
      const data = x.data.slice();
      [1, 3, 1].forEach((row, k) => {
        data[row * 2]! += u.data[k * 2]!;
        data[row * 2 + 1]! += u.data[k * 2 + 1]!;
      });
      return { shape: x.shape, data };
    },
  },
  {
    name: "pad",
    prims: ["pad"],
    fn: (x) =>
      ad.pad(x, [
        [1, 0],
        [0, 2],
      ]),
    shapes: [[[2, 2]]],
    ref: (x) => nd.gatherBy(x, [3, 4], ([r, c]) => (r! >= 1 && c! < 2 ? [r! - 1, c!] : null)),
  },
  {
    name: "tile",
    prims: ["broadcast_to"],
    fn: (x) => ad.tile(x, [2, 1]),
    shapes: [[[2, 3]]],
    ref: (x) => nd.gatherBy(x, [4, 3], ([r, c]) => [r! % 2, c!]),
  },
  {
    name: "flip",
    prims: ["flip"],
    fn: (x) => ad.flip(x, 1),
    shapes: [[[2, 3]]],
    ref: (x) => nd.gatherBy(x, [2, 3], ([r, c]) => [r!, 2 - c!]),
  },
  {
    name: "astype float32 -> float64",
    prims: ["convert_element_type"],
    fn: (x) => ad.astype(ad.astype(x, "float32"), "float64"),
    shapes: [[[3]]],
    domains: [{ fixed: [0.5, 1.25, -2] }],
    elementwise: (v) => v,
    noFloat32: true,
    // The function is linear, but float32 rounding (~6e-8) swamps a tiny finite-difference step.
    eps: 1e-2,
    atol: 1e-4,
  },
  {
    name: "stopGradient",
    prims: ["stop_gradient"],
    fn: (x) => ad.mul(x, ad.stopGradient(x)),
    shapes: [[[3]]],
    elementwise: (v) => v * v,
    // d/dx [x * sg(x)] = sg(x): checked against this closed form in the semantics tests; finite
    // differences see the full derivative 2x, so only values are generated here.
    order: 0,
  },
  // ---- linear algebra ---------------------------------------------------------------------------
  {
    name: "matmul",
    prims: ["matmul"],
    fn: ad.matmul,
    shapes: [
      [
        [2, 3],
        [3, 4],
      ],
      [
        [2, 2, 3],
        [3, 2],
      ],
      [
        [1, 2, 3],
        [2, 3, 2],
      ],
    ],
    ref: nd.matmul,
  },
  {
    name: "matmul vector",
    prims: ["matmul"],
    fn: ad.matmul,
    shapes: [[[3], [3, 2]]],
    ref: (a, b) => {
      const m = nd.matmul({ shape: [1, 3], data: a.data }, b);
      return { shape: [2], data: m.data };
    },
  },
  {
    name: "dot",
    prims: ["matmul"],
    fn: ad.dot,
    shapes: [[[4], [4]]],
    ref: (a, b) => ({
      shape: [],
      data: Float64Array.of(a.data.reduce((s, v, i) => s + v * b.data[i]!, 0)),
    }),
  },
  {
    name: "outer",
    prims: ["mul"],
    fn: ad.outer,
    shapes: [[[3], [2]]],
    ref: (a, b) => ({
      shape: [3, 2],
      data: Float64Array.from([...a.data].flatMap((x) => [...b.data].map((y) => x * y))),
    }),
  },
];
