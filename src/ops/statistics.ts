/**
 * @file Descriptive statistics in NumPy's vocabulary: average (with weights), ptp, cov,
 * corrcoef, quantile, percentile, median and their NaN-ignoring forms nanquantile,
 * nanpercentile and nanmedian. All are composites of reductions, sort, take and
 * matmul, so their derivatives come from those rules (quantiles differentiate through the sort:
 * each output's derivative is that of the sorted elements it interpolates, as in JAX).
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxes, reducedShape } from "../core/shape.js";
import { type ReduceOptions, Tensor, type TensorLike } from "../core/tensor.js";
import { arange, eye } from "./creation.js";
import {
  add,
  astype,
  ceil,
  clip,
  div,
  equal,
  floor,
  isNaN as isNaNOp,
  logicalNot,
  maximum,
  mul,
  round,
  sqrt,
  sub,
  where,
} from "./elementwise.js";
import { sort } from "./indexing.js";
import { matmul } from "./linalg.js";
import { any } from "./logic.js";
import { toFloatTensor } from "./promote.js";
import { max, mean, min, sum } from "./reduce.js";
import { broadcastTo, concat, reshape, squeeze, take, transpose } from "./shape.js";

/**
 * Options of average: the reduction options, the weights, and whether to return their sum.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.average(ad.tensor([[1, 2], [3, 4]]), { axis: 1, weights: [3, 1] }); // => tensor([1.25, 3.25], dtype=float32)
 * ```
 * @category Reductions
 */
export interface AverageOptions extends ReduceOptions {
  /**
   * A weight per element: x's shape, or 1-d along a single `axis` (default: all weights 1).
   */
  weights?: TensorLike;
  /** Also return the sum of the weights, broadcast to the result's shape (default false). */
  returned?: boolean;
}

/**
 * The weighted average sum(x * w) / sum(w) over `axis` (default: all axes); without weights,
 * the mean. With `returned: true`, `[average, sumOfWeights]`, the sum broadcast to the average's
 * shape. Differentiable w.r.t. x and the weights.
 * @param x - The values to average.
 * @param options - `axis`, `keepdims`, `weights` (x's shape, or 1-d along one axis), `returned`.
 * @throws {@link ShapeError} when the weights fit neither x nor the axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.average(ad.tensor([1, 2, 3, 4]), { weights: [4, 3, 2, 1] }); // => tensor(2., dtype=float32)
 * ad.average(ad.tensor([1, 2]), { returned: true }); // => [tensor(1.5, dtype=float32), tensor(2., dtype=float32)]
 * ```
 * @category Reductions
 */
export function average(
  x: TensorLike,
  options: AverageOptions & { returned: true },
): [Tensor, Tensor];
export function average(x: TensorLike, options?: AverageOptions): Tensor;
export function average(x: TensorLike, options?: AverageOptions): Tensor | [Tensor, Tensor] {
  const op = "average";
  options = checkOptions(op, options, ["axis", "keepdims", "weights", "returned"]);
  const t = toFloatTensor(x);
  const axes = normalizeAxes(op, options?.axis, t.ndim);
  const keepdims = options?.keepdims ?? false;
  const reduce = { axis: axes, keepdims };
  let avg: Tensor;
  let wsum: Tensor;
  if (options?.weights === undefined) {
    avg = mean(t, reduce);
    let n = 1;
    for (const a of axes) n *= t.shape[a]!;
    wsum = broadcastTo(toTensor(n, t.dtype), avg.shape);
  } else {
    let w = toTensor(options.weights);
    if (w.ndim !== t.ndim || w.shape.some((n, i) => n !== t.shape[i])) {
      // NumPy's other form: 1-d weights along the one reduced axis.
      if (axes.length !== 1 || options.axis === undefined || w.ndim !== 1) {
        throw new ShapeError(
          `${op}: weights must have x's shape ${fmtShape(t.shape)}, or be 1-d with a single axis; got shape ${fmtShape(w.shape)}`,
        );
      }
      const a = axes[0]!;
      if (w.shape[0] !== t.shape[a]) {
        throw new ShapeError(
          `${op}: 1-d weights must have the length of axis ${a} (${t.shape[a]}); got shape ${fmtShape(w.shape)}`,
        );
      }
      w = broadcastTo(
        reshape(
          w,
          t.shape.map((n, d) => (d === a ? n : 1)),
        ),
        t.shape,
      );
    }
    wsum = sum(w, reduce);
    avg = div(sum(mul(t, w), reduce), wsum);
    if (wsum.dtype !== avg.dtype) wsum = astype(wsum, avg.dtype);
  }
  return options?.returned === true ? [avg, wsum] : avg;
}

