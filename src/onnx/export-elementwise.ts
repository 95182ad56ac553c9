/**
 * @file Elementwise primitives to ONNX from their one source, the expression trees of
 * src/elementwise/table.ts: every scalar operation of the expression language (ALU) has an ONNX
 * lowering here (an operator, or a few for what ONNX lacks: log1p, expm1, trunc, cbrt, atan2,
 * NumPy's mod and floor division, shifts, popcount), so every elementwise primitive, including
 * ones added to the table later, exports without an entry of its own. `satisfies Record<AluOp,
 * ...>` makes a new scalar operation without a lowering a compile error.
 */

import type { DType } from "../core/dtype.js";
import type { AluOp, Expr } from "../elementwise/expr.js";
import { BINARY_KERNELS, type KernelDef, UNARY_KERNELS } from "../elementwise/table.js";
import { type ExportBuilder, int, type OnnxType, type OnnxValue } from "./export-builder.js";
import {
  acos64,
  acosh64,
  asin64,
  asinh64,
  atan64,
  atanh64,
  cosh64,
  erf64,
  sinh64,
  tan64,
} from "./export-float64.js";

/** An operand while lowering: an emitted value, or a number not yet given a type. */
type Operand = OnnxValue | { readonly value: number };

/** Thrown inside a lowering when the chosen opset or the operand types have no ONNX form. */
export class NoLowering extends Error {}

const isTyped = (a: Operand): a is OnnxValue => "name" in a;
const isFloatType = (t: OnnxType): boolean => t === "float32" || t === "float64";

/** The operand as a value of type `type` (a number becomes a 0-d constant). */
function operandValue(b: ExportBuilder, a: Operand, type: OnnxType): string {
  if (isTyped(a)) return b.cast(a.name, a.type, type);
  return b.scalar(type === "bool" ? (a.value !== 0 ? 1 : 0) : a.value, type);
}

/** The type arithmetic on these operands runs in: the first typed one's, else `fallback`. */
function typeOf(args: readonly Operand[], fallback: OnnxType): OnnxType {
  for (const a of args) if (isTyped(a) && a.type !== "bool") return a.type;
  for (const a of args) if (isTyped(a)) return a.type;
  return fallback;
}

interface Ctx {
  readonly b: ExportBuilder;
  /** The type numbers take when no operand is typed (the primitive's computation type). */
  readonly compute: OnnxType;
}

type Lowering = (ctx: Ctx, args: readonly Operand[]) => OnnxValue;

/** An operator on operands of one (numeric) type, giving that type. */
const same =
  (opType: string, attrs: Record<string, ReturnType<typeof int>> = {}): Lowering =>
  ({ b, compute }, args) => {
    const type = typeOf(args, compute);
    return {
      name: b.node(
        opType,
        args.map((a) => operandValue(b, a, type)),
        attrs,
      ),
      type,
    };
  };

/**
 * A float function: ONNX's operator, or for float64 a decomposition (ONNX Runtime implements
 * the operator for float32 only).
 */
const math =
  (opType: string, float64: (b: ExportBuilder, x: string) => string): Lowering =>
  ({ b, compute }, args) => {
    const type = typeOf(args, compute);
    const x = operandValue(b, args[0]!, type);
    return { name: type === "float64" ? float64(b, x) : b.node(opType, [x]), type };
  };

/**
 * Where(cond, x, y) for any type (ONNX Runtime's Where has no bool kernel: bools select as
 * (cond and x) or (not cond and y)).
 */
export function where(
  b: ExportBuilder,
  cond: string,
  x: string,
  y: string,
  type: OnnxType,
): string {
  if (type !== "bool") return b.node("Where", [cond, x, y]);
  return b.node("Or", [b.node("And", [cond, x]), b.node("And", [b.node("Not", [cond]), y])]);
}

/** A comparison: operands of one type, a bool result. */
const compare =
  (opType: string): Lowering =>
  ({ b, compute }, args) => {
    const type = typeOf(args, compute);
    return {
      name: b.node(
        opType,
        args.map((a) => operandValue(b, a, type)),
      ),
      type: "bool",
    };
  };

