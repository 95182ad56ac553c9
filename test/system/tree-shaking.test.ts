/**
 * @file Tree-shaking: a browser page that imports `grad` and a few elementwise ops leaves the
 * dense linear algebra, the random-number generators and the matmul thread pool out of its
 * bundle (they are reached only through `ad.linalg`, `ad.random` and `enableMatmulThreads` /
 * `setMatmulThreads`), still computes the right gradient, and a page that does use them gets them.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { runInNewContext } from "node:vm";
import { bundlePage, PAGES } from "../../tools/bundle-size.js";

const FAMILIES = {
  linalg: [
    "src/backend/reference/linalg.ts",
    "src/primitives/linalg.ts",
    "src/ops/linalg-decompositions.ts",
  ],
  random: ["src/ops/random.ts"],
  threads: ["src/backend/wasm/matmul-threads.ts"],
};

test("a grad-only page excludes linalg, random and the thread pool, and still differentiates", async () => {
  const page = await bundlePage(`import { grad, sin, cos, mul, add, sum, tensor } from "adjoint";
const f = (x: any) => sum(add(mul(sin(x), cos(x)), x));
(globalThis as any).result = grad(f)(tensor([1, 2], { dtype: "float64" })).toArray();`);
  for (const [family, files] of Object.entries(FAMILIES)) {
    for (const file of files) {
      assert.ok(!page.files.includes(file), `${family}: ${file} is in the grad-only bundle`);
    }
  }
  // The bundle is an ES module; run its body in a bare context (no Node globals).
  const context: { result?: number[] } = {};
  runInNewContext(page.code.replace(/^export\s*\{[^}]*\};?\s*$/m, ""), context);
  // d/dx (sin x cos x + x) = cos 2x + 1
  const want = [Math.cos(2) + 1, Math.cos(4) + 1];
  assert.equal(context.result!.length, 2);
  for (const [i, v] of context.result!.entries()) {
    assert.ok(Math.abs(v - want[i]!) < 1e-12, `${v} vs ${want[i]}`);
  }
});

test("pages that use linalg, random or threads get them", async () => {
  const everything = await bundlePage(PAGES["everything (`import * as ad`, all of it used)"]!);
  for (const file of Object.values(FAMILIES).flat()) {
    assert.ok(everything.files.includes(file), `${file} missing from the full bundle`);
  }
  const linalg = await bundlePage(PAGES["grad + linalg"]!);
  for (const file of FAMILIES.linalg) assert.ok(linalg.files.includes(file), file);
  assert.ok(!linalg.files.includes(FAMILIES.threads[0]!));
  const threads = await bundlePage(PAGES["grad + matmul with threads"]!);
  assert.ok(threads.files.includes(FAMILIES.threads[0]!));
});
