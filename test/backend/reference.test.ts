/** @file Tests of the reference backend's kernels against naive scalar definitions. */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Shape } from "../../src/backend/backend.js";
import { erf } from "../../src/backend/reference/erf.js";
import { referenceBackend as B } from "../../src/backend/reference/index.js";
import { mulberry32 } from "../harness/mulberry32.js";

// ---------------------------------------------------------------------------------------------
// Naive helpers: multi-indices, flat offsets, seeded data, and a NaN-aware comparison.

function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Every multi-index of `shape` in row-major order. */
function allIndices(shape: Shape): number[][] {
  const out: number[][] = [];
  const n = size(shape);
  for (let f = 0; f < n; f++) {
    const idx = new Array<number>(shape.length);
    let r = f;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d]!;
      r = Math.floor(r / shape[d]!);
    }
    out.push(idx);
  }
  return out;
}

function flatOf(idx: readonly number[], shape: Shape): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d]! + idx[d]!;
  return f;
}

/** The flat offset in an array of `shape` that NumPy broadcasting reads for out index `idx`. */
function bcastFlat(idx: readonly number[], shape: Shape): number {
  const off = idx.length - shape.length;
  return flatOf(
    shape.map((n, d) => (n === 1 ? 0 : idx[d + off]!)),
    shape,
  );
}

/** Values in [-5, 5) rounded to quarters (so many ties), as float64. */
function randn(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.round((r() * 10 - 5) * 4) / 4;
  return a;
}

function randInt(n: number, seed: number, lo = -9, hi = 9): Int32Array {
  const r = mulberry32(seed);
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + Math.floor(r() * (hi - lo + 1));
  return a;
}

