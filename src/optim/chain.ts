/**
 * @file `optim.chain`: gradient transforms run in order on the gradients, then an optimizer's
 * step, as one optimizer whose state holds every part's state.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import type { PyTree } from "../core/pytree.js";
import { stateStep } from "./checks.js";
import type { GradientTransform, Optimizer, OptimizerState, OptimizerStep } from "./types.js";

function isTransform(v: unknown): v is GradientTransform {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { init?: unknown }).init === "function" &&
    typeof (v as { update?: unknown }).update === "function"
  );
}

function isOptimizer(v: unknown): v is Optimizer {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { init?: unknown }).init === "function" &&
    typeof (v as { step?: unknown }).step === "function"
  );
}

/**
 * An optimizer that first passes the gradients through `transforms`, in order (each sees the
 * previous one's output and the current parameters), then gives them to `optimizer`'s step
 * (optax's `chain`, with the optimizer last). The state is
 * `{ step, transforms: [each transform's state], optimizer: the optimizer's state }`, `step`
 * being the optimizer's step count. A chain is an optimizer, so chains nest.
 * @param parts - Zero or more {@link GradientTransform}s, then one {@link Optimizer}.
 * @throws {@link ValueError} when the last argument is not an optimizer (`{init, step}`) or
 *   another is not a transform (`{init, update}`); at `step`, for a state that does not come
 *   from this chain.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opt = ad.optim.chain(ad.optim.clipByGlobalNorm(1), ad.optim.sgd({ lr: 0.1 }));
 * const params = { w: ad.tensor([0, 0], { dtype: "float64" }) };
 * const grads = { w: ad.tensor([30, 40], { dtype: "float64" }) };
 * // The gradient's norm is 50, clipped to 1: the step is 0.1 * [0.6, 0.8].
 * opt.step(params, grads, opt.init(params)).params.w; // => tensor([-0.06, -0.08], dtype=float64)
 * ```
 * @category Neural-net ops
 */
export function chain(...parts: [...GradientTransform[], Optimizer]): Optimizer {
  const op = "optim.chain";
  if (parts.length === 0) {
    throw new ValueError(
      `${op}: expected gradient transforms followed by an optimizer; got nothing`,
    );
  }
  const optimizer = parts[parts.length - 1];
  if (!isOptimizer(optimizer)) {
    throw new ValueError(
      `${op}: the last argument must be an optimizer ({init, step}, e.g. ad.optim.adam({ lr })); got ${describeValue(optimizer)}`,
    );
  }
  const transforms = parts.slice(0, -1).map((t, i) => {
    if (!isTransform(t)) {
      throw new ValueError(
        `${op}: argument ${i} must be a gradient transform ({init, update}, e.g. ad.optim.clipByGlobalNorm(1)); got ${describeValue(t)}`,
      );
    }
    return t;
  });
  const init = <P>(params: P): OptimizerState => {
    const inner = optimizer.init(params);
    return {
      step: inner.step,
      transforms: transforms.map((t) => t.init(params)),
      optimizer: inner,
    };
  };
  const step = <P>(params: P, grads: P, state: OptimizerState): OptimizerStep<P> => {
    stateStep(`${op}.step`, state, ["transforms", "optimizer"]);
    const states = state.transforms;
    if (!Array.isArray(states) || states.length !== transforms.length) {
      throw new ValueError(
        `${op}.step: state.transforms must be an array of ${transforms.length} transform states (pass the state this chain's init or step returned); got ${describeValue(states)}`,
      );
    }
    let g: unknown = grads;
    const newStates = transforms.map((t, i) => {
      const out = t.update(g, states[i] as PyTree, params);
      g = out.grads;
      return out.state;
    });
    const inner = optimizer.step(params, g as P, state.optimizer as OptimizerState);
    return {
      params: inner.params,
      state: { step: inner.state.step, transforms: newStates, optimizer: inner.state },
    };
  };
  return { init, step };
}
