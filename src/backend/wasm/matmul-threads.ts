/**
 * @file Multi-threaded wasm matmul: worker threads share the kernel's WebAssembly memory and take
 * tasks of a product from a control block in that memory, synchronised with Atomics only (no
 * message per product). The public API stays synchronous: the calling thread posts a job, works
 * on it itself, and waits (Atomics.wait in Node, a spin where the thread may not block) for the
 * tasks the workers took.
 *
 * A job is a group of batch items of one product (one item for a 2-D product):
 * - the caller copies the distinct A and B matrices of the group into memory (only it can read
 *   the caller's arrays),
 * - pack tasks pack A (row panels) and B (column panels) into the same packed layout as the
 *   single-threaded driver, cut at panel boundaries, so the packed bytes are identical,
 * - after a barrier (all pack tasks done), compute tasks each own a rectangle of whole tiles of
 *   C (or several whole items) and run the single-threaded loop nest over it, with the same k
 *   blocks in the same order: every element of C is summed exactly as single-threaded, so the
 *   results are bit-identical (float64 stays bit-identical to the reference backend).
 * Tasks are claimed dynamically (compare-exchange on a counter), so a worker that wakes late or
 * not at all only means the caller does more of the work.
 *
 * The pool is plugged into the wasm backend (thread-hook.ts) by `enableMatmulThreads`,
 * `setMatmulThreads` or `whenMatmulThreadsReady`; the Node entry point (src/node.ts) enables it by
 * default, browser bundles leave it out unless the page asks for it. Threads then start lazily, on
 * the first product large enough to split (`matmulThreadsPay`), and products run single-threaded
 * until a worker reports ready. In Node the worker is a
 * worker_threads Worker over an inline source string, found at run time without a static import
 * (this file is bundled for browsers too) and unref()'d, so it never keeps a process alive. In a
 * cross-origin-isolated page, a Blob-URL Worker. Anywhere else, or if anything about thread
 * setup fails, products stay single-threaded.
 */

import { ValueError } from "../../core/errors.js";
import type { Shape } from "../backend.js";
import { Odometer, sizeOf } from "../reference/strides.js";
import {
  alignEl,
  batchStrides,
  copyUnpadded,
  ensureMemory,
  type FloatArray,
  type Geometry,
  geometry,
  getInstance,
  type Instance,
  MAX_BYTES,
  type MatmulExports,
  RESERVED_BYTES,
} from "./matmul-kernel.js";
import { installThreadedMatmul } from "./thread-hook.js";
import { type ThreadHost, threadHost } from "./wasm-api.js";
import {
  browserCpus,
  canBlockHere,
  later,
  loadNode,
  type NodeBuiltins,
  type NodeWorkerCtor,
  now,
  onSettled,
  startBrowserWorker,
  startNodeWorker,
  type WorkerHandle,
} from "./workers.js";

/**
 * Int32 slots of the control block at byte 0 of the shared memory (RESERVED_BYTES long). The
 * words every task touches (job, claim, done) share one cache line; the parameters, which are
 * only read, start on another. `table` starts the per-item table (two slots per item: the index
 * of its A matrix and of its B matrix in the group).
 */
const LAYOUT = {
  /** Generation of the latest job (1..32767); workers wait for it to change. */
  job: 0,
  /** (generation << 16) | next task index; 0xffff once the job is closed. */
  claim: 1,
  /** Tasks of the current job finished. */
  done: 2,
  /** Set when a task threw (the job's result cannot be trusted). */
  err: 3,
  /** Workers that instantiated the module and wait for jobs. */
  ready: 16,
  /** Tasks run by workers, all jobs (a statistic for tests). */
  workerTasks: 17,
  /** Workers blocked in Atomics.wait (the others spin and need no notify). */
  sleepers: 18,
  /** How long (microseconds) a worker spins for the next job before it blocks. */
  spinUs: 19,
  total: 32,
  f64: 33,
  m: 34,
  n: 35,
  k: 36,
  mr: 37,
  nr: 38,
  mPanels: 39,
  nPanels: 40,
  kcBlock: 41,
  mcPanels: 42,
  ncPanels: 43,
  nPackA: 44,
  nPack: 45,
  nA: 46,
  nB: 47,
  nI: 48,
  aPerTask: 49,
  aChunk: 50,
  bPerTask: 51,
  bChunk: 52,
  itemsPerTask: 53,
  rowChunk: 54,
  colChunk: 55,
  aRs: 56,
  aCs: 57,
  bRs: 58,
  bCs: 59,
  rawA: 60,
  rawB: 61,
  rawAStride: 62,
  rawBStride: 63,
  pA: 64,
  pB: 65,
  pAStride: 66,
  pBStride: 67,
  c: 68,
  cStride: 69,
  table: 128,
  ints: RESERVED_BYTES / 4,
} as const;

