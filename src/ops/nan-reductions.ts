/**
 * @file The NaN-ignoring reductions: nansum, nanprod, nanmean, nanvar, nanstd, nanmax, nanmin,
 * nanargmax, nanargmin, nancumsum and nancumprod. Each replaces NaN by the reduction's neutral
 * element with a `where` before reducing, so a NaN entry gets a zero derivative and never leaks
 * NaN into the derivatives of the others (the double-where of docs/conventions.md).
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxes, reducedShape } from "../core/shape.js";
import type { ReduceOptions, Tensor, TensorLike } from "../core/tensor.js";
import {
  astype,
  div,
  equal,
  isNaN as isNaNOp,
  logicalNot,
  maximum,
  mul,
  sqrt,
  sub,
  where,
} from "./elementwise.js";
import { all } from "./logic.js";
import { toFloatTensor } from "./promote.js";
import {
  type ArgReduceOptions,
  argmax,
  argmin,
  type CumulativeOptions,
  cumprod,
  cumsum,
  max,
  min,
  prod,
  sum,
  type VarianceOptions,
} from "./reduce.js";
import { reshape } from "./shape.js";

/** x with NaN replaced by `fill` (integer and bool inputs have no NaN and pass through). */
function fillNaN(x: Tensor, fill: number): Tensor {
  return isFloat(x.dtype) ? where(isNaNOp(x), fill, x) : x;
}

function reduceOptions(op: string, x: Tensor, options: ReduceOptions | undefined): ReduceOptions {
  options = checkOptions(op, options, ["axis", "keepdims"]);
  normalizeAxes(op, options?.axis, x.ndim);
  return options ?? {};
}

/**
 * The sum over `axis` (default: all axes), treating NaN as 0. The derivative is 1 for every
 * number and 0 at a NaN entry.
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nansum(ad.tensor([1, NaN, 3])); // => tensor(4., dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.nansum(x))(ad.tensor([1, NaN, 3])); // => tensor([1., 0., 1.], dtype=float32)
 * ```
 * @category Reductions
 */
export function nansum(x: TensorLike, options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  return sum(fillNaN(t, 0), reduceOptions("nansum", t, options));
}

/**
 * The product over `axis` (default: all axes), treating NaN as 1; zero derivative at NaN.
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanprod(ad.tensor([2, NaN, 3])); // => tensor(6., dtype=float32)
 * ```
 * @category Reductions
 */
export function nanprod(x: TensorLike, options?: ReduceOptions): Tensor {
  const t = toTensor(x);
  return prod(fillNaN(t, 1), reduceOptions("nanprod", t, options));
}

/** x as float, and the number of non-NaN entries over the options' axes (float, kept dims). */
function floatAndCount(op: string, x: TensorLike, options: ReduceOptions | undefined) {
  const t = toFloatTensor(x);
  const opts = reduceOptions(op, t, options);
  const present = astype(logicalNot(isNaNOp(t)), t.dtype);
  return { t, opts, count: sum(present, { ...opts, keepdims: true }) };
}

/**
 * The mean of the non-NaN entries over `axis` (default: all axes); NaN where every entry is
 * NaN. NaN entries get a zero derivative.
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanmean(ad.tensor([[1, NaN], [2, 4]]), { axis: 1 }); // => tensor([1., 3.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.nanmean(x))(ad.tensor([1, NaN, 3])); // => tensor([0.5, 0., 0.5], dtype=float32)
 * ```
 * @category Reductions
 */
export function nanmean(x: TensorLike, options?: ReduceOptions): Tensor {
  const { t, opts, count } = floatAndCount("nanmean", x, options);
  const s = sum(fillNaN(t, 0), { ...opts, keepdims: true });
  const m = div(s, count);
  if (opts.keepdims === true) return m;
  return reshape(m, reducedShape(t.shape, normalizeAxes("nanmean", opts.axis, t.ndim), false));
}

function nanvarOf(op: string, x: TensorLike, options: VarianceOptions | undefined): Tensor {
  options = checkOptions(op, options, ["axis", "keepdims", "ddof"]);
  const ddof = options?.ddof ?? 0;
  if (typeof ddof !== "number" || !Number.isFinite(ddof)) {
    throw new ValueError(`${op}: ddof must be a finite number; got ${describeValue(ddof)}`);
  }
  const reduce: ReduceOptions = {};
  if (options?.axis !== undefined) reduce.axis = options.axis;
  const { t, opts, count } = floatAndCount(op, x, reduce);
  const nan = isNaNOp(t);
  const mu = div(sum(where(nan, 0, t), { ...opts, keepdims: true }), count);
  // The where keeps NaN - mu (and its derivative) out of the sum of squares.
  const dev = where(nan, 0, sub(t, mu));
  const ss = sum(mul(dev, dev), { ...opts, keepdims: true });
  const v = div(ss, maximum(sub(count, ddof), 0));
  if (options?.keepdims === true) return v;
  return reshape(v, reducedShape(t.shape, normalizeAxes(op, opts.axis, t.ndim), false));
}

