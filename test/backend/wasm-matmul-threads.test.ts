/**
 * @file Tests of the multi-threaded wasm matmul (worker threads over a shared wasm memory): it
 * must give exactly the single-threaded kernel's bits (float32 and float64; float64 is also
 * exactly the reference backend's) on odd sizes, all transpose combinations, batches with
 * broadcast batch dims and batches larger than one job, and it must really run on the worker
 * (the worker's task counter moves). No timing assertions.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import type { Shape } from "../../src/backend/backend.js";
import { getBackend, setBackend } from "../../src/backend/index.js";
import { referenceBackend as R } from "../../src/backend/reference/index.js";
import { createWasmBackend } from "../../src/backend/wasm/index.js";
import {
  getInstance,
  matmulModuleBytes,
  wasmMatmul,
} from "../../src/backend/wasm/matmul-kernel.js";
import {
  matmulThreadStats,
  matmulThreadsPay,
  matmulWorkersAwake,
  runMatmulTasks,
  setMatmulThreadSpin,
  setMatmulThreads,
  THREADS_MIN_WORK,
  THREADS_MIN_WORK_BLOCKED,
  wasmMatmulThreaded,
  whenMatmulThreadsReady,
} from "../../src/backend/wasm/matmul-threads.js";
import { threadHost, wasmApi } from "../../src/backend/wasm/wasm-api.js";
import * as ad from "../../src/index.js";
import {
  broadcastBatch,
  data,
  type FloatArray,
  type FloatCtor,
  size,
} from "../harness/matmul-data.js";

/** Index of the first element whose bits differ (NaN equals NaN), or -1. */
function firstDifference(x: FloatArray, y: FloatArray): number {
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

/**
 * Runs the threaded kernel and checks it took the threaded path and equals, bit for bit, the
 * single-threaded wasm kernel; float64 also equals the reference backend bit for bit, float32
 * is within the single-threaded kernel's tolerance (k * eps summation in float32).
 */
function check(
  F: FloatCtor,
  batchA: Shape,
  batchB: Shape,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): void {
  const aShape = [...batchA, ...(transA ? [k, m] : [m, k])];
  const bShape = [...batchB, ...(transB ? [n, k] : [k, n])];
  const outShape = [...broadcastBatch(batchA, batchB), m, n];
  const a = data(F, aShape, 1);
  const b = data(F, bShape, 2);
  const what = `${F.name} a${JSON.stringify(aShape)} b${JSON.stringify(bShape)} tA=${transA} tB=${transB}`;
  const single = new F(size(outShape)).fill(Number.NaN);
  const threaded = new F(size(outShape)).fill(Number.NaN);
  assert.ok(wasmMatmul(a, aShape, b, bShape, transA, transB, single, outShape));
  const before = matmulThreadStats().splitProducts;
  assert.ok(
    wasmMatmulThreaded(a, aShape, b, bShape, transA, transB, threaded, outShape),
    `${what}: the threaded path declined`,
  );
  assert.equal(matmulThreadStats().splitProducts, before + 1);
  const i = firstDifference(threaded, single);
  if (i >= 0) assert.fail(`${what}: out[${i}] = ${threaded[i]}, single-threaded ${single[i]}`);
  const want = new F(size(outShape));
  R.matmul(a, aShape, b, bShape, transA, transB, want, outShape);
  if (F === Float64Array) {
    const j = firstDifference(threaded, want);
    if (j >= 0) assert.fail(`${what}: out[${j}] = ${threaded[j]}, reference ${want[j]}`);
    return;
  }
  const scale = new Float64Array(size(outShape));
  R.matmul(a.map(Math.abs), aShape, b.map(Math.abs), bShape, transA, transB, scale, outShape);
  for (let j = 0; j < want.length; j++) {
    const tol = k * 2 * 2 ** -24 * scale[j]! + 1e-30;
    if (!(Math.abs(threaded[j]! - want[j]!) <= tol)) {
      assert.fail(`${what}: out[${j}] = ${threaded[j]}, reference ${want[j]} (tolerance ${tol})`);
    }
  }
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7], // smaller than one tile
  [17, 33, 9],
  [65, 67, 71], // just above the split threshold, odd everywhere
  [130, 70, 257], // k over one block boundary
  [1, 9, 300], // a row vector times a matrix: one padded row panel
  [9, 1, 513], // matrix-vector: one padded column panel, k over two block boundaries
  [6, 530, 270], // n over one NC column-block boundary (f32: 512 columns, f64: 256)
  [300, 300, 300],
  [128, 512, 784], // W2's first layer
];

