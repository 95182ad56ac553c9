/**
 * @file Spaced sequences (JAX semantics): linspace, logspace, geomspace. Number endpoints give a
 * concrete tensor; tensor endpoints (traced ones too) are combined with ops, so the result is
 * differentiable in them.
 */

import { tensor, toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import {
  allocate,
  allocationContext,
  type DType,
  getDefaultFloat,
  isDType,
  isFloat,
  type TypedArray,
} from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { broadcastShapes, normalizeAxis } from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { add, astype, div, floor, mul, pow } from "./elementwise.js";
import { promoteToFloat } from "./promote.js";
import { broadcastTo, concat, expandDims, reshape } from "./shape.js";

/**
 * Options of {@link linspace}: the dtype, whether `stop` is the last value (`endpoint`, default
 * true) and the axis of the result the values run along when the endpoints are tensors
 * (default 0).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linspace(0, 1, 4, { endpoint: false }); // => tensor([0., 0.25, 0.5, 0.75], dtype=float32)
 * ```
 * @category Creation
 */
export interface LinspaceOptions {
  /** The dtype of the result (default: the endpoints' float dtype, or the default float). */
  dtype?: DType;
  /** Whether `stop` is the last value (default true). */
  endpoint?: boolean;
  /** The axis of the result along which the values run (default 0). */
  axis?: number;
}

/**
 * Options of {@link logspace}: those of {@link LinspaceOptions} and the `base` (default 10).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logspace(0, 3, 4, { base: 2 }); // => tensor([1., 2., 4., 8.], dtype=float32)
 * ```
 * @category Creation
 */
export interface LogspaceOptions extends LinspaceOptions {
  /** The base of the powers (default 10). */
  base?: number;
}

function checkDType(op: string, dtype: unknown, fallback: DType): DType {
  if (dtype === undefined) return fallback;
  if (!isDType(dtype)) {
    throw new DTypeError(
      `${op}: dtype must be one of float32, float64, int32, bool; got ${describeValue(dtype)}`,
    );
  }
  return dtype;
}

function checkEndpoint(op: string, endpoint: unknown): boolean {
  if (endpoint === undefined) return true;
  if (typeof endpoint !== "boolean") {
    throw new ValueError(`${op}: endpoint must be a boolean; got ${describeValue(endpoint)}`);
  }
  return endpoint;
}

function checkEndpointArg(op: string, arg: string, v: TensorLike): void {
  if (typeof v === "number" && !Number.isFinite(v)) {
    throw new ValueError(`${op}: ${arg} must be a finite number or a tensor; got ${v}`);
  }
}

function checkCount(op: string, num: unknown): number {
  if (!Number.isInteger(num) || (num as number) < 0) {
    throw new ValueError(`${op}: num must be a non-negative integer; got ${describeValue(num)}`);
  }
  return num as number;
}

/** The result cast to `dtype` as JAX does: floats are floored before becoming integers. */
function castTo(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  return astype(dtype === "int32" && isFloat(x.dtype) ? floor(x) : x, dtype);
}

/**
 * The skeleton of linspace and geomspace: start and stop (broadcast against each other, float,
 * float64 when both are numbers so that number endpoints lose nothing), a new axis of `num`
 * values, where value i is `combine(start, stop, t_i)` with t_i = i / (num - 1) (i / num without
 * the endpoint); with the endpoint, the last value is stop itself.
 */
function spaced(
  op: string,
  start: TensorLike,
  stop: TensorLike,
  num: number,
  opts: LinspaceOptions,
  combine: (s: Tensor, e: Tensor, t: Tensor, oneMinusT: Tensor) => Tensor,
): Tensor {
  checkEndpointArg(op, "start", start);
  checkEndpointArg(op, "stop", stop);
  const endpoint = checkEndpoint(op, opts.endpoint);
  const numbers = typeof start === "number" && typeof stop === "number";
  let [s, e] = (
    numbers
      ? [toTensor(start, "float64"), toTensor(stop, "float64")]
      : promoteToFloat([start, stop])
  ) as [Tensor, Tensor];
  const outDType = checkDType(op, opts.dtype, numbers ? getDefaultFloat() : s.dtype);
  const shape = broadcastShapes(op, s.shape, e.shape);
  if (s.shape.length !== shape.length || s.shape.some((d, i) => d !== shape[i])) {
    s = broadcastTo(s, shape);
  }
  if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
    e = broadcastTo(e, shape);
  }
  const axis = normalizeAxis(op, opts.axis ?? 0, shape.length + 1);
  const outShape = [...shape.slice(0, axis), num, ...shape.slice(axis)];
  const cdt = s.dtype;
  if (num === 0) return castTo(Tensor._fromData(outShape, cdt, allocate(cdt, 0)), outDType);
  const sx = expandDims(s, axis);
  const ex = expandDims(e, axis);
  const steps = endpoint ? num - 1 : num;
  let out: Tensor;
  if (steps === 0) {
    out = sx;
  } else {
    const along = outShape.map((_, i) => (i === axis ? steps : 1));
    const t = new Float64Array(steps);
    const u = new Float64Array(steps);
    for (let i = 0; i < steps; i++) {
      t[i] = i / steps;
      u[i] = 1 - i / steps;
    }
    const tt = reshape(tensor(t, { dtype: cdt }), along);
    const ut = reshape(tensor(u, { dtype: cdt }), along);
    out = combine(sx, ex, tt, ut);
    if (endpoint) out = concat([out, ex], axis);
  }
  return castTo(out, outDType);
}

