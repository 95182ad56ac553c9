/**
 * @file The WebAssembly SIMD emitter: one fused kernel (kernel-ir.ts) as a small module whose
 * function `k(lo, hi, ...pointers)` runs the kernel's loop over elements (or, nested, rows)
 * [lo, hi) on arrays in one WebAssembly memory, two float64 lanes at a time (f64x2), with a
 * scalar loop for the tail and for the guarded edges of a loop with shifted reads.
 *
 * Every value is computed as the JavaScript kernel computes it, so the two agree bit for bit:
 * registers are float64 (a float32 array's elements are promoted on load, exactly), each table
 * expression is emitted from the same tree the JS template is (src/elementwise/expr.ts; each ALU
 * op maps to one IEEE instruction: `+ - * /`, sqrt, min/max (NaN-propagating, -0 below +0, as
 * Math.min/max), abs, neg, floor/ceil/trunc, the comparisons), a float32 value is rounded where
 * the JS kernel's `Math.fround` rounds it (demote then promote), stores round as a typed array's
 * store rounds, and folds accumulate in float64 in element order (a sum extracts both lanes and
 * adds them in order). Ops without one instruction (the transcendental functions, `**`, integer
 * arithmetic) make a kernel ineligible: it stays JavaScript (`wasmKernelCode` returns null).
 *
 * The function's parameters are byte addresses: one per input and output array, the kernel's
 * constants (float64s, so clusters that differ only in their literals share one module) and
 * column accumulators. A unit range [lo, hi) lets a caller split a kernel across threads when it
 * writes disjoint outputs only (`splittable`: no sum over all elements or over columns).
 */

import { encodeModule, F64, FunctionBuilder, I32, V128 } from "../backend/wasm/encoder.js";
import type { DType } from "../core/dtype.js";
import type { AluOp, Expr } from "../elementwise/expr.js";
import { type Fold, foldIdentity, type KernelIR, type KernelOp, opLevels } from "./kernel-ir.js";

/** A kernel as a wasm module and what its caller needs to run it. */
export interface WasmKernelCode {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The values of the kernel's `const` ops, in the order the function reads them (float64). */
  readonly constants: readonly number[];
  /** Bytes of column accumulators the function needs (0 without column sums). */
  readonly colBytes: number;
  /** Units [0, units) of the loop: elements (flat) or rows (nested). */
  readonly units: number;
  /** Whether disjoint unit ranges may run on different threads. */
  readonly splittable: boolean;
  /** Register operations per element (a cost estimate for the caller). */
  readonly work: number;
}

/** The longest loop body emitted (longer ones run as JavaScript passes, split.ts). */
export const WASM_MAX_OPS = 160;

/** Scalar f64 opcodes and f64x2 SIMD opcodes of the ALU ops that are one instruction. */
const UNARY: Partial<Record<AluOp, readonly [number, number]>> = {
  neg: [0x9a, 0xed],
  abs: [0x99, 0xec],
  sqrt: [0x9f, 0xef],
  ceil: [0x9b, 0x74],
  floor: [0x9c, 0x75],
  trunc: [0x9d, 0x7a],
};
const BINARY: Partial<Record<AluOp, readonly [number, number]>> = {
  add: [0xa0, 0xf0],
  sub: [0xa1, 0xf1],
  mul: [0xa2, 0xf2],
  div: [0xa3, 0xf3],
  min: [0xa4, 0xf4],
  max: [0xa5, 0xf5],
};
const COMPARE: Partial<Record<AluOp, readonly [number, number]>> = {
  eq: [0x61, 0x47],
  ne: [0x62, 0x48],
  lt: [0x63, 0x49],
  gt: [0x64, 0x4a],
  le: [0x65, 0x4b],
  ge: [0x66, 0x4c],
};
const FOLD: Record<Fold, readonly [number, number]> = {
  sum: [0xa0, 0xf0],
  prod: [0xa2, 0xf2],
  max: [0xa5, 0xf5],
  min: [0xa4, 0xf4],
};

