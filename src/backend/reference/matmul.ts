/**
 * @file Reference batched matrix product with optional transposes and broadcast batch dims.
 *
 * Float products accumulate in float64 (also for float32 data) by simple summation over the
 * inner dimension in increasing order, whichever loop order is used, so results do not depend on
 * the transpose flags. int32 products wrap modulo 2^32 exactly, as int32 arithmetic does.
 */

import type { TypedArray } from "../../core/dtype.js";
import type { Shape } from "../backend.js";
import { broadcastStrides, Odometer, rowMajorStrides, sizeOf } from "./strides.js";

/** Where op(A)[i, p] and op(B)[p, j] live inside one matrix: i*aRow + p*aCol, p*bRow + j*bCol. */
interface Layout {
  m: number;
  n: number;
  k: number;
  aRow: number;
  aCol: number;
  bRow: number;
  bCol: number;
}

/** Batch strides of a [...batch, r, c] operand read as broadcast to batchShape. */
function batchStrides(shape: Shape, batchShape: Shape): number[] {
  const nb = shape.length - 2;
  return broadcastStrides(shape.slice(0, nb), batchShape, rowMajorStrides(shape).slice(0, nb));
}

export function matmul(
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
  out: TypedArray,
  outShape: Shape,
): void {
  const ra = aShape.length;
  const ro = outShape.length;
  const m = outShape[ro - 2]!;
  const n = outShape[ro - 1]!;
  const k = transA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const L: Layout = {
    m,
    n,
    k,
    aRow: transA ? 1 : k,
    aCol: transA ? m : 1,
    bRow: transB ? 1 : n,
    bCol: transB ? k : 1,
  };
  const batchShape = outShape.slice(0, ro - 2);
  const batches = sizeOf(batchShape);
  const mn = m * n;
  if (mn === 0 || batches === 0) return;
  const iter = new Odometer(
    batchShape,
    [batchStrides(aShape, batchShape), batchStrides(bShape, batchShape)],
    [0, 0],
  );
  const offs = iter.offsets;
  const isInt = out instanceof Int32Array;
  const row = new Float64Array(n);
  for (let t = 0; t < batches; t++) {
    if (isInt) matmulInt(L, a, offs[0]!, b, offs[1]!, out, t * mn);
    else if (transB) matmulDot(L, a, offs[0]!, b, offs[1]!, out, t * mn);
    else matmulRows(L, a, offs[0]!, b, offs[1]!, out, t * mn, row);
    iter.next();
  }
}

/**
 * B not transposed (its rows contiguous): i-p-j order, adding a[i, p] * B[p, :] into a float64
 * row, so the innermost loop streams through B and the accumulator.
 */
function matmulRows(
  L: Layout,
  a: TypedArray,
  ao: number,
  b: TypedArray,
  bo: number,
  out: TypedArray,
  oo: number,
  row: Float64Array,
): void {
  const { m, n, k, aRow, aCol, bRow } = L;
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const ai = ao + i * aRow;
    for (let p = 0; p < k; p++) {
      // No skipping of zero a[i, p]: 0 * NaN and 0 * Infinity must still poison the sum.
      const aip = a[ai + p * aCol]!;
      const bp = bo + p * bRow;
      for (let j = 0; j < n; j++) row[j]! += aip * b[bp + j]!;
    }
    const o = oo + i * n;
    for (let j = 0; j < n; j++) out[o + j] = row[j]!;
  }
}

/** B transposed (its columns contiguous): i-j-p dot products, each a float64 local. */
function matmulDot(
  L: Layout,
  a: TypedArray,
  ao: number,
  b: TypedArray,
  bo: number,
  out: TypedArray,
  oo: number,
): void {
  const { m, n, k, aRow, aCol, bCol } = L;
  for (let i = 0; i < m; i++) {
    const ai = ao + i * aRow;
    for (let j = 0; j < n; j++) {
      const bj = bo + j * bCol;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * aCol]! * b[bj + p]!;
      out[oo + i * n + j] = s;
    }
  }
}

/** int32: a plain triple loop in wrapping 32-bit arithmetic (a float64 sum could lose bits). */
function matmulInt(
  L: Layout,
  a: TypedArray,
  ao: number,
  b: TypedArray,
  bo: number,
  out: TypedArray,
  oo: number,
): void {
  const { m, n, k, aRow, aCol, bRow, bCol } = L;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s = (s + Math.imul(a[ao + i * aRow + p * aCol]!, b[bo + p * bRow + j * bCol]!)) | 0;
      }
      out[oo + i * n + j] = s;
    }
  }
}
