/**
 * @file An op's derivative from its expression over x, y and out (table.ts): the tensor form
 * that the JVP and VJP rules multiply by (written with ops, so it is itself differentiated at
 * higher orders), the number form of the tape's scalar lane (rounding after each operation
 * exactly where the tensor form's ops round, so both lanes agree bit for bit), and what it reads.
 */

import { scalar } from "../core/convert.js";
import type { Tensor } from "../core/tensor.js";
import * as B from "../ops/bitwise.js";
import * as E from "../ops/elementwise.js";
import * as M from "../ops/elementwise-more.js";
import type { UnaryReads } from "../primitives/reads.js";
import { ALU, type AluOp, type Expr } from "./expr.js";

type T = Tensor;

/**
 * Each scalar operation as the op whose kernel is exactly that expression with one rounding at
 * the end. Keyed by every ALU operation (`satisfies`), so a new operation without its op does not
 * compile. Arrows defer the lookup (the ops modules import the primitives that import this).
 */
const TENSOR_OPS = {
  neg: (a: T) => E.neg(a),
  add: (a: T, b: T) => E.add(a, b),
  sub: (a: T, b: T) => E.sub(a, b),
  mul: (a: T, b: T) => E.mul(a, b),
  div: (a: T, b: T) => E.div(a, b),
  pow: (a: T, b: T) => E.pow(a, b),
  rem: (a: T, b: T) => M.fmod(a, b),
  hypot: (a: T, b: T) => M.hypot(a, b),
  max: (a: T, b: T) => E.maximum(a, b),
  min: (a: T, b: T) => E.minimum(a, b),
  atan2: (a: T, b: T) => E.atan2(a, b),
  abs: (a: T) => E.abs(a),
  sign: (a: T) => E.sign(a),
  exp: (a: T) => E.exp(a),
  log: (a: T) => E.log(a),
  log1p: (a: T) => E.log1p(a),
  expm1: (a: T) => E.expm1(a),
  sqrt: (a: T) => E.sqrt(a),
  rsqrt: (a: T) => E.rsqrt(a),
  sin: (a: T) => E.sin(a),
  cos: (a: T) => E.cos(a),
  tan: (a: T) => E.tan(a),
  asin: (a: T) => E.asin(a),
  acos: (a: T) => E.acos(a),
  atan: (a: T) => E.atan(a),
  sinh: (a: T) => E.sinh(a),
  cosh: (a: T) => E.cosh(a),
  tanh: (a: T) => E.tanh(a),
  asinh: (a: T) => E.asinh(a),
  acosh: (a: T) => E.acosh(a),
  atanh: (a: T) => E.atanh(a),
  floor: (a: T) => E.floor(a),
  ceil: (a: T) => E.ceil(a),
  trunc: (a: T) => M.trunc(a),
  cbrt: (a: T) => M.cbrt(a),
  log2: (a: T) => M.log2(a),
  log10: (a: T) => M.log10(a),
  lt: (a: T, b: T) => E.less(a, b),
  le: (a: T, b: T) => E.lessEqual(a, b),
  gt: (a: T, b: T) => E.greater(a, b),
  ge: (a: T, b: T) => E.greaterEqual(a, b),
  eq: (a: T, b: T) => E.equal(a, b),
  ne: (a: T, b: T) => E.notEqual(a, b),
  and: (a: T, b: T) => E.logicalAnd(a, b),
  or: (a: T, b: T) => E.logicalOr(a, b),
  isNaN: (a: T) => E.isNaN(a),
  where: (c: T, a: T, b: T) => E.where(c, a, b),
  erf: (a: T) => E.erf(a),
  sigmoid: (a: T) => E.sigmoid(a),
  softplus: (a: T) => E.softplus(a),
  roundHalfEven: (a: T) => E.round(a),
  mod: (a: T, b: T) => E.mod(a, b),
  floorDivide: (a: T, b: T) => M.floorDivide(a, b),
  bitAnd: (a: T, b: T) => B.bitwiseAnd(a, b),
  bitOr: (a: T, b: T) => B.bitwiseOr(a, b),
  bitXor: (a: T, b: T) => B.bitwiseXor(a, b),
  bitNot: (a: T) => B.bitwiseNot(a),
  shiftLeft: (a: T, b: T) => B.leftShift(a, b),
  shiftRight: (a: T, b: T) => B.rightShift(a, b),
  bitCount: (a: T) => B.bitwiseCount(a),
} satisfies Record<AluOp, (...a: T[]) => T>;

/**
 * `e` over tensors: operand 0 is x, 1 is y (binary ops), 2 the op's output; constants take x's
 * dtype.
 */
export function onTensors(e: Expr, x: Tensor, y: Tensor | undefined, out: Tensor): Tensor {
  switch (e.kind) {
    case "arg": {
      const v = e.index === 0 ? x : e.index === 1 ? y : out;
      if (v === undefined) throw new Error("onTensors: a unary op's derivative reads y");
      return v;
    }
    case "const":
      return scalar(e.value, x.dtype);
    case "alu": {
      // e * e as the square op: the same value (one rounding), and a derivative (2 e de) whose
      // higher orders round as the closed forms do (tanh's third derivative then equals
      // (6 t^2 - 2)(1 - t^2) to the last bit, which mul's e de + de e does not).
      if (e.op === "mul" && e.args[0] === e.args[1]) {
        return E.square(onTensors(e.args[0]!, x, y, out));
      }
      const args = e.args.map((a) => onTensors(a, x, y, out));
      return (TENSOR_OPS[e.op] as (...a: T[]) => T)(...args);
    }
  }
}

/**
 * `e` over numbers (operands as onTensors') with `r` (the dtype's rounding) applied after every
 * operation and constant, where the tensor form stores a result; booleans are not rounded.
 */
export function onNumbers(
  e: Expr,
  x: number,
  y: number,
  out: number,
  r: (v: number) => number,
): number {
  return evalNumber(e, x, y, out, r) as number;
}

function evalNumber(
  e: Expr,
  x: number,
  y: number,
  out: number,
  r: (v: number) => number,
): number | boolean {
  switch (e.kind) {
    case "arg":
      return e.index === 0 ? x : e.index === 1 ? y : out;
    case "const":
      return r(e.value);
    case "alu": {
      const spec = ALU[e.op];
      const v = (spec.fn as (...a: (number | boolean)[]) => number | boolean)(
        ...e.args.map((a) => evalNumber(a, x, y, out, r)),
      );
      return spec.bool ? v : r(v as number);
    }
  }
}

/** Which operands `e` reads: [x, y, out]. */
export function operandsOf(e: Expr): readonly [boolean, boolean, boolean] {
  const read: [boolean, boolean, boolean] = [false, false, false];
  const walk = (n: Expr): void => {
    if (n.kind === "arg") read[n.index] = true;
    else if (n.kind === "alu") n.args.forEach(walk);
  };
  walk(e);
  return read;
}

/** Which of x and out a unary op's derivative reads (the tape keeps only that). */
export function readsOf(e: Expr): UnaryReads {
  const [x, , o] = operandsOf(e);
  return x ? (o ? "x and out" : "x") : o ? "out" : "nothing";
}
