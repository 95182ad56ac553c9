/**
 * @file Op specs of NumPy's statistics, nan-reductions, sequences and logic (see
 * test/harness/spec.ts for the format). References are plain float64 loops over the lines of an
 * axis; nan-reductions draw fixed inputs with NaN in every row, so their zero derivative at NaN
 * is checked against finite differences (a perturbed NaN is still NaN).
 */

import * as ad from "../../src/index.js";
import type { Nd } from "../harness/nd.js";
import * as nd from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";

/** bincount of x with weights w into 6 bins, in plain JS. */
const weightedCounts6 = (x: Nd, w: Nd): Nd => {
  const out = new Array<number>(6).fill(0);
  arr(x).forEach((v, i) => {
    out[v]! += w.data[i]!;
  });
  return vec(out);
};

/**
 * Applies `fn` to every 1-d line of x along `axis` (all of x, flattened, when axis is null); the
 * line's result replaces the axis (dropped when `fn` gives a single number and `drop`).
 */
function lines(
  x: Nd,
  axis: number | null,
  fn: (row: number[]) => number[],
  drop = true,
  keepdims = false,
): Nd {
  if (axis === null) {
    const out = fn(Array.from(x.data));
    const shape = keepdims ? x.shape.map(() => 1) : drop && out.length === 1 ? [] : [out.length];
    return { shape, data: Float64Array.from(out) };
  }
  const a = axis < 0 ? axis + x.shape.length : axis;
  const lineShape = x.shape.map((n, d) => (d === a ? 1 : n));
  const results: number[][] = [];
  const st = nd.strides(x.shape);
  for (let l = 0; l < nd.size(lineShape); l++) {
    const idx = nd.unravel(l, lineShape);
    const base = idx.reduce((acc, v, d) => acc + v * st[d]!, 0);
    results.push(fn(Array.from({ length: x.shape[a]! }, (_, k) => x.data[base + k * st[a]!]!)));
  }
  const m = results[0]?.length ?? 0;
  const fullShape = x.shape.map((n, d) => (d === a ? m : n));
  const out = new Float64Array(nd.size(fullShape));
  const ost = nd.strides(fullShape);
  results.forEach((r, l) => {
    const idx = nd.unravel(l, lineShape);
    const base = idx.reduce((acc, v, d) => acc + v * ost[d]!, 0);
    r.forEach((v, k) => {
      out[base + k * ost[a]!] = v;
    });
  });
  const shape = drop && m === 1 && !keepdims ? fullShape.filter((_, d) => d !== a) : fullShape;
  return { shape, data: out };
}

const vec = (data: number[]): Nd => ({ shape: [data.length], data: Float64Array.from(data) });
const arr = (x: Nd) => Array.from(x.data);
const sumOf = (r: number[]) => r.reduce((s, v) => s + v, 0);
const meanOf = (r: number[]) => sumOf(r) / r.length;
const numbers = (r: number[]) => r.filter((v) => !Number.isNaN(v));
const sorted = (r: number[]) => [...r].sort((a, b) => a - b);

/** NumPy's quantile of one line, method "linear" and the others. */
function quantileRef(row: number[], q: number, method = "linear"): number {
  if (row.some(Number.isNaN)) return Number.NaN;
  const s = sorted(row);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  switch (method) {
    case "lower":
      return s[lo]!;
    case "higher":
      return s[hi]!;
    case "midpoint":
      return (s[lo]! + s[hi]!) / 2;
    case "nearest": {
      const r = pos - lo === 0.5 ? (lo % 2 === 0 ? lo : hi) : Math.round(pos);
      return s[r]!;
    }
    default:
      return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
  }
}

/** Covariance of the rows of a 2-d Nd, divisor n - ddof. */
function covRef(x: Nd, ddof = 1): Nd {
  const [k, n] = x.shape as [number, number];
  const rows = Array.from({ length: k }, (_, i) => Array.from(x.data.slice(i * n, (i + 1) * n)));
  const means = rows.map(meanOf);
  const data = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += (rows[i]![t]! - means[i]!) * (rows[j]![t]! - means[j]!);
      data[i * k + j] = s / (n - ddof);
    }
  return { shape: [k, k], data };
}

/** NumPy's weighted covariance of the rows of x: f repeat counts, a importance weights. */
function weightedCovRef(x: Nd, f: number[], a: number[], ddof: number): Nd {
  const [k, n] = x.shape as [number, number];
  const w = f.map((v, t) => v * a[t]!);
  const ws = sumOf(w);
  const rows = Array.from({ length: k }, (_, i) => Array.from(x.data.slice(i * n, (i + 1) * n)));
  const means = rows.map((r) => sumOf(r.map((v, t) => v * w[t]!)) / ws);
  const fact = ws - (ddof * sumOf(w.map((v, t) => v * a[t]!))) / ws;
  const data = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < n; t++)
        s += w[t]! * (rows[i]![t]! - means[i]!) * (rows[j]![t]! - means[j]!);
      data[i * k + j] = s / fact;
    }
  return { shape: [k, k], data };
}

function transpose2(x: Nd): Nd {
  const [r, c] = x.shape as [number, number];
  const data = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = x.data[i * c + j]!;
  return { shape: [c, r], data };
}

function concatRows(a: Nd, b: Nd): Nd {
  return {
    shape: [a.shape[0]! + b.shape[0]!, a.shape[1]!],
    data: Float64Array.from([...a.data, ...b.data]),
  };
}

// Fixed inputs with a NaN in every row of a [3, 4] array (and distinct numbers elsewhere).
const WITH_NAN = [
  0.7,
  Number.NaN,
  -1.3,
  1.9,
  0.4,
  Number.NaN,
  -0.6,
  1.1,
  0.2,
  -1.8,
  1.5,
  Number.NaN,
];
const WITH_INF = [0.5, Number.POSITIVE_INFINITY, -1, Number.NEGATIVE_INFINITY, Number.NaN, 2];
const bool = (v: boolean) => (v ? 1 : 0);

