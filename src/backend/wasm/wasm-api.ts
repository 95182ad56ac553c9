/**
 * @file The slice of the WebAssembly JS API the wasm backend uses, typed locally: the project
 * compiles with lib ES2022 and Node types only (no DOM lib), which do not declare `WebAssembly`,
 * and reading it off globalThis doubles as feature detection.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmApi {
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
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
