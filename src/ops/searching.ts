/**
 * @file Searching and binning in NumPy's vocabulary: searchsorted, digitize, interp, bincount and
 * histogram. Positions are counted with comparisons (a value's index in a sorted array is the
 * number of entries before it), never read as JavaScript numbers, so these work inside vmap and
 * jvp; interp and weighted counts are differentiable.
 */

import { tensor, toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { zeros } from "./creation.js";
import {
  add,
  astype,
  div,
  equal,
  greater,
  greaterEqual,
  isNaN as isNaNOp,
  less,
  lessEqual,
  logicalAnd,
  logicalNot,
  logicalOr,
  mod,
  mul,
  sub,
  where,
} from "./elementwise.js";
import { argsort } from "./indexing.js";
import { promoteArgs, toFloatTensor } from "./promote.js";
import { max, min, sum } from "./reduce.js";
import { concat, flip, reshape, scatterAdd, slice, take } from "./shape.js";

function check1d(op: string, arg: string, t: Tensor, minSize = 1): void {
  if (t.ndim !== 1 || t.size < minSize) {
    const what = minSize > 1 ? `1-d with at least ${minSize} entries` : "1-d and non-empty";
    throw new ShapeError(`${op}: ${arg} must be ${what}; got shape ${fmtShape(t.shape)}`);
  }
}

/** How many entries of sorted `a` come before each v (NaN sorts last, as NumPy), as int32. */
function countBefore(a: Tensor, v: Tensor, side: "left" | "right"): Tensor {
  const col = reshape(v, [...v.shape, 1]);
  let before = side === "left" ? less(a, col) : lessEqual(a, col);
  if (isFloat(a.dtype) || isFloat(v.dtype)) {
    // A NaN v comes after every number; a NaN in a comes after every number v.
    const vNaN = isNaNOp(col);
    before =
      side === "left"
        ? logicalOr(before, logicalAnd(vNaN, logicalNot(isNaNOp(a))))
        : logicalOr(before, vNaN);
  }
  return sum(astype(before, "int32"), { axis: -1 });
}

/**
 * Options of searchsorted.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.searchsorted(ad.tensor([3, 1, 2]), 2, { sorter: ad.argsort(ad.tensor([3, 1, 2])) }); // => tensor(1, dtype=int32)
 * ```
 * @category Indexing
 */
export interface SearchSortedOptions {
  /** "left" (default): the first position where v fits; "right": the last. */
  side?: "left" | "right";
  /** int32 indices that sort `a` (when `a` itself is not sorted). */
  sorter?: TensorLike;
}

/**
 * The int32 indices where the values `v` would be inserted into the sorted 1-d `a` to keep it
 * sorted: with side "left" the first such index (count of a < v), with "right" the last (count
 * of a <= v). NaN sorts last. v may have any shape; the result has v's shape. Every v is
 * compared with every entry of a (O(a.size · v.size) work, no data-dependent branching), which
 * suits the moderate sizes of bin edges and sample grids.
 * @param a - 1-d, ascending (or sorted by `sorter`).
 * @param v - The values to place.
 * @param options - `side` ("left" or "right") and `sorter`.
 * @throws {@link ShapeError} when a is not 1-d.
 * @throws {@link ValueError} when side is not "left" or "right".
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.searchsorted(ad.tensor([1, 2, 2, 3]), ad.tensor([2, 0, 5])); // => tensor([1, 0, 4], dtype=int32)
 * ad.searchsorted(ad.tensor([1, 2, 2, 3]), 2, { side: "right" }); // => tensor(3, dtype=int32)
 * ```
 * @category Indexing
 */
export function searchsorted(a: TensorLike, v: TensorLike, options?: SearchSortedOptions): Tensor {
  const op = "searchsorted";
  options = checkOptions(op, options, ["side", "sorter"]);
  const side = options?.side ?? "left";
  if (side !== "left" && side !== "right") {
    throw new ValueError(`${op}: side must be "left" or "right"; got ${describeValue(side)}`);
  }
  let [s, t] = promoteArgs([a, v]) as [Tensor, Tensor];
  if (s.ndim !== 1) {
    throw new ShapeError(`${op}: a must be 1-d; got shape ${fmtShape(s.shape)}`);
  }
  if (options?.sorter !== undefined) s = take(s, options.sorter);
  return countBefore(s, t, side);
}

/**
 * The int32 index of the bin each x falls in, for monotonic bin edges (NumPy's digitize): for
 * ascending bins, i with bins[i-1] <= x < bins[i] (or bins[i-1] < x <= bins[i] with `right`);
 * 0 below the first edge and bins.length above the last. Descending bins count from the other end.
 * @param x - The values (any shape).
 * @param bins - 1-d monotonic edges.
 * @param right - Whether bins include their right edge (default false).
 * @throws {@link ShapeError} when bins is not 1-d and non-empty.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.digitize(ad.tensor([0.2, 6.4, 3.0, 1.6]), ad.tensor([0, 1, 2.5, 4, 10])); // => tensor([1, 4, 3, 2], dtype=int32)
 * ad.digitize(ad.tensor([1, 4]), ad.tensor([1, 4]), true); // => tensor([0, 1], dtype=int32)
 * ```
 * @category Indexing
 */
export function digitize(x: TensorLike, bins: TensorLike, right = false): Tensor {
  const [t, b] = promoteArgs([x, bins]) as [Tensor, Tensor];
  check1d("digitize", "bins", b);
  const side = right ? "left" : "right";
  const n = b.size;
  const ascending = greaterEqual(slice(b, [n - 1], [1]), slice(b, [0], [1]));
  const up = countBefore(b, t, side);
  const down = sub(n, countBefore(flip(b), t, side));
  // One comparison of the end points decides the direction, as a value (no read-out).
  return where(reshape(ascending, []), up, down);
}

/**
 * Options of interp.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.interp(ad.tensor([-1, 5]), ad.tensor([0, 1]), ad.tensor([10, 20]), { left: 0, right: 99 }); // => tensor([0., 99.], dtype=float32)
 * ```
 * @category Elementwise
 */
export interface InterpOptions {
  /** The value below xp[0] (default fp[0]). */
  left?: TensorLike;
  /** The value above xp[-1] (default fp[-1]). */
  right?: TensorLike;
  /** The period of a periodic x coordinate (then left and right do not apply). */
  period?: number;
}

/**
 * Piecewise-linear interpolation of the points (xp, fp) at x, as NumPy's interp: xp ascending;
 * below and above the range, `left` and `right` (default: the end values). Differentiable w.r.t.
 * x, xp and fp (where x falls strictly inside an interval).
 * @param x - The points to evaluate (any shape).
 * @param xp - 1-d ascending sample points.
 * @param fp - 1-d sample values, one per xp.
 * @param options - `left`, `right`, `period`.
 * @throws {@link ShapeError} when xp and fp are not 1-d of one length.
 * @throws {@link ValueError} when period is given and not a positive number, or with left/right.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.interp(ad.tensor([0.5, 1.5, 3]), ad.tensor([0, 1, 2]), ad.tensor([0, 10, 30])); // => tensor([5., 20., 30.], dtype=float32)
 * ad.interp(ad.tensor([-45, 370]), ad.tensor([0, 90, 180, 270]), ad.tensor([0, 1, 2, 3]), { period: 360 }); // => tensor([1.5, 0.1111111], dtype=float32)
 * ```
 * @category Elementwise
 */
export function interp(
  x: TensorLike,
  xp: TensorLike,
  fp: TensorLike,
  options?: InterpOptions,
): Tensor {
  const op = "interp";
  options = checkOptions(op, options, ["left", "right", "period"]);
  let [t, xs, fs] = promoteArgs([x, xp, fp]).map(toFloatTensor) as [Tensor, Tensor, Tensor];
  check1d(op, "xp", xs);
  check1d(op, "fp", fs);
  if (xs.size !== fs.size) {
    throw new ShapeError(
      `${op}: xp and fp must have the same length; got ${xs.size} and ${fs.size}`,
    );
  }
  const period = options?.period;
  if (period !== undefined) {
    if (typeof period !== "number" || !(period > 0)) {
      throw new ValueError(`${op}: period must be a positive number; got ${describeValue(period)}`);
    }
    if (options?.left !== undefined || options?.right !== undefined) {
      throw new ValueError(`${op}: left and right do not apply with a period`);
    }
    // Wrap everything into one period, sort xp, and extend by one point on each side.
    t = mod(t, period);
    xs = mod(xs, period);
    const order = argsort(xs);
    xs = take(xs, order);
    fs = take(fs, order);
    const m = xs.size;
    xs = concat([sub(slice(xs, [m - 1], [1]), period), xs, add(slice(xs, [0], [1]), period)]);
    fs = concat([slice(fs, [m - 1], [1]), fs, slice(fs, [0], [1])]);
  }
  const n = xs.size;
  if (n === 1) {
    const only = reshape(fs, []);
    return add(mul(t, 0), only);
  }
  // The interval [xp[i-1], xp[i]] of each x, with i in [1, n - 1].
  const i = countBefore(xs, t, "right");
  const hi = where(less(i, 1), 1, where(greater(i, n - 1), n - 1, i));
  const lo = sub(hi, 1);
  const x0 = take(xs, lo);
  const x1 = take(xs, hi);
  const f0 = take(fs, lo);
  const f1 = take(fs, hi);
  const dx = sub(x1, x0);
  const flat = equal(dx, 0);
  // The double where keeps 1/0 out of the derivative at repeated sample points.
  const slope = div(sub(f1, f0), where(flat, 1, dx));
  let out = where(flat, f1, add(f0, mul(slope, sub(t, x0))));
  if (period === undefined) {
    const first = reshape(slice(xs, [0], [1]), []);
    const last = reshape(slice(xs, [n - 1], [1]), []);
    out = where(less(t, first), options?.left ?? reshape(slice(fs, [0], [1]), []), out);
    out = where(greater(t, last), options?.right ?? reshape(slice(fs, [n - 1], [1]), []), out);
  }
  return out;
}

/**
 * Options of bincount.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.bincount(ad.tensor([0, 2], { dtype: "int32" }), { minlength: 4 }); // => tensor([1, 0, 1, 0], dtype=int32)
 * ```
 * @category Reductions
 */
export interface BincountOptions {
  /** A weight per entry of x: the result sums weights instead of counting (differentiable). */
  weights?: TensorLike;
  /** The smallest result length (default 0). */
  minlength?: number;
  /** The exact result length (values at or beyond it are dropped), as JAX needs under jit. */
  length?: number;
}

/**
 * How often each value 0, 1, ... occurs in the non-negative int32 array x (or the sum of
 * `weights` at each value): int32 counts, or weights' float dtype. The length is max(x) + 1 (at
 * least `minlength`), or exactly `length`.
 * @param x - 1-d, non-negative int32.
 * @throws {@link DTypeError} when x is not int32 (or bool).
 * @throws {@link ValueError} when x has a negative entry, or a length is not a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.bincount(ad.tensor([1, 1, 3], { dtype: "int32" })); // => tensor([0, 2, 0, 1], dtype=int32)
 * ad.bincount(ad.tensor([1, 1, 3], { dtype: "int32" }), { weights: [0.5, 0.25, 2] }); // => tensor([0., 0.75, 0., 2.], dtype=float32)
 * ```
 * @category Reductions
 */
export function bincount(x: TensorLike, options?: BincountOptions): Tensor {
  const op = "bincount";
  options = checkOptions(op, options, ["weights", "minlength", "length"]);
  let t = toTensor(x);
  if (t.dtype === "bool") t = astype(t, "int32");
  if (t.dtype !== "int32") {
    throw new DTypeError(`${op}: x must have dtype int32; got ${t.dtype}`);
  }
  if (t.ndim !== 1) throw new ShapeError(`${op}: x must be 1-d; got shape ${fmtShape(t.shape)}`);
  // Counting needs the largest value; inside vmap this is the largest over the whole batch. A
  // staged x (makeGraph) has no values: it needs `length` (as under jax.jit), and negative
  // entries, which cannot be rejected, are dropped like those at or beyond the length.
  const staged = t._staged() && options?.length !== undefined;
  const data = staged ? new Int32Array(0) : (t._concrete()._data as Int32Array);
  let top = -1;
  for (const v of data) {
    if (v < 0) throw new ValueError(`${op}: x must be non-negative; got ${v}`);
    if (v > top) top = v;
  }
  const count = (arg: string, v: unknown): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new ValueError(`${op}: ${arg} must be a non-negative integer; got ${describeValue(v)}`);
    }
    return v;
  };
  const length =
    options?.length !== undefined
      ? count("length", options.length)
      : Math.max(top + 1, count("minlength", options?.minlength ?? 0));
  let w: Tensor =
    options?.weights === undefined
      ? astype(greaterEqual(t, 0), "int32")
      : toTensor(options.weights);
  if (w.dtype === "bool") w = astype(w, "int32");
  if (!(w.ndim === 1 && w.size === t.size)) {
    throw new ShapeError(
      `${op}: weights must have x's shape ${fmtShape(t.shape)}; got ${fmtShape(w.shape)}`,
    );
  }
  // Entries at or beyond `length` are dropped: their weight becomes 0 at a valid position.
  const inside = staged ? logicalAnd(greaterEqual(t, 0), less(t, length)) : less(t, length);
  const idx = where(inside, t, 0);
  const vals = where(inside, w, 0);
  if (length === 0) return zeros([0], vals.dtype);
  return scatterAdd(zeros([length], vals.dtype), idx, vals);
}

