/**
 * @file Every elementwise op, defined once: its scalar expression and how its primitive is
 * declared. The reference kernels, the fast float32/float64 loops and the scalar lane are
 * generated from the expressions (compile.ts); the primitives, with their JVP, VJP, vmap and
 * scalar-lane rules and what the tape keeps, are generated from the derivative, the partials or
 * the flags (src/primitives/elementwise.ts); the backend's op names and the primitive names are
 * the keys of these tables (src/backend/backend.ts, src/primitives/names.ts). A new elementwise
 * op is one entry here, its user-facing function and its spec line (docs/CONTRIBUTING-primitives.md).
 */

import { alu, type Expr, isBool, out, x, y } from "./expr.js";

/**
 * The input dtypes a primitive accepts: "float" for transcendental ops (the op wrapper promotes
 * ints to the default float first), "numeric" for arithmetic ops that keep int32 (bool is promoted
 * to int32 by the wrapper), "any" for ops that are defined on every dtype, "int32" for bitwise ops.
 */
export type Domain = "float" | "numeric" | "any" | "int32";

/**
 * How an entry's primitive gets its rules: from its `derivative` (unary) or `partials` (binary),
 * as the zero derivative of a piecewise-constant or integer op, as a bool-valued test, or by hand
 * in src/primitives/unary.ts or binary.ts (the linear ops, with their vmap diagonal rules and
 * scalar lanes; maximum/minimum's tie rule; pow's conventions at 0).
 */
export type Rules = "derivative" | "partials" | "zero" | "bool" | "hand";

/** One elementwise op: its kernel's expression and its primitive's declaration. */
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
  readonly rules: Rules;
  /** The input dtypes (generated primitives; hand-declared ones state their own). */
  readonly domain: Domain;
  /**
   * A unary op's derivative f'(x) over `x` and `out` = f(x): the JVP and VJP rules' factor (as
   * ops, so it is differentiated again at higher orders), the scalar lane's number and the
   * tape's reads (src/elementwise/derivative.ts).
   */
  readonly derivative?: Expr;
  /** A binary op's partial derivatives over `x`, `y` and `out` (null: identically zero). */
  readonly partials?: readonly [Expr | null, Expr | null];
  /** The primitive's snake_case name, when it is not the key. */
  readonly prim?: string;
  /** The user-facing op named in error messages, when it is not the key. */
  readonly op?: string;
  /** Ints and bools are returned unchanged (floor, ceil, round, trunc share the input's data). */
  readonly intsUnchanged?: boolean;
}

/** Names of an entry's primitive and op when they are not its key. */
interface Names<P extends string> {
  readonly prim?: P;
  readonly op?: string;
}

/** An entry whose rules are `R` and whose primitive is named `P` (never: the key). */
type Def<R extends Rules, P extends string = never> = KernelDef & {
  readonly rules: R;
  readonly prim?: P;
};

const entry = <R extends Rules, P extends string>(
  rules: R,
  expr: Expr,
  domain: Domain,
  rest: Partial<KernelDef> = {},
): Def<R, P> => ({ expr, unroll: false, bool: isBool(expr), rules, domain, ...rest }) as Def<R, P>;

/** Declared by hand in src/primitives (the table gives its kernel only). */
const hand = (expr: Expr, unroll = false): Def<"hand"> => entry("hand", expr, "any", { unroll });

/** A differentiable unary op from its derivative over x and out (inputs: floats by default). */
const diff = (
  expr: Expr,
  derivative: Expr,
  { domain = "float", unroll = false }: { domain?: Domain; unroll?: boolean } = {},
): Def<"derivative"> => entry("derivative", expr, domain, { derivative, unroll });

/** A differentiable binary op from its partial derivatives over x, y and out. */
const partials = <const P extends string = never>(
  expr: Expr,
  [px, py]: readonly [Expr | null, Expr | null],
  domain: Domain,
  names: Names<P> = {},
): Def<"partials", P> => entry("partials", expr, domain, { partials: [px, py], ...names });

/** A piecewise-constant or integer-valued op: derivative zero wherever it exists. */
const flat = <const P extends string = never>(
  expr: Expr,
  domain: Domain,
  names: Names<P> & { intsUnchanged?: boolean } = {},
): Def<"zero", P> => entry("zero", expr, domain, names);

/** A bool-valued test on any dtype (comparisons, logic, isNaN): not differentiable. */
const test = <const P extends string = never>(expr: Expr, names: Names<P> = {}): Def<"bool", P> =>
  entry("bool", expr, "any", names);

const sq = (e: Expr): Expr => alu("mul", e, e);
/** (1 - x)(1 + x), written as the rules always wrote it. */
const oneMinusSq = alu("mul", alu("sub", 1, x), alu("add", x, 1));
/** x's sign bit: true for -0 (1 / -0 is -Infinity) and negatives, false for NaN. */
const signBit = (e: Expr): Expr =>
  alu("or", alu("lt", e, 0), alu("and", alu("eq", e, 0), alu("lt", alu("div", 1, e), 0)));
