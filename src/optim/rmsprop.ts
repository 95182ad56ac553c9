/**
 * @file `optim.rmsprop`: RMSprop with optional momentum, centering and L2 weight decay, as
 * torch.optim.RMSprop's algorithm.
 */

import { checkOptions } from "../core/options.js";
import { zerosLike } from "../ops/creation.js";
import { add, div, mul, sqrt, square, sub } from "../ops/elementwise.js";
import { booleanOption, learningRateOption, numberOption } from "./checks.js";
import { leafwiseOptimizer } from "./leafwise.js";
import type { LearningRate, Optimizer } from "./types.js";

/**
 * The options of `ad.optim.rmsprop`.
 * @category Neural-net ops
 */
export interface RmspropOptions {
  /** The learning rate: a positive finite number or a schedule of the step count. */
  lr: LearningRate;
  /** Smoothing constant of the squared-gradient average, in [0, 1) (default 0.99). */
  alpha?: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Divide by an estimate of the gradient's variance instead of its second moment (default false). */
  centered?: boolean;
  /** L2 penalty added to the gradient, g + weightDecay * p (default 0). */
  weightDecay?: number;
}

/**
 * RMSprop (torch.optim.RMSprop's algorithm and defaults). For each parameter leaf p with
 * gradient g and learning rate lr: `g <- g + weightDecay * p` (when weightDecay != 0);
 * `v <- alpha * v + (1 - alpha) * g^2`; centered: `a <- alpha * a + (1 - alpha) * g` and
 * `d = sqrt(v - a^2) + eps`, else `d = sqrt(v) + eps`; with momentum mu > 0,
 * `b <- mu * b + g / d` and `p <- p - lr * b`, else `p <- p - lr * (g / d)`. The operations run
 * in this order, so float64 results equal these formulas computed in plain JavaScript to the last
 * bit. The state holds `step`, `v` (and `gradAvg` when centered, `momentum` with momentum).
 * @param options - `lr` (required), `alpha`, `eps`, `momentum`, `centered`, `weightDecay`.
 * @throws {@link ValueError} for a learning rate that is not a positive finite number or a
 *   function, an option out of range or unknown; at `step`, for grads or state without the
 *   parameters' structure (naming the leaf). {@link DTypeError} for a non-float parameter.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opt = ad.optim.rmsprop({ lr: 0.01 });
 * const params = [ad.tensor([1, 1], { dtype: "float64" })];
 * const grads = [ad.tensor([0.5, -3], { dtype: "float64" })];
 * // The first step moves each entry by about lr / sqrt(1 - alpha) = 0.1 against its gradient.
 * opt.step(params, grads, opt.init(params)).params; // => [tensor([0.9, 1.1], dtype=float64)]
 * ```
 * @category Neural-net ops
 */
export function rmsprop(options: RmspropOptions): Optimizer {
  const op = "optim.rmsprop";
  const o = checkOptions(op, options, [
    "lr",
    "alpha",
    "eps",
    "momentum",
    "centered",
    "weightDecay",
  ]);
  const lr = learningRateOption(op, o.lr);
  const alpha = numberOption(op, "alpha", o.alpha, 0.99, { min: 0, max: 1, maxOpen: true });
  const eps = numberOption(op, "eps", o.eps, 1e-8, { min: 0 });
  const momentum = numberOption(op, "momentum", o.momentum, 0, { min: 0 });
  const centered = booleanOption(op, "centered", o.centered, false);
  const weightDecay = numberOption(op, "weightDecay", o.weightDecay, 0, { min: 0 });
  const slots = ["v"];
  if (centered) slots.push("gradAvg");
  if (momentum > 0) slots.push("momentum");
  return leafwiseOptimizer({
    name: op,
    lr,
    slots,
    initSlot: (_slot, p) => zerosLike(p),
    scalars: (at) => [at.lr],
    update: (p, g0, buffers, [lr]) => {
      const g = weightDecay === 0 ? g0 : add(g0, mul(p, weightDecay));
      const v = add(mul(buffers[0]!, alpha), mul(square(g), 1 - alpha));
      const out = [v];
      let d = sqrt(v);
      if (centered) {
        const a = add(mul(buffers[1]!, alpha), mul(g, 1 - alpha));
        out.push(a);
        d = sqrt(sub(v, square(a)));
      }
      d = add(d, eps);
      if (momentum > 0) {
        const b = add(mul(buffers[out.length]!, momentum), div(g, d));
        out.push(b);
        return [sub(p, mul(b, lr!)), out];
      }
      return [sub(p, mul(div(g, d), lr!)), out];
    },
  });
}