/** The bin edges of histogram: given, or `bins` equal widths over the range (default x's). */
function binEdges(
  op: string,
  t: Tensor,
  bins: number | TensorLike,
  range: readonly [number, number] | undefined,
): Tensor {
  if (typeof bins !== "number") {
    const edges = toFloatTensor(bins);
    check1d(op, "bins", edges, 2);
    return edges;
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new ValueError(`${op}: bins must be a positive integer or edges; got ${bins}`);
  }
  const unit = (k: number) => k / bins;
  if (range !== undefined || t.size === 0) {
    let [lo, hi] = range ?? [0, 1];
    if (!(lo <= hi)) {
      throw new ValueError(
        `${op}: range must be [lower, upper] with lower <= upper; got [${lo}, ${hi}]`,
      );
    }
    // An empty range is widened by 0.5 on each side (NumPy).
    if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
    return tensor(
      Float64Array.from({ length: bins + 1 }, (_, k) => lo + (hi - lo) * unit(k)),
      { dtype: t.dtype },
    );
  }
  // From the data: the edges stay tensors, so they follow x's derivative and vmap.
  let lo = min(t);
  let hi = max(t);
  const same = equal(hi, lo);
  lo = where(same, sub(lo, 0.5), lo);
  hi = where(same, add(hi, 0.5), hi);
  const steps = tensor(
    Float64Array.from({ length: bins + 1 }, (_, k) => unit(k)),
    {
      dtype: t.dtype,
    },
  );
  return add(lo, mul(sub(hi, lo), steps));
}

