/**
 * @file The generated elementwise kernels, built on first use: the reference loops (any
 * typed-array class, every op), the fast loops per float class (the ops whose result has the
 * operands' class), and the scalar lane's functions.
 */

import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import type { TypedArray } from "../core/dtype.js";
import {
  type BinaryDispatch,
  binaryDispatch,
  type LoopDef,
  scalarBinary,
  scalarUnary,
  type UnaryDispatch,
  unaryDispatch,
} from "./compile.js";
import { BINARY_KERNELS, type KernelDef, UNARY_KERNELS } from "./table.js";

/** The specialisations: one array class each for the fast loops, any class for the reference. */
export type Specialisation = "reference" | "f64" | "f32";

/** The array class a specialisation's loops see. */
export interface SpecArray {
  reference: TypedArray;
  f64: Float64Array;
  f32: Float32Array;
}

/** One specialisation's kernels: call `set.unary(op, ...)`, `set.binary.contig(op, ...)`. */
export interface KernelSet<A extends TypedArray> {
  /** out[i] = op(x[i]); false for an op this set lacks. */
  readonly unary: UnaryDispatch<A>;
  /** The binary loops; each returns false for an op this set lacks. */
  readonly binary: BinaryDispatch<A>;
}

function entries<O extends string>(
  table: Record<O, KernelDef>,
  floatsOnly: boolean,
): (readonly [O, LoopDef])[] {
  return (Object.keys(table) as O[])
    .filter((op) => !(floatsOnly && table[op].bool))
    .map((op) => [op, table[op]] as const);
}

/**
 * A fresh set of one specialisation's kernels (tests build their own). Its functions are
 * generated on first call, then replace themselves, so later calls go straight to them.
 */
export function kernelSet<S extends Specialisation>(spec: S): KernelSet<SpecArray[S]> {
  type A = SpecArray[S];
  const floatsOnly = spec !== "reference";
  let unary: UnaryDispatch<A> | undefined;
  let binary: BinaryDispatch<A> | undefined;
  const makeBinary = (): BinaryDispatch<A> => {
    binary ??= binaryDispatch<A>(spec, entries(BINARY_KERNELS, floatsOnly));
    return binary;
  };
  const set = {
    unary: (op: string, x: A, out: A): boolean => {
      unary ??= unaryDispatch<A>(spec, entries(UNARY_KERNELS, floatsOnly));
      set.unary = unary;
      return unary(op, x, out);
    },
    binary: {
      contig: (op: string, a: A, b: A, out: A, n: number): boolean => {
        set.binary = makeBinary();
        return set.binary.contig(op, a, b, out, n);
      },
      scalarA: (op: string, s: number, b: A, out: A, n: number): boolean => {
        set.binary = makeBinary();
        return set.binary.scalarA(op, s, b, out, n);
      },
      scalarB: (op: string, a: A, s: number, out: A, n: number): boolean => {
        set.binary = makeBinary();
        return set.binary.scalarB(op, a, s, out, n);
      },
      run: (
        op: string,
        a: A,
        ai: number,
        aStep: number,
        b: A,
        bi: number,
        bStep: number,
        out: A,
        o: number,
        n: number,
      ): boolean => {
        set.binary = makeBinary();
        return set.binary.run(op, a, ai, aStep, b, bi, bStep, out, o, n);
      },
    } as BinaryDispatch<A>,
  };
  return set;
}

/** Loops over any typed-array class (the reference backend). */
export const REFERENCE_KERNELS: KernelSet<TypedArray> = kernelSet("reference");
/** Loops that only ever see Float64Array. */
export const F64_KERNELS: KernelSet<Float64Array> = kernelSet("f64");
/** Loops that only ever see Float32Array. */
export const F32_KERNELS: KernelSet<Float32Array> = kernelSet("f32");

/** True for the unary ops whose result is a float of the input's class (not bool). */
export function isFloatUnary(op: UnaryOp): boolean {
  return !UNARY_KERNELS[op].bool;
}

/** True for the binary ops whose result is of the inputs' class (not bool). */
export function isFloatBinary(op: BinaryOp): boolean {
  return !BINARY_KERNELS[op].bool;
}

type Fn1 = (x: number) => number;
type Fn2 = (x: number, y: number) => number;

/** The scalar functions of the float-valued ops of `defs` (tests build their own). */
export function scalarTable<O extends string, F>(
  defs: Record<O, KernelDef>,
  make: (label: string, e: KernelDef["expr"]) => F,
): Partial<Record<O, F>> {
  const out: Partial<Record<O, F>> = {};
  for (const op of Object.keys(defs) as O[]) {
    if (!defs[op].bool) out[op] = make(op, defs[op].expr);
  }
  return out;
}

/** The scalar lane's unary functions on floats (ops with bool results are not here). */
export const UNARY_SCALAR: Partial<Record<UnaryOp, Fn1>> = scalarTable(UNARY_KERNELS, scalarUnary);
/** The scalar lane's binary functions on floats (comparisons and logic are not here). */
export const BINARY_SCALAR: Partial<Record<BinaryOp, Fn2>> = scalarTable(
  BINARY_KERNELS,
  scalarBinary,
);
