/**
 * @file Selections whose size depends on the values, as NumPy's: nonzero, flatnonzero, argwhere,
 * extract, compress and trimZeros. Without a `size` they read the values (a TracerError inside
 * vmap, as in JAX without a static size); with `size` (and `fillValue`) nonzero, flatnonzero,
 * argwhere and extract are computed with tensor ops only and work inside vmap. The
 * selected values are gathered from the input, so extract, compress and trimZeros carry its
 * derivative; the indices are int32.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxis } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { zeros } from "./creation.js";
import { add, astype, div, floor, less, logicalAnd, mod, sub, where } from "./elementwise.js";
import { cumsum } from "./reduce.js";
import { pad, reshape, scatterAdd, slice, stack, take } from "./shape.js";

/**
 * Options of the value-dependent selections: a fixed result length.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.flatnonzero([0, 3, 0, 4], { size: 3, fillValue: -1 }); // => tensor([1, 3, -1], dtype=int32)
 * ```
 * @category Indexing
 */
export interface SizeOptions {
  /** The result length: extra hits are dropped, missing ones filled (default: the hit count). */
  size?: number;
  /** The index (or value, for extract and compress) that fills up to `size` (default 0). */
  fillValue?: number;
}

/** The flat positions of the non-zero (truthy; NaN counts) entries of x, read as numbers. */
function hits(op: string, x: Tensor): number[] {
  const data = x._readable(op)._data!;
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) if (Number(data[i]) !== 0) out.push(i);
  return out;
}

function fillOf(op: string, options: SizeOptions | undefined): number {
  const fill = options?.fillValue ?? 0;
  if (typeof fill !== "number") {
    throw new ValueError(`${op}: fillValue must be a number; got ${describeValue(fill)}`);
  }
  return fill;
}

const int32 = (data: readonly number[]) => toTensor(Int32Array.from(data), "int32");

function sizeOf(op: string, options: SizeOptions | undefined): number | undefined {
  const size = options?.size;
  if (size !== undefined && (!Number.isInteger(size) || size < 0)) {
    throw new ValueError(`${op}: size must be a non-negative integer; got ${describeValue(size)}`);
  }
  return size;
}

/**
 * The flat positions of the true entries of a 1-d bool mask, cut or filled to `size`, computed
 * with tensor ops only (a running count ranks the hits, a scatter places them), so a given size
 * needs no values: this path works inside vmap, as JAX's `size` does under jit.
 */
function sizedPositions(mask: Tensor, size: number, fill: number): Tensor {
  const n = mask.size;
  if (n === 0) return add(zeros([size], "int32"), fill);
  const rank = sub(cumsum(astype(mask, "int32")), 1);
  const ok = logicalAnd(mask, less(rank, size));
  const slot = where(ok, rank, size);
  const position = toTensor(
    Int32Array.from({ length: n }, (_, i) => i),
    "int32",
  );
  // Each slot gets at most one hit; slot `size` collects the rest and is dropped.
  const placed = scatterAdd(zeros([size + 1], "int32"), slot, where(ok, sub(position, fill), 0));
  return add(slice(placed, [0], [size]), fill);
}

/** x flattened to a 1-d truth mask (non-zero, NaN included, is true). */
function truthMask(x: Tensor): Tensor {
  const b = astype(x, "bool");
  return b.ndim === 1 ? b : reshape(b, [b.size]);
}

/**
 * The indices of the non-zero entries of x, one int32 array per dimension (row-major order);
 * NaN counts as non-zero.
 * @param x - At least 1-d.
 * @param options - `size` and `fillValue` (default 0) fix the length.
 * @throws {@link ValueError} when x is 0-d.
 * @throws {@link TracerError} inside vmap without `size` (the length depends on the values).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nonzero([[1, 0], [0, 2]]); // => [tensor([0, 1], dtype=int32), tensor([0, 1], dtype=int32)]
 * ```
 * @category Indexing
 */
export function nonzero(x: TensorLike, options?: SizeOptions): Tensor[] {
  const op = "nonzero";
  options = checkOptions(op, options, ["size", "fillValue"]);
  const t = toTensor(x);
  if (t.ndim === 0) {
    throw new ValueError(`${op}: x must be at least 1-d (NumPy 2 disallows 0-d); got a 0-d tensor`);
  }
  const fill = fillOf(op, options);
  const strideOf = (d: number) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const size = sizeOf(op, options);
  if (size !== undefined) {
    // Positions as float64 (exact for any index) so that the coordinates are plain arithmetic.
    const p = astype(sizedPositions(truthMask(t), size, -1), "float64");
    const missing = less(p, 0);
    return t.shape.map((m, d) =>
      astype(where(missing, fill, mod(floor(div(p, strideOf(d))), m)), "int32"),
    );
  }
  const flat = hits(op, t);
  return t.shape.map((m, d) => int32(flat.map((i) => Math.floor(i / strideOf(d)) % m)));
}

/**
 * The flat (row-major) indices of the non-zero entries of x, int32.
 * @throws {@link TracerError} inside vmap without `size`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.flatnonzero([[1, 0], [0, 2]]); // => tensor([0, 3], dtype=int32)
 * ```
 * @category Indexing
 */
