/**
 * @file Monomorphic float32 kernels of the fast backend: a copy of f64.ts with `Arr` bound to
 * Float32Array, so these loops get their own inline caches and only ever see Float32Array.
 * Edit f64.ts and regenerate this file (the tests check that only this header and the `Arr`
 * line differ). Arithmetic happens in float64 and rounds on each store, as in the reference.
 */

import type { BinaryOp, UnaryOp } from "../backend.js";
import { mod, relu, roundHalfEven, sigmoid, softplus } from "../reference/elementwise.js";
import { erf } from "../reference/erf.js";

type Arr = Float32Array;

/** out[i] = op(x[i]) for the float-to-float unary ops. */
export function unary(op: UnaryOp, x: Arr, out: Arr): boolean {
  const n = x.length;
  switch (op) {
    case "neg":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = -x[i]!;
          out[i + 1] = -x[i + 1]!;
          out[i + 2] = -x[i + 2]!;
          out[i + 3] = -x[i + 3]!;
        }
        for (; i < n; i++) out[i] = -x[i]!;
      }
      return true;
    case "abs":
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return true;
    case "sign":
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
      return true;
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return true;
    case "log":
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return true;
    case "log1p":
      for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]!);
      return true;
    case "expm1":
      for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]!);
      return true;
    case "sqrt":
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      return true;
    case "rsqrt":
      for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]!);
      return true;
    case "square":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = x[i]! * x[i]!;
          out[i + 1] = x[i + 1]! * x[i + 1]!;
          out[i + 2] = x[i + 2]! * x[i + 2]!;
          out[i + 3] = x[i + 3]! * x[i + 3]!;
        }
        for (; i < n; i++) out[i] = x[i]! * x[i]!;
      }
      return true;
    case "reciprocal":
      for (let i = 0; i < n; i++) out[i] = 1 / x[i]!;
      return true;
    case "sin":
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!);
      return true;
    case "cos":
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!);
      return true;
    case "tan":
      for (let i = 0; i < n; i++) out[i] = Math.tan(x[i]!);
      return true;
    case "asin":
      for (let i = 0; i < n; i++) out[i] = Math.asin(x[i]!);
      return true;
    case "acos":
      for (let i = 0; i < n; i++) out[i] = Math.acos(x[i]!);
      return true;
    case "atan":
      for (let i = 0; i < n; i++) out[i] = Math.atan(x[i]!);
      return true;
    case "sinh":
      for (let i = 0; i < n; i++) out[i] = Math.sinh(x[i]!);
      return true;
    case "cosh":
      for (let i = 0; i < n; i++) out[i] = Math.cosh(x[i]!);
      return true;
    case "tanh":
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
      return true;
    case "asinh":
      for (let i = 0; i < n; i++) out[i] = Math.asinh(x[i]!);
      return true;
    case "acosh":
      for (let i = 0; i < n; i++) out[i] = Math.acosh(x[i]!);
      return true;
    case "atanh":
      for (let i = 0; i < n; i++) out[i] = Math.atanh(x[i]!);
      return true;
    case "erf":
      for (let i = 0; i < n; i++) out[i] = erf(x[i]!);
      return true;
    case "sigmoid":
      for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]!);
      return true;
    case "softplus":
      for (let i = 0; i < n; i++) out[i] = softplus(x[i]!);
      return true;
    case "relu":
      for (let i = 0; i < n; i++) out[i] = relu(x[i]!);
      return true;
    case "floor":
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!);
      return true;
    case "ceil":
      for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!);
      return true;
    case "round":
      for (let i = 0; i < n; i++) out[i] = roundHalfEven(x[i]!);
      return true;
    default:
      // logicalNot, isNaN, isFinite write bool: not a float-to-float loop.
      return false;
  }
}