/**
 * The range max - min ("peak to peak") over `axis` (default: all axes).
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.ptp(ad.tensor([[1, 5], [3, 2]]), { axis: 1 }); // => tensor([4., 1.], dtype=float32)
 * ```
 * @category Reductions
 */
export function ptp(x: TensorLike, options?: ReduceOptions): Tensor {
  options = checkOptions("ptp", options, ["axis", "keepdims"]);
  const t = toTensor(x);
  normalizeAxes("ptp", options?.axis, t.ndim);
  return sub(max(t, options), min(t, options));
}

/**
 * Options of cov and corrcoef.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cov(ad.tensor([[1, 2], [2, 4], [3, 6]]), null, { rowvar: false }); // => tensor([[1., 2.], [2., 4.]], dtype=float32)
 * ```
 * @category Reductions
 */
export interface CovOptions {
  /** Each row is a variable and each column an observation (default true); false: transposed. */
  rowvar?: boolean;
  /** Normalise by N instead of N - 1 (default false). */
  bias?: boolean;
  /** The divisor is N - ddof (default: 1, or 0 with `bias`). */
  ddof?: number;
  /** Integer repeat counts of the observations (1-d, one per observation). */
  fweights?: TensorLike;
  /** Importance weights of the observations (1-d, one per observation); differentiable. */
  aweights?: TensorLike;
}

/** The variables of cov's argument as rows of a 2-d matrix. */
function covRows(op: string, arg: string, m: TensorLike, rowvar: boolean): Tensor {
  let t = toFloatTensor(m);
  if (t.ndim > 2) {
    throw new ShapeError(`${op}: ${arg} must be 1-d or 2-d; got shape ${fmtShape(t.shape)}`);
  }
  if (t.ndim < 2) t = reshape(t, [1, t.size]);
  return !rowvar && t.shape[0] !== 1 ? transpose(t) : t;
}

/**
 * The covariance matrix of the variables in `m` (rows by default, or columns with `rowvar:
 * false`), with the variables of `y` appended; dims of size 1 are squeezed (one variable gives a
 * 0-d result). Observations can carry repeat counts (`fweights`) and importance weights
 * (`aweights`), as NumPy. Differentiable w.r.t. m, y and aweights.
 * @param m - 1-d (one variable) or 2-d.
 * @param y - More variables, in m's layout (default none).
 * @param options - `rowvar`, `bias`, `ddof`, `fweights`, `aweights`.
 * @throws {@link ShapeError} when m or y has more than 2 dims, their observations differ, or a
 *   weight vector does not have one entry per observation.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cov(ad.tensor([[0, 1, 2], [2, 1, 0]])); // => tensor([[1., -1.], [-1., 1.]], dtype=float32)
 * ad.cov(ad.tensor([1, 2, 3, 4])); // => tensor(1.666667, dtype=float32)
 * ad.cov(ad.tensor([1, 2, 4]), null, { fweights: [2, 1, 1] }); // => tensor(2., dtype=float32)
 * ```
 * @category Reductions
 */
