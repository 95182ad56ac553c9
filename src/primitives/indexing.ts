/**
 * @file Indexing along one axis: gather (take) and scatter_add, each other's adjoint.
 * Indices are int32 operands, already normalised to [0, size) by the op wrappers.
 */

import { getBackend } from "../backend/index.js";
import { describeValue } from "../core/describe.js";
import { allocate } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { paramsCodec } from "../core/params-json.js";
import type { Aval } from "../core/primitive.js";
import { shapeSize, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { add, arange, reshape, scatterAdd, take, transpose, zeros } from "../ops/index.js";
import { materialise, moveAxis } from "./batching.js";
import { type BuiltinPrimitive, declarePrimitive } from "./names.js";
import { readsInput } from "./reads.js";

export interface AxisParams {
  readonly axis: number;
}

const AXIS_JSON = paramsCodec<AxisParams>({ axis: "int" });

/** x.shape with the axis replaced by the indices' shape: the shape of a gather's output. */
function gatheredShape(op: string, x: Aval, indices: Aval, axis: number): number[] {
  const nd = x.shape.length;
  if (!Number.isInteger(axis) || axis < 0 || axis >= nd) {
    throw new ValueError(
      `${op}: axis must be an integer in [0, ${nd - 1}]; got ${describeValue(axis)}`,
    );
  }
  if (indices.dtype !== "int32") {
    throw new DTypeError(`${op}: indices must have dtype int32; got ${indices.dtype}`);
  }
  return [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
}

/**
 * vmap with batched indices: x (batched, [B, ...pre, L, ...post] with the indexed axis at
 * 1 + axis) folded to [B*L, ...pre, ...post] and the indices offset by b*L for element b, so that
 * one gather or scatter along axis 0 serves the whole batch.
 */
function foldForIndices(x: Tensor, indices: Tensor, axis: number): [Tensor, Tensor] {
  const size = x.shape[0]!;
  const length = x.shape[axis + 1]!;
  const moved = moveAxis(x, axis + 1, 1);
  const folded = reshape(moved, [size * length, ...moved.shape.slice(2)]);
  const offsets = reshape(arange(0, size * length, Math.max(length, 1), "int32"), [
    size,
    ...new Array<number>(indices.ndim - 1).fill(1),
  ]);
  return [folded, add(indices, offsets)];
}

export const gatherPrim: BuiltinPrimitive<"gather"> = declarePrimitive({
  name: "gather",
  paramsJson: AXIS_JSON,
  batch: ([x, indices], [xBatched, iBatched], { axis }) => {
    if (!iBatched) return bind(gatherPrim, [x!, indices!], { axis: axis + 1 });
    const pre = axis;
    const ni = indices!.ndim - 1;
    if (!xBatched) {
      // [...pre, B, ...i, ...post]: bring the batch axis to the front.
      return moveAxis(bind(gatherPrim, [x!, indices!], { axis }), pre, 0);
    }
    const [folded, offset] = foldForIndices(x!, indices!, axis);
    // [B, ...i, ...pre, ...post] -> [B, ...pre, ...i, ...post]
    const out = bind(gatherPrim, [folded, offset], { axis: 0 });
    const perm = [0];
    for (let d = 0; d < pre; d++) perm.push(1 + ni + d);
    for (let d = 0; d < ni; d++) perm.push(1 + d);
    for (let d = 1 + ni + pre; d < out.ndim; d++) perm.push(d);
    return transpose(out, perm);
  },
  shape: ([x, indices], { axis }) => ({
    shape: gatheredShape("take", x!, indices!, axis),
    dtype: x!.dtype,
  }),
  impl: ([x, indices], { axis }, out) => {
    const data = allocate(out.dtype, shapeSize(out.shape));
    getBackend().gather(
      x!._data!,
      x!.shape,
      indices!._data as Int32Array,
      indices!.shape,
      axis,
      data,
    );
    return data;
  },
  // d take(x, i) = take(dx, i)
  jvp: ([, indices], [dx], _out, { axis }) => (dx === null ? null : take(dx, indices!, axis)),
  // gx = scatterAdd(zeros, i, ct): duplicate indices accumulate
  vjp: (ct, [x, indices], _out, { axis }, needs) => [
    needs[0] ? scatterAdd(zeros(x!.shape, ct.dtype), indices!, ct, axis) : null,
    null,
  ],
  vjpReads: readsInput(1),
});

export const scatterAddPrim: BuiltinPrimitive<"scatter_add"> = declarePrimitive({
  name: "scatter_add",
  paramsJson: AXIS_JSON,
  batch: ([x, indices, updates], [xBatched, iBatched, uBatched], { axis }, size) => {
    const xs = materialise(x!, xBatched!, size);
    const us = materialise(updates!, uBatched!, size);
    if (!iBatched) return bind(scatterAddPrim, [xs, indices!, us], { axis: axis + 1 });
    const ni = indices!.ndim - 1;
    const [folded, offset] = foldForIndices(xs, indices!, axis);
    // updates [B, ...pre, ...i, ...post] -> [B, ...i, ...pre, ...post], as the fold expects
    const perm = [0];
    for (let d = 0; d < ni; d++) perm.push(1 + axis + d);
    for (let d = 0; d < axis; d++) perm.push(1 + d);
    for (let d = 1 + axis + ni; d < us.ndim; d++) perm.push(d);
    const summed = bind(scatterAddPrim, [folded, offset, transpose(us, perm)], { axis: 0 });
    // [B*L, ...pre, ...post] -> [B, L, ...pre, ...post] -> [B, ...pre, L, ...post]
    const length = xs.shape[axis + 1]!;
    return moveAxis(reshape(summed, [size, length, ...summed.shape.slice(1)]), 1, axis + 1);
  },
  shape: ([x, indices, updates], { axis }) => {
    const expected = gatheredShape("scatterAdd", x!, indices!, axis);
    if (!shapesEqual(updates!.shape, expected)) {
      throw new ShapeError(
        `scatterAdd: updates must have shape ${fmtShape(expected)} (x's shape with axis ${axis} replaced by the indices' shape); got ${fmtShape(updates!.shape)}`,
      );
    }
    return { shape: x!.shape, dtype: x!.dtype };
  },
  impl: ([x, indices, updates], { axis }, out) => {
    const data = allocate(out.dtype, x!.size);
    getBackend().scatterAdd(
      x!._data!,
      x!.shape,
      indices!._data as Int32Array,
      indices!.shape,
      updates!._data!,
      axis,
      data,
    );
    return data;
  },
  // d scatterAdd(x, i, u) = scatterAdd(dx, i, du)
  jvp: ([x, indices], [dx, , du], _out, { axis }) => {
    if (du === null || du === undefined) return dx ?? null;
    return scatterAdd(dx ?? zeros(x!.shape, du.dtype), indices!, du, axis);
  },
  // gx = ct; gu = take(ct, i)
  vjp: (ct, [, indices], _out, { axis }, needs) => [
    needs[0] ? ct : null,
    null,
    needs[2] ? take(ct, indices!, axis) : null,
  ],
  vjpReads: readsInput(1),
});