const statisticsSpecs: OpSpec[] = [
  {
    name: "average",
    prims: ["reduce_sum"],
    fn: (x) => ad.average(x, { axis: 1 }),
    shapes: [[[2, 3]]],
    ref: (x) => lines(x, 1, (r) => [meanOf(r)]),
  },
  {
    name: "average weights 1-d",
    prims: ["reduce_sum", "mul"],
    fn: (x, w) => ad.average(x, { axis: 1, weights: w }),
    shapes: [[[2, 3], [3]]],
    domains: ["real", "positive"],
    ref: (x, w) =>
      lines(x, 1, (r) => [sumOf(r.map((v, i) => v * w.data[i]!)) / sumOf(Array.from(w.data))]),
  },
  {
    name: "average weights per-element",
    prims: ["reduce_sum", "mul"],
    fn: (x, w) => ad.average(x, { weights: w }),
    shapes: [
      [[4], [4]],
      [
        [2, 3],
        [2, 3],
      ],
    ],
    domains: ["real", "positive"],
    ref: (x, w) => ({
      shape: [],
      data: Float64Array.of(
        sumOf(Array.from(x.data, (v, i) => v * w.data[i]!)) / sumOf(Array.from(w.data)),
      ),
    }),
  },
  {
    name: "ptp",
    prims: ["reduce_max", "reduce_min"],
    fn: (x) => ad.ptp(x, { axis: -1 }),
    shapes: [[[5]], [[2, 4]]],
    domains: ["distinct"],
    ref: (x) => lines(x, -1, (r) => [Math.max(...r) - Math.min(...r)]),
  },
  {
    name: "cov",
    prims: ["matmul"],
    fn: (x) => ad.cov(x),
    shapes: [[[3, 5]], [[2, 4]]],
    ref: (x) => covRef(x),
  },
  {
    name: "cov 1-d",
    prims: ["matmul"],
    fn: (x) => ad.cov(x, null, { ddof: 0 }),
    shapes: [[[5]]],
    ref: (x) => {
      const c = covRef({ shape: [1, x.data.length], data: x.data }, 0);
      return { shape: [], data: c.data };
    },
  },
  {
    name: "cov y rowvar false",
    prims: ["matmul"],
    fn: (x, y) => ad.cov(x, y, { rowvar: false, bias: true }),
    shapes: [
      [
        [5, 2],
        [5, 1],
      ],
    ],
    ref: (x, y) => covRef(concatRows(transpose2(x), transpose2(y)), 0),
  },
  {
    name: "cov weighted",
    prims: ["matmul"],
    fn: (x, a, f) => ad.cov(x, null, { aweights: a, fweights: f }),
    shapes: [[[2, 5], [5], [5]]],
    domains: ["real", "positive", { int: [1, 4] }],
    constArgs: [2],
    ref: (x, a, f) => weightedCovRef(x, arr(f), arr(a), 1),
  },
  {
    name: "corrcoef",
    prims: ["matmul", "sqrt"],
    fn: (x) => ad.corrcoef(x),
    shapes: [[[3, 5]]],
    // Off the diagonal only: the clipped diagonal is constant 1, with derivative 0.
    ref: (x) => {
      const c = covRef(x);
      const k = c.shape[0]!;
      const data = c.data.map((v, i) => {
        const r = Math.floor(i / k);
        const col = i % k;
        return Math.min(
          1,
          Math.max(-1, v / Math.sqrt(c.data[r * k + r]! * c.data[col * k + col]!)),
        );
      });
      return { shape: c.shape, data };
    },
    atol: 1e-5,
  },
  {
    name: "median",
    prims: ["argsort", "gather"],
    fn: (x) => ad.median(x),
    shapes: [[[5]], [[6]], [[2, 3]]],
    domains: ["distinct"],
    ref: (x) => lines(x, null, (r) => [quantileRef(r, 0.5)]),
  },
  {
    name: "median axis",
    prims: ["argsort", "gather"],
    fn: (x) => ad.median(x, { axis: 0, keepdims: true }),
    shapes: [[[4, 3]]],
    domains: ["distinct"],
    ref: (x) => lines(x, 0, (r) => [quantileRef(r, 0.5)], true, true),
  },
  ...(["linear", "lower", "higher", "midpoint", "nearest"] as const).map(
    (method): OpSpec => ({
      name: `quantile ${method}`,
      prims: ["argsort", "gather"],
      fn: (x) => ad.quantile(x, [0.1, 0.5, 0.625, 1], { axis: 1, method }),
      shapes: [[[2, 5]], [[3, 9]]],
      domains: ["distinct"],
      ref: (x) => {
        const r = lines(
          x,
          1,
          (row) => [0.1, 0.5, 0.625, 1].map((q) => quantileRef(row, q, method)),
          false,
        );
        return transpose2(r);
      },
    }),
  ),
  {
    name: "percentile",
    prims: ["argsort", "gather"],
    fn: (x) => ad.percentile(x, 30),
    shapes: [[[7]], [[2, 4]]],
    domains: ["distinct"],
    ref: (x) => lines(x, null, (r) => [quantileRef(r, 0.3)]),
  },
];

const nanReduce = (fn: (r: number[]) => number) => (x: Nd) => lines(x, 1, (r) => [fn(numbers(r))]);
const varOf = (r: number[], ddof = 0) => {
  const m = meanOf(r);
  return sumOf(r.map((v) => (v - m) ** 2)) / (r.length - ddof);
};

