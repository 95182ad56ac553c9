/**
 * @file NumPy index expressions: the items users write (`ad.s`, `ad.newaxis`, "...", strings such
 * as "1:, ::-1", integers, integer arrays, boolean masks) and their normalisation into a plan, one
 * entry per axis of x, that the lowering in lower.ts turns into slices, reshapes and one gather.
 */

import { toTensor } from "../../core/convert.js";
import { describeValue } from "../../core/describe.js";
import { DTypeError, fmtShape, ShapeError, TracerError, ValueError } from "../../core/errors.js";
import { Tensor, type TensorLike } from "../../core/tensor.js";

/**
 * A slice `start:stop:step` of one axis, made by {@link s}. Null entries take Python's defaults
 * (the whole axis, walking in the step's direction).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.s(1, null, 2).toString(); // => 1::2
 * ad.arange(6).index(ad.s(1, null, 2)); // => tensor([1, 3, 5], dtype=int32)
 * ```
 * @category Indexing
 */
export class Slice {
  /** First index (null: the start of the axis in the step's direction). */
  readonly start: number | null;
  /** Index to stop before (null: run to the end of the axis in the step's direction). */
  readonly stop: number | null;
  /** Step, non-zero (null: 1). */
  readonly step: number | null;
  /** @internal Use {@link s}. */
  constructor(start: number | null, stop: number | null, step: number | null) {
    this.start = start;
    this.stop = stop;
    this.step = step;
  }
  /** Python's spelling, e.g. `1::2` or `::-1`. */
  toString(): string {
    const part = (v: number | null) => (v === null ? "" : String(v));
    const head = `${part(this.start)}:${part(this.stop)}`;
    return this.step === null ? head : `${head}:${this.step}`;
  }
}

function sliceEntry(arg: string, v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new ValueError(`s: ${arg} must be an integer or null; got ${describeValue(v)}`);
  }
  return v;
}

/**
 * The slice `start:stop:step` as an index item (Python's `x[start:stop:step]`): the arguments are
 * positional in that order, so `ad.s(2)` is `2:` (from 2 to the end), `ad.s(null, 2)` is `:2`,
 * `ad.s(null, null, -1)` is `::-1` (reversed) and `ad.s()` is `:` (the whole axis). Negative
 * start/stop count from the end; out-of-range bounds are clamped, as in Python.
 * @throws {@link ValueError} when an entry is not an integer or null, or the step is 0.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.arange(6);
 * x.index(ad.s(2)); // => tensor([2, 3, 4, 5], dtype=int32)
 * x.index(ad.s(null, null, -2)); // => tensor([5, 3, 1], dtype=int32)
 * x.index(ad.s(-2, 100)); // => tensor([4, 5], dtype=int32)
 * ad.s(0, 1, 0); // throws: ValueError: s: step must not be 0
 * ```
 * @category Indexing
 */
export function s(start?: number | null, stop?: number | null, step?: number | null): Slice {
  const st = sliceEntry("step", step);
  if (st === 0) throw new ValueError("s: step must not be 0");
  return new Slice(sliceEntry("start", start), sliceEntry("stop", stop), st);
}

/**
 * NumPy's `newaxis` (Python's `None` in an index): inserts an axis of length 1 at its place.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.arange(3).index(ad.newaxis).shape; // => [1, 3]
 * ad.arange(3).index("...", ad.newaxis).shape; // => [3, 1]
 * ```
 * @category Indexing
 */
export const newaxis = null;

/**
 * One item of an index expression, as in NumPy's `x[i0, i1, ...]`:
 * - a number: one position (negative counts from the end); the axis is dropped;
 * - a {@link Slice} (`ad.s(start, stop, step)`): a range with any non-zero step;
 * - `null` ({@link newaxis}): a new axis of length 1;
 * - `"..."`: as many whole axes as needed (at most one ellipsis);
 * - a string of Python index syntax, one or several items separated by commas: `"1:3"`,
 *   `"::-1"`, `"None"`, `"..."`, `"-1"`, `"0, 1:, None"`;
 * - an integer array or int32 tensor: advanced indexing (all index arrays broadcast together);
 * - a boolean array or bool tensor: a mask over as many axes as it has, selecting where it is
 *   true (its values must be concrete: not inside vmap over the mask).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.arange(12).reshape([3, 4]);
 * x.index(1, "::-1"); // => tensor([7, 6, 5, 4], dtype=int32)
 * x.index("1:, 0"); // => tensor([4, 8], dtype=int32)
 * ```
 * @category Indexing
 */
