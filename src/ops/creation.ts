/**
 * @file Creation: tensor and scalar (re-exported), zeros, ones, full, zerosLike, onesLike, arange,
 * linspace, eye. New tensors are concrete (never tracers) and default to the default float dtype.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import {
  allocate,
  allocationContext,
  type DType,
  getDefaultFloat,
  isDType,
  type TypedArray,
} from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { checkShape, shapeSize } from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";

export { scalar, tensor } from "../core/convert.js";

function checkDType(op: string, dtype: DType | undefined, fallback: DType): DType {
  if (dtype === undefined) return fallback;
  if (!isDType(dtype)) {
    throw new DTypeError(
      `${op}: dtype must be one of float32, float64, int32, bool; got ${describeValue(dtype)}`,
    );
  }
  return dtype;
}

function checkNumber(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ValueError(`${op}: ${arg} must be a finite number; got ${describeValue(v)}`);
  }
  return v;
}

function checkCount(op: string, arg: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 0) {
    throw new ValueError(`${op}: ${arg} must be a non-negative integer; got ${describeValue(v)}`);
  }
  return v as number;
}

/** Storage for a new tensor of `op`; a failed allocation names the op and the shape. */
function allocateFor(op: string, shape: readonly number[], dtype: DType): TypedArray {
  try {
    return allocate(dtype, shapeSize(shape));
  } catch (e) {
    throw allocationContext(e, op, shape, dtype);
  }
}

/** Stores `v` as an element of `dtype` (bool: v != 0). */
function filled(op: string, shape: readonly number[], dtype: DType, v: number): TypedArray {
  const data = allocateFor(op, shape, dtype);
  if (v !== 0) data.fill(dtype === "bool" ? 1 : v);
  return data;
}

/**
 * A tensor of `shape` filled with `value`; dtype defaults to bool for a boolean value, else the
 * default float.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.full([2, 2], 7); // => tensor([[7., 7.], [7., 7.]], dtype=float32)
 * ad.full([2], true); // => tensor([true, true], dtype=bool)
 * ```
 * @category Creation
 */
export function full(
  shape: number | readonly number[],
  value: number | boolean,
  dtype?: DType,
): Tensor {
  const s = checkShape("full", shape).slice();
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new ValueError(`full: value must be a number or boolean; got ${typeof value}`);
  }
  const dt = checkDType("full", dtype, typeof value === "boolean" ? "bool" : getDefaultFloat());
  return Tensor._fromData(s, dt, filled("full", s, dt, Number(value)));
}

/**
 * A tensor of zeros (default float dtype unless `dtype` is given).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.zeros([2, 3], "int32"); // => tensor([[0, 0, 0], [0, 0, 0]], dtype=int32)
 * ad.zeros(3); // => tensor([0., 0., 0.], dtype=float32)
 * ```
 * @category Creation
 */
export function zeros(shape: number | readonly number[], dtype?: DType): Tensor {
  const s = checkShape("zeros", shape).slice();
  const dt = checkDType("zeros", dtype, getDefaultFloat());
  return Tensor._fromData(s, dt, allocateFor("zeros", s, dt));
}

/**
 * A tensor of ones (default float dtype unless `dtype` is given).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.ones([3]); // => tensor([1., 1., 1.], dtype=float32)
 * ```
 * @category Creation
 */
export function ones(shape: number | readonly number[], dtype?: DType): Tensor {
  const s = checkShape("ones", shape).slice();
  const dt = checkDType("ones", dtype, getDefaultFloat());
  return Tensor._fromData(s, dt, filled("ones", s, dt, 1));
}

/** The shape and dtype of a TensorLike, without reading a tracer's value. */
function avalOf(x: TensorLike): [readonly number[], DType] {
  const t = x instanceof Tensor ? x : toTensor(x);
  return [t.shape, t.dtype];
}

/**
 * Zeros with x's shape and dtype (or `dtype`): always a concrete tensor, also for a tracer x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.zerosLike(ad.tensor([1, 2])); // => tensor([0., 0.], dtype=float32)
 * ```
 * @category Creation
 */
