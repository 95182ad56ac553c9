/**
 * @file Neural-net ops in NCHW layout: conv2d, conv1d, maxPool2d, avgPool2d. Composites: the
 * input is padded, its receptive fields are gathered with one `take` on a precomputed index
 * tensor (im2col), and then multiplied with the weights (matmul, per group) or reduced (max,
 * mean). Derivatives of every order flow through take (scatter-add), pad and matmul.
 */

import { tensor, toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { astype } from "./elementwise.js";
import { matmul } from "./linalg.js";
import { promoteArgs, promoteToFloat } from "./promote.js";
import { max, mean } from "./reduce.js";
import { pad, reshape, take } from "./shape.js";

/**
 * A [before, after] pair of padding widths.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.conv1d(ad.ones([1, 1, 3]), ad.ones([1, 1, 2]), { padding: [1, 0] }); // => tensor([[[1., 2., 2.]]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export type PadPair = readonly [number, number];

/**
 * Padding of a 2-d window op: n on every side, [ph, pw] (both sides of height, of width),
 * [[top, bottom], [left, right]], "valid" (none) or "same" (output size ceil(input / stride),
 * the odd extra at the bottom / right, as TF and JAX).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.ones([1, 1, 5, 5]);
 * const w = ad.ones([1, 1, 3, 3]);
 * ad.conv2d(x, w, { padding: "same" }).shape; // => [1, 1, 5, 5]
 * ad.conv2d(x, w, { padding: [[1, 0], [0, 0]] }).shape; // => [1, 1, 4, 3]
 * ```
 * @category Neural-net ops
 */
export type Padding2d =
  | number
  | readonly [number, number]
  | readonly [PadPair, PadPair]
  | "same"
  | "valid";

/**
 * Padding of conv1d: n on both sides, [left, right], "valid" or "same" (as in 2-d).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.conv1d(ad.ones([1, 1, 5]), ad.ones([1, 1, 3]), { padding: "same" }).shape; // => [1, 1, 5]
 * ```
 * @category Neural-net ops
 */
export type Padding1d = number | PadPair | "same" | "valid";

/**
 * Options of conv2d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.ones([1, 4, 8, 8]);
 * const w = ad.ones([6, 2, 3, 3]);
 * ad.conv2d(x, w, { stride: 2, padding: 1, groups: 2 }).shape; // => [1, 6, 4, 4]
 * ```
 * @category Neural-net ops
 */
export interface Conv2dOptions {
  /** Step between windows: n or [sh, sw] (default 1). */
  stride?: number | readonly [number, number];
  /** Default 0 ("valid"). */
  padding?: Padding2d;
  /** Spacing between kernel taps: n or [dh, dw] (default 1). */
  dilation?: number | readonly [number, number];
  /** Channel groups: C and O must both be divisible by it (default 1). */
  groups?: number;
}

/**
 * Options of conv1d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.conv1d(ad.ones([1, 1, 9]), ad.ones([2, 1, 3]), { stride: 2, dilation: 2 }).shape; // => [1, 2, 3]
 * ```
 * @category Neural-net ops
 */
export interface Conv1dOptions {
  stride?: number;
  padding?: Padding1d;
  dilation?: number;
  groups?: number;
}

/**
 * Options of maxPool2d and avgPool2d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.maxPool2d(ad.ones([1, 1, 5, 5]), 3, { stride: 2, padding: 1 }).shape; // => [1, 1, 3, 3]
 * ```
 * @category Neural-net ops
 */
export interface Pool2dOptions {
  /** Step between windows: n or [sh, sw] (default: the kernel size). */
  stride?: number | readonly [number, number];
  /** Default 0 ("valid"); each side must be smaller than the kernel. */
  padding?: Padding2d;
}

/** Where the windows of a 2-d window op sit: sizes, steps, pads, output size. */
interface Geometry {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  pads: [[number, number], [number, number]];
  /** Padded input size. */
  padded: [number, number];
  out: [number, number];
}

/** Spatial axis names for messages: conv1d has only a width. */
const AXES = ["height", "width"] as const;

const isPositiveInt = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1;
const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** n or [a, b] of positive integers, as a pair. */
function positivePair(op: string, name: string, v: unknown, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  if (isPositiveInt(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && isPositiveInt(v[0]) && isPositiveInt(v[1])) {
    return [v[0], v[1]];
  }
  throw new ValueError(
    `${op}: ${name} must be a positive integer or a pair of them; got ${describeValue(v)}`,
  );
}

/** A positive integer (1-d options). */
function positiveInt(op: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (isPositiveInt(v)) return v;
  throw new ValueError(`${op}: ${name} must be a positive integer; got ${describeValue(v)}`);
}

/** The explicit pads of a Padding2d (strings are resolved by `geometry`). */
function explicitPads(op: string, p: unknown): [[number, number], [number, number]] {
  const pair = (q: unknown): q is PadPair =>
    Array.isArray(q) && q.length === 2 && isCount(q[0]) && isCount(q[1]);
  if (isCount(p)) {
    return [
      [p, p],
      [p, p],
    ];
  }
  if (pair(p)) {
    return [
      [p[0], p[0]],
      [p[1], p[1]],
    ];
  }
  if (Array.isArray(p) && p.length === 2 && pair(p[0]) && pair(p[1])) {
    return [
      [p[0][0], p[0][1]],
      [p[1][0], p[1][1]],
    ];
  }
  throw new ValueError(
    `${op}: padding must be "same", "valid", a non-negative integer, [ph, pw] or [[top, bottom], [left, right]]; got ${describeValue(p)}`,
  );
}

/**
 * Resolves padding and checks that the (dilated) kernel fits the padded input.
 * "same" follows TF/JAX: output ceil(n / stride), total padding split with the odd extra after.
 */
function geometry(
  op: string,
  input: readonly [number, number],
  kernel: [number, number],
  stride: [number, number],
  dilation: [number, number],
  padding: Padding2d | undefined,
  axes: readonly number[] = [0, 1],
): Geometry {
  const span = [0, 1].map((d) => (kernel[d]! - 1) * dilation[d]! + 1);
  let pads: [[number, number], [number, number]];
  if (padding === undefined || padding === "valid") {
    pads = [
      [0, 0],
      [0, 0],
    ];
  } else if (padding === "same") {
    const side = (d: number): [number, number] => {
      const n = input[d]!;
      const out = Math.ceil(n / stride[d]!);
      const total = Math.max((out - 1) * stride[d]! + span[d]! - n, 0);
      const before = Math.floor(total / 2);
      return [before, total - before];
    };
    pads = [side(0), side(1)];
  } else {
    pads = explicitPads(op, padding);
  }
  const padded: [number, number] = [
    input[0] + pads[0][0] + pads[0][1],
    input[1] + pads[1][0] + pads[1][1],
  ];
  for (const d of axes) {
    if (padded[d]! < span[d]!) {
      const dil = dilation[d] === 1 ? "" : ` (${kernel[d]} taps with dilation ${dilation[d]})`;
      throw new ShapeError(
        `${op}: the kernel ${AXES[d]} ${span[d]}${dil} is larger than the padded input ${AXES[d]} ${padded[d]} (input ${input[d]}, padding [${pads[d]!.join(",")}])`,
      );
    }
  }
  const out: [number, number] = [
    Math.floor((padded[0] - span[0]!) / stride[0]) + 1,
    Math.floor((padded[1] - span[1]!) / stride[1]) + 1,
  ];
  return { kernel, stride, dilation, pads, padded, out };
}

/**
 * The receptive fields of x [N, C, H, W]: [N, C, KH * KW, OH * OW], entry [n, c, k, l] being the
 * input under kernel tap k of output position l. Out-of-bounds taps read `padValue`.
 */
function windows(x: Tensor, g: Geometry, padValue: number): Tensor {
  const [n, c] = x.shape as [number, number];
  const noPad = g.pads.every(([a, b]) => a === 0 && b === 0);
  const xp = noPad ? x : pad(x, [[0, 0], [0, 0], g.pads[0], g.pads[1]], padValue);
  const [hp, wp] = g.padded;
  const [kh, kw] = g.kernel;
  const [oh, ow] = g.out;
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const flat = reshape(xp, [n, c, hp * wp]);
  // idx[k, l]: the flat padded-input position read by tap k = (i, j) at output l = (r, s).
  const idx = new Int32Array(kh * kw * oh * ow);
  let identity = idx.length === hp * wp;
  let at = 0;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let r = 0; r < oh; r++) {
        const row = (r * sh + i * dh) * wp + j * dw;
        for (let s = 0; s < ow; s++) {
          const v = row + s * sw;
          idx[at] = v;
          if (v !== at) identity = false;
          at++;
        }
      }
    }
  }
  // A 1x1 window with unit stride reads every position once, in order: no gather needed.
  if (identity) return reshape(flat, [n, c, kh * kw, oh * ow]);
  return take(flat, tensor(idx, { shape: [kh * kw, oh * ow] }), 2);
}