export type IndexItem = TensorLike | Slice | string | null;

// ---- normalised items ---------------------------------------------------------------------------

/** An integer index array (int32; may vary over a vmap batch), not yet range-checked. */
export interface ArrayItem {
  readonly kind: "array";
  readonly index: Tensor;
  /** Position of the item in the expanded index expression (for NumPy's adjacency rule). */
  readonly pos: number;
  /** True when the axis it indexes is a new length-1 axis (a 0-d boolean mask). */
  readonly newAxis: boolean;
}

/** One item after parsing (the ellipsis expanded); every item but newaxis consumes one axis of x. */
export type Item =
  | { readonly kind: "int"; readonly value: number; readonly pos: number }
  | { readonly kind: "slice"; readonly slice: Slice }
  | { readonly kind: "newaxis" }
  | ArrayItem;

const WHOLE = new Slice(null, null, null);

function parseInteger(op: string, text: string, what: string): number {
  if (!/^[+-]?\d+$/.test(text)) {
    throw new ValueError(`${op}: ${what} must be an integer; got ${JSON.stringify(text)}`);
  }
  return Number.parseInt(text, 10);
}

/** The items of one string of Python index syntax, e.g. "0, 1:, ::-1, None, ...". */
function parseString(op: string, text: string): (Slice | number | null | "...")[] {
  if (text.trim() === "") return [];
  return text.split(",").map((raw) => {
    const part = raw.trim();
    if (part === "...") return "...";
    if (part === "None" || part === "newaxis") return null;
    if (!part.includes(":")) return parseInteger(op, part, `index ${JSON.stringify(raw)}`);
    const bits = part.split(":");
    if (bits.length > 3) {
      throw new ValueError(
        `${op}: a slice has at most two colons (start:stop:step); got ${JSON.stringify(part)}`,
      );
    }
    const [a, b, c] = bits.map((bit) =>
      bit.trim() === ""
        ? null
        : parseInteger(op, bit.trim(), `slice bound in ${JSON.stringify(part)}`),
    );
    if (c === 0)
      throw new ValueError(`${op}: slice step must not be 0; got ${JSON.stringify(part)}`);
    return new Slice(a ?? null, b ?? null, c ?? null);
  });
}

function containsBoolean(v: unknown): boolean {
  if (typeof v === "boolean") return true;
  return Array.isArray(v) && v.some(containsBoolean);
}

function isBooleanLike(v: TensorLike): boolean {
  if (v instanceof Tensor) return v.dtype === "bool";
  return v instanceof Uint8Array || containsBoolean(v);
}

/** An integer index array as an int32 tensor; JS arrays must hold integers. */
function intArray(op: string, v: TensorLike, pos: number): Tensor {
  if (v instanceof Tensor) {
    if (v.dtype !== "int32") {
      throw new DTypeError(
        `${op}: index arrays must have dtype int32 or bool; got ${v.dtype} at position ${pos} (cast with .astype("int32"))`,
      );
    }
    return v;
  }
  if (v instanceof Int32Array) return Tensor._fromData([v.length], "int32", v);
  // float64 holds every int32 exactly, so non-integers and overflows are caught here.
  const t = toTensor(v, "float64");
  const src = t._data!;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const e = src[i]!;
    if (!Number.isInteger(e) || Math.abs(e) > 2 ** 31 - 1) {
      throw new ValueError(
        `${op}: index arrays must hold integers in the int32 range; got ${e} at position ${pos}`,
      );
    }
    out[i] = e;
  }
  return Tensor._fromData(t.shape, "int32", out);
}

/** A mask's concrete values; a TracerError when they vary over a vmap batch. */
function maskValues(op: string, v: TensorLike, pos: number): Tensor {
  const t = v instanceof Tensor ? v : toTensor(v, "bool");
  if (t._staged()) {
    throw new TracerError(
      `${op}: a boolean mask (position ${pos}, shape ${fmtShape(t.shape)}) is a staged value (makeGraph), so the result's shape would depend on its values; use ad.where(mask, x, 0) instead, or index outside the staged function`,
    );
  }
  if (t._varies()) {
    throw new TracerError(
      `${op}: a boolean mask (position ${pos}, shape ${fmtShape(t.shape)}) varies over a vmap batch, so the result's shape would differ between batch elements; use ad.where(mask, x, 0) instead, or index outside vmap`,
    );
  }
  // A mask has no derivative: under grad or jvp its concrete value is all there is to read.
  return t._concrete();
}

