/**
 * @file `nn.layerNorm` and `nn.batchNorm`. Layer norm normalises each example over its trailing
 * feature axes; batch norm normalises each channel (axis 1) over the batch and spatial axes and
 * keeps running statistics as explicit state, updated as PyTorch does (momentum 0.1, the
 * running variance from the unbiased batch variance).
 */

import { describeValue } from "../core/describe.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor } from "../core/tensor.js";
import { add, mul, rsqrt, square, sub } from "../ops/elementwise.js";
import { mean } from "../ops/reduce.js";
import { reshape } from "../ops/shape.js";
import { stopGradient } from "../transforms/stop-gradient.js";
import { type FloatDType, ones, zeros } from "./init.js";
import {
  checkInput,
  checkKey,
  checkParams,
  checkSize,
  type Layer,
  statelessLayer,
} from "./layer.js";

/**
 * Parameters of the normalisation layers: a scale (gamma, ones) and a bias (beta, zeros).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const p: ad.NormParams = { scale: ad.ones([2]), bias: ad.zeros([2]) };
 * ad.nn.layerNorm(p, ad.tensor([[1, 3]])); // => tensor([[-0.99999..., 0.99999...]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export type NormParams = { scale: Tensor; bias: Tensor };

/**
 * The explicit state of {@link nn.batchNorm}: running mean and (unbiased) variance per channel.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const s: ad.BatchNormState = ad.nn.batchNorm.initState(3);
 * s.var; // => tensor([1., 1., 1.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export type BatchNormState = { mean: Tensor; var: Tensor };

function checkEps(op: string, eps: unknown): number {
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) {
    throw new ValueError(`${op}: eps must be a finite number >= 0; got ${describeValue(eps)}`);
  }
  return eps;
}

function featureShape(op: string, shape: unknown): number[] {
  const s = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(s) || s.length === 0) {
    throw new ValueError(
      `${op}: shape must be a positive integer or a non-empty array of them; got ${describeValue(shape)}`,
    );
  }
  return s.map((d, i) => checkSize(op, `shape[${i}]`, d));
}

function layerNormInit(
  key: Tensor,
  shape: number | readonly number[],
  options: { dtype?: FloatDType } = {},
): NormParams {
  const op = "nn.layerNorm.init";
  const opts = checkOptions(op, options, ["dtype"]);
  checkKey(op, key);
  const s = featureShape(op, shape);
  return { scale: ones(s, { dtype: opts.dtype }), bias: zeros(s, { dtype: opts.dtype }) };
}

function layerNormApply(params: NormParams, x: Tensor, options: { eps?: number } = {}): Tensor {
  const op = "nn.layerNorm";
  const opts = checkOptions(op, options, ["eps"]);
  checkParams(op, params, ["scale", "bias"]);
  checkInput(op, "x", x);
  const eps = checkEps(op, opts.eps ?? 1e-5);
  const k = params.scale.ndim;
  const tail = x.shape.slice(x.ndim - k);
  if (x.ndim < k || tail.some((d, i) => d !== params.scale.shape[i])) {
    throw new ShapeError(
      `${op}: x's trailing axes must be the normalised shape ${fmtShape(params.scale.shape)}; got x of shape ${fmtShape(x.shape)}`,
    );
  }
  const axis = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const mu = mean(x, { axis, keepdims: true });
  const xc = sub(x, mu);
  const v = mean(square(xc), { axis, keepdims: true });
  return add(mul(mul(xc, rsqrt(add(v, eps))), params.scale), params.bias);
}

/**
 * Layer normalisation over the trailing axes of x given by the params' shape (PyTorch's
 * normalized_shape): y = (x - mean) / sqrt(var + eps) * scale + bias with the biased variance
 * of each example, eps = 1e-5 by default. `nn.layerNorm.init(key, shape, { dtype? })` gives
 * scale ones and bias zeros of `shape` (a number for the last axis); `nn.layerNorm.layer(shape,
 * { eps? })` makes a {@link Layer}.
 * @throws {@link ShapeError} when x's trailing axes are not the params' shape.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const params = ad.nn.layerNorm.init(ad.random.key(0), 3);
 * const y = ad.nn.layerNorm(params, ad.tensor([[1, 2, 3], [10, 20, 60]], { dtype: "float64" }));
 * ad.mean(y, { axis: -1 }); // => tensor([0., ...], dtype=float64)
 * ```
 * @category Neural-net ops
 */
export const layerNorm = Object.assign(layerNormApply, {
  init: layerNormInit,
  /** A {@link Layer} normalising over trailing axes of shape `shape`. */
  layer(
    shape: number | readonly number[],
    options: { eps?: number; dtype?: FloatDType } = {},
  ): Layer<NormParams, null> {
    const { eps, dtype } = checkOptions("nn.layerNorm.layer", options, ["eps", "dtype"]);
    return statelessLayer(
      (key) => layerNormInit(key, shape, { dtype }),
      (params, x) => layerNormApply(params, x, { eps }),
    );
  },
});

/**
 * Options of {@link nn.batchNorm}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.BatchNormOptions = { training: true, momentum: 0.1, eps: 1e-5 };
 * opts.training; // => true
 * ```
 * @category Neural-net ops
 */
