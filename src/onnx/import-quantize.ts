/**
 * @file ONNX's quantization operators on adjoint's ops. Quantized tensors are int32 in adjoint;
 * the ONNX element type of the zero point (tracked from graph inputs, initializers and casts)
 * says whether values saturate to uint8 [0, 255] or int8 [-128, 127]. Arithmetic runs in
 * float64, exact for these ranges; rounding is half to even, as ONNX specifies.
 */

import type { Tensor } from "../core/tensor.js";
import {
  add,
  astype,
  conv1d,
  conv2d,
  div,
  matmul,
  max,
  maximum,
  min,
  minimum,
  mul,
  reshape,
  round,
  sub,
} from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import { normAxis, windowOf } from "./import-util.js";
import type { NodeContext } from "./node-context.js";
import { ONNX_TYPE } from "./tensor-proto.js";

const f64 = (t: Tensor) => astype(t, "float64");

/** The saturation range of a quantized element type (uint8 unless it is int8). */
function range(code: number | undefined): [number, number] {
  if (code === ONNX_TYPE.INT8) return [-128, 127];
  if (code === ONNX_TYPE.INT16) return [-32768, 32767];
  if (code === ONNX_TYPE.UINT16) return [0, 65535];
  return [0, 255];
}

/** A per-axis parameter (1-d, along `axis` of an `nd`-d tensor) shaped to broadcast. */
function perAxis(ctx: NodeContext, p: Tensor, nd: number, axisAttr = 1): Tensor {
  if (p.ndim === 0 || p.size === 1) return reshape(p, []);
  const axis = normAxis(ctx, ctx.int("axis", axisAttr), nd);
  return reshape(
    p,
    Array.from({ length: nd }, (_, d) => (d === axis ? p.size : 1)),
  );
}

function saturate(x: Tensor, code: number | undefined): Tensor {
  const [lo, hi] = range(code);
  return astype(minimum(maximum(round(x), lo), hi), "int32");
}

function quantizeLinear(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  // x / scale in x's precision, as the reference computes it (float32 rounding matters).
  const scale = perAxis(ctx, astype(ctx.input(1), x.dtype), x.ndim);
  const zp = ctx.hasInput(2) ? perAxis(ctx, f64(ctx.input(2)), x.ndim) : 0;
  return saturate(add(round(f64(div(x, scale))), zp), ctx.inputTypes[2]);
}

function dequantizeLinear(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const scaleIn = ctx.input(1);
  const scale = perAxis(ctx, f64(scaleIn), x.ndim);
  const zp = ctx.hasInput(2) ? perAxis(ctx, f64(ctx.input(2)), x.ndim) : 0;
  return astype(mul(sub(f64(x), zp), scale), scaleIn.dtype);
}

function dynamicQuantizeLinear(ctx: NodeContext): Tensor[] {
  // In x's precision throughout, as the reference computes it.
  const x = ctx.input(0);
  const lo = minimum(min(x), 0);
  const hi = maximum(max(x), 0);
  const scale = div(sub(hi, lo), 255);
  const zp = minimum(maximum(round(sub(0, div(lo, scale))), 0), 255);
  const y = saturate(add(round(div(x, scale)), zp), ONNX_TYPE.UINT8);
  return [y, scale, astype(zp, "int32")];
}

/** x - zero point, in float64 (the zero point per output channel for weights). */
function centred(ctx: NodeContext, x: Tensor, zpIndex: number, channelAxis: number): Tensor {
  if (!ctx.hasInput(zpIndex)) return f64(x);
  const zp = f64(ctx.input(zpIndex));
  if (zp.size === 1) return sub(f64(x), reshape(zp, []));
  return sub(
    f64(x),
    reshape(
      zp,
      x.shape.map((n, d) => (d === channelAxis ? n : 1)),
    ),
  );
}

