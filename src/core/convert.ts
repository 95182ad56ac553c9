/**
 * @file Turning TensorLike values (numbers, booleans, nested arrays, typed arrays) into Tensors,
 * with dtype inference and clear errors for ragged or non-numeric input.
 */

import { stack as stackOp } from "../ops/shape.js";
import { describeValue } from "./describe.js";
import type { DType, TypedArray } from "./dtype.js";
import { allocate, dtypeOfArray, getDefaultFloat, isDType, isFloat } from "./dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "./errors.js";
import { shapeSize } from "./shape.js";
import { Tensor, type TensorLike } from "./tensor.js";

function isTypedArray(v: unknown): v is TypedArray {
  return (
    v instanceof Float32Array ||
    v instanceof Float64Array ||
    v instanceof Int32Array ||
    v instanceof Uint8Array
  );
}

/**
 * The inferred shape of nested arrays; throws on ragged nesting or non-numeric leaves. Returns
 * null when a Tensor sits anywhere in the nesting (those arrays are stacked instead).
 */
function inferShape(op: string, arg: string, data: unknown): number[] | null {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur) || isTypedArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  let sawTensor = false;
  // Verify every branch has the same shape (the first branch defined it).
  const check = (node: unknown, dim: number, path: string): void => {
    if (sawTensor || node instanceof Tensor) {
      sawTensor = true;
      return;
    }
    if (dim === shape.length) {
      if (Array.isArray(node) || isTypedArray(node)) {
        throw new ValueError(
          `${op}: ${arg} is ragged: ${path} is an array but the first element at that depth is a scalar`,
        );
      }
      if (typeof node !== "number" && typeof node !== "boolean") {
        throw new ValueError(
          `${op}: ${arg}${path} must be a number or boolean (data is a Tensor, number, boolean or nested array); got ${describeValue(node)}`,
        );
      }
      return;
    }
    if (!(Array.isArray(node) || isTypedArray(node)) || node.length !== shape[dim]) {
      const got = Array.isArray(node) || isTypedArray(node) ? `length ${node.length}` : "a scalar";
      throw new ValueError(
        `${op}: ${arg} is ragged: expected ${arg}${path} to have length ${shape[dim]} (like its first sibling); got ${got}`,
      );
    }
    if (isTypedArray(node)) return;
    for (let i = 0; i < node.length; i++) check(node[i], dim + 1, `${path}[${i}]`);
  };
  check(data, 0, "");
  return sawTensor ? null : shape;
}

/**
 * Nested arrays that hold tensors (traced or not), stacked level by level with the stack op, so
 * that derivatives flow to every tensor inside (as jnp.array and autograd do). Numbers and
 * booleans beside them are weakly typed (they adopt the tensors' dtype); ragged nesting throws.
 */
function stackNested(op: string, arg: string, node: unknown, path: string): TensorLike {
  if (node instanceof Tensor || typeof node === "number" || typeof node === "boolean") return node;
  if (isTypedArray(node)) return tensor(node);
  if (!Array.isArray(node)) {
    throw new ValueError(
      `${op}: ${arg}${path} must be a Tensor, number or boolean (data is a Tensor, number, boolean or nested array); got ${describeValue(node)}`,
    );
  }
  if (node.length === 0) return tensor([]);
  const parts = node.map((d, i) => stackNested(op, arg, d, `${path}[${i}]`));
  const shapeOf = (p: TensorLike): readonly number[] =>
    p instanceof Tensor ? p.shape : SCALAR_SHAPE;
  const first = shapeOf(parts[0]!);
  parts.forEach((p, i) => {
    const s = shapeOf(p);
    if (s.length !== first.length || s.some((d, k) => d !== first[k])) {
      throw new ValueError(
        `${op}: ${arg} is ragged: ${arg}${path}[${i}] has shape ${fmtShape(s)} but ${arg}${path}[0] has shape ${fmtShape(first)}`,
      );
    }
  });
  return stackOp(parts);
}

function fill(data: unknown, out: TypedArray, offset: number): number {
  if (Array.isArray(data)) {
    for (const d of data) offset = fill(d, out, offset);
    return offset;
  }
  if (isTypedArray(data)) {
    for (let i = 0; i < data.length; i++) out[offset++] = data[i]!;
    return offset;
  }
  out[offset] = typeof data === "boolean" ? (data ? 1 : 0) : (data as number);
  return offset + 1;
}

