/**
 * @file Logic and set tests in NumPy's vocabulary: all, any, countNonzero, logicalXor, isinf,
 * isposinf, isneginf, isclose, allclose, arrayEqual, arrayEquiv, isin and select. All are
 * composites of comparisons, casts, sums and selects; their results are bool or int32 (no
 * derivative), except select, which is differentiable in its choices.
 */

import { scalar, toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { broadcastsTo, normalizeAxes, shapesEqual } from "../core/shape.js";
import type { ReduceOptions, Tensor, TensorLike } from "../core/tensor.js";
import {
  abs,
  add,
  astype,
  equal,
  greater,
  isFinite as isFiniteOp,
  isNaN as isNaNOp,
  less,
  lessEqual,
  logicalAnd,
  logicalNot,
  logicalOr,
  mul,
  notEqual,
  sub,
  where,
} from "./elementwise.js";
import { promoteArgs } from "./promote.js";
import { sum } from "./reduce.js";
import { broadcastTo, reshape } from "./shape.js";

/** The number of true entries of a bool tensor over the options' axes (int32). */
function countTrue(op: string, b: Tensor, options: ReduceOptions | undefined): Tensor {
  options = checkOptions(op, options, ["axis", "keepdims"]);
  // Validates the axes with this op's name before sum sees them.
  normalizeAxes(op, options?.axis, b.ndim);
  return sum(astype(b, "int32"), options);
}

/**
 * Whether every element is truthy (non-zero; NaN counts as true) over `axis` (default: all
 * axes), as bool. An empty reduction is true.
 * @param x - The values to test.
 * @param options - `axis` (default: all axes) and `keepdims`.
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.all(ad.tensor([[1, 0], [2, 3]])); // => tensor(false, dtype=bool)
 * ad.all(ad.tensor([[1, 0], [2, 3]]), { axis: 1 }); // => tensor([false, true], dtype=bool)
 * ```
 * @category Comparison
 */
export function all(x: TensorLike, options?: ReduceOptions): Tensor {
  return equal(countTrue("all", logicalNot(astype(x, "bool")), options), 0);
}

/**
 * Whether any element is truthy (non-zero; NaN counts as true) over `axis` (default: all axes),
 * as bool. An empty reduction is false.
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.any(ad.tensor([[0, 0], [2, 0]]), { axis: 1 }); // => tensor([false, true], dtype=bool)
 * ad.any([false, true]); // => tensor(true, dtype=bool)
 * ```
 * @category Comparison
 */
export function any(x: TensorLike, options?: ReduceOptions): Tensor {
  return greater(countTrue("any", astype(x, "bool"), options), 0);
}

/**
 * The number of non-zero elements over `axis` (default: all axes), as int32; NaN counts as
 * non-zero (as NumPy).
 * @throws {@link ValueError} when an axis is out of range or repeated.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.countNonzero(ad.tensor([[0, 1, 2], [0, 0, 3]])); // => tensor(3, dtype=int32)
 * ad.countNonzero(ad.tensor([[0, 1, 2], [0, 0, 3]]), { axis: 1 }); // => tensor([2, 1], dtype=int32)
 * ```
 * @category Reductions
 */
export function countNonzero(x: TensorLike, options?: ReduceOptions): Tensor {
  return countTrue("countNonzero", astype(x, "bool"), options);
}

/**
 * Elementwise exclusive or of the truth values of x and y (non-zero is true), as bool; x and y
 * broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logicalXor([true, true, false], [true, false, false]); // => tensor([false, true, false], dtype=bool)
 * ad.logicalXor([0, 2], 1); // => tensor([true, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function logicalXor(x: TensorLike, y: TensorLike): Tensor {
  return notEqual(astype(x, "bool"), astype(y, "bool"));
}

/**
 * Elementwise test for +Infinity or -Infinity, as bool (false for int32 and bool inputs).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.isinf([1, Infinity, -Infinity, NaN]); // => tensor([false, true, true, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function isinf(x: TensorLike): Tensor {
  const t = toTensor(x);
  return logicalNot(logicalOr(isFiniteOp(t), isNaNOp(t)));
}

/**
 * Elementwise test for +Infinity, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.isposinf([1, Infinity, -Infinity]); // => tensor([false, true, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function isposinf(x: TensorLike): Tensor {
  const t = toTensor(x);
  return logicalAnd(isinf(t), greater(t, 0));
}

/**
 * Elementwise test for -Infinity, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.isneginf([1, Infinity, -Infinity]); // => tensor([false, false, true], dtype=bool)
 * ```
 * @category Comparison
 */
export function isneginf(x: TensorLike): Tensor {
  const t = toTensor(x);
  return logicalAnd(isinf(t), less(t, 0));
}

/**
 * Options of isclose, allclose and arrayEqual.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.isclose([1, NaN], [1.1, NaN], { rtol: 0.2, equalNan: true }); // => tensor([true, true], dtype=bool)
 * ```
 * @category Comparison
 */
export interface IsCloseOptions {
  /** Relative tolerance, times |b| (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN equals NaN (default false). */
  equalNan?: boolean;
}

function tolerance(op: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !(v >= 0)) {
    throw new ValueError(`${op}: ${name} must be a non-negative number; got ${describeValue(v)}`);
  }
  return v;
}