type Layout = typeof LAYOUT;

/** Most batch items per job: the table must fit the control block. */
const MAX_ITEMS = (LAYOUT.ints - LAYOUT.table) >> 1;

/** Most tasks per job (task indices are 16 bits; 0xffff marks a closed job). */
const MAX_TASKS = 0xfffe;

/**
 * Claims and runs tasks of job `gen` until none is left (or the job is not `gen` any more), and
 * returns how many it ran. Runs on the calling thread and, as source text, in the workers: it
 * must stay self-contained (no closures, no inner functions, no module-level names; `L` carries
 * the slot numbers), which is also why it repeats a few lines instead of calling helpers.
 *
 * A claim is a compare-exchange of (gen << 16 | i) to (gen << 16 | i + 1), so a worker still
 * running an old generation can never take a task of a newer job, and the caller changes the
 * parameters only after closing a job whose tasks have all finished.
 */
export function runMatmulTasks(ctl: Int32Array, gen: number, ex: MatmulExports, L: Layout): number {
  let ran = 0;
  for (;;) {
    const c = Atomics.load(ctl, L.claim);
    if (c >>> 16 !== gen) return ran;
    const idx = c & 0xffff;
    const total = ctl[L.total]!;
    if (idx >= total) return ran;
    if (Atomics.compareExchange(ctl, L.claim, c, c + 1) !== c) continue;
    try {
      const f64 = ctl[L.f64] === 1;
      const eb = f64 ? 8 : 4;
      const k = ctl[L.k]!;
      const mr = ctl[L.mr]!;
      const nr = ctl[L.nr]!;
      const mPanels = ctl[L.mPanels]!;
      const nPanels = ctl[L.nPanels]!;
      const nPackA = ctl[L.nPackA]!;
      const nPack = ctl[L.nPack]!;
      if (idx < nPack) {
        // Pack task: whole matrices, or a range of panels of one matrix. B is packed as the
        // rows of op(B)^T (its columns), exactly as the single-threaded driver does.
        const isA = idx < nPackA;
        const t = isA ? idx : idx - nPackA;
        const pack = isA ? (f64 ? ex.packA64 : ex.packA32) : f64 ? ex.packB64 : ex.packB32;
        const mats = isA ? ctl[L.nA]! : ctl[L.nB]!;
        const per = isA ? ctl[L.aPerTask]! : ctl[L.bPerTask]!;
        const chunk = isA ? ctl[L.aChunk]! : ctl[L.bChunk]!;
        const panels = isA ? mPanels : nPanels;
        const w = isA ? mr : nr;
        const rows = isA ? ctl[L.m]! : ctl[L.n]!;
        const rs = isA ? ctl[L.aRs]! : ctl[L.bCs]!;
        const cs = isA ? ctl[L.aCs]! : ctl[L.bRs]!;
        const raw = isA ? ctl[L.rawA]! : ctl[L.rawB]!;
        const rawStride = isA ? ctl[L.rawAStride]! : ctl[L.rawBStride]!;
        const dst = isA ? ctl[L.pA]! : ctl[L.pB]!;
        const dstStride = isA ? ctl[L.pAStride]! : ctl[L.pBStride]!;
        let first = t * per;
        let last = Math.min(mats, first + per);
        let p0 = 0;
        let p1 = panels;
        if (per === 1) {
          const chunks = Math.ceil(panels / chunk);
          first = Math.floor(t / chunks);
          last = first + 1;
          p0 = (t % chunks) * chunk;
          p1 = Math.min(panels, p0 + chunk);
        }
        // Chunks end on panel boundaries: only the matrix's last panel is padded, as a whole.
        const r0 = p0 * w;
        const nRows = Math.min(rows, p1 * w) - r0;
        for (let i = first; i < last; i++) {
          pack(raw + i * rawStride + r0 * rs, rs, cs, nRows, k, dst + i * dstStride + r0 * k * eb);
        }
      } else {
        // Compute task: wait until every pack task has finished (they were all claimed first).
        while (Atomics.load(ctl, L.done) < nPack) {
          // spin: the other threads are packing now
        }
        const t = idx - nPack;
        const per = ctl[L.itemsPerTask]!;
        const rowChunk = ctl[L.rowChunk]!;
        const colChunk = ctl[L.colChunk]!;
        let first = t * per;
        let last = Math.min(ctl[L.nI]!, first + per);
        let i0 = 0;
        let i1 = mPanels;
        let j0 = 0;
        let j1 = nPanels;
        if (per === 1) {
          const cols = Math.ceil(nPanels / colChunk);
          const chunks = Math.ceil(mPanels / rowChunk) * cols;
          first = Math.floor(t / chunks);
          last = first + 1;
          const ch = t % chunks;
          i0 = Math.floor(ch / cols) * rowChunk;
          i1 = Math.min(mPanels, i0 + rowChunk);
          j0 = (ch % cols) * colChunk;
          j1 = Math.min(nPanels, j0 + colChunk);
        }
        const tile = f64 ? ex.tile64 : ex.tile32;
        const kcBlock = ctl[L.kcBlock]!;
        const mcPanels = ctl[L.mcPanels]!;
        const ncPanels = ctl[L.ncPanels]!;
        const nPad = nPanels * nr;
        const ldc = nPad * eb;
        const aStride = mr * k * eb;
        for (let it = first; it < last; it++) {
          const aBase = ctl[L.pA]! + ctl[L.table + 2 * it]! * ctl[L.pAStride]!;
          const bBase = ctl[L.pB]! + ctl[L.table + 2 * it + 1]! * ctl[L.pBStride]!;
          const cBase = ctl[L.c]! + it * ctl[L.cStride]!;
          // The single-threaded loop nest (matmul-kernel.ts), restricted to the rectangle.
          for (let jc = j0; jc < j1; jc += ncPanels) {
            const jEnd = Math.min(j1, jc + ncPanels);
            for (let pc = 0; pc < k; pc += kcBlock) {
              const kc = Math.min(kcBlock, k - pc);
              for (let ip = i0; ip < i1; ip += mcPanels) {
                const panels = Math.min(mcPanels, i1 - ip);
                for (let jp = jc; jp < jEnd; jp++) {
                  tile(
                    aBase + (ip * mr * k + pc * mr) * eb,
                    bBase + (jp * nr * k + pc * nr) * eb,
                    cBase + (ip * mr * nPad + jp * nr) * eb,
                    kc,
                    ldc,
                    pc > 0 ? 1 : 0,
                    panels,
                    aStride,
                  );
                }
              }
            }
          }
        }
      }
    } catch {
      Atomics.store(ctl, L.err, 1);
    }
    ran++;
    if (Atomics.add(ctl, L.done, 1) + 1 === total) Atomics.notify(ctl, L.done);
  }
}

