/**
 * @file Running a compiled program's WebAssembly kernels: their modules (compiled once per
 * distinct kernel and cached), and at a program's first run one WebAssembly memory that holds
 * every planned buffer of the program (so kernels read and write them in place, and JavaScript
 * kernels and library calls see them as ordinary typed arrays), each wasm kernel's constants and
 * one staging area. A wasm kernel's operand that is not a planned buffer (a program input, a
 * constant, a library call's result, a value that escapes) is copied into the staging area
 * before the call and a result copied out after it; the staging area is as large as the largest
 * kernel's staged operands, not their sum, so it adds at most one kernel's operands to the
 * program's memory.
 */

import { wasmSimdSupported } from "../backend/wasm/index.js";
import { matmulModuleBytes } from "../backend/wasm/matmul-kernel.js";
import { threadHost, type WasmMemory, wasmApi } from "../backend/wasm/wasm-api.js";
import { BYTES_PER_ELEMENT, type DType, type TypedArray, typedView } from "../core/dtype.js";
import type { WasmKernelCode } from "./codegen-wasm.js";
import {
  CONTROL_BYTES,
  SPLIT_MIN_UNITS,
  type ThreadedKernels,
  threadedKernels,
} from "./fused-threads.js";
import type { Kernel } from "./kernel-ir.js";
import {
  linkedMatmul,
  type MatmulFns,
  type MatmulStep,
  matmulBytes,
  writesInPlace,
} from "./matmul-step.js";

/**
 * Element operations (loop size x ops per element) from which a loop is split across threads
 * (with at least `SPLIT_MIN_UNITS` units): about 0.2 ms of wasm SIMD work. In isolation a split
 * pays from ~50 us (bench/fused-threads.ts: a 10-op loop of 2^16 elements takes 34 us on one
 * thread, 19 us split with the worker awake, 27 us asleep), but inside a program the loop
 * shares the core's caches and memory bandwidth with its neighbours and the worker is often
 * asleep: W1's gradient loop (100,000 elements, 2M element operations, ~40 us) ran 0.314 ms per
 * program split against 0.276 ms on one thread; at 1,000,000 elements 3.57 against 3.95 ms.
 */
export const SPLIT_MIN_WORK = 1 << 22;

/** Whether worker threads over a shared memory can run here (Node, a cross-origin-isolated page). */
export function threadsAvailable(): boolean {
  return threadHost() !== undefined && !disabled;
}

/** Compiled modules by their bytes: identical kernels (an RNN's steps) share one. */
const modules = new Map<string, object>();
const MODULES_MAX = 2000;

/** Whether this host can compile and run the kernels (WebAssembly with SIMD, not forbidden). */
export function wasmKernelsAvailable(): boolean {
  return !forbidden && !disabled && wasmSimdSupported();
}

let forbidden = false;
let disabled = false;

/**
 * @internal Turns wasm kernels off (true) or back on (false) for programs compiled afterwards,
 * for benchmarks that compare them with the JavaScript loops.
 */
export function _disableWasmKernels(on: boolean): void {
  disabled = on;
}

/**
 * The compiled module of `bytes`, or null where compiling WebAssembly is forbidden (a
 * Content-Security-Policy without 'wasm-unsafe-eval') or refused (a browser's main thread
 * refuses synchronous compiles of large modules): the kernel then stays JavaScript.
 */
export function wasmModule(bytes: Uint8Array<ArrayBuffer>): object | null {
  const api = wasmApi();
  if (api === undefined || forbidden) return null;
  let key = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    key += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  const hit = modules.get(key);
  if (hit !== undefined) return hit;
  let m: object;
  try {
    m = new api.Module(bytes);
  } catch (err) {
    // CompileError from a CSP ("Wasm code generation disallowed by embedder"): stop trying.
    if (err instanceof Error && /disallowed|unsafe-eval|CSP|Content Security/i.test(err.message)) {
      forbidden = true;
    }
    return null;
  }
  if (modules.size >= MODULES_MAX) modules.clear();
  modules.set(key, m);
  return m;
}

