/**
 * @file Attention: `nn.attentionWeights` and `nn.dotProductAttention` (softmax(q k^T / sqrt(d))
 * v with an optional boolean mask and a causal mask) and `nn.multiHeadAttention`, the projected
 * multi-head layer of "Attention is all you need" (PyTorch's nn.MultiheadAttention with
 * batch-first inputs and kernels stored [in, out]).
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { add, astype, div, logicalAnd, where } from "../ops/elementwise.js";
import { matmul } from "../ops/linalg.js";
import { tri } from "../ops/matrix-structure.js";
import { random } from "../ops/random.js";
import { softmax } from "../ops/reduce.js";
import { reshape, swapAxes } from "../ops/shape.js";
import type { FloatDType } from "./init.js";
import {
  checkInput,
  checkKey,
  checkParams,
  checkSize,
  type Layer,
  statelessLayer,
} from "./layer.js";
import { type LinearParams, linear } from "./linear.js";

/**
 * Options of the attention functions: a boolean mask (true: may attend) broadcast against the
 * weights [..., Lq, Lk], and/or a causal mask (query i attends keys j <= i).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.AttentionOptions = { causal: true };
 * ad.nn.attentionWeights(ad.ones([2, 4]), ad.ones([2, 4]), opts); // => tensor([[1., 0.], [0.5, 0.5]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export interface AttentionOptions {
  /** Mask out the future: weight 0 where key index > query index. */
  causal?: boolean;
  /** Boolean mask broadcastable to [..., Lq, Lk] (multi-head: [..., heads, Lq, Lk]); true keeps. */
  mask?: TensorLike;
}

/** The lowest finite value of a float dtype: masked scores, so a fully masked row stays finite. */
function lowest(dtype: string): number {
  return dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38;
}

function attentionMask(op: string, lq: number, lk: number, opts: AttentionOptions): Tensor | null {
  let mask: Tensor | null = null;
  if (opts.mask !== undefined) {
    mask = toTensor(opts.mask);
    if (mask.dtype !== "bool") {
      throw new ValueError(
        `${op}: mask must be a bool tensor (true: may attend); got dtype ${mask.dtype}`,
      );
    }
  }
  if (opts.causal !== undefined && typeof opts.causal !== "boolean") {
    throw new ValueError(`${op}: causal must be true or false; got ${describeValue(opts.causal)}`);
  }
  if (opts.causal) {
    // tri(lq, lk) is 1 on and below the diagonal: query i sees keys 0..i.
    const causal = astype(tri(lq, lk), "bool");
    mask = mask === null ? causal : logicalAnd(mask, causal);
  }
  return mask;
}

function weightsOf(op: string, q: Tensor, k: Tensor, options: AttentionOptions): Tensor {
  const opts = checkOptions(op, options, ["causal", "mask"]);
  checkInput(op, "q", q);
  checkInput(op, "k", k);
  if (q.ndim < 2 || k.ndim < 2 || q.shape[q.ndim - 1] !== k.shape[k.ndim - 1]) {
    throw new ShapeError(
      `${op}: q and k must be [..., L, d] with the same d; got q ${fmtShape(q.shape)} and k ${fmtShape(k.shape)}`,
    );
  }
  const d = q.shape[q.ndim - 1]!;
  const scores = div(matmul(q, swapAxes(k, -1, -2)), Math.sqrt(d));
  const mask = attentionMask(op, q.shape[q.ndim - 2]!, k.shape[k.ndim - 2]!, opts);
  const masked = mask === null ? scores : where(mask, scores, lowest(scores.dtype));
  return softmax(masked, { axis: -1 });
}

