/**
 * @file The elementwise primitives generated from their entries in src/elementwise/table.ts:
 * every entry whose rules are not "hand" becomes one declared primitive here, with its JVP and VJP
 * (from the entry's derivative or partials, as ops, so they are differentiated again at higher
 * orders), what the tape keeps (read off the expressions), vmap by broadcasting and the scalar
 * lane. Ops get theirs with `unaryPrimitive(op)` / `binaryPrimitive(op)`.
 */

import { isFloat } from "../core/dtype.js";
import { onNumbers, onTensors, operandsOf, readsOf } from "../elementwise/derivative.js";
import type { Expr } from "../elementwise/expr.js";
import {
  BINARY_KERNELS,
  BINARY_OPS,
  type BinaryOp,
  type GeneratedBinaryName,
  type GeneratedOp,
  type GeneratedUnaryName,
  type KernelDef,
  UNARY_KERNELS,
  UNARY_OPS,
  type UnaryOp,
} from "../elementwise/table.js";
import { mul } from "../ops/elementwise.js";
import { binary, type Partial } from "./binary.js";
import type {
  BinaryPrimitiveName,
  BuiltinPrimitive,
  PrimitiveName,
  UnaryPrimitiveName,
} from "./names.js";
import { declareUnary, type Impl, kernel } from "./unary.js";

/** A unary op whose primitive is generated from its table entry. */
export type GeneratedUnaryOp = GeneratedOp<typeof UNARY_KERNELS>;
/** A binary op whose primitive is generated from its table entry. */
export type GeneratedBinaryOp = GeneratedOp<typeof BINARY_KERNELS>;

type Reads = { readonly inputs: readonly boolean[]; readonly out: boolean };

/** Ints and bools unchanged (the input's immutable data shared); floats through the kernel. */
function floatsOnly(op: UnaryOp): Impl {
  const onFloats = kernel(op);
  return (x, out) => (isFloat(x.dtype) ? onFloats(x, out) : x._data!);
}

/** The unary primitive of table entry `op`. */
function declareFromUnaryEntry(op: UnaryOp, d: KernelDef): BuiltinPrimitive<UnaryPrimitiveName> {
  const name = (d.prim ?? op) as UnaryPrimitiveName;
  const common = { name, op: d.op ?? op, kernel: op, domain: d.domain };
  switch (d.rules) {
    case "derivative": {
      const e = d.derivative!;
      return declareUnary({
        ...common,
        impl: kernel(op),
        // d f = f'(x) dx;  gx = ct f'(x)
        jvp: (x, dx, out) => mul(dx, onTensors(e, x, undefined, out)),
        vjp: (ct, x, out) => mul(ct, onTensors(e, x, undefined, out)),
        reads: readsOf(e),
        scalarVjp: (ct, x, out, r) => r(ct * onNumbers(e, x, 0, out, r)),
      });
    }
    case "zero":
    case "bool":
      return declareUnary({
        ...common,
        ...(d.rules === "bool" ? { outDType: "bool" as const } : {}),
        impl: d.intsUnchanged === true ? floatsOnly(op) : kernel(op),
        // d f = 0   (piecewise constant, integer or bool output)
        jvp: () => null,
        vjp: () => null,
        reads: "nothing",
      });
    case "partials":
    case "hand":
      throw new Error(`elementwise: ${op} is not a generated unary op (${d.rules})`);
  }
}

/** How one partial acts on a tangent or cotangent g: g itself for the constant 1, else g * p. */
function partial(e: Expr | null): Partial | null {
  if (e === null) return null;
  if (e.kind === "const" && e.value === 1) return (g) => g;
  return (g, x, y, out) => mul(g, onTensors(e, x, y, out));
}

