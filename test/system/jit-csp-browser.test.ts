/**
 * @file jit on a page whose Content-Security-Policy forbids generating code (Chromium): the same
 * page script runs under `script-src 'self' 'wasm-unsafe-eval'` (no 'unsafe-eval': `new
 * Function` throws EvalError), under `script-src 'self'` (no WebAssembly compilation either) and
 * without a policy. Without a policy the long loops run as WebAssembly SIMD and the others as
 * generated JavaScript; with 'wasm-unsafe-eval' only, the long loops still run as wasm and the
 * others interpreted; under `script-src 'self'` every loop is interpreted. On every page the
 * values and gradients equal eager mode's on that page, and the unrestricted page's, bit for bit.
 * Needs Chromium at CHROMIUM_PATH or /usr/bin/chromium (see test/harness/chromium.ts).
 */

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { build } from "esbuild";
import { browserMissing, browserSkip, launchChromium } from "../harness/chromium.js";

const missing = browserMissing();
const skip = browserSkip(missing);

/**
 * The page's script, served from the page's origin (an inline script would need the policy to
 * allow it). It runs when the page loads: code that DevTools evaluates (page.evaluate) is not
 * subject to the page's policy, so the test only reads the result.
 */
const SCRIPT = `
window.result = (() => {
  const ad = adjoint;
  let codegen = "allowed";
  try { new Function("return 1")(); } catch (e) { codegen = e.constructor.name; }
  const rosenbrock = (x) => {
    const n = x.shape[0];
    const head = ad.slice(x, [0], [n - 1]);
    const tail = ad.slice(x, [1], [n - 1]);
    return ad.sum(ad.add(ad.mul(ad.square(ad.sub(tail, ad.square(head))), 100),
      ad.square(ad.sub(1, head))));
  };
  const x = ad.tensor(Float64Array.from({ length: 1000 }, (_, i) => 0.5 * Math.sin(0.37 * i)));
  const f = ad.jit(rosenbrock);
  const g = ad.jit(ad.valueAndGrad(rosenbrock));
  const mlp = ad.jit(ad.grad((w, a) => ad.sum(ad.square(ad.tanh(ad.matmul(a, w))))));
  const a = ad.div(ad.reshape(ad.astype(ad.arange(48), "float32"), [6, 8]), 40);
  const w = ad.div(ad.reshape(ad.astype(ad.arange(40), "float32"), [8, 5]), -30);
  const values = [f(x).item(), ...g(x)[1].dataSync(), ...mlp(w, a).dataSync()];
  const eagerMlp = ad.grad((w, a) => ad.sum(ad.square(ad.tanh(ad.matmul(a, w)))));
  const eager = [rosenbrock(x).item(), ...ad.valueAndGrad(rosenbrock)(x)[1].dataSync(),
    ...eagerMlp(w, a).dataSync()];
  return {
    codegen,
    modes: [f.statsFor(x).mode, g.statsFor(x).mode, mlp.statsFor(w, a).mode],
    wasm: [f.statsFor(x).wasm, g.statsFor(x).wasm, mlp.statsFor(w, a).wasm],
    values: Array.from(values),
    eager: Array.from(eager),
  };
})();
`;

const PAGE = `<!doctype html><script src="/bundle.js"></script><script src="/page.js"></script>`;

interface Result {
  codegen: string;
  modes: string[];
  wasm: number[];
  values: number[];
  eager: number[];
}

test("Chromium: jit under a Content-Security-Policy without 'unsafe-eval' interprets, same bits", {
  skip,
}, async () => {
  if (missing) assert.fail(`browser test required, but ${missing}`);
  const bundle = await build({
    entryPoints: ["src/index.ts"],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "adjoint",
    write: false,
    logLevel: "silent",
  });
  const js = bundle.outputFiles[0]!.text;
  const browser = await launchChromium();
  const results: Record<string, Result> = {};
  try {
    for (const policy of ["", "script-src 'self' 'wasm-unsafe-eval'", "script-src 'self'"]) {
      const server = createServer((req, res) => {
        const headers: Record<string, string> =
          policy === "" ? {} : { "Content-Security-Policy": policy };
        if (req.url === "/bundle.js" || req.url === "/page.js") {
          res.writeHead(200, { "content-type": "text/javascript", ...headers });
          res.end(req.url === "/bundle.js" ? js : SCRIPT);
          return;
        }
        res.writeHead(200, { "content-type": "text/html", ...headers });
        res.end(PAGE);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        results[policy] = await page.evaluate(
          async () => (globalThis as unknown as { result: Result }).result,
        );
      } finally {
        server.close();
      }
    }
  } finally {
    await browser.close();
  }
  const open = results[""]!;
  assert.equal(open.codegen, "allowed");
  assert.deepEqual(open.modes, ["js", "js", "js"]);
  // W1's loops (1,000 elements) run as wasm where it may be compiled; the MLP's have tanh.
  assert.deepEqual(open.wasm, [1, 2, 0]);
  assert.deepEqual(results["script-src 'self' 'wasm-unsafe-eval'"]!.wasm, [1, 2, 0]);
  assert.deepEqual(results["script-src 'self'"]!.wasm, [0, 0, 0]);
  for (const [policy, r] of Object.entries(results)) {
    for (const [i, v] of r.eager.entries()) {
      assert.ok(Object.is(r.values[i], v), `${policy} [${i}]: jit ${r.values[i]} vs eager ${v}`);
    }
  }
  for (const policy of ["script-src 'self' 'wasm-unsafe-eval'", "script-src 'self'"]) {
    const r = results[policy]!;
    assert.equal(r.codegen, "EvalError", policy);
    // Fused loops that are not wasm run interpreted (the MLP's), so the programs say so.
    assert.deepEqual(r.modes, ["interpreter", "interpreter", "interpreter"], policy);
    assert.equal(r.values.length, open.values.length);
    for (const [i, v] of open.values.entries()) {
      assert.ok(Object.is(r.values[i], v), `${policy} [${i}]: ${r.values[i]} vs ${v}`);
    }
  }
});