function nanSpec(name: string, prims: string[], fn: OpSpec["fn"], ref: OpSpec["ref"]): OpSpec {
  return {
    name,
    prims,
    fn,
    shapes: [[[3, 4]]],
    domains: [{ fixed: WITH_NAN }],
    ...(ref ? { ref } : {}),
  };
}

const nanSpecs: OpSpec[] = [
  nanSpec("nansum", ["reduce_sum", "select"], (x) => ad.nansum(x, { axis: 1 }), nanReduce(sumOf)),
  nanSpec(
    "nanprod",
    ["reduce_prod", "select"],
    (x) => ad.nanprod(x, { axis: 1 }),
    nanReduce((r) => r.reduce((p, v) => p * v, 1)),
  ),
  nanSpec(
    "nanmean",
    ["reduce_sum", "select"],
    (x) => ad.nanmean(x, { axis: 1 }),
    nanReduce(meanOf),
  ),
  nanSpec(
    "nanmean flattened",
    ["reduce_sum"],
    (x) => ad.nanmean(x),
    (x) => ({
      shape: [],
      data: Float64Array.of(meanOf(numbers(Array.from(x.data)))),
    }),
  ),
  nanSpec(
    "nanvar",
    ["reduce_sum"],
    (x) => ad.nanvar(x, { axis: 1, ddof: 1 }),
    nanReduce((r) => varOf(r, 1)),
  ),
  nanSpec(
    "nanstd",
    ["sqrt"],
    (x) => ad.nanstd(x, { axis: 1 }),
    nanReduce((r) => Math.sqrt(varOf(r))),
  ),
  nanSpec(
    "nanmax",
    ["reduce_max"],
    (x) => ad.nanmax(x, { axis: 1 }),
    nanReduce((r) => Math.max(...r)),
  ),
  nanSpec(
    "nanmin",
    ["reduce_min"],
    (x) => ad.nanmin(x, { axis: 1 }),
    nanReduce((r) => Math.min(...r)),
  ),
  {
    ...nanSpec(
      "nanargmax",
      ["argmax"],
      (x) => ad.nanargmax(x, { axis: 1 }),
      (x) =>
        lines(x, 1, (r) => {
          const n = numbers(r);
          return [n.length === 0 ? -1 : r.indexOf(Math.max(...n))];
        }),
    ),
    order: 0,
    outDType: "int32",
  },
  {
    ...nanSpec(
      "nanargmin",
      ["argmin"],
      (x) => ad.nanargmin(x),
      (x) => {
        const r = Array.from(x.data);
        return { shape: [], data: Float64Array.of(r.indexOf(Math.min(...numbers(r)))) };
      },
    ),
    order: 0,
    outDType: "int32",
  },
  nanSpec(
    "nancumsum",
    ["cumsum"],
    (x) => ad.nancumsum(x, { axis: 1 }),
    (x) =>
      lines(
        x,
        1,
        (r) => {
          let s = 0;
          return r.map((v) => (s += Number.isNaN(v) ? 0 : v));
        },
        false,
      ),
  ),
  nanSpec(
    "nancumprod",
    ["mul"],
    (x) => ad.nancumprod(x),
    (x) => {
      let p = 1;
      return { shape: [x.data.length], data: x.data.map((v) => (p *= Number.isNaN(v) ? 1 : v)) };
    },
  ),
  ...(["linear", "lower", "higher", "midpoint", "nearest"] as const).map(
    (method): OpSpec => ({
      name: `nanquantile ${method}`,
      prims: ["argsort", "select"],
      fn: (x) => ad.nanquantile(x, [0.2, 0.5, 0.9], { axis: 1, method }),
      shapes: [[[3, 4]]],
      domains: [{ fixed: WITH_NAN }],
      ref: (x) =>
        transpose2(
          lines(x, 1, (r) => [0.2, 0.5, 0.9].map((q) => quantileRef(numbers(r), q, method)), false),
        ),
    }),
  ),
  nanSpec(
    "nanmedian",
    ["argsort"],
    (x) => ad.nanmedian(x, { axis: 0, keepdims: true }),
    (x) => lines(x, 0, (r) => [quantileRef(numbers(r), 0.5)], true, true),
  ),
  nanSpec(
    "nanpercentile",
    ["argsort"],
    (x) => ad.nanpercentile(x, 35),
    (x) => ({
      shape: [],
      data: Float64Array.of(quantileRef(numbers(Array.from(x.data)), 0.35)),
    }),
  ),
];