export function cov(m: TensorLike, y?: TensorLike | null, options?: CovOptions): Tensor {
  const op = "cov";
  options = checkOptions(op, options, ["rowvar", "bias", "ddof", "fweights", "aweights"]);
  const rowvar = options?.rowvar ?? true;
  let xs = covRows(op, "m", m, rowvar);
  if (y !== undefined && y !== null) {
    const ys = covRows(op, "y", y, rowvar);
    if (ys.shape[1] !== xs.shape[1]) {
      throw new ShapeError(
        `${op}: m and y must have the same number of observations; got ${xs.shape[1]} and ${ys.shape[1]}`,
      );
    }
    xs = concat([xs, ys], 0);
  }
  const ddof = options?.ddof ?? (options?.bias === true ? 0 : 1);
  if (typeof ddof !== "number" || !Number.isFinite(ddof)) {
    throw new ValueError(`${op}: ddof must be a finite number; got ${describeValue(ddof)}`);
  }
  const n = xs.shape[1]!;
  const weight = (arg: string, v: TensorLike | undefined): Tensor | null => {
    if (v === undefined) return null;
    const w = toTensor(v);
    if (w.ndim !== 1 || w.size !== n) {
      throw new ShapeError(
        `${op}: ${arg} must be 1-d with one weight per observation (${n}); got shape ${fmtShape(w.shape)}`,
      );
    }
    // In the data's float dtype: a float32 JS-array default must not round float64 statistics.
    return w.dtype === xs.dtype ? w : astype(w, xs.dtype);
  };
  const fw = weight("fweights", options?.fweights);
  const aw = weight("aweights", options?.aweights);
  const w = fw === null ? aw : aw === null ? fw : mul(fw, aw);
  if (w === null) {
    const centered = sub(xs, mean(xs, { axis: 1, keepdims: true }));
    return squeeze(div(matmul(centered, transpose(centered)), Math.max(n - ddof, 0)));
  }
  // NumPy's weighted estimate: the weighted mean, and the divisor sum(w) - ddof, corrected by
  // sum(w * a) / sum(w) when there are importance weights.
  const wsum = sum(w);
  const centered = sub(xs, div(sum(mul(xs, w), { axis: 1, keepdims: true }), wsum));
  let fact: Tensor = wsum;
  if (ddof !== 0) {
    fact = aw === null ? sub(wsum, ddof) : sub(wsum, div(mul(sum(mul(w, aw)), ddof), wsum));
  }
  const c = div(matmul(centered, transpose(mul(centered, w))), maximum(fact, 0));
  return squeeze(c);
}

/**
 * Pearson correlation coefficients: cov(x, y) normalised by the standard deviations, clipped to
 * [-1, 1]. Differentiable where no variable is constant.
 * @param options - `rowvar` (default true: each row is a variable).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.corrcoef(ad.tensor([[1, 2, 3], [3, 1, 2]])); // => tensor([[1., -0.5], [-0.5, 1.]], dtype=float32)
 * ad.corrcoef(ad.tensor([1, 2, 4]), ad.tensor([2, 4, 8])); // => tensor([[1., 1.], [1., 1.]], dtype=float32)
 * ```
 * @category Reductions
 */
export function corrcoef(
  x: TensorLike,
  y?: TensorLike | null,
  options?: { rowvar?: boolean },
): Tensor {
  options = checkOptions("corrcoef", options, ["rowvar"]);
  const c = cov(x, y, options?.rowvar === undefined ? {} : { rowvar: options.rowvar });
  if (c.ndim === 0) return div(c, c);
  const k = c.shape[0]!;
  const stddev = sqrt(sum(mul(c, eye(k, k, c.dtype)), { axis: 1 }));
  const r = div(div(c, reshape(stddev, [k, 1])), reshape(stddev, [1, k]));
  return clip(r, -1, 1);
}

