/**
 * @file ONNX's spatial operators on adjoint's ops: Conv (1-d and 2-d on conv1d/conv2d, 3-d as a
 * sum of 2-d convolutions over the depth taps), ConvTranspose (a convolution of the
 * stride-dilated input with the flipped kernel), and Resize / Upsample (separable per axis: the
 * source indices and weights are computed while loading, the data is gathered with take).
 */

import { tensor } from "../core/convert.js";
import type { Tensor } from "../core/tensor.js";
import {
  add,
  conv1d,
  conv2d,
  flip,
  mul,
  pad,
  reshape,
  stridedSlice,
  take,
  transpose,
  where,
} from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import { checkAutoPad, windowOf } from "./import-util.js";
import type { NodeAttrs, NodeContext } from "./node-context.js";

/** Pads (positive widths) or crops (negative widths) every axis. */
function padOrCrop(x: Tensor, widths: readonly (readonly [number, number])[]): Tensor {
  let t = x;
  if (widths.some(([a, b]) => a < 0 || b < 0)) {
    t = stridedSlice(
      t,
      widths.map(([a]) => (a < 0 ? -a : null)),
      widths.map(([, b], d) => (b < 0 ? x.shape[d]! + b : null)),
    );
  }
  if (widths.every(([a, b]) => a <= 0 && b <= 0)) return t;
  return pad(
    t,
    widths.map(([a, b]) => [Math.max(a, 0), Math.max(b, 0)] as [number, number]),
  );
}

/** A convolution with explicit pads over 1, 2 or 3 spatial axes. */
function convCore(
  ctx: NodeAttrs,
  x: Tensor,
  w: Tensor,
  strides: readonly number[],
  dilations: readonly number[],
  begin: readonly number[],
  end: readonly number[],
  groups: number,
): Tensor {
  const nsp = w.ndim - 2;
  if (nsp === 1) {
    return conv1d(x, w, {
      stride: strides[0]!,
      dilation: dilations[0]!,
      padding: [begin[0]!, end[0]!],
      groups,
    });
  }
  if (nsp === 2) {
    return conv2d(x, w, {
      stride: [strides[0]!, strides[1]!],
      dilation: [dilations[0]!, dilations[1]!],
      padding: [
        [begin[0]!, end[0]!],
        [begin[1]!, end[1]!],
      ],
      groups,
    });
  }
  if (nsp !== 3) throw ctx.unsupported(`${nsp}-d convolution is not supported (1-d to 3-d are)`);
  // 3-d: out[:, :, od] = sum over depth taps kd of conv2d(x[:, :, od*sd + kd*dd], w[:, :, kd]).
  const xp = padOrCrop(x, [
    [0, 0],
    [0, 0],
    [begin[0]!, end[0]!],
    [0, 0],
    [0, 0],
  ]);
  const [n, c, depth, h, wd] = xp.shape as [number, number, number, number, number];
  const [o, cg, kd, kh, kw] = w.shape as [number, number, number, number, number];
  const od = Math.floor((depth - (kd - 1) * dilations[0]! - 1) / strides[0]!) + 1;
  if (od <= 0) throw ctx.error("the kernel does not fit the padded input's depth");
  let acc: Tensor | undefined;
  for (let k = 0; k < kd; k++) {
    const b = k * dilations[0]!;
    const xs = stridedSlice(
      xp,
      [0, 0, b],
      [null, null, b + (od - 1) * strides[0]! + 1],
      [1, 1, strides[0]!],
    );
    const x2 = reshape(transpose(xs, [0, 2, 1, 3, 4]), [n * od, c, h, wd]);
    const w2 = reshape(stridedSlice(w, [0, 0, k], [null, null, k + 1]), [o, cg, kh, kw]);
    const y2 = conv2d(x2, w2, {
      stride: [strides[1]!, strides[2]!],
      dilation: [dilations[1]!, dilations[2]!],
      padding: [
        [begin[1]!, end[1]!],
        [begin[2]!, end[2]!],
      ],
      groups,
    });
    acc = acc === undefined ? y2 : add(acc, y2);
  }
  const [, , oh, ow] = acc!.shape as [number, number, number, number];
  return transpose(reshape(acc!, [n, od, o, oh, ow]), [0, 2, 1, 3, 4]);
}

