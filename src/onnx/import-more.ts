/**
 * @file More ONNX operators on adjoint's ops: the scatters (ScatterElements, Scatter, ScatterND:
 * linear indices computed with ops, then scatterAdd into the flattened data, a mask of the
 * written places for "replace"), operators whose result shape depends on values (Compress,
 * NonZero: their value inputs must be constants), ReverseSequence, the window functions, and
 * BatchNormalization in training mode.
 */

import { tensor } from "../core/convert.js";
import type { Tensor } from "../core/tensor.js";
import {
  add,
  astype,
  broadcastTo,
  div,
  greater,
  less,
  mean,
  mul,
  ones,
  reshape,
  scatterAdd,
  sqrt,
  square,
  sub,
  take,
  takeAlongAxis,
  where,
  zeros,
} from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import { keepType, normAxis, product } from "./import-util.js";
import type { NodeAttrs, NodeContext } from "./node-context.js";
import { dtypeFromOnnx } from "./tensor-proto.js";

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1]! * shape[d + 1]!;
  return out;
}

/** Indices made non-negative (for an axis of size n). */
const wrap = (i: Tensor, n: number) => where(less(i, 0), add(i, n), i);

/**
 * Writes `updates` at the linear positions `lin` (one per update row) of `flat`, [M, ...rest]:
 * replace (positions are assumed distinct, as ONNX requires) or add.
 */
function scatterRows(flat: Tensor, lin: Tensor, updates: Tensor, reduction: string): Tensor {
  const u = keepType(updates, flat.dtype);
  if (reduction === "add") return scatterAdd(flat, lin, u, 0);
  const written = scatterAdd(
    zeros(flat.shape.slice(0, 1), "int32"),
    lin,
    ones(lin.shape, "int32"),
    0,
  );
  const mask = reshape(greater(written, 0), [flat.shape[0]!, ...flat.shape.slice(1).map(() => 1)]);
  const values = scatterAdd(zeros(flat.shape, flat.dtype), lin, u, 0);
  return where(mask, values, flat);
}

function checkScatterReduction(ctx: NodeAttrs): string | undefined {
  const r = ctx.string("reduction", "none");
  return r === "none" || r === "add" ? undefined : `reduction ${r} is not supported`;
}

function scatterElements(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const idx = astype(ctx.input(1), "int32");
  const upd = ctx.input(2);
  const axis = normAxis(ctx, ctx.int("axis", 0), x.ndim);
  const st = strides(x.shape);
  // The linear position of every update element: its own coordinates, with the index on `axis`.
  let lin: Tensor = mul(wrap(idx, x.shape[axis]!), st[axis]!);
  for (let d = 0; d < x.ndim; d++) {
    if (d === axis) continue;
    const n = idx.shape[d]!;
    const coord = reshape(
      tensor(Int32Array.from({ length: n }, (_, i) => i * st[d]!)),
      idx.shape.map((_, k) => (k === d ? n : 1)),
    );
    lin = add(lin, coord);
  }
  const flat = reshape(x, [x.size]);
  const out = scatterRows(
    flat,
    reshape(lin, [idx.size]),
    reshape(upd, [upd.size]),
    ctx.string("reduction", "none"),
  );
  return reshape(out, x.shape);
}

function scatterND(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const idx = astype(ctx.input(1), "int32");
  const upd = ctx.input(2);
  const k = idx.shape[idx.ndim - 1]!;
  const lead = x.shape.slice(0, k);
  const st = strides(lead);
  let lin: Tensor | undefined;
  for (let j = 0; j < k; j++) {
    const col = reshape(take(idx, tensor(Int32Array.of(j)), idx.ndim - 1), idx.shape.slice(0, -1));
    const term = mul(wrap(col, lead[j]!), st[j]!);
    lin = lin === undefined ? term : add(lin, term);
  }
  const rows = product(idx.shape.slice(0, -1));
  const rest = x.shape.slice(k);
  const flat = reshape(x, [product(lead), ...rest]);
  const out = scatterRows(
    flat,
    reshape(lin ?? zeros([], "int32"), [rows]),
    reshape(upd, [rows, ...rest]),
    ctx.string("reduction", "none"),
  );
  return reshape(out, x.shape);
}

function compress(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const cond = ctx.values(1, "condition") ?? [];
  const picked: number[] = [];
  cond.forEach((c, i) => {
    if (c !== 0) picked.push(i);
  });
  if (!ctx.has("axis")) {
    const flat = reshape(x, [x.size]);
    return take(flat, tensor(Int32Array.from(picked.filter((i) => i < x.size))), 0);
  }
  const axis = normAxis(ctx, ctx.int("axis", 0), x.ndim);
  return take(x, tensor(Int32Array.from(picked.filter((i) => i < x.shape[axis]!))), axis);
}

