/**
 * @file Tests of the fused-kernel thread pool (src/compile/fused-threads.ts): a kernel split
 * across the caller and a worker writes exactly the bits of one single-threaded call, for odd
 * sizes and two programs at once; release forgets a program; bad input declines (false), never
 * throws; a worker that fails or a kernel that traps breaks the pool without hanging; a process
 * using the pool exits on its own. No timing assertions.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { wasmApi } from "../../src/backend/wasm/wasm-api.js";
import {
  fusedThreadStats,
  MAX_KERNEL_ARGS,
  runWorkerChunks,
  setFusedThreadSpin,
  type ThreadedKernels,
  threadedKernels,
} from "../../src/compile/fused-threads.js";
import {
  affineLayout,
  affineModule,
  fillAffine,
  sharedMemory,
  until,
} from "../harness/fused-kernels.js";

const wasm = wasmApi()!;
const N = 1_000_003;

interface Program {
  memory: ReturnType<typeof sharedMemory>;
  threads: ThreadedKernels;
  /** The kernel on this thread, for the single-threaded result. */
  k: (...args: number[]) => void;
  layout: ReturnType<typeof affineLayout>;
}

async function program(n: number): Promise<Program> {
  const layout = affineLayout(n);
  const memory = sharedMemory(layout.bytes);
  fillAffine(memory, n);
  const mod = affineModule();
  const threads = threadedKernels(memory, [mod]);
  assert.ok(threads, "threadedKernels returned undefined in Node");
  assert.ok(await until(() => threads.ready()), "no worker became ready");
  const k = new wasm.Instance(mod, { env: { memory } }).exports.k as (...args: number[]) => void;
  return { memory, threads, k, layout };
}

/** Runs [0, total) split and single-threaded into a copy; asserts the same bytes. */
function checkSplit(p: Program, total: number): void {
  const { x, out, c } = p.layout;
  const bytes = new Uint8Array(p.memory.buffer, out, total * 8);
  new Float64Array(p.memory.buffer, out, total).fill(Number.NaN);
  p.k(0, total, x, out, c);
  const single = bytes.slice();
  new Float64Array(p.memory.buffer, out, total).fill(Number.NaN);
  assert.equal(p.threads.run(0, total, [x, out, c]), true, `total ${total}: run declined`);
  assert.equal(Buffer.compare(bytes, single), 0, `total ${total}`);
}

let first: Program;

test("declines where it cannot split: an unshared memory, bad arguments", async () => {
  const plain = new wasm.Memory({ initial: 1 });
  assert.equal(threadedKernels(plain, [affineModule()]), undefined);
  assert.equal(threadedKernels(sharedMemory(1024), [{}]), undefined);
  first = await program(N);
  // The same memory twice would share one control block.
  assert.equal(threadedKernels(first.memory, [affineModule()]), undefined);
  const { x, out, c } = first.layout;
  assert.equal(first.threads.run(1, N, [x, out, c]), false); // no kernel 1
  assert.equal(first.threads.run(0, 1, [x, out, c]), false); // one unit: nothing to split
  assert.equal(first.threads.run(0, 2.5, [x, out, c]), false);
  assert.equal(first.threads.run(0, N, new Array(MAX_KERNEL_ARGS + 1).fill(0)), false);
});

test("split runs equal one single-threaded call bit for bit, odd sizes", () => {
  setFusedThreadSpin(100_000); // keep the worker awake, so it takes chunks
  const before = fusedThreadStats();
  for (const total of [2, 3, 17, 255, 1000, 4097, 65_537, N]) checkSplit(first, total);
  for (let i = 0; i < 20; i++) checkSplit(first, N);
  const after = fusedThreadStats();
  assert.equal(after.workers, 1); // min(4, 2 cores) - 1
  assert.ok(after.splitRuns > before.splitRuns);
  assert.ok(after.workerChunks > before.workerChunks, "the worker ran no chunk");
  setFusedThreadSpin();
});

test("a sleeping worker is woken (or the caller does the work): same bits", async () => {
  setFusedThreadSpin(0);
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10)); // the worker is asleep by now
    checkSplit(first, N);
  }
  setFusedThreadSpin();
});

test("two programs at once, then release", async () => {
  const second = await program(50_001);
  for (let i = 0; i < 5; i++) {
    checkSplit(first, N);
    checkSplit(second, 50_001);
  }
  second.threads.release();
  assert.equal(second.threads.ready(), false);
  const { x, out, c } = second.layout;
  assert.equal(second.threads.run(0, 50_001, [x, out, c]), false);
  second.threads.release(); // twice is harmless
  checkSplit(first, N); // the other program is unaffected
  // A released memory can be registered again.
  const again = threadedKernels(second.memory, [affineModule()]);
  assert.ok(again);
  assert.ok(await until(() => again.ready()));
  assert.equal(again.run(0, 50_001, [x, out, c]), true);
  again.release();
});

