/**
 * @file NumPy's shape and joining helpers as composites of the movement ops: moveaxis, ravel,
 * fliplr, flipud, rot90, repeat, atleast1d/2d/3d, vstack, hstack, dstack, columnStack, append,
 * broadcastShapes, broadcastArrays, meshgrid and indices. Their derivatives come from the ops
 * they are built of (reshape, transpose, flip, broadcast, concatenate, gather).
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import type { DType } from "../core/dtype.js";
import { fmtShape, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { broadcastShapes as broadcastPair, normalizeAxis } from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { arange } from "./creation.js";
import { astype } from "./elementwise.js";
import { broadcastTo, concat, flip, reshape, stack, take, transpose } from "./shape.js";

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** A list of distinct axes, normalised (order kept). */
function axisList(op: string, v: unknown, ndim: number, arg: string): number[] {
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list)) {
    throw new ValueError(
      `${op}: ${arg} must be an integer or an array of integers; got ${describeValue(v)}`,
    );
  }
  const out = list.map((a: unknown) => {
    if (typeof a !== "number") {
      throw new ValueError(`${op}: ${arg} must hold integers; got ${describeValue(v)}`);
    }
    return normalizeAxis(op, a, ndim, arg);
  });
  if (new Set(out).size !== out.length) {
    throw new ValueError(`${op}: ${arg} has a repeated axis; got ${describeValue(v)}`);
  }
  return out;
}

/**
 * x with the axes `source` moved to the positions `destination` (single axes or equal-length
 * lists), the other axes keeping their order (NumPy's moveaxis).
 * @throws {@link ValueError} when an axis is out of range or repeated, or the lists differ in
 *   length.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.moveaxis(ad.zeros([2, 3, 4]), 0, -1).shape; // => [3, 4, 2]
 * ad.moveaxis(ad.zeros([2, 3, 4]), [0, 1], [2, 0]).shape; // => [3, 4, 2]
 * ```
 * @category Shape
 */
export function moveaxis(
  x: TensorLike,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  const t = toTensor(x);
  const src = axisList("moveaxis", source, t.ndim, "source");
  const dst = axisList("moveaxis", destination, t.ndim, "destination");
  if (src.length !== dst.length) {
    throw new ValueError(
      `moveaxis: source and destination must have the same number of axes; got ${src.length} and ${dst.length}`,
    );
  }
  const perm = new Array<number>(t.ndim).fill(-1);
  dst.forEach((d, i) => {
    perm[d] = src[i]!;
  });
  const rest = t.shape.map((_, i) => i).filter((i) => !src.includes(i));
  let k = 0;
  for (let d = 0; d < t.ndim; d++) if (perm[d] === -1) perm[d] = rest[k++]!;
  return perm.every((p, i) => p === i) ? t : transpose(t, perm);
}

/**
 * The elements of x as a 1-d tensor in row-major order (NumPy's ravel; the same as flatten).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.ravel(ad.tensor([[1, 2], [3, 4]])); // => tensor([1., 2., 3., 4.], dtype=float32)
 * ```
 * @category Shape
 */
export function ravel(x: TensorLike): Tensor {
  const t = toTensor(x);
  return t.ndim === 1 ? t : reshape(t, [t.size]);
}

/**
 * x with the order of its columns (axis 1) reversed (NumPy's fliplr).
 * @throws {@link ValueError} when x has fewer than 2 axes.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.fliplr(ad.tensor([[1, 2], [3, 4]])); // => tensor([[2., 1.], [4., 3.]], dtype=float32)
 * ```
 * @category Shape
 */
export function fliplr(x: TensorLike): Tensor {
  const t = toTensor(x);
  if (t.ndim < 2) {
    throw new ValueError(`fliplr: x must be at least 2-d; got shape ${fmtShape(t.shape)}`);
  }
  return flip(t, 1);
}

/**
 * x with the order of its rows (axis 0) reversed (NumPy's flipud).
 * @throws {@link ValueError} when x is 0-d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.flipud(ad.tensor([[1, 2], [3, 4]])); // => tensor([[3., 4.], [1., 2.]], dtype=float32)
 * ```
 * @category Shape
 */
export function flipud(x: TensorLike): Tensor {
  const t = toTensor(x);
  if (t.ndim < 1) {
    throw new ValueError(`flipud: x must be at least 1-d; got shape ${fmtShape(t.shape)}`);
  }
  return flip(t, 0);
}

