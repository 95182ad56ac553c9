/**
 * @file Losses of `ad.nn`, each with `reduction` "mean" (default), "sum" or "none". Written in
 * forms that stay finite at extreme logits: cross-entropy through logSoftmax, the binary one
 * through softplus (log(1 + e^x) computed without overflow), so values and gradients are right
 * at logits of +-1000.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { arange } from "../ops/creation.js";
import {
  abs,
  add,
  astype,
  equal,
  lessEqual,
  mul,
  neg,
  softplus,
  square,
  sub,
  where,
} from "../ops/elementwise.js";
import { logSoftmax, mean, sum } from "../ops/reduce.js";
import { expandDims } from "../ops/shape.js";

/**
 * How a loss reduces its per-example (or per-element) values: "mean" (default), "sum" or "none"
 * (no reduction).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const r: ad.Reduction = "none";
 * ad.nn.l1(ad.tensor([1, -2]), ad.zeros([2]), { reduction: r }); // => tensor([1., 2.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export type Reduction = "mean" | "sum" | "none";

function reduce(op: string, loss: Tensor, reduction: unknown): Tensor {
  switch (reduction ?? "mean") {
    case "mean":
      return mean(loss);
    case "sum":
      return sum(loss);
    case "none":
      return loss;
    default:
      throw new ValueError(
        `${op}: reduction must be "mean", "sum" or "none"; got ${describeValue(reduction)}`,
      );
  }
}

function floatPair(
  op: string,
  a: TensorLike,
  b: TensorLike,
  names: [string, string],
): [Tensor, Tensor] {
  const x = toTensor(a);
  const y = toTensor(b);
  for (const [t, name] of [
    [x, names[0]],
    [y, names[1]],
  ] as const) {
    if (t.dtype === "bool") {
      throw new DTypeError(`${op}: ${name} must be a numeric tensor; got dtype bool`);
    }
  }
  return [x, y];
}

/**
 * Options of {@link nn.softmaxCrossEntropy}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.CrossEntropyOptions = { labelSmoothing: 0.1, reduction: "sum" };
 * opts.labelSmoothing; // => 0.1
 * ```
 * @category Neural-net ops
 */
export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** ε in [0, 1]: targets become (1 - ε) target + ε / classes (default 0). */
  labelSmoothing?: number;
}

/** Int labels as one-hot rows of `classes` (checked in range when they are concrete). */
function oneHot(op: string, labels: Tensor, classes: number, dtype: string): Tensor {
  if (labels._trace === null) {
    const data = labels.dataSync();
    for (let i = 0; i < data.length; i++) {
      const c = data[i]!;
      if (c < 0 || c >= classes) {
        throw new ValueError(
          `${op}: labels must be class indices in [0, ${classes - 1}]; got ${c} at flat index ${i}`,
        );
      }
    }
  }
  const hit = equal(expandDims(labels, -1), arange(classes, undefined, undefined, "int32"));
  return astype(hit, dtype === "float64" ? "float64" : "float32");
}

/**
 * Cross-entropy of softmax(logits) against labels over the last axis: per example
 * -sum_c t_c log softmax(logits)_c, computed through logSoftmax so logits of +-1000 give finite
 * values and gradients (softmax - t). `labels` are int32 class indices of shape
 * logits.shape[:-1], or rows of probabilities (one-hot) of logits' shape. With
 * `labelSmoothing` ε the targets are (1 - ε) t + ε / C (as PyTorch and optax). `reduction`
 * "mean" (default) averages the per-example losses, "sum" adds them, "none" returns them.
 * @throws {@link ShapeError} for labels of neither shape; {@link ValueError} for an int label
 *   out of range, a bad labelSmoothing or reduction; {@link DTypeError} for bool inputs.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const logits = ad.tensor([[2, 0, 0], [1000, -1000, 0]], { dtype: "float64" });
 * const labels = ad.tensor([0, 1], { dtype: "int32" });
 * ad.nn.softmaxCrossEntropy(logits, labels, { reduction: "none" }); // => tensor([0.2395447, 2000.], dtype=float64)
 * ad.nn.softmaxCrossEntropy(logits, ad.tensor([[1, 0, 0], [0, 1, 0]], { dtype: "float64" })); // => tensor(1000.12, dtype=float64)
 * ```
 * @category Neural-net ops
 */
