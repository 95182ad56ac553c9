/** @file NumPy-like printing of tensors: `tensor([[1, 2], [3, 4]], dtype=float32)`. */

import type { DType, TypedArray } from "./dtype.js";
import type { Shape } from "./shape.js";

const EDGE = 3; // elements shown at each end of a long axis
const SUMMARISE_ABOVE = 1000; // element count above which long axes are elided with "..."

function formatNumber(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (dtype === "int32" || !Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const digits = dtype === "float32" ? 7 : 15;
  const rounded = Number(v.toPrecision(digits));
  // Rounding the largest floats to `digits` digits would print them as Infinity.
  return Number.isFinite(rounded) ? rounded.toString() : v.toString();
}

/**
 * The printed form of a tensor; `traced` marks values shown from inside a transformation. Only the
 * elements shown are formatted (a large tensor is summarised with "..." at each long axis), and an
 * empty tensor of more than one axis states its shape, as NumPy does.
 */
export function formatTensor(
  shape: Shape,
  dtype: DType,
  data: TypedArray,
  traced: boolean,
): string {
  const tail = `dtype=${dtype}${traced ? ", traced" : ""})`;
  if (data.length === 0 && shape.length !== 1)
    return `tensor([], shape=[${shape.join(", ")}], ${tail}`;
  const summarise = data.length > SUMMARISE_ABOVE;
  const strides: number[] = new Array(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  // The offsets of the elements shown, in order (-1: an elided run), then their cells.
  const shown = new Map<number, string>();
  const collect = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      shown.set(offset, formatNumber(data[offset]!, dtype));
      return;
    }
    const n = shape[dim]!;
    const pick = summarise && n > 2 * EDGE;
    for (let i = 0; i < n; i++) {
      if (pick && i === EDGE) i = n - EDGE;
      collect(dim + 1, offset + i * strides[dim]!);
    }
  };
  collect(0, 0);
  let width = 0;
  for (const c of shown.values()) width = Math.max(width, c.length);
  const indent = "tensor(".length;
  const render = (dim: number, offset: number): string => {
    if (dim === shape.length) return shown.get(offset)!.padStart(width);
    const n = shape[dim]!;
    const parts: string[] = [];
    const pick = summarise && n > 2 * EDGE;
    for (let i = 0; i < n; i++) {
      if (pick && i === EDGE) {
        parts.push("...");
        i = n - EDGE - 1;
        continue;
      }
      parts.push(render(dim + 1, offset + i * strides[dim]!));
    }
    const depth = shape.length - dim - 1;
    const sep = depth === 0 ? ", " : `,${"\n".repeat(depth)}${" ".repeat(indent + dim + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? shown.get(0)! : render(0, 0);
  return `tensor(${body}, ${tail}`;
}
