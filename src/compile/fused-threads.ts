/**
 * @file Worker threads for the jit's fused WebAssembly kernels ("both cores for large work"):
 * a kernel module exports `k(lo, hi, ...args)` (it may import `env.tanh` and `env.exp`, V8's Math functions), which computes units (elements or rows) [lo, hi)
 * of a fused loop into disjoint outputs of the program's shared memory, so a run over [0, total)
 * can be cut into chunks that threads compute at once, with results bit-identical to one call
 * k(0, total, ...args) (the kernel is pure and every unit is computed the same way).
 *
 * A compiled program registers its shared memory and its kernel modules once
 * (`threadedKernels`); every worker instantiates the modules over that memory. Registration
 * goes by postMessage, so workers keep their event loop free: they spin a little for the next
 * job, then sleep in Atomics.waitAsync (not a blocking Atomics.wait). A job is Atomics only, no
 * message: the caller writes the kernel index, the chunking and the args into the program's
 * control block (bytes [0, 256) of its memory), bumps the job generation in the pool's own
 * small shared buffer, runs the first chunk itself, claims further chunks like the workers do
 * (a compare-exchange on a counter), and waits for the chunks the workers took. A worker that
 * wakes late or not at all only means the caller computes more of the range.
 *
 * The pool starts lazily (the first registration), with min(4, cores) - 1 workers, found and
 * started as in matmul-threads.ts (../backend/wasm/workers.ts): Node worker_threads over an
 * inline source, unref()'d so they never keep a process alive, or Blob-URL workers in a
 * cross-origin-isolated page. Anywhere else registration returns undefined and programs run
 * single-threaded. A worker that throws (a bad module, a trap) marks the pool broken: later runs
 * return false and the caller runs its kernels single-threaded.
 */

import { threadHost, type WasmMemory, wasmApi } from "../backend/wasm/wasm-api.js";
import {
  browserCpus,
  canBlockHere,
  loadNode,
  type NodeBuiltins,
  type NodeWorkerCtor,
  now,
  startBrowserWorker,
  startNodeWorker,
  type WorkerHandle,
} from "../backend/wasm/workers.js";

/** Handle of one program's kernels in the pool. */
export interface ThreadedKernels {
  /** Whether a worker has instantiated this program's modules (run can split now). */
  ready(): boolean;
  /**
   * Runs kernel `index` over units [0, total): the caller runs the first chunk itself and
   * worker(s) the rest (the caller takes any chunk no worker has claimed yet), then waits for
   * them. Returns false (and runs NOTHING) when no worker is ready, the pool is broken, the
   * range is too small to cut, or there are more than `MAX_KERNEL_ARGS` args. A trap in the
   * kernel is thrown as it would be single-threaded (and breaks the pool).
   */
  run(index: number, total: number, args: readonly number[]): boolean;
  /** Forgets the program in the workers (also done automatically by a FinalizationRegistry). */
  release(): void;
}

/**
 * Int32 slots of the pool's control block (a small SharedArrayBuffer that every worker gets):
 * the doorbell the workers wait on, and state that is not per program.
 */
const POOL = {
  /** Generation of the latest job (1..32767); workers wait for it to change. */
  job: 0,
  /** Id of the latest job's program. */
  program: 1,
  /** Workers asleep in Atomics.waitAsync (the others spin and need no notify). */
  sleepers: 2,
  /** Messages posted to each worker so far (a spinning worker yields to read them). */
  mail: 16,
  /** Set when a worker threw or failed: threads are not used again. */
  broken: 17,
  /** How long (microseconds) a worker spins for the next job before it sleeps. */
  spinUs: 18,
  /** Chunks run by workers, all jobs (a statistic for tests). */
  workerChunks: 19,
  /** Workers running their job loop. */
  workers: 20,
  ints: 32,
} as const;

/**
 * Int32 slots of a program's control block, bytes [0, 256) of its memory. The words every chunk
 * touches (claim, done) share one cache line; the parameters, only read, start on another.
 */
const CTL = {
  /** Workers that instantiated this program's modules. */
  ready: 0,
  /** (generation << 16) | next chunk; 0xffff once the job is closed. */
  claim: 1,
  /** Chunks of the current job finished (by any thread). */
  done: 2,
  /** Bit i: chunk i threw in a worker. */
  failed: 3,
  kernel: 16,
  total: 17,
  /** Units per chunk (the last chunk may be shorter). */
  per: 18,
  chunks: 19,
  nargs: 20,
  args: 24,
  ints: 64,
} as const;

