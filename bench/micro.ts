/**
 * @file The kernel micro-benchmark driver (issue #4):
 *   `npm run bench:micro [-- --only=matmul,elementwise,overhead] [--peer=NAMES] [--sizes=32,64]`.
 * Measures matmul GFLOP/s (float32 and float64, square sizes 32..2048, A@B, A@B^T, A^T@B),
 * elementwise GB/s (add, mul, exp, tanh on 1e6 elements and a broadcasting add) and per-op
 * overhead (ns per add in a chain of 1000 on a 0-d and an [8] tensor, plain and under grad) for
 * adjoint and each peer (TensorFlow.js cpu and wasm, jax-js), each peer in its own worker thread
 * (micro/worker.ts), one after another. Every case's check value (the sum of one result) is
 * compared across peers, and a disagreement is printed as a warning. Prints markdown tables
 * (a row per case, a column per peer, and adjoint / best peer) and writes them, with the date,
 * machine and command, to docs/benchmarks-micro.md. Progress goes to stderr.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  caseId,
  ELEMENTWISE_OPS,
  GROUPS,
  type Group,
  MATMUL_SIZES,
  MAX_RUN_S,
  type MicroCase,
  metric,
  type PlannedCase,
  rowLabel,
  TRANSPOSES,
} from "./micro/cases.js";
import { MICRO_PEERS, type MicroPeerSpec } from "./micro/registry.js";
import type { MicroLine, MicroMessage, MicroWorkerInput } from "./micro/worker.js";
import type { TimingOptions } from "./timing.js";

const PEER_NAMES = MICRO_PEERS.map((p) => p.name);
const OUT = fileURLToPath(new URL("../../../docs/benchmarks-micro.md", import.meta.url));

const USAGE = `usage: npm run bench:micro -- [--only=GROUPS] [--peer=NAMES] [--sizes=N,N..]
  --only=GROUPS   only these groups, comma-separated (default: all of ${GROUPS.join(", ")})
  --peer=NAMES    only these peers, comma-separated (default: all of ${PEER_NAMES.join(", ")})
  --sizes=N,..    matmul sizes (default: ${MATMUL_SIZES.join(", ")})`;

interface Args {
  groups: Group[];
  peers: MicroPeerSpec[];
  sizes: number[];
}

function fail(message: string): never {
  process.stderr.write(`bench:micro: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function list(text: string): string[] {
  return text.split(",").filter((s) => s !== "");
}

function parseArgs(argv: readonly string[]): Args {
  const groups: Group[] = [];
  const peers: string[] = [];
  const sizes: number[] = [];
  for (const arg of argv) {
    const [flag, text = ""] = arg.split("=", 2) as [string, string?];
    if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (flag === "--only") {
      for (const g of list(text)) {
        if (!GROUPS.includes(g as Group)) fail(`unknown group "${g}"`);
        if (!groups.includes(g as Group)) groups.push(g as Group);
      }
    } else if (flag === "--peer") {
      for (const name of list(text)) {
        if (!PEER_NAMES.includes(name)) fail(`unknown peer "${name}"`);
        if (!peers.includes(name)) peers.push(name);
      }
    } else if (flag === "--sizes") {
      for (const s of list(text)) {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 1 || n > 4096) fail(`bad matmul size "${s}"`);
        if (!sizes.includes(n)) sizes.push(n);
      }
    } else {
      fail(`unknown argument "${arg}"`);
    }
  }
  return {
    groups: groups.length > 0 ? GROUPS.filter((g) => groups.includes(g)) : [...GROUPS],
    peers: MICRO_PEERS.filter((p) => peers.length === 0 || peers.includes(p.name)),
    sizes: sizes.length > 0 ? sizes.sort((a, b) => a - b) : [...MATMUL_SIZES],
  };
}

// ---- the plan ---------------------------------------------------------------------------------

/**
 * Repetitions by matmul size: many short runs for small products, fewer for large ones; at 1024
 * and 2048 (17 GFLOP per product) one warm-up and three timed runs within a few seconds. The worker lowers these further for a
 * peer whose previous size predicts a long run (micro/worker.ts: a single run without warm-up
 * past 1 s, a skip past MAX_RUN_S), which keeps the suite to about three minutes on two cores.
 */
function matmulTiming(n: number): TimingOptions {
  if (n <= 256) return { warmup: 3, minRuns: 5, targetMs: 250, budgetMs: 3000 };
  if (n <= 512) return { warmup: 1, minRuns: 3, targetMs: 300, budgetMs: 3000 };
  if (n <= 1024) return { warmup: 1, minRuns: 3, targetMs: 0, budgetMs: 4000 };
  return { warmup: 1, minRuns: 3, targetMs: 0, budgetMs: 5000 };
}