/**
 * x rotated by 90 degrees `k` times in the plane of `axes` (default [0, 1]), from the first
 * axis towards the second (NumPy's rot90: counter-clockwise for a matrix; negative k turns the
 * other way).
 * @throws {@link ValueError} when k is not an integer or the axes are not two distinct axes.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const m = ad.tensor([[1, 2], [3, 4]]);
 * ad.rot90(m); // => tensor([[2., 4.], [1., 3.]], dtype=float32)
 * ad.rot90(m, 2); // => tensor([[4., 3.], [2., 1.]], dtype=float32)
 * ad.rot90(m, -1); // => tensor([[3., 1.], [4., 2.]], dtype=float32)
 * ```
 * @category Shape
 */
export function rot90(m: TensorLike, k = 1, axes: readonly [number, number] = [0, 1]): Tensor {
  const t = toTensor(m);
  if (!Number.isInteger(k)) {
    throw new ValueError(`rot90: k must be an integer; got ${describeValue(k)}`);
  }
  if (!Array.isArray(axes) || axes.length !== 2) {
    throw new ValueError(`rot90: axes must be a pair of axes; got ${describeValue(axes)}`);
  }
  const [a0, a1] = axisList("rot90", axes, t.ndim, "axes") as [number, number];
  const turns = ((k % 4) + 4) % 4;
  if (turns === 0) return t;
  if (turns === 2) return flip(t, [a0, a1]);
  const perm = t.shape.map((_, i) => (i === a0 ? a1 : i === a1 ? a0 : i));
  // One quarter turn: reverse the second axis, then swap the two; three: swap, then reverse it.
  return turns === 1 ? transpose(flip(t, a1), perm) : flip(transpose(t, perm), a1);
}

/**
 * Each element of x repeated `repeats` times along `axis` (NumPy's repeat): a count repeats
 * every element alike, an array gives one count per element. Without an axis, x is flattened
 * first. Differentiable: the gradient sums the cotangents of the copies.
 * @throws {@link ValueError} when a count is not a non-negative integer or the counts do not
 *   match the axis length.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.repeat(ad.tensor([1, 2]), 2); // => tensor([1., 1., 2., 2.], dtype=float32)
 * ad.repeat(ad.tensor([[1, 2], [3, 4]]), [1, 2], 0); // => tensor([[1., 2.], [3., 4.], [3., 4.]], dtype=float32)
 * ad.repeat(ad.tensor([[1, 2], [3, 4]]), 2, 1).shape; // => [2, 4]
 * ```
 * @category Shape
 */
export function repeat(x: TensorLike, repeats: number | readonly number[], axis?: number): Tensor {
  let t = toTensor(x);
  if (axis === undefined || axis === null) t = ravel(t);
  const a = axis === undefined || axis === null ? 0 : normalizeAxis("repeat", axis, t.ndim);
  const n = t.shape[a]!;
  if (typeof repeats === "number") {
    if (!isCount(repeats)) {
      throw new ValueError(
        `repeat: repeats must be a non-negative integer or an array of them; got ${describeValue(repeats)}`,
      );
    }
    // [.., n, ..] -> [.., n, 1, ..] -> broadcast [.., n, r, ..] -> [.., n*r, ..]
    const s = t.shape;
    const spread = [...s.slice(0, a + 1), repeats, ...s.slice(a + 1)];
    const expanded = reshape(t, [...s.slice(0, a + 1), 1, ...s.slice(a + 1)]);
    return reshape(broadcastTo(expanded, spread), [
      ...s.slice(0, a),
      n * repeats,
      ...s.slice(a + 1),
    ]);
  }
  if (!Array.isArray(repeats) || !repeats.every(isCount)) {
    throw new ValueError(
      `repeat: repeats must be a non-negative integer or an array of them; got ${describeValue(repeats)}`,
    );
  }
  if (repeats.length === 1) return repeat(t, repeats[0]!, a);
  if (repeats.length !== n) {
    throw new ValueError(
      `repeat: repeats has ${repeats.length} counts but axis ${a} of x ${fmtShape(t.shape)} has length ${n}`,
    );
  }
  const idx: number[] = [];
  repeats.forEach((r, i) => {
    for (let j = 0; j < r; j++) idx.push(i);
  });
  return take(t, Tensor._fromData([idx.length], "int32", Int32Array.from(idx)), a);
}

