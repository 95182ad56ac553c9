/**
 * @file The benchmark driver:
 *   `npm run bench [-- W3 W5] [--peer=adjoint,tfjs-wasm] [--target=2] [--budget=20]`.
 * Runs W1..W7 (or the ones named) for every peer (adjoint, TensorFlow.js on its cpu and wasm
 * backends, jax-js), each peer in its own worker thread (peers/worker.ts) so that their JIT and
 * Wasm states don't mix; the peers run one after another, never at the same time. Prints one
 * JSON line per (peer, workload, variant) on stdout, in ../shared/WORKLOADS.md's format (W7, the
 * training workload of issue 12, is specified in workloads.ts) plus
 * `ref`, `rel_err`, `ok` (the check against WORKLOADS.md's reference value) and derived metrics,
 * then a markdown table, which also goes to docs/benchmarks-latest.md with the date, machine and
 * command. Progress and the peers' own console output go to stderr.
 * `--browser` runs the same cases in headless Chromium instead (browser/chromium-run.ts), one
 * peer per fresh browser, and writes docs/benchmarks-latest-chromium.md.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { PEERS, type PeerSpec } from "./peers/registry.js";
import {
  type ResultLine,
  splitVariant,
  type WorkerInput,
  type WorkerMessage,
} from "./peers/worker.js";
import type { TimingOptions } from "./timing.js";
import { REFERENCE, WORKLOAD_IDS, type WorkloadId } from "./workloads.js";

const PEER_NAMES = PEERS.map((p) => p.name);
const LATEST = fileURLToPath(new URL("../../../docs/benchmarks-latest.md", import.meta.url));
const LATEST_CHROMIUM = fileURLToPath(
  new URL("../../../docs/benchmarks-latest-chromium.md", import.meta.url),
);

const USAGE = `usage: npm run bench -- [W1 .. W7] [--peer=NAME[,NAME..]] [--target=SECONDS] [--budget=SECONDS] [--browser[=dist]]
  W1 .. W7        workloads to run (default: all)
  --peer=NAMES    only these peers, comma-separated (default: all of ${PEER_NAMES.join(", ")})
  --target=S      keep timing a case until its timed runs add up to S seconds (default 2)
  --budget=S      wall-clock cap per case, warm-up included (default 20); capped cases say so
  --browser[=dist] run in headless Chromium on a cross-origin-isolated page (adjoint bundled
                  from src/, or from dist/ after npm run build)`;

interface Args {
  workloads: WorkloadId[];
  peers: PeerSpec[];
  timing: TimingOptions;
  /** Run in Chromium, adjoint bundled from src/ or dist/; false: Node worker threads. */
  browser: false | "src" | "dist";
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
  let browser: Args["browser"] = false;
  for (const arg of argv) {
    const [flag, text = ""] = arg.split("=", 2) as [string, string?];
    if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (flag === "--peer") {
      for (const name of text.split(",").filter((s) => s !== "")) {
        if (!PEER_NAMES.includes(name)) fail(`unknown peer "${name}"`);
        if (!peers.includes(name)) peers.push(name);
      }
    } else if (flag === "--target") {
      timing.targetMs = seconds(flag, text);
    } else if (flag === "--budget") {
      timing.budgetMs = seconds(flag, text);
    } else if (flag === "--browser") {
      if (text !== "" && text !== "src" && text !== "dist")
        fail(`--browser takes "src" or "dist"; got "${text}"`);
      browser = text === "dist" ? "dist" : "src";
    } else {
      const id = arg.toUpperCase() as WorkloadId;
      if (!WORKLOAD_IDS.includes(id)) fail(`unknown argument "${arg}"`);
      if (!workloads.includes(id)) workloads.push(id);
    }
  }
  return {
    workloads:
      workloads.length > 0 ? WORKLOAD_IDS.filter((w) => workloads.includes(w)) : [...WORKLOAD_IDS],
    peers: PEERS.filter((p) => peers.length === 0 || peers.includes(p.name)),
    timing,
    browser,
  };
}

// ---- running the peers ------------------------------------------------------------------------

interface PeerRun {
  readonly peer: string;
  info: Record<string, unknown>;
  readonly lines: ResultLine[];
  cases: number;
  seconds: number;
}