/** A lowering from values of one type to values of that type, written with emitted helpers. */
const via =
  (body: (b: ExportBuilder, type: OnnxType, ...names: string[]) => string): Lowering =>
  ({ b, compute }, args) => {
    const type = typeOf(args, compute);
    return { name: body(b, type, ...args.map((a) => operandValue(b, a, type))), type };
  };

/** log(1 + x) accurate near 0: with u = 1 + x (rounded), log(u) * x / (u - 1) (Goldberg). */
function log1p(b: ExportBuilder, type: OnnxType, x: string): string {
  const one = b.scalar(1, type);
  const u = b.node("Add", [x, one]);
  const um1 = b.node("Sub", [u, one]);
  const ratio = b.node("Div", [b.node("Mul", [b.node("Log", [u]), x]), um1]);
  // u == 1: x is below half an ulp of 1, where log1p(x) = x; u infinite: the log is.
  const r = b.node("Where", [b.node("Equal", [u, one]), x, ratio]);
  return b.node("Where", [b.node("IsInf", [u]), b.node("Log", [u]), r]);
}

/** exp(x) - 1 accurate near 0: with u = exp(x), (u - 1) * x / log(u) (Kahan). */
function expm1(b: ExportBuilder, type: OnnxType, x: string): string {
  const one = b.scalar(1, type);
  const u = b.node("Exp", [x]);
  const um1 = b.node("Sub", [u, one]);
  const r = b.node("Div", [b.node("Mul", [um1, x]), b.node("Log", [u])]);
  const small = b.node("Where", [b.node("Equal", [u, one]), x, r]);
  // u == 0 (x very negative): -1; u infinite: u; both make the ratio NaN.
  const low = b.node("Where", [b.node("Equal", [um1, b.scalar(-1, type)]), um1, small]);
  return b.node("Where", [b.node("IsInf", [u]), u, low]);
}

/** C's fmod (the dividend's sign), as JavaScript's %. */
const fmod = (b: ExportBuilder, x: string, y: string): string =>
  b.node("Mod", [x, y], { fmod: int(1) });

/** NumPy's mod (the divisor's sign). */
function pyMod(b: ExportBuilder, type: OnnxType, x: string, y: string): string {
  // ONNX's integer Mod with fmod = 0 is exactly Python's; floats need fmod and a correction.
  if (!isFloatType(type)) return b.node("Mod", [x, y], { fmod: int(0) });
  const zero = b.scalar(0, type);
  const m = fmod(b, x, y);
  const signsDiffer = b.node("Xor", [b.node("Less", [m, zero]), b.node("Less", [y, zero])]);
  const fix = b.node("And", [b.node("Not", [b.node("Equal", [m, zero])]), signsDiffer]);
  return b.node("Where", [fix, b.node("Add", [m, y]), m]);
}

/** NumPy's floor division: (x - mod(x, y)) / y, exact for ints, snapped to an integer for floats. */
function floorDivide(b: ExportBuilder, type: OnnxType, x: string, y: string): string {
  const q = b.node("Div", [b.node("Sub", [x, pyMod(b, type, x, y)]), y]);
  if (!isFloatType(type)) return q;
  const zero = b.scalar(0, type);
  return b.node("Where", [b.node("Equal", [y, zero]), b.node("Div", [x, y]), b.node("Round", [q])]);
}

/** JavaScript's Math.atan2(a, b): the angle of the point (b, a). */
function atan2(b: ExportBuilder, type: OnnxType, a: string, c: string): string {
  const zero = b.scalar(0, type);
  const ratio = b.node("Div", [a, c]);
  const base = type === "float64" ? atan64(b, ratio) : b.node("Atan", [ratio]);
  const turn = b.node("Where", [
    b.node("Less", [a, zero]),
    b.scalar(-Math.PI, type),
    b.scalar(Math.PI, type),
  ]);
  const shifted = b.node("Where", [b.node("Less", [c, zero]), b.node("Add", [base, turn]), base]);
  // (0, 0): Math.atan2 gives 0 (0/0 would be NaN).
  const origin = b.node("And", [b.node("Equal", [a, zero]), b.node("Equal", [c, zero])]);
  return b.node("Where", [origin, b.node("Mul", [a, zero]), shifted]);
}

