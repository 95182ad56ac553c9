/**
 * @file Reductions and their composites: sum, mean, prod, max, min, argmax, argmin, logsumexp,
 * variance, std, norm, softmax, logSoftmax, cumsum, cumprod (NumPy axis/keepdims conventions).
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Primitive } from "../core/primitive.js";
import { normalizeAxes, normalizeAxis, reducedShape } from "../core/shape.js";
import type { ReduceOptions, Tensor, TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import {
  type ArgReduceParams,
  argmaxPrim,
  argminPrim,
  cumsumPrim,
  type ReduceParams,
  reduceMaxPrim,
  reduceMinPrim,
  reduceProdPrim,
  reduceSumPrim,
} from "../primitives/reduce.js";
import { stopGradient } from "../transforms/stop-gradient.js";
import {
  abs,
  add,
  astype,
  div,
  equal,
  exp,
  isFinite as isFiniteOp,
  log,
  mul,
  sqrt,
  square,
  sub,
  where,
} from "./elementwise.js";
import { toFloatTensor } from "./promote.js";
import { pad, reshape, slice } from "./shape.js";

/**
 * Options of argmax and argmin: one axis (default: the flattened array).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.argmax(ad.tensor([[1, 5], [3, 2]]), { axis: 0, keepdims: true }); // => tensor([[1, 0]], dtype=int32)
 * ```
 * @category Reductions
 */
export interface ArgReduceOptions {
  axis?: number;
  keepdims?: boolean;
}

/**
 * Options of cumsum and cumprod: the axis (default: the flattened array) and the direction.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cumsum(ad.tensor([1, 2, 3]), { reverse: true }); // => tensor([6., 5., 3.], dtype=float32)
 * ```
 * @category Reductions
 */
export interface CumulativeOptions {
  axis?: number;
  reverse?: boolean;
}

/**
 * Options of variance and std: the reduction options and the delta degrees of freedom.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.variance(ad.tensor([1, 2, 3, 4]), { ddof: 1 }); // => tensor(1.666667, dtype=float32)
 * ```
 * @category Reductions
 */
export interface VarianceOptions extends ReduceOptions {
  /** The divisor is N - ddof (default 0: the population variance). */
  ddof?: number;
}

/**
 * Options of norm: which vector norm, over which axes (default: all elements).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.norm(ad.tensor([[3, -4], [1, 1]]), { ord: 1, axis: 1 }); // => tensor([7., 2.], dtype=float32)
 * ad.norm(ad.tensor([3, -4]), { ord: "inf" }); // => tensor(4., dtype=float32)
 * ```
 * @category Reductions
 */
export interface NormOptions {
  ord?: 1 | 2 | "inf";
  axis?: number | readonly number[];
  keepdims?: boolean;
}

/** The number of elements each output element reduces over. */
function countOf(x: Tensor, axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= x.shape[a]!;
  return n;
}

/** Applies an axis reduction (axes normalised) and restores the reduced dims as 1 if asked. */
function reduceAxes(
  prim: Primitive<ReduceParams>,
  x: Tensor,
  axes: readonly number[],
  keepdims: boolean,
): Tensor {
  const out = bind(prim, [x], { axes });
  return keepdims ? reshape(out, reducedShape(x.shape, axes, true)) : out;
}

function reduceOp(
  op: string,
  prim: Primitive<ReduceParams>,
  x: TensorLike,
  options: ReduceOptions | undefined,
): Tensor {
  options = checkOptions(op, options, ["axis", "keepdims"]);
  const t = toTensor(x);
  const axes = normalizeAxes(op, options?.axis, t.ndim);
  return reduceAxes(prim, t, axes, options?.keepdims ?? false);
}

/**
 * The sum over `axis` (default: all axes). Bool and int32 inputs sum to int32.
 * @param x - The values to add.
 * @param options - `axis` (default: all axes; negative counts from the end) and `keepdims`.
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sum(ad.tensor([[1, 2], [3, 4]]), { axis: 0 }); // => tensor([4., 6.], dtype=float32)
 * ad.sum(ad.tensor([[1, 2], [3, 4]])); // => tensor(10., dtype=float32)
 * ad.sum(ad.tensor([[1, 2], [3, 4]]), { axis: -1, keepdims: true }); // => tensor([[3.], [7.]], dtype=float32)
 * ```
 * @category Reductions
 */
export function sum(x: TensorLike, options?: ReduceOptions): Tensor {
  return reduceOp("sum", reduceSumPrim, x, options);
}