/** Runs one peer in a fresh worker; its result lines are printed as they arrive. */
function runWorker(spec: PeerSpec, input: WorkerInput): Promise<PeerRun> {
  const run: PeerRun = { peer: spec.name, info: {}, lines: [], cases: 0, seconds: 0 };
  const start = performance.now();
  const add = (line: ResultLine): void => {
    run.lines.push(line);
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./peers/worker.js", import.meta.url), {
      workerData: input,
      stdout: true, // a peer's console.log (TF.js greets Node users) must not mix with the lines
      ...(spec.stackSizeMb === undefined
        ? {}
        : { resourceLimits: { stackSizeMb: spec.stackSizeMb } }),
    });
    worker.stdout.pipe(process.stderr);
    let failure: string | null = null;
    worker.on("message", (m: WorkerMessage) => {
      if (m.kind === "info") run.info = m.info;
      else if (m.kind === "line") add(m.line);
      else run.cases = m.cases;
    });
    worker.on("error", (e) => {
      failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    });
    worker.on("exit", (code) => {
      if (failure !== null || code !== 0) {
        const done = new Set(run.lines.map((l) => l.workload));
        const workload = input.workloads.find((w) => !done.has(w)) ?? input.workloads.at(-1)!;
        add({
          peer: spec.name,
          workload,
          variant: "*",
          error: `worker ${failure === null ? `exited with code ${code}` : `failed: ${failure}`}`,
        });
      }
      run.seconds = (performance.now() - start) / 1000;
      resolve(run);
    });
  });
}

// ---- the table --------------------------------------------------------------------------------

/** A column of the table: one peer, eager or jit-compiled variants. */
interface Column {
  readonly peer: string;
  readonly jit: boolean;
  readonly label: string;
}

function fmtMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(2);
}

function fmtNum(x: number, digits = 3): string {
  return Number(x.toPrecision(digits)).toString();
}

function fmtExp(x: number): string {
  return x === 0 ? "0" : x.toExponential(1).replace(".0e", "e");
}

const FLOAT64_WORKLOADS: ReadonlySet<string> = new Set(["W1", "W3", "W4", "W5"]);

/** The timed lines of a run, keyed "peer|jit|workload|base". */
function index(lines: readonly ResultLine[]): Map<string, ResultLine> {
  const map = new Map<string, ResultLine>();
  for (const l of lines) {
    const { base, jit } = splitVariant(l.variant);
    map.set(`${l.peer}|${jit}|${l.workload}|${base}`, l);
  }
  return map;
}

function timed(l: ResultLine | undefined): number | undefined {
  return typeof l?.median_ms === "number" ? l.median_ms : undefined;
}

function cell(l: ResultLine | undefined): string {
  if (l === undefined) return "";
  if ("unsupported" in l) return "n/a";
  if ("error" in l) return "error";
  const ms = timed(l);
  if (ms === undefined) return "";
  const marks = [
    l.dtype === "float32" && FLOAT64_WORKLOADS.has(l.workload) ? "f32" : "",
    l.ok === false ? "✗" : "",
    l.capped === true ? "capped" : "",
    typeof l.note === "string" ? "‡" : "",
  ].filter((m) => m !== "");
  return marks.length > 0 ? `${fmtMs(ms)} ${marks.join(" ")}` : fmtMs(ms);
}

/** The per-workload metric: W1 grad/f, W2 GFLOP/s, W3 ns per primitive op, W7 steps/s. */
function metric(l: ResultLine | undefined): { name: string; value: number } | undefined {
  if (l === undefined) return undefined;
  for (const name of ["gflops", "ns_per_op", "ratio", "steps_per_s"] as const) {
    const v = l[name];
    if (typeof v === "number") return { name, value: v };
  }
  return undefined;
}

const METRIC_LABEL: Record<string, string> = {
  gflops: "GFLOP/s",
  ns_per_op: "ns/op",
  ratio: "grad/f",
  steps_per_s: "steps/s",
};

function checkCell(l: ResultLine | undefined): string {
  if (l === undefined || typeof l.check !== "number") return "";
  const ok = l.ok === true ? "✓" : l.ok === false ? "✗" : "";
  const err = typeof l.rel_err === "number" ? ` (${fmtExp(l.rel_err)})` : "";
  return `${Number(l.check.toPrecision(10))} ${ok}${err}`.trim();
}

