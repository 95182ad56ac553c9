/** @file stopGradient: the identity whose derivative is zero, in every mode and at every order. */

import { toTensor } from "../core/convert.js";
import { treeMap } from "../core/pytree.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { stopGradientPrim } from "../primitives/cast.js";

/**
 * The value of `x`, treated as a constant by every transformation (works on pytrees too).
 * @example ad.grad((x) => ad.mul(x, ad.stopGradient(x)))(3) // 3, not 6
 */
export function stopGradient<T>(x: T): T {
  if (x instanceof Tensor) return bind(stopGradientPrim, [x], undefined) as T;
  if (typeof x === "number" || typeof x === "boolean") return toTensor(x as TensorLike) as T;
  return treeMap(x, (leaf) =>
    leaf instanceof Tensor ? bind(stopGradientPrim, [leaf], undefined) : leaf,
  ) as T;
}
