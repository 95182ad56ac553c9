/**
 * @file A jit program's small matrix products on its own WebAssembly memory. Eagerly (and as a
 * library call) a float product large enough for the wasm kernel allocates its result, copies
 * both operands into the kernel's memory, packs them, runs the micro-kernel and copies the result
 * out. Inside a program whose memory holds its planned buffers (wasm-link.ts), the same kernel
 * module is instantiated on that memory: an operand that is a planned buffer is packed where it
 * is, the result is written into its planned buffer (in place where no padding is needed), and
 * the loop of micro-kernel calls is laid out once. The packing, blocking and call order are the
 * eager driver's (`eachTile`), so the bits are the same.
 *
 * A product runs here when eagerly it would run on the wasm kernel on one thread: both operands
 * and the result of one float dtype, 2-D, large enough for the kernel (`wasmMatmulPays`) and
 * smaller than the products the thread pool takes. At run time, if the active backend is not a
 * wasm backend (setBackend), the product goes to that backend's matmul as eagerly.
 */

import { getBackend } from "../backend/index.js";
import { isWasmBackend, wasmMatmulPays } from "../backend/wasm/index.js";
import {
  copyUnpadded,
  eachTile,
  type FloatArray,
  type Geometry,
  geometry,
  type PackFn,
  type TileFn,
} from "../backend/wasm/matmul-kernel.js";
import { THREADS_MIN_WORK_BLOCKED } from "../backend/wasm/matmul-threads.js";
import { typedView } from "../core/dtype.js";
import type { GraphParts } from "../ir/graph.js";
import type { Kernel } from "./kernel-ir.js";

/** One product a program runs on its memory. */
export interface MatmulStep {
  readonly dtype: "float32" | "float64";
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly aShape: readonly number[];
  readonly bShape: readonly number[];
  readonly outShape: readonly number[];
  readonly geometry: Geometry;
}

/** Equation `e` as a product to run on the program's memory, or null (it stays a library call). */
export function matmulStep(graph: GraphParts, e: number): MatmulStep | null {
  const eqn = graph.eqns[e]!;
  if (eqn.primitive.name !== "matmul" || eqn.inputs.length !== 2) return null;
  const [a, b] = eqn.inputs.map((v) => graph.vars[v]!);
  const out = graph.vars[eqn.outputs[0]!]!;
  const dtype = out.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  if (a!.dtype !== dtype || b!.dtype !== dtype) return null;
  if (a!.shape.length !== 2 || b!.shape.length !== 2 || out.shape.length !== 2) return null;
  const { transA, transB } = eqn.params as { transA: boolean; transB: boolean };
  const [m, n] = out.shape as [number, number];
  const k = transA ? a!.shape[0]! : a!.shape[1]!;
  if (!wasmMatmulPays(m, n, k) || m * n * k >= THREADS_MIN_WORK_BLOCKED) return null;
  return {
    dtype,
    m,
    n,
    k,
    transA,
    transB,
    aShape: a!.shape,
    bShape: b!.shape,
    outShape: out.shape,
    geometry: geometry(dtype === "float64", m, n, k),
  };
}

/** The eager path: the active backend's matmul into the result array (I = [a, b], O = [out]). */
export function matmulCall(step: MatmulStep): Kernel {
  const { aShape, bShape, transA, transB, outShape } = step;
  return (I, O) => {
    getBackend().matmul(I[0]!, aShape, I[1]!, bShape, transA, transB, O[0]!, outShape);
  };
}

/** Whether the product writes its result straight into the planned buffer (no padding). */
export function writesInPlace(step: MatmulStep, outSlot: number): boolean {
  const { geometry: g, m, n } = step;
  return outSlot >= 0 && g.mPad === m && g.nPad === n;
}

/** Bytes of packed A, packed B and the padded result. */
export function matmulBytes(step: MatmulStep): { packA: number; packB: number; c: number } {
  const { geometry: g, k } = step;
  return { packA: g.mPad * k * g.eb, packB: g.nPad * k * g.eb, c: g.mPad * g.nPad * g.eb };
}

/** Byte addresses of a linked product's regions; `copyA`/`copyB`: operands staged on each run. */
export interface MatmulPlace {
  readonly a: number;
  readonly b: number;
  readonly packA: number;
  readonly packB: number;
  readonly c: number;
  readonly copyA: boolean;
  readonly copyB: boolean;
  /** The result is written at `c` in the planned buffer itself. */
  readonly inPlace: boolean;
}

/** The kernel module's functions of one dtype, instantiated on the program's memory. */
export interface MatmulFns {
  readonly tile: TileFn;
  readonly packA: PackFn;
  readonly packB: PackFn;
}

/**
 * The product as a kernel on the program's memory `buffer` (I = [a, b], O = [out], as the
 * library call), falling back to `matmulCall` when the active backend is not a wasm backend.
 */
export function linkedMatmul(
  step: MatmulStep,
  fns: MatmulFns,
  buffer: ArrayBufferLike,
  at: MatmulPlace,
): Kernel {
  const { dtype, m, n, k, transA, transB, geometry: g } = step;
  const eb = g.eb;
  // Byte strides of op(A)[i, p] and op(B)[p, j] where they lie (row-major as given).
  const aRs = (transA ? 1 : k) * eb;
  const aCs = (transA ? m : 1) * eb;
  const bRs = (transB ? 1 : n) * eb;
  const bCs = (transB ? k : 1) * eb;
  const args: number[] = [];
  eachTile(g, k, at.packA, at.packB, at.c, (...a) => {
    args.push(...a);
  });
  const calls = Int32Array.from(args);
  const viewA = at.copyA ? typedView(dtype, buffer, at.a, m * k) : null;
  const viewB = at.copyB ? typedView(dtype, buffer, at.b, k * n) : null;
  const padded = at.inPlace
    ? null
    : (typedView(dtype, buffer, at.c, g.mPad * g.nPad) as FloatArray);
  const { tile, packA, packB } = fns;
  const fallback = matmulCall(step);
  return (I, O) => {
    if (!isWasmBackend(getBackend())) {
      fallback(I, O);
      return;
    }
    if (viewA !== null) (viewA as Float64Array).set(I[0] as Float64Array);
    if (viewB !== null) (viewB as Float64Array).set(I[1] as Float64Array);
    packA(at.a, aRs, aCs, m, k, at.packA);
    // op(B)^T's rows are op(B)'s columns: packed as rows of width nr.
    packB(at.b, bCs, bRs, n, k, at.packB);
    for (let t = 0; t < calls.length; t += 8) {
      tile(
        calls[t]!,
        calls[t + 1]!,
        calls[t + 2]!,
        calls[t + 3]!,
        calls[t + 4]!,
        calls[t + 5]!,
        calls[t + 6]!,
        calls[t + 7]!,
      );
    }
    if (padded !== null) copyUnpadded(padded, 0, g.nPad, O[0] as FloatArray, 0, m, n);
  };
}
