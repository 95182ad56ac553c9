/**
 * @file The fused-kernel thread pool in a real browser: Chromium loads a bundle of the pool and
 * the test kernels from a local server, once as a cross-origin-isolated page (COOP/COEP headers:
 * a Blob-URL worker becomes ready, split runs equal one single-threaded call bit for bit, with
 * the page's main thread spinning instead of blocking) and once as a plain page (no threads:
 * registration returns undefined, nothing throws). Needs Chromium at CHROMIUM_PATH or
 * /usr/bin/chromium (see test/harness/chromium.ts).
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

const PAGE = `<!doctype html><script src="/bundle.js"></script><script>
window.run = async () => {
  const isolated = self.crossOriginIsolated;
  if (!isolated) {
    const plain = new WebAssembly.Memory({ initial: 1 });
    return { isolated, handle: F.threadedKernels(plain, [F.affineModule({ shared: false })]) !== undefined };
  }
  const n = 300001, L = F.affineLayout(n), memory = F.sharedMemory(L.bytes);
  F.fillAffine(memory, n);
  const mod = F.affineModule();
  const k = new WebAssembly.Instance(mod, { env: { memory } }).exports.k;
  const h = F.threadedKernels(memory, [mod]);
  const ready = await F.until(() => h.ready());
  F.setFusedThreadSpin(100000);
  const out = new Uint8Array(memory.buffer, L.out, 8 * n);
  let same = true, ran = true;
  for (let r = 0; r < 10; r++) {
    for (const total of [2, 17, 4097, n]) {
      out.fill(0xff);
      k(0, total, L.x, L.out, L.c);
      const single = out.slice(0, 8 * total);
      out.fill(0xff);
      ran = h.run(0, total, [L.x, L.out, L.c]) && ran;
      same = same && single.every((b, i) => b === out[i]);
    }
  }
  F.setFusedThreadSpin();
  h.release();
  return { isolated, handle: true, ready, ran, same, stats: F.fusedThreadStats() };
};
</script>`;

interface Result {
  isolated: boolean;
  handle: boolean;
  ready?: boolean;
  ran?: boolean;
  same?: boolean;
  stats?: { workers: number; workerChunks: number; splitRuns: number; broken: boolean };
}

test("Chromium: a Blob-URL worker splits kernels in a cross-origin-isolated page, same bits", {
  skip,
}, async () => {
  if (missing) assert.fail(`browser test required, but ${missing}`);
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const bundle = await build({
    stdin: {
      contents: `export * from "./src/compile/fused-threads.ts";
        export * from "./test/harness/fused-kernels.ts";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "F",
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
          (globalThis as unknown as { run(): Promise<Result> }).run(),
        );
        assert.equal(r.isolated, isolated);
        assert.equal(r.handle, isolated);
        if (!isolated) continue;
        assert.equal(r.ready, true);
        assert.equal(r.ran, true);
        assert.equal(r.same, true);
        assert.ok(r.stats!.workers >= 1, `workers: ${r.stats!.workers}`);
        assert.equal(r.stats!.broken, false);
        assert.ok(r.stats!.splitRuns >= 30);
      } finally {
        server.close();
      }
    }
  } finally {
    await browser.close();
  }
});
