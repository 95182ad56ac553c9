/** @file Shape arithmetic: sizes, broadcasting, axis normalisation. Pure functions on number arrays. */

import { describeValue } from "./describe.js";
import { fmtShape, ShapeError, ValueError } from "./errors.js";

/**
 * A tensor's shape: the size of each axis, outermost first (`[]` for a 0-d tensor).
 * @category Tensors
 */
export type Shape = readonly number[];

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; `op` names the operation in the error. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  if (shapesEqual(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new ShapeError(`${op}: cannot broadcast shapes ${fmtShape(a)} and ${fmtShape(b)}`);
  }
  return out;
}

/** True when `from` broadcasts to `to` under NumPy rules. */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) {
    if (from[i] !== 1 && from[i] !== to[i + off]) return false;
  }
  return true;
}

/** One axis, negative counting from the end, checked against ndim. */
export function normalizeAxis(op: string, axis: number, ndim: number, arg = "axis"): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    const range =
      ndim === 0 ? "no axes (the input is 0-d)" : `an integer in [${-ndim}, ${ndim - 1}]`;
    throw new ValueError(`${op}: ${arg} must be ${range}; got ${describeValue(axis)}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** A set of axes (undefined: all), normalised, sorted and checked for duplicates. */
export function normalizeAxes(
  op: string,
  axis: number | readonly number[] | undefined | null,
  ndim: number,
  arg = "axis",
): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(list)) {
    throw new ValueError(
      `${op}: ${arg} must be a number or an array of numbers; got ${describeValue(axis)}`,
    );
  }
  const out = list.map((a) => normalizeAxis(op, a, ndim, arg));
  out.sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw new ValueError(`${op}: ${arg} has a repeated axis ${out[i]}`);
  }
  return out;
}

/** The shape after reducing `axes` (sorted), with or without kept size-1 dims. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < shape.length; i++) {
    if (k < axes.length && axes[k] === i) {
      k++;
      if (keepdims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** Checks a user-given shape: non-negative integers. */
export function checkShape(op: string, shape: unknown, arg = "shape"): number[] {
  const list = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(list) || !list.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ValueError(
      `${op}: ${arg} must be an array of non-negative integers; got ${describeValue(shape)}`,
    );
  }
  return list as number[];
}