interface Tables {
  readonly timing: string;
  readonly checks: string;
  readonly notes: string[];
}

function tables(runs: readonly PeerRun[]): Tables {
  const lines = runs.flatMap((r) => r.lines);
  const byKey = index(lines);
  const columns: Column[] = [];
  for (const r of runs) {
    for (const jit of [false, true]) {
      if (r.lines.some((l) => splitVariant(l.variant).jit === jit && l.variant !== "*"))
        columns.push({ peer: r.peer, jit, label: jit ? `${r.peer} jit` : r.peer });
    }
  }
  const rows: { workload: string; base: string }[] = [];
  for (const w of WORKLOAD_IDS) {
    for (const l of lines) {
      const { base } = splitVariant(l.variant);
      if (
        l.workload === w &&
        base !== "*" &&
        !rows.some((r) => r.workload === w && r.base === base)
      )
        rows.push({ workload: w, base });
    }
  }
  const at = (c: Column, row: { workload: string; base: string }): ResultLine | undefined =>
    byKey.get(`${c.peer}|${c.jit}|${row.workload}|${row.base}`);

  const adjoint = columns.find((c) => c.peer === "adjoint" && !c.jit);
  const peers = columns.filter((c) => c.peer !== "adjoint");
  const head = ["workload", "variant", ...columns.map((c) => `${c.label} ms`)];
  if (adjoint !== undefined && peers.length > 0) head.push("adjoint / best peer");
  head.push("metric (adjoint · best peer)", "checks");
  const out = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const row of rows) {
    const cells = [row.workload, row.base, ...columns.map((c) => cell(at(c, row)))];
    let best: Column | undefined;
    for (const c of peers) {
      // A peer whose result failed its check is not a competitor: only correct results count.
      const line = at(c, row);
      const ms = line !== undefined && "ok" in line && line.ok === false ? undefined : timed(line);
      if (ms !== undefined && (best === undefined || ms < timed(at(best, row))!)) best = c;
    }
    const own = adjoint === undefined ? undefined : timed(at(adjoint, row));
    if (adjoint !== undefined && peers.length > 0) {
      cells.push(
        own !== undefined && best !== undefined
          ? `${fmtNum(own / timed(at(best, row))!)} (${best.label})`
          : "",
      );
    }
    const m = [adjoint, best].flatMap((c) => {
      const v = c === undefined ? undefined : metric(at(c, row));
      return v === undefined || c === undefined
        ? []
        : [`${c.label} ${fmtNum(v.value)} ${METRIC_LABEL[v.name]}`];
    });
    cells.push(m.join(" · "));
    const failed = columns.filter((c) => at(c, row)?.ok === false).map((c) => `✗ ${c.label}`);
    const checked = columns.filter((c) => typeof at(c, row)?.ok === "boolean");
    cells.push(failed.length > 0 ? failed.join(", ") : checked.length > 0 ? "all ✓" : "");
    out.push(`| ${cells.join(" | ")} |`);
  }

  const checkHead = ["workload", "variant", "reference", ...columns.map((c) => c.label)];
  const checkOut = [`| ${checkHead.join(" | ")} |`, `|${checkHead.map(() => "---").join("|")}|`];
  for (const row of rows) {
    const ref = REFERENCE[`${row.workload} ${row.base}`];
    checkOut.push(
      `| ${[
        row.workload,
        row.base,
        ref === undefined ? "" : `${ref.value} (rel ${fmtExp(ref.rtol)})`,
        ...columns.map((c) => checkCell(at(c, row))),
      ].join(" | ")} |`,
    );
  }

  // The same remark on several cases is listed once, with every case it applies to.
  const remarks = new Map<string, string[]>();
  const remark = (kind: string, text: string, what: string): void => {
    const key = `${kind}: ${text}`;
    remarks.set(key, [...(remarks.get(key) ?? []), what]);
  };
  for (const l of lines) {
    const what = `${l.peer} ${l.workload} ${l.variant}`;
    if ("unsupported" in l) remark("n/a", String(l.unsupported), what);
    if ("error" in l) remark("error", String(l.error), what);
    if (typeof l.note === "string") remark("‡", l.note, what);
    if (l.capped === true) remark("capped", `${String(l.runs)} timed run(s)`, what);
  }
  const notes = [...remarks].map(([key, cases]) => {
    const [kind, ...text] = key.split(": ");
    return `${kind} (${cases.join("; ")}): ${text.join(": ")}`;
  });
  return { timing: out.join("\n"), checks: checkOut.join("\n"), notes };
}

