/**
 * @file Shape and indexing ops: reshape, transpose, swapAxes, expandDims, squeeze, broadcastTo,
 * flatten, concat, stack, split, slice, take, scatterAdd, pad, tile, flip (NumPy semantics).
 */

import { tensor, toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import {
  broadcastsTo,
  checkShape,
  normalizeAxes,
  normalizeAxis,
  shapeSize,
  shapesEqual,
} from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { gatherPrim, scatterAddPrim } from "../primitives/indexing.js";
import {
  broadcastToPrim,
  concatenatePrim,
  flipPrim,
  padPrim,
  reshapePrim,
  slicePrim,
  transposePrim,
} from "../primitives/movement.js";
import { bindUnstack } from "../primitives/unstack.js";
import { add, less, where } from "./elementwise.js";
import { promoteArgs } from "./promote.js";

/**
 * Pad widths in NumPy's forms: n (all sides), [before, after] (every axis), or one pair per axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([[1, 2], [3, 4]]);
 * ad.pad(x, 1).shape; // => [4, 4]
 * ad.pad(x, [[0, 0], [2, 1]]); // => tensor([[0., 0., 1., 2., 0.], [0., 0., 3., 4., 0.]], dtype=float32)
 * ```
 * @category Shape
 */
export type PadWidths = number | readonly [number, number] | readonly (readonly [number, number])[];

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/**
 * The same data in a new shape (row-major order); one entry may be -1 (inferred).
 * @throws {@link ShapeError} when the new shape does not hold x's number of elements.
 * @throws {@link ValueError} when the shape has more than one -1.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.reshape(ad.arange(6), [2, -1]); // => tensor([[0, 1, 2], [3, 4, 5]], dtype=int32)
 * ad.reshape(ad.arange(6), [3, 2]); // => tensor([[0, 1], [2, 3], [4, 5]], dtype=int32)
 * ad.reshape(ad.arange(6), [4, -1]); // throws: ShapeError: reshape: cannot reshape [6]
 * ```
 * @category Shape
 */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x);
  if (!Array.isArray(shape)) {
    throw new ValueError(
      `reshape: shape must be an array of integers; got ${describeValue(shape)}`,
    );
  }
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1 && inferred === -1) inferred = i;
    else if (d === -1) {
      throw new ValueError(`reshape: only one dimension can be -1; got ${fmtShape(shape)}`);
    } else if (!isCount(d)) {
      throw new ValueError(
        `reshape: shape entries must be non-negative integers or -1; got ${fmtShape(shape)}`,
      );
    } else known *= d;
  }
  const target = shape.slice();
  if (inferred >= 0) {
    if (known === 0 || t.size % known !== 0) {
      throw new ShapeError(
        `reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) into ${fmtShape(shape)}`,
      );
    }
    target[inferred] = t.size / known;
  } else if (known !== t.size) {
    throw new ShapeError(
      `reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) into ${fmtShape(shape)}`,
    );
  }
  if (shapesEqual(target, t.shape)) return t;
  return bind(reshapePrim, [t], { shape: target });
}

/**
 * Permutes the axes: out.shape[i] = x.shape[axes[i]] (default: all axes reversed, as NumPy).
 * @throws {@link ValueError} when `axes` is not a permutation of x's axes.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.transpose(ad.zeros([2, 3, 4]), [1, 0, 2]).shape; // => [3, 2, 4]
 * ad.transpose(ad.tensor([[1, 2, 3], [4, 5, 6]])); // => tensor([[1., 4.], [2., 5.], [3., 6.]], dtype=float32)
 * ```
 * @category Shape
 */
