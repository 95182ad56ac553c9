/**
 * @file Reductions: reduce_sum, reduce_max, reduce_min, reduce_prod (over a set of axes, output
 * without the reduced dims), argmax and argmin (one axis, int32, no derivative), and cumsum.
 */

import type { ReduceOp } from "../backend/backend.js";
import { getBackend } from "../backend/index.js";
import { describeValue } from "../core/describe.js";
import { allocate, type DType } from "../core/dtype.js";
import { fmtShape, ValueError } from "../core/errors.js";
import { paramsCodec } from "../core/params-json.js";
import type { Aval } from "../core/primitive.js";
import { reducedShape, shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import {
  astype,
  broadcastTo,
  cumprod,
  cumsum,
  div,
  equal,
  mul,
  pad,
  reshape,
  slice,
  sum,
  transpose,
} from "../ops/index.js";
import { leadingAxisBatch, shiftAxes } from "./batching.js";
import { type BuiltinPrimitive, declarePrimitive } from "./names.js";
import { readsNothing } from "./reads.js";

export interface ReduceParams {
  /** Sorted, unique, non-negative axes to reduce. */
  readonly axes: readonly number[];
}

const REDUCE_JSON = paramsCodec<ReduceParams>({ axes: "ints" });

export interface ArgReduceParams {
  readonly axis: number;
}

const ARG_JSON = paramsCodec<ArgReduceParams>({ axis: "int" });

export interface CumsumParams {
  readonly axis: number;
  readonly reverse: boolean;
}

/** Checks that `axes` are sorted, unique and in range (the op wrappers normalise them first). */
function checkAxes(op: string, axes: readonly number[], ndim: number): void {
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i]!;
    if (!Number.isInteger(a) || a < 0 || a >= ndim || (i > 0 && a <= axes[i - 1]!)) {
      throw new ValueError(
        `${op}: axes must be sorted unique integers in [0, ${ndim - 1}]; got [${axes.join(",")}]`,
      );
    }
  }
}

/** The number of elements each output element reduces over. */
function reducedCount(shape: readonly number[], axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= shape[a]!;
  return n;
}

/** The shape rule of the axis reductions; `noIdentity` rejects empty reductions (max, min). */
function reduceShape(op: string, widenBool: boolean, noIdentity: boolean) {
  return ([x]: readonly Aval[], { axes }: ReduceParams): Aval => {
    checkAxes(op, axes, x!.shape.length);
    if (noIdentity && reducedCount(x!.shape, axes) === 0) {
      throw new ValueError(
        `${op}: cannot reduce over zero elements (axes [${axes.join(",")}] of shape ${fmtShape(x!.shape)}); the reduction has no identity`,
      );
    }
    const dtype: DType = widenBool && x!.dtype === "bool" ? "int32" : x!.dtype;
    return { shape: reducedShape(x!.shape, axes, false), dtype };
  };
}

function reduceImpl(op: ReduceOp) {
  return ([x]: readonly Tensor[], { axes }: ReduceParams, out: Aval) => {
    const data = allocate(out.dtype, shapeSize(out.shape));
    getBackend().reduce(op, x!._data!, x!.shape, axes, data);
    return data;
  };
}

/** `ct` (the reduced shape) reshaped to keep size-1 dims where `axes` were, so it broadcasts to x. */
function keepDims(ct: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return reshape(ct, reducedShape(x.shape, axes, true));
}

export const reduceSumPrim: BuiltinPrimitive<"reduce_sum"> = declarePrimitive({
  name: "reduce_sum",
  paramsJson: REDUCE_JSON,
  batch: leadingAxisBatch(
    () => reduceSumPrim,
    ({ axes }) => ({ axes: shiftAxes(axes) }),
  ),
  shape: reduceShape("sum", true, false),
  impl: reduceImpl("sum"),
  // d sum(x) = sum(dx)
  jvp: (_primals, [dx], _out, { axes }) => sum(dx!, { axis: axes }),
  // gx = ct broadcast back over the reduced axes
  vjp: (ct, [x], _out, { axes }) => [broadcastTo(keepDims(ct, x!, axes), x!.shape)],
  vjpReads: readsNothing,
  // Summing all of element e = d[e] e_e gives d[e]; a partial sum materialises.
  diagonal: (batch, [x], { axes }) => (axes.length === x!.ndim ? batch.box(batch.diag(x!)!) : null),
});

/** max and min: the derivative is shared equally among the elements that attain the extreme. */
function extremum<N extends "reduce_max" | "reduce_min">(name: N, op: "max" | "min") {
  /** 1 where x attains the extreme of its group, else 0, in dtype `dtype`. */
  const winners = (x: Tensor, out: Tensor, axes: readonly number[], dtype: DType): Tensor =>
    astype(equal(x, keepDims(out, x, axes)), dtype);
  const prim: BuiltinPrimitive<N> = declarePrimitive<N>({
    paramsJson: REDUCE_JSON,
    name,
    batch: leadingAxisBatch(
      () => prim,
      ({ axes }) => ({ axes: shiftAxes(axes) }),
    ),
    shape: reduceShape(op, false, true),
    impl: reduceImpl(op),
    // d max(x) = sum(dx * mask) / sum(mask), mask = (x == max(x)): ties share the derivative
    jvp: ([x], [dx], out, { axes }) => {
      const mask = winners(x!, out, axes, dx!.dtype);
      return div(sum(mul(dx!, mask), { axis: axes }), sum(mask, { axis: axes }));
    },
    // gx = ct * mask / sum(mask), broadcast over the reduced axes
    vjp: (ct, [x], out, { axes }) => {
      const mask = winners(x!, out, axes, ct.dtype);
      const count = sum(mask, { axis: axes });
      return [mul(mask, keepDims(div(ct, count), x!, axes))];
    },
  });
  return prim;
}

