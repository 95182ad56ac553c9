/**
 * @file What staging and graphs cost (`npm run bench:graph`): ns per staged equation for long
 * chains (the budget is 1 us), the live heap a staged equation costs, the JSON size of
 * W2's gradient graph (its weights and data as arguments, and with the data captured as a
 * constant), and graph.call against the function it came from on W2's gradient.
 */

import { performance } from "node:perf_hooks";
import * as ad from "../src/node.js";
import { mlpLoss } from "./adjoint-runner.js";
import { measure } from "./timing.js";
import { W2_LAYERS, w2Inputs } from "./workloads.js";

type Tensor = ad.Tensor;
const gc = (globalThis as { gc?: () => void }).gc;

function heapMB(): number {
  gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 2 ** 20;
}

function stagingCost(n: number): void {
  const chain = (x: Tensor) => {
    let y = x;
    for (let i = 0; i < n; i++) y = y.mul(1.0000001);
    return y;
  };
  const before = heapMB();
  let best = Infinity;
  let kept: unknown = null;
  for (let r = 0; r < 3; r++) {
    kept = null;
    gc?.();
    const t0 = performance.now();
    kept = ad.makeGraph(chain, ad.scalar(1, "float64"));
    best = Math.min(best, performance.now() - t0);
  }
  const live = heapMB() - before;
  const eager = performance.now();
  chain(ad.scalar(1, "float64"));
  const eagerMs = performance.now() - eager;
  console.log(
    `| staging a chain of ${n.toLocaleString("en-US")} mul | ${((best * 1e6) / n).toFixed(0)} ns/equation | ${((live * 2 ** 20) / n).toFixed(0)} bytes/equation live | eager run of the same chain: ${((eagerMs * 1e6) / n).toFixed(0)} ns/op |`,
  );
  void kept;
}

async function w2(): Promise<void> {
  const inp = w2Inputs();
  const f32 = (d: Float64Array, shape: number[]) => ad.tensor(Float32Array.from(d), { shape });
  const x = f32(inp.x.data, [inp.x.rows, inp.x.cols]);
  const picked = ad.tensor(
    Int32Array.from(inp.labels, (y, b) => b * 10 + y),
    {
      shape: [inp.labels.length],
    },
  );
  const params: Tensor[] = [];
  inp.weights.forEach((w, l) => {
    params.push(f32(w.data, [w.rows, w.cols]), f32(inp.biases[l]!, [w.cols]));
  });
  const vg = ad.valueAndGrad(mlpLoss);
  const t0 = performance.now();
  const g = ad.makeGraph(vg, params, x, picked);
  const stageMs = performance.now() - t0;
  const json = JSON.stringify(g);
  const withData = ad.makeGraph((p: Tensor[]) => vg(p, x, picked), params);
  const jsonData = JSON.stringify(withData);
  console.log(
    `| W2 gradient graph (${W2_LAYERS.join("-")} MLP, valueAndGrad) | ${g.eqns.length} equations, staged in ${stageMs.toFixed(1)} ms | JSON ${(json.length / 1024).toFixed(1)} KiB (weights and data as inputs) | JSON ${(jsonData.length / 1024).toFixed(0)} KiB with x and labels captured as constants |`,
  );
  const direct = await measure(() => void vg(params, x, picked), { targetMs: 1500 });
  const viaGraph = await measure(() => void g.call(params, x, picked), { targetMs: 1500 });
  console.log(
    `| W2 valueAndGrad: direct ${direct.median_ms.toFixed(2)} ms, graph.call ${viaGraph.median_ms.toFixed(2)} ms | ratio ${(viaGraph.median_ms / direct.median_ms).toFixed(2)} | | |`,
  );
}

console.log("| case | time | memory / size | |\n|---|---|---|---|");
stagingCost(100_000);
stagingCost(1_000_000);
await w2();