export function softmaxCrossEntropy(
  logits: TensorLike,
  labels: TensorLike,
  options: CrossEntropyOptions = {},
): Tensor {
  const op = "nn.softmaxCrossEntropy";
  const opts = checkOptions(op, options, ["reduction", "labelSmoothing"]);
  const [z, l] = floatPair(op, logits, labels, ["logits", "labels"]);
  if (z.ndim < 1) {
    throw new ShapeError(`${op}: logits must have a class axis (the last); got a 0-d tensor`);
  }
  const classes = z.shape[z.ndim - 1]!;
  const eps = opts.labelSmoothing ?? 0;
  if (typeof eps !== "number" || !(eps >= 0 && eps <= 1)) {
    throw new ValueError(
      `${op}: labelSmoothing must be a number in [0, 1]; got ${describeValue(eps)}`,
    );
  }
  const sameShape = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((d, i) => d === b[i]);
  let target: Tensor;
  if (l.dtype === "int32") {
    if (!sameShape(l.shape, z.shape.slice(0, -1))) {
      throw new ShapeError(
        `${op}: int32 labels must have the logits' shape without the class axis, ${fmtShape(z.shape.slice(0, -1))}; got ${fmtShape(l.shape)}`,
      );
    }
    target = oneHot(op, l, classes, z.dtype);
  } else if (sameShape(l.shape, z.shape)) {
    target = l;
  } else {
    throw new ShapeError(
      `${op}: labels must be int32 class indices of shape ${fmtShape(z.shape.slice(0, -1))} or probability rows of the logits' shape ${fmtShape(z.shape)}; got ${l.dtype} labels of shape ${fmtShape(l.shape)}`,
    );
  }
  if (eps > 0) target = add(mul(target, 1 - eps), eps / classes);
  const perExample = neg(sum(mul(target, logSoftmax(z, { axis: -1 })), { axis: -1 }));
  return reduce(op, perExample, opts.reduction);
}

/**
 * Options of {@link nn.binaryCrossEntropyWithLogits}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.BinaryCrossEntropyOptions = { posWeight: 2 };
 * ad.nn.binaryCrossEntropyWithLogits(ad.tensor([0]), ad.tensor([1]), opts); // => tensor(1.386294, dtype=float32)
 * ```
 * @category Neural-net ops
 */
export interface BinaryCrossEntropyOptions {
  reduction?: Reduction;
  /** Weight of the positive term (PyTorch's pos_weight; default 1), broadcast over classes. */
  posWeight?: TensorLike;
}

/**
 * Binary cross-entropy of sigmoid(logits) against targets in [0, 1], elementwise:
 * `posWeight * t * softplus(-x) + (1 - t) * softplus(x)` (= -[w t log σ(x) + (1 - t)
 * log(1 - σ(x))], PyTorch's BCEWithLogitsLoss), finite with the right gradient σ(x) - t at
 * logits of +-1000. Reduced over all elements by `reduction`.
 * @throws {@link ShapeError} when logits and targets do not broadcast; {@link ValueError} for a
 *   bad reduction.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([1000, -1000, 0], { dtype: "float64" });
 * ad.nn.binaryCrossEntropyWithLogits(x, ad.tensor([1, 1, 0], { dtype: "float64" }), { reduction: "none" }); // => tensor([0., 1000., 0.6931472], dtype=float64)
 * ```
 * @category Neural-net ops
 */
