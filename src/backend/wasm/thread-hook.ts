/**
 * @file The seam between the wasm matmul and its worker-thread pool. The pool (matmul-threads.ts)
 * plugs itself in here when it is first asked for (`setMatmulThreads`, `whenMatmulThreadsReady`,
 * or the Node entry point), so a bundle that never asks for threads leaves the pool out: the wasm
 * backend only ever reads this slot.
 */

import type { Shape } from "../backend.js";
import type { FloatArray } from "./matmul-kernel.js";

/** What the wasm backend needs from a thread pool. */
export interface ThreadedMatmul {
  /** Whether a product of this size is worth splitting now (workers awake or not). */
  pays(batches: number, m: number, n: number, k: number, f64: boolean): boolean;
  /**
   * Runs the product across threads; false when the threads are not ready (or unavailable, or
   * the product does not fit), and then nothing was written.
   */
  run(
    a: FloatArray,
    aShape: Shape,
    b: FloatArray,
    bShape: Shape,
    transA: boolean,
    transB: boolean,
    out: FloatArray,
    outShape: Shape,
  ): boolean;
}

let installed: ThreadedMatmul | undefined;

/** The installed pool, if any. */
export function threadedMatmul(): ThreadedMatmul | undefined {
  return installed;
}

/** Plugs a pool in (idempotent). */
export function installThreadedMatmul(pool: ThreadedMatmul): void {
  installed = pool;
}
