/**
 * @file Indexing and sorting ops: takeAlongAxis, stridedSlice (NumPy basic slicing with steps),
 * sliceUpdate (a functional region update), argsort, sort and topk. All are composites of the
 * gather, slice, flip, pad, select and argsort primitives, so their derivatives come from those
 * rules: integer index arguments and argsort results carry no derivative.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxis, shapeSize, shapesEqual } from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { gatherPrim } from "../primitives/indexing.js";
import { slicePrim } from "../primitives/movement.js";
import { argsortPrim } from "../primitives/sort.js";
import { arange, full } from "./creation.js";
import { add, less, mul, where } from "./elementwise.js";
import { promoteArgs } from "./promote.js";
import { broadcastTo, flip, pad, reshape, slice } from "./shape.js";

// ---- index arguments ----------------------------------------------------------------------------

interface IndexArray {
  readonly shape: readonly number[];
  readonly data: Int32Array;
}

function containsBoolean(v: unknown): boolean {
  if (typeof v === "boolean") return true;
  return Array.isArray(v) && v.some(containsBoolean);
}

/**
 * An index argument as int32 data and a shape, not yet range-checked. Tensors must be int32 (a
 * float index tensor is almost always a bug, e.g. a differentiated value used as an index); JS
 * numbers and arrays must hold integers. A tracer's concrete value is read: indices never carry a
 * derivative, so nothing is lost.
 */
function indexArray(op: string, arg: string, indices: TensorLike): IndexArray {
  if (indices instanceof Tensor) {
    if (indices.dtype !== "int32") {
      throw new DTypeError(
        `${op}: ${arg} must have dtype int32; got ${indices.dtype} (index tensors carry no derivative; cast with .astype("int32"))`,
      );
    }
    // A staged index (makeGraph) has no data; the caller takes the path with ops.
    if (indices._staged()) return { shape: indices.shape, data: new Int32Array(0) };
    return { shape: indices.shape, data: indices._concrete()._data as Int32Array };
  }
  if (indices instanceof Int32Array) return { shape: [indices.length], data: indices };
  if (indices instanceof Uint8Array || containsBoolean(indices)) {
    throw new DTypeError(`${op}: ${arg} must be integers; got booleans`);
  }
  // float64 holds every int32 exactly, so non-integers and overflows are caught here.
  const t = toTensor(indices, "float64");
  const src = t._data!;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) {
      throw new ValueError(`${op}: ${arg} must be integers in the int32 range; got ${v}`);
    }
  }
  return { shape: t.shape, data: Int32Array.from(src) };
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

// ---- takeAlongAxis ------------------------------------------------------------------------------

/**
 * Picks values along `axis` by an index tensor of the same rank (NumPy's take_along_axis):
 * out[i, j, k] = x[i, indices[i, j, k], k] for axis 1. On the other axes, x and indices broadcast
 * against each other. Negative indices count from the end; with `axis` null, x is flattened and
 * indices must be 1-d. Differentiable w.r.t. x (duplicate indices accumulate in the gradient);
 * indices are int32 and carry no derivative.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([[10, 30, 20], [60, 40, 50]]);
 * ad.takeAlongAxis(x, ad.argsort(x, { axis: 1 }), 1); // => tensor([[10., 20., 30.], [40., 50., 60.]], dtype=float32)
 * ```
 * @category Indexing
 */