type PoolLayout = typeof POOL;
type CtlLayout = typeof CTL;

/** Bytes at the start of a program's memory that belong to this pool. */
export const CONTROL_BYTES = CTL.ints * 4;

/** Most kernel args (after lo and hi) a split run passes; with more, run returns false. */
export const MAX_KERNEL_ARGS = CTL.ints - CTL.args;

/** Most chunks of one job (the failed-chunk mask has 31 usable bits). */
const MAX_CHUNKS = 31;

/**
 * Chunks per thread: two lets the caller take the second chunk of a worker that wakes late (or
 * was descheduled by another process) while keeping per-chunk overhead negligible.
 */
const CHUNKS_PER_THREAD = 2;

/**
 * Chunk boundaries are multiples of this many units when the chunks are large: a float32 row of
 * 16 is one 64-byte cache line, so threads never write the same line and vector loops start
 * aligned.
 */
const GRAIN = 16;

/** Most threads (the caller included) the pool uses. */
const MAX_THREADS = 4;

/**
 * Default worker spin for the next job before sleeping: waking a sleeping worker costs the
 * caller a notify and the worker an event-loop turn before it helps, so back-to-back kernels
 * (one program's clusters) keep it awake. The same figure as the matmul pool's.
 */
const DEFAULT_SPIN_US = 200;

/** How long the caller spins for the workers' last chunks before it blocks (where it may). */
const MAIN_SPIN_MS = 2;

type KernelFn = (...args: number[]) => unknown;

/**
 * Claims and runs chunks of job `tag` of one program until none is left (or the job is another
 * one), and returns how many it ran. It runs in the workers as source text, so it must stay
 * self-contained: no closures, no inner functions, no module-level names (the layouts come as
 * arguments). A claim is a compare-exchange of (tag << 16 | i) to (tag << 16 | i + 1), so a
 * worker late from an old job can never take a chunk of a newer one, and the caller changes the
 * parameters only after closing a job whose claimed chunks have all finished. A chunk that
 * throws is marked in the failed mask (the caller reruns it, so the error surfaces on its
 * thread), the pool is marked broken and this worker takes no more chunks of the job.
 */
export function runWorkerChunks(
  ctl: Int32Array,
  tag: number,
  kernels: readonly KernelFn[],
  argv: number[],
  pool: Int32Array,
  P: PoolLayout,
  C: CtlLayout,
): number {
  let ran = 0;
  for (;;) {
    const c = Atomics.load(ctl, C.claim);
    if (c >>> 16 !== tag) return ran;
    const idx = c & 0xffff;
    const chunks = ctl[C.chunks]!;
    if (idx >= chunks) return ran;
    if (Atomics.compareExchange(ctl, C.claim, c, c + 1) !== c) continue;
    let ok = true;
    try {
      const per = ctl[C.per]!;
      const lo = idx * per;
      const n = ctl[C.nargs]!;
      argv.length = n + 2;
      argv[0] = lo;
      argv[1] = Math.min(ctl[C.total]!, lo + per);
      for (let i = 0; i < n; i++) argv[i + 2] = ctl[C.args + i]!;
      kernels[ctl[C.kernel]!]!.apply(undefined, argv);
    } catch {
      ok = false;
      Atomics.or(ctl, C.failed, 1 << idx);
      Atomics.store(pool, P.broken, 1);
    }
    ran++;
    if (Atomics.add(ctl, C.done, 1) + 1 === chunks) Atomics.notify(ctl, C.done);
    if (!ok) return ran;
  }
}

/**
 * The worker's source (a classic script; CommonJS in Node's eval mode). Messages: `init` (the
 * pool's buffer and the programs registered so far), `add` (a program: id, memory, modules;
 * instantiated at once, then counted ready in the program's control block) and `drop` (forget
 * a program). The job loop spins for a new generation a while, then sleeps in
 * Atomics.waitAsync so messages keep arriving; a spinning worker that sees unread mail yields to
 * its event loop first. Any error marks the pool broken and ends the loop.
 */
