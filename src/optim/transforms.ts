/**
 * @file Gradient transforms for `ad.optim.chain`: clipping by global norm and by value, and
 * weight decay added to the gradients of a chosen set of parameters. Each is an object
 * `{ init, update }` (see GradientTransform) that keeps no state of its own (its state is null).
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { PyTree } from "../core/pytree.js";
import type { Tensor } from "../core/tensor.js";
import { add, astype, clip, div, maximum, mul, sqrt, square } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { flattenLike, flattenParams, leavesLike, rebuild, requiredNumber } from "./checks.js";
import type { GradientTransform } from "./types.js";

/**
 * Scales all gradients together so that their global norm (the 2-norm of all their entries,
 * every leaf included) is at most `maxNorm`: each gradient is multiplied by
 * `maxNorm / max(norm, maxNorm)`, which is 1 when the norm is within the bound (optax's
 * `clip_by_global_norm`, PyTorch's `clip_grad_norm_`). The direction of the update is kept.
 * The factor is computed without division by zero, so the transform can itself be
 * differentiated.
 * @param maxNorm - The bound, a positive finite number.
 * @throws {@link ValueError} when maxNorm is not a positive finite number; at update, for a
 *   gradient leaf that is not a float tensor.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const clipped = ad.optim.clipByGlobalNorm(1);
 * const grads = { a: ad.tensor([3, 4], { dtype: "float64" }), b: ad.tensor([12], { dtype: "float64" }) };
 * // The global norm is 13: every entry is divided by 13.
 * clipped.update(grads, null, grads).grads; // => { a: tensor([0.2307692, 0.3076923], dtype=float64), b: tensor([0.9230769], dtype=float64) }
 * ```
 * @category Neural-net ops
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransform<null> {
  const op = "optim.clipByGlobalNorm";
  const limit = requiredNumber(op, "maxNorm", maxNorm, { min: 0, minOpen: true });
  return {
    init: () => null,
    update: (grads, state) => {
      const flat = flattenParams(op, grads, "grads");
      if (flat.leaves.length === 0) return { grads, state };
      let squares: Tensor | null = null;
      for (const g of flat.leaves) {
        const s = sum(square(g));
        squares = squares === null ? s : add(squares, s);
      }
      const norm = sqrt(squares!);
      const factor = div(limit, maximum(norm, limit));
      const clipped = flat.leaves.map((g) =>
        mul(g, factor.dtype === g.dtype ? factor : astype(factor, g.dtype)),
      );
      return { grads: rebuild(flat, clipped), state };
    },
  };
}

/**
 * Clips every gradient entry to [-limit, limit] (`clipByValue(limit)`, optax's `clip`, PyTorch's
 * `clip_grad_value_`) or to [min, max] (`clipByValue(min, max)`).
 * @param limit - With one argument, the bound on absolute values (>= 0); with two, the minimum.
 * @param max - The maximum (>= the minimum).
 * @throws {@link ValueError} for a bound that is not a finite number, a negative limit, or
 *   min > max; at update, for a gradient leaf that is not a float tensor.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const g = [ad.tensor([-5, 0.5, 2], { dtype: "float64" })];
 * ad.optim.clipByValue(1).update(g, null, g).grads; // => [tensor([-1., 0.5, 1.], dtype=float64)]
 * ad.optim.clipByValue(0, 1).update(g, null, g).grads; // => [tensor([0., 0.5, 1.], dtype=float64)]
 * ```
 * @category Neural-net ops
 */
export function clipByValue(limit: number, max?: number): GradientTransform<null> {
  const op = "optim.clipByValue";
  let lo: number;
  let hi: number;
  if (max === undefined) {
    hi = requiredNumber(op, "limit", limit, { min: 0 });
    lo = -hi;
  } else {
    lo = requiredNumber(op, "min", limit);
    hi = requiredNumber(op, "max", max, { min: lo });
  }
  return {
    init: () => null,
    update: (grads, state) => {
      const flat = flattenParams(op, grads, "grads");
      return {
        grads: rebuild(
          flat,
          flat.leaves.map((g) => clip(g, lo, hi)),
        ),
        state,
      };
    },
  };
}

/**
 * The options of `ad.optim.addDecayedWeights`.
 * @category Neural-net ops
 */
export interface AddDecayedWeightsOptions {
  /** The factor of the parameters added to the gradients (>= 0). */
  weightDecay: number;
  /**
   * Which parameters decay: a tree of booleans with the parameters' structure, or a function of
   * the parameters returning one (default: all of them).
   */
  mask?: PyTree | ((params: unknown) => unknown);
}

/**
 * Adds `weightDecay * p` to the gradient of each parameter p chosen by `mask` (optax's
 * `add_decayed_weights`): L2 regularisation, as the `weightDecay` option of sgd and adam, but
 * for a chosen subset, typically the weights and not the biases or normalisation scales. Put it
 * in a chain before the optimizer.
 * @throws {@link ValueError} for a weightDecay that is not a finite number >= 0, an unknown
 *   option, or (at update) a mask without the parameters' structure or with a leaf that is not a
 *   boolean, naming the leaf.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const params = { w: ad.tensor([[1, 2]], { dtype: "float64" }), b: ad.tensor([1], { dtype: "float64" }) };
 * // Decay the matrices only: the mask is true where a parameter has 2 or more axes.
 * const decay = ad.optim.addDecayedWeights({
 *   weightDecay: 0.5,
 *   mask: (p) => ad.treeMap((x) => (x as ad.Tensor).ndim >= 2, p),
 * });
 * const zero = ad.treeMap((x: ad.Tensor) => ad.zerosLike(x), params);
 * decay.update(zero, null, params).grads; // => { w: tensor([[0.5, 1.]], dtype=float64), b: tensor([0.], dtype=float64) }
 * ```
 * @category Neural-net ops
 */
export function addDecayedWeights(options: AddDecayedWeightsOptions): GradientTransform<null> {
  const op = "optim.addDecayedWeights";
  const o = checkOptions(op, options, ["weightDecay", "mask"]);
  const weightDecay = requiredNumber(op, "weightDecay", o.weightDecay, { min: 0 });
  const mask = o.mask;
  return {
    init: () => null,
    update: (grads, state, params) => {
      const flat = flattenParams(op, params);
      const g = flattenLike(op, "grads", grads, flat);
      let chosen: readonly boolean[];
      if (mask === undefined) {
        chosen = g.map(() => true);
      } else {
        const tree = typeof mask === "function" ? mask(params) : mask;
        const { leaves, paths } = leavesLike(op, "mask", tree, flat);
        chosen = leaves.map((leaf, i) => {
          if (typeof leaf !== "boolean") {
            throw new ValueError(
              `${op}: every leaf of the mask must be true or false; ${paths[i]} is ${describeValue(leaf)}`,
            );
          }
          return leaf;
        });
      }
      const out = g.map((gi, i) =>
        chosen[i] && weightDecay !== 0 ? add(gi, mul(flat.leaves[i]!, weightDecay)) : gi,
      );
      return { grads: rebuild(flat, out), state };
    },
  };
}
