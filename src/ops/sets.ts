/**
 * @file Set operations on the flattened values of arrays, as NumPy's: unique (and uniqueAll,
 * uniqueCounts, uniqueInverse, uniqueValues), union1d, intersect1d, setdiff1d, setxor1d. Their
 * result sizes depend on the values, so the values are read (a TracerError inside vmap, as JAX
 * without a static size), except unique with a `size`, which uses tensor ops only; the returned
 * values are gathered from the input, so they carry its derivative (each unique value's from
 * its first occurrence).
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { zeros } from "./creation.js";
import {
  add,
  astype,
  greater,
  isNaN as isNaNOp,
  less,
  logicalAnd,
  logicalNot,
  logicalOr,
  notEqual,
  sub,
  where,
} from "./elementwise.js";
import { argsort } from "./indexing.js";
import { cumsum, min } from "./reduce.js";
import { concat, reshape, scatterAdd, slice, take } from "./shape.js";

/** The flattened values of x as numbers (NaN sorts last), read as concrete data. */
function valuesOf(op: string, x: Tensor): number[] {
  return Array.from(x._readable(op)._data!, (v) => Number(v));
}

/** NumPy's sort order: numbers ascending, NaN last (all NaN equal). */
function compare(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Groups {
  /** Index (into the flattened input) of each unique value's first occurrence, sorted by value. */
  first: number[];
  /** For every input element, the position of its value among the unique values. */
  inverse: number[];
  counts: number[];
}

function groupsOf(values: readonly number[]): Groups {
  const order = values.map((_, i) => i);
  // Stable, so each group starts at its first occurrence.
  order.sort((i, j) => compare(values[i]!, values[j]!) || i - j);
  const first: number[] = [];
  const counts: number[] = [];
  const inverse = new Array<number>(values.length);
  for (const i of order) {
    const last = first.length - 1;
    if (last >= 0 && compare(values[first[last]!]!, values[i]!) === 0) counts[last]!++;
    else {
      first.push(i);
      counts.push(1);
    }
    inverse[i] = first.length - 1;
  }
  return { first, inverse, counts };
}

function int32(data: readonly number[], shape?: readonly number[]): Tensor {
  const t = toTensor(Int32Array.from(data), "int32");
  return shape === undefined ? t : reshape(t, shape);
}

function flat(x: TensorLike): Tensor {
  const t = toTensor(x);
  return t.ndim === 1 ? t : reshape(t, [t.size]);
}

/**
 * The sorted unique values of x (flattened); NaN values count as one, placed last. The values
 * carry x's derivative (from each value's first occurrence). With `size` the result has that
 * length (cut, or filled with `fillValue`, default x's minimum) and is computed with tensor ops
 * only, so it also works inside vmap (as JAX's `size` under jit).
 * @param x - Any shape.
 * @param options - `size` and `fillValue`.
 * @throws {@link TracerError} inside vmap without `size` (the length depends on the values).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.unique(ad.tensor([[3, 1], [3, NaN]])); // => tensor([1., 3., NaN], dtype=float32)
 * ad.unique(ad.tensor([2, 2, 5]), { size: 4, fillValue: -1 }); // => tensor([2., 5., -1., -1.], dtype=float32)
 * ```
 * @category Indexing
 */
export function unique(x: TensorLike, options?: { size?: number; fillValue?: number }): Tensor {
  return uniqueValues(x, options);
}

/**
 * The sorted unique values of x (flattened), as NumPy 2's unique_values; `size` and
 * `fillValue` as in {@link unique}.
 * @throws {@link TracerError} inside vmap without `size`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.uniqueValues([2, 1, 2]); // => tensor([1., 2.], dtype=float32)
 * ```
 * @category Indexing
 */
export function uniqueValues(
  x: TensorLike,
  options?: { size?: number; fillValue?: number },
): Tensor {
  const op = "unique";
  options = checkOptions(op, options, ["size", "fillValue"]);
  const t = flat(x);
  const size = options?.size;
  if (size === undefined) return take(t, int32(groupsOf(valuesOf(op, t)).first));
  if (!Number.isInteger(size) || size < 0) {
    throw new ValueError(`${op}: size must be a non-negative integer; got ${describeValue(size)}`);
  }
  const fill = options?.fillValue;
  if (fill !== undefined && typeof fill !== "number") {
    throw new ValueError(`${op}: fillValue must be a number; got ${describeValue(fill)}`);
  }
  const n = t.size;
  if (n === 0) return add(zeros([size], t.dtype), fill ?? 0);
  // Sorted (NaN last); a value opens a group where it differs from its predecessor (NaNs equal).
  const s = take(t, argsort(t));
  const prev = concat([slice(s, [0], [1]), slice(s, [0], [n - 1])]);
  const bothNaN = logicalAnd(isNaNOp(s), isNaNOp(prev));
  const first = toTensor(Array.from({ length: n }, (_, i) => i === 0));
  const opens = logicalOr(first, logicalAnd(notEqual(s, prev), logicalNot(bothNaN)));
  const rank = sub(cumsum(astype(opens, "int32")), 1);
  const ok = logicalAnd(opens, less(rank, size));
  const slot = where(ok, rank, size);
  // Each slot receives one group's first value; slot `size` collects the rest and is dropped.
  const values = slice(scatterAdd(zeros([size + 1], s.dtype), slot, where(ok, s, 0)), [0], [size]);
  const filled = greater(
    slice(scatterAdd(zeros([size + 1], "int32"), slot, astype(ok, "int32")), [0], [size]),
    0,
  );
  return where(filled, values, fill ?? min(t));
}

/**
 * The sorted unique values of x and how often each occurs (int32), as NumPy 2's unique_counts.
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.uniqueCounts([2, 1, 2]).counts; // => tensor([1, 2], dtype=int32)
 * ```
 * @category Indexing
 */
export function uniqueCounts(x: TensorLike): { values: Tensor; counts: Tensor } {
  const t = flat(x);
  const g = groupsOf(valuesOf("uniqueCounts", t));
  return { values: take(t, int32(g.first)), counts: int32(g.counts) };
}

/**
 * The sorted unique values of x and, for every element of x, the index of its value among them
 * (int32, x's shape): values[inverseIndices] rebuilds x. As NumPy 2's unique_inverse.
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.uniqueInverse([[2, 1], [2, 5]]).inverseIndices; // => tensor([[1, 0], [1, 2]], dtype=int32)
 * ```
 * @category Indexing
 */
export function uniqueInverse(x: TensorLike): { values: Tensor; inverseIndices: Tensor } {
  const t0 = toTensor(x);
  const t = flat(t0);
  const g = groupsOf(valuesOf("uniqueInverse", t));
  return { values: take(t, int32(g.first)), inverseIndices: int32(g.inverse, t0.shape) };
}

/**
 * Everything about x's unique values, as NumPy 2's unique_all: the sorted values, the index of
 * each value's first occurrence in the flattened x, the inverse indices (x's shape) and the
 * counts, all int32 but the values.
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const u = ad.uniqueAll([5, 2, 5, 2, 7]);
 * u.values; // => tensor([2., 5., 7.], dtype=float32)
 * u.indices; // => tensor([1, 0, 4], dtype=int32)
 * u.counts; // => tensor([2, 2, 1], dtype=int32)
 * ```
 * @category Indexing
 */
export function uniqueAll(x: TensorLike): {
  values: Tensor;
  indices: Tensor;
  inverseIndices: Tensor;
  counts: Tensor;
} {
  const t0 = toTensor(x);
  const t = flat(t0);
  const g = groupsOf(valuesOf("uniqueAll", t));
  return {
    values: take(t, int32(g.first)),
    indices: int32(g.first),
    inverseIndices: int32(g.inverse, t0.shape),
    counts: int32(g.counts),
  };
}

/** The sorted unique values of the flattened a whose membership in b satisfies `keep`. */
function filtered(
  op: string,
  a: TensorLike,
  b: TensorLike,
  keep: (inA: boolean, inB: boolean) => boolean,
): Tensor {
  const ta = flat(a);
  const tb = flat(b);
  const both = concat([ta, tb]);
  const va = valuesOf(op, ta);
  const vb = valuesOf(op, tb);
  const g = groupsOf([...va, ...vb]);
  const inA = new Array<boolean>(g.first.length).fill(false);
  const inB = new Array<boolean>(g.first.length).fill(false);
  g.inverse.forEach((u, i) => {
    if (i < va.length) inA[u] = true;
    else inB[u] = true;
  });
  const picked = g.first.filter((_, u) => keep(inA[u]!, inB[u]!));
  return take(both, int32(picked));
}

/**
 * The sorted unique values found in a or b (both flattened).
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.union1d([3, 1], [[2, 3]]); // => tensor([1., 2., 3.], dtype=float32)
 * ```
 * @category Indexing
 */
export function union1d(a: TensorLike, b: TensorLike): Tensor {
  return filtered("union1d", a, b, () => true);
}

/**
 * The sorted unique values found in both a and b (flattened); they carry a's derivative.
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.intersect1d([1, 3, 4, 3], [3, 1, 2, 1]); // => tensor([1., 3.], dtype=float32)
 * ```
 * @category Indexing
 */
export function intersect1d(a: TensorLike, b: TensorLike): Tensor {
  return filtered("intersect1d", a, b, (inA, inB) => inA && inB);
}

/**
 * The sorted unique values of a (flattened) that are not in b.
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.setdiff1d([1, 2, 3, 2, 4, 1], [3, 4, 5, 6]); // => tensor([1., 2.], dtype=float32)
 * ```
 * @category Indexing
 */
export function setdiff1d(a: TensorLike, b: TensorLike): Tensor {
  return filtered("setdiff1d", a, b, (inA, inB) => inA && !inB);
}

/**
 * The sorted unique values found in exactly one of a and b (flattened).
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.setxor1d([1, 2, 3, 2, 4], [2, 3, 5, 7, 5]); // => tensor([1., 4., 5., 7.], dtype=float32)
 * ```
 * @category Indexing
 */
export function setxor1d(a: TensorLike, b: TensorLike): Tensor {
  return filtered("setxor1d", a, b, (inA, inB) => inA !== inB);
}