/**
 * How quantile picks between the two sorted neighbours of position q * (n - 1): "linear"
 * interpolates, "lower" and "higher" take one of them, "midpoint" their mean, "nearest" the
 * closer one (ties to the even index).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.quantile(ad.tensor([1, 2, 3, 4]), 0.5, { method: "midpoint" }); // => tensor(2.5, dtype=float32)
 * ```
 * @category Reductions
 */
export type QuantileMethod = "linear" | "lower" | "higher" | "midpoint" | "nearest";

/**
 * Options of quantile, percentile and median.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.quantile(ad.tensor([1, 2, 3, 4]), 0.5, { method: "lower" }); // => tensor(2., dtype=float32)
 * ```
 * @category Reductions
 */
export interface QuantileOptions {
  /** The axis or axes whose entries form each line (default: all, the flattened array). */
  axis?: number | readonly number[];
  /** "linear" (default), "lower", "higher", "midpoint" or "nearest" (NumPy's methods). */
  method?: QuantileMethod;
  /** Keep the reduced axes as size 1 (default false). */
  keepdims?: boolean;
}

/** The lines a quantile reduces: x as [...rest, n] (the reduced axes flattened last). */
interface QuantileLines {
  t: Tensor;
  n: number;
  rest: number[];
  /** The result's trailing shape: rest, or x's shape with 1 at the reduced axes (keepdims). */
  tail: number[];
  method: QuantileMethod;
}

function quantileLines(
  op: string,
  x: TensorLike,
  options: QuantileOptions | undefined,
): QuantileLines {
  options = checkOptions(op, options, ["axis", "method", "keepdims"]);
  const method = options?.method ?? "linear";
  if (!METHODS.includes(method)) {
    throw new ValueError(
      `${op}: method must be one of ${METHODS.join(", ")}; got ${describeValue(method)}`,
    );
  }
  const t0 = toFloatTensor(x);
  const axes = normalizeAxes(op, options?.axis, t0.ndim);
  const keep = t0.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const rest = keep.map((d) => t0.shape[d]!);
  let n = 1;
  for (const a of axes) n *= t0.shape[a]!;
  const t = reshape(transpose(t0, [...keep, ...axes]), [...rest, n]);
  const tail = options?.keepdims === true ? reducedShape(t0.shape, axes, true) : rest;
  return { t, n, rest, tail, method };
}

const METHODS: readonly string[] = ["linear", "lower", "higher", "midpoint", "nearest"];

/** q's concrete values and shape (they choose the sorted neighbours, so they must be known). */
function levels(op: string, q: TensorLike, scale: number): { shape: number[]; data: number[] } {
  const t = q instanceof Tensor ? q._readable(op) : toTensor(q, "float64");
  const data = Array.from(t._data!, (v) => Number(v) / scale);
  for (const v of data) {
    if (!(v >= 0 && v <= 1)) {
      const range = scale === 100 ? "[0, 100]" : "[0, 1]";
      throw new ValueError(`${op}: q must be in ${range}; got ${v * scale}`);
    }
  }
  return { shape: [...t.shape], data };
}

