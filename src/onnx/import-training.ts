/**
 * @file The optimiser update operators of ONNX's ai.onnx.preview.training domain (Adagrad,
 * Momentum, Adam) on adjoint's ops: each updates n tensors from their gradients and state, so a
 * training step exported to ONNX loads (and differentiates) like any other graph.
 */

import { Tensor } from "../core/tensor.js";
import {
  add,
  astype,
  div,
  greater,
  mul,
  onesLike,
  pow,
  reshape,
  sqrt,
  square,
  sub,
  where,
} from "../ops/index.js";
import { vjp } from "../transforms/vjp.js";
import type { ImportOp } from "./import-ops.js";
import type { NodeContext } from "./node-context.js";

/** The n-tensor groups after R and T: [X..., G..., S1..., S2...]. */
function groups(ctx: NodeContext, k: number): Tensor[][] {
  const rest = ctx.inputs.slice(2).map((t, i) => {
    if (t === undefined) throw ctx.error(`input ${i + 2} is missing`);
    return t;
  });
  if (rest.length % k !== 0)
    throw ctx.error(`expects ${k} groups of tensors after R and T; got ${rest.length} tensors`);
  const n = rest.length / k;
  return Array.from({ length: k }, (_, g) => rest.slice(g * n, (g + 1) * n));
}

/** R and T as scalars of x's dtype (T as a float for powers). */
function rateAndStep(ctx: NodeContext, like: Tensor): [Tensor, Tensor] {
  return [
    astype(reshape(ctx.input(0), []), like.dtype),
    astype(reshape(ctx.input(1), []), like.dtype),
  ];
}

function adagrad(ctx: NodeContext): Tensor[] {
  const [xs, gs, hs] = groups(ctx, 3) as [Tensor[], Tensor[], Tensor[]];
  const decay = ctx.float("decay_factor", 0);
  const eps = ctx.float("epsilon", 1e-6);
  const norm = ctx.float("norm_coefficient", 0);
  const outX: Tensor[] = [];
  const outH: Tensor[] = [];
  xs.forEach((x, i) => {
    const [r0, t] = rateAndStep(ctx, x);
    const r = div(r0, add(mul(t, decay), 1));
    const g = add(mul(x, norm), gs[i]!);
    const h = add(hs[i]!, square(g));
    outX.push(sub(x, div(mul(r, g), add(sqrt(h), eps))));
    outH.push(h);
  });
  return [...outX, ...outH];
}

function momentum(ctx: NodeContext): Tensor[] {
  const [xs, gs, vs] = groups(ctx, 3) as [Tensor[], Tensor[], Tensor[]];
  const alpha = ctx.float("alpha", 0);
  const beta = ctx.float("beta", 0);
  const norm = ctx.float("norm_coefficient", 0);
  const nesterov = ctx.string("mode", "standard") === "nesterov";
  const outX: Tensor[] = [];
  const outV: Tensor[] = [];
  xs.forEach((x, i) => {
    const [r, t] = rateAndStep(ctx, x);
    const g = add(mul(x, norm), gs[i]!);
    // The first step (T = 0) takes the gradient unscaled.
    const b = where(greater(t, 0), beta, 1);
    const v = add(mul(vs[i]!, alpha), mul(g, b));
    outX.push(sub(x, mul(r, nesterov ? add(g, mul(v, alpha)) : v)));
    outV.push(v);
  });
  return [...outX, ...outV];
}

function adam(ctx: NodeContext): Tensor[] {
  const [xs, gs, vs, hs] = groups(ctx, 4) as [Tensor[], Tensor[], Tensor[], Tensor[]];
  const alpha = ctx.float("alpha", 0.9);
  const beta = ctx.float("beta", 0.999);
  const eps = ctx.float("epsilon", 1e-6);
  const norm = ctx.float("norm_coefficient", 0);
  const normPost = ctx.float("norm_coefficient_post", 0);
  const outX: Tensor[] = [];
  const outV: Tensor[] = [];
  const outH: Tensor[] = [];
  xs.forEach((x, i) => {
    const [r, t] = rateAndStep(ctx, x);
    const g = add(mul(x, norm), gs[i]!);
    const v = add(mul(vs[i]!, alpha), mul(g, 1 - alpha));
    const h = add(mul(hs[i]!, beta), mul(square(g), 1 - beta));
    const hSqrt = add(sqrt(h), eps);
    // Bias correction from the second step on (T > 0).
    const corrected = div(mul(r, sqrt(sub(1, pow(beta, t)))), sub(1, pow(alpha, t)));
    const rAdj = where(greater(t, 0), corrected, r);
    const xNew = sub(x, mul(rAdj, div(v, hSqrt)));
    outX.push(mul(xNew, 1 - normPost));
    outV.push(v);
    outH.push(h);
  });
  return [...outX, ...outV, ...outH];
}

/**
 * Gradient: the derivatives of the value named `y` with respect to the values named `xs` (of
 * the sum of y's elements when y is not a scalar), by reverse mode through the nodes that
 * compute y, re-staged as a function of xs.
 */
function gradient(ctx: NodeContext): Tensor[] {
  const names = ctx.strings("xs") ?? [];
  const y = ctx.string("y", "");
  const xs = names.map((_, i) => ctx.input(i));
  const f = (...vals: Tensor[]): Tensor => {
    const out = ctx.recompute(new Map(names.map((n, i) => [n, vals[i]!])), y);
    if (!(out instanceof Tensor)) throw ctx.error(`y ('${y}') must be a tensor`);
    return out;
  };
  const [out, back] = vjp(f, ...xs);
  return back(onesLike(out)) as Tensor[];
}

/** The training-domain operators' table entries (keyed with their domain). */
export const TRAINING_OPS: Readonly<Record<string, ImportOp>> = {
  "ai.onnx.preview.training.Adagrad": { run: adagrad },
  "ai.onnx.preview.training.Momentum": { run: momentum },
  "ai.onnx.preview.training.Adam": { run: adam },
  "ai.onnx.preview.training.Gradient": { run: gradient },
};