function biasAdd(ctx: NodeContext, y: Tensor): Tensor {
  const b = ctx.inputs[2];
  if (b === undefined) return y;
  return add(y, reshape(b, [1, b.size, ...new Array<number>(y.ndim - 2).fill(1)]));
}

function conv(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const w = ctx.input(1);
  const win = windowOf(ctx, x.shape.slice(2), w.shape.slice(2), false);
  const y = convCore(
    ctx,
    x,
    w,
    win.strides,
    win.dilations,
    win.begin,
    win.end,
    ctx.int("group", 1),
  );
  return biasAdd(ctx, y);
}

/** x with s - 1 zeros between neighbours along `axis`. */
function dilate(x: Tensor, axis: number, s: number): Tensor {
  if (s === 1) return x;
  const n = x.shape[axis]!;
  const split = [...x.shape.slice(0, axis + 1), 1, ...x.shape.slice(axis + 1)];
  const widths = split.map((_, d) => (d === axis + 1 ? [0, s - 1] : [0, 0]) as [number, number]);
  const spread = reshape(pad(reshape(x, split), widths), [
    ...x.shape.slice(0, axis),
    n * s,
    ...x.shape.slice(axis + 1),
  ]);
  const end = x.shape.map((_, d) => (d === axis ? (n - 1) * s + 1 : null));
  return stridedSlice(
    spread,
    x.shape.map(() => 0),
    end,
  );
}

function convTranspose(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const w = ctx.input(1);
  const nsp = x.ndim - 2;
  const groups = ctx.int("group", 1);
  const kernel = w.shape.slice(2);
  const strides = ctx.ints("strides") ?? new Array<number>(nsp).fill(1);
  const dilations = ctx.ints("dilations") ?? new Array<number>(nsp).fill(1);
  const outPad = ctx.ints("output_padding") ?? new Array<number>(nsp).fill(0);
  const pads = ctx.ints("pads") ?? new Array<number>(2 * nsp).fill(0);
  const autoPad = ctx.string("auto_pad", "NOTSET");
  const outShape = ctx.ints("output_shape");
  const begin: number[] = [];
  const end: number[] = [];
  for (let d = 0; d < nsp; d++) {
    const size = x.shape[d + 2]!;
    const ek = (kernel[d]! - 1) * dilations[d]! + 1;
    const full = strides[d]! * (size - 1) + outPad[d]! + ek;
    const target =
      outShape !== undefined
        ? outShape[outShape.length - nsp + d]!
        : autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER"
          ? size * strides[d]!
          : undefined;
    if (target === undefined) {
      begin.push(autoPad === "VALID" ? 0 : pads[d]!);
      end.push(autoPad === "VALID" ? 0 : pads[d + nsp]!);
    } else {
      const total = full - target;
      const half = Math.floor(total / 2);
      if (autoPad === "SAME_UPPER") {
        begin.push(half);
        end.push(total - half);
      } else {
        begin.push(total - half);
        end.push(half);
      }
    }
  }
  // The stride-dilated input, padded by ek - 1 - pad on each side, convolved with the kernel
  // flipped and its in/out channels swapped (per group).
  let xd = x;
  for (let d = 0; d < nsp; d++) xd = dilate(xd, d + 2, strides[d]!);
  const widths: [number, number][] = [
    [0, 0],
    [0, 0],
  ];
  for (let d = 0; d < nsp; d++) {
    const ek = (kernel[d]! - 1) * dilations[d]! + 1;
    widths.push([ek - 1 - begin[d]!, ek - 1 - end[d]! + outPad[d]!]);
  }
  xd = padOrCrop(xd, widths);
  const [cin, mg] = w.shape as [number, number];
  const wg = reshape(w, [groups, cin / groups, mg, ...kernel]);
  const perm = [0, 2, 1, ...kernel.map((_, i) => i + 3)];
  const wt = flip(
    reshape(transpose(wg, perm), [groups * mg, cin / groups, ...kernel]),
    kernel.map((_, i) => i + 2),
  );
  const zeros = new Array<number>(nsp).fill(0);
  const ones = new Array<number>(nsp).fill(1);
  return biasAdd(ctx, convCore(ctx, xd, wt, ones, dilations, zeros, zeros, groups));
}

