/**
 * @file TensorFlow.js in the browser: the Node runner's workloads (../../peers/tfjs-runner.ts)
 * with a browser set-up. The wasm backend loads its .wasm binaries from the bench server's
 * /tfjs-wasm/ folder (`setWasmPaths`); on a cross-origin-isolated page it picks its
 * threaded SIMD binary and a thread pool of `navigator.hardwareConcurrency` workers.
 */

import * as tf from "@tensorflow/tfjs";
import * as tfwasm from "@tensorflow/tfjs-backend-wasm";
import { tfjsRunner } from "../../peers/tfjs-runner.js";
import type { Runner } from "../../runner.js";

/** Where chromium-run.ts serves @tensorflow/tfjs-backend-wasm/dist (a URL path). */
export const TFJS_WASM_PREFIX = "/tfjs-wasm/";

export function tfjsBrowserRunner(backend: "cpu" | "wasm"): Runner {
  return {
    ...tfjsRunner(backend),
    async init() {
      tf.enableProdMode();
      const origin = (globalThis as { location?: { origin: string } }).location?.origin ?? "";
      const wasmFiles = `${origin}${TFJS_WASM_PREFIX}`;
      if (backend === "wasm") tfwasm.setWasmPaths(wasmFiles);
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
      await tf.ready();
      const env = tf.env();
      return {
        version: tf.version.tfjs,
        backend: tf.getBackend(),
        ...(backend === "wasm"
          ? {
              wasm_files: wasmFiles,
              simd: await env.getAsync("WASM_HAS_SIMD_SUPPORT"),
              multithread_support: await env.getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
              threads: tfwasm.getThreadsCount(),
            }
          : { threads: 1 }),
        float64: "none (float64 workloads run in float32)",
      };
    },
  };
}
