/**
 * @file argsort: the indices that sort a tensor along one axis (stable, NaN last; int32, no
 * derivative). sort and topk are composites of it and takeAlongAxis, so their values get the
 * gather's derivative: each output's derivative comes from the element it was taken from.
 */

import { getBackend } from "../backend/index.js";
import { describeValue } from "../core/describe.js";
import { fmtShape, ValueError } from "../core/errors.js";
import { paramsCodec } from "../core/params-json.js";
import { leadingAxisBatch } from "./batching.js";
import { type BuiltinPrimitive, declarePrimitive } from "./names.js";

export interface ArgsortParams {
  /** The sorted axis, non-negative (the op wrapper normalises it). */
  readonly axis: number;
  /** Largest first (NaN first); ties keep their original order either way. */
  readonly descending: boolean;
}

export const argsortPrim: BuiltinPrimitive<"argsort"> = declarePrimitive({
  name: "argsort",
  paramsJson: paramsCodec<ArgsortParams>({ axis: "int", descending: "bool" }),
  batch: leadingAxisBatch(
    () => argsortPrim,
    ({ axis, descending }) => ({ axis: axis + 1, descending }),
  ),
  shape: ([x], { axis, descending }) => {
    const nd = x!.shape.length;
    if (!Number.isInteger(axis) || axis < 0 || axis >= nd) {
      const range = nd === 0 ? "no axes (the input is 0-d)" : `an integer in [0, ${nd - 1}]`;
      throw new ValueError(
        `argsort: axis must be ${range} for shape ${fmtShape(x!.shape)}; got ${axis}`,
      );
    }
    if (typeof descending !== "boolean") {
      throw new ValueError(
        `argsort: descending must be a boolean; got ${describeValue(descending)}`,
      );
    }
    return { shape: x!.shape, dtype: "int32" };
  },
  impl: ([x], { axis, descending }) => {
    const data = new Int32Array(x!.size);
    getBackend().argsort(x!._data!, x!.shape, axis, descending, data);
    return data;
  },
  // d argsort(x) = 0: an integer result (locally constant where the values are distinct)
  jvp: () => null,
  vjp: () => [null],
});