/**
 * The dtype nested data gets on its own: bool if all booleans, else the default float dtype.
 * JS has no integer literals (1 === 1.0), so numbers are floats unless a dtype says otherwise;
 * typed arrays keep their own dtype. See docs/decisions/0002-js-numbers-are-floats.md.
 */
function inferDType(data: unknown): DType {
  if (isTypedArray(data)) return dtypeOfArray(data);
  let sawBool = false;
  let sawNumber = false;
  const visit = (d: unknown): void => {
    if (Array.isArray(d)) {
      for (const x of d) visit(x);
    } else if (typeof d === "boolean") {
      sawBool = true;
    } else {
      sawNumber = true;
    }
  };
  visit(data);
  return sawBool && !sawNumber ? "bool" : getDefaultFloat();
}

/**
 * Options of {@link tensor}: the dtype to store (default: inferred from the data) and a shape to
 * give the data (default: the nesting of the arrays; it must hold the same number of elements).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tensor([1, 2, 3, 4], { dtype: "int32", shape: [2, 2] }); // => tensor([[1, 2], [3, 4]], dtype=int32)
 * ```
 * @category Tensors
 */
export interface TensorOptions {
  /** The dtype to store; numbers are converted (to int32 they are truncated toward zero). */
  dtype?: DType;
  /** The shape of the result; its size must equal the number of elements in the data. */
  shape?: readonly number[];
}

/**
 * Creates a tensor from nested arrays, a number, a boolean or a typed array. JS numbers have no
 * integer type, so number data gets the default float dtype (float32 unless changed with
 * {@link setDefaultFloat}) and booleans get bool; typed arrays keep their own dtype
 * (Float32Array, Float64Array, Int32Array, and Uint8Array as bool). Pass `{ dtype }` for another.
 * A Tensor passed in is returned as it is (converted or reshaped if the options ask). Nested
 * arrays may hold tensors (also traced ones, inside grad, jvp or vmap) beside numbers: they are
 * stacked with {@link stack}, so derivatives flow to each of them (as `jnp.array` does); numbers
 * beside tensors take the tensors' dtype.
 *
 * @param data - The values: nested arrays of equal lengths (not ragged), a number, a boolean or
 *   a typed array; tensors of equal shapes may sit in the nested arrays.
 * @param options - `dtype` and `shape` (see {@link TensorOptions}).
 * @throws {@link ValueError} when the nested arrays are ragged (tensors of different shapes
 *   included) or hold something other than numbers, booleans and tensors.
 * @throws {@link DTypeError} when `dtype` is not one of float32, float64, int32, bool.
 * @throws {@link ShapeError} when `shape` does not hold as many elements as the data.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tensor([[1, 2], [3, 4]]); // => tensor([[1., 2.], [3., 4.]], dtype=float32)
 * ad.tensor([1.5, 2.5], { dtype: "float64" }); // => tensor([1.5, 2.5], dtype=float64)
 * ad.tensor(new Int32Array([1, 2, 3])); // => tensor([1, 2, 3], dtype=int32)
 * ad.tensor([true, false]); // => tensor([true, false], dtype=bool)
 * ad.tensor([[1, 2], [3]]); // throws: ValueError: tensor: data is ragged: expected data[1] to have length 2
 * ad.tensor([ad.tensor([1, 2]), [3, 4]]); // => tensor([[1., 2.], [3., 4.]], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.sum(ad.tensor([x, ad.mul(x, x), 1])))(ad.scalar(3)); // => tensor(7., dtype=float32)
 * ```
 * @category Creation
 */
