/**
 * @file Matrix structure (NumPy semantics): diagonal, trace, diag, diagflat, tril, triu, tri,
 * vander, identity and diagIndices. Composites of slicing, selection and products: diagonal is
 * one strided slice of the flattened matrix, so its gradient scatters back into the diagonal.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { type DType, getDefaultFloat } from "../core/dtype.js";
import { fmtShape, ValueError } from "../core/errors.js";
import { normalizeAxis } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { arange, eye, onesLike, zeros, zerosLike } from "./creation.js";
import { add, astype, greaterEqual, logicalNot, mul, where } from "./elementwise.js";
import { stridedSlice } from "./indexing.js";
import { sum } from "./reduce.js";
import { broadcastTo, flip, pad, reshape, stack, transpose } from "./shape.js";

function checkInt(op: string, arg: string, v: unknown): number {
  if (!Number.isInteger(v)) {
    throw new ValueError(`${op}: ${arg} must be an integer; got ${describeValue(v)}`);
  }
  return v as number;
}

function checkCount(op: string, arg: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 0) {
    throw new ValueError(`${op}: ${arg} must be a non-negative integer; got ${describeValue(v)}`);
  }
  return v as number;
}

/**
 * The diagonal at `offset` (above the main one when positive, below when negative) of the
 * matrices spanned by axis1 and axis2: those two axes are removed and the diagonal becomes the
 * last axis (NumPy's diagonal). Differentiable: the gradient puts the cotangent back on the
 * diagonal, zeros elsewhere.
 * @throws {@link ValueError} when x has fewer than 2 axes, or axis1 and axis2 are the same axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([[1, 2, 3], [4, 5, 6]]);
 * ad.diagonal(x); // => tensor([1., 5.], dtype=float32)
 * ad.diagonal(x, 1); // => tensor([2., 6.], dtype=float32)
 * ad.diagonal(x, -1); // => tensor([4.], dtype=float32)
 * ad.diagonal(ad.ones([2, 3, 4]), 0, 1, 2).shape; // => [2, 3]
 * ```
 * @category Linear algebra
 */
export function diagonal(x: TensorLike, offset = 0, axis1 = 0, axis2 = 1): Tensor {
  const t = toTensor(x);
  const op = "diagonal";
  if (t.ndim < 2) {
    throw new ValueError(`${op}: x must be at least 2-d; got shape ${fmtShape(t.shape)}`);
  }
  const k = checkInt(op, "offset", offset);
  const a1 = normalizeAxis(op, axis1, t.ndim, "axis1");
  const a2 = normalizeAxis(op, axis2, t.ndim, "axis2");
  if (a1 === a2) {
    throw new ValueError(`${op}: axis1 and axis2 must be different axes; both are ${a1}`);
  }
  const rest = t.shape.map((_, i) => i).filter((i) => i !== a1 && i !== a2);
  const perm = [...rest, a1, a2];
  const moved = perm.every((p, i) => p === i) ? t : transpose(t, perm);
  const n = t.shape[a1]!;
  const m = t.shape[a2]!;
  const len = Math.max(0, k >= 0 ? Math.min(n, m - k) : Math.min(n + k, m));
  // In the row-major flattened matrix, element (i, i + k) sits at start + i * (m + 1).
  const start = k >= 0 ? k : -k * m;
  const flat = reshape(moved, rest.map((i) => t.shape[i]!).concat([n * m]));
  const lead = rest.map(() => null);
  return stridedSlice(
    flat,
    [...lead, len === 0 ? 0 : start],
    [...lead, len === 0 ? 0 : start + (len - 1) * (m + 1) + 1],
    [...lead, m + 1],
  );
}

