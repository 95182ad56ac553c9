/**
 * @file The active backend. Primitives' impls call `getBackend()`. The default stacks three: the
 * WebAssembly SIMD matmul (where the platform has wasm SIMD and a product is large enough), over the
 * fast plain-JS backend (monomorphic float32/float64 loops, bit-identical to the reference), over
 * the reference backend, which stays the test oracle.
 */

import type { Backend } from "./backend.js";
import { createFastBackend } from "./fast/index.js";
import { referenceBackend } from "./reference/index.js";
import { createWasmBackend } from "./wasm/index.js";

let active: Backend = createWasmBackend(createFastBackend(referenceBackend));

/**
 * The backend that evaluates primitives now: by default the wasm SIMD matmul over the fast JS
 * kernels over the reference kernels (or without wasm where WebAssembly SIMD is missing).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.getBackend().name.includes("reference"); // => true
 * ```
 * @category Backends
 */
export function getBackend(): Backend {
  return active;
}

/**
 * Switches the backend all later evaluations use (tensors already computed are unaffected). It is
 * global state: tests use it to run an op on the reference kernels, then switch back.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const before = ad.getBackend();
 * ad.setBackend(ad.referenceBackend);
 * ad.getBackend().name; // => reference
 * ad.matmul(ad.tensor([[1, 2]]), ad.tensor([[3], [4]])); // => tensor([[11.]], dtype=float32)
 * ad.setBackend(before);
 * ```
 * @category Backends
 */
export function setBackend(backend: Backend): void {
  active = backend;
}

/**
 * Makes the active backend use the wasm matmul (wrapping whatever backend is active now).
 * Returns whether wasm is active; false (and nothing changed) when WebAssembly SIMD is missing.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const before = ad.getBackend();
 * ad.setBackend(ad.createFastBackend(ad.referenceBackend));
 * ad.useWasm(); // => true
 * ad.getBackend().name; // => wasm(fast+reference)
 * ad.setBackend(before);
 * ```
 * @category Backends
 */
export function useWasm(): boolean {
  const current = getBackend();
  if (current.name.startsWith("wasm(")) return true;
  const next = createWasmBackend(current);
  if (next === current) return false;
  setBackend(next);
  return true;
}

export type { Backend } from "./backend.js";
export {
  enableMatmulThreads,
  setMatmulThreads,
  whenMatmulThreadsReady,
} from "./wasm/matmul-threads.js";
export { createFastBackend, createWasmBackend, referenceBackend };
