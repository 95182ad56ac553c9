/**
 * @file `optim.lion`: the Lion optimizer (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms"): the sign of an interpolated momentum, with decoupled weight decay.
 */

import { checkOptions } from "../core/options.js";
import { zerosLike } from "../ops/creation.js";
import { add, mul, sign, sub } from "../ops/elementwise.js";
import { learningRateOption, numberOption } from "./checks.js";
import { leafwiseOptimizer } from "./leafwise.js";
import { sMul, sSub } from "./scalar-math.js";
import type { LearningRate, Optimizer } from "./types.js";

/**
 * The options of `ad.optim.lion`.
 * @category Neural-net ops
 */
export interface LionOptions {
  /** The learning rate: a positive finite number or a schedule of the step count. */
  lr: LearningRate;
  /** Interpolation factor of the update direction, in [0, 1) (default 0.9). */
  b1?: number;
  /** Decay of the momentum, in [0, 1) (default 0.99). */
  b2?: number;
  /** Decoupled weight decay: p <- p * (1 - lr * weightDecay) each step (default 0). */
  weightDecay?: number;
}

/**
 * Lion (the paper's Algorithm 2; defaults of its PyTorch version: b1 0.9, b2 0.99, weightDecay 0).
 * For each parameter leaf p with gradient g and learning rate lr:
 * `c = b1 * m + (1 - b1) * g`; `p <- p * (1 - lr * weightDecay)` (when weightDecay != 0);
 * `p <- p - lr * sign(c)`; `m <- b2 * m + (1 - b2) * g`. Every entry moves by exactly lr (plus
 * the decay), so Lion usually wants a learning rate 3-10 times smaller than Adam's. The
 * operations run in this order, so float64 results equal these formulas computed in plain
 * JavaScript to the last bit. The state holds `step` and `m`.
 * @param options - `lr` (required), `b1`, `b2`, `weightDecay`.
 * @throws {@link ValueError} for a learning rate that is not a positive finite number or a
 *   function, an option out of range or unknown; at `step`, for grads or state without the
 *   parameters' structure (naming the leaf). {@link DTypeError} for a non-float parameter.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opt = ad.optim.lion({ lr: 0.25 });
 * const params = { w: ad.tensor([1, 1, 1], { dtype: "float64" }) };
 * const grads = { w: ad.tensor([3, -0.01, 0], { dtype: "float64" }) };
 * opt.step(params, grads, opt.init(params)).params.w; // => tensor([0.75, 1.25, 1.], dtype=float64)
 * ```
 * @category Neural-net ops
 */
export function lion(options: LionOptions): Optimizer {
  const op = "optim.lion";
  const o = checkOptions(op, options, ["lr", "b1", "b2", "weightDecay"]);
  const lr = learningRateOption(op, o.lr);
  const b1 = numberOption(op, "b1", o.b1, 0.9, { min: 0, max: 1, maxOpen: true });
  const b2 = numberOption(op, "b2", o.b2, 0.99, { min: 0, max: 1, maxOpen: true });
  const weightDecay = numberOption(op, "weightDecay", o.weightDecay, 0, { min: 0 });
  return leafwiseOptimizer({
    name: op,
    lr,
    slots: ["m"],
    initSlot: (_slot, p) => zerosLike(p),
    scalars: (at) => [at.lr, sSub(1, sMul(at.lr, weightDecay))],
    update: (p, g, [m0], [lr, shrink]) => {
      const c = add(mul(m0!, b1), mul(g, 1 - b1));
      const decayed = weightDecay === 0 ? p : mul(p, shrink!);
      const out = sub(decayed, mul(sign(c), lr!));
      return [out, [add(mul(m0!, b2), mul(g, 1 - b2))]];
    },
  });
}
