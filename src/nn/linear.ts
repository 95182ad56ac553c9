/**
 * @file `nn.linear`: the dense layer y = x w + b, with the kernel stored [in, out] as in flax and
 * JAX (so x [..., in] multiplies it directly), LeCun-normal kernel and zero bias by default.
 */

import { checkOptions } from "../core/options.js";
import type { Tensor } from "../core/tensor.js";
import { add } from "../ops/elementwise.js";
import { matmul } from "../ops/linalg.js";
import { random } from "../ops/random.js";
import { type FloatDType, type InitOptions, lecunNormal, zeros } from "./init.js";
import {
  checkInput,
  checkKey,
  checkParams,
  checkSize,
  type Layer,
  statelessLayer,
} from "./layer.js";

/**
 * Parameters of {@link nn.linear}: kernel `w` [in, out] and bias `b` [out] (absent when made
 * with `bias: false`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const p: ad.LinearParams = { w: ad.ones([2, 1]), b: ad.zeros([1]) };
 * ad.nn.linear(p, ad.tensor([[1, 2]])); // => tensor([[3.]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export type LinearParams = { w: Tensor; b?: Tensor };

/**
 * Options of `nn.linear.init`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.LinearInitOptions = { bias: false, dtype: "float64" };
 * Object.keys(ad.nn.linear.init(ad.random.key(0), 3, 2, opts)); // => [ 'w' ]
 * ```
 * @category Neural-net ops
 */
export interface LinearInitOptions {
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
  dtype?: FloatDType;
  /** Kernel initialiser, given shape [in, out] (default nn.lecunNormal). */
  kernelInit?: (shape: readonly number[], options: InitOptions) => Tensor;
  /** Bias initialiser, given shape [out] (default nn.zeros). */
  biasInit?: (shape: readonly number[], options: InitOptions) => Tensor;
}

const OPTION_KEYS = ["bias", "dtype", "kernelInit", "biasInit"];

function init(
  key: Tensor,
  inFeatures: number,
  outFeatures: number,
  options: LinearInitOptions = {},
): LinearParams {
  const op = "nn.linear.init";
  const opts = checkOptions(op, options, OPTION_KEYS);
  checkKey(op, key);
  checkSize(op, "inFeatures", inFeatures);
  checkSize(op, "outFeatures", outFeatures);
  const [kw, kb] = random.split(key, 2);
  const w = (opts.kernelInit ?? lecunNormal)([inFeatures, outFeatures], {
    key: kw!,
    dtype: opts.dtype,
  });
  if (opts.bias === false) return { w };
  const b = (opts.biasInit ?? zeros)([outFeatures], { key: kb!, dtype: opts.dtype });
  return { w, b };
}

function apply(params: LinearParams, x: Tensor): Tensor {
  const op = "nn.linear";
  checkParams(op, params, ["w"]);
  checkInput(op, "x", x);
  const y = matmul(x, params.w);
  return params.b === undefined ? y : add(y, params.b);
}

/**
 * The dense layer `y = x w + b` over the last axis of x: x [..., in], `params.w` [in, out],
 * `params.b` [out] (optional). `nn.linear.init(key, inFeatures, outFeatures, options?)` makes
 * the params (kernel nn.lecunNormal, bias zeros, as flax); `nn.linear.layer(in, out, options?)`
 * makes a {@link Layer} for {@link nn.sequential}.
 * @throws {@link ShapeError} when x's last axis is not `in`.
 * @throws {@link ValueError} for params without a tensor `w`, or a bad size or option in init.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const params = ad.nn.linear.init(ad.random.key(0), 3, 2);
 * params.w.shape; // => [3, 2]
 * ad.nn.linear(params, ad.ones([4, 3])).shape; // => [4, 2]
 * ad.nn.linear({ w: ad.eye(2), b: ad.tensor([1, -1]) }, ad.tensor([5, 6])); // => tensor([6., 5.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export const linear = Object.assign(apply, {
  init,
  /** A {@link Layer} of `inFeatures` -> `outFeatures` for {@link nn.sequential}. */
  layer(
    inFeatures: number,
    outFeatures: number,
    options: LinearInitOptions = {},
  ): Layer<LinearParams, null> {
    checkOptions("nn.linear.layer", options, OPTION_KEYS);
    return statelessLayer(
      (key) => init(key, inFeatures, outFeatures, options),
      (params, x) => apply(params, x),
    );
  },
});