const ELEMENTWISE_TIMING: TimingOptions = { warmup: 3, minRuns: 5, targetMs: 250, budgetMs: 3000 };
const OVERHEAD_TIMING: TimingOptions = { warmup: 3, minRuns: 5, targetMs: 300, budgetMs: 4000 };

function plan(args: Args): PlannedCase[] {
  const cases: PlannedCase[] = [];
  const add = (c: MicroCase, timing: TimingOptions): void => {
    cases.push({ ...c, id: caseId(c), timing });
  };
  for (const group of args.groups) {
    if (group === "matmul") {
      for (const dtype of ["float32", "float64"] as const)
        for (const n of args.sizes)
          for (const transpose of TRANSPOSES) add({ group, dtype, n, transpose }, matmulTiming(n));
    } else if (group === "elementwise") {
      for (const dtype of ["float32", "float64"] as const)
        for (const op of ELEMENTWISE_OPS) add({ group, dtype, op }, ELEMENTWISE_TIMING);
    } else {
      for (const grad of [false, true])
        for (const shape of [[], [8]])
          add({ group, dtype: "float32", shape, grad }, OVERHEAD_TIMING);
    }
  }
  return cases;
}

// ---- running the peers ------------------------------------------------------------------------

interface PeerRun {
  readonly peer: string;
  info: Record<string, unknown>;
  readonly lines: MicroLine[];
  cases: number;
  seconds: number;
}

function runWorker(spec: MicroPeerSpec, input: MicroWorkerInput): Promise<PeerRun> {
  const run: PeerRun = { peer: spec.name, info: {}, lines: [], cases: 0, seconds: 0 };
  const start = performance.now();
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./micro/worker.js", import.meta.url), {
      workerData: input,
      stdout: true, // a peer's console.log must not mix with the tables
      ...(spec.stackSizeMb === undefined
        ? {}
        : { resourceLimits: { stackSizeMb: spec.stackSizeMb } }),
    });
    worker.stdout.pipe(process.stderr);
    let failure: string | null = null;
    worker.on("message", (m: MicroMessage) => {
      if (m.kind === "info") run.info = m.info;
      else if (m.kind === "line") run.lines.push(m.line);
      else run.cases = m.cases;
    });
    worker.on("error", (e) => {
      failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    });
    worker.on("exit", (code) => {
      if (failure !== null || code !== 0) {
        const why = `worker ${failure === null ? `exited with code ${code}` : `failed: ${failure}`}`;
        const done = new Set(run.lines.map((l) => l.id));
        for (const c of input.cases)
          if (!done.has(c.id)) run.lines.push({ peer: spec.name, id: c.id, error: why });
      }
      run.seconds = (performance.now() - start) / 1000;
      resolve(run);
    });
  });
}

// ---- checks -----------------------------------------------------------------------------------

/** Relative tolerance of the cross-peer check: float32 rounding, or float64's. */
function tolerance(c: PlannedCase): number {
  return c.dtype === "float64" ? 1e-5 : 1e-3;
}

type Timed = Extract<MicroLine, { value: number }>;

function timed(l: MicroLine | undefined): Timed | undefined {
  return l !== undefined && "value" in l ? l : undefined;
}

/**
 * Per case, the peers whose check value is off the median of all peers' check values by more
 * than the tolerance (the median is robust to one broken peer), with warnings saying so.
 */
function crossCheck(
  cases: readonly PlannedCase[],
  at: (peer: string, id: string) => MicroLine | undefined,
  peers: readonly string[],
): { bad: Set<string>; warnings: string[] } {
  const bad = new Set<string>();
  const warnings: string[] = [];
  for (const c of cases) {
    const checks = peers.flatMap((p) => {
      const l = timed(at(p, c.id));
      return l === undefined ? [] : [{ peer: p, check: l.check }];
    });
    if (checks.length < 2) continue;
    const sorted = checks.map((x) => x.check).sort((a, b) => a - b);
    const ref = sorted[(sorted.length - 1) >> 1]!;
    for (const { peer, check } of checks) {
      const rel = Math.abs(check - ref) / Math.max(Math.abs(ref), Number.MIN_VALUE);
      if (!(rel <= tolerance(c))) {
        bad.add(`${peer}|${c.id}`);
        warnings.push(
          `warning: ${c.id}: ${peer}'s check value ${check} differs from the peers' median ${ref} (rel ${rel.toExponential(1)} > ${tolerance(c)})`,
        );
      }
    }
  }
  return { bad, warnings };
}

