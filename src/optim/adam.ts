/**
 * @file `optim.adam` and `optim.adamw`: Adam with L2 weight decay in the gradient (as
 * torch.optim.Adam) and with decoupled weight decay (as torch.optim.AdamW), optionally AMSGrad.
 * One update rule serves both; they differ only in where the decay enters.
 */

import { checkOptions } from "../core/options.js";
import type { Tensor } from "../core/tensor.js";
import { zerosLike } from "../ops/creation.js";
import { add, div, maximum, mul, sqrt, square, sub } from "../ops/elementwise.js";
import { booleanOption, learningRateOption, numberOption } from "./checks.js";
import { type FusedLoop, type LeafStep, leafwiseOptimizer } from "./leafwise.js";
import { type Scalar, sAdd, sDiv, sMul, sPow, sSqrt, sSub } from "./scalar-math.js";
import type { LearningRate, Optimizer } from "./types.js";

/**
 * The options of `ad.optim.adam` and `ad.optim.adamw`.
 * @category Neural-net ops
 */
export interface AdamOptions {
  /** The learning rate: a positive finite number or a schedule of the step count. */
  lr: LearningRate;
  /** Decay of the first moment, in [0, 1) (default 0.9). */
  b1?: number;
  /** Decay of the second moment, in [0, 1) (default 0.999). */
  b2?: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** Weight decay: L2 in the gradient for adam (default 0), decoupled for adamw (default 0.01). */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
}

type Decay = "l2" | "decoupled";

function adamFamily(op: string, decay: Decay, options: AdamOptions): Optimizer {
  const o = checkOptions(op, options, ["lr", "b1", "b2", "eps", "weightDecay", "amsgrad"]);
  const lr = learningRateOption(op, o.lr);
  const b1 = numberOption(op, "b1", o.b1, 0.9, { min: 0, max: 1, maxOpen: true });
  const b2 = numberOption(op, "b2", o.b2, 0.999, { min: 0, max: 1, maxOpen: true });
  const eps = numberOption(op, "eps", o.eps, 1e-8, { min: 0 });
  const weightDecay = numberOption(op, "weightDecay", o.weightDecay, decay === "l2" ? 0 : 0.01, {
    min: 0,
  });
  const amsgrad = booleanOption(op, "amsgrad", o.amsgrad, false);
  // PyTorch's folding of the bias corrections into two scalars: lr / (1 - b1^t) and
  // sqrt(1 - b2^t), so the per-element work is one sqrt, two divisions and an add; with the
  // decoupled decay's factor 1 - lr * weightDecay, the step's scalars.
  const scalars = (at: LeafStep): Scalar[] => {
    const t = sAdd(at.step, 1);
    return [
      sSub(1, sMul(at.lr, weightDecay)),
      sDiv(at.lr, sSub(1, sPow(b1, t))),
      sSqrt(sSub(1, sPow(b2, t))),
    ];
  };
  const update = (
    p: Tensor,
    g: Tensor,
    [m0, v0, vmax0]: readonly Tensor[],
    [shrink, stepSize, root2]: readonly Scalar[],
  ): [Tensor, Tensor[]] => {
    let param = p;
    let grad = g;
    if (weightDecay !== 0) {
      if (decay === "l2") grad = add(g, mul(p, weightDecay));
      else param = mul(p, shrink!);
    }
    const m = add(mul(m0!, b1), mul(grad, 1 - b1));
    const v = add(mul(v0!, b2), mul(square(grad), 1 - b2));
    const vhat = amsgrad ? maximum(vmax0!, v) : v;
    const denom = add(div(sqrt(vhat), root2!), eps);
    const out = sub(param, mul(div(m, denom), stepSize!));
    return [out, amsgrad ? [m, v, vhat] : [m, v]];
  };
  // The update above, element by element, with the same roundings (one loop per dtype). The two
  // loops are made once per optimizer and read the step's constants from `now64` / `now32`,
  // which `fused` sets before each step: a new closure per step ran ~25% slower in V8 (bench
  // W7). One record per dtype, since a tree with leaves of both dtypes uses both loops per step.
  const l2 = weightDecay !== 0 && decay === "l2";
  const decoupled = weightDecay !== 0 && decay === "decoupled";
  const now64 = { shrink: 1, stepSize: 0, root2: 1 };
  const [c1, c2] = [1 - b1, 1 - b2];
  const loop64: FusedLoop = (n, P, G, [M, V, VM], outP, [outM, outV, outVM]) => {
    const { shrink, stepSize, root2 } = now64;
    for (let i = 0; i < n; i++) {
      let p = P[i]!;
      let g = G[i]!;
      if (l2) g = g + p * weightDecay;
      else if (decoupled) p = p * shrink;
      const m = M![i]! * b1 + g * c1;
      const v = V![i]! * b2 + g * g * c2;
      outM![i] = m;
      outV![i] = v;
      let vhat = v;
      if (amsgrad) {
        vhat = Math.max(VM![i]!, v);
        outVM![i] = vhat;
      }
      outP[i] = p - (m / (Math.sqrt(vhat) / root2 + eps)) * stepSize;
    }
  };
  const r = Math.fround;
  const [b1R, b2R, c1R, c2R, epsR, wdR] = [b1, b2, c1, c2, eps, weightDecay].map(r);
  const now32 = { shrink: 1, stepSize: 0, root2: 1 };
  const loop32: FusedLoop = (n, P, G, [M, V, VM], outP, [outM, outV, outVM]) => {
    const { shrink, stepSize, root2 } = now32;
    for (let i = 0; i < n; i++) {
      let p = P[i]!;
      let g = G[i]!;
      if (l2) g = r(g + r(p * wdR!));
      else if (decoupled) p = r(p * shrink);
      const m = r(r(M![i]! * b1R!) + r(g * c1R!));
      const v = r(r(V![i]! * b2R!) + r(r(g * g) * c2R!));
      outM![i] = m;
      outV![i] = v;
      let vhat = v;
      if (amsgrad) {
        vhat = Math.max(VM![i]!, v);
        outVM![i] = vhat;
      }
      const denom = r(r(r(Math.sqrt(vhat)) / root2) + epsR!);
      outP[i] = r(p - r(r(m / denom) * stepSize));
    }
  };
  const fused = (
    [shrink, stepSize, root2]: readonly number[],
    dtype: "float32" | "float64",
  ): FusedLoop => {
    if (dtype === "float64") {
      now64.shrink = shrink!;
      now64.stepSize = stepSize!;
      now64.root2 = root2!;
      return loop64;
    }
    now32.shrink = r(shrink!);
    now32.stepSize = r(stepSize!);
    now32.root2 = r(root2!);
    return loop32;
  };
  return leafwiseOptimizer({
    name: op,
    lr,
    slots: amsgrad ? ["m", "v", "vmax"] : ["m", "v"],
    initSlot: (_slot, p) => zerosLike(p),
    scalars,
    update,
    fused,
  });
}

