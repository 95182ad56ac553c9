/**
 * @file `nn.accuracy`: the fraction of examples whose highest score is the label.
 */

import { toTensor } from "../core/convert.js";
import { fmtShape, ShapeError } from "../core/errors.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { astype, equal } from "../ops/elementwise.js";
import { argmax, mean } from "../ops/reduce.js";

/**
 * Classification accuracy: the mean over examples of [argmax(scores) == label], as a 0-d
 * float32 tensor. `scores` are logits or probabilities [..., C]; `labels` int32 class indices of
 * shape scores.shape[:-1], or one-hot (probability) rows of scores' shape (their argmax is the
 * label). Not differentiable (its gradient is zero).
 * @throws {@link ShapeError} for labels of neither shape.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const scores = ad.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
 * ad.nn.accuracy(scores, ad.tensor([1, 0, 0], { dtype: "int32" })); // => tensor(0.6666667, dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function accuracy(scores: TensorLike, labels: TensorLike): Tensor {
  const op = "nn.accuracy";
  const s = toTensor(scores);
  let l = toTensor(labels);
  if (s.ndim < 1)
    throw new ShapeError(`${op}: scores must have a class axis (the last); got a 0-d tensor`);
  const batch = s.shape.slice(0, -1);
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((d, i) => d === b[i]);
  if (l.dtype !== "int32" && same(l.shape, s.shape)) l = argmax(l, { axis: -1 });
  if (!same(l.shape, batch)) {
    throw new ShapeError(
      `${op}: labels must be int32 class indices of shape ${fmtShape(batch)} or one-hot rows of shape ${fmtShape(s.shape)}; got ${l.dtype} labels of shape ${fmtShape(l.shape)}`,
    );
  }
  return mean(astype(equal(argmax(s, { axis: -1 }), l), "float32"));
}
