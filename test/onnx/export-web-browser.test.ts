/**
 * @file onnx.save's models on onnxruntime-web in headless Chromium: a page bundles adjoint with
 * onnx-proto passed in (as a bundled app does), exports the programs of export-programs.ts (f,
 * grad, jacfwd, hessian in float64, an Adam training step), runs them with ONNX Runtime Web's
 * WebAssembly backend (ort.wasm.min.js and its .wasm served locally, one thread) and returns
 * both sides' outputs, compared here. Needs Chromium (skipped without one, except under
 * ADJOINT_BROWSER_TESTS=required).
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import * as ad from "../../src/index.js";
import { browserMissing, browserSkip, launchChromium } from "../harness/chromium.js";
import { assertClose } from "./export-run.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ortDir = `${root}node_modules/onnxruntime-web/dist/`;
const missing = browserMissing(
  existsSync(`${ortDir}ort.wasm.min.js`) ? false : "onnxruntime-web is not installed (npm install)",
);
const skip = browserSkip(missing);

const PAGE = `<!doctype html>
<script src="/ort/ort.wasm.min.js"></script>
<script type="module">
import { ad, proto, exportCases, caseIO } from "/bundle.js";
window.run = async () => {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = "/ort/";
  const results = [];
  for (const c of exportCases()) {
    const bytes = await ad.onnx.save(c.fn, c.args, { proto });
    const { inputs, expected } = caseIO(c);
    const float64 = expected[0].dtype === "float64";
    const session = await ort.InferenceSession.create(bytes, float64 ? { graphOptimizationLevel: "basic" } : {});
    const feeds = {};
    session.inputNames.forEach((n, i) => {
      const t = inputs[i];
      feeds[n] = new ort.Tensor(t.dtype, t.dataSync(), [...t.shape]);
    });
    const out = await session.run(feeds);
    results.push({
      name: c.name,
      expected: expected.map((e) => ({ dtype: e.dtype, shape: [...e.shape], data: Array.from(e.dataSync()) })),
      got: session.outputNames.map((n) => ({ dims: [...out[n].dims], data: Array.from(out[n].data, Number) })),
    });
  }
  return results;
};
</script>`;

interface PageResult {
  name: string;
  expected: { dtype: ad.DType; shape: number[]; data: number[] }[];
  got: { dims: number[]; data: number[] }[];
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
};

test("Chromium: onnx.save's models (f, grad, jacfwd, hessian, an Adam step) run on onnxruntime-web like adjoint", {
  skip,
}, async () => {
  if (missing) assert.fail(`browser test required, but ${missing}`);
  const bundle = await build({
    stdin: {
      contents: `export * as ad from "./src/index.ts";
        export * as proto from "onnx-proto";
        export { exportCases, caseIO } from "./test/onnx/export-programs.ts";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  const js = bundle.outputFiles[0]!.text;
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    let body: string | Buffer = PAGE;
    let type = "text/html";
    if (url === "/bundle.js") {
      body = js;
      type = TYPES[".js"]!;
    } else if (url.startsWith("/ort/") && /^[\w.-]+$/.test(url.slice(5))) {
      const file = `${ortDir}${url.slice(5)}`;
      if (!existsSync(file)) {
        res.writeHead(404);
        res.end();
        return;
      }
      body = readFileSync(file);
      type = TYPES[url.slice(url.lastIndexOf("."))] ?? "application/octet-stream";
    }
    res.writeHead(200, { "content-type": type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const results = await page.evaluate(() =>
      (globalThis as unknown as { run(): Promise<PageResult[]> }).run(),
    );
    assert.deepEqual(
      results.map((r) => r.name),
      ["f", "grad(f)", "jacfwd(grad(f))", "hessian(f) float64", "adam training step"],
    );
    for (const r of results) {
      assert.equal(r.got.length, r.expected.length, `${r.name}: outputs`);
      r.expected.forEach((e, i) => {
        const want = ad.tensor(e.data, { dtype: e.dtype, shape: e.shape });
        const got = ad.tensor(r.got[i]!.data, { dtype: e.dtype, shape: r.got[i]!.dims });
        assertClose(got, want, `${r.name} output ${i}`, e.dtype === "float32" ? 1e-4 : undefined);
      });
    }
  } finally {
    await browser.close();
    server.close();
  }
});