// Scalar opcodes.
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_AND = 0x71;
const I32_OR = 0x72;
const I32_SHL = 0x74;
const I32_LT_S = 0x48;
const I32_GT_S = 0x4a;
const I32_GE_S = 0x4e;
const F64_LOAD = 0x2b;
const F32_LOAD = 0x2a;
const F64_STORE = 0x39;
const F32_STORE = 0x38;
const F64_EQ = 0x61;
const F64_NE = 0x62;
const F64_ADD = 0xa0;
const F64_DIV = 0xa3;
const F64_SQRT = 0x9f;
const F32_DEMOTE = 0xb6;
const F64_PROMOTE = 0xbb;
const F64_FROM_U32 = 0xb8;
const SELECT = 0x1b;
// SIMD opcodes.
const V_LOAD = 0x00;
const V_STORE = 0x0b;
const V_CONST = 0x0c;
const V_LOAD64_ZERO = 0x5d;
const V_STORE64_LANE = 0x5b;
const F64X2_SPLAT = 0x14;
const F64X2_EXTRACT = 0x21;
const F64X2_EQ = 0x47;
const F64X2_NE = 0x48;
const F64X2_ADD = 0xf0;
const F64X2_MUL = 0xf2;
const F64X2_MIN = 0xf4;
const F64X2_MAX = 0xf5;
const F64X2_REPLACE = 0x22;
const F32X4_EQ = 0x41;
const I32X4_ALL_TRUE = 0xa3;
const F64X2_DIV = 0xf3;
const F64X2_SQRT = 0xef;
const V_AND = 0x4e;
const V_OR = 0x50;
const V_BITSELECT = 0x52;
const DEMOTE_ZERO = 0x5e;
const PROMOTE_LOW = 0x5f;

type Float = "float32" | "float64";

function isFloatType(d: DType): d is Float {
  return d === "float32" || d === "float64";
}

/** Whether `e` can be emitted (every node one of the instructions above). */
function exprOk(e: Expr, numeric: boolean): boolean {
  if (e.kind === "const") return true;
  if (e.kind === "arg") return e.index !== 2;
  const op = e.op;
  if (UNARY[op] || BINARY[op]) return e.args.every((a) => exprOk(a, true));
  if (op === "rsqrt") return exprOk(e.args[0]!, true);
  if (COMPARE[op] || op === "isNaN") return e.args.every((a) => exprOk(a, true));
  // JavaScript's && and || yield an operand, not a boolean: emitted only where a boolean is read.
  if (op === "and" || op === "or") return !numeric && e.args.every((a) => exprOk(a, false));
  if (op === "where") {
    return exprOk(e.args[0]!, false) && exprOk(e.args[1]!, true) && exprOk(e.args[2]!, true);
  }
  return false;
}

/**
 * Whether `op` is a float32 tanh whose value is rounded at once (`Math.fround(Math.tanh(v))`):
 * emitted as lanes that are certain of their float32 rounding, and V8's Math.tanh for the
 * lanes that are not (`Emitter.tanh32`).
 */
function tanh32(op: KernelOp): op is KernelOp & { kind: "expr"; expr: Expr & { kind: "alu" } } {
  return (
    op.kind === "expr" &&
    !op.bool &&
    op.dtype === "float32" &&
    op.expr.kind === "alu" &&
    op.expr.op === "tanh"
  );
}

/** Why a kernel stays JavaScript, or null when it can be emitted. */
function ineligible(ir: KernelIR, inTypes: readonly DType[], outTypes: readonly DType[]) {
  if (ir.size <= 1) return "size";
  if ((ir.sumLanes ?? 1) > 1) return "reassociated sums";
  if (ir.ops.length > WASM_MAX_OPS) return "long body";
  if (!inTypes.every(isFloatType) || !outTypes.every(isFloatType)) return "non-float arrays";
  if (ir.inputSizes.some((n) => n < 1)) return "empty input";
  for (const op of ir.ops) {
    switch (op.kind) {
      case "expr":
        if (op.dtype !== "float64" && op.dtype !== "float32" && !op.bool) return "integer math";
        if (tanh32(op)) {
          if (!exprOk(op.expr.args[0]!, true)) return `no instruction for ${describe(op.expr)}`;
        } else if (!exprOk(op.expr, !op.bool)) return `no instruction for ${describe(op.expr)}`;
        break;
      case "cast":
      case "sum0":
        if (!isFloatType(op.dtype)) return "integer cast";
        break;
      case "guard":
        if (ir.nested) return "guard in a nested loop";
        break;
      case "load":
        if (ir.nested && (op.mode === "offset" || op.mode === "pad")) return "shifted nested read";
        break;
    }
  }
  return null;
}

function describe(e: Expr): string {
  return e.kind === "alu" ? e.op : e.kind;
}

/**
 * The kernel of `ir` as a wasm module, or null where an op has no instruction (the kernel then
 * stays JavaScript). `inTypes`/`outTypes` are the dtypes of its arrays; `shared` whether the
 * memory it imports is shared (threads).
 */
