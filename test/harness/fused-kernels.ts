/**
 * @file Small fused-kernel modules for the thread-pool tests (test/compile/fused-threads.test.ts
 * and its child processes): each imports a shared memory as `env.memory` and exports
 * `k(lo, hi, ...args)` like the jit's WebAssembly kernels.
 */

import { encodeModule, FunctionBuilder, I32 } from "../../src/backend/wasm/encoder.js";
import { type WasmMemory, wasmApi } from "../../src/backend/wasm/wasm-api.js";

/**
 * out[i] = x[i] * c[0] + c[1] over float64 for i in [lo, hi): k(lo, hi, x, out, c) with byte
 * addresses. With `trapAfterFirst`, a call with lo > 0 traps (an out-of-bounds load) before it
 * writes anything; with `shared` false, the module imports an unshared memory (a link error
 * against the program's shared one).
 */
export function affineBytes(
  opts: { trapAfterFirst?: boolean; shared?: boolean } = {},
): Uint8Array<ArrayBuffer> {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32], []);
  const [lo, hi, x, out, c] = [0, 1, 2, 3, 4];
  const i = f.local(I32);
  const off = f.local(I32);
  if (opts.trapAfterFirst) {
    f.get(lo).if_().i32Const(-8).i32Const(-8).f64Load().f64Store().end();
  }
  f.get(lo).set(i);
  f.block().loop();
  f.get(i).get(hi).i32LtS().i32Eqz().brIf(1);
  f.get(i).i32Const(8).i32Mul().set(off);
  f.get(out).get(off).i32Add();
  f.get(x).get(off).i32Add().f64Load();
  f.get(c).f64Load(0).f64Mul();
  f.get(c).f64Load(8).f64Add();
  f.f64Store();
  f.get(i).i32Const(1).i32Add().set(i);
  f.br(0);
  f.end().end();
  const shared = opts.shared ?? true;
  return encodeModule([{ name: "k", fn: f }], 1, shared ? { shared: true, maxPages: 65536 } : {});
}

export function affineModule(opts: { trapAfterFirst?: boolean; shared?: boolean } = {}): object {
  return new (wasmApi()!.Module)(affineBytes(opts));
}

/** A program's memory as the compiler makes it: shared, initial = maximum pages. */
export function sharedMemory(bytes: number): WasmMemory {
  const pages = Math.ceil(bytes / 65536) + 1;
  return new (wasmApi()!.Memory)({ initial: pages, maximum: pages, shared: true });
}

/** Layout of an affine program over n elements: control block, c, x, out (byte addresses). */
export function affineLayout(n: number): { c: number; x: number; out: number; bytes: number } {
  const c = 256;
  const x = c + 16;
  const out = x + 8 * n;
  return { c, x, out, bytes: out + 8 * n };
}

/** Fills c = [2, 1] and x[i] = sin(i) * 1e3 + i / 7 (varied bits). */
export function fillAffine(memory: WasmMemory, n: number): void {
  const { c, x } = affineLayout(n);
  const f = new Float64Array(memory.buffer);
  f[c / 8] = 2;
  f[c / 8 + 1] = 1;
  for (let i = 0; i < n; i++) f[x / 8 + i] = Math.sin(i) * 1e3 + i / 7;
}

/** Polls (setTimeout) until `ready()` or the deadline; false on timeout. */
export async function until(ready: () => boolean, ms = 20_000): Promise<boolean> {
  const t0 = Date.now();
  while (!ready()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