// ---- Resize and Upsample ------------------------------------------------------------------------

interface ResizeSpec {
  mode: string;
  coord: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
}

/** The source coordinate of output index o along an axis. */
function sourceCoord(
  spec: ResizeSpec,
  o: number,
  inLen: number,
  outLen: number,
  scale: number,
  roi: readonly [number, number],
): number {
  switch (spec.coord) {
    case "asymmetric":
      return o / scale;
    case "align_corners": {
      // The reference uses the unrounded output length inLen * scale.
      const len = inLen * scale;
      return outLen === 1 ? 0 : (o * (inLen - 1)) / (len - 1);
    }
    case "pytorch_half_pixel":
      return outLen > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case "tf_half_pixel_for_nn":
      return (o + 0.5) / scale;
    case "tf_crop_and_resize":
      return outLen > 1
        ? roi[0] * (inLen - 1) + (o * (roi[1] - roi[0]) * (inLen - 1)) / (outLen - 1)
        : 0.5 * (roi[0] + roi[1]) * (inLen - 1);
    default:
      return (o + 0.5) / scale - 0.5;
  }
}

function nearestIndex(mode: string, x: number): number {
  switch (mode) {
    case "floor":
      return Math.floor(x);
    case "ceil":
      return Math.ceil(x);
    case "round_prefer_ceil":
      return Math.round(x);
    default:
      return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
  }
}

function cubicWeights(a: number, s: number): number[] {
  const w0 = ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a;
  const w1 = ((a + 2) * s - (a + 3)) * s * s + 1;
  const w2 = ((a + 2) * (1 - s) - (a + 3)) * (1 - s) * (1 - s) + 1;
  return [w0, w1, w2, 1 - w0 - w1 - w2];
}

/** Resamples one axis: taps (indices) and weights per output position, gathered and summed. */
function resizeAxis(
  x: Tensor,
  axis: number,
  outLen: number,
  scale: number,
  roi: readonly [number, number],
  spec: ResizeSpec,
): Tensor {
  const inLen = x.shape[axis]!;
  const clampI = (i: number) => Math.min(Math.max(i, 0), inLen - 1);
  const ntaps = spec.mode === "nearest" ? 1 : spec.mode === "linear" ? 2 : 4;
  const idx: number[][] = Array.from({ length: ntaps }, () => []);
  const wts: number[][] = Array.from({ length: ntaps }, () => []);
  const outside: boolean[] = [];
  for (let o = 0; o < outLen; o++) {
    let c = sourceCoord(spec, o, inLen, outLen, scale, roi);
    outside.push(spec.coord === "tf_crop_and_resize" && (c < 0 || c > inLen - 1));
    if (spec.mode === "nearest") {
      idx[0]!.push(clampI(nearestIndex(spec.nearest, c)));
      wts[0]!.push(1);
    } else if (spec.mode === "linear") {
      c = Math.min(Math.max(c, 0), inLen - 1);
      const i0 = Math.floor(c);
      idx[0]!.push(i0);
      idx[1]!.push(clampI(i0 + 1));
      wts[0]!.push(1 - (c - i0));
      wts[1]!.push(c - i0);
    } else {
      const i0 = Math.floor(c);
      const ws = cubicWeights(spec.cubicA, c - i0);
      let total = 0;
      for (let k = 0; k < 4; k++) {
        const i = i0 - 1 + k;
        if (spec.excludeOutside && (i < 0 || i >= inLen)) ws[k] = 0;
        total += ws[k]!;
      }
      for (let k = 0; k < 4; k++) {
        idx[k]!.push(clampI(i0 - 1 + k));
        wts[k]!.push(spec.excludeOutside ? ws[k]! / total : ws[k]!);
      }
    }
  }
  const bshape = x.shape.map((_, d) => (d === axis ? outLen : 1));
  let y: Tensor | undefined;
  for (let k = 0; k < ntaps; k++) {
    let piece = take(x, tensor(Int32Array.from(idx[k]!)), axis);
    if (ntaps > 1) piece = mul(piece, reshape(tensor(wts[k]!, { dtype: x.dtype }), bshape));
    y = y === undefined ? piece : add(y, piece);
  }
  if (outside.some((v) => v)) {
    const mask = reshape(tensor(outside), bshape);
    y = where(mask, tensor(spec.extrapolation, { dtype: x.dtype }), y!);
  }
  return y!;
}