export function wasmKernelCode(
  ir: KernelIR,
  inTypes: readonly DType[],
  outTypes: readonly DType[],
  shared: boolean,
): WasmKernelCode | null {
  if (ineligible(ir, inTypes, outTypes) !== null) return null;
  const e = new Emitter(ir, inTypes as readonly Float[], outTypes as readonly Float[]);
  e.emit();
  const bytes = encodeModule(
    [{ name: "k", fn: e.fb }],
    1,
    { shared, maxPages: shared ? 65536 : undefined },
    e.usesTanh ? [{ name: "tanh", params: [F64], results: [F64] }] : [],
  );
  const splittable = !ir.reduces.some((r) => r.over === "all" || r.over === "cols");
  return {
    bytes,
    constants: e.constants,
    colBytes: e.colBytes,
    units: ir.nested ? ir.rows : ir.size,
    splittable,
    work: e.work,
  };
}

/** How an element is computed: two lanes, or one element (the tail, or an edge with guards). */
type Mode = "vec" | "one";
/** Which part of a flat loop: the interior (guards hold, shifted reads in bounds) or an edge. */
type Part = "inner" | "edge";

class Emitter {
  readonly fb: FunctionBuilder;
  readonly constants: number[] = [];
  /** Whether the module imports V8's Math.tanh (function 0) for float32 tanh's uncertain lanes. */
  readonly usesTanh: boolean;
  colBytes = 0;
  work = 0;
  private readonly lo = 0;
  private readonly hi = 1;
  private readonly inPtr: number;
  private readonly outPtr: number;
  private readonly kPtr: number;
  private readonly cPtr: number;
  private readonly i: number;
  private readonly r: number;
  private readonly j: number;
  private readonly end: number;
  /** f64 local of each op's scalar value, v128 local of its lanes (-1: none). */
  private readonly s: Int32Array;
  private readonly v: Int32Array;
  private readonly level: number[];
  private readonly live: Uint8Array;
  /** Float64 accumulators of sums over all elements / over each row, by reduce index. */
  private readonly acc: Int32Array;
  /** Byte offset of each column reduce's accumulators from cPtr. */
  private readonly colOffset: Int32Array;
  private readonly constOf: Int32Array;

  constructor(
    readonly ir: KernelIR,
    readonly inTypes: readonly Float[],
    readonly outTypes: readonly Float[],
  ) {
    const params: (typeof I32)[] = [I32, I32];
    for (let k = 0; k < ir.inputs + ir.outputs + 2; k++) params.push(I32);
    this.fb = new FunctionBuilder(params, []);
    this.inPtr = 2;
    this.outPtr = 2 + ir.inputs;
    this.kPtr = this.outPtr + ir.outputs;
    this.cPtr = this.kPtr + 1;
    this.i = this.fb.local(I32);
    this.r = this.fb.local(I32);
    this.j = this.fb.local(I32);
    this.end = this.fb.local(I32);
    const n = ir.ops.length;
    this.s = new Int32Array(n).fill(-1);
    this.v = new Int32Array(n).fill(-1);
    this.level = opLevels(ir);
    this.live = new Uint8Array(n);
    for (const st of ir.stores) this.live[st.reg] = 1;
    for (const rd of ir.reduces) this.live[rd.reg] = 1;
    for (let k = n - 1; k >= 0; k--) {
      if (this.live[k] === 0) continue;
      const op = ir.ops[k]!;
      if (op.kind !== "load" && op.kind !== "const") for (const a of op.args) this.live[a] = 1;
    }
    this.usesTanh = ir.ops.some((op, k) => this.live[k] === 1 && tanh32(op));
    this.acc = new Int32Array(ir.reduces.length).fill(-1);
    this.colOffset = new Int32Array(ir.reduces.length).fill(-1);
    this.constOf = new Int32Array(n).fill(-1);
    ir.reduces.forEach((rd, q) => {
      if (rd.over === "cols") {
        this.colOffset[q] = this.colBytes;
        this.colBytes += ir.len * 8;
      } else this.acc[q] = this.fb.local(F64);
    });
    ir.ops.forEach((op, k) => {
      if (this.live[k] === 0) return;
      if (op.kind === "const") {
        this.constOf[k] = this.constants.length;
        this.constants.push(op.value);
      }
      if (this.level[k] === 2) this.work++;
    });
  }

  emit(): void {
    this.body();
    // The splatted constants' locals are set before everything else: emitted last, moved first.
    const { fb } = this;
    const bodyLength = fb.code.length;
    for (const { local, value } of this.vconsts.values()) {
      fb.simdOp(V_CONST)
        .raw(...f64x2Bytes(value))
        .set(local);
    }
    fb.code.unshift(...fb.code.splice(bodyLength));
  }