export function transpose(x: TensorLike, axes?: readonly number[]): Tensor {
  const t = toTensor(x);
  const nd = t.ndim;
  let perm: number[];
  if (axes === undefined) {
    perm = Array.from({ length: nd }, (_, i) => nd - 1 - i);
  } else {
    if (!Array.isArray(axes) || axes.length !== nd) {
      throw new ValueError(
        `transpose: axes must be a permutation of the ${nd} axes of ${fmtShape(t.shape)}; got ${describeValue(axes)}`,
      );
    }
    perm = axes.map((a) => normalizeAxis("transpose", a, nd, "axes"));
    if (new Set(perm).size !== nd) {
      throw new ValueError(
        `transpose: axes must be a permutation of the ${nd} axes of ${fmtShape(t.shape)}; got [${axes.join(",")}]`,
      );
    }
  }
  if (perm.every((p, i) => p === i)) return t;
  return bind(transposePrim, [t], { perm });
}

/**
 * Exchanges two axes.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.swapAxes(ad.zeros([2, 3, 4]), 0, 2).shape; // => [4, 3, 2]
 * ```
 * @category Shape
 */
export function swapAxes(x: TensorLike, a: number, b: number): Tensor {
  const t = toTensor(x);
  const i = normalizeAxis("swapAxes", a, t.ndim, "a");
  const j = normalizeAxis("swapAxes", b, t.ndim, "b");
  const perm = t.shape.map((_, d) => (d === i ? j : d === j ? i : d));
  return transpose(t, perm);
}

/**
 * Inserts a size-1 axis at `axis` (in [-(ndim+1), ndim]).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.expandDims(ad.zeros([2, 3]), -1).shape; // => [2, 3, 1]
 * ```
 * @category Shape
 */
export function expandDims(x: TensorLike, axis: number): Tensor {
  const t = toTensor(x);
  const a = normalizeAxis("expandDims", axis, t.ndim + 1);
  return reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)]);
}

/**
 * Removes size-1 axes: the given ones (each must have size 1), or all of them.
 * @throws {@link ValueError} when a given axis does not have size 1.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.squeeze(ad.zeros([1, 3, 1])).shape; // => [3]
 * ```
 * @category Shape
 */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x);
  let axes: number[];
  if (axis === undefined) {
    axes = [];
    t.shape.forEach((n, d) => {
      if (n === 1) axes.push(d);
    });
  } else {
    axes = normalizeAxes("squeeze", axis, t.ndim);
    for (const a of axes) {
      if (t.shape[a] !== 1) {
        throw new ValueError(
          `squeeze: cannot squeeze axis ${a} of size ${t.shape[a]} (shape ${fmtShape(t.shape)}); only size-1 axes can be removed`,
        );
      }
    }
  }
  return reshape(
    t,
    t.shape.filter((_, d) => !axes.includes(d)),
  );
}

/**
 * Broadcasts x to `shape` under NumPy rules (leading axes added, size-1 axes stretched).
 * @throws {@link ShapeError} when x's shape does not broadcast to `shape`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.broadcastTo(ad.tensor([1, 2]), [3, 2]).shape; // => [3, 2]
 * ad.broadcastTo(ad.tensor([1, 2]), [2, 2]); // => tensor([[1., 2.], [1., 2.]], dtype=float32)
 * ```
 * @category Shape
 */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x);
  const target = checkShape("broadcastTo", shape).slice();
  if (shapesEqual(target, t.shape)) return t;
  if (!broadcastsTo(t.shape, target)) {
    throw new ShapeError(
      `broadcastTo: cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(target)}`,
    );
  }
  return bind(broadcastToPrim, [t], { shape: target });
}

/**
 * The elements as a 1-d tensor (row-major order).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.flatten(ad.zeros([2, 3])).shape; // => [6]
 * ```
 * @category Shape
 */
export function flatten(x: TensorLike): Tensor {
  const t = toTensor(x);
  return reshape(t, [t.size]);
}

/** Checks that `xs` is a non-empty array of operands. */
function checkList(op: string, xs: readonly TensorLike[]): void {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new ValueError(
      `${op}: expected a non-empty array of tensors; got ${Array.isArray(xs) ? "[]" : typeof xs}`,
    );
  }
}

/**
 * Joins tensors along an existing axis (dtypes are promoted; shapes must match elsewhere).
 * @throws {@link ShapeError} when the shapes differ off `axis`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.concat([ad.zeros([2, 3]), ad.ones([1, 3])]).shape; // => [3, 3]
 * ad.concat([ad.tensor([1, 2]), ad.tensor([3])]); // => tensor([1., 2., 3.], dtype=float32)
 * ```
 * @category Shape
 */
