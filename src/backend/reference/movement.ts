/**
 * @file Reference data-movement kernels: transpose, broadcastTo, slice, pad, concat, flip.
 *
 * Each is a strided copy: the kernel only works out where the source view starts and how it
 * strides (permuted, zero, stepped or negated strides), and `stridedCopy` does the walking.
 */

import type { TypedArray } from "../../core/dtype.js";
import type { Shape } from "../backend.js";
import { broadcastStrides, rowMajorStrides, sizeOf, stridedCopy } from "./strides.js";

/** out.shape[i] = shape[perm[i]]: read x with its strides permuted. */
export function transpose(
  x: TypedArray,
  shape: Shape,
  perm: readonly number[],
  out: TypedArray,
): void {
  const xStrides = rowMajorStrides(shape);
  const outShape = perm.map((p) => shape[p]!);
  const src = perm.map((p) => xStrides[p]!);
  stridedCopy(outShape, x, 0, src, out, 0, rowMajorStrides(outShape));
}

/** Read x with zero strides on the stretched and added axes. */
export function broadcastTo(x: TypedArray, shape: Shape, outShape: Shape, out: TypedArray): void {
  if (sizeOf(shape) === 1) {
    out.fill(x[0]!, 0, sizeOf(outShape));
    return;
  }
  stridedCopy(outShape, x, 0, broadcastStrides(shape, outShape), out, 0, rowMajorStrides(outShape));
}

/** out = x[begin : begin + size*step : step] per axis: a view starting at begin, strides scaled. */
export function slice(
  x: TypedArray,
  shape: Shape,
  begin: readonly number[],
  size: readonly number[],
  step: readonly number[],
  out: TypedArray,
): void {
  const xStrides = rowMajorStrides(shape);
  let off = 0;
  const src = new Array<number>(shape.length);
  for (let d = 0; d < shape.length; d++) {
    off += begin[d]! * xStrides[d]!;
    src[d] = step[d]! * xStrides[d]!;
  }
  stridedCopy(size, x, off, src, out, 0, rowMajorStrides(size));
}

/** Fill out with `value`, then copy x into the window that starts `before` into each axis. */
export function pad(
  x: TypedArray,
  shape: Shape,
  widths: readonly (readonly [number, number])[],
  value: number,
  out: TypedArray,
): void {
  const outShape = shape.map((n, d) => n + widths[d]![0] + widths[d]![1]);
  const outStrides = rowMajorStrides(outShape);
  out.fill(value, 0, sizeOf(outShape));
  let off = 0;
  for (let d = 0; d < shape.length; d++) off += widths[d]![0] * outStrides[d]!;
  stridedCopy(shape, x, 0, rowMajorStrides(shape), out, off, outStrides);
}

/** Copy each input into its window of out, the windows following each other along `axis`. */
export function concat(
  xs: readonly TypedArray[],
  shapes: readonly Shape[],
  axis: number,
  out: TypedArray,
): void {
  if (xs.length === 0) return;
  const outShape = shapes[0]!.slice();
  let total = 0;
  for (const s of shapes) total += s[axis]!;
  outShape[axis] = total;
  const outStrides = rowMajorStrides(outShape);
  let at = 0;
  for (let i = 0; i < xs.length; i++) {
    const shape = shapes[i]!;
    stridedCopy(shape, xs[i]!, 0, rowMajorStrides(shape), out, at * outStrides[axis]!, outStrides);
    at += shape[axis]!;
  }
}

/** Read x from the far end of each flipped axis with that axis's stride negated. */
export function flip(x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  const strides = rowMajorStrides(shape);
  const src = strides.slice();
  let off = 0;
  for (const a of axes) {
    off += (shape[a]! - 1) * strides[a]!;
    src[a] = -strides[a]!;
  }
  // With a size-0 axis there is nothing to copy (and `off` could be negative).
  if (sizeOf(shape) === 0) return;
  stridedCopy(shape, x, off, src, out, 0, strides);
}
