/**
 * @file The ONNX operators that `ad.onnx.load` maps, each onto adjoint's public ops (so every
 * staged equation is an ordinary primitive with its derivative rules). An entry stages one node;
 * `check` rejects attribute values that are not supported before anything is staged; `static`
 * lists the inputs that must be constants (shapes, axes, pads), which `params: true` then keeps
 * as constants. Semantics follow the ONNX operator specification across opsets 1 to 17.
 */

import { tensor } from "../core/convert.js";
import type { Tensor } from "../core/tensor.js";
import {
  abs,
  acos,
  acosh,
  add,
  argmax,
  argmin,
  asin,
  asinh,
  astype,
  atan,
  atanh,
  bitwiseAnd,
  bitwiseNot,
  bitwiseOr,
  bitwiseXor,
  broadcastShapes,
  broadcastTo,
  ceil,
  clip,
  concat,
  cos,
  cosh,
  cumsum,
  div,
  einsum,
  equal,
  erf,
  exp,
  expm1,
  eye,
  flip,
  floor,
  fmod,
  full,
  greater,
  greaterEqual,
  isinf,
  isNaN as isNaNOp,
  isneginf,
  isposinf,
  leftShift,
  less,
  lessEqual,
  log,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  logSoftmax,
  logsumexp,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mod,
  mul,
  neg,
  ones,
  pad,
  pow,
  prod,
  reciprocal,
  relu,
  reshape,
  rightShift,
  round,
  scatterAdd,
  sigmoid,
  sign,
  sin,
  sinh,
  softmax,
  softplus,
  split,
  sqrt,
  square,
  stridedSlice,
  sub,
  sum,
  take,
  takeAlongAxis,
  tan,
  tanh,
  tile,
  topk,
  transpose,
  tril,
  triu,
  trunc,
  where,
  zeros,
} from "../ops/index.js";
import { linalg } from "../ops/linalg-decompositions.js";
import { CONTROL_OPS } from "./import-control.js";
import { GRID_SAMPLE_OPS } from "./import-grid-sample.js";
import { ML_OPS } from "./import-ml.js";
import { batchNormTraining, MORE_OPS } from "./import-more.js";
import { QUANTIZE_OPS } from "./import-quantize.js";
import { RNN_OPS } from "./import-rnn.js";
import { SEQUENCE_OPS } from "./import-sequence.js";
import { SIGNAL_OPS } from "./import-signal.js";
import { SPATIAL_OPS } from "./import-spatial.js";
import { TRAINING_OPS } from "./import-training.js";
import {
  checkAutoPad,
  isFloatT,
  keepType,
  normAxis,
  product,
  type Window,
  windowOf,
} from "./import-util.js";
import type { NodeAttrs, NodeContext } from "./node-context.js";
import type { Value } from "./sequence.js";
import { dtypeFromOnnx, ONNX_TYPE, onnxTypeName } from "./tensor-proto.js";

/** How one ONNX operator is staged. */
export interface ImportOp {
  /** Stages the node: its outputs in order (undefined for an output not produced). */
  run(ctx: NodeContext): Value | readonly (Value | undefined)[];
  /** A reason the node is not supported with these attributes, or undefined. */
  check?(attrs: NodeAttrs): string | undefined;
  /** Inputs that must be constants at every opset (and, from `since`, only then). */
  static?: readonly number[];
  /** The first opset at which `static` applies (attributes held these before). */
  staticSince?: number;
  /** Whether its graph attributes (subgraphs) are staged (If, Loop, Scan). */
  subgraphs?: boolean;
  /** The ONNX element type of output i when it matters later (uint8 vs int8 for quantization). */
  outputType?(ctx: NodeContext, i: number): number | undefined;
}

// ---- elementwise --------------------------------------------------------------------------------

function unary(f: (x: Tensor) => Tensor, floatOnly = true): ImportOp {
  return {
    run: (ctx) => {
      const x = ctx.input(0);
      const y = f(x);
      return floatOnly || !isFloatT(y) ? keepType(y, x.dtype) : y;
    },
  };
}

/**
 * The second operand of a binary op: numpy broadcasting, or before opset 7 the legacy
 * `broadcast`/`axis` attributes (b aligned with a's dimensions from `axis` on).
 */
function legacyB(ctx: NodeContext, a: Tensor, b: Tensor): Tensor {
  if (ctx.opset >= 7 || ctx.int("broadcast", 0) !== 1 || b.ndim === 0) return b;
  const axis = ctx.has("axis") ? normAxis(ctx, ctx.int("axis", 0), a.ndim) : a.ndim - b.ndim;
  const trailing = a.ndim - axis - b.ndim;
  if (trailing < 0) throw ctx.error(`broadcast axis ${axis} does not fit shapes`);
  return reshape(b, [...b.shape, ...new Array<number>(trailing).fill(1)]);
}

function binary(f: (a: Tensor, b: Tensor, ctx: NodeContext) => Tensor, keep = true): ImportOp {
  return {
    run: (ctx) => {
      const a = ctx.input(0);
      const b = legacyB(ctx, a, ctx.input(1));
      const y = f(a, b, ctx);
      return keep ? keepType(y, a.dtype) : y;
    },
  };
}

function intDiv(a: Tensor, b: Tensor): Tensor {
  // ONNX's integer Div truncates (C semantics); float64 holds every int32 exactly.
  return astype(trunc(div(astype(a, "float64"), astype(b, "float64"))), "int32");
}

function variadic(
  f: (a: Tensor, b: Tensor) => Tensor,
  finish?: (y: Tensor, n: number) => Tensor,
): ImportOp {
  return {
    run: (ctx) => {
      const xs = ctx.inputs.filter((t): t is Tensor => t !== undefined);
      if (xs.length === 0) throw ctx.error("needs at least one input");
      let y = xs[0]!;
      for (const x of xs.slice(1)) y = f(y, x);
      if (xs.length === 1) y = broadcastTo(y, y.shape);
      return keepType(finish ? finish(y, xs.length) : y, xs[0]!.dtype);
    },
  };
}

const floatAlpha = (ctx: NodeAttrs, name: string, dflt: number) => ctx.float(name, dflt);

// ---- shapes and axes ----------------------------------------------------------------------------

/** The axes of a Reduce*, Squeeze or Unsqueeze: an attribute before `inputSince`, else input 1. */
function axesOf(ctx: NodeContext, inputSince: number): number[] | undefined {
  if (ctx.opset >= inputSince) return ctx.values(1, "axes");
  return ctx.ints("axes");
}