/**
 * The sum along the diagonal at `offset` of the matrices spanned by axis1 and axis2 (NumPy's
 * trace): `sum(diagonal(x, offset, axis1, axis2), -1)`.
 * @throws {@link ValueError} when x has fewer than 2 axes, or axis1 and axis2 are the same axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.trace(ad.tensor([[1, 2], [3, 4]])); // => tensor(5., dtype=float32)
 * ad.trace(ad.tensor([[1, 2], [3, 4]]), 1); // => tensor(2., dtype=float32)
 * ad.grad((a: ad.Tensor) => ad.trace(a))(ad.ones([2, 2])); // => tensor([[1., 0.], [0., 1.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function trace(x: TensorLike, offset = 0, axis1 = 0, axis2 = 1): Tensor {
  return sum(diagonal(x, offset, axis1, axis2), { axis: -1 });
}

/**
 * For a 1-d v, the square matrix with v on the diagonal at `k` (above the main one when
 * positive) and zeros elsewhere; for a 2-d v, its diagonal at `k` (NumPy's diag).
 * @throws {@link ValueError} when v is not 1-d or 2-d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.diag(ad.tensor([1, 2])); // => tensor([[1., 0.], [0., 2.]], dtype=float32)
 * ad.diag(ad.tensor([1, 2]), 1); // => tensor([[0., 1., 0.], [0., 0., 2.], [0., 0., 0.]], dtype=float32)
 * ad.diag(ad.tensor([[1, 2], [3, 4]])); // => tensor([1., 4.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function diag(v: TensorLike, k = 0): Tensor {
  const t = toTensor(v);
  const off = checkInt("diag", "k", k);
  if (t.ndim === 2) return diagonal(t, off);
  if (t.ndim !== 1) {
    throw new ValueError(`diag: v must be 1-d or 2-d; got shape ${fmtShape(t.shape)}`);
  }
  const n = t.shape[0]!;
  // where (not a product with eye) so that an infinite entry leaves zeros off the diagonal.
  const square = where(eye(n, n, "bool"), broadcastTo(reshape(t, [1, n]), [n, n]), zerosLike(t));
  if (off === 0) return square;
  const s = Math.abs(off);
  return pad(
    square,
    off > 0
      ? [
          [0, s],
          [s, 0],
        ]
      : [
          [s, 0],
          [0, s],
        ],
  );
}

/**
 * The square matrix with the flattened v on the diagonal at `k` (NumPy's diagflat).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.diagflat(ad.tensor([[1, 2]])); // => tensor([[1., 0.], [0., 2.]], dtype=float32)
 * ad.diagflat(ad.tensor([3]), -1); // => tensor([[0., 0.], [3., 0.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function diagflat(v: TensorLike, k = 0): Tensor {
  const t = toTensor(v);
  return diag(reshape(t, [t.size]), k);
}

/** The bool [n, m] mask of j <= i + k. */
function lowerMask(n: number, m: number, k: number): Tensor {
  return greaterEqual(add(reshape(arange(n), [n, 1]), k), reshape(arange(m), [1, m]));
}

/**
 * An n x m matrix (m defaults to n) with ones at and below the diagonal at `k` (where
 * j <= i + k) and zeros elsewhere (NumPy's tri; default float dtype).
 * @throws {@link ValueError} when n or m is not a non-negative integer or k not an integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tri(3); // => tensor([[1., 0., 0.], [1., 1., 0.], [1., 1., 1.]], dtype=float32)
 * ad.tri(2, 3, 1, "bool"); // => tensor([[true, true, false], [true, true, true]], dtype=bool)
 * ```
 * @category Creation
 */
export function tri(n: number, m?: number | null, k = 0, dtype?: DType): Tensor {
  const rows = checkCount("tri", "n", n);
  const cols = m === undefined || m === null ? rows : checkCount("tri", "m", m);
  const mask = lowerMask(rows, cols, checkInt("tri", "k", k));
  return astype(mask, dtype ?? getDefaultFloat());
}

/** x with the entries of its last two axes outside `keep` replaced by zero. */
function masked(op: string, x: TensorLike, keep: (n: number, m: number) => Tensor): Tensor {
  const t = toTensor(x);
  if (t.ndim < 2) {
    throw new ValueError(`${op}: x must be at least 2-d; got shape ${fmtShape(t.shape)}`);
  }
  const mask = keep(t.shape[t.ndim - 2]!, t.shape[t.ndim - 1]!);
  return where(mask, t, zerosLike(t));
}

