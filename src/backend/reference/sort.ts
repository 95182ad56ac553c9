/**
 * @file Reference argsort: a stable sort of every row along one axis, NaN last (NumPy's order).
 *
 * x is viewed as [outer, n, inner]; each of the outer * inner rows (stride `inner`) is copied into
 * a contiguous float64 key buffer, sorted by a bottom-up merge sort on an index array, and the
 * indices written back with the same stride. Merge sort is stable by construction and O(n log n)
 * in the worst case, which a plain quicksort is not.
 */

import type { TypedArray } from "../../core/dtype.js";
import type { Shape } from "../backend.js";
import { sizeOf } from "./strides.js";

/** Runs shorter than this are sorted by insertion before merging (fewer passes, same result). */
const RUN = 16;

/**
 * out = the indices that sort x along `axis`, stably: equal keys keep their original order.
 * Ascending puts NaN after every number (+Infinity included), as NumPy does; descending is the
 * same order reversed among the numbers, NaN first (NaN counts as the largest value), ties still
 * in original order. -0 and +0 are equal. out has x's shape and is int32.
 *
 * @param x the values (any dtype; bool and int32 simply have no NaN)
 * @param shape x's shape
 * @param axis the sorted axis, in [0, shape.length)
 * @param descending largest first
 * @param out int32 storage of x's size, written in full
 */
export function argsort(
  x: TypedArray,
  shape: Shape,
  axis: number,
  descending: boolean,
  out: Int32Array,
): void {
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  if (n === 0 || inner === 0 || outer === 0) return;
  const keys = new Float64Array(n);
  const idx = new Int32Array(n);
  const tmp = new Int32Array(n);
  const nans = new Int32Array(n);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const base = o * n * inner + r;
      // NaNs are set aside (in order) and put back at the end (ascending) or the front
      // (descending); the rest is sorted by plain comparisons. Descending sorts the negated keys
      // ascending, which keeps ties in their original order (a reversed ascending sort would not).
      let m = 0;
      let nNaN = 0;
      for (let k = 0; k < n; k++) {
        const v = x[base + k * inner]!;
        if (Number.isNaN(v)) {
          nans[nNaN++] = k;
        } else {
          keys[k] = descending ? -v : v;
          idx[m++] = k;
        }
      }
      const sorted = mergeSort(keys, idx, tmp, m);
      let at = base;
      if (descending) for (let k = 0; k < nNaN; k++, at += inner) out[at] = nans[k]!;
      for (let k = 0; k < m; k++, at += inner) out[at] = sorted[k]!;
      if (!descending) for (let k = 0; k < nNaN; k++, at += inner) out[at] = nans[k]!;
    }
  }
}

/**
 * Sorts idx[0..m) by keys[idx[i]] ascending, stably; `tmp` is scratch of the same length.
 * Returns whichever of the two buffers holds the result.
 */
function mergeSort(keys: Float64Array, idx: Int32Array, tmp: Int32Array, m: number): Int32Array {
  for (let lo = 0; lo < m; lo += RUN) insertionSort(keys, idx, lo, Math.min(lo + RUN, m));
  let src = idx;
  let dst = tmp;
  for (let width = RUN; width < m; width *= 2) {
    for (let lo = 0; lo < m; lo += 2 * width) {
      const mid = Math.min(lo + width, m);
      const hi = Math.min(lo + 2 * width, m);
      let i = lo;
      let j = mid;
      let k = lo;
      // Take from the left run unless the right one is strictly smaller: that is the stability.
      while (i < mid && j < hi) {
        dst[k++] = keys[src[j]!]! < keys[src[i]!]! ? src[j++]! : src[i++]!;
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/** Stable insertion sort of idx[lo..hi) by key: an element moves left only past strictly larger keys. */
function insertionSort(keys: Float64Array, idx: Int32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const cur = idx[i]!;
    const key = keys[cur]!;
    let j = i - 1;
    while (j >= lo && keys[idx[j]!]! > key) {
      idx[j + 1] = idx[j]!;
      j--;
    }
    idx[j + 1] = cur;
  }
}
