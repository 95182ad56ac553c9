/**
 * @file When does splitting a fused WebAssembly kernel across threads pay? Times one call
 * k(0, n) on this thread against `ThreadedKernels.run` (this thread and the worker), for n =
 * 2^12..2^21 float64 elements, with the worker awake (spinning for jobs) and asleep (in
 * Atomics.waitAsync, woken by the run), for a compute-heavy kernel (five rounds of v = v * a + b:
 * 10 f64x2 ops per pair of elements) and a light one (one round: out = x * a + b, memory-bound).
 * Prints medians and, per kernel and worker state, the smallest n from which splitting is faster
 * at every larger size. Run: `node --import tsx bench/fused-threads.ts [--quick]`.
 */

import { encodeModule, FunctionBuilder, I32, V128 } from "../src/backend/wasm/encoder.js";
import { type WasmMemory, wasmApi } from "../src/backend/wasm/wasm-api.js";
import {
  fusedWorkersAwake,
  setFusedThreadSpin,
  type ThreadedKernels,
  threadedKernels,
} from "../src/compile/fused-threads.js";

const wasm = wasmApi()!;
const quick = process.argv.includes("--quick");

/**
 * k(lo, hi, x, out, c): out[i] = rounds of (v * c[0] + c[1]) from x[i], two float64 lanes at a
 * time (lo and hi even: the pool cuts at multiples of 16 for ranges this large).
 */
function kernelModule(rounds: number): object {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32], []);
  const [lo, hi, x, out, c] = [0, 1, 2, 3, 4];
  const i = f.local(I32);
  const off = f.local(I32);
  const a = f.local(V128);
  const b = f.local(V128);
  const v = f.local(V128);
  f.get(c).v128Load64Splat(0).set(a);
  f.get(c).v128Load64Splat(8).set(b);
  f.get(lo).set(i);
  f.block().loop();
  f.get(i).get(hi).i32LtS().i32Eqz().brIf(1);
  f.get(i).i32Const(8).i32Mul().set(off);
  f.get(x).get(off).i32Add().v128Load().set(v);
  for (let r = 0; r < rounds; r++) f.get(v).get(a).f64x2Mul().get(b).f64x2Add().set(v);
  f.get(out).get(off).i32Add().get(v).v128Store();
  f.get(i).i32Const(2).i32Add().set(i);
  f.br(0);
  f.end().end();
  const bytes = encodeModule([{ name: "k", fn: f }], 1, { shared: true, maxPages: 65536 });
  return new wasm.Module(bytes);
}

const MAX_N = 2 ** 21;
const C = 256;
const X = C + 16;
const OUT = X + 8 * MAX_N;
const pages = Math.ceil((OUT + 8 * MAX_N) / 65536) + 1;

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s[s.length >> 1]!;
}

async function until(ready: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ready()) {
    if (Date.now() - t0 > 20_000) throw new Error("the worker did not become ready");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Row {
  n: number;
  single: number;
  awake: number;
  asleep: number;
}

function measure(
  k: (...args: number[]) => void,
  threads: ThreadedKernels,
  memory: WasmMemory,
  n: number,
): Row {
  const args = [X, OUT, C];
  const reps = Math.max(quick ? 15 : 41, Math.min(quick ? 200 : 1500, Math.round(2 ** 24 / n)));
  const single: number[] = [];
  const awake: number[] = [];
  const asleep: number[] = [];
  const out = new Uint8Array(memory.buffer, OUT, 8 * n);
  k(0, n, ...args);
  const want = out.slice();
  // Three rounds of each mode, so slow drift (other processes) spreads over all of them.
  for (let round = 0; round < 3; round++) {
    for (let r = 0; r < reps / 3; r++) {
      const t0 = performance.now();
      k(0, n, ...args);
      single.push(performance.now() - t0);
    }
    setFusedThreadSpin(1_000_000); // awake: a worker spins up to 1 s for the next job
    threads.run(0, n, args);
    for (let r = 0; r < reps / 3; r++) {
      const t0 = performance.now();
      if (!threads.run(0, n, args)) throw new Error("run declined");
      awake.push(performance.now() - t0);
    }
    setFusedThreadSpin(0); // asleep: the worker sleeps right after each job
    for (let r = 0; r < reps / 3; r++) {
      while (fusedWorkersAwake()) {
        // wait (on this thread) until the worker has gone to sleep
      }
      const t0 = performance.now();
      if (!threads.run(0, n, args)) throw new Error("run declined");
      asleep.push(performance.now() - t0);
    }
  }
  setFusedThreadSpin();
  if (Buffer.compare(out, want) !== 0) throw new Error(`n = ${n}: split result differs`);
  return { n, single: median(single), awake: median(awake), asleep: median(asleep) };
}

/** The smallest n from which `mode` beats single-threaded at every larger n measured. */
function threshold(rows: Row[], mode: "awake" | "asleep"): number | undefined {
  let t: number | undefined;
  for (let i = rows.length - 1; i >= 0; i--) {
    if (rows[i]![mode] < rows[i]!.single) t = rows[i]!.n;
    else break;
  }
  return t;
}

const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
const f = new Float64Array(memory.buffer);
f[C / 8] = 0.999;
f[C / 8 + 1] = 0.5;
for (let i = 0; i < MAX_N; i++) f[X / 8 + i] = Math.sin(i);

const us = (ms: number) => (ms * 1000).toFixed(1).padStart(8);
for (const [name, rounds] of [
  ["heavy (10 f64x2 ops per 2 elements)", 5],
  ["light (2 f64x2 ops per 2 elements)", 1],
] as const) {
  const mod = kernelModule(rounds);
  const k = new wasm.Instance(mod, { env: { memory } }).exports.k as (...args: number[]) => void;
  const threads = threadedKernels(memory, [mod]);
  if (threads === undefined) throw new Error("no threads here");
  await until(() => threads.ready());
  console.log(`\n${name}: median microseconds per call`);
  console.log("       n    single     awake    asleep  x awake  x asleep");
  const rows: Row[] = [];
  for (let log = 12; log <= 21; log++) {
    const r = measure(k, threads, memory, 2 ** log);
    rows.push(r);
    console.log(
      `${`2^${log}`.padStart(8)}  ${us(r.single)}  ${us(r.awake)}  ${us(r.asleep)}` +
        `  ${(r.single / r.awake).toFixed(2).padStart(7)}  ${(r.single / r.asleep).toFixed(2).padStart(8)}`,
    );
  }
  const fmt = (t: number | undefined) => (t === undefined ? "never" : `2^${Math.log2(t)}`);
  console.log(
    `splitting pays from n = ${fmt(threshold(rows, "awake"))} (worker awake), ` +
      `${fmt(threshold(rows, "asleep"))} (worker asleep)`,
  );
  threads.release();
}