/**
 * Attention weights softmax(q k^T / sqrt(d)) over the last axis, q [..., Lq, d], k [..., Lk, d]
 * -> [..., Lq, Lk]; masked entries (mask false, or a future key when causal) get weight exactly
 * 0 (their score is the dtype's lowest value, so a fully masked row is uniform, not NaN).
 * @throws {@link ShapeError} for q and k that are not [..., L, d] with the same d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const q = ad.tensor([[1, 0], [0, 1]]);
 * ad.nn.attentionWeights(q, q, { causal: true }); // => tensor([[1., 0.], [0.33..., 0.66...]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function attentionWeights(q: Tensor, k: Tensor, options: AttentionOptions = {}): Tensor {
  return weightsOf("nn.attentionWeights", q, k, options);
}

/**
 * Scaled dot-product attention: `attentionWeights(q, k, options) v`, with q [..., Lq, d], k
 * [..., Lk, d], v [..., Lk, dv] -> [..., Lq, dv].
 * @throws {@link ShapeError} as {@link nn.attentionWeights}, or when v's length is not k's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([[1, 0], [0, 1]]);
 * ad.nn.dotProductAttention(x, x, ad.tensor([[10], [20]]), { causal: true }); // => tensor([[10.], [16.6...]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function dotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionOptions = {},
): Tensor {
  const op = "nn.dotProductAttention";
  checkInput(op, "v", v);
  if (v.ndim < 2 || v.shape[v.ndim - 2] !== k.shape[k.ndim - 2]) {
    throw new ShapeError(
      `${op}: v must be [..., Lk, dv] with k's length; got k ${fmtShape(k.shape)} and v ${fmtShape(v.shape)}`,
    );
  }
  return matmul(weightsOf(op, q, k, options), v);
}

/**
 * Parameters of {@link nn.multiHeadAttention}, shaped so that the number of heads is part of the
 * shapes (as flax's DenseGeneral): projections `q`, `k`, `v` with w [dModel, heads, headDim]
 * and b [heads, headDim], output `o` with w [heads, headDim, dModel] and b [dModel].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const p: ad.MultiHeadAttentionParams = ad.nn.multiHeadAttention.init(ad.random.key(0), 8, 2);
 * p.q.w.shape; // => [8, 2, 4]
 * p.o.w.shape; // => [2, 4, 8]
 * ```
 * @category Neural-net ops
 */
export type MultiHeadAttentionParams = {
  q: LinearParams;
  k: LinearParams;
  v: LinearParams;
  o: LinearParams;
};

function mhaInit(
  key: Tensor,
  dModel: number,
  numHeads: number,
  options: { dtype?: FloatDType; bias?: boolean } = {},
): MultiHeadAttentionParams {
  const op = "nn.multiHeadAttention.init";
  const opts = checkOptions(op, options, ["dtype", "bias"]);
  checkKey(op, key);
  checkSize(op, "dModel", dModel);
  checkSize(op, "numHeads", numHeads);
  if (dModel % numHeads !== 0) {
    throw new ValueError(`${op}: dModel (${dModel}) must be divisible by numHeads (${numHeads})`);
  }
  const dh = dModel / numHeads;
  const [kq, kk, kv, ko] = random.split(key, 4);
  // Each projection is a dModel x dModel dense kernel (fan-in dModel), viewed with heads split out.
  const inProj = (k: Tensor): LinearParams => {
    const p = linear.init(k, dModel, dModel, opts);
    const w = reshape(p.w, [dModel, numHeads, dh]);
    return p.b === undefined ? { w } : { w, b: reshape(p.b, [numHeads, dh]) };
  };
  const o = linear.init(ko!, dModel, dModel, opts);
  const ow = reshape(o.w, [numHeads, dh, dModel]);
  return {
    q: inProj(kq!),
    k: inProj(kk!),
    v: inProj(kv!),
    o: o.b === undefined ? { w: ow } : { w: ow, b: o.b },
  };
}

/** x [..., L, dModel] through a [dModel, heads, dh] projection -> [..., heads, L, dh]. */
function project(p: LinearParams, x: Tensor): Tensor {
  const [dModel, h, dh] = p.w.shape as [number, number, number];
  let y = reshape(matmul(x, reshape(p.w, [dModel, h * dh])), [...x.shape.slice(0, -1), h, dh]);
  if (p.b !== undefined) y = add(y, p.b);
  return swapAxes(y, -2, -3);
}

