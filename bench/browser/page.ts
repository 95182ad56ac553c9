/**
 * @file The benchmark's driver inside the browser page: every peer bundle (built by
 * chromium-run.ts) ends by handing its runner to `installRunner`, and the Node side then calls
 * `__benchRun(input)` in the page. It times the cases with the same code as a Node worker
 * (../peers/worker.ts's `runPeer`, ../timing.ts), so warm-up, target time, median/min and the
 * checks against the references are the same; each message goes back to Node through
 * `__benchSend`, a function the Node side exposes to the page.
 */

import { runPeer, type WorkerInput, type WorkerMessage } from "../peers/worker.js";
import type { Runner } from "../runner.js";

/** What the page's global scope has here (the bench compiles without the DOM library). */
interface PageScope {
  crossOriginIsolated?: boolean;
  navigator?: { userAgent?: string; hardwareConcurrency?: number };
  __benchSend?: (message: WorkerMessage) => unknown;
  __benchRun?: (input: WorkerInput) => Promise<void>;
}

/** Makes `runner` the page's peer: defines `__benchRun`, called by the Node side. */
export function installRunner(runner: Runner): void {
  const scope = globalThis as PageScope;
  scope.__benchRun = async (input: WorkerInput): Promise<void> => {
    const send = scope.__benchSend;
    if (send === undefined)
      throw new Error("bench page: __benchSend was not exposed by the driver");
    // Without isolation there is no SharedArrayBuffer (no Wasm threads for any peer) and
    // performance.now() is coarsened to 100 us: the figures would not be comparable.
    if (scope.crossOriginIsolated !== true) {
      throw new Error(
        "bench page: crossOriginIsolated is not true; the server must send " +
          "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp",
      );
    }
    const info = runner.init === undefined ? {} : await runner.init();
    send({
      kind: "info",
      info: {
        ...info,
        crossOriginIsolated: true,
        hardwareConcurrency: scope.navigator?.hardwareConcurrency,
      },
    });
    const cases = await runPeer(runner, input, (m) => {
      send(m);
    });
    send({ kind: "done", cases });
  };
}
