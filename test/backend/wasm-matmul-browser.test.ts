/**
 * @file The threaded wasm matmul in a real browser (opt-in): Chromium loads a browser bundle of
 * the wasm backend from a local server, once from a cross-origin-isolated page (COOP/COEP
 * headers: a Blob-URL worker joins, results stay bit-identical) and once from a plain page
 * (no SharedArrayBuffer: single-threaded, same results). Needs Chromium at CHROMIUM_PATH or
 * /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it and makes the test required).
 */

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { browserMissing, browserSkip, launchChromium } from "../harness/chromium.js";

const missing = browserMissing();
const skip = browserSkip(missing);

/** The page's test: a float64 product through the wasm backend vs the reference, bit for bit. */
const PAGE = `<!doctype html><script src="/bundle.js"></script><script>
window.run = async () => {
  const ready = await W.whenMatmulThreadsReady();
  const [m, n, k] = [257, 300, 311];
  const a = new Float64Array(m * k).map((_, i) => Math.sin(i));
  const b = new Float64Array(k * n).map((_, i) => Math.cos(0.5 * i));
  const want = new Float64Array(m * n);
  const got = new Float64Array(m * n);
  W.referenceBackend.matmul(a, [m, k], b, [k, n], false, false, want, [m, n]);
  const w = W.createWasmBackend(W.referenceBackend);
  for (let i = 0; i < 20; i++) w.matmul(a, [m, k], b, [k, n], false, false, got, [m, n]);
  const same = got.every((v, i) => Object.is(v, want[i]));
  return { isolated: self.crossOriginIsolated, ready, same, stats: W.matmulThreadStats() };
};
</script>`;

test("Chromium: threads in a cross-origin-isolated page, single-threaded otherwise", {
  skip,
}, async () => {
  if (missing) assert.fail(`browser test required, but ${missing}`);
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const bundle = await build({
    stdin: {
      contents: `export * from "./src/backend/wasm/index.ts";
        export * from "./src/backend/wasm/matmul-threads.ts";
        export { referenceBackend } from "./src/backend/reference/index.ts";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "W",
    write: false,
    logLevel: "silent",
  });
  const js = bundle.outputFiles[0]!.text;
  const browser = await launchChromium();
  try {
    for (const isolated of [true, false]) {
      const headers: Record<string, string> = isolated
        ? {
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Embedder-Policy": "require-corp",
          }
        : {};
      const server = createServer((req, res) => {
        const isJs = req.url === "/bundle.js";
        res.writeHead(200, { "content-type": isJs ? "text/javascript" : "text/html", ...headers });
        res.end(isJs ? js : PAGE);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        const r = await page.evaluate(() =>
          (
            globalThis as unknown as {
              run(): Promise<{
                isolated: boolean;
                ready: boolean;
                same: boolean;
                stats: { splitProducts: number; workers: number };
              }>;
            }
          ).run(),
        );
        assert.equal(r.isolated, isolated);
        assert.equal(r.ready, isolated);
        assert.equal(r.same, true);
        assert.equal(r.stats.splitProducts, isolated ? 20 : 0);
        assert.equal(r.stats.workers, isolated ? 1 : 0);
      } finally {
        server.close();
      }
    }
  } finally {
    await browser.close();
  }
});