// ---- tables -----------------------------------------------------------------------------------

function fmt(x: number): string {
  if (x >= 1000) return x.toFixed(0);
  return Number(x.toPrecision(3)).toString();
}

interface Section {
  readonly title: string;
  readonly legend: string;
  readonly cases: PlannedCase[];
}

function sections(cases: readonly PlannedCase[]): Section[] {
  const of = (pred: (c: PlannedCase) => boolean) => cases.filter(pred);
  const out: Section[] = [
    {
      title: "matmul, float32 (GFLOP/s)",
      legend: "GFLOP/s = 2 n^3 / median time; higher is better.",
      cases: of((c) => c.group === "matmul" && c.dtype === "float32"),
    },
    {
      title: "matmul, float64 (GFLOP/s)",
      legend: "GFLOP/s = 2 n^3 / median time; higher is better. TF.js has no float64.",
      cases: of((c) => c.group === "matmul" && c.dtype === "float64"),
    },
    {
      title: "elementwise, float32 (GB/s)",
      legend: "GB/s = (bytes of the inputs + bytes of the output) / median time; higher is better.",
      cases: of((c) => c.group === "elementwise" && c.dtype === "float32"),
    },
    {
      title: "elementwise, float64 (GB/s)",
      legend: "GB/s = (bytes of the inputs + bytes of the output) / median time; higher is better.",
      cases: of((c) => c.group === "elementwise" && c.dtype === "float64"),
    },
    {
      title: "per-op overhead, float32 (ns per add)",
      legend:
        "s = x, then 1000 times s = s + x; median time / 1000; lower is better. Under grad: the " +
        "gradient of sum(chain(x)) (forward and backward), still divided by 1000.",
      cases: of((c) => c.group === "overhead"),
    },
  ];
  return out.filter((s) => s.cases.length > 0);
}

function table(
  s: Section,
  peers: readonly string[],
  at: (peer: string, id: string) => MicroLine | undefined,
  bad: ReadonlySet<string>,
): string {
  const others = peers.filter((p) => p !== "adjoint");
  const ratio = peers.includes("adjoint") && others.length > 0;
  const head = ["case", ...peers, ...(ratio ? ["adjoint / best peer"] : [])];
  const out = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const c of s.cases) {
    const cells = [rowLabel(c)];
    for (const p of peers) {
      const l = at(p, c.id);
      const t = timed(l);
      if (l === undefined) cells.push("");
      else if ("unsupported" in l) cells.push("n/a");
      else if ("skipped" in l) cells.push(`skipped (~${l.predicted_s} s/run)`);
      else if ("error" in l) cells.push("error");
      else if (t !== undefined) {
        const marks = [
          bad.has(`${p}|${c.id}`) ? "✗" : "",
          t.warmup === 0 ? "(1 run)" : "",
          t.capped ? "capped" : "",
        ];
        cells.push([fmt(t.value), ...marks].filter((m) => m !== "").join(" "));
      }
    }
    if (ratio) {
      const own = timed(at("adjoint", c.id));
      const higher = metric(c, 1).higherIsBetter;
      let best: { peer: string; value: number } | undefined;
      for (const p of others) {
        const t = timed(at(p, c.id));
        if (t === undefined || bad.has(`${p}|${c.id}`)) continue; // a wrong result is no competitor
        if (best === undefined || (higher ? t.value > best.value : t.value < best.value))
          best = { peer: p, value: t.value };
      }
      cells.push(
        own !== undefined && best !== undefined
          ? `${Number((own.value / best.value).toPrecision(3))} (${best.peer})`
          : "",
      );
    }
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out.join("\n");
}

function checkTable(
  cases: readonly PlannedCase[],
  peers: readonly string[],
  at: (peer: string, id: string) => MicroLine | undefined,
  bad: ReadonlySet<string>,
): string {
  const head = ["case", ...peers];
  const out = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const c of cases) {
    const cells = [c.id];
    for (const p of peers) {
      const t = timed(at(p, c.id));
      cells.push(
        t === undefined
          ? ""
          : `${Number(t.check.toPrecision(8))}${bad.has(`${p}|${c.id}`) ? " ✗" : ""}`,
      );
    }
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out.join("\n");
}

