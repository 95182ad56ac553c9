/**
 * @file Long looped kernels split into passes. A loop body of many operations runs slowly in V8:
 * measured on a logistic recurrence's gradient over 10,000 float64 elements (3,000 operations),
 * passes of 20-35 operations ran at 0.8-0.9 ns per element and operation, of 80 at 1.3, of 100
 * at 2.3, and one body of 3,000 at 8 (slower than eager). Split into passes of at most
 * SPLIT_OPS operations, each pass is an ordinary kernel; a
 * value that a later pass reads is written to a float64 spill array of the loop's size (exact:
 * every value is a double already rounded to its dtype) and loaded back, while constants and
 * plain loads are simply emitted again where they are needed. Sums stay in the pass that
 * computes their value, in element order.
 */

import type { TypedArray } from "../core/dtype.js";
import type { Kernel, KernelIR, KernelOp, KernelReduce, KernelStore } from "./kernel-ir.js";

/** Operations per pass (see the file comment for the measurements). */
export const SPLIT_OPS = 40;

/** The registers an operation reads. */
function argsOf(op: KernelOp): readonly number[] {
  return op.kind === "load" || op.kind === "const" ? [] : op.args;
}

/**
 * The passes of a long kernel: each an IR whose inputs are the kernel's inputs followed by the
 * spill arrays it reads, and whose outputs are the kernel's outputs followed by the spill arrays
 * it writes (`spills` of them in all, indexed as `spillIn` / `spillOut` say).
 */
export function splitIR(ir: KernelIR): {
  passes: KernelIR[];
  spills: number;
  spillIn: number[][];
  spillOut: number[][];
} {
  const n = ir.ops.length;
  const passOf = (k: number): number => Math.floor(k / SPLIT_OPS);
  const passes = passOf(n - 1) + 1;
  // A computed register read by a later pass gets a spill array.
  const spill = new Int32Array(n).fill(-1);
  let spills = 0;
  ir.ops.forEach((op, k) => {
    for (const a of argsOf(op)) {
      const src = ir.ops[a]!;
      if (passOf(a) < passOf(k) && src.kind !== "load" && src.kind !== "const" && spill[a]! < 0) {
        spill[a] = spills++;
      }
    }
  });
  const out: KernelIR[] = [];
  const spillIn: number[][] = [];
  const spillOut: number[][] = [];
  for (let p = 0; p < passes; p++) {
    const lo = p * SPLIT_OPS;
    const hi = Math.min(n, lo + SPLIT_OPS);
    const ops: KernelOp[] = [];
    const local = new Map<number, number>(); // original register -> this pass's register
    const reads: number[] = []; // spill arrays this pass reads, by input index beyond ir.inputs
    const writes: number[] = [];
    const regOf = (a: number): number => {
      const hit = local.get(a);
      if (hit !== undefined) return hit;
      const src = ir.ops[a]!;
      let op: KernelOp;
      if (src.kind === "load" || src.kind === "const") {
        op = src; // emitted again: cheap, and keeps hoisting
      } else {
        reads.push(spill[a]!);
        op = { kind: "load", input: ir.inputs + reads.length - 1, mode: "same", offset: 0 };
      }
      ops.push(op);
      local.set(a, ops.length - 1);
      return ops.length - 1;
    };
    for (let k = lo; k < hi; k++) {
      const op = ir.ops[k]!;
      let copy: KernelOp;
      switch (op.kind) {
        case "load":
        case "const":
          copy = op;
          break;
        case "expr":
          copy = { ...op, args: op.args.map(regOf) };
          break;
        case "select":
          copy = { ...op, args: [regOf(op.args[0]), regOf(op.args[1]), regOf(op.args[2])] };
          break;
        case "cast":
        case "sum0":
        case "guard":
          copy = { ...op, args: [regOf(op.args[0])] } as KernelOp;
          break;
      }
      ops.push(copy);
      local.set(k, ops.length - 1);
    }
    const stores: KernelStore[] = [];
    const reduces: KernelReduce[] = [];
    for (const s of ir.stores)
      if (passOf(s.reg) === p) stores.push({ ...s, reg: local.get(s.reg)! });
    for (const s of ir.reduces) {
      if (passOf(s.reg) === p) reduces.push({ ...s, reg: local.get(s.reg)! });
    }
    for (let k = lo; k < hi; k++) {
      if (spill[k]! < 0) continue;
      writes.push(spill[k]!);
      stores.push({ reg: local.get(k)!, out: ir.outputs + writes.length - 1 });
    }
    out.push({
      ...ir,
      inputs: ir.inputs + reads.length,
      inputSizes: [...ir.inputSizes, ...reads.map(() => ir.size)],
      outputs: ir.outputs + writes.length,
      ops,
      stores,
      reduces,
    });
    spillIn.push(reads);
    spillOut.push(writes);
  }
  return { passes: out, spills, spillIn, spillOut };
}

/**
 * A kernel running `passes` in order (from `splitIR`), with the spill arrays made once. Each
 * pass's kernel comes from `make` (generated or interpreted).
 */
export function passesKernel(
  ir: KernelIR,
  make: (pass: KernelIR, index: number) => Kernel,
): Kernel {
  const { passes, spills, spillIn, spillOut } = splitIR(ir);
  const kernels = passes.map(make);
  const arrays: Float64Array[] = [];
  for (let s = 0; s < spills; s++) arrays.push(new Float64Array(ir.size));
  const ins = passes.map((p) => new Array<TypedArray>(p.inputs));
  const outs = passes.map((p) => new Array<TypedArray>(p.outputs));
  return (I, O) => {
    for (let p = 0; p < kernels.length; p++) {
      const pi = ins[p]!;
      const po = outs[p]!;
      for (let k = 0; k < ir.inputs; k++) pi[k] = I[k]!;
      spillIn[p]!.forEach((s, k) => {
        pi[ir.inputs + k] = arrays[s]!;
      });
      for (let k = 0; k < ir.outputs; k++) po[k] = O[k]!;
      spillOut[p]!.forEach((s, k) => {
        po[ir.outputs + k] = arrays[s]!;
      });
      kernels[p]!(pi, po);
    }
  };
}
