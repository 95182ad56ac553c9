/**
 * @file `npm run bench:jit-memory`: time and memory of long programs eager and under jit. Each
 * case runs in its own process (`node jit-memory.js <case> <eager|jit>` prints one JSON line):
 * the median time of the calls, the process's peak resident set, and the live bytes (heap +
 * array buffers, after forced collections) that the calls leave behind: for jit, the compiled
 * program's planned buffers and its cached graph. Needs --expose-gc.
 *
 * Cases: `repro`, the issue-9 program (1,500 Euler steps of x + h sin(x) on 12,100 float64s,
 * its gradient); `w1`, W1's gradient (100,000 float64s), 200 calls; `w7`, W7's training
 * (100 Adam steps of the digits MLP, jit(valueAndGrad) in the jit mode).
 */

import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as ad from "../src/index.js";
import { rosenbrock, trainDigits } from "./adjoint-runner.js";
import { reproProblem } from "./fluidsim/fluidsim.js";
import { liveBytes } from "./memory-sampler.js";
import { w1Inputs, w7Inputs } from "./workloads.js";

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

const CASES = ["repro", "w1", "w7"] as const;
type CaseName = (typeof CASES)[number];
type Mode = "eager" | "jit";

interface Result {
  case: CaseName;
  mode: Mode;
  time_ms: number;
  runs: number;
  max_rss_mb: number;
  retained_mb: number;
  check: number;
}

/** The case's call (returning its check value) and how many timed calls to make. */
function setUp(name: CaseName, mode: Mode): [() => number, number] {
  const wrap = <F extends (...a: never[]) => unknown>(f: F): F =>
    mode === "jit" ? (ad.jit(f) as unknown as F) : f;
  if (name === "repro") {
    const p = reproProblem();
    const vg = wrap(ad.valueAndGrad((x: ad.Tensor) => p.loss(x, 1500)));
    return [() => Number(vg(p.init)[0].item()), 5];
  }
  if (name === "w1") {
    const x = ad.tensor(w1Inputs().x);
    const vg = wrap(ad.valueAndGrad(rosenbrock));
    return [() => Number(vg(x)[0].item()), 200];
  }
  const train = trainDigits(w7Inputs(), "float32", mode === "jit");
  return [() => Number(train().loss.item()), 10];
}

async function runCase(name: CaseName, mode: Mode): Promise<Result> {
  if (gc === undefined) throw new Error("bench:jit-memory needs node --expose-gc");
  const [call, runs] = setUp(name, mode);
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  const base = liveBytes();
  call(); // warm-up: stages and compiles under jit
  const times: number[] = [];
  let check = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    check = call();
    times.push(performance.now() - t0);
  }
  gc();
  gc();
  const retained = liveBytes() - base;
  times.sort((a, b) => a - b);
  return {
    case: name,
    mode,
    time_ms: Number(times[times.length >> 1]!.toFixed(3)),
    runs,
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    retained_mb: Number((retained / MB).toFixed(1)),
    check,
  };
}

async function main(): Promise<void> {
  const [name, mode] = process.argv.slice(2) as [CaseName?, Mode?];
  if (name !== undefined && mode !== undefined) {
    console.log(JSON.stringify(await runCase(name, mode)));
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const rows: Result[] = [];
  for (const c of CASES) {
    for (const m of ["eager", "jit"] as const) {
      const out = spawnSync(process.execPath, ["--expose-gc", self, c, m], { encoding: "utf8" });
      if (out.status !== 0) throw new Error(`${c} ${m} failed:\n${out.stderr}`);
      const line = out.stdout.trim().split("\n").pop()!;
      rows.push(JSON.parse(line) as Result);
      console.error(line);
    }
  }
  console.log("| case | mode | time (median) | max RSS | retained after the calls | check |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.case} | ${r.mode} | ${r.time_ms} ms | ${r.max_rss_mb} MB | ${r.retained_mb} MB | ${r.check.toPrecision(12)} |`,
    );
  }
}

await main();