const logicSpecs: OpSpec[] = [
  {
    name: "all",
    prims: ["reduce_sum"],
    fn: (x) => ad.all(x, { axis: 1 }),
    shapes: [[[3, 4]]],
    domains: [{ fixed: [1, 2, 0, 3, 1, 1, 1, 1, 0, 0, 0, 0] }],
    ref: (x) => lines(x, 1, (r) => [bool(r.every((v) => v !== 0))]),
    order: 0,
    outDType: "bool",
  },
  {
    name: "any",
    prims: ["reduce_sum"],
    fn: (x) => ad.any(x),
    shapes: [[[3]], [[2, 2]]],
    domains: [{ int: [0, 2] }],
    ref: (x) => ({ shape: [], data: Float64Array.of(bool(x.data.some((v) => v !== 0))) }),
    order: 0,
    outDType: "bool",
    noFloat32: true,
  },
  {
    name: "countNonzero",
    prims: ["reduce_sum"],
    fn: (x) => ad.countNonzero(x, { axis: 0 }),
    shapes: [[[4, 3]]],
    domains: [{ int: [-1, 2] }],
    ref: (x) => lines(x, 0, (r) => [r.filter((v) => v !== 0).length]),
    order: 0,
    outDType: "int32",
    noFloat32: true,
  },
  {
    name: "logicalXor",
    prims: ["not_equal"],
    fn: (x, y) => ad.logicalXor(x, y),
    shapes: [
      [[4], [4]],
      [[2, 3], [3]],
    ],
    domains: [{ int: [0, 2] }, { int: [0, 2] }],
    elementwise: (a, b) => bool((a !== 0) !== (b !== 0)),
    order: 0,
    outDType: "bool",
    noFloat32: true,
  },
  ...(
    [
      ["isinf", ad.isinf, (v: number) => bool(v === Infinity || v === -Infinity)],
      ["isposinf", ad.isposinf, (v: number) => bool(v === Infinity)],
      ["isneginf", ad.isneginf, (v: number) => bool(v === -Infinity)],
    ] as const
  ).map(
    ([name, fn, ref]): OpSpec => ({
      name,
      prims: ["is_finite"],
      fn,
      shapes: [[[6]], [[2, 3]]],
      domains: [{ fixed: WITH_INF }],
      elementwise: ref,
      order: 0,
      outDType: "bool",
    }),
  ),
  {
    name: "isclose",
    prims: ["less_equal"],
    fn: (x, y) => ad.isclose(x, ad.add(x, y), { rtol: 0.01, atol: 0.05 }),
    shapes: [
      [[5], [5]],
      [[2, 3], [3]],
    ],
    domains: ["real", { fixed: [0.001, 0.2, -0.003, 0.08, -0.5, 0.04] }],
    ref: (x, y) => nd.map((a, d) => bool(Math.abs(d) <= 0.05 + 0.01 * Math.abs(a + d)), x, y),
    order: 0,
    outDType: "bool",
  },
  {
    name: "allclose",
    prims: ["less_equal", "reduce_sum"],
    fn: (x, y) => ad.allclose(x, y, { atol: 1 }),
    shapes: [[[4], [4]]],
    ref: (x, y) => ({
      shape: [],
      data: Float64Array.of(
        bool(
          Array.from(x.data).every(
            (a, i) => Math.abs(a - y.data[i]!) <= 1 + 1e-5 * Math.abs(y.data[i]!),
          ),
        ),
      ),
    }),
    order: 0,
    outDType: "bool",
  },
  {
    name: "arrayEqual",
    prims: ["equal"],
    fn: (x, y) => ad.arrayEqual(ad.round(x), ad.round(y)),
    shapes: [[[3], [3]]],
    domains: [{ fixed: [1, 2, 3] }, { fixed: [1, 2, 3.1] }],
    ref: () => ({ shape: [], data: Float64Array.of(1) }),
    order: 0,
    outDType: "bool",
  },
  {
    name: "arrayEquiv",
    prims: ["equal"],
    fn: (x, y) => ad.arrayEquiv(x, y),
    shapes: [[[2, 3], [3]]],
    domains: [{ fixed: [1, 2, 3] }, { fixed: [1, 2, 3] }],
    ref: () => ({ shape: [], data: Float64Array.of(1) }),
    order: 0,
    outDType: "bool",
  },
  {
    name: "isin",
    prims: ["equal"],
    fn: (x, y) => ad.isin(x, y),
    shapes: [[[2, 3], [4]]],
    domains: [{ int: [0, 6] }, { int: [0, 6] }],
    ref: (x, y) => nd.map((a) => bool(Array.from(y.data).includes(a)), x),
    order: 0,
    outDType: "bool",
    noFloat32: true,
  },
  {
    name: "piecewise",
    prims: ["select"],
    fn: (x) =>
      ad.piecewise(
        x,
        [ad.less(x, 0), ad.greater(x, 1), ad.greater(x, 1.5)],
        [(t) => ad.neg(t), (t) => ad.mul(t, t), 2, (t) => ad.mul(t, 3)],
      ),
    shapes: [[[6]], [[2, 3]]],
    domains: [{ fixed: [-1.3, 0.4, 1.2, 1.7, -0.2, 0.8] }],
    elementwise: (v) => (v > 1.5 ? 2 : v > 1 ? v * v : v < 0 ? -v : 3 * v),
  },
  {
    name: "select",
    prims: ["select"],
    fn: (x, a, b) => ad.select([ad.less(x, 0), ad.greater(x, 1)], [a, b], ad.mul(a, b)),
    shapes: [
      [[6], [6], [6]],
      [[2, 3], [3], [2, 1]],
    ],
    domains: [{ fixed: [-1.5, 0.5, 1.7, -0.3, 0.2, 1.4] }, "real", "real"],
    constArgs: [0],
    elementwise: (x, a, b) => (x < 0 ? a : x > 1 ? b : a * b),
  },
];

/** NumPy's correlate of 1-d a and v by loops: swap to put the shorter second, then reverse. */
function correlateRef(a0: number[], v0: number[], mode: string): number[] {
  const swap = a0.length < v0.length;
  const [a, v] = swap ? [v0, a0] : [a0, v0];
  const m = v.length;
  const left = mode === "valid" ? 0 : mode === "full" ? m - 1 : Math.floor(m / 2);
  const len = mode === "valid" ? a.length - m + 1 : mode === "full" ? a.length + m - 1 : a.length;
  const out = Array.from({ length: len }, (_, k) => {
    let s = 0;
    for (let j = 0; j < m; j++) {
      const i = k - left + j;
      if (i >= 0 && i < a.length) s += a[i]! * v[j]!;
    }
    return s;
  });
  return swap ? out.reverse() : out;
}

/** NumPy's convolve by its definition: the full sum over i of a[i] v[k - i], then the mode's window. */
function convolveRef(a: number[], v: number[], mode: string): number[] {
  const full = Array.from({ length: a.length + v.length - 1 }, (_, k) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) if (k - i >= 0 && k - i < v.length) s += a[i]! * v[k - i]!;
    return s;
  });
  const long = Math.max(a.length, v.length);
  const short = Math.min(a.length, v.length);
  if (mode === "full") return full;
  if (mode === "valid") return full.slice(short - 1, long);
  const start = short - 1 - Math.floor(short / 2);
  return full.slice(start, start + long);
}

