/**
 * @file A small expression language over scalars: the one source of elementwise math.
 *
 * An expression is a tree over the operands `x` and `y`, numeric constants and the scalar
 * operations of `ALU` (arithmetic, Math functions, comparisons, logic, select and a few named
 * helpers whose bodies need more than one expression). Every elementwise kernel (reference, fast
 * float32/float64, the tape's scalar lane) is generated from one such tree (compile.ts), so an op
 * is written once; a later jit compiler can fuse trees the same way.
 *
 * Expressions are typed only as far as codegen needs: an operation yields a number or a boolean
 * (comparisons, logic); a kernel whose tree is boolean stores 1/0.
 */

import { HELPERS } from "./helpers.js";

/** How one scalar operation is written in JavaScript: a template over its operands' code. */
interface AluSpec {
  /** Number of operands. */
  readonly arity: 1 | 2 | 3;
  /** True when the operation yields a boolean (comparisons, logic). */
  readonly bool: boolean;
  /** JS source from the operands' sources (each already parenthesised where needed). */
  readonly js: (...a: string[]) => string;
  /** The same operation as a closure, for platforms that forbid generating code. */
  readonly fn: (...a: number[]) => number | boolean;
}

const math1 = (name: keyof Math & string, f: (v: number) => number): AluSpec => ({
  arity: 1,
  bool: false,
  js: (a) => `Math.${name}(${a})`,
  fn: f,
});

const infix = (
  sym: string,
  f: (a: number, b: number) => number | boolean,
  bool = false,
): AluSpec => ({
  arity: 2,
  bool,
  js: (a, b) => `(${a} ${sym} ${b})`,
  fn: f as (...a: number[]) => number | boolean,
});

/** A named helper from helpers.ts, called by name (the generated code receives it by name). */
const helper = (name: string, arity: 1 | 2, f: (...a: number[]) => number): AluSpec => ({
  arity,
  bool: false,
  js: (...a) => `${name}(${a.join(", ")})`,
  fn: f,
});

/**
 * The scalar operations. Each template is exactly the expression the hand-written kernels used,
 * so generated kernels are bit-identical to them (e.g. `**`, not Math.pow; `v - v === 0` for
 * finiteness).
 */
