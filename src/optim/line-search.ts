/**
 * @file A line search for the strong Wolfe conditions (Nocedal & Wright, Numerical Optimization,
 * 2nd ed., algorithms 3.5 and 3.6): grow the step until it brackets an acceptable one, then
 * shrink the bracket by safeguarded cubic interpolation. Quasi-Newton updates need the curvature
 * condition (it keeps sᵀy > 0), which a backtracking search alone does not give.
 *
 * A trial point where f or its gradient is not finite (a step into a region where the loss is NaN
 * or infinite) is treated as a step too long: the bracket is cut toward the last good step. Only
 * when no acceptable step is found within the budget does the search report failure, and the
 * method stops with a message naming the iteration.
 */

import type { Objective } from "./objective.js";
import { addScaled, allFinite, dot } from "./vec.js";

/** A point along the search direction: step length, position, value, gradient, slope g·d. */
export interface LinePoint {
  readonly alpha: number;
  readonly x: Float64Array;
  readonly f: number;
  readonly g: Float64Array;
  readonly slope: number;
}

/**
 * The search's outcome: "wolfe" when both strong Wolfe conditions hold; "decrease" when the budget
 * ran out with a step that decreases f sufficiently (the curvature condition unmet); "failed"
 * when no step decreased f (then `point` is null). `sawNonFinite` tells whether some trial step
 * gave a non-finite value or gradient.
 */
export interface LineSearchResult {
  readonly point: LinePoint | null;
  readonly status: "wolfe" | "decrease" | "failed";
  readonly sawNonFinite: boolean;
}

/** Constants of the search: sufficient decrease c1, curvature c2, evaluations allowed. */
export interface LineSearchOptions {
  readonly c1: number;
  readonly c2: number;
  readonly maxEvaluations: number;
  /** The longest step tried (default 1e10); bounded problems stop the search at the first bound. */
  readonly maxStep?: number;
  /**
   * Applied in place to every trial point (bounded problems clip it to the box, so that rounding
   * in x + αd never leaves it).
   */
  readonly project?: (x: Float64Array) => void;
}

/** The largest step ever tried while growing the bracket. */
const MAX_STEP = 1e10;

/**
 * Searches along the descent direction `d` from `start` (whose slope must be negative) for a step
 * satisfying the strong Wolfe conditions, trying `alpha1` first.
 */
export function strongWolfe(
  objective: Objective,
  start: LinePoint,
  d: Float64Array,
  alpha1: number,
  options: LineSearchOptions,
): LineSearchResult {
  const { c1, c2, maxEvaluations, project } = options;
  const maxStep = Math.min(options.maxStep ?? MAX_STEP, MAX_STEP);
  const f0 = start.f;
  const slope0 = start.slope;
  let evaluations = 0;
  let sawNonFinite = false;

  const at = (alpha: number): LinePoint => {
    evaluations++;
    const x = addScaled(start.x, alpha, d);
    project?.(x);
    const { f, g } = objective.evaluate(x);
    const finite = Number.isFinite(f) && allFinite(g);
    if (!finite) sawNonFinite = true;
    return { alpha, x, f: finite ? f : Number.NaN, g, slope: finite ? dot(g, d) : Number.NaN };
  };
  const sufficient = (p: LinePoint): boolean => p.f <= f0 + c1 * p.alpha * slope0;
  const curvature = (p: LinePoint): boolean => Math.abs(p.slope) <= -c2 * slope0;
  const done = (point: LinePoint | null, status: LineSearchResult["status"]): LineSearchResult => ({
    point,
    status,
    sawNonFinite,
  });

  // Phase 2 (N&W algorithm 3.6): lo satisfies sufficient decrease with the lowest value so far,
  // and the slope at lo points toward hi, so an acceptable step lies between them.
  const zoom = (lo: LinePoint, hi: LinePoint): LineSearchResult => {
    for (;;) {
      const left = Math.min(lo.alpha, hi.alpha);
      const right = Math.max(lo.alpha, hi.alpha);
      const width = right - left;
      if (evaluations >= maxEvaluations || width <= 1e-16 * Math.max(1, right)) {
        return lo.alpha > 0 ? done(lo, "decrease") : done(null, "failed");
      }
      let alpha = Number.NaN;
      if (Number.isFinite(hi.f)) {
        alpha = Number.isFinite(hi.slope) ? cubicMinimizer(lo, hi) : Number.NaN;
        if (!Number.isFinite(alpha)) alpha = quadraticMinimizer(lo, hi);
      }
      // A non-finite hi end gives no model to interpolate: bisect.
      if (!Number.isFinite(alpha)) alpha = left + 0.5 * width;
      // Keep the trial away from the ends so that the bracket shrinks by at least 10% a step.
      alpha = Math.min(Math.max(alpha, left + 0.1 * width), right - 0.1 * width);
      const p = at(alpha);
      if (!Number.isFinite(p.f) || !sufficient(p) || p.f >= lo.f) {
        hi = p;
      } else {
        if (curvature(p)) return done(p, "wolfe");
        if (p.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = p;
      }
    }
  };

  // Phase 1 (N&W algorithm 3.5): grow the step until it satisfies both conditions or brackets
  // an acceptable one.
  let prev = start;
  let alpha = Math.min(alpha1, maxStep);
  for (;;) {
    const p = at(alpha);
    if (!Number.isFinite(p.f) || !sufficient(p) || (prev !== start && p.f >= prev.f)) {
      return zoom(prev, p);
    }
    if (curvature(p)) return done(p, "wolfe");
    if (p.slope >= 0) return zoom(p, prev);
    if (evaluations >= maxEvaluations || alpha >= maxStep) return done(p, "decrease");
    // Still descending: extrapolate, between doubling and five times the step from prev.
    const delta = p.alpha - prev.alpha;
    let next = cubicMinimizer(prev, p);
    if (!Number.isFinite(next)) next = p.alpha + 4 * delta;
    next = Math.min(Math.max(next, p.alpha + delta), p.alpha + 4 * delta, maxStep);
    prev = p;
    alpha = next;
  }
}

/**
 * The minimiser of the cubic that matches value and slope at a and b (N&W equation 3.59), or NaN
 * when that cubic has no minimiser.
 */
export function cubicMinimizer(a: LinePoint, b: LinePoint): number {
  const d1 = a.slope + b.slope - (3 * (a.f - b.f)) / (a.alpha - b.alpha);
  const radicand = d1 * d1 - a.slope * b.slope;
  if (!(radicand >= 0)) return Number.NaN;
  const d2 = Math.sign(b.alpha - a.alpha) * Math.sqrt(radicand);
  const denominator = b.slope - a.slope + 2 * d2;
  if (denominator === 0) return Number.NaN;
  return b.alpha - ((b.alpha - a.alpha) * (b.slope + d2 - d1)) / denominator;
}

/** The minimiser of the parabola through a's value and slope and b's value, or NaN. */
function quadraticMinimizer(a: LinePoint, b: LinePoint): number {
  const h = b.alpha - a.alpha;
  const curvature = b.f - a.f - a.slope * h;
  if (!(curvature > 0)) return Number.NaN;
  return a.alpha - (a.slope * h * h) / (2 * curvature);
}