/** The constant 1 (a partial that passes the tangent through). */
const one = (): Expr => ({ kind: "const", value: 1 });
/** e, or 1 where e is 0 (a denominator kept finite at a function's minimum). */
const oneWhereZero = (e: Expr): Expr => alu("where", alu("eq", e, 0), 1, e);

/** The unary ops (bool-valued trees write 1/0: logicalNot, isNaN, isFinite, signbit). */
export const UNARY_KERNELS = {
  neg: hand(alu("neg", x), true),
  // d |x| = sign(x) dx   (sign(0) = 0, so abs'(0) = 0)
  abs: diff(alu("abs", x), alu("sign", x), { domain: "numeric" }),
  // Math.sign: sign(±0) = ±0, sign(NaN) = NaN.
  sign: flat(alu("sign", x), "numeric"),
  exp: diff(alu("exp", x), out),
  log: diff(alu("log", x), alu("div", 1, x)),
  log1p: diff(alu("log1p", x), alu("div", 1, alu("add", x, 1))),
  expm1: diff(alu("expm1", x), alu("add", out, 1)),
  // sqrt'(0) = +Infinity
  sqrt: diff(alu("sqrt", x), alu("div", 0.5, out)),
  // One rounding in float32 (1 / sqrt in float64, then the store), unlike div(1, sqrt(x)).
  // d rsqrt = -out / (2 x) dx   (= -x^(-3/2) / 2)
  rsqrt: diff(alu("rsqrt", x), alu("mul", alu("div", out, x), -0.5)),
  square: diff(alu("mul", x, x), alu("mul", x, 2), { domain: "numeric", unroll: true }),
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
  // sigmoid and softplus are primitives so that values and derivatives stay finite (their
  // kernels are stable at +-100, their rules smooth at 0).
  sigmoid: diff(alu("sigmoid", x), alu("mul", out, alu("sub", 1, out))),
  softplus: diff(alu("softplus", x), alu("sigmoid", x)),
  // max(x, 0) that lets NaN through (NaN > 0 is false, so NaN is tested for explicitly).
  // relu'(0) = 0
  relu: diff(
    alu("where", alu("or", alu("gt", x, 0), alu("isNaN", x)), x, 0),
    alu("where", alu("gt", x, 0), 1, 0),
    { domain: "numeric" },
  ),
  floor: flat(alu("floor", x), "any", { intsUnchanged: true }),
  ceil: flat(alu("ceil", x), "any", { intsUnchanged: true }),
  round: flat(alu("roundHalfEven", x), "any", { intsUnchanged: true }),
  trunc: flat(alu("trunc", x), "any", { intsUnchanged: true }),
  // Math.log2/log10 are exact at powers of 2 and 10; log(x) / ln 2 is not (log2(8) = 3 needs it).
  log2: diff(alu("log2", x), alu("div", 1, alu("mul", x, Math.LN2))),
  log10: diff(alu("log10", x), alu("div", 1, alu("mul", x, Math.LN10))),
  // 2 ** x is exact at integers (exp(x ln 2) is not) and overflows only where 2^x does.
  exp2: diff(alu("pow", 2, x), alu("mul", out, Math.LN2)),
  // Math.cbrt is defined for negatives (x ** (1/3) is NaN there) and exact at cubes.
  // cbrt'(0) = +Infinity, as sqrt's
  cbrt: diff(alu("cbrt", x), alu("div", 1, alu("mul", sq(out), 3))),
  // NaN reads as positive (JS numbers do not expose a NaN's sign).
  signbit: test(signBit(x)),
  // NaN is truthy (nonzero), so logicalNot(NaN) = 0.
  logicalNot: test(alu("eq", x, 0), { prim: "logical_not" }),
  isNaN: test(alu("isNaN", x), { prim: "is_nan" }),
  // v - v is 0 for finite v and NaN for ±Infinity and NaN.
  isFinite: test(alu("eq", alu("sub", x, x), 0), { prim: "is_finite" }),
  // int32 only (bool's not is logicalNot; the op picks it). d ~x = 0 (integer output)
  bitwiseNot: flat(alu("bitNot", x), "int32", { prim: "bitwise_not" }),
  // d popcount(|x|) = 0   (integer output)
  bitwiseCount: flat(alu("bitCount", x), "int32", { prim: "population_count" }),
} as const satisfies Record<string, KernelDef>;