function checkProjection(
  op: string,
  name: string,
  p: unknown,
  dModel: number,
  h: number,
  dh: number,
  out: boolean,
): void {
  checkParams(`${op}`, p, ["w"]);
  const w = (p as LinearParams).w;
  const want = out ? [h, dh, dModel] : [dModel, h, dh];
  if (w.ndim !== 3 || w.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(
      `${op}: params.${name}.w must have shape ${fmtShape(want)} (from ${op}.init); got ${fmtShape(w.shape)}`,
    );
  }
}

function mhaApply(
  params: MultiHeadAttentionParams,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionOptions = {},
): Tensor {
  const op = "nn.multiHeadAttention";
  const opts = checkOptions(op, options, ["causal", "mask"]);
  checkParams(op, params, []);
  for (const name of ["q", "k", "v", "o"] as const) checkParams(op, params[name], ["w"]);
  const [dModel, h, dh] = params.q.w.shape as [number, number, number];
  for (const name of ["q", "k", "v", "o"] as const) {
    checkProjection(op, name, params[name], dModel, h, dh, name === "o");
  }
  for (const [name, x] of [
    ["q", q],
    ["k", k],
    ["v", v],
  ] as const) {
    checkInput(op, name, x);
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== dModel) {
      throw new ShapeError(
        `${op}: ${name} must be [..., L, ${dModel}] (dModel of the params); got shape ${fmtShape(x.shape)}`,
      );
    }
  }
  const heads = matmul(
    weightsOf(op, project(params.q, q), project(params.k, k), opts),
    project(params.v, v),
  );
  // [..., heads, L, dh] -> [..., L, heads * dh], then the output kernel viewed as [heads * dh, dModel].
  const t = swapAxes(heads, -2, -3);
  const merged = reshape(t, [...t.shape.slice(0, -2), h * dh]);
  const y = matmul(merged, reshape(params.o.w, [h * dh, dModel]));
  return params.o.b === undefined ? y : add(y, params.o.b);
}

/**
 * Multi-head attention: `nn.multiHeadAttention(params, q, k, v, { causal?, mask? })` with q
 * [..., Lq, dModel] and k, v [..., Lk, dModel]. Each input is projected into heads (`params.q`,
 * `.k`, `.v`), each head attends with {@link nn.dotProductAttention} (`causal` and `mask` as
 * there; a mask broadcasts against [..., heads, Lq, Lk]), and the heads are merged and projected
 * by `params.o`, as PyTorch's nn.MultiheadAttention (batch first). The number of heads is read
 * from the params' shapes. `nn.multiHeadAttention.init(key, dModel, numHeads, { dtype?, bias? })`
 * makes the params (LeCun-normal kernels, zero biases);
 * `nn.multiHeadAttention.layer(dModel, numHeads, { causal? })` a self-attention {@link Layer}
 * (q = k = v = x).
 * @throws {@link ShapeError} for inputs that are not [..., L, dModel] or params of other shapes;
 *   {@link ValueError} when numHeads does not divide dModel.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const params = ad.nn.multiHeadAttention.init(ad.random.key(0), 8, 2);
 * const x = ad.random.normal([3, 5, 8], { seed: 1 });
 * ad.nn.multiHeadAttention(params, x, x, x, { causal: true }).shape; // => [3, 5, 8]
 * ```
 * @category Neural-net ops
 */
export const multiHeadAttention = Object.assign(mhaApply, {
  init: mhaInit,
  /** A self-attention {@link Layer}: y = multiHeadAttention(params, x, x, x). */
  layer(
    dModel: number,
    numHeads: number,
    options: { causal?: boolean; dtype?: FloatDType; bias?: boolean } = {},
  ): Layer<MultiHeadAttentionParams, null> {
    const { causal, dtype, bias } = checkOptions("nn.multiHeadAttention.layer", options, [
      "causal",
      "dtype",
      "bias",
    ]);
    return statelessLayer(
      (key) => mhaInit(key, dModel, numHeads, { dtype, bias }),
      (params, x) => mhaApply(params, x, x, x, { causal }),
    );
  },
});