function convF64(ctx: NodeContext, x: Tensor, w: Tensor): Tensor {
  const win = windowOf(ctx, x.shape.slice(2), w.shape.slice(2), false);
  const groups = ctx.int("group", 1);
  if (w.ndim === 3) {
    return conv1d(x, w, {
      stride: win.strides[0]!,
      dilation: win.dilations[0]!,
      padding: [win.begin[0]!, win.end[0]!],
      groups,
    });
  }
  if (w.ndim !== 4) throw ctx.unsupported(`${w.ndim - 2}-d integer convolution is not supported`);
  return conv2d(x, w, {
    stride: [win.strides[0]!, win.strides[1]!],
    dilation: [win.dilations[0]!, win.dilations[1]!],
    padding: [
      [win.begin[0]!, win.end[0]!],
      [win.begin[1]!, win.end[1]!],
    ],
    groups,
  });
}

function convInteger(ctx: NodeContext): Tensor {
  const x = centred(ctx, ctx.input(0), 2, -1);
  const w = centred(ctx, ctx.input(1), 3, 0);
  return astype(convF64(ctx, x, w), "int32");
}

function matMulInteger(ctx: NodeContext): Tensor {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const ac = centred(ctx, a, 2, a.ndim - 2);
  const bc = centred(ctx, b, 3, b.ndim - 1);
  return astype(matmul(ac, bc), "int32");
}

function qlinearMatMul(ctx: NodeContext): Tensor {
  const a = mul(sub(f64(ctx.input(0)), f64(ctx.input(2))), f64(ctx.input(1)));
  const b = mul(sub(f64(ctx.input(3)), f64(ctx.input(5))), f64(ctx.input(4)));
  const y = add(round(div(matmul(a, b), f64(ctx.input(6)))), f64(ctx.input(7)));
  return saturate(y, ctx.inputTypes[7]);
}

function qlinearConv(ctx: NodeContext): Tensor {
  const x = mul(sub(f64(ctx.input(0)), f64(ctx.input(2))), f64(ctx.input(1)));
  const w0 = ctx.input(3);
  const wScale = f64(ctx.input(4));
  const wZp = f64(ctx.input(5));
  const chan = (t: Tensor) =>
    t.size === 1
      ? reshape(t, [])
      : reshape(
          t,
          w0.shape.map((n, d) => (d === 0 ? n : 1)),
        );
  const w = mul(sub(f64(w0), chan(wZp)), chan(wScale));
  let y = convF64(ctx, x, w);
  if (ctx.hasInput(8)) {
    const bias = ctx.input(8);
    const scaleX = reshape(f64(ctx.input(1)), []);
    const bs = mul(mul(f64(bias), scaleX), wScale.size === 1 ? reshape(wScale, []) : wScale);
    y = add(y, reshape(bs, [1, bias.size, ...new Array<number>(y.ndim - 2).fill(1)]));
  }
  const out = add(round(div(y, f64(ctx.input(6)))), f64(ctx.input(7)));
  return saturate(out, ctx.inputTypes[7]);
}

/** The quantization operators' table entries. */
export const QUANTIZE_OPS: Readonly<Record<string, ImportOp>> = {
  QuantizeLinear: {
    run: quantizeLinear,
    outputType: (ctx) => ctx.inputTypes[2] ?? ONNX_TYPE.UINT8,
  },
  DequantizeLinear: { run: dequantizeLinear },
  DynamicQuantizeLinear: {
    run: dynamicQuantizeLinear,
    outputType: (_, i) => (i === 1 ? ONNX_TYPE.FLOAT : ONNX_TYPE.UINT8),
  },
  ConvInteger: { run: convInteger },
  MatMulInteger: { run: matMulInteger },
  QLinearMatMul: { run: qlinearMatMul, outputType: (ctx) => ctx.inputTypes[7] },
  QLinearConv: { run: qlinearConv, outputType: (ctx) => ctx.inputTypes[7] },
};
