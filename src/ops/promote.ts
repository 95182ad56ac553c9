/**
 * @file Argument conversion and dtype promotion for ops: TensorLike -> Tensor, and the common
 * dtype of several operands (JS numbers are weakly typed and adopt the tensors' dtype).
 */

import { scalar, toTensor } from "../core/convert.js";
import {
  type DType,
  getDefaultFloat,
  isFloat,
  promoteTypes,
  promoteWithWeak,
} from "../core/dtype.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { astype } from "./elementwise.js";

/** Converts `x` and casts it to `dtype` when it differs. */
export function asTensorOf(x: TensorLike, dtype: DType): Tensor {
  if (typeof x === "number" || typeof x === "boolean") return scalar(x, dtype);
  const t = toTensor(x);
  return t.dtype === dtype ? t : astype(t, dtype);
}

/** The result dtype of combining operands, treating JS numbers as weak. */
export function resultDType(args: readonly TensorLike[]): DType {
  let strong: DType | null = null;
  for (const a of args) {
    if (typeof a === "number") continue;
    const dt = a instanceof Tensor ? a.dtype : toTensor(a).dtype;
    strong = strong === null ? dt : promoteTypes(strong, dt);
  }
  // Numbers alone are floats: JS does not tell 1 from 1.0.
  if (strong === null) return getDefaultFloat();
  let dtype = strong;
  for (const a of args) if (typeof a === "number") dtype = promoteWithWeak(dtype, a);
  return dtype;
}

/** Converts all operands to Tensors of their common dtype. */
export function promoteArgs(args: readonly TensorLike[]): Tensor[] {
  const dtype = resultDType(args);
  return args.map((a) => asTensorOf(a, dtype));
}

/** `x` as a float tensor: itself when float, else cast to the default float dtype. */
export function toFloatTensor(x: TensorLike): Tensor {
  const t = toTensor(x);
  return isFloat(t.dtype) ? t : astype(t, getDefaultFloat());
}

/** Converts and promotes, then lifts integer/bool operands to the default float (for exp, log, ...). */
export function promoteToFloat(args: readonly TensorLike[]): Tensor[] {
  let dtype = resultDType(args);
  if (!isFloat(dtype)) dtype = promoteWithWeak(dtype, 0.5);
  return args.map((a) => asTensorOf(a, dtype));
}
