/**
 * @file The peers `npm run bench` knows, by name, each loaded lazily inside its own worker so
 * that the main thread imports none of them (and no peer's JIT or Wasm state meets another's).
 */

import type { Runner } from "../runner.js";

export interface PeerSpec {
  /** The peer's name in the `--peer=` flag and in the "peer" field of the result lines. */
  readonly name: string;
  /** Imports and returns the runner (inside the worker). */
  readonly load: () => Promise<Runner>;
  /** The worker's stack size (worker_threads resourceLimits.stackSizeMb; Node's default is 4). */
  readonly stackSizeMb?: number;
}

export const PEERS: readonly PeerSpec[] = [
  {
    name: "adjoint",
    load: async () => (await import("../adjoint-runner.js")).adjointRunner,
  },
  {
    name: "tfjs-cpu",
    load: async () => (await import("./tfjs-runner.js")).tfjsRunner("cpu"),
  },
  {
    name: "tfjs-wasm",
    load: async () => (await import("./tfjs-runner.js")).tfjsRunner("wasm"),
  },
  {
    name: "jax-js",
    load: async () => (await import("./jaxjs-runner.js")).jaxjsRunner,
    // jax-js's eager grad of W3's 10,000-step chain recurses once per step when it frees the
    // linearized trace; the default 4 MB stack overflows ("Maximum call stack size exceeded").
    stackSizeMb: 256,
  },
];
