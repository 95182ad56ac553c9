/**
 * @file Matmul micro-benchmark: GFLOP/s of the reference backend's matmul vs the wasm SIMD
 * kernel, single-threaded and split across worker threads ("thr"), for square sizes, W2's (MLP
 * 784-512-256-10, batch 128) forward and backward shapes with their transposes, a batched case,
 * and a small-size scan that locates the crossover.
 *
 * Run: `npx tsc -p bench/tsconfig.core.json && node bench/build/bench/matmul.js [--target=MS] [--median]`.
 * GFLOP/s are from the fastest timed run unless --median.
 * Times include everything the backend call does (packing into and copying out of wasm memory).
 */

import type { Shape } from "../src/backend/backend.js";
import { referenceBackend } from "../src/backend/reference/index.js";
import { wasmMatmul } from "../src/backend/wasm/matmul-kernel.js";
import { wasmMatmulThreaded, whenMatmulThreadsReady } from "../src/backend/wasm/matmul-threads.js";
import { measure } from "./timing.js";

type FloatArray = Float32Array | Float64Array;
type Kernel = (
  a: FloatArray,
  aShape: Shape,
  b: FloatArray,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
  out: FloatArray,
  outShape: Shape,
) => void;

interface Case {
  label: string;
  batch: number[];
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Batch dims of B (A always has the full batch); [] broadcasts one B over the batch. */
  bBatch?: number[];
}

const targetArg = process.argv.find((s) => s.startsWith("--target="));
const TARGET_MS = targetArg ? Number(targetArg.slice(9)) : 400;
/** Best-of-N by default: kernel throughput on a shared 2-core machine; --median for medians. */
const USE_MEDIAN = process.argv.includes("--median");

function filled(F: typeof Float32Array | typeof Float64Array, len: number, s: number): FloatArray {
  const x = new F(len);
  for (let i = 0; i < len; i++) x[i] = Math.sin(0.37 * i + s) * 0.5;
  return x;
}

async function gflops(kernel: Kernel, c: Case, f64: boolean, budgetMs: number): Promise<number> {
  const F = f64 ? Float64Array : Float32Array;
  const { m, n, k, transA, transB, batch } = c;
  const bBatch = c.bBatch ?? batch;
  const aShape = [...batch, ...(transA ? [k, m] : [m, k])];
  const bShape = [...bBatch, ...(transB ? [n, k] : [k, n])];
  const outShape = [...batch, m, n];
  const nb = batch.reduce((x, y) => x * y, 1);
  const nbB = bBatch.reduce((x, y) => x * y, 1);
  const a = filled(F, nb * m * k, 1);
  const b = filled(F, nbB * k * n, 2);
  const out = new F(nb * m * n);
  const t = await measure(() => kernel(a, aShape, b, bShape, transA, transB, out, outShape), {
    warmup: 2,
    minRuns: 3,
    targetMs: TARGET_MS,
    budgetMs,
  });
  return (2 * nb * m * n * k) / ((USE_MEDIAN ? t.median_ms : t.min_ms) * 1e6);
}

function sq(s: number, transA = false, transB = false): Case {
  const t = `${transA ? "T" : "N"}${transB ? "T" : "N"}`;
  return { label: `${s}^3 ${t}`, batch: [], m: s, n: s, k: s, transA, transB };
}

const CASES: Case[] = [
  sq(32),
  sq(64),
  sq(128),
  sq(256),
  sq(256, false, true),
  sq(256, true, false),
  sq(256, true, true),
  sq(512),
  sq(1024),
  // W2 layer 1: forward X·W1, backward dX = G·W1^T and dW1 = X^T·G.
  {
    label: "W2 fwd [128x784]@[784x512]",
    batch: [],
    m: 128,
    n: 512,
    k: 784,
    transA: false,
    transB: false,
  },
  {
    label: "W2 dX  [128x512]@[784x512]^T",
    batch: [],
    m: 128,
    n: 784,
    k: 512,
    transA: false,
    transB: true,
  },
  {
    label: "W2 dW  [128x784]^T@[128x512]",
    batch: [],
    m: 784,
    n: 512,
    k: 128,
    transA: true,
    transB: false,
  },
  // W2 layer 2 (512 -> 256) and 3 (256 -> 10).
  {
    label: "W2 fwd2 [128x512]@[512x256]",
    batch: [],
    m: 128,
    n: 256,
    k: 512,
    transA: false,
    transB: false,
  },
  {
    label: "W2 dW2 [128x512]^T@[128x256]",
    batch: [],
    m: 512,
    n: 256,
    k: 128,
    transA: true,
    transB: false,
  },
  {
    label: "W2 fwd3 [128x256]@[256x10]",
    batch: [],
    m: 128,
    n: 10,
    k: 256,
    transA: false,
    transB: false,
  },
  {
    label: "batch 8x[64x64]@[64x64] bcast B",
    batch: [8],
    bBatch: [],
    m: 64,
    n: 64,
    k: 64,
    transA: false,
    transB: false,
  },
];

const ref = referenceBackend.matmul as Kernel;
/** The wasm kernel split across the worker threads (whatever the size; single if none). */
const threaded: Kernel = (...args) => {
  if (!wasmMatmulThreaded(...args)) wasmMatmul(...args);
};

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + " ".repeat(w - s.length);
}
function num(x: number): string {
  return x.toFixed(2).padStart(8);
}

async function main(): Promise<void> {
  const threads = await whenMatmulThreadsReady();
  console.log(
    `${pad("case", 34)} ${"ref f32".padStart(8)} ${"wasm f32".padStart(8)} ${"x".padStart(6)} ${"thr f32".padStart(8)} ${"ref f64".padStart(8)} ${"wasm f64".padStart(8)} ${"x".padStart(6)} ${"thr f64".padStart(8)}   (GFLOP/s; thr: ${threads ? "threaded" : "no threads here"})`,
  );
  for (const c of CASES) {
    const cols: string[] = [];
    for (const f64 of [false, true]) {
      const r = await gflops(ref, c, f64, 3000);
      const w = await gflops(wasmMatmul, c, f64, 3000);
      const t = await gflops(threaded, c, f64, 3000);
      cols.push(`${num(r)} ${num(w)} ${(w / r).toFixed(1).padStart(6)} ${num(t)}`);
    }
    console.log(`${pad(c.label, 34)} ${cols.join(" ")}`);
  }
  // Crossover: per-call time of tiny products, where fixed overheads dominate.
  console.log("\ncrossover scan (us per call; f32 | f64)");
  const small: Case[] = [2, 4, 6, 8, 12, 16, 24, 32].map((s) => sq(s));
  for (const [m, n, k] of [
    [1, 1, 256],
    [1, 1, 4096],
    [2, 2, 128],
    [32, 1, 32],
    [1, 32, 32],
  ] as const) {
    small.push({ label: `${m}x${n}x${k}`, batch: [], m, n, k, transA: false, transB: false });
  }
  for (const c of small) {
    const row: string[] = [];
    for (const f64 of [false, true]) {
      const r = await gflops(ref, c, f64, 1000);
      const w = await gflops(wasmMatmul, c, f64, 1000);
      const us = (g: number) => ((2 * c.m * c.n * c.k) / (g * 1e3)).toFixed(2).padStart(7);
      row.push(`ref ${us(r)} wasm ${us(w)}`);
    }
    console.log(`${pad(`${c.label} (m*n*k=${c.m * c.n * c.k})`, 26)} ${row.join(" | ")}`);
  }
}

await main();
