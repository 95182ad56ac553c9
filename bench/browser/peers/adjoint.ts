/**
 * @file adjoint in the browser: the Node runner's workloads (../../adjoint-runner.ts) and a
 * set-up that waits for the matmul worker threads (a Blob-URL worker, which joins only on a
 * cross-origin-isolated page) before anything is timed, and reports whether they joined.
 */

import * as ad from "../../../src/node.js";
import { adjointRunner } from "../../adjoint-runner.js";
import type { Runner } from "../../runner.js";

export const adjointBrowserRunner: Runner = {
  ...adjointRunner,
  async init() {
    const base = adjointRunner.init === undefined ? {} : await adjointRunner.init();
    return { ...base, matmul_threads: await ad.whenMatmulThreadsReady() };
  },
};