/** A wasm kernel of a program, before linking. */
export interface WasmRun {
  readonly code: WasmKernelCode;
  readonly module: object;
  /** Elements of the loop. */
  readonly size: number;
  /** Dtype and element count of each input and output array. */
  readonly inTypes: readonly DType[];
  readonly outTypes: readonly DType[];
  readonly inSizes: readonly number[];
  readonly outSizes: readonly number[];
  /** The planned buffer (slot) of each input and output, -1 where it is staged. */
  readonly inSlots: readonly number[];
  /**
   * The data of each input that is a program constant (copied into the memory once, at link
   * time, instead of staged on every run), undefined for the others.
   */
  readonly inConsts?: readonly (TypedArray | undefined)[];
  readonly outSlots: readonly number[];
}

/** A matrix product of a program, before linking (matmul-step.ts). */
export interface MatmulLink {
  readonly step: MatmulStep;
  /** The planned buffer of each operand (-1 where it is staged or a constant). */
  readonly inSlots: readonly number[];
  /** The data of each operand that is a program constant (resident), undefined for the others. */
  readonly inConsts: readonly (TypedArray | undefined)[];
  /** The planned buffer of the result, -1 where it escapes. */
  readonly outSlot: number;
}

/** A program's memory with its planned buffers, and its wasm kernels linked to it. */
export interface LinkedMemory {
  readonly memory: WasmMemory;
  /** The planned buffers, as views of the memory. */
  readonly slots: TypedArray[];
  /** One kernel per WasmRun, in order. */
  readonly kernels: Kernel[];
  /** One kernel per MatmulLink, in order (none if the kernel module cannot be made here). */
  readonly matmuls: Kernel[];
  /** Bytes of the memory. */
  readonly bytes: number;
  /** The program's kernels in the thread pool (a shared memory with a large loop), if any. */
  readonly threads: ThreadedKernels | undefined;
}

const ALIGN = 16;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/**
 * Lays out one memory for `slots` (the program's planned buffers) and the kernels of `runs`, and
 * instantiates them; null if the memory cannot be made (the caller then runs JavaScript kernels
 * on ordinary arrays).
 */
