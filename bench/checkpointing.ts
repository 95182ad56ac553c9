/**
 * @file Memory and time of reverse mode with and without checkpointing (`npm run bench:memory`):
 * 1,000 chained tanh(W x) layers of width 256; W3 written with fori under each checkpoint policy;
 * and W3 over 1,000,000 steps with the sqrt policy. Peak live memory is sampled (after forced
 * collections) inside the layer/step function, which also runs during recomputation.
 */

import * as ad from "../src/index.js";
import { PeakSampler } from "./memory-sampler.js";
import { measure } from "./timing.js";

const MB = 1024 * 1024;

function line(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

async function layersCase(
  mode: "none" | "every layer" | "sqrt segments",
  depth: number,
  width: number,
): Promise<void> {
  const w = ad.tensor(
    Float64Array.from(
      { length: width * width },
      (_, i) => (2.5 * Math.sin(0.37 * i)) / Math.sqrt(width),
    ),
    { shape: [width, width] },
  );
  const x0 = ad.tensor(
    Float64Array.from({ length: width }, (_, i) => Math.cos(0.1 * i)),
    { shape: [width] },
  );
  const sampler = new PeakSampler(Math.max(1, Math.floor(depth / 25)));
  const layer = (h: ad.Tensor): ad.Tensor => {
    sampler.sample();
    return ad.tanh(ad.matmul(w, h));
  };
  const loss = (x: ad.Tensor): ad.Tensor => {
    let h = x;
    if (mode === "none") for (let i = 0; i < depth; i++) h = layer(h);
    if (mode === "every layer") {
      const ck = ad.checkpoint(layer);
      for (let i = 0; i < depth; i++) h = ck(h);
    }
    if (mode === "sqrt segments")
      h = ad.fori(0, depth, (_i, h: ad.Tensor) => layer(h), h, { checkpoint: "sqrt" });
    return ad.sum(h);
  };
  const vg = ad.valueAndGrad(loss);
  const timing = await measure(() => void vg(x0), {
    warmup: 1,
    minRuns: 3,
    targetMs: 3000,
    budgetMs: 20000,
  });
  await sampler.start();
  const [value, grad] = vg(x0);
  sampler.stop();
  line({
    bench: "tanh(Wx) chain",
    depth,
    width,
    checkpoint: mode,
    grad_median_ms: Math.round(timing.median_ms),
    runs: timing.runs,
    peak_live_mb: +(sampler.peak / MB).toFixed(2),
    samples: sampler.samples,
    loss: value.item(),
    grad_norm: ad.norm(grad).item(),
  });
}

async function w3Case(policy: ad.CheckpointPolicy, steps: number): Promise<void> {
  const sampler = new PeakSampler(Math.max(1, Math.floor(steps / 25)));
  const xN = (r: ad.Tensor) =>
    ad.fori(
      0,
      steps,
      (_i, x: ad.Tensor) => {
        sampler.sample();
        return ad.mul(ad.mul(r, x), ad.sub(1, x));
      },
      ad.scalar(0.5, "float64"),
      { checkpoint: policy },
    );
  const g = ad.grad(xN);
  const r = ad.scalar(2.5, "float64");
  const big = steps > 100_000;
  const timing = await measure(
    () => void g(r),
    big ? { warmup: 0, minRuns: 1, maxRuns: 1 } : { warmup: 2, minRuns: 5, targetMs: 2000 },
  );
  await sampler.start();
  const d = g(r).item() as number;
  sampler.stop();
  line({
    bench: "W3 with fori",
    steps,
    checkpoint: policy,
    grad_median_ms: +timing.median_ms.toFixed(1),
    runs: timing.runs,
    ns_per_op: Math.round((timing.median_ms * 1e6) / (3 * steps)),
    peak_live_mb: +(sampler.peak / MB).toFixed(2),
    check: d,
  });
}

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
if (want("layers"))
  for (const mode of ["none", "every layer", "sqrt segments"] as const)
    await layersCase(mode, 1000, 256);
if (want("w3"))
  for (const policy of ["none", "step", "sqrt", "log"] as const) await w3Case(policy, 10_000);
if (want("w3-1m")) for (const policy of ["sqrt", "log"] as const) await w3Case(policy, 1_000_000);
