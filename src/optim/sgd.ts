/**
 * @file `optim.sgd`: stochastic gradient descent with momentum, Nesterov momentum, dampening and
 * L2 weight decay, as torch.optim.SGD's algorithm.
 */

import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { zerosLike } from "../ops/creation.js";
import { add, mul, sub } from "../ops/elementwise.js";
import { booleanOption, learningRateOption, numberOption } from "./checks.js";
import { leafwiseOptimizer } from "./leafwise.js";
import { sIsZero, sPick } from "./scalar-math.js";
import type { LearningRate, Optimizer } from "./types.js";

/**
 * The options of `ad.optim.sgd`.
 * @category Neural-net ops
 */
export interface SgdOptions {
  /** The learning rate: a positive finite number or a schedule of the step count. */
  lr: LearningRate;
  /** The momentum factor mu (default 0: plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient, g + weightDecay * p (default 0). */
  weightDecay?: number;
  /** Dampening tau of the momentum (default 0). */
  dampening?: number;
}

/**
 * Stochastic gradient descent (torch.optim.SGD's algorithm and defaults). With step count t
 * (1 on the first step), learning rate lr, and for each parameter leaf p with gradient g:
 * `g <- g + weightDecay * p` (when weightDecay != 0); with momentum mu != 0 the buffer is
 * `b <- g` on the first step and `b <- mu * b + (1 - dampening) * g` after, and then
 * `g <- g + mu * b` (nesterov) or `g <- b`; finally `p <- p - lr * g`. The operations run in this
 * order, so float64 results equal these formulas computed in plain JavaScript to the last bit.
 * The state holds `step` and, with momentum, the buffers `momentum` (the parameters' structure).
 * @param options - `lr` (required), `momentum`, `nesterov`, `weightDecay`, `dampening`.
 * @throws {@link ValueError} for a learning rate that is not a positive finite number or a
 *   function, an option out of range, an unknown option, or nesterov without momentum; at `step`,
 *   for grads or state without the parameters' structure (naming the leaf). {@link DTypeError}
 *   for a parameter that is not a float tensor or a gradient of another dtype.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opt = ad.optim.sgd({ lr: 0.1, momentum: 0.9 });
 * let params = { x: ad.scalar(1, "float64") };
 * let state = opt.init(params);
 * for (let i = 0; i < 3; i++) {
 *   const grads = ad.grad((p: typeof params) => ad.square(p.x))(params);
 *   ({ params, state } = opt.step(params, grads, state));
 * }
 * params.x.item(); // => 0.062
 * state.step; // => tensor(3, dtype=int32)
 * ad.optim.sgd({ lr: 0 }); // throws: ValueError: optim.sgd: lr must be a positive finite number
 * ```
 * @category Neural-net ops
 */
export function sgd(options: SgdOptions): Optimizer {
  const op = "optim.sgd";
  const o = checkOptions(op, options, ["lr", "momentum", "nesterov", "weightDecay", "dampening"]);
  const lr = learningRateOption(op, o.lr);
  const momentum = numberOption(op, "momentum", o.momentum, 0, { min: 0 });
  const nesterov = booleanOption(op, "nesterov", o.nesterov, false);
  const weightDecay = numberOption(op, "weightDecay", o.weightDecay, 0, { min: 0 });
  const dampening = numberOption(op, "dampening", o.dampening, 0);
  if (nesterov && (momentum === 0 || dampening !== 0)) {
    throw new ValueError(
      `${op}: nesterov needs momentum > 0 and dampening 0; got momentum ${momentum} and dampening ${dampening}`,
    );
  }
  const keep = 1 - dampening;
  return leafwiseOptimizer({
    name: op,
    lr,
    slots: momentum === 0 ? [] : ["momentum"],
    initSlot: (_slot, p) => zerosLike(p),
    // The learning rate, and 1 on the first step (the momentum buffer starts as the gradient).
    scalars: (at) => [at.lr, sIsZero(at.step)],
    update: (p, g, [buf], [lr, first]) => {
      let d = weightDecay === 0 ? g : add(g, mul(p, weightDecay));
      if (momentum === 0) return [sub(p, mul(d, lr!)), []];
      const grad = d;
      const b = sPick(
        first!,
        () => grad,
        () => add(mul(buf!, momentum), keep === 1 ? grad : mul(grad, keep)),
      );
      d = nesterov ? add(d, mul(b, momentum)) : b;
      return [sub(p, mul(d, lr!)), [b]];
    },
  });
}
