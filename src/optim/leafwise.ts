/**
 * @file leafwiseOptimizer: the one driver of the optimizers whose update acts on each parameter
 * leaf on its own (all of ad.optim's). It checks the trees, keeps the state's step count and one
 * buffer tree per slot (moments, momentum), and asks the rule for each leaf's update, so each
 * optimizer file holds only its formulas.
 */

import type { PyTree } from "../core/pytree.js";
import type { Tensor } from "../core/tensor.js";
import {
  flattenLike,
  flattenParams,
  learningRateAt,
  rebuild,
  stateEntry,
  stateStep,
} from "./checks.js";
import type { LearningRate, Optimizer, OptimizerState, OptimizerStep } from "./types.js";

/** What a leaf's update sees besides its tensors. */
export interface LeafStep {
  /** Steps taken before this one (0 on the first step). */
  readonly step: number;
  /** The learning rate for this step (a schedule already evaluated). */
  readonly lr: number;
}

/** One optimizer's formulas, for {@link leafwiseOptimizer}. */
export interface LeafwiseRule {
  /** The name in messages, e.g. `optim.adam`. */
  readonly name: string;
  readonly lr: LearningRate;
  /** The state's buffer trees, each with the parameters' structure. */
  readonly slots: readonly string[];
  /** The initial value of buffer `slot` for parameter `p`. */
  initSlot(slot: string, p: Tensor): Tensor;
  /** The new parameter and buffers (in `slots`' order) for one leaf. */
  update(p: Tensor, g: Tensor, buffers: readonly Tensor[], at: LeafStep): [Tensor, Tensor[]];
}

/** An optimizer applying `rule` to every leaf of the parameter tree. */
export function leafwiseOptimizer(rule: LeafwiseRule): Optimizer {
  const init = <P>(params: P): OptimizerState => {
    const flat = flattenParams(`${rule.name}.init`, params);
    const state: Record<string, PyTree> = { step: 0 };
    for (const slot of rule.slots) {
      state[slot] = rebuild(
        flat,
        flat.leaves.map((p) => rule.initSlot(slot, p)),
      ) as PyTree;
    }
    return state as OptimizerState;
  };
  const step = <P>(params: P, grads: P, state: OptimizerState): OptimizerStep<P> => {
    const op = `${rule.name}.step`;
    const flat = flattenParams(op, params);
    const g = flattenLike(op, "grads", grads, flat);
    const t = stateStep(op, state, rule.slots);
    const buffers = rule.slots.map((slot) =>
      flattenLike(op, `state.${slot}`, stateEntry(state, slot), flat),
    );
    const at: LeafStep = { step: t, lr: learningRateAt(op, rule.lr, t) };
    const newParams: Tensor[] = [];
    const newBuffers: Tensor[][] = rule.slots.map(() => []);
    flat.leaves.forEach((p, i) => {
      const [param, bufs] = rule.update(
        p,
        g[i]!,
        buffers.map((b) => b[i]!),
        at,
      );
      newParams.push(param);
      bufs.forEach((b, k) => {
        newBuffers[k]!.push(b);
      });
    });
    const next: Record<string, PyTree> = { step: t + 1 };
    rule.slots.forEach((slot, k) => {
      next[slot] = rebuild(flat, newBuffers[k]!) as PyTree;
    });
    return { params: rebuild(flat, newParams) as P, state: next as OptimizerState };
  };
  return { init, step };
}