export function takeAlongAxis(x: TensorLike, indices: TensorLike, axis: number | null): Tensor {
  const op = "takeAlongAxis";
  let t = toTensor(x);
  const idx = indexArray(op, "indices", indices);
  let a: number;
  if (axis === null) {
    if (idx.shape.length !== 1) {
      throw new ShapeError(
        `${op}: with axis null (x flattened), indices must be 1-d; got shape ${fmtShape(idx.shape)}`,
      );
    }
    t = reshape(t, [t.size]);
    a = 0;
  } else {
    a = normalizeAxis(op, axis, t.ndim);
  }
  const nd = t.ndim;
  if (idx.shape.length !== nd) {
    throw new ShapeError(
      `${op}: indices must have as many dimensions as x (${nd}, shape ${fmtShape(t.shape)}); got shape ${fmtShape(idx.shape)}`,
    );
  }
  const outShape = t.shape.map((n, d) => {
    const m = idx.shape[d]!;
    if (d === a || m === n || n === 1) return m;
    if (m === 1) return n;
    throw new ShapeError(
      `${op}: indices of shape ${fmtShape(idx.shape)} do not broadcast against x of shape ${fmtShape(t.shape)} on axis ${d} (${m} vs ${n}); only axis ${a} may differ`,
    );
  });
  // The positions into flattened x, so that one flat gather (whose gradient is a scatter-add)
  // does the work: offset of the broadcast coordinates plus index * stride of the axis.
  const len = t.shape[a]!;
  const xStrides = rowMajorStrides(t.shape);
  if (indices instanceof Tensor && indices._varies()) {
    return takeAlongAxisVarying(op, t, indices, a, outShape, xStrides);
  }
  const iStrides = rowMajorStrides(idx.shape);
  const size = shapeSize(outShape);
  const flat = new Int32Array(size);
  const coord = new Array<number>(nd).fill(0);
  for (let p = 0; p < size; p++) {
    let io = 0;
    let xo = 0;
    for (let d = 0; d < nd; d++) {
      const c = coord[d]!;
      if (idx.shape[d] !== 1) io += c * iStrides[d]!;
      if (d !== a && t.shape[d] !== 1) xo += c * xStrides[d]!;
    }
    let v = idx.data[io]!;
    if (v < -len || v >= len) {
      throw new ValueError(`${op}: index ${v} is out of range for axis ${a} of size ${len}`);
    }
    if (v < 0) v += len;
    flat[p] = xo + v * xStrides[a]!;
    for (let d = nd - 1; d >= 0; d--) {
      if (++coord[d]! < outShape[d]!) break;
      coord[d] = 0;
    }
  }
  const flatX = t.ndim === 1 ? t : reshape(t, [t.size]);
  return bind(gatherPrim, [flatX, Tensor._fromData(outShape, "int32", flat)], { axis: 0 });
}

/**
 * takeAlongAxis inside vmap with indices that vary over the batch: the flat positions are
 * computed with ops (so they stay batched) instead of in JavaScript. Every batch element's
 * indices are range-checked on the concrete data.
 */
function takeAlongAxisVarying(
  op: string,
  t: Tensor,
  indices: Tensor,
  a: number,
  outShape: readonly number[],
  xStrides: readonly number[],
): Tensor {
  const len = t.shape[a]!;
  // A staged index has no values to check: negatives are normalised with ops.
  const staged = indices._staged();
  const all = staged ? new Int32Array(0) : (indices._concrete()._data as Int32Array);
  let anyNegative = staged;
  for (let i = 0; i < all.length; i++) {
    const v = all[i]!;
    if (v < -len || v >= len) {
      throw new ValueError(`${op}: index ${v} is out of range for axis ${a} of size ${len}`);
    }
    if (v < 0) anyNegative = true;
  }
  const idx = anyNegative ? where(less(indices, 0), add(indices, len), indices) : indices;
  let flat = mul(broadcastTo(idx, outShape), xStrides[a]!);
  for (let d = 0; d < outShape.length; d++) {
    if (d === a || t.shape[d] === 1) continue;
    const along = arange(0, outShape[d]! * xStrides[d]!, Math.max(xStrides[d]!, 1), "int32");
    flat = add(
      flat,
      reshape(
        along,
        outShape.map((n, e) => (e === d ? n : 1)),
      ),
    );
  }
  return bind(gatherPrim, [reshape(t, [t.size]), flat], { axis: 0 });
}

// ---- stridedSlice -------------------------------------------------------------------------------

/**
 * One entry of begin/end/step: a number, or null/undefined for the default.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.stridedSlice(ad.arange(6), [1], [null], [2]); // => tensor([1, 3, 5], dtype=int32)
 * ```
 * @category Indexing
 */
export type SliceEntry = number | null | undefined;

/** Python's slice.indices(n): the first index and the element count of start:stop:step on n. */
function sliceRange(
  n: number,
  start: SliceEntry,
  stop: SliceEntry,
  step: number,
): [first: number, count: number] {
  const clampIndex = (v: number, lo: number, hi: number) =>
    v < 0 ? Math.max(v + n, lo) : Math.min(v, hi);
  if (step > 0) {
    const b = start === null || start === undefined ? 0 : clampIndex(start, 0, n);
    const e = stop === null || stop === undefined ? n : clampIndex(stop, 0, n);
    return [b, e > b ? Math.ceil((e - b) / step) : 0];
  }
  const b = start === null || start === undefined ? n - 1 : clampIndex(start, -1, n - 1);
  const e = stop === null || stop === undefined ? -1 : clampIndex(stop, -1, n - 1);
  return [b, b > e ? Math.ceil((b - e) / -step) : 0];
}

function checkEntries(op: string, arg: string, v: unknown, nd: number, shape: readonly number[]) {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > nd) {
    throw new ValueError(
      `${op}: ${arg} must be an array of at most ${nd} entries (one per axis of ${fmtShape(shape)}); got ${describeValue(v)}`,
    );
  }
  v.forEach((e, d) => {
    if (e !== null && e !== undefined && !Number.isInteger(e)) {
      throw new ValueError(
        `${op}: ${arg}[${d}] must be an integer or null; got ${describeValue(e)}`,
      );
    }
  });
  return v as readonly SliceEntry[];
}

