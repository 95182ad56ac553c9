/**
 * @file Timing a benchmark case: a few warm-up runs, then timed runs until the total reaches a
 * target (at least `minRuns`), with a per-case time budget so that a slow case still finishes.
 */

import { performance } from "node:perf_hooks";

export interface TimingOptions {
  /** Untimed runs first (JIT warm-up, caches). Default 3. */
  warmup?: number;
  /** Fewest timed runs, unless the budget runs out first. Default 5. */
  minRuns?: number;
  /** Keep timing until the timed runs add up to this. Default 2000 ms. */
  targetMs?: number;
  /** Most timed runs, however fast the case. Default 10000. */
  maxRuns?: number;
  /**
   * Wall-clock budget for the whole case, warm-up included. A run that would start past the
   * budget is not started (but at least one warm-up and one timed run always happen). Default 20 s.
   */
  budgetMs?: number;
}

export interface Timing {
  median_ms: number;
  min_ms: number;
  runs: number;
  /** True when the budget stopped the case before `minRuns` timed runs or the full warm-up. */
  capped: boolean;
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Times `run` (sync, or async for peers whose read-out is a promise). */
export async function measure(
  run: () => void | Promise<void>,
  options: TimingOptions = {},
): Promise<Timing> {
  const warmup = options.warmup ?? 3;
  const minRuns = options.minRuns ?? 5;
  const targetMs = options.targetMs ?? 2000;
  const maxRuns = options.maxRuns ?? 10_000;
  const budgetMs = options.budgetMs ?? 20_000;

  const start = performance.now();
  let capped = false;
  let last = 0; // duration of the latest run, to predict whether the next one fits the budget
  const fits = (): boolean => performance.now() - start + last <= budgetMs;

  for (let i = 0; i < warmup; i++) {
    if (i > 0 && !fits()) {
      capped = true;
      break;
    }
    const t0 = performance.now();
    const r = run();
    if (r instanceof Promise) await r;
    last = performance.now() - t0;
  }

  const samples: number[] = [];
  let total = 0;
  while (samples.length < maxRuns && (samples.length < minRuns || total < targetMs)) {
    if (samples.length > 0 && !fits()) {
      capped = capped || samples.length < minRuns;
      break;
    }
    const t0 = performance.now();
    const r = run();
    if (r instanceof Promise) await r;
    last = performance.now() - t0;
    samples.push(last);
    total += last;
  }
  return { median_ms: median(samples), min_ms: Math.min(...samples), runs: samples.length, capped };
}