/**
 * The variance of the non-NaN entries over `axis`, with divisor (count - ddof); NaN where
 * every entry is NaN. NaN entries get a zero derivative.
 * @throws {@link ValueError} when an axis is out of range or ddof is not a finite number.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanvar(ad.tensor([1, NaN, 3])); // => tensor(1., dtype=float32)
 * ad.nanvar(ad.tensor([1, NaN, 3]), { ddof: 1 }); // => tensor(2., dtype=float32)
 * ```
 * @category Reductions
 */
export function nanvar(x: TensorLike, options?: VarianceOptions): Tensor {
  return nanvarOf("nanvar", x, options);
}

/**
 * The standard deviation of the non-NaN entries: sqrt(nanvar(x, options)). Where the variance
 * is 0 (all remaining entries equal) the derivative is 0, not NaN (the convention of norm at 0).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanstd(ad.tensor([1, NaN, 3])); // => tensor(1., dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.nanstd(x))(ad.tensor([2, NaN, 2])); // => tensor([0., 0., 0.], dtype=float32)
 * ```
 * @category Reductions
 */
export function nanstd(x: TensorLike, options?: VarianceOptions): Tensor {
  const v = nanvarOf("nanstd", x, options);
  // The double where keeps sqrt's infinite slope at 0 out of every derivative.
  const zero = equal(v, 0);
  return where(zero, 0, sqrt(where(zero, 1, v)));
}

/**
 * The maximum over `axis` ignoring NaN; NaN where every entry is NaN. Ties share the
 * derivative (as max); NaN entries get 0.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanmax(ad.tensor([[1, NaN], [NaN, NaN]]), { axis: 1 }); // => tensor([1., NaN], dtype=float32)
 * ```
 * @category Reductions
 */
export function nanmax(x: TensorLike, options?: ReduceOptions): Tensor {
  return nanExtreme("nanmax", x, options, Number.NEGATIVE_INFINITY, max);
}

/**
 * The minimum over `axis` ignoring NaN; NaN where every entry is NaN.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanmin(ad.tensor([3, NaN, 2])); // => tensor(2., dtype=float32)
 * ```
 * @category Reductions
 */
export function nanmin(x: TensorLike, options?: ReduceOptions): Tensor {
  return nanExtreme("nanmin", x, options, Number.POSITIVE_INFINITY, min);
}

function nanExtreme(
  op: string,
  x: TensorLike,
  options: ReduceOptions | undefined,
  fill: number,
  reduce: (x: TensorLike, options?: ReduceOptions) => Tensor,
): Tensor {
  const t = toTensor(x);
  const opts = reduceOptions(op, t, options);
  if (!isFloat(t.dtype)) return reduce(t, opts);
  const nan = isNaNOp(t);
  return where(all(nan, opts), Number.NaN, reduce(where(nan, fill, t), opts));
}

/**
 * The index (int32) of the first maximum along `axis` ignoring NaN (default: the flattened
 * array); -1 where every entry is NaN (as JAX).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanargmax(ad.tensor([1, NaN, 3])); // => tensor(2, dtype=int32)
 * ad.nanargmax(ad.tensor([[NaN, NaN], [1, 0]]), { axis: 1 }); // => tensor([-1, 0], dtype=int32)
 * ```
 * @category Reductions
 */
export function nanargmax(x: TensorLike, options?: ArgReduceOptions): Tensor {
  return nanArg("nanargmax", x, options, Number.NEGATIVE_INFINITY, argmax);
}

/**
 * The index (int32) of the first minimum along `axis` ignoring NaN; -1 where every entry is NaN.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanargmin(ad.tensor([NaN, 2, 1])); // => tensor(2, dtype=int32)
 * ```
 * @category Reductions
 */
export function nanargmin(x: TensorLike, options?: ArgReduceOptions): Tensor {
  return nanArg("nanargmin", x, options, Number.POSITIVE_INFINITY, argmin);
}

function nanArg(
  op: string,
  x: TensorLike,
  options: ArgReduceOptions | undefined,
  fill: number,
  reduce: (x: TensorLike, options?: ArgReduceOptions) => Tensor,
): Tensor {
  options = checkOptions(op, options, ["axis", "keepdims"]);
  const t = toTensor(x);
  if (!isFloat(t.dtype)) return reduce(t, options);
  const nan = isNaNOp(t);
  const idx = reduce(where(nan, fill, t), options);
  const lineAll =
    options?.axis === undefined
      ? all(nan, options?.keepdims === true ? { keepdims: true } : {})
      : all(nan, { axis: options.axis, keepdims: options.keepdims ?? false });
  return where(lineAll, -1, idx);
}

/**
 * Cumulative sum along `axis` treating NaN as 0 (default: the flattened array); zero
 * derivative at NaN entries.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nancumsum(ad.tensor([1, NaN, 3])); // => tensor([1., 1., 4.], dtype=float32)
 * ```
 * @category Reductions
 */
export function nancumsum(x: TensorLike, options?: CumulativeOptions): Tensor {
  return cumsum(fillNaN(toTensor(x), 0), options);
}

/**
 * Cumulative product along `axis` treating NaN as 1 (default: the flattened array).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nancumprod(ad.tensor([2, NaN, 3])); // => tensor([2., 2., 6.], dtype=float32)
 * ```
 * @category Reductions
 */
export function nancumprod(x: TensorLike, options?: CumulativeOptions): Tensor {
  return cumprod(fillNaN(toTensor(x), 1), options);
}
