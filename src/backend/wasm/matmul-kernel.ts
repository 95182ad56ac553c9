/**
 * @file WebAssembly SIMD matrix product: a register-tiled micro-kernel and packing routines
 * generated at runtime, and the TypeScript driver that copies operands into wasm memory, blocks
 * the loops for the caches and copies the result out.
 *
 * Design (the classic Goto/BLIS scheme, sized for 128-bit SIMD and V8's 15 usable vector
 * registers on x64):
 * - Each operand matrix is copied as is into wasm memory (a memcpy), then packed by wasm code:
 *   op(A) into panels of MR rows, each stored k-major (MR consecutive values per p), op(B) into
 *   panels of NR columns, also k-major. Packing reads through (row, col) strides, so all four
 *   transpose combinations cost the same single pass and the micro-kernel never sees a
 *   transpose. A last, partial panel is filled with copies of the last real row / column: a
 *   padded row or column of op(A) / op(B) only reaches padded rows / columns of C, which are
 *   computed and never copied out, so the kernel needs no edge cases.
 * - The micro-kernel keeps an MR x NR tile of C in MR*NR/lanes v128 accumulators; per step p it
 *   loads NR/lanes vectors of B, splats MR scalars of A (v128.load32_splat / load64_splat) and
 *   does a mul + add each, or for float32 a fused multiply-add where the engine has relaxed
 *   SIMD (current Chrome; Node 20 only behind --experimental-wasm-relaxed-simd), detected once.
 * - Loops (outer to inner): NC-column blocks of B, KC-deep k blocks, MC-row blocks of A, NR
 *   panels of B, MR panels of A (inside the wasm call). A KC x NR panel of B stays in L1 while
 *   the kernel sweeps the A panels of an MC x KC block, which stays in L2 with the KC x NC block
 *   of B; later k blocks accumulate into C.
 *
 * Tuning notes (measured on V8 11.3, x64): 4x8 (f32) and 4x4 (f64) tiles beat 5x8, 6x8, 3x12,
 * 8x4 and 6x4, 3x6, 2x8, 8x2: larger tiles make TurboFan spill accumulators. Unrolling the k
 * loop by 2 was ~30% slower for the same reason (its scheduler hoists all loads of the
 * unrolled body), so the loop is not unrolled.
 *
 * Where worker threads are possible the memory is shared (matmul-threads.ts splits large products
 * across threads with the same packing and loop nest); the module is the same but for its import.
 *
 * float32 data accumulates in float32 (the reference accumulates in float64), so results differ
 * from the reference by rounding on the order of k * eps * sum|a||b|. float64 results are
 * bit-identical to the reference: the same products are summed in the same (increasing p) order.
 */

import type { TypedArray } from "../../core/dtype.js";
import type { Shape } from "../backend.js";
import { broadcastStrides, Odometer, rowMajorStrides, sizeOf } from "../reference/strides.js";
import { encodeModule, FunctionBuilder, I32, V128 } from "./encoder.js";
import { threadHost, type WasmApi, type WasmMemory, wasmApi } from "./wasm-api.js";

/** Tile geometry of one element type. */
interface TileConfig {
  /** Bytes per element. */
  eb: 4 | 8;
  /** Rows of the register tile. */
  mr: number;
  /** Columns of the register tile (a multiple of the lanes per vector). */
  nr: number;
}

const F32_TILE: TileConfig = { eb: 4, mr: 4, nr: 8 };
const F64_TILE: TileConfig = { eb: 8, mr: 4, nr: 4 };

/** Depth of a k block: a KC x NR panel of B (8 KiB for f32 and f64) stays in L1. */
const KC = 256;

/**
 * Bytes of a KC x NC block of packed B, which the kernel sweeps once per MC-row block of A:
 * half of a 1 MiB L2, so large n (1024 f64: 2 MiB per k block) does not stream B from L3.
 */
const NC_BYTES = 512 * 1024;

/** Rows of A per block: an MC x KC block of packed A (128 KiB f32, 256 KiB f64) stays in L2. */
const MC = 128;

/**
 * The micro-kernel `tile(a, b, c, kc, ldc, accumulate, panels, aStride)` (pointers and strides
 * in bytes, kc >= 1): for each of `panels` consecutive A panels (a, a + aStride, ...), computes
 * its MR x NR product with the B panel at `b` over kc steps and stores it (or, if `accumulate`,
 * adds it) into C at c, c + MR*ldc, ...
 */
