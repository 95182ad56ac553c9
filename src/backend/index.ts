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

export function getBackend(): Backend {
  return active;
}

/** Switches the backend all later evaluations use (tensors already computed are unaffected). */
export function setBackend(backend: Backend): void {
  active = backend;
}

/**
 * Makes the active backend use the wasm matmul (wrapping whatever backend is active now).
 * Returns whether wasm is active; false (and nothing changed) when WebAssembly SIMD is missing.
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
export { setMatmulThreads, whenMatmulThreadsReady } from "./wasm/index.js";
export { createFastBackend, createWasmBackend, referenceBackend };