export function concat(xs: readonly TensorLike[], axis = 0): Tensor {
  checkList("concat", xs);
  const ts = promoteArgs(xs);
  const first = ts[0]!;
  if (first.ndim === 0) {
    throw new ValueError("concat: zero-dimensional tensors cannot be concatenated (use stack)");
  }
  const a = normalizeAxis("concat", axis, first.ndim);
  if (ts.length === 1) return first;
  return bind(concatenatePrim, ts, { axis: a });
}

/**
 * Joins tensors of equal shape along a new axis.
 * @throws {@link ShapeError} when the shapes differ.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.stack([ad.zeros([2]), ad.ones([2])], 1).shape; // => [2, 2]
 * ad.stack([ad.tensor([1, 2]), ad.tensor([3, 4])]); // => tensor([[1., 2.], [3., 4.]], dtype=float32)
 * ```
 * @category Shape
 */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  checkList("stack", xs);
  const ts = promoteArgs(xs);
  const shape = ts[0]!.shape;
  ts.forEach((t, i) => {
    if (!shapesEqual(t.shape, shape)) {
      throw new ShapeError(
        `stack: all inputs must have the same shape; got ${fmtShape(shape)} (input 0) and ${fmtShape(t.shape)} (input ${i})`,
      );
    }
  });
  const a = normalizeAxis("stack", axis, shape.length + 1);
  const expanded = [...shape.slice(0, a), 1, ...shape.slice(a)];
  const parts = ts.map((t) => reshape(t, expanded));
  return parts.length === 1 ? parts[0]! : bind(concatenatePrim, parts, { axis: a });
}

/** The piece [start, start + len) of t along `axis`. */
function sliceAxis(t: Tensor, axis: number, start: number, len: number): Tensor {
  if (start === 0 && len === t.shape[axis]) return t;
  return bind(slicePrim, [t], {
    begin: t.shape.map((_, d) => (d === axis ? start : 0)),
    size: t.shape.map((n, d) => (d === axis ? len : n)),
    step: t.shape.map(() => 1),
  });
}

/**
 * Splits along `axis` into equal sections (a number, which must divide the axis) or into pieces
 * of the given SIZES (an array, which must add up to the axis). NumPy's and JAX's `split` take
 * split POINTS in an array instead: that form is {@link arraySplit} (`split(x, [2, 3])` cuts
 * pieces of 2 and 3 elements; `arraySplit(x, [2, 3])` cuts x[:2], x[2:3], x[3:]).
 * @throws {@link ValueError} when the sections do not divide the axis or the sizes do not add up
 *   to it.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.split(ad.arange(6), [1, 2, 3]).map((p) => p.shape); // => [[1], [2], [3]]
 * ad.split(ad.arange(4), 2); // => [tensor([0, 1], dtype=int32), tensor([2, 3], dtype=int32)]
 * ```
 * @category Shape
 */
export function split(
  x: TensorLike,
  sectionsOrSizes: number | readonly number[],
  axis = 0,
): Tensor[] {
  const t = toTensor(x);
  const a = normalizeAxis("split", axis, t.ndim);
  const n = t.shape[a]!;
  let sizes: number[];
  if (typeof sectionsOrSizes === "number") {
    const k = sectionsOrSizes;
    if (!Number.isInteger(k) || k < 1) {
      throw new ValueError(
        `split: the number of sections must be a positive integer; got ${describeValue(k)}`,
      );
    }
    if (n % k !== 0) {
      throw new ValueError(
        `split: axis ${a} of size ${n} cannot be split into ${k} equal sections`,
      );
    }
    sizes = new Array<number>(k).fill(n / k);
  } else {
    if (!Array.isArray(sectionsOrSizes) || !sectionsOrSizes.every(isCount)) {
      throw new ValueError(
        `split: sizes must be an array of non-negative integers; got ${describeValue(sectionsOrSizes)}`,
      );
    }
    sizes = sectionsOrSizes.slice();
    const total = sizes.reduce((p, s) => p + s, 0);
    if (total !== n) {
      throw new ValueError(
        `split: sizes [${sizes.join(",")}] add up to ${total} but axis ${a} has size ${n}`,
      );
    }
  }
  let at = 0;
  return sizes.map((len) => {
    const piece = sliceAxis(t, a, at, len);
    at += len;
    return piece;
  });
}