function buildTile({ eb, mr, nr }: TileConfig, fma = false): FunctionBuilder {
  const lanes = 16 / eb;
  const nv = nr / lanes;
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32, I32], []);
  const [A, B, C, KCP, LDC, ACC, PANELS, ASTRIDE] = [0, 1, 2, 3, 4, 5, 6, 7];
  const ap = f.local(I32);
  const bp = f.local(I32);
  const bEnd = f.local(I32);
  const rp = f.local(I32);
  const acc: number[] = [];
  for (let i = 0; i < mr * nv; i++) acc.push(f.local(V128));
  const bv: number[] = [];
  for (let v = 0; v < nv; v++) bv.push(f.local(V128));
  const av = f.local(V128);
  const splat = (off: number) => (eb === 4 ? f.v128Load32Splat(off) : f.v128Load64Splat(off));
  const vadd = () => (eb === 4 ? f.f32x4Add() : f.f64x2Add());
  const vmul = () => (eb === 4 ? f.f32x4Mul() : f.f64x2Mul());

  // The k loop ends when bp reaches bEnd: one pointer compare instead of a separate counter.
  f.get(KCP)
    .i32Const(nr * eb)
    .i32Mul();
  f.get(B).i32Add().set(bEnd);
  f.block().loop();
  f.get(PANELS).i32Eqz().brIf(1);
  // Accumulators: C's current values, or zero.
  f.get(ACC).if_();
  f.get(C).set(rp);
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++) {
      f.get(rp).v128Load(v * 16);
      f.set(acc[r * nv + v]!);
    }
    if (r < mr - 1) f.get(rp).get(LDC).i32Add().set(rp);
  }
  f.else_();
  for (const x of acc) f.v128Zero().set(x);
  f.end();
  f.get(A).set(ap).get(B).set(bp);
  f.loop();
  for (let v = 0; v < nv; v++) {
    f.get(bp).v128Load(v * 16);
    f.set(bv[v]!);
  }
  for (let r = 0; r < mr; r++) {
    f.get(ap);
    splat(r * eb);
    f.set(av);
    for (let v = 0; v < nv; v++) {
      if (fma && eb === 4) {
        // acc = av * bv + acc, fused.
        f.get(av)
          .get(bv[v]!)
          .get(acc[r * nv + v]!)
          .f32x4RelaxedMadd();
      } else {
        f.get(acc[r * nv + v]!)
          .get(av)
          .get(bv[v]!);
        vmul();
        vadd();
      }
      f.set(acc[r * nv + v]!);
    }
  }
  f.get(ap)
    .i32Const(mr * eb)
    .i32Add()
    .set(ap);
  f.get(bp)
    .i32Const(nr * eb)
    .i32Add()
    .tee(bp);
  f.get(bEnd).i32Ne().brIf(0);
  f.end();
  // Store the tile; rp ends one row past it, which is where the next panel's tile starts.
  f.get(C).set(rp);
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++)
      f.get(rp)
        .get(acc[r * nv + v]!)
        .v128Store(v * 16);
    f.get(rp).get(LDC).i32Add().set(rp);
  }
  f.get(rp).set(C);
  f.get(A).get(ASTRIDE).i32Add().set(A);
  f.get(PANELS).i32Const(1).i32Sub().set(PANELS);
  f.br(0);
  f.end().end();
  return f;
}

/**
 * The packing routine `pack(src, rs, cs, rows, depth, dst)` (src, dst, rs, cs in bytes; rows,
 * depth >= 1): reads the rows x depth matrix X[i, p] = src[i*rs + p*cs] and writes
 * ceil(rows / w) panels of w rows, each depth-major: dst[(i/w)*w*depth + p*w + i%w] = X[i, p].
 * Rows past the end of a last partial panel repeat the last row (see the file comment).
 */
function buildPack(eb: 4 | 8, w: number): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32], []);
  const [SRC, RS, CS, ROWS, DEPTH, DST] = [0, 1, 2, 3, 4, 5];
  const i0 = f.local(I32);
  const sp = f.local(I32);
  const p = f.local(I32);
  const off: number[] = [];
  for (let r = 0; r < w; r++) off.push(f.local(I32));
  const load = (o: number) => (eb === 4 ? f.f32Load(o) : f.f64Load(o));
  const store = (o: number) => (eb === 4 ? f.f32Store(o) : f.f64Store(o));

  f.i32Const(0).set(i0);
  f.block().loop();
  f.get(i0).get(ROWS).i32LtS().i32Eqz().brIf(1);
  // Byte offset of each source row of this panel: min(i0 + r, rows - 1) * rs.
  for (let r = 0; r < w; r++) {
    f.get(i0).i32Const(r).i32Add();
    f.get(ROWS).i32Const(1).i32Sub();
    f.get(i0).i32Const(r).i32Add();
    f.get(ROWS).i32LtS().select();
    f.get(RS).i32Mul().set(off[r]!);
  }
  f.get(SRC).set(sp).get(DEPTH).set(p);
  f.loop();
  for (let r = 0; r < w; r++) {
    f.get(DST).get(sp).get(off[r]!).i32Add();
    load(0);
    store(r * eb);
  }
  f.get(DST)
    .i32Const(w * eb)
    .i32Add()
    .set(DST);
  f.get(sp).get(CS).i32Add().set(sp);
  f.get(p).i32Const(1).i32Sub().tee(p).brIf(0);
  f.end();
  f.get(i0).i32Const(w).i32Add().set(i0);
  f.br(0);
  f.end().end();
  return f;
}

