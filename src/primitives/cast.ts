/** @file convert_element_type: dtype conversion, and stop_gradient: the identity with zero derivative. */

import { getBackend } from "../backend/index.js";
import { allocate, type DType, isFloat } from "../core/dtype.js";
import { NO_PARAMS, paramsCodec } from "../core/params-json.js";
import { astype } from "../ops/elementwise.js";
import { elementwiseBatch } from "./batching.js";
import { type BuiltinPrimitive, declarePrimitive } from "./names.js";
import { readsNothing } from "./reads.js";

export interface CastParams {
  readonly dtype: DType;
}

export const convertElementType: BuiltinPrimitive<"convert_element_type"> = declarePrimitive({
  name: "convert_element_type",
  paramsJson: paramsCodec<CastParams>({ dtype: "dtype" }),
  batch: elementwiseBatch(() => convertElementType),
  shape: ([x], { dtype }) => ({ shape: x!.shape, dtype }),
  impl: ([x], _params, out) => {
    const data = allocate(out.dtype, x!.size, false); // every element is written
    getBackend().cast(x!._data!, data);
    return data;
  },
  // d cast(x) = cast(dx) between float dtypes; a float -> int/bool conversion has zero derivative
  jvp: (_primals, [dx], _out, { dtype }) => (isFloat(dtype) ? astype(dx!, dtype) : null),
  vjp: (ct, [x]) => [isFloat(x!.dtype) ? astype(ct, x!.dtype) : null],
  vjpReads: readsNothing,
  // A cast of a diagonal batch to a float dtype is the cast diagonal (an int cast materialises).
  diagonal: (batch, [x], { dtype }) =>
    isFloat(dtype) ? batch.boxDiagonal(astype(batch.diag(x!)!, dtype), x!.shape) : null,
});

export const stopGradientPrim: BuiltinPrimitive<"stop_gradient"> = declarePrimitive({
  name: "stop_gradient",
  paramsJson: NO_PARAMS,
  batch: elementwiseBatch(() => stopGradientPrim),
  shape: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  impl: ([x]) => x!._data!,
  // d stopGradient(x) = 0
  jvp: () => null,
  vjp: () => [null],
  vjpReads: readsNothing,
});
