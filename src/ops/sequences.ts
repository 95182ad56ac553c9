/**
 * @file Sequence ops in NumPy's vocabulary: diff, ediff1d, convolve, correlate, trapezoid,
 * gradient, cumulativeSum, cumulativeProd and unwrap (polynomials are in polynomials.ts). All
 * are composites of slices, sums, cumulative ops and conv1d, so they are differentiable in
 * every float argument.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxis } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { stopGradient } from "../transforms/stop-gradient.js";
import {
  abs,
  add,
  astype,
  div,
  equal,
  greater,
  less,
  logicalAnd,
  mod,
  mul,
  neg,
  notEqual,
  sub,
  where,
} from "./elementwise.js";
import { conv1d } from "./nn.js";
import { promoteArgs, toFloatTensor } from "./promote.js";
import { cumprod, cumsum, sum } from "./reduce.js";
import { broadcastTo, concat, flip, pad, reshape, slice } from "./shape.js";

/** x[begin:end] along `axis` (end exclusive, both already in range). */
function sliceAxis(x: Tensor, axis: number, begin: number, end: number): Tensor {
  return slice(
    x,
    x.shape.map((_, d) => (d === axis ? begin : 0)),
    x.shape.map((n, d) => (d === axis ? end - begin : n)),
  );
}

/** Widths that pad only `axis`. */
function padAxis(ndim: number, axis: number, before: number, after: number): [number, number][] {
  return Array.from({ length: ndim }, (_, d): [number, number] =>
    d === axis ? [before, after] : [0, 0],
  );
}

