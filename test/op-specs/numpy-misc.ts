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

/** np.roll in plain JS: out[i] = x[i - shift] along each listed axis (null: flattened). */
function rollRef(shift: readonly number[], axis: readonly number[] | null): (x: Nd) => Nd {
  return (x) => {
    if (axis === null) {
      const n = x.data.length;
      const s = shift.reduce((a, b) => a + b, 0);
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = x.data[(((i - s) % n) + n) % n]!;
      return { shape: x.shape.slice(), data };
    }
    const by = x.shape.map(() => 0);
    axis.forEach((a, k) => {
      const d = a < 0 ? a + x.shape.length : a;
      by[d]! += shift[shift.length === 1 ? 0 : k]!;
    });
    return nd.gatherBy(x, x.shape.slice(), (idx) =>
      idx.map((i, d) => {
        const n = x.shape[d]!;
        return (((i - by[d]!) % n) + n) % n;
      }),
    );
  };
}

/**
 * The pieces of a NumPy split between Python-slice bounds [lo, hi) along `axis`, each scaled by
 * its position (1, 2, ...) and joined again: a wrong order or boundary changes the values.
 */
function piecesRef(bounds: readonly (readonly [number, number])[], axis: number): (x: Nd) => Nd {
  return (x) => {
    const shape = x.shape.slice();
    const pieceOf: number[] = [];
    const source: number[] = [];
    bounds.forEach(([lo, hi], k) => {
      for (let i = lo; i < hi; i++) {
        pieceOf.push(k + 1);
        source.push(i);
      }
    });
    shape[axis] = source.length;
    const out = nd.gatherBy(x, shape, (idx) => idx.map((i, d) => (d === axis ? source[i]! : i)));
    for (let f = 0; f < out.data.length; f++) {
      out.data[f]! *= pieceOf[nd.unravel(f, shape)[axis]!]!;
    }
    return out;
  };
}

/** The pieces scaled by their position and joined along `axis` (the spec's view of a split). */
function joinScaled(pieces: ad.Tensor[], axis: number): ad.Tensor {
  return ad.concat(
    pieces.map((p, k) => ad.mul(p, k + 1)),
    axis,
  );
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
  // ---- roll: one gather -------------------------------------------------------------------------
  {
    name: "roll (flattened)",
    prims: ["gather"],
    fn: (x) => ad.roll(x, 2),
    shapes: [[[5]], [[2, 3]]],
    ref: rollRef([2], null),
  },
  {
    name: "roll along one axis, negative shift",
    prims: ["gather"],
    fn: (x) => ad.roll(x, -1, 1),
    shapes: [[[2, 3]], [[2, 3, 2]]],
    ref: rollRef([-1], [1]),
  },
  {
    name: "roll along several axes (shifts of a repeated axis add up)",
    prims: ["gather"],
    fn: (x) => ad.roll(x, [1, 4, 1], [0, -1, 0]),
    shapes: [[[3, 2]], [[3, 4, 2]]],
    ref: rollRef([1, 4, 1], [0, -1, 0]),
  },
  // ---- arraySplit, hsplit, vsplit, dsplit: NumPy's index form ------------------------------------
  {
    name: "arraySplit into uneven sections",
    prims: ["slice", "concatenate"],
    fn: (x) => joinScaled(ad.arraySplit(x, 3), 0),
    shapes: [[[7]], [[7, 2]]],
    ref: piecesRef(
      [
        [0, 3],
        [3, 5],
        [5, 7],
      ],
      0,
    ),
  },
  {
    name: "arraySplit at points (negative, clipped, decreasing)",
    prims: ["slice", "concatenate"],
    fn: (x) => joinScaled(ad.arraySplit(x, [2, -2, 1, 9], 1), 1),
    shapes: [[[2, 6]]],
    // Points 2, 4, 1, 6 (clipped): pieces [0, 2), [2, 4), [4, 4), [1, 6), [6, 6).
    ref: piecesRef(
      [
        [0, 2],
        [2, 4],
        [4, 4],
        [1, 6],
        [6, 6],
      ],
      1,
    ),
  },
  {
    name: "hsplit (axis 1; axis 0 of a 1-d x)",
    prims: ["slice", "concatenate"],
    fn: (x) => joinScaled(ad.hsplit(x, [1, 3]), x.ndim > 1 ? 1 : 0),
    shapes: [[[2, 4]], [[4]]],
    ref: (x) =>
      piecesRef(
        [
          [0, 1],
          [1, 3],
          [3, 4],
        ],
        x.shape.length > 1 ? 1 : 0,
      )(x),
  },
  {
    name: "vsplit into equal sections",
    prims: ["slice", "concatenate"],
    fn: (x) => joinScaled(ad.vsplit(x, 2), 0),
    shapes: [[[4, 2]]],
    ref: piecesRef(
      [
        [0, 2],
        [2, 4],
      ],
      0,
    ),
  },
  {
    name: "dsplit at points",
    prims: ["slice", "concatenate"],
    fn: (x) => joinScaled(ad.dsplit(x, [1]), 2),
    shapes: [[[1, 2, 3]]],
    ref: piecesRef(
      [
        [0, 1],
        [1, 3],
      ],
      2,
    ),
  },
];
