/**
 * @file The generated elementwise kernels, built on first use and cached: reference loops (any
 * typed-array class), fast loops per float class, and the scalar lane's functions.
 */

import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import type { TypedArray } from "../core/dtype.js";
import {
  type BinaryLoops,
  binaryLoops,
  scalarBinary,
  scalarUnary,
  type UnaryLoop,
  unaryLoop,
} from "./compile.js";
import { type Expr, isBool } from "./expr.js";
import { BINARY_KERNELS, UNARY_KERNELS } from "./table.js";

/** The specialisations: one array class each for the fast loops, any class for the reference. */
export type Specialisation = "reference" | "f64" | "f32";

/** The array class a specialisation's loops see. */
export interface SpecArray {
  reference: TypedArray;
  f64: Float64Array;
  f32: Float32Array;
}

/** The cached unary and binary loops of one specialisation. */
export interface KernelSet<A extends TypedArray> {
  /** The loop of a unary op. */
  unary(op: UnaryOp): UnaryLoop<A>;
  /** The loops of a binary op. */
  binary(op: BinaryOp): BinaryLoops<A>;
}

/** A fresh, empty cache of one specialisation's loops (tests build their own). */
export function kernelSet<S extends Specialisation>(spec: S): KernelSet<SpecArray[S]> {
  // Plain objects keyed by op: a cached loop costs one property load per call.
  const unaries: Partial<Record<UnaryOp, UnaryLoop<SpecArray[S]>>> = {};
  const binaries: Partial<Record<BinaryOp, BinaryLoops<SpecArray[S]>>> = {};
  return {
    unary(op) {
      const k = unaries[op];
      if (k !== undefined) return k;
      const d = UNARY_KERNELS[op];
      return (unaries[op] = unaryLoop<SpecArray[S]>(`${op} ${spec}`, d.expr, d.unroll));
    },
    binary(op) {
      const k = binaries[op];
      if (k !== undefined) return k;
      const d = BINARY_KERNELS[op];
      return (binaries[op] = binaryLoops<SpecArray[S]>(`${op} ${spec}`, d.expr, d.unroll));
    },
  };
}

/** Loops over any typed-array class (the reference backend). */
export const REFERENCE_KERNELS: KernelSet<TypedArray> = kernelSet("reference");
/** Loops that only ever see Float64Array. */
export const F64_KERNELS: KernelSet<Float64Array> = kernelSet("f64");
/** Loops that only ever see Float32Array. */
export const F32_KERNELS: KernelSet<Float32Array> = kernelSet("f32");

/** True for the unary ops whose result is a float of the input's class (not bool). */
export function isFloatUnary(op: UnaryOp): boolean {
  return !isBool(UNARY_KERNELS[op].expr);
}

/** True for the binary ops whose result is of the inputs' class (not bool). */
export function isFloatBinary(op: BinaryOp): boolean {
  return !isBool(BINARY_KERNELS[op].expr);
}

type Fn1 = (x: number) => number;
type Fn2 = (x: number, y: number) => number;

/** The scalar functions of the float-valued ops of `defs` (tests build their own). */
export function scalarTable<O extends string, F>(
  defs: Record<O, { readonly expr: Expr }>,
  make: (label: string, e: Expr) => F,
): Partial<Record<O, F>> {
  const out: Partial<Record<O, F>> = {};
  for (const op of Object.keys(defs) as O[]) {
    const e = defs[op].expr;
    if (!isBool(e)) out[op] = make(op, e);
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