function reduce(
  f: (x: Tensor, axes: number[], keepdims: boolean) => Tensor,
  inputSince: number,
): ImportOp {
  return {
    staticSince: inputSince,
    static: [1],
    run: (ctx) => {
      const x = ctx.input(0);
      const keepdims = ctx.int("keepdims", 1) === 1;
      let axes = axesOf(ctx, inputSince);
      if (axes === undefined || axes.length === 0) {
        if (ctx.int("noop_with_empty_axes", 0) === 1) return x;
        axes = x.shape.map((_, i) => i);
      }
      const norm = axes.map((a) => normAxis(ctx, a, x.ndim));
      if (x.ndim === 0) return keepType(f(x, [], keepdims), x.dtype);
      return keepType(f(x, norm, keepdims), x.dtype);
    },
  };
}

/** Softmax-like ops: before opset 13 the input is coerced to 2-d at `axis` (default 1). */
function softmaxLike(f: (x: Tensor, axis: number) => Tensor): ImportOp {
  return {
    run: (ctx) => {
      const x = ctx.input(0);
      if (ctx.opset >= 13) return f(x, normAxis(ctx, ctx.int("axis", -1), x.ndim));
      const axis = normAxis(ctx, ctx.int("axis", 1), x.ndim);
      const rows = product(x.shape.slice(0, axis));
      const y = f(reshape(x, [rows, product(x.shape.slice(axis))]), 1);
      return reshape(y, x.shape);
    },
  };
}

function hardmax(x: Tensor, axis: number): Tensor {
  const idx = argmax(x, { axis, keepdims: true });
  const n = x.shape[axis]!;
  const shape = x.shape.map((_, i) => (i === axis ? n : 1));
  const range = reshape(tensor(Int32Array.from({ length: n }, (_, i) => i)), shape);
  return astype(equal(idx, range), x.dtype);
}

// ---- windows: convolution and pooling -----------------------------------------------------------

/** Sum or max over every window offset of a padded input, by strided slices. */
function windowReduce(xp: Tensor, win: Window, combine: (a: Tensor, b: Tensor) => Tensor): Tensor {
  const nsp = win.kernel.length;
  let acc: Tensor | undefined;
  const offsets = new Array<number>(nsp).fill(0);
  for (;;) {
    const beginIdx: number[] = [0, 0];
    const endIdx: (number | null)[] = [null, null];
    const steps: number[] = [1, 1];
    for (let d = 0; d < nsp; d++) {
      const b = offsets[d]! * win.dilations[d]!;
      beginIdx.push(b);
      endIdx.push(b + (win.out[d]! - 1) * win.strides[d]! + 1);
      steps.push(win.strides[d]!);
    }
    const piece = stridedSlice(xp, beginIdx, endIdx, steps);
    acc = acc === undefined ? piece : combine(acc, piece);
    let d = nsp - 1;
    while (d >= 0 && ++offsets[d]! === win.kernel[d]!) offsets[d--] = 0;
    if (d < 0) break;
  }
  return acc!;
}

/** Pads the spatial axes so that every window lies inside: explicit pads, then ceil_mode's extra. */
function padForWindows(x: Tensor, win: Window, value: number, extra: boolean): Tensor {
  const widths: [number, number][] = [
    [0, 0],
    [0, 0],
  ];
  for (let d = 0; d < win.kernel.length; d++) {
    const size = x.shape[d + 2]!;
    const ek = (win.kernel[d]! - 1) * win.dilations[d]! + 1;
    const need = (win.out[d]! - 1) * win.strides[d]! + ek - size - win.begin[d]!;
    widths.push([win.begin[d]!, extra ? Math.max(need, win.end[d]!) : win.end[d]!]);
  }
  return pad(x, widths, value);
}

function maxPool(ctx: NodeContext): Tensor | Tensor[] {
  const x = ctx.input(0);
  const kernel = ctx.ints("kernel_shape") ?? [];
  const win = windowOf(ctx, x.shape.slice(2), kernel, ctx.int("ceil_mode", 0) === 1);
  const lowest = isFloatT(x) ? -Infinity : -2147483648;
  const xp = padForWindows(x, win, lowest, true);
  if (!ctx.wantsOutput(1)) return windowReduce(xp, win, maximum);
  // Indices: every padded position's flat index in x (-1 for padding) goes through the same
  // windows; the first maximum of a window wins (ties keep the earlier offset).
  const spatial = x.shape.slice(2);
  // storage_order 1 numbers the spatial positions column-major.
  const columnMajor = ctx.int("storage_order", 0) === 1;
  const flatIndex = (i: number): number => {
    if (!columnMajor) return i;
    let rest = i;
    let out = 0;
    let stride = 1;
    const coords = spatial.map(() => 0);
    for (let d = spatial.length - 1; d >= 0; d--) {
      coords[d] = rest % spatial[d]!;
      rest = Math.floor(rest / spatial[d]!);
    }
    for (let d = 0; d < spatial.length; d++) {
      out += coords[d]! * stride;
      stride *= spatial[d]!;
    }
    return out;
  };
  const positions = tensor(
    Int32Array.from({ length: product(spatial) }, (_, i) => flatIndex(i)),
    {
      dtype: "int32",
      shape: [1, 1, ...spatial],
    },
  );
  const idxp = padForWindows(positions, win, -1, true);
  const pairs = windowPairs(xp, idxp, win);
  const [n, c] = x.shape as [number, number];
  const per = product(spatial);
  const offsets = reshape(tensor(Int32Array.from({ length: n * c }, (_, i) => i * per)), [
    n,
    c,
    ...spatial.map(() => 1),
  ]);
  return [pairs[0], add(pairs[1], offsets)];
}

/** Max over the windows with the flat index of each maximum (the first one on ties). */
function windowPairs(xp: Tensor, idxp: Tensor, win: Window): [Tensor, Tensor] {
  let best: Tensor | undefined;
  let at: Tensor | undefined;
  const nsp = win.kernel.length;
  const offsets = new Array<number>(nsp).fill(0);
  for (;;) {
    const begin: number[] = [0, 0];
    const end: (number | null)[] = [null, null];
    const steps: number[] = [1, 1];
    for (let d = 0; d < nsp; d++) {
      const b = offsets[d]! * win.dilations[d]!;
      begin.push(b);
      end.push(b + (win.out[d]! - 1) * win.strides[d]! + 1);
      steps.push(win.strides[d]!);
    }
    const v = stridedSlice(xp, begin, end, steps);
    const i = broadcastTo(stridedSlice(idxp, begin, end, steps), v.shape);
    if (best === undefined || at === undefined) {
      best = v;
      at = i;
    } else {
      const better = greater(v, best);
      best = where(better, v, best);
      at = where(better, i, at);
    }
    let d = nsp - 1;
    while (d >= 0 && ++offsets[d]! === win.kernel[d]!) offsets[d--] = 0;
    if (d < 0) break;
  }
  return [best!, at!];
}

