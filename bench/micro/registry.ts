/**
 * @file The peers `npm run bench:micro` knows, by name (the same names as ../peers/registry.ts),
 * each loaded lazily inside its own worker so that the main thread imports none of them.
 */

import type { MicroRunner } from "./cases.js";

export interface MicroPeerSpec {
  /** The peer's name in the `--peer=` flag and in the table's columns. */
  readonly name: string;
  /** Imports and returns the peer's micro runner (inside the worker). */
  readonly load: () => Promise<MicroRunner>;
  /** The worker's stack size (worker_threads resourceLimits.stackSizeMb; Node's default is 4). */
  readonly stackSizeMb?: number;
}

export const MICRO_PEERS: readonly MicroPeerSpec[] = [
  { name: "adjoint", load: async () => (await import("./adjoint.js")).adjointMicro },
  { name: "tfjs-cpu", load: async () => (await import("./tfjs.js")).tfjsMicro("cpu") },
  { name: "tfjs-wasm", load: async () => (await import("./tfjs.js")).tfjsMicro("wasm") },
  {
    name: "jax-js",
    load: async () => (await import("./jaxjs.js")).jaxjsMicro,
    // Like the workload benchmark: jax-js's eager grad recurses along the chain when it frees
    // the linearized trace.
    stackSizeMb: 256,
  },
];
