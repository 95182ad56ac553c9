/**
 * @file One peer's micro-benchmark run, inside a worker thread started by ../micro.ts: loads the
 * peer's micro runner, sets it up, and for every planned case builds it (untimed), times it
 * with ../timing.ts (median of repeated runs after warm-up), takes its check value (the sum of
 * the latest result) and posts one result line to the main thread.
 */

import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { measure, type TimingOptions } from "../timing.js";
import { MAX_RUN_S, metric, type PlannedCase } from "./cases.js";
import { MICRO_PEERS } from "./registry.js";

export interface MicroWorkerInput {
  readonly peer: string;
  readonly cases: readonly PlannedCase[];
}

/** One case's outcome for one peer: timed, unsupported (n/a) or failed. */
export type MicroLine = {
  readonly peer: string;
  readonly id: string;
} & (
  | {
      readonly median_ms: number;
      readonly min_ms: number;
      readonly runs: number;
      /** Untimed runs before timing. */
      readonly warmup: number;
      readonly capped?: true;
      /** The case's figure (GFLOP/s, GB/s or ns/op) from the median. */
      readonly value: number;
      readonly unit: string;
      /** The sum of the latest result's elements. */
      readonly check: number;
      readonly note?: string;
    }
  | { readonly unsupported: string }
  | { readonly skipped: string; readonly predicted_s: number }
  | { readonly error: string }
);

export type MicroMessage =
  | { readonly kind: "info"; readonly info: Record<string, unknown> }
  | { readonly kind: "line"; readonly line: MicroLine }
  | { readonly kind: "done"; readonly cases: number };

function sig(x: number, digits: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Predicted runs longer than this get no warm-up and a single timed run. */
const SINGLE_RUN_S = 1;

/**
 * A matmul case's timing, adapted to the peer's speed: the planned options, a single run without
 * warm-up, or a skip, by the run time predicted from the peer's GFLOP/s at the previous size of
 * the same dtype and transpose (the first size planned always runs as planned; as GFLOP/s
 * mostly grow with the size, the prediction errs long).
 */
function adapt(
  c: PlannedCase,
  previous: Map<string, number>,
): { timing: TimingOptions } | { skip: string; predicted: number } {
  if (c.group !== "matmul") return { timing: c.timing };
  const gflops = previous.get(`${c.dtype} ${c.transpose}`);
  if (gflops === undefined) return { timing: c.timing };
  const predicted = (2 * c.n ** 3) / (gflops * 1e9);
  if (predicted > MAX_RUN_S)
    return {
      skip: `one run predicted to take more than ${MAX_RUN_S} s from the peer's GFLOP/s at the previous size; \`--sizes=${c.n}\` alone times it`,
      predicted,
    };
  if (predicted > SINGLE_RUN_S) return { timing: { warmup: 0, minRuns: 1, targetMs: 0 } };
  return { timing: c.timing };
}

function post(message: MicroMessage): void {
  parentPort!.postMessage(message);
}

async function main(input: MicroWorkerInput): Promise<void> {
  // Only the npm registry is reachable here: a peer must load everything from node_modules.
  globalThis.fetch = (resource: unknown) =>
    Promise.reject(new Error(`bench: network access is disabled (fetch ${String(resource)})`));
  const spec = MICRO_PEERS.find((p) => p.name === input.peer);
  if (spec === undefined) throw new Error(`unknown peer "${input.peer}"`);
  const runner = await spec.load();
  post({ kind: "info", info: runner.init === undefined ? {} : await runner.init() });
  let cases = 0;
  const previous = new Map<string, number>(); // GFLOP/s by "dtype transpose", latest size
  for (const c of input.cases) {
    const head = { peer: runner.peer, id: c.id };
    const plan = adapt(c, previous);
    if ("skip" in plan) {
      post({
        kind: "line",
        line: { ...head, skipped: plan.skip, predicted_s: sig(plan.predicted, 2) },
      });
      continue;
    }
    let v: ReturnType<typeof runner.setup>;
    try {
      v = runner.setup(c);
    } catch (e) {
      post({ kind: "line", line: { ...head, error: `setup failed: ${errorText(e)}` } });
      continue;
    }
    if ("unsupported" in v) {
      post({ kind: "line", line: { ...head, unsupported: v.unsupported } });
      continue;
    }
    process.stderr.write(`bench:micro: ${runner.peer} ${c.id} ...\n`);
    cases++;
    try {
      const t = await measure(() => v.run(), plan.timing);
      const check = await v.check();
      const m = metric(c, t.median_ms);
      if (c.group === "matmul") previous.set(`${c.dtype} ${c.transpose}`, m.value);
      post({
        kind: "line",
        line: {
          ...head,
          median_ms: sig(t.median_ms, 4),
          min_ms: sig(t.min_ms, 4),
          runs: t.runs,
          warmup: plan.timing.warmup ?? 3,
          ...(t.capped ? { capped: true as const } : {}),
          value: sig(m.value, 4),
          unit: m.unit,
          check,
          ...(v.note === undefined ? {} : { note: v.note }),
        },
      });
    } catch (e) {
      post({ kind: "line", line: { ...head, error: errorText(e) } });
    } finally {
      try {
        v.close();
      } catch {
        // A failed case may leave nothing to release.
      }
    }
  }
  post({ kind: "done", cases });
}

if (!isMainThread) await main(workerData as MicroWorkerInput);
