/**
 * @file `npm run docs:graphs`: stages a few example functions, draws them with toSvg into
 * docs/images/graphs/*.svg (the pictures docs/graphs.md shows), and, when Chromium and
 * playwright-core are available, screenshots each SVG to /tmp/adjoint-graphs/*.png so that they
 * can be looked at as a browser renders them. `--time` also measures drawing a 500-node graph.
 * The traced example's values and adjoints come from `ad.traceGraph(f, x, y).backward()`.
 */

// The package entry first: deep imports alone start the module graph in the middle of a cycle.
import "../src/index.js";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tensor } from "../src/core/tensor.js";
import * as ad from "../src/index.js";
import type { Graph } from "../src/ir/graph.js";
import { type DrawModel, type DrawOptions, drawModelOf, toSvg } from "../src/tools/draw.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "docs/images/graphs");
const SHOTS = "/tmp/adjoint-graphs";

/** A constant's value: the number, or min/mean/max. */
function summary(t: Tensor): string {
  const d = t.dataSync();
  if (d.length === 1) return String(t.dtype === "float32" ? Number(d[0]!.toPrecision(7)) : d[0]);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of d) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const p = (v: number) => String(Number(v.toPrecision(3)));
  return `min=${p(min)} mean=${p(sum / d.length)} max=${p(max)}`;
}

/** Deterministic example data: sin(1), sin(2), ... scaled. */
function data(shape: number[], scale = 0.5): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return ad.tensor(Array.from({ length: n }, (_, i) => scale * Math.sin(i + 1))).reshape(shape);
}

