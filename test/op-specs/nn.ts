/**
 * @file Op specs of the nn family (see test/harness/spec.ts for the format): einsum, conv2d,
 * conv1d, maxPool2d, avgPool2d, each against a naive nested-loop float64 reference written here.
 * Shapes are tiny: the order-2 finite-difference checks cost O(size^2) evaluations.
 */

import * as ad from "../../src/index.js";
import type { Nd } from "../harness/nd.js";
import * as nd from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";

type Pads = [[number, number], [number, number]];

/**
 * Einsum by brute force: every assignment of every label, the product of the operands' entries
 * added to the output entry. Letters only, explicit output.
 */
function einsumRef(spec: string): (...xs: Nd[]) => Nd {
  return (...xs) => {
    const [lhs, out] = spec.replace(/\s+/g, "").split("->") as [string, string];
    const terms = lhs.split(",");
    const size = new Map<string, number>();
    terms.forEach((t, i) => {
      [...t].forEach((c, d) => {
        size.set(c, xs[i]!.shape[d]!);
      });
    });
    const labels = [...size.keys()];
    const dims = labels.map((c) => size.get(c)!);
    const outShape = [...out].map((c) => size.get(c)!);
    const outStrides = nd.strides(outShape);
    const data = new Float64Array(nd.size(outShape));
    for (let f = 0; f < nd.size(dims); f++) {
      const idx = nd.unravel(f, dims);
      const at = (c: string) => idx[labels.indexOf(c)]!;
      let p = 1;
      terms.forEach((t, i) => {
        const st = nd.strides(xs[i]!.shape);
        p *= xs[i]!.data[[...t].reduce((o, c, d) => o + at(c) * st[d]!, 0)]!;
      });
      data[[...out].reduce((o, c, d) => o + at(c) * outStrides[d]!, 0)]! += p;
    }
    return { shape: outShape, data };
  };
}

/** The entry x[n, c, h, w] of a 4-d Nd, or `fill` outside the spatial bounds. */
function at4(x: Nd, n: number, c: number, h: number, w: number, fill: number): number {
  const [, C, H, W] = x.shape as [number, number, number, number];
  if (h < 0 || h >= H || w < 0 || w >= W) return fill;
  return x.data[((n * C + c) * H + h) * W + w]!;
}

/** Output size of a window op along one axis. */
function outSize(n: number, pads: [number, number], k: number, s: number, d: number): number {
  return Math.floor((n + pads[0] + pads[1] - (k - 1) * d - 1) / s) + 1;
}

/** Direct-loop 2-d cross-correlation with explicit pads, strides, dilation and groups. */
function convRef(
  stride: [number, number],
  pads: Pads,
  dilation: [number, number] = [1, 1],
  groups = 1,
): (x: Nd, w: Nd) => Nd {
  return (x, w) => {
    const [N, , H, W] = x.shape as [number, number, number, number];
    const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
    const OH = outSize(H, pads[0], KH, stride[0], dilation[0]);
    const OW = outSize(W, pads[1], KW, stride[1], dilation[1]);
    const data = new Float64Array(N * O * OH * OW);
    let i = 0;
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) {
        const g = Math.floor(o / (O / groups));
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = 0;
            for (let ci = 0; ci < Cg; ci++) {
              for (let kh = 0; kh < KH; kh++) {
                for (let kw = 0; kw < KW; kw++) {
                  const h = oh * stride[0] + kh * dilation[0] - pads[0][0];
                  const v = ow * stride[1] + kw * dilation[1] - pads[1][0];
                  const wv = w.data[((o * Cg + ci) * KH + kh) * KW + kw]!;
                  acc += at4(x, n, g * Cg + ci, h, v, 0) * wv;
                }
              }
            }
            data[i++] = acc;
          }
        }
      }
    }
    return { shape: [N, O, OH, OW], data };
  };
}

/** conv1d's reference: convRef on height-1 views. */
function conv1dRef(stride: number, pads: [number, number], dilation = 1, groups = 1) {
  const ref = convRef([1, stride], [[0, 0], pads], [1, dilation], groups);
  return (x: Nd, w: Nd): Nd => {
    const [N, C, W] = x.shape as [number, number, number];
    const [O, Cg, K] = w.shape as [number, number, number];
    const out = ref({ shape: [N, C, 1, W], data: x.data }, { shape: [O, Cg, 1, K], data: w.data });
    return { shape: [N, O, out.shape[3]!], data: out.data };
  };
}

