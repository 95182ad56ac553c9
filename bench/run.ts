/**
 * @file The benchmark driver: `npm run bench [-- W3 W5] [--peer=adjoint] [--target=2] [--budget=20]`.
 * Runs W1..W6 (or the ones named) for every runner and prints one JSON line per (peer, workload,
 * variant) on stdout, in ../shared/WORKLOADS.md's format plus `ref`, `rel_err`, `ok` (the check
 * against WORKLOADS.md's reference value) and derived metrics. Progress goes to stderr.
 */

import { performance } from "node:perf_hooks";
import { adjointRunner } from "./adjoint-runner.js";
import type { Runner } from "./runner.js";
import { measure, type TimingOptions } from "./timing.js";
import { derivedMetrics, REFERENCE, WORKLOAD_IDS, type WorkloadId } from "./workloads.js";

/** Every peer's runner; TensorFlow.js and jax-js runners are added here. */
const RUNNERS: readonly Runner[] = [adjointRunner];

const USAGE = `usage: npm run bench -- [W1 .. W6] [--peer=NAME] [--target=SECONDS] [--budget=SECONDS]
  W1 .. W6        workloads to run (default: all)
  --peer=NAME     only this peer (default: all of ${RUNNERS.map((r) => r.peer).join(", ")})
  --target=S      keep timing a case until its timed runs add up to S seconds (default 2)
  --budget=S      wall-clock cap per case, warm-up included (default 20); capped cases say so`;

interface Args {
  workloads: WorkloadId[];
  peers: string[] | null;
  timing: TimingOptions;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function seconds(flag: string, text: string): number {
  const s = Number(text);
  if (!Number.isFinite(s) || s <= 0)
    fail(`${flag} needs a positive number of seconds; got "${text}"`);
  return s * 1000;
}

function parseArgs(argv: readonly string[]): Args {
  const workloads: WorkloadId[] = [];
  const peers: string[] = [];
  const timing: TimingOptions = {};
  for (const arg of argv) {
    const [flag, text = ""] = arg.split("=", 2) as [string, string?];
    if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (flag === "--peer") {
      if (!RUNNERS.some((r) => r.peer === text)) fail(`unknown peer "${text}"`);
      peers.push(text);
    } else if (flag === "--target") {
      timing.targetMs = seconds(flag, text);
    } else if (flag === "--budget") {
      timing.budgetMs = seconds(flag, text);
    } else {
      const id = arg.toUpperCase() as WorkloadId;
      if (!WORKLOAD_IDS.includes(id)) fail(`unknown argument "${arg}"`);
      if (!workloads.includes(id)) workloads.push(id);
    }
  }
  return {
    workloads:
      workloads.length > 0 ? WORKLOAD_IDS.filter((w) => workloads.includes(w)) : [...WORKLOAD_IDS],
    peers: peers.length > 0 ? peers : null,
    timing,
  };
}

/** x rounded to `digits` significant digits (keeps the JSON lines short). */
function sig(x: number, digits: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}

function roundAll(fields: Record<string, number>, digits: number): Record<string, number> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, sig(v, digits)]));
}

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

async function runPeer(runner: Runner, args: Args): Promise<number> {
  const medians = new Map<string, number>();
  let cases = 0;
  for (const workload of args.workloads) {
    const head = { peer: runner.peer, workload };
    const setup = runner.workloads[workload];
    if (setup === undefined) {
      print({ ...head, variant: "*", unsupported: "workload not implemented by this peer" });
      continue;
    }
    let variants: ReturnType<typeof setup>;
    try {
      variants = setup();
    } catch (e) {
      print({ ...head, variant: "*", error: `setup failed: ${errorText(e)}` });
      continue;
    }
    for (const v of variants) {
      if ("unsupported" in v) {
        print({ ...head, variant: v.variant, unsupported: v.unsupported });
        continue;
      }
      const key = `${workload} ${v.variant}`;
      process.stderr.write(`bench: ${runner.peer} ${key} ...\n`);
      cases++;
      try {
        const t = await measure(() => v.run(), args.timing);
        const check = await v.check();
        medians.set(key, t.median_ms);
        const ref = REFERENCE[key];
        const relErr =
          ref === undefined ? undefined : Math.abs(check - ref.value) / Math.abs(ref.value);
        print({
          ...head,
          variant: v.variant,
          median_ms: sig(t.median_ms, 4),
          min_ms: sig(t.min_ms, 4),
          runs: t.runs,
          check,
          ...(ref === undefined || relErr === undefined
            ? {}
            : { ref: ref.value, rel_err: sig(relErr, 2), ok: relErr <= ref.rtol }),
          ...roundAll(derivedMetrics(workload, v.variant, t.median_ms, medians), 4),
          ...(t.capped ? { capped: true } : {}),
        });
      } catch (e) {
        print({ ...head, variant: v.variant, error: errorText(e) });
      }
    }
  }
  return cases;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const start = performance.now();
  let cases = 0;
  for (const runner of RUNNERS) {
    if (args.peers === null || args.peers.includes(runner.peer))
      cases += await runPeer(runner, args);
  }
  const secs = ((performance.now() - start) / 1000).toFixed(1);
  process.stderr.write(`bench: ${cases} case(s) in ${secs} s\n`);
}

await main();
