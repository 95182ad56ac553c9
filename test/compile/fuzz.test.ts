/**
 * @file Random programs through the compiler: seeded random sequences of elementwise ops with
 * broadcasting, casts, selects, reductions (sum, max, min, prod over random axes), slices, pads,
 * reshapes and transposes over small shapes, float64 and float32. Every compiled run (generated
 * code and interpreter, twice) equals graph.call bit for bit, and so does the gradient of the
 * sum of the float outputs.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileGraph } from "../../src/compile/program.js";
import * as ad from "../../src/index.js";
import { mulberry32 } from "../harness/mulberry32.js";
import { assertSameBits as same } from "../harness/same-bits.js";

type T = ad.Tensor;

const rng = mulberry32;

/** One step of a random program: reads pool entries (by index) and pushes one result. */
type Op = (pool: readonly T[]) => T;

const UNARY: ((x: T) => T)[] = [
  (x) => ad.exp(x.mul(0.3)),
  (x) => ad.tanh(x),
  (x) => ad.sin(x),
  (x) => ad.abs(x),
  (x) => ad.square(x),
  (x) => ad.neg(x),
  (x) => ad.sqrt(ad.abs(x).add(0.1)),
  (x) => ad.log1p(ad.abs(x)),
  (x) => ad.sigmoid(x),
  (x) => ad.floor(x.mul(2)),
];

const BINARY: ((x: T, y: T) => T)[] = [
  (x, y) => x.add(y),
  (x, y) => x.sub(y),
  (x, y) => x.mul(y),
  (x, y) => x.div(ad.abs(y).add(0.5)),
  (x, y) => ad.maximum(x, y),
  (x, y) => ad.minimum(x, y),
  (x, y) => ad.where(ad.greater(x, y), x, y.mul(0.5)),
  (x, y) => ad.hypot(x, y),
];

function randomAxes(next: () => number, ndim: number): number[] {
  const axes: number[] = [];
  for (let d = 0; d < ndim; d++) if (next() < 0.5) axes.push(d);
  return axes.length === 0 && ndim > 0 ? [ndim - 1] : axes;
}

/** A random op for the pool, or null when the pick does not fit (tried again). */
function randomOp(next: () => number, pool: readonly T[]): Op | null {
  const pick = () => Math.floor(next() * pool.length);
  const a = pick();
  const b = pick();
  const x = pool[a]!;
  const kind = next();
  if (kind < 0.25) {
    const f = UNARY[Math.floor(next() * UNARY.length)]!;
    return (p) => f(p[a]!);
  }
  if (kind < 0.55) {
    const f = BINARY[Math.floor(next() * BINARY.length)]!;
    return (p) => f(p[a]!, p[b]!);
  }
  if (kind < 0.7) {
    if (x.ndim === 0) return null;
    const axes = randomAxes(next, x.ndim);
    const keepdims = next() < 0.4;
    const which = Math.floor(next() * 4);
    return (p) => {
      const t = p[a]!;
      if (which === 0) return ad.sum(t, { axis: axes, keepdims });
      if (which === 1) return ad.max(t, { axis: axes, keepdims });
      if (which === 2) return ad.min(t, { axis: axes, keepdims });
      return ad.prod(ad.tanh(t).mul(0.5).add(1), { axis: axes, keepdims });
    };
  }
  if (kind < 0.78) {
    if (x.ndim === 0 || x.shape[0]! < 2) return null;
    const n = x.shape[0]!;
    const start = Math.floor(next() * (n - 1));
    const len = 1 + Math.floor(next() * (n - start - 1));
    return (p) => {
      const t = p[a]!;
      return ad.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [len, ...t.shape.slice(1)]);
    };
  }
  if (kind < 0.86) {
    if (x.ndim === 0) return null;
    const before = Math.floor(next() * 3);
    const after = Math.floor(next() * 3);
    const value = next() < 0.5 ? 0 : -1.5;
    return (p) => {
      const t = p[a]!;
      const widths = t.shape.map((_, d): [number, number] => (d === 0 ? [before, after] : [0, 0]));
      return ad.pad(t, widths, value);
    };
  }
  if (kind < 0.92) {
    const flat = next() < 0.5;
    return (p) => {
      const t = p[a]!;
      if (flat || t.ndim === 0) return ad.reshape(t, [t.size, 1]);
      return ad.reshape(t, [...t.shape.slice(0, -1), 1, t.shape[t.ndim - 1]!]);
    };
  }
  if (kind < 0.96) {
    if (x.ndim < 2) return null;
    return (p) => {
      const t = p[a]!;
      const perm = t.shape.map((_, d) => d).reverse();
      return ad.transpose(t, perm);
    };
  }
  if (kind < 0.975) {
    // broadcast to a leading axis of 2, then fold it away again
    return (p) => ad.sum(ad.broadcastTo(p[a]!, [2, ...p[a]!.shape]).mul(0.5), { axis: 0 });
  }
  if (kind < 0.985) {
    // int32 arithmetic (wraps) and comparisons, back to the float dtype
    return (p) => {
      const t = p[a]!;
      const i = ad.astype(t.mul(1e9), "int32");
      const j = i.mul(i).add(ad.astype(ad.greater(t, 0), "int32"));
      return ad.astype(j, t.dtype).mul(1e-12);
    };
  }
  const to = next() < 0.5 ? "float32" : "int32";
  return (p) => ad.astype(ad.astype(p[a]!.mul(3), to), p[a]!.dtype);
}