/**
 * The bin edges histogram would use for x: `bins` + 1 equal-width edges over `range` (default:
 * x's min and max, widened by 0.5 each side when they are equal), or the given edges.
 * @throws {@link ValueError} when bins is not a positive integer or the range is reversed.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.histogramBinEdges(ad.tensor([1, 2, 5]), { bins: 4 }); // => tensor([1., 2., 3., 4., 5.], dtype=float32)
 * ```
 * @category Reductions
 */
export function histogramBinEdges(
  x: TensorLike,
  options?: { bins?: number | TensorLike; range?: readonly [number, number] },
): Tensor {
  const op = "histogramBinEdges";
  options = checkOptions(op, options, ["bins", "range"]);
  const t = toFloatTensor(x);
  return binEdges(op, reshape(t, [t.size]), options?.bins ?? 10, options?.range);
}

/**
 * Options of histogram.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.histogram(ad.tensor([1, 2, 2, 4]), { bins: 3, range: [0, 6], density: true })[0]; // => tensor([0.125, 0.25, 0.125], dtype=float32)
 * ```
 * @category Reductions
 */
export interface HistogramOptions {
  /** The number of equal-width bins (default 10), or 1-d ascending bin edges. */
  bins?: number | TensorLike;
  /** The [lower, upper] range of equal-width bins (default: x's min and max). */
  range?: readonly [number, number];
  /** A weight per entry of x (default 1): differentiable. */
  weights?: TensorLike;
  /** Divide by the total and the bin widths, so the result integrates to 1 (default false). */
  density?: boolean;
}

