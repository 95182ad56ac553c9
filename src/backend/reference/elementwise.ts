/** @file Reference elementwise kernels: unary, broadcasting binary, select and cast. */

import type { TypedArray } from "../../core/dtype.js";
import type { BinaryOp, Shape, UnaryOp } from "../backend.js";
import { erf } from "./erf.js";
import { broadcastStrides, planRows, sizeOf } from "./strides.js";

/** Logistic function without overflow: exp is only ever taken of a non-positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x, no early underflow to 0. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** max(x, 0) that lets NaN through (NaN > 0 is false, so NaN is tested for explicitly). */
export function relu(x: number): number {
  return x > 0 || Number.isNaN(x) ? x : 0;
}

/** Round half to even (NumPy's `round`); keeps -0 and NaN. */
export function roundHalfEven(x: number): number {
  // Math.round rounds halves up; a tie that landed on an odd integer goes down instead. r - x is
  // exact whenever x has a fractional part (|x| < 2^52), and 0 otherwise.
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * NumPy's floating `mod` (npy_divmod): the result has the divisor's sign. fmod is exact, and the
 * correction `m + y` happens only when the signs differ, which is what NumPy does, e.g.
 * mod(-1e-20, 1) is 1 (the exact answer rounds up to 1). mod(x, 0) is NaN (fmod's result); a zero
 * result takes the divisor's sign.
 */
export function mod(x: number, y: number): number {
  // Integer-valued operands in int32 range (grid indices, counters): the int32 remainder equals
  // fmod's exactly (same sign rule, no rounding) and costs a tenth of the float `%`.
  const xi = x | 0;
  const yi = y | 0;
  let m = xi === x && yi === y && yi !== 0 ? xi % yi : x % y;
  if (y === 0) return m;
  if (m !== 0) {
    if (y < 0 !== m < 0) m += y;
  } else {
    m = y < 0 ? -0 : 0;
  }
  return m;
}

/** out[i] = op(x[i]); one tight loop per op so the loop body is never an indirect call. */
export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const n = x.length;
  switch (op) {
    case "neg":
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      return;
    case "abs":
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return;
    case "sign":
      // Math.sign: sign(±0) = ±0, sign(NaN) = NaN.
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
      return;
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return;
    case "log":
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return;
    case "log1p":
      for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]!);
      return;
    case "expm1":
      for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]!);
      return;
    case "sqrt":
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      return;
    case "rsqrt":
      for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]!);
      return;
    case "square":
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v * v;
      }
      return;
    case "reciprocal":
      for (let i = 0; i < n; i++) out[i] = 1 / x[i]!;
      return;
    case "sin":
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!);
      return;
    case "cos":
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!);
      return;
    case "tan":
      for (let i = 0; i < n; i++) out[i] = Math.tan(x[i]!);
      return;
    case "asin":
      for (let i = 0; i < n; i++) out[i] = Math.asin(x[i]!);
      return;
    case "acos":
      for (let i = 0; i < n; i++) out[i] = Math.acos(x[i]!);
      return;
    case "atan":
      for (let i = 0; i < n; i++) out[i] = Math.atan(x[i]!);
      return;
    case "sinh":
      for (let i = 0; i < n; i++) out[i] = Math.sinh(x[i]!);
      return;
    case "cosh":
      for (let i = 0; i < n; i++) out[i] = Math.cosh(x[i]!);
      return;
    case "tanh":
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
      return;
    case "asinh":
      for (let i = 0; i < n; i++) out[i] = Math.asinh(x[i]!);
      return;
    case "acosh":
      for (let i = 0; i < n; i++) out[i] = Math.acosh(x[i]!);
      return;
    case "atanh":
      for (let i = 0; i < n; i++) out[i] = Math.atanh(x[i]!);
      return;
    case "erf":
      for (let i = 0; i < n; i++) out[i] = erf(x[i]!);
      return;
    case "sigmoid":
      for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]!);
      return;
    case "softplus":
      for (let i = 0; i < n; i++) out[i] = softplus(x[i]!);
      return;
    case "relu":
      for (let i = 0; i < n; i++) out[i] = relu(x[i]!);
      return;
    case "floor":
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!);
      return;
    case "ceil":
      for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!);
      return;
    case "round":
      for (let i = 0; i < n; i++) out[i] = roundHalfEven(x[i]!);
      return;
    case "logicalNot":
      // NaN is truthy (nonzero), so logicalNot(NaN) = 0.
      for (let i = 0; i < n; i++) out[i] = x[i] === 0 ? 1 : 0;
      return;
    case "isNaN":
      for (let i = 0; i < n; i++) out[i] = Number.isNaN(x[i]) ? 1 : 0;
      return;
    case "isFinite":
      // v - v is 0 for finite v and NaN for ±Infinity and NaN.
      for (let i = 0; i < n; i++) out[i] = x[i]! - x[i]! === 0 ? 1 : 0;
      return;
  }
}

