/**
 * @file The browser page's script: bundled by esbuild from the scratch project (platform browser,
 * ESM) and run in headless Chromium by tools/check-package.ts, which reads back the result.
 */

import { AdjointError, add, grad, mul, ones, sum, tanh, tensor } from "adjoint";

const out = {};
try {
  const xs = [-1.5, 0.25, 2];
  const g = grad((x) => sum(mul(tanh(x), x)))(tensor(xs, { dtype: "float64" }));
  out.got = Array.from(g.dataSync());
  out.want = xs.map((v) => Math.tanh(v) + v * (1 - Math.tanh(v) ** 2));
  try {
    add(ones([2]), ones([3]));
  } catch (e) {
    out.error = e instanceof AdjointError ? e.name : String(e);
  }
  // Read off globalThis: esbuild rewrites a bare `require` to its own shim.
  out.nodeGlobals = "process" in globalThis || "require" in globalThis;
} catch (e) {
  out.failure = String(e instanceof Error ? e.stack : e);
}
document.body.dataset.result = JSON.stringify(out);