function maxUnpool(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const idx = ctx.input(1);
  const kernel = ctx.ints("kernel_shape") ?? [];
  const nsp = kernel.length;
  const strides = ctx.ints("strides") ?? new Array<number>(nsp).fill(1);
  const pads = ctx.ints("pads") ?? new Array<number>(2 * nsp).fill(0);
  // The indices address the unpooled shape the kernel implies; a larger output_shape gets the
  // result padded at the end of each axis (as the reference does).
  const shape = [
    ...x.shape.slice(0, 2),
    ...kernel.map((k, d) => (x.shape[d + 2]! - 1) * strides[d]! - pads[d]! - pads[d + nsp]! + k),
  ];
  const flat = scatterAdd(
    zeros([product(shape)], x.dtype),
    reshape(idx, [idx.size]),
    reshape(x, [x.size]),
    0,
  );
  const y = reshape(flat, shape);
  const given = ctx.values(2, "output_shape");
  if (given === undefined) return y;
  if (given.some((n, d) => n < shape[d]!)) {
    throw ctx.unsupported("an output_shape smaller than the unpooled shape");
  }
  return pad(
    y,
    shape.map((n, d) => [0, given[d]! - n] as [number, number]),
  );
}

function averagePool(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const kernel = ctx.ints("kernel_shape") ?? [];
  const win = windowOf(ctx, x.shape.slice(2), kernel, ctx.int("ceil_mode", 0) === 1);
  const total = windowReduce(padForWindows(x, win, 0, true), win, add);
  // The divisor counts the window's input cells (and explicit pads with count_include_pad),
  // never the extra cells that ceil_mode adds: the same window sums over a 0/1 mask.
  const includePad = ctx.int("count_include_pad", 0) === 1;
  const ones1 = ones([1, 1, ...x.shape.slice(2)], x.dtype);
  const mask = includePad ? padForWindows(ones1, win, 1, false) : ones1;
  const inner = includePad
    ? { ...win, begin: win.begin.map(() => 0), end: win.end.map(() => 0) }
    : win;
  const count = windowReduce(padForWindows(mask, inner, 0, true), win, add);
  return div(total, count);
}

function lpPool(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const p = ctx.int("p", 2);
  const kernel = ctx.ints("kernel_shape") ?? [];
  const win = windowOf(ctx, x.shape.slice(2), kernel, ctx.int("ceil_mode", 0) === 1);
  const total = windowReduce(padForWindows(pow(abs(x), p), win, 0, true), win, add);
  return pow(total, 1 / p);
}

// ---- slicing and padding ------------------------------------------------------------------------

function sliceOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.ints("starts") ?? [];
    ends = ctx.ints("ends") ?? [];
    axes = ctx.ints("axes");
  } else {
    starts = ctx.values(1, "starts") ?? [];
    ends = ctx.values(2, "ends") ?? [];
    axes = ctx.values(3, "axes");
    steps = ctx.values(4, "steps");
  }
  const nd = x.ndim;
  const b: (number | null)[] = new Array<number | null>(nd).fill(null);
  const e: (number | null)[] = new Array<number | null>(nd).fill(null);
  const s: number[] = new Array<number>(nd).fill(1);
  starts.forEach((st, i) => {
    const a = normAxis(ctx, axes?.[i] ?? i, nd);
    const step = steps?.[i] ?? 1;
    const n = x.shape[a]!;
    // ONNX clamps like Python slices, except that its sentinels can lie beyond +-n.
    let begin = st < 0 ? st + n : st;
    let end = ends[i]! < 0 ? ends[i]! + n : ends[i]!;
    if (step > 0) {
      begin = Math.min(Math.max(begin, 0), n);
      end = Math.min(Math.max(end, 0), n);
    } else {
      begin = Math.min(Math.max(begin, 0), n - 1);
      end = Math.min(Math.max(end, -1), n - 1);
    }
    b[a] = begin;
    // stridedSlice reads a negative end as counted from the end; -1 here means "past index 0".
    e[a] = step < 0 && end < 0 ? null : end;
    s[a] = step;
  });
  return stridedSlice(x, b, e, s);
}

/** Reflect or edge padding along one axis by concatenating slices. */
function padAxis(x: Tensor, axis: number, before: number, after: number, mode: string): Tensor {
  const n = x.shape[axis]!;
  const at = (i: number) => {
    const begin = x.shape.map(() => null as number | null);
    const end = x.shape.map(() => null as number | null);
    begin[axis] = i;
    end[axis] = i + 1;
    return stridedSlice(x, begin, end);
  };
  const pre: Tensor[] = [];
  const post: Tensor[] = [];
  for (let i = before; i >= 1; i--) pre.push(mode === "edge" ? at(0) : at(i % (2 * n - 2 || 1)));
  for (let i = 1; i <= after; i++)
    post.push(mode === "edge" ? at(n - 1) : at(n - 1 - (i % (2 * n - 2 || 1))));
  return before + after === 0 ? x : concat([...pre, x, ...post], axis);
}

function padOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const mode = ctx.string("mode", "constant");
  const pads =
    ctx.opset < 11
      ? (ctx.ints(ctx.opset < 2 ? "paddings" : "pads") ?? [])
      : (ctx.values(1, "pads") ?? []);
  const value = ctx.opset < 11 ? ctx.float("value", 0) : ctx.scalar(2, "constant_value", 0);
  const nd = x.ndim;
  let axes = ctx.opset >= 18 ? ctx.values(3, "axes") : undefined;
  axes ??= x.shape.map((_, i) => i);
  const k = axes.length;
  const widths: [number, number][] = x.shape.map(() => [0, 0]);
  axes.forEach((a, i) => {
    widths[normAxis(ctx, a, nd)] = [pads[i]!, pads[i + k]!];
  });
  // Negative pads crop.
  let t = x;
  if (widths.some(([a, b]) => a < 0 || b < 0)) {
    t = stridedSlice(
      t,
      widths.map(([a]) => (a < 0 ? -a : null)),
      widths.map(([, b], d) => (b < 0 ? x.shape[d]! + b : null)),
    );
  }
  const pos = widths.map(([a, b]) => [Math.max(a, 0), Math.max(b, 0)] as [number, number]);
  if (mode === "constant") return pad(t, pos, value);
  let y = t;
  pos.forEach(([a, b], d) => {
    y = padAxis(y, d, a, b, mode);
  });
  return y;
}

