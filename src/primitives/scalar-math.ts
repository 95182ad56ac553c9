/**
 * @file The elementwise functions on plain JS numbers, for the scalar fast path of bind (size-1
 * float results computed without typed arrays). Where a kernel needs more than one expression
 * (sigmoid, softplus, relu, mod, round, erf) this calls the very function the reference and fast
 * kernels call; the rest are the kernels' one-expression bodies, so both paths agree bit for bit.
 */

import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { mod, relu, roundHalfEven, sigmoid, softplus } from "../backend/reference/elementwise.js";
import { erf } from "../backend/reference/erf.js";

type Fn1 = (x: number) => number;
type Fn2 = (x: number, y: number) => number;

/** Per-element unary functions on floats (ops with bool results are not here). */
export const UNARY_SCALAR: Partial<Record<UnaryOp, Fn1>> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: Math.sign,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  erf,
  sigmoid,
  softplus,
  relu,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
};

/** Per-element binary functions on floats (comparisons and logic are not here). Each takes exactly
 * two arguments: bind passes a third (params), which variadic Math.max/min would read. */
export const BINARY_SCALAR: Partial<Record<BinaryOp, Fn2>> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: (x, y) => x ** y,
  max: (x, y) => Math.max(x, y),
  min: (x, y) => Math.min(x, y),
  atan2: Math.atan2,
  mod,
};