before(async () => {
  assert.equal(await whenMatmulThreadsReady(), true, "worker threads did not start");
});

test("the host has threads and the kernel runs on a shared memory", () => {
  assert.equal(threadHost(), "node");
  assert.equal(getInstance().shared, true);
  assert.ok(getInstance().memory.buffer instanceof SharedArrayBuffer);
  const wasm = wasmApi()!;
  assert.equal(wasm.validate(matmulModuleBytes(true)), true);
  assert.equal(wasm.validate(matmulModuleBytes(false)), true);
  // Browsers refuse synchronous compilation of modules over 4 KiB on the main thread.
  assert.ok(matmulModuleBytes(true).length < 4096);
  const stats = matmulThreadStats();
  assert.ok(stats.workers >= 1, `workers ready: ${stats.workers}`);
});

test("the task runner is self-contained (it runs as source text in the workers)", () => {
  const src = runMatmulTasks.toString();
  // No helper a transpiler might inject (tsx adds __name to inner functions), no closures.
  assert.doesNotMatch(src, /__name|=>|function\s*\w*\s*\([^)]*\)\s*\{[\s\S]*function/);
});

for (const F of [Float32Array, Float64Array]) {
  test(`${F.name}: odd sizes, all transpose combinations, bit-identical`, () => {
    for (const [m, n, k] of SIZES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) check(F, [], [], m, n, k, transA, transB);
      }
    }
  });

  test(`${F.name}: batches with broadcast batch dims, bit-identical`, () => {
    for (const [batchA, batchB] of [
      [[3], [3]],
      [[2, 3], [3]],
      [[3], []],
      [[], [4]],
      [
        [2, 1],
        [1, 3],
      ],
      [[1], [2, 2]],
    ] as [number[], number[]][]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          check(F, batchA, batchB, 13, 10, 19, transA, transB); // small items: several per task
          check(F, batchA, batchB, 70, 45, 66, transA, transB); // items split into rectangles
        }
      }
    }
  });
}

test("a batch larger than one job's item table runs as several jobs", () => {
  // 9000 items > the 8128 items one job's table holds; B broadcast over the batch.
  check(Float32Array, [9000], [], 2, 3, 4, false, false);
  check(Float64Array, [3000, 3], [3], 3, 2, 5, true, true);
});

test("a batch larger than one job's memory budget runs as several jobs", () => {
  // 40 items of 2 x 300 x 300 float64: ~2.9 MB each with packing, over the 32 MiB budget.
  check(Float64Array, [40], [40], 300, 300, 300, false, true);
});

test("NaN and Infinity propagate as single-threaded", () => {
  const a = data(Float64Array, [200, 150], 3);
  const b = data(Float64Array, [150, 170], 4);
  a[5 * 150 + 7] = Number.NaN;
  a[99 * 150 + 149] = Number.POSITIVE_INFINITY;
  b[0] = Number.NEGATIVE_INFINITY;
  const want = new Float64Array(200 * 170);
  const got = new Float64Array(200 * 170);
  R.matmul(a, [200, 150], b, [150, 170], false, false, want, [200, 170]);
  assert.ok(wasmMatmulThreaded(a, [200, 150], b, [150, 170], false, false, got, [200, 170]));
  assert.equal(firstDifference(got, want), -1);
});

test("the workers really take tasks", () => {
  const a = data(Float32Array, [256, 256], 1);
  const b = data(Float32Array, [256, 256], 2);
  const out = new Float32Array(256 * 256);
  const start = matmulThreadStats().workerTasks;
  // A worker that is slow to wake (a busy machine) may leave a whole product to the caller;
  // over many products it takes some.
  for (let i = 0; i < 2000 && matmulThreadStats().workerTasks === start; i++) {
    assert.ok(wasmMatmulThreaded(a, [256, 256], b, [256, 256], false, false, out, [256, 256]));
  }
  assert.ok(matmulThreadStats().workerTasks > start, "no task ran on a worker");
});

/** Runs a float64 product through `backend`, checks it, and returns how many were split. */
function splitCount(
  backend: ReturnType<typeof createWasmBackend>,
  m: number,
  n: number,
  k: number,
  batch: number[] = [],
  F: FloatCtor = Float64Array,
): number {
  const aShape = [...batch, m, k];
  const bShape = [k, n];
  const outShape = [...batch, m, n];
  const a = data(F, aShape, 5);
  const b = data(F, bShape, 6);
  const got = new F(size(outShape));
  const single = new F(size(outShape));
  const before = matmulThreadStats().splitProducts;
  backend.matmul(a, aShape, b, bShape, false, false, got, outShape);
  wasmMatmul(a, aShape, b, bShape, false, false, single, outShape);
  assert.equal(firstDifference(got, single), -1);
  return matmulThreadStats().splitProducts - before;
}

