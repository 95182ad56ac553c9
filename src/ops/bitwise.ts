/**
 * @file NumPy's bitwise functions on int32 and bool: and, or, xor, not, the shifts and the bit
 * count. int32 operands go to one elementwise-table kernel each (src/elementwise/table.ts); bool
 * operands go to the logical ops, as NumPy's `&` of bools is `logical_and` (shifts and the bit
 * count lift bools to int32 first). Not differentiable: integer outputs, like the comparisons.
 */

import { checkTensorLike, scalar, toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import type { DType } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import type { AnyPrimitive } from "../core/primitive.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { binaryPrimitive, unaryPrimitive } from "../primitives/elementwise.js";
import { astype, logicalAnd, logicalNot, logicalOr, notEqual } from "./elementwise.js";

/**
 * The operands as tensors of one dtype: bool when every operand is a bool tensor, else int32.
 * JS numbers must be integers and are weak (they take the other operand's dtype, int32 for a
 * bool); arrays convert as everywhere (numbers are floats), so pass int32 tensors.
 */
function integerArgs(op: string, args: readonly [string, TensorLike][]): Tensor[] {
  let allBool = true;
  const tensors: (Tensor | number)[] = args.map(([name, v]) => {
    checkTensorLike(op, name, v);
    if (typeof v === "number") {
      if (!Number.isInteger(v)) {
        throw new DTypeError(`${op}: ${name} must be an integer; got ${describeValue(v)}`);
      }
      allBool = false;
      return v;
    }
    const t = toTensor(v);
    if (t.dtype !== "int32" && t.dtype !== "bool") {
      throw new DTypeError(
        `${op}: ${name} must have an integer or bool dtype (int32 or bool); got ${t.dtype}`,
      );
    }
    if (t.dtype !== "bool") allBool = false;
    return t;
  });
  const dtype: DType = allBool ? "bool" : "int32";
  return tensors.map((t) =>
    typeof t === "number" ? scalar(t, dtype) : t.dtype === dtype ? t : astype(t, dtype),
  );
}

/** An int32 primitive of two operands, or `onBool` when both are bool. */
function integerBinary(
  op: string,
  prim: AnyPrimitive,
  onBool: ((a: Tensor, b: Tensor) => Tensor) | null,
  x: TensorLike,
  y: TensorLike,
): Tensor {
  let [a, b] = integerArgs(op, [
    ["x", x],
    ["y", y],
  ]);
  if (a!.dtype === "bool") {
    if (onBool !== null) return onBool(a!, b!);
    a = astype(a!, "int32");
    b = astype(b!, "int32");
  }
  return bind(prim, [a!, b!], undefined);
}

/**
 * Elementwise bitwise AND (NumPy's `bitwise_and`, `x & y`) of int32 or bool operands,
 * broadcast; on two bools it is `logicalAnd`. A bool with an int32 counts as 0/1.
 * @throws {@link DTypeError} for a float operand (or a JS number that is not an integer).
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.bitwiseAnd(ad.tensor([12, -1, 5], { dtype: "int32" }), 10); // => tensor([ 8, 10,  0], dtype=int32)
 * ad.bitwiseAnd(ad.tensor([true, true]), ad.tensor([true, false])); // => tensor([ true, false], dtype=bool)
 * ad.bitwiseAnd([1.5], 1); // throws: DTypeError: bitwiseAnd: x must have an integer or bool dtype
 * ```
 * @category Elementwise
 */
export function bitwiseAnd(x: TensorLike, y: TensorLike): Tensor {
  return integerBinary("bitwiseAnd", binaryPrimitive("bitwiseAnd"), logicalAnd, x, y);
}

/**
 * Elementwise bitwise OR (NumPy's `bitwise_or`, `x | y`) of int32 or bool operands, broadcast;
 * on two bools it is `logicalOr`.
 * @throws {@link DTypeError} for a float operand (or a JS number that is not an integer).
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.bitwiseOr(ad.tensor([12, -16, 0], { dtype: "int32" }), 3); // => tensor([ 15, -13,   3], dtype=int32)
 * ```
 * @category Elementwise
 */
export function bitwiseOr(x: TensorLike, y: TensorLike): Tensor {
  return integerBinary("bitwiseOr", binaryPrimitive("bitwiseOr"), logicalOr, x, y);
}

/**
 * Elementwise bitwise exclusive OR (NumPy's `bitwise_xor`, `x ^ y`) of int32 or bool operands,
 * broadcast; on two bools it is `notEqual`.
 * @throws {@link DTypeError} for a float operand (or a JS number that is not an integer).
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.bitwiseXor(ad.tensor([12, -1], { dtype: "int32" }), 10); // => tensor([  6, -11], dtype=int32)
 * ```
 * @category Elementwise
 */
export function bitwiseXor(x: TensorLike, y: TensorLike): Tensor {
  return integerBinary("bitwiseXor", binaryPrimitive("bitwiseXor"), notEqual, x, y);
}

/**
 * Elementwise bitwise NOT (NumPy's `bitwise_not`, also `invert` and `bitwise_invert`, `~x`):
 * -x - 1 on int32 (two's complement); on bool it is `logicalNot`.
 * @throws {@link DTypeError} for a float operand.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.bitwiseNot(ad.tensor([0, 5, -1], { dtype: "int32" })); // => tensor([-1, -6,  0], dtype=int32)
 * ad.bitwiseNot(ad.tensor([true, false])); // => tensor([false,  true], dtype=bool)
 * ```
 * @category Elementwise
 */
export function bitwiseNot(x: TensorLike): Tensor {
  const [a] = integerArgs("bitwiseNot", [["x", x]]);
  return a!.dtype === "bool" ? logicalNot(a!) : bind(unaryPrimitive("bitwiseNot"), [a!], undefined);
}

/**
 * Elementwise left shift (NumPy's `left_shift`, also `bitwise_left_shift`, `x << y`) of int32
 * values (bools count as 0/1), broadcast. A count outside [0, 31] (negative included) gives 0,
 * as JAX's `left_shift` (XLA's shift_left), where JavaScript's `<<` takes it modulo 32.
 * @throws {@link DTypeError} for a float operand (or a JS number that is not an integer).
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.leftShift(ad.tensor([1, -3, 1, 1], { dtype: "int32" }), ad.tensor([4, 1, 31, 32], { dtype: "int32" })); // => tensor([         16,          -6, -2147483648,           0], dtype=int32)
 * ```
 * @category Elementwise
 */
export function leftShift(x: TensorLike, y: TensorLike): Tensor {
  return integerBinary("leftShift", binaryPrimitive("shiftLeft"), null, x, y);
}

/**
 * Elementwise arithmetic right shift (NumPy's `right_shift`, also `bitwise_right_shift`,
 * `x >> y`) of int32 values (bools count as 0/1), broadcast: the sign bit fills in, as C's `>>`
 * on signed ints, so -7 >> 1 is -4. A count outside [0, 31] (negative included) gives the sign
 * fill, -1 or 0, as JAX's `right_shift` (XLA's shift_right_arithmetic).
 * @throws {@link DTypeError} for a float operand (or a JS number that is not an integer).
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.rightShift(ad.tensor([16, -7, -7, 5], { dtype: "int32" }), ad.tensor([2, 1, 40, 40], { dtype: "int32" })); // => tensor([ 4, -4, -1,  0], dtype=int32)
 * ```
 * @category Elementwise
 */
export function rightShift(x: TensorLike, y: TensorLike): Tensor {
  return integerBinary("rightShift", binaryPrimitive("shiftRight"), null, x, y);
}

/**
 * The number of 1 bits of |x|, elementwise (NumPy's `bitwise_count`), as int32 (NumPy and JAX
 * give uint8, which adjoint does not have). Negative values count the bits of their absolute
 * value, as NumPy: bitwiseCount(-1) is 1. Bools count as 0/1.
 * @throws {@link DTypeError} for a float operand.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.bitwiseCount(ad.tensor([0, 7, -1, -2147483648], { dtype: "int32" })); // => tensor([0, 3, 1, 1], dtype=int32)
 * ```
 * @category Elementwise
 */
export function bitwiseCount(x: TensorLike): Tensor {
  const [a] = integerArgs("bitwiseCount", [["x", x]]);
  return bind(
    unaryPrimitive("bitwiseCount"),
    [a!.dtype === "bool" ? astype(a!, "int32") : a!],
    undefined,
  );
}