/**
 * The lower triangle of the matrices in the last two axes of x: entries with j <= i + k kept,
 * the others zero (NumPy's tril). The gradient is the cotangent's lower triangle.
 * @throws {@link ValueError} when x has fewer than 2 axes.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tril(ad.tensor([[1, 2], [3, 4]])); // => tensor([[1., 0.], [3., 4.]], dtype=float32)
 * ad.tril(ad.tensor([[1, 2], [3, 4]]), -1); // => tensor([[0., 0.], [3., 0.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function tril(x: TensorLike, k = 0): Tensor {
  const off = checkInt("tril", "k", k);
  return masked("tril", x, (n, m) => lowerMask(n, m, off));
}

/**
 * The upper triangle of the matrices in the last two axes of x: entries with j >= i + k kept,
 * the others zero (NumPy's triu). The gradient is the cotangent's upper triangle.
 * @throws {@link ValueError} when x has fewer than 2 axes.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.triu(ad.tensor([[1, 2], [3, 4]])); // => tensor([[1., 2.], [0., 4.]], dtype=float32)
 * ad.triu(ad.tensor([[1, 2], [3, 4]]), 1); // => tensor([[0., 2.], [0., 0.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function triu(x: TensorLike, k = 0): Tensor {
  const off = checkInt("triu", "k", k);
  return masked("triu", x, (n, m) => logicalNot(lowerMask(n, m, off - 1)));
}

/**
 * The Vandermonde matrix of a 1-d x: column j holds x ** (n - 1 - j), or x ** j when
 * `increasing` (NumPy's vander; n defaults to x's length). Powers are formed by repeated
 * products, so the derivative is exact at negative and zero x.
 * @throws {@link ValueError} when x is not 1-d or n is not a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.vander(ad.tensor([1, 2, 3])); // => tensor([[1., 1., 1.], [4., 2., 1.], [9., 3., 1.]], dtype=float32)
 * ad.vander(ad.tensor([2, 3]), 3, true); // => tensor([[1., 2., 4.], [1., 3., 9.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function vander(x: TensorLike, n?: number | null, increasing = false): Tensor {
  const t = toTensor(x);
  if (t.ndim !== 1) {
    throw new ValueError(`vander: x must be 1-d; got shape ${fmtShape(t.shape)}`);
  }
  const cols = n === undefined || n === null ? t.shape[0]! : checkCount("vander", "n", n);
  if (cols === 0) return zeros([t.shape[0]!, 0], t.dtype);
  const powers: Tensor[] = [onesLike(t)];
  for (let j = 1; j < cols; j++) powers.push(j === 1 ? t : mul(powers[j - 1]!, t));
  const out = stack(powers, 1);
  return increasing ? out : flip(out, 1);
}

/**
 * The n x n identity matrix (NumPy's identity; default float dtype): `eye(n, n, dtype)`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.identity(2); // => tensor([[1., 0.], [0., 1.]], dtype=float32)
 * ```
 * @category Creation
 */
export function identity(n: number, dtype?: DType): Tensor {
  return eye(n, n, dtype);
}

/**
 * The indices of the main diagonal of an n x n x ... array with `ndim` axes: `ndim` copies of
 * `arange(n)` (NumPy's diag_indices), for use with take or gathers.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.diagIndices(3); // => [tensor([0, 1, 2], dtype=int32), tensor([0, 1, 2], dtype=int32)]
 * ```
 * @category Indexing
 */
export function diagIndices(n: number, ndim = 2): Tensor[] {
  checkCount("diagIndices", "n", n);
  checkCount("diagIndices", "ndim", ndim);
  const idx = arange(n);
  return Array.from({ length: ndim }, () => idx);
}

/**
 * The indices of the main diagonal of x, which must have at least 2 axes of equal length:
 * `diagIndices(x.shape[0], x.ndim)` (NumPy's diag_indices_from).
 * @throws {@link ValueError} when x has fewer than 2 axes or axes of different lengths.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.diagIndicesFrom(ad.zeros([2, 2])); // => [tensor([0, 1], dtype=int32), tensor([0, 1], dtype=int32)]
 * ad.diagIndicesFrom(ad.zeros([2, 3])); // throws: ValueError: diagIndicesFrom: x must have axes of equal length
 * ```
 * @category Indexing
 */
export function diagIndicesFrom(x: TensorLike): Tensor[] {
  const t = toTensor(x);
  if (t.ndim < 2) {
    throw new ValueError(`diagIndicesFrom: x must be at least 2-d; got shape ${fmtShape(t.shape)}`);
  }
  if (!t.shape.every((d) => d === t.shape[0])) {
    throw new ValueError(
      `diagIndicesFrom: x must have axes of equal length; got shape ${fmtShape(t.shape)}`,
    );
  }
  return diagIndices(t.shape[0]!, t.ndim);
}