function nonZero(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const v = ctx.values(0, "X") ?? [];
  const st = strides(x.shape);
  const hits: number[] = [];
  v.forEach((e, i) => {
    if (e !== 0) hits.push(i);
  });
  const nd = Math.max(x.ndim, 1);
  const out = new Int32Array(nd * hits.length);
  hits.forEach((lin, j) => {
    let r = lin;
    for (let d = 0; d < x.ndim; d++) {
      out[d * hits.length + j] = Math.floor(r / st[d]!);
      r %= st[d]!;
    }
  });
  return tensor(out, { dtype: "int32", shape: [x.ndim === 0 ? 1 : x.ndim, hits.length] });
}

function reverseSequence(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const lens = ctx.values(1, "sequence_lens") ?? [];
  const batchAxis = normAxis(ctx, ctx.int("batch_axis", 1), x.ndim);
  const timeAxis = normAxis(ctx, ctx.int("time_axis", 0), x.ndim);
  const T = x.shape[timeAxis]!;
  const B = x.shape[batchAxis]!;
  // A gather index along the time axis for every (time, batch) pair, broadcast over the rest.
  const shape = x.shape.map((n, d) => (d === timeAxis || d === batchAxis ? n : 1));
  const idx = new Int32Array(T * B);
  const sIdx = strides(shape);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const len = lens[b]!;
      idx[t * sIdx[timeAxis]! + b * sIdx[batchAxis]!] = t < len ? len - 1 - t : t;
    }
  }
  const full = broadcastTo(tensor(idx, { dtype: "int32", shape }), x.shape);
  return takeAlongAxis(x, full, timeAxis);
}

/** Hann, Hamming and Blackman windows of a constant size. */
function windowOp(coeffs: readonly number[]): ImportOp {
  return {
    static: [0],
    run: (ctx) => {
      const size = ctx.scalar(0, "size", 0);
      const periodic = ctx.int("periodic", 1) === 1;
      const dtype = dtypeFromOnnx(ctx.int("output_datatype", 1));
      if (dtype === undefined) throw ctx.unsupported("output_datatype is not supported");
      const n = periodic ? size : size - 1;
      const vals = Array.from({ length: size }, (_, i) =>
        coeffs.reduce(
          (acc, c, k) => acc + (k % 2 === 1 ? -c : c) * Math.cos((2 * Math.PI * k * i) / n),
          0,
        ),
      );
      return tensor(vals, { dtype, shape: [size] });
    },
  };
}

function batchNormTraining(ctx: NodeContext): (Tensor | undefined)[] {
  const x = ctx.input(0);
  const eps = ctx.float("epsilon", 1e-5);
  const momentum = ctx.float("momentum", 0.9);
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const bshape = x.shape.map((n, i) => (i === 1 ? n : 1));
  const m = mean(x, { axis: axes, keepdims: true });
  const v = mean(square(sub(x, m)), { axis: axes, keepdims: true });
  const scale = reshape(ctx.input(1), bshape);
  const bias = reshape(ctx.input(2), bshape);
  const y = add(mul(div(sub(x, m), sqrt(add(v, eps))), scale), bias);
  const mFlat = reshape(m, [x.shape[1]!]);
  const vFlat = reshape(v, [x.shape[1]!]);
  const runMean = add(mul(ctx.input(3), momentum), mul(mFlat, 1 - momentum));
  const runVar = add(mul(ctx.input(4), momentum), mul(vFlat, 1 - momentum));
  return [y, runMean, runVar];
}

/** The table entries of this file. */
export const MORE_OPS: Readonly<Record<string, ImportOp>> = {
  ScatterElements: { run: scatterElements, check: checkScatterReduction },
  Scatter: { run: scatterElements },
  ScatterND: { run: scatterND, check: checkScatterReduction },
  Compress: { run: compress, static: [1] },
  NonZero: { run: nonZero, static: [0] },
  ReverseSequence: { run: reverseSequence, static: [1] },
  HannWindow: windowOp([0.5, 0.5]),
  HammingWindow: windowOp([25 / 46, 21 / 46]),
  BlackmanWindow: windowOp([0.42, 0.5, 0.08]),
};

/** BatchNormalization in training mode (opset 14+): batch statistics and running averages. */
export { batchNormTraining };