const diffRow = (r: number[]) => r.slice(1).map((v, i) => v - r[i]!);
const CONV_SHAPES = [
  [[5], [3]],
  [[4], [4]],
  [[3], [6]],
  [[6], [2]],
] as const;

/** NumPy's gradient of one line at coordinates xs (second order inside, order `edge` at the ends). */
function gradientRow(f: number[], xs: number[], edge: 1 | 2): number[] {
  const n = f.length;
  const h = xs.slice(1).map((v, i) => v - xs[i]!);
  const out = new Array<number>(n);
  for (let i = 1; i < n - 1; i++) {
    const [a, b] = [h[i - 1]!, h[i]!];
    out[i] =
      (-b / (a * (a + b))) * f[i - 1]! +
      ((b - a) / (a * b)) * f[i]! +
      (a / (b * (a + b))) * f[i + 1]!;
  }
  if (edge === 1) {
    out[0] = (f[1]! - f[0]!) / h[0]!;
    out[n - 1] = (f[n - 1]! - f[n - 2]!) / h[n - 2]!;
  } else {
    const [a, b] = [h[0]!, h[1]!];
    out[0] =
      (-(2 * a + b) / (a * (a + b))) * f[0]! +
      ((a + b) / (a * b)) * f[1]! -
      (a / (b * (a + b))) * f[2]!;
    const [c, d] = [h[n - 3]!, h[n - 2]!];
    out[n - 1] =
      (d / (c * (c + d))) * f[n - 3]! -
      ((c + d) / (c * d)) * f[n - 2]! +
      ((2 * d + c) / (d * (c + d))) * f[n - 1]!;
  }
  return out;
}
const grid = (n: number, h: number) => Array.from({ length: n }, (_, i) => i * h);

