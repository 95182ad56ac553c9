/**
 * @file L-BFGS with box constraints l <= x <= u, as a projected active-set method (Bertsekas'
 * projected Newton idea with the L-BFGS inverse Hessian; close to Kim, Sra and Dhillon's
 * projected quasi-Newton): a variable at a bound whose gradient pushes it outward is held fixed,
 * the others move along -H g restricted to them, and the step is cut back to the box.
 *
 * This is not the generalized-Cauchy-point algorithm of L-BFGS-B (Byrd, Lu, Nocedal and Zhu),
 * but it keeps its observable behaviour where it matters: x0 is clipped into the box, the run
 * converges when the projected gradient P(x − g) − x is small (L-BFGS-B's pgtol test), and a
 * problem whose bounds are never reached follows exactly the steps of unbounded L-BFGS, strong Wolfe
 * line search included. When the step reaches a bound before the unit step, the search runs on
 * the interior segment up to the first bound if that is long enough, else it backtracks along
 * the projected path P(x + αd) with the sufficient-decrease test.
 */

import { lineSearchFailure, storePair, twoLoop } from "./lbfgs.js";
import { type LinePoint, type LineSearchOptions, strongWolfe } from "./line-search.js";
import type { Objective } from "./objective.js";
import type { Iterate, Run } from "./run.js";
import { dot, sub } from "./vec.js";

/** Lower and upper bounds per element of the flat x (±Infinity where unbounded). */
export interface Box {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** Distance to a bound within which a variable pushed toward it is held active (at most). */
const ACTIVE_EPS = 1e-3;

/** Clips x into the box in place. */
export function clipToBox(x: Float64Array, box: Box): void {
  const { lower, upper } = box;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < lower[i]!) x[i] = lower[i]!;
    else if (v > upper[i]!) x[i] = upper[i]!;
  }
}

/** The infinity-norm of P(x − g) − x: zero exactly at a point satisfying the KKT conditions. */
export function projectedGradientNorm(it: Iterate, box: Box): number {
  const { lower, upper } = box;
  let m = 0;
  for (let i = 0; i < it.x.length; i++) {
    const x = it.x[i]!;
    const v = Math.abs(Math.min(Math.max(x - it.g[i]!, lower[i]!), upper[i]!) - x);
    if (!(v <= m)) m = v;
  }
  return m;
}

/**
 * Minimises from `start` (already inside the box) by projected L-BFGS with `memory` pairs;
 * returns the last accepted iterate.
 */