/**
 * The arithmetic mean over `axis` (default: all axes); integer inputs give the default float.
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.mean(ad.tensor([1, 2, 3, 4])); // => tensor(2.5, dtype=float32)
 * ad.mean(ad.tensor([[1, 2], [3, 4]]), { axis: 0 }); // => tensor([2., 3.], dtype=float32)
 * ```
 * @category Reductions
 */
export function mean(x: TensorLike, options?: ReduceOptions): Tensor {
  options = checkOptions("mean", options, ["axis", "keepdims"]);
  const t = toFloatTensor(x);
  const axes = normalizeAxes("mean", options?.axis, t.ndim);
  return div(reduceAxes(reduceSumPrim, t, axes, options?.keepdims ?? false), countOf(t, axes));
}

/**
 * The product over `axis` (default: all axes). Its derivative is exact also at zeros.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.prod(ad.tensor([1, 2, 3, 4])); // => tensor(24., dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.prod(x))(ad.tensor([2, 0, 3])); // => tensor([0., 6., 0.], dtype=float32)
 * ```
 * @category Reductions
 */
export function prod(x: TensorLike, options?: ReduceOptions): Tensor {
  return reduceOp("prod", reduceProdPrim, x, options);
}

/**
 * The maximum over `axis` (default: all axes); NaN propagates. Tied maxima share the derivative
 * equally (as JAX and PyTorch's amax), in forward and reverse mode alike.
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.max(ad.tensor([[1, 5], [3, 2]]), { axis: 1 }); // => tensor([5., 3.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.max(x))(ad.tensor([1, 3, 3])); // => tensor([0., 0.5, 0.5], dtype=float32)
 * ```
 * @category Reductions
 */
export function max(x: TensorLike, options?: ReduceOptions): Tensor {
  return reduceOp("max", reduceMaxPrim, x, options);
}

/**
 * The minimum over `axis` (default: all axes); NaN propagates. Tied minima share the derivative.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.min(ad.tensor([[1, 5], [3, 2]]), { axis: 1 }); // => tensor([1., 2.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.min(x))(ad.tensor([2, 2, 5])); // => tensor([0.5, 0.5, 0.], dtype=float32)
 * ```
 * @category Reductions
 */
export function min(x: TensorLike, options?: ReduceOptions): Tensor {
  return reduceOp("min", reduceMinPrim, x, options);
}

function argReduce(
  op: string,
  prim: Primitive<ArgReduceParams>,
  x: TensorLike,
  options: ArgReduceOptions | undefined,
): Tensor {
  options = checkOptions(op, options, ["axis", "keepdims"]);
  const t = toTensor(x);
  const keepdims = options?.keepdims ?? false;
  if (options?.axis === undefined) {
    const out = bind(prim, [t.ndim === 1 ? t : reshape(t, [t.size])], { axis: 0 });
    return keepdims
      ? reshape(
          out,
          t.shape.map(() => 1),
        )
      : out;
  }
  const axis = normalizeAxis(op, options.axis, t.ndim);
  const out = bind(prim, [t], { axis });
  return keepdims ? reshape(out, reducedShape(t.shape, [axis], true)) : out;
}

/**
 * The index (int32) of the first maximum along `axis`; without an axis, into the flattened array.
 * NaN counts as the maximum.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.argmax(ad.tensor([[1, 5], [3, 2]]), { axis: 1 }); // => tensor([1, 0], dtype=int32)
 * ad.argmax(ad.tensor([[1, 5], [7, 2]])); // => tensor(2, dtype=int32)
 * ```
 * @category Reductions
 */
export function argmax(x: TensorLike, options?: ArgReduceOptions): Tensor {
  return argReduce("argmax", argmaxPrim, x, options);
}

/**
 * The index (int32) of the first minimum along `axis`; without an axis, into the flattened array.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.argmin(ad.tensor([3, 1, 2])); // => tensor(1, dtype=int32)
 * ```
 * @category Reductions
 */
export function argmin(x: TensorLike, options?: ArgReduceOptions): Tensor {
  return argReduce("argmin", argminPrim, x, options);
}

/**
 * The constant shift that makes exp(x - m) safe: the max over `axes` (kept dims), without
 * derivative, and 0 where that max is not finite (or there is nothing to reduce).
 */
function stableShift(x: Tensor, axes: readonly number[]): Tensor | null {
  if (x.size === 0 || countOf(x, axes) === 0) return null;
  const m = reduceAxes(reduceMaxPrim, x, axes, true);
  return stopGradient(where(isFiniteOp(m), m, 0));
}