/** out[i] = op(a[i], b[i]), i < n: equal shapes, no index arithmetic beyond i. */
export function binaryContig(op: BinaryOp, a: Arr, b: Arr, out: Arr, n: number): boolean {
  switch (op) {
    case "add":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = a[i]! + b[i]!;
          out[i + 1] = a[i + 1]! + b[i + 1]!;
          out[i + 2] = a[i + 2]! + b[i + 2]!;
          out[i + 3] = a[i + 3]! + b[i + 3]!;
        }
        for (; i < n; i++) out[i] = a[i]! + b[i]!;
      }
      return true;
    case "sub":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = a[i]! - b[i]!;
          out[i + 1] = a[i + 1]! - b[i + 1]!;
          out[i + 2] = a[i + 2]! - b[i + 2]!;
          out[i + 3] = a[i + 3]! - b[i + 3]!;
        }
        for (; i < n; i++) out[i] = a[i]! - b[i]!;
      }
      return true;
    case "mul":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = a[i]! * b[i]!;
          out[i + 1] = a[i + 1]! * b[i + 1]!;
          out[i + 2] = a[i + 2]! * b[i + 2]!;
          out[i + 3] = a[i + 3]! * b[i + 3]!;
        }
        for (; i < n; i++) out[i] = a[i]! * b[i]!;
      }
      return true;
    case "div":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = a[i]! / b[i]!;
          out[i + 1] = a[i + 1]! / b[i + 1]!;
          out[i + 2] = a[i + 2]! / b[i + 2]!;
          out[i + 3] = a[i + 3]! / b[i + 3]!;
        }
        for (; i < n; i++) out[i] = a[i]! / b[i]!;
      }
      return true;
    case "pow":
      for (let i = 0; i < n; i++) out[i] = a[i]! ** b[i]!;
      return true;
    case "max":
      for (let i = 0; i < n; i++) out[i] = Math.max(a[i]!, b[i]!);
      return true;
    case "min":
      for (let i = 0; i < n; i++) out[i] = Math.min(a[i]!, b[i]!);
      return true;
    case "atan2":
      for (let i = 0; i < n; i++) out[i] = Math.atan2(a[i]!, b[i]!);
      return true;
    case "mod":
      for (let i = 0; i < n; i++) out[i] = mod(a[i]!, b[i]!);
      return true;
    default:
      return false;
  }
}

/** out[i] = op(s, b[i]): a scalar left operand, read once. */
export function binaryScalarA(op: BinaryOp, s: number, b: Arr, out: Arr, n: number): boolean {
  switch (op) {
    case "add":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = s + b[i]!;
          out[i + 1] = s + b[i + 1]!;
          out[i + 2] = s + b[i + 2]!;
          out[i + 3] = s + b[i + 3]!;
        }
        for (; i < n; i++) out[i] = s + b[i]!;
      }
      return true;
    case "sub":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = s - b[i]!;
          out[i + 1] = s - b[i + 1]!;
          out[i + 2] = s - b[i + 2]!;
          out[i + 3] = s - b[i + 3]!;
        }
        for (; i < n; i++) out[i] = s - b[i]!;
      }
      return true;
    case "mul":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = s * b[i]!;
          out[i + 1] = s * b[i + 1]!;
          out[i + 2] = s * b[i + 2]!;
          out[i + 3] = s * b[i + 3]!;
        }
        for (; i < n; i++) out[i] = s * b[i]!;
      }
      return true;
    case "div":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = s / b[i]!;
          out[i + 1] = s / b[i + 1]!;
          out[i + 2] = s / b[i + 2]!;
          out[i + 3] = s / b[i + 3]!;
        }
        for (; i < n; i++) out[i] = s / b[i]!;
      }
      return true;
    case "pow":
      for (let i = 0; i < n; i++) out[i] = s ** b[i]!;
      return true;
    case "max":
      for (let i = 0; i < n; i++) out[i] = Math.max(s, b[i]!);
      return true;
    case "min":
      for (let i = 0; i < n; i++) out[i] = Math.min(s, b[i]!);
      return true;
    case "atan2":
      for (let i = 0; i < n; i++) out[i] = Math.atan2(s, b[i]!);
      return true;
    case "mod":
      for (let i = 0; i < n; i++) out[i] = mod(s, b[i]!);
      return true;
    default:
      return false;
  }
}

