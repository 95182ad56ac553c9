/**
 * @file Long size-1 kernels (a scalar recurrence and its gradient: W3's 100,000 operations) as a
 * register tape run by one small loop, instead of straight-line generated code.
 *
 * Straight-line code of that length runs unoptimised: V8 optimises a function only after it has
 * run for long enough relative to its size, and a chunk of a long straight-line kernel runs once
 * per call, so every value would be a boxed number in the bytecode interpreter (measured: 10 to
 * 70 ns per operation). One loop over an Int32Array of instructions is optimised within the first
 * call (on-stack replacement) and keeps every value unboxed in a Float64Array of registers: the
 * arithmetic of the common float ops is in the loop's switch; every other operation calls a
 * closure of its table expression (exprClosure), rounded as the generated code rounds. Compile
 * time is linear in the number of operations and generates no code.
 */

import type { DType } from "../core/dtype.js";
import { exprClosure } from "../elementwise/compile.js";
import type { Expr } from "../elementwise/expr.js";
import { rounder } from "./interpret.js";
import {
  foldIdentity,
  foldNumber,
  type Kernel,
  type KernelIR,
  type KernelOp,
} from "./kernel-ir.js";

/** Instruction width: opcode, destination, three operands, closure index. */
const W = 6;

// The opcodes of the loop's switch (GENERIC calls a closure); +5 is the float32 variant.
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const NEG = 4;
const ADD32 = 5;
const SUB32 = 6;
const MUL32 = 7;
const DIV32 = 8;
const NEG32 = 9;
const GENERIC = 10;

type Fn3 = (a: number, b: number, c: number) => number;

const ARITH: Record<string, number> = { add: ADD, sub: SUB, mul: MUL, div: DIV };

/** The switch opcode of a plain float op `x op y` or `-x`, else -1. */
function arithmetic(e: Expr, dtype: DType): number {
  if (e.kind !== "alu" || (dtype !== "float64" && dtype !== "float32")) return -1;
  const wide = dtype === "float32" ? 5 : 0;
  const [a, b] = e.args;
  const isArg = (x: Expr | undefined, i: number): boolean => x?.kind === "arg" && x.index === i;
  if (e.op === "neg" && isArg(a, 0)) return NEG + wide;
  const op = ARITH[e.op];
  return op !== undefined && isArg(a, 0) && isArg(b, 1) ? op + wide : -1;
}

/** The closure computing `op` from its operand values, rounded as a store of its dtype. */
function closureOf(op: KernelOp): Fn3 {
  switch (op.kind) {
    case "expr": {
      const f = exprClosure(op.expr);
      if (op.bool) return (a, b) => (f(a, b) ? 1 : 0);
      const round = rounder(op.dtype);
      return (a, b) => round(f(a, b) as number);
    }
    case "select":
      return (c, a, b) => (c !== 0 ? a : b);
    case "cast": {
      if (op.dtype === "bool") return (a) => (a !== 0 ? 1 : 0);
      return rounder(op.dtype);
    }
    case "sum0": {
      const round = rounder(op.dtype);
      return (a) => round(0 + a);
    }
    case "guard":
    case "load":
    case "const":
      throw new Error(`scalar tape: no closure for a ${op.kind} op`);
  }
}

/** The kernel of a size-1 `ir` as a register tape. */
export function tapeKernel(ir: KernelIR): Kernel {
  const n = ir.ops.length;
  const regs = new Float64Array(n);
  const loadDst: number[] = [];
  const loadInput: number[] = [];
  const loadIndex: number[] = [];
  const code = new Int32Array(n * W);
  const fns: Fn3[] = [];
  const fnIndex = new Map<string, number>();
  const exprIds = new Map<Expr, number>();
  let pc = 0;
  ir.ops.forEach((op, k) => {
    if (op.kind === "const") {
      regs[k] = op.value; // never overwritten: constants keep their registers
      return;
    }
    if (op.kind === "load") {
      loadDst.push(k);
      loadInput.push(op.input);
      // The loop index is 0: a slice's element is at its offset, every other load at 0.
      loadIndex.push(op.mode === "offset" ? op.offset : 0);
      return;
    }
    const args = op.args;
    let opcode = op.kind === "expr" ? arithmetic(op.expr, op.dtype) : -1;
    let fn = 0;
    if (opcode < 0) {
      opcode = GENERIC;
      // One closure per distinct operation (expression, dtype): table expressions are shared
      // objects, so they are told apart by identity.
      let key: string = op.kind;
      if (op.kind === "expr") {
        let id = exprIds.get(op.expr);
        if (id === undefined) {
          id = exprIds.size;
          exprIds.set(op.expr, id);
        }
        key = `expr ${id} ${op.dtype} ${op.bool}`;
      } else if (op.kind === "cast" || op.kind === "sum0") {
        key = `${op.kind} ${op.dtype}`;
      }
      let f = fnIndex.get(key);
      if (f === undefined) {
        f = fns.length;
        fns.push(closureOf(op));
        fnIndex.set(key, f);
      }
      fn = f;
    }
    code[pc] = opcode;
    code[pc + 1] = k;
    code[pc + 2] = args[0] ?? 0;
    code[pc + 3] = args[1] ?? 0;
    code[pc + 4] = args[2] ?? 0;
    code[pc + 5] = fn;
    pc += W;
  });
  const end = pc;
  const fround = Math.fround;
  return (ins, outs) => {
    const R = regs;
    for (let k = 0; k < loadDst.length; k++) {
      R[loadDst[k]!] = ins[loadInput[k]!]![loadIndex[k]!]!;
    }
    for (let p = 0; p < end; p += W) {
      const d = code[p + 1]!;
      const a = code[p + 2]!;
      const b = code[p + 3]!;
      switch (code[p]) {
        case ADD:
          R[d] = R[a]! + R[b]!;
          break;
        case SUB:
          R[d] = R[a]! - R[b]!;
          break;
        case MUL:
          R[d] = R[a]! * R[b]!;
          break;
        case DIV:
          R[d] = R[a]! / R[b]!;
          break;
        case NEG:
          R[d] = -R[a]!;
          break;
        case ADD32:
          R[d] = fround(R[a]! + R[b]!);
          break;
        case SUB32:
          R[d] = fround(R[a]! - R[b]!);
          break;
        case MUL32:
          R[d] = fround(R[a]! * R[b]!);
          break;
        case DIV32:
          R[d] = fround(R[a]! / R[b]!);
          break;
        case NEG32:
          R[d] = -R[a]!;
          break;
        default:
          R[d] = fns[code[p + 5]!]!(R[a]!, R[b]!, R[code[p + 4]!]!);
      }
    }
    for (const s of ir.stores) outs[s.out]![0] = R[s.reg]!;
    for (const s of ir.reduces) {
      const fold = s.fold ?? "sum";
      outs[s.out]![0] = foldNumber(fold, foldIdentity(fold), R[s.reg]!);
    }
  };
}
