/**
 * @file NumPy indexing (`x.index(...)`, `ad.index(x, ...)`) lowered onto existing primitives: one
 * strided slice for the slices and integers, one gather over the merged advanced axes for integer
 * arrays and masks, and reshape/transpose around them. Derivatives (any order, both modes) and
 * batch rules come from those primitives'.
 */

import { toTensor } from "../../core/convert.js";
import { fmtShape, ShapeError, ValueError } from "../../core/errors.js";
import { shapeSize, shapesEqual } from "../../core/shape.js";
import { Tensor, type TensorLike } from "../../core/tensor.js";
import { bind } from "../../core/trace.js";
import { gatherPrim } from "../../primitives/indexing.js";
import { add, less, mul, where } from "../elementwise.js";
import { type SliceEntry, stridedSlice } from "../indexing.js";
import { broadcastTo, reshape, transpose } from "../shape.js";
import { type ArrayItem, type IndexItem, type Item, normaliseItems } from "./items.js";

function outOfRange(op: string, v: number, axis: number, n: number): ValueError {
  return new ValueError(`${op}: index ${v} is out of range for axis ${axis} of size ${n}`);
}

/** NumPy's broadcasting of the index arrays' shapes. */
function broadcastIndexShapes(op: string, shapes: readonly (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((sh) => sh.length));
  const out = new Array<number>(nd).fill(1);
  for (const sh of shapes) {
    for (let d = 0; d < sh.length; d++) {
      const o = nd - sh.length + d;
      const n = sh[d]!;
      if (n === out[o] || n === 1) continue;
      if (out[o] !== 1) {
        throw new ShapeError(
          `${op}: index arrays of shapes ${shapes.map((s) => fmtShape(s)).join(", ")} do not broadcast together`,
        );
      }
      out[o] = n;
    }
  }
  return out;
}

/** An advanced index: its int32 array, the axis of (sliced) x it indexes and that axis' length. */
interface Advanced {
  readonly index: Tensor;
  readonly axis: number;
  readonly size: number;
}

/**
 * The position of each element of the broadcast index arrays in the merged advanced axes
 * (row-major over the indexed axes), range-checked. Computed in JavaScript when the indices are
 * concrete, with ops when they vary over a vmap batch (every batch element is still checked).
 */
function mergedIndex(op: string, adv: readonly Advanced[], shape: readonly number[]): Tensor {
  const strides = new Array<number>(adv.length);
  let stride = 1;
  for (let j = adv.length - 1; j >= 0; j--) {
    strides[j] = stride;
    stride *= adv[j]!.size;
  }
  let varies = false;
  let anyNegative = false;
  for (const { index, axis, size } of adv) {
    if (index._staged()) {
      // A staged index has no values to check: negatives are normalised with ops.
      varies = true;
      anyNegative = true;
      continue;
    }
    const data = index._concrete()._data as Int32Array;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < -size || v >= size) throw outOfRange(op, v, axis, size);
      if (v < 0) anyNegative = true;
    }
    if (index._varies()) varies = true;
  }
  if (varies) {
    let merged: Tensor | null = null;
    for (let j = 0; j < adv.length; j++) {
      const { index, size } = adv[j]!;
      const pos = anyNegative ? where(less(index, 0), add(index, size), index) : index;
      const term = strides[j] === 1 ? pos : mul(pos, strides[j]!);
      merged = merged === null ? term : add(merged, term);
    }
    if (merged === null) throw new ValueError(`${op}: no index arrays`); // unreachable
    return shapesEqual(merged.shape, shape) ? merged : broadcastTo(merged, shape);
  }
  const total = shapeSize(shape);
  const flat = new Int32Array(total);
  const nd = shape.length;
  adv.forEach(({ index, size }, j) => {
    const data = index._concrete()._data as Int32Array;
    // Strides of this index array within the broadcast shape (0 along broadcast axes).
    const own = new Array<number>(nd).fill(0);
    let s = 1;
    for (let d = index.ndim - 1; d >= 0; d--) {
      const o = nd - index.ndim + d;
      own[o] = index.shape[d] === 1 ? 0 : s;
      s *= index.shape[d]!;
    }
    const coord = new Array<number>(nd).fill(0);
    let at = 0;
    for (let p = 0; p < total; p++) {
      const v = data[at]!;
      flat[p] = flat[p]! + (v < 0 ? v + size : v) * strides[j]!;
      for (let d = nd - 1; d >= 0; d--) {
        at += own[d]!;
        if (++coord[d]! < shape[d]!) break;
        at -= own[d]! * coord[d]!;
        coord[d] = 0;
      }
    }
  });
  return Tensor._fromData(shape, "int32", flat);
}

