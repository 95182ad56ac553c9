/**
 * @file A few operators of ONNX's ai.onnx.ml domain (the one scikit-learn converters write):
 * Scaler (StandardScaler and friends), Binarizer, LinearRegressor (post_transform NONE) and
 * OneHotEncoder with integer categories. Their outputs are float32, as the domain specifies.
 */

import { tensor } from "../core/convert.js";
import type { Tensor } from "../core/tensor.js";
import {
  add,
  astype,
  equal,
  greater,
  matmul,
  mul,
  reshape,
  sub,
  transpose,
  where,
} from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import type { NodeAttrs, NodeContext } from "./node-context.js";

const f32 = (t: Tensor) => astype(t, "float32");

function scaler(ctx: NodeContext): Tensor {
  const x = f32(ctx.input(0));
  const offset = ctx.floats("offset") ?? [0];
  const scale = ctx.floats("scale") ?? [1];
  const vec = (v: number[]) =>
    v.length === 1 ? tensor(v[0]!, { dtype: "float32" }) : tensor(Float32Array.from(v));
  return mul(sub(x, vec(offset)), vec(scale));
}

function binarizer(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const threshold = ctx.float("threshold", 0);
  return astype(greater(x, threshold), x.dtype);
}

function linearRegressor(ctx: NodeContext): Tensor {
  let x = f32(ctx.input(0));
  if (x.ndim === 1) x = reshape(x, [1, x.size]);
  const targets = ctx.int("targets", 1);
  const coefficients = ctx.floats("coefficients") ?? [];
  const features = coefficients.length / targets;
  const w = tensor(Float32Array.from(coefficients), {
    dtype: "float32",
    shape: [targets, features],
  });
  let y = matmul(x, transpose(w));
  const intercepts = ctx.floats("intercepts");
  if (intercepts !== undefined && intercepts.length > 0)
    y = add(y, tensor(Float32Array.from(intercepts)));
  return y;
}

function oneHotEncoder(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const cats = ctx.ints("cats_int64s") ?? [];
  const ids = astype(x, "int32");
  const hit = equal(reshape(ids, [...ids.shape, 1]), tensor(Int32Array.from(cats)));
  return where(hit, tensor(1, { dtype: "float32" }), tensor(0, { dtype: "float32" }));
}

function checkRegressor(ctx: NodeAttrs): string | undefined {
  const t = ctx.string("post_transform", "NONE");
  return t === "NONE" ? undefined : `post_transform ${t} is not supported`;
}

function checkOneHot(ctx: NodeAttrs): string | undefined {
  if (ctx.has("cats_strings")) return "string categories are not supported";
  return ctx.int("zeros", 1) === 1
    ? undefined
    : "zeros 0 (fail on unknown categories) is not supported";
}

/** The ai.onnx.ml operators' table entries (keyed with their domain). */
export const ML_OPS: Readonly<Record<string, ImportOp>> = {
  "ai.onnx.ml.Scaler": { run: scaler },
  "ai.onnx.ml.Binarizer": { run: binarizer },
  "ai.onnx.ml.LinearRegressor": { run: linearRegressor, check: checkRegressor },
  "ai.onnx.ml.OneHotEncoder": { run: oneHotEncoder, check: checkOneHot },
};