export function binaryCrossEntropyWithLogits(
  logits: TensorLike,
  targets: TensorLike,
  options: BinaryCrossEntropyOptions = {},
): Tensor {
  const op = "nn.binaryCrossEntropyWithLogits";
  const opts = checkOptions(op, options, ["reduction", "posWeight"]);
  const [x, t] = floatPair(op, logits, targets, ["logits", "targets"]);
  let positive = mul(t, softplus(neg(x)));
  if (opts.posWeight !== undefined) positive = mul(positive, opts.posWeight);
  const loss = add(positive, mul(sub(1, t), softplus(x)));
  return reduce(op, loss, opts.reduction);
}

/**
 * Options of the regression losses.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.LossOptions = { reduction: "sum" };
 * ad.nn.mse(ad.tensor([1, 2]), ad.zeros([2]), opts); // => tensor(5., dtype=float32)
 * ```
 * @category Neural-net ops
 */
export interface LossOptions {
  reduction?: Reduction;
}

/**
 * Mean squared error: (pred - target)^2 elementwise, reduced over all elements (PyTorch's
 * MSELoss).
 * @throws {@link ShapeError} when pred and target do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nn.mse(ad.tensor([1, 2, 3]), ad.tensor([1, 0, 0])); // => tensor(4.333333, dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function mse(pred: TensorLike, target: TensorLike, options: LossOptions = {}): Tensor {
  const op = "nn.mse";
  const opts = checkOptions(op, options, ["reduction"]);
  const [p, t] = floatPair(op, pred, target, ["pred", "target"]);
  return reduce(op, square(sub(p, t)), opts.reduction);
}

/**
 * Mean absolute error: |pred - target| elementwise, reduced over all elements (PyTorch's
 * L1Loss; the derivative at 0 is 0).
 * @throws {@link ShapeError} when pred and target do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nn.l1(ad.tensor([1, 2, 3]), ad.tensor([1, 0, 0])); // => tensor(1.666667, dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function l1(pred: TensorLike, target: TensorLike, options: LossOptions = {}): Tensor {
  const op = "nn.l1";
  const opts = checkOptions(op, options, ["reduction"]);
  const [p, t] = floatPair(op, pred, target, ["pred", "target"]);
  return reduce(op, abs(sub(p, t)), opts.reduction);
}

/**
 * Options of {@link nn.huber}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.HuberOptions = { delta: 0.5, reduction: "none" };
 * ad.nn.huber(ad.tensor([0.2, 2]), ad.zeros([2]), opts); // => tensor([0.02, 0.875], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export interface HuberOptions {
  /** Where the loss turns from quadratic to linear (default 1; > 0). */
  delta?: number;
  reduction?: Reduction;
}

/**
 * Huber loss (PyTorch's HuberLoss): with d = pred - target, 0.5 d^2 where |d| <= delta and
 * delta (|d| - 0.5 delta) beyond, elementwise, reduced over all elements. Smooth: its first
 * derivative is continuous, the second jumps at |d| = delta.
 * @throws {@link ValueError} for a delta that is not a positive finite number.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nn.huber(ad.tensor([0.5, 3, -3]), ad.zeros([3]), { reduction: "none" }); // => tensor([0.125, 2.5, 2.5], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function huber(pred: TensorLike, target: TensorLike, options: HuberOptions = {}): Tensor {
  const op = "nn.huber";
  const opts = checkOptions(op, options, ["delta", "reduction"]);
  const delta = opts.delta ?? 1;
  if (typeof delta !== "number" || !(delta > 0) || !Number.isFinite(delta)) {
    throw new ValueError(
      `${op}: delta must be a positive finite number; got ${describeValue(delta)}`,
    );
  }
  const [p, t] = floatPair(op, pred, target, ["pred", "target"]);
  const d = sub(p, t);
  const a = abs(d);
  // Both branches are finite everywhere, so where's derivative is each branch's own.
  const loss = where(lessEqual(a, delta), mul(square(d), 0.5), mul(sub(a, 0.5 * delta), delta));
  return reduce(op, loss, opts.reduction);
}
