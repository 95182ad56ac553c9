/**
 * @file Helpers shared by the ONNX operator mappings: axes, element types, and the window
 * geometry (kernel, strides, dilations, pads, auto_pad, ceil_mode) of convolution and pooling.
 */

import type { DType } from "../core/dtype.js";
import type { Tensor } from "../core/tensor.js";
import { astype } from "../ops/index.js";
import type { NodeAttrs } from "./node-context.js";

export const isFloatT = (t: Tensor) => t.dtype === "float32" || t.dtype === "float64";

export function normAxis(ctx: NodeAttrs, axis: number, nd: number): number {
  const a = axis < 0 ? axis + nd : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(nd, 1)) {
    throw ctx.error(`axis ${axis} is out of range for rank ${nd}`);
  }
  return a;
}

export const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Casts `y` back to `like`'s dtype when an adjoint op promoted it (ONNX keeps element types). */
export function keepType(y: Tensor, dtype: DType): Tensor {
  return y.dtype === dtype ? y : astype(y, dtype);
}

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Explicit pads, begin and end per spatial axis. */
  begin: number[];
  end: number[];
  out: number[];
}

/** The geometry of Conv / pooling on `spatial` input sizes, from the ONNX attributes. */
export function windowOf(
  ctx: NodeAttrs,
  spatial: readonly number[],
  kernel: number[],
  ceilMode: boolean,
): Window {
  const n = spatial.length;
  const strides = ctx.ints("strides") ?? new Array<number>(n).fill(1);
  const dilations = ctx.ints("dilations") ?? new Array<number>(n).fill(1);
  const pads = ctx.ints("pads") ?? new Array<number>(2 * n).fill(0);
  const autoPad = ctx.string("auto_pad", "NOTSET");
  const begin = pads.slice(0, n);
  const end = pads.slice(n, 2 * n);
  const out: number[] = [];
  for (let d = 0; d < n; d++) {
    const ek = (kernel[d]! - 1) * dilations[d]! + 1;
    const size = spatial[d]!;
    const s = strides[d]!;
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
      const o = Math.ceil(size / s);
      const total = Math.max(0, (o - 1) * s + ek - size);
      const small = Math.floor(total / 2);
      begin[d] = autoPad === "SAME_UPPER" ? small : total - small;
      end[d] = total - begin[d]!;
      out.push(o);
    } else {
      if (autoPad === "VALID") {
        begin[d] = 0;
        end[d] = 0;
      }
      const span = size + begin[d]! + end[d]! - ek;
      if (span < 0)
        throw ctx.error(`the kernel does not fit the padded input on spatial axis ${d}`);
      let o = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      // A window must start inside the input or its left padding.
      if (ceilMode && (o - 1) * s >= size + begin[d]!) o--;
      out.push(o);
    }
  }
  return { kernel, strides, dilations, begin, end, out };
}

export function checkAutoPad(ctx: NodeAttrs): string | undefined {
  const a = ctx.string("auto_pad", "NOTSET");
  return ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].includes(a)
    ? undefined
    : `auto_pad ${a} is not supported`;
}
