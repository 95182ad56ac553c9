/**
 * @file NumPy's elementwise functions that need their own kernel for accuracy: log2, log10 and
 * exp2 (exact at powers of 2 and 10, where log(x)/ln 2 and exp(x ln 2) are not), cbrt (defined
 * for negatives), trunc, hypot (no overflow in the squares) and fmod (C's remainder). Each is one
 * entry of the elementwise table (src/elementwise/table.ts) and one primitive.
 */

import { checkTensorLike, scalar, toTensor } from "../core/convert.js";
import { isFloat } from "../core/dtype.js";
import type { AnyPrimitive } from "../core/primitive.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { fmodPrim, hypotPrim } from "../primitives/binary.js";
import { cbrtPrim, exp2Prim, log2Prim, log10Prim, truncPrim } from "../primitives/unary.js";
import { promoteToFloat } from "./promote.js";

/** `prim` on `x` promoted to a float dtype (ints and bools become the default float). */
function floatUnary(prim: AnyPrimitive, op: string, x: TensorLike): Tensor {
  if (!(x instanceof Tensor)) checkTensorLike(op, "x", x);
  return bind(prim, [promoteToFloat([x])[0]!], undefined);
}

/** `prim` on x and y promoted to one float dtype (a JS number takes the tensor's dtype). */
function floatBinary(prim: AnyPrimitive, op: string, x: TensorLike, y: TensorLike): Tensor {
  if (x instanceof Tensor && typeof y === "number" && isFloat(x.dtype)) {
    return bind(prim, [x, scalar(y, x.dtype)], undefined);
  }
  if (y instanceof Tensor && typeof x === "number" && isFloat(y.dtype)) {
    return bind(prim, [scalar(x, y.dtype), y], undefined);
  }
  checkTensorLike(op, "x", x);
  checkTensorLike(op, "y", y);
  return bind(prim, promoteToFloat([x, y]), undefined);
}

/**
 * Elementwise base-2 logarithm (NumPy's log2), exact at powers of 2; -Infinity at 0, NaN below.
 * Integer and bool inputs are promoted to the default float.
 * @throws {@link DTypeError} for a non-numeric argument.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.log2([1, 8, 0.5]); // => tensor([ 0.,  3., -1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function log2(x: TensorLike): Tensor {
  return floatUnary(log2Prim, "log2", x);
}

/**
 * Elementwise base-10 logarithm (NumPy's log10), exact at powers of 10 that floats hold exactly.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.log10(ad.tensor([1, 1000, 1e-5], { dtype: "float64" })); // => tensor([ 0.,  3., -5.], dtype=float64)
 * ```
 * @category Elementwise
 */
export function log10(x: TensorLike): Tensor {
  return floatUnary(log10Prim, "log10", x);
}

/**
 * Elementwise 2^x (NumPy's exp2), exact at integers; its derivative is 2^x ln 2.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.exp2([3, -1, 0.5]); // => tensor([      8.,      0.5, 1.414214], dtype=float32)
 * ```
 * @category Elementwise
 */
export function exp2(x: TensorLike): Tensor {
  return floatUnary(exp2Prim, "exp2", x);
}

/**
 * Elementwise cube root (NumPy's cbrt), defined for negatives (cbrt(-8) = -2) and exact at cubes.
 * Its derivative 1 / (3 cbrt(x)^2) is +Infinity at 0, as sqrt's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cbrt([27, -8, 0]); // => tensor([ 3., -2.,  0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function cbrt(x: TensorLike): Tensor {
  return floatUnary(cbrtPrim, "cbrt", x);
}

/**
 * Elementwise rounding toward zero (NumPy's trunc; trunc(-1.5) = -1, the sign of zero kept);
 * zero derivative. Integer and bool dtypes are returned as they are.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.trunc([1.7, -1.7]); // => tensor([ 1., -1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function trunc(x: TensorLike): Tensor {
  if (!(x instanceof Tensor)) checkTensorLike("trunc", "x", x);
  return bind(truncPrim, [toTensor(x)], undefined);
}

/**
 * Elementwise sqrt(x^2 + y^2) with broadcasting (NumPy's hypot), without overflow or underflow
 * in the squares: hypot(3e200, 4e200) is 5e200 to within an ulp, where sqrt(x^2 + y^2) is
 * Infinity. Its derivative (x dx + y dy) / hypot(x, y) is
 * taken as 0 at x = y = 0, the minimum, as `linalg.norm`'s is.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.hypot([3, 5], [4, 12]); // => tensor([ 5., 13.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function hypot(x: TensorLike, y: TensorLike): Tensor {
  return floatBinary(hypotPrim, "hypot", x, y);
}

/**
 * Elementwise remainder with the sign of the dividend (NumPy's fmod, C's fmod, JavaScript's %),
 * with broadcasting; `mod` is the one with the divisor's sign. fmod(x, 0) is NaN. Its derivative
 * is dx - trunc(x / y) dy.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.fmod([-7, 7], 3); // => tensor([-1.,  1.], dtype=float32)
 * ad.mod([-7, 7], 3); // => tensor([2., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function fmod(x: TensorLike, y: TensorLike): Tensor {
  return floatBinary(fmodPrim, "fmod", x, y);
}
