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
  /** Elements per SIMD step: 4 (float32x4 lanes) or 2 (float64x2). */
  readonly lanes: number;
}

/** The longest loop body emitted (longer ones run as JavaScript passes, split.ts). */
export const WASM_MAX_OPS = 160;

/**
 * Opcodes of the ALU ops that are one instruction: scalar f64, f64x2 and f32x4 (both SIMD).
 */
type Codes = readonly [number, number, number];
const UNARY: Partial<Record<AluOp, Codes>> = {
  neg: [0x9a, 0xed, 0xe1],
  abs: [0x99, 0xec, 0xe0],
  sqrt: [0x9f, 0xef, 0xe3],
  ceil: [0x9b, 0x74, 0x67],
  floor: [0x9c, 0x75, 0x68],
  trunc: [0x9d, 0x7a, 0x69],
};
const BINARY: Partial<Record<AluOp, Codes>> = {
  add: [0xa0, 0xf0, 0xe4],
  sub: [0xa1, 0xf1, 0xe5],
  mul: [0xa2, 0xf2, 0xe6],
  div: [0xa3, 0xf3, 0xe7],
  min: [0xa4, 0xf4, 0xe8],
  max: [0xa5, 0xf5, 0xe9],
};
const COMPARE: Partial<Record<AluOp, Codes>> = {
  eq: [0x61, 0x47, 0x41],
  ne: [0x62, 0x48, 0x42],
  lt: [0x63, 0x49, 0x43],
  gt: [0x64, 0x4a, 0x44],
  le: [0x65, 0x4b, 0x45],
  ge: [0x66, 0x4c, 0x46],
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
const F32X4_NE = 0x42;
const F32X4_ADD = 0xe4;
const F32X4_SPLAT = 0x13;
const F32X4_EXTRACT = 0x1f;
const F32X4_REPLACE = 0x20;
const F64X2_SUB = 0xf1;
const F64X2_NEAREST = 0x94;
const I32X4_TRUNC_SAT_F64X2_S_ZERO = 0xfc;
const I32X4_ADD = 0xae;
const I64X2_EXTEND_LOW_I32X4_S = 0xc7;
const I64X2_SHL = 0xcb;
const I8X16_SHUFFLE = 0x0d;
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

/** The functions float32 lanes compute certified (`Emitter.certified`), imported from Math. */
type Certified = "tanh" | "exp";
const CERTIFIED: readonly Certified[] = ["tanh", "exp"];

/**
 * Which function `op` is when it is a float32 tanh or exp whose value is rounded at once
 * (`Math.fround(Math.tanh(v))`, `Math.fround(Math.exp(v))`): emitted as lanes that are certain
 * of their float32 rounding, and V8's Math function for the lanes that are not
 * (`Emitter.certified`); else null.
 */
function certified32(op: KernelOp): Certified | null {
  if (op.kind !== "expr" || op.bool || op.dtype !== "float32" || op.expr.kind !== "alu") {
    return null;
  }
  const f = op.expr.op;
  return f === "tanh" || f === "exp" ? f : null;
}

/** The argument of a certified op (`certified32` non-null). */
function certifiedArg(op: KernelOp): Expr {
  return (op as KernelOp & { expr: Expr & { kind: "alu" } }).expr.args[0]!;
}

/** Whether float32 holds `v` exactly (then float32 lanes can splat it). */
function f32Exact(v: number): boolean {
  return Number.isNaN(v) || Math.fround(v) === v;
}

/** Ops whose float32 instruction rounds once, as Math.fround of the float64 result does. */
const ROUNDING32 = new Set<AluOp>(["add", "sub", "mul", "div", "sqrt"]);

/**
 * How expression `e` over float32 values comes out when every node runs as a float32x4
 * instruction: `exact` (no rounding: the float64 value is a float32), `rounded` (one rounding,
 * at a node whose result only passes through ops that commute with rounding: neg, abs, min,
 * max, a where's branches), `bool`, or null when float32 instructions would round differently
 * from the JavaScript kernel's float64 value rounded once (two roundings in a row, floor of a
 * rounded value, a comparison of one, an inexact constant) and the expression is computed in
 * float64 halves instead. The float32 results are then bit-identical because a single IEEE
 * float32 +, -, *, / or sqrt of float32 operands equals the float64 one rounded to float32
 * (float64 has more than twice float32's precision), and neg, abs, min, max commute with a
 * monotone rounding.
 */
type Lane32 = "exact" | "rounded" | "bool" | null;
function lane32(e: Expr): Lane32 {
  if (e.kind === "arg") return "exact";
  if (e.kind === "const") return f32Exact(e.value) ? "exact" : null;
  const op = e.op;
  const a = e.args.map(lane32);
  const num = (k: Lane32): boolean => k === "exact" || k === "rounded";
  if (ROUNDING32.has(op)) return a.every((k) => k === "exact") ? "rounded" : null;
  if (op === "neg" || op === "abs") return num(a[0]!) ? a[0]! : null;
  if (op === "min" || op === "max") {
    if (!a.every(num)) return null;
    return a.every((k) => k === "exact") ? "exact" : "rounded";
  }
  if (op === "floor" || op === "ceil" || op === "trunc") return a[0] === "exact" ? "exact" : null;
  if (COMPARE[op] || op === "isNaN") return a.every((k) => k === "exact") ? "bool" : null;
  if (op === "and" || op === "or") {
    return a.every((k) => k === "exact" || k === "bool") ? "bool" : null;
  }
  if (op === "where") {
    if (!(a[0] === "exact" || a[0] === "bool") || !num(a[1]!) || !num(a[2]!)) return null;
    return a[1] === "exact" && a[2] === "exact" ? "exact" : "rounded";
  }
  return null;
}

/**
 * Whether the kernel's lanes can be float32x4 (four elements a step instead of two): every
 * array is float32 and every live value a float32 (rounded to float32, a boolean, an exact
 * constant), so that each register holds its float64 value exactly in a float32 lane. Ops that
 * float32 instructions cannot compute bit for bit (`lane32` null, tanh) run on the two float64
 * halves of the lanes and are rounded back.
 */
function quadLanes(
  ir: KernelIR,
  inTypes: readonly DType[],
  outTypes: readonly DType[],
  live: Uint8Array,
): boolean {
  if (!inTypes.every((t) => t === "float32") || !outTypes.every((t) => t === "float32")) {
    return false;
  }
  return ir.ops.every((op, k) => {
    if (live[k] === 0) return true;
    switch (op.kind) {
      case "const":
        return f32Exact(op.value);
      case "expr":
        return op.bool || op.dtype === "float32";
      case "cast":
      case "sum0":
        return op.dtype === "float32";
      default:
        return true;
    }
  });
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
        if (certified32(op) !== null) {
          if (!exprOk(certifiedArg(op), true)) return `no instruction for ${describe(op.expr)}`;
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
    e.imports.map((name) => ({ name, params: [F64], results: [F64] })),
  );
  const splittable = !ir.reduces.some((r) => r.over === "all" || r.over === "cols");
  return {
    bytes,
    constants: e.constants,
    colBytes: e.colBytes,
    units: ir.nested ? ir.rows : ir.size,
    splittable,
    work: e.work,
    lanes: e.lanes,
  };
}

/** How an element is computed: two lanes, or one element (the tail, or an edge with guards). */
type Mode = "vec" | "one";
/** Which part of a flat loop: the interior (guards hold, shifted reads in bounds) or an edge. */
type Part = "inner" | "edge";

class Emitter {
  readonly fb: FunctionBuilder;
  readonly constants: number[] = [];
  /**
   * The Math functions the module imports (functions 0, 1, ... in this order) for the uncertain
   * lanes of float32 tanh and exp (`certified`).
   */
  readonly imports: Certified[];
  colBytes = 0;
  work = 0;
  /**
   * Whether the lanes are float32x4 (`quadLanes`), else float64x2; `lanes` elements per step.
   * With float32x4 lanes, `half` is the half (0: elements 0-1, 1: elements 2-3) being computed
   * in float64x2 for an op float32 instructions cannot do bit for bit, -1 otherwise.
   */
  readonly quad: boolean;
  readonly lanes: number;
  private half = -1;
  /** Whether the value being emitted is float32x4 lanes (not a float64 half of them). */
  private get f32(): boolean {
    return this.quad && this.half < 0;
  }
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
    this.imports = CERTIFIED.filter((f) =>
      ir.ops.some((op, k) => this.live[k] === 1 && certified32(op) === f),
    );
    this.quad = quadLanes(ir, inTypes, outTypes, this.live);
    this.lanes = this.quad ? 4 : 2;
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
    for (const { local, bytes } of this.vconsts.values()) {
      fb.simdOp(V_CONST)
        .raw(...bytes)
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
            this.colAddress();
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
            this.colAddress();
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
          this.lanes,
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
          const w = mode === "vec" ? this.lanes : 1;
          fb.get(this.i).i32Const(w).raw(I32_ADD).set(this.i);
        };
        // j advances in loopWhile; i with it.
        this.loopWhile(
          this.j,
          () => fb.i32Const(ir.len),
          () => step("vec"),
          this.lanes,
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
        else if (this.quad) fb.simdMem(V_STORE, 2);
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
        this.colAddress();
        this.colAddress();
        if (mode === "vec" && this.quad) {
          // Columns j, j+1 from the low half; j+2, j+3 from the high half (16 bytes on).
          fb.simdMem(V_LOAD, 3, this.colOffset[q]!).get(this.v[rd.reg]!).simdOp(PROMOTE_LOW);
          fb.simdOp(fold[1]).simdMem(V_STORE, 3, this.colOffset[q]!);
          this.colAddress();
          this.colAddress();
          fb.simdMem(V_LOAD, 3, this.colOffset[q]! + 16).get(this.v[rd.reg]!);
          this.highHalf();
          fb.simdOp(PROMOTE_LOW).simdOp(fold[1]);
          fb.simdMem(V_STORE, 3, this.colOffset[q]! + 16);
        } else if (mode === "vec") {
          fb.simdMem(V_LOAD, 3, this.colOffset[q]!).get(this.v[rd.reg]!).simdOp(fold[1]);
          fb.simdMem(V_STORE, 3, this.colOffset[q]!);
        } else {
          fb.mem(F64_LOAD, 3, this.colOffset[q]!).get(this.s[rd.reg]!).raw(fold[0]);
          fb.mem(F64_STORE, 3, this.colOffset[q]!);
        }
        return;
      }
      const a = this.acc[q]!;
      if (mode === "vec" && this.quad) {
        for (const lane of [0, 1, 2, 3]) {
          fb.get(a).get(this.v[rd.reg]!).simdLane(F32X4_EXTRACT, lane).raw(F64_PROMOTE);
          fb.raw(fold[0]).set(a);
        }
      } else if (mode === "vec") {
        for (const lane of [0, 1]) {
          fb.get(a).get(this.v[rd.reg]!).simdLane(F64X2_EXTRACT, lane).raw(fold[0]).set(a);
        }
      } else fb.get(a).get(this.s[rd.reg]!).raw(fold[0]).set(a);
    });
  }

  /** Pushes the address of column j's float64 accumulators (cPtr + 8 j; add a reduce's offset). */
  private colAddress(): void {
    this.fb.get(this.cPtr).get(this.j).i32Const(3).raw(I32_SHL, I32_ADD);
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
      fb.get(this.s[k]!);
      if (this.quad) fb.raw(F32_DEMOTE).simdOp(F32X4_SPLAT);
      else fb.simdOp(F64X2_SPLAT);
      fb.set(this.v[k]!);
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
        const fn = certified32(op);
        if (fn !== null) {
          this.certified(fn, certifiedArg(op), op.args, mode);
          break;
        }
        const value = (): void => {
          const kind = this.expr(op.expr, op.args, mode);
          if (op.bool) this.toNum(kind, mode);
          else {
            if (kind === "bool") this.toNum(kind, mode);
            if (op.dtype === "float32") this.round32(mode);
          }
        };
        if (vec && this.quad && lane32(op.expr) !== null) {
          // float32 instructions, bit for bit (lane32): no rounding left to do.
          this.toNum(this.expr(op.expr, op.args, mode), mode);
        } else if (vec && this.quad) this.halves(value);
        else value();
        break;
      }
      case "select":
        // args[0] !== 0 ? args[1] : args[2]
        reg(op.args[1]);
        reg(op.args[2]);
        reg(op.args[0]);
        if (vec) {
          this.vconst(0);
          fb.simdOp(this.quad ? F32X4_NE : F64X2_NE).simdOp(V_BITSELECT);
        } else fb.f64Const(0).raw(F64_NE, SELECT);
        break;
      case "cast":
        reg(op.args[0]);
        // float32 lanes hold float32 values: the cast to float32 changes nothing.
        if (op.dtype === "float32" && !(vec && this.quad)) this.round32(mode);
        break;
      case "sum0":
        // 0 + x (turns -0 into +0), rounded to the dtype (one float32 add in float32 lanes).
        if (vec) this.vconst(0);
        else fb.f64Const(0);
        reg(op.args[0]);
        if (vec) fb.simdOp(this.quad ? F32X4_ADD : F64X2_ADD);
        else fb.raw(F64_ADD);
        if (op.dtype === "float32" && !(vec && this.quad)) this.round32(mode);
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
      else if (this.quad) fb.simdMem(V_LOAD, 2);
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
    // A float64 half of float32 lanes is rounded by its demotion (`halves`).
    if (mode === "vec" && this.half >= 0) return;
    if (mode === "vec") this.fb.simdOp(DEMOTE_ZERO).simdOp(PROMOTE_LOW);
    else this.fb.raw(F32_DEMOTE, F64_PROMOTE);
  }

  /** v128 locals holding the splatted constants the lanes read, set once at the function's start. */
  private readonly vconsts = new Map<string, { local: number; bytes: number[] }>();

  /**
   * Pushes `value` in every lane (float32 lanes, or float64 ones: in a float64 half, or where
   * `f32` is false) from a local set before the loops (not rebuilt per element).
   */
  private vconst(value: number, f32 = this.f32): void {
    // Keyed so that -0 and 0 stay apart (a Map alone would merge them).
    const key = (f32 ? "f" : "d") + (Object.is(value, -0) ? "-0" : String(value));
    this.vconstBytes(key, f32 ? f32x4Bytes(value) : f64x2Bytes(value));
  }

  /** Pushes the v128 of `bytes` from a local set before the loops (`key` names it). */
  private vconstBytes(key: string, bytes: number[]): void {
    let c = this.vconsts.get(key);
    if (c === undefined) {
      c = { local: this.fb.local(V128), bytes };
      this.vconsts.set(key, c);
    }
    this.fb.get(c.local);
  }

  /** Moves the high 8 bytes of the v128 on the stack to its low 8 (float32 lanes 2, 3 to 0, 1). */
  private highHalf(): void {
    const t = this.tmpV128();
    this.fb.tee(t).get(t).simdOp(I8X16_SHUFFLE);
    this.fb.raw(8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
  }

  private v128Tmp = -1;
  private tmpV128(): number {
    if (this.v128Tmp < 0) this.v128Tmp = this.fb.local(V128);
    return this.v128Tmp;
  }

  /**
   * In float32 lanes, a value computed as two float64x2 halves by `value` (which reads registers
   * through `expr`'s promotion of half `this.half` and leaves float64s that are float32 values),
   * demoted and joined back into four float32 lanes.
   */
  private halves(value: () => void): void {
    const { fb } = this;
    for (const h of [0, 1]) {
      this.half = h;
      value();
      fb.simdOp(DEMOTE_ZERO);
    }
    this.half = -1;
    this.joinHalves();
  }

  /** [lo0, lo1, 0, 0], [hi0, hi1, 0, 0] (two demoted halves on the stack) -> [lo0, lo1, hi0, hi1]. */
  private joinHalves(): void {
    this.fb.simdOp(I8X16_SHUFFLE).raw(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  }

  /**
   * Math.fround(Math[fn](v)) of expression `e`, bit for bit. One element: V8's Math function
   * (imported) and the rounding. Lanes: r = fn(v) in float64 arithmetic to within ~5e-15 of
   * V8's value relatively (`tanhLanes`, `expLanes`; checked on every float32 by
   * tools/check-lanes32.ts). When r(1 - 2^-40) and r(1 + 2^-40) round to the same float32 in
   * every lane, the exact value and V8's round to it too: it is the result. Otherwise (NaN, or
   * about one float32 in 10^5) each lane calls the Math function. In float32 lanes the two
   * float64 halves run in lockstep, so that the engine overlaps their chains.
   */
  private certified(fn: Certified, e: Expr, args: readonly number[], mode: Mode): void {
    const { fb } = this;
    const math = this.imports.indexOf(fn);
    if (mode === "one") {
      this.toNum(this.expr(e, args, mode), mode);
      fb.call(math).raw(F32_DEMOTE, F64_PROMOTE);
      return;
    }
    // The argument's lanes as float64x2: one stream, or in float32 lanes the two halves, whose
    // independent chains are emitted in lockstep (the engine overlaps them).
    const X: number[] = [];
    for (const h of this.quad ? [0, 1] : [-1]) {
      this.half = h;
      this.toNum(this.expr(e, args, mode), mode);
      X.push(fb.local(V128));
      fb.set(X[X.length - 1]!);
    }
    this.half = -1;
    const each = (emit: (h: number) => void): void => {
      for (let h = 0; h < X.length; h++) emit(h);
    };
    const locals = (): number[] => X.map(() => fb.local(V128));
    const T = locals();
    const LO = locals();
    if (fn === "tanh") this.tanhLanes(X, T, each, locals);
    else this.expLanes(X, T, each, locals);
    // Certain of the float32 rounding in every lane? (A half's demotion leaves lanes 2, 3 zero
    // in both bounds, which compare equal.)
    const v = (value: number): void => this.vconst64(value);
    each((h) => {
      fb.get(T[h]!);
      v(1 - CERTAIN_EPS);
      fb.simdOp(F64X2_MUL).simdOp(DEMOTE_ZERO).tee(LO[h]!).get(T[h]!);
      v(1 + CERTAIN_EPS);
      fb.simdOp(F64X2_MUL).simdOp(DEMOTE_ZERO).simdOp(F32X4_EQ);
      if (h > 0) fb.simdOp(V_AND);
    });
    fb.simdOp(I32X4_ALL_TRUE);
    fb.ifOf(V128);
    if (this.quad) {
      fb.get(LO[0]!).get(LO[1]!);
      this.joinHalves();
    } else fb.get(LO[0]!).simdOp(PROMOTE_LOW);
    fb.else_();
    // Each lane through the Math function, rounded to float32.
    if (this.quad) {
      fb.get(LO[0]!);
      for (const lane of [0, 1, 2, 3]) {
        fb.get(X[lane >> 1]!)
          .simdLane(F64X2_EXTRACT, lane & 1)
          .call(math)
          .raw(F32_DEMOTE);
        fb.simdLane(F32X4_REPLACE, lane);
      }
    } else {
      fb.get(X[0]!);
      for (const lane of [0, 1]) {
        fb.get(X[0]!).simdLane(F64X2_EXTRACT, lane).call(math).raw(F32_DEMOTE, F64_PROMOTE);
        fb.simdLane(F64X2_REPLACE, lane);
      }
    }
    fb.end();
  }

  /** Pushes `value` in both float64 lanes (whatever the kernel's lanes are). */
  private vconst64(value: number): void {
    this.vconst(value, false);
  }

  /**
   * T[h] = tanh(X[h]) in float64x2 lanes: with u = clamp(v, -9.5, 9.5) / 4, tanh(u) as
   * u P(u^2) / Q(u^2) (TANH_P, TANH_Q), then doubled twice (tanh 2u = 2t / (1 + t^2), kept as
   * n / d with one division at the end); within 4.9e-15 of Math.tanh relatively on every
   * float32, and beyond 9.5 every float32 tanh is +-1.
   */
  private tanhLanes(
    X: number[],
    T: number[],
    each: (emit: (h: number) => void) => void,
    locals: () => number[],
  ): void {
    const { fb } = this;
    const v = (value: number): void => this.vconst64(value);
    const U = locals();
    const U2 = locals();
    const N = locals();
    const D = locals();
    each((h) => {
      fb.get(X[h]!);
      v(9.5);
      fb.simdOp(F64X2_MIN);
      v(-9.5);
      fb.simdOp(F64X2_MAX);
      v(1 / 4);
      fb.simdOp(F64X2_MUL).tee(U[h]!).get(U[h]!).simdOp(F64X2_MUL).set(U2[h]!);
    });
    // n = u P(w) and d = Q(w) by Horner, the chains of both halves interleaved.
    this.horner(TANH_P, U2, N, each);
    this.horner(TANH_Q, U2, D, each);
    each((h) => {
      fb.get(N[h]!).get(U[h]!).simdOp(F64X2_MUL).set(N[h]!);
    });
    // Two doublings of t = n / d without dividing: n' = 2 n d, d' = d^2 + n^2.
    for (let k = 0; k < TANH_DOUBLINGS; k++) {
      each((h) => {
        const [n, d] = [N[h]!, D[h]!];
        fb.get(n).get(n).simdOp(F64X2_ADD).get(d).simdOp(F64X2_MUL);
        fb.get(d).get(d).simdOp(F64X2_MUL).get(n).get(n).simdOp(F64X2_MUL).simdOp(F64X2_ADD);
        fb.set(d).set(n);
      });
    }
    each((h) => {
      fb.get(N[h]!).get(D[h]!).simdOp(F64X2_DIV).set(T[h]!);
    });
  }

  /**
   * T[h] = exp(X[h]) in float64x2 lanes: with c = clamp(v, -104, 89) (beyond, every float32 exp
   * is 0 or infinity), k = nearest(c / ln 2) and r = c - k ln 2 (|r| <= 0.35, ln 2 in two parts
   * so that k ln2hi is exact), exp(r) by its Taylor polynomial to r^11 (EXP_TAYLOR), times 2^k
   * built from k's bits; within 8.8e-15 of Math.exp relatively on every float32.
   */
  private expLanes(
    X: number[],
    T: number[],
    each: (emit: (h: number) => void) => void,
    locals: () => number[],
  ): void {
    const { fb } = this;
    const v = (value: number): void => this.vconst64(value);
    const C = locals();
    const K = locals();
    const R = locals();
    each((h) => {
      fb.get(X[h]!);
      v(EXP_MAX);
      fb.simdOp(F64X2_MIN);
      v(EXP_MIN);
      fb.simdOp(F64X2_MAX).tee(C[h]!);
      v(1 / Math.LN2);
      fb.simdOp(F64X2_MUL).simdOp(F64X2_NEAREST).set(K[h]!);
    });
    each((h) => {
      fb.get(C[h]!).get(K[h]!);
      v(LN2_HI);
      fb.simdOp(F64X2_MUL).simdOp(F64X2_SUB).get(K[h]!);
      v(LN2_LO);
      fb.simdOp(F64X2_MUL).simdOp(F64X2_SUB).set(R[h]!);
    });
    this.horner(EXP_TAYLOR, R, T, each);
    // 2^k: k + 1023 in a float64's exponent bits (k in [-150, 129]: a normal float64).
    each((h) => {
      fb.get(T[h]!).get(K[h]!).simdOp(I32X4_TRUNC_SAT_F64X2_S_ZERO);
      this.vconstBytes("i32:1023", i32x4Bytes(1023));
      fb.simdOp(I32X4_ADD).simdOp(I64X2_EXTEND_LOW_I32X4_S);
      fb.i32Const(52).simdOp(I64X2_SHL);
      fb.simdOp(F64X2_MUL).set(T[h]!);
    });
  }

  /** acc[h] = the polynomial of `coeffs` (from x^0 up) at x[h], by Horner, halves interleaved. */
  private horner(
    coeffs: readonly number[],
    x: number[],
    acc: number[],
    each: (emit: (h: number) => void) => void,
  ): void {
    const { fb } = this;
    each((h) => {
      this.vconst64(coeffs[coeffs.length - 1]!);
      fb.set(acc[h]!);
    });
    for (let i = coeffs.length - 2; i >= 0; i--) {
      each((h) => {
        fb.get(acc[h]!).get(x[h]!).simdOp(F64X2_MUL);
        this.vconst64(coeffs[i]!);
        fb.simdOp(F64X2_ADD).set(acc[h]!);
      });
    }
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
      const f32 = this.f32;
      fb.get(t).simdOp(f32 ? F32X4_EQ : F64X2_EQ);
      fb.get(t);
      this.vconst(0);
      fb.simdOp(f32 ? F32X4_NE : F64X2_NE);
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
        if (vec && this.half >= 0) {
          // A float64 half of float32 lanes.
          if (this.half === 1) this.highHalf();
          fb.simdOp(PROMOTE_LOW);
        }
        return "num";
      case "const":
        if (vec) this.vconst(e.value);
        else fb.f64Const(e.value);
        return "num";
      case "alu":
        break;
    }
    const op = e.op;
    const f32 = vec && this.f32;
    const pick = (codes: Codes): void => {
      if (vec) fb.simdOp(codes[f32 ? 2 : 1]);
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
        if (vec) fb.simdOp(f32 ? F32X4_NE : F64X2_NE);
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

/**
 * tanh(u) ~ u P(u^2) / Q(u^2) for |u| <= 9.5 / 4: the continued fraction
 * u / (1 + u^2 / (3 + u^2 / (5 + ... / 15))) as a ratio of polynomials (its [7/8] Pade
 * approximant), coefficients from w^0 up, scaled so that Q(0) = 1.
 */
export const TANH_P = [1, 2 / 15, 2 / 585, 4 / 225225];
export const TANH_Q = [1, 7 / 15, 1 / 39, 2 / 6435, 1 / 2027025];
/** Doublings (tanh 2u = 2t / (1 + t^2)) from u = v / 4 back to v. */
export const TANH_DOUBLINGS = 2;
/**
 * The relative margin within which the lanes' float64 value of a certified function decides a
 * float32 rounding (their error against V8's Math functions is at most ~5e-15:
 * tools/check-lanes32.ts).
 */
export const CERTAIN_EPS = 2 ** -40;

/** exp's arguments are clamped to [EXP_MIN, EXP_MAX]: beyond, every float32 exp is 0 or inf. */
export const EXP_MIN = -104;
export const EXP_MAX = 89;
/** ln 2 = LN2_HI + LN2_LO, LN2_HI with 32 significant bits (k LN2_HI is exact for |k| < 2^21). */
export const LN2_HI = 0.6931471803691238;
export const LN2_LO = 1.9082149292705877e-10;
/** exp(r)'s Taylor coefficients 1 / i!, i = 0..11. */
export const EXP_TAYLOR = Array.from({ length: 12 }, (_, i) => {
  let f = 1;
  for (let j = 2; j <= i; j++) f *= j;
  return 1 / f;
});

/** The 16 bytes of a v128 with `one`'s single element in every lane. */
function splatBytes(one: Float32Array | Float64Array | Int32Array): number[] {
  const b = Array.from(new Uint8Array(one.buffer));
  return Array.from({ length: 16 / b.length }, () => b).flat();
}

/** The 16 bytes of a v128 with `v` in its four f32 lanes (v is a float32 value). */
function f32x4Bytes(v: number): number[] {
  return splatBytes(new Float32Array([v]));
}

/** The 16 bytes of a v128 with the int32 `v` in its four lanes. */
function i32x4Bytes(v: number): number[] {
  return splatBytes(new Int32Array([v]));
}

/** The 16 bytes of a v128 with `v` in both f64 lanes. */
function f64x2Bytes(v: number): number[] {
  return splatBytes(new Float64Array([v]));
}
