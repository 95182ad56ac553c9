/**
 * @file Monomorphic float32 select, reduction, transpose and thin-product kernels of the fast
 * backend: a copy of f64.ts with `Arr` bound to Float32Array, so these loops get their own inline
 * caches and only ever see Float32Array. Edit f64.ts and copy its body here (the tests check
 * that only this header and the `Arr` line differ); the elementwise loops are generated
 * (src/elementwise). Arithmetic happens in float64 and rounds on each store, as in the reference.
 */

import { unreachable } from "../../core/unreachable.js";
import { foldIdentity } from "../reference/reduce.js";

type Arr = Float32Array;

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
      default:
        unreachable(op, "reduction");
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
  acc.fill(foldIdentity(op), 0, inner);
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
      default:
        unreachable(op, "reduction");
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
  // Four outputs at a time, each its own sum in increasing p: the same additions in the same
  // order as one output at a time (so the same bits), with four independent chains of adds in
  // flight instead of one (a dot product is bound by the latency of its adds).
  if (n === 1) {
    // Matrix-vector: four rows at a time.
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = i * aRow;
      const a1 = a0 + aRow;
      const a2 = a1 + aRow;
      const a3 = a2 + aRow;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const bp = b[p * bRow]!;
        const q = p * aCol;
        s0 += a[a0 + q]! * bp;
        s1 += a[a1 + q]! * bp;
        s2 += a[a2 + q]! * bp;
        s3 += a[a3 + q]! * bp;
      }
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
    for (; i < m; i++) {
      const ai = i * aRow;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * aCol]! * b[p * bRow]!;
      out[i] = s;
    }
    return;
  }
  if (k === 1) {
    // An outer product: one product per output (0 + x, as the sum from 0 gives: never -0).
    for (let i = 0; i < m; i++) {
      const ai = a[i * aRow]!;
      const o = i * n;
      for (let j = 0; j < n; j++) out[o + j] = 0 + ai * b[j * bCol]!;
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ai = i * aRow;
    const o = i * n;
    let j = 0;
    // Vector-matrix (m = 1): four columns at a time.
    for (; j + 4 <= n; j += 4) {
      const b0 = j * bCol;
      const b1 = b0 + bCol;
      const b2 = b1 + bCol;
      const b3 = b2 + bCol;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const ap = a[ai + p * aCol]!;
        const q = p * bRow;
        s0 += ap * b[b0 + q]!;
        s1 += ap * b[b1 + q]!;
        s2 += ap * b[b2 + q]!;
        s3 += ap * b[b3 + q]!;
      }
      out[o + j] = s0;
      out[o + j + 1] = s1;
      out[o + j + 2] = s2;
      out[o + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bj = j * bCol;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * aCol]! * b[bj + p * bRow]!;
      out[o + j] = s;
    }
  }
}