export const ALU = {
  neg: { arity: 1, bool: false, js: (a: string) => `(-${a})`, fn: (a: number) => -a },
  add: infix("+", (a, b) => a + b),
  sub: infix("-", (a, b) => a - b),
  mul: infix("*", (a, b) => a * b),
  div: infix("/", (a, b) => a / b),
  pow: infix("**", (a, b) => a ** b),
  max: {
    arity: 2,
    bool: false,
    js: (a: string, b: string) => `Math.max(${a}, ${b})`,
    fn: (a: number, b: number) => Math.max(a, b),
  },
  min: {
    arity: 2,
    bool: false,
    js: (a: string, b: string) => `Math.min(${a}, ${b})`,
    fn: (a: number, b: number) => Math.min(a, b),
  },
  /** JavaScript's %: C's fmod (the result has the dividend's sign), exact. */
  rem: infix("%", (a, b) => a % b),
  hypot: {
    arity: 2,
    bool: false,
    js: (a: string, b: string) => `Math.hypot(${a}, ${b})`,
    fn: (a: number, b: number) => Math.hypot(a, b),
  },
  atan2: {
    arity: 2,
    bool: false,
    js: (a: string, b: string) => `Math.atan2(${a}, ${b})`,
    fn: Math.atan2,
  },
  abs: math1("abs", Math.abs),
  sign: math1("sign", Math.sign),
  exp: math1("exp", Math.exp),
  log: math1("log", Math.log),
  log1p: math1("log1p", Math.log1p),
  expm1: math1("expm1", Math.expm1),
  sqrt: math1("sqrt", Math.sqrt),
  /** 1 / sqrt(x) with one rounding (the rsqrt kernel's expression). */
  rsqrt: {
    arity: 1,
    bool: false,
    js: (a: string) => `(1 / Math.sqrt(${a}))`,
    fn: (a: number) => 1 / Math.sqrt(a),
  },
  sin: math1("sin", Math.sin),
  cos: math1("cos", Math.cos),
  tan: math1("tan", Math.tan),
  asin: math1("asin", Math.asin),
  acos: math1("acos", Math.acos),
  atan: math1("atan", Math.atan),
  sinh: math1("sinh", Math.sinh),
  cosh: math1("cosh", Math.cosh),
  tanh: math1("tanh", Math.tanh),
  asinh: math1("asinh", Math.asinh),
  acosh: math1("acosh", Math.acosh),
  atanh: math1("atanh", Math.atanh),
  floor: math1("floor", Math.floor),
  ceil: math1("ceil", Math.ceil),
  trunc: math1("trunc", Math.trunc),
  cbrt: math1("cbrt", Math.cbrt),
  log2: math1("log2", Math.log2),
  log10: math1("log10", Math.log10),
  lt: infix("<", (a, b) => a < b, true),
  le: infix("<=", (a, b) => a <= b, true),
  gt: infix(">", (a, b) => a > b, true),
  ge: infix(">=", (a, b) => a >= b, true),
  eq: infix("===", (a, b) => a === b, true),
  ne: infix("!==", (a, b) => a !== b, true),
  /** Boolean and/or of two boolean operands. */
  and: infix("&&", (a, b) => Boolean(a) && Boolean(b), true),
  or: infix("||", (a, b) => Boolean(a) || Boolean(b), true),
  /** NaN test written as in the hand-written kernels. */
  isNaN: {
    arity: 1,
    bool: true,
    js: (a: string) => `Number.isNaN(${a})`,
    fn: (a: number) => Number.isNaN(a),
  },
  /** c ? a : b, with a boolean c. */
  where: {
    arity: 3,
    bool: false,
    js: (c: string, a: string, b: string) => `(${c} ? ${a} : ${b})`,
    fn: (c: number, a: number, b: number) => (c ? a : b),
  },
  erf: helper("erf", 1, (a) => HELPERS.erf(a)),
  sigmoid: helper("sigmoid", 1, (a) => HELPERS.sigmoid(a)),
  softplus: helper("softplus", 1, (a) => HELPERS.softplus(a)),
  roundHalfEven: helper("roundHalfEven", 1, (a) => HELPERS.roundHalfEven(a)),
  mod: helper("mod", 2, (a, b) => HELPERS.mod(a, b)),
  floorDivide: helper("floorDivide", 2, (a, b) => HELPERS.floorDivide(a, b)),
  /** Bitwise operations on int32 values (JavaScript's operators work on 32-bit integers). */
  bitAnd: infix("&", (a, b) => a & b),
  bitOr: infix("|", (a, b) => a | b),
  bitXor: infix("^", (a, b) => a ^ b),
  bitNot: { arity: 1, bool: false, js: (a: string) => `(~${a})`, fn: (a: number) => ~a },
  shiftLeft: helper("shiftLeft", 2, (a, b) => HELPERS.shiftLeft(a, b)),
  shiftRight: helper("shiftRight", 2, (a, b) => HELPERS.shiftRight(a, b)),
  bitCount: helper("bitCount", 1, (a) => HELPERS.bitCount(a)),
} as const satisfies Record<string, AluSpec>;

/** The name of a scalar operation. */
export type AluOp = keyof typeof ALU;

/**
 * A scalar expression over the operands x (0) and y (1); a derivative's expression may also read
 * the op's output (2).
 */
export type Expr =
  | { readonly kind: "arg"; readonly index: 0 | 1 | 2 }
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "alu"; readonly op: AluOp; readonly args: readonly Expr[] };

/** The first operand. */
export const x: Expr = { kind: "arg", index: 0 };
/** The second operand. */
export const y: Expr = { kind: "arg", index: 1 };
/** In a derivative's expression, the op's output (kernels never read it). */
export const out: Expr = { kind: "arg", index: 2 };

/** A numeric constant (a plain number where an operand is expected is one too). */
export type Operand = Expr | number;

function lift(e: Operand): Expr {
  return typeof e === "number" ? { kind: "const", value: e } : e;
}

/** The expression applying `op` to `args`. */
export function alu(op: AluOp, ...args: Operand[]): Expr {
  if (args.length !== ALU[op].arity) {
    throw new Error(`alu: ${op} takes ${ALU[op].arity} operand(s); got ${args.length}`);
  }
  return { kind: "alu", op, args: args.map(lift) };
}

/** True when `e` yields a boolean. */
export function isBool(e: Expr): boolean {
  return e.kind === "alu" && ALU[e.op].bool;
}