export interface BatchNormOptions {
  /** Use and update batch statistics (true) or use the running ones (false). */
  training: boolean;
  /** Weight of the new batch statistic in the running average (default 0.1, as PyTorch). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

function batchNormInit(
  key: Tensor,
  numFeatures: number,
  options: { dtype?: FloatDType } = {},
): NormParams {
  const op = "nn.batchNorm.init";
  const opts = checkOptions(op, options, ["dtype"]);
  checkKey(op, key);
  checkSize(op, "numFeatures", numFeatures);
  return {
    scale: ones([numFeatures], { dtype: opts.dtype }),
    bias: zeros([numFeatures], { dtype: opts.dtype }),
  };
}

function batchNormInitState(
  numFeatures: number,
  options: { dtype?: FloatDType } = {},
): BatchNormState {
  const op = "nn.batchNorm.initState";
  const opts = checkOptions(op, options, ["dtype"]);
  checkSize(op, "numFeatures", numFeatures);
  return {
    mean: zeros([numFeatures], { dtype: opts.dtype }),
    var: ones([numFeatures], { dtype: opts.dtype }),
  };
}

function batchNormApply(
  params: NormParams,
  state: BatchNormState,
  x: Tensor,
  options: BatchNormOptions,
): [Tensor, BatchNormState] {
  const op = "nn.batchNorm";
  const opts = checkOptions(op, options, ["training", "momentum", "eps"]);
  checkParams(op, params, ["scale", "bias"]);
  checkParams(op, state, ["mean", "var"]);
  checkInput(op, "x", x);
  if (typeof opts.training !== "boolean") {
    throw new ValueError(
      `${op}: training must be true or false; got ${describeValue(opts.training)}`,
    );
  }
  const eps = checkEps(op, opts.eps ?? 1e-5);
  const momentum = opts.momentum ?? 0.1;
  if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
    throw new ValueError(
      `${op}: momentum must be a number in [0, 1]; got ${describeValue(momentum)}`,
    );
  }
  const c = params.scale.shape[0];
  if (x.ndim < 2 || x.shape[1] !== c) {
    throw new ShapeError(
      `${op}: x must be [N, C, ...] with C = ${c} channels (axis 1); got x of shape ${fmtShape(x.shape)}`,
    );
  }
  // Per-channel vectors broadcast against x as [C, 1, ..., 1].
  const bshape = [c!, ...Array<number>(x.ndim - 2).fill(1)];
  const perChannel = (t: Tensor): Tensor => reshape(t, bshape);
  const axis = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  let mu: Tensor;
  let v: Tensor;
  let next = state;
  if (opts.training) {
    const n = x.size / c!;
    if (n < 2) {
      throw new ValueError(
        `${op}: training needs more than 1 value per channel; got x of shape ${fmtShape(x.shape)}`,
      );
    }
    mu = mean(x, { axis, keepdims: true });
    v = mean(square(sub(x, mu)), { axis, keepdims: true });
    // The running statistics are state, not parameters: no derivative flows into them.
    const batchMean = stopGradient(reshape(mu, [c!]));
    const unbiased = stopGradient(mul(reshape(v, [c!]), n / (n - 1)));
    next = {
      mean: add(mul(state.mean, 1 - momentum), mul(batchMean, momentum)),
      var: add(mul(state.var, 1 - momentum), mul(unbiased, momentum)),
    };
  } else {
    mu = perChannel(state.mean);
    v = perChannel(state.var);
  }
  const y = add(
    mul(mul(sub(x, mu), rsqrt(add(v, eps))), perChannel(params.scale)),
    perChannel(params.bias),
  );
  return [y, next];
}

/**
 * Batch normalisation with explicit state: `nn.batchNorm(params, state, x, { training,
 * momentum?, eps? })` returns `[y, newState]`. x is [N, C, ...] (channels on axis 1, as NCHW);
 * each channel is normalised by the batch mean and biased variance over every other axis when
 * training, by the running statistics otherwise, then scaled and shifted. While training the
 * new state is `(1 - momentum) * running + momentum * batch` (the unbiased batch variance for
 * var; momentum 0.1), exactly as PyTorch's BatchNorm; in evaluation the state is returned as
 * is. `nn.batchNorm.init(key, numFeatures)` gives {scale: ones, bias: zeros},
 * `nn.batchNorm.initState(numFeatures)` {mean: zeros, var: ones}; `nn.batchNorm.layer(n,
 * { momentum?, eps? })` makes a {@link Layer} with state.
 * @throws {@link ShapeError} when x's axis 1 is not the number of channels; {@link ValueError}
 *   for a missing training flag, a bad momentum or eps, or a single value per channel while
 *   training.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const params = ad.nn.batchNorm.init(ad.random.key(0), 2);
 * const state = ad.nn.batchNorm.initState(2);
 * const x = ad.tensor([[1, 10], [3, 30]]);
 * const [y, next] = ad.nn.batchNorm(params, state, x, { training: true });
 * y; // => tensor([[-0.99..., -0.99...], [0.99..., 0.99...]], dtype=float32)
 * next.mean; // => tensor([0.2, 2.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export const batchNorm = Object.assign(batchNormApply, {
  init: batchNormInit,
  initState: batchNormInitState,
  /** A {@link Layer} with running statistics as its state. */
  layer(
    numFeatures: number,
    options: { momentum?: number; eps?: number; dtype?: FloatDType } = {},
  ): Layer<NormParams, BatchNormState> {
    const { momentum, eps, dtype } = checkOptions("nn.batchNorm.layer", options, [
      "momentum",
      "eps",
      "dtype",
    ]);
    return {
      init: (key) => batchNormInit(key, numFeatures, { dtype }),
      initState: () => batchNormInitState(numFeatures, { dtype }),
      call: (params, state, x, ctx) =>
        batchNormApply(params, state, x, { training: ctx.training, momentum, eps }),
    };
  },
});