/**
 * The worker's source (a classic script; CommonJS in Node's eval mode): receives the module and
 * the shared memory once, instantiates, counts itself ready, then waits for job generations and
 * runs their tasks, forever. It never needs its event loop again, so blocking in Atomics.wait is
 * fine, and the thread ends with the process.
 */
function workerSource(): string {
  return `"use strict";
const L = ${JSON.stringify(LAYOUT)};
const runTasks = ${runMatmulTasks.toString()};
const nodePort = typeof require === "function" ? require("worker_threads").parentPort : null;
const send = (msg) => (nodePort ? nodePort.postMessage(msg) : self.postMessage(msg));
const start = (msg) => {
  try {
    const ctl = new Int32Array(msg.memory.buffer, 0, L.ints);
    const ex = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } }).exports;
    const now = typeof performance === "object" ? () => performance.now() : () => Date.now();
    Atomics.add(ctl, L.ready, 1);
    send("ready");
    let seen = Atomics.load(ctl, L.job);
    for (;;) {
      // Spin a while for the next job (products often come in runs), then block. The caller
      // notifies only if it sees a sleeper; a job posted between the count and the wait makes
      // the wait return at once (it compares the generation atomically).
      let gen = Atomics.load(ctl, L.job);
      const until = now() + Atomics.load(ctl, L.spinUs) / 1000;
      for (let i = 1; gen === seen; i++) {
        if ((i & 63) === 0 && now() > until) break;
        gen = Atomics.load(ctl, L.job);
      }
      if (gen === seen) {
        Atomics.add(ctl, L.sleepers, 1);
        Atomics.wait(ctl, L.job, seen);
        Atomics.sub(ctl, L.sleepers, 1);
        continue;
      }
      seen = gen;
      const ran = runTasks(ctl, gen, ex, L);
      if (ran > 0) Atomics.add(ctl, L.workerTasks, ran);
    }
  } catch (e) {
    send({ error: String((e && e.message) || e) });
  }
};
if (nodePort) nodePort.once("message", start);
else self.onmessage = (e) => { self.onmessage = null; start(e.data); };
`;
}