const LEGEND = [
  "Cells are median ms. `jit` columns are the peer's jit-compiled variants (compiled during",
  "warm-up); other columns are eager. `adjoint / best peer` < 1 means adjoint is faster; the best",
  "peer is the fastest one whose check value passed (a wrong result is not a competitor).",
  "`f32`: a float64 workload computed in float32 (TF.js has no float64), its check judged at",
  "rel 1e-4 instead of the float64 tolerance. `✗`: check outside its tolerance. `capped`: the",
  "per-case time budget stopped the case early. `‡`: see the notes (a variant built by hand,",
  "or a dtype caveat). `n/a`: the peer has no facility for this variant (see notes).",
].join("\n");

// ---- main -------------------------------------------------------------------------------------

function command(argv: readonly string[]): string {
  const base =
    process.env.npm_lifecycle_event === "bench" ? "npm run bench" : "node bench/build/bench/run.js";
  return argv.length > 0 ? `${base} -- ${argv.join(" ")}` : base;
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${os.platform()} ${os.arch()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const date = new Date().toISOString();
  const start = performance.now();
  const runs: PeerRun[] = [];
  let where = "every peer runs in its own worker thread, one peer at a time";
  let latest = LATEST;
  let browserName = "";
  if (args.browser !== false) {
    const { runInChromium } = await import("./browser/chromium-run.js");
    const input = { workloads: args.workloads, timing: args.timing };
    const out = await runInChromium(
      args.peers.map((p) => p.name),
      input,
      args.browser,
    );
    runs.push(...out.runs);
    browserName = out.browser;
    where = `every peer runs in a fresh headless ${browserName} on a cross-origin-isolated page, one peer at a time (adjoint bundled from ${args.browser}/)`;
    latest = LATEST_CHROMIUM;
  }
  for (const spec of args.browser === false ? args.peers : []) {
    process.stderr.write(`bench: starting ${spec.name} in its own worker\n`);
    runs.push(
      await runWorker(spec, { peer: spec.name, workloads: args.workloads, timing: args.timing }),
    );
  }
  const secs = (performance.now() - start) / 1000;
  const cases = runs.reduce((n, r) => n + r.cases, 0);
  const t = tables(runs);
  const notes = t.notes.map((n) => `- ${n}`).join("\n");
  process.stdout.write(`\n${t.timing}\n\n${t.checks}\n\n${notes}\n`);
  const doc = `# Benchmarks: latest run${browserName === "" ? "" : " in Chromium"}

Written by \`npm run bench\` (bench/run.ts) on every run; curated results are in benchmarks.md.
Workloads W1..W6 as in WORKLOADS.md, W7 as in bench/workloads.ts; ${where}.

- Date: ${date}
- Machine: ${machine()}${browserName === "" ? "" : `; ${browserName}`}
- Command: \`${command(argv)}\`
- Duration: ${secs.toFixed(1)} s for ${cases} timed case(s)

## Peers

${runs.map((r) => `- **${r.peer}** (${r.seconds.toFixed(1)} s): ${Object.keys(r.info).length > 0 ? `\`${JSON.stringify(r.info)}\`` : "no set-up"}`).join("\n")}

## Median times

${LEGEND}

${t.timing}

## Check values

Each peer's check value, ✓/✗ against the reference and its relative error in parentheses.

${t.checks}

## Notes

${notes}

## Raw output

\`\`\`
${runs.flatMap((r) => r.lines.map((l) => JSON.stringify(l))).join("\n")}
\`\`\`
`;
  mkdirSync(fileURLToPath(new URL("../../../docs/", import.meta.url)), { recursive: true });
  writeFileSync(latest, doc);
  process.stderr.write(`bench: ${cases} case(s) in ${secs.toFixed(1)} s; wrote ${latest}\n`);
}

await main();
