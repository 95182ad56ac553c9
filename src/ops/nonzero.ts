/**
 * @file Selections whose size depends on the values, as NumPy's: nonzero, flatnonzero, argwhere,
 * extract, compress and trimZeros. They read the values (a TracerError inside vmap, as in JAX
 * without a static `size`); `size` and `fillValue` fix the result's length as JAX allows. The
 * selected values are gathered from the input, so extract, compress and trimZeros carry its
 * derivative; the indices are int32.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxis } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { where } from "./elementwise.js";
import { reshape, slice, take } from "./shape.js";

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

/** `list` cut or filled to `size` (when given). */
function sized(
  op: string,
  list: number[],
  options: SizeOptions | undefined,
  fill: number,
): number[] {
  const size = options?.size;
  if (size === undefined) return list;
  if (!Number.isInteger(size) || size < 0) {
    throw new ValueError(`${op}: size must be a non-negative integer; got ${describeValue(size)}`);
  }
  return Array.from({ length: size }, (_, i) => (i < list.length ? list[i]! : fill));
}

function fillOf(op: string, options: SizeOptions | undefined): number {
  const fill = options?.fillValue ?? 0;
  if (typeof fill !== "number") {
    throw new ValueError(`${op}: fillValue must be a number; got ${describeValue(fill)}`);
  }
  return fill;
}

const int32 = (data: readonly number[]) => toTensor(Int32Array.from(data), "int32");

/**
 * The indices of the non-zero entries of x, one int32 array per dimension (row-major order);
 * NaN counts as non-zero.
 * @param x - At least 1-d.
 * @param options - `size` and `fillValue` (default 0) fix the length.
 * @throws {@link ValueError} when x is 0-d.
 * @throws {@link TracerError} inside vmap (the result's length depends on the values).
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
  const flat = hits(op, t);
  return t.shape.map((_, d) => {
    let stride = 1;
    for (let k = d + 1; k < t.ndim; k++) stride *= t.shape[k]!;
    const coords = flat.map((i) => Math.floor(i / stride) % t.shape[d]!);
    return int32(sized(op, coords, options, fill));
  });
}

/**
 * The flat (row-major) indices of the non-zero entries of x, int32.
 * @throws {@link TracerError} inside vmap.
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
  return int32(sized(op, hits(op, toTensor(x)), options, fillOf(op, options)));
}

/**
 * The indices of the non-zero entries of x as rows: int32 of shape [count, x.ndim].
 * @throws {@link TracerError} inside vmap.
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
  const cols = nonzero(t, options);
  const k = cols[0]!.size;
  const data = new Int32Array(k * t.ndim);
  cols.forEach((c, d) => {
    const v = c._data as Int32Array;
    for (let i = 0; i < k; i++) data[i * t.ndim + d] = v[i]!;
  });
  return reshape(toTensor(data, "int32"), [k, t.ndim]);
}

/** The values of `a` at `positions` (flattened), filled up to `size` with `fillValue`. */
function gathered(
  op: string,
  a: Tensor,
  positions: number[],
  options: SizeOptions | undefined,
): Tensor {
  const picked = take(a, int32(sized(op, positions, options, 0)));
  const size = options?.size;
  if (size === undefined || size <= positions.length) return picked;
  // Positions past the hits read entry 0; the fill value replaces them.
  const real = toTensor(Array.from({ length: size }, (_, i) => i < positions.length));
  return where(real, picked, toTensor(fillOf(op, options), picked.dtype));
}

/**
 * The entries of `arr` (flattened) where `condition` (flattened) is non-zero: a 1-d result,
 * differentiable w.r.t. arr.
 * @throws {@link TracerError} inside vmap.
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
  const positions = hits(op, toTensor(condition)).filter((i) => i < a.size);
  return gathered(op, flat, positions, options);
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