  private body(): void {
    const { fb, ir } = this;
    // Hoisted values: constants, scalar loads and what depends only on them, as f64 and splat.
    this.values(0, "one", "inner");
    this.splats(0);
    ir.reduces.forEach((rd, q) => {
      if (rd.over === "cols") {
        // Column accumulators start at the fold's identity (a cols kernel always runs whole).
        fb.i32Const(0).set(this.j);
        this.loopWhile(
          this.j,
          () => fb.i32Const(ir.len),
          () => {
            fb.get(this.cPtr).get(this.j).i32Const(3).raw(I32_SHL, I32_ADD);
            fb.f64Const(foldIdentity(rd.fold ?? "sum")).mem(F64_STORE, 3, this.colOffset[q]!);
          },
        );
      } else if (rd.over === "all") this.initAcc(q);
    });
    if (ir.nested) this.nested();
    else this.flat();
    ir.reduces.forEach((rd, q) => {
      if (rd.over === "all") {
        fb.get(this.outPtr + rd.out);
        fb.get(this.acc[q]!);
        this.storeScalar(this.outTypes[rd.out]!);
      } else if (rd.over === "cols") {
        fb.i32Const(0).set(this.j);
        this.loopWhile(
          this.j,
          () => fb.i32Const(ir.len),
          () => {
            fb.get(this.outPtr + rd.out)
              .get(this.j)
              .i32Const(this.shift(this.outTypes[rd.out]!));
            fb.raw(I32_SHL, I32_ADD);
            fb.get(this.cPtr).get(this.j).i32Const(3).raw(I32_SHL, I32_ADD);
            fb.mem(F64_LOAD, 3, this.colOffset[q]!);
            this.storeScalar(this.outTypes[rd.out]!);
          },
        );
      }
    });
  }

  /** `for (; idx < limit(); idx++) body()` with idx already set. */
  private loopWhile(idx: number, limit: () => void, body: () => void, step = 1): void {
    const { fb } = this;
    fb.block().loop();
    // exit when idx + step > limit
    fb.get(idx);
    if (step > 1) fb.i32Const(step - 1).raw(I32_ADD);
    limit();
    fb.raw(I32_GE_S).brIf(1);
    body();
    fb.get(idx).i32Const(step).raw(I32_ADD).set(idx);
    fb.br(0).end().end();
  }

  private initAcc(q: number): void {
    this.fb.f64Const(foldIdentity(this.ir.reduces[q]!.fold ?? "sum")).set(this.acc[q]!);
  }

  /** The flat loop: parts [0, from) edge, [from, to) interior, [to, size) edge, within [lo, hi). */
  private flat(): void {
    const { fb, ir } = this;
    const [from, to, guarded] = this.interior();
    const parts: [number, number, Part][] = guarded
      ? [
          [0, from, "edge"],
          [from, to, "inner"],
          [to, ir.size, "edge"],
        ]
      : [[0, ir.size, "inner"]];
    for (const [ps, pe, part] of parts) {
      if (pe <= ps) continue;
      // i = max(ps, lo); end = min(pe, hi)
      fb.i32Const(ps).get(this.lo).i32Const(ps).get(this.lo).raw(I32_GT_S).raw(SELECT);
      fb.set(this.i);
      fb.i32Const(pe).get(this.hi).i32Const(pe).get(this.hi).raw(I32_LT_S).raw(SELECT);
      fb.set(this.end);
      if (part === "inner") {
        this.loopWhile(
          this.i,
          () => fb.get(this.end),
          () => this.element("vec", part),
          2,
        );
      }
      this.loopWhile(
        this.i,
        () => fb.get(this.end),
        () => this.element("one", part),
      );
    }
  }

  /** The nested loop: rows [lo, hi) of `len` elements; row reads once per row. */
  private nested(): void {
    const { fb, ir } = this;
    fb.get(this.lo).set(this.r);
    this.loopWhile(
      this.r,
      () => fb.get(this.hi),
      () => {
        fb.get(this.r).i32Const(ir.len).raw(I32_MUL).set(this.i);
        this.values(1, "one", "inner");
        this.splats(1);
        ir.reduces.forEach((rd, q) => {
          if (rd.over === "rows") this.initAcc(q);
        });
        fb.i32Const(0).set(this.j);
        const step = (mode: Mode): void => {
          this.element(mode, "inner");
          const w = mode === "vec" ? 2 : 1;
          fb.get(this.i).i32Const(w).raw(I32_ADD).set(this.i);
        };
        // j advances in loopWhile; i with it.
        this.loopWhile(
          this.j,
          () => fb.i32Const(ir.len),
          () => step("vec"),
          2,
        );
        this.loopWhile(
          this.j,
          () => fb.i32Const(ir.len),
          () => step("one"),
        );
        ir.reduces.forEach((rd, q) => {
          if (rd.over !== "rows") return;
          fb.get(this.outPtr + rd.out)
            .get(this.r)
            .i32Const(this.shift(this.outTypes[rd.out]!));
          fb.raw(I32_SHL, I32_ADD);
          fb.get(this.acc[q]!);
          this.storeScalar(this.outTypes[rd.out]!);
        });
      },
    );
  }