export function lbfgsBounded(
  objective: Objective,
  run: Run,
  start: Iterate,
  memory: number,
  searchOptions: LineSearchOptions,
  box: Box,
): Iterate {
  const { lower, upper } = box;
  const n = objective.n;
  let it = start;
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const alphas = new Float64Array(memory);
  const free = new Uint8Array(n);
  const project = (x: Float64Array) => clipToBox(x, box);
  for (;;) {
    // The active set: variables within eps of a bound with the gradient pushing toward it. eps
    // shrinks with the projected gradient (Bertsekas), so that near the solution only variables
    // really at a bound are held; a variable approaching its bound is not left to creep toward
    // it in ever shorter steps, but moved onto it along -g by the projection.
    const eps = Math.min(ACTIVE_EPS, projectedGradientNorm(it, box));
    for (let i = 0; i < n; i++) {
      const x = it.x[i]!;
      const g = it.g[i]!;
      free[i] = (x <= lower[i]! + eps && g > 0) || (x >= upper[i]! - eps && g < 0) ? 0 : 1;
    }
    const gFree = masked(it.g, free);
    // d = -mask(H·mask(g)) on the free variables, -g on the active ones not yet at their bound
    // and 0 on those at it (so that they do not cut every step to length 0): gᵀd =
    // -mask(g)ᵀ H mask(g) - Σ g² over the moving active ones, negative as H is positive definite.
    let d = masked(twoLoop(gFree, ss, ys, rhos, alphas), free);
    for (let i = 0; i < n; i++) {
      const x = it.x[i]!;
      if (free[i] === 0 && x > lower[i]! && x < upper[i]!) d[i] = -it.g[i]!;
    }
    let slope = dot(it.g, d);
    if (!(slope < 0)) {
      ss.length = ys.length = rhos.length = 0;
      d = it.g.map((v) => -v);
      slope = dot(it.g, d);
    }
    const alpha1 = ss.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(gFree, gFree))) : 1;
    // The longest step along d that stays in the box.
    let firstBound = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const di = d[i]!;
      if (di > 0) firstBound = Math.min(firstBound, (upper[i]! - it.x[i]!) / di);
      else if (di < 0) firstBound = Math.min(firstBound, (lower[i]! - it.x[i]!) / di);
    }
    const from: LinePoint = { alpha: 0, ...it, slope };
    let next: LinePoint | null;
    let sawNonFinite = false;
    if (firstBound >= alpha1) {
      const search = strongWolfe(objective, from, d, alpha1, {
        ...searchOptions,
        maxStep: firstBound,
        project,
      });
      next = search.point;
      sawNonFinite = search.sawNonFinite;
    } else {
      const search = projectedBacktracking(objective, from, d, alpha1, searchOptions, project);
      next = search.point;
      sawNonFinite = search.sawNonFinite;
    }
    if (next === null) {
      if (ss.length > 0) {
        ss.length = ys.length = rhos.length = 0;
        continue;
      }
      run.fail(lineSearchFailure(sawNonFinite));
      return it;
    }
    const s = sub(next.x, it.x);
    const y = sub(next.g, it.g);
    // A variable held at its bound did not move: its gradient change says nothing about the
    // curvature along the step, and would only shrink the scaling sᵀy / yᵀy.
    for (let i = 0; i < n; i++) if (free[i] === 0 && s[i] === 0) y[i] = 0;
    storePair(ss, ys, rhos, memory, s, y);
    const fPrev = it.f;
    it = { x: next.x, f: next.f, g: next.g };
    if (run.accept(it, fPrev, true)) return it;
  }
}

/** v with the entries where mask is 0 set to 0, as a new array. */
function masked(v: Float64Array, mask: Uint8Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) if (mask[i] === 1) out[i] = v[i]!;
  return out;
}

/**
 * Backtracking along the projected path P(x + αd) from α = alpha1 until the loss decreases
 * sufficiently, f(xα) <= f + c1·gᵀ(xα − x), shortening α by safeguarded quadratic interpolation
 * (and by half after a non-finite value).
 */
function projectedBacktracking(
  objective: Objective,
  from: LinePoint,
  d: Float64Array,
  alpha1: number,
  options: LineSearchOptions,
  project: (x: Float64Array) => void,
): { point: LinePoint | null; sawNonFinite: boolean } {
  let alpha = alpha1;
  let sawNonFinite = false;
  for (let k = 0; k < options.maxEvaluations; k++) {
    const x = new Float64Array(from.x.length);
    for (let i = 0; i < x.length; i++) x[i] = from.x[i]! + alpha * d[i]!;
    project(x);
    const { f, g } = objective.evaluate(x);
    const change = dot(from.g, sub(x, from.x));
    const finite = Number.isFinite(f) && g.every(Number.isFinite);
    if (!finite) sawNonFinite = true;
    else if (f <= from.f + options.c1 * change) {
      return { point: { alpha, x, f, g, slope: dot(g, d) }, sawNonFinite };
    }
    // The parabola through f(0), its slope along the path and f(α); its minimiser, kept within
    // [0.1α, 0.5α].
    let shorter = 0.5 * alpha;
    if (finite) {
      const slope = change / alpha;
      const curvature = f - from.f - change;
      if (curvature > 0) shorter = (-slope * alpha * alpha) / (2 * curvature);
    }
    alpha = Math.min(Math.max(shorter, 0.1 * alpha), 0.5 * alpha);
  }
  return { point: null, sawNonFinite };
}