/** Checks that x is 4-d NCHW (`op` and `layout` name it in messages). */
function require4d(op: string, arg: string, t: Tensor, layout: string): void {
  if (t.ndim !== 4) {
    throw new ShapeError(`${op}: ${arg} must be 4-d (${layout}); got shape ${fmtShape(t.shape)}`);
  }
}

/** The shared 2-d convolution on 4-d x and w; `op` and `axes` shape the messages (conv1d). */
function convCore(
  op: string,
  x: Tensor,
  w: Tensor,
  stride: [number, number],
  dilation: [number, number],
  padding: Padding2d | undefined,
  groups: unknown,
  axes: readonly number[],
): Tensor {
  if (!isPositiveInt(groups)) {
    throw new ValueError(`${op}: groups must be a positive integer; got ${describeValue(groups)}`);
  }
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [o, cg, kh, kw] = w.shape as [number, number, number, number];
  if (kh < 1 || kw < 1) {
    throw new ShapeError(
      `${op}: w must have at least one kernel tap along each spatial axis; got shape ${fmtShape(w.shape)}`,
    );
  }
  if (c % groups !== 0) {
    throw new ValueError(
      `${op}: groups = ${groups} does not divide the ${c} input channels of x (shape ${fmtShape(x.shape)})`,
    );
  }
  if (o % groups !== 0) {
    throw new ValueError(
      `${op}: groups = ${groups} does not divide the ${o} output channels of w (w.shape[0], shape ${fmtShape(w.shape)})`,
    );
  }
  if (cg * groups !== c) {
    throw new ShapeError(
      `${op}: x has ${c} channels but w expects ${cg * groups} (w.shape[1] * groups = ${cg} * ${groups}); shapes x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)}`,
    );
  }
  const g = geometry(op, [h, wd], [kh, kw], stride, dilation, padding, axes);
  const k = kh * kw;
  const l = g.out[0] * g.out[1];
  // [N, C, K, L] -> [N, G, Cg*K, L]: rows ordered (channel, tap), as w's [Cg, KH, KW] flattens.
  const cols = reshape(windows(x, g, 0), [n, groups, cg * k, l]);
  const wm = reshape(w, [groups, o / groups, cg * k]);
  // [G, Og, Cg*K] @ [N, G, Cg*K, L] -> [N, G, Og, L] (batch dims broadcast over N).
  return reshape(matmul(wm, cols), [n, o, g.out[0], g.out[1]]);
}