function workerSource(): string {
  return `"use strict";
const P = ${JSON.stringify(POOL)};
const C = ${JSON.stringify(CTL)};
const runChunks = ${runWorkerChunks.toString()};
const nodePort = typeof require === "function" ? require("worker_threads").parentPort : null;
const send = (msg) => (nodePort ? nodePort.postMessage(msg) : self.postMessage(msg));
const now = typeof performance === "object" ? () => performance.now() : () => Date.now();
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const programs = new Map();
let pool = null;
let mailSeen = 0;
let stopped = false;
const fail = (e) => {
  stopped = true;
  if (pool) Atomics.store(pool, P.broken, 1);
  send({ error: String((e && e.message) || e) });
};
const add = (p) => {
  const ctl = new Int32Array(p.memory.buffer, 0, C.ints);
  const kernels = p.modules.map((m) => {
    const k = new WebAssembly.Instance(m, { env: { memory: p.memory, tanh: Math.tanh, exp: Math.exp } }).exports.k;
    if (typeof k !== "function") throw new Error("a fused kernel module exports no function k");
    return k;
  });
  programs.set(p.id, { ctl, kernels });
  Atomics.add(ctl, C.ready, 1);
};
const loop = async () => {
  try {
    Atomics.add(pool, P.workers, 1);
    const argv = [];
    let seen = Atomics.load(pool, P.job);
    while (!stopped && Atomics.load(pool, P.broken) === 0) {
      let gen = Atomics.load(pool, P.job);
      const until = now() + Atomics.load(pool, P.spinUs) / 1000;
      for (let i = 1; gen === seen; i++) {
        if ((i & 63) === 0 && (now() > until || Atomics.load(pool, P.mail) !== mailSeen)) break;
        gen = Atomics.load(pool, P.job);
      }
      if (gen === seen) {
        if (Atomics.load(pool, P.mail) !== mailSeen) {
          await pause(0); // let the message handler run (registrations come by postMessage)
          continue;
        }
        if (typeof Atomics.waitAsync !== "function") {
          await pause(1); // no waitAsync (older engines): poll; the caller never waits for us
          continue;
        }
        // A job posted between the count and the wait makes the wait return at once (it
        // compares the generation atomically); the caller notifies when it sees a sleeper.
        Atomics.add(pool, P.sleepers, 1);
        const r = Atomics.waitAsync(pool, P.job, seen);
        if (r.async) await r.value;
        Atomics.sub(pool, P.sleepers, 1);
        continue;
      }
      seen = gen;
      const prog = programs.get(Atomics.load(pool, P.program));
      if (prog === undefined) continue;
      const ran = runChunks(prog.ctl, gen, prog.kernels, argv, pool, P, C);
      if (ran > 0) Atomics.add(pool, P.workerChunks, ran);
    }
  } catch (e) {
    fail(e);
  }
};
const onMessage = (msg) => {
  if (stopped) return;
  try {
    if (msg.init) {
      pool = new Int32Array(msg.init.pool);
      mailSeen = msg.init.mail;
      for (const p of msg.init.programs) add(p);
      send("ready");
      void loop();
      return;
    }
    mailSeen++;
    if (msg.add) add(msg.add);
    else if (msg.drop !== undefined) programs.delete(msg.drop);
  } catch (e) {
    fail(e);
  }
};
if (nodePort) nodePort.on("message", onMessage);
else self.onmessage = (e) => onMessage(e.data);
`;
}

// ---- the pool -----------------------------------------------------------------------------------

/** A registered program as the workers get it. */
interface ProgramMsg {
  id: number;
  memory: WasmMemory;
  modules: readonly object[];
}

interface Pool {
  /** The pool's control block (POOL's slots). */
  ctl: Int32Array;
  workers: WorkerHandle[];
  /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
  canBlock: boolean;
  /** Generation of the last job (1..32767). */
  gen: number;
}

/** "off": no threads here (no host, one core, or a setup failure). */
let state: "idle" | "loading" | "started" | "off" = "idle";
let pool: Pool | undefined;
const programs = new Map<number, ProgramMsg>();
/** Buffers of registered memories: one registration per memory (its control block is one). */
const registered = new WeakSet<object>();
let nextId = 1;
let spinUs = DEFAULT_SPIN_US;
let splitRuns = 0;