/** Most bytes the kernel asks for: i32 addressing stays positive, and engines cap at 2-4 GiB. */
export const MAX_BYTES = 2 ** 31 - 65536;

/** Maximum pages of the shared memory (a shared memory must declare one). */
const MAX_PAGES = MAX_BYTES / 65536;

/**
 * Bytes at the start of memory kept for the threads' control block and job table
 * (matmul-threads.ts); the single-threaded layout starts after them.
 */
export const RESERVED_BYTES = 65536;

/**
 * The module's bytes (also used by tests to check it validates). `shared`: the module imports a
 * shared memory (for worker threads) instead of a plain one; the code is the same.
 */
export function matmulModuleBytes(
  shared = false,
  fma = relaxedFmaSupported(),
): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      { name: "tile32", fn: buildTile(F32_TILE, fma) },
      { name: "tile64", fn: buildTile(F64_TILE) },
      { name: "packA32", fn: buildPack(4, F32_TILE.mr) },
      { name: "packB32", fn: buildPack(4, F32_TILE.nr) },
      { name: "packA64", fn: buildPack(8, F64_TILE.mr) },
      { name: "packB64", fn: buildPack(8, F64_TILE.nr) },
    ],
    1,
    shared ? { shared: true, maxPages: MAX_PAGES } : {},
  );
}

let fmaSupported: boolean | undefined;

/**
 * Whether the float32 tile uses relaxed SIMD's fused multiply-add: where the engine validates
 * it (checked once). float32 products then round once per step instead of twice, which changes
 * their last bits (float32 results already differ from the reference's float64 sums); float64
 * never uses it, so its results stay bit-identical to the reference.
 */
export function relaxedFmaSupported(): boolean {
  if (fmaSupported !== undefined) return fmaSupported;
  let ok = false;
  try {
    const wasm = wasmApi();
    const probe = encodeModule([{ name: "tile32", fn: buildTile(F32_TILE, true) }], 1, {});
    ok = wasm?.validate(probe) === true;
  } catch {
    ok = false;
  }
  fmaSupported = ok;
  return ok;
}

export type TileFn = (
  a: number,
  b: number,
  c: number,
  kc: number,
  ldc: number,
  accumulate: number,
  panels: number,
  aStride: number,
) => void;

export type PackFn = (
  src: number,
  rs: number,
  cs: number,
  rows: number,
  depth: number,
  dst: number,
) => void;

/** The kernels of one element type. */
interface Kernels {
  tile: TileFn;
  packA: PackFn;
  packB: PackFn;
}

/** The module's exports, by name (what a worker thread's instance also has). */
export type MatmulExports = Record<
  "tile32" | "tile64" | "packA32" | "packB32" | "packA64" | "packB64",
  TileFn & PackFn
>;

export interface Instance {
  /** The compiled module (a worker thread instantiates it again over the same shared memory). */
  module: object;
  memory: WasmMemory;
  /** Whether `memory` is a shared memory (worker threads can join). */
  shared: boolean;
  exports: MatmulExports;
  f32: Kernels;
  f64: Kernels;
}

let instance: Instance | null = null;

/**
 * A shared memory and the module that imports it, where the host can run worker threads and
 * the engine has wasm threads; undefined otherwise (then the plain memory is used).
 */
function sharedSetup(wasm: WasmApi): { memory: WasmMemory; module: object } | undefined {
  if (threadHost() === undefined) return undefined;
  try {
    const bytes = matmulModuleBytes(true);
    if (!wasm.validate(bytes)) return undefined;
    const memory = new wasm.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    return { memory, module: new wasm.Module(bytes) };
  } catch {
    return undefined; // e.g. no address space for the maximum on a 32-bit device
  }
}