const sequenceSpecs: OpSpec[] = [
  {
    name: "diff",
    prims: ["sub", "slice"],
    fn: (x) => ad.diff(x),
    shapes: [[[5]], [[2, 4]]],
    ref: (x) => lines(x, -1, diffRow, false),
  },
  {
    name: "diff n=2 axis 0",
    prims: ["sub"],
    fn: (x) => ad.diff(x, { n: 2, axis: 0 }),
    shapes: [[[5, 2]]],
    ref: (x) => lines(x, 0, (r) => diffRow(diffRow(r)), false),
  },
  {
    name: "diff with edges",
    prims: ["concatenate"],
    fn: (x, a) => ad.diff(x, { prepend: 0.5, append: a }),
    shapes: [
      [
        [2, 3],
        [2, 2],
      ],
    ],
    ref: (x, a) => {
      const rows = [0, 1].map((r) => [
        0.5,
        ...arr(x).slice(3 * r, 3 * r + 3),
        ...arr(a).slice(2 * r, 2 * r + 2),
      ]);
      return { shape: [2, 5], data: Float64Array.from(rows.flatMap(diffRow)) };
    },
  },
  {
    name: "ediff1d",
    prims: ["sub"],
    fn: (x, b) => ad.ediff1d(x, { toBegin: b, toEnd: 7 }),
    shapes: [[[2, 3], [2]]],
    ref: (x, b) => vec([...arr(b), ...diffRow(arr(x)), 7]),
  },
  ...(["full", "same", "valid"] as const).flatMap((mode): OpSpec[] => [
    {
      name: `convolve ${mode}Mode`,
      prims: ["matmul"],
      fn: (a, v) => ad.convolve(a, v, mode),
      shapes: CONV_SHAPES,
      ref: (a, v) => vec(convolveRef(arr(a), arr(v), mode)),
    },
    {
      name: `correlate ${mode}Mode`,
      prims: ["matmul"],
      fn: (a, v) => ad.correlate(a, v, mode),
      shapes: CONV_SHAPES,
      ref: (a, v) => vec(correlateRef(arr(a), arr(v), mode)),
    },
  ]),
  {
    name: "gradient",
    prims: ["sub", "concatenate"],
    fn: (x) => ad.gradient(x, { axis: -1 }),
    shapes: [[[2]], [[5]], [[3, 4]]],
    ref: (x) => lines(x, -1, (r) => gradientRow(r, grid(r.length, 1), 1), false),
  },
  {
    name: "gradient spacing edgeOrder 2",
    prims: ["sub", "concatenate"],
    fn: (x) => ad.gradient(x, { axis: 0, spacing: 0.3, edgeOrder: 2 }),
    shapes: [[[3]], [[5, 2]]],
    ref: (x) => lines(x, 0, (r) => gradientRow(r, grid(r.length, 0.3), 2), false),
  },
  ...([1, 2] as const).map(
    (edge): OpSpec => ({
      name: `gradient coordinates edgeOrder ${edge}`,
      prims: ["sub", "div"],
      fn: (x, c) => ad.gradient(x, { axis: 1, spacing: [c], edgeOrder: edge }),
      shapes: [[[2, 5], [5]]],
      domains: ["real", { fixed: [0, 0.7, 1.5, 2.1, 3.4] }],
      ref: (x, c) => lines(x, 1, (r) => gradientRow(r, arr(c), edge), false),
    }),
  ),
  {
    name: "gradient every axis",
    prims: ["sub"],
    fn: (x) => ad.stack(ad.gradient(x, { spacing: [2, 0.5] }) as ad.Tensor[]),
    shapes: [[[3, 4]]],
    ref: (x) => {
      const g0 = lines(x, 0, (r) => gradientRow(r, grid(r.length, 2), 1), false);
      const g1 = lines(x, 1, (r) => gradientRow(r, grid(r.length, 0.5), 1), false);
      return { shape: [2, 3, 4], data: Float64Array.from([...g0.data, ...g1.data]) };
    },
  },
  {
    name: "trapezoid",
    prims: ["reduce_sum"],
    fn: (y) => ad.trapezoid(y, null, { dx: 0.3 }),
    shapes: [[[5]], [[3, 4]]],
    ref: (y) =>
      lines(y, -1, (r) => [0.3 * sumOf(diffRow(r).map((_, i) => (r[i]! + r[i + 1]!) / 2))]),
  },
  {
    name: "trapezoid x",
    prims: ["reduce_sum", "sub"],
    fn: (y, x) => ad.trapezoid(y, x, { axis: 0 }),
    shapes: [[[4, 2], [4]]],
    ref: (y, x) =>
      lines(y, 0, (r) => [sumOf(diffRow(arr(x)).map((d, i) => (d * (r[i]! + r[i + 1]!)) / 2))]),
  },
  {
    name: "cumulativeSum",
    prims: ["cumsum", "pad"],
    fn: (x) => ad.cumulativeSum(x, { axis: 1, includeInitial: true }),
    shapes: [[[2, 3]]],
    ref: (x) =>
      lines(
        x,
        1,
        (r) => {
          let s = 0;
          return [0, ...r.map((v) => (s += v))];
        },
        false,
      ),
  },
  {
    name: "cumulativeProd",
    prims: ["mul"],
    fn: (x) => ad.cumulativeProd(x),
    shapes: [[[5]]],
    ref: (x) => {
      let p = 1;
      return vec(arr(x).map((v) => (p *= v)));
    },
  },
  {
    name: "polyval",
    prims: ["mul", "add"],
    fn: (p, x) => ad.polyval(p, x),
    shapes: [
      [[4], [3]],
      [[1], [2, 2]],
      [[3], []],
    ],
    ref: (p, x) => nd.map((v) => arr(p).reduce((y, c) => y * v + c, 0), x),
  },
  {
    name: "polyadd",
    prims: ["add"],
    fn: (a, b) => ad.polyadd(a, b),
    shapes: [
      [[2], [4]],
      [[3], [3]],
    ],
    ref: (a, b) => {
      const n = Math.max(a.data.length, b.data.length);
      const at = (x: Nd, i: number) => x.data[i - (n - x.data.length)] ?? 0;
      return vec(Array.from({ length: n }, (_, i) => at(a, i) + at(b, i)));
    },
  },
  {
    name: "polysub",
    prims: ["sub"],
    fn: (a, b) => ad.polysub(a, b),
    shapes: [[[4], [2]]],
    ref: (a, b) => vec(arr(a).map((v, i) => v - (i >= 2 ? b.data[i - 2]! : 0))),
  },
  {
    name: "polymul",
    prims: ["matmul"],
    fn: (a, b) => ad.polymul(a, b),
    shapes: [
      [[3], [2]],
      [[2], [4]],
    ],
    ref: (a, b) => vec(convolveRef(arr(a), arr(b), "full")),
  },
  {
    name: "polyder",
    prims: ["mul"],
    fn: (p) => ad.polyder(p, 2),
    shapes: [[[5]], [[3]]],
    ref: (p) => {
      const n = p.data.length;
      return vec(
        arr(p)
          .slice(0, Math.max(n - 2, 0))
          .map((c, k) => c * (n - 1 - k) * (n - 2 - k)),
      );
    },
  },
  {
    name: "polyint",
    prims: ["div", "concatenate"],
    fn: (p) => ad.polyint(p, 2, [0.5, -1]),
    shapes: [[[1]], [[4]]],
    ref: (p) => {
      let c = arr(p);
      for (const k of [0.5, -1]) c = [...c.map((v, j) => v / (c.length - j)), k];
      return vec(c);
    },
  },
  {
    name: "polydiv",
    prims: ["div", "pad"],
    fn: (u, v) => ad.concat(ad.polydiv(u, v)),
    shapes: [
      [[5], [2]],
      [[4], [3]],
    ],
    domains: ["real", "nonzero"],
    ref: (u, v) => {
      // Schoolbook long division, remainder untrimmed.
      const r = arr(u);
      const d = arr(v);
      const q: number[] = [];
      for (let k = 0; k + d.length <= r.length; k++) {
        const c = r[k]! / d[0]!;
        q.push(c);
        d.forEach((dv, j) => {
          r[k + j]! -= c * dv;
        });
      }
      return vec([...q, ...r]);
    },
  },
  {
    name: "poly",
    prims: ["matmul"],
    fn: (r) => ad.poly(r),
    shapes: [[[1]], [[3]]],
    ref: (r) => {
      let c = [1];
      for (const root of arr(r)) c = [...c, 0].map((v, i) => v - root * (i > 0 ? c[i - 1]! : 0));
      return vec(c);
    },
  },
  {
    name: "polyfit",
    prims: ["svd"],
    fn: (x, y) => ad.polyfit(x, y, 2),
    shapes: [
      [[6], [6]],
      [[5], [5, 2]],
    ],
    domains: [{ fixed: [-1.5, -0.9, -0.2, 0.4, 1.1, 1.8] }, "real"],
    // Normal equations in plain float64: (V^T V) c = V^T y.
    ref: (x, y) => {
      const xs = arr(x);
      const k = y.shape.length === 1 ? 1 : y.shape[1]!;
      const V = xs.map((v) => [v * v, v, 1]);
      const A = [0, 1, 2].map((i) =>
        [0, 1, 2].map((j) => sumOf(V.map((row) => row[i]! * row[j]!))),
      );
      const out: number[][] = [];
      for (let col = 0; col < k; col++) {
        const b = [0, 1, 2].map((i) => sumOf(V.map((row, t) => row[i]! * y.data[t * k + col]!)));
        // Gaussian elimination on the 3x3 system.
        const M = A.map((row, i) => [...row, b[i]!]);
        for (let i = 0; i < 3; i++)
          for (let r = i + 1; r < 3; r++) {
            const f = M[r]![i]! / M[i]![i]!;
            for (let c = i; c < 4; c++) M[r]![c]! -= f * M[i]![c]!;
          }
        const c = [0, 0, 0];
        for (let i = 2; i >= 0; i--)
          c[i] =
            (M[i]![3]! - sumOf([i + 1, i + 2].filter((j) => j < 3).map((j) => M[i]![j]! * c[j]!))) /
            M[i]![i]!;
        out.push(c);
      }
      return k === 1 && y.shape.length === 1
        ? vec(out[0]!)
        : {
            shape: [3, k],
            data: Float64Array.from([0, 1, 2].flatMap((i) => out.map((c) => c[i]!))),
          };
    },
    atol: 1e-6,
    rtol: 1e-6,
  },
  {
    name: "unwrap",
    prims: ["cumsum", "stop_gradient"],
    fn: (x) => ad.unwrap(x),
    shapes: [[[6]], [[2, 6]]],
    // Jumps of about ±5 and ±1, far from the ±π threshold and the ±π boundary of the correction.
    domains: [{ fixed: [0.2, 5.1, 0.3, -4.8, -3.9, 1.2, 0.9, 2.1, -2.9, 1.8, 6.9, 5.5] }],
    ref: (x) =>
      lines(
        x,
        -1,
        (r) => {
          const out = [r[0]!];
          let shift = 0;
          for (let i = 1; i < r.length; i++) {
            let d = r[i]! - r[i - 1]!;
            while (d > Math.PI) {
              d -= 2 * Math.PI;
              shift -= 2 * Math.PI;
            }
            while (d < -Math.PI) {
              d += 2 * Math.PI;
              shift += 2 * Math.PI;
            }
            out.push(r[i]! + shift);
          }
          return out;
        },
        false,
      ),
  },
];

