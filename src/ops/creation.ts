/**
 * @file Creation: tensor and scalar (re-exported), zeros, ones, full, zerosLike, onesLike,
 * fullLike, arange, eye (linspace, logspace, geomspace: spacing.ts). New tensors are concrete
 * (never tracers) and default to the default float dtype, except full with a tensor value. The
 * dtype is a positional argument or `{ dtype }`.
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
import { checkOptions } from "../core/options.js";
import { checkShape, shapeSize } from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { astype } from "./elementwise.js";
import { broadcastTo } from "./shape.js";

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

/**
 * Options of the creation functions: the dtype of the result. Wherever a creation function takes
 * a dtype, `{ dtype }` is accepted too, with no placeholder arguments before it:
 * `arange(5, { dtype })` as well as `arange(0, 5, 1, dtype)`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.arange(3, { dtype: "float64" }); // => tensor([0., 1., 2.], dtype=float64)
 * ad.zeros([2], { dtype: "int32" }); // => tensor([0, 0], dtype=int32)
 * ```
 * @category Creation
 */
export interface CreationOptions {
  /** The dtype of the result (default: as each function says). */
  dtype?: DType;
}

/** A dtype given as a string or as `{ dtype }` (with the option keys `keys`), or the fallback. */
function dtypeArg(
  op: string,
  v: DType | CreationOptions | null | undefined,
  fallback: DType,
  keys: readonly string[] = ["dtype"],
): DType {
  if (v === undefined || v === null) return fallback;
  if (typeof v === "object") {
    return checkDType(op, checkOptions(op, v, keys).dtype, fallback);
  }
  return checkDType(op, v, fallback);
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
 * default float. A tensor (or array) value is broadcast to `shape` (as jnp.full), keeping its
 * dtype unless one is given, and the result is differentiable in it.
 * @param shape - The shape of the result.
 * @param value - The fill value: a number, a boolean, or a tensor that broadcasts to `shape`.
 * @param dtype - The dtype, as a string or `{ dtype }`.
 * @throws {@link ShapeError} when a tensor value does not broadcast to `shape`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.full([2, 2], 7); // => tensor([[7., 7.], [7., 7.]], dtype=float32)
 * ad.full([2], true); // => tensor([true, true], dtype=bool)
 * ad.full([2], 3, { dtype: "int32" }); // => tensor([3, 3], dtype=int32)
 * ad.full([2, 2], ad.tensor([1, 2])); // => tensor([[1., 2.], [1., 2.]], dtype=float32)
 * ```
 * @category Creation
 */
export function full(
  shape: number | readonly number[],
  value: number | boolean | TensorLike,
  dtype?: DType | CreationOptions,
): Tensor {
  const s = checkShape("full", shape).slice();
  if (typeof value !== "number" && typeof value !== "boolean") {
    if (!(value instanceof Tensor) && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
      throw new ValueError(
        `full: value must be a number, boolean or tensor; got ${describeValue(value)}`,
      );
    }
    const t = toTensor(value);
    const dt = dtypeArg("full", dtype, t.dtype);
    return broadcastTo(dt === t.dtype ? t : astype(t, dt), s);
  }
  const dt = dtypeArg("full", dtype, typeof value === "boolean" ? "bool" : getDefaultFloat());
  return Tensor._fromData(s, dt, filled("full", s, dt, Number(value)));
}

/**
 * A tensor of zeros (default float dtype unless `dtype` is given, as a string or `{ dtype }`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.zeros([2, 3], "int32"); // => tensor([[0, 0, 0], [0, 0, 0]], dtype=int32)
 * ad.zeros(3); // => tensor([0., 0., 0.], dtype=float32)
 * ad.zeros([2], { dtype: "float64" }); // => tensor([0., 0.], dtype=float64)
 * ```
 * @category Creation
 */
export function zeros(shape: number | readonly number[], dtype?: DType | CreationOptions): Tensor {
  const s = checkShape("zeros", shape).slice();
  const dt = dtypeArg("zeros", dtype, getDefaultFloat());
  return Tensor._fromData(s, dt, allocateFor("zeros", s, dt));
}

/**
 * A tensor of ones (default float dtype unless `dtype` is given, as a string or `{ dtype }`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.ones([3]); // => tensor([1., 1., 1.], dtype=float32)
 * ad.ones([2], { dtype: "int32" }); // => tensor([1, 1], dtype=int32)
 * ```
 * @category Creation
 */
export function ones(shape: number | readonly number[], dtype?: DType | CreationOptions): Tensor {
  const s = checkShape("ones", shape).slice();
  const dt = dtypeArg("ones", dtype, getDefaultFloat());
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
export function zerosLike(x: TensorLike, dtype?: DType | CreationOptions): Tensor {
  const [shape, dt0] = avalOf(x);
  const dt = dtypeArg("zerosLike", dtype, dt0);
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
export function onesLike(x: TensorLike, dtype?: DType | CreationOptions): Tensor {
  const [shape, dt0] = avalOf(x);
  const dt = dtypeArg("onesLike", dtype, dt0);
  return Tensor._fromData(shape, dt, filled("onesLike", shape, dt, 1));
}

/**
 * A tensor of x's shape filled with `value`, in x's dtype unless `dtype` is given (jnp.full_like:
 * the value is converted to that dtype). Always concrete for a number or boolean value, also for a
 * tracer x; a tensor value is broadcast to x's shape (and differentiable), as in {@link full}.
 * @param x - The tensor whose shape (and dtype) the result takes.
 * @param value - The fill value: a number, a boolean, or a tensor that broadcasts to x's shape.
 * @param dtype - The dtype, as a string or `{ dtype }` (default: x's).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.fullLike(ad.tensor([1, 2, 3]), 7); // => tensor([7., 7., 7.], dtype=float32)
 * ad.fullLike(ad.tensor([1, 2], { dtype: "int32" }), 2.5); // => tensor([2, 2], dtype=int32)
 * ad.fullLike(ad.zeros([2]), true, { dtype: "bool" }); // => tensor([true, true], dtype=bool)
 * ```
 * @category Creation
 */
export function fullLike(
  x: TensorLike,
  value: number | boolean | TensorLike,
  dtype?: DType | CreationOptions,
): Tensor {
  const [shape, dt0] = avalOf(x);
  if (typeof value === "number" || typeof value === "boolean") {
    const dt = dtypeArg("fullLike", dtype, dt0);
    return Tensor._fromData(shape, dt, filled("fullLike", shape, dt, Number(value)));
  }
  return full(shape, value, { dtype: dtypeArg("fullLike", dtype, dt0) });
}

/**
 * Evenly spaced values in [start, stop) by `step` (NumPy): `arange(n)` is 0..n-1. The dtype
 * defaults to int32 when start, stop and step are all integers, else to the default float. The
 * dtype may be given as `{ dtype }` after any of the numbers: `arange(5, { dtype })`,
 * `arange(2, 5, { dtype })`, or positionally as the fourth argument.
 * @throws {@link ValueError} when a bound or the step is not a finite number, the step is 0, or
 *   an options object is followed by more arguments.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.arange(5); // => tensor([0, 1, 2, 3, 4], dtype=int32)
 * ad.arange(0, 1, 0.25); // => tensor([0., 0.25, 0.5, 0.75], dtype=float32)
 * ad.arange(5, 0, -2); // => tensor([5, 3, 1], dtype=int32)
 * ad.arange(3, { dtype: "float64" }); // => tensor([0., 1., 2.], dtype=float64)
 * ad.arange(1, 3, { dtype: "float32" }); // => tensor([1., 2.], dtype=float32)
 * ```
 * @category Creation
 */
export function arange(
  start: number,
  stop?: number | null | CreationOptions,
  step?: number | null | CreationOptions,
  dtype?: DType | CreationOptions,
): Tensor {
  // An options object ends the argument list: arange(5, { dtype }), arange(0, 5, { dtype }).
  const rest: unknown[] = [stop, step, dtype];
  const at = rest.findIndex((a) => typeof a === "object" && a !== null);
  let opts: DType | CreationOptions | undefined = dtype;
  if (at >= 0) {
    if (rest.slice(at + 1).some((a) => a !== undefined)) {
      throw new ValueError(
        `arange: an options object must be the last argument; got ${describeValue(rest[at + 1])} after it`,
      );
    }
    opts = rest[at] as CreationOptions;
  }
  return arangeOf(
    start,
    typeof stop === "object" ? undefined : stop,
    typeof step === "object" ? undefined : step,
    opts,
  );
}

function arangeOf(
  start: number,
  stop: number | null | undefined,
  step: number | null | undefined,
  dtype: DType | CreationOptions | undefined,
): Tensor {
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
  const dt = dtypeArg("arange", dtype, allInts ? "int32" : getDefaultFloat());
  const n = Math.max(0, Math.ceil((hi - lo) / by));
  const data = allocateFor("arange", [n], dt);
  for (let i = 0; i < n; i++) {
    const v = lo + i * by;
    data[i] = dt === "bool" ? (v !== 0 ? 1 : 0) : v;
  }
  return Tensor._fromData([n], dt, data);
}

/**
 * Options of {@link eye}: the dtype and the diagonal `k` (0: the main one, positive: above it,
 * negative: below it), as jnp.eye.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.eye(3, { k: 1, dtype: "int32" }); // => tensor([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=int32)
 * ```
 * @category Creation
 */
export interface EyeOptions extends CreationOptions {
  /** The diagonal that holds the ones (default 0). */
  k?: number;
}

/**
 * An n x m matrix (m defaults to n) with ones on the diagonal (default float dtype), or on the
 * k-th diagonal with `{ k }`. The options (or a dtype) may follow n directly: `eye(3, { dtype })`.
 * @throws {@link ValueError} when n, m are not non-negative integers or k is not an integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.eye(2); // => tensor([[1., 0.], [0., 1.]], dtype=float32)
 * ad.eye(2, 3, "int32"); // => tensor([[1, 0, 0], [0, 1, 0]], dtype=int32)
 * ad.eye(2, { dtype: "float64" }); // => tensor([[1., 0.], [0., 1.]], dtype=float64)
 * ad.eye(2, 3, { k: -1 }); // => tensor([[0., 0., 0.], [1., 0., 0.]], dtype=float32)
 * ```
 * @category Creation
 */
export function eye(
  n: number,
  m?: number | null | DType | EyeOptions,
  dtype?: DType | EyeOptions,
): Tensor {
  let opts: DType | EyeOptions | undefined = dtype;
  if (typeof m === "object" || typeof m === "string") {
    if (dtype !== undefined) {
      throw new ValueError(
        `eye: the dtype or options must be the last argument; got ${describeValue(dtype)} after ${describeValue(m)}`,
      );
    }
    opts = m ?? undefined;
    m = undefined;
  }
  const rows = checkCount("eye", "n", n);
  const cols = m === undefined || m === null ? rows : checkCount("eye", "m", m);
  const dt = dtypeArg("eye", opts, getDefaultFloat(), ["dtype", "k"]);
  const k = typeof opts === "object" && opts !== null ? (opts.k ?? 0) : 0;
  if (!Number.isInteger(k)) {
    throw new ValueError(`eye: k must be an integer; got ${describeValue(k)}`);
  }
  const data = allocateFor("eye", [rows, cols], dt);
  for (let i = Math.max(0, -k); i < rows && i + k < cols; i++) data[i * cols + i + k] = 1;
  return Tensor._fromData([rows, cols], dt, data);
}