/** The binary ops, with NumPy broadcasting (comparisons and logic write 1/0). */
export const BINARY_KERNELS = {
  add: hand(alu("add", x, y), true),
  sub: hand(alu("sub", x, y), true),
  mul: hand(alu("mul", x, y), true),
  div: hand(alu("div", x, y), true),
  pow: hand(alu("pow", x, y)),
  // Math.max/min propagate NaN and order -0 < +0.
  max: hand(alu("max", x, y)),
  min: hand(alu("min", x, y)),
  // d atan2(x, y) = (y dx - x dy) / (x^2 + y^2)
  atan2: partials(
    alu("atan2", x, y),
    [alu("div", y, alu("add", sq(x), sq(y))), alu("neg", alu("div", x, alu("add", sq(x), sq(y))))],
    "float",
  ),
  // NumPy's mod (the divisor's sign). d mod(x, y) = dx - floor(x / y) dy
  mod: partials(alu("mod", x, y), [one(), alu("neg", alu("floor", alu("div", x, y)))], "numeric"),
  // Math.hypot neither overflows nor underflows in the squares (hypot(3e200, 4e200) ~ 5e200).
  // d hypot(x, y) = (x dx + y dy) / out, taken as 0 where out == 0 (as norm at 0: the function's
  // minimum, docs/conventions.md); x / 1 is that 0 there, so no NaN at any order.
  hypot: partials(
    alu("hypot", x, y),
    [alu("div", x, oneWhereZero(out)), alu("div", y, oneWhereZero(out))],
    "float",
  ),
  // NumPy's floor division (npy_divmod's quotient; floorDivide(1, 0.1) = 9). Piecewise constant.
  floorDivide: flat(alu("floorDivide", x, y), "numeric", { prim: "floor_divide" }),
  // C's fmod: exact, with the dividend's sign. d fmod(x, y) = dx - trunc(x / y) dy
  fmod: partials(alu("rem", x, y), [one(), alu("neg", alu("trunc", alu("div", x, y)))], "float"),
  // |x| with y's sign bit (copysign(1, -0) = -1).
  // d copysign(x, y) = sign(x) [y's sign] dx   (0 at x = 0, as abs; y only picks a sign: no dy)
  copysign: partials(
    alu("where", signBit(y), alu("neg", alu("abs", x)), alu("abs", x)),
    [alu("mul", alu("sign", x), alu("where", signBit(y), -1, 1)), null],
    "float",
  ),
  // int32 (and bool, where & | ^ of 0/1 are the logical ops); integer outputs: derivative 0.
  bitwiseAnd: flat(alu("bitAnd", x, y), "int32", { prim: "bitwise_and" }),
  bitwiseOr: flat(alu("bitOr", x, y), "int32", { prim: "bitwise_or" }),
  bitwiseXor: flat(alu("bitXor", x, y), "int32", { prim: "bitwise_xor" }),
  // Counts outside [0, 31]: 0 for <<, the sign fill for >> (XLA's shifts), not JS's count mod 32.
  shiftLeft: flat(alu("shiftLeft", x, y), "int32", { prim: "shift_left", op: "leftShift" }),
  shiftRight: flat(alu("shiftRight", x, y), "int32", {
    prim: "shift_right_arithmetic",
    op: "rightShift",
  }),
  eq: test(alu("eq", x, y), { prim: "equal", op: "equal" }),
  ne: test(alu("ne", x, y), { prim: "not_equal", op: "notEqual" }),
  lt: test(alu("lt", x, y), { prim: "less", op: "less" }),
  le: test(alu("le", x, y), { prim: "less_equal", op: "lessEqual" }),
  gt: test(alu("gt", x, y), { prim: "greater", op: "greater" }),
  ge: test(alu("ge", x, y), { prim: "greater_equal", op: "greaterEqual" }),
  // Nonzero (NaN included) is true.
  and: test(alu("and", alu("ne", x, 0), alu("ne", y, 0)), {
    prim: "logical_and",
    op: "logicalAnd",
  }),
  or: test(alu("or", alu("ne", x, 0), alu("ne", y, 0)), { prim: "logical_or", op: "logicalOr" }),
} as const satisfies Record<string, KernelDef>;

type Table = { readonly [op: string]: KernelDef };

/** A unary kernel op (the backend's `unary`): a key of the table. */
export type UnaryOp = keyof typeof UNARY_KERNELS;
/** A binary kernel op (the backend's `binary`): a key of the table. */
export type BinaryOp = keyof typeof BINARY_KERNELS;

/** Every unary kernel op, in table order. */
export const UNARY_OPS = Object.keys(UNARY_KERNELS) as readonly UnaryOp[];
/** Every binary kernel op, in table order. */
export const BINARY_OPS = Object.keys(BINARY_KERNELS) as readonly BinaryOp[];

/** The primitive name of entry K: its `prim`, else K. */
type PrimOf<D, K extends string> = D extends { readonly prim?: infer P }
  ? [Exclude<P, undefined>] extends [never]
    ? K
    : Exclude<P, undefined> & string
  : K;

/** The primitive names of a table's entries. */
export type PrimitiveNameOf<T extends Table> = {
  [K in keyof T & string]: PrimOf<T[K], K>;
}[keyof T & string];

/** The keys of a table whose primitives are generated from their entries (not "hand"). */
export type GeneratedOp<T extends Table> = {
  [K in keyof T & string]: T[K]["rules"] extends "hand" ? never : K;
}[keyof T & string];

/** The primitive name of a generated unary or binary op. */
export type GeneratedUnaryName<K extends GeneratedOp<typeof UNARY_KERNELS>> = PrimOf<
  (typeof UNARY_KERNELS)[K],
  K
>;
export type GeneratedBinaryName<K extends GeneratedOp<typeof BINARY_KERNELS>> = PrimOf<
  (typeof BINARY_KERNELS)[K],
  K
>;
