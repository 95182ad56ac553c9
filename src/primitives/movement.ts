/**
 * @file Shape and data movement: reshape, transpose, broadcast_to, slice, pad, concatenate, flip.
 * All are linear, so their rules apply the same (or the adjoint) movement to the derivative.
 */

import { getBackend } from "../backend/index.js";
import { describeValue } from "../core/describe.js";
import { allocate, promoteTypes } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { paramsCodec } from "../core/params-json.js";
import { broadcastsTo, shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import {
  broadcastTo,
  concat,
  flip,
  pad,
  reshape,
  slice,
  sum,
  transpose,
  zerosLike,
} from "../ops/index.js";
import { alignBatched, leadingAxisBatch, shiftAxes } from "./batching.js";
import { type BuiltinPrimitive, declarePrimitive } from "./names.js";
import { readsNothing } from "./reads.js";

export interface ReshapeParams {
  readonly shape: readonly number[];
}

export interface TransposeParams {
  /** out.shape[i] = x.shape[perm[i]]. */
  readonly perm: readonly number[];
}

export interface BroadcastToParams {
  readonly shape: readonly number[];
}

export interface SliceParams {
  /** One entry per axis: the first index taken, how many are taken, and the step (>= 1). */
  readonly begin: readonly number[];
  readonly size: readonly number[];
  readonly step: readonly number[];
}

export interface PadParams {
  /** [before, after] per axis, both >= 0. */
  readonly widths: readonly (readonly [number, number])[];
  readonly value: number;
}

export interface ConcatenateParams {
  readonly axis: number;
}

export interface FlipParams {
  /** Sorted, unique, non-negative axes. */
  readonly axes: readonly number[];
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

export const reshapePrim: BuiltinPrimitive<"reshape"> = declarePrimitive({
  name: "reshape",
  paramsJson: paramsCodec<ReshapeParams>({ shape: "ints" }),
  batch: ([x], _batched, { shape }, size) => bind(reshapePrim, [x!], { shape: [size, ...shape] }),
  shape: ([x], { shape }) => {
    if (!shape.every(isCount) || shapeSize(shape) !== shapeSize(x!.shape)) {
      throw new ShapeError(
        `reshape: cannot reshape ${fmtShape(x!.shape)} (${shapeSize(x!.shape)} elements) into ${fmtShape(shape)}`,
      );
    }
    return { shape, dtype: x!.dtype };
  },
  // Data is immutable and row-major, so the same buffer serves the new shape.
  impl: ([x]) => x!._data!,
  // d reshape(x) = reshape(dx)
  jvp: (_primals, [dx], _out, { shape }) => reshape(dx!, shape),
  // gx = reshape(ct, x.shape)
  vjp: (ct, [x]) => [reshape(ct, x!.shape)],
  vjpReads: readsNothing,
  // A reshaped diagonal batch is the same diagonal over the new element shape.
  diagonal: (batch, [x], { shape }) => batch.boxDiagonal(batch.diag(x!)!, shape),
});

export const transposePrim: BuiltinPrimitive<"transpose"> = declarePrimitive({
  name: "transpose",
  paramsJson: paramsCodec<TransposeParams>({ perm: "ints" }),
  batch: ([x], _batched, { perm }) => bind(transposePrim, [x!], { perm: [0, ...shiftAxes(perm)] }),
  shape: ([x], { perm }) => {
    const ndim = x!.shape.length;
    const seen = new Set(perm);
    if (perm.length !== ndim || seen.size !== ndim || !perm.every((p) => isCount(p) && p < ndim)) {
      throw new ValueError(
        `transpose: axes must be a permutation of the ${ndim} axes of ${fmtShape(x!.shape)}; got [${perm.join(",")}]`,
      );
    }
    return { shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype };
  },
  impl: ([x], { perm }, out) => {
    const data = allocate(out.dtype, x!.size);
    getBackend().transpose(x!._data!, x!.shape, perm, data);
    return data;
  },
  // d transpose(x) = transpose(dx)
  jvp: (_primals, [dx], _out, { perm }) => transpose(dx!, perm),
  // gx = transpose(ct, inverse(perm))
  vjp: (ct, _primals, _out, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [transpose(ct, inverse)];
  },
  vjpReads: readsNothing,
});

export const broadcastToPrim: BuiltinPrimitive<"broadcast_to"> = declarePrimitive({
  name: "broadcast_to",
  paramsJson: paramsCodec<BroadcastToParams>({ shape: "ints" }),
  batch: ([x], _batched, { shape }, size) =>
    bind(broadcastToPrim, [alignBatched(x!, shape.length)], { shape: [size, ...shape] }),
  shape: ([x], { shape }) => {
    if (!shape.every(isCount) || !broadcastsTo(x!.shape, shape)) {
      throw new ShapeError(
        `broadcastTo: cannot broadcast ${fmtShape(x!.shape)} to ${fmtShape(shape)}`,
      );
    }
    return { shape, dtype: x!.dtype };
  },
  impl: ([x], { shape }, out) => {
    const data = allocate(out.dtype, shapeSize(shape));
    getBackend().broadcastTo(x!._data!, x!.shape, shape, data);
    return data;
  },
  // d broadcastTo(x) = broadcastTo(dx)
  jvp: (_primals, [dx], _out, { shape }) => broadcastTo(dx!, shape),
  // gx = ct summed over the added and the stretched axes, reshaped to x's shape
  vjp: (ct, [x], _out, { shape }) => {
    const lead = shape.length - x!.ndim;
    const axes: number[] = [];
    for (let i = 0; i < shape.length; i++) {
      if (i < lead || (x!.shape[i - lead] === 1 && shape[i] !== 1)) axes.push(i);
    }
    return [reshape(axes.length > 0 ? sum(ct, { axis: axes }) : ct, x!.shape)];
  },
  vjpReads: readsNothing,
});

/** slice with steps, bound directly (the public `slice` op takes no steps). */
function stridedSlice(x: Tensor, params: SliceParams): Tensor {
  return bind(slicePrim, [x], params);
}

/**
 * The adjoint of a slice: ct placed at the sliced positions of a zero tensor of `shape`.
 * A stepped axis first spreads ct out (each element followed by step-1 zeros, via reshape + pad),
 * then one pad puts everything at its offset.
 */
function unslice(ct: Tensor, shape: readonly number[], { begin, size, step }: SliceParams): Tensor {
  let g = ct;
  for (let d = 0; d < shape.length; d++) {
    const s = step[d]!;
    const k = size[d]!;
    if (s === 1 || k === 0) continue;
    const dims = g.shape;
    const expanded = reshape(g, [...dims.slice(0, d + 1), 1, ...dims.slice(d + 1)]);
    const widths = expanded.shape.map((_, i): [number, number] =>
      i === d + 1 ? [0, s - 1] : [0, 0],
    );
    const spreadShape = dims.slice();
    spreadShape[d] = k * s;
    const spread = reshape(pad(expanded, widths, 0), spreadShape);
    // Drop the zeros after the last element: (k-1)*s + 1 positions remain.
    const keep = spreadShape.slice();
    keep[d] = (k - 1) * s + 1;
    g = slice(
      spread,
      keep.map(() => 0),
      keep,
    );
  }
  const widths = shape.map((n, d): [number, number] => [begin[d]!, n - begin[d]! - g.shape[d]!]);
  return widths.every(([a, b]) => a === 0 && b === 0) ? g : pad(g, widths, 0);
}

export const slicePrim: BuiltinPrimitive<"slice"> = declarePrimitive({
  name: "slice",
  paramsJson: paramsCodec<SliceParams>({ begin: "ints", size: "ints", step: "ints" }),
  batch: leadingAxisBatch(
    () => slicePrim,
    ({ begin, size, step }, n) => ({
      begin: [0, ...begin],
      size: [n, ...size],
      step: [1, ...step],
    }),
  ),
  shape: ([x], { begin, size, step }) => {
    const shape = x!.shape;
    const nd = shape.length;
    if (begin.length !== nd || size.length !== nd || step.length !== nd) {
      throw new ValueError(
        `slice: begin, size and step need one entry per axis of ${fmtShape(shape)}; got [${begin.join(",")}], [${size.join(",")}], [${step.join(",")}]`,
      );
    }
    for (let d = 0; d < nd; d++) {
      const b = begin[d]!;
      const k = size[d]!;
      const s = step[d]!;
      const last = b + (k - 1) * s;
      if (
        !isCount(b) ||
        !isCount(k) ||
        !Number.isInteger(s) ||
        s < 1 ||
        b > shape[d]! ||
        (k > 0 && last >= shape[d]!)
      ) {
        throw new ValueError(
          `slice: begin ${b}, size ${k}, step ${s} do not fit axis ${d} of size ${shape[d]} (shape ${fmtShape(shape)})`,
        );
      }
    }
    return { shape: size, dtype: x!.dtype };
  },
  impl: ([x], { begin, size, step }, out) => {
    const data = allocate(out.dtype, shapeSize(size));
    getBackend().slice(x!._data!, x!.shape, begin, size, step, data);
    return data;
  },
  // d slice(x) = slice(dx)
  jvp: (_primals, [dx], _out, params) => stridedSlice(dx!, params),
  // gx = ct put back at the sliced positions of zeros (a pad)
  vjp: (ct, [x], _out, params) => [unslice(ct, x!.shape, params)],
  vjpReads: readsNothing,
});

export const padPrim: BuiltinPrimitive<"pad"> = declarePrimitive({
  name: "pad",
  paramsJson: paramsCodec<PadParams>({ widths: "intPairs", value: "number" }),
  batch: leadingAxisBatch(
    () => padPrim,
    ({ widths, value }) => ({ widths: [[0, 0] as const, ...widths], value }),
  ),
  shape: ([x], { widths }) => {
    const shape = x!.shape;
    if (widths.length !== shape.length || !widths.every(([a, b]) => isCount(a) && isCount(b))) {
      throw new ValueError(
        `pad: widths must be one [before, after] pair of non-negative integers per axis of ${fmtShape(shape)}; got ${describeValue(widths)}`,
      );
    }
    return { shape: shape.map((n, d) => n + widths[d]![0] + widths[d]![1]), dtype: x!.dtype };
  },
  impl: ([x], { widths, value }, out) => {
    const data = allocate(out.dtype, shapeSize(out.shape));
    getBackend().pad(x!._data!, x!.shape, widths, value, data);
    return data;
  },
  // d pad(x, value) = pad(dx, 0)
  jvp: (_primals, [dx], _out, { widths }) => pad(dx!, widths, 0),
  // gx = the window of ct that x occupies
  vjp: (ct, [x], _out, { widths }) => [
    slice(
      ct,
      widths.map(([before]) => before),
      x!.shape,
    ),
  ],
  vjpReads: readsNothing,
});

export const concatenatePrim: BuiltinPrimitive<"concatenate"> = declarePrimitive({
  name: "concatenate",
  paramsJson: paramsCodec<ConcatenateParams>({ axis: "int" }),
  batch: leadingAxisBatch(
    () => concatenatePrim,
    ({ axis }) => ({ axis: axis + 1 }),
  ),
  shape: (xs, { axis }) => {
    if (xs.length === 0) throw new ValueError("concat: needs at least one input; got none");
    const first = xs[0]!.shape;
    const nd = first.length;
    if (!Number.isInteger(axis) || axis < 0 || axis >= nd) {
      throw new ValueError(
        `concat: axis must be an integer in [0, ${nd - 1}]; got ${describeValue(axis)}`,
      );
    }
    const shape = first.slice();
    let dtype = xs[0]!.dtype;
    for (let i = 1; i < xs.length; i++) {
      const s = xs[i]!.shape;
      if (s.length !== nd || s.some((n, d) => d !== axis && n !== first[d])) {
        throw new ShapeError(
          `concat: input shapes must match except on axis ${axis}; got ${fmtShape(first)} (input 0) and ${fmtShape(s)} (input ${i})`,
        );
      }
      shape[axis]! += s[axis]!;
      dtype = promoteTypes(dtype, xs[i]!.dtype);
    }
    return { shape, dtype };
  },
  impl: (xs, { axis }, out) => {
    const data = allocate(out.dtype, shapeSize(out.shape));
    getBackend().concat(
      xs.map((x) => x._data!),
      xs.map((x) => x.shape),
      axis,
      data,
    );
    return data;
  },
  // d concat(xs) = concat(dxs), zeros for inputs without a tangent
  jvp: (primals, tangents, _out, { axis }) =>
    concat(
      tangents.map((dx, i) => dx ?? zerosLike(primals[i]!)),
      axis,
    ),
  // gx_i = the piece of ct that x_i occupies
  vjp: (ct, primals, _out, { axis }, needs) => {
    let at = 0;
    return primals.map((x, i) => {
      const begin = x.shape.map((_, d) => (d === axis ? at : 0));
      at += x.shape[axis]!;
      return needs[i] ? slice(ct, begin, x.shape) : null;
    });
  },
  vjpReads: readsNothing,
});

export const flipPrim: BuiltinPrimitive<"flip"> = declarePrimitive({
  name: "flip",
  paramsJson: paramsCodec<FlipParams>({ axes: "ints" }),
  batch: leadingAxisBatch(
    () => flipPrim,
    ({ axes }) => ({ axes: shiftAxes(axes) }),
  ),
  shape: ([x], { axes }) => {
    const nd = x!.shape.length;
    if (!axes.every((a) => isCount(a) && a < nd) || new Set(axes).size !== axes.length) {
      throw new ValueError(
        `flip: axes must be unique integers in [0, ${nd - 1}]; got [${axes.join(",")}]`,
      );
    }
    return { shape: x!.shape, dtype: x!.dtype };
  },
  impl: ([x], { axes }, out) => {
    const data = allocate(out.dtype, x!.size);
    getBackend().flip(x!._data!, x!.shape, axes, data);
    return data;
  },
  // d flip(x) = flip(dx)
  jvp: (_primals, [dx], _out, { axes }) => flip(dx!, axes),
  // gx = flip(ct)
  vjp: (ct, _primals, _out, { axes }) => [flip(ct, axes)],
  vjpReads: readsNothing,
});
