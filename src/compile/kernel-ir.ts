/**
 * @file The fused kernel's intermediate form: what one loop over a cluster's elements computes,
 * as a list of register operations (loads, constants, elementwise expressions, selects, casts),
 * stores of the values that leave the cluster and sums that end it. The JavaScript emitter
 * (codegen-js.ts) and the closure interpreter (interpret.ts) read the same form, and a WebAssembly
 * or WGSL emitter would too: the form names no JavaScript.
 */

import type { DType, TypedArray } from "../core/dtype.js";
import type { Expr } from "../elementwise/expr.js";

/**
 * How a load indexes its input array, relative to the loop's flat index i (and, in a nested
 * loop of `rows` rows of `len`, the row r and the column j): `same` reads [i] (an operand of the
 * loop's size), `scalar` [0] (size 1, read once before the loop), `row` [j] (the last axis,
 * broadcast over rows), `col` [r] (one value per row), `offset` [i + offset] (a contiguous slice
 * read in place), `pad` [i - offset] where offset <= i < end and `value` elsewhere (a pad whose
 * input is contiguous in its output, read in place).
 */
export type LoadMode = "same" | "scalar" | "row" | "col" | "offset" | "pad";

/** One register operation; register k holds the value of ops[k]. */
export type KernelOp =
  | {
      readonly kind: "load";
      readonly input: number;
      readonly mode: LoadMode;
      readonly offset: number;
      /** `pad` only: the end of the input's range and the value outside it. */
      readonly end?: number;
      readonly value?: number;
    }
  | { readonly kind: "const"; readonly value: number }
  /**
   * An elementwise table expression over registers `args` (x, then y); a boolean expression
   * yields 1/0; otherwise the value is rounded to `dtype` (float32: Math.fround; int32: ToInt32;
   * bool: ToUint8), as the eager kernel's store rounds it.
   */
  | {
      readonly kind: "expr";
      readonly expr: Expr;
      readonly args: readonly number[];
      readonly bool: boolean;
      readonly dtype: DType;
    }
  /** args[0] !== 0 ? args[1] : args[2] (select's kernel). */
  | { readonly kind: "select"; readonly args: readonly [number, number, number] }
  /** The backend's cast of args[0] to `dtype` (to bool: x !== 0; to int32: ToInt32). */
  | { readonly kind: "cast"; readonly args: readonly [number]; readonly dtype: DType }
  /** A sum over one element, rounded to `dtype`: 0 + x (reduce_sum that keeps every element). */
  | { readonly kind: "sum0"; readonly args: readonly [number]; readonly dtype: DType }
  /**
   * args[0] where lo <= i < hi, else `value`: a pad of a value recomputed at a shifted index
   * (outside the range its loads may read past their arrays, and the value is discarded).
   */
  | {
      readonly kind: "guard";
      readonly args: readonly [number];
      readonly lo: number;
      readonly hi: number;
      readonly value: number;
    };

/** A value written to output `out` at every element (the typed-array store converts exactly). */
export interface KernelStore {
  readonly reg: number;
  readonly out: number;
}

/**
 * A fold (sum, max, min, product) of a register, accumulated in a float64 number from the fold's
 * identity in element order (as the eager reduce kernels accumulate) and then stored: over all elements (`all`, to out[0] after the
 * loop), over each row of a nested loop (`rows`, to out[r] after row r), or over the rows for
 * each column (`cols`, to out[j] after the loop, from a float64 accumulator per column).
 */
export interface KernelReduce {
  readonly reg: number;
  readonly out: number;
  readonly over: "all" | "rows" | "cols";
  /** The fold: sum (the default), max, min or product, each from its identity. */
  readonly fold?: Fold;
}

/** A reduction's fold. */
export type Fold = "sum" | "max" | "min" | "prod";

/** The value a fold starts from (the eager reductions' identities). */
export function foldIdentity(fold: Fold): number {
  return fold === "sum" ? 0 : fold === "prod" ? 1 : fold === "max" ? -Infinity : Infinity;
}

/** One fold step on numbers, as the eager kernels write it. */
export function foldNumber(fold: Fold, acc: number, v: number): number {
  switch (fold) {
    case "sum":
      return acc + v;
    case "prod":
      return acc * v;
    case "max":
      return Math.max(acc, v);
    case "min":
      return Math.min(acc, v);
  }
}

/** One fused kernel: a loop of `size` elements (nested as rows x len when `nested`). */
export interface KernelIR {
  readonly size: number;
  readonly nested: boolean;
  readonly rows: number;
  readonly len: number;
  readonly inputs: number;
  /** The number of elements of each input array (bounds for loads at shifted indices). */
  readonly inputSizes: readonly number[];
  readonly outputs: number;
  readonly ops: readonly KernelOp[];
  readonly stores: readonly KernelStore[];
  readonly reduces: readonly KernelReduce[];
  /**
   * Sums over all elements of a flat loop accumulate in this many lanes (element i in lane
   * i mod lanes, the last size mod lanes elements in lane 0), added pairwise at the end: a
   * reordered sum, not eager's (see CompileOptions.reassociateSums). Absent: one lane.
   */
  readonly sumLanes?: number;
}

/**
 * A compiled kernel: reads the input arrays `ins`, writes the outputs `outs` (a store writes
 * every element, a reduce its sums). Kernels are synchronous and keep no state between calls.
 */
export type Kernel = (ins: readonly TypedArray[], outs: readonly TypedArray[]) => void;

/**
 * The lanes a kernel's sums over all elements really use: `sumLanes` in a flat loop without
 * guards (whose loop is split in parts), else 1. The emitter and the interpreter both ask here,
 * so they add in the same order.
 */
export function sumLanes(ir: KernelIR): number {
  const lanes = ir.sumLanes ?? 1;
  if (lanes <= 1 || ir.nested || ir.size < lanes) return 1;
  return ir.ops.some((op) => op.kind === "guard") ? 1 : lanes;
}

/**
 * Where each op is evaluated: 0 before the loop (constants, scalar loads and what depends only
 * on them), 1 once per row (column loads), 2 per element.
 */
export function opLevels(ir: KernelIR): number[] {
  const level: number[] = [];
  for (const op of ir.ops) {
    let l: number;
    if (op.kind === "const") l = 0;
    else if (op.kind === "load") {
      l = op.mode === "scalar" ? 0 : op.mode === "col" && ir.nested ? 1 : 2;
    } else {
      l = op.kind === "guard" ? 2 : 0;
      for (const a of op.args) l = Math.max(l, level[a]!);
    }
    level.push(l);
  }
  return level;
}