function iscloseOf(op: string, a: TensorLike, b: TensorLike, options?: IsCloseOptions): Tensor {
  options = checkOptions(op, options, ["rtol", "atol", "equalNan"]);
  const rtol = tolerance(op, "rtol", options?.rtol, 1e-5);
  const atol = tolerance(op, "atol", options?.atol, 1e-8);
  const [x, y] = promoteArgs([a, b]) as [Tensor, Tensor];
  // |a - b| <= atol + rtol |b| where both are finite; infinities must be equal exactly.
  const finite = logicalAnd(isFiniteOp(x), isFiniteOp(y));
  const close = lessEqual(abs(sub(x, y)), add(atol, mul(rtol, abs(y))));
  let out = where(finite, close, equal(x, y));
  if (options?.equalNan === true) out = logicalOr(out, logicalAnd(isNaNOp(x), isNaNOp(y)));
  return out;
}

/**
 * Elementwise |a - b| <= atol + rtol * |b|, as bool (a and b broadcast); infinities are close
 * only to the same infinity, and NaN to nothing unless `equalNan`. Not symmetric in a and b,
 * as NumPy.
 * @param options - `rtol` (default 1e-5), `atol` (default 1e-8), `equalNan` (default false).
 * @throws {@link ValueError} when a tolerance is negative or not a number.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.isclose([1, 1e-9, Infinity], [1.000001, 0, Infinity]); // => tensor([true, true, true], dtype=bool)
 * ad.isclose([1, NaN], [1.1, NaN]); // => tensor([false, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function isclose(a: TensorLike, b: TensorLike, options?: IsCloseOptions): Tensor {
  return iscloseOf("isclose", a, b, options);
}

/**
 * Whether every element pair is close ({@link isclose}), as a bool scalar tensor (as JAX; read
 * it with `.item()`, 1 or 0, since a tensor is always truthy in an `if`).
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.allclose([1, 2], [1, 2.000001]); // => tensor(true, dtype=bool)
 * ad.allclose([1, 2], [1, 2.1]).item(); // => 0
 * ```
 * @category Comparison
 */
export function allclose(a: TensorLike, b: TensorLike, options?: IsCloseOptions): Tensor {
  return all(iscloseOf("allclose", a, b, options));
}

/**
 * Whether a and b have the same shape and equal elements, as a bool scalar tensor; NaN equals
 * NaN only with `equalNan`. Different shapes give false (no error).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.arrayEqual([1, 2], [1, 2]); // => tensor(true, dtype=bool)
 * ad.arrayEqual([1, 2], [[1, 2]]); // => tensor(false, dtype=bool)
 * ad.arrayEqual([1, NaN], [1, NaN], { equalNan: true }); // => tensor(true, dtype=bool)
 * ```
 * @category Comparison
 */
export function arrayEqual(a: TensorLike, b: TensorLike, options?: { equalNan?: boolean }): Tensor {
  options = checkOptions("arrayEqual", options, ["equalNan"]);
  const [x, y] = [toTensor(a), toTensor(b)];
  if (!shapesEqual(x.shape, y.shape)) return scalar(false);
  let eq = equal(x, y);
  if (options?.equalNan === true) eq = logicalOr(eq, logicalAnd(isNaNOp(x), isNaNOp(y)));
  return all(eq);
}

/**
 * Whether a and b broadcast to each other and are equal elementwise after broadcasting, as a
 * bool scalar tensor; shapes that do not broadcast give false (no error).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.arrayEquiv([1, 2], [[1, 2], [1, 2]]); // => tensor(true, dtype=bool)
 * ad.arrayEquiv([1, 2], [1, 2, 3]); // => tensor(false, dtype=bool)
 * ```
 * @category Comparison
 */
export function arrayEquiv(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = [toTensor(a), toTensor(b)];
  const n = Math.max(x.ndim, y.ndim);
  const pad = (s: readonly number[]) => [...new Array<number>(n - s.length).fill(1), ...s];
  const common = pad(x.shape).map((d, i) => (d === 1 ? pad(y.shape)[i]! : d));
  if (!broadcastsTo(x.shape, common) || !broadcastsTo(y.shape, common)) return scalar(false);
  return all(equal(x, y));
}