/** Direct-loop pooling: max over the window (padding -Infinity) or its sum / (kh * kw). */
function poolRef(
  kind: "max" | "avg",
  kernel: [number, number],
  stride: [number, number],
  pads: Pads,
) {
  return (x: Nd): Nd => {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const OH = outSize(H, pads[0], kernel[0], stride[0], 1);
    const OW = outSize(W, pads[1], kernel[1], stride[1], 1);
    const data = new Float64Array(N * C * OH * OW);
    let i = 0;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = kind === "max" ? -Infinity : 0;
            for (let kh = 0; kh < kernel[0]; kh++) {
              for (let kw = 0; kw < kernel[1]; kw++) {
                const h = oh * stride[0] + kh - pads[0][0];
                const v = ow * stride[1] + kw - pads[1][0];
                const e = at4(x, n, c, h, v, kind === "max" ? -Infinity : 0);
                acc = kind === "max" ? Math.max(acc, e) : acc + e;
              }
            }
            data[i++] = kind === "max" ? acc : acc / (kernel[0] * kernel[1]);
          }
        }
      }
    }
    return { shape: [N, C, OH, OW], data };
  };
}

const NO_PAD: Pads = [
  [0, 0],
  [0, 0],
];

export const nnSpecs: OpSpec[] = [
  // ---- einsum -----------------------------------------------------------------------------------
  {
    name: "einsum ij,jk->ik",
    prims: ["matmul"],
    fn: (a, b) => ad.einsum("ij,jk->ik", a, b),
    shapes: [
      [
        [2, 3],
        [3, 4],
      ],
    ],
    ref: einsumRef("ij,jk->ik"),
  },
  {
    name: "einsum ...ij,...jk->...ik (batch broadcast)",
    prims: ["matmul"],
    fn: (a, b) => ad.einsum("...ij,...jk->...ik", a, b),
    shapes: [
      [
        [2, 2, 3],
        [1, 3, 2],
      ],
      [
        [2, 2, 3],
        [3, 2],
      ],
    ],
    ref: nd.matmul,
  },
  {
    name: "einsum ii-> (trace)",
    prims: ["gather", "reduce_sum"],
    fn: (a) => ad.einsum("ii->", a),
    shapes: [[[3, 3]]],
    ref: einsumRef("ii->"),
  },
  {
    name: "einsum bii->bi (batched diagonal)",
    prims: ["gather"],
    fn: (a) => ad.einsum("bii->bi", a),
    shapes: [[[2, 3, 3]]],
    ref: einsumRef("bii->bi"),
  },
  {
    name: "einsum i,j->ij (outer)",
    prims: ["mul"],
    fn: (a, b) => ad.einsum("i,j->ij", a, b),
    shapes: [[[3], [2]]],
    ref: einsumRef("i,j->ij"),
  },
  {
    name: "einsum ij,jk,kl->il (3 operands)",
    prims: ["matmul"],
    fn: (a, b, c) => ad.einsum("ij,jk,kl->il", a, b, c),
    shapes: [
      [
        [2, 3],
        [3, 2],
        [2, 4],
      ],
    ],
    ref: einsumRef("ij,jk,kl->il"),
  },
  {
    name: "einsum ij,jk (implicit output)",
    prims: ["matmul"],
    fn: (a, b) => ad.einsum("ij,jk", a, b),
    shapes: [
      [
        [3, 2],
        [2, 3],
      ],
    ],
    ref: einsumRef("ij,jk->ik"),
  },
  {
    name: "einsum 'bij, bkj -> kb' (spaces, batch + sum over absent i)",
    prims: ["matmul", "reduce_sum"],
    fn: (a, b) => ad.einsum("bij, bkj -> kb", a, b),
    shapes: [
      [
        [2, 3, 2],
        [2, 4, 2],
      ],
    ],
    ref: einsumRef("bij,bkj->kb"),
  },
  {
    name: "einsum iij,j->i (diagonal then contraction)",
    prims: ["gather", "matmul"],
    fn: (a, b) => ad.einsum("iij,j->i", a, b),
    shapes: [[[3, 3, 2], [2]]],
    ref: einsumRef("iij,j->i"),
  },
  // ---- conv2d -----------------------------------------------------------------------------------
  {
    name: "conv2d valid",
    prims: ["gather", "matmul"],
    fn: (x, w) => ad.conv2d(x, w),
    shapes: [
      [
        [2, 2, 4, 4],
        [3, 2, 2, 2],
      ],
    ],
    ref: convRef([1, 1], NO_PAD),
  },
  {
    name: "conv2d stride 2 padding 1",
    prims: ["gather", "matmul", "pad"],
    fn: (x, w) => ad.conv2d(x, w, { stride: 2, padding: 1 }),
    shapes: [
      [
        [1, 2, 5, 5],
        [2, 2, 3, 3],
      ],
    ],
    ref: convRef(
      [2, 2],
      [
        [1, 1],
        [1, 1],
      ],
    ),
  },
  {
    // Even kernel: "same" needs 1 row/column of padding in total, placed at the bottom/right.
    name: "conv2d same with an even kernel",
    prims: ["gather", "matmul", "pad"],
    fn: (x, w) => ad.conv2d(x, w, { padding: "same" }),
    shapes: [
      [
        [1, 2, 4, 5],
        [2, 2, 2, 2],
      ],
    ],
    ref: convRef(
      [1, 1],
      [
        [0, 1],
        [0, 1],
      ],
    ),
  },
  {
    name: "conv2d dilation 2",
    prims: ["gather", "matmul"],
    fn: (x, w) => ad.conv2d(x, w, { dilation: 2 }),
    shapes: [
      [
        [1, 2, 5, 5],
        [2, 2, 2, 2],
      ],
    ],
    ref: convRef([1, 1], NO_PAD, [2, 2]),
  },
  {
    name: "conv2d groups 2",
    prims: ["gather", "matmul"],
    fn: (x, w) => ad.conv2d(x, w, { groups: 2 }),
    shapes: [
      [
        [1, 4, 3, 3],
        [4, 2, 2, 2],
      ],
    ],
    ref: convRef([1, 1], NO_PAD, [1, 1], 2),
  },
  {
    name: "conv2d 1x1",
    prims: ["matmul"],
    fn: (x, w) => ad.conv2d(x, w),
    shapes: [
      [
        [2, 3, 3, 3],
        [2, 3, 1, 1],
      ],
    ],
    ref: convRef([1, 1], NO_PAD),
  },
  {
    name: "conv2d asymmetric padding, stride [1,2]",
    prims: ["gather", "matmul", "pad"],
    fn: (x, w) =>
      ad.conv2d(x, w, {
        stride: [1, 2],
        padding: [
          [1, 0],
          [0, 2],
        ],
      }),
    shapes: [
      [
        [1, 2, 3, 4],
        [2, 2, 2, 3],
      ],
    ],
    ref: convRef(
      [1, 2],
      [
        [1, 0],
        [0, 2],
      ],
    ),
  },
  // ---- conv1d -----------------------------------------------------------------------------------
  {
    // W = 6, stride 2: output 3, total padding 2*2 + 3 - 6 = 1, at the end.
    name: "conv1d stride 2 same",
    prims: ["gather", "matmul", "pad"],
    fn: (x, w) => ad.conv1d(x, w, { stride: 2, padding: "same" }),
    shapes: [
      [
        [2, 2, 6],
        [3, 2, 3],
      ],
    ],
    ref: conv1dRef(2, [0, 1]),
  },
  {
    name: "conv1d groups 2, dilation 2, padding [1,2]",
    prims: ["gather", "matmul", "pad"],
    fn: (x, w) => ad.conv1d(x, w, { groups: 2, dilation: 2, padding: [1, 2] }),
    shapes: [
      [
        [1, 4, 5],
        [2, 2, 2],
      ],
    ],
    ref: conv1dRef(1, [1, 2], 2, 2),
  },
  // ---- pooling ----------------------------------------------------------------------------------
  {
    name: "maxPool2d 2x2",
    prims: ["gather", "reduce_max"],
    fn: (x) => ad.maxPool2d(x, 2),
    shapes: [[[1, 2, 4, 4]]],
    domains: ["distinct"],
    ref: poolRef("max", [2, 2], [2, 2], NO_PAD),
  },
  {
    name: "maxPool2d 3x3 stride 2 padding 1",
    prims: ["gather", "reduce_max", "pad"],
    fn: (x) => ad.maxPool2d(x, 3, { stride: 2, padding: 1 }),
    shapes: [[[1, 1, 5, 5]]],
    domains: ["distinct"],
    ref: poolRef(
      "max",
      [3, 3],
      [2, 2],
      [
        [1, 1],
        [1, 1],
      ],
    ),
  },
  {
    // H = 3, W = 5, kernel [2, 2], stride [1, 2]: "same" pads height [0,1], width [0,1].
    name: "maxPool2d [2,2] stride [1,2] same",
    prims: ["gather", "reduce_max", "pad"],
    fn: (x) => ad.maxPool2d(x, [2, 2], { stride: [1, 2], padding: "same" }),
    shapes: [[[1, 2, 3, 5]]],
    domains: ["distinct"],
    ref: poolRef(
      "max",
      [2, 2],
      [1, 2],
      [
        [0, 1],
        [0, 1],
      ],
    ),
  },
  {
    name: "avgPool2d 2x2",
    prims: ["gather", "reduce_sum"],
    fn: (x) => ad.avgPool2d(x, 2),
    shapes: [[[1, 2, 4, 4]]],
    ref: poolRef("avg", [2, 2], [2, 2], NO_PAD),
  },
  {
    // Padding counts in the divisor (count_include_pad): corner windows divide by 9 too.
    name: "avgPool2d 3x3 stride 2 padding 1",
    prims: ["gather", "reduce_sum", "pad"],
    fn: (x) => ad.avgPool2d(x, 3, { stride: 2, padding: 1 }),
    shapes: [[[1, 1, 5, 5]]],
    ref: poolRef(
      "avg",
      [3, 3],
      [2, 2],
      [
        [1, 1],
        [1, 1],
      ],
    ),
  },
];
