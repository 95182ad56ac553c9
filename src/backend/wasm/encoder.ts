/**
 * @file A tiny WebAssembly binary encoder: just the sections and instructions the matmul kernels
 * need (i32 arithmetic, loops/branches, locals, scalar and v128 loads/stores, f32x4 / f64x2
 * add/mul/splat).
 *
 * Generating the binary at runtime from TypeScript keeps the TS source the single source of
 * truth: no committed .wasm blob, no build step, no file or network loads, works in Node and
 * browsers alike. Opcode numbers follow the WebAssembly core spec (SIMD proposal, as shipped).
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
function uleb(out: number[], v: number): void {
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Signed LEB128 (32-bit values). */
function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function utf8(out: number[], s: string): void {
  // Names are ASCII (env, memory, the exports'): their bytes are their char codes, which also
  // works in a context without TextEncoder (a vm context, for tests of code generation off).
  if (/^[\x20-\x7e]*$/.test(s)) {
    uleb(out, s.length);
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
    return;
  }
  // Every JS host has TextEncoder (Node, browsers, workers), but it is not in lib ES2022, which
  // the library compiles against alone so that its declarations carry no DOM or Node types.
  const Utf8Encoder = (globalThis as { TextEncoder?: new () => { encode(s: string): Uint8Array } })
    .TextEncoder;
  if (Utf8Encoder === undefined) throw new Error("wasm encoder: this host has no TextEncoder");
  const bytes = new Utf8Encoder().encode(s);
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/**
 * A function body under construction. Each method appends one instruction; locals are declared
 * with `local()` (parameters come first, as in the binary format).
 */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];
  private nextLocal: number;

  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {
    this.nextLocal = params.length;
  }

  /** Declares a new local of type `t` and returns its index. */
  local(t: ValType): number {
    this.localTypes.push(t);
    return this.nextLocal++;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  /** A 0xfd-prefixed SIMD opcode (its number is LEB128-encoded after the prefix). */
  private simd(opcode: number): this {
    this.code.push(0xfd);
    uleb(this.code, opcode);
    return this;
  }

  private memarg(alignLog2: number, offset: number): this {
    uleb(this.code, alignLog2);
    uleb(this.code, offset);
    return this;
  }

  // ---- control ------------------------------------------------------------------------------
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if_(): this {
    return this.op(0x04, 0x40);
  }
  else_(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    this.op(0x0c);
    uleb(this.code, depth);
    return this;
  }
  brIf(depth: number): this {
    this.op(0x0d);
    uleb(this.code, depth);
    return this;
  }

  // ---- locals -------------------------------------------------------------------------------
  get(i: number): this {
    this.op(0x20);
    uleb(this.code, i);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(this.code, i);
    return this;
  }
  tee(i: number): this {
    this.op(0x22);
    uleb(this.code, i);
    return this;
  }

  /** select: pops a, b, cond and pushes cond !== 0 ? a : b. */
  select(): this {
    return this.op(0x1b);
  }

  // ---- i32 ----------------------------------------------------------------------------------
  i32Const(v: number): this {
    this.op(0x41);
    sleb(this.code, v);
    return this;
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }

  // ---- scalar float -------------------------------------------------------------------------
  f32Load(offset = 0): this {
    return this.op(0x2a).memarg(2, offset);
  }
  f64Load(offset = 0): this {
    return this.op(0x2b).memarg(3, offset);
  }
  f32Store(offset = 0): this {
    return this.op(0x38).memarg(2, offset);
  }
  f64Store(offset = 0): this {
    return this.op(0x39).memarg(3, offset);
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Mul(): this {
    return this.op(0x94);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  f64Mul(): this {
    return this.op(0xa2);
  }

  // ---- v128 ---------------------------------------------------------------------------------
  v128Load(offset = 0): this {
    return this.simd(0x00).memarg(4, offset);
  }
  /** Loads one 32-bit lane and splats it to all four (one instruction instead of load+splat). */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09).memarg(2, offset);
  }
  v128Load64Splat(offset = 0): this {
    return this.simd(0x0a).memarg(3, offset);
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b).memarg(4, offset);
  }
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.code.push(0);
    return this;
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f64x2Splat(): this {
    return this.simd(0x14);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  /** Relaxed SIMD's fused multiply-add: a * b + c from the stack's a, b, c (one rounding where fused). */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }

  // ---- generic (the fused-kernel emitter, src/compile/codegen-wasm.ts) ----------------------
  /** Plain opcodes, as they are (one byte each). */
  raw(...bytes: number[]): this {
    return this.op(...bytes);
  }
  /** A 0xfd-prefixed SIMD instruction without immediates. */
  simdOp(opcode: number): this {
    return this.simd(opcode);
  }
  /** A SIMD memory instruction (v128 loads and stores) with its memarg. */
  simdMem(opcode: number, alignLog2: number, offset = 0): this {
    return this.simd(opcode).memarg(alignLog2, offset);
  }
  /** A SIMD load/store of one lane (v128.store64_lane, ...): memarg, then the lane. */
  simdMemLane(opcode: number, alignLog2: number, lane: number, offset = 0): this {
    this.simd(opcode).memarg(alignLog2, offset);
    this.code.push(lane);
    return this;
  }
  /** A SIMD lane instruction (extract_lane, replace_lane) with its lane index. */
  simdLane(opcode: number, lane: number): this {
    this.simd(opcode);
    this.code.push(lane);
    return this;
  }
  /** A scalar memory instruction (loads and stores) with its memarg. */
  mem(opcode: number, alignLog2: number, offset = 0): this {
    return this.op(opcode).memarg(alignLog2, offset);
  }
  /** f64.const, little-endian IEEE bits. */
  f64Const(v: number): this {
    this.op(0x44);
    const bytes = new Uint8Array(new Float64Array([v]).buffer);
    for (const b of bytes) this.code.push(b);
    return this;
  }
  /** call of function `index` (imports first). */
  call(index: number): this {
    this.op(0x10);
    uleb(this.code, index);
    return this;
  }
  /** if with one result of type `t`. */
  ifOf(t: ValType): this {
    return this.op(0x04, t);
  }
  /** A block whose result is one value of type `t`. */
  blockOf(t: ValType): this {
    return this.op(0x02, t);
  }

  /** The body as it appears in the code section: size, local declarations, instructions, end. */
  encodeBody(): number[] {
    const body: number[] = [];
    // Run-length groups of same-typed locals.
    const groups: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [count, t] of groups) {
      uleb(body, count);
      body.push(t);
    }
    for (const b of this.code) body.push(b);
    body.push(0x0b);
    const sized: number[] = [];
    uleb(sized, body.length);
    for (const b of body) sized.push(b);
    return sized;
  }
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  for (const b of content) out.push(b);
}