  /**
   * Where every guard holds and every shifted read is inside its array (pad reads inside their
   * range): [from, to), and whether the loop has edges at all.
   */
  private interior(): [number, number, boolean] {
    const { ir } = this;
    let from = 0;
    let to = ir.size;
    let guarded = false;
    ir.ops.forEach((op, k) => {
      if (this.live[k] === 0) return;
      if (op.kind === "guard") {
        guarded = true;
        from = Math.max(from, op.lo);
        to = Math.min(to, op.hi);
      } else if (op.kind === "load" && op.mode === "offset") {
        guarded = true;
        from = Math.max(from, -op.offset);
        to = Math.min(to, ir.inputSizes[op.input]! - op.offset);
      } else if (op.kind === "load" && op.mode === "pad") {
        guarded = true;
        from = Math.max(from, op.offset);
        to = Math.min(to, op.end!);
      }
    });
    from = Math.min(Math.max(from, 0), ir.size);
    return [from, Math.max(from, Math.min(to, ir.size)), guarded];
  }

  /** One element (or two lanes) at index i: level-2 values, stores and folds. */
  private element(mode: Mode, part: Part): void {
    const { fb, ir } = this;
    this.values(2, mode, part);
    for (const st of ir.stores) {
      const t = this.outTypes[st.out]!;
      this.address(this.outPtr + st.out, t, () => fb.get(this.i));
      if (mode === "vec") {
        fb.get(this.v[st.reg]!);
        if (t === "float64") fb.simdMem(V_STORE, 3);
        else fb.simdOp(DEMOTE_ZERO).simdMemLane(V_STORE64_LANE, 3, 0);
      } else {
        fb.get(this.s[st.reg]!);
        this.storeScalar(t);
      }
    }
    ir.reduces.forEach((rd, q) => {
      const fold = FOLD[rd.fold ?? "sum"];
      if (rd.over === "cols") {
        // colacc[j] = fold(colacc[j], v), lanewise: each column keeps its own order.
        fb.get(this.cPtr).get(this.j).i32Const(3).raw(I32_SHL, I32_ADD);
        fb.get(this.cPtr).get(this.j).i32Const(3).raw(I32_SHL, I32_ADD);
        if (mode === "vec") {
          fb.simdMem(V_LOAD, 3, this.colOffset[q]!).get(this.v[rd.reg]!).simdOp(fold[1]);
          fb.simdMem(V_STORE, 3, this.colOffset[q]!);
        } else {
          fb.mem(F64_LOAD, 3, this.colOffset[q]!).get(this.s[rd.reg]!).raw(fold[0]);
          fb.mem(F64_STORE, 3, this.colOffset[q]!);
        }
        return;
      }
      const a = this.acc[q]!;
      if (mode === "vec") {
        for (const lane of [0, 1]) {
          fb.get(a).get(this.v[rd.reg]!).simdLane(F64X2_EXTRACT, lane).raw(fold[0]).set(a);
        }
      } else fb.get(a).get(this.s[rd.reg]!).raw(fold[0]).set(a);
    });
  }

  /** Byte shift of an element of `t`. */
  private shift(t: Float): number {
    return t === "float64" ? 3 : 2;
  }

  /** Pushes ptr + index << shift (index pushed by `index`). */
  private address(ptr: number, t: Float, index: () => void): void {
    const { fb } = this;
    fb.get(ptr);
    index();
    fb.i32Const(this.shift(t)).raw(I32_SHL, I32_ADD);
  }

  /** Stores the f64 on the stack to the address below it, as the typed array's store rounds. */
  private storeScalar(t: Float): void {
    if (t === "float64") this.fb.mem(F64_STORE, 3);
    else this.fb.raw(F32_DEMOTE).mem(F32_STORE, 2);
  }

  /** Computes the live ops of `level` into their locals. */
  private values(level: number, mode: Mode, part: Part): void {
    this.ir.ops.forEach((op, k) => {
      if (this.live[k] === 1 && this.level[k] === level) this.op(k, op, mode, part);
    });
  }