// ---- normalisation ------------------------------------------------------------------------------

/** A per-channel vector reshaped to broadcast over [N, C, ...spatial]. */
const perChannel = (v: Tensor, nd: number) =>
  reshape(v, [v.size, ...new Array<number>(Math.max(nd - 2, 0)).fill(1)]);

function batchNorm(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const eps = ctx.float("epsilon", 1e-5);
  const [scale, bias, m, v] = [1, 2, 3, 4].map((i) => perChannel(ctx.input(i), x.ndim)) as [
    Tensor,
    Tensor,
    Tensor,
    Tensor,
  ];
  const inv = div(scale, sqrt(add(v, eps)));
  return add(mul(sub(x, m), inv), bias);
}

function instanceNorm(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const eps = ctx.float("epsilon", 1e-5);
  const axes = x.shape.slice(2).map((_, i) => i + 2);
  const m = mean(x, { axis: axes, keepdims: true });
  const c = sub(x, m);
  const v = mean(square(c), { axis: axes, keepdims: true });
  const y = div(c, sqrt(add(v, eps)));
  return add(mul(y, perChannel(ctx.input(1), x.ndim)), perChannel(ctx.input(2), x.ndim));
}

function layerNorm(ctx: NodeContext): (Tensor | undefined)[] {
  const x = ctx.input(0);
  const eps = ctx.float("epsilon", 1e-5);
  const axis = normAxis(ctx, ctx.int("axis", -1), x.ndim);
  const axes = x.shape.slice(axis).map((_, i) => i + axis);
  const m = mean(x, { axis: axes, keepdims: true });
  const c = sub(x, m);
  const invStd = reciprocal(sqrt(add(mean(square(c), { axis: axes, keepdims: true }), eps)));
  let y = mul(mul(c, invStd), ctx.input(1));
  if (ctx.hasInput(2)) y = add(y, ctx.input(2));
  return [y, m, invStd];
}

function lrn(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const size = ctx.int("size", 1);
  const alpha = ctx.float("alpha", 1e-4);
  const beta = ctx.float("beta", 0.75);
  const bias = ctx.float("bias", 1);
  const lo = Math.floor((size - 1) / 2);
  const hi = Math.ceil((size - 1) / 2);
  const sq = pad(
    square(x),
    x.shape.map((_, d) => (d === 1 ? [lo, hi] : [0, 0]) as [number, number]),
  );
  const c = x.shape[1]!;
  let acc: Tensor | undefined;
  for (let i = 0; i < size; i++) {
    const begin = x.shape.map((_, d) => (d === 1 ? i : null));
    const end = x.shape.map((_, d) => (d === 1 ? i + c : null));
    const piece = stridedSlice(sq, begin, end);
    acc = acc === undefined ? piece : add(acc, piece);
  }
  return div(x, pow(add(mul(acc!, alpha / size), bias), beta));
}

// ---- losses ---------------------------------------------------------------------------------------

/** NegativeLogLikelihoodLoss on log-probabilities [N, C, ...] and targets [N, ...]. */
function nll(ctx: NodeContext, logp: Tensor, target: Tensor, weight: Tensor | undefined): Tensor {
  const reduction = ctx.string("reduction", "mean");
  const ignore = ctx.has("ignore_index") ? ctx.int("ignore_index", 0) : undefined;
  const keep = ignore === undefined ? undefined : logicalNot(equal(target, ignore));
  const safe = keep === undefined ? target : where(keep, target, 0);
  const picked = reshape(
    takeAlongAxis(logp, reshape(safe, [safe.shape[0]!, 1, ...safe.shape.slice(1)]), 1),
    safe.shape,
  );
  let w: Tensor = weight === undefined ? ones(safe.shape, logp.dtype) : take(weight, safe);
  if (keep !== undefined) w = where(keep, w, zeros([], logp.dtype));
  const loss = neg(mul(picked, w));
  if (reduction === "none") return loss;
  if (reduction === "sum") return sum(loss);
  return div(sum(loss), sum(w));
}

function checkReduction(ctx: NodeAttrs): string | undefined {
  const r = ctx.string("reduction", "mean");
  return ["mean", "sum", "none"].includes(r) ? undefined : `reduction ${r} is not supported`;
}

// ---- the table ------------------------------------------------------------------------------------

/** Cast's target type: an int code, or before opset 6 a type name ("FLOAT"). */
function castTarget(ctx: NodeAttrs): number {
  if (ctx.opset >= 6) return ctx.int("to", 1);
  const name = ctx.string("to", "FLOAT").toUpperCase();
  const code = (ONNX_TYPE as Record<string, number>)[name];
  if (code === undefined) throw ctx.error(`unknown cast target ${name}`);
  return code;
}

function castTo(ctx: NodeContext, x: Tensor, to: number): Tensor {
  const dtype = dtypeFromOnnx(to);
  if (dtype === undefined) throw ctx.unsupported(`cast to ${onnxTypeName(to)} is not supported`);
  if (dtype === "int32" && isFloatT(x)) return astype(trunc(x), "int32");
  return astype(x, dtype);
}

function constantOf(ctx: NodeContext): Tensor {
  const t = ctx.tensor("value");
  if (t !== undefined) return t;
  if (ctx.has("value_float")) return tensor(ctx.float("value_float", 0), { dtype: "float32" });
  if (ctx.has("value_floats")) return tensor(Float32Array.from(ctx.floats("value_floats") ?? []));
  if (ctx.has("value_int")) return tensor(ctx.int("value_int", 0), { dtype: "int32" });
  if (ctx.has("value_ints")) return tensor(Int32Array.from(ctx.ints("value_ints") ?? []));
  throw ctx.error("needs a value, value_float(s) or value_int(s) attribute");
}

function unsqueeze(ctx: NodeContext, x: Tensor, axes: readonly number[]): Tensor {
  const rank = x.ndim + axes.length;
  const norm = new Set(axes.map((a) => normAxis(ctx, a, rank)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(norm.has(i) ? 1 : x.shape[j++]!);
  return reshape(x, shape);
}

function squeezeOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const axes = axesOf(ctx, 13);
  const drop =
    axes === undefined || axes.length === 0
      ? new Set(x.shape.flatMap((n, i) => (n === 1 ? [i] : [])))
      : new Set(axes.map((a) => normAxis(ctx, a, x.ndim)));
  for (const a of drop)
    if (x.shape[a] !== 1) throw ctx.error(`axis ${a} has size ${x.shape[a]}, not 1`);
  return reshape(
    x,
    x.shape.filter((_, i) => !drop.has(i)),
  );
}

function reshapeOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const raw = ctx.opset < 5 ? (ctx.ints("shape") ?? []) : (ctx.values(1, "shape") ?? []);
  const allowZero = ctx.int("allowzero", 0) === 1;
  const shape = raw.map((n, i) => (n === 0 && !allowZero ? x.shape[i]! : n));
  return reshape(x, shape);
}

