/**
 * @file The `ad.optim` namespace: optimizers (sgd, adam, adamw, rmsprop, adagrad, lion),
 * learning-rate schedules and chainable gradient transforms, all pure functions over pytrees.
 */

import { adagrad } from "./adagrad.js";
import { adam, adamw } from "./adam.js";
import { chain } from "./chain.js";
import { lion } from "./lion.js";
import { minimize } from "./minimize.js";
import { rmsprop } from "./rmsprop.js";
import {
  constant,
  cosineDecay,
  exponentialDecay,
  piecewiseConstant,
  warmupCosineDecay,
} from "./schedules.js";
import { sgd } from "./sgd.js";
import { addDecayedWeights, clipByGlobalNorm, clipByValue } from "./transforms.js";

export type { AdagradOptions } from "./adagrad.js";
export type { AdamOptions } from "./adam.js";
export type { LionOptions } from "./lion.js";
export type {
  BoundTree,
  MinimizeBound,
  MinimizeIteration,
  MinimizeMethod,
  MinimizeOptions,
  MinimizeResult,
} from "./minimize.js";
export type { RmspropOptions } from "./rmsprop.js";
export type {
  CosineDecayOptions,
  ExponentialDecayOptions,
  PiecewiseConstantOptions,
  WarmupCosineDecayOptions,
} from "./schedules.js";
export type { SgdOptions } from "./sgd.js";
export type { AddDecayedWeightsOptions } from "./transforms.js";
export type {
  GradientTransform,
  LearningRate,
  Optimizer,
  OptimizerState,
  OptimizerStep,
  Schedule,
} from "./types.js";

/**
 * The optimizers namespace, `ad.optim`: `sgd`, `adam`, `adamw`, `rmsprop`, `adagrad` and `lion`
 * (each `{ init(params) -> state, step(params, grads, state) -> { params, state } }` over any
 * pytree of float tensors, with PyTorch's algorithms and defaults); learning-rate schedules
 * (`constant`, `exponentialDecay`, `cosineDecay`, `warmupCosineDecay`, `piecewiseConstant`),
 * usable wherever an `lr` is; and gradient transforms (`clipByGlobalNorm`, `clipByValue`,
 * `addDecayedWeights`) that `chain(...transforms, optimizer)` runs before an optimizer; and
 * `minimize(f, x0, { method })` for full-batch problems (L-BFGS, BFGS, Newton-CG, gd, adam). Everything
 * is pure: states are plain trees of tensors and a step count, returned new at each step.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // Fit y = 2x + 1 with Adam, a warm-up/cosine schedule and gradient clipping.
 * const x = ad.tensor([0, 1, 2, 3], { dtype: "float64" });
 * const y = ad.tensor([1, 3, 5, 7], { dtype: "float64" });
 * const loss = (p: { w: ad.Tensor; b: ad.Tensor }) =>
 *   ad.mean(ad.square(ad.sub(ad.add(ad.mul(x, p.w), p.b), y)));
 * const opt = ad.optim.chain(
 *   ad.optim.clipByGlobalNorm(10),
 *   ad.optim.adam({ lr: ad.optim.warmupCosineDecay({ peak: 0.2, warmupSteps: 20, decaySteps: 500 }) }),
 * );
 * let params = { w: ad.scalar(0, "float64"), b: ad.scalar(0, "float64") };
 * let state = opt.init(params);
 * for (let i = 0; i < 500; i++) {
 *   ({ params, state } = opt.step(params, ad.grad(loss)(params), state));
 * }
 * [params.w.item(), params.b.item()]; // => [2.000, 1.000]
 * ```
 * @category Neural-net ops
 * @namespace
 */
export const optim = {
  sgd,
  adam,
  adamw,
  rmsprop,
  adagrad,
  lion,
  constant,
  exponentialDecay,
  cosineDecay,
  warmupCosineDecay,
  piecewiseConstant,
  clipByGlobalNorm,
  clipByValue,
  addDecayedWeights,
  chain,
  minimize,
};