  /** Splats the values of `level` (computed once) for the two-lane loop. */
  private splats(level: number): void {
    const { fb } = this;
    this.ir.ops.forEach((_, k) => {
      if (this.live[k] === 0 || this.level[k] !== level) return;
      if (this.v[k] < 0) this.v[k] = fb.local(V128);
      fb.get(this.s[k]!).simdOp(F64X2_SPLAT).set(this.v[k]!);
    });
  }

  private target(k: number, mode: Mode): number {
    const arr = mode === "vec" ? this.v : this.s;
    if (arr[k]! < 0) arr[k] = this.fb.local(mode === "vec" ? V128 : F64);
    return arr[k]!;
  }

  /** Emits op k's value into its local (scalar or lanes). */
  private op(k: number, op: KernelOp, mode: Mode, part: Part): void {
    const { fb } = this;
    const vec = mode === "vec";
    const reg = (a: number): void => {
      fb.get(vec ? this.v[a]! : this.s[a]!);
    };
    switch (op.kind) {
      case "const":
        fb.get(this.kPtr).mem(F64_LOAD, 3, this.constOf[k]! * 8);
        break;
      case "load":
        this.load(op, mode, part);
        break;
      case "expr": {
        if (tanh32(op)) {
          this.tanh32(op.expr.args[0]!, op.args, mode);
          break;
        }
        const kind = this.expr(op.expr, op.args, mode);
        if (op.bool) this.toNum(kind, mode);
        else {
          if (kind === "bool") this.toNum(kind, mode);
          if (op.dtype === "float32") this.round32(mode);
        }
        break;
      }
      case "select":
        // args[0] !== 0 ? args[1] : args[2]
        reg(op.args[1]);
        reg(op.args[2]);
        reg(op.args[0]);
        if (vec) {
          this.vconst(0);
          fb.simdOp(F64X2_NE).simdOp(V_BITSELECT);
        } else fb.f64Const(0).raw(F64_NE, SELECT);
        break;
      case "cast":
        reg(op.args[0]);
        if (op.dtype === "float32") this.round32(mode);
        break;
      case "sum0":
        // 0 + x (turns -0 into +0), rounded to the dtype.
        if (vec) this.vconst(0);
        else fb.f64Const(0);
        reg(op.args[0]);
        if (vec) fb.simdOp(F64X2_ADD);
        else fb.raw(F64_ADD);
        if (op.dtype === "float32") this.round32(mode);
        break;
      case "guard":
        reg(op.args[0]);
        if (part === "edge") {
          // i in [lo, hi) ? value : the pad value (edges run one element at a time)
          fb.f64Const(op.value);
          this.inRange(op.lo, op.hi);
          fb.raw(SELECT);
        }
        break;
    }
    fb.set(this.target(k, mode));
  }

  /** Pushes i >= lo && i < hi (i32). */
  private inRange(lo: number, hi: number): void {
    const { fb } = this;
    fb.get(this.i).i32Const(lo).raw(I32_GE_S);
    fb.get(this.i).i32Const(hi).raw(I32_LT_S);
    fb.raw(I32_AND);
  }

  /** Pushes a load (promoted to f64 lanes or f64). */
  private load(op: KernelOp & { kind: "load" }, mode: Mode, part: Part): void {
    const { fb, ir } = this;
    const t = this.inTypes[op.input]!;
    const ptr = this.inPtr + op.input;
    const last = ir.inputSizes[op.input]! - 1;
    const clamp = (): void => {
      // min(max(idx, 0), last) of the index on the stack
      const tmp = this.tmpI32();
      fb.tee(tmp).i32Const(0).get(tmp).i32Const(0).raw(I32_GT_S).raw(SELECT);
      fb.tee(tmp).i32Const(last).get(tmp).i32Const(last).raw(I32_LT_S).raw(SELECT);
    };
    let index: () => void;
    switch (op.mode) {
      case "same":
        index = () => fb.get(this.i);
        break;
      case "scalar":
        index = () => fb.i32Const(0);
        break;
      case "row":
        index = () => fb.get(ir.nested ? this.j : this.i);
        break;
      case "col":
        index = () => (ir.nested ? fb.get(this.r) : fb.i32Const(0));
        break;
      case "offset":
        index = () => {
          fb.get(this.i).i32Const(op.offset).raw(I32_ADD);
          if (part === "edge") clamp();
        };
        break;
      case "pad":
        index = () => {
          fb.get(this.i).i32Const(op.offset).raw(I32_SUB);
          if (part === "edge") clamp();
        };
        break;
    }
    this.address(ptr, t, index);
    if (mode === "vec") {
      if (t === "float64") fb.simdMem(V_LOAD, 3);
      else fb.simdMem(V_LOAD64_ZERO, 3).simdOp(PROMOTE_LOW);
    } else {
      if (t === "float64") fb.mem(F64_LOAD, 3);
      else fb.mem(F32_LOAD, 2).raw(F64_PROMOTE);
    }
    if (op.mode === "pad" && part === "edge") {
      // i in [offset, end) ? the element : the pad value
      fb.f64Const(op.value!);
      this.inRange(op.offset, op.end!);
      fb.raw(SELECT);
    }
  }