/**
 * Adam (torch.optim.Adam's algorithm and defaults; weight decay is L2, added to the gradient).
 * With t the step count (1 on the first step) and lr the learning rate, for each parameter leaf
 * p with gradient g: `g <- g + weightDecay * p` (when weightDecay != 0);
 * `m <- b1 * m + (1 - b1) * g`; `v <- b2 * v + (1 - b2) * g^2`; with amsgrad
 * `vmax <- max(vmax, v)` is used in place of v below; then
 * `p <- p - (m / (sqrt(v) / sqrt(1 - b2^t) + eps)) * (lr / (1 - b1^t))`, which is the textbook
 * `p - lr * mhat / (sqrt(vhat) + eps)` with the bias corrections folded into scalars as PyTorch
 * does. The operations run in this order, so float64 results equal these formulas computed in
 * plain JavaScript to the last bit. The state holds `step`, `m`, `v` (and `vmax`).
 * @param options - `lr` (required), `b1`, `b2`, `eps`, `weightDecay`, `amsgrad`.
 * @throws {@link ValueError} for a learning rate that is not a positive finite number or a
 *   function, an option out of range or unknown; at `step`, for grads or state without the
 *   parameters' structure (naming the leaf). {@link DTypeError} for a parameter that is not a
 *   float tensor or a gradient of another dtype.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opt = ad.optim.adam({ lr: 0.1 });
 * let params = { w: ad.tensor([1, -2], { dtype: "float64" }) };
 * let state = opt.init(params);
 * const loss = (p: typeof params) => ad.sum(ad.square(p.w));
 * for (let i = 0; i < 100; i++) {
 *   ({ params, state } = opt.step(params, ad.grad(loss)(params), state));
 * }
 * loss(params).item() < 1e-3; // => true
 * ad.optim.adam({ lr: 0.1, b1: 1 }); // throws: ValueError: optim.adam: b1 must be a finite number >= 0 and < 1
 * ```
 * @category Neural-net ops
 */
export function adam(options: AdamOptions): Optimizer {
  return adamFamily("optim.adam", "l2", options);
}

/**
 * AdamW (torch.optim.AdamW's algorithm and defaults: decoupled weight decay, default 0.01). Each
 * step first shrinks the parameter, `p <- p * (1 - lr * weightDecay)`, then applies the update
 * of `optim.adam` without weight decay in the gradient. The state is Adam's.
 * @param options - `lr` (required), `b1`, `b2`, `eps`, `weightDecay`, `amsgrad`.
 * @throws {@link ValueError} as `optim.adam`; {@link DTypeError} for a non-float parameter.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opt = ad.optim.adamw({ lr: 0.1, weightDecay: 0.5 });
 * const params = { w: ad.tensor([2], { dtype: "float64" }) };
 * // A zero gradient leaves only the decay: 2 * (1 - 0.1 * 0.5).
 * opt.step(params, { w: ad.tensor([0], { dtype: "float64" }) }, opt.init(params)).params.w; // => tensor([1.9], dtype=float64)
 * ```
 * @category Neural-net ops
 */
export function adamw(options: AdamOptions): Optimizer {
  return adamFamily("optim.adamw", "decoupled", options);
}
