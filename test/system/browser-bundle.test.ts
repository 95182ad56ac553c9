/**
 * @file The core bundles for the browser and runs with no Node API: esbuild bundles src/index.ts
 * for the browser platform, and the bundle computes derivatives inside a bare V8 context that
 * has only the ECMAScript built-ins (no process, require, Buffer or module loader).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";

test("src/index.ts bundles for the browser and differentiates in a bare JS context", async () => {
  const result = await build({
    entryPoints: ["src/index.ts"],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "adjoint",
    write: false,
    logLevel: "silent",
  });
  assert.equal(result.errors.length, 0);
  const code = result.outputFiles[0]!.text;
  assert.doesNotMatch(code, /require\(["']node:|process\.env|__dirname/);
  const context: Record<string, unknown> = {};
  const out = runInNewContext(
    `${code}
    const ad = adjoint;
    const d3 = ad.grad(ad.grad(ad.grad((x) => ad.tanh(x))));
    const t = Math.tanh(0.5);
    [d3(ad.scalar(0.5, "float64")).item(), -2 * (1 - t * t) * (1 - 3 * t * t),
     typeof process, typeof require];`,
    context,
  ) as [number, number, string, string];
  assert.ok(Math.abs(out[0] - out[1]) < 1e-12, `${out[0]} vs ${out[1]}`);
  assert.equal(out[2], "undefined"); // no Node globals were reachable
  assert.equal(out[3], "undefined");
});