/**
 * How long a worker spins for the next job before blocking: a blocked worker costs the caller
 * a futex wake (~10 us) plus ~10-20 us until it runs, which is most of a mid-size product, so
 * back-to-back products (batches, loops) keep it awake. Longer spins (1 ms) measured no better
 * on W2/W4/W5, whose products are far apart or large, and burn the worker's core longer.
 */
const DEFAULT_SPIN_US = 200;
let spinUs = DEFAULT_SPIN_US;

/** How long the caller spins for the workers' last tasks before it blocks. */
const MAIN_SPIN_MS = 2;

/** Most threads (the caller included) a product uses unless `setMatmulThreads` says otherwise. */
const DEFAULT_MAX_THREADS = 4;

interface Pool {
  inst: Instance;
  ctl: Int32Array;
  host: ThreadHost;
  /** Workers started (ready or not). */
  workers: WorkerHandle[];
  /** Workers not yet settled (ready or failed). */
  pending: number;
  /** Resolvers of `whenMatmulThreadsReady` calls waiting for the pending workers. */
  waiters: ((ready: boolean) => void)[];
  /** Set after a failed task: threads are not used again. */
  broken: boolean;
  /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
  canBlock: boolean;
  /** Generation of the last job (1..32767). */
  gen: number;
  src: string;
  Worker?: NodeWorkerCtor;
}

/** Total threads wanted (the caller included); undefined: the default. */
let wantedThreads: number | undefined;
let cpuCount = 1;
let pool: Pool | undefined;
/** "off": no threads here (no host, no shared memory, or a setup failure). */
let state: "idle" | "loading" | "started" | "off" = "idle";
let splitProducts = 0;

function threadsWanted(): number {
  return wantedThreads ?? Math.max(1, Math.min(DEFAULT_MAX_THREADS, cpuCount));
}

/** Starts workers until there are `threadsWanted() - 1` of them. */
function growPool(p: Pool): void {
  while (p.workers.length < threadsWanted() - 1) {
    let w: WorkerHandle;
    try {
      w =
        p.host === "node"
          ? startNodeWorker(p.Worker!, p.src, "adjoint-matmul")
          : startBrowserWorker(p.src);
      w.post({ module: p.inst.module, memory: p.inst.memory });
    } catch {
      if (p.workers.length === 0) state = "off";
      return;
    }
    p.workers.push(w);
    p.pending++;
    onSettled(w, () => {
      p.pending--;
      if (p.pending === 0) {
        for (const x of p.workers) x.unref();
        const ready = Atomics.load(p.ctl, LAYOUT.ready) > 0;
        for (const resolve of p.waiters.splice(0)) resolve(ready);
      }
    });
  }
}

function createPool(inst: Instance, host: ThreadHost, Worker?: NodeWorkerCtor): void {
  const p: Pool = {
    inst,
    ctl: new Int32Array(inst.memory.buffer, 0, LAYOUT.ints),
    host,
    workers: [],
    pending: 0,
    waiters: [],
    broken: false,
    canBlock: canBlockHere(),
    gen: 0,
    src: workerSource(),
  };
  if (Worker) p.Worker = Worker;
  Atomics.store(p.ctl, LAYOUT.spinUs, spinUs);
  pool = p;
  state = "started";
  growPool(p);
}

/** Starts the threads if they are not started yet (and can be); never throws. */
function startThreads(): void {
  if (state !== "idle") return;
  state = "off";
  try {
    const inst = getInstance();
    const host = threadHost();
    if (!inst.shared || host === undefined) return;
    if (host === "browser") {
      cpuCount = browserCpus();
      createPool(inst, host);
      return;
    }
    const loaded = loadNode();
    const use = (b: NodeBuiltins | undefined) => {
      try {
        if (b === undefined) {
          state = "off";
          return;
        }
        cpuCount = b.cpus;
        createPool(inst, host, b.Worker); // no workers yet if threadsWanted() is 1
      } catch {
        state = "off"; // also when called from a promise: never an unhandled rejection
      }
    };
    if (loaded instanceof Promise) {
      state = "loading";
      loaded.then(use, () => {
        state = "off";
      });
    } else use(loaded);
  } catch {
    state = "off";
  }
}