/** Elementwise equality within `tol` (relative to max(1, |expected|)); NaN matches NaN only. */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol = 0,
  msg = "",
): void {
  assert.equal(actual.length, expected.length, `${msg}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(e), `${msg}[${i}]: got ${a}, expected ${e}`);
    } else if (a !== e) {
      const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
      assert.ok(err <= tol, `${msg}[${i}]: got ${a}, expected ${e}`);
    }
  }
}

/** Object.is on every element, so the sign of zero counts. */
function assertSame(actual: ArrayLike<number>, expected: readonly number[], msg = ""): void {
  assert.equal(actual.length, expected.length, `${msg}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Object.is(actual[i], expected[i]),
      `${msg}[${i}]: got ${actual[i]}, expected ${expected[i]}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// erf

test("erf matches known values to ~1e-15 relative", () => {
  const known: [number, number][] = [
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [-3, -0.9999779095030014],
    [1e-10, 1.1283791670955126e-10],
    [1e-5, 1.1283791670579e-5],
    [0.1, 0.1124629160182849],
    [0.75, 0.7111556336535151],
    [1.5, 0.9661051464753108],
    [1.9999, 0.9953201979070294],
    [2.0001, 0.9953243313041966],
    [3.3, 0.9999969422902035],
    [5.9, 0.9999999999999999],
  ];
  for (const [x, want] of known) {
    const got = erf(x);
    assert.ok(Math.abs(got - want) <= 1e-15 * Math.abs(want), `erf(${x}) = ${got}, want ${want}`);
  }
  assert.equal(erf(6), 1);
  assert.equal(erf(-6), -1);
  assert.equal(erf(40), 1);
  assert.equal(erf(Number.POSITIVE_INFINITY), 1);
  assert.equal(erf(Number.NEGATIVE_INFINITY), -1);
  assert.ok(Number.isNaN(erf(Number.NaN)));
  assert.ok(Object.is(erf(0), 0));
  assert.ok(Object.is(erf(-0), -0));
});

test("erf is odd and monotone across its branch points", () => {
  let prev = -1;
  for (let x = -6.5; x <= 6.5; x += 0.01) {
    const v = erf(x);
    assert.equal(erf(-x), -v);
    assert.ok(v >= prev, `erf not monotone at ${x}`);
    prev = v;
  }
});

// ---------------------------------------------------------------------------------------------
// unary

test("unary ops match their Math definitions", () => {
  const x = Float64Array.from([-2.5, -1, -0.3, 0, 0.3, 0.7, 1, 2.5, 4]);
  const cases: [Parameters<typeof B.unary>[0], (v: number) => number][] = [
    ["neg", (v) => -v],
    ["abs", Math.abs],
    ["exp", Math.exp],
    ["log", Math.log],
    ["log1p", Math.log1p],
    ["expm1", Math.expm1],
    ["sqrt", Math.sqrt],
    ["rsqrt", (v) => 1 / Math.sqrt(v)],
    ["square", (v) => v * v],
    ["reciprocal", (v) => 1 / v],
    ["sin", Math.sin],
    ["cos", Math.cos],
    ["tan", Math.tan],
    ["asin", Math.asin],
    ["acos", Math.acos],
    ["atan", Math.atan],
    ["sinh", Math.sinh],
    ["cosh", Math.cosh],
    ["tanh", Math.tanh],
    ["asinh", Math.asinh],
    ["acosh", Math.acosh],
    ["atanh", Math.atanh],
    ["erf", erf],
    ["sigmoid", (v) => 1 / (1 + Math.exp(-v))],
    ["softplus", (v) => (v > 30 ? v + Math.log1p(Math.exp(-v)) : Math.log(1 + Math.exp(v)))],
    ["floor", Math.floor],
    ["ceil", Math.ceil],
  ];
  for (const [op, f] of cases) {
    const out = new Float64Array(x.length);
    B.unary(op, x, out);
    assertClose(out, Array.from(x, f), 1e-15, op);
    // float32 storage: the float64 result rounded once.
    const out32 = new Float32Array(x.length);
    B.unary(op, Float32Array.from(x), out32);
    assertClose(
      out32,
      Array.from(Float32Array.from(x), (v) => Math.fround(f(v))),
      1e-7,
      `${op} f32`,
    );
  }
});

test("unary sign, relu and sigmoid edge cases", () => {
  const x = Float64Array.from([-3, -0, 0, 2, Number.NaN, Number.NEGATIVE_INFINITY]);
  const out = new Float64Array(x.length);
  B.unary("sign", x, out);
  assertSame(out, [-1, -0, 0, 1, Number.NaN, -1], "sign");
  B.unary("relu", x, out);
  assertSame(out, [0, 0, 0, 2, Number.NaN, 0], "relu");

  const big = Float64Array.from([-800, -40, 0, 40, 800, Number.NaN]);
  B.unary("sigmoid", big, out);
  assert.equal(out[0], 0);
  assert.ok(
    Math.abs(out[1]! - Math.exp(-40)) <= 1e-15 * Math.exp(-40),
    "sigmoid(-40) keeps precision",
  );
  assert.equal(out[2], 0.5);
  assert.equal(out[3], 1);
  assert.equal(out[4], 1);
  assert.ok(Number.isNaN(out[5]!));

  B.unary("rsqrt", Float64Array.from([4, 0, -1, 0.25, Number.POSITIVE_INFINITY, 1]), out);
  assertSame(out, [0.5, Number.POSITIVE_INFINITY, Number.NaN, 2, 0, 1], "rsqrt");
});

test("unary round is half to even", () => {
  const x = Float64Array.from([
    0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.49999999999999994, -0.3, 2.4999999999999996,
    4503599627370497, 1e300,
  ]);
  const out = new Float64Array(x.length);
  B.unary("round", x, out);
  assertSame(out, [0, 2, 2, -0, -2, -2, 4, 0, -0, 2, 4503599627370497, 1e300], "round");
  const o32 = new Float32Array(3);
  B.unary("round", Float32Array.from([2.5, 3.5, -4.5]), o32);
  assertSame(o32, [2, 4, -4], "round f32");
});

test("unary logicalNot, isNaN and isFinite write 0/1 bytes", () => {
  const x = Float64Array.from([
    0,
    -0,
    1,
    -2.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ]);
  const out = new Uint8Array(x.length);
  B.unary("logicalNot", x, out);
  assert.deepEqual(Array.from(out), [1, 1, 0, 0, 0, 0, 0]);
  B.unary("isNaN", x, out);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0, 1, 0, 0]);
  B.unary("isFinite", x, out);
  assert.deepEqual(Array.from(out), [1, 1, 1, 1, 0, 0, 0]);
  const b = new Uint8Array(3);
  B.unary("logicalNot", Uint8Array.from([0, 1, 0]), b);
  assert.deepEqual(Array.from(b), [1, 0, 1]);
  B.unary("isFinite", Int32Array.from([0, -5, 2147483647]), b);
  assert.deepEqual(Array.from(b), [1, 1, 1]);
});

test("unary int32 neg wraps and abs stays integral", () => {
  const x = Int32Array.from([-2147483648, -7, 0, 9]);
  const out = new Int32Array(4);
  B.unary("neg", x, out);
  assert.deepEqual(Array.from(out), [-2147483648, 7, 0, -9]);
  B.unary("abs", x, out);
  assert.deepEqual(Array.from(out), [-2147483648, 7, 0, 9]);
});

// ---------------------------------------------------------------------------------------------
// binary

type BinOp = Parameters<typeof B.binary>[0];

const NAIVE_BINARY: Record<BinOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b)),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b)),
  atan2: Math.atan2,
  mod: (a, b) => (b === 0 ? Number.NaN : a - Math.floor(a / b) * b),
  hypot: (a, b) => Math.hypot(a, b),
  fmod: (a, b) => a % b,
  copysign: (a, b) => (b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a)),
  floorDivide: (a, b) => (b === 0 ? a / b : Math.round((a - (((a % b) + b) % b)) / b)),
  bitwiseAnd: (a, b) => a & b,
  bitwiseOr: (a, b) => a | b,
  bitwiseXor: (a, b) => a ^ b,
  shiftLeft: (a, b) => ((b | 0) >>> 0 < 32 ? a << (b | 0) : 0),
  shiftRight: (a, b) => ((b | 0) >>> 0 < 32 ? a >> (b | 0) : (a | 0) < 0 ? -1 : 0),
  eq: (a, b) => Number(a === b),
  ne: (a, b) => Number(a !== b),
  lt: (a, b) => Number(a < b),
  le: (a, b) => Number(a <= b),
  gt: (a, b) => Number(a > b),
  ge: (a, b) => Number(a >= b),
  and: (a, b) => Number(a !== 0 && b !== 0),
  or: (a, b) => Number(a !== 0 || b !== 0),
};
const BIN_OPS = Object.keys(NAIVE_BINARY) as BinOp[];
const BOOL_OUT = new Set<BinOp>(["eq", "ne", "lt", "le", "gt", "ge", "and", "or"]);

function broadcastShape(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[i - (n - a.length)] ?? 1;
    const db = b[i - (n - b.length)] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}

function naiveBinary(
  op: BinOp,
  a: ArrayLike<number>,
  aShape: Shape,
  b: ArrayLike<number>,
  bShape: Shape,
): number[] {
  const outShape = broadcastShape(aShape, bShape);
  return allIndices(outShape).map((idx) =>
    NAIVE_BINARY[op](a[bcastFlat(idx, aShape)]!, b[bcastFlat(idx, bShape)]!),
  );
}

const SHAPE_PAIRS: [Shape, Shape][] = [
  [
    [3, 1, 5],
    [4, 5],
  ],
  [
    [4, 5],
    [3, 1, 5],
  ],
  [
    [2, 3],
    [2, 3],
  ],
  [[], [2, 3]],
  [[2, 3], []],
  [
    [2, 1],
    [1, 3],
  ],
  [[1, 1], [3]],
  [[0, 3], [3]],
  [
    [2, 0, 1],
    [1, 4],
  ],
  [[], []],
  [
    [2, 1, 3, 1],
    [5, 1, 2],
  ],
  [[1], [3, 1, 1]],
];

test("binary ops broadcast like NumPy (float64)", () => {
  let seed = 1;
  for (const [aShape, bShape] of SHAPE_PAIRS) {
    const a = randn(size(aShape), seed++);
    const b = randn(size(bShape), seed++);
    // Some NaNs, so max/min/comparisons/logic see them.
    if (a.length > 2) a[1] = Number.NaN;
    if (b.length > 3) b[3] = Number.NaN;
    const outShape = broadcastShape(aShape, bShape);
    for (const op of BIN_OPS) {
      const out = BOOL_OUT.has(op)
        ? new Uint8Array(size(outShape))
        : new Float64Array(size(outShape));
      B.binary(op, a, aShape, b, bShape, out, outShape);
      const tol = op === "mod" ? 1e-12 : 0;
      assertClose(out, naiveBinary(op, a, aShape, b, bShape), tol, `${op} ${aShape}|${bShape}`);
    }
  }
});

test("binary ops on float32, int32 and bool operands", () => {
  const aShape = [3, 1, 5];
  const bShape = [4, 5];
  const outShape = [3, 4, 5];
  const n = size(outShape);
  const a32 = Float32Array.from(randn(15, 11), (v) => v + 0.1);
  const b32 = Float32Array.from(randn(20, 12), (v) => v + 0.1);
  for (const op of ["add", "mul", "div", "max", "lt"] as BinOp[]) {
    const out = BOOL_OUT.has(op) ? new Uint8Array(n) : new Float32Array(n);
    B.binary(op, a32, aShape, b32, bShape, out, outShape);
    const want = naiveBinary(op, a32, aShape, b32, bShape).map(Math.fround);
    assertClose(out, want, 0, `f32 ${op}`);
  }
  const ai = randInt(15, 13);
  const bi = randInt(20, 14, 1, 5);
  for (const op of ["add", "sub", "mul", "max", "min", "mod", "pow", "ge"] as BinOp[]) {
    const out = BOOL_OUT.has(op) ? new Uint8Array(n) : new Int32Array(n);
    B.binary(op, ai, aShape, bi, bShape, out, outShape);
    const want = naiveBinary(op, ai, aShape, bi, bShape).map((v) => v | 0);
    assertClose(out, want, 0, `i32 ${op}`);
  }
  const ab = Uint8Array.from([1, 0, 1]);
  const bb = Uint8Array.from([1, 1, 0, 0, 1, 0]);
  const out = new Uint8Array(6);
  B.binary("and", ab, [3], bb, [2, 3], out, [2, 3]);
  assert.deepEqual(Array.from(out), [1, 0, 0, 0, 0, 0]);
  B.binary("or", ab, [3], bb, [2, 3], out, [2, 3]);
  assert.deepEqual(Array.from(out), [1, 1, 1, 1, 1, 1]);
  B.binary("eq", ab, [3], bb, [2, 3], out, [2, 3]);
  assert.deepEqual(Array.from(out), [1, 0, 0, 0, 0, 0]);
});

test("binary int32 overflow wraps and mod by zero gives 0", () => {
  const out = new Int32Array(3);
  B.binary(
    "add",
    Int32Array.from([2147483647, -2147483648, 5]),
    [3],
    Int32Array.from([1]),
    [1],
    out,
    [3],
  );
  assert.deepEqual(Array.from(out), [-2147483648, -2147483647, 6]);
  // NumPy: np.mod([-7, 7, 5, -5, 3], [3, -3, 0, 0, 3]) on int32 = [2, -2, 0, 0, 0].
  const m = new Int32Array(5);
  B.binary(
    "mod",
    Int32Array.from([-7, 7, 5, -5, 3]),
    [5],
    Int32Array.from([3, -3, 0, 0, 3]),
    [5],
    m,
    [5],
  );
  assert.deepEqual(Array.from(m), [2, -2, 0, 0, 0]);
});

test("binary mod follows NumPy's sign rules exactly", () => {
  const inf = Number.POSITIVE_INFINITY;
  // [x, y, np.mod(x, y)] as computed by NumPy 2.4.
  const cases: [number, number, number][] = [
    [-7, 3, 2],
    [7, -3, -2],
    [-7, -3, -1],
    [7, 3, 1],
    [6, -3, -0],
    [-6, 3, 0],
    [5.5, 2, 1.5],
    [-5.5, 2, 0.5],
    [5.5, -2, -0.5],
    [1, 0, Number.NaN],
    [-1, 0, Number.NaN],
    [0, 5, 0],
    [-0, 5, 0],
    [0, -5, -0],
    [inf, 3, Number.NaN],
    [3, inf, 3],
    [-3, inf, inf],
    [3, -inf, -inf],
    [Number.NaN, 1, Number.NaN],
    [1, Number.NaN, Number.NaN],
    [-1e-20, 1, 1],
    [1e-20, -1, -1],
    [0.3, 0.1, 0.09999999999999998],
  ];
  const a = Float64Array.from(cases, (c) => c[0]);
  const b = Float64Array.from(cases, (c) => c[1]);
  const out = new Float64Array(cases.length);
  B.binary("mod", a, [cases.length], b, [cases.length], out, [cases.length]);
  assertSame(
    out,
    cases.map((c) => c[2]),
    "mod",
  );
});

test("binary max/min propagate NaN in either position", () => {
  const a = Float64Array.from([Number.NaN, 1, 2, -0]);
  const b = Float64Array.from([1, Number.NaN, 3, 0]);
  const out = new Float64Array(4);
  B.binary("max", a, [4], b, [4], out, [4]);
  assertSame(out, [Number.NaN, Number.NaN, 3, 0], "max");
  B.binary("min", a, [4], b, [4], out, [4]);
  assertSame(out, [Number.NaN, Number.NaN, 2, -0], "min");
});

// ---------------------------------------------------------------------------------------------
// select and cast

test("select broadcasts condition and both branches", () => {
  const cases: [Shape, Shape, Shape][] = [
    [[3, 1], [1, 4], []],
    [[4], [3, 4], [3, 1]],
    [
      [2, 3],
      [2, 3],
      [2, 3],
    ],
    [[], [2], [2]],
    [[0, 1], [3], [1]],
  ];
  let seed = 100;
  for (const [cShape, aShape, bShape] of cases) {
    const outShape = broadcastShape(broadcastShape(cShape, aShape), bShape);
    const r = mulberry32(seed++);
    const cond = Uint8Array.from({ length: size(cShape) }, () => (r() < 0.5 ? 1 : 0));
    const a = randn(size(aShape), seed++);
    const b = randn(size(bShape), seed++);
    const out = new Float64Array(size(outShape));
    B.select(cond, cShape, a, aShape, b, bShape, out, outShape);
    const want = allIndices(outShape).map((idx) =>
      cond[bcastFlat(idx, cShape)] ? a[bcastFlat(idx, aShape)]! : b[bcastFlat(idx, bShape)]!,
    );
    assertClose(out, want, 0, `select ${cShape}|${aShape}|${bShape}`);
  }
});

test("cast between all dtypes", () => {
  const x = Float64Array.from([0, -0, 0.5, -2.7, 2.9, Number.NaN, 1e40, -1, 256, 1 / 3]);
  const bool = new Uint8Array(x.length);
  B.cast(x, bool);
  assert.deepEqual(Array.from(bool), [0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  const i32 = new Int32Array(6);
  B.cast(Float64Array.from([-2.7, 2.9, Number.NaN, -0.5, 7, Number.POSITIVE_INFINITY]), i32);
  assert.deepEqual(Array.from(i32), [-2, 2, 0, 0, 7, 0]);
  const f32 = new Float32Array(x.length);
  B.cast(x, f32);
  assertClose(f32, Array.from(x, Math.fround), 0, "f64->f32");
  const f64 = new Float64Array(x.length);
  B.cast(f32, f64);
  assertClose(f64, Array.from(x, Math.fround), 0, "f32->f64");
  const fromBool = new Float32Array(3);
  B.cast(Uint8Array.from([1, 0, 1]), fromBool);
  assert.deepEqual(Array.from(fromBool), [1, 0, 1]);
  const intToBool = new Uint8Array(3);
  B.cast(Int32Array.from([0, -3, 512]), intToBool);
  assert.deepEqual(Array.from(intToBool), [0, 1, 1]);
  const f32ToInt = new Int32Array(2);
  B.cast(Float32Array.from([-3.5, 3.99]), f32ToInt);
  assert.deepEqual(Array.from(f32ToInt), [-3, 3]);
});

// ---------------------------------------------------------------------------------------------
// reduce and cumsum

type RedOp = "sum" | "prod" | "max" | "min";

function naiveReduce(
  op: RedOp,
  x: ArrayLike<number>,
  shape: Shape,
  axes: readonly number[],
): number[] {
  const keep = shape.map((_, d) => !axes.includes(d));
  const outShape = shape.filter((_, d) => keep[d]);
  const init = { sum: 0, prod: 1, max: Number.NEGATIVE_INFINITY, min: Number.POSITIVE_INFINITY }[
    op
  ];
  const acc = new Array<number>(size(outShape)).fill(init);
  for (const idx of allIndices(shape)) {
    const o = flatOf(
      idx.filter((_, d) => keep[d]),
      outShape,
    );
    const v = x[flatOf(idx, shape)]!;
    const s = acc[o]!;
    if (op === "sum") acc[o] = s + v;
    else if (op === "prod") acc[o] = s * v;
    else if (Number.isNaN(s) || Number.isNaN(v)) acc[o] = Number.NaN;
    else acc[o] = op === "max" ? Math.max(s, v) : Math.min(s, v);
  }
  return acc;
}

/** Every subset of 0..n-1, in increasing order. */
function subsets(n: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << n; m++) out.push([...Array(n).keys()].filter((d) => m & (1 << d)));
  return out;
}

test("reduce sum/prod/max/min over every set of axes", () => {
  const shapes: Shape[] = [[2, 3, 4], [3, 1, 5], [5], [], [3, 0, 2], [1, 4, 1, 3]];
  let seed = 200;
  for (const shape of shapes) {
    const x = randn(size(shape), seed++);
    if (x.length > 7) x[7] = Number.NaN;
    for (const axes of subsets(shape.length)) {
      const outSize = size(shape.filter((_, d) => !axes.includes(d)));
      for (const op of ["sum", "prod", "max", "min"] as RedOp[]) {
        const out = new Float64Array(outSize);
        B.reduce(op, x, shape, axes, out);
        assertClose(out, naiveReduce(op, x, shape, axes), 1e-14, `${op} [${shape}] axes [${axes}]`);
      }
    }
  }
});

test("reduce over zero elements gives the identities", () => {
  const x = new Float64Array(0);
  const out = new Float64Array(3);
  for (const [op, id] of [
    ["sum", 0],
    ["prod", 1],
    ["max", Number.NEGATIVE_INFINITY],
    ["min", Number.POSITIVE_INFINITY],
  ] as [RedOp, number][]) {
    B.reduce(op, x, [3, 0], [1], out);
    assert.deepEqual(Array.from(out), [id, id, id], op);
  }
});

test("reduce accumulates float32 in float64 and int32 with wrapping", () => {
  // In float32, 2^24 + 1 rounds back to 2^24 every time; a float64 accumulator keeps both ones.
  const out32 = new Float32Array(1);
  B.reduce("sum", Float32Array.from([16777216, 1, 1]), [3], [0], out32);
  assert.equal(out32[0], 16777218);
  const tiny = new Float32Array(1000).fill(0.1);
  B.reduce("sum", tiny, [1000], [0], out32);
  assert.equal(out32[0], Math.fround(1000 * Math.fround(0.1)));

  const oi = new Int32Array(1);
  B.reduce("sum", Int32Array.from([2147483647, 1]), [2], [0], oi);
  assert.equal(oi[0], -2147483648);
  B.reduce("prod", Int32Array.from([65536, 65536, 3]), [3], [0], oi);
  assert.equal(oi[0], 0);
  B.reduce("prod", Int32Array.from([46341, 46341, 7]), [3], [0], oi);
  assert.equal(oi[0], Math.imul(Math.imul(46341, 46341), 7));
  const o2 = new Int32Array(2);
  B.reduce("max", Int32Array.from([3, -1, 7, 2, 5, -8]), [3, 2], [0], o2);
  assert.deepEqual(Array.from(o2), [7, 2]);
});

function naiveArg(isMax: boolean, x: ArrayLike<number>, shape: Shape, axis: number): number[] {
  const outShape = shape.filter((_, d) => d !== axis);
  return allIndices(outShape).map((oidx) => {
    let best = 0;
    let bestV = Number.NaN;
    for (let k = 0; k < shape[axis]!; k++) {
      const idx = [...oidx.slice(0, axis), k, ...oidx.slice(axis)];
      const v = x[flatOf(idx, shape)]!;
      if (k === 0) {
        bestV = v;
      } else if (Number.isNaN(bestV)) {
        break;
      } else if (Number.isNaN(v) || (isMax ? v > bestV : v < bestV)) {
        best = k;
        bestV = v;
      }
    }
    return best;
  });
}

test("argmax/argmin: first extreme wins ties, first NaN wins outright", () => {
  const x = Float64Array.from([1, 3, 3, 0, 3, Number.NaN, 2, Number.NaN, -1, -1, 5, -1]);
  const out = new Int32Array(4);
  B.reduce("argmax", x, [3, 4], [1], out.subarray(0, 3));
  assert.deepEqual(Array.from(out.subarray(0, 3)), [1, 1, 2]);
  B.reduce("argmin", x, [3, 4], [1], out.subarray(0, 3));
  assert.deepEqual(Array.from(out.subarray(0, 3)), [3, 1, 0]);
  B.reduce("argmax", x, [3, 4], [0], out);
  assert.deepEqual(Array.from(out), [1, 1, 2, 1]);
  B.reduce("argmin", x, [3, 4], [0], out);
  assert.deepEqual(Array.from(out), [2, 1, 1, 1]);

  let seed = 300;
  for (const shape of [[2, 3, 4], [4, 1, 3], [5], [3, 2, 1, 2]] as Shape[]) {
    const xi = randInt(size(shape), seed++, -2, 2); // small range: many ties
    const xf = Float64Array.from(xi);
    if (xf.length > 5) xf[5] = Number.NaN;
    for (let axis = 0; axis < shape.length; axis++) {
      const n = size(shape) / shape[axis]!;
      for (const isMax of [true, false]) {
        const op = isMax ? "argmax" : "argmin";
        for (const data of [xi, xf]) {
          const o = new Int32Array(n);
          B.reduce(op, data, shape, [axis], o);
          assert.deepEqual(
            Array.from(o),
            naiveArg(isMax, data, shape, axis),
            `${op} [${shape}] ${axis}`,
          );
        }
      }
    }
  }
});

function naiveCumsum(
  x: ArrayLike<number>,
  shape: Shape,
  axis: number,
  exclusive: boolean,
  reverse: boolean,
): number[] {
  return allIndices(shape).map((idx) => {
    let s = 0;
    for (let k = 0; k < shape[axis]!; k++) {
      const i = idx[axis]!;
      const inRange = reverse ? (exclusive ? k > i : k >= i) : exclusive ? k < i : k <= i;
      if (!inRange) continue;
      const j = idx.slice();
      j[axis] = k;
      s += x[flatOf(j, shape)]!;
    }
    return s;
  });
}

test("cumsum inclusive/exclusive, forward/reverse, every axis", () => {
  let seed = 400;
  for (const shape of [[2, 3, 4], [5], [3, 1, 2], [2, 0, 3]] as Shape[]) {
    const x = randn(size(shape), seed++);
    for (let axis = 0; axis < shape.length; axis++) {
      for (const exclusive of [false, true]) {
        for (const reverse of [false, true]) {
          const out = new Float64Array(x.length);
          B.cumsum(x, shape, axis, exclusive, reverse, out);
          const tag = `cumsum [${shape}] axis ${axis} ex ${exclusive} rev ${reverse}`;
          assertClose(out, naiveCumsum(x, shape, axis, exclusive, reverse), 1e-14, tag);
        }
      }
    }
  }
  const out = new Int32Array(4);
  B.cumsum(Int32Array.from([1, 2, 3, 4]), [4], 0, true, true, out);
  assert.deepEqual(Array.from(out), [9, 7, 4, 0]);
  B.cumsum(Int32Array.from([1, 2, 3, 4]), [4], 0, false, false, out);
  assert.deepEqual(Array.from(out), [1, 3, 6, 10]);
  const o32 = new Float32Array(3);
  B.cumsum(Float32Array.from([16777216, 1, 1]), [3], 0, false, false, o32);
  assert.deepEqual(Array.from(o32), [16777216, 16777216, 16777218]);
});

// ---------------------------------------------------------------------------------------------
// movement

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  }
  return out;
}

test("transpose by every permutation", () => {
  let seed = 500;
  for (const shape of [[2, 3, 4], [3, 1, 5], [2, 0, 3], [], [6], [2, 3, 1, 2]] as Shape[]) {
    const x = randn(size(shape), seed++);
    for (const perm of permutations(shape.length)) {
      const outShape = perm.map((p) => shape[p]!);
      const out = new Float64Array(x.length);
      B.transpose(x, shape, perm, out);
      const want = allIndices(outShape).map((oidx) => {
        const idx = new Array<number>(shape.length);
        perm.forEach((p, i) => {
          idx[p] = oidx[i]!;
        });
        return x[flatOf(idx, shape)]!;
      });
      assertClose(out, want, 0, `transpose [${shape}] [${perm}]`);
    }
  }
  // int32 and bool go through the same path.
  const oi = new Int32Array(6);
  B.transpose(Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0], oi);
  assert.deepEqual(Array.from(oi), [1, 4, 2, 5, 3, 6]);
  const ob = new Uint8Array(6);
  B.transpose(Uint8Array.from([1, 0, 0, 1, 1, 0]), [3, 2], [1, 0], ob);
  assert.deepEqual(Array.from(ob), [1, 0, 1, 0, 1, 0]);
});

test("broadcastTo stretches size-1 dims and adds leading dims", () => {
  const cases: [Shape, Shape][] = [
    [
      [3, 1],
      [2, 3, 4],
    ],
    [[], [2, 2]],
    [[1], [0, 3]],
    [[4], [3, 4]],
    [
      [2, 1, 3],
      [2, 5, 3],
    ],
    [
      [1, 1],
      [1, 1],
    ],
  ];
  let seed = 600;
  for (const [shape, outShape] of cases) {
    const x = randn(size(shape), seed++);
    const out = new Float64Array(size(outShape));
    B.broadcastTo(x, shape, outShape, out);
    assertClose(
      out,
      allIndices(outShape).map((idx) => x[bcastFlat(idx, shape)]!),
      0,
      `broadcastTo [${shape}] -> [${outShape}]`,
    );
  }
  // Long rows take the native block-copy path.
  const long = randn(100, 7);
  const out = new Float64Array(300);
  B.broadcastTo(long, [1, 100], [3, 100], out);
  assertClose(out, [...long, ...long, ...long], 0, "broadcastTo long rows");
});

test("slice with begin offsets and steps", () => {
  const cases: [Shape, number[], number[], number[]][] = [
    [
      [5, 7],
      [1, 0],
      [2, 3],
      [2, 3],
    ],
    [
      [5, 7],
      [0, 0],
      [5, 7],
      [1, 1],
    ],
    [
      [4, 3, 6],
      [1, 2, 1],
      [2, 1, 3],
      [2, 1, 2],
    ],
    [[6], [5], [1], [4]],
    [[6], [2], [0], [1]],
    [[], [], [], []],
    [
      [3, 200],
      [1, 10],
      [2, 150],
      [1, 1],
    ],
  ];
  let seed = 700;
  for (const [shape, begin, sz, step] of cases) {
    const x = randn(size(shape), seed++);
    const out = new Float64Array(size(sz));
    B.slice(x, shape, begin, sz, step, out);
    const want = allIndices(sz).map(
      (idx) =>
        x[
          flatOf(
            idx.map((i, d) => begin[d]! + i * step[d]!),
            shape,
          )
        ]!,
    );
    assertClose(out, want, 0, `slice [${shape}] ${begin} ${sz} ${step}`);
  }
});

test("pad with a constant value", () => {
  const cases: [Shape, [number, number][]][] = [
    [
      [2, 3],
      [
        [1, 0],
        [2, 1],
      ],
    ],
    [
      [3, 1, 2],
      [
        [0, 0],
        [1, 1],
        [0, 2],
      ],
    ],
    [
      [0, 2],
      [
        [1, 1],
        [0, 0],
      ],
    ],
    [[], []],
    [[4], [[0, 0]]],
  ];
  let seed = 800;
  for (const [shape, widths] of cases) {
    const x = randn(size(shape), seed++);
    const outShape = shape.map((n, d) => n + widths[d]![0] + widths[d]![1]);
    const out = new Float64Array(size(outShape));
    B.pad(x, shape, widths, -9, out);
    const want = allIndices(outShape).map((idx) => {
      const src = idx.map((i, d) => i - widths[d]![0]);
      const inside = src.every((i, d) => i >= 0 && i < shape[d]!);
      return inside ? x[flatOf(src, shape)]! : -9;
    });
    assertClose(out, want, 0, `pad [${shape}] ${JSON.stringify(widths)}`);
  }
  const oi = new Int32Array(5);
  B.pad(Int32Array.from([7, 8]), [2], [[2, 1]], 3, oi);
  assert.deepEqual(Array.from(oi), [3, 3, 7, 8, 3]);
});

test("concat along first, middle and last axes", () => {
  const cases: [Shape[], number][] = [
    [
      [
        [2, 1, 3],
        [2, 3, 3],
        [2, 0, 3],
      ],
      1,
    ],
    [
      [
        [1, 2],
        [3, 2],
      ],
      0,
    ],
    [
      [
        [2, 2],
        [2, 1],
        [2, 70],
      ],
      1,
    ],
    [[[4], [0], [2]], 0],
  ];
  let seed = 900;
  for (const [shapes, axis] of cases) {
    const xs = shapes.map((s) => randn(size(s), seed++));
    const outShape = shapes[0]!.slice();
    outShape[axis] = shapes.reduce((t, s) => t + s[axis]!, 0);
    const out = new Float64Array(size(outShape));
    B.concat(xs, shapes, axis, out);
    const want = allIndices(outShape).map((idx) => {
      let i = idx[axis]!;
      let k = 0;
      while (i >= shapes[k]![axis]!) i -= shapes[k++]![axis]!;
      const src = idx.slice();
      src[axis] = i;
      return xs[k]![flatOf(src, shapes[k]!)]!;
    });
    assertClose(out, want, 0, `concat ${JSON.stringify(shapes)} axis ${axis}`);
  }
});

test("flip any set of axes", () => {
  let seed = 1000;
  for (const shape of [[2, 3, 4], [5], [3, 1, 2], [2, 0, 3], []] as Shape[]) {
    const x = randn(size(shape), seed++);
    for (const axes of subsets(shape.length)) {
      const out = new Float64Array(x.length);
      B.flip(x, shape, axes, out);
      const want = allIndices(shape).map(
        (idx) =>
          x[
            flatOf(
              idx.map((i, d) => (axes.includes(d) ? shape[d]! - 1 - i : i)),
              shape,
            )
          ]!,
      );
      assertClose(out, want, 0, `flip [${shape}] [${axes}]`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// gather and scatterAdd

function gatherOutShape(shape: Shape, indicesShape: Shape, axis: number): number[] {
  return [...shape.slice(0, axis), ...indicesShape, ...shape.slice(axis + 1)];
}

/** The x index that gather's out index `oidx` reads. */
function gatherSource(
  oidx: readonly number[],
  indices: Int32Array,
  indicesShape: Shape,
  axis: number,
): number[] {
  const q = oidx.slice(axis, axis + indicesShape.length);
  return [
    ...oidx.slice(0, axis),
    indices[flatOf(q, indicesShape)]!,
    ...oidx.slice(axis + indicesShape.length),
  ];
}

const GATHER_CASES: [Shape, Shape, number][] = [
  [[3, 4, 2], [2, 3], 1],
  [[3, 4, 2], [5], 0],
  [[3, 4, 2], [], 2],
  [[5], [4], 0],
  [[2, 3], [0], 1],
  [[4, 70], [3], 0],
];

test("gather along an axis, with duplicate indices", () => {
  let seed = 1100;
  for (const [shape, indicesShape, axis] of GATHER_CASES) {
    const x = randn(size(shape), seed++);
    const indices = randInt(size(indicesShape), seed++, 0, shape[axis]! - 1);
    if (indices.length > 1) indices[1] = indices[0]!; // a guaranteed duplicate
    const outShape = gatherOutShape(shape, indicesShape, axis);
    const out = new Float64Array(size(outShape));
    B.gather(x, shape, indices, indicesShape, axis, out);
    const want = allIndices(outShape).map(
      (o) => x[flatOf(gatherSource(o, indices, indicesShape, axis), shape)]!,
    );
    assertClose(out, want, 0, `gather [${shape}] [${indicesShape}] axis ${axis}`);
  }
  const oi = new Int32Array(4);
  B.gather(Int32Array.from([10, 20, 30]), [3], Int32Array.from([2, 0, 2, 1]), [4], 0, oi);
  assert.deepEqual(Array.from(oi), [30, 10, 30, 20]);
});

test("scatterAdd accumulates duplicate indices", () => {
  let seed = 1200;
  for (const [shape, indicesShape, axis] of GATHER_CASES) {
    const x = randn(size(shape), seed++);
    const indices = randInt(size(indicesShape), seed++, 0, shape[axis]! - 1);
    if (indices.length > 1) indices[1] = indices[0]!;
    const uShape = gatherOutShape(shape, indicesShape, axis);
    const updates = randn(size(uShape), seed++);
    const out = new Float64Array(x.length);
    B.scatterAdd(x, shape, indices, indicesShape, updates, axis, out);
    const want = Array.from(x);
    for (const u of allIndices(uShape)) {
      want[flatOf(gatherSource(u, indices, indicesShape, axis), shape)]! +=
        updates[flatOf(u, uShape)]!;
    }
    assertClose(out, want, 0, `scatterAdd [${shape}] [${indicesShape}] axis ${axis}`);
  }
  const x = Float32Array.from([1, 2, 3]);
  const out = new Float32Array(3);
  B.scatterAdd(
    x,
    [3],
    Int32Array.from([0, 0, 2, 0]),
    [4],
    Float32Array.from([1, 10, 100, 1000]),
    0,
    out,
  );
  assert.deepEqual(Array.from(out), [1012, 2, 103]);
  assert.deepEqual(Array.from(x), [1, 2, 3], "input untouched");
});

// ---------------------------------------------------------------------------------------------
// matmul

function naiveMatmul(
  a: ArrayLike<number>,
  aShape: Shape,
  b: ArrayLike<number>,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
): { out: number[]; outShape: number[] } {
  const ra = aShape.length;
  const rb = bShape.length;
  const m = transA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const k = transA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const n = transB ? bShape[rb - 2]! : bShape[rb - 1]!;
  const batch = broadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  const outShape = [...batch, m, n];
  const out = allIndices(outShape).map((idx) => {
    const bi = idx.slice(0, -2);
    const i = idx[idx.length - 2]!;
    const j = idx[idx.length - 1]!;
    let s = 0;
    for (let p = 0; p < k; p++) {
      const av = a[bcastFlat([...bi, ...(transA ? [p, i] : [i, p])], aShape)]!;
      const bv = b[bcastFlat([...bi, ...(transB ? [j, p] : [p, j])], bShape)]!;
      s += av * bv;
    }
    return s;
  });
  return { out, outShape };
}

test("matmul with transposes and broadcast batch dims against a triple loop", () => {
  // [m, k, n] and batch shapes; a/b shapes get built per transpose flag.
  const cases: [number, number, number, Shape, Shape][] = [
    [3, 4, 5, [], []],
    [2, 3, 4, [2, 1], [5]],
    [1, 1, 1, [], [3]],
    [4, 1, 3, [3], [3]],
    [3, 0, 2, [2], []],
    [0, 3, 2, [], []],
    [2, 3, 2, [0], []],
  ];
  let seed = 1300;
  for (const [m, k, n, batchA, batchB] of cases) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const aShape = [...batchA, ...(transA ? [k, m] : [m, k])];
        const bShape = [...batchB, ...(transB ? [n, k] : [k, n])];
        const a = randn(size(aShape), seed++);
        const b = randn(size(bShape), seed++);
        const { out: want, outShape } = naiveMatmul(a, aShape, b, bShape, transA, transB);
        const tag = `matmul [${aShape}]${transA ? "T" : ""} x [${bShape}]${transB ? "T" : ""}`;
        const out = new Float64Array(size(outShape)).fill(Number.NaN);
        B.matmul(a, aShape, b, bShape, transA, transB, out, outShape);
        assertClose(out, want, 1e-14, tag);
        const out32 = new Float32Array(size(outShape));
        B.matmul(
          Float32Array.from(a),
          aShape,
          Float32Array.from(b),
          bShape,
          transA,
          transB,
          out32,
          outShape,
        );
        assertClose(out32, want.map(Math.fround), 0, `${tag} f32`);
        const outI = new Int32Array(size(outShape));
        B.matmul(
          Int32Array.from(a, (v) => v * 4),
          aShape,
          Int32Array.from(b, (v) => v * 4),
          bShape,
          transA,
          transB,
          outI,
          outShape,
        );
        assertClose(
          outI,
          want.map((v) => v * 16),
          0,
          `${tag} i32`,
        );
      }
    }
  }
});

test("matmul propagates NaN through zero coefficients and wraps int32", () => {
  const out = new Float64Array(2);
  B.matmul(
    Float64Array.from([0, 1]),
    [1, 2],
    Float64Array.from([Number.NaN, 1, 2, 3]),
    [2, 2],
    false,
    false,
    out,
    [1, 2],
  );
  assert.ok(Number.isNaN(out[0]!));
  assert.equal(out[1], 3);
  const oi = new Int32Array(1);
  B.matmul(
    Int32Array.from([65536, 65536]),
    [1, 2],
    Int32Array.from([65536, 3]),
    [2, 1],
    false,
    false,
    oi,
    [1, 1],
  );
  assert.equal(oi[0], 196608);
});

test("mod: the int32 path for integer-valued operands equals the fmod definition bit for bit", () => {
  // NumPy's floating mod from fmod, written out independently of the kernel.
  const fmodDef = (x: number, y: number) => {
    const r = x % y;
    if (y === 0) return r;
    if (r === 0) return y < 0 ? -0 : 0;
    return y < 0 !== r < 0 ? r + y : r;
  };
  const edges = [0, -0, 1, -1, 7, -7, 110, -110, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1];
  const more = [1e10, 0.5, -3.7, 1e-20, Number.NaN, Number.POSITIVE_INFINITY, -1e300];
  const values = [...edges, ...more];
  const rand = mulberry32(11);
  for (let i = 0; i < 2000; i++) values.push(Math.round((rand() - 0.5) * 2e4));
  const ys = [...edges, ...more, 3, -3, 13, -13];
  const a = new Float64Array(values.length * ys.length);
  const b = new Float64Array(a.length);
  let k = 0;
  for (const x of values) for (const y of ys) [a[k], b[k++]] = [x, y];
  const out = new Float64Array(a.length);
  B.binary("mod", a, [a.length], b, [b.length], out, [a.length]);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Object.is(out[i], fmodDef(a[i]!, b[i]!)), `mod(${a[i]}, ${b[i]}) = ${out[i]}`);
  }
});