/**
 * The items of an index expression, with strings parsed, the ellipsis expanded, missing trailing
 * axes filled with whole slices, and masks turned into integer arrays (NumPy's nonzero). Positions
 * (`pos`) count items of the expanded expression, for the rule that places advanced dimensions.
 */
export function normaliseItems(
  op: string,
  shape: readonly number[],
  raw: readonly IndexItem[],
): Item[] {
  const flat: (Exclude<IndexItem, string> | "...")[] = [];
  for (const item of raw) {
    if (typeof item === "string") flat.push(...parseString(op, item));
    else flat.push(item);
  }
  // First pass: how many axes of x the items consume, to size the ellipsis.
  let consumed = 0;
  let ellipses = 0;
  for (const item of flat) {
    if (item === "...") ellipses++;
    else if (item === null) continue;
    else if (item instanceof Slice || typeof item === "number") consumed++;
    else if (isBooleanLike(item)) consumed += maskValues(op, item, 0).ndim;
    else consumed++;
  }
  if (ellipses > 1) {
    throw new ValueError(`${op}: an index can have at most one ellipsis ("..."); got ${ellipses}`);
  }
  if (consumed > shape.length) {
    throw new ValueError(
      `${op}: too many indices for a tensor of shape ${fmtShape(shape)}: ${consumed} axes indexed but it has ${shape.length}`,
    );
  }
  const items: Item[] = [];
  let axis = 0;
  const fill = (count: number) => {
    for (let i = 0; i < count; i++) items.push({ kind: "slice", slice: WHOLE });
    axis += count;
  };
  for (const item of flat) {
    const pos = items.length;
    if (item === "...") {
      // Whole slices; expanded to no axes, an ellipsis leaves its neighbours adjacent (as NumPy).
      fill(shape.length - consumed);
    } else if (item === null) {
      items.push({ kind: "newaxis" });
    } else if (item instanceof Slice) {
      items.push({ kind: "slice", slice: item });
      axis++;
    } else if (typeof item === "number") {
      if (!Number.isInteger(item)) {
        throw new ValueError(`${op}: an integer index must be an integer; got ${item}`);
      }
      items.push({ kind: "int", value: item, pos });
      axis++;
    } else if (isBooleanLike(item)) {
      const mask = maskValues(op, item, pos);
      if (mask.ndim === 0) {
        // x[True] adds an axis of length 1 (x[False]: length 0), indexed by [0] or [].
        const hit = mask._data![0] !== 0;
        const index = Tensor._fromData([hit ? 1 : 0], "int32", new Int32Array(hit ? 1 : 0));
        items.push({ kind: "array", index, pos, newAxis: true });
        continue;
      }
      const covered = shape.slice(axis, axis + mask.ndim);
      if (mask.shape.some((n, d) => n !== covered[d])) {
        throw new ShapeError(
          `${op}: a boolean mask of shape ${fmtShape(mask.shape)} must match the axes it indexes (${axis}..${axis + mask.ndim - 1} of shape ${fmtShape(shape)}, sizes ${fmtShape(covered)})`,
        );
      }
      for (const index of nonzero(mask))
        items.push({ kind: "array", index, pos: items.length, newAxis: false });
      axis += mask.ndim;
    } else {
      items.push({ kind: "array", index: intArray(op, item, pos), pos, newAxis: false });
      axis++;
    }
  }
  fill(shape.length - axis);
  return items;
}

/** The coordinates of a mask's true entries, one int32 array per axis (NumPy's nonzero). */
function nonzero(mask: Tensor): Tensor[] {
  const data = mask._data!;
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  const nd = mask.ndim;
  const coords = Array.from({ length: nd }, () => new Int32Array(count));
  const coord = new Array<number>(nd).fill(0);
  let k = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0) {
      for (let d = 0; d < nd; d++) coords[d]![k] = coord[d]!;
      k++;
    }
    for (let d = nd - 1; d >= 0; d--) {
      if (++coord[d]! < mask.shape[d]!) break;
      coord[d] = 0;
    }
  }
  return coords.map((c) => Tensor._fromData([count], "int32", c));
}