/**
 * The block starting at `begin` with `size` elements per axis. A negative begin counts from the
 * end; size omitted or -1 runs to the end; missing trailing entries take whole axes.
 * @throws {@link ValueError} when the block does not fit in x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.slice(ad.arange(10), [2], [3]); // => tensor([2, 3, 4], dtype=int32)
 * ad.slice(ad.tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, -1]); // => tensor([[2., 3.], [5., 6.]], dtype=float32)
 * ```
 * @category Indexing
 */
export function slice(x: TensorLike, begin: readonly number[], size?: readonly number[]): Tensor {
  const t = toTensor(x);
  const nd = t.ndim;
  if (!Array.isArray(begin) || begin.length > nd) {
    throw new ValueError(
      `slice: begin must be an array of at most ${nd} integers for shape ${fmtShape(t.shape)}; got ${describeValue(begin)}`,
    );
  }
  if (size !== undefined && (!Array.isArray(size) || size.length > nd)) {
    throw new ValueError(
      `slice: size must be an array of at most ${nd} integers for shape ${fmtShape(t.shape)}; got ${describeValue(size)}`,
    );
  }
  const b = new Array<number>(nd);
  const s = new Array<number>(nd);
  let whole = true;
  for (let d = 0; d < nd; d++) {
    const n = t.shape[d]!;
    let bd = begin[d] ?? 0;
    if (!Number.isInteger(bd) || bd < -n || bd > n) {
      throw new ValueError(`slice: begin[${d}] = ${bd} is out of range for axis ${d} of size ${n}`);
    }
    if (bd < 0) bd += n;
    let sd = size?.[d] ?? -1;
    if (sd === -1) sd = n - bd;
    if (!isCount(sd) || bd + sd > n) {
      throw new ValueError(
        `slice: size[${d}] = ${size?.[d]} with begin ${bd} overruns axis ${d} of size ${n}`,
      );
    }
    b[d] = bd;
    s[d] = sd;
    if (bd !== 0 || sd !== n) whole = false;
  }
  if (whole) return t;
  return bind(slicePrim, [t], { begin: b, size: s, step: s.map(() => 1) });
}

function containsBoolean(v: unknown): boolean {
  if (typeof v === "boolean") return true;
  return Array.isArray(v) && v.some(containsBoolean);
}

/**
 * int32 indices from a TensorLike, negatives normalised, each checked against `len`.
 * JS numbers and arrays must be integers; Tensor indices must be int32.
 */
function indexTensor(op: string, indices: TensorLike, len: number, axis: number): Tensor {
  let idx: Tensor;
  if (indices instanceof Tensor) {
    if (indices.dtype !== "int32") {
      throw new DTypeError(`${op}: indices must have dtype int32; got ${indices.dtype}`);
    }
    idx = indices;
  } else if (indices instanceof Int32Array) {
    idx = tensor(indices);
  } else {
    if (indices instanceof Uint8Array || containsBoolean(indices)) {
      throw new DTypeError(`${op}: indices must be integers; got booleans`);
    }
    // float64 holds every int32 exactly, so non-integers and overflows are caught below.
    const t = toTensor(indices, "float64");
    const src = t._data!;
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (!Number.isInteger(v)) throw new ValueError(`${op}: indices must be integers; got ${v}`);
      if (v < -len || v >= len) {
        throw new ValueError(`${op}: index ${v} is out of range for axis ${axis} of size ${len}`);
      }
    }
    idx = Tensor._fromData(t.shape, "int32", Int32Array.from(src));
  }
  // Inside vmap the concrete data holds every batch element's indices: all are checked, and
  // negatives are normalised with ops so that the result still varies over the batch.
  // A staged index has no values to check: negatives are normalised with ops.
  if (idx._staged()) return where(less(idx, 0), add(idx, len), idx);
  const data = idx._concrete()._data as Int32Array;
  const varies = idx._varies();
  let normalised: Int32Array | null = null;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < -len || v >= len) {
      throw new ValueError(`${op}: index ${v} is out of range for axis ${axis} of size ${len}`);
    }
    if (v < 0) {
      if (varies) return where(less(idx, 0), add(idx, len), idx);
      normalised ??= data.slice();
      normalised[i] = v + len;
    }
  }
  return normalised === null ? idx : Tensor._fromData(idx.shape, "int32", normalised);
}

