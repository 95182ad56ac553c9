/**
 * @file The closure interpreter of a fused kernel (kernel-ir.ts), for platforms that forbid
 * generating code (a Content-Security-Policy without 'unsafe-eval'): the same loop, registers in
 * an array, each operation a closure of the table's expression (exprClosure), rounded exactly as
 * the generated code rounds. Slower than generated code, identical results.
 */

import type { DType, TypedArray } from "../core/dtype.js";
import { exprClosure } from "../elementwise/compile.js";
import {
  foldIdentity,
  foldNumber,
  type Kernel,
  type KernelIR,
  type KernelOp,
  sumLanes,
} from "./kernel-ir.js";

/** The rounding a store of `dtype` applies. */
export function rounder(dtype: DType): (v: number) => number {
  switch (dtype) {
    case "float64":
      return (v) => v;
    case "float32":
      return Math.fround;
    case "int32":
      return (v) => v | 0;
    case "bool":
      return (v) => v & 255;
  }
}

/** Where the loop is: flat index, row, column. */
interface Cursor {
  i: number;
  r: number;
  j: number;
}

type Step = (regs: number[], ins: readonly TypedArray[], at: Cursor) => number;

function stepOf(op: KernelOp): Step {
  switch (op.kind) {
    case "load": {
      const input = op.input;
      const offset = op.offset;
      switch (op.mode) {
        case "same":
          return (_g, ins, at) => ins[input]![at.i]!;
        case "scalar":
          return (_g, ins) => ins[input]![0]!;
        case "row":
          return (_g, ins, at) => ins[input]![at.j]!;
        case "col":
          return (_g, ins, at) => ins[input]![at.r]!;
        case "offset":
          return (_g, ins, at) => ins[input]![at.i + offset]!;
        case "pad": {
          const end = op.end!;
          const value = op.value!;
          return (_g, ins, at) =>
            at.i >= offset && at.i < end ? ins[input]![at.i - offset]! : value;
        }
      }
      break;
    }
    case "const": {
      const v = op.value;
      return () => v;
    }
    case "expr": {
      const f = exprClosure(op.expr);
      const [x, y] = op.args;
      const b = y ?? x!;
      if (op.bool) return (g) => (f(g[x!]!, g[b]!) ? 1 : 0);
      const round = rounder(op.dtype);
      return (g) => round(f(g[x!]!, g[b]!) as number);
    }
    case "select": {
      const [c, a, b] = op.args;
      return (g) => (g[c]! !== 0 ? g[a]! : g[b]!);
    }
    case "cast": {
      const [x] = op.args;
      if (op.dtype === "bool") return (g) => (g[x]! !== 0 ? 1 : 0);
      const round = rounder(op.dtype);
      return (g) => round(g[x]!);
    }
    case "sum0": {
      const [x] = op.args;
      const round = rounder(op.dtype);
      return (g) => round(0 + g[x]!);
    }
    case "guard": {
      const [x] = op.args;
      const { lo, hi, value } = op;
      return (g, _ins, at) => (at.i >= lo && at.i < hi ? g[x]! : value);
    }
  }
}

/** a[lo] + ... + a[hi - 1] added pairwise, as codegen-js.ts's `pairwise` writes it. */
function pairwiseSum(a: readonly number[], lo: number, hi: number): number {
  if (hi - lo === 1) return a[lo]!;
  const mid = lo + ((hi - lo) >> 1);
  return pairwiseSum(a, lo, mid) + pairwiseSum(a, mid, hi);
}

/** The kernel of `ir`, run by closures. */
export function interpretedKernel(ir: KernelIR): Kernel {
  const steps = ir.ops.map(stepOf);
  const n = steps.length;
  const full = ir.reduces.filter((s) => s.over === "all");
  const rowSums = ir.reduces.filter((s) => s.over === "rows");
  const colSums = ir.reduces.filter((s) => s.over === "cols");
  const colAcc = colSums.map(() => new Float64Array(ir.len));
  return (ins, outs) => {
    const regs = new Array<number>(n).fill(0);
    const at: Cursor = { i: 0, r: 0, j: 0 };
    // Lanes of a reordered sum (KernelIR.sumLanes): the same lanes and the same final pairwise
    // addition as the generated code.
    const lanes = sumLanes(ir);
    const main = ir.size - (ir.size % lanes);
    const laneSums = full.map((s) => new Array<number>(lanes).fill(foldIdentity(s.fold ?? "sum")));
    const sums = full.map(() => 0);
    const rowAcc = rowSums.map(() => 0);
    const element = (): void => {
      for (let k = 0; k < n; k++) regs[k] = steps[k]!(regs, ins, at);
      for (const s of ir.stores) outs[s.out]![at.i] = regs[s.reg]!;
      const lane = at.i < main ? at.i % lanes : 0;
      for (let k = 0; k < full.length; k++) {
        const s = full[k]!;
        // Only sums use lanes; other folds keep one accumulator (lane 0), in element order.
        const l = (s.fold ?? "sum") === "sum" ? lane : 0;
        const acc = laneSums[k]!;
        acc[l] = foldNumber(s.fold ?? "sum", acc[l]!, regs[s.reg]!);
      }
      for (let k = 0; k < rowSums.length; k++) {
        rowAcc[k] = foldNumber(rowSums[k]!.fold ?? "sum", rowAcc[k]!, regs[rowSums[k]!.reg]!);
      }
      for (let k = 0; k < colSums.length; k++) {
        const acc = colAcc[k]!;
        acc[at.j] = foldNumber(colSums[k]!.fold ?? "sum", acc[at.j]!, regs[colSums[k]!.reg]!);
      }
    };
    colSums.forEach((s, k) => {
      colAcc[k]!.fill(foldIdentity(s.fold ?? "sum"));
    });
    if (ir.nested) {
      for (at.r = 0, at.i = 0; at.r < ir.rows; at.r++) {
        rowSums.forEach((s, k) => {
          rowAcc[k] = foldIdentity(s.fold ?? "sum");
        });
        for (at.j = 0; at.j < ir.len; at.j++, at.i++) element();
        for (let k = 0; k < rowSums.length; k++) outs[rowSums[k]!.out]![at.r] = rowAcc[k]!;
      }
    } else {
      for (at.i = 0; at.i < ir.size; at.i++) {
        at.j = at.i;
        element();
      }
    }
    for (let k = 0; k < full.length; k++) {
      sums[k] =
        (full[k]!.fold ?? "sum") === "sum" ? pairwiseSum(laneSums[k]!, 0, lanes) : laneSums[k]![0]!;
      outs[full[k]!.out]![0] = sums[k]!;
    }
    for (let k = 0; k < colSums.length; k++) {
      const out = outs[colSums[k]!.out]!;
      const acc = colAcc[k]!;
      for (let j = 0; j < ir.len; j++) out[j] = acc[j]!;
    }
  };
}