/**
 * NumPy basic slicing with steps: the same elements as `x[b0:e0:s0, b1:e1:s1, ...]`. Per axis,
 * negative begin/end count from the end, out-of-range values are clamped (as in Python), null or
 * a missing entry takes the default (the whole axis in the step's direction), and a negative
 * step walks backwards. Axes beyond the given entries are taken whole. Differentiable: the
 * gradient puts the cotangent back at the selected positions, zeros elsewhere.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.arange(10);
 * ad.stridedSlice(x, [1], [8], [3]); // => tensor([1, 4, 7], dtype=int32)
 * ad.stridedSlice(x, [null], [null], [-2]); // => tensor([9, 7, 5, 3, 1], dtype=int32)
 * ad.stridedSlice(ad.zeros([4, 6]), [1, -1], [null, 0], [2, -2]).shape; // => [2, 3]
 * ```
 * @category Indexing
 */
export function stridedSlice(
  x: TensorLike,
  begin: readonly SliceEntry[],
  end?: readonly SliceEntry[] | null,
  step?: readonly SliceEntry[] | null,
): Tensor {
  const op = "stridedSlice";
  const t = toTensor(x);
  const nd = t.ndim;
  const b = checkEntries(op, "begin", begin, nd, t.shape);
  const e = checkEntries(op, "end", end, nd, t.shape);
  const s = checkEntries(op, "step", step, nd, t.shape);
  const first = new Array<number>(nd);
  const size = new Array<number>(nd);
  const stride = new Array<number>(nd);
  const reversed: number[] = [];
  let whole = true;
  for (let d = 0; d < nd; d++) {
    const n = t.shape[d]!;
    const sd = s[d] ?? 1;
    if (sd === 0) throw new ValueError(`${op}: step[${d}] must be a non-zero integer; got 0`);
    const [start, count] = sliceRange(n, b[d], e[d], sd);
    size[d] = count;
    stride[d] = Math.abs(sd);
    // A negative step takes start, start+sd, ...: the same elements as a positive-step slice
    // from the last one, reversed afterwards by a flip.
    first[d] = count === 0 ? 0 : sd > 0 ? start : start + (count - 1) * sd;
    if (sd < 0 && count > 1) reversed.push(d);
    if (count !== n) whole = false;
  }
  let out = t;
  if (!whole) out = bind(slicePrim, [t], { begin: first, size, step: stride });
  return reversed.length > 0 ? flip(out, reversed) : out;
}

// ---- sliceUpdate --------------------------------------------------------------------------------

/**
 * x with the block starting at `begin` replaced by `values` (a functional update: x is
 * unchanged), i.e. NumPy's `y = x.copy(); y[b0:b0+v0, b1:b1+v1, ...] = values`. values has x's
 * rank; begin has at most x.ndim entries (missing ones are 0; negative ones count from the end)
 * and the block must fit. dtypes are promoted. The gradient w.r.t. x is the cotangent with the
 * block zeroed; w.r.t. values, the block of the cotangent.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sliceUpdate(ad.zeros([5]), [1], ad.tensor([7, 8])); // => tensor([0., 7., 8., 0., 0.], dtype=float32)
 * ```
 * @category Indexing
 */
export function sliceUpdate(x: TensorLike, begin: readonly number[], values: TensorLike): Tensor {
  const op = "sliceUpdate";
  const [t, v] = promoteArgs([x, values]);
  const nd = t!.ndim;
  if (v!.ndim !== nd) {
    throw new ShapeError(
      `${op}: values must have as many dimensions as x (${nd}, shape ${fmtShape(t!.shape)}); got shape ${fmtShape(v!.shape)}`,
    );
  }
  if (!Array.isArray(begin) || begin.length > nd) {
    throw new ValueError(
      `${op}: begin must be an array of at most ${nd} integers for shape ${fmtShape(t!.shape)}; got ${describeValue(begin)}`,
    );
  }
  const widths = t!.shape.map((n, d): [number, number] => {
    let bd = begin[d] ?? 0;
    if (!Number.isInteger(bd) || bd < -n || bd > n) {
      throw new ValueError(`${op}: begin[${d}] = ${bd} is out of range for axis ${d} of size ${n}`);
    }
    if (bd < 0) bd += n;
    const k = v!.shape[d]!;
    if (bd + k > n) {
      throw new ShapeError(
        `${op}: values of shape ${fmtShape(v!.shape)} at begin [${t!.shape.map((_, i) => (i === d ? bd : (begin[i] ?? 0))).join(",")}] overrun axis ${d} of x (size ${n}, shape ${fmtShape(t!.shape)})`,
      );
    }
    return [bd, n - bd - k];
  });
  if (v!.size === 0) return t!;
  if (shapesEqual(v!.shape, t!.shape)) return v!;
  // values placed in the block of a zero tensor, chosen by a constant mask of the block: the
  // select rule gives x the cotangent outside the block, and pad's rule gives values its block.
  const mask = pad(full(v!.shape, true), widths, 0);
  return where(mask, pad(v!, widths, 0), t!);
}

