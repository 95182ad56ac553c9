/**
 * @file The arithmetic of an optimizer's per-step scalars (bias corrections, decayed learning
 * rates) on numbers or on 0-d tensors. With a concrete step count they are JavaScript numbers;
 * with a traced one (a whole training step under jit) they are float64 0-d tensors computed by
 * the same operations, so both give the same bits: float64 kernels are these JavaScript
 * operators (`a ** b` for pow, Math.sqrt for sqrt).
 */

import type { DType } from "../core/dtype.js";
import { Tensor } from "../core/tensor.js";
import {
  add,
  astype,
  cos,
  div,
  equal,
  floor,
  less,
  lessEqual,
  maximum,
  minimum,
  mul,
  notEqual,
  pow,
  scalar,
  sqrt,
  sub,
  where,
} from "../ops/index.js";

/** A per-step scalar: a number, or a 0-d tensor when the step count is traced. */
export type Scalar = number | Tensor;

function f64(x: Scalar): Tensor {
  if (typeof x === "number") return scalar(x, "float64");
  return x.dtype === "float64" ? x : astype(x, "float64");
}

/** a + b. */
export function sAdd(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number" ? a + b : add(f64(a), f64(b));
}

/** a - b. */
export function sSub(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number" ? a - b : sub(f64(a), f64(b));
}

/** a * b. */
export function sMul(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number" ? a * b : mul(f64(a), f64(b));
}

/** a / b. */
export function sDiv(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number" ? a / b : div(f64(a), f64(b));
}

/** a ** b. */
export function sPow(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number" ? a ** b : pow(f64(a), f64(b));
}

/** Math.sqrt(a). */
export function sSqrt(a: Scalar): Scalar {
  return typeof a === "number" ? Math.sqrt(a) : sqrt(f64(a));
}

/** 1 when a is 0, else 0. */
export function sIsZero(a: Scalar): Scalar {
  return typeof a === "number" ? (a === 0 ? 1 : 0) : astype(equal(a, 0), "float64");
}

/** `s` as a value of `dtype` for an op with a tensor of that dtype (numbers convert by themselves). */
export function sAs(s: Scalar, dtype: DType): Scalar {
  return typeof s === "number" || s.dtype === dtype ? s : astype(s, dtype);
}

/** `flag ? a() : b()` for a 0/1 flag: a JavaScript branch on a number, a select on a tensor. */
export function sPick(flag: Scalar, a: () => Tensor, b: () => Tensor): Tensor {
  if (typeof flag === "number") return flag !== 0 ? a() : b();
  return where(notEqual(flag, 0), a(), b());
}

/** True for a scalar that is a number (the step count was concrete). */
export function isNumber(s: Scalar): s is number {
  return !(s instanceof Tensor);
}

/** Math.floor(a). */
export function sFloor(a: Scalar): Scalar {
  return typeof a === "number" ? Math.floor(a) : floor(f64(a));
}

/** Math.cos(a). */
export function sCos(a: Scalar): Scalar {
  return typeof a === "number" ? Math.cos(a) : cos(f64(a));
}

/** Math.min(a, b). */
export function sMin(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number" ? Math.min(a, b) : minimum(f64(a), f64(b));
}

/** Math.max(a, b). */
export function sMax(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number" ? Math.max(a, b) : maximum(f64(a), f64(b));
}

/** 1 when a < b, else 0. */
export function sLess(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number"
    ? a < b
      ? 1
      : 0
    : astype(less(f64(a), f64(b)), "float64");
}

/** 1 when a <= b, else 0. */
export function sLessEqual(a: Scalar, b: Scalar): Scalar {
  return typeof a === "number" && typeof b === "number"
    ? a <= b
      ? 1
      : 0
    : astype(lessEqual(f64(a), f64(b)), "float64");
}

/** `flag ? a : b` for a 0/1 flag and scalars: a JavaScript branch on numbers, a select on tensors. */
export function sSelect(flag: Scalar, a: Scalar, b: Scalar): Scalar {
  if (typeof flag === "number") return flag !== 0 ? a : b;
  return where(notEqual(flag, 0), f64(a), f64(b));
}
