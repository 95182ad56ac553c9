/**
 * @file The elementwise kernels of the backend, each defined once as a scalar expression. The
 * reference kernels, the fast float32/float64 loops and the scalar lane are all generated from
 * these trees (compile.ts); `satisfies Record<UnaryOp | BinaryOp, ...>` makes a kernel op without
 * a definition a compile error.
 */

import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { alu, type Expr, isBool, out, x, y } from "./expr.js";

/** One kernel: its expression and whether its loops are unrolled. */
export interface KernelDef {
  readonly expr: Expr;
  /**
   * Unroll the contiguous loops 4 ways: worth it for the one-instruction ops (add, sub, mul, div,
   * neg, square), whose loop and bounds-check overhead is a large share of the time (1.5x per
   * element measured on 1e3..1e5 float64 arrays, Node 20; TurboFan does not vectorise).
   */
  readonly unroll: boolean;
  /** True when the expression yields a boolean (the kernel writes 1/0). */
  readonly bool: boolean;
  /**
   * A unary op's derivative f'(x) over x and `out` = f(x) (derivative.ts turns it into the JVP
   * and VJP rules' factor and the scalar lane's number), for `unary` in src/primitives/unary.ts.
   */
  readonly derivative?: Expr;
}

const def = (expr: Expr, unroll = false): KernelDef => ({
  expr,
  unroll,
  bool: isBool(expr),
});

/** A differentiable unary kernel: its expression and its derivative over x and out. */
const diff = (expr: Expr, derivative: Expr, unroll = false): KernelDef => ({
  ...def(expr, unroll),
  derivative,
});

const sq = (e: Expr): Expr => alu("mul", e, e);
/** (1 - x)(1 + x), written as the rules always wrote it. */
const oneMinusSq = alu("mul", alu("sub", 1, x), alu("add", x, 1));

/** The unary kernels (bool-valued trees write 1/0: logicalNot, isNaN, isFinite). */
export const UNARY_KERNELS = {
  neg: def(alu("neg", x), true),
  // d |x| = sign(x) dx   (sign(0) = 0, so abs'(0) = 0)
  abs: diff(alu("abs", x), alu("sign", x)),
  // Math.sign: sign(±0) = ±0, sign(NaN) = NaN.
  sign: def(alu("sign", x)),
  exp: diff(alu("exp", x), out),
  log: diff(alu("log", x), alu("div", 1, x)),
  log1p: diff(alu("log1p", x), alu("div", 1, alu("add", x, 1))),
  expm1: diff(alu("expm1", x), alu("add", out, 1)),
  // sqrt'(0) = +Infinity
  sqrt: diff(alu("sqrt", x), alu("div", 0.5, out)),
  // One rounding in float32 (1 / sqrt in float64, then the store), unlike div(1, sqrt(x)).
  // d rsqrt = -out / (2 x) dx   (= -x^(-3/2) / 2)
  rsqrt: diff(alu("rsqrt", x), alu("mul", alu("div", out, x), -0.5)),
  square: diff(alu("mul", x, x), alu("mul", x, 2), true),
  reciprocal: diff(alu("div", 1, x), alu("neg", sq(out))),
  sin: diff(alu("sin", x), alu("cos", x)),
  cos: diff(alu("cos", x), alu("neg", alu("sin", x))),
  tan: diff(alu("tan", x), alu("add", sq(out), 1)),
  asin: diff(alu("asin", x), alu("rsqrt", oneMinusSq)),
  acos: diff(alu("acos", x), alu("neg", alu("rsqrt", oneMinusSq))),
  atan: diff(alu("atan", x), alu("div", 1, alu("add", sq(x), 1))),
  sinh: diff(alu("sinh", x), alu("cosh", x)),
  cosh: diff(alu("cosh", x), alu("sinh", x)),
  tanh: diff(alu("tanh", x), alu("sub", 1, sq(out))),
  asinh: diff(alu("asinh", x), alu("rsqrt", alu("add", sq(x), 1))),
  acosh: diff(alu("acosh", x), alu("rsqrt", alu("mul", alu("sub", x, 1), alu("add", x, 1)))),
  atanh: diff(alu("atanh", x), alu("div", 1, oneMinusSq)),
  // d erf = 2/sqrt(pi) exp(-x^2) dx
  erf: diff(alu("erf", x), alu("mul", alu("exp", alu("neg", sq(x))), 2 / Math.sqrt(Math.PI))),
  sigmoid: diff(alu("sigmoid", x), alu("mul", out, alu("sub", 1, out))),
  softplus: diff(alu("softplus", x), alu("sigmoid", x)),
  // max(x, 0) that lets NaN through (NaN > 0 is false, so NaN is tested for explicitly).
  // relu'(0) = 0
  relu: diff(
    alu("where", alu("or", alu("gt", x, 0), alu("isNaN", x)), x, 0),
    alu("where", alu("gt", x, 0), 1, 0),
  ),
  floor: def(alu("floor", x)),
  ceil: def(alu("ceil", x)),
  round: def(alu("roundHalfEven", x)),
  // Math.log2/log10 are exact at powers of 2 and 10; log(x) / ln 2 is not (log2(8) = 3 needs it).
  log2: diff(alu("log2", x), alu("div", 1, alu("mul", x, Math.LN2))),
  log10: diff(alu("log10", x), alu("div", 1, alu("mul", x, Math.LN10))),
  // 2 ** x is exact at integers (exp(x ln 2) is not) and overflows only where 2^x does.
  exp2: diff(alu("pow", 2, x), alu("mul", out, Math.LN2)),
  // Math.cbrt is defined for negatives (x ** (1/3) is NaN there) and exact at cubes.
  // cbrt'(0) = +Infinity, as sqrt's
  cbrt: diff(alu("cbrt", x), alu("div", 1, alu("mul", sq(out), 3))),
  trunc: def(alu("trunc", x)),
  // The sign bit: true for -0 (1 / -0 is -Infinity) and negatives; NaN reads as positive (JS
  // numbers do not expose a NaN's sign).
  signbit: def(
    alu("or", alu("lt", x, 0), alu("and", alu("eq", x, 0), alu("lt", alu("div", 1, x), 0))),
  ),
  // NaN is truthy (nonzero), so logicalNot(NaN) = 0.
  logicalNot: def(alu("eq", x, 0)),
  isNaN: def(alu("isNaN", x)),
  // v - v is 0 for finite v and NaN for ±Infinity and NaN.
  isFinite: def(alu("eq", alu("sub", x, x), 0)),
  // int32 only (bool's not is logicalNot; the primitive picks it).
  bitwiseNot: def(alu("bitNot", x)),
  bitwiseCount: def(alu("bitCount", x)),
} as const satisfies Record<UnaryOp, KernelDef>;

