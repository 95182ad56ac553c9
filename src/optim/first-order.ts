/**
 * @file The fixed-step methods of minimize, for comparison with the others: gradient descent and
 * Adam (Kingma & Ba, with bias correction) as plain loops over the flattened x. No line search:
 * every iteration costs one evaluation, and the loss may rise from one step to the next.
 */

import type { Objective } from "./objective.js";
import type { Iterate, Run } from "./run.js";
import { allFinite } from "./vec.js";

/** The last finite iterate: a run stopped by a non-finite loss returns the point before it. */
function lastFinite(it: Iterate, prev: Iterate): Iterate {
  return Number.isFinite(it.f) && allFinite(it.g) ? it : prev;
}

/** Adam's constants. */
export interface AdamSettings {
  readonly lr: number;
  readonly b1: number;
  readonly b2: number;
  readonly eps: number;
}

/** Minimises by x ← x − lr·g; returns the last iterate. */
export function gradientDescent(
  objective: Objective,
  run: Run,
  start: Iterate,
  lr: number,
): Iterate {
  let it = start;
  const n = objective.n;
  for (;;) {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = it.x[i]! - lr * it.g[i]!;
    const prev = it;
    it = { x, ...objective.evaluate(x) };
    if (run.accept(it, prev.f, false)) return lastFinite(it, prev);
  }
}

/** Minimises by Adam's update; returns the last iterate. */
export function adamLoop(
  objective: Objective,
  run: Run,
  start: Iterate,
  settings: AdamSettings,
): Iterate {
  const { lr, b1, b2, eps } = settings;
  const n = objective.n;
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  let it = start;
  for (let t = 1; ; t++) {
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const g = it.g[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      x[i] = it.x[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
    }
    const prev = it;
    it = { x, ...objective.evaluate(x) };
    if (run.accept(it, prev.f, false)) return lastFinite(it, prev);
  }
}