/** `vjpReads` from the partials: the operands of those whose cotangent is needed. */
function readsOfPartials(
  partials: readonly [Expr | null, Expr | null],
): (needs: readonly boolean[]) => Reads {
  const ops = partials.map((p) => (p === null ? [false, false, false] : operandsOf(p)));
  const reads = (n0: boolean, n1: boolean): Reads => {
    const r = [0, 1, 2].map((i) => (n0 && ops[0]![i]!) || (n1 && ops[1]![i]!));
    return { inputs: [r[0]!, r[1]!], out: r[2]! };
  };
  const table = [reads(false, false), reads(false, true), reads(true, false), reads(true, true)];
  return ([n0, n1]) => table[(n0 === true ? 2 : 0) + (n1 === true ? 1 : 0)]!;
}

/** The binary primitive of table entry `op`. */
function declareFromBinaryEntry(op: BinaryOp, d: KernelDef): BuiltinPrimitive<BinaryPrimitiveName> {
  const name = (d.prim ?? op) as BinaryPrimitiveName;
  const names = { op: d.op ?? op, kernel: op };
  switch (d.rules) {
    case "partials": {
      const [px, py] = d.partials!;
      // d f = px dx + py dy;  gx = ct px, gy = ct py
      return binary(name, [partial(px), partial(py)], {
        ...names,
        domain: d.domain,
        vjpReads: readsOfPartials([px, py]),
      });
    }
    case "zero":
    case "bool":
      // d f = 0   (piecewise constant, integer or bool output)
      return binary(name, [null, null], {
        ...names,
        domain: d.domain,
        ...(d.rules === "bool" ? { outDType: "bool" as const } : {}),
        vjpReads: readsOfPartials([null, null]),
      });
    case "derivative":
    case "hand":
      throw new Error(`elementwise: ${op} is not a generated binary op (${d.rules})`);
  }
}

/** Every generated primitive, declared (and registered) once, when this module loads. */
const UNARY: Record<string, BuiltinPrimitive<UnaryPrimitiveName>> = {};
const BINARY: Record<string, BuiltinPrimitive<BinaryPrimitiveName>> = {};
/** The same, keyed by primitive name (for src/primitives/all.ts). */
const BY_NAME: Record<string, BuiltinPrimitive<PrimitiveName>> = {};
for (const op of UNARY_OPS) {
  const d: KernelDef = UNARY_KERNELS[op];
  if (d.rules === "hand") continue;
  const p = declareFromUnaryEntry(op, d);
  UNARY[op] = p;
  BY_NAME[p.name] = p as unknown as BuiltinPrimitive<PrimitiveName>;
}
for (const op of BINARY_OPS) {
  const d: KernelDef = BINARY_KERNELS[op];
  if (d.rules === "hand") continue;
  const p = declareFromBinaryEntry(op, d);
  BINARY[op] = p;
  BY_NAME[p.name] = p as unknown as BuiltinPrimitive<PrimitiveName>;
}

/** The primitive of a generated unary op, e.g. `unaryPrimitive("cbrt")`. */
export function unaryPrimitive<K extends GeneratedUnaryOp>(
  op: K,
): BuiltinPrimitive<Extract<GeneratedUnaryName<K>, PrimitiveName>> {
  return UNARY[op] as unknown as BuiltinPrimitive<Extract<GeneratedUnaryName<K>, PrimitiveName>>;
}

/** The primitive of a generated binary op, e.g. `binaryPrimitive("hypot")`. */
export function binaryPrimitive<K extends GeneratedBinaryOp>(
  op: K,
): BuiltinPrimitive<Extract<GeneratedBinaryName<K>, PrimitiveName>> {
  return BINARY[op] as unknown as BuiltinPrimitive<Extract<GeneratedBinaryName<K>, PrimitiveName>>;
}

/** The names of the generated primitives. */
export type GeneratedPrimitiveName =
  | { [K in GeneratedUnaryOp]: GeneratedUnaryName<K> }[GeneratedUnaryOp]
  | { [K in GeneratedBinaryOp]: GeneratedBinaryName<K> }[GeneratedBinaryOp];

/** Every generated primitive by its name (src/primitives/all.ts lists them with the rest). */
export const GENERATED_PRIMITIVES = BY_NAME as unknown as {
  readonly [N in GeneratedPrimitiveName]: BuiltinPrimitive<N>;
};