function checkCount(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new ValueError(`${op}: ${arg} must be a non-negative integer; got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Options of diff.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.diff(ad.tensor([1, 4, 9]), { prepend: 0, append: [16, 25] }); // => tensor([1., 3., 5., 7., 9.], dtype=float32)
 * ```
 * @category Shape
 */
export interface DiffOptions {
  /** How many times to difference (default 1; 0 returns x). */
  n?: number;
  /** The axis (default -1). */
  axis?: number;
  /** Values put before x along the axis first (a scalar is repeated across the other axes). */
  prepend?: TensorLike;
  /** Values put after x along the axis first. */
  append?: TensorLike;
}

/**
 * The n-th discrete difference along `axis`: out[i] = x[i + 1] - x[i], applied n times (the
 * axis shrinks by n); bool inputs give x[i + 1] != x[i]. `prepend`/`append` extend x along the
 * axis first. Differentiable.
 * @param x - At least 1-d.
 * @param options - `n` (default 1), `axis` (default -1), `prepend`, `append`.
 * @throws {@link ValueError} when n is not a non-negative integer or the axis is out of range.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.diff(ad.tensor([1, 2, 4, 7])); // => tensor([1., 2., 3.], dtype=float32)
 * ad.diff(ad.tensor([1, 2, 4, 7]), { n: 2 }); // => tensor([1., 1.], dtype=float32)
 * ad.diff(ad.tensor([[1, 3], [4, 9]]), { axis: 0 }); // => tensor([[3., 6.]], dtype=float32)
 * ```
 * @category Shape
 */
export function diff(x: TensorLike, options?: DiffOptions): Tensor {
  const op = "diff";
  options = checkOptions(op, options, ["n", "axis", "prepend", "append"]);
  let t = toTensor(x);
  if (t.ndim === 0) throw new ValueError(`${op}: x must be at least 1-d; got a 0-d tensor`);
  const n = checkCount(op, "n", options?.n ?? 1);
  const axis = normalizeAxis(op, options?.axis ?? -1, t.ndim);
  const edge = (v: TensorLike): Tensor => {
    const e = toTensor(v);
    if (e.ndim > 0) return e;
    return broadcastTo(
      e,
      t.shape.map((m, d) => (d === axis ? 1 : m)),
    );
  };
  if (options?.prepend !== undefined || options?.append !== undefined) {
    const parts: Tensor[] = [];
    if (options.prepend !== undefined) parts.push(edge(options.prepend));
    parts.push(t);
    if (options.append !== undefined) parts.push(edge(options.append));
    t = concat(parts, axis);
  }
  for (let k = 0; k < n; k++) {
    const len = t.shape[axis]!;
    if (len === 0) break;
    const hi = sliceAxis(t, axis, 1, len);
    const lo = sliceAxis(t, axis, 0, len - 1);
    t = t.dtype === "bool" ? notEqual(hi, lo) : sub(hi, lo);
  }
  return t;
}

/**
 * The differences of consecutive elements of x flattened, with `toBegin` and `toEnd` (flattened)
 * put around them. Differentiable.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.ediff1d(ad.tensor([[1, 2], [4, 7]]), { toBegin: -9, toEnd: [0, 0] }); // => tensor([-9., 1., 2., 3., 0., 0.], dtype=float32)
 * ```
 * @category Shape
 */
export function ediff1d(
  x: TensorLike,
  options?: { toEnd?: TensorLike; toBegin?: TensorLike },
): Tensor {
  options = checkOptions("ediff1d", options, ["toEnd", "toBegin"]);
  const t = toTensor(x);
  const d = diff(reshape(t, [t.size]));
  const flat = (v: TensorLike) => {
    const e = toTensor(v);
    return reshape(e, [e.size]);
  };
  if (options?.toBegin === undefined && options?.toEnd === undefined) return d;
  const parts: Tensor[] = [];
  if (options.toBegin !== undefined) parts.push(flat(options.toBegin));
  parts.push(d);
  if (options.toEnd !== undefined) parts.push(flat(options.toEnd));
  return concat(parts);
}

/**
 * Which shifts convolve and correlate keep: "full" every overlap (length n + m - 1), "same" the
 * central max(n, m), "valid" the full overlaps only (max(n, m) - min(n, m) + 1).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.convolve(ad.tensor([1, 2, 3]), ad.tensor([1, 1]), "valid"); // => tensor([3., 5.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export type ConvolveMode = "full" | "same" | "valid";

function conv1dOf(
  op: "convolve" | "correlate",
  x: TensorLike,
  y: TensorLike,
  mode: ConvolveMode,
): Tensor {
  if (mode !== "full" && mode !== "same" && mode !== "valid") {
    throw new ValueError(
      `${op}: mode must be "full", "same" or "valid"; got ${describeValue(mode)}`,
    );
  }
  let [a, v] = promoteArgs([x, y]) as [Tensor, Tensor];
  // Integer sequences give integers (as JAX); float64 holds their products exactly.
  const dtype = a.dtype === "bool" ? "int32" : a.dtype;
  if (!isFloat(dtype)) [a, v] = [astype(a, "float64"), astype(v, "float64")];
  for (const [name, t] of [
    ["a", a],
    ["v", v],
  ] as const) {
    if (t.ndim !== 1 || t.size === 0) {
      throw new ShapeError(
        `${op}: ${name} must be 1-d and non-empty; got shape ${fmtShape(t.shape)}`,
      );
    }
  }
  // The kernel is the shorter operand (NumPy): swapping reverses a correlation, not a convolution.
  let reverse = false;
  if (a.size < v.size) {
    [a, v] = [v, a];
    reverse = op === "correlate";
  }
  if (op === "convolve") v = flip(v);
  const m = v.size;
  const left = mode === "valid" ? 0 : mode === "full" ? m - 1 : Math.floor(m / 2);
  const right = mode === "valid" ? 0 : mode === "full" ? m - 1 : m - 1 - Math.floor(m / 2);
  const out = conv1d(reshape(a, [1, 1, a.size]), reshape(v, [1, 1, m]), {
    padding: [left, right],
  });
  const flat = reshape(out, [out.size]);
  const result = reverse ? flip(flat) : flat;
  return result.dtype === dtype ? result : astype(result, dtype);
}

/**
 * The discrete linear convolution of two 1-d sequences: out[k] = sum_i a[i] v[k - i]. `mode`
 * "full" (default) gives every overlap (length n + m - 1), "same" the central max(n, m), "valid"
 * only full overlaps (max - min + 1). Integer sequences give int32. Differentiable w.r.t. both.
 * @param a - 1-d, non-empty.
 * @param v - 1-d, non-empty.
 * @param mode - "full" (default), "same" or "valid".
 * @throws {@link ShapeError} when an operand is not 1-d or is empty.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.convolve(ad.tensor([1, 2, 3]), ad.tensor([0, 1, 0.5])); // => tensor([0., 1., 2.5, 4., 1.5], dtype=float32)
 * ad.convolve(ad.tensor([1, 2, 3]), ad.tensor([0, 1, 0.5]), "same"); // => tensor([1., 2.5, 4.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function convolve(a: TensorLike, v: TensorLike, mode: ConvolveMode = "full"): Tensor {
  return conv1dOf("convolve", a, v, mode);
}

/**
 * The cross-correlation of two 1-d sequences: out[k] = sum_n a[n + k] v[n], over the shifts
 * `mode` selects ("valid", the default as in NumPy, "same" or "full"). Differentiable w.r.t. both.
 * @throws {@link ShapeError} when an operand is not 1-d or is empty.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.correlate(ad.tensor([1, 2, 3]), ad.tensor([0, 1, 0.5])); // => tensor([3.5], dtype=float32)
 * ad.correlate(ad.tensor([1, 2, 3]), ad.tensor([0, 1, 0.5]), "full"); // => tensor([0.5, 2., 3.5, 3., 0.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function correlate(a: TensorLike, v: TensorLike, mode: ConvolveMode = "valid"): Tensor {
  return conv1dOf("correlate", a, v, mode);
}

/**
 * The integral of y along `axis` by the trapezoidal rule: sample points `x` (1-d along the axis,
 * or y's shape), else a constant spacing `dx` (default 1). Differentiable w.r.t. y and x.
 * @param y - The sampled values.
 * @param x - The sample points (default: spacing dx).
 * @param options - `dx` (default 1) and `axis` (default -1).
 * @throws {@link ShapeError} when x fits neither y nor the axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.trapezoid(ad.tensor([1, 2, 3])); // => tensor(4., dtype=float32)
 * ad.trapezoid(ad.tensor([1, 2, 3]), ad.tensor([0, 1, 3])); // => tensor(6.5, dtype=float32)
 * ad.trapezoid(ad.tensor([[0, 1], [2, 3]]), null, { dx: 0.5 }); // => tensor([0.25, 1.25], dtype=float32)
 * ```
 * @category Reductions
 */
export function trapezoid(
  y: TensorLike,
  x?: TensorLike | null,
  options?: { dx?: number; axis?: number },
): Tensor {
  const op = "trapezoid";
  options = checkOptions(op, options, ["dx", "axis"]);
  const t = toFloatTensor(y);
  if (t.ndim === 0) throw new ValueError(`${op}: y must be at least 1-d; got a 0-d tensor`);
  const axis = normalizeAxis(op, options?.axis ?? -1, t.ndim);
  const n = t.shape[axis]!;
  if (n < 2) return sum(mul(t, 0), { axis });
  const mid = div(add(sliceAxis(t, axis, 1, n), sliceAxis(t, axis, 0, n - 1)), 2);
  if (x === undefined || x === null) {
    const dx = options?.dx ?? 1;
    if (typeof dx !== "number") {
      throw new ValueError(`${op}: dx must be a number; got ${describeValue(dx)}`);
    }
    return mul(sum(mid, { axis }), dx);
  }
  const xs = toTensor(x);
  let d: Tensor;
  if (xs.ndim === 1 && xs.size === n) {
    d = reshape(
      diff(xs),
      t.shape.map((m, k) => (k === axis ? m - 1 : 1)),
    );
  } else if (xs.ndim === t.ndim && xs.shape.every((m, k) => m === t.shape[k])) {
    d = diff(xs, { axis });
  } else {
    throw new ShapeError(
      `${op}: x must be 1-d of length ${n} or have y's shape ${fmtShape(t.shape)}; got shape ${fmtShape(xs.shape)}`,
    );
  }
  return sum(mul(mid, d), { axis });
}

/**
 * Options of cumulativeSum and cumulativeProd.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cumulativeSum(ad.tensor([[1, 2], [3, 4]]), { axis: 1, includeInitial: true }); // => tensor([[0., 1., 3.], [0., 3., 7.]], dtype=float32)
 * ```
 * @category Reductions
 */
export interface CumulativeSumOptions {
  /** The axis; required when x has more than one dimension. */
  axis?: number;
  /** Start with the identity (0 or 1), so the axis grows by one (default false). */
  includeInitial?: boolean;
}

function cumulativeOf(
  op: string,
  x: TensorLike,
  options: CumulativeSumOptions | undefined,
  scan: (t: Tensor, axis: number) => Tensor,
  identity: number,
): Tensor {
  options = checkOptions(op, options, ["axis", "includeInitial"]);
  const t = toTensor(x);
  if (t.ndim === 0) throw new ValueError(`${op}: x must be at least 1-d; got a 0-d tensor`);
  if (options?.axis === undefined && t.ndim > 1) {
    throw new ValueError(
      `${op}: axis is required for a ${t.ndim}-d input (shape ${fmtShape(t.shape)}); NumPy's cumulative_sum does not flatten`,
    );
  }
  const axis = normalizeAxis(op, options?.axis ?? 0, t.ndim);
  const out = scan(t, axis);
  return options?.includeInitial === true ? pad(out, padAxis(out.ndim, axis, 1, 0), identity) : out;
}

/**
 * Cumulative sum along `axis` (NumPy 2's cumulative_sum): like cumsum, but never flattens (the
 * axis is required beyond 1-d), and `includeInitial` starts with 0. Differentiable.
 * @throws {@link ValueError} when x is 0-d, or has several dims and no axis is given.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cumulativeSum(ad.tensor([1, 2, 3]), { includeInitial: true }); // => tensor([0., 1., 3., 6.], dtype=float32)
 * ```
 * @category Reductions
 */
export function cumulativeSum(x: TensorLike, options?: CumulativeSumOptions): Tensor {
  return cumulativeOf("cumulativeSum", x, options, (t, axis) => cumsum(t, { axis }), 0);
}

/**
 * Cumulative product along `axis` (NumPy 2's cumulative_prod); `includeInitial` starts with 1.
 * Differentiable, also at zeros.
 * @throws {@link ValueError} when x is 0-d, or has several dims and no axis is given.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cumulativeProd(ad.tensor([1, 2, 3]), { includeInitial: true }); // => tensor([1., 1., 2., 6.], dtype=float32)
 * ```
 * @category Reductions
 */
export function cumulativeProd(x: TensorLike, options?: CumulativeSumOptions): Tensor {
  return cumulativeOf("cumulativeProd", x, options, (t, axis) => cumprod(t, { axis }), 1);
}

/**
 * Unwraps a phase signal along `axis`: wherever consecutive values jump by more than `discont`
 * (default and minimum: period / 2), a multiple of `period` (default 2π) is added so that the
 * jump is at most period / 2. The corrections are piecewise constant, so the derivative is the
 * identity. Differentiable.
 * @param p - At least 1-d.
 * @param options - `discont`, `axis` (default -1), `period` (default 2π).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.unwrap(ad.tensor([0, 3, 6.5, 0.5]), { period: 4 }); // => tensor([0., -1., -1.5, -3.5], dtype=float32)
 * ```
 * @category Elementwise
 */
export function unwrap(
  p: TensorLike,
  options?: { discont?: number; axis?: number; period?: number },
): Tensor {
  const op = "unwrap";
  options = checkOptions(op, options, ["discont", "axis", "period"]);
  const t = toFloatTensor(p);
  if (t.ndim === 0) throw new ValueError(`${op}: p must be at least 1-d; got a 0-d tensor`);
  const period = options?.period ?? 2 * Math.PI;
  if (typeof period !== "number" || !(period > 0)) {
    throw new ValueError(`${op}: period must be a positive number; got ${describeValue(period)}`);
  }
  const half = period / 2;
  const discont = Math.max(options?.discont ?? half, half);
  const axis = normalizeAxis(op, options?.axis ?? -1, t.ndim);
  if (t.shape[axis]! < 2) return t;
  // The corrections are piecewise constant: no derivative flows through them.
  const dd = stopGradient(diff(t, { axis }));
  let ddmod = sub(mod(add(dd, half), period), half);
  // A jump of exactly +period/2 stays +period/2 (NumPy), rather than becoming -period/2.
  ddmod = where(logicalAnd(equal(ddmod, -half), greater(dd, 0)), half, ddmod);
  const correct = where(less(abs(dd), discont), 0, sub(ddmod, dd));
  return add(t, pad(cumsum(correct, { axis }), padAxis(t.ndim, axis, 1, 0)));
}

/**
 * Options of gradient.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.gradient(ad.tensor([[1, 2, 4], [2, 5, 9]]), { axis: 1, spacing: 0.5 }); // => tensor([[2., 3., 4.], [6., 7., 8.]], dtype=float32)
 * ```
 * @category Reductions
 */
export interface GradientOptions {
  /**
   * The sample spacing: one number for every axis, or one entry per differentiated axis, each a
   * number (uniform spacing) or 1-d coordinates along that axis (default 1).
   */
  spacing?: TensorLike | readonly TensorLike[];
  /** The axis or axes to differentiate along (default: all). */
  axis?: number | readonly number[];
  /** The accuracy order of the one-sided differences at the two edges: 1 (default) or 2. */
  edgeOrder?: 1 | 2;
}

/**
 * The derivative of sampled values along each axis by second-order central differences inside
 * and first- (or second-, with `edgeOrder: 2`) order one-sided differences at the edges, as
 * NumPy's gradient; spacings may be uniform or given by coordinates. One axis (or a 1-d input)
 * gives one tensor, several give an array of them, in axis order. Differentiable w.r.t. f and
 * the coordinates.
 * @param f - The samples; every differentiated axis needs at least edgeOrder + 1 of them.
 * @param options - `spacing`, `axis` (default: all), `edgeOrder` (default 1).
 * @throws {@link ValueError} when the spacing list does not match the axes, an axis is too short,
 *   or edgeOrder is not 1 or 2.
 * @throws {@link ShapeError} when coordinates are not 1-d with one entry per sample.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.gradient(ad.tensor([1, 2, 4, 7, 11])); // => tensor([1., 1.5, 2.5, 3.5, 4.], dtype=float32)
 * ad.gradient(ad.tensor([1, 2, 4, 7, 11]), { spacing: [ad.tensor([0, 1, 1.5, 3.5, 4])] }); // => tensor([1., 3., 3.5, 6.7, 8.], dtype=float32)
 * ad.gradient(ad.tensor([[1, 2], [4, 8]])); // => [tensor([[3., 6.], [3., 6.]], dtype=float32), tensor([[1., 1.], [4., 4.]], dtype=float32)]
 * ```
 * @category Reductions
 */
export function gradient(f: TensorLike, options: GradientOptions & { axis: number }): Tensor;
export function gradient(f: TensorLike, options?: GradientOptions): Tensor | Tensor[];
export function gradient(f: TensorLike, options?: GradientOptions): Tensor | Tensor[] {
  const op = "gradient";
  options = checkOptions(op, options, ["spacing", "axis", "edgeOrder"]);
  const t = toFloatTensor(f);
  const edge = options?.edgeOrder ?? 1;
  if (edge !== 1 && edge !== 2) {
    throw new ValueError(`${op}: edgeOrder must be 1 or 2; got ${describeValue(edge)}`);
  }
  const single = typeof options?.axis === "number";
  const axes =
    options?.axis === undefined
      ? t.shape.map((_, d) => d)
      : (typeof options.axis === "number" ? [options.axis] : [...options.axis]).map((a) =>
          normalizeAxis(op, a, t.ndim),
        );
  // A JS array lists one spacing per axis; a number or a tensor serves every axis (NumPy's
  // varargs), and 1-d coordinates can only serve a single axis.
  const sp = options?.spacing;
  let spacings: TensorLike[];
  if (sp === undefined) spacings = axes.map(() => 1);
  else if (Array.isArray(sp)) spacings = [...(sp as readonly TensorLike[])];
  else if (typeof sp === "number" || toTensor(sp as TensorLike).ndim === 0 || axes.length === 1) {
    spacings = axes.map(() => sp as TensorLike);
  } else {
    throw new ValueError(
      `${op}: 1-d coordinates serve one axis; with ${axes.length} axes give spacing as an array with one entry per axis`,
    );
  }
  if (spacings.length !== axes.length) {
    throw new ValueError(
      `${op}: spacing must have one entry per axis (${axes.length}); got ${spacings.length}`,
    );
  }
  const outs = axes.map((axis, i) => {
    const n = t.shape[axis]!;
    if (n < edge + 1) {
      throw new ValueError(
        `${op}: axis ${axis} has ${n} sample(s); edgeOrder ${edge} needs at least ${edge + 1}`,
      );
    }
    const s = spacings[i]!;
    const st = typeof s === "number" ? null : toTensor(s);
    const at = (k: number, len = 1) =>
      sliceAxis(t, axis, k < 0 ? n + k : k, (k < 0 ? n + k : k) + len);
    const along = (v: Tensor) =>
      reshape(
        v,
        t.shape.map((_, d) => (d === axis ? v.size : 1)),
      );
    if (st === null || st.ndim === 0) {
      const h: Tensor | number = st === null ? (s as number) : st;
      const inner =
        n > 2
          ? div(
              sub(sliceAxis(t, axis, 2, n), sliceAxis(t, axis, 0, n - 2)),
              typeof h === "number" ? 2 * h : mul(h, 2),
            )
          : null;
      let first: Tensor;
      let last: Tensor;
      if (edge === 1) {
        first = div(sub(at(1), at(0)), h);
        last = div(sub(at(-1), at(-2)), h);
      } else {
        first = div(add(add(mul(at(0), -1.5), mul(at(1), 2)), mul(at(2), -0.5)), h);
        last = div(add(add(mul(at(-3), 0.5), mul(at(-2), -2)), mul(at(-1), 1.5)), h);
      }
      return concat(inner === null ? [first, last] : [first, inner, last], axis);
    }
    if (st.ndim !== 1 || st.size !== n) {
      throw new ShapeError(
        `${op}: coordinates along axis ${axis} must be 1-d with ${n} entries; got shape ${fmtShape(st.shape)}`,
      );
    }
    const x = toFloatTensor(st);
    const dx = diff(x);
    const d = (k: number) => slice(dx, [k < 0 ? n - 1 + k : k], [1]);
    const parts: Tensor[] = [];
    if (edge === 1) parts.push(div(sub(at(1), at(0)), d(0)));
    else {
      const [h1, h2] = [d(0), d(1)];
      const a = neg(div(add(mul(h1, 2), h2), mul(h1, add(h1, h2))));
      const b = div(add(h1, h2), mul(h1, h2));
      const c = neg(div(h1, mul(h2, add(h1, h2))));
      parts.push(add(add(mul(at(0), a), mul(at(1), b)), mul(at(2), c)));
    }
    if (n > 2) {
      const h1 = along(slice(dx, [0], [n - 2]));
      const h2 = along(slice(dx, [1], [n - 2]));
      const a = neg(div(h2, mul(h1, add(h1, h2))));
      const b = div(sub(h2, h1), mul(h1, h2));
      const c = div(h1, mul(h2, add(h1, h2)));
      parts.push(
        add(
          add(mul(sliceAxis(t, axis, 0, n - 2), a), mul(sliceAxis(t, axis, 1, n - 1), b)),
          mul(sliceAxis(t, axis, 2, n), c),
        ),
      );
    }
    if (edge === 1) parts.push(div(sub(at(-1), at(-2)), d(-1)));
    else {
      const [h1, h2] = [d(-2), d(-1)];
      const a = div(h2, mul(h1, add(h1, h2)));
      const b = neg(div(add(h2, h1), mul(h1, h2)));
      const c = div(add(mul(h2, 2), h1), mul(h2, add(h1, h2)));
      parts.push(add(add(mul(at(-3), a), mul(at(-2), b)), mul(at(-1), c)));
    }
    return concat(parts, axis);
  });
  return single || outs.length === 1 ? outs[0]! : outs;
}