const RATIO_LEGEND = [
  "`adjoint / best peer` divides adjoint's figure by the best peer's (the fastest one whose check",
  "value agrees with the others), so for GFLOP/s and GB/s a ratio above 1 means adjoint is",
  "faster, and for ns per op a ratio below 1 means adjoint is faster. `n/a`: the peer has no",
  "such facility (TF.js has no float64). `✗`: the check value (the sum of the result) disagrees",
  "with the peers' median by more than 1e-3 relative (float32; 1e-5 for float64). `capped`: the",
  "per-case time budget stopped the case before its minimum number of timed runs (large products:",
  "often a single timed run after one warm-up). `(1 run)`: a large product timed once, without",
  "warm-up, because the peer's figure at the previous size predicted a run over 1 s.",
  `\`skipped (~N s/run)\`: predicted over ${MAX_RUN_S} s per run (see Notes).`,
].join("\n");

// ---- main -------------------------------------------------------------------------------------

function command(argv: readonly string[]): string {
  const base =
    process.env.npm_lifecycle_event === "bench:micro"
      ? "npm run bench:micro"
      : "node bench/build/bench/micro.js";
  return argv.length > 0 ? `${base} -- ${argv.join(" ")}` : base;
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${os.platform()} ${os.arch()}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const cases = plan(args);
  const start = performance.now();
  const runs: PeerRun[] = [];
  for (const spec of args.peers) {
    process.stderr.write(`bench:micro: starting ${spec.name} in its own worker\n`);
    runs.push(await runWorker(spec, { peer: spec.name, cases }));
  }
  const secs = (performance.now() - start) / 1000;

  const byKey = new Map<string, MicroLine>();
  for (const r of runs) for (const l of r.lines) byKey.set(`${l.peer}|${l.id}`, l);
  const at = (peer: string, id: string): MicroLine | undefined => byKey.get(`${peer}|${id}`);
  const peers = runs.map((r) => r.peer);
  const { bad, warnings } = crossCheck(cases, at, peers);

  const notes = new Map<string, string[]>();
  for (const r of runs) {
    for (const l of r.lines) {
      const text =
        "error" in l
          ? `error: ${l.error}`
          : "unsupported" in l
            ? `n/a: ${l.unsupported}`
            : "skipped" in l
              ? `skipped: ${l.skipped}`
              : l.note !== undefined
                ? `note: ${l.note}`
                : undefined;
      if (text !== undefined) {
        const key = `${l.peer} ${text}`;
        notes.set(key, [...(notes.get(key) ?? []), l.id]);
      }
    }
  }
  const noteLines = [...notes].map(([key, ids]) => {
    const shown =
      ids.length > 4 ? `${ids.slice(0, 3).join("; ")}; … (${ids.length} cases)` : ids.join("; ");
    return `- ${key} (${shown})`;
  });

  const body = sections(cases)
    .map((s) => `### ${s.title}\n\n${s.legend}\n\n${table(s, peers, at, bad)}`)
    .join("\n\n");
  process.stdout.write(`\n${body}\n\n`);
  if (noteLines.length > 0) process.stdout.write(`${noteLines.join("\n")}\n\n`);
  for (const w of warnings) process.stdout.write(`${w}\n`);
  if (warnings.length === 0) process.stdout.write("all check values agree across peers\n");

  const doc = `# Benchmarks: kernel micro-benchmarks

Written by \`npm run bench:micro\` (bench/micro.ts) on every run. Each peer runs in its own worker
thread, one peer at a time; every figure is from the median of repeated runs after warm-up
(bench/timing.ts). Times include everything the user-facing call does (adjoint's \`.T\` copy
for the transposed products, jax-js waiting for its lazy result).

- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${machine()}
- Node: ${process.version}
- Command: \`${command(argv)}\`
- Duration: ${secs.toFixed(1)} s for ${runs.reduce((n, r) => n + r.cases, 0)} timed case(s)

## Peers

${runs.map((r) => `- **${r.peer}** (${r.seconds.toFixed(1)} s): \`${JSON.stringify(r.info)}\``).join("\n")}

## Results

${RATIO_LEGEND}

${body}

## Notes

${noteLines.length > 0 ? noteLines.join("\n") : "None."}

## Checks

${warnings.length > 0 ? warnings.map((w) => `- ${w}`).join("\n") : "All check values agree across peers."}

The check value of each case: the sum of one result's elements, in float64.

${checkTable(cases, peers, at, bad)}

## Raw output

<details><summary>one JSON line per (peer, case)</summary>

\`\`\`
${runs.flatMap((r) => r.lines.map((l) => JSON.stringify(l))).join("\n")}
\`\`\`

</details>
`;
  mkdirSync(fileURLToPath(new URL("../../../docs/", import.meta.url)), { recursive: true });
  writeFileSync(OUT, doc);
  process.stderr.write(`bench:micro: done in ${secs.toFixed(1)} s; wrote ${OUT}\n`);
}

await main();
