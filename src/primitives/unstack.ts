/**
 * @file unstack: splits a tensor along its leading axis into its n slices (a multi-output
 * primitive). scan uses it so that differentiating n per-step slices costs O(size) in total: the
 * VJP stacks the slices' cotangents once, instead of padding each slice back to the full size.
 */

import { allocate } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { NO_PARAMS } from "../core/params-json.js";
import type { Tensor } from "../core/tensor.js";
import { bindMulti } from "../core/trace.js";
import { stack, swapAxes, zerosLike } from "../ops/index.js";
import { type BuiltinMultiPrimitive, declareMultiPrimitive } from "./names.js";

export const unstackPrim: BuiltinMultiPrimitive<"unstack"> = declareMultiPrimitive({
  name: "unstack",
  paramsJson: NO_PARAMS,
  // The element's leading axis is the batch's second: swap the two, then unstack.
  batch: ([x]) => bindUnstack(swapAxes(x!, 0, 1)),
  multipleResults: true,
  shape: ([x]) => {
    if (x!.shape.length === 0)
      throw new ValueError("unstack: x must have at least one axis; got a 0-d tensor");
    const slice = { shape: x!.shape.slice(1), dtype: x!.dtype };
    return Array.from({ length: x!.shape[0]! }, () => slice);
  },
  impl: ([x], _params, outs) => {
    const data = x!._data!;
    const m = data.length / Math.max(outs.length, 1);
    return outs.map((o, k) => {
      const out = allocate(o.dtype, m);
      out.set(data.subarray(k * m, (k + 1) * m));
      return out;
    });
  },
  // d unstack(x) = unstack(dx)
  jvp: (_primals, [dx]) => bindUnstack(dx!),
  // gx = stack(ct_0, ..., ct_{n-1}), zeros for slices that got none
  vjp: (cts, _primals, outs) => [
    stack(
      cts.map((ct, k) => ct ?? zerosLike(outs[k]!)),
      0,
    ),
  ],
});

/** The slices of x along its leading axis. */
export function bindUnstack(x: Tensor): Tensor[] {
  return bindMulti(unstackPrim, [x], undefined);
}