/**
 * log(sum(exp(x))) over `axis`, computed stably (no overflow at x = ±1000); its derivative is
 * softmax(x).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logsumexp(ad.tensor([1000, 1000])); // => tensor(1000.693, dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.logsumexp(x))(ad.tensor([0, 0])); // => tensor([0.5, 0.5], dtype=float32)
 * ```
 * @category Reductions
 */
export function logsumexp(x: TensorLike, options?: ReduceOptions): Tensor {
  options = checkOptions("logsumexp", options, ["axis", "keepdims"]);
  const t = toFloatTensor(x);
  const axes = normalizeAxes("logsumexp", options?.axis, t.ndim);
  const keepdims = options?.keepdims ?? false;
  const m = stableShift(t, axes);
  const shifted = m === null ? t : sub(t, m);
  const lse = log(reduceAxes(reduceSumPrim, exp(shifted), axes, true));
  const out = m === null ? lse : add(lse, m);
  return keepdims ? out : reshape(out, reducedShape(t.shape, axes, false));
}

/**
 * The variance over `axis`: mean((x - mean(x))^2) * N / (N - ddof).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.variance(ad.tensor([1, 2, 3, 4])); // => tensor(1.25, dtype=float32)
 * ad.variance(ad.tensor([1, 2, 3, 4]), { ddof: 1 }); // => tensor(1.666667, dtype=float32)
 * ```
 * @category Reductions
 */
export function variance(x: TensorLike, options?: VarianceOptions): Tensor {
  return varianceOf("variance", x, options);
}

function varianceOf(op: string, x: TensorLike, options: VarianceOptions | undefined): Tensor {
  options = checkOptions(op, options, ["axis", "keepdims", "ddof"]);
  const t = toFloatTensor(x);
  const axes = normalizeAxes(op, options?.axis, t.ndim);
  const ddof = options?.ddof ?? 0;
  if (typeof ddof !== "number" || !Number.isFinite(ddof)) {
    throw new ValueError(`${op}: ddof must be a finite number; got ${describeValue(ddof)}`);
  }
  const n = countOf(t, axes);
  const mu = div(reduceAxes(reduceSumPrim, t, axes, true), n);
  const ss = reduceAxes(reduceSumPrim, square(sub(t, mu)), axes, options?.keepdims ?? false);
  return div(ss, Math.max(n - ddof, 0));
}

/**
 * The standard deviation over `axis`: sqrt(variance(x, options)).
 * Where the spread is zero (every element equal, a single element, a length-1 axis) its
 * derivative is 0 at every order, never NaN: the convention `norm` follows at 0
 * (docs/conventions.md). It is a subgradient there, and exact where std is constant.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.std(ad.tensor([1, 3])); // => tensor(1., dtype=float32)
 * ad.std(ad.tensor([[1, 3], [2, 2]]), { axis: 1 }); // => tensor([1., 0.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.std(x))(ad.tensor([5])); // => tensor([0.], dtype=float32)
 * ```
 * @category Reductions
 */
export function std(x: TensorLike, options?: VarianceOptions): Tensor {
  const v = varianceOf("std", x, options);
  // The double where keeps sqrt's infinite slope at 0 out of every derivative (as norm does).
  const zero = equal(v, 0);
  return where(zero, 0, sqrt(where(zero, 1, v)));
}

/**
 * A vector norm over `axis` (default: all elements): ord 2 (default), 1, or "inf" (max |x|).
 * The derivative at x = 0 is 0 (a subgradient), never NaN, also to second order.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.norm(ad.tensor([3, 4])); // => tensor(5., dtype=float32)
 * ad.norm(ad.tensor([3, -4]), { ord: 1 }); // => tensor(7., dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.norm(x))(ad.tensor([0, 0])); // => tensor([0., 0.], dtype=float32)
 * ```
 * @category Reductions
 */
export function norm(x: TensorLike, options?: NormOptions): Tensor {
  options = checkOptions("norm", options, ["axis", "keepdims", "ord"]);
  const t = toFloatTensor(x);
  const axes = normalizeAxes("norm", options?.axis, t.ndim);
  const keepdims = options?.keepdims ?? false;
  const ord: unknown = options?.ord ?? 2;
  if (ord === 1) return reduceAxes(reduceSumPrim, abs(t), axes, keepdims);
  if (ord === "inf" || ord === Number.POSITIVE_INFINITY) {
    return reduceAxes(reduceMaxPrim, abs(t), axes, keepdims);
  }
  if (ord !== 2) throw new ValueError(`norm: ord must be 1, 2 or "inf"; got ${describeValue(ord)}`);
  // The double where keeps sqrt's infinite slope at 0 out of every derivative.
  const s = reduceAxes(reduceSumPrim, square(t), axes, keepdims);
  const zero = equal(s, 0);
  return where(zero, 0, sqrt(where(zero, 1, s)));
}

