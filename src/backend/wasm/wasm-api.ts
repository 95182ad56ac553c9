/**
 * @file The slice of the WebAssembly JS API the wasm backend uses, typed locally: the project
 * compiles with lib ES2022 and Node types only (no DOM lib), which do not declare `WebAssembly`,
 * and reading it off globalThis doubles as feature detection.
 */

export interface WasmMemory {
  /** An ArrayBuffer, or a SharedArrayBuffer for a shared memory. */
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}

export interface WasmApi {
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
}

/** The engine's WebAssembly object, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  const g = globalThis as { WebAssembly?: WasmApi };
  return typeof g.WebAssembly === "object" ? g.WebAssembly : undefined;
}

/** Where matmul worker threads can run: Node (worker_threads), a cross-origin-isolated page. */
export type ThreadHost = "node" | "browser";

/**
 * The kind of host that can run worker threads over a shared memory, or undefined (checked
 * without touching any Node API: this file is bundled for browsers too). Node needs
 * SharedArrayBuffer and Atomics, which it always has; a browser also needs cross-origin
 * isolation (`crossOriginIsolated`), Worker, Blob and URL.createObjectURL.
 */
export function threadHost(): ThreadHost | undefined {
  const g = globalThis as {
    process?: { versions?: { node?: string } };
    crossOriginIsolated?: boolean;
    Worker?: unknown;
    Blob?: unknown;
    URL?: { createObjectURL?: unknown };
    SharedArrayBuffer?: unknown;
    Atomics?: unknown;
  };
  if (typeof g.SharedArrayBuffer !== "function" || typeof g.Atomics !== "object") return undefined;
  if (typeof g.process?.versions?.node === "string") return "node";
  if (
    g.crossOriginIsolated === true &&
    typeof g.Worker === "function" &&
    typeof g.Blob === "function" &&
    typeof g.URL?.createObjectURL === "function"
  ) {
    return "browser";
  }
  return undefined;
}