/**
 * Gathers the entries at `indices` along `axis`; without an axis, from the flattened array.
 * out.shape = x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:]. Negative indices count from
 * the end; duplicate indices accumulate in the gradient.
 * @throws {@link ValueError} when an index is out of range (or not an integer).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.take(ad.tensor([10, 20, 30]), [2, 0]); // => tensor([30., 10.], dtype=float32)
 * ad.take(ad.tensor([[1, 2], [3, 4]]), [1, 1], 1); // => tensor([[2., 2.], [4., 4.]], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.sum(ad.take(x, [0, 0, 2])))(ad.tensor([1, 2, 3])); // => tensor([2., 0., 1.], dtype=float32)
 * ```
 * @category Indexing
 */
export function take(x: TensorLike, indices: TensorLike, axis?: number): Tensor {
  let t = toTensor(x);
  let a = 0;
  if (axis === undefined) {
    if (t.ndim !== 1) t = reshape(t, [t.size]);
  } else {
    a = normalizeAxis("take", axis, t.ndim);
  }
  const idx = indexTensor("take", indices, t.shape[a]!, a);
  return bind(gatherPrim, [t, idx], { axis: a });
}

/**
 * x with `updates` added at `indices` along `axis` (duplicates accumulate). updates have x's
 * shape with the axis replaced by the indices' shape (or broadcast to it); dtypes are promoted.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.scatterAdd(ad.zeros([3]), [0, 0, 2], ad.tensor([1, 2, 3])); // => tensor([3., 0., 3.], dtype=float32)
 * ```
 * @category Indexing
 */
export function scatterAdd(
  x: TensorLike,
  indices: TensorLike,
  updates: TensorLike,
  axis = 0,
): Tensor {
  const [t, u] = promoteArgs([x, updates]);
  const a = normalizeAxis("scatterAdd", axis, t!.ndim);
  const idx = indexTensor("scatterAdd", indices, t!.shape[a]!, a);
  const expected = [...t!.shape.slice(0, a), ...idx.shape, ...t!.shape.slice(a + 1)];
  let up = u!;
  if (!shapesEqual(up.shape, expected)) {
    if (!broadcastsTo(up.shape, expected)) {
      throw new ShapeError(
        `scatterAdd: updates must have shape ${fmtShape(expected)} (x's shape with axis ${a} replaced by the indices' shape); got ${fmtShape(up.shape)}`,
      );
    }
    up = broadcastTo(up, expected);
  }
  return bind(scatterAddPrim, [t!, idx, up], { axis: a });
}

/** Pad widths in any of NumPy's forms, as one [before, after] pair per axis. */
function padPairs(widths: PadWidths, ndim: number): [number, number][] {
  const bad = (): ValueError =>
    new ValueError(
      `pad: widths must be a non-negative integer, a [before, after] pair, or one pair per axis (${ndim}); got ${describeValue(widths)}`,
    );
  let pairs: (readonly number[])[];
  if (typeof widths === "number") {
    pairs = new Array<number[]>(ndim).fill([widths, widths]);
  } else if (!Array.isArray(widths)) {
    throw bad();
  } else if (widths.length === 2 && typeof widths[0] === "number") {
    pairs = new Array<readonly number[]>(ndim).fill(widths as readonly number[]);
  } else {
    const list = widths as readonly (readonly number[])[];
    if (list.length === 1 && ndim !== 1) pairs = new Array<readonly number[]>(ndim).fill(list[0]!);
    else pairs = list.slice();
    if (pairs.length !== ndim) throw bad();
  }
  return pairs.map((p) => {
    if (!Array.isArray(p) || p.length !== 2 || !isCount(p[0]) || !isCount(p[1])) throw bad();
    return [p[0], p[1]];
  });
}

