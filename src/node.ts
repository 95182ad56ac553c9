/**
 * @file The package's entry point in Node (the "node" export condition): the whole public API
 * of index.ts, with large float matrix products split across worker threads by default. Browser
 * bundles get index.ts, which leaves the thread pool out unless the page calls
 * `enableMatmulThreads` or `setMatmulThreads` (threads there need a cross-origin-isolated page).
 */

import { enableMatmulThreads } from "./backend/wasm/matmul-threads.js";

enableMatmulThreads();

export * from "./index.js";
