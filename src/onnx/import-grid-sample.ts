/**
 * @file ONNX's GridSample (opset 16, 4-d input) on adjoint's ops: the grid's normalised
 * coordinates become pixel coordinates, each tap's pixel is gathered from the flattened image
 * (takeAlongAxis) and weighted, so the result is differentiable in both the image and the grid.
 * Bilinear, nearest and bicubic; zeros, border and reflection padding.
 */

import type { Tensor } from "../core/tensor.js";
import {
  abs,
  add,
  astype,
  broadcastTo,
  floor,
  fmod,
  greaterEqual,
  lessEqual,
  logicalAnd,
  maximum,
  minimum,
  mul,
  reshape,
  round,
  stridedSlice,
  sub,
  takeAlongAxis,
  where,
  zeros,
} from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import type { NodeAttrs, NodeContext } from "./node-context.js";

/** Reflects coordinates into [lo, hi] (as the reference does, by whole spans). */
function reflect(x: Tensor, lo: number, hi: number): Tensor {
  const span = hi - lo;
  if (span <= 0) return mul(x, 0);
  const d = abs(sub(x, lo));
  const flips = floor(mul(d, 1 / span));
  const rest = fmod(d, span);
  const even = lessEqual(abs(sub(fmod(flips, 2), 0)), 0);
  return where(even, add(rest, lo), sub(hi, rest));
}

function gridSample(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const grid = ctx.input(1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [, ho, wo] = grid.shape as [number, number, number, number];
  const mode = ctx.string("mode", "bilinear");
  const padding = ctx.string("padding_mode", "zeros");
  const align = ctx.int("align_corners", 0) === 1;
  const coord = (k: number, size: number) => {
    const g = reshape(stridedSlice(grid, [0, 0, 0, k], [null, null, null, k + 1]), [n, ho * wo]);
    // Normalised [-1, 1] to pixel coordinates.
    let p = align ? mul(add(g, 1), (size - 1) / 2) : mul(sub(mul(add(g, 1), size), 1), 0.5);
    if (padding === "border") p = minimum(maximum(p, 0), size - 1);
    else if (padding === "reflection") {
      p = align ? reflect(p, 0, size - 1) : reflect(p, -0.5, size - 0.5);
      p = minimum(maximum(p, 0), size - 1);
    }
    return p;
  };
  const px = coord(0, w);
  const py = coord(1, h);
  const flat = reshape(x, [n, c, h * w]);
  /** The pixels at integer (iy, ix) [n, ho*wo], zero outside the image. */
  const at = (iy: Tensor, ix: Tensor): Tensor => {
    const inside = logicalAnd(
      logicalAnd(greaterEqual(ix, 0), lessEqual(ix, w - 1)),
      logicalAnd(greaterEqual(iy, 0), lessEqual(iy, h - 1)),
    );
    const cx = minimum(maximum(ix, 0), w - 1);
    const cy = minimum(maximum(iy, 0), h - 1);
    const lin = astype(add(mul(cy, w), cx), "int32");
    const idx = broadcastTo(reshape(lin, [n, 1, ho * wo]), [n, c, ho * wo]);
    const v = takeAlongAxis(flat, idx, 2);
    // Border and reflection read the nearest edge pixel for taps outside (bicubic's outer taps).
    if (padding !== "zeros") return v;
    return where(reshape(inside, [n, 1, ho * wo]), v, zeros([], x.dtype));
  };
  let out: Tensor;
  if (mode === "nearest") {
    out = at(round(py), round(px));
  } else if (mode === "bilinear") {
    const x0 = floor(px);
    const y0 = floor(py);
    const fx = reshape(sub(px, x0), [n, 1, ho * wo]);
    const fy = reshape(sub(py, y0), [n, 1, ho * wo]);
    const x1 = add(x0, 1);
    const y1 = add(y0, 1);
    const top = add(mul(at(y0, x0), sub(1, fx)), mul(at(y0, x1), fx));
    const bottom = add(mul(at(y1, x0), sub(1, fx)), mul(at(y1, x1), fx));
    out = add(mul(top, sub(1, fy)), mul(bottom, fy));
  } else {
    const a = -0.75;
    const weights = (t: Tensor): Tensor[] => {
      const s1 = add(t, 1);
      const s2 = sub(1, t);
      const s3 = sub(2, t);
      const outer = (s: Tensor) => add(mul(sub(mul(sub(mul(s, a), 5 * a), s), -8 * a), s), -4 * a);
      const inner = (s: Tensor) => add(mul(mul(sub(mul(s, a + 2), a + 3), s), s), 1);
      return [outer(s1), inner(t), inner(s2), outer(s3)].map((v) => reshape(v, [n, 1, ho * wo]));
    };
    const x0 = floor(px);
    const y0 = floor(py);
    const wx = weights(sub(px, x0));
    const wy = weights(sub(py, y0));
    let acc: Tensor | undefined;
    for (let i = 0; i < 4; i++) {
      let row: Tensor | undefined;
      for (let j = 0; j < 4; j++) {
        const v = mul(at(add(y0, i - 1), add(x0, j - 1)), wx[j]!);
        row = row === undefined ? v : add(row, v);
      }
      const term = mul(row!, wy[i]!);
      acc = acc === undefined ? term : add(acc, term);
    }
    out = acc!;
  }
  return reshape(out, [n, c, ho, wo]);
}

function checkGridSample(ctx: NodeAttrs): string | undefined {
  const mode = ctx.string("mode", "bilinear");
  if (!["bilinear", "nearest", "bicubic"].includes(mode)) return `mode ${mode} is not supported`;
  const p = ctx.string("padding_mode", "zeros");
  return ["zeros", "border", "reflection"].includes(p)
    ? undefined
    : `padding_mode ${p} is not supported`;
}

/** GridSample's table entry. */
export const GRID_SAMPLE_OPS: Readonly<Record<string, ImportOp>> = {
  GridSample: { run: gridSample, check: checkGridSample },
};
