/**
 * @file Learning-rate schedules for `ad.optim` (optax's semantics): functions from the number of
 * steps taken to a learning rate, checked when made so that a bad schedule fails at its
 * definition rather than in the middle of training.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { Tensor } from "../core/tensor.js";
import { booleanOption, numberOption, requiredNumber } from "./checks.js";
import {
  type Scalar,
  sAdd,
  sCos,
  sDiv,
  sFloor,
  sLess,
  sLessEqual,
  sMax,
  sMin,
  sMul,
  sPow,
  sSelect,
  sSub,
} from "./scalar-math.js";
import type { Schedule } from "./types.js";

/**
 * The step a schedule is called with: a number, or a 0-d tensor (the traced step count of a
 * training step under jit, for which the schedule computes with tensor ops: same bits).
 */
function stepArg(op: string, step: unknown): Scalar {
  if (step instanceof Tensor && step.ndim === 0 && step.dtype !== "bool") return step;
  if (typeof step !== "number" || !Number.isFinite(step) || step < 0) {
    throw new ValueError(
      `${op}: the step must be a finite number >= 0 (or a 0-d tensor); got ${describeValue(step)}`,
    );
  }
  return step;
}

/**
 * A schedule from its formula over scalars: called with a number it returns a number; called
 * with a 0-d tensor (a traced step count) it returns a 0-d float64 tensor, computed by the same
 * operations. The public type says numbers, which is what users call it with.
 */
function schedule(op: string, formula: (step: Scalar) => Scalar): Schedule {
  return ((step: number) => formula(stepArg(op, step))) as Schedule;
}

