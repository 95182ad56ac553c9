/**
 * @file Reference gather and scatterAdd along one axis.
 *
 * Both view x as [outer, axisLen, inner] and the indexed side as [outer, nIndices, inner]: each
 * index selects a contiguous block of `inner` elements, so the work is block copies or adds.
 */

import type { TypedArray } from "../../core/dtype.js";
import type { Shape } from "../backend.js";
import { sizeOf } from "./strides.js";

/** Blocks at least this long are copied natively (subarray + set) rather than element by element. */
const NATIVE_COPY_MIN = 64;

/** out[p, q, r] = x[p, indices[q], r]. */
export function gather(
  x: TypedArray,
  shape: Shape,
  indices: Int32Array,
  indicesShape: Shape,
  axis: number,
  out: TypedArray,
): void {
  const axisLen = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const nIdx = sizeOf(indicesShape);
  if (inner === 0) return;
  let dst = 0;
  for (let p = 0; p < outer; p++) {
    const base = p * axisLen;
    for (let q = 0; q < nIdx; q++, dst += inner) {
      const src = (base + indices[q]!) * inner;
      if (inner >= NATIVE_COPY_MIN) {
        out.set(x.subarray(src, src + inner), dst);
      } else {
        for (let r = 0; r < inner; r++) out[dst + r] = x[src + r]!;
      }
    }
  }
}

/**
 * out = x, then out[p, indices[q], r] += updates[p, q, r]. Duplicate indices accumulate in
 * order of q, in out's own precision (like NumPy's `np.add.at`).
 */
export function scatterAdd(
  x: TypedArray,
  shape: Shape,
  indices: Int32Array,
  indicesShape: Shape,
  updates: TypedArray,
  axis: number,
  out: TypedArray,
): void {
  out.set(x.subarray(0, sizeOf(shape)));
  const axisLen = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const nIdx = sizeOf(indicesShape);
  let src = 0;
  for (let p = 0; p < outer; p++) {
    const base = p * axisLen;
    for (let q = 0; q < nIdx; q++, src += inner) {
      const dst = (base + indices[q]!) * inner;
      for (let r = 0; r < inner; r++) out[dst + r]! += updates[src + r]!;
    }
  }
}