/** The pool if at least one worker is ready (starting the threads on first call), else undefined. */
function readyPool(): Pool | undefined {
  if (state === "idle") startThreads();
  const p = pool;
  if (p === undefined || p.broken || threadsWanted() < 2) return undefined;
  return Atomics.load(p.ctl, LAYOUT.ready) > 0 ? p : undefined;
}

/**
 * Starts the matmul threads if they are not started (tests and benchmarks use this; products
 * start them on their own when large enough) and resolves when every worker has settled: true
 * if at least one is ready to take work, false where threads are unavailable. While it waits,
 * the workers keep the Node process alive; afterwards they are unref()'d again.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * typeof (await ad.whenMatmulThreadsReady()); // => boolean
 * ```
 * @category Backends
 */
export function whenMatmulThreadsReady(): Promise<boolean> {
  enableMatmulThreads();
  startThreads();
  return new Promise((resolve) => {
    const check = () => {
      const p = pool;
      if (state === "loading") {
        later(check);
        return;
      }
      if (p === undefined || state === "off") {
        resolve(false);
        return;
      }
      if (p.pending === 0) {
        resolve(!p.broken && Atomics.load(p.ctl, LAYOUT.ready) > 0);
        return;
      }
      for (const w of p.workers) w.ref();
      p.waiters.push(resolve);
    };
    check();
  });
}

/**
 * Sets how many threads (the caller included) large products use: 1 turns threads off, more
 * starts workers as needed. The default is the CPU count, at most 4. Only speed changes: a
 * product's result does not depend on the thread count.
 * @throws {@link ValueError} when `count` is not a positive integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.setMatmulThreads(2);
 * ad.sum(ad.matmul(ad.ones([256, 256]), ad.ones([256, 256]))); // => tensor(16777216., dtype=float32)
 * ad.setMatmulThreads(0); // throws: ValueError: setMatmulThreads: count must be a positive integer
 * ```
 * @category Backends
 */
export function setMatmulThreads(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new ValueError(`setMatmulThreads: count must be a positive integer; got ${count}`);
  }
  wantedThreads = Math.min(count, 64);
  enableMatmulThreads();
  if (pool !== undefined && state === "started") growPool(pool);
}

/** The pool as the wasm backend sees it (thread-hook.ts). */
const threadedMatmul = {
  pays: (batches: number, m: number, n: number, k: number, f64: boolean) =>
    matmulThreadsPay(batches, m, n, k, f64, matmulWorkersAwake()),
  run: wasmMatmulThreaded,
};

/**
 * Lets large float products of the wasm backend use worker threads (the default count: the CPU
 * count, at most 4; see `setMatmulThreads`). The Node entry point calls it on load; in a browser,
 * where threads need a cross-origin-isolated page, call it (or `setMatmulThreads`) to opt in.
 * Workers start only when a product is large enough to split.
 *
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.enableMatmulThreads();
 * ad.matmul(ad.ones([2, 3]), ad.ones([3, 2])).toArray(); // => [ [ 3, 3 ], [ 3, 3 ] ]
 * ```
 * @category Backends
 */
export function enableMatmulThreads(): void {
  installThreadedMatmul(threadedMatmul);
}

/** Counters for tests: products split across threads, and tasks run by workers. */
export function matmulThreadStats(): {
  splitProducts: number;
  workerTasks: number;
  workers: number;
} {
  const p = pool;
  return {
    splitProducts,
    workerTasks: p ? Atomics.load(p.ctl, LAYOUT.workerTasks) : 0,
    workers: p ? Atomics.load(p.ctl, LAYOUT.ready) : 0,
  };
}

// ---- the threaded driver ------------------------------------------------------------------------

/**
 * Smallest work (batches * m * n * k, float64 counted twice: its kernel is half as fast) split
 * across threads while a worker is awake (spinning for jobs), and while all workers are
 * blocked: waking one costs the caller ~10 us and the worker ~10-20 us more before it helps.
 * Measured with a scan of square sizes (Node 20, 2 cores; docs/decisions/0007-matmul-threads.md):
 * awake, splitting wins from ~64^3 (float32) / ~48^3 (float64); blocked, from ~96^3 / ~80^3.
 */
