/**
 * @file select (the primitive under `where`): elementwise choice between two tensors by a bool
 * condition, all three broadcast together (NumPy rules).
 */

import { getBackend } from "../backend/index.js";
import { allocate } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError } from "../core/errors.js";
import { NO_PARAMS } from "../core/params-json.js";
import { broadcastShapes, type Shape, shapeSize } from "../core/shape.js";
import { where } from "../ops/elementwise.js";
import { elementwiseBatch } from "./batching.js";
import { type BuiltinPrimitive, declarePrimitive } from "./names.js";
import { readsInput } from "./reads.js";

/** The broadcast shape of cond, a and b, with one message naming all three on a mismatch. */
function broadcast3(cond: Shape, a: Shape, b: Shape): number[] {
  try {
    return broadcastShapes("where", broadcastShapes("where", cond, a), b);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    throw new ShapeError(
      `where: cannot broadcast shapes ${fmtShape(cond)} (cond), ${fmtShape(a)} (a) and ${fmtShape(b)} (b)`,
    );
  }
}

export const selectPrim: BuiltinPrimitive<"select"> = declarePrimitive({
  name: "select",
  paramsJson: NO_PARAMS,
  batch: elementwiseBatch(() => selectPrim),
  shape: ([cond, a, b]) => {
    if (cond!.dtype !== "bool") {
      throw new DTypeError(`where: cond must have dtype bool; got ${cond!.dtype}`);
    }
    if (a!.dtype !== b!.dtype) {
      throw new DTypeError(
        `where: a and b must have the same dtype; got ${a!.dtype} and ${b!.dtype}`,
      );
    }
    return { shape: broadcast3(cond!.shape, a!.shape, b!.shape), dtype: a!.dtype };
  },
  impl: ([cond, a, b], _params, out) => {
    const data = allocate(out.dtype, shapeSize(out.shape));
    const condData = cond!._data as Uint8Array;
    getBackend().select(
      condData,
      cond!.shape,
      a!._data!,
      a!.shape,
      b!._data!,
      b!.shape,
      data,
      out.shape,
    );
    return data;
  },
  // d where(cond, x, y) = where(cond, dx, dy)
  jvp: ([cond], [, dx, dy]) => where(cond!, dx ?? 0, dy ?? 0),
  // gx = where(cond, ct, 0), gy = where(cond, 0, ct)
  vjp: (ct, [cond], _out, _params, needs) => [
    null,
    needs[1] ? where(cond!, ct, 0) : null,
    needs[2] ? where(cond!, 0, ct) : null,
  ],
  vjpReads: readsInput(0),
});