/**
 * Pads with a constant `value` (default 0). widths: n on every side, [before, after] on every
 * axis, or one [before, after] pair per axis (NumPy's pad_width).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.pad(ad.tensor([1, 2]), [1, 2]); // => tensor([0., 1., 2., 0., 0.], dtype=float32)
 * ad.pad(ad.tensor([1, 2]), 1, -1); // => tensor([-1., 1., 2., -1.], dtype=float32)
 * ```
 * @category Shape
 */
export function pad(x: TensorLike, widths: PadWidths, value = 0): Tensor {
  const t = toTensor(x);
  const pairs = padPairs(widths, t.ndim);
  if (typeof value !== "number") {
    throw new ValueError(`pad: value must be a number; got ${typeof value}`);
  }
  if (pairs.every(([a, b]) => a === 0 && b === 0)) return t;
  return bind(padPrim, [t], { widths: pairs, value });
}

/**
 * Repeats x `reps` times along each axis (NumPy's tile: shorter of x.ndim and reps.length is
 * padded with leading 1s).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tile(ad.tensor([1, 2]), [2, 2]).shape; // => [2, 4]
 * ad.tile(ad.tensor([1, 2]), 2); // => tensor([1., 2., 1., 2.], dtype=float32)
 * ```
 * @category Shape
 */
export function tile(x: TensorLike, reps: number | readonly number[]): Tensor {
  const t = toTensor(x);
  const r = typeof reps === "number" ? [reps] : reps;
  if (!Array.isArray(r) || !r.every(isCount)) {
    throw new ValueError(`tile: reps must be non-negative integers; got ${describeValue(reps)}`);
  }
  const nd = Math.max(t.ndim, r.length);
  const shape = [...new Array<number>(nd - t.ndim).fill(1), ...t.shape];
  const rr = [...new Array<number>(nd - r.length).fill(1), ...r];
  // [.., s, ..] -> [.., 1, s, ..] -> broadcast [.., r, s, ..] -> [.., r*s, ..]
  const interleaved: number[] = [];
  const spread: number[] = [];
  const out: number[] = [];
  for (let d = 0; d < nd; d++) {
    interleaved.push(1, shape[d]!);
    spread.push(rr[d]!, shape[d]!);
    out.push(rr[d]! * shape[d]!);
  }
  if (rr.every((k) => k === 1)) return reshape(t, out);
  return reshape(broadcastTo(reshape(t, interleaved), spread), out);
}

/**
 * Reverses the order of elements along `axis` (default: every axis).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.flip(ad.tensor([1, 2, 3])); // => tensor([3., 2., 1.], dtype=float32)
 * ad.flip(ad.tensor([[1, 2], [3, 4]]), 1); // => tensor([[2., 1.], [4., 3.]], dtype=float32)
 * ```
 * @category Shape
 */
export function flip(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x);
  const axes = normalizeAxes("flip", axis, t.ndim);
  if (axes.length === 0 || shapeSize(t.shape) === 0) return t;
  return bind(flipPrim, [t], { axes });
}

/**
 * The slices of x along `axis` (default 0), as an array of tensors: the inverse of `stack`.
 * Differentiating all n slices costs O(size) in total (one multi-output primitive).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.unstack(ad.tensor([[1, 2], [3, 4]])); // => [tensor([1., 2.], dtype=float32), tensor([3., 4.], dtype=float32)]
 * ```
 * @category Shape
 */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const t = toTensor(x);
  const ax = normalizeAxis("unstack", axis, t.ndim);
  if (ax === 0) return bindUnstack(t);
  // Move `axis` to the front, keeping the other axes in order.
  const perm = [ax, ...t.shape.map((_, i) => i).filter((i) => i !== ax)];
  return bindUnstack(transpose(t, perm));
}
