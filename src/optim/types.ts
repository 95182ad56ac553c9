/**
 * @file The interfaces of `ad.optim`: an optimizer is a pair of pure functions `init` and `step`
 * over a pytree of parameters; a gradient transform (clipping, weight decay) is a pair `init` and
 * `update` that `chain` runs on the gradients before the optimizer's step; a learning rate is a
 * number or a schedule of the step count.
 */

import type { PyTree } from "../core/pytree.js";
import type { Tensor } from "../core/tensor.js";

/**
 * A learning-rate schedule: the learning rate to use for a step, given the number of steps taken
 * before it (0 for the first step, as optax and PyTorch's schedulers count). It must return a
 * finite number >= 0 (an optimizer's step throws a ValueError otherwise). `ad.optim.constant`,
 * `exponentialDecay`, `cosineDecay`, `warmupCosineDecay` and `piecewiseConstant` make them; any
 * function of this type works.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const halving: ad.Schedule = (step) => 0.1 * 0.5 ** Math.floor(step / 100);
 * halving(250); // => 0.025
 * ```
 * @category Neural-net ops
 */
export type Schedule = (step: number) => number;

/**
 * What an optimizer's `lr` option accepts: a positive finite number, or a {@link Schedule}.
 * @category Neural-net ops
 */
export type LearningRate = number | Schedule;

/**
 * The state of an optimizer: a plain object whose `step` is the number of steps taken (a 0-d
 * int32 tensor, as optax's `count`, so that a jitted training step traces it instead of
 * compiling once per step), and whose other entries (moments, momentum buffers, the states of
 * chained transforms) are pytrees of tensors with the parameters' structure. It holds nothing
 * else (no functions, no hidden references), so it can be saved and restored like the
 * parameters. A number `step` (a state from earlier versions) is accepted and stays a number.
 * @category Neural-net ops
 */
export interface OptimizerState {
  /** How many steps have been taken with this state (0 after `init`): a 0-d int32 tensor. */
  readonly step: Tensor | number;
  // unknown rather than PyTree: TypeScript cannot expand treeMap's types over the recursive
  // PyTree ("excessively deep"), and a state is mostly passed back as it came.
  readonly [slot: string]: unknown;
}

/**
 * What an optimizer's `step` returns: the new parameters and the new state. The inputs are not
 * changed.
 * @category Neural-net ops
 */
export interface OptimizerStep<P, S extends OptimizerState = OptimizerState> {
  readonly params: P;
  readonly state: S;
}

/**
 * An optimizer of `ad.optim` (`sgd`, `adam`, `adamw`, `rmsprop`, `adagrad`, `lion`, or `chain` of
 * transforms and one of them): two pure functions over any pytree of float tensors.
 * `init(params)` makes the state (step 0 and zeroed buffers with the parameters' structure);
 * `step(params, grads, state)` applies one update and returns the new parameters and state.
 * `grads` must have the structure of `params` and, leaf by leaf, the same shape and dtype.
 * Nothing is mutated and nothing is kept between calls, so states can be copied, saved, or
 * stepped twice from the same point.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opt: ad.Optimizer = ad.optim.sgd({ lr: 0.1 });
 * let params = { w: ad.tensor([1, -2], { dtype: "float64" }) };
 * let state = opt.init(params);
 * ({ params, state } = opt.step(params, { w: ad.tensor([10, 10], { dtype: "float64" }) }, state));
 * params.w; // => tensor([ 0., -3.], dtype=float64)
 * state.step; // => tensor(1, dtype=int32)
 * ```
 * @category Neural-net ops
 */
export interface Optimizer<S extends OptimizerState = OptimizerState> {
  /** The initial state for `params` (which are read for their structure, shapes and dtypes). */
  init<P>(params: P): S;
  /** One update: new parameters and state from the gradients of the loss at `params`. */
  step<P>(params: P, grads: P, state: S): OptimizerStep<P, S>;
}

/**
 * A gradient transform for {@link Optimizer} chains (`ad.optim.chain(...transforms, optimizer)`):
 * `init(params)` makes its state (any pytree; `null` when it keeps none) and
 * `update(grads, state, params)` returns the transformed gradients (same structure, shapes and
 * dtypes) and the new state. The built-in ones are `clipByGlobalNorm`, `clipByValue` and
 * `addDecayedWeights`; a custom one is an object with these two functions. They must be pure:
 * no mutation of the arguments, nothing kept outside the state.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // Scales every gradient by 1/2 and counts the calls in its state.
 * const halve: ad.GradientTransform<number> = {
 *   init: () => 0,
 *   update: (grads, calls) => ({
 *     grads: ad.treeMap((g) => ad.mul(g as ad.Tensor, 0.5), grads),
 *     state: calls + 1,
 *   }),
 * };
 * const opt = ad.optim.chain(halve, ad.optim.sgd({ lr: 1 }));
 * const p = { w: ad.tensor([1], { dtype: "float64" }) };
 * const out = opt.step(p, { w: ad.tensor([4], { dtype: "float64" }) }, opt.init(p));
 * out.params.w; // => tensor([-1.], dtype=float64)
 * out.state.transforms; // => [1]
 * ```
 * @category Neural-net ops
 */
export interface GradientTransform<S extends PyTree = PyTree> {
  /** The transform's initial state for `params`. */
  init(params: unknown): S;
  /** The transformed gradients (the structure of `grads`) and the new state. */
  update(grads: unknown, state: S, params: unknown): { grads: unknown; state: S };
}
