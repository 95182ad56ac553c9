/**
 * @file Turning TensorLike values (numbers, booleans, nested arrays, typed arrays) into Tensors,
 * with dtype inference and clear errors for ragged or non-numeric input.
 */

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

/** The inferred shape of nested arrays; throws on ragged nesting or non-numeric leaves. */
function inferShape(op: string, arg: string, data: unknown): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur) || isTypedArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  // Verify every branch has the same shape (the first branch defined it).
  const check = (node: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(node) || isTypedArray(node)) {
        throw new ValueError(
          `${op}: ${arg} is ragged: ${path} is an array but the first element at that depth is a scalar`,
        );
      }
      if (typeof node !== "number" && typeof node !== "boolean") {
        throw new ValueError(
          `${op}: ${arg}${path} must be a number or boolean; got ${typeof node}`,
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
  return shape;
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

export interface TensorOptions {
  dtype?: DType;
  shape?: readonly number[];
}

/**
 * Creates a tensor from nested arrays, numbers, booleans or a typed array. Floats default to
 * float32 (see setDefaultFloat), integers to int32, booleans to bool.
 * @example ad.tensor([[1, 2], [3, 4]], { dtype: "float64" })
 */
export function tensor(data: TensorLike, options: TensorOptions = {}): Tensor {
  const op = "tensor";
  if (options.dtype !== undefined && !isDType(options.dtype)) {
    throw new DTypeError(
      `${op}: dtype must be one of float32, float64, int32, bool; got ${JSON.stringify(options.dtype)}`,
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
  const dtype = options.dtype ?? inferDType(data);
  const size = shapeSize(shape);
  const out = allocate(dtype, size);
  if (dtype === "bool") {
    const tmp = new Float64Array(size);
    fill(data, tmp, 0);
    for (let i = 0; i < size; i++) out[i] = tmp[i] !== 0 ? 1 : 0;
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
 * A 0-d tensor.
 * @example ad.scalar(2.5, "float64")
 */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  const dt: DType = dtype ?? (typeof value === "boolean" ? "bool" : getDefaultFloat());
  if (typeof value === "number" && isFloat(dt)) {
    return Tensor._fromScalar(SCALAR_SHAPE, dt, dt === "float32" ? Math.fround(value) : value);
  }
  const data = allocate(dt, 1);
  data[0] =
    typeof value === "boolean" ? (value ? 1 : 0) : dt === "bool" ? (value !== 0 ? 1 : 0) : value;
  return Tensor._fromData(SCALAR_SHAPE, dt, data);
}

/** The shape of every 0-d tensor made here (shapes are never mutated, so one array serves). */
const SCALAR_SHAPE: readonly number[] = [];