test("the chunk runner is self-contained (it runs as source text in the workers)", () => {
  const src = runWorkerChunks.toString();
  assert.doesNotMatch(src, /__name|=>|function\s*\w*\s*\([^)]*\)\s*\{[\s\S]*function/);
});

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `body` in a fresh Node process (tsx); returns its JSON output. */
function runChild(body: string, flags: string[] = []): unknown {
  const script = `
    import * as T from ${JSON.stringify(`${root}src/compile/fused-threads.ts`)};
    import * as K from ${JSON.stringify(`${root}test/harness/fused-kernels.ts`)};
    ${body}`;
  const r = spawnSync(
    process.execPath,
    [...flags, "--import", "tsx", "--input-type=module", "-e", script],
    {
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  assert.equal(r.error, undefined, `child did not exit: ${r.error}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim());
}

const SPLIT_RUN = `
    const n = 100_000, L = K.affineLayout(n), memory = K.sharedMemory(L.bytes);
    K.fillAffine(memory, n);
    const h = T.threadedKernels(memory, [K.affineModule()]);
    const ready = await K.until(() => h.ready());
    const ran = h.run(0, n, [L.x, L.out, L.c]);
    console.log(JSON.stringify({ ready, ran, v: new Float64Array(memory.buffer, L.out, n)[1] }));`;
const SPLIT_RESULT = { ready: true, ran: true, v: (Math.sin(1) * 1e3 + 1 / 7) * 2 + 1 };

test("the workers do not keep a Node process alive", () => {
  // The child ends by itself (no timeout) after a split run, its worker still registered.
  assert.deepEqual(runChild(SPLIT_RUN), SPLIT_RESULT);
});

test("without process.getBuiltinModule (Node < 20.16) worker_threads loads by dynamic import", () => {
  // The program registered while the pool was loading reaches the worker with its start message.
  assert.deepEqual(runChild(`delete process.getBuiltinModule;\n${SPLIT_RUN}`), SPLIT_RESULT);
});

test("a program nobody references any more is forgotten (FinalizationRegistry)", () => {
  const out = runChild(
    `
    const n = 1000, L = K.affineLayout(n);
    const register = () => { const h = T.threadedKernels(K.sharedMemory(L.bytes), [K.affineModule()]); return h !== undefined; };
    const registered = register() && register();
    const before = T.fusedThreadStats().programs;
    let after = before;
    for (let i = 0; i < 200 && after > 0; i++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = T.fusedThreadStats().programs;
    }
    console.log(JSON.stringify({ registered, before, after }));`,
    ["--expose-gc"],
  );
  assert.deepEqual(out, { registered: true, before: 2, after: 0 });
});

test("a module the worker cannot instantiate breaks the pool: run declines, no hang", () => {
  const out = runChild(`
    const n = 1000, L = K.affineLayout(n);
    const good = K.sharedMemory(L.bytes);
    const h = T.threadedKernels(good, [K.affineModule()]);
    await K.until(() => h.ready());
    const bad = T.threadedKernels(K.sharedMemory(L.bytes), [K.affineModule({ shared: false })]);
    const broken = await K.until(() => T.fusedThreadStats().broken);
    console.log(JSON.stringify({ bad: bad !== undefined, broken, ready: h.ready(),
      ran: h.run(0, n, [L.x, L.out, L.c]) }));`);
  assert.deepEqual(out, { bad: true, broken: true, ready: false, ran: false });
});

// Last: it breaks this process's pool.
test("a kernel that traps throws as single-threaded, breaks the pool, never hangs", async () => {
  const layout = affineLayout(N);
  const memory = sharedMemory(layout.bytes);
  fillAffine(memory, N);
  const threads = threadedKernels(memory, [affineModule({ trapAfterFirst: true })]);
  assert.ok(threads);
  assert.ok(await until(() => threads.ready()));
  setFusedThreadSpin(100_000);
  const { x, out, c } = layout;
  // Chunk 0 (lo = 0) runs; every other chunk traps, on the worker or on this thread.
  assert.throws(
    () => threads.run(0, N, [x, out, c]),
    (e: Error) => e.constructor.name === "RuntimeError",
  );
  assert.equal(fusedThreadStats().broken, true);
  assert.equal(threads.ready(), false);
  assert.equal(threads.run(0, N, [x, out, c]), false);
  assert.equal(first.threads.run(0, N, [first.layout.x, first.layout.out, first.layout.c]), false);
  setFusedThreadSpin();
});