/** The binary kernels (comparisons and logic write 1/0). */
export const BINARY_KERNELS = {
  add: def(alu("add", x, y), true),
  sub: def(alu("sub", x, y), true),
  mul: def(alu("mul", x, y), true),
  div: def(alu("div", x, y), true),
  pow: def(alu("pow", x, y)),
  // Math.max/min propagate NaN and order -0 < +0.
  max: def(alu("max", x, y)),
  min: def(alu("min", x, y)),
  atan2: def(alu("atan2", x, y)),
  mod: def(alu("mod", x, y)),
  // Math.hypot neither overflows nor underflows in the squares (hypot(3e200, 4e200) ~ 5e200).
  hypot: def(alu("hypot", x, y)),
  // NumPy's floor division (npy_divmod's quotient; floorDivide(1, 0.1) = 9).
  floorDivide: def(alu("floorDivide", x, y)),
  // C's fmod: exact, with the dividend's sign.
  fmod: def(alu("rem", x, y)),
  // |x| with y's sign bit (copysign(1, -0) = -1).
  copysign: def(
    alu(
      "where",
      alu("or", alu("lt", y, 0), alu("and", alu("eq", y, 0), alu("lt", alu("div", 1, y), 0))),
      alu("neg", alu("abs", x)),
      alu("abs", x),
    ),
  ),
  // int32 (and bool, where & | ^ of 0/1 are the logical ops).
  bitwiseAnd: def(alu("bitAnd", x, y)),
  bitwiseOr: def(alu("bitOr", x, y)),
  bitwiseXor: def(alu("bitXor", x, y)),
  // Counts outside [0, 31]: 0 for <<, the sign fill for >> (XLA's shifts), not JS's count mod 32.
  shiftLeft: def(alu("shiftLeft", x, y)),
  shiftRight: def(alu("shiftRight", x, y)),
  eq: def(alu("eq", x, y)),
  ne: def(alu("ne", x, y)),
  lt: def(alu("lt", x, y)),
  le: def(alu("le", x, y)),
  gt: def(alu("gt", x, y)),
  ge: def(alu("ge", x, y)),
  // Nonzero (NaN included) is true.
  and: def(alu("and", alu("ne", x, 0), alu("ne", y, 0))),
  or: def(alu("or", alu("ne", x, 0), alu("ne", y, 0))),
} as const satisfies Record<BinaryOp, KernelDef>;