/** out[i] = op(a[i], s): a scalar right operand, read once. */
export function binaryScalarB(op: BinaryOp, a: Arr, s: number, out: Arr, n: number): boolean {
  switch (op) {
    case "add":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = a[i]! + s;
          out[i + 1] = a[i + 1]! + s;
          out[i + 2] = a[i + 2]! + s;
          out[i + 3] = a[i + 3]! + s;
        }
        for (; i < n; i++) out[i] = a[i]! + s;
      }
      return true;
    case "sub":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = a[i]! - s;
          out[i + 1] = a[i + 1]! - s;
          out[i + 2] = a[i + 2]! - s;
          out[i + 3] = a[i + 3]! - s;
        }
        for (; i < n; i++) out[i] = a[i]! - s;
      }
      return true;
    case "mul":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = a[i]! * s;
          out[i + 1] = a[i + 1]! * s;
          out[i + 2] = a[i + 2]! * s;
          out[i + 3] = a[i + 3]! * s;
        }
        for (; i < n; i++) out[i] = a[i]! * s;
      }
      return true;
    case "div":
      {
        let i = 0;
        for (const e = n - 3; i < e; i += 4) {
          out[i] = a[i]! / s;
          out[i + 1] = a[i + 1]! / s;
          out[i + 2] = a[i + 2]! / s;
          out[i + 3] = a[i + 3]! / s;
        }
        for (; i < n; i++) out[i] = a[i]! / s;
      }
      return true;
    case "pow":
      for (let i = 0; i < n; i++) out[i] = a[i]! ** s;
      return true;
    case "max":
      for (let i = 0; i < n; i++) out[i] = Math.max(a[i]!, s);
      return true;
    case "min":
      for (let i = 0; i < n; i++) out[i] = Math.min(a[i]!, s);
      return true;
    case "atan2":
      for (let i = 0; i < n; i++) out[i] = Math.atan2(a[i]!, s);
      return true;
    case "mod":
      for (let i = 0; i < n; i++) out[i] = mod(a[i]!, s);
      return true;
    default:
      return false;
  }
}

/** out[o + k] = op(a[ai + k*aStep], b[bi + k*bStep]), k < n: one strided run (step 0 = broadcast). */
export function binaryRun(
  op: BinaryOp,
  a: Arr,
  ai: number,
  aStep: number,
  b: Arr,
  bi: number,
  bStep: number,
  out: Arr,
  o: number,
  n: number,
): boolean {
  const end = o + n;
  switch (op) {
    case "add":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! + b[bi]!;
      return true;
    case "sub":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! - b[bi]!;
      return true;
    case "mul":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! * b[bi]!;
      return true;
    case "div":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! / b[bi]!;
      return true;
    case "pow":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = a[ai]! ** b[bi]!;
      return true;
    case "max":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = Math.max(a[ai]!, b[bi]!);
      return true;
    case "min":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = Math.min(a[ai]!, b[bi]!);
      return true;
    case "atan2":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = Math.atan2(a[ai]!, b[bi]!);
      return true;
    case "mod":
      for (; o < end; o++, ai += aStep, bi += bStep) out[o] = mod(a[ai]!, b[bi]!);
      return true;
    default:
      return false;
  }
}

/**
 * `rows` runs of `len`: row r reads a from r*aRow and b from r*bRow with steps aStep, bStep and
 * writes out[r*len ...]. Covers [n, m] op [m] (bRow 0, bStep 1) and [n, m] op [n, 1] (bRow 1,
 * bStep 0) without an odometer.
 */
export function binaryRows(
  op: BinaryOp,
  a: Arr,
  aRow: number,
  aStep: number,
  b: Arr,
  bRow: number,
  bStep: number,
  out: Arr,
  rows: number,
  len: number,
): boolean {
  for (let r = 0; r < rows; r++) {
    if (!binaryRun(op, a, r * aRow, aStep, b, r * bRow, bStep, out, r * len, len)) return false;
  }
  return true;
}

/** out[o + k] = cond[ci + k*cStep] !== 0 ? a[...] : b[...], k < n: one strided run of select. */
export function selectRun(
  cond: Uint8Array,
  ci: number,
  cStep: number,
  a: Arr,
  ai: number,
  aStep: number,
  b: Arr,
  bi: number,
  bStep: number,
  out: Arr,
  o: number,
  n: number,
): void {
  for (const end = o + n; o < end; o++, ci += cStep, ai += aStep, bi += bStep) {
    out[o] = cond[ci] !== 0 ? a[ai]! : b[bi]!;
  }
}

/** The accumulating reductions handled here (argmax/argmin write int32: base backend). */
export type FoldOp = "sum" | "prod" | "max" | "min";