/** Round half to even, as NumPy's "nearest" method. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return v - Math.floor(v) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function quantileOf(
  op: string,
  x: TensorLike,
  q: TensorLike,
  scale: number,
  options: QuantileOptions | undefined,
): Tensor {
  const { t, n, rest, tail, method } = quantileLines(op, x, options);
  if (n === 0) throw new ValueError(`${op}: cannot take a quantile over an empty axis`);
  const lv = levels(op, q, scale);
  // NaN anywhere in a line makes its quantiles NaN (NumPy, JAX); the where also keeps the NaN
  // line's cotangent at zero.
  const hasNaN = any(isNaNOp(t), { axis: -1, keepdims: true });
  const sorted = where(hasNaN, Number.NaN, sort(t, { axis: -1 }));
  const at = (pos: (p: number) => number) =>
    take(
      sorted,
      toTensor(
        Int32Array.from(lv.data, (v) => pos(v * (n - 1))),
        "int32",
      ),
      rest.length,
    );
  const lower = at(Math.floor);
  let out: Tensor;
  if (method === "lower") out = lower;
  else if (method === "higher") out = at(Math.ceil);
  else if (method === "nearest") out = at(roundHalfEven);
  else {
    const upper = at(Math.ceil);
    // Where the position is a whole number, upper = lower and the weight does not matter.
    const frac =
      method === "midpoint"
        ? lv.data.map(() => 0.5)
        : lv.data.map((v) => v * (n - 1) - Math.floor(v * (n - 1)));
    // A tensor q keeps its derivative through the weight (linear method): d/dq = (n-1)(upper - lower).
    const f =
      q instanceof Tensor && method === "linear"
        ? sub(
            mul(astype(reshape(q, [q.size]), t.dtype), (n - 1) / scale),
            toTensor(
              Float64Array.from(lv.data, (v) => Math.floor(v * (n - 1))),
              t.dtype,
            ),
          )
        : toTensor(Float64Array.from(frac), t.dtype);
    out = add(lower, mul(sub(upper, lower), f));
  }
  // out is [...rest, levels]: the levels go first, in q's shape.
  out = transpose(out, [rest.length, ...rest.map((_, d) => d)]);
  return reshape(out, [...lv.shape, ...tail]);
}

/**
 * The q-th quantiles of x along `axis` (default: the flattened array), q in [0, 1]: a number or
 * an array of levels (their shape leads the result's shape, as NumPy). The default "linear"
 * method interpolates between the sorted neighbours of position q * (n - 1). NaN in a line
 * gives NaN. Differentiable w.r.t. x through the sort, and w.r.t. a tensor q (linear method)
 * through the interpolation weight; q's values must be known, so q cannot vary inside vmap.
 * @param x - The values.
 * @param q - Levels in [0, 1].
 * @param options - `axis` (one or several; their entries form each line), `method`, `keepdims`.
 * @throws {@link ValueError} when q is outside [0, 1], the axis is empty or the method unknown.
 * @throws {@link TracerError} when q varies over a vmap batch.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.quantile(ad.tensor([4, 1, 3, 2]), 0.25); // => tensor(1.75, dtype=float32)
 * ad.quantile(ad.tensor([[1, 2, 3], [4, 6, 8]]), [0, 0.5], { axis: 1 }); // => tensor([[1., 4.], [2., 6.]], dtype=float32)
 * ```
 * @category Reductions
 */
export function quantile(x: TensorLike, q: TensorLike, options?: QuantileOptions): Tensor {
  return quantileOf("quantile", x, q, 1, options);
}

/**
 * The q-th percentiles of x, q in [0, 100]: quantile(x, q / 100, options).
 * @throws {@link ValueError} when q is outside [0, 100].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.percentile(ad.tensor([1, 2, 3, 4, 5]), [25, 90]); // => tensor([2., 4.6], dtype=float32)
 * ```
 * @category Reductions
 */
export function percentile(x: TensorLike, q: TensorLike, options?: QuantileOptions): Tensor {
  return quantileOf("percentile", x, q, 100, options);
}

/**
 * The median along `axis` (default: the flattened array): the mean of the two middle values
 * for an even count. NaN in a line gives NaN. Differentiable through the sort.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.median(ad.tensor([3, 1, 4, 2])); // => tensor(2.5, dtype=float32)
 * ad.median(ad.tensor([[3, 1, 2], [6, 5, 4]]), { axis: 1 }); // => tensor([2., 5.], dtype=float32)
 * ```
 * @category Reductions
 */
export function median(
  x: TensorLike,
  options?: { axis?: number | readonly number[]; keepdims?: boolean },
): Tensor {
  options = checkOptions("median", options, ["axis", "keepdims"]);
  return quantileOf("median", x, 0.5, 1, options);
}

/**
 * Quantiles of the non-NaN entries of each line. The number of them differs from line to line,
 * so the two sorted neighbours are picked by a one-hot weighting over the line (never by
 * reading values), which keeps nanquantile differentiable and usable inside vmap.
 */