export function flatnonzero(x: TensorLike, options?: SizeOptions): Tensor {
  const op = "flatnonzero";
  options = checkOptions(op, options, ["size", "fillValue"]);
  const t = toTensor(x);
  const size = sizeOf(op, options);
  if (size !== undefined) return sizedPositions(truthMask(t), size, fillOf(op, options));
  return int32(hits(op, t));
}

/**
 * The indices of the non-zero entries of x as rows: int32 of shape [count, x.ndim].
 * @throws {@link TracerError} inside vmap without `size`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.argwhere([[1, 0], [3, 2]]); // => tensor([[0, 0], [1, 0], [1, 1]], dtype=int32)
 * ```
 * @category Indexing
 */
export function argwhere(x: TensorLike, options?: SizeOptions): Tensor {
  const op = "argwhere";
  options = checkOptions(op, options, ["size", "fillValue"]);
  const t = toTensor(x);
  // A 0-d x has one row without columns if it is non-zero (NumPy).
  if (t.ndim === 0) return reshape(int32([]), [options?.size ?? hits(op, t).length, 0]);
  return stack(nonzero(t, options), 1);
}

/**
 * The entries of `arr` (flattened) where `condition` (flattened) is non-zero: a 1-d result,
 * differentiable w.r.t. arr.
 * @throws {@link TracerError} inside vmap without `size`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([[1, -2], [3, -4]]);
 * ad.extract(ad.greater(x, 0), x); // => tensor([1., 3.], dtype=float32)
 * ```
 * @category Indexing
 */
export function extract(condition: TensorLike, arr: TensorLike, options?: SizeOptions): Tensor {
  const op = "extract";
  options = checkOptions(op, options, ["size", "fillValue"]);
  const a = toTensor(arr);
  const flat = a.ndim === 1 ? a : reshape(a, [a.size]);
  let mask = truthMask(toTensor(condition));
  // Entries of the condition past arr's end select nothing; missing ones are false.
  if (mask.size > flat.size) mask = slice(mask, [0], [flat.size]);
  else if (mask.size < flat.size) mask = pad(mask, [[0, flat.size - mask.size]]);
  const size = sizeOf(op, options);
  if (size === undefined) return take(flat, int32(hits(op, mask)));
  const p = sizedPositions(mask, size, -1);
  const missing = less(p, 0);
  const picked = take(flat, where(missing, 0, p));
  return where(missing, toTensor(fillOf(op, options), picked.dtype), picked);
}

/**
 * The slices of `a` along `axis` (default: the flattened a) where the 1-d `condition` is
 * non-zero; condition may be shorter than the axis (missing entries are false). Differentiable
 * w.r.t. a.
 * @throws {@link ShapeError} when condition is not 1-d.
 * @throws {@link ValueError} when condition selects past the end of the axis.
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.compress([false, true, true], ad.tensor([[1, 2], [3, 4], [5, 6]]), 0); // => tensor([[3., 4.], [5., 6.]], dtype=float32)
 * ```
 * @category Indexing
 */
export function compress(condition: TensorLike, a: TensorLike, axis?: number): Tensor {
  const op = "compress";
  const c = toTensor(condition);
  if (c.ndim !== 1) {
    throw new ShapeError(`${op}: condition must be 1-d; got shape ${fmtShape(c.shape)}`);
  }
  let t = toTensor(a);
  let ax = 0;
  if (axis === undefined) t = t.ndim === 1 ? t : reshape(t, [t.size]);
  else ax = normalizeAxis(op, axis, t.ndim);
  const positions = hits(op, c);
  const len = t.shape[ax]!;
  const past = positions.find((i) => i >= len);
  if (past !== undefined) {
    throw new ValueError(
      `${op}: condition selects index ${past}, past the end of axis ${ax} (length ${len})`,
    );
  }
  return take(t, int32(positions), ax);
}

/**
 * The 1-d `filt` without its leading ("f"), trailing ("b") or both ("fb", default) zeros: a
 * slice, differentiable w.r.t. filt.
 * @throws {@link ShapeError} when filt is not 1-d.
 * @throws {@link ValueError} when trim is not "f", "b" or "fb".
 * @throws {@link TracerError} inside vmap.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.trimZeros(ad.tensor([0, 0, 1, 2, 0, 3, 0])); // => tensor([1., 2., 0., 3.], dtype=float32)
 * ad.trimZeros(ad.tensor([0, 1, 0]), "b"); // => tensor([0., 1.], dtype=float32)
 * ```
 * @category Indexing
 */
export function trimZeros(filt: TensorLike, trim: "f" | "b" | "fb" = "fb"): Tensor {
  const op = "trimZeros";
  if (trim !== "f" && trim !== "b" && trim !== "fb" && trim !== ("bf" as string)) {
    throw new ValueError(`${op}: trim must be "f", "b" or "fb"; got ${describeValue(trim)}`);
  }
  const t = toTensor(filt);
  if (t.ndim !== 1) throw new ShapeError(`${op}: filt must be 1-d; got shape ${fmtShape(t.shape)}`);
  const nz = hits(op, t);
  if (nz.length === 0) return slice(t, [0], [0]);
  const begin = trim.includes("f") ? nz[0]! : 0;
  const end = trim.includes("b") ? nz[nz.length - 1]! + 1 : t.size;
  return slice(t, [begin], [end - begin]);
}