/** x reshaped to at least `nd` axes, placing its own axes as NumPy's atleast_nd does. */
function atleast(x: TensorLike, nd: 1 | 2 | 3): Tensor {
  const t = toTensor(x);
  if (t.ndim >= nd) return t;
  const s = t.shape;
  if (nd === 1 || t.ndim === 0) return reshape(t, new Array<number>(nd).fill(1));
  if (nd === 2) return reshape(t, [1, s[0]!]);
  return reshape(t, t.ndim === 1 ? [1, s[0]!, 1] : [s[0]!, s[1]!, 1]);
}

function atleastAll(xs: readonly TensorLike[], nd: 1 | 2 | 3): Tensor | Tensor[] {
  return xs.length === 1 ? atleast(xs[0]!, nd) : xs.map((x) => atleast(x, nd));
}

/**
 * Each argument as a tensor of at least one axis (a 0-d one becomes [1]); one argument gives a
 * tensor, several give an array (NumPy's atleast_1d).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.atleast1d(3); // => tensor([3.], dtype=float32)
 * ad.atleast1d(1, ad.ones([2, 2])).map((t) => t.shape); // => [[1], [2, 2]]
 * ```
 * @category Shape
 */
export function atleast1d(x: TensorLike): Tensor;
export function atleast1d(x: TensorLike, y: TensorLike, ...rest: TensorLike[]): Tensor[];
export function atleast1d(...xs: TensorLike[]): Tensor | Tensor[] {
  return atleastAll(xs, 1);
}

/**
 * Each argument as a tensor of at least two axes ([n] becomes [1, n]); one argument gives a
 * tensor, several give an array (NumPy's atleast_2d).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.atleast2d(ad.tensor([1, 2])); // => tensor([[1., 2.]], dtype=float32)
 * ad.atleast2d(1, ad.ones([3])).map((t) => t.shape); // => [[1, 1], [1, 3]]
 * ```
 * @category Shape
 */
export function atleast2d(x: TensorLike): Tensor;
export function atleast2d(x: TensorLike, y: TensorLike, ...rest: TensorLike[]): Tensor[];
export function atleast2d(...xs: TensorLike[]): Tensor | Tensor[] {
  return atleastAll(xs, 2);
}

/**
 * Each argument as a tensor of at least three axes ([n] becomes [1, n, 1] and [m, n] becomes
 * [m, n, 1]); one argument gives a tensor, several give an array (NumPy's atleast_3d).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.atleast3d(ad.ones([2, 3])).shape; // => [2, 3, 1]
 * ad.atleast3d(ad.ones([4]), 1).map((t) => t.shape); // => [[1, 4, 1], [1, 1, 1]]
 * ```
 * @category Shape
 */
export function atleast3d(x: TensorLike): Tensor;
export function atleast3d(x: TensorLike, y: TensorLike, ...rest: TensorLike[]): Tensor[];
export function atleast3d(...xs: TensorLike[]): Tensor | Tensor[] {
  return atleastAll(xs, 3);
}

function checkList(op: string, xs: readonly TensorLike[]): void {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new ValueError(
      `${op}: expected a non-empty array of tensors; got ${Array.isArray(xs) ? "[]" : describeValue(xs)}`,
    );
  }
}

/**
 * Joins tensors along the first axis after making each at least 2-d, so 1-d ones become rows
 * (NumPy's vstack).
 * @throws {@link ShapeError} when the shapes differ off the first axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.vstack([ad.tensor([1, 2]), ad.tensor([3, 4])]); // => tensor([[1., 2.], [3., 4.]], dtype=float32)
 * ad.vstack([ad.ones([2, 3]), ad.ones([3])]).shape; // => [3, 3]
 * ```
 * @category Shape
 */
export function vstack(xs: readonly TensorLike[]): Tensor {
  checkList("vstack", xs);
  return concat(
    xs.map((x) => atleast(x, 2)),
    0,
  );
}

/**
 * Joins tensors along the second axis, or along the first when they are 1-d (0-d ones become
 * 1-d) (NumPy's hstack).
 * @throws {@link ShapeError} when the shapes differ off the joined axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.hstack([ad.tensor([1, 2]), ad.tensor([3])]); // => tensor([1., 2., 3.], dtype=float32)
 * ad.hstack([ad.ones([2, 1]), ad.zeros([2, 2])]).shape; // => [2, 3]
 * ```
 * @category Shape
 */