  private i32Tmp = -1;
  private tmpI32(): number {
    if (this.i32Tmp < 0) this.i32Tmp = this.fb.local(I32);
    return this.i32Tmp;
  }

  /** Rounds the f64 value(s) on the stack to float32 and back (Math.fround). */
  private round32(mode: Mode): void {
    if (mode === "vec") this.fb.simdOp(DEMOTE_ZERO).simdOp(PROMOTE_LOW);
    else this.fb.raw(F32_DEMOTE, F64_PROMOTE);
  }

  /** v128 locals holding the splatted constants the lanes read, set once at the function's start. */
  private readonly vconsts = new Map<string, { local: number; value: number }>();

  /** Pushes `value` in both lanes from a local set before the loops (not rebuilt per element). */
  private vconst(value: number): void {
    // Keyed so that -0 and 0 stay apart (a Map alone would merge them).
    const key = Object.is(value, -0) ? "-0" : String(value);
    let c = this.vconsts.get(key);
    if (c === undefined) {
      c = { local: this.fb.local(V128), value };
      this.vconsts.set(key, c);
    }
    this.fb.get(c.local);
  }

  /**
   * Math.fround(Math.tanh(v)) of expression `e`, bit for bit. One element: V8's Math.tanh
   * (imported) and the rounding. Two lanes: with u = clamp(v, -9.5, 9.5) / 64, t = tanh(u) by
   * its odd Taylor polynomial to u^11, then doubled six times (tanh 2u = 2t / (1 + t^2), kept as
   * n / d with one division at the end): r = tanh(clamp(v)) to a relative error of ~1e-15 (1.05e-15
   * at most over 8M float32s), and beyond 9.5 every float32 tanh is +-1. When r(1 - 2^-40) and r(1 + 2^-40)
   * round to the same float32 in both lanes, the exact tanh and Math.tanh (within 1e-15 of it)
   * round to it too: it is the result. Otherwise (NaN, or about one lane in 5,000) each lane
   * calls Math.tanh.
   */
  private tanh32(e: Expr, args: readonly number[], mode: Mode): void {
    const { fb } = this;
    this.toNum(this.expr(e, args, mode), mode);
    if (mode === "one") {
      fb.call(0).raw(F32_DEMOTE, F64_PROMOTE);
      return;
    }
    const v = (value: number): void => this.vconst(value);
    const X = fb.local(V128);
    const U = fb.local(V128);
    const U2 = fb.local(V128);
    const T = fb.local(V128);
    const N = fb.local(V128);
    const D = fb.local(V128);
    const LO = fb.local(V128);
    fb.tee(X);
    v(9.5);
    fb.simdOp(F64X2_MIN);
    v(-9.5);
    fb.simdOp(F64X2_MAX);
    v(1 / 64);
    fb.simdOp(F64X2_MUL).tee(U).get(U).simdOp(F64X2_MUL).set(U2);
    v(TANH_TAYLOR[5]!);
    for (let i = 4; i >= 1; i--) {
      fb.get(U2).simdOp(F64X2_MUL);
      v(TANH_TAYLOR[i]!);
      fb.simdOp(F64X2_ADD);
    }
    fb.get(U2).simdOp(F64X2_MUL);
    v(1);
    fb.simdOp(F64X2_ADD).get(U).simdOp(F64X2_MUL).set(N);
    // Six doublings of t = n / d without dividing: n' = 2 n d, d' = d^2 + n^2 (d <= 2^64).
    v(1);
    fb.set(D);
    for (let k = 0; k < 6; k++) {
      fb.get(N).get(N).simdOp(F64X2_ADD).get(D).simdOp(F64X2_MUL);
      fb.get(D).get(D).simdOp(F64X2_MUL).get(N).get(N).simdOp(F64X2_MUL).simdOp(F64X2_ADD).set(D);
      fb.set(N);
    }
    fb.get(N).get(D).simdOp(F64X2_DIV).set(T);
    // Certain of the float32 rounding in both lanes?
    fb.get(T);
    v(1 - TANH_EPS);
    fb.simdOp(F64X2_MUL).simdOp(DEMOTE_ZERO).tee(LO).get(T);
    v(1 + TANH_EPS);
    fb.simdOp(F64X2_MUL).simdOp(DEMOTE_ZERO).simdOp(F32X4_EQ).simdOp(I32X4_ALL_TRUE);
    fb.ifOf(V128);
    fb.get(LO).simdOp(PROMOTE_LOW);
    fb.else_();
    fb.get(X);
    for (const lane of [0, 1]) {
      fb.get(X).simdLane(F64X2_EXTRACT, lane).call(0).raw(F32_DEMOTE, F64_PROMOTE);
      fb.simdLane(F64X2_REPLACE, lane);
    }
    fb.end();
  }

