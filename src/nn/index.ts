/**
 * @file `ad.nn`: initialisers, layers as pure functions, losses, a metric and parameter
 * utilities, gathered into one namespace object.
 */

import { attentionWeights, dotProductAttention, multiHeadAttention } from "./attention.js";
import { conv2d } from "./conv.js";
import { dropout } from "./dropout.js";
import { embedding } from "./embedding.js";
import {
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  lecunNormal,
  ones,
  orthogonal,
  zeros,
} from "./init.js";
import { linear } from "./linear.js";
import { binaryCrossEntropyWithLogits, huber, l1, mse, softmaxCrossEntropy } from "./losses.js";
import { accuracy } from "./metrics.js";
import { batchNorm, layerNorm } from "./norm.js";
import { countParams, flattenParams, loadParams, saveParams } from "./params.js";
import { residual, sequential } from "./sequential.js";

export type { AttentionOptions, MultiHeadAttentionParams } from "./attention.js";
export type { Conv2dInitOptions, Conv2dParams } from "./conv.js";
export type { DropoutOptions } from "./dropout.js";
export type { EmbeddingParams } from "./embedding.js";
export type { FloatDType, Initializer, InitOptions, OrthogonalOptions } from "./init.js";
export type { Layer, LayerContext } from "./layer.js";
export type { LinearInitOptions, LinearParams } from "./linear.js";
export type {
  BinaryCrossEntropyOptions,
  CrossEntropyOptions,
  HuberOptions,
  LossOptions,
  Reduction,
} from "./losses.js";
export type { BatchNormOptions, BatchNormState, NormParams } from "./norm.js";
export type { SaveParamsOptions } from "./params.js";
export type {
  ApplyOptions,
  ParamsOf,
  Sequential,
  SequentialEntry,
  StateOf,
} from "./sequential.js";

/**
 * Neural networks as pure functions over pytrees, `ad.nn`: initialisers called like
 * `ad.random`'s samplers (`glorotUniform`, `glorotNormal`, `heNormal`, `heUniform`,
 * `lecunNormal`, `orthogonal`, `zeros`, `ones`); layers as functions of their params with an
 * `init(key, ...)` and a `.layer(...)` factory for `sequential` (`linear`, `conv2d`,
 * `embedding`, `layerNorm`, `batchNorm` with explicit state, `dropout`, `multiHeadAttention`,
 * `residual`); attention helpers; losses with a `reduction` (`softmaxCrossEntropy`,
 * `binaryCrossEntropyWithLogits`, `mse`, `huber`, `l1`); `accuracy`; and parameter utilities
 * (`countParams`, `flattenParams`, `saveParams`, `loadParams`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const model = ad.nn.sequential([ad.nn.linear.layer(2, 16), ad.tanh, ad.nn.linear.layer(16, 3)]);
 * let params = model.init(ad.random.key(0));
 * const x = ad.tensor([[0, 1], [1, 0], [1, 1]]);
 * const y = ad.tensor([0, 1, 2], { dtype: "int32" });
 * const loss = (p: typeof params) => ad.nn.softmaxCrossEntropy(model.apply(p, x), y);
 * const before = loss(params).item();
 * for (let i = 0; i < 50; i++) {
 *   const g = ad.grad(loss)(params);
 *   params = ad.treeMap((p: ad.Tensor, d: ad.Tensor) => ad.sub(p, ad.mul(d, 0.5)), params, g);
 * }
 * loss(params).item() < before / 10; // => true
 * ad.nn.accuracy(model.apply(params, x), y); // => tensor(1., dtype=float32)
 * ```
 * @category Neural-net ops
 * @namespace
 */
export const nn = {
  glorotUniform,
  glorotNormal,
  heNormal,
  heUniform,
  lecunNormal,
  orthogonal,
  zeros,
  ones,
  linear,
  conv2d,
  embedding,
  layerNorm,
  batchNorm,
  dropout,
  attentionWeights,
  dotProductAttention,
  multiHeadAttention,
  sequential,
  residual,
  softmaxCrossEntropy,
  binaryCrossEntropyWithLogits,
  mse,
  huber,
  l1,
  accuracy,
  countParams,
  flattenParams,
  saveParams,
  loadParams,
} as const;