// ---- sorting ------------------------------------------------------------------------------------

/**
 * Options of sort and argsort: the axis (default -1; null sorts the flattened array) and the order.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sort(ad.tensor([[3, 1], [2, 4]]), { axis: 0, descending: true }); // => tensor([[3., 4.], [2., 1.]], dtype=float32)
 * ad.sort(ad.tensor([[3, 1], [2, 4]]), { axis: null }); // => tensor([1., 2., 3., 4.], dtype=float32)
 * ```
 * @category Indexing
 */
export interface SortOptions {
  /** The axis to sort along (default -1, the last); null sorts the flattened array. */
  axis?: number | null;
  /** Largest first (default false). */
  descending?: boolean;
}

/** The tensor to sort and its normalised axis. */
function sortTarget(op: string, x: TensorLike, options: SortOptions | undefined): [Tensor, number] {
  options = checkOptions(op, options, ["axis", "descending"]);
  const t = toTensor(x);
  const descending = options?.descending ?? false;
  if (typeof descending !== "boolean") {
    throw new ValueError(`${op}: descending must be a boolean; got ${describeValue(descending)}`);
  }
  const axis = options?.axis === undefined ? -1 : options.axis;
  if (axis === null) return [reshape(t, [t.size]), 0];
  return [t, normalizeAxis(op, axis, t.ndim)];
}

/**
 * The int32 indices that sort x along `axis` (default -1): a stable sort, so equal values keep
 * their original order (ascending or descending). NaN counts as larger than every number: last
 * in ascending order (as NumPy), first in descending. No derivative (an integer result).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.argsort(ad.tensor([3, 1, 2])); // => tensor([1, 2, 0], dtype=int32)
 * ad.argsort(ad.tensor([1, 3, 1]), { descending: true }); // => tensor([1, 0, 2], dtype=int32)
 * ```
 * @category Indexing
 */
export function argsort(x: TensorLike, options?: SortOptions): Tensor {
  const [t, axis] = sortTarget("argsort", x, options);
  return bind(argsortPrim, [t], { axis, descending: options?.descending ?? false });
}

/**
 * x sorted along `axis` (default -1; null: flattened), ascending unless `descending`; NaN is
 * ordered as in argsort. Differentiable: each output's derivative is that of the element it
 * came from (ties are ordered stably, where the derivative jumps).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sort(ad.tensor([[3, 1, 2], [0, 5, 4]])); // => tensor([[1., 2., 3.], [0., 4., 5.]], dtype=float32)
 * ```
 * @category Indexing
 */
export function sort(x: TensorLike, options?: SortOptions): Tensor {
  const [t, axis] = sortTarget("sort", x, options);
  const idx = bind(argsortPrim, [t], { axis, descending: options?.descending ?? false });
  return takeAlongAxis(t, idx, axis);
}

/**
 * The k largest entries along `axis` (default -1) and their int32 indices, largest first, as
 * JAX's top_k: `[values, indices]`, both of x's shape with the axis of length k. Equal values
 * come in index order; NaN counts as the largest. The values are differentiable: the gradient
 * flows back to the positions they were taken from.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [values, indices] = ad.topk(ad.tensor([1, 4, 2, 4]), 2);
 * values; // => tensor([4., 4.], dtype=float32)
 * indices; // => tensor([1, 3], dtype=int32)
 * ```
 * @category Indexing
 */
export function topk(x: TensorLike, k: number, options?: { axis?: number }): [Tensor, Tensor] {
  const op = "topk";
  options = checkOptions(op, options, ["axis"]);
  const t = toTensor(x);
  const axis = normalizeAxis(op, options?.axis ?? -1, t.ndim);
  const n = t.shape[axis]!;
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new ValueError(
      `${op}: k must be an integer in [0, ${n}] (the size of axis ${axis} of shape ${fmtShape(t.shape)}); got ${k}`,
    );
  }
  const order = bind(argsortPrim, [t], { axis, descending: true });
  const indices = slice(
    order,
    t.shape.map(() => 0),
    t.shape.map((m, d) => (d === axis ? k : m)),
  );
  return [takeAlongAxis(t, indices, axis), indices];
}