/**
 * Reduce each of `rows` contiguous runs of `len` into out[r]: a float64 local folded left to
 * right from the op's identity, exactly the reference's order (sum starts at +0, so a sum of -0s
 * is +0 there too).
 */
export function reduceLast(op: FoldOp, x: Arr, rows: number, len: number, out: Arr): void {
  for (let r = 0, xi = 0; r < rows; r++) {
    const end = xi + len;
    let s: number;
    switch (op) {
      case "sum":
        s = 0;
        // Unrolled like the elementwise loops; `s + x0 + x1 + ...` still adds left to right.
        for (const e = end - 3; xi < e; xi += 4)
          s = s + x[xi]! + x[xi + 1]! + x[xi + 2]! + x[xi + 3]!;
        for (; xi < end; xi++) s += x[xi]!;
        break;
      case "prod":
        s = 1;
        for (; xi < end; xi++) s *= x[xi]!;
        break;
      case "max":
        s = -Infinity;
        for (; xi < end; xi++) s = Math.max(s, x[xi]!);
        break;
      case "min":
        s = Infinity;
        for (; xi < end; xi++) s = Math.min(s, x[xi]!);
        break;
    }
    out[r] = s;
  }
}

/**
 * Float64 scratch accumulator for reduceFirst (kernels are synchronous, so one suffices), grown
 * on demand up to SCRATCH_MAX elements; a wider reduction allocates its own rather than keep a
 * large buffer alive for the rest of the process.
 */
let scratch = new Float64Array(64);
const SCRATCH_MAX = 1 << 16;

/**
 * Reduce the leading `outer` rows of `inner` elements into out[0 .. inner): acc[j] folds
 * x[p*inner + j] for p = 0, 1, ... in order, as the reference's vector fold does; rows are
 * read contiguously.
 */
export function reduceFirst(op: FoldOp, x: Arr, outer: number, inner: number, out: Arr): void {
  if (scratch.length < inner && inner <= SCRATCH_MAX) {
    scratch = new Float64Array(Math.min(SCRATCH_MAX, Math.max(inner, 2 * scratch.length)));
  }
  const acc = inner <= scratch.length ? scratch : new Float64Array(inner);
  const init = op === "sum" ? 0 : op === "prod" ? 1 : op === "max" ? -Infinity : Infinity;
  acc.fill(init, 0, inner);
  for (let p = 0, xi = 0; p < outer; p++, xi += inner) {
    switch (op) {
      case "sum":
        for (let j = 0; j < inner; j++) acc[j]! += x[xi + j]!;
        break;
      case "prod":
        for (let j = 0; j < inner; j++) acc[j]! *= x[xi + j]!;
        break;
      case "max":
        for (let j = 0; j < inner; j++) acc[j] = Math.max(acc[j]!, x[xi + j]!);
        break;
      case "min":
        for (let j = 0; j < inner; j++) acc[j] = Math.min(acc[j]!, x[xi + j]!);
        break;
    }
  }
  for (let j = 0; j < inner; j++) out[j] = acc[j]!;
}

/** out = x^T for a [rows, cols] matrix, written in out's order (reads stride `cols`). */
export function transpose2d(x: Arr, rows: number, cols: number, out: Arr): void {
  for (let j = 0, o = 0; j < cols; j++) {
    for (let i = 0, xi = j; i < rows; i++, xi += cols, o++) out[o] = x[xi]!;
  }
}

/**
 * A 2-d product with one output column, one output row or one inner step (matrix-vector,
 * vector-matrix and outer products): op(A)[i, p] = a[i*aRow + p*aCol], op(B)[p, j] =
 * b[p*bRow + j*bCol]. Dot products in float64 in increasing p, exactly as the reference sums, so
 * results are bit-identical to it; no zero is skipped (0 * NaN stays NaN).
 */
export function matmulThin(
  a: Arr,
  aRow: number,
  aCol: number,
  b: Arr,
  bRow: number,
  bCol: number,
  out: Arr,
  m: number,
  n: number,
  k: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = i * aRow;
    const o = i * n;
    for (let j = 0; j < n; j++) {
      const bj = j * bCol;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * aCol]! * b[bj + p * bRow]!;
      out[o + j] = s;
    }
  }
}