export function tensor(data: TensorLike, options: TensorOptions = {}): Tensor {
  const op = "tensor";
  if (options.dtype !== undefined && !isDType(options.dtype)) {
    throw new DTypeError(
      `${op}: dtype must be one of float32, float64, int32, bool; got ${describeValue(options.dtype)}`,
    );
  }
  if (data instanceof Tensor) {
    const t =
      options.dtype !== undefined && options.dtype !== data.dtype
        ? data.astype(options.dtype)
        : data;
    return options.shape !== undefined ? t.reshape(options.shape) : t;
  }
  const shape = inferShape(op, "data", data);
  if (shape === null) {
    return tensor(stackNested(op, "data", data, ""), options);
  }
  const dtype = options.dtype ?? inferDType(data);
  const size = shapeSize(shape);
  const out = allocate(dtype, size);
  if (dtype === "bool") {
    const tmp = new Float64Array(size);
    fill(data, tmp, 0);
    for (let i = 0; i < size; i++) out[i] = tmp[i] !== 0 ? 1 : 0;
  } else if (dtype === "int32" && !(data instanceof Int32Array)) {
    // Int32Array storage would wrap 1e10 and truncate 1.5 silently; such values are errors.
    const tmp = new Float64Array(size);
    fill(data, tmp, 0);
    for (let i = 0; i < size; i++) out[i] = checkInt32(op, tmp[i]!, `data${indexPath(shape, i)}`);
  } else {
    fill(data, out, 0);
  }
  if (options.shape !== undefined) {
    const target = options.shape;
    if (shapeSize(target) !== size || !target.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ShapeError(
        `${op}: shape ${fmtShape(target)} does not fit ${size} element(s) of data with shape ${fmtShape(shape)}`,
      );
    }
    return Tensor._fromData(target.slice(), dtype, out);
  }
  return Tensor._fromData(shape, dtype, out);
}

/** Converts an op's argument to a Tensor (Tensors pass through untouched). */
export function toTensor(x: TensorLike, dtype?: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "number") return scalar(x, dtype);
  return tensor(x, dtype === undefined ? {} : { dtype });
}

/**
 * Checks that an op's argument can become a tensor (a Tensor, number, boolean, array or typed
 * array; nested arrays are checked further by `tensor`), naming the op and the argument:
 * `add: argument y must be a Tensor, number, boolean or nested array; got string "s"`.
 */
export function checkTensorLike(op: string, arg: string, v: unknown): void {
  if (
    v instanceof Tensor ||
    typeof v === "number" ||
    typeof v === "boolean" ||
    Array.isArray(v) ||
    isTypedArray(v)
  ) {
    return;
  }
  throw new ValueError(
    `${op}: argument ${arg} must be a Tensor, number, boolean or nested array; got ${describeValue(v)}`,
  );
}

/** `v` as an int32 element, or a ValueError: JS numbers outside int32 or with a fraction do not fit. */
function checkInt32(op: string, v: number, where: string): number {
  if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
  const why = Number.isInteger(v)
    ? "is outside the int32 range [-2147483648, 2147483647]"
    : "is not an integer";
  throw new ValueError(
    `${op}: ${where} = ${v} ${why}; int32 holds whole numbers that fit in 32 bits (use a float dtype, or round first; .astype("int32") truncates on purpose)`,
  );
}

/** `[i][j]...` of flat index `flat` in a row-major array of `shape`, for messages. */
function indexPath(shape: readonly number[], flat: number): string {
  let out = "";
  let rest = flat;
  let stride = shapeSize(shape);
  for (const d of shape) {
    stride /= d;
    const k = Math.floor(rest / stride);
    rest -= k * stride;
    out += `[${k}]`;
  }
  return out;
}

/**
 * A 0-d tensor holding one number or boolean: the default float dtype for a number, bool for a
 * boolean, unless `dtype` says otherwise.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.scalar(2.5); // => tensor(2.5, dtype=float32)
 * ad.scalar(2.5, "float64"); // => tensor(2.5, dtype=float64)
 * ad.scalar(7, "int32").shape; // => []
 * ```
 * @category Creation
 */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  const dt: DType = dtype ?? (typeof value === "boolean" ? "bool" : getDefaultFloat());
  if (typeof value === "number" && isFloat(dt)) {
    return Tensor._fromScalar(SCALAR_SHAPE, dt, dt === "float32" ? Math.fround(value) : value);
  }
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new ValueError(
      `scalar: value must be a number or boolean; got ${describeValue(value)}${Array.isArray(value) ? " (use ad.tensor for arrays)" : ""}`,
    );
  }
  if (!isDType(dt)) {
    throw new DTypeError(
      `scalar: dtype must be one of float32, float64, int32, bool; got ${describeValue(dt)}`,
    );
  }
  if (dt === "int32" && typeof value === "number") checkInt32("scalar", value, "value");
  const data = allocate(dt, 1);
  data[0] =
    typeof value === "boolean" ? (value ? 1 : 0) : dt === "bool" ? (value !== 0 ? 1 : 0) : value;
  return Tensor._fromData(SCALAR_SHAPE, dt, data);
}

/** The shape of every 0-d tensor made here (shapes are never mutated, so one array serves). */
const SCALAR_SHAPE: readonly number[] = [];
