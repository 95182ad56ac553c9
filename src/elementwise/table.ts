/**
 * @file The elementwise kernels of the backend, each defined once as a scalar expression. The
 * reference kernels, the fast float32/float64 loops and the scalar lane are all generated from
 * these trees (compile.ts); `satisfies Record<UnaryOp | BinaryOp, ...>` makes a kernel op without
 * a definition a compile error.
 */

import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { alu, type Expr, isBool, x, y } from "./expr.js";

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
}

const def = (expr: Expr, unroll = false): KernelDef => ({
  expr,
  unroll,
  bool: isBool(expr),
});

/** The unary kernels (bool-valued trees write 1/0: logicalNot, isNaN, isFinite). */
export const UNARY_KERNELS = {
  neg: def(alu("neg", x), true),
  abs: def(alu("abs", x)),
  // Math.sign: sign(±0) = ±0, sign(NaN) = NaN.
  sign: def(alu("sign", x)),
  exp: def(alu("exp", x)),
  log: def(alu("log", x)),
  log1p: def(alu("log1p", x)),
  expm1: def(alu("expm1", x)),
  sqrt: def(alu("sqrt", x)),
  // One rounding in float32 (1 / sqrt in float64, then the store), unlike div(1, sqrt(x)).
  rsqrt: def(alu("div", 1, alu("sqrt", x))),
  square: def(alu("mul", x, x), true),
  reciprocal: def(alu("div", 1, x)),
  sin: def(alu("sin", x)),
  cos: def(alu("cos", x)),
  tan: def(alu("tan", x)),
  asin: def(alu("asin", x)),
  acos: def(alu("acos", x)),
  atan: def(alu("atan", x)),
  sinh: def(alu("sinh", x)),
  cosh: def(alu("cosh", x)),
  tanh: def(alu("tanh", x)),
  asinh: def(alu("asinh", x)),
  acosh: def(alu("acosh", x)),
  atanh: def(alu("atanh", x)),
  erf: def(alu("erf", x)),
  sigmoid: def(alu("sigmoid", x)),
  softplus: def(alu("softplus", x)),
  // max(x, 0) that lets NaN through (NaN > 0 is false, so NaN is tested for explicitly).
  relu: def(alu("where", alu("or", alu("gt", x, 0), alu("isNaN", x)), x, 0)),
  floor: def(alu("floor", x)),
  ceil: def(alu("ceil", x)),
  round: def(alu("roundHalfEven", x)),
  // Math.log2/log10 are exact at powers of 2 and 10; log(x) / ln 2 is not (log2(8) = 3 needs it).
  log2: def(alu("log2", x)),
  log10: def(alu("log10", x)),
  // 2 ** x is exact at integers (exp(x ln 2) is not) and overflows only where 2^x does.
  exp2: def(alu("pow", 2, x)),
  // Math.cbrt is defined for negatives (x ** (1/3) is NaN there) and exact at cubes.
  cbrt: def(alu("cbrt", x)),
  trunc: def(alu("trunc", x)),
  // The sign bit: true for -0 (1 / -0 is -Infinity) and negatives; NaN reads as positive (JS
  // numbers do not expose a NaN's sign).
  signbit: def(alu("or", alu("lt", x, 0), alu("and", alu("eq", x, 0), alu("lt", alu("div", 1, x), 0)))),
  // NaN is truthy (nonzero), so logicalNot(NaN) = 0.
  logicalNot: def(alu("eq", x, 0)),
  isNaN: def(alu("isNaN", x)),
  // v - v is 0 for finite v and NaN for ±Infinity and NaN.
  isFinite: def(alu("eq", alu("sub", x, x), 0)),
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