function integerOption(op: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ValueError(
      `${op}: ${name} must be an integer >= ${min}; got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * The schedule that is `value` at every step.
 * @param value - A finite number >= 0.
 * @throws {@link ValueError} when value is not a finite number >= 0.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const s = ad.optim.constant(0.01);
 * [s(0), s(1000)]; // => [0.01, 0.01]
 * ```
 * @category Neural-net ops
 */
export function constant(value: number): Schedule {
  const v = requiredNumber("optim.constant", "value", value, { min: 0 });
  return schedule("optim.constant", () => v);
}

/**
 * The options of `ad.optim.exponentialDecay`.
 * @category Neural-net ops
 */
export interface ExponentialDecayOptions {
  /** The value before the decay begins. */
  init: number;
  /** The factor applied every `transitionSteps` steps (> 0). */
  decayRate: number;
  /** The number of steps over which the value is multiplied by decayRate (an integer >= 1). */
  transitionSteps: number;
  /** Decay in whole periods (floor of the exponent) rather than continuously (default false). */
  staircase?: boolean;
  /** Steps at `init` before the decay starts (default 0). */
  transitionBegin?: number;
  /** A bound: the value never goes below it (decayRate < 1) or above it (decayRate > 1). */
  end?: number;
}

/**
 * Exponential decay (optax's `exponential_decay`): with k = step - transitionBegin, the value is
 * `init` while k <= 0, then `init * decayRate^(k / transitionSteps)` (the exponent floored with
 * staircase), bounded by `end` when given.
 * @throws {@link ValueError} for a missing or out-of-range option, or an unknown one.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const s = ad.optim.exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 10 });
 * [s(0), s(10), s(15), s(20)]; // => [1, 0.5, 0.35355339, 0.25]
 * const stairs = ad.optim.exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 10, staircase: true });
 * stairs(15); // => 0.5
 * ```
 * @category Neural-net ops
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const op = "optim.exponentialDecay";
  const o = checkOptions(op, options, [
    "init",
    "decayRate",
    "transitionSteps",
    "staircase",
    "transitionBegin",
    "end",
  ]);
  const init = requiredNumber(op, "init", o.init, { min: 0 });
  const decayRate = requiredNumber(op, "decayRate", o.decayRate, {
    min: 0,
    minOpen: true,
  });
  const transitionSteps = integerOption(op, "transitionSteps", o.transitionSteps, 1);
  const staircase = booleanOption(op, "staircase", o.staircase, false);
  const begin =
    o.transitionBegin === undefined
      ? 0
      : integerOption(op, "transitionBegin", o.transitionBegin, 0);
  const end = o.end === undefined ? undefined : numberOption(op, "end", o.end, 0, { min: 0 });
  return schedule(op, (step) => {
    const k = sSub(step, begin);
    const e = sDiv(k, transitionSteps);
    const value = sMul(init, sPow(decayRate, staircase ? sFloor(e) : e));
    const bounded = end === undefined ? value : decayRate < 1 ? sMax(value, end) : sMin(value, end);
    return sSelect(sLessEqual(k, 0), init, bounded);
  });
}

/**
 * The options of `ad.optim.cosineDecay`.
 * @category Neural-net ops
 */
export interface CosineDecayOptions {
  /** The value at step 0. */
  init: number;
  /** The number of steps of the decay (an integer >= 1); the value stays at its end after. */
  decaySteps: number;
  /** The final value as a fraction of init (default 0). */
  alpha?: number;
}

/**
 * Cosine decay (optax's `cosine_decay_schedule`, SGDR without restarts): with
 * k = min(step, decaySteps), the value is
 * `init * ((1 - alpha) * 0.5 * (1 + cos(pi * k / decaySteps)) + alpha)`.
 * @throws {@link ValueError} for a missing or out-of-range option, or an unknown one.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const s = ad.optim.cosineDecay({ init: 0.1, decaySteps: 100 });
 * [s(0), s(50), s(100), s(500)]; // => [0.1, 0.05, 0, 0]
 * ```
 * @category Neural-net ops
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const op = "optim.cosineDecay";
  const o = checkOptions(op, options, ["init", "decaySteps", "alpha"]);
  const init = requiredNumber(op, "init", o.init, { min: 0 });
  const decaySteps = integerOption(op, "decaySteps", o.decaySteps, 1);
  const alpha = numberOption(op, "alpha", o.alpha, 0, { min: 0 });
  return schedule(op, (step) => {
    const k = sMin(step, decaySteps);
    const cosine = sMul(0.5, sAdd(1, sCos(sDiv(sMul(Math.PI, k), decaySteps))));
    return sMul(init, sAdd(sMul(1 - alpha, cosine), alpha));
  });
}

/**
 * The options of `ad.optim.warmupCosineDecay`.
 * @category Neural-net ops
 */
export interface WarmupCosineDecayOptions {
  /** The value at the end of the warm-up. */
  peak: number;
  /** The steps of the linear warm-up from `init` to `peak` (an integer >= 0). */
  warmupSteps: number;
  /** The total steps, warm-up included (an integer > warmupSteps). */
  decaySteps: number;
  /** The value at the end (default 0). */
  end?: number;
  /** The value at step 0 (default 0). */
  init?: number;
}

/**
 * Linear warm-up then cosine decay (optax's `warmup_cosine_decay_schedule`): the value rises
 * linearly from `init` at step 0 to `peak` at step warmupSteps, then follows a cosine from
 * `peak` to `end` over the remaining decaySteps - warmupSteps steps, and stays at `end`. In the
 * decay, with k = min(step - warmupSteps, decaySteps - warmupSteps) and alpha = end / peak, the
 * value is `peak * ((1 - alpha) * 0.5 * (1 + cos(pi * k / (decaySteps - warmupSteps))) + alpha)`.
 * @throws {@link ValueError} for a missing or out-of-range option, or an unknown one.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const s = ad.optim.warmupCosineDecay({ peak: 1, warmupSteps: 10, decaySteps: 110, end: 0.1 });
 * [s(0), s(5), s(10), s(60), s(110), s(200)]; // => [0, 0.5, 1, 0.55, 0.1, 0.1]
 * ```
 * @category Neural-net ops
 */
export function warmupCosineDecay(options: WarmupCosineDecayOptions): Schedule {
  const op = "optim.warmupCosineDecay";
  const o = checkOptions(op, options, ["peak", "warmupSteps", "decaySteps", "end", "init"]);
  const peak = requiredNumber(op, "peak", o.peak, { min: 0 });
  const warmupSteps = integerOption(op, "warmupSteps", o.warmupSteps, 0);
  const decaySteps = integerOption(op, "decaySteps", o.decaySteps, warmupSteps + 1);
  const end = numberOption(op, "end", o.end, 0, { min: 0 });
  const init = numberOption(op, "init", o.init, 0, { min: 0 });
  const alpha = peak === 0 ? 0 : end / peak;
  const span = decaySteps - warmupSteps;
  return schedule(op, (s) => {
    // Written from init (optax writes (init - peak) * (1 - s / warmupSteps) + peak), so that
    // step 0 gives init exactly rather than with the rounding of init - peak + peak.
    const warm = (): Scalar => sAdd(init, sMul(peak - init, sDiv(s, warmupSteps)));
    const k = sMin(sSub(s, warmupSteps), span);
    const cosine = sMul(0.5, sAdd(1, sCos(sDiv(sMul(Math.PI, k), span))));
    const decay = sMul(peak, sAdd(sMul(1 - alpha, cosine), alpha));
    const inWarmup = sLess(s, warmupSteps);
    // On numbers only the branch taken is computed (s / 0 when warmupSteps is 0 is not).
    if (typeof inWarmup === "number") return inWarmup !== 0 ? warm() : decay;
    return sSelect(inWarmup, warm(), decay);
  });
}

/**
 * The options of `ad.optim.piecewiseConstant`.
 * @category Neural-net ops
 */
export interface PiecewiseConstantOptions {
  /** Increasing step counts (integers >= 0) at which the value changes. */
  boundaries: readonly number[];
  /** The values: values[0] before boundaries[0], values[i] from boundaries[i - 1] on. */
  values: readonly number[];
}

/**
 * A piecewise-constant schedule: `values[i]` where i is the number of boundaries <= step, so the
 * new value applies from the boundary step itself (as optax's `piecewise_constant_schedule`, with
 * the values given directly instead of as products of scales).
 * @throws {@link ValueError} when values does not have one more entry than boundaries, the
 *   boundaries are not increasing integers >= 0, or a value is not a finite number >= 0.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const s = ad.optim.piecewiseConstant({ boundaries: [100, 200], values: [0.1, 0.01, 0.001] });
 * [s(0), s(99), s(100), s(199), s(200), s(10000)]; // => [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
 * ```
 * @category Neural-net ops
 */
export function piecewiseConstant(options: PiecewiseConstantOptions): Schedule {
  const op = "optim.piecewiseConstant";
  const o = checkOptions(op, options, ["boundaries", "values"]);
  if (!Array.isArray(o.boundaries)) {
    throw new ValueError(
      `${op}: boundaries must be an array of step counts; got ${describeValue(o.boundaries)}`,
    );
  }
  if (!Array.isArray(o.values) || o.values.length !== o.boundaries.length + 1) {
    throw new ValueError(
      `${op}: values must be an array of ${o.boundaries.length + 1} numbers (one more than boundaries); got ${describeValue(o.values)}`,
    );
  }
  const boundaries = o.boundaries.map((b, i) => {
    const previous = i === 0 ? 0 : (o.boundaries as number[])[i - 1]! + 1;
    return integerOption(op, `boundaries[${i}]`, b, previous);
  });
  const values = o.values.map((v, i) => numberOption(op, `values[${i}]`, v, 0, { min: 0 }));
  return schedule(op, (s) => {
    // The value of the last boundary passed (boundaries increase).
    let value: Scalar = values[0]!;
    boundaries.forEach((b, i) => {
      value = sSelect(sLessEqual(b, s), values[i + 1]!, value);
    });
    return value;
  });
}
