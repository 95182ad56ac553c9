/**
 * @file roll (one gather with a fixed permutation) and NumPy's index-form splits: arraySplit,
 * hsplit, vsplit, dsplit. `split` (shape.ts) keeps its sizes form; these take split points.
 */

import { tensor, toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { normalizeAxis } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { slice, take } from "./shape.js";

/** `v` as a list of integers (a number is a list of one), or a ValueError naming `arg`. */
function intList(op: string, arg: string, v: unknown): number[] {
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list) || !list.every((k) => Number.isInteger(k))) {
    throw new ValueError(
      `${op}: ${arg} must be an integer or an array of integers; got ${describeValue(v)}`,
    );
  }
  return list.slice();
}

/**
 * Rolls the elements of x along `axis` by `shift`: an element at position i moves to
 * i + shift, and elements that leave one end come back at the other (NumPy, JAX). Without an
 * axis the flattened array is rolled and the shape restored. `shift` and `axis` may be arrays,
 * broadcast against each other (a single shift applies to every axis listed; shifts of a
 * repeated axis add up). Negative shifts roll toward the start.
 *
 * It is one gather with a fixed permutation (not slices and a concatenation), so the tape keeps
 * only the permutation; its derivative is the roll back, in both modes and at every order.
 * @param x - The tensor to roll.
 * @param shift - Positions to roll by: an integer, or one per axis.
 * @param axis - The axis or axes (negative counts from the end); omitted or null: the flattened
 *   array.
 * @throws {@link ValueError} when a shift is not an integer, an axis is out of range, or `shift`
 *   and `axis` are arrays of different lengths.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.roll(ad.tensor([1, 2, 3, 4, 5]), 2); // => tensor([4., 5., 1., 2., 3.], dtype=float32)
 * ad.roll(ad.tensor([1, 2, 3, 4, 5]), -1); // => tensor([2., 3., 4., 5., 1.], dtype=float32)
 * const m = ad.tensor([[1, 2, 3], [4, 5, 6]]);
 * ad.roll(m, 1, 1); // => tensor([[3., 1., 2.], [6., 4., 5.]], dtype=float32)
 * ad.roll(m, [1, 1], [0, 1]); // => tensor([[6., 4., 5.], [3., 1., 2.]], dtype=float32)
 * ad.roll(m, 1); // => tensor([[6., 1., 2.], [3., 4., 5.]], dtype=float32)
 * ```
 * @category Shape
 */
export function roll(
  x: TensorLike,
  shift: number | readonly number[],
  axis?: number | readonly number[] | null,
): Tensor {
  const op = "roll";
  const t = toTensor(x);
  const shifts = intList(op, "shift", shift);
  const flat = axis === undefined || axis === null;
  const ndim = flat ? 1 : t.ndim;
  const axes = flat ? [0] : intList(op, "axis", axis).map((a) => normalizeAxis(op, a, t.ndim));
  if (shifts.length !== axes.length && shifts.length !== 1 && axes.length !== 1) {
    throw new ValueError(
      `${op}: shift and axis must have the same length (or one of them a single value); got ${shifts.length} shifts and ${axes.length} axes`,
    );
  }
  const shape = flat ? [t.size] : t.shape;
  const total = new Array<number>(ndim).fill(0);
  const pairs = Math.max(shifts.length, axes.length);
  for (let k = 0; k < pairs; k++) {
    const a = axes[axes.length === 1 ? 0 : k]!;
    total[a]! += shifts[shifts.length === 1 ? 0 : k]!;
  }
  // The effective shift of each axis, in [0, n).
  const by = total.map((s, d) => {
    const n = shape[d]!;
    return n === 0 ? 0 : ((s % n) + n) % n;
  });
  const moved = by.flatMap((s, d) => (s === 0 ? [] : [d]));
  if (moved.length === 0 || t.size === 0) return t;
  if (moved.length === 1 && !flat) {
    // One axis: gather along it.
    const d = moved[0]!;
    const n = shape[d]!;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = (i - by[d]! + n) % n;
    return take(t, tensor(idx), d);
  }
  // Several axes (or the flattened array): one gather from the flattened array, whose indices
  // have x's shape, so the result needs no reshape.
  const size = t.size;
  const perm = new Int32Array(size);
  const dims = t.shape;
  const srcShape = flat ? [size] : dims;
  const strides = new Array<number>(srcShape.length);
  let acc = 1;
  for (let d = srcShape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= srcShape[d]!;
  }
  for (let i = 0; i < size; i++) {
    let rest = i;
    let src = 0;
    for (let d = srcShape.length - 1; d >= 0; d--) {
      const n = srcShape[d]!;
      const k = rest % n;
      rest = (rest - k) / n;
      src += ((k - by[d]! + n) % n) * strides[d]!;
    }
    perm[i] = src;
  }
  return take(t, tensor(perm, { shape: dims }));
}

/**
 * The pieces of x along `axis` between split points (NumPy's index form): `[2, 5]` gives
 * x[:2], x[2:5], x[5:]; points count from the end when negative, are clipped to the axis, and
 * a point before the previous one gives an empty piece (Python slicing). Or, a number of
 * sections: n sections of the axis, the first (size % n) of them one element longer (uneven
 * sections are allowed, unlike {@link split}).
 *
 * Mind the difference with {@link split}, whose array argument holds the SIZES of the pieces
 * (`split(x, [2, 3])` cuts pieces of 2 and 3 elements) where arraySplit's holds the points
 * (`arraySplit(x, [2, 3])` cuts x[:2], x[2:3], x[3:]).
 * @param x - The tensor to split.
 * @param indicesOrSections - Split points (an array of integers), or the number of sections.
 * @param axis - The axis to split (default 0; negative counts from the end).
 * @throws {@link ValueError} when the sections are not a positive integer, a point is not an
 *   integer, or the axis is out of range.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.arange(7);
 * ad.arraySplit(x, 3); // => [tensor([0, 1, 2], dtype=int32), tensor([3, 4], dtype=int32), tensor([5, 6], dtype=int32)]
 * ad.arraySplit(x, [2, 5]); // => [tensor([0, 1], dtype=int32), tensor([2, 3, 4], dtype=int32), tensor([5, 6], dtype=int32)]
 * ad.arraySplit(x, [-2]).map((p) => p.shape); // => [[5], [2]]
 * ad.arraySplit(ad.ones([2, 4]), [1], 1).map((p) => p.shape); // => [[2, 1], [2, 3]]
 * ```
 * @category Shape
 */