/** A random program of `steps` ops over `inputs`; returns its last three values. */
function randomProgram(seed: number, inputs: readonly T[], steps: number): (...xs: T[]) => T[] {
  const next = rng(seed);
  const ops: Op[] = [];
  const pool: T[] = [...inputs];
  while (ops.length < steps) {
    const op = randomOp(next, pool);
    if (op === null) continue;
    let out: T;
    try {
      out = op(pool);
    } catch {
      continue; // shapes that do not broadcast: pick another op
    }
    if (out.size > 4096) continue;
    ops.push(op);
    pool.push(out);
  }
  return (...xs: T[]) => {
    const p: T[] = [...xs];
    for (const op of ops) p.push(op(p));
    return p.slice(-3);
  };
}

/** Fused kernels the runs with `wasm: true` ran as WebAssembly (the test checks some did). */
let wasmKernels = 0;

function checkGraph(what: string, f: (...xs: T[]) => unknown, args: readonly T[]): void {
  const g = ad.makeGraph(f, ...args);
  const want = ad.treeLeaves(g.call(...args)).filter((t): t is T => t instanceof ad.Tensor);
  for (const options of [{}, { codegen: false }, { wasm: true }]) {
    const p = compileGraph(g, options);
    wasmKernels += options.wasm === true ? (p.stats.wasm ?? 0) : 0;
    for (let round = 0; round < 2; round++) {
      const got = p.run(args);
      for (let i = 0; i < want.length; i++) {
        same(got[i]!, want[i]!, `${what} ${JSON.stringify(options)} run ${round} output ${i}`);
      }
    }
  }
}

const SHAPES: readonly (readonly number[])[] = [[6], [2, 3], [3, 1], [1, 3], [], [2, 3, 4], [4]];

test("random programs: compiled runs and gradients equal graph.call bit for bit", () => {
  for (let seed = 1; seed <= 120; seed++) {
    const next = rng(seed * 7919);
    const dtype = seed % 3 === 0 ? "float32" : "float64";
    // Every tenth program is scalar only and long (the register tape).
    const scalar = seed % 10 === 0;
    const inputs = [0, 1, 2].map((k) => {
      const shape = scalar ? [] : SHAPES[Math.floor(next() * SHAPES.length)]!;
      const n = shape.reduce((x, y) => x * y, 1);
      const data = Float64Array.from(
        { length: n },
        (_, i) => Math.sin(seed * 31 + k * 7 + i * 1.7) * 2,
      );
      return ad.tensor(data, { shape, dtype });
    });
    const f = randomProgram(seed, inputs, scalar ? 120 : 14);
    checkGraph(`seed ${seed} (${dtype})`, f, inputs);
    const loss = (...xs: T[]) => {
      let total = ad.scalar(0, dtype);
      for (const o of f(...xs)) total = total.add(ad.sum(o));
      return total;
    };
    checkGraph(`seed ${seed} grad`, ad.grad(loss, { argnums: [0, 1, 2] }), inputs);
  }
});

test("random programs: the wasm runs ran fused loops as WebAssembly SIMD", () => {
  assert.ok(wasmKernels > 50, `wasm kernels: ${wasmKernels}`);
});