/** The one instance (created on first use), over a shared memory where threads are possible. */
export function getInstance(): Instance {
  if (instance) return instance;
  const wasm = wasmApi();
  if (!wasm) throw new Error("wasmMatmul: WebAssembly is not available");
  // Synchronous compilation: the module is ~2 KiB, under browsers' 4 KiB main-thread limit.
  const shared = sharedSetup(wasm);
  const { memory, module } = shared ?? {
    memory: new wasm.Memory({ initial: 16 }),
    module: new wasm.Module(matmulModuleBytes()),
  };
  const ex = new wasm.Instance(module, { env: { memory } }).exports as MatmulExports;
  instance = {
    module,
    memory,
    shared: shared !== undefined,
    exports: ex,
    f32: { tile: ex.tile32, packA: ex.packA32, packB: ex.packB32 },
    f64: { tile: ex.tile64, packA: ex.packA64, packB: ex.packB64 },
  };
  return instance;
}

/**
 * Grows the memory to at least `bytes` and returns its buffer (growing detaches old views of a
 * plain memory), or null when it cannot grow that far.
 */
export function ensureMemory(inst: Instance, bytes: number): ArrayBufferLike | null {
  if (bytes > MAX_BYTES) return null;
  const have = inst.memory.buffer.byteLength;
  if (bytes > have) {
    try {
      inst.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return null;
    }
  }
  return inst.memory.buffer;
}

/**
 * Rows shorter than this are copied out of the padded result element by element: for a 128 x 10
 * float32 result, 1.4 us against 13 us with a `subarray` and `set` per row (Node 20).
 */
const ROW_COPY_MIN = 64;

/**
 * Copies an m x n result from `src` at element `from`, whose rows are nPad long (the tiles'
 * padded C), into `dst` at element `to`, row-major.
 */
export function copyUnpadded(
  src: FloatArray,
  from: number,
  nPad: number,
  dst: FloatArray,
  to: number,
  m: number,
  n: number,
): void {
  if (nPad === n) {
    (dst as Float64Array).set(src.subarray(from, from + m * n) as Float64Array, to);
  } else if (n < ROW_COPY_MIN) {
    // Short rows: element by element (a subarray per row costs more than its copy).
    for (let i = 0; i < m; i++) {
      const s = from + i * nPad;
      const d = to + i * n;
      for (let j = 0; j < n; j++) dst[d + j] = src[s + j]!;
    }
  } else {
    for (let i = 0; i < m; i++) {
      const s = from + i * nPad;
      (dst as Float64Array).set(src.subarray(s, s + n) as Float64Array, to + i * n);
    }
  }
}

/** The float typed arrays the kernel handles. */
export type FloatArray = Float32Array | Float64Array;

/** Batch strides of a [...batch, r, c] operand read as broadcast to batchShape. */
export function batchStrides(shape: Shape, batchShape: Shape): number[] {
  const nb = shape.length - 2;
  return broadcastStrides(shape.slice(0, nb), batchShape, rowMajorStrides(shape).slice(0, nb));
}

/** Rounds an element count up to a whole number of 16-byte vectors. */
export function alignEl(n: number, eb: number): number {
  const per = 16 / eb;
  return Math.ceil(n / per) * per;
}

/** Tiling and blocking of one m x k by k x n product (shared by the single and threaded drivers). */
export interface Geometry {
  eb: 4 | 8;
  mr: number;
  nr: number;
  mPanels: number;
  nPanels: number;
  mPad: number;
  nPad: number;
  /** Depth of the k blocks (every block but the last this deep): fixes the summation order. */
  kcBlock: number;
  /** A panels per MC-row block. */
  mcPanels: number;
  /** B panels per NC-column block. */
  ncPanels: number;
}

export function geometry(f64: boolean, m: number, n: number, k: number): Geometry {
  const { eb, mr, nr } = f64 ? F64_TILE : F32_TILE;
  const mPanels = Math.ceil(m / mr);
  const nPanels = Math.ceil(n / nr);
  return {
    eb,
    mr,
    nr,
    mPanels,
    nPanels,
    mPad: mPanels * mr,
    nPad: nPanels * nr,
    // Equal k blocks (784 = 2 x 392, not 3 x 256 + 16): no short block paying a full pass over C.
    kcBlock: Math.ceil(k / Math.ceil(k / KC)),
    mcPanels: Math.max(1, Math.floor(MC / mr)),
    ncPanels: Math.max(1, Math.floor(NC_BYTES / (KC * nr * eb))),
  };
}

/**
 * The Backend `matmul` contract for float32 / float64 (a, b and out of the same type), on the
 * wasm kernel. Returns false, having written nothing, when one matrix's working set does not fit
 * in wasm memory (then the caller uses another kernel). Throws if WebAssembly is unavailable
 * (callers check for SIMD first).
 */