export function hstack(xs: readonly TensorLike[]): Tensor {
  checkList("hstack", xs);
  const ts = xs.map((x) => atleast(x, 1));
  return concat(ts, ts[0]!.ndim === 1 ? 0 : 1);
}

/**
 * Joins tensors along the third axis after making each at least 3-d ([n] becomes [1, n, 1],
 * [m, n] becomes [m, n, 1]) (NumPy's dstack).
 * @throws {@link ShapeError} when the shapes differ off the third axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.dstack([ad.tensor([1, 2]), ad.tensor([3, 4])]); // => tensor([[[1., 3.], [2., 4.]]], dtype=float32)
 * ad.dstack([ad.ones([2, 3]), ad.ones([2, 3])]).shape; // => [2, 3, 2]
 * ```
 * @category Shape
 */
export function dstack(xs: readonly TensorLike[]): Tensor {
  checkList("dstack", xs);
  return concat(
    xs.map((x) => atleast(x, 3)),
    2,
  );
}

/**
 * Joins 1-d tensors as the columns of a matrix (2-d ones are joined as they are, along the
 * second axis) (NumPy's column_stack).
 * @throws {@link ShapeError} when the lengths differ.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.columnStack([ad.tensor([1, 2]), ad.tensor([3, 4])]); // => tensor([[1., 3.], [2., 4.]], dtype=float32)
 * ```
 * @category Shape
 */
export function columnStack(xs: readonly TensorLike[]): Tensor {
  checkList("columnStack", xs);
  return concat(
    xs.map((x) => {
      const t = toTensor(x);
      return t.ndim < 2 ? reshape(t, [t.size, 1]) : t;
    }),
    1,
  );
}

/**
 * `values` appended to `arr` along `axis`; without an axis (null or omitted) both are flattened
 * first (NumPy's append).
 * @throws {@link ShapeError} when, with an axis, the shapes differ off it.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.append(ad.tensor([[1, 2], [3, 4]]), ad.tensor([5, 6])); // => tensor([1., 2., 3., 4., 5., 6.], dtype=float32)
 * ad.append(ad.tensor([[1, 2]]), ad.tensor([[3, 4]]), 0); // => tensor([[1., 2.], [3., 4.]], dtype=float32)
 * ```
 * @category Shape
 */
export function append(arr: TensorLike, values: TensorLike, axis?: number | null): Tensor {
  if (axis === undefined || axis === null) return concat([ravel(arr), ravel(values)], 0);
  return concat([arr, values], axis);
}

/**
 * The shape that the given shapes broadcast to (NumPy's broadcast_shapes).
 * @throws {@link ShapeError} when two shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.broadcastShapes([2, 1], [3]); // => [2, 3]
 * ad.broadcastShapes([2], [3]); // throws: ShapeError: broadcastShapes: cannot broadcast shapes [2] and [3]
 * ```
 * @category Shape
 */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  let out: number[] = [];
  shapes.forEach((s, i) => {
    if (!Array.isArray(s) || !s.every(isCount)) {
      throw new ValueError(
        `broadcastShapes: shape ${i} must be an array of non-negative integers; got ${describeValue(s)}`,
      );
    }
    out = broadcastPair("broadcastShapes", out, s);
  });
  return [...out];
}

/**
 * The arguments broadcast to their common shape (NumPy's broadcast_arrays).
 * @throws {@link ShapeError} when the shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.broadcastArrays(ad.ones([2, 1]), ad.ones([3])).map((t) => t.shape); // => [[2, 3], [2, 3]]
 * ```
 * @category Shape
 */
export function broadcastArrays(...xs: TensorLike[]): Tensor[] {
  const ts = xs.map((x) => toTensor(x));
  const shape = ts.reduce<number[]>((acc, t) => broadcastPair("broadcastArrays", acc, t.shape), []);
  return ts.map((t) =>
    t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])
      ? t
      : broadcastTo(t, shape),
  );
}

/**
 * Options of {@link meshgrid}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.meshgrid([ad.arange(2), ad.arange(3)], { indexing: "ij", sparse: true }).map((t) => t.shape); // => [[2, 1], [1, 3]]
 * ```
 * @category Creation
 */
export interface MeshgridOptions {
  /** "xy" (default: Cartesian, the first two output axes swapped) or "ij" (matrix indexing). */
  indexing?: "xy" | "ij";
  /** Return each grid with size-1 axes except its own, for broadcasting (default false). */
  sparse?: boolean;
}