/** Forgets a released or collected program: here and in every worker. */
function forget(id: number): void {
  const prog = programs.get(id);
  if (prog === undefined) return;
  programs.delete(id);
  registered.delete(prog.memory.buffer);
  post({ drop: id });
}

const finalizer = new FinalizationRegistry<number>(forget);

/** Posts a message to every worker, counting it in the pool's mail word. */
function post(msg: unknown): void {
  const p = pool;
  if (p === undefined) return; // not started yet: `init` will carry the programs
  Atomics.add(p.ctl, POOL.mail, 1);
  for (const w of p.workers) {
    try {
      w.post(msg);
    } catch {
      Atomics.store(p.ctl, POOL.broken, 1);
    }
  }
}

function createPool(workers: number, Worker: NodeWorkerCtor | undefined): void {
  const p: Pool = {
    ctl: new Int32Array(new SharedArrayBuffer(POOL.ints * 4)),
    workers: [],
    canBlock: canBlockHere(),
    gen: 0,
  };
  Atomics.store(p.ctl, POOL.spinUs, spinUs);
  const src = workerSource();
  for (let i = 0; i < workers; i++) {
    let w: WorkerHandle;
    try {
      w = Worker ? startNodeWorker(Worker, src, "adjoint-fused") : startBrowserWorker(src);
      w.post({ init: { pool: p.ctl.buffer, mail: 0, programs: [...programs.values()] } });
    } catch {
      break;
    }
    // A worker that fails to load or dies cannot be trusted with chunks any more.
    w.listen(
      () => {},
      () => Atomics.store(p.ctl, POOL.broken, 1),
    );
    w.unref(); // again: listening may ref a Node worker
    p.workers.push(w);
  }
  if (p.workers.length === 0) {
    state = "off";
    return;
  }
  pool = p;
  state = "started";
}

/** Workers to start for `cpus` cores: the caller is the other thread. */
function workersFor(cpus: number): number {
  return Math.max(0, Math.min(MAX_THREADS, cpus) - 1);
}

