/** @file The active backend. Primitives' impls call `getBackend()`; the reference backend is the default. */

import type { Backend } from "./backend.js";
import { referenceBackend } from "./reference/index.js";

let active: Backend = referenceBackend;

export function getBackend(): Backend {
  return active;
}

/** Switches the backend all later evaluations use (tensors already computed are unaffected). */
export function setBackend(backend: Backend): void {
  active = backend;
}

export type { Backend } from "./backend.js";
