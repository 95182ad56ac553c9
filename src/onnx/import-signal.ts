/**
 * @file ONNX's DFT and STFT as matrix products with cosine and sine tables computed while
 * loading (lengths are static), so they are differentiable in the signal. Complex values are
 * ONNX's trailing axis of 2 (real, imaginary); a real signal has a trailing axis of 1.
 */

import { tensor } from "../core/convert.js";
import type { Tensor } from "../core/tensor.js";
import { add, concat, matmul, mul, pad, reshape, stridedSlice, transpose } from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import { normAxis } from "./import-util.js";
import type { NodeContext } from "./node-context.js";

/** Real and imaginary parts [..., n] of a signal [..., n, 1|2]. */
function parts(x: Tensor): [Tensor, Tensor | undefined] {
  const lead = x.shape.slice(0, -1);
  const at = (k: number) =>
    reshape(
      stridedSlice(
        x,
        x.shape.map((_, d) => (d === x.ndim - 1 ? k : null)),
        x.shape.map((_, d) => (d === x.ndim - 1 ? k + 1 : null)),
      ),
      lead,
    );
  return [at(0), x.shape[x.ndim - 1] === 2 ? at(1) : undefined];
}

/**
 * The DFT over the last axis of (re, im) [..., n], zero-padded or cut to `len`, keeping `bins`
 * outputs: [..., bins, 2].
 */
function dftLast(
  re: Tensor,
  im: Tensor | undefined,
  len: number,
  bins: number,
  inverse: boolean,
): Tensor {
  const n = re.shape[re.ndim - 1]!;
  const fit = (t: Tensor) =>
    len > n
      ? pad(
          t,
          t.shape.map((_, d) => (d === t.ndim - 1 ? [0, len - n] : [0, 0]) as [number, number]),
        )
      : len < n
        ? stridedSlice(
            t,
            t.shape.map(() => 0),
            t.shape.map((s, d) => (d === t.ndim - 1 ? len : s)),
          )
        : t;
  const xr = fit(re);
  const xi = im === undefined ? undefined : fit(im);
  const cos = new Float64Array(len * bins);
  const sin = new Float64Array(len * bins);
  const scale = inverse ? 1 / len : 1;
  for (let j = 0; j < len; j++) {
    for (let k = 0; k < bins; k++) {
      const theta = (2 * Math.PI * ((j * k) % len)) / len;
      cos[j * bins + k] = Math.cos(theta) * scale;
      sin[j * bins + k] = Math.sin(theta) * scale * (inverse ? -1 : 1);
    }
  }
  const C = tensor(cos, { dtype: re.dtype, shape: [len, bins] });
  const S = tensor(sin, { dtype: re.dtype, shape: [len, bins] });
  // (xr + i xi)(cos - i sin) for the forward transform; the inverse flips the sine's sign.
  let yr = matmul(xr, C);
  let yi = mul(matmul(xr, S), -1);
  if (xi !== undefined) {
    yr = add(yr, matmul(xi, S));
    yi = add(yi, matmul(xi, C));
  }
  const shape = [...yr.shape, 1];
  return concat([reshape(yr, shape), reshape(yi, shape)], -1);
}

function dft(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const axis = normAxis(ctx, ctx.int("axis", 1), x.ndim - 1);
  const inverse = ctx.int("inverse", 0) === 1;
  const onesided = ctx.int("onesided", 0) === 1;
  const n = x.shape[axis]!;
  const len = ctx.scalar(1, "dft_length", n);
  const bins = onesided ? Math.floor(len / 2) + 1 : len;
  // Move the transformed axis last (before the complex axis), transform, move it back.
  const nd = x.ndim - 1;
  const perm = [...Array.from({ length: nd }, (_, d) => d).filter((d) => d !== axis), axis];
  const [re, im] = parts(x);
  const move = (t: Tensor) => transpose(t, perm);
  const y = dftLast(move(re), im === undefined ? undefined : move(im), len, bins, inverse);
  const back = new Array<number>(nd + 1);
  perm.forEach((p, i) => {
    back[p] = i;
  });
  back[nd] = nd;
  return transpose(y, back);
}

function stft(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const step = ctx.scalar(1, "frame_step", 1);
  const window = ctx.inputs[2];
  const frameLength = ctx.scalar(3, "frame_length", window?.shape[0] ?? 0);
  const onesided = ctx.int("onesided", 1) === 1;
  const [re, im] = parts(x); // [batch, n]
  const n = re.shape[1]!;
  const frames = Math.floor((n - frameLength) / step) + 1;
  const frame = (t: Tensor) =>
    concat(
      Array.from({ length: frames }, (_, f) =>
        reshape(stridedSlice(t, [0, f * step], [null, f * step + frameLength]), [
          t.shape[0]!,
          1,
          frameLength,
        ]),
      ),
      1,
    );
  let fr = frame(re);
  let fi = im === undefined ? undefined : frame(im);
  if (window !== undefined) {
    fr = mul(fr, window);
    if (fi !== undefined) fi = mul(fi, window);
  }
  const bins = onesided ? Math.floor(frameLength / 2) + 1 : frameLength;
  return dftLast(fr, fi, frameLength, bins, false);
}

/** The signal operators' table entries. */
export const SIGNAL_OPS: Readonly<Record<string, ImportOp>> = {
  DFT: { run: dft, static: [1] },
  STFT: { run: stft, static: [1, 3] },
};