export const reduceMaxPrim = extremum("reduce_max", "max");
export const reduceMinPrim = extremum("reduce_min", "min");

/**
 * The product of all the other elements of each element's reduction group (d prod / d x_i),
 * with no division (correct where x has zeros): exclusive products from the left and from the
 * right along the reduced axes moved last and flattened, each a differentiable scan of mul.
 */
function productOfOthers(x: Tensor, axes: readonly number[]): Tensor {
  const nd = x.ndim;
  const kept: number[] = [];
  for (let d = 0; d < nd; d++) if (!axes.includes(d)) kept.push(d);
  const perm = [...kept, ...axes];
  const identity = perm.every((p, i) => p === i);
  const keptDims = kept.map((d) => x.shape[d]!);
  const redDims = axes.map((d) => x.shape[d]!);
  const n = reducedCount(x.shape, axes);
  const flat = reshape(identity ? x : transpose(x, perm), [...keptDims, n]);
  const zero = keptDims.map(() => 0);
  const noPad = keptDims.map((): [number, number] => [0, 0]);
  // left[i] = x[0] * ... * x[i-1]; right[i] = x[i+1] * ... * x[n-1]
  const incl = cumprod(flat, { axis: -1 });
  const left = pad(slice(incl, [...zero, 0], [...keptDims, n - 1]), [...noPad, [1, 0]], 1);
  const inclRev = cumprod(flat, { axis: -1, reverse: true });
  const right = pad(slice(inclRev, [...zero, 1], [...keptDims, n - 1]), [...noPad, [0, 1]], 1);
  const others = reshape(mul(left, right), [...keptDims, ...redDims]);
  if (identity) return others;
  const inverse = new Array<number>(nd);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return transpose(others, inverse);
}

export const reduceProdPrim: BuiltinPrimitive<"reduce_prod"> = declarePrimitive({
  name: "reduce_prod",
  paramsJson: REDUCE_JSON,
  batch: leadingAxisBatch(
    () => reduceProdPrim,
    ({ axes }) => ({ axes: shiftAxes(axes) }),
  ),
  shape: reduceShape("prod", true, false),
  impl: reduceImpl("prod"),
  // d prod(x) = sum(dx_i * prod_{j != i} x_j)
  jvp: ([x], [dx], _out, { axes }) => {
    if (x!.size === 0) return null;
    return sum(mul(dx!, productOfOthers(x!, axes)), { axis: axes });
  },
  // gx_i = ct * prod_{j != i} x_j
  vjp: (ct, [x], _out, { axes }) => {
    if (x!.size === 0) return [null];
    return [mul(keepDims(ct, x!, axes), productOfOthers(x!, axes))];
  },
});

function argReduce<N extends "argmax" | "argmin">(name: N, op: "argmax" | "argmin") {
  const prim: BuiltinPrimitive<N> = declarePrimitive<N>({
    paramsJson: ARG_JSON,
    name,
    batch: leadingAxisBatch(
      () => prim,
      ({ axis }) => ({ axis: axis + 1 }),
    ),
    shape: ([x], { axis }) => {
      const ndim = x!.shape.length;
      if (!Number.isInteger(axis) || axis < 0 || axis >= ndim) {
        throw new ValueError(
          `${op}: axis must be an integer in [0, ${ndim - 1}]; got ${describeValue(axis)}`,
        );
      }
      if (x!.shape[axis] === 0) {
        throw new ValueError(
          `${op}: cannot take the ${op} of an empty axis (axis ${axis} of shape ${fmtShape(x!.shape)})`,
        );
      }
      return { shape: reducedShape(x!.shape, [axis], false), dtype: "int32" };
    },
    impl: ([x], { axis }, out) => {
      const data = allocate("int32", shapeSize(out.shape));
      getBackend().reduce(op, x!._data!, x!.shape, [axis], data);
      return data;
    },
    // d argmax(x) = 0 (an integer result)
    jvp: () => null,
    vjp: () => [null],
  });
  return prim;
}

export const argmaxPrim = argReduce("argmax", "argmax");
export const argminPrim = argReduce("argmin", "argmin");

export const cumsumPrim: BuiltinPrimitive<"cumsum"> = declarePrimitive({
  name: "cumsum",
  paramsJson: paramsCodec<CumsumParams>({ axis: "int", reverse: "bool" }),
  batch: leadingAxisBatch(
    () => cumsumPrim,
    ({ axis, reverse }) => ({ axis: axis + 1, reverse }),
  ),
  shape: ([x], { axis }) => {
    const ndim = x!.shape.length;
    if (!Number.isInteger(axis) || axis < 0 || axis >= ndim) {
      throw new ValueError(
        `cumsum: axis must be an integer in [0, ${ndim - 1}]; got ${describeValue(axis)}`,
      );
    }
    return { shape: x!.shape, dtype: x!.dtype === "bool" ? "int32" : x!.dtype };
  },
  impl: ([x], { axis, reverse }, out) => {
    const data = allocate(out.dtype, x!.size);
    getBackend().cumsum(x!._data!, x!.shape, axis, false, reverse, data);
    return data;
  },
  // d cumsum(x) = cumsum(dx)
  jvp: (_primals, [dx], _out, { axis, reverse }) => cumsum(dx!, { axis, reverse }),
  // gx = cumsum(ct) in the opposite direction
  vjp: (ct, _primals, _out, { axis, reverse }) => [cumsum(ct, { axis, reverse: !reverse })],
  vjpReads: readsNothing,
});