/** Range-checks and normalises a concrete integer index; a ValueError names the axis. */
function intIndex(op: string, v: number, axis: number, n: number): number {
  if (v < -n || v >= n) throw outOfRange(op, v, axis, n);
  return v < 0 ? v + n : v;
}

/**
 * The lowering shared by {@link index} and the `at` updates: `op` names the caller in errors.
 * @internal
 */
export function indexTensor(op: string, x: Tensor, raw: readonly IndexItem[]): Tensor {
  const parsed = normaliseItems(op, x.shape, raw);
  // A 0-d concrete int32 tensor is an integer (as in NumPy); only a varying one must be gathered.
  const items: Item[] = parsed.map((it) =>
    it.kind === "array" && it.index.ndim === 0 && !it.newAxis && !it.index._varies()
      ? { kind: "int", value: it.index._concrete()._data![0]!, pos: it.pos }
      : it,
  );
  // x with a length-1 axis wherever a 0-d mask indexes (x[True] adds an axis).
  const sizes: number[] = [];
  let axis = 0;
  for (const it of items) {
    if (it.kind === "newaxis") continue;
    sizes.push(it.kind === "array" && it.newAxis ? 1 : x.shape[axis++]!);
  }
  const t = sizes.length === x.ndim ? x : reshape(x, sizes);
  const advanced = items.some((it) => it.kind === "array");
  // One strided slice for every slice (and, without advanced indices, every integer).
  const begin: SliceEntry[] = [];
  const end: SliceEntry[] = [];
  const step: SliceEntry[] = [];
  let d = 0;
  for (const it of items) {
    if (it.kind === "newaxis") continue;
    if (it.kind === "slice") {
      begin.push(it.slice.start);
      end.push(it.slice.stop);
      step.push(it.slice.step);
    } else if (it.kind === "int" && !advanced) {
      const v = intIndex(op, it.value, d, t.shape[d]!);
      begin.push(v);
      end.push(v + 1);
      step.push(1);
    } else {
      begin.push(null);
      end.push(null);
      step.push(null);
    }
    d++;
  }
  const sliced = stridedSlice(t, begin, end, step);
  if (!advanced) {
    const shape: number[] = [];
    let k = 0;
    for (const it of items) {
      if (it.kind === "newaxis") shape.push(1);
      else if (it.kind === "slice") shape.push(sliced.shape[k++]!);
      else k++;
    }
    return shapesEqual(shape, sliced.shape) ? sliced : reshape(sliced, shape);
  }
  // Advanced indexing: integers count as 0-d index arrays (NumPy's rule).
  const adv: Advanced[] = [];
  const positions: number[] = [];
  d = 0;
  for (const it of items) {
    if (it.kind === "newaxis") continue;
    if (it.kind === "int" || it.kind === "array") {
      const size = sliced.shape[d]!;
      const index =
        it.kind === "int"
          ? Tensor._fromData([], "int32", Int32Array.of(intIndex(op, it.value, d, size)))
          : (it as ArrayItem).index;
      adv.push({ index, axis: d, size });
      positions.push(it.pos);
    }
    d++;
  }
  const bshape = broadcastIndexShapes(
    op,
    adv.map((a) => a.index.shape),
  );
  const merged = mergedIndex(op, adv, bshape);
  const total = adv.reduce((n, a) => n * a.size, 1);
  // NumPy: advanced indices next to each other put their dimensions where they stand; separated
  // (by a slice, newaxis or ellipsis), they go first.
  const adjacent = positions.every((p, j) => j === 0 || p === positions[j - 1]! + 1);
  const isAdv = new Set(adv.map((a) => a.axis));
  const shape: number[] = [];
  let gathered: Tensor;
  if (adjacent) {
    const first = adv[0]!.axis;
    const last = adv[adv.length - 1]!.axis;
    const folded = [...sliced.shape.slice(0, first), total, ...sliced.shape.slice(last + 1)];
    const src = shapesEqual(folded, sliced.shape) ? sliced : reshape(sliced, folded);
    gathered = bind(gatherPrim, [src, merged], { axis: first });
  } else {
    const rest = sliced.shape.map((_, a) => a).filter((a) => !isAdv.has(a));
    const moved = transpose(sliced, [...adv.map((a) => a.axis), ...rest]);
    const src = reshape(moved, [total, ...rest.map((a) => sliced.shape[a]!)]);
    gathered = bind(gatherPrim, [src, merged], { axis: 0 });
    shape.push(...bshape);
  }
  d = 0;
  let placed = !adjacent;
  for (const it of items) {
    if (it.kind === "newaxis") {
      shape.push(1);
      continue;
    }
    if (it.kind === "slice") shape.push(sliced.shape[d]!);
    else if (!placed) {
      shape.push(...bshape);
      placed = true;
    }
    d++;
  }
  return shapesEqual(shape, gathered.shape) ? gathered : reshape(gathered, shape);
}

