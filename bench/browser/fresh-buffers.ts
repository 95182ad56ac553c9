/**
 * @file Why eager W1 is slower in Chromium than in Node (benchmarks.md, "Eager W1 in Chromium vs
 * Node"): the cost of writing a fresh 800 KB Float64Array (100,000 float64s) against writing a
 * reused one, median of 600, in a cross-origin-isolated Chromium page and in this Node process.
 * Run: `node --import tsx bench/browser/fresh-buffers.ts`.
 */

import { runInThisContext } from "node:vm";
import { chromium } from "playwright-core";
import { startServer } from "./server.js";

/** The measurement, as source text: the same code is evaluated in the page and in Node. */
const BODY = `(() => {
  const n = 100000;
  const src = new Float64Array(n).map((_, i) => Math.sin(i));
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const time = (f) => {
    const t = [];
    for (let r = 0; r < 600; r++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    return Number(median(t).toFixed(3));
  };
  let keep = src;
  const reused = new Float64Array(n);
  const freshMs = time(() => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i] * 2;
    keep = out;
  });
  const reusedMs = time(() => {
    for (let i = 0; i < n; i++) reused[i] = src[i] * 2;
    keep = reused;
  });
  return { freshMs, reusedMs, isolated: globalThis.crossOriginIsolated ?? null, n: keep.length };
})()`;

const server = await startServer({ files: new Map([["/index.html", "<!doctype html>"]]) });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
  ],
});
try {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/`);
  for (let round = 0; round < 3; round++) {
    process.stdout.write(`chromium ${JSON.stringify(await page.evaluate(BODY))}\n`);
    process.stdout.write(`node     ${JSON.stringify(runInThisContext(BODY))}\n`);
  }
} finally {
  await browser.close();
  await server.close();
}