/**
 * Coordinate grids from 1-d coordinate vectors (each input is flattened): with n inputs of
 * lengths l0..l(n-1), every output has shape [l0, ..., l(n-1)] under "ij" indexing, and
 * [l1, l0, l2, ...] under the default "xy" (NumPy's meshgrid). The inputs come as an array.
 * @throws {@link ValueError} when an option is not recognised.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [gx, gy] = ad.meshgrid([ad.tensor([1, 2, 3]), ad.tensor([10, 20])]);
 * gx; // => tensor([[1., 2., 3.], [1., 2., 3.]], dtype=float32)
 * gy; // => tensor([[10., 10., 10.], [20., 20., 20.]], dtype=float32)
 * ad.meshgrid([ad.arange(2), ad.arange(3)], { indexing: "ij" })[0]; // => tensor([[0, 0, 0], [1, 1, 1]], dtype=int32)
 * ```
 * @category Creation
 */
export function meshgrid(xs: readonly TensorLike[], options?: MeshgridOptions): Tensor[] {
  const { indexing = "xy", sparse = false } = checkOptions("meshgrid", options, [
    "indexing",
    "sparse",
  ]);
  if (indexing !== "xy" && indexing !== "ij") {
    throw new ValueError(`meshgrid: indexing must be "xy" or "ij"; got ${describeValue(indexing)}`);
  }
  if (typeof sparse !== "boolean") {
    throw new ValueError(`meshgrid: sparse must be a boolean; got ${describeValue(sparse)}`);
  }
  if (!Array.isArray(xs)) {
    throw new ValueError(`meshgrid: xs must be an array of tensors; got ${describeValue(xs)}`);
  }
  const vs = xs.map((x) => ravel(x));
  const n = vs.length;
  // The output axis of input i: "xy" swaps the first two.
  const axisOf = (i: number) => (indexing === "xy" && n >= 2 && i < 2 ? 1 - i : i);
  const full = new Array<number>(n);
  vs.forEach((v, i) => {
    full[axisOf(i)] = v.size;
  });
  return vs.map((v, i) => {
    const s = new Array<number>(n).fill(1);
    s[axisOf(i)] = v.size;
    const r = reshape(v, s);
    return sparse ? r : broadcastTo(r, full);
  });
}

/**
 * Options of {@link indices}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.indices([2, 2], { dtype: "float32" }).dtype; // => float32
 * ```
 * @category Creation
 */
export interface IndicesOptions {
  /** The dtype of the result (default int32). */
  dtype?: DType;
  /** Return one tensor per axis, with size-1 axes except its own (default false). */
  sparse?: boolean;
}

/**
 * The index grid of a shape: out[d][i0, i1, ...] = i_d, as one tensor of shape
 * [dimensions.length, ...dimensions] (int32 by default), or with `sparse` one broadcastable
 * tensor per axis (NumPy's indices). Not differentiable (integer values).
 * @throws {@link ValueError} when dimensions is not an array of non-negative integers.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.indices([2, 3]); // => tensor([[[0, 0, 0], [1, 1, 1]], [[0, 1, 2], [0, 1, 2]]], dtype=int32)
 * ad.indices([2, 3], { sparse: true }).map((t) => t.shape); // => [[2, 1], [1, 3]]
 * ```
 * @category Creation
 */
export function indices(
  dimensions: readonly number[],
  options?: IndicesOptions & { sparse?: false },
): Tensor;
export function indices(
  dimensions: readonly number[],
  options: IndicesOptions & { sparse: true },
): Tensor[];
export function indices(dimensions: readonly number[], options?: IndicesOptions): Tensor | Tensor[];
export function indices(
  dimensions: readonly number[],
  options?: IndicesOptions,
): Tensor | Tensor[] {
  const { dtype = "int32", sparse = false } = checkOptions("indices", options, ["dtype", "sparse"]);
  if (!Array.isArray(dimensions) || !dimensions.every(isCount)) {
    throw new ValueError(
      `indices: dimensions must be an array of non-negative integers; got ${describeValue(dimensions)}`,
    );
  }
  const grids = meshgrid(
    dimensions.map((d) => arange(d)),
    { indexing: "ij", sparse },
  ).map((g) => (dtype === "int32" ? g : astype(g, dtype)));
  if (sparse) return grids;
  if (grids.length === 0) return astype(arange(0), dtype);
  return stack(grids, 0);
}
