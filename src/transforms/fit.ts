/**
 * @file Fitting derivatives to their primal: broadcasting is undone here, once, for every rule.
 * A JVP rule may return a tangent of a broadcastable shape (it is broadcast up to the output);
 * a VJP rule may return a cotangent of the output's shape (it is summed down to the input).
 */

import type { Aval } from "../core/primitive.js";
import { shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { astype, broadcastTo, reshape, sum } from "../ops/index.js";

/** The tangent broadcast to `out`'s shape and cast to its dtype. */
export function fitTangent(t: Tensor, out: Aval): Tensor {
  if (!shapesEqual(t.shape, out.shape)) t = broadcastTo(t, out.shape);
  if (t.dtype !== out.dtype) t = astype(t, out.dtype);
  return t;
}

/** The cotangent summed over broadcast dimensions down to `input`'s shape and cast to its dtype. */
export function fitCotangent(g: Tensor, input: Aval): Tensor {
  if (!shapesEqual(g.shape, input.shape)) g = unbroadcast(g, input.shape);
  if (g.dtype !== input.dtype) g = astype(g, input.dtype);
  return g;
}

/** Sums `g` over the axes along which `shape` was broadcast to g's shape. */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? sum(g, { axis: axes, keepdims: true }) : g;
  return shapesEqual(summed.shape, shape) ? summed : reshape(summed, shape);
}