/**
 * Busy-waits (bounded) until some worker spins for jobs (`awake`) or every worker has blocked:
 * a woken worker may take a while to be scheduled on a busy machine.
 */
function waitUntil(awake: boolean): void {
  for (let i = 0; i < 1e9 && matmulWorkersAwake() !== awake; i++) {
    // spin
  }
  assert.equal(matmulWorkersAwake(), awake);
}

test("matmulThreadsPay: float64 counts double, blocked workers need twice the work", () => {
  assert.equal(THREADS_MIN_WORK, 2 ** 19);
  assert.equal(THREADS_MIN_WORK_BLOCKED, 2 ** 20);
  const pay = (b: number, m: number, n: number, k: number, f64: boolean, awake: boolean) =>
    matmulThreadsPay(b, m, n, k, f64, awake);
  assert.ok(pay(1, 64, 64, 128, false, true) && !pay(1, 63, 64, 128, false, true));
  assert.ok(pay(1, 64, 64, 64, true, true) && !pay(1, 63, 64, 64, true, true));
  assert.ok(pay(1, 128, 64, 128, false, false) && !pay(1, 127, 64, 128, false, false));
  assert.ok(pay(1, 64, 64, 128, true, false) && !pay(1, 63, 64, 128, true, false));
  assert.ok(pay(4, 16, 64, 64, true, true) && !pay(3, 16, 64, 64, true, true)); // batches count
});

test("the backend splits products from the threshold on (awake and blocked workers)", () => {
  const w = createWasmBackend(R);
  try {
    // Awake: workers spin "forever" after a job.
    setMatmulThreadSpin(2 ** 30);
    assert.equal(splitCount(w, 200, 200, 200), 1);
    waitUntil(true);
    assert.equal(splitCount(w, 63, 64, 64), 0);
    assert.equal(splitCount(w, 64, 64, 64), 1);
    assert.equal(splitCount(w, 63, 64, 128, [], Float32Array), 0);
    assert.equal(splitCount(w, 64, 64, 128, [], Float32Array), 1);
    assert.equal(splitCount(w, 16, 32, 32, [15]), 0);
    assert.equal(splitCount(w, 16, 32, 32, [4, 4]), 1); // 16 * 16 * 32 * 32 * 2 = 2^19
    // Blocked: workers sleep right after a job; a product must pay for waking one.
    setMatmulThreadSpin(0);
    assert.equal(splitCount(w, 200, 200, 200), 1);
    waitUntil(false);
    assert.equal(splitCount(w, 64, 64, 64), 0);
    waitUntil(false);
    assert.equal(splitCount(w, 64, 64, 128), 1);
    waitUntil(false);
    assert.equal(splitCount(w, 127, 64, 128, [], Float32Array), 0);
    waitUntil(false);
    assert.equal(splitCount(w, 128, 64, 128, [], Float32Array), 1);
  } finally {
    setMatmulThreadSpin();
  }
});

test("setMatmulThreads(1) turns the threads off, 2 back on", () => {
  const w = createWasmBackend(R);
  try {
    setMatmulThreads(1);
    assert.equal(splitCount(w, 200, 200, 200), 0);
  } finally {
    setMatmulThreads(2);
  }
  assert.equal(splitCount(w, 200, 200, 200), 1);
  assert.throws(() => setMatmulThreads(0), {
    name: "ValueError",
    message: /setMatmulThreads: count must be a positive integer; got 0/,
  });
  assert.throws(() => setMatmulThreads(1.5), { name: "ValueError" });
});

test("float64 MLP gradients through the library are bit-identical to the reference", () => {
  const [batch, din, h, dout] = [64, 300, 200, 10];
  const t = (shape: number[], seed: number) =>
    ad.tensor(data(Float64Array, shape, seed), { dtype: "float64" }).reshape(shape);
  const x = t([batch, din], 1);
  const w1 = t([din, h], 2).mul(0.1);
  const w2 = t([h, dout], 3).mul(0.1);
  const loss = (u: ad.Tensor, v: ad.Tensor) =>
    ad.sum(ad.square(ad.matmul(ad.tanh(ad.matmul(x, u)), v)));
  const g = ad.grad(loss, { argnums: [0, 1] });
  const run = () => g(w1, w2).map((d) => d.dataSync() as Float64Array);
  const previous = getBackend();
  try {
    setBackend(R);
    const want = run();
    setBackend(createWasmBackend(R));
    const before = matmulThreadStats().splitProducts;
    const got = run();
    // x @ w1 forward and x^T @ dpre backward are over the threshold (the rest is smaller).
    assert.equal(matmulThreadStats().splitProducts - before, 2);
    for (let p = 0; p < want.length; p++) assert.equal(firstDifference(got[p]!, want[p]!), -1);
  } finally {
    setBackend(previous);
  }
});

