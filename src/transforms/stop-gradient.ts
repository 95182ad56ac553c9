/** @file stopGradient: the identity whose derivative is zero, in every mode and at every order. */

import { toTensor } from "../core/convert.js";
import { mapLeaves } from "../core/pytree.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { stopGradientPrim } from "../primitives/cast.js";
import type { Stopped } from "./types.js";

/**
 * The value of `x`, treated as a constant by every transformation (JAX's `jax.lax.stop_gradient`,
 * PyTorch's `detach`): its derivative is zero in every mode and at every order. Works on pytrees
 * (each tensor leaf is stopped); a number or boolean becomes a 0-d tensor. Also the way to read a
 * value inside a transformed function on purpose: `stopGradient(x).item()` where `x.item()` is an
 * error under grad.
 *
 * @param x - A tensor, a number, or a pytree of them.
 * @returns x's value without derivatives (numbers and booleans as 0-d tensors).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // d/dx [x · stop(x)] = stop(x) = 3, not 2x = 6.
 * ad.grad((x) => ad.mul(x, ad.stopGradient(x)))(ad.scalar(3)); // => tensor(3, dtype=float32)
 * // A straight-through estimator: round forward, identity backward.
 * const roundST = (x: ad.Tensor) => ad.add(x, ad.stopGradient(ad.sub(ad.round(x), x)));
 * ad.grad((x) => ad.sum(roundST(x)))(ad.tensor([0.3, 1.7])); // => tensor([1, 1], dtype=float32)
 * ```
 * @category Transformations
 */
export function stopGradient<T>(x: T): Stopped<T> {
  if (x instanceof Tensor) return stopOne(x) as Stopped<T>;
  if (typeof x === "number" || typeof x === "boolean") {
    return toTensor(x as TensorLike) as Stopped<T>;
  }
  return mapLeaves(x, (leaf) => (leaf instanceof Tensor ? stopOne(leaf) : leaf)) as Stopped<T>;
}

/**
 * The value of x under its derivative tracers (grad, jvp), which is x with a zero derivative at
 * those levels, and concrete when no vmap or staging is active: so `stopGradient(x).item()` reads
 * a value on purpose where `x.item()` is an error. At a vmap level the primitive is bound instead,
 * whose batch rule stops the derivatives of levels below; at a staging level it is staged.
 */
function stopOne(x: Tensor): Tensor {
  if (x._trace === null) return bind(stopGradientPrim, [x], undefined);
  let t = x;
  while (t._trace !== null && !t._trace.batching && !t._trace.staging && !t._trace.done) {
    t = t._primal ?? t._trace.valueOf(t);
  }
  return t._trace === null ? t : bind(stopGradientPrim, [t], undefined);
}
