/**
 * @file toSvg in a real browser (opt-in, as the other Chromium tests): a browser bundle of adjoint
 * with the drawing tools (which must not contain Graphviz: it is loaded lazily) is served with
 * @viz-js/viz's module. The page stages a function, draws it once through an import map (the
 * package imported by name) and once with the module passed in (as a bundled app does), puts
 * the SVG in the document and checks that its nodes are laid out. Needs Chromium at
 * CHROMIUM_PATH or /usr/bin/chromium.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { browserMissing, browserSkip, launchChromium } from "../harness/chromium.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const vizPath = `${root}node_modules/@viz-js/viz/dist/viz.js`;
const missing = browserMissing(
  existsSync(vizPath) ? false : "@viz-js/viz is not installed (npm install)",
);
const skip = browserSkip(missing);

const PAGE = `<!doctype html>
<script type="importmap">{ "imports": { "@viz-js/viz": "/viz.js" } }</script>
<body><div id="by-name"></div><div id="passed-in"></div>
<script type="module">
import { ad, drawModelOf, toSvg } from "/bundle.js";
window.run = async () => {
  const f = (x, y) => ad.namedScope("layer", () => x.mul(y)).add(x.sin());
  const model = drawModelOf(ad.makeGraph(f, ad.scalar(2), ad.scalar(3)));
  const byName = await toSvg(model, { title: "by name" });
  const passedIn = await toSvg(model, { viz: await import("@viz-js/viz") });
  const boxes = {};
  for (const [id, svg] of [["by-name", byName], ["passed-in", passedIn]]) {
    const div = document.getElementById(id);
    div.innerHTML = svg.slice(svg.indexOf("<svg"));
    boxes[id] = [...div.querySelectorAll("g.node")].map((g) => {
      const b = g.getBoundingClientRect();
      return { text: g.textContent.replace(/\\s+/g, " ").trim(), width: b.width, height: b.height };
    });
  }
  return { boxes, clusters: document.querySelectorAll("#by-name g.cluster").length };
};
</script></body>`;

test("Chromium: toSvg loads Graphviz lazily, by name (import map) or passed in", {
  skip,
}, async () => {
  if (missing) assert.fail(`browser test required, but ${missing}`);
  const bundle = await build({
    stdin: {
      contents: `export * as ad from "./src/index.ts";
        export { drawModelOf, toSvg } from "./src/tools/draw.ts";`,
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
  // The core bundles without Graphviz: only the package's name is in the bundle.
  assert.ok(js.includes('"@viz-js/viz"'));
  assert.ok(!js.includes("graphvizVersion"), "the bundle must not contain @viz-js/viz");
  const viz = readFileSync(vizPath, "utf8");
  const server = createServer((req, res) => {
    const body = req.url === "/bundle.js" ? js : req.url === "/viz.js" ? viz : PAGE;
    const type = req.url?.endsWith(".js") ? "text/javascript" : "text/html";
    res.writeHead(200, { "content-type": type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const r = await page.evaluate(() =>
      (
        globalThis as unknown as {
          run(): Promise<{
            clusters: number;
            boxes: Record<string, { text: string; width: number; height: number }[]>;
          }>;
        }
      ).run(),
    );
    assert.equal(r.clusters, 1);
    for (const id of ["by-name", "passed-in"]) {
      const boxes = r.boxes[id]!;
      assert.deepEqual(
        // An SVG node's text: its <title> (the DOT id), then its label.
        boxes.map((b) => b.text.split(" ").slice(0, 3).join(" ")).sort(),
        ["a input a", "b input b", "c mul c", "d sin d", "e add e"],
      );
      for (const b of boxes) assert.ok(b.width > 20 && b.height > 20, JSON.stringify(b));
    }
  } finally {
    await browser.close();
    server.close();
  }
});
