/** @file Strided-iteration helpers shared by the reference kernels: strides, coalescing, row loops. */

import type { TypedArray } from "../../core/dtype.js";
import type { Shape } from "../backend.js";

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major (C order) element strides of a contiguous array of `shape`. */
export function rowMajorStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * Strides that read an array of `shape` (with element strides `strides`, row-major by default)
 * as if it were broadcast to `outShape`: one entry per axis of outShape, 0 on stretched or added
 * leading axes so the same element is re-read.
 */
export function broadcastStrides(
  shape: Shape,
  outShape: Shape,
  strides: readonly number[] = rowMajorStrides(shape),
): number[] {
  const off = outShape.length - shape.length;
  const out = new Array<number>(outShape.length);
  for (let i = 0; i < outShape.length; i++) {
    const d = i - off;
    out[i] = d < 0 || shape[d] === 1 ? 0 : strides[d]!;
  }
  return out;
}

/**
 * Odometer over `shape` (last axis fastest) that keeps one flat offset per operand up to date, so
 * loops never recompute offsets from a multi-index.
 */
export class Odometer {
  /** The current flat offset of each operand. */
  readonly offsets: number[];
  private readonly index: number[];
  private readonly shape: Shape;
  private readonly strides: readonly (readonly number[])[];

  /** `strides[k]` are operand k's strides over `shape`; `starts[k]` its offset at index 0. */
  constructor(shape: Shape, strides: readonly (readonly number[])[], starts: readonly number[]) {
    this.shape = shape;
    this.strides = strides;
    this.offsets = starts.slice();
    this.index = new Array<number>(shape.length).fill(0);
  }

  /** Step to the next multi-index (wraps to the start after the last one). */
  next(): void {
    const { shape, strides, offsets, index } = this;
    for (let d = shape.length - 1; d >= 0; d--) {
      const n = shape[d]!;
      if (++index[d]! < n) {
        for (let k = 0; k < offsets.length; k++) offsets[k]! += strides[k]![d]!;
        return;
      }
      index[d] = 0;
      for (let k = 0; k < offsets.length; k++) offsets[k]! -= strides[k]![d]! * (n - 1);
    }
  }
}

/**
 * A loop over `shape` split into `rows` runs of `len` elements: the outer odometer gives each
 * operand's offset at the start of a run, `step[k]` is operand k's stride inside a run.
 */
export interface RowPlan {
  readonly rows: number;
  readonly len: number;
  readonly step: readonly number[];
  readonly iter: Odometer;
}

/**
 * Plan a loop over `shape` for operands with the given strides and start offsets. Size-1 axes are
 * dropped and adjacent axes merged whenever every operand walks them as one (stride[i] ==
 * stride[i+1] * shape[i+1]), so contiguous and broadcast-scalar cases become one long inner run.
 */
export function planRows(
  shape: Shape,
  strides: readonly (readonly number[])[],
  starts?: readonly number[],
): RowPlan {
  const nOps = strides.length;
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    let merge = last >= 0;
    for (let k = 0; merge && k < nOps; k++) {
      if (st[k]![last]! !== strides[k]![i]! * n) merge = false;
    }
    if (merge) {
      dims[last]! *= n;
      for (let k = 0; k < nOps; k++) st[k]![last] = strides[k]![i]!;
    } else {
      dims.push(n);
      for (let k = 0; k < nOps; k++) st[k]!.push(strides[k]![i]!);
    }
  }
  const begin = starts ?? new Array<number>(nOps).fill(0);
  if (dims.length === 0) {
    // A single element (0-d or all axes of size 1).
    return {
      rows: 1,
      len: 1,
      step: new Array<number>(nOps).fill(0),
      iter: new Odometer([], [], begin),
    };
  }
  const nd = dims.length;
  const len = dims[nd - 1]!;
  const outer = dims.slice(0, nd - 1);
  return {
    rows: len === 0 ? 0 : sizeOf(outer),
    len,
    step: st.map((s) => s[nd - 1]!),
    iter: new Odometer(
      outer,
      st.map((s) => s.slice(0, nd - 1)),
      begin,
    ),
  };
}

/**
 * Copy the elements of an array view described by (`srcOff`, `srcStrides`) over `shape` into the
 * view (`dstOff`, `dstStrides`) of `dst`. Every movement kernel is one or more of these.
 */
export function stridedCopy(
  shape: Shape,
  src: TypedArray,
  srcOff: number,
  srcStrides: readonly number[],
  dst: TypedArray,
  dstOff: number,
  dstStrides: readonly number[],
): void {
  const { rows, len, step, iter } = planRows(shape, [srcStrides, dstStrides], [srcOff, dstOff]);
  const ss = step[0]!;
  const ds = step[1]!;
  const offs = iter.offsets;
  for (let r = 0; r < rows; r++) {
    let s = offs[0]!;
    let d = offs[1]!;
    if (ss === 1 && ds === 1 && len >= 64) {
      // Long contiguous runs: a native block copy beats the element loop.
      dst.set(src.subarray(s, s + len), d);
    } else {
      for (let i = 0; i < len; i++, s += ss, d += ds) dst[d] = src[s]!;
    }
    iter.next();
  }
}