/**
 * out[o + k] = op(a[ai + k*aStep], b[bi + k*bStep]) for k < n: one strided run of a binary op.
 * Every binary call is one or more runs (step 1 for a full operand, 0 for a broadcast one).
 */
function binaryRun(
  op: BinaryOp,
  a: TypedArray,
  ai: number,
  aStep: number,
  b: TypedArray,
  bi: number,
  bStep: number,
  out: TypedArray,
  o: number,
  n: number,
): void {
  const end = o + n;
  switch (op) {
    case "add":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! + b[bi]!;
      return;
    case "sub":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! - b[bi]!;
      return;
    case "mul":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! * b[bi]!;
      return;
    case "div":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! / b[bi]!;
      return;
    case "pow":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! ** b[bi]!;
      return;
    case "max":
      // Math.max/min propagate NaN and order -0 < +0.
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = Math.max(a[ai]!, b[bi]!);
      return;
    case "min":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = Math.min(a[ai]!, b[bi]!);
      return;
    case "atan2":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = Math.atan2(a[ai]!, b[bi]!);
      return;
    case "mod":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = mod(a[ai]!, b[bi]!);
      return;
    case "eq":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai] === b[bi] ? 1 : 0;
      return;
    case "ne":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai] !== b[bi] ? 1 : 0;
      return;
    case "lt":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! < b[bi]! ? 1 : 0;
      return;
    case "le":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! <= b[bi]! ? 1 : 0;
      return;
    case "gt":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! > b[bi]! ? 1 : 0;
      return;
    case "ge":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! >= b[bi]! ? 1 : 0;
      return;
    case "and":
      // Nonzero (NaN included) is true.
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai] !== 0 && b[bi] !== 0 ? 1 : 0;
      return;
    case "or":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai] !== 0 || b[bi] !== 0 ? 1 : 0;
      return;
  }
}

/** out = op(a, b) with NumPy broadcasting to outShape. */
export function binary(
  op: BinaryOp,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  out: TypedArray,
  outShape: Shape,
): void {
  const n = sizeOf(outShape);
  if (n === 0) return;
  const na = sizeOf(aShape);
  const nb = sizeOf(bShape);
  // An operand that broadcasts to outShape with out's size has out's layout; one of size 1 is a
  // scalar. Both cases are a single run, with no stride bookkeeping.
  if ((na === n || na === 1) && (nb === n || nb === 1)) {
    binaryRun(op, a, 0, na === n ? 1 : 0, b, 0, nb === n ? 1 : 0, out, 0, n);
    return;
  }
  const { rows, len, step, iter } = planRows(outShape, [
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  const offs = iter.offsets;
  for (let r = 0; r < rows; r++) {
    binaryRun(op, a, offs[0]!, step[0]!, b, offs[1]!, step[1]!, out, r * len, len);
    iter.next();
  }
}

/** out = cond ? a : b, all broadcast to outShape. */
export function select(
  cond: Uint8Array,
  condShape: Shape,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  out: TypedArray,
  outShape: Shape,
): void {
  const n = sizeOf(outShape);
  if (n === 0) return;
  const { rows, len, step, iter } = planRows(outShape, [
    broadcastStrides(condShape, outShape),
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  const cStep = step[0]!;
  const aStep = step[1]!;
  const bStep = step[2]!;
  const offs = iter.offsets;
  for (let r = 0, o = 0; r < rows; r++) {
    let ci = offs[0]!;
    let ai = offs[1]!;
    let bi = offs[2]!;
    for (const end = o + len; o < end; o++, ci += cStep, ai += aStep, bi += bStep) {
      out[o] = cond[ci] !== 0 ? a[ai]! : b[bi]!;
    }
    iter.next();
  }
}

/**
 * Elementwise dtype conversion into out's dtype. To bool: x != 0 (NaN is true). To int32: the
 * typed-array store itself truncates toward zero and maps NaN and ±Infinity to 0 (out-of-range
 * values wrap modulo 2^32, as C casts leave them undefined). Between floats the store rounds.
 */
export function cast(x: TypedArray, out: TypedArray): void {
  if (out instanceof Uint8Array) {
    // A plain store would wrap modulo 256 (0.5 -> 0, 256 -> 0), so test explicitly.
    for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
    return;
  }
  out.set(x);
}