/** Promotes x and w to a common numeric dtype (bool computes as int32, as in matmul). */
function convOperands(x: TensorLike, w: TensorLike): [Tensor, Tensor] {
  let [a, b] = promoteArgs([x, w]) as [Tensor, Tensor];
  if (a.dtype === "bool") {
    a = astype(a, "int32");
    b = astype(b, "int32");
  }
  return [a, b];
}

/**
 * 2-d convolution (cross-correlation, as in every deep-learning library) of x [N, C, H, W] with
 * w [O, C / groups, KH, KW], giving [N, O, OH, OW] with OH = floor((H + pads - (KH-1)*dh - 1) /
 * sh) + 1. padding: n, [ph, pw], [[top, bottom], [left, right]], "valid" (default) or "same"
 * (output ceil(H / sh), odd extra padding at the bottom/right, as TF and JAX). groups splits
 * the channels: output channels [g*O/G, (g+1)*O/G) see input channels [g*C/G, (g+1)*C/G).
 * Differentiable to any order in x and w.
 * @throws {@link ShapeError} when x or w is not 4-d, the channels do not match, or the kernel does
 *   not fit the padded input.
 * @throws {@link ValueError} for a bad stride, dilation, padding or groups.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.ones([1, 3, 8, 8]);
 * const w = ad.ones([4, 3, 3, 3]);
 * ad.conv2d(x, w, { padding: "same", stride: 2 }).shape; // => [1, 4, 4, 4]
 * ```
 * @category Neural-net ops
 */
export function conv2d(x: TensorLike, w: TensorLike, options: Conv2dOptions = {}): Tensor {
  options = checkOptions("conv2d", options, ["stride", "padding", "dilation", "groups"]);
  const [a, b] = convOperands(x, w);
  require4d("conv2d", "x", a, "N, C, H, W");
  require4d("conv2d", "w", b, "O, C/groups, KH, KW");
  const stride = positivePair("conv2d", "stride", options.stride, 1);
  const dilation = positivePair("conv2d", "dilation", options.dilation, 1);
  return convCore("conv2d", a, b, stride, dilation, options.padding, options.groups ?? 1, [0, 1]);
}