/** Value i of linspace: start (1 - t) + stop t, as jnp.linspace (u = 1 - t, rounded once). */
const lerp = (s: Tensor, e: Tensor, t: Tensor, u: Tensor): Tensor => add(mul(s, u), mul(e, t));

/**
 * `num` (default 50) evenly spaced values from start to stop, stop included unless
 * `endpoint: false` (jnp.linspace). The endpoints may be tensors, traced ones included: then
 * the result is differentiable in them (value i is start (1 - t_i) + stop t_i, t_i = i / (num - 1),
 * or i / num without the endpoint), and tensor endpoints broadcast against each other, the
 * values running along `axis` (default 0) of the result. The dtype defaults to the default float
 * (or the endpoints' float dtype); integer dtypes take the floor. Options: `dtype`, `endpoint`,
 * `axis`; a bare dtype string is accepted as the fourth argument.
 * @param start - The first value (a number or a tensor).
 * @param stop - The last value (or the first one past the end, with `endpoint: false`).
 * @param num - How many values (default 50).
 * @param options - `dtype`, `endpoint` (default true) and `axis` (default 0), or a dtype.
 * @throws {@link ValueError} when num is not a non-negative integer or an endpoint is not finite.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linspace(0, 1, 5); // => tensor([0., 0.25, 0.5, 0.75, 1.], dtype=float32)
 * ad.linspace(0, 1, 4, { endpoint: false, dtype: "float64" }); // => tensor([0., 0.25, 0.5, 0.75], dtype=float64)
 * ad.linspace(ad.tensor([0, 10]), 1, 3, { axis: 1 }); // => tensor([[0., 0.5, 1.], [10., 5.5, 1.]], dtype=float32)
 * ad.grad((a: ad.Tensor) => ad.sum(ad.linspace(a, 4, 5)))(ad.scalar(0)); // => tensor(2.5, dtype=float32)
 * ```
 * @category Creation
 */
export function linspace(
  start: TensorLike,
  stop: TensorLike,
  num = 50,
  options?: DType | LinspaceOptions,
): Tensor {
  const op = "linspace";
  const opts: LinspaceOptions =
    typeof options === "string"
      ? { dtype: options }
      : checkOptions(op, options, ["dtype", "endpoint", "axis"]);
  checkCount(op, num);
  if (typeof start !== "number" || typeof stop !== "number" || (opts.axis ?? 0) !== 0) {
    // Tensor endpoints: built from ops, so differentiable in them.
    return spaced(op, start, stop, num, opts, lerp);
  }
  // Number endpoints: a concrete tensor, filled directly.
  checkEndpointArg(op, "start", start);
  checkEndpointArg(op, "stop", stop);
  const a = start;
  const b = stop;
  const endpoint = checkEndpoint(op, opts.endpoint);
  const dt = checkDType(op, opts.dtype, getDefaultFloat());
  const n = num;
  let data: TypedArray;
  try {
    data = allocate(dt, n);
  } catch (e) {
    throw allocationContext(e, op, [n], dt);
  }
  const div = endpoint ? n - 1 : n;
  const step = div > 0 ? (b - a) / div : 0;
  const round = dt === "int32" ? Math.floor : (v: number) => v;
  for (let i = 0; i < n; i++) {
    const v = endpoint && i === n - 1 && n > 1 ? b : a + i * step;
    data[i] = dt === "bool" ? (v !== 0 ? 1 : 0) : round(v);
  }
  return Tensor._fromData([n], dt, data);
}