/** x's count as an int32 shift count in [0, 31], and whether it was in that range. */
function shiftCount(b: ExportBuilder, y: string): [inRange: string, clamped: string] {
  const inRange = b.node("And", [
    b.node("GreaterOrEqual", [y, b.scalar(0, "int32")]),
    b.node("Less", [y, b.scalar(32, "int32")]),
  ]);
  return [inRange, b.node("Where", [inRange, y, b.scalar(31, "int32")])];
}

/** 2^n as float64 for int32 counts n in [0, 31] (exact). */
const powerOfTwo = (b: ExportBuilder, n: string): string =>
  b.node("Pow", [b.scalar(2, "float64"), b.cast(n, "int32", "float64")]);

/** The lowering of each scalar operation of the expression language. */
const ALU_LOWERINGS = {
  neg: same("Neg"),
  add: same("Add"),
  sub: same("Sub"),
  mul: same("Mul"),
  div: same("Div"),
  pow: same("Pow"),
  max: same("Max"),
  min: same("Min"),
  rem: via((b, _t, x, y) => fmod(b, x!, y!)),
  hypot: via((b, _t, x, y) =>
    b.node("Sqrt", [b.node("Add", [b.node("Mul", [x!, x!]), b.node("Mul", [y!, y!])])]),
  ),
  atan2: via((b, t, x, y) => atan2(b, t, x!, y!)),
  abs: same("Abs"),
  sign: same("Sign"),
  exp: same("Exp"),
  log: same("Log"),
  log1p: via((b, t, x) => log1p(b, t, x!)),
  expm1: via((b, t, x) => expm1(b, t, x!)),
  sqrt: same("Sqrt"),
  rsqrt: via((b, t, x) => b.node("Div", [b.scalar(1, t), b.node("Sqrt", [x!])])),
  sin: same("Sin"),
  cos: same("Cos"),
  tan: math("Tan", tan64),
  asin: math("Asin", asin64),
  acos: math("Acos", acos64),
  atan: math("Atan", atan64),
  sinh: math("Sinh", sinh64),
  cosh: math("Cosh", cosh64),
  tanh: same("Tanh"),
  asinh: math("Asinh", asinh64),
  acosh: math("Acosh", acosh64),
  atanh: math("Atanh", atanh64),
  floor: same("Floor"),
  ceil: same("Ceil"),
  // ONNX has no Trunc: ceil below 0, floor above.
  trunc: via((b, t, x) =>
    b.node("Where", [
      b.node("Less", [x!, b.scalar(0, t)]),
      b.node("Ceil", [x!]),
      b.node("Floor", [x!]),
    ]),
  ),
  // sign(x) |x|^(1/3): defined for negatives, as Math.cbrt.
  cbrt: via((b, t, x) =>
    b.node("Mul", [b.node("Sign", [x!]), b.node("Pow", [b.node("Abs", [x!]), b.scalar(1 / 3, t)])]),
  ),
  log2: via((b, t, x) => b.node("Div", [b.node("Log", [x!]), b.scalar(Math.LN2, t)])),
  log10: via((b, t, x) => b.node("Div", [b.node("Log", [x!]), b.scalar(Math.LN10, t)])),
  lt: compare("Less"),
  le: compare("LessOrEqual"),
  gt: compare("Greater"),
  ge: compare("GreaterOrEqual"),
  eq: compare("Equal"),
  ne: (ctx, args) => {
    const eq = compare("Equal")(ctx, args);
    return { name: ctx.b.node("Not", [eq.name]), type: "bool" };
  },
  and: ({ b }, args) => ({
    name: b.node(
      "And",
      args.map((a) => operandValue(b, a, "bool")),
    ),
    type: "bool",
  }),
  or: ({ b }, args) => ({
    name: b.node(
      "Or",
      args.map((a) => operandValue(b, a, "bool")),
    ),
    type: "bool",
  }),
  isNaN: ({ b, compute }, [a]) => {
    const type = typeOf([a!], compute);
    const x = operandValue(b, a!, type);
    // Ints and bools are never NaN (ONNX's IsNaN takes floats only).
    const name = isFloatType(type)
      ? b.node("IsNaN", [x])
      : b.node("Not", [b.node("Equal", [x, x])]);
    return { name, type: "bool" };
  },
  where: ({ b, compute }, [c, x, y]) => {
    const type = typeOf([x!, y!], compute);
    const name = where(
      b,
      operandValue(b, c!, "bool"),
      operandValue(b, x!, type),
      operandValue(b, y!, type),
      type,
    );
    return { name, type };
  },
  erf: math("Erf", erf64),
  sigmoid: same("Sigmoid"),
  // max(x, 0) + log1p(exp(-|x|)): no overflow (ONNX's Softplus is log(exp(x) + 1)).
  softplus: via((b, t, x) =>
    b.node("Add", [
      b.node("Max", [x!, b.scalar(0, t)]),
      log1p(b, t, b.node("Exp", [b.node("Neg", [b.node("Abs", [x!])])])),
    ]),
  ),
  // ONNX's Round rounds halves to even, as NumPy.
  roundHalfEven: same("Round"),
  mod: via((b, t, x, y) => pyMod(b, t, x!, y!)),
  floorDivide: via((b, t, x, y) => floorDivide(b, t, x!, y!)),
  bitAnd: bitwise("BitwiseAnd", "And"),
  bitOr: bitwise("BitwiseOr", "Or"),
  bitXor: bitwise("BitwiseXor", "Xor"),
  bitNot: bitwise("BitwiseNot", "Not"),
  // x << n = x * 2^n wrapped to int32, computed in float64 (exact: under 2^62 with at most 31
  // significant bits); counts out of [0, 31] give 0.
  shiftLeft: ({ b }, [a, c]) => {
    const x = operandValue(b, a!, "int32");
    const [inRange, n] = shiftCount(b, operandValue(b, c!, "int32"));
    const wide = b.node("Mul", [b.cast(x, "int32", "float64"), powerOfTwo(b, n)]);
    const wrapped = wrapToInt32(b, wide);
    return { name: b.node("Where", [inRange, wrapped, b.scalar(0, "int32")]), type: "int32" };
  },
  // x >> n (sign-filling) = floor(x / 2^n), exact in float64; counts out of [0, 31] shift by 31.
  shiftRight: ({ b }, [a, c]) => {
    const x = operandValue(b, a!, "int32");
    const [, n] = shiftCount(b, operandValue(b, c!, "int32"));
    const q = b.node("Floor", [b.node("Div", [b.cast(x, "int32", "float64"), powerOfTwo(b, n)])]);
    return { name: b.cast(q, "float64", "int32"), type: "int32" };
  },
  // The 1 bits of |x| (|-2^31| = 2^31, exact in float64): the sum over k of floor(|x| / 2^k)
  // mod 2, with a new last axis for k.
  bitCount: ({ b }, [a]) => {
    const x = operandValue(b, a!, "int32");
    const v = b.node("Abs", [b.cast(x, "int32", "float64")]);
    const powers = b.constant(
      "float64",
      [32],
      Array.from({ length: 32 }, (_, k) => 2 ** k),
    );
    const shifted = b.node("Floor", [
      b.node("Div", [b.node("Unsqueeze", [v, b.int64s([-1])]), powers]),
    ]);
    const bits = b.node("Mod", [shifted, b.scalar(2, "float64")], { fmod: int(1) });
    const count = b.node("ReduceSum", [bits, b.int64s([-1])], { keepdims: int(0) });
    return { name: b.cast(count, "float64", "int32"), type: "int32" };
  },
} as const satisfies Record<AluOp, Lowering>;

