/**
 * @file Newton's method with a line search, the Newton system H p = -g solved by conjugate
 * gradients (Nocedal & Wright, algorithm 7.1, "line search Newton-CG"). CG needs only products
 * H·v, which come either from the dense Hessian (ad.hessian once per point: for small problems,
 * solved to full accuracy so that convergence is quadratic) or from one Hessian-vector product
 * each (ad.hvp, forward over reverse, never forming H: for large problems, where CG is truncated
 * once the residual is below min(0.5, √||g||)·||g||, so that early steps are cheap and the
 * convergence is still superlinear). Where H is not positive definite CG stops at the first
 * direction of non-positive curvature and returns the step built so far (or -g), which is a
 * descent direction, and the strong Wolfe line search chooses its length.
 */

import { lineSearchFailure } from "./lbfgs.js";
import { type LineSearchOptions, strongWolfe } from "./line-search.js";
import type { Objective } from "./objective.js";
import type { Iterate, Run } from "./run.js";
import { allFinite, dot, norm2 } from "./vec.js";

/** How H·v is computed: from the dense Hessian or by Hessian-vector products. */
export type HessianMode = "exact" | "hvp";

/** Relative residual at which CG stops on the dense Hessian (a full Newton step). */
const EXACT_RESIDUAL = 1e-10;

/** Minimises from `start` by line search Newton-CG; returns the last accepted iterate. */
export function newton(
  objective: Objective,
  run: Run,
  start: Iterate,
  mode: HessianMode,
  searchOptions: LineSearchOptions,
): Iterate {
  let it = start;
  for (;;) {
    const x = it.x;
    let times: (v: Float64Array) => Float64Array;
    let tolerance: number;
    const gnorm = norm2(it.g);
    if (mode === "exact") {
      const h = objective.hessianMatrix(x);
      if (!allFinite(h)) {
        run.fail("the Hessian has a non-finite entry");
        return it;
      }
      times = (v) => denseTimes(h, v);
      tolerance = EXACT_RESIDUAL * gnorm;
    } else {
      times = (v) => objective.hessianVector(x, v);
      tolerance = Math.min(0.5, Math.sqrt(gnorm)) * gnorm;
    }
    const d = conjugateGradient(it.g, times, tolerance);
    if (d === null) {
      run.fail("a Hessian-vector product has a non-finite entry");
      return it;
    }
    const search = strongWolfe(
      objective,
      { alpha: 0, ...it, slope: dot(it.g, d) },
      d,
      1,
      searchOptions,
    );
    if (search.point === null) {
      run.fail(lineSearchFailure(search.sawNonFinite));
      return it;
    }
    const fPrev = it.f;
    it = { x: search.point.x, f: search.point.f, g: search.point.g };
    if (run.accept(it, fPrev, true)) return it;
  }
}

/** H·v for a dense row-major H. */
function denseTimes(h: Float64Array, v: Float64Array): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) acc += h[row + j]! * v[j]!;
    out[i] = acc;
  }
  return out;
}

/**
 * An approximate solution of H p = -g by conjugate gradients from p = 0, stopped when the
 * residual is below `tolerance` or after n steps. At a direction d with dᵀHd <= 0 it stops and
 * returns the p built so far, or -g if that is still zero: each CG iterate is a descent
 * direction, so the line search can always use the result. Null when a product is not finite.
 */
function conjugateGradient(
  g: Float64Array,
  times: (v: Float64Array) => Float64Array,
  tolerance: number,
): Float64Array | null {
  const n = g.length;
  const p = new Float64Array(n);
  const r = Float64Array.from(g);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = -g[i]!;
  let rr = dot(r, r);
  for (let j = 0; j < n; j++) {
    const hd = times(d);
    if (!allFinite(hd)) return null;
    const curvature = dot(d, hd);
    if (curvature <= 0) return j === 0 ? d : p;
    const alpha = rr / curvature;
    for (let i = 0; i < n; i++) {
      p[i]! += alpha * d[i]!;
      r[i]! += alpha * hd[i]!;
    }
    const rrNext = dot(r, r);
    if (Math.sqrt(rrNext) <= tolerance) break;
    const beta = rrNext / rr;
    rr = rrNext;
    for (let i = 0; i < n; i++) d[i] = -r[i]! + beta * d[i]!;
  }
  return p;
}