/**
 * Elementwise whether each element of `element` occurs in `testElements` (any shape, flattened),
 * as bool of element's shape; `invert` gives the complement. Compares every pair
 * (O(element.size · testElements.size) work).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.isin([[1, 2], [3, 4]], [4, 1]); // => tensor([[true, false], [false, true]], dtype=bool)
 * ad.isin([1, 2], [2], { invert: true }); // => tensor([true, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function isin(
  element: TensorLike,
  testElements: TensorLike,
  options?: { invert?: boolean },
): Tensor {
  options = checkOptions("isin", options, ["invert"]);
  const e = toTensor(element);
  const t = toTensor(testElements);
  // Compare every element with every test element: [...e.shape, 1] against [t.size].
  const hits = equal(reshape(e, [...e.shape, 1]), reshape(t, [t.size]));
  const found = any(hits, { axis: -1 });
  return options?.invert === true ? logicalNot(found) : found;
}

/**
 * For each position, the entry of the first choice whose condition is true there, else
 * `defaultValue` (NumPy's select). Conditions must be bool; conditions, choices and the default
 * broadcast together. Differentiable w.r.t. the choices and the default.
 * @param condlist - Bool conditions, one per choice.
 * @param choicelist - The values to pick from.
 * @param defaultValue - Where no condition holds (default 0).
 * @throws {@link ValueError} when the lists differ in length or are empty.
 * @throws {@link DTypeError} when a condition is not bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([-2, 0, 3]);
 * ad.select([ad.less(x, 0), ad.greater(x, 1)], [ad.neg(x), ad.mul(x, 10)], -1); // => tensor([2., -1., 30.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function select(
  condlist: readonly TensorLike[],
  choicelist: readonly TensorLike[],
  defaultValue: TensorLike = 0,
): Tensor {
  if (!Array.isArray(condlist) || !Array.isArray(choicelist)) {
    throw new ValueError(
      `select: condlist and choicelist must be arrays; got ${describeValue(condlist)} and ${describeValue(choicelist)}`,
    );
  }
  if (condlist.length !== choicelist.length) {
    throw new ValueError(
      `select: condlist and choicelist must have the same length; got ${condlist.length} and ${choicelist.length}`,
    );
  }
  if (condlist.length === 0) throw new ValueError("select: condlist must not be empty");
  const conds = condlist.map((c, i) => {
    const t = toTensor(c);
    if (t.dtype !== "bool") {
      throw new DTypeError(`select: condlist[${i}] must have dtype bool; got ${t.dtype}`);
    }
    return t;
  });
  const promoted = promoteArgs([...choicelist, defaultValue]);
  // The first true condition wins, so apply them from the last to the first.
  let out = promoted[promoted.length - 1]!;
  for (let i = conds.length - 1; i >= 0; i--) out = where(conds[i]!, promoted[i]!, out);
  return out;
}

/**
 * A function defined piecewise (NumPy's piecewise): where `condlist[i]` holds, the value of
 * `funclist[i]` (a function of x, or a constant); one more entry in funclist gives the value
 * where no condition holds (default 0). Where several conditions hold, the last one wins (as
 * NumPy). Each function sees all of x (as in JAX), so a function that is NaN or infinite
 * outside its piece needs the double where of docs/conventions.md to keep gradients finite.
 * Differentiable through the functions' values.
 * @param x - The input.
 * @param condlist - Bool conditions of x's shape (or broadcasting to it).
 * @param funclist - One function or constant per condition, plus optionally the otherwise value.
 * @throws {@link ValueError} when funclist has neither condlist's length nor one more.
 * @throws {@link DTypeError} when a condition is not bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([-2, 0.5, 3]);
 * ad.piecewise(x, [ad.less(x, 0), ad.greater(x, 1)], [(t) => ad.neg(t), 1, (t) => ad.mul(t, 2)]); // => tensor([2., 1., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function piecewise(
  x: TensorLike,
  condlist: readonly TensorLike[],
  funclist: readonly (TensorLike | ((x: Tensor) => TensorLike))[],
): Tensor {
  const op = "piecewise";
  if (!Array.isArray(condlist) || !Array.isArray(funclist)) {
    throw new ValueError(`${op}: condlist and funclist must be arrays`);
  }
  const n = condlist.length;
  if (funclist.length !== n && funclist.length !== n + 1) {
    throw new ValueError(
      `${op}: funclist must have ${n} or ${n + 1} entries (one per condition, then otherwise); got ${funclist.length}`,
    );
  }
  const t = toTensor(x);
  const evaluate = (f: TensorLike | ((x: Tensor) => TensorLike)) =>
    typeof f === "function" ? f(t) : f;
  const conds = condlist.map((c, i) => {
    const b = toTensor(c);
    if (b.dtype !== "bool") {
      throw new DTypeError(`${op}: condlist[${i}] must have dtype bool; got ${b.dtype}`);
    }
    return b;
  });
  const values = funclist.map(evaluate);
  const otherwise = values.length > n ? values[n]! : 0;
  const [, start, ...pieces] = promoteArgs([t, otherwise, ...values.slice(0, n)]);
  // Later conditions win, so they are applied last.
  let out = broadcastTo(start!, t.shape);
  for (let i = 0; i < n; i++) out = where(conds[i]!, pieces[i]!, out);
  return out;
}