export function linkMemory(
  slots: readonly { dtype: DType; size: number }[],
  runs: readonly WasmRun[],
  shared: boolean,
  products: readonly MatmulLink[] = [],
): LinkedMemory | null {
  const api = wasmApi();
  if (api === undefined) return null;
  const matmulModule = products.length > 0 ? wasmModule(matmulModuleBytes(shared)) : null;
  const matmuls = matmulModule === null ? [] : products;
  let off = CONTROL_BYTES;
  const slotOffsets = slots.map((s) => {
    const at = off;
    off += align(Math.max(1, s.size * BYTES_PER_ELEMENT[s.dtype]));
    return at;
  });
  const constOffsets = runs.map((r) => {
    const at = off;
    off += align(Math.max(8, r.code.constants.length * 8));
    return at;
  });
  const colAt = off;
  off += align(Math.max(0, ...runs.map((r) => r.code.colBytes)));
  // Program constants the kernels read: resident, one region per constant array.
  const constArrays = new Map<TypedArray, number>();
  for (const r of [...runs, ...matmuls]) {
    r.inConsts?.forEach((data) => {
      if (data === undefined || constArrays.has(data)) return;
      constArrays.set(data, off);
      off += align(Math.max(1, data.byteLength));
    });
  }
  // Staging: each run's staged operands laid out from one base; the area is the largest run's.
  const stageAt = off;
  let stageBytes = 0;
  /** Byte offsets from `stageAt` up for one step's staged operands (the area is reused). */
  const stager = () => {
    let o = stageAt;
    return (bytes: number): number => {
      const at = o;
      o += align(Math.max(1, bytes));
      stageBytes = Math.max(stageBytes, o - stageAt);
      return at;
    };
  };
  const staged = runs.map((r) => {
    const take = stager();
    const place = (slot: number, d: DType, size: number): number =>
      slot >= 0 ? slotOffsets[slot]! : take(size * BYTES_PER_ELEMENT[d]);
    const ins = r.inSlots.map((s, k) => {
      const data = r.inConsts?.[k];
      return data !== undefined ? constArrays.get(data)! : place(s, r.inTypes[k]!, r.inSizes[k]!);
    });
    const outs = r.outSlots.map((s, k) => place(s, r.outTypes[k]!, r.outSizes[k]!));
    return { ins, outs };
  });
  // A product's staged operands, packed operands and padded result share the same area (steps
  // run one at a time).
  const productPlaces = matmuls.map(({ step, inSlots, inConsts, outSlot }) => {
    const take = stager();
    const eb = step.geometry.eb;
    const operand = (j: number, elements: number): [number, boolean] => {
      const data = inConsts[j];
      if (data !== undefined) return [constArrays.get(data)!, false];
      if (inSlots[j]! >= 0) return [slotOffsets[inSlots[j]!]!, false];
      return [take(elements * eb), true];
    };
    const [a, copyA] = operand(0, step.m * step.k);
    const [b, copyB] = operand(1, step.k * step.n);
    const bytes = matmulBytes(step);
    const packA = take(bytes.packA);
    const packB = take(bytes.packB);
    const inPlace = writesInPlace(step, outSlot);
    const c = inPlace ? slotOffsets[outSlot]! : take(bytes.c);
    return { a, b, packA, packB, c, copyA, copyB, inPlace };
  });
  off += stageBytes;
  const pages = Math.max(1, Math.ceil(off / 65536));
  let memory: WasmMemory;
  try {
    memory = shared
      ? new api.Memory({ initial: pages, maximum: pages, shared: true })
      : new api.Memory({ initial: pages });
  } catch {
    return null;
  }
  const buffer = memory.buffer;
  // Loops large enough to split run on the pool's threads once a worker has their modules.
  const threads = shared
    ? threadedKernels(
        memory,
        runs.map((r) => r.module),
      )
    : undefined;
  const slotViews = slots.map((s, k) => typedView(s.dtype, buffer, slotOffsets[k]!, s.size));
  for (const [data, at] of constArrays) {
    new Uint8Array(buffer, at, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
  }
  const kernels = runs.map((r, q) => {
    const exports = new api.Instance(r.module, { env: { memory, tanh: Math.tanh, exp: Math.exp } })
      .exports;
    const k = exports.k as (...args: number[]) => void;
    new Float64Array(buffer, constOffsets[q]!, r.code.constants.length).set(r.code.constants);
    const { ins, outs } = staged[q]!;
    const args = [...ins, ...outs, constOffsets[q]!, colAt];
    const units = r.code.units;
    const whole = k.bind(null, 0, units, ...args) as () => void;
    const split =
      threads !== undefined &&
      r.code.splittable &&
      r.code.units >= SPLIT_MIN_UNITS &&
      r.size * r.code.work >= SPLIT_MIN_WORK;
    const call = split
      ? () => {
          if (!(threads.ready() && threads.run(q, units, args))) whole();
        }
      : whole;
    const copyIn: [number, TypedArray][] = [];
    r.inSlots.forEach((s, j) => {
      if (s < 0 && r.inConsts?.[j] === undefined) {
        copyIn.push([j, typedView(r.inTypes[j]!, buffer, ins[j]!, r.inSizes[j]!)]);
      }
    });
    const copyOut: [number, TypedArray][] = [];
    r.outSlots.forEach((s, j) => {
      if (s < 0) copyOut.push([j, typedView(r.outTypes[j]!, buffer, outs[j]!, r.outSizes[j]!)]);
    });
    const kernel: Kernel = (I, O) => {
      for (let c = 0; c < copyIn.length; c++) {
        const [j, v] = copyIn[c]!;
        (v as Float64Array).set(I[j]! as Float64Array);
      }
      call();
      for (let c = 0; c < copyOut.length; c++) {
        const [j, v] = copyOut[c]!;
        (O[j]! as Float64Array).set(v as Float64Array);
      }
    };
    return kernel;
  });
  let products32: MatmulFns | undefined;
  let products64: MatmulFns | undefined;
  if (matmulModule !== null) {
    const ex = new api.Instance(matmulModule, { env: { memory } }).exports as Record<string, never>;
    products32 = { tile: ex.tile32, packA: ex.packA32, packB: ex.packB32 };
    products64 = { tile: ex.tile64, packA: ex.packA64, packB: ex.packB64 };
  }
  const productKernels = matmuls.map(({ step }, q) =>
    linkedMatmul(
      step,
      (step.dtype === "float64" ? products64 : products32)!,
      buffer,
      productPlaces[q]!,
    ),
  );
  return {
    memory,
    slots: slotViews,
    kernels,
    matmuls: productKernels,
    bytes: pages * 65536,
    threads,
  };
}
