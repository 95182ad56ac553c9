/**
 * @file The threaded wasm matmul in a real browser (opt-in): Chromium loads a browser bundle of
 * the wasm backend from a local server, once from a cross-origin-isolated page (COOP/COEP
 * headers: a Blob-URL worker joins, results stay bit-identical) and once from a plain page
 * (no SharedArrayBuffer: single-threaded, same results); float32 products use relaxed SIMD's
 * fused multiply-add, which Chromium has. Needs Chromium at CHROMIUM_PATH or
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
  // float32 through the tile with relaxed SIMD's fused multiply-add (on by default in Chrome).
  const a32 = Float32Array.from(a), b32 = Float32Array.from(b);
  const want32 = new Float32Array(m * n), got32 = new Float32Array(m * n);
  W.referenceBackend.matmul(a32, [m, k], b32, [k, n], false, false, want32, [m, n]);
  w.matmul(a32, [m, k], b32, [k, n], false, false, got32, [m, n]);
  let err32 = 0;
  for (let i = 0; i < m * n; i++) err32 = Math.max(err32, Math.abs(got32[i] - want32[i]));
  return { isolated: self.crossOriginIsolated, ready, same, stats: W.matmulThreadStats(), fma: W.relaxedFmaSupported(), err32 };
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
        export { relaxedFmaSupported } from "./src/backend/wasm/matmul-kernel.ts";
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
                fma: boolean;
                err32: number;
              }>;
            }
          ).run(),
        );
        assert.equal(r.isolated, isolated);
        assert.equal(r.ready, isolated);
        assert.equal(r.same, true);
        assert.equal(r.stats.splitProducts, isolated ? 21 : 0); // 20 float64 products and 1 float32
        assert.equal(r.stats.workers, isolated ? 1 : 0);
        // Chromium has relaxed SIMD: the float32 tile fuses its multiply-adds, within float32
        // rounding of the reference's float64 sums (k = 311 terms of size <= 1).
        assert.equal(r.fma, true);
        assert.ok(r.err32 < 311 * 2 ** -23, `float32 error ${r.err32}`);
      } finally {
        server.close();
      }
    }
  } finally {
    await browser.close();
  }
});
