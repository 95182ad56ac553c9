/**
 * @file L-BFGS (Nocedal & Wright, algorithm 7.5): the inverse Hessian is never formed; the last
 * `memory` step and gradient-change pairs (s, y) apply it to the gradient by the two-loop
 * recursion, scaled by sᵀy / yᵀy of the newest pair. Steps come from the strong Wolfe line
 * search, which keeps sᵀy > 0; a pair with too little curvature is skipped rather than let it
 * spoil the approximation.
 */

import { type LineSearchOptions, strongWolfe } from "./line-search.js";
import type { Objective } from "./objective.js";
import type { Iterate, Run } from "./run.js";
import { dot, negate, norm2, sub } from "./vec.js";

/**
 * Minimises from `start` by L-BFGS with `memory` pairs and the given line-search constants;
 * returns the last accepted iterate.
 */
export function lbfgs(
  objective: Objective,
  run: Run,
  start: Iterate,
  memory: number,
  searchOptions: LineSearchOptions,
): Iterate {
  let it = start;
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const alphas = new Float64Array(memory);
  for (;;) {
    let d = twoLoop(it.g, ss, ys, rhos, alphas);
    let slope = dot(it.g, d);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in a nearly singular update): start the memory afresh.
      ss.length = ys.length = rhos.length = 0;
      d = negate(it.g);
      slope = -dot(it.g, it.g);
    }
    // Without curvature information a unit step has no scale; 1/||g|| moves a distance of one.
    const alpha1 = ss.length === 0 ? Math.min(1, 1 / norm2(it.g)) : 1;
    const search = strongWolfe(objective, { alpha: 0, ...it, slope }, d, alpha1, searchOptions);
    if (search.point === null) {
      if (ss.length > 0) {
        // The quasi-Newton direction failed; try once more along the steepest descent.
        ss.length = ys.length = rhos.length = 0;
        continue;
      }
      run.fail(lineSearchFailure(search.sawNonFinite));
      return it;
    }
    const next = search.point;
    const s = sub(next.x, it.x);
    const y = sub(next.g, it.g);
    storePair(ss, ys, rhos, memory, s, y);
    const fPrev = it.f;
    it = { x: next.x, f: next.f, g: next.g };
    if (run.accept(it, fPrev, true)) return it;
  }
}

/**
 * Keeps the pair (s, y) of a step and its gradient change, dropping the oldest beyond `memory`;
 * a pair without positive curvature (sᵀy not above eps yᵀy) is skipped, as it would make the
 * inverse Hessian indefinite.
 */
export function storePair(
  ss: Float64Array[],
  ys: Float64Array[],
  rhos: number[],
  memory: number,
  s: Float64Array,
  y: Float64Array,
): void {
  const sy = dot(s, y);
  if (!(sy > Number.EPSILON * dot(y, y))) return;
  if (ss.length === memory) {
    ss.shift();
    ys.shift();
    rhos.shift();
  }
  ss.push(s);
  ys.push(y);
  rhos.push(1 / sy);
}

/** -H·g for the L-BFGS inverse Hessian H of the stored pairs (N&W algorithm 7.4). */
export function twoLoop(
  g: Float64Array,
  ss: readonly Float64Array[],
  ys: readonly Float64Array[],
  rhos: readonly number[],
  alphas: Float64Array,
): Float64Array {
  const q = Float64Array.from(g);
  const n = q.length;
  const k = ss.length;
  for (let i = k - 1; i >= 0; i--) {
    const s = ss[i]!;
    const y = ys[i]!;
    const a = rhos[i]! * dot(s, q);
    alphas[i] = a;
    for (let j = 0; j < n; j++) q[j]! -= a * y[j]!;
  }
  if (k > 0) {
    const y = ys[k - 1]!;
    const gamma = 1 / (rhos[k - 1]! * dot(y, y));
    for (let j = 0; j < n; j++) q[j]! *= gamma;
  }
  for (let i = 0; i < k; i++) {
    const s = ss[i]!;
    const y = ys[i]!;
    const b = rhos[i]! * dot(y, q);
    const c = alphas[i]! - b;
    for (let j = 0; j < n; j++) q[j]! += c * s[j]!;
  }
  for (let j = 0; j < n; j++) q[j] = -q[j]!;
  return q;
}

/** The failure message of a line search that found no acceptable step. */
export function lineSearchFailure(sawNonFinite: boolean): string {
  return sawNonFinite
    ? "the line search found no step with a finite, lower loss (the loss or gradient is NaN or infinite along the search direction)"
    : "the line search found no step that lowers the loss (the loss is flat to machine precision, or its gradient is inaccurate)";
}