function splitOp(ctx: NodeContext): Tensor[] {
  const x = ctx.input(0);
  const axis = normAxis(ctx, ctx.int("axis", 0), x.ndim);
  const sizes =
    ctx.opset >= 13
      ? ctx.values(1, "split")
      : (ctx.ints("split") ?? (ctx.opset < 2 ? ctx.values(1, "split") : undefined));
  const n = ctx.numOutputs;
  const len = x.shape[axis]!;
  if (sizes === undefined || sizes.length === 0) {
    if (len % n !== 0)
      throw ctx.error(`axis ${axis} of size ${len} does not split into ${n} equal parts`);
    return split(x, n, axis);
  }
  return split(x, sizes, axis);
}

function gatherOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const axis = normAxis(ctx, ctx.int("axis", 0), x.ndim);
  return take(x, ctx.input(1), axis);
}

function gatherElements(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const axis = normAxis(ctx, ctx.int("axis", 0), x.ndim);
  const idx = ctx.input(1);
  const n = x.shape[axis]!;
  return takeAlongAxis(x, where(less(idx, 0), add(idx, n), idx), axis);
}

function gatherND(ctx: NodeContext): Tensor {
  const b = ctx.int("batch_dims", 0);
  if (b === 0) return gatherNDCore(ctx.input(0), astype(ctx.input(1), "int32"));
  // Batch dimensions become one leading axis, and its position a leading index column.
  const x = ctx.input(0);
  const idx = astype(ctx.input(1), "int32");
  const batch = x.shape.slice(0, b);
  const nb = product(batch);
  const mid = idx.shape.slice(b, -1);
  const k = idx.shape[idx.ndim - 1]!;
  const xb = reshape(x, [nb, ...x.shape.slice(b)]);
  const ib = reshape(idx, [nb, ...mid, k]);
  const iota = broadcastTo(
    reshape(tensor(Int32Array.from({ length: nb }, (_, i) => i)), [nb, ...mid.map(() => 1), 1]),
    [nb, ...mid, 1],
  );
  const y = gatherNDCore(xb, concat([iota, ib], -1));
  return reshape(y, [...batch, ...mid, ...x.shape.slice(b + k)]);
}

function gatherNDCore(x: Tensor, idx: Tensor): Tensor {
  const m = idx.shape[idx.ndim - 1]!;
  const lead = x.shape.slice(0, m);
  let lin: Tensor | undefined;
  let stride = 1;
  for (let k = m - 1; k >= 0; k--) {
    const begin = idx.shape.map((_, d) => (d === idx.ndim - 1 ? k : null));
    const end = idx.shape.map((_, d) => (d === idx.ndim - 1 ? k + 1 : null));
    let ik = reshape(stridedSlice(idx, begin, end), idx.shape.slice(0, -1));
    ik = where(less(ik, 0), add(ik, lead[k]!), ik);
    const term = mul(ik, stride);
    lin = lin === undefined ? term : add(lin, term);
    stride *= lead[k]!;
  }
  const flat = reshape(x, [product(lead), ...x.shape.slice(m)]);
  return take(flat, lin!, 0);
}

function clipOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  let lo: Tensor | number | undefined;
  let hi: Tensor | number | undefined;
  if (ctx.opset < 11) {
    lo = ctx.has("min") ? ctx.float("min", 0) : undefined;
    hi = ctx.has("max") ? ctx.float("max", 0) : undefined;
  } else {
    lo = ctx.inputs[1];
    hi = ctx.inputs[2];
  }
  let y = x;
  if (lo !== undefined)
    y = maximum(y, typeof lo === "number" ? tensor(lo, { dtype: x.dtype }) : lo);
  if (hi !== undefined)
    y = minimum(y, typeof hi === "number" ? tensor(hi, { dtype: x.dtype }) : hi);
  return keepType(y, x.dtype);
}

function topkOp(ctx: NodeContext): Tensor[] {
  const x = ctx.input(0);
  const k = ctx.opset < 10 ? ctx.int("k", 1) : ctx.scalar(1, "K", 1);
  const axis = normAxis(ctx, ctx.int("axis", -1), x.ndim);
  const largest = ctx.int("largest", 1) === 1;
  const moved = axis === x.ndim - 1 ? x : transpose(x, swapLast(x.ndim, axis));
  const [v, i] = topk(largest ? moved : neg(moved), k);
  const vals = largest ? v : neg(v);
  const back = (t: Tensor) => (axis === x.ndim - 1 ? t : transpose(t, swapLast(x.ndim, axis)));
  return [keepType(back(vals), x.dtype), back(i)];
}

function swapLast(nd: number, axis: number): number[] {
  const p = Array.from({ length: nd }, (_, i) => i);
  p[axis] = nd - 1;
  p[nd - 1] = axis;
  return p;
}

function argReduce(f: typeof argmax): ImportOp {
  return {
    run: (ctx) => {
      const x = ctx.input(0);
      const axis = normAxis(ctx, ctx.int("axis", 0), x.ndim);
      const keepdims = ctx.int("keepdims", 1) === 1;
      if (ctx.int("select_last_index", 0) === 1) {
        const i = f(flip(x, [axis]), { axis, keepdims });
        return sub(tensor(x.shape[axis]! - 1, { dtype: "int32" }), i);
      }
      return f(x, { axis, keepdims });
    },
  };
}

