/**
 * @file One peer's benchmark run, inside a worker thread started by ../run.ts: loads the peer's
 * runner, sets it up, times every (workload, variant) and posts one result line per case (the
 * JSON-line format of WORKLOADS.md plus `ref`, `rel_err`, `ok` and derived metrics) to the main
 * thread, which prints them and builds the table.
 */

import { isMainThread, parentPort, workerData } from "node:worker_threads";
import type { Runner, Variant } from "../runner.js";
import { measure, type TimingOptions } from "../timing.js";
import { derivedMetrics, REFERENCE, type WorkloadId } from "../workloads.js";
import { PEERS } from "./registry.js";

export interface WorkerInput {
  readonly peer: string;
  readonly workloads: readonly WorkloadId[];
  readonly timing: TimingOptions;
}

export type ResultLine = Record<string, unknown> & {
  readonly peer: string;
  readonly workload: WorkloadId;
  readonly variant: string;
};

export type WorkerMessage =
  | { readonly kind: "info"; readonly info: Record<string, unknown> }
  | { readonly kind: "line"; readonly line: ResultLine }
  | { readonly kind: "done"; readonly cases: number };

/** Variants whose name ends in "-jit" are the compiled twin of the plain one. */
export function splitVariant(name: string): { base: string; jit: boolean } {
  return name.endsWith("-jit")
    ? { base: name.slice(0, -4), jit: true }
    : { base: name, jit: false };
}

/** x rounded to `digits` significant digits (keeps the JSON lines short). */
function sig(x: number, digits: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}

function roundAll(fields: Record<string, number>, digits: number): Record<string, number> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, sig(v, digits)]));
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

async function timeVariant(
  head: { peer: string; workload: WorkloadId },
  v: Variant,
  timing: TimingOptions,
  medians: Map<string, number>,
): Promise<ResultLine> {
  const t = await measure(() => v.run(), {
    ...timing,
    ...(v.warmup === undefined ? {} : { warmup: Math.max(v.warmup, timing.warmup ?? 3) }),
  });
  const check = await v.check();
  v.close?.();
  const { base, jit } = splitVariant(v.variant);
  // Derived metrics compare like with like: a "-jit" variant's W1 grad/f uses the "-jit" f.
  const key = `${jit ? "jit " : ""}${head.workload} ${base}`;
  medians.set(key, t.median_ms);
  const sameMode = new Map(
    [...medians]
      .filter(([k]) => k.startsWith("jit ") === jit)
      .map(([k, m]) => [k.replace(/^jit /, ""), m]),
  );
  const ref = REFERENCE[`${head.workload} ${base}`];
  const rtol = v.rtol ?? ref?.rtol;
  const relErr = ref === undefined ? undefined : Math.abs(check - ref.value) / Math.abs(ref.value);
  return {
    ...head,
    variant: v.variant,
    median_ms: sig(t.median_ms, 4),
    min_ms: sig(t.min_ms, 4),
    runs: t.runs,
    check,
    ...(v.dtype === undefined ? {} : { dtype: v.dtype }),
    ...(ref === undefined || relErr === undefined || rtol === undefined
      ? {}
      : {
          ref: ref.value,
          rel_err: sig(relErr, 2),
          ...(v.rtol === undefined ? {} : { rtol }),
          ok: relErr <= rtol,
        }),
    ...roundAll(derivedMetrics(head.workload, base, t.median_ms, sameMode), 4),
    ...(t.capped ? { capped: true } : {}),
    ...(v.note === undefined ? {} : { note: v.note }),
  };
}

/**
 * Times every case of `input` for `runner`; each message goes to `send` (the main thread here; the
 * page's callback in the browser benchmark, ../browser/page.ts). Returns the number of cases.
 */
export async function runPeer(
  runner: Runner,
  input: WorkerInput,
  send: (message: WorkerMessage) => void = post,
): Promise<number> {
  const medians = new Map<string, number>();
  let cases = 0;
  const line = (l: ResultLine): void => send({ kind: "line", line: l });
  for (const workload of input.workloads) {
    const head = { peer: runner.peer, workload };
    const setup = runner.workloads[workload];
    if (setup === undefined) {
      line({ ...head, variant: "*", unsupported: "workload not implemented by this peer" });
      continue;
    }
    let variants: ReturnType<typeof setup>;
    try {
      variants = setup();
    } catch (e) {
      line({ ...head, variant: "*", error: `setup failed: ${errorText(e)}` });
      continue;
    }
    for (const v of variants) {
      if ("unsupported" in v) {
        line({ ...head, variant: v.variant, unsupported: v.unsupported });
        continue;
      }
      process.stderr.write(`bench: ${runner.peer} ${workload} ${v.variant} ...\n`);
      cases++;
      try {
        line(await timeVariant(head, v, input.timing, medians));
      } catch (e) {
        line({ ...head, variant: v.variant, error: errorText(e) });
      }
    }
  }
  return cases;
}

async function main(input: WorkerInput): Promise<void> {
  // Only the npm registry is reachable here: a peer must load everything (its .wasm files
  // included) from node_modules. Any attempt to fetch fails loudly instead of hanging.
  globalThis.fetch = (resource: unknown) =>
    Promise.reject(new Error(`bench: network access is disabled (fetch ${String(resource)})`));
  const spec = PEERS.find((p) => p.name === input.peer);
  if (spec === undefined) throw new Error(`unknown peer "${input.peer}"`);
  const runner = await spec.load();
  const info = runner.init === undefined ? {} : await runner.init();
  post({ kind: "info", info });
  const cases = await runPeer(runner, input);
  post({ kind: "done", cases });
}

if (!isMainThread) await main(workerData as WorkerInput);