/**
 * NumPy indexing, `x[i0, i1, ...]`, as a function: integers (negative count from the end),
 * slices with any step ({@link s} or strings such as `"1:"`, `"::-1"`), {@link newaxis} (`null`),
 * one ellipsis (`"..."`), integer arrays (advanced indexing: all index arrays, and integers next to
 * them, broadcast together; their dimensions go where the arrays stand if they are adjacent, else
 * first, as in NumPy) and boolean masks (select where true; the mask's shape must match the axes
 * it covers). Missing trailing items take whole axes. The result is a new tensor (no views).
 *
 * Differentiable in x to any order in both modes and under vmap (index arrays may vary over the
 * batch; masks may not, as in JAX: their true-count would set the shape): the gradient puts the
 * cotangent back where each element came from, accumulating over repeated indices. Index arrays
 * and masks carry no derivative. This is the same as the Tensor method {@link Tensor.index}.
 * @throws {@link ValueError} when an index is out of range, for too many indices, a second
 * ellipsis or a malformed string.
 * @throws {@link ShapeError} when a mask's shape does not match the axes it covers or index arrays
 * do not broadcast together.
 * @throws {@link DTypeError} for a float index tensor.
 * @throws {@link TracerError} when a mask varies over a vmap batch.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.arange(12).reshape([3, 4]);
 * ad.index(x, 1); // => tensor([4, 5, 6, 7], dtype=int32)
 * ad.index(x, -1, ad.s(null, null, -2)); // => tensor([11, 9], dtype=int32)
 * ad.index(x, "1:, ::3"); // => tensor([[4, 7], [8, 11]], dtype=int32)
 * ad.index(x, "...", null).shape; // => [3, 4, 1]
 * ad.index(x, [0, 2], [1, 3]); // => tensor([1, 11], dtype=int32)
 * ad.index(x, ad.s(), [2, 0]); // => tensor([[2, 0], [6, 4], [10, 8]], dtype=int32)
 * ad.index(x, x.greater(8)); // => tensor([9, 10, 11], dtype=int32)
 * ad.index(x, 3); // throws: ValueError: index: index 3 is out of range for axis 0 of size 3
 * ad.grad((v: ad.Tensor) => v.index([0, 0, 2]).sum())(ad.tensor([1, 2, 3])); // => tensor([2., 0., 1.], dtype=float32)
 * ```
 * @category Indexing
 */
export function index(x: TensorLike, ...items: IndexItem[]): Tensor {
  return indexTensor("index", toTensor(x), items);
}
