/**
 * @file BFGS with a dense inverse-Hessian approximation (Nocedal & Wright, algorithm 6.1): O(n²)
 * memory and work per step, for problems of up to a few thousand unknowns. The first
 * approximation is the identity scaled by sᵀy / yᵀy of the first step (N&W equation 6.20), so
 * that the second step is already of the right length.
 */

import { lineSearchFailure } from "./lbfgs.js";
import { type LineSearchOptions, strongWolfe } from "./line-search.js";
import type { Objective } from "./objective.js";
import type { Iterate, Run } from "./run.js";
import { dot, negate, norm2, sub } from "./vec.js";

/** Minimises from `start` by BFGS; returns the last accepted iterate. */
export function bfgs(
  objective: Objective,
  run: Run,
  start: Iterate,
  searchOptions: LineSearchOptions,
): Iterate {
  const n = objective.n;
  let it = start;
  // The inverse Hessian approximation, row-major; null stands for the identity.
  let h: Float64Array | null = null;
  for (;;) {
    let d = h === null ? negate(it.g) : matVec(h, it.g, -1);
    let slope = dot(it.g, d);
    if (!(slope < 0)) {
      h = null;
      d = negate(it.g);
      slope = -dot(it.g, it.g);
    }
    const alpha1 = h === null ? Math.min(1, 1 / norm2(it.g)) : 1;
    const search = strongWolfe(objective, { alpha: 0, ...it, slope }, d, alpha1, searchOptions);
    if (search.point === null) {
      if (h !== null) {
        h = null;
        continue;
      }
      run.fail(lineSearchFailure(search.sawNonFinite));
      return it;
    }
    const next = search.point;
    const s = sub(next.x, it.x);
    const y = sub(next.g, it.g);
    const sy = dot(s, y);
    const yy = dot(y, y);
    if (sy > Number.EPSILON * yy) {
      if (h === null) {
        h = new Float64Array(n * n);
        const gamma = sy / yy;
        for (let i = 0; i < n; i++) h[i * n + i] = gamma;
      }
      update(h, s, y, 1 / sy);
    }
    const fPrev = it.f;
    it = { x: next.x, f: next.f, g: next.g };
    if (run.accept(it, fPrev, true)) return it;
  }
}

/** scale · H v. */
function matVec(h: Float64Array, v: Float64Array, scale: number): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) acc += h[row + j]! * v[j]!;
    out[i] = scale * acc;
  }
  return out;
}

/**
 * The BFGS update of the inverse Hessian in place, H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ, expanded
 * (H symmetric) to H − ρ(Hy sᵀ + s (Hy)ᵀ) + (ρ² yᵀHy + ρ) ssᵀ so that it costs O(n²).
 */
function update(h: Float64Array, s: Float64Array, y: Float64Array, rho: number): void {
  const n = s.length;
  const hy = matVec(h, y, 1);
  const c = rho * rho * dot(y, hy) + rho;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const si = s[i]!;
    const hyi = hy[i]!;
    for (let j = 0; j < n; j++) {
      h[row + j]! += c * si * s[j]! - rho * (hyi * s[j]! + si * hy[j]!);
    }
  }
}
