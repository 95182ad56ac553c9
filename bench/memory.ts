/**
 * @file `npm run bench:memory`, part 1: time and peak live memory (heap + array buffers, sampled
 * after forced collections in the forward steps and inside the backward walk) of long reverse-mode
 * programs, each with backward-pass recycling on and off: the issue-9 repro (1,500 Euler steps of
 * sin/mul/add on 12,100 float64s) and the fluid simulation port (bench/fluidsim). Every case runs
 * in its own process (`node memory.js <case> <on|off>` prints one JSON line); without arguments
 * this runs them all and prints a markdown table, with autograd's run of the same fluid
 * simulation (bench/fluidsim/fluidsim.py) when python3 can import autograd. Needs --expose-gc.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as ad from "../src/index.js";
import { setBackwardProbe } from "../src/transforms/tape.js";
import { FLUID, fluidProblem, reproProblem } from "./fluidsim/fluidsim.js";
import { liveBytes } from "./memory-sampler.js";

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

interface CaseResult {
  case: string;
  recycling: boolean;
  /** Wall time of the timed valueAndGrad calls (median), without sampling. */
  time_ms: number;
  runs: number;
  /** Peak of the sampled live bytes above the baseline taken before the call. */
  peak_live_mb: number;
  samples: number;
  /** The process's peak resident set (includes the timed runs and V8's slack). */
  max_rss_mb: number;
  loss: number;
  /** The gradient's Euclidean norm (to compare with bench/fluidsim/fluidsim.py). */
  grad_norm: number;
  /** A hash of the gradient's float64 bits: equal hashes mean bit-identical gradients. */
  grad_bits: string;
}

/** FNV-1a over the bytes of every gradient leaf. */
function bitsHash(leaves: readonly ad.Tensor[]): string {
  let h = 0x811c9dc5;
  for (const leaf of leaves) {
    const bytes = new Uint8Array(Float64Array.from(leaf.dataSync() as Float64Array).buffer);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

const CASES = {
  // Sample every `every` forward steps and every `backEvery` backward entries (~25 + ~50 samples).
  repro: { runs: 3, every: 60, backEvery: 90 },
  fluid: { runs: 1, every: 4, backEvery: 800 },
} as const;
type CaseName = keyof typeof CASES;

async function runCase(name: CaseName, recycling: boolean): Promise<CaseResult> {
  if (gc === undefined) throw new Error("bench:memory needs node --expose-gc");
  const { runs, every, backEvery } = CASES[name];
  let sampling = false;
  let calls = 0;
  let entries = 0;
  let base = 0;
  let peak = 0;
  let samples = 0;
  const take = () => {
    // One collection leaves some dead array buffers counted (they are released by the next).
    gc();
    gc();
    samples++;
    peak = Math.max(peak, liveBytes() - base);
  };
  const sample = () => {
    if (sampling && ++calls % every === 0) take();
  };
  let call: () => [ad.Tensor, ad.Tensor[]];
  if (name === "repro") {
    const p = reproProblem();
    const vg = ad.valueAndGrad((x: ad.Tensor) => p.loss(x, 1500, { onStep: sample, recycling }));
    call = () => {
      const [v, g] = vg(p.init);
      return [v, [g]];
    };
  } else {
    const p = fluidProblem({ ...FLUID, steps: fluidSteps });
    const vg = ad.valueAndGrad((v: { vx: ad.Tensor; vy: ad.Tensor }) =>
      p.loss(v, { onStep: sample, recycling }),
    );
    call = () => {
      const [v, g] = vg(p.init);
      return [v, [g.vx, g.vy]];
    };
  }
  // The backward walk runs no user code: sample from inside it.
  setBackwardProbe(() => {
    if (sampling && ++entries % backEvery === 0) take();
  });
  // The baseline is taken before any call, so memory that calls keep between them (the recycling
  // pool, anything else retained) counts in the peak.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  base = liveBytes();
  const times: number[] = [];
  call(); // warm-up (also fills the recycling pool as a training loop would)
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    call();
    times.push(performance.now() - t0);
  }
  sampling = true;
  const [value, grads] = call();
  sampling = false;
  setBackwardProbe(null);
  times.sort((a, b) => a - b);
  return {
    case: name,
    recycling,
    time_ms: Math.round(times[times.length >> 1]!),
    runs,
    peak_live_mb: Math.round(peak / MB),
    samples,
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    loss: value.item() as number,
    grad_norm: Math.sqrt(
      grads.reduce((acc, g) => acc + (ad.sum(ad.square(g)).item() as number), 0),
    ),
    grad_bits: bitsHash(grads),
  };
}

const [only, mode, stepsArg] = process.argv.slice(2);
const fluidSteps = stepsArg === undefined ? FLUID.steps : Number(stepsArg);
if (only !== undefined && only in CASES && (mode === "on" || mode === "off")) {
  console.log(JSON.stringify(await runCase(only as CaseName, mode === "on")));
} else {
  const self = fileURLToPath(import.meta.url);
  const wanted = (only ?? "repro,fluid").split(",") as CaseName[];
  const rows: CaseResult[] = [];
  for (const name of wanted) {
    for (const m of ["on", "off"]) {
      const args = [...process.execArgv, self, name, m, String(fluidSteps)];
      const out = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
      const r = JSON.parse(out.trim().split("\n").pop()!) as CaseResult;
      console.error(JSON.stringify(r));
      rows.push(r);
    }
  }
  // autograd's run of the same fluid simulation, when python3 has it (npm scripts run at the
  // repository root, where the script is found).
  const py = resolve("bench/fluidsim/fluidsim.py");
  const run =
    wanted.includes("fluid") && existsSync(py)
      ? spawnSync("python3", [py, String(fluidSteps)], { encoding: "utf8" })
      : null;
  const ag =
    run !== null && run.status === 0
      ? (JSON.parse(run.stdout.trim()) as { time_ms: number; max_rss_mb: number; loss: number })
      : null;
  if (ag === null && wanted.includes("fluid")) {
    console.error("autograd's run skipped: python3 cannot import autograd (pip install autograd)");
  }
  console.log(
    "| case | recycling | time (median) | peak live (heap + buffers) | max RSS | loss | gradient bits |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.case} | ${r.recycling ? "on" : "off"} | ${(r.time_ms / 1000).toFixed(2)} s | ${r.peak_live_mb} MB | ${r.max_rss_mb} MB | ${r.loss.toPrecision(15)} | ${r.grad_bits} |`,
    );
  }
  if (ag !== null) {
    console.log(
      `| fluid, autograd (one run) | - | ${(ag.time_ms / 1000).toFixed(2)} s | - | ${ag.max_rss_mb} MB | ${ag.loss.toPrecision(15)} | - |`,
    );
  }
}