/** Limits of the imported memory beyond its minimum. */
export interface MemoryLimits {
  /** Maximum size in 64 KiB pages (required for a shared memory). */
  maxPages?: number;
  /** Import a shared memory (threads proposal): limits flag 0x03, with a maximum. */
  shared?: boolean;
}

/**
 * Encodes a module that imports one memory as `env.memory` (minimum `minPages` 64 KiB pages;
 * optionally a maximum and shared, see `MemoryLimits`) and exports `funcs` under their names.
 * Every function gets its own type entry (duplicates are harmless and keep the encoder simple).
 */
/** A function the module imports from `env` (imports take the first function indices). */
export interface FunctionImport {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export function encodeModule(
  funcs: readonly { name: string; fn: FunctionBuilder }[],
  minPages = 1,
  limits: MemoryLimits = {},
  funcImports: readonly FunctionImport[] = [],
): Uint8Array<ArrayBuffer> {
  if (limits.shared && limits.maxPages === undefined) {
    throw new Error("encodeModule: a shared memory needs a maximum");
  }
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  const types: number[] = [];
  uleb(types, funcImports.length + funcs.length);
  for (const sig of [...funcImports, ...funcs.map(({ fn }) => fn)]) {
    types.push(0x60);
    uleb(types, sig.params.length);
    for (const t of sig.params) types.push(t);
    uleb(types, sig.results.length);
    for (const t of sig.results) types.push(t);
  }
  section(out, 1, types);

  const imports: number[] = [];
  uleb(imports, 1 + funcImports.length);
  funcImports.forEach((f, i) => {
    utf8(imports, "env");
    utf8(imports, f.name);
    imports.push(0x00);
    uleb(imports, i);
  });
  utf8(imports, "env");
  utf8(imports, "memory");
  // Memory import; limits flag 0x00: min only, 0x01: min and max, 0x03: shared, min and max.
  const flag = limits.shared ? 0x03 : limits.maxPages !== undefined ? 0x01 : 0x00;
  imports.push(0x02, flag);
  uleb(imports, minPages);
  if (limits.maxPages !== undefined) uleb(imports, limits.maxPages);
  section(out, 2, imports);

  const fnSec: number[] = [];
  uleb(fnSec, funcs.length);
  for (let i = 0; i < funcs.length; i++) uleb(fnSec, funcImports.length + i);
  section(out, 3, fnSec);

  const exports: number[] = [];
  uleb(exports, funcs.length);
  funcs.forEach(({ name }, i) => {
    utf8(exports, name);
    exports.push(0x00);
    uleb(exports, funcImports.length + i);
  });
  section(out, 7, exports);

  const code: number[] = [];
  uleb(code, funcs.length);
  for (const { fn } of funcs) for (const b of fn.encodeBody()) code.push(b);
  section(out, 10, code);

  return new Uint8Array(out);
}
