/**
 * @file The elementwise functions on plain JS numbers, for the scalar fast path of bind (size-1
 * float results computed without typed arrays). They are the reference kernels' own per-element
 * definitions, so both paths give identical results.
 */

import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { mod, roundHalfEven, sigmoid } from "../backend/reference/elementwise.js";
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
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  relu: (x) => (x > 0 || Number.isNaN(x) ? x : 0),
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
