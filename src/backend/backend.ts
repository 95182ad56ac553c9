/**
 * @file The Backend interface: the small kernel set every primitive lowers onto.
 *
 * Kernels work on raw typed arrays in row-major (C) order plus their shapes; they know nothing of
 * tensors, tracers or autodiff. Inputs are never modified; every kernel writes into `out`, which the
 * caller allocates with the right dtype and size. Callers validate shapes, axes and indices first,
 * so kernels may assume well-formed arguments (they do not re-check).
 */

import type { TypedArray } from "../core/dtype.js";

export type Shape = readonly number[];

/** Elementwise unary kernels. `out` has the same length as `x`; dtype conversions are implicit. */
export type UnaryOp =
  | "neg"
  | "abs"
  | "sign"
  | "exp"
  | "log"
  | "log1p"
  | "expm1"
  | "sqrt"
  | "rsqrt"
  | "square"
  | "reciprocal"
  | "sin"
  | "cos"
  | "tan"
  | "asin"
  | "acos"
  | "atan"
  | "sinh"
  | "cosh"
  | "tanh"
  | "asinh"
  | "acosh"
  | "atanh"
  | "erf"
  | "sigmoid"
  | "softplus"
  | "relu"
  | "floor"
  | "ceil"
  | "round"
  | "logicalNot"
  | "isNaN"
  | "isFinite";

/**
 * Elementwise binary kernels with NumPy broadcasting. Comparison and logic ops write 0/1.
 * `mod` follows NumPy (the result has the divisor's sign); `round` is half-to-even;
 * `max`/`min` propagate NaN.
 */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "max"
  | "min"
  | "atan2"
  | "mod"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "and"
  | "or";

export type ReduceOp = "sum" | "prod" | "max" | "min" | "argmax" | "argmin";

export interface Backend {
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
}
