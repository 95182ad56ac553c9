/**
 * @file Starting worker threads without Node or DOM types, shared by the thread pools (the wasm
 * matmul's, matmul-threads.ts, and the jit's fused kernels', compile/fused-threads.ts). In Node a
 * worker_threads Worker over an inline source string, found at run time without a static import
 * (these files are bundled for browsers too) and unref()'d, so it never keeps a process alive; in
 * a cross-origin-isolated page a Blob-URL Worker. The library compiles against lib ES2022 alone,
 * so every host API is read off globalThis with a local type.
 */

/** What a pool needs of a Node or browser Worker. */
export interface WorkerHandle {
  post(msg: unknown): void;
  /**
   * Calls `onMessage` with each message the worker posts, and `onFail` once if it fails to load,
   * throws outside its own try/catch or exits.
   */
  listen(onMessage: (msg: unknown) => void, onFail: () => void): void;
  ref(): void;
  unref(): void;
}

/** The slice of node:worker_threads used here. */
interface NodeWorker {
  postMessage(msg: unknown): void;
  on(event: "message" | "error" | "exit", cb: (x: unknown) => void): void;
  ref(): void;
  unref(): void;
}
export type NodeWorkerCtor = new (
  src: string,
  opts: { eval: true; name: string; execArgv: string[] },
) => NodeWorker;

/** The slice of a browser Worker used here. */
interface BrowserWorker {
  postMessage(msg: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: unknown) => void) | null;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Node's builtins as far as used here: Worker and the number of CPUs. */
export interface NodeBuiltins {
  Worker: NodeWorkerCtor;
  cpus: number;
}

function nodeBuiltins(wt: unknown, os: unknown): NodeBuiltins | undefined {
  const Worker = (wt as { Worker?: NodeWorkerCtor } | undefined)?.Worker;
  if (typeof Worker !== "function") return undefined;
  const o = os as { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
  const cpus = o?.availableParallelism?.() ?? o?.cpus?.().length ?? 1;
  return { Worker, cpus };
}

/**
 * Node's worker_threads and os without a static import (bundlers must not see one): through
 * process.getBuiltinModule (Node >= 20.16, synchronous) when present, else a dynamic import
 * that bundlers cannot follow (asynchronous; work stays single-threaded meanwhile).
 */
export function loadNode(): NodeBuiltins | Promise<NodeBuiltins | undefined> | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (typeof proc?.getBuiltinModule === "function") {
    return nodeBuiltins(
      proc.getBuiltinModule("node:worker_threads"),
      proc.getBuiltinModule("node:os"),
    );
  }
  const dynamicImport = new Function("s", "return import(s)") as (s: string) => Promise<unknown>;
  return Promise.all([dynamicImport("node:worker_threads"), dynamicImport("node:os")]).then(
    ([wt, os]) => nodeBuiltins(wt, os),
    () => undefined,
  );
}

/** A Node worker over the script `src` (CommonJS, eval mode), already unref()'d. */
export function startNodeWorker(Worker: NodeWorkerCtor, src: string, name: string): WorkerHandle {
  // execArgv []: not the parent's loaders and flags (e.g. --import tsx), a lean isolate.
  const w = new Worker(src, { eval: true, name, execArgv: [] });
  w.unref();
  return {
    post: (msg) => w.postMessage(msg),
    listen(onMessage, onFail) {
      let failed = false;
      const fail = () => {
        if (!failed) onFail();
        failed = true;
      };
      w.on("message", onMessage);
      w.on("error", fail);
      w.on("exit", fail);
    },
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
}

/** A browser worker over the classic script `src`, from a Blob URL. */
export function startBrowserWorker(src: string): WorkerHandle {
  // Present wherever threadHost() said "browser" (it checks each of them).
  const g = globalThis as {
    Worker?: new (url: string) => BrowserWorker;
    Blob?: new (parts: string[], opts: { type: string }) => object;
    URL?: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  };
  const URL = g.URL!;
  const url = URL.createObjectURL(new g.Blob!([src], { type: "text/javascript" }));
  const w = new g.Worker!(url);
  // The URL is revoked once the worker has loaded (its first message) or failed: revoking it
  // right away could race the worker's fetch of the script.
  let revoked = false;
  const revoke = () => {
    if (!revoked) URL.revokeObjectURL(url);
    revoked = true;
  };
  return {
    post: (msg) => w.postMessage(msg),
    listen(onMessage, onFail) {
      let failed = false;
      w.onmessage = (e) => {
        revoke();
        onMessage(e.data);
      };
      w.onerror = () => {
        revoke();
        if (!failed) onFail();
        failed = true;
      };
    },
    ref() {},
    unref() {},
  };
}

/**
 * Calls back once: true when the worker's first message is "ready", false when it is anything
 * else or the worker failed (the pools' start-up handshake).
 */
export function onSettled(w: WorkerHandle, cb: (ok: boolean) => void): void {
  let settled = false;
  const settle = (ok: boolean) => {
    if (!settled) cb(ok);
    settled = true;
  };
  w.listen(
    (msg) => settle(msg === "ready"),
    () => settle(false),
  );
}

/** The number of CPUs a page may use (navigator.hardwareConcurrency), 1 if unknown. */
export function browserCpus(): number {
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return hc?.hardwareConcurrency ?? 1;
}

/** A monotonic clock in milliseconds (performance.now in Node and browsers). */
export function now(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? perf.now() : Date.now();
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
export function canBlockHere(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` on a later turn of the event loop. setTimeout is in every host threads start in
 * (Node, browsers) but not in lib ES2022, which the library compiles against alone so its
 * declarations carry no DOM or Node types.
 */
export function later(fn: () => void): void {
  const g = globalThis as { setTimeout?: (cb: () => void, ms: number) => unknown };
  if (g.setTimeout) g.setTimeout(fn, 1);
  else void Promise.resolve().then(fn); // unreached: only Node waits for a "loading" state
}