/**
 * 1-d convolution of x [N, C, W] with w [O, C / groups, K], giving [N, O, OW]; the options are
 * conv2d's along one axis (padding: n, [left, right], "valid" (default) or "same").
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.conv1d(ad.ones([2, 4, 10]), ad.ones([6, 2, 3]), { groups: 2 }).shape; // => [2, 6, 8]
 * ad.conv1d(ad.tensor([[[1, 2, 3, 4]]]), ad.tensor([[[1, -1]]])); // => tensor([[[-1., -1., -1.]]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function conv1d(x: TensorLike, w: TensorLike, options: Conv1dOptions = {}): Tensor {
  options = checkOptions("conv1d", options, ["stride", "padding", "dilation", "groups"]);
  const [a, b] = convOperands(x, w);
  if (a.ndim !== 3) {
    throw new ShapeError(`conv1d: x must be 3-d (N, C, W); got shape ${fmtShape(a.shape)}`);
  }
  if (b.ndim !== 3) {
    throw new ShapeError(`conv1d: w must be 3-d (O, C/groups, K); got shape ${fmtShape(b.shape)}`);
  }
  const stride = positiveInt("conv1d", "stride", options.stride, 1);
  const dilation = positiveInt("conv1d", "dilation", options.dilation, 1);
  const p = options.padding;
  let padding: Padding2d | undefined;
  if (p === undefined || p === "same" || p === "valid") padding = p;
  else if (isCount(p))
    padding = [
      [0, 0],
      [p, p],
    ];
  else if (Array.isArray(p) && p.length === 2 && isCount(p[0]) && isCount(p[1])) {
    padding = [
      [0, 0],
      [p[0], p[1]],
    ];
  } else {
    throw new ValueError(
      `conv1d: padding must be "same", "valid", a non-negative integer or [left, right]; got ${describeValue(p)}`,
    );
  }
  // A height-1 conv2d; "same" leaves the height alone since a 1-tap kernel needs no padding.
  const [n, c, wd] = a.shape as [number, number, number];
  const [o, cg, k] = b.shape as [number, number, number];
  const out = convCore(
    "conv1d",
    reshape(a, [n, c, 1, wd]),
    reshape(b, [o, cg, 1, k]),
    [1, stride],
    [1, dilation],
    padding,
    options.groups ?? 1,
    [1],
  );
  return reshape(out, [n, o, out.shape[3]!]);
}

/** Validated geometry of a pooling op; every pad must be smaller than the kernel. */
function poolGeometry(op: string, x: Tensor, kernel: unknown, options: Pool2dOptions): Geometry {
  options = checkOptions(op, options, ["stride", "padding"]);
  require4d(op, "x", x, "N, C, H, W");
  if (kernel === undefined) {
    throw new ValueError(`${op}: kernel is required (a positive integer or [kh, kw])`);
  }
  const k = positivePair(op, "kernel", kernel, 1);
  const s: [number, number] =
    options.stride === undefined ? k : positivePair(op, "stride", options.stride, 1);
  const g = geometry(op, [x.shape[2]!, x.shape[3]!], k, s, [1, 1], options.padding);
  g.pads.forEach(([before, after], d) => {
    // A pad as wide as the kernel would make windows of padding only.
    if (before >= k[d]! || after >= k[d]!) {
      throw new ValueError(
        `${op}: padding [${before},${after}] of the ${AXES[d]} must be smaller than the kernel ${AXES[d]} ${k[d]}`,
      );
    }
  });
  return g;
}

/**
 * Max pooling of x [N, C, H, W] over kernel windows (n or [kh, kw]), stride defaulting to the
 * kernel. Padding (same forms as conv2d) reads -Infinity, so it never wins. The derivative is
 * shared equally among tied maxima of a window (as `max`, see docs/conventions.md).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.maxPool2d(ad.arange(16).reshape([1, 1, 4, 4]), 2); // => tensor([[[[5, 7], [13, 15]]]], dtype=int32)
 * ```
 * @category Neural-net ops
 */
export function maxPool2d(
  x: TensorLike,
  kernel: number | readonly [number, number],
  options: Pool2dOptions = {},
): Tensor {
  const t = toTensor(x);
  const g = poolGeometry("maxPool2d", t, kernel, options);
  const lowest = isFloat(t.dtype) ? -Infinity : t.dtype === "int32" ? -2147483648 : 0;
  const [n, c] = t.shape as [number, number];
  return reshape(max(windows(t, g, lowest), { axis: 2 }), [n, c, g.out[0], g.out[1]]);
}

/**
 * Average pooling of x [N, C, H, W] over kernel windows (n or [kh, kw]), stride defaulting to the
 * kernel. Padding counts as zeros included in the divisor (PyTorch's count_include_pad = true):
 * every output is the window sum divided by kh * kw. Integer inputs give the default float.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.avgPool2d(ad.ones([1, 1, 4, 4]), 2, { stride: 1 }).shape; // => [1, 1, 3, 3]
 * ad.avgPool2d(ad.arange(16).reshape([1, 1, 4, 4]), 2); // => tensor([[[[2.5, 4.5], [10.5, 12.5]]]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function avgPool2d(
  x: TensorLike,
  kernel: number | readonly [number, number],
  options: Pool2dOptions = {},
): Tensor {
  const [t] = promoteToFloat([x]) as [Tensor];
  const g = poolGeometry("avgPool2d", t, kernel, options);
  const [n, c] = t.shape as [number, number];
  return reshape(mean(windows(t, g, 0), { axis: 2 }), [n, c, g.out[0], g.out[1]]);
}