interface Params {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

/** A 2-layer MLP's mean squared error, one named scope per layer. */
function mlpLoss(p: Params, x: Tensor, y: Tensor): Tensor {
  const h = ad.namedScope("layer1", () => ad.tanh(ad.matmul(x, p.w1).add(p.b1)));
  const out = ad.namedScope("layer2", () => ad.matmul(h, p.w2).add(p.b2));
  return ad.namedScope("loss", () => ad.mean(ad.square(out.sub(y))));
}

/** Layer norm over the last axis. */
function norm(h: Tensor): Tensor {
  const mu = ad.mean(h, { axis: -1, keepdims: true });
  const c = h.sub(mu);
  const v = ad.mean(c.mul(c), { axis: -1, keepdims: true });
  return c.div(ad.sqrt(v.add(1e-5)));
}

/** A GELU MLP (tanh approximation) with tied weights. */
function mlp(h: Tensor, w: Tensor): Tensor {
  const a = ad.matmul(h, w);
  const inner = a.add(a.mul(a).mul(a).mul(0.044715)).mul(0.79788456);
  return ad.matmul(a.mul(0.5).mul(ad.tanh(inner).add(1)), w.transpose());
}

/** A deep model: 6 residual blocks of ~50 nodes (two norm + MLP pairs), one scope each. */
function deepLoss(ws: Tensor[], x: Tensor): Tensor {
  let h = x;
  ws.forEach((w, i) => {
    h = ad.namedScope(`block${i}`, () => {
      const a = h.add(
        ad.namedScope("mlp1", () =>
          mlp(
            ad.namedScope("norm1", () => norm(h)),
            w,
          ),
        ),
      );
      return a.add(
        ad.namedScope("mlp2", () =>
          mlp(
            ad.namedScope("norm2", () => norm(a)),
            w,
          ),
        ),
      );
    });
  });
  return ad.namedScope("loss", () => ad.mean(h.mul(h)));
}

/** A long unscoped chain: 160 steps of 3 ops, merged into runs when drawn. */
function chain(x: Tensor, y: Tensor): Tensor {
  let z = x;
  for (let i = 0; i < 160; i++) z = ad.sin(z).mul(y).add(z);
  return ad.sum(z);
}

/** A graph of about `n` nodes without scopes (for the timing). */
function bigModel(n: number): DrawModel {
  let steps = Math.floor(n / 3);
  const f = (x: Tensor, y: Tensor) => {
    let z = x;
    while (steps-- > 0) z = ad.sin(z).mul(y).add(z);
    return z;
  };
  return drawModelOf(ad.makeGraph(f, ad.ones([3]), ad.ones([3])));
}

/** A graph's drawing, with the values of its constants (known when it is staged). */
function plainModel(graph: Graph): DrawModel {
  return drawModelOf(graph, new Map(graph.consts.map((c) => [c.id, summary(c.value)])));
}

interface Picture {
  readonly name: string;
  readonly model: DrawModel;
  readonly options?: DrawOptions;
}

function pictures(): Picture[] {
  const f = (x: Tensor, y: Tensor) => x.mul(y).add(x.sin());
  const x = ad.scalar(2, "float64");
  const y = ad.scalar(3, "float64");
  const fGraph = ad.makeGraph(f, x, y);
  const p: Params = {
    w1: data([3, 4]),
    b1: data([4], 0.1),
    w2: data([4, 2]),
    b2: data([2], 0.1),
  };
  const xs = data([5, 3], 1);
  const ys = data([5, 2], 1);
  const ws = Array.from({ length: 6 }, (_, i) => data([8, 8], 0.2 + 0.01 * i));
  return [
    { name: "x-mul-y-plus-sin-x", model: plainModel(fGraph), options: { direction: "LR" } },
    {
      name: "x-mul-y-plus-sin-x-traced",
      model: ad.traceGraph(f, x, y).backward().drawModel(),
      options: { title: "f(x, y) = x*y + sin(x) at x = 2, y = 3" },
    },
    { name: "mlp", model: plainModel(ad.makeGraph(mlpLoss, p, xs, ys)) },
    { name: "mlp-grad", model: plainModel(ad.makeGraph(ad.grad(mlpLoss), p, xs, ys)) },
    {
      name: "deep-collapsed",
      model: plainModel(ad.makeGraph(deepLoss, ws, data([4, 8], 1))),
      options: { title: "6 residual blocks, 40 nodes per scope at most" },
    },
    {
      name: "long-chain-runs",
      model: plainModel(ad.makeGraph(chain, ad.ones([3]), ad.ones([3]))),
      options: { maxNodes: 60 },
    },
  ];
}

interface Page {
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  setContent(html: string): Promise<void>;
  screenshot(opts: { path: string; fullPage: boolean }): Promise<unknown>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

async function launch(): Promise<Browser | undefined> {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(path)) return undefined;
  try {
    const mod = (await import("playwright-core")) as {
      chromium: { launch(o: { executablePath: string; args: string[] }): Promise<Browser> };
    };
    return await mod.chromium.launch({
      executablePath: path,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
  } catch {
    return undefined;
  }
}

mkdirSync(OUT, { recursive: true });
const written: [string, string][] = [];
for (const pic of pictures()) {
  const svg = await toSvg(pic.model, pic.options);
  const file = join(OUT, `${pic.name}.svg`);
  writeFileSync(file, svg);
  written.push([pic.name, svg]);
  console.log(`${file}: ${pic.model.nodes.length} nodes, ${(svg.length / 1024).toFixed(1)} KB`);
}

const browser = await launch();
if (browser === undefined) {
  console.log("no Chromium or playwright-core: screenshots skipped");
} else {
  mkdirSync(SHOTS, { recursive: true });
  try {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 900, height: 600 });
    for (const [name, svg] of written) {
      const body = svg.slice(svg.indexOf("<svg"));
      await page.setContent(
        `<!doctype html><html><body style="margin:8px;background:#fff">${body}</body></html>`,
      );
      const png = join(SHOTS, `${name}.png`);
      await page.screenshot({ path: png, fullPage: true });
      console.log(`screenshot ${png}`);
    }
  } finally {
    await browser.close();
  }
}

if (process.argv.includes("--time")) {
  await toSvg(drawModelOf(ad.makeGraph((x: Tensor) => x.sin(), ad.ones([2])))); // load Graphviz
  const ws = Array.from({ length: 5 }, (_, i) => data([8, 8], 0.2 + 0.01 * i));
  const models: [string, DrawModel][] = [
    ["a chain (sin, mul by one input, add)", bigModel(500)],
    [
      "the gradient of 5 residual blocks",
      drawModelOf(ad.makeGraph(ad.grad(deepLoss), ws, data([4, 8], 1))),
    ],
  ];
  for (const [name, model] of models) {
    for (const [what, options] of [
      [
        "every node drawn",
        { maxNodes: Number.POSITIVE_INFINITY, collapseAbove: Number.POSITIVE_INFINITY },
      ],
      ["default options", {}],
    ] as const) {
      const times: number[] = [];
      let svg = "";
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        svg = await toSvg(model, options);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${name}, ${model.nodes.length} nodes, ${what}: toSvg median ${times[2]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}), ${(svg.length / 1024).toFixed(0)} KB`,
      );
    }
  }
}