export function wasmMatmul(
  a: FloatArray,
  aShape: Shape,
  b: FloatArray,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
  out: FloatArray,
  outShape: Shape,
): boolean {
  const ra = aShape.length;
  const ro = outShape.length;
  const m = outShape[ro - 2]!;
  const n = outShape[ro - 1]!;
  const k = transA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const batchShape = outShape.slice(0, ro - 2);
  const batches = sizeOf(batchShape);
  const mn = m * n;
  if (mn === 0 || batches === 0) return true;
  if (k === 0) {
    out.fill(0, 0, batches * mn);
    return true;
  }
  const f64 = out instanceof Float64Array;
  const g = geometry(f64, m, n, k);
  const { eb, mPad, nPad } = g;
  const inst = getInstance();
  const { tile, packA, packB } = f64 ? inst.f64 : inst.f32;
  // Layout in elements, each region 16-byte aligned: A and B as given, packed A, packed B, C.
  const rawA = RESERVED_BYTES / eb;
  const rawB = rawA + alignEl(m * k, eb);
  const pA = rawB + alignEl(k * n, eb);
  const pB = pA + mPad * k;
  const cEl = pB + nPad * k;
  const buf = ensureMemory(inst, (cEl + mPad * nPad) * eb);
  if (buf === null) return false;
  const mem: FloatArray = f64 ? new Float64Array(buf) : new Float32Array(buf);

  // Byte strides of op(A)[i, p] and op(B)[p, j] in their raw copies.
  const aRs = (transA ? 1 : k) * eb;
  const aCs = (transA ? m : 1) * eb;
  const bRs = (transB ? 1 : n) * eb;
  const bCs = (transB ? k : 1) * eb;
  const iter = new Odometer(
    batchShape,
    [batchStrides(aShape, batchShape), batchStrides(bShape, batchShape)],
    [0, 0],
  );
  const offs = iter.offsets;
  let packedA = -1;
  let packedB = -1;
  for (let t = 0; t < batches; t++) {
    // Broadcast batch dims re-read the same matrix: copy and pack it once.
    if (offs[0] !== packedA) {
      packedA = offs[0]!;
      mem.set(a.subarray(packedA, packedA + m * k), rawA);
      packA(rawA * eb, aRs, aCs, m, k, pA * eb);
    }
    if (offs[1] !== packedB) {
      packedB = offs[1]!;
      mem.set(b.subarray(packedB, packedB + k * n), rawB);
      // op(B)^T's rows are op(B)'s columns: pack them as rows of width nr.
      packB(rawB * eb, bCs, bRs, n, k, pB * eb);
    }
    eachTile(g, k, pA * eb, pB * eb, cEl * eb, tile);
    copyUnpadded(mem, cEl, nPad, out, t * mn, m, n);
    iter.next();
  }
  return true;
}

/**
 * Calls `tile` with the arguments of every micro-kernel call of one m x k by k x n product of
 * geometry `g`, in the driver's loop order (NC-column blocks, k blocks, MC-row blocks, B panels),
 * A and B packed at byte addresses `pA` and `pB` and C (mPad x nPad) at `c`: each element of C
 * sums its k blocks in increasing order, which fixes the result's bits.
 */
export function eachTile(
  g: Geometry,
  k: number,
  pA: number,
  pB: number,
  c: number,
  tile: TileFn,
): void {
  const { eb, mr, nr, mPanels, nPanels, nPad, kcBlock, mcPanels, ncPanels } = g;
  const ldc = nPad * eb;
  const aStride = mr * k * eb;
  for (let jc = 0; jc < nPanels; jc += ncPanels) {
    const jEnd = Math.min(nPanels, jc + ncPanels);
    for (let pc = 0; pc < k; pc += kcBlock) {
      const kc = Math.min(kcBlock, k - pc);
      for (let ip = 0; ip < mPanels; ip += mcPanels) {
        const panels = Math.min(mcPanels, mPanels - ip);
        for (let jp = jc; jp < jEnd; jp++) {
          tile(
            pA + (ip * mr * k + pc * mr) * eb,
            pB + (jp * nr * k + pc * nr) * eb,
            c + (ip * mr * nPad + jp * nr) * eb,
            kc,
            ldc,
            pc > 0 ? 1 : 0,
            panels,
            aStride,
          );
        }
      }
    }
  }
}

/** True when `x` is a float array the wasm kernel handles. */
export function isFloatArray(x: TypedArray): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}