/** Windows take no tensor: each line scales x by the window, so values reach the table. */
const windowSpecs: OpSpec[] = (
  [
    ["hann", ad.hann, (n: number, l: number) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / l)],
    [
      "hamming",
      ad.hamming,
      (n: number, l: number) => 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / l),
    ],
    [
      "blackman",
      ad.blackman,
      (n: number, l: number) =>
        0.42 - 0.5 * Math.cos((2 * Math.PI * n) / l) + 0.08 * Math.cos((4 * Math.PI * n) / l),
    ],
    [
      "bartlett",
      ad.bartlett,
      (n: number, l: number) => (n <= l / 2 ? (2 * n) / l : 2 - (2 * n) / l),
    ],
  ] as const
).map(
  ([name, win, formula]): OpSpec => ({
    name,
    prims: ["mul"],
    fn: (x) => ad.mul(x, win(x.shape[0]!, x.dtype)),
    shapes: [[[7]], [[8]]],
    ref: (x) => vec(arr(x).map((v, i) => v * formula(i, x.data.length - 1))),
    atol: 1e-15,
  }),
);

/** Insertion index of v into ascending a by a linear scan ("left": first, "right": last). */
const insertAt = (a: number[], v: number, side: "left" | "right") =>
  a.filter((e) => (side === "left" ? e < v : e <= v)).length;

const XP = [-1.7, -0.6, 0.1, 0.9, 1.8];
const searchingSpecs: OpSpec[] = [
  ...(["left", "right"] as const).map(
    (side): OpSpec => ({
      name: `searchsorted ${side}`,
      prims: ["reduce_sum"],
      fn: (a, v) => ad.searchsorted(a, v, { side }),
      shapes: [[[5], [2, 3]]],
      domains: [{ fixed: [-1, 0, 0, 0.5, 1] }, { fixed: [0, -2, 0.7, 1, 3, 0.5] }],
      ref: (a, v) => nd.map((x) => insertAt(arr(a), x, side), v),
      order: 0,
      outDType: "int32",
    }),
  ),
  {
    name: "digitize",
    prims: ["select"],
    fn: (x, b) => ad.digitize(x, b, true),
    shapes: [[[6], [4]]],
    domains: [{ fixed: [0, -2, 0.7, 1, 3, 0.5] }, { fixed: [2, 1, 0.5, -1] }],
    // Descending bins with right = true: NumPy counts bins[i-1] > x >= bins[i] from the top.
    ref: (x, b) => nd.map((v) => arr(b).filter((e) => e >= v).length, x),
    order: 0,
    outDType: "int32",
  },
  {
    name: "interp",
    prims: ["gather", "select"],
    fn: (x, xp, fp) => ad.interp(x, xp, fp, { left: -5 }),
    shapes: [[[2, 3], [5], [5]]],
    domains: [{ fixed: [-1.2, 0.4, -0.3, 1.5, 1.95, -1.9] }, { fixed: XP }, "real"],
    ref: (x, xp, fp) =>
      nd.map((v) => {
        const p = arr(xp);
        const f = arr(fp);
        if (v < p[0]!) return -5;
        if (v > p[p.length - 1]!) return f[f.length - 1]!;
        const i = Math.min(Math.max(insertAt(p, v, "right"), 1), p.length - 1);
        return f[i - 1]! + ((f[i]! - f[i - 1]!) * (v - p[i - 1]!)) / (p[i]! - p[i - 1]!);
      }, x),
  },
  {
    name: "bincount weights",
    prims: ["scatter_add"],
    fn: (x, w) => ad.bincount(ad.astype(x, "int32"), { weights: w, minlength: 6 }),
    // The result's length is max(x) + 1 (a value); `length` makes it static (next spec).
    unstageable: "makeGraph: cannot read the value of a staged tensor",
    shapes: [[[5], [5]]],
    domains: [{ fixed: [1, 3, 1, 0, 4] }, "real"],
    constArgs: [0],
    ref: weightedCounts6,
  },
  {
    name: "bincount weights length",
    prims: ["scatter_add"],
    fn: (x, w) => ad.bincount(ad.astype(x, "int32"), { weights: w, length: 6 }),
    shapes: [[[5], [5]]],
    domains: [{ fixed: [1, 3, 1, 0, 4] }, "real"],
    constArgs: [0],
    ref: weightedCounts6,
  },
  {
    name: "histogram weights",
    prims: ["reduce_sum"],
    fn: (x, w) =>
      ad.histogram(x, { bins: ad.tensor([-2, -0.5, 0.5, 2], { dtype: x.dtype }), weights: w })[0],
    shapes: [[[6], [6]]],
    domains: [{ fixed: [-1.2, 0.4, -0.3, 1.5, 2, -3] }, "real"],
    constArgs: [0],
    ref: (x, w) => {
      const e = [-2, -0.5, 0.5, 2];
      const out = [0, 0, 0];
      arr(x).forEach((v, i) => {
        for (let k = 0; k < 3; k++) {
          if (v >= e[k]! && (v < e[k + 1]! || (k === 2 && v === e[3]))) out[k]! += w.data[i]!;
        }
      });
      return vec(out);
    },
  },
];

