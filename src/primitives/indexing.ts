/**
 * @file Indexing along one axis: gather (take) and scatter_add, each other's adjoint.
 * Indices are int32 operands, already normalised to [0, size) by the op wrappers.
 */

import { getBackend } from "../backend/index.js";
import { allocate } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { type Aval, definePrimitive } from "../core/primitive.js";
import { shapeSize, shapesEqual } from "../core/shape.js";
import { scatterAdd, take, zeros } from "../ops/index.js";

export interface AxisParams {
  readonly axis: number;
}

/** x.shape with the axis replaced by the indices' shape: the shape of a gather's output. */
function gatheredShape(op: string, x: Aval, indices: Aval, axis: number): number[] {
  const nd = x.shape.length;
  if (!Number.isInteger(axis) || axis < 0 || axis >= nd) {
    throw new ValueError(`${op}: axis must be an integer in [0, ${nd - 1}]; got ${axis}`);
  }
  if (indices.dtype !== "int32") {
    throw new DTypeError(`${op}: indices must have dtype int32; got ${indices.dtype}`);
  }
  return [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
}

export const gatherPrim = definePrimitive<AxisParams>({
  name: "gather",
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
});

export const scatterAddPrim = definePrimitive<AxisParams>({
  name: "scatter_add",
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
});