/** Runs `script` (an ES module importing the wasm backend as `W`) in a fresh Node process. */
function runChild(prelude: string, body: string): { ok: boolean; split: number; v: number } {
  const kernel = fileURLToPath(new URL("../../src/backend/wasm/index.ts", import.meta.url));
  const threads = fileURLToPath(
    new URL("../../src/backend/wasm/matmul-threads.ts", import.meta.url),
  );
  const reference = fileURLToPath(new URL("../../src/backend/reference/index.ts", import.meta.url));
  const script = `${prelude}
    const W = { ...(await import(${JSON.stringify(kernel)})), ...(await import(${JSON.stringify(threads)})) };
    const { referenceBackend } = await import(${JSON.stringify(reference)});
    ${body}`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.error, undefined, `child did not exit: ${r.error}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim());
}

const PRODUCT = `
  const ok = await W.whenMatmulThreadsReady();
  const w = W.createWasmBackend(referenceBackend);
  const x = new Float64Array(200 * 200).fill(1);
  const out = new Float64Array(200 * 200);
  w.matmul(x, [200, 200], x, [200, 200], false, false, out, [200, 200]);
  console.log(JSON.stringify({ ok, split: W.matmulThreadStats().splitProducts, v: out[0] }));`;

test("the worker does not keep a Node process alive", () => {
  // The process ends by itself (no timeout) after a threaded product.
  assert.deepEqual(runChild("", PRODUCT), { ok: true, split: 1, v: 200 });
});

test("without process.getBuiltinModule (Node < 20.16) worker_threads loads by dynamic import", () => {
  const prelude = "delete process.getBuiltinModule;";
  assert.deepEqual(runChild(prelude, PRODUCT), { ok: true, split: 1, v: 200 });
});

test("where workers cannot start, products stay single-threaded", () => {
  // A Worker constructor that throws (as under a permission policy without --allow-worker).
  const prelude = `
    const wt = process.getBuiltinModule("node:worker_threads");
    const original = process.getBuiltinModule;
    process.getBuiltinModule = (id) =>
      id === "node:worker_threads" ? { ...wt, Worker: function () { throw new Error("denied"); } } : original(id);`;
  assert.deepEqual(runChild(prelude, PRODUCT), { ok: false, split: 0, v: 200 });
});

test("without Node globals (a browser bundle, no cross-origin isolation) products stay single-threaded", async () => {
  const { build } = await import("esbuild");
  const result = await build({
    stdin: {
      contents: `export * from "./src/backend/wasm/index.ts";
        export * from "./src/backend/wasm/matmul-threads.ts";`,
      resolveDir: fileURLToPath(new URL("../..", import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "wasmBackend",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  assert.doesNotMatch(code, /require\(["']node:|import\(["']node:/);
  const a = data(Float64Array, [150, 130], 7);
  const b = data(Float64Array, [130, 140], 8);
  const want = new Float64Array(150 * 140);
  R.matmul(a, [150, 130], b, [130, 140], false, false, want, [150, 140]);
  const context: Record<string, unknown> = { a, b, base: R };
  const out = runInNewContext(
    `${code}
    wasmBackend.enableMatmulThreads();
    const w = wasmBackend.createWasmBackend(base);
    const out = new Float64Array(150 * 140);
    w.matmul(a, [150, 130], b, [130, 140], false, false, out, [150, 140]);
    [w.name, Array.from(out), wasmBackend.matmulThreadStats(), typeof process];`,
    context,
  ) as [string, number[], { splitProducts: number; workers: number }, string];
  assert.equal(out[0], "wasm(reference)");
  assert.equal(out[3], "undefined");
  assert.deepEqual(JSON.parse(JSON.stringify(out[2])), {
    splitProducts: 0,
    workerTasks: 0,
    workers: 0,
  });
  assert.equal(firstDifference(Float64Array.from(out[1]), want), -1);
});
