/**
 * @file The Backend interface: the small kernel set every primitive lowers onto.
 *
 * Kernels work on raw typed arrays in row-major (C) order plus their shapes; they know nothing of
 * tensors, tracers or autodiff. Inputs are never modified; every kernel writes into `out`, which the
 * caller allocates with the right dtype and size. Callers validate shapes, axes and indices first,
 * so kernels may assume well-formed arguments (they do not re-check).
 */

import type { TypedArray } from "../core/dtype.js";
import type { Shape } from "../core/shape.js";
import type { BinaryOp, UnaryOp } from "../elementwise/table.js";

/**
 * The elementwise kernels: the keys of the elementwise table (src/elementwise/table.ts), where
 * each op's expression is its definition. Unary: `out` has the same length as `x`. Binary: NumPy
 * broadcasting; comparisons and logic write 0/1; `mod` has the divisor's sign; `max`/`min`
 * propagate NaN. Dtype conversions are implicit.
 */
export type { BinaryOp, UnaryOp } from "../elementwise/table.js";
export type { Shape };

/**
 * The reductions of `Backend.reduce`.
 * @category Backends
 */
export type ReduceOp = "sum" | "prod" | "max" | "min" | "argmax" | "argmin";

/**
 * The kernels that run primitives on concrete data: plain functions over typed arrays (the
 * reference backend, the fast JS loops, the wasm matmul). Kernels write into `out`, which the
 * caller allocated; shapes have already been checked. Wrap or replace kernels and install the
 * result with {@link setBackend}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const base = ad.getBackend();
 * const calls: string[] = [];
 * const logging: ad.Backend = {
 *   ...base,
 *   name: "logging",
 *   unary(op, x, out) {
 *     calls.push(op);
 *     base.unary(op, x, out);
 *   },
 * };
 * ad.setBackend(logging);
 * ad.exp(ad.tensor([0, 1, 2])); // => tensor([1., 2.718282, 7.389056], dtype=float32)
 * ad.setBackend(base);
 * calls; // => ['exp']
 * ```
 * @category Backends
 */
export interface Backend {
  /** A label for messages and benchmarks, e.g. "wasm(fast+reference)". */
  readonly name: string;

  /** out[i] = op(x[i]). */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;

  /** out = op(a, b) with a and b broadcast to outShape (NumPy rules; shapes already checked). */
  binary(
    op: BinaryOp,
    a: TypedArray,
    aShape: Shape,
    b: TypedArray,
    bShape: Shape,
    out: TypedArray,
    outShape: Shape,
  ): void;

  /** out = cond ? a : b, all three broadcast to outShape. */
  select(
    cond: Uint8Array,
    condShape: Shape,
    a: TypedArray,
    aShape: Shape,
    b: TypedArray,
    bShape: Shape,
    out: TypedArray,
    outShape: Shape,
  ): void;

  /** Elementwise dtype conversion: to bool is `x != 0` (NaN is true), to int32 truncates toward 0. */
  cast(x: TypedArray, out: TypedArray): void;

  /**
   * Reduce over `axes` (sorted, unique, non-negative). `out` holds shape with those axes removed.
   * max/min propagate NaN; argmax/argmin reduce over exactly one axis, return the first index of
   * the extreme value (NaN counts as the extreme) and write int32.
   * sum over zero elements is 0, prod is 1, max is -Infinity, min is +Infinity.
   */
  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void;

  /** out[..., i, ...] = sum of x along `axis` up to i (inclusive, or exclusive), optionally reversed. */
  cumsum(
    x: TypedArray,
    shape: Shape,
    axis: number,
    exclusive: boolean,
    reverse: boolean,
    out: TypedArray,
  ): void;

  /** out = x with its axes permuted: out.shape[i] = shape[perm[i]]. */
  transpose(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void;

  /** out = x broadcast (NumPy rules, leading dims added) to outShape. */
  broadcastTo(x: TypedArray, shape: Shape, outShape: Shape, out: TypedArray): void;

  /**
   * out = x[begin[d] : begin[d] + size[d]*step[d] : step[d]] on every axis d; out.shape = size.
   * Steps are positive (flip handles reversal); begin/size/step have one entry per axis.
   */
  slice(
    x: TypedArray,
    shape: Shape,
    begin: readonly number[],
    size: readonly number[],
    step: readonly number[],
    out: TypedArray,
  ): void;

  /** out = x padded with `value`: widths[d] = [before, after], both >= 0. */
  pad(
    x: TypedArray,
    shape: Shape,
    widths: readonly (readonly [number, number])[],
    value: number,
    out: TypedArray,
  ): void;

  /** out = concatenation of xs along axis (shapes equal except on axis). */
  concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, out: TypedArray): void;