function depthToSpace(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const b = ctx.int("blocksize", 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const crd = ctx.string("mode", "DCR") === "CRD";
  const t = crd
    ? transpose(reshape(x, [n, c / (b * b), b, b, h, w]), [0, 1, 4, 2, 5, 3])
    : transpose(reshape(x, [n, b, b, c / (b * b), h, w]), [0, 3, 4, 1, 5, 2]);
  return reshape(t, [n, c / (b * b), h * b, w * b]);
}

function spaceToDepth(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const b = ctx.int("blocksize", 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const t = transpose(reshape(x, [n, c, h / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]);
  return reshape(t, [n, c * b * b, h / b, w / b]);
}

function oneHot(ctx: NodeContext): Tensor {
  const idx = ctx.input(0);
  const depth = ctx.scalar(1, "depth", 0);
  const values = ctx.input(2);
  const axisAttr = ctx.int("axis", -1);
  const rank = idx.ndim + 1;
  const axis = normAxis(ctx, axisAttr, rank);
  const i = astype(idx, "int32");
  const fixed = where(less(i, 0), add(i, depth), i);
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = depth;
  const range = reshape(tensor(Int32Array.from({ length: depth }, (_, k) => k)), shape);
  const hit = equal(unsqueeze(ctx, fixed, [axis]), range);
  const off = take(values, [0]);
  const on = take(values, [1]);
  return where(hit, reshape(on, []), reshape(off, []));
}

function rangeOp(ctx: NodeContext): Tensor {
  const start = ctx.scalar(0, "start", 0);
  const limit = ctx.scalar(1, "limit", 0);
  const delta = ctx.scalar(2, "delta", 1);
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  const dtype = ctx.input(0).dtype;
  const vals = Array.from({ length: n }, (_, i) => start + i * delta);
  return tensor(vals, { dtype, shape: [n] });
}

function cumsumOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const axis = normAxis(ctx, ctx.scalar(1, "axis", 0), x.ndim);
  const reverse = ctx.int("reverse", 0) === 1;
  let y = cumsum(x, { axis, reverse });
  if (ctx.int("exclusive", 0) === 1) {
    const n = x.shape[axis]!;
    const widths = x.shape.map(
      (_, d) => (d === axis ? (reverse ? [0, 1] : [1, 0]) : [0, 0]) as [number, number],
    );
    const begin = x.shape.map((_, d) => (d === axis ? (reverse ? 1 : 0) : null));
    const end = x.shape.map((_, d) => (d === axis ? (reverse ? n + 1 : n) : null));
    y = stridedSlice(pad(y, widths), begin, end);
  }
  return keepType(y, x.dtype);
}

function isInfOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const pos = ctx.int("detect_positive", 1) === 1;
  const negv = ctx.int("detect_negative", 1) === 1;
  if (pos && negv) return isinf(x);
  if (pos) return isposinf(x);
  if (negv) return isneginf(x);
  return zeros(x.shape, "bool");
}

function dropout(ctx: NodeContext): (Tensor | undefined)[] {
  const x = ctx.input(0);
  const training = ctx.opset >= 12 ? ctx.scalar(2, "training_mode", 0) : 0;
  const ratio = ctx.opset >= 12 ? ctx.scalar(1, "ratio", 0.5) : ctx.float("ratio", 0.5);
  if (training !== 0 && ratio !== 0) {
    throw ctx.unsupported("training mode with a non-zero ratio (random dropout) is not supported");
  }
  return [broadcastTo(x, x.shape), ones(x.shape, "bool")];
}

function gemm(ctx: NodeContext): Tensor {
  let a = ctx.input(0);
  let b = ctx.input(1);
  if (ctx.int("transA", 0) === 1) a = transpose(a);
  if (ctx.int("transB", 0) === 1) b = transpose(b);
  const alpha = ctx.float("alpha", 1);
  const beta = ctx.float("beta", 1);
  let y = matmul(a, b);
  if (alpha !== 1) y = mul(y, tensor(alpha, { dtype: y.dtype }));
  const c = ctx.inputs[2];
  if (c !== undefined) y = add(y, beta === 1 ? c : mul(c, tensor(beta, { dtype: c.dtype })));
  return y;
}

function expandOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const shape = ctx.values(1, "shape") ?? [];
  return broadcastTo(x, broadcastShapes(x.shape, shape));
}

function shapeOp(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const nd = x.ndim;
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + nd : i, 0), nd);
  const start = clampIdx(ctx.int("start", 0));
  const end = ctx.has("end") ? clampIdx(ctx.int("end", nd)) : nd;
  return tensor(Int32Array.from(x.shape.slice(start, Math.max(start, end))));
}

function eyeLike(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const dtype = ctx.has("dtype") ? dtypeFromOnnx(ctx.int("dtype", 1)) : x.dtype;
  if (dtype === undefined) throw ctx.unsupported("dtype is not supported");
  return eye(x.shape[0]!, x.shape[1]!, { k: ctx.int("k", 0), dtype });
}

function softmaxCrossEntropy(ctx: NodeContext): (Tensor | undefined)[] {
  const logp = logSoftmax(ctx.input(0), { axis: 1 });
  return [nll(ctx, logp, ctx.input(1), ctx.inputs[2]), logp];
}

function bitShift(ctx: NodeContext): Tensor {
  const right = ctx.string("direction", "") === "RIGHT";
  return (right ? rightShift : leftShift)(ctx.input(0), ctx.input(1));
}

function checkOnlyOutputs(n: number) {
  return (ctx: NodeAttrs) => {
    const outs = ctx.node.output ?? [];
    for (let i = n; i < outs.length; i++) if (outs[i]) return `output ${i} is not supported`;
    return undefined;
  };
}

const F32_SELU_ALPHA = 1.6732632423543772;
const F32_SELU_GAMMA = 1.0507009873554805;