export const THREADS_MIN_WORK = 2 ** 19;
export const THREADS_MIN_WORK_BLOCKED = 2 ** 20;

/** Whether a product of this size is worth splitting across threads. */
export function matmulThreadsPay(
  batches: number,
  m: number,
  n: number,
  k: number,
  f64: boolean,
  workersAwake: boolean,
): boolean {
  const work = batches * m * n * k * (f64 ? 2 : 1);
  return work >= (workersAwake ? THREADS_MIN_WORK : THREADS_MIN_WORK_BLOCKED);
}

/** Whether some ready worker is spinning for jobs (so a job starts without a futex wake). */
export function matmulWorkersAwake(): boolean {
  const p = pool;
  if (p === undefined) return false;
  return Atomics.load(p.ctl, LAYOUT.ready) > Atomics.load(p.ctl, LAYOUT.sleepers);
}

/** A group is kept under this many bytes of wasm memory (or the memory's size, if larger). */
const GROUP_BYTES = 32 * 1024 * 1024;
/** Pack tasks move at least this many elements; compute tasks do at least this many MACs. */
const MIN_PACK_ELEMENTS = 16384;
const MIN_TASK_MACS = 2 ** 16;
/** Aim for this many pack / compute tasks per thread (dynamic claiming balances the rest). */
const PACK_TASKS_PER_THREAD = 2;
const COMPUTE_TASKS_PER_THREAD = 6;

/**
 * The Backend `matmul` contract for float32 / float64, split across the caller and the worker
 * threads. Returns false when the threads are not ready (starting them if need be), unavailable
 * or broken, or the product does not fit in wasm memory: then the caller runs the
 * single-threaded kernel, which overwrites all of `out`.
 */
export function wasmMatmulThreaded(
  a: FloatArray,
  aShape: Shape,
  b: FloatArray,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
  out: FloatArray,
  outShape: Shape,
): boolean {
  const p = readyPool();
  if (p === undefined) return false;
  const ra = aShape.length;
  const ro = outShape.length;
  const m = outShape[ro - 2]!;
  const n = outShape[ro - 1]!;
  const k = transA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const batchShape = outShape.slice(0, ro - 2);
  const batches = sizeOf(batchShape);
  if (m * n === 0 || batches === 0 || k === 0) return false;
  const f64 = out instanceof Float64Array;
  const g = geometry(f64, m, n, k);
  const { eb } = g;
  // Per-matrix sizes in elements, each region 16-byte aligned.
  const rawAEl = alignEl(m * k, eb);
  const rawBEl = alignEl(k * n, eb);
  const pAEl = g.mPad * k;
  const pBEl = g.nPad * k;
  const cEl = g.mPad * g.nPad;
  const aBytes = (rawAEl + pAEl) * eb;
  const bBytes = (rawBEl + pBEl) * eb;
  const cBytes = cEl * eb;
  if (RESERVED_BYTES + aBytes + bBytes + cBytes > MAX_BYTES) return false;
  const budget = Math.max(GROUP_BYTES, p.inst.memory.buffer.byteLength) - RESERVED_BYTES;

  const iter = new Odometer(
    batchShape,
    [batchStrides(aShape, batchShape), batchStrides(bShape, batchShape)],
    [0, 0],
  );
  const offs = iter.offsets;
  const aIndex = new Map<number, number>();
  const bIndex = new Map<number, number>();
  const aList: number[] = [];
  const bList: number[] = [];
  const items: number[] = []; // (A index, B index) per item of the group
  let t = 0;
  while (t < batches) {
    // A group: consecutive items while their distinct matrices and outputs fit the budget.
    const t0 = t;
    aIndex.clear();
    bIndex.clear();
    aList.length = 0;
    bList.length = 0;
    items.length = 0;
    while (t < batches) {
      const nI = items.length >> 1;
      const newA = aIndex.has(offs[0]!) ? 0 : 1;
      const newB = bIndex.has(offs[1]!) ? 0 : 1;
      const bytes =
        (aList.length + newA) * aBytes + (bList.length + newB) * bBytes + (nI + 1) * cBytes;
      if (nI > 0 && (bytes > budget || nI >= MAX_ITEMS)) break;
      let ai = aIndex.get(offs[0]!);
      if (ai === undefined) {
        ai = aList.push(offs[0]!) - 1;
        aIndex.set(offs[0]!, ai);
      }
      let bi = bIndex.get(offs[1]!);
      if (bi === undefined) {
        bi = bList.push(offs[1]!) - 1;
        bIndex.set(offs[1]!, bi);
      }
      items.push(ai, bi);
      iter.next();
      t++;
    }
    if (!runGroup(p, g, a, b, out, m, n, k, transA, transB, aList, bList, items, t0)) return false;
  }
  splitProducts++;
  return true;
}