/**
 * Integer-valued float64 values to int32 keeping the low 32 bits (two's complement wrap, as
 * JavaScript's `| 0`): fmod by 2^32 is exact, then one period up or down into int32's range
 * (ONNX's Cast of an out-of-range value is unspecified).
 */
function wrapToInt32(b: ExportBuilder, wide: string): string {
  const period = b.scalar(2 ** 32, "float64");
  const r = b.node("Mod", [wide, period], { fmod: int(1) });
  const high = b.node("GreaterOrEqual", [r, b.scalar(2 ** 31, "float64")]);
  const low = b.node("Less", [r, b.scalar(-(2 ** 31), "float64")]);
  const down = b.node("Where", [high, b.node("Sub", [r, period]), r]);
  const wrapped = b.node("Where", [low, b.node("Add", [down, period]), down]);
  return b.cast(wrapped, "float64", "int32");
}

/** Bitwise operators: ONNX's Bitwise* on ints (opset 18), the logical ones on bools. */
function bitwise(opType: string, logical: string): Lowering {
  return ({ b, compute }, args) => {
    const type = typeOf(args, compute);
    const names = args.map((a) => operandValue(b, a, type));
    if (type === "bool") return { name: b.node(logical, names), type };
    if (b.opset < 18) throw new NoLowering(`${opType} needs opset 18`);
    return { name: b.node(opType, names), type };
  };
}

