/**
 * @file Reference reductions (sum, prod, max, min, argmax, argmin over any axes) and cumsum.
 *
 * Summation is simple left-to-right summation into a float64 accumulator, for every input dtype:
 * float32 data thus sums with ~2^29 times less rounding than in float32, int32 sums are exact
 * below 2^53 and wrap modulo 2^32 only when stored (as NumPy's wrapping int32 sum would).
 */

import type { TypedArray } from "../../core/dtype.js";
import { unreachable } from "../../core/unreachable.js";
import type { ReduceOp, Shape } from "../backend.js";
import { planRows, rowMajorStrides, sizeOf } from "./strides.js";

/** The accumulating ops; `imul` is prod for int32, wrapping exactly like int32 multiplication. */
export type AccOp = "sum" | "prod" | "imul" | "max" | "min";

/**
 * Fold the run x[xi + k*xStep] (k < n) into acc[ai + k*aStep]. A step of 0 means the whole run
 * folds into one accumulator, kept in a local across the loop.
 */
function foldRun(
  op: AccOp,
  x: TypedArray,
  xi: number,
  xStep: number,
  acc: Float64Array | Int32Array,
  ai: number,
  aStep: number,
  n: number,
): void {
  if (aStep === 0) {
    let s = acc[ai]!;
    switch (op) {
      case "sum":
        for (let k = 0; k < n; k++, xi += xStep) s += x[xi]!;
        break;
      case "prod":
        for (let k = 0; k < n; k++, xi += xStep) s *= x[xi]!;
        break;
      case "imul":
        for (let k = 0; k < n; k++, xi += xStep) s = Math.imul(s, x[xi]!);
        break;
      case "max":
        for (let k = 0; k < n; k++, xi += xStep) s = Math.max(s, x[xi]!);
        break;
      case "min":
        for (let k = 0; k < n; k++, xi += xStep) s = Math.min(s, x[xi]!);
        break;
      default:
        unreachable(op, "reduction");
    }
    acc[ai] = s;
    return;
  }
  switch (op) {
    case "sum":
      for (let k = 0; k < n; k++, xi += xStep, ai += aStep) acc[ai]! += x[xi]!;
      return;
    case "prod":
      for (let k = 0; k < n; k++, xi += xStep, ai += aStep) acc[ai]! *= x[xi]!;
      return;
    case "imul":
      for (let k = 0; k < n; k++, xi += xStep, ai += aStep) acc[ai] = Math.imul(acc[ai]!, x[xi]!);
      return;
    case "max":
      for (let k = 0; k < n; k++, xi += xStep, ai += aStep) acc[ai] = Math.max(acc[ai]!, x[xi]!);
      return;
    case "min":
      for (let k = 0; k < n; k++, xi += xStep, ai += aStep) acc[ai] = Math.min(acc[ai]!, x[xi]!);
      return;
    default:
      unreachable(op, "reduction");
  }
}

/** The value a fold starts from: the identity of its op (the fast backends' folds use it too). */
export function foldIdentity(op: AccOp): number {
  switch (op) {
    case "sum":
      return 0;
    case "prod":
    case "imul":
      return 1;
    case "max":
      return -Infinity;
    case "min":
      return Infinity;
    default:
      return unreachable(op, "reduction");
  }
}

/**
 * Reduce x over `axes` (sorted, unique). x is walked once in memory order; each element folds
 * into its output's accumulator, whose strides are 0 on the reduced axes. After coalescing,
 * reducing trailing axes is one local fold per output and reducing leading axes is a vector fold
 * over contiguous rows, both cache-friendly.
 */
export function reduce(
  op: ReduceOp,
  x: TypedArray,
  shape: Shape,
  axes: readonly number[],
  out: TypedArray,
): void {
  if (op === "argmax" || op === "argmin") {
    argReduce(op === "argmax", x, shape, axes[0]!, out as Int32Array);
    return;
  }
  const reduced = new Array<boolean>(shape.length).fill(false);
  for (const a of axes) reduced[a] = true;
  const keptShape = shape.filter((_, i) => !reduced[i]);
  const keptStrides = rowMajorStrides(keptShape);
  const accStrides: number[] = [];
  for (let i = 0, k = 0; i < shape.length; i++) accStrides.push(reduced[i] ? 0 : keptStrides[k++]!);

  const accOp: AccOp = op === "prod" && out instanceof Int32Array ? "imul" : op;
  const acc =
    accOp === "imul" ? new Int32Array(sizeOf(keptShape)) : new Float64Array(sizeOf(keptShape));
  acc.fill(foldIdentity(accOp));

  const { rows, len, step, iter } = planRows(shape, [rowMajorStrides(shape), accStrides]);
  const offs = iter.offsets;
  for (let r = 0; r < rows; r++) {
    foldRun(accOp, x, offs[0]!, step[0]!, acc, offs[1]!, step[1]!, len);
    iter.next();
  }
  out.set(acc);
}

/**
 * argmax/argmin over one axis, as [outer, len, inner] blocks: the first index of the extreme value,
 * where the first NaN beats everything. Rows along the axis are scanned in order with `inner`
 * running bests so memory is read contiguously.
 */
function argReduce(
  isMax: boolean,
  x: TypedArray,
  shape: Shape,
  axis: number,
  out: Int32Array,
): void {
  const len = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  if (len === 0) {
    // Callers reject this (no extreme of nothing); write a defined value anyway.
    out.fill(0, 0, outer * inner);
    return;
  }
  const best = new Float64Array(inner);
  for (let p = 0; p < outer; p++) {
    const base = p * len * inner;
    const o = p * inner;
    for (let j = 0; j < inner; j++) {
      best[j] = x[base + j]!;
      out[o + j] = 0;
    }
    for (let k = 1; k < len; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const b = best[j]!;
        if (Number.isNaN(b)) continue; // a NaN already won
        const v = x[row + j]!;
        if (Number.isNaN(v) || (isMax ? v > b : v < b)) {
          best[j] = v;
          out[o + j] = k;
        }
      }
    }
  }
}

/**
 * Cumulative sum along `axis`, as [outer, len, inner] blocks with float64 running sums.
 * Exclusive: element i gets the sum before it (the first gets 0). Reverse: sums run from the end.
 */
export function cumsum(
  x: TypedArray,
  shape: Shape,
  axis: number,
  exclusive: boolean,
  reverse: boolean,
  out: TypedArray,
): void {
  const len = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const run = new Float64Array(inner);
  // Walk k = first, first + dir, ... along the axis; idx moves by whole inner blocks.
  const first = reverse ? len - 1 : 0;
  const dir = reverse ? -inner : inner;
  for (let p = 0; p < outer; p++) {
    run.fill(0);
    let idx = p * len * inner + first * inner;
    for (let t = 0; t < len; t++, idx += dir) {
      for (let j = 0; j < inner; j++) {
        const v = x[idx + j]!;
        if (exclusive) {
          out[idx + j] = run[j]!;
          run[j]! += v;
        } else {
          run[j]! += v;
          out[idx + j] = run[j]!;
        }
      }
    }
  }
}