function resizeWith(
  ctx: NodeContext,
  x: Tensor,
  scales: number[] | undefined,
  sizes: number[] | undefined,
  roi: number[] | undefined,
  spec: ResizeSpec,
): Tensor {
  const nd = x.ndim;
  let y = x;
  for (let d = 0; d < nd; d++) {
    const inLen = x.shape[d]!;
    const outLen = sizes !== undefined ? sizes[d]! : Math.floor(inLen * scales![d]!);
    const scale = sizes !== undefined ? outLen / inLen : scales![d]!;
    const r: [number, number] =
      roi !== undefined && roi.length === 2 * nd ? [roi[d]!, roi[d + nd]!] : [0, 1];
    if (outLen === inLen && scale === 1 && spec.coord !== "tf_crop_and_resize") continue;
    if (outLen < 0) throw ctx.error(`output size ${outLen} on axis ${d}`);
    y = resizeAxis(y, d, outLen, scale, r, spec);
  }
  return y;
}

function resize(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const mode = ctx.string("mode", "nearest");
  const spec: ResizeSpec = {
    mode,
    coord:
      ctx.opset < 11 ? "asymmetric" : ctx.string("coordinate_transformation_mode", "half_pixel"),
    nearest: ctx.opset < 11 ? "floor" : ctx.string("nearest_mode", "round_prefer_floor"),
    cubicA: ctx.float("cubic_coeff_a", -0.75),
    excludeOutside: ctx.int("exclude_outside", 0) === 1,
    extrapolation: ctx.float("extrapolation_value", 0),
  };
  if (ctx.opset < 11)
    return resizeWith(ctx, x, ctx.values(1, "scales"), undefined, undefined, spec);
  const roi = ctx.values(1, "roi");
  const scales = ctx.values(2, "scales");
  const sizes = ctx.values(3, "sizes");
  const hasSizes = sizes !== undefined && sizes.length > 0;
  return resizeWith(ctx, x, hasSizes ? undefined : scales, hasSizes ? sizes : undefined, roi, spec);
}

function upsample(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const mode = ctx.string("mode", "nearest");
  const spec: ResizeSpec = {
    mode: mode === "bilinear" ? "linear" : mode,
    coord: "asymmetric",
    nearest: "floor",
    cubicA: -0.75,
    excludeOutside: false,
    extrapolation: 0,
  };
  const scales = ctx.opset < 9 ? ctx.floats("scales") : ctx.values(1, "scales");
  return resizeWith(ctx, x, scales, undefined, undefined, spec);
}

function checkResize(ctx: NodeAttrs): string | undefined {
  const mode = ctx.string("mode", "nearest");
  if (!["nearest", "linear", "cubic", "bilinear"].includes(mode))
    return `mode ${mode} is not supported`;
  if (ctx.int("antialias", 0) !== 0) return "antialias is not supported";
  if (ctx.has("axes")) return "the axes attribute is not supported";
  const policy = ctx.string("keep_aspect_ratio_policy", "stretch");
  return policy === "stretch" ? undefined : `keep_aspect_ratio_policy ${policy} is not supported`;
}

/** The spatial operators' table entries. */
export const SPATIAL_OPS: Readonly<Record<string, ImportOp>> = {
  Conv: { run: conv, check: checkAutoPad },
  ConvTranspose: { run: convTranspose, check: checkAutoPad },
  Resize: { run: resize, static: [1, 2, 3], check: checkResize },
  Upsample: {
    run: upsample,
    static: [1],
    staticSince: 9,
    check: checkResize,
  },
};