/** Lowers an expression over the operands `args` (x, y). */
function lower(ctx: Ctx, e: Expr, args: readonly OnnxValue[]): Operand {
  switch (e.kind) {
    case "arg": {
      const a = args[e.index];
      if (a === undefined) throw new NoLowering(`the expression reads operand ${e.index}`);
      return a;
    }
    case "const":
      return { value: e.value };
    case "alu": {
      const operands = e.args.map((a) => lower(ctx, a, args));
      return ALU_LOWERINGS[e.op](ctx, operands);
    }
  }
}

/** The table entry of every elementwise primitive, by primitive name. */
const KERNEL_OF_PRIMITIVE: ReadonlyMap<string, KernelDef> = new Map(
  [...Object.entries(UNARY_KERNELS), ...Object.entries(BINARY_KERNELS)].map(
    ([key, def]: [string, KernelDef]) => [def.prim ?? key, def],
  ),
);

/** True when `primitive` is an elementwise primitive of the table. */
export function isElementwisePrimitive(primitive: string): boolean {
  return KERNEL_OF_PRIMITIVE.has(primitive);
}

/**
 * Emits an elementwise primitive: its inputs are promoted to one type, its table expression
 * lowered, and the result given the output's dtype.
 * @throws NoLowering when an operation has no ONNX form at the builder's opset.
 */
export function exportElementwise(
  b: ExportBuilder,
  primitive: string,
  inputs: readonly OnnxValue[],
  outDType: DType,
): string {
  const def = KERNEL_OF_PRIMITIVE.get(primitive);
  if (def === undefined) throw new NoLowering(`${primitive} is not in the elementwise table`);
  // The inputs' common type: the output's, unless the op tests or logic gives bools.
  let compute: OnnxType = def.bool ? typeOf(inputs, outDType) : outDType;
  if (def.bool) {
    for (const v of inputs) if (v.type !== compute && v.type !== "bool") compute = "float64";
  }
  const values = inputs.map((v) => ({ name: b.cast(v.name, v.type, compute), type: compute }));
  // floor, ceil, round and trunc return ints and bools unchanged (ONNX's Floor takes floats).
  if (def.intsUnchanged === true && !isFloatType(compute))
    return b.node("Identity", [values[0]!.name]);
  // ONNX's Relu is max(x, 0); the table's relu lets NaN through, which Relu also does.
  if (primitive === "relu" && isFloatType(compute)) return b.node("Relu", [values[0]!.name]);
  const result = lower({ b, compute }, def.expr, values);
  return operandValue(b, result, outDType);
}