/**
 * The histogram of x (flattened): `[counts, edges]`, with bins [e_i, e_i+1) and the last bin
 * closed; values outside the edges are not counted. Counts are in x's float dtype (JAX's), sums
 * of `weights` if given (differentiable w.r.t. the weights), densities with `density`. Each
 * value is tested against every bin (O(x.size · bins) work).
 * @param x - The values.
 * @param options - `bins`, `range`, `weights`, `density`.
 * @throws {@link ValueError} when bins is not a positive integer or the range is reversed.
 * @throws {@link ShapeError} when edges are not 1-d with 2 or more entries, or the weights do
 *   not have x's shape.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [counts, edges] = ad.histogram(ad.tensor([1, 2, 2, 3, 5]), { bins: 4 });
 * counts; // => tensor([1., 2., 1., 1.], dtype=float32)
 * edges; // => tensor([1., 2., 3., 4., 5.], dtype=float32)
 * ```
 * @category Reductions
 */
export function histogram(x: TensorLike, options?: HistogramOptions): [Tensor, Tensor] {
  const op = "histogram";
  options = checkOptions(op, options, ["bins", "range", "weights", "density"]);
  const t0 = toFloatTensor(x);
  const t = reshape(t0, [t0.size]);
  const edges = binEdges(op, t, options?.bins ?? 10, options?.range);
  const nb = edges.size - 1;
  const lower = slice(edges, [0], [nb]);
  const upper = slice(edges, [1], [nb]);
  const last = reshape(slice(edges, [nb], [1]), []);
  const col = reshape(t, [t.size, 1]);
  // [x, bin] membership; the last bin includes its right edge.
  const lastBin = tensor([Array.from({ length: nb }, (_, k) => k === nb - 1)]);
  const member = logicalAnd(
    greaterEqual(col, lower),
    logicalOr(less(col, upper), logicalAnd(lastBin, equal(col, last))),
  );
  let w: Tensor;
  if (options?.weights === undefined) w = astype(member, t.dtype);
  else {
    const wt = toTensor(options.weights);
    if (wt.size !== t.size || wt.ndim !== t0.ndim) {
      throw new ShapeError(
        `${op}: weights must have x's shape ${fmtShape(t0.shape)}; got ${fmtShape(wt.shape)}`,
      );
    }
    w = where(member, reshape(wt, [t.size, 1]), 0);
  }
  let counts = sum(w, { axis: 0 });
  if (options?.density === true) {
    counts = div(div(counts, sum(counts)), sub(upper, lower));
  }
  return [counts, edges];
}
