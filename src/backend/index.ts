/**
 * @file The active backend. Primitives' impls call `getBackend()`. The default is the fast plain-JS
 * backend (monomorphic float32/float64 loops, bit-identical to the reference) over the reference
 * backend, which stays the test oracle.
 */

import type { Backend } from "./backend.js";
import { createFastBackend } from "./fast/index.js";
import { referenceBackend } from "./reference/index.js";

let active: Backend = createFastBackend(referenceBackend);

export function getBackend(): Backend {
  return active;
}

/** Switches the backend all later evaluations use (tensors already computed are unaffected). */
export function setBackend(backend: Backend): void {
  active = backend;
}

export type { Backend } from "./backend.js";
export { createFastBackend, referenceBackend };
