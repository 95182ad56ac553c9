/**
 * @file `nn.conv2d`: the 2-d convolution layer over NCHW inputs with an OIHW kernel (the layout
 * of ad.conv2d and PyTorch), LeCun-normal kernel (fans from axes 1 and 0) and zero bias.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor } from "../core/tensor.js";
import { add } from "../ops/elementwise.js";
import { type Conv2dOptions, conv2d as conv2dOp } from "../ops/nn.js";
import { random } from "../ops/random.js";
import { reshape } from "../ops/shape.js";
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
 * Parameters of {@link nn.conv2d}: kernel `w` [out, in / groups, kh, kw] and bias `b` [out].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const p: ad.Conv2dParams = { w: ad.ones([1, 1, 2, 2]) };
 * ad.nn.conv2d(p, ad.ones([1, 1, 3, 3])).shape; // => [1, 1, 2, 2]
 * ```
 * @category Neural-net ops
 */
export type Conv2dParams = { w: Tensor; b?: Tensor };

/**
 * Options of `nn.conv2d.init`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.Conv2dInitOptions = { groups: 2, bias: false };
 * ad.nn.conv2d.init(ad.random.key(0), 4, 6, 3, opts).w.shape; // => [6, 2, 3, 3]
 * ```
 * @category Neural-net ops
 */
export interface Conv2dInitOptions {
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
  dtype?: FloatDType;
  /** Channel groups (default 1): the kernel is [out, in / groups, kh, kw]. */
  groups?: number;
  /** Kernel initialiser, given shape [out, in / groups, kh, kw] and `{ inAxis: 1, outAxis: 0 }`. */
  kernelInit?: (shape: readonly number[], options: InitOptions) => Tensor;
  /** Bias initialiser, given shape [out] (default nn.zeros). */
  biasInit?: (shape: readonly number[], options: InitOptions) => Tensor;
}

const INIT_KEYS = ["bias", "dtype", "groups", "kernelInit", "biasInit"];
const APPLY_KEYS = ["stride", "padding", "dilation", "groups"];

function kernelPair(op: string, k: unknown): [number, number] {
  if (typeof k === "number") return [checkSize(op, "kernelSize", k), k];
  if (Array.isArray(k) && k.length === 2) {
    return [checkSize(op, "kernelSize[0]", k[0]), checkSize(op, "kernelSize[1]", k[1])];
  }
  throw new ValueError(
    `${op}: kernelSize must be a positive integer or a pair [kh, kw]; got ${describeValue(k)}`,
  );
}

function init(
  key: Tensor,
  inChannels: number,
  outChannels: number,
  kernelSize: number | readonly [number, number],
  options: Conv2dInitOptions = {},
): Conv2dParams {
  const op = "nn.conv2d.init";
  const opts = checkOptions(op, options, INIT_KEYS);
  checkKey(op, key);
  checkSize(op, "inChannels", inChannels);
  checkSize(op, "outChannels", outChannels);
  const [kh, kw] = kernelPair(op, kernelSize);
  const groups = checkSize(op, "groups", opts.groups ?? 1);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new ValueError(
      `${op}: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`,
    );
  }
  const [kk, kb] = random.split(key, 2);
  const shape = [outChannels, inChannels / groups, kh, kw];
  const w = (opts.kernelInit ?? lecunNormal)(shape, {
    key: kk!,
    dtype: opts.dtype,
    inAxis: 1,
    outAxis: 0,
  });
  if (opts.bias === false) return { w };
  return { w, b: (opts.biasInit ?? zeros)([outChannels], { key: kb!, dtype: opts.dtype }) };
}

function apply(params: Conv2dParams, x: Tensor, options: Conv2dOptions = {}): Tensor {
  const op = "nn.conv2d";
  checkParams(op, params, ["w"]);
  checkInput(op, "x", x);
  checkOptions(op, options, APPLY_KEYS);
  const y = conv2dOp(x, params.w, options);
  return params.b === undefined ? y : add(y, reshape(params.b, [-1, 1, 1]));
}

/**
 * The 2-d convolution layer: `ad.conv2d(x, params.w, options) + params.b` per output channel,
 * x [N, C, H, W] (NCHW), w [O, C / groups, KH, KW] (OIHW), b [O]; `options` are ad.conv2d's
 * (stride, padding, dilation, groups). `nn.conv2d.init(key, inChannels, outChannels,
 * kernelSize, options?)` makes the params (nn.lecunNormal with fan-in C / groups * KH * KW, zero
 * bias); `nn.conv2d.layer(inChannels, outChannels, kernelSize, options?)` makes a
 * {@link Layer} whose options also take the conv options.
 * @throws {@link ShapeError} and {@link ValueError} as ad.conv2d, and for bad params or sizes.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const params = ad.nn.conv2d.init(ad.random.key(0), 3, 8, 3);
 * params.w.shape; // => [8, 3, 3, 3]
 * ad.nn.conv2d(params, ad.ones([2, 3, 16, 16]), { padding: "same" }).shape; // => [2, 8, 16, 16]
 * ```
 * @category Neural-net ops
 */
export const conv2d = Object.assign(apply, {
  init,
  /** A {@link Layer} for {@link nn.sequential}; options are the init options and the conv options. */
  layer(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    options: Conv2dInitOptions & Conv2dOptions = {},
  ): Layer<Conv2dParams, null> {
    const opts = checkOptions("nn.conv2d.layer", options, [
      ...new Set([...INIT_KEYS, ...APPLY_KEYS]),
    ]);
    const { stride, padding, dilation, groups, ...initOpts } = opts;
    const convOpts: Conv2dOptions = { stride, padding, dilation, groups };
    for (const k of APPLY_KEYS) {
      if (convOpts[k as keyof Conv2dOptions] === undefined)
        delete convOpts[k as keyof Conv2dOptions];
    }
    return statelessLayer(
      (key) => init(key, inChannels, outChannels, kernelSize, { ...initOpts, groups }),
      (params, x) => apply(params, x, convOpts),
    );
  },
});