/** Splits `units` of `size` each into tasks of about `quantum`: [units per task, chunk]. */
function chunking(units: number, size: number, panels: number, quantum: number): [number, number] {
  const per = Math.max(1, Math.floor(quantum / size));
  if (per > 1) return [Math.min(per, units), panels];
  return [1, Math.max(1, Math.min(panels, Math.round((quantum / size) * panels)))];
}

/** Number of tasks `chunking` gives. */
function taskCount(units: number, per: number, panels: number, chunk: number): number {
  return per > 1 ? Math.ceil(units / per) : units * Math.ceil(panels / chunk);
}

/** One job: a group of batch items, run by the caller and the workers; false if a task failed. */
function runGroup(
  p: Pool,
  g: Geometry,
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  aList: readonly number[],
  bList: readonly number[],
  items: readonly number[],
  t0: number,
): boolean {
  const { eb, mr, nr, mPanels, nPanels, mPad, nPad } = g;
  const nA = aList.length;
  const nB = bList.length;
  const nI = items.length >> 1;
  const rawAEl = alignEl(m * k, eb);
  const rawBEl = alignEl(k * n, eb);
  const pAEl = mPad * k;
  const pBEl = nPad * k;
  const cEl = mPad * nPad;
  // Layout in bytes: raw As, raw Bs, packed As, packed Bs, Cs.
  const rawA = RESERVED_BYTES;
  const rawB = rawA + nA * rawAEl * eb;
  const pA = rawB + nB * rawBEl * eb;
  const pB = pA + nA * pAEl * eb;
  const c = pB + nB * pBEl * eb;
  const end = c + nI * cEl * eb;
  const inst = p.inst;
  const buf = ensureMemory(inst, end);
  if (buf === null) return false;
  const mem: FloatArray = eb === 8 ? new Float64Array(buf) : new Float32Array(buf);
  for (let i = 0; i < nA; i++)
    mem.set(a.subarray(aList[i]!, aList[i]! + m * k), rawA / eb + i * rawAEl);
  for (let i = 0; i < nB; i++)
    mem.set(b.subarray(bList[i]!, bList[i]! + k * n), rawB / eb + i * rawBEl);

  const ctl = p.ctl;
  const L = LAYOUT;
  for (let i = 0; i < items.length; i++) ctl[L.table + i] = items[i]!;
  const threads = 1 + Atomics.load(ctl, L.ready);
  // Pack tasks: a quantum of elements such that each thread gets a few tasks.
  const packQuantum = Math.max(
    MIN_PACK_ELEMENTS,
    Math.ceil((nA * pAEl + nB * pBEl) / (PACK_TASKS_PER_THREAD * threads)),
  );
  const [aPer, aChunk] = chunking(nA, pAEl, mPanels, packQuantum);
  const [bPer, bChunk] = chunking(nB, pBEl, nPanels, packQuantum);
  const nPackA = taskCount(nA, aPer, mPanels, aChunk);
  const nPack = nPackA + taskCount(nB, bPer, nPanels, bChunk);
  // Compute tasks: whole items if they are small, else rectangles of tiles, cut along columns
  // first (each B panel is then read by one task only), then along rows.
  const itemMacs = cEl * k;
  const quantum = Math.max(
    MIN_TASK_MACS,
    Math.ceil((nI * itemMacs) / (COMPUTE_TASKS_PER_THREAD * threads)),
  );
  const itemsPer = Math.max(1, Math.min(nI, Math.floor(quantum / itemMacs)));
  let rowChunk = mPanels;
  let colChunk = nPanels;
  let nCompute = Math.ceil(nI / itemsPer);
  if (itemsPer === 1) {
    const want = Math.max(1, Math.round(itemMacs / quantum));
    const cols = Math.min(nPanels, want);
    const rows = Math.min(mPanels, Math.ceil(want / cols));
    colChunk = Math.ceil(nPanels / cols);
    rowChunk = Math.ceil(mPanels / rows);
    nCompute = nI * Math.ceil(mPanels / rowChunk) * Math.ceil(nPanels / colChunk);
  }
  const total = nPack + nCompute;
  if (total > MAX_TASKS) return false; // cannot happen with MAX_ITEMS items, but stay safe

  ctl[L.total] = total;
  ctl[L.f64] = eb === 8 ? 1 : 0;
  ctl[L.m] = m;
  ctl[L.n] = n;
  ctl[L.k] = k;
  ctl[L.mr] = mr;
  ctl[L.nr] = nr;
  ctl[L.mPanels] = mPanels;
  ctl[L.nPanels] = nPanels;
  ctl[L.kcBlock] = g.kcBlock;
  ctl[L.mcPanels] = g.mcPanels;
  ctl[L.ncPanels] = g.ncPanels;
  ctl[L.nPackA] = nPackA;
  ctl[L.nPack] = nPack;
  ctl[L.nA] = nA;
  ctl[L.nB] = nB;
  ctl[L.nI] = nI;
  ctl[L.aPerTask] = aPer;
  ctl[L.aChunk] = aChunk;
  ctl[L.bPerTask] = bPer;
  ctl[L.bChunk] = bChunk;
  ctl[L.itemsPerTask] = itemsPer;
  ctl[L.rowChunk] = rowChunk;
  ctl[L.colChunk] = colChunk;
  // Byte strides of op(A)[i, p] and op(B)[p, j] in their raw copies.
  ctl[L.aRs] = (transA ? 1 : k) * eb;
  ctl[L.aCs] = (transA ? m : 1) * eb;
  ctl[L.bRs] = (transB ? 1 : n) * eb;
  ctl[L.bCs] = (transB ? k : 1) * eb;
  ctl[L.rawA] = rawA;
  ctl[L.rawB] = rawB;
  ctl[L.rawAStride] = rawAEl * eb;
  ctl[L.rawBStride] = rawBEl * eb;
  ctl[L.pA] = pA;
  ctl[L.pB] = pB;
  ctl[L.pAStride] = pAEl * eb;
  ctl[L.pBStride] = pBEl * eb;
  ctl[L.c] = c;
  ctl[L.cStride] = cEl * eb;

  // Publish: the parameters are written before the claim word and the generation (seq-cst
  // stores), and are not touched again until every task has finished and the job is closed.
  const gen = (p.gen % 32767) + 1;
  p.gen = gen;
  Atomics.store(ctl, L.done, 0);
  Atomics.store(ctl, L.err, 0);
  Atomics.store(ctl, L.claim, gen << 16);
  Atomics.store(ctl, L.job, gen);
  // Waking a blocked worker costs the caller ~10 us (a futex wake); spinning ones need nothing.
  if (Atomics.load(ctl, L.sleepers) > 0) Atomics.notify(ctl, L.job);
  runMatmulTasks(ctl, gen, inst.exports, L);
  // Wait for the tasks the workers took (at most one task each, by the end): spin, as blocking
  // would add a futex wake to this thread's latency, but block (where this thread may) when a
  // worker seems descheduled, so as not to take the core it needs.
  const until = now() + MAIN_SPIN_MS;
  for (let spins = 1; ; spins++) {
    const d = Atomics.load(ctl, L.done);
    if (d >= total) break;
    if ((spins & 255) === 0 && p.canBlock && now() > until) Atomics.wait(ctl, L.done, d, 1);
  }
  Atomics.store(ctl, L.claim, (gen << 16) | 0xffff);
  if (Atomics.load(ctl, L.err) !== 0) {
    p.broken = true;
    return false;
  }

  const mn = m * n;
  const cStart = c / eb;
  for (let i = 0; i < nI; i++) {
    const o = (t0 + i) * mn;
    copyUnpadded(mem, cStart + i * cEl, nPad, out, o, m, n);
  }
  return true;
}

/**
 * Sets how long workers spin for the next job before they block, in microseconds (default
 * 200; 0: block at once). Spinning burns the worker's core but saves a wake-up per product.
 */
export function setMatmulThreadSpin(us: number = DEFAULT_SPIN_US): void {
  spinUs = Math.max(0, Math.min(2 ** 30, Math.floor(us)));
  if (pool !== undefined) Atomics.store(pool.ctl, LAYOUT.spinUs, spinUs);
}
