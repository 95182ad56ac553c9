/**
 * @file What debugNans costs when it is off (`node --import tsx bench/debug-nans.ts`, or compiled
 * with `tsc -p bench` as bench/build/bench/debug-nans.js): ns per op of four workloads (a chain of
 * 1000 adds on a 0-d and an [8] tensor under grad, the [8] chain plain, and under jvp) in a process
 * where debugNans was never turned on, against a process where it was turned on, used, and turned
 * off again. Each mode runs in its own child process, alternately, ROUNDS times; the table gives
 * the median over rounds, the ratio toggled / never (1.00 = no cost), and for reference the
 * time with debugging on.
 */

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as ad from "../src/index.js";
import { debugNans } from "../src/tools/debug-nans.js";
import { measure } from "./timing.js";

const CHAIN = 1000;
const ROUNDS = 3;
type Mode = "never" | "toggled";
type Tensor = ad.Tensor;

function chain(x: Tensor): Tensor {
  let s = x;
  for (let i = 0; i < CHAIN; i++) s = ad.add(s, x);
  return s;
}

const WORKLOADS: Record<string, () => void> = {
  "grad, 0-d": (() => {
    const g = ad.grad((v: Tensor) => ad.sum(chain(v)));
    const x = ad.scalar(0.5);
    return () => void g(x);
  })(),
  "grad, [8]": (() => {
    const g = ad.grad((v: Tensor) => ad.sum(chain(v)));
    const x = ad.linspace(0, 1, 8);
    return () => void g(x);
  })(),
  "plain, [8]": (() => {
    const x = ad.linspace(0, 1, 8);
    return () => void chain(x);
  })(),
  "jvp, [8]": (() => {
    const x = ad.linspace(0, 1, 8);
    return () => void ad.jvp(chain, [x], [ad.onesLike(x)]);
  })(),
};

/** Median ns per op of each workload, timed now. */
async function timeAll(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, run] of Object.entries(WORKLOADS)) {
    const t = await measure(run, { warmup: 20, targetMs: 1500, budgetMs: 10_000 });
    out[name] = (t.median_ms * 1e6) / CHAIN;
  }
  return out;
}

/** One child process: times the workloads in `mode` and prints them as JSON. */
async function child(mode: Mode): Promise<void> {
  let on: Record<string, number> | null = null;
  if (mode === "toggled") {
    debugNans(true);
    on = await timeAll(); // every workload runs (and is compiled) with debugging on
    debugNans(false);
  }
  const off = await timeAll();
  console.log(JSON.stringify({ mode, off, on }));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function parent(): void {
  const self = fileURLToPath(import.meta.url);
  const runs: Record<Mode, Record<string, number>[]> = { never: [], toggled: [] };
  const onRuns: Record<string, number>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of ["never", "toggled"] as const) {
      process.stderr.write(`round ${r + 1}/${ROUNDS}: ${mode}\n`);
      const text = execFileSync(process.execPath, [...process.execArgv, self, mode], {
        encoding: "utf8",
      });
      const result = JSON.parse(text.trim().split("\n").pop()!) as {
        off: Record<string, number>;
        on: Record<string, number> | null;
      };
      runs[mode].push(result.off);
      if (result.on !== null) onRuns.push(result.on);
    }
  }
  const rows = [
    "| workload (1000 ops) | never on, ns/op | on then off, ns/op | ratio | while on, ns/op |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const name of Object.keys(WORKLOADS)) {
    const never = median(runs.never.map((r) => r[name]!));
    const toggled = median(runs.toggled.map((r) => r[name]!));
    const on = median(onRuns.map((r) => r[name]!));
    rows.push(
      `| ${name} | ${never.toFixed(0)} | ${toggled.toFixed(0)} | ${(toggled / never).toFixed(2)} | ${on.toFixed(0)} |`,
    );
  }
  console.log(rows.join("\n"));
}

const mode = process.argv[2];
if (mode === "never" || mode === "toggled") await child(mode);
else parent();
