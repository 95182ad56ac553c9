/**
 * @file Creation: tensor and scalar (re-exported), zeros, ones, full, zerosLike, onesLike, arange,
 * linspace, eye. New tensors are concrete (never tracers) and default to the default float dtype.
 */

import { toTensor } from "../core/convert.js";
import { allocate, type DType, getDefaultFloat, isDType, type TypedArray } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { checkShape, shapeSize } from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";

export { scalar, tensor } from "../core/convert.js";

function checkDType(op: string, dtype: DType | undefined, fallback: DType): DType {
  if (dtype === undefined) return fallback;
  if (!isDType(dtype)) {
    throw new DTypeError(
      `${op}: dtype must be one of float32, float64, int32, bool; got ${JSON.stringify(dtype)}`,
    );
  }
  return dtype;
}

function checkNumber(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ValueError(`${op}: ${arg} must be a finite number; got ${String(v)}`);
  }
  return v;
}

function checkCount(op: string, arg: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 0) {
    throw new ValueError(`${op}: ${arg} must be a non-negative integer; got ${String(v)}`);
  }
  return v as number;
}

/** Stores `v` as an element of `dtype` (bool: v != 0). */
function filled(dtype: DType, size: number, v: number): TypedArray {
  const data = allocate(dtype, size);
  if (v !== 0) data.fill(dtype === "bool" ? 1 : v);
  return data;
}

/**
 * A tensor of `shape` filled with `value`; dtype defaults to bool for a boolean value, else the
 * default float.
 * @example ad.full([2, 2], 7) // tensor([[7, 7], [7, 7]])
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
  return Tensor._fromData(s, dt, filled(dt, shapeSize(s), Number(value)));
}

/**
 * A tensor of zeros (default float dtype unless `dtype` is given).
 * @example ad.zeros([2, 3], "int32")
 */
export function zeros(shape: number | readonly number[], dtype?: DType): Tensor {
  const s = checkShape("zeros", shape).slice();
  const dt = checkDType("zeros", dtype, getDefaultFloat());
  return Tensor._fromData(s, dt, allocate(dt, shapeSize(s)));
}

/**
 * A tensor of ones (default float dtype unless `dtype` is given).
 * @example ad.ones([3])
 */
export function ones(shape: number | readonly number[], dtype?: DType): Tensor {
  const s = checkShape("ones", shape).slice();
  const dt = checkDType("ones", dtype, getDefaultFloat());
  return Tensor._fromData(s, dt, filled(dt, shapeSize(s), 1));
}

/** The shape and dtype of a TensorLike, without reading a tracer's value. */
function avalOf(x: TensorLike): [readonly number[], DType] {
  const t = x instanceof Tensor ? x : toTensor(x);
  return [t.shape, t.dtype];
}

/**
 * Zeros with x's shape and dtype (or `dtype`): always a concrete tensor, also for a tracer x.
 * @example ad.zerosLike(ad.tensor([1, 2])) // tensor([0, 0])
 */
export function zerosLike(x: TensorLike, dtype?: DType): Tensor {
  const [shape, dt0] = avalOf(x);
  const dt = checkDType("zerosLike", dtype, dt0);
  return Tensor._fromData(shape, dt, allocate(dt, shapeSize(shape)));
}

/**
 * Ones with x's shape and dtype (or `dtype`): always a concrete tensor, also for a tracer x.
 * @example ad.onesLike(ad.tensor([1, 2])) // tensor([1, 1])
 */
export function onesLike(x: TensorLike, dtype?: DType): Tensor {
  const [shape, dt0] = avalOf(x);
  const dt = checkDType("onesLike", dtype, dt0);
  return Tensor._fromData(shape, dt, filled(dt, shapeSize(shape), 1));
}

/**
 * Evenly spaced values in [start, stop) by `step` (NumPy): `arange(n)` is 0..n-1. The dtype
 * defaults to int32 when start, stop and step are all integers, else to the default float.
 * @example ad.arange(5) // tensor([0, 1, 2, 3, 4], dtype=int32)
 * @example ad.arange(0, 1, 0.25) // tensor([0, 0.25, 0.5, 0.75])
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
  const data = allocate(dt, n);
  for (let i = 0; i < n; i++) {
    const v = lo + i * by;
    data[i] = dt === "bool" ? (v !== 0 ? 1 : 0) : v;
  }
  return Tensor._fromData([n], dt, data);
}

/**
 * `n` evenly spaced values from a to b, both included (default float dtype).
 * @example ad.linspace(0, 1, 5) // tensor([0, 0.25, 0.5, 0.75, 1])
 */
export function linspace(a: number, b: number, n: number, dtype?: DType): Tensor {
  checkNumber("linspace", "a", a);
  checkNumber("linspace", "b", b);
  checkCount("linspace", "n", n);
  const dt = checkDType("linspace", dtype, getDefaultFloat());
  const data = allocate(dt, n);
  const step = n > 1 ? (b - a) / (n - 1) : 0;
  for (let i = 0; i < n; i++) {
    const v = i === n - 1 && n > 1 ? b : a + i * step;
    data[i] = dt === "bool" ? (v !== 0 ? 1 : 0) : v;
  }
  return Tensor._fromData([n], dt, data);
}

/**
 * An n x m matrix (m defaults to n) with ones on the diagonal (default float dtype).
 * @example ad.eye(2) // tensor([[1, 0], [0, 1]])
 */
export function eye(n: number, m?: number, dtype?: DType): Tensor {
  const rows = checkCount("eye", "n", n);
  const cols = m === undefined || m === null ? rows : checkCount("eye", "m", m);
  const dt = checkDType("eye", dtype, getDefaultFloat());
  const data = allocate(dt, rows * cols);
  for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
  return Tensor._fromData([rows, cols], dt, data);
}