/** Every operator of the default domain that load maps. */
export const IMPORT_OPS: Readonly<Record<string, ImportOp>> = {
  Identity: { run: (ctx) => broadcastTo(ctx.input(0), ctx.input(0).shape) },
  // Elementwise unary.
  Abs: unary(abs, false),
  Neg: unary(neg, false),
  Sign: unary(sign, false),
  Exp: unary(exp),
  Log: unary(log),
  Sqrt: unary(sqrt),
  Reciprocal: unary(reciprocal),
  Floor: unary(floor),
  Ceil: unary(ceil),
  Round: unary(round),
  Sin: unary(sin),
  Cos: unary(cos),
  Tan: unary(tan),
  Asin: unary(asin),
  Acos: unary(acos),
  Atan: unary(atan),
  Sinh: unary(sinh),
  Cosh: unary(cosh),
  Asinh: unary(asinh),
  Acosh: unary(acosh),
  Atanh: unary(atanh),
  Erf: unary(erf),
  Sigmoid: unary(sigmoid),
  Tanh: unary(tanh),
  Relu: unary(relu, false),
  Softplus: unary(softplus),
  Softsign: unary((x) => div(x, add(abs(x), 1))),
  IsNaN: { run: (ctx) => isNaNOp(ctx.input(0)) },
  IsInf: { run: isInfOp },
  Not: { run: (ctx) => logicalNot(ctx.input(0)) },
  LeakyRelu: {
    run: (ctx) => {
      const x = ctx.input(0);
      return where(greaterEqual(x, 0), x, mul(x, floatAlpha(ctx, "alpha", 0.01)));
    },
  },
  Elu: {
    run: (ctx) => {
      const x = ctx.input(0);
      return where(greater(x, 0), x, mul(expm1(x), floatAlpha(ctx, "alpha", 1)));
    },
  },
  Selu: {
    run: (ctx) => {
      const x = ctx.input(0);
      const alpha = ctx.float("alpha", F32_SELU_ALPHA);
      const gamma = ctx.float("gamma", F32_SELU_GAMMA);
      return mul(where(greater(x, 0), x, mul(expm1(x), alpha)), gamma);
    },
  },
  Celu: {
    run: (ctx) => {
      const x = ctx.input(0);
      const alpha = ctx.float("alpha", 1);
      return add(maximum(x, 0), minimum(mul(expm1(div(x, alpha)), alpha), 0));
    },
  },
  ThresholdedRelu: {
    run: (ctx) => {
      const x = ctx.input(0);
      return where(greater(x, ctx.float("alpha", 1)), x, zeros([], x.dtype));
    },
  },
  HardSigmoid: {
    run: (ctx) => {
      const x = ctx.input(0);
      return clip(add(mul(x, ctx.float("alpha", 0.2)), ctx.float("beta", 0.5)), 0, 1);
    },
  },
  HardSwish: {
    run: (ctx) => {
      const x = ctx.input(0);
      return mul(x, clip(add(mul(x, 1 / 6), 0.5), 0, 1));
    },
  },
  Shrink: {
    run: (ctx) => {
      const x = ctx.input(0);
      const bias = ctx.float("bias", 0);
      const lambd = ctx.float("lambd", 0.5);
      const zero = zeros([], x.dtype);
      const y = where(less(x, -lambd), add(x, bias), where(greater(x, lambd), sub(x, bias), zero));
      return keepType(y, x.dtype);
    },
  },
  PRelu: binary((x, slope, ctx) => {
    // Before opset 7 a 1-d slope of C values is per channel (axis 1).
    const s =
      ctx.opset < 7 && slope.ndim === 1 && slope.size > 1 && x.ndim > 2
        ? reshape(slope, [slope.size, ...new Array<number>(x.ndim - 2).fill(1)])
        : slope;
    return where(less(x, 0), mul(x, s), x);
  }),
  // Elementwise binary.
  Add: binary((a, b) => add(a, b)),
  Sub: binary((a, b) => sub(a, b)),
  Mul: binary((a, b) => mul(a, b)),
  Div: binary((a, b) => (isFloatT(a) ? div(a, b) : intDiv(a, b))),
  Pow: binary((a, b) =>
    isFloatT(a) ? pow(a, b) : astype(pow(astype(a, "float64"), astype(b, "float64")), "int32"),
  ),
  Mod: binary((a, b, ctx) => {
    if (ctx.int("fmod", 0) === 1) return fmod(a, b);
    return mod(a, b);
  }),
  BitShift: { run: bitShift },
  // Opset 18's bitwise operators, on the int32 that every integer type is read as: And, Or and
  // Xor keep the low bits of any type; Not of an unsigned type masks to its width.
  BitwiseAnd: binary((a, b) => bitwiseAnd(a, b)),
  BitwiseOr: binary((a, b) => bitwiseOr(a, b)),
  BitwiseXor: binary((a, b) => bitwiseXor(a, b)),
  BitwiseNot: {
    run: (ctx) => {
      const x = ctx.input(0);
      const type = ctx.inputTypes[0];
      if (type === ONNX_TYPE.UINT8) return bitwiseAnd(bitwiseNot(x), 0xff);
      if (type === ONNX_TYPE.UINT16) return bitwiseAnd(bitwiseNot(x), 0xffff);
      if (type === ONNX_TYPE.UINT32 || type === ONNX_TYPE.UINT64) {
        throw ctx.unsupported(
          `BitwiseNot of ${onnxTypeName(type)} is not supported (integers are read as int32)`,
        );
      }
      return bitwiseNot(x);
    },
  },
  Equal: binary((a, b) => equal(a, b), false),
  Less: binary((a, b) => less(a, b), false),
  LessOrEqual: binary((a, b) => lessEqual(a, b), false),
  Greater: binary((a, b) => greater(a, b), false),
  GreaterOrEqual: binary((a, b) => greaterEqual(a, b), false),
  And: binary((a, b) => logicalAnd(a, b), false),
  Or: binary((a, b) => logicalOr(a, b), false),
  Xor: binary((a, b) => logicalXor(a, b), false),
  Where: { run: (ctx) => where(ctx.input(0), ctx.input(1), ctx.input(2)) },
  Max: variadic(maximum),
  Min: variadic(minimum),
  Sum: variadic(add),
  Mean: variadic(add, (y, n) => div(y, n)),
  Clip: { run: clipOp },
  Cast: {
    run: (ctx) => castTo(ctx, ctx.input(0), castTarget(ctx)),
    outputType: (ctx) => castTarget(ctx),
  },
  CastLike: { run: (ctx) => astype(ctx.input(0), ctx.input(1).dtype) },
  // Linear algebra.
  MatMul: { run: (ctx) => matmul(ctx.input(0), ctx.input(1)) },
  Gemm: { run: gemm },
  Einsum: {
    run: (ctx) =>
      einsum(ctx.string("equation", ""), ...ctx.inputs.filter((t): t is Tensor => t !== undefined)),
  },
  Det: { run: (ctx) => linalg.det(ctx.input(0)) },
  // Neural-net ops.
  MaxPool: { run: maxPool, check: checkAutoPad },
  MaxUnpool: { run: maxUnpool, static: [2] },
  AveragePool: { run: averagePool, check: checkAutoPad },
  LpPool: { run: lpPool, check: checkAutoPad },
  GlobalAveragePool: {
    run: (ctx) => {
      const x = ctx.input(0);
      return mean(x, { axis: x.shape.slice(2).map((_, i) => i + 2), keepdims: true });
    },
  },
  GlobalMaxPool: {
    run: (ctx) => {
      const x = ctx.input(0);
      return max(x, { axis: x.shape.slice(2).map((_, i) => i + 2), keepdims: true });
    },
  },
  BatchNormalization: {
    run: (ctx) => (ctx.int("training_mode", 0) === 1 ? batchNormTraining(ctx) : batchNorm(ctx)),
    check: (ctx) =>
      ctx.int("training_mode", 0) === 1
        ? undefined
        : ctx.opset < 9 && ctx.int("spatial", 1) === 0
          ? "spatial 0 is not supported"
          : checkOnlyOutputs(1)(ctx),
  },
  InstanceNormalization: { run: instanceNorm },
  LayerNormalization: { run: layerNorm },
  LRN: { run: lrn },
  MeanVarianceNormalization: {
    run: (ctx) => {
      const x = ctx.input(0);
      const axes = (ctx.ints("axes") ?? [0, 2, 3]).map((a) => normAxis(ctx, a, x.ndim));
      const c = sub(x, mean(x, { axis: axes, keepdims: true }));
      return div(c, add(sqrt(mean(square(c), { axis: axes, keepdims: true })), 1e-9));
    },
  },
  Dropout: { run: dropout, static: [1, 2], staticSince: 12 },
  Softmax: softmaxLike((x, axis) => softmax(x, { axis })),
  LogSoftmax: softmaxLike((x, axis) => logSoftmax(x, { axis })),
  Hardmax: softmaxLike(hardmax),
  NegativeLogLikelihoodLoss: {
    run: (ctx) => nll(ctx, ctx.input(0), ctx.input(1), ctx.inputs[2]),
    check: checkReduction,
  },
  SoftmaxCrossEntropyLoss: { run: softmaxCrossEntropy, check: checkReduction },
  // Reductions.
  ReduceSum: reduce((x, axis, keepdims) => sum(x, { axis, keepdims }), 13),
  ReduceMean: reduce((x, axis, keepdims) => mean(x, { axis, keepdims }), 18),
  ReduceMax: reduce((x, axis, keepdims) => max(x, { axis, keepdims }), 18),
  ReduceMin: reduce((x, axis, keepdims) => min(x, { axis, keepdims }), 18),
  ReduceProd: reduce((x, axis, keepdims) => prod(x, { axis, keepdims }), 18),
  ReduceL1: reduce((x, axis, keepdims) => sum(abs(x), { axis, keepdims }), 18),
  ReduceL2: reduce((x, axis, keepdims) => sqrt(sum(square(x), { axis, keepdims })), 18),
  ReduceSumSquare: reduce((x, axis, keepdims) => sum(square(x), { axis, keepdims }), 18),
  ReduceLogSum: reduce((x, axis, keepdims) => log(sum(x, { axis, keepdims })), 18),
  ReduceLogSumExp: reduce((x, axis, keepdims) => logsumexp(x, { axis, keepdims }), 18),
  ArgMax: argReduce(argmax),
  ArgMin: argReduce(argmin),
  CumSum: { run: cumsumOp, static: [1] },
  TopK: { run: topkOp, static: [1], staticSince: 10 },
  // Shapes and constants.
  Constant: {
    run: constantOf,
    check: (ctx) =>
      ctx.has("sparse_value") || ctx.has("value_string") || ctx.has("value_strings")
        ? "sparse or string constants are not supported"
        : undefined,
  },
  ConstantOfShape: {
    static: [0],
    run: (ctx) => {
      const shape = ctx.values(0, "shape") ?? [];
      const v = ctx.tensor("value");
      return v === undefined ? zeros(shape, "float32") : full(shape, v.dataSync()[0]!, v.dtype);
    },
  },
  Shape: { run: shapeOp },
  Size: { run: (ctx) => tensor(ctx.input(0).size, { dtype: "int32" }) },
  Range: { run: rangeOp, static: [0, 1, 2] },
  EyeLike: { run: eyeLike },
  OneHot: { run: oneHot, static: [1] },
  Reshape: { run: reshapeOp, static: [1], staticSince: 5 },
  Flatten: {
    run: (ctx) => {
      const x = ctx.input(0);
      const axis = ctx.int("axis", 1);
      const a = axis < 0 ? axis + x.ndim : axis;
      return reshape(x, [product(x.shape.slice(0, a)), product(x.shape.slice(a))]);
    },
  },
  Squeeze: { run: squeezeOp, static: [1], staticSince: 13 },
  Unsqueeze: {
    static: [1],
    staticSince: 13,
    run: (ctx) => unsqueeze(ctx, ctx.input(0), axesOf(ctx, 13) ?? []),
  },
  Transpose: {
    run: (ctx) => {
      const perm = ctx.ints("perm");
      return perm === undefined ? transpose(ctx.input(0)) : transpose(ctx.input(0), perm);
    },
  },
  Concat: {
    run: (ctx) => {
      const xs = ctx.inputs.filter((t): t is Tensor => t !== undefined);
      const axis = normAxis(ctx, ctx.int("axis", 1), xs[0]!.ndim);
      return keepType(concat(xs, axis), xs[0]!.dtype);
    },
  },
  Split: { run: splitOp, static: [1], staticSince: 13 },
  Slice: { run: sliceOp, static: [1, 2, 3, 4], staticSince: 10 },
  Pad: {
    run: padOp,
    static: [1, 2, 3],
    staticSince: 11,
    check: (ctx) => {
      const m = ctx.string("mode", "constant");
      return ["constant", "reflect", "edge"].includes(m) ? undefined : `mode ${m} is not supported`;
    },
  },
  Gather: { run: gatherOp },
  GatherElements: { run: gatherElements },
  GatherND: { run: gatherND },
  Expand: { run: expandOp, static: [1] },
  Tile: { run: (ctx) => tile(ctx.input(0), ctx.values(1, "repeats") ?? []), static: [1] },
  Trilu: {
    static: [1],
    run: (ctx) => {
      const k = ctx.scalar(1, "k", 0);
      return ctx.int("upper", 1) === 1 ? triu(ctx.input(0), k) : tril(ctx.input(0), k);
    },
  },
  DepthToSpace: { run: depthToSpace },
  ...SPATIAL_OPS,
  ...RNN_OPS,
  ...MORE_OPS,
  ...CONTROL_OPS,
  ...GRID_SAMPLE_OPS,
  ...QUANTIZE_OPS,
  ...SEQUENCE_OPS,
  ...TRAINING_OPS,
  ...SIGNAL_OPS,
  ...ML_OPS,
  SpaceToDepth: { run: spaceToDepth },
};

/** The mapping of an operator ("Conv", or "domain.Op" outside the default domain), if any. */
export function importOp(name: string): ImportOp | undefined {
  return Object.hasOwn(IMPORT_OPS, name) ? IMPORT_OPS[name] : undefined;
}

/** Whether input `i` of a node must be a constant at its opset. */
export function isStaticInput(op: ImportOp, opset: number, i: number): boolean {
  return (op.static?.includes(i) ?? false) && opset >= (op.staticSince ?? 0);
}