export function zerosLike(x: TensorLike, dtype?: DType): Tensor {
  const [shape, dt0] = avalOf(x);
  const dt = checkDType("zerosLike", dtype, dt0);
  return Tensor._fromData(shape, dt, allocateFor("zerosLike", shape, dt));
}

/**
 * Ones with x's shape and dtype (or `dtype`): always a concrete tensor, also for a tracer x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.onesLike(ad.tensor([1, 2])); // => tensor([1., 1.], dtype=float32)
 * ```
 * @category Creation
 */
export function onesLike(x: TensorLike, dtype?: DType): Tensor {
  const [shape, dt0] = avalOf(x);
  const dt = checkDType("onesLike", dtype, dt0);
  return Tensor._fromData(shape, dt, filled("onesLike", shape, dt, 1));
}

/**
 * Evenly spaced values in [start, stop) by `step` (NumPy): `arange(n)` is 0..n-1. The dtype
 * defaults to int32 when start, stop and step are all integers, else to the default float.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.arange(5); // => tensor([0, 1, 2, 3, 4], dtype=int32)
 * ad.arange(0, 1, 0.25); // => tensor([0., 0.25, 0.5, 0.75], dtype=float32)
 * ad.arange(5, 0, -2); // => tensor([5, 3, 1], dtype=int32)
 * ```
 * @category Creation
 */
export function arange(start: number, stop?: number, step?: number, dtype?: DType): Tensor {
  let lo = checkNumber("arange", "start", start);
  let hi: number;
  if (stop === undefined || stop === null) {
    hi = lo;
    lo = 0;
  } else {
    hi = checkNumber("arange", "stop", stop);
  }
  const by = step === undefined || step === null ? 1 : checkNumber("arange", "step", step);
  if (by === 0) throw new ValueError("arange: step must not be zero");
  const allInts = Number.isInteger(lo) && Number.isInteger(hi) && Number.isInteger(by);
  const dt = checkDType("arange", dtype, allInts ? "int32" : getDefaultFloat());
  const n = Math.max(0, Math.ceil((hi - lo) / by));
  const data = allocateFor("arange", [n], dt);
  for (let i = 0; i < n; i++) {
    const v = lo + i * by;
    data[i] = dt === "bool" ? (v !== 0 ? 1 : 0) : v;
  }
  return Tensor._fromData([n], dt, data);
}

/**
 * `n` evenly spaced values from a to b, both included (default float dtype).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linspace(0, 1, 5); // => tensor([0., 0.25, 0.5, 0.75, 1.], dtype=float32)
 * ```
 * @category Creation
 */
export function linspace(a: number, b: number, n: number, dtype?: DType): Tensor {
  checkNumber("linspace", "a", a);
  checkNumber("linspace", "b", b);
  checkCount("linspace", "n", n);
  const dt = checkDType("linspace", dtype, getDefaultFloat());
  const data = allocateFor("linspace", [n], dt);
  const step = n > 1 ? (b - a) / (n - 1) : 0;
  for (let i = 0; i < n; i++) {
    const v = i === n - 1 && n > 1 ? b : a + i * step;
    data[i] = dt === "bool" ? (v !== 0 ? 1 : 0) : v;
  }
  return Tensor._fromData([n], dt, data);
}

/**
 * An n x m matrix (m defaults to n) with ones on the diagonal (default float dtype).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.eye(2); // => tensor([[1., 0.], [0., 1.]], dtype=float32)
 * ad.eye(2, 3, "int32"); // => tensor([[1, 0, 0], [0, 1, 0]], dtype=int32)
 * ```
 * @category Creation
 */
export function eye(n: number, m?: number, dtype?: DType): Tensor {
  const rows = checkCount("eye", "n", n);
  const cols = m === undefined || m === null ? rows : checkCount("eye", "m", m);
  const dt = checkDType("eye", dtype, getDefaultFloat());
  const data = allocateFor("eye", [rows, cols], dt);
  for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
  return Tensor._fromData([rows, cols], dt, data);
}
