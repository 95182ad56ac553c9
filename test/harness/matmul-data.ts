/** @file Shared inputs of the matmul kernel tests: deterministic operands and batch broadcasting. */

import type { Shape } from "../../src/backend/backend.js";

export type FloatCtor = typeof Float32Array | typeof Float64Array;
export type FloatArray = Float32Array | Float64Array;

export function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Deterministic data in [-1, 1] with a seed, so A and B differ. */
export function data(F: FloatCtor, shape: Shape, seed: number): FloatArray {
  const x = new F(size(shape));
  for (let i = 0; i < x.length; i++)
    x[i] = Math.sin(0.37 * i + seed) * Math.cos(0.11 * i + 2 * seed);
  return x;
}

/** Broadcast the batch dims of two operands (NumPy rules). */
export function broadcastBatch(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}