/**
 * exp(x) / sum(exp(x)) along `axis` (default -1), computed stably.
 * @throws {@link ValueError} when `axis` is out of range.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.softmax(ad.tensor([1000, 1000])); // => tensor([0.5, 0.5], dtype=float32)
 * ad.softmax(ad.tensor([[1, 2, 3], [0, 0, 0]]), { axis: 1 }); // => tensor([[0.09003057, 0.2447285, 0.6652409], [0.3333333, 0.3333333, 0.3333333]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function softmax(x: TensorLike, options?: { axis?: number }): Tensor {
  options = checkOptions("softmax", options, ["axis"]);
  const t = toFloatTensor(x);
  const axis = normalizeAxis("softmax", options?.axis ?? -1, t.ndim);
  const m = stableShift(t, [axis]);
  const e = exp(m === null ? t : sub(t, m));
  return div(e, reduceAxes(reduceSumPrim, e, [axis], true));
}

/**
 * x - logsumexp(x) along `axis` (default -1), computed stably.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logSoftmax(ad.tensor([0, 0])); // => tensor([-0.6931472, -0.6931472], dtype=float32)
 * ad.logSoftmax(ad.tensor([1000, 0])); // => tensor([0., -1000.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function logSoftmax(x: TensorLike, options?: { axis?: number }): Tensor {
  options = checkOptions("logSoftmax", options, ["axis"]);
  const t = toFloatTensor(x);
  const axis = normalizeAxis("logSoftmax", options?.axis ?? -1, t.ndim);
  const m = stableShift(t, [axis]);
  const shifted = m === null ? t : sub(t, m);
  return sub(shifted, log(reduceAxes(reduceSumPrim, exp(shifted), [axis], true)));
}

/** The tensor and axis a cumulative op runs on: without an axis, the flattened array (NumPy). */
function cumulativeInput(op: string, x: TensorLike, axis: number | undefined): [Tensor, number] {
  const t = toTensor(x);
  if (axis === undefined) return [t.ndim === 1 ? t : reshape(t, [t.size]), 0];
  return [t, normalizeAxis(op, axis, t.ndim)];
}

/**
 * Cumulative sum along `axis` (default: over the flattened array, as NumPy); `reverse` sums from
 * the end. Bool and int32 inputs give int32.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cumsum(ad.tensor([1, 2, 3])); // => tensor([1., 3., 6.], dtype=float32)
 * ad.cumsum(ad.tensor([[1, 2], [3, 4]]), { axis: 0 }); // => tensor([[1., 2.], [4., 6.]], dtype=float32)
 * ```
 * @category Reductions
 */
export function cumsum(x: TensorLike, options?: CumulativeOptions): Tensor {
  options = checkOptions("cumsum", options, ["axis", "reverse"]);
  const [t, axis] = cumulativeInput("cumsum", x, options?.axis);
  return bind(cumsumPrim, [t], { axis, reverse: options?.reverse ?? false });
}

/**
 * Cumulative product along `axis` (default: over the flattened array, as NumPy); `reverse`
 * multiplies from the end. A scan of log2(n) multiplications, so derivatives of any order are
 * exact also where x has zeros. Bool inputs give int32.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cumprod(ad.tensor([1, 2, 3])); // => tensor([1., 2., 6.], dtype=float32)
 * ```
 * @category Reductions
 */
export function cumprod(x: TensorLike, options?: CumulativeOptions): Tensor {
  options = checkOptions("cumprod", options, ["axis", "reverse"]);
  let [t, axis] = cumulativeInput("cumprod", x, options?.axis);
  if (t.dtype === "bool") t = astype(t, "int32");
  const reverse = options?.reverse ?? false;
  const n = t.shape[axis]!;
  // Hillis-Steele scan: after the step with shift s, y[i] is the product of x[i-2s+1 .. i].
  let y = t;
  for (let s = 1; s < n; s *= 2) {
    const begin = y.shape.map((_, d) => (d === axis && reverse ? s : 0));
    const size = y.shape.map((len, d) => (d === axis ? n - s : len));
    const widths = y.shape.map((_, d): [number, number] =>
      d !== axis ? [0, 0] : reverse ? [0, s] : [s, 0],
    );
    y = mul(y, pad(slice(y, begin, size), widths, 1));
  }
  return y;
}