function nanQuantileOf(
  op: string,
  x: TensorLike,
  q: TensorLike,
  scale: number,
  options: QuantileOptions | undefined,
): Tensor {
  const { t, n, rest, tail, method } = quantileLines(op, x, options);
  const lv = levels(op, q, scale);
  const nan = isNaNOp(t);
  // NaN sorts last; zeroing it keeps 0 * NaN out of the weighted sum and its derivatives.
  const ordered = sort(t, { axis: -1 });
  const sorted = where(isNaNOp(ordered), 0, ordered);
  const count = sum(astype(logicalNot(nan), t.dtype), { axis: -1, keepdims: true });
  const qs = reshape(toTensor(Float64Array.from(lv.data), t.dtype), [
    lv.data.length,
    ...rest.map(() => 1),
    1,
  ]);
  const pos = mul(qs, sub(count, 1));
  let lo: Tensor;
  let hi: Tensor;
  let frac: Tensor | number = 0;
  if (method === "lower") lo = hi = floor(pos);
  else if (method === "higher") lo = hi = ceil(pos);
  else if (method === "nearest") lo = hi = round(pos);
  else {
    lo = floor(pos);
    hi = ceil(pos);
    frac = method === "midpoint" ? 0.5 : sub(pos, lo);
  }
  const k = arange(0, n, 1, t.dtype);
  const weights = add(
    mul(astype(equal(k, lo), t.dtype), typeof frac === "number" ? 1 - frac : sub(1, frac)),
    mul(astype(equal(k, hi), t.dtype), frac),
  );
  let out = sum(mul(sorted, weights), { axis: -1 });
  // A line of NaN only has no quantile.
  out = where(equal(reshape(count, rest), 0), Number.NaN, out);
  return reshape(out, [...lv.shape, ...tail]);
}

/**
 * The q-th quantiles of the non-NaN entries of x along `axis` (default: the flattened array),
 * q in [0, 1]; NaN where a line has no number. Same methods, shapes and options as
 * {@link quantile}; differentiable w.r.t. x (NaN entries get 0), also inside vmap.
 * @throws {@link ValueError} when q is outside [0, 1] or the method is unknown.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanquantile(ad.tensor([[4, NaN, 1, 3], [NaN, NaN, NaN, NaN]]), 0.5, { axis: 1 }); // => tensor([3., NaN], dtype=float32)
 * ```
 * @category Reductions
 */
export function nanquantile(x: TensorLike, q: TensorLike, options?: QuantileOptions): Tensor {
  return nanQuantileOf("nanquantile", x, q, 1, options);
}

/**
 * The q-th percentiles of the non-NaN entries, q in [0, 100]: nanquantile(x, q / 100, options).
 * @throws {@link ValueError} when q is outside [0, 100].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanpercentile(ad.tensor([1, NaN, 2, 3]), 25); // => tensor(1.5, dtype=float32)
 * ```
 * @category Reductions
 */
export function nanpercentile(x: TensorLike, q: TensorLike, options?: QuantileOptions): Tensor {
  return nanQuantileOf("nanpercentile", x, q, 100, options);
}

/**
 * The median of the non-NaN entries along `axis` (default: the flattened array); NaN where a
 * line has no number. NaN entries get a zero derivative.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanmedian(ad.tensor([3, NaN, 1, 2])); // => tensor(2., dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.nanmedian(x))(ad.tensor([3, NaN, 1, 2])); // => tensor([0., 0., 0., 1.], dtype=float32)
 * ```
 * @category Reductions
 */
export function nanmedian(
  x: TensorLike,
  options?: { axis?: number | readonly number[]; keepdims?: boolean },
): Tensor {
  options = checkOptions("nanmedian", options, ["axis", "keepdims"]);
  return nanQuantileOf("nanmedian", x, 0.5, 1, options);
}
