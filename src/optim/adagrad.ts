/**
 * @file `optim.adagrad`: Adagrad with learning-rate decay, an initial accumulator and L2 weight
 * decay, as torch.optim.Adagrad's algorithm.
 */

import { checkOptions } from "../core/options.js";
import { fullLike } from "../ops/creation.js";
import { add, div, mul, sqrt, square, sub } from "../ops/elementwise.js";
import { learningRateOption, numberOption } from "./checks.js";
import { leafwiseOptimizer } from "./leafwise.js";
import { sAdd, sDiv, sMul } from "./scalar-math.js";
import type { LearningRate, Optimizer } from "./types.js";

/**
 * The options of `ad.optim.adagrad`.
 * @category Neural-net ops
 */
export interface AdagradOptions {
  /** The learning rate: a positive finite number or a schedule of the step count. */
  lr: LearningRate;
  /** Learning-rate decay: step k (from 0) uses lr / (1 + k * lrDecay) (default 0). */
  lrDecay?: number;
  /** Added to the denominator for stability (default 1e-10). */
  eps?: number;
  /** The starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** L2 penalty added to the gradient, g + weightDecay * p (default 0). */
  weightDecay?: number;
}

/**
 * Adagrad (torch.optim.Adagrad's algorithm and defaults). On the step after k steps, with
 * `clr = lr / (1 + k * lrDecay)` and for each parameter leaf p with gradient g:
 * `g <- g + weightDecay * p` (when weightDecay != 0); `s <- s + g^2`;
 * `p <- p - clr * (g / (sqrt(s) + eps))`. The operations run in this order, so float64 results
 * equal these formulas computed in plain JavaScript to the last bit. The state holds `step` and
 * `sum` (started at initialAccumulatorValue).
 * @param options - `lr` (required), `lrDecay`, `eps`, `initialAccumulatorValue`, `weightDecay`.
 * @throws {@link ValueError} for a learning rate that is not a positive finite number or a
 *   function, an option out of range or unknown; at `step`, for grads or state without the
 *   parameters' structure (naming the leaf). {@link DTypeError} for a non-float parameter.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opt = ad.optim.adagrad({ lr: 0.5 });
 * const params = ad.tensor([1, 1], { dtype: "float64" });
 * // The first step moves each entry by lr against the sign of its gradient.
 * opt.step(params, ad.tensor([2, -0.25], { dtype: "float64" }), opt.init(params)).params; // => tensor([0.5, 1.5], dtype=float64)
 * ```
 * @category Neural-net ops
 */
export function adagrad(options: AdagradOptions): Optimizer {
  const op = "optim.adagrad";
  const o = checkOptions(op, options, [
    "lr",
    "lrDecay",
    "eps",
    "initialAccumulatorValue",
    "weightDecay",
  ]);
  const lr = learningRateOption(op, o.lr);
  const lrDecay = numberOption(op, "lrDecay", o.lrDecay, 0, { min: 0 });
  const eps = numberOption(op, "eps", o.eps, 1e-10, { min: 0 });
  const initial = numberOption(op, "initialAccumulatorValue", o.initialAccumulatorValue, 0, {
    min: 0,
  });
  const weightDecay = numberOption(op, "weightDecay", o.weightDecay, 0, { min: 0 });
  return leafwiseOptimizer({
    name: op,
    lr,
    slots: ["sum"],
    initSlot: (_slot, p) => fullLike(p, initial),
    // The decayed learning rate lr / (1 + step * lrDecay).
    scalars: (at) => [sDiv(at.lr, sAdd(1, sMul(at.step, lrDecay)))],
    update: (p, g0, [s0], [clr]) => {
      const g = weightDecay === 0 ? g0 : add(g0, mul(p, weightDecay));
      const s = add(s0!, square(g));
      return [sub(p, mul(div(g, add(sqrt(s), eps)), clr!)), [s]];
    },
  });
}