  /** 1/0 (f64 or lanes) from a boolean (i32 or mask) on the stack. */
  private toNum(kind: "num" | "bool", mode: Mode): void {
    if (kind === "num") return;
    if (mode === "vec") {
      this.vconst(1);
      this.fb.simdOp(V_AND);
    } else this.fb.raw(F64_FROM_U32);
  }

  /** JavaScript's truthiness of the number(s) on the stack: v === v && v !== 0. */
  private toBool(kind: "num" | "bool", mode: Mode): void {
    if (kind === "bool") return;
    const { fb } = this;
    const t = fb.local(mode === "vec" ? V128 : F64);
    fb.tee(t);
    if (mode === "vec") {
      fb.get(t).simdOp(F64X2_EQ);
      fb.get(t);
      this.vconst(0);
      fb.simdOp(F64X2_NE);
      fb.simdOp(V_AND);
    } else {
      fb.get(t).raw(F64_EQ);
      fb.get(t).f64Const(0).raw(F64_NE);
      fb.raw(I32_AND);
    }
  }

  /** Emits an expression over registers `args`; returns whether it left a number or a boolean. */
  private expr(e: Expr, args: readonly number[], mode: Mode): "num" | "bool" {
    const { fb } = this;
    const vec = mode === "vec";
    const num = (x: Expr): void => this.toNum(this.expr(x, args, mode), mode);
    const bool = (x: Expr): void => this.toBool(this.expr(x, args, mode), mode);
    switch (e.kind) {
      case "arg":
        fb.get(vec ? this.v[args[e.index]!]! : this.s[args[e.index]!]!);
        return "num";
      case "const":
        if (vec) this.vconst(e.value);
        else fb.f64Const(e.value);
        return "num";
      case "alu":
        break;
    }
    const op = e.op;
    const pick = (codes: readonly [number, number]): void => {
      if (vec) fb.simdOp(codes[1]);
      else fb.raw(codes[0]);
    };
    const unary = UNARY[op];
    if (unary) {
      num(e.args[0]!);
      pick(unary);
      return "num";
    }
    const binary = BINARY[op];
    if (binary) {
      num(e.args[0]!);
      num(e.args[1]!);
      pick(binary);
      return "num";
    }
    const compare = COMPARE[op];
    if (compare) {
      num(e.args[0]!);
      num(e.args[1]!);
      pick(compare);
      return "bool";
    }
    switch (op) {
      case "rsqrt":
        // 1 / sqrt(x): two roundings, as the JS template.
        if (vec) this.vconst(1);
        else fb.f64Const(1);
        num(e.args[0]!);
        if (vec) fb.simdOp(F64X2_SQRT).simdOp(F64X2_DIV);
        else fb.raw(F64_SQRT, F64_DIV);
        return "num";
      case "isNaN": {
        num(e.args[0]!);
        const t = fb.local(vec ? V128 : F64);
        fb.tee(t).get(t);
        if (vec) fb.simdOp(F64X2_NE);
        else fb.raw(F64_NE);
        return "bool";
      }
      case "and":
      case "or":
        bool(e.args[0]!);
        bool(e.args[1]!);
        if (vec) fb.simdOp(op === "and" ? V_AND : V_OR);
        else fb.raw(op === "and" ? I32_AND : I32_OR);
        return "bool";
      case "where":
        // c ? a : b
        num(e.args[1]!);
        num(e.args[2]!);
        bool(e.args[0]!);
        if (vec) fb.simdOp(V_BITSELECT);
        else fb.raw(SELECT);
        return "num";
      default:
        throw new Error(`wasm emitter: no instruction for ${op}`);
    }
  }
}

/** tanh's odd Taylor coefficients: u, u^3, ..., u^11. */
const TANH_TAYLOR = [1, -1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925];
/** The relative margin within which tanh32's approximation decides a float32 rounding. */
const TANH_EPS = 2 ** -40;

/** The 16 bytes of a v128 with `v` in both f64 lanes. */
function f64x2Bytes(v: number): number[] {
  const b = Array.from(new Uint8Array(new Float64Array([v]).buffer));
  return [...b, ...b];
}