/** Starts the pool if it is not started yet (and can be); never throws. */
function startPool(): void {
  if (state !== "idle") return;
  state = "off";
  try {
    const host = threadHost();
    if (host === undefined || wasmApi() === undefined) return;
    if (host === "browser") {
      const n = workersFor(browserCpus());
      if (n > 0) createPool(n, undefined);
      return;
    }
    const use = (b: NodeBuiltins | undefined) => {
      try {
        const n = b === undefined ? 0 : workersFor(b.cpus);
        if (b === undefined || n === 0) state = "off";
        else createPool(n, b.Worker);
      } catch {
        state = "off"; // also when called from a promise: never an unhandled rejection
      }
    };
    const loaded = loadNode();
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

/**
 * Registers a program's shared memory and kernel modules (WebAssembly.Module objects, each
 * exporting `k(lo, hi, ...args)` and importing the memory as `env.memory`); undefined where
 * threads are unavailable (no SharedArrayBuffer/Atomics, not cross-origin isolated, no
 * worker_threads, one core), for a memory that is not shared or is registered already, and
 * never throws. Starts the pool lazily (first call). Bytes [0, CONTROL_BYTES) of the memory
 * belong to the pool from now on.
 * @example
 * ```ts
 * const threads = threadedKernels(memory, [module]);
 * if (threads?.ready() && threads.run(0, n, [xAddr, outAddr])) {
 *   // done on two threads
 * } else kernel(0, n, xAddr, outAddr);
 * ```
 */
export function threadedKernels(
  memory: WasmMemory,
  modules: readonly object[],
): ThreadedKernels | undefined {
  try {
    if (state === "idle") startPool();
    if (state === "off") return undefined;
    const wasm = wasmApi();
    const buffer = memory.buffer;
    if (wasm === undefined || !(buffer instanceof SharedArrayBuffer)) return undefined;
    if (buffer.byteLength < CONTROL_BYTES || registered.has(buffer)) return undefined;
    if (!modules.every((m) => m instanceof wasm.Module)) return undefined;
    const ctl = new Int32Array(buffer, 0, CTL.ints);
    for (let i = 0; i < CTL.ints; i++) Atomics.store(ctl, i, 0);
    const id = nextId++;
    const prog: ProgramMsg = { id, memory, modules: [...modules] };
    programs.set(id, prog);
    registered.add(buffer);
    post({ add: prog });
    const handle = programHandle(prog, ctl);
    finalizer.register(handle, id, handle);
    return handle;
  } catch {
    return undefined;
  }
}

function programHandle(prog: ProgramMsg, ctl: Int32Array): ThreadedKernels {
  const { id, memory, modules } = prog;
  /** The caller's own instances' kernels, made on first use. */
  const kernels: (KernelFn | undefined)[] = [];
  let released = false;
  const kernel = (index: number): KernelFn | undefined => {
    let k = kernels[index];
    if (k === undefined) {
      const wasm = wasmApi()!;
      const f = new wasm.Instance(modules[index]!, {
        env: { memory, tanh: Math.tanh, exp: Math.exp },
      }).exports.k;
      if (typeof f !== "function") return undefined;
      k = f as KernelFn;
      kernels[index] = k;
    }
    return k;
  };
  const ready = (): boolean => {
    const p = pool;
    return (
      !released &&
      p !== undefined &&
      Atomics.load(p.ctl, POOL.broken) === 0 &&
      Atomics.load(ctl, CTL.ready) > 0
    );
  };
  const handle: ThreadedKernels = {
    ready,
    run(index, total, args) {
      if (!ready()) return false;
      if (!Number.isInteger(index) || index < 0 || index >= modules.length) return false;
      if (!Number.isInteger(total) || total < 2 || total > 0x7fffffff) return false;
      if (args.length > MAX_KERNEL_ARGS) return false;
      let k: KernelFn | undefined;
      try {
        k = kernel(index);
      } catch {
        k = undefined;
      }
      if (k === undefined) return false;
      return runSplit(pool!, ctl, id, index, total, args, k);
    },
    release() {
      if (released) return;
      released = true;
      finalizer.unregister(handle);
      forget(id);
    },
  };
  return handle;
}

/** The chunking of [0, total) for `threads` threads: [units per chunk, chunks]. */
function chunking(total: number, threads: number): [number, number] {
  const want = Math.min(MAX_CHUNKS, threads * CHUNKS_PER_THREAD);
  const grain = total >= 256 * want ? GRAIN : 1;
  const per = Math.ceil(total / want / grain) * grain;
  return [per, Math.ceil(total / per)];
}

/** Claims the next chunk no thread has taken yet, or returns -1 (the caller's claims). */
function claimNext(ctl: Int32Array, chunks: number): number {
  for (;;) {
    const c = Atomics.load(ctl, CTL.claim);
    const i = c & 0xffff;
    if (i >= chunks) return -1;
    if (Atomics.compareExchange(ctl, CTL.claim, c, c + 1) === c) return i;
  }
}

/** One split run (see `ThreadedKernels.run`); false if the range makes a single chunk. */
function runSplit(
  p: Pool,
  ctl: Int32Array,
  id: number,
  index: number,
  total: number,
  args: readonly number[],
  k: KernelFn,
): boolean {
  const [per, chunks] = chunking(total, 1 + Atomics.load(ctl, CTL.ready));
  if (chunks < 2) return false;
  ctl[CTL.kernel] = index;
  ctl[CTL.total] = total;
  ctl[CTL.per] = per;
  ctl[CTL.chunks] = chunks;
  ctl[CTL.nargs] = args.length;
  for (let i = 0; i < args.length; i++) ctl[CTL.args + i] = args[i]!;

  // Publish: the parameters are written before the claim word and the generation (seq-cst
  // stores) and not touched again until every claimed chunk has finished and the job is closed.
  // The caller owns chunk 0, so the claim counter starts at 1.
  const gen = (p.gen % 32767) + 1;
  p.gen = gen;
  Atomics.store(ctl, CTL.done, 0);
  Atomics.store(ctl, CTL.failed, 0);
  Atomics.store(ctl, CTL.claim, (gen << 16) | 1);
  Atomics.store(p.ctl, POOL.program, id);
  Atomics.store(p.ctl, POOL.job, gen);
  // Waking a sleeping worker costs this thread a notify; spinning ones need nothing.
  if (Atomics.load(p.ctl, POOL.sleepers) > 0) Atomics.notify(p.ctl, POOL.job);

  let error: unknown;
  let threw = false;
  let idx = 0;
  for (;;) {
    try {
      k(idx * per, Math.min(total, (idx + 1) * per), ...args);
    } catch (e) {
      threw = true;
      error = e;
    }
    Atomics.add(ctl, CTL.done, 1);
    if (threw) break;
    idx = claimNext(ctl, chunks);
    if (idx < 0) break;
  }

  // Close the job (no chunk starts after this), then wait for the chunks the workers claimed:
  // spin, as blocking adds a wake-up to this thread's latency, but block (where this thread
  // may) when a worker seems descheduled, so as not to take the core it needs.
  let claimed: number;
  for (;;) {
    const c = Atomics.load(ctl, CTL.claim);
    claimed = Math.min(c & 0xffff, chunks);
    if (Atomics.compareExchange(ctl, CTL.claim, c, (gen << 16) | 0xffff) === c) break;
  }
  const until = now() + MAIN_SPIN_MS;
  for (let spins = 1; ; spins++) {
    const d = Atomics.load(ctl, CTL.done);
    if (d >= claimed) break;
    if ((spins & 255) === 0 && p.canBlock && now() > until) Atomics.wait(ctl, CTL.done, d, 1);
  }
  splitRuns++;
  if (threw) {
    // A trap here would trap single-threaded too; the pool is not trusted after one.
    Atomics.store(p.ctl, POOL.broken, 1);
    throw error;
  }
  // Chunks that threw in a worker run again here: a pure kernel throws the same error on this
  // thread (as it would single-threaded), or completes the result.
  const failed = Atomics.load(ctl, CTL.failed);
  for (let i = 0; i < chunks; i++) {
    if ((failed & (1 << i)) !== 0) k(i * per, Math.min(total, (i + 1) * per), ...args);
  }
  return true;
}

/**
 * Sets how long workers spin for the next job before they sleep, in microseconds (default 200;
 * 0: sleep at once). Spinning burns the worker's core but saves a wake-up per kernel.
 */
export function setFusedThreadSpin(us: number = DEFAULT_SPIN_US): void {
  spinUs = Math.max(0, Math.min(2 ** 30, Math.floor(us)));
  if (pool !== undefined) Atomics.store(pool.ctl, POOL.spinUs, spinUs);
}

/**
 * Smallest ranges (units: elements or rows) worth splitting with a worker awake (spinning for
 * jobs) and with every worker asleep (a split then pays a notify and the worker's wake-up, ~30 us
 * median in Node 20's Atomics.waitAsync, while this thread works alone). Measured by
 * bench/fused-threads.ts (Node 20, 2 shared cores, medians of four runs; float64 SIMD kernels of
 * 1 and 5 multiply-adds per element): awake, 1.3-1.7x faster at 2^14 (one run 0.96x), 0.6-1.0x
 * below; asleep, 0.75-1.35x at 2^16 (mostly ~1.3x), 1.1-1.5x at 2^17, 1.4-1.75x from 2^18.
 * Heavier kernels per unit (rows, transcendental ops) pay earlier.
 */
export const SPLIT_MIN_UNITS = 2 ** 14;
export const SPLIT_MIN_UNITS_ASLEEP = 2 ** 16;

/** Whether a run over `units` units is worth splitting now (see `SPLIT_MIN_UNITS`). */
export function fusedSplitPays(units: number): boolean {
  return units >= (fusedWorkersAwake() ? SPLIT_MIN_UNITS : SPLIT_MIN_UNITS_ASLEEP);
}

/** Whether some worker is spinning for jobs (a split then starts without a wake-up). */
export function fusedWorkersAwake(): boolean {
  const p = pool;
  if (p === undefined) return false;
  return Atomics.load(p.ctl, POOL.workers) > Atomics.load(p.ctl, POOL.sleepers);
}

/**
 * Counters for tests: split runs, chunks run by workers, workers running, pool broken, programs
 * registered (not released or collected).
 */
export function fusedThreadStats(): {
  splitRuns: number;
  workerChunks: number;
  workers: number;
  broken: boolean;
  programs: number;
} {
  const p = pool;
  return {
    programs: programs.size,
    splitRuns,
    workerChunks: p ? Atomics.load(p.ctl, POOL.workerChunks) : 0,
    workers: p ? Atomics.load(p.ctl, POOL.workers) : 0,
    broken: p ? Atomics.load(p.ctl, POOL.broken) !== 0 : false,
  };
}