  /** out = x reversed along each of `axes`. */
  flip(x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void;

  /**
   * Gather along axis: out.shape = shape[:axis] ++ indicesShape ++ shape[axis+1:],
   * out[p, q, r] = x[p, indices[q], r]. Indices are already in [0, shape[axis]).
   */
  gather(
    x: TypedArray,
    shape: Shape,
    indices: Int32Array,
    indicesShape: Shape,
    axis: number,
    out: TypedArray,
  ): void;

  /**
   * out = x, then out[p, indices[q], r] += updates[p, q, r] (duplicates accumulate).
   * updates.shape = shape[:axis] ++ indicesShape ++ shape[axis+1:]. `out` may not alias x.
   */
  scatterAdd(
    x: TypedArray,
    shape: Shape,
    indices: Int32Array,
    indicesShape: Shape,
    updates: TypedArray,
    axis: number,
    out: TypedArray,
  ): void;

  /**
   * Batched matrix product: a is [...batchA, m, k] ([..., k, m] when transA), b is
   * [...batchB, k, n] ([..., n, k] when transB), both at least 2-d; batch dims broadcast to
   * outShape[:-2]; out is [...batch, m, n]. Float dtypes only (int32 allowed in the reference).
   */
  matmul(
    a: TypedArray,
    aShape: Shape,
    b: TypedArray,
    bShape: Shape,
    transA: boolean,
    transB: boolean,
    out: TypedArray,
    outShape: Shape,
  ): void;

  // ---- dense linear algebra -------------------------------------------------------------------
  // Batches of matrices [...batch, rows, cols], row-major; float data only. Kernels compute in
  // float64 (also for float32 data) and round when they write. None of them throws: singular or
  // indefinite input gives the documented values and the caller decides what to report.

  /**
   * Dense factorisations (LU, Cholesky, QR, eigh, SVD, triangular solves), optional: when a backend
   * leaves them out, the reference kernels run. They are looked up by the linalg primitives only,
   * so a bundle that never uses `ad.linalg` leaves them out.
   */
  readonly linalg?: LinalgKernels;

  /**
   * The indices (int32) that sort x along `axis`: stable in both directions; NaN counts as the
   * largest value (last ascending, first descending). `out` has x's shape.
   */
  argsort(x: TypedArray, shape: Shape, axis: number, descending: boolean, out: Int32Array): void;
}

/**
 * The dense-factorisation kernels a backend may bring (`Backend.linalg`); without them the
 * reference kernels run.
 * @category Backends
 */
export interface LinalgKernels {
  /**
   * LU factorisation with partial pivoting of square matrices `a` ([...batch, n, n]). Writes the
   * packed factors into `lu` (same shape: L strictly below the diagonal, its unit diagonal
   * implicit; U on and above it) and the row permutation into `perm` ([...batch, n]): row i of
   * L U is row perm[i] of A. A column without a nonzero pivot is skipped, so a singular matrix
   * gets an exact 0 on U's diagonal (LAPACK getrf's behaviour) and nothing divides by zero.
   */
  lu(a: TypedArray, shape: Shape, lu: TypedArray, perm: Int32Array): void;

  /**
   * Solves op(A) X = B for triangular A ([...batch, n, n]) and B ([...batch, n, k], the same
   * batch), where op(A) = A^T when `transpose`. Only the `lower` (else upper) triangle of A is
   * read, without its diagonal when `unitDiagonal` (then taken as ones). A zero on the diagonal
   * gives IEEE infinities / NaN. `out` has B's shape.
   */
  triangularSolve(
    a: TypedArray,
    b: TypedArray,
    bShape: Shape,
    lower: boolean,
    transpose: boolean,
    unitDiagonal: boolean,
    out: TypedArray,
  ): void;

  /**
   * Cholesky factor L (lower, positive diagonal, zero above) of the symmetric part (A + A^T) / 2
   * of each matrix of `a` ([...batch, n, n]). Returns -1 when every matrix is positive definite;
   * otherwise the flat batch index of the first one that is not, whose `out` is all NaN.
   */
  cholesky(a: TypedArray, shape: Shape, out: TypedArray): number;

  /**
   * Reduced QR by Householder reflections of `a` ([...batch, m, n]), k = min(m, n): `q` is
   * [...batch, m, k] with orthonormal columns, `r` is [...batch, k, n] upper triangular with a
   * non-negative diagonal (which makes both factors unique for a full-rank A).
   */
  qr(a: TypedArray, shape: Shape, q: TypedArray, r: TypedArray): void;

  /**
   * Eigendecomposition of the symmetric part (A + A^T) / 2 of each matrix of `a`
   * ([...batch, n, n]): eigenvalues ascending into `w` ([...batch, n]) and orthonormal
   * eigenvectors as the columns of `v` ([...batch, n, n]), each column's largest-magnitude entry
   * positive. Converges on repeated eigenvalues. A matrix with a NaN or infinite entry gets NaN.
   */
  eigh(a: TypedArray, shape: Shape, w: TypedArray, v: TypedArray): void;

  /**
   * Reduced singular value decomposition A = U diag(S) Vh of `a` ([...batch, m, n]),
   * k = min(m, n): `u` [...batch, m, k] and `vh` [...batch, k, n] with orthonormal columns / rows
   * (completed to an orthonormal set for zero singular values), `s` [...batch, k] descending and
   * non-negative. Each pair's joint sign makes the largest-magnitude entry of U's column positive.
   * A matrix with a NaN or infinite entry gets NaN.
   */
  svd(a: TypedArray, shape: Shape, u: TypedArray, s: TypedArray, vh: TypedArray): void;
}