/**
 * `num` (default 50) values evenly spaced on a log scale: base^v for v in
 * linspace(start, stop, num), so from base^start to base^stop (jnp.logspace). The endpoints may
 * be tensors (traced ones too): the result is differentiable in them, and they broadcast as in
 * {@link linspace}. Options: `base` (default 10), `endpoint`, `dtype`, `axis`.
 * @param start - The exponent of the first value.
 * @param stop - The exponent of the last value (or of the first past the end, without endpoint).
 * @param num - How many values (default 50).
 * @param options - `base`, `endpoint`, `dtype`, `axis`.
 * @throws {@link ValueError} when num is not a non-negative integer or an option is invalid.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logspace(0, 3, 4); // => tensor([1., 10., 100., 1000.], dtype=float32)
 * ad.logspace(0, 3, 3, { base: 2, endpoint: false }); // => tensor([1., 2., 4.], dtype=float32)
 * ad.grad((b: ad.Tensor) => ad.sum(ad.logspace(0, b, 2)))(ad.scalar(1)); // => tensor(23.02585, dtype=float32)
 * ```
 * @category Creation
 */
export function logspace(
  start: TensorLike,
  stop: TensorLike,
  num = 50,
  options?: LogspaceOptions,
): Tensor {
  const op = "logspace";
  const opts = checkOptions(op, options, ["dtype", "endpoint", "axis", "base"]);
  checkCount(op, num);
  const base = opts.base ?? 10;
  if (typeof base !== "number" || !Number.isFinite(base)) {
    throw new ValueError(`${op}: base must be a finite number; got ${describeValue(base)}`);
  }
  const { dtype, ...linOpts } = opts;
  const lin = spaced(op, start, stop, num, linOpts, lerp);
  const numbers = typeof start === "number" && typeof stop === "number";
  const fallback = numbers ? getDefaultFloat() : lin.dtype;
  return castTo(pow(base, lin), checkDType(op, dtype, fallback));
}

/**
 * `num` (default 50) values in a geometric progression from start to stop (jnp.geomspace): value
 * i is start (stop / start)^t_i, t_i as in {@link linspace}; the endpoints are exact. Both
 * endpoints must be nonzero with the same sign (negative ones give a negative progression).
 * The endpoints may be tensors (traced ones too): the result is differentiable in them; with
 * tensors, mixed signs give NaN as in JAX. Options: `endpoint`, `dtype`, `axis`.
 * @param start - The first value.
 * @param stop - The last value (or the first past the end, without endpoint).
 * @param num - How many values (default 50).
 * @param options - `endpoint`, `dtype`, `axis`.
 * @throws {@link ValueError} when number endpoints are zero or of different signs, or num is not
 *   a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.geomspace(1, 1000, 4); // => tensor([1., 10., 100., 1000.], dtype=float32)
 * ad.geomspace(-1, -16, 3, { endpoint: false }); // => tensor([-1., -2.519842, -6.349604], dtype=float32)
 * ad.geomspace(0, 1, 3); // throws: ValueError: geomspace: start and stop must be nonzero
 * ```
 * @category Creation
 */
export function geomspace(
  start: TensorLike,
  stop: TensorLike,
  num = 50,
  options?: LinspaceOptions,
): Tensor {
  const op = "geomspace";
  const opts = checkOptions(op, options, ["dtype", "endpoint", "axis"]);
  checkCount(op, num);
  if (typeof start === "number" && typeof stop === "number") {
    if (start === 0 || stop === 0 || start < 0 !== stop < 0) {
      throw new ValueError(
        `${op}: start and stop must be nonzero and have the same sign; got ${start} and ${stop}`,
      );
    }
  }
  return spaced(op, start, stop, num, opts, (s, e, t) => mul(s, pow(div(e, s), t)));
}