/** The flat positions of the non-zero entries, cut or filled to `size`. */
const hitPositions = (x: Nd, size: number, fill: number) => {
  const hits = arr(x).flatMap((v, i) => (v !== 0 ? [i] : []));
  return Array.from({ length: size }, (_, i) => (i < hits.length ? hits[i]! : fill));
};
const WITH_ZEROS = [0, 1.5, 0, -2, 0.7, 0];
const uniqueRef = (x: Nd, size: number, fill: number) => {
  const u = [...new Set(arr(x))].sort((a, b) => a - b);
  return vec(Array.from({ length: size }, (_, i) => (i < u.length ? u[i]! : fill)));
};

/** The value-dependent selections with a fixed `size`: tensor ops only, so vmap applies. */
const sizedSpecs: OpSpec[] = [
  {
    name: "flatnonzero sized",
    prims: ["scatter_add", "cumsum"],
    fn: (x) => ad.flatnonzero(x, { size: 4, fillValue: -1 }),
    shapes: [[[6]], [[2, 3]]],
    domains: [{ fixed: WITH_ZEROS }],
    ref: (x) => vec(hitPositions(x, 4, -1)),
    order: 0,
    outDType: "int32",
  },
  {
    name: "nonzero sized",
    prims: ["scatter_add"],
    fn: (x) => ad.stack(ad.nonzero(x, { size: 2, fillValue: 7 })),
    shapes: [[[2, 3]]],
    domains: [{ fixed: WITH_ZEROS }],
    ref: (x) => {
      const p = hitPositions(x, 2, -1);
      const rows = p.map((i) => (i < 0 ? 7 : Math.floor(i / 3)));
      const cols = p.map((i) => (i < 0 ? 7 : i % 3));
      return { shape: [2, 2], data: Float64Array.from([...rows, ...cols]) };
    },
    order: 0,
    outDType: "int32",
  },
  {
    name: "argwhere sized",
    prims: ["scatter_add"],
    fn: (x) => ad.argwhere(x, { size: 4 }),
    shapes: [[[3, 2]]],
    domains: [{ fixed: WITH_ZEROS }],
    ref: (x) => {
      const p = hitPositions(x, 4, -1);
      return {
        shape: [4, 2],
        data: Float64Array.from(p.flatMap((i) => (i < 0 ? [0, 0] : [Math.floor(i / 2), i % 2]))),
      };
    },
    order: 0,
    outDType: "int32",
  },
  {
    name: "extract sized",
    prims: ["gather", "scatter_add"],
    fn: (c, x) => ad.extract(ad.greater(c, 0), x, { size: 4, fillValue: 9 }),
    shapes: [
      [[6], [6]],
      [
        [2, 3],
        [3, 2],
      ],
    ],
    domains: [{ fixed: [-1, 0.5, 2, -0.3, 0.8, 1.1] }, "real"],
    constArgs: [0],
    ref: (c, x) => {
      const p = hitPositions(
        nd.map((v) => (v > 0 ? 1 : 0), c),
        4,
        -1,
      );
      return vec(p.map((i) => (i < 0 ? 9 : x.data[i]!)));
    },
  },
  {
    name: "unique sized",
    prims: ["argsort", "scatter_add"],
    fn: (x) => ad.unique(x, { size: 5, fillValue: -9 }),
    shapes: [[[6]], [[2, 4]]],
    domains: [{ fixed: [0.5, -1, 0.5, 2, -1, 0.5, 3, 1.25] }],
    ref: (x) => uniqueRef(x, 5, -9),
    order: 0,
  },
  {
    name: "unique sized distinct",
    prims: ["argsort", "scatter_add"],
    fn: (x) => ad.unique(x, { size: 5, fillValue: -9 }),
    shapes: [[[4]], [[2, 3]]],
    domains: ["distinct"],
    ref: (x) => uniqueRef(x, 5, -9),
  },
];

export const numpyStatsSpecs: OpSpec[] = [
  ...statisticsSpecs,
  ...nanSpecs,
  ...logicSpecs,
  ...sequenceSpecs,
  ...windowSpecs,
  ...searchingSpecs,
  ...sizedSpecs,
];
