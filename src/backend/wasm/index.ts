/**
 * @file A backend that runs large float matrix products on a WebAssembly SIMD kernel and
 * delegates everything else (and small products, where copying into wasm memory costs more than
 * it saves) to a base backend. Products large enough are split across worker threads once a thread
 * pool is plugged in (thread-hook.ts: `setMatmulThreads`, or the Node entry point, which does it by
 * default) and the platform has threads.
 */

import type { Backend } from "../backend.js";
import { isFloatArray, wasmMatmul } from "./matmul-kernel.js";
import { threadedMatmul } from "./thread-hook.js";
import { wasmApi } from "./wasm-api.js";

/**
 * Per-matrix size below which a product stays on the base backend: copying into and out of wasm
 * memory and the call overheads (~0.5 us) cost more than the kernel saves. Measured with
 * bench/matmul.ts and a scan of small shapes (Node 20, x64): the wasm kernel wins from
 * m*n*k ~ 500 on (3x at 8x8x8, 10x at 16x16x16), except for dot-product-like shapes (m*n < 8),
 * where padding to a 4x8 (f32) or 4x4 (f64) register tile wastes most of the work and the
 * reference is up to 2x faster even at k = 4096.
 */
export const WASM_MATMUL_MIN_MNK = 1024;
export const WASM_MATMUL_MIN_MN = 8;
/** Matrix-vector products up to this m * k stay in the fast backend (measured crossover ~64x64). */
export const WASM_MATVEC_MAX_MK = 4096;

/** Whether an m x k by k x n product goes to the wasm kernel (for float data). */
export function wasmMatmulPays(m: number, n: number, k: number): boolean {
  // A small matrix-vector product: the fast backend's one-loop kernel beats copying into wasm
  // memory and padding one column to a register tile (32x32 by 32x1: ~1.2 us vs ~3.7 us).
  if (n === 1 && m * k <= WASM_MATVEC_MAX_MK) return false;
  return m * n >= WASM_MATMUL_MIN_MN && m * n * k >= WASM_MATMUL_MIN_MNK;
}

/** A minimal module using one SIMD instruction (v128.const; drop), for feature detection. */
// biome-ignore format: a byte table reads best in rows
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x17, 0x01, 0x15, 0x00, // code section: one body of 21 bytes, no locals
  0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // v128.const 0
  0x1a, 0x0b, // drop, end
]);

let simdSupported: boolean | undefined;

/** Whether this engine has WebAssembly with 128-bit SIMD (checked once). */
export function wasmSimdSupported(): boolean {
  if (simdSupported !== undefined) return simdSupported;
  let ok = false;
  try {
    const wasm = wasmApi();
    ok = wasm !== undefined && typeof wasm.validate === "function" && wasm.validate(SIMD_PROBE);
  } catch {
    ok = false;
  }
  simdSupported = ok;
  return ok;
}

/** The backends createWasmBackend made (their float products run on the wasm kernel). */
const wasmBackends = new WeakSet<Backend>();

/**
 * @internal Whether `backend` came from createWasmBackend: its large enough float products
 * (`wasmMatmulPays`) run on the wasm kernel, so a jit program may run them on the same kernel
 * in its own memory with the same bits (src/compile/matmul-step.ts).
 */
export function isWasmBackend(backend: Backend): boolean {
  return wasmBackends.has(backend);
}

/**
 * `base` with its `matmul` replaced by the wasm kernel for float32/float64 products large enough
 * to pay for it (`wasmMatmulPays`); returns `base` itself when wasm SIMD is unavailable.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const wasm = ad.createWasmBackend(ad.referenceBackend);
 * wasm.name; // => wasm(reference)
 * ```
 * @category Backends
 */
export function createWasmBackend(base: Backend): Backend {
  if (!wasmSimdSupported()) return base;
  // Backends are plain objects of kernels (reference, fast), so a spread copies every kernel.
  const backend: Backend = {
    ...base,
    name: `wasm(${base.name})`,
    matmul(a, aShape, b, bShape, transA, transB, out, outShape) {
      const r = outShape.length;
      const k = transA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!;
      if (
        wasmMatmulPays(outShape[r - 2]!, outShape[r - 1]!, k) &&
        isFloatArray(a) &&
        isFloatArray(b) &&
        isFloatArray(out) &&
        a.constructor === out.constructor &&
        b.constructor === out.constructor
      ) {
        // Large products go to the threads once a worker is ready (false: not ready, or
        // unavailable; the single-threaded kernel below then writes all of out).
        const threads = threadedMatmul();
        if (threads !== undefined) {
          let batches = 1;
          for (let i = 0; i < r - 2; i++) batches *= outShape[i]!;
          const f64 = out instanceof Float64Array;
          if (
            threads.pays(batches, outShape[r - 2]!, outShape[r - 1]!, k, f64) &&
            threads.run(a, aShape, b, bShape, transA, transB, out, outShape)
          ) {
            return;
          }
        }
        // false: one matrix is too large for 32-bit wasm memory (nothing was written).
        if (wasmMatmul(a, aShape, b, bShape, transA, transB, out, outShape)) return;
      }
      base.matmul(a, aShape, b, bShape, transA, transB, out, outShape);
    },
  };
  wasmBackends.add(backend);
  return backend;
}