export function arraySplit(
  x: TensorLike,
  indicesOrSections: number | readonly number[],
  axis = 0,
): Tensor[] {
  return splitAt("arraySplit", toTensor(x), indicesOrSections, axis, true);
}

/**
 * Splits with NumPy's rules: `uneven` allows a number of sections that does not divide the
 * axis (arraySplit); otherwise (hsplit, vsplit, dsplit) it must divide it.
 */
function splitAt(
  op: string,
  t: Tensor,
  indicesOrSections: number | readonly number[],
  axis: number,
  uneven: boolean,
): Tensor[] {
  const a = normalizeAxis(op, axis, t.ndim);
  const n = t.shape[a]!;
  let bounds: [number, number][];
  if (typeof indicesOrSections === "number") {
    const k = indicesOrSections;
    if (!Number.isInteger(k) || k < 1) {
      throw new ValueError(
        `${op}: the number of sections must be a positive integer; got ${describeValue(k)}`,
      );
    }
    if (!uneven && n % k !== 0) {
      throw new ValueError(
        `${op}: axis ${a} of size ${n} cannot be split into ${k} equal sections (arraySplit allows uneven ones)`,
      );
    }
    const base = Math.floor(n / k);
    const longer = n % k;
    bounds = [];
    let at = 0;
    for (let i = 0; i < k; i++) {
      const len = base + (i < longer ? 1 : 0);
      bounds.push([at, at + len]);
      at += len;
    }
  } else {
    const points = intList(op, "indicesOrSections", indicesOrSections);
    // Python slice bounds: negatives count from the end, then clipped to [0, n].
    const clip = (p: number): number => Math.min(Math.max(p < 0 ? p + n : p, 0), n);
    const cuts = [0, ...points.map(clip), n];
    bounds = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      bounds.push([cuts[i]!, Math.max(cuts[i]!, cuts[i + 1]!)]);
    }
  }
  return bounds.map(([lo, hi]) =>
    slice(
      t,
      t.shape.map((_, d) => (d === a ? lo : 0)),
      t.shape.map((m, d) => (d === a ? hi - lo : m)),
    ),
  );
}

/** x as a tensor of at least `min` dimensions, or a ValueError naming the op. */
function atLeast(op: string, x: TensorLike, min: number): Tensor {
  const t = toTensor(x);
  if (t.ndim < min) {
    throw new ValueError(
      `${op}: x must have at least ${min} dimension${min === 1 ? "" : "s"}; got ${t.ndim} (shape [${t.shape.join(",")}])`,
    );
  }
  return t;
}

/**
 * Splits x into columns: along axis 1, or axis 0 for a 1-d x (NumPy). A number of sections must
 * divide the axis; an array holds split points, as {@link arraySplit}'s (not sizes, as
 * {@link split}'s).
 * @throws {@link ValueError} when x is 0-d or the sections do not divide the axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.hsplit(ad.ones([2, 4]), 2).map((p) => p.shape); // => [[2, 2], [2, 2]]
 * ad.hsplit(ad.arange(5), [1, 3]); // => [tensor([0], dtype=int32), tensor([1, 2], dtype=int32), tensor([3, 4], dtype=int32)]
 * ```
 * @category Shape
 */
export function hsplit(x: TensorLike, indicesOrSections: number | readonly number[]): Tensor[] {
  const t = atLeast("hsplit", x, 1);
  return splitAt("hsplit", t, indicesOrSections, t.ndim > 1 ? 1 : 0, false);
}

/**
 * Splits x into rows: along axis 0, for x of 2 or more dimensions (NumPy). A number of sections
 * must divide the axis; an array holds split points, as {@link arraySplit}'s.
 * @throws {@link ValueError} when x has fewer than 2 dimensions or the sections do not divide
 *   the axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.vsplit(ad.ones([4, 3]), [1]).map((p) => p.shape); // => [[1, 3], [3, 3]]
 * ad.vsplit(ad.ones([3]), 3); // throws: ValueError: vsplit: x must have at least 2 dimensions
 * ```
 * @category Shape
 */
export function vsplit(x: TensorLike, indicesOrSections: number | readonly number[]): Tensor[] {
  return splitAt("vsplit", atLeast("vsplit", x, 2), indicesOrSections, 0, false);
}

/**
 * Splits x along its third axis (depth), for x of 3 or more dimensions (NumPy). A number of
 * sections must divide the axis; an array holds split points, as {@link arraySplit}'s.
 * @throws {@link ValueError} when x has fewer than 3 dimensions or the sections do not divide
 *   the axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.dsplit(ad.ones([1, 2, 4]), 2).map((p) => p.shape); // => [[1, 2, 2], [1, 2, 2]]
 * ```
 * @category Shape
 */
export function dsplit(x: TensorLike, indicesOrSections: number | readonly number[]): Tensor[] {
  return splitAt("dsplit", atLeast("dsplit", x, 3), indicesOrSections, 2, false);
}
