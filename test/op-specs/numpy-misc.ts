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

/**
 * jnp.linspace-style spacing in plain JS: start and stop broadcast, `num` values along `axis`,
 * value i = f(s, e, i / div) (div = num - 1 with the endpoint, else num), the last one stop.
 */
function spacedRef(
  num: number,
  endpoint: boolean,
  axis: number,
  f: (s: number, e: number, t: number) => number,
): (s: Nd, e: Nd) => Nd {
  return (s, e) => {
    const shape = nd.broadcastShape(s.shape, e.shape);
    const outShape = [...shape.slice(0, axis), num, ...shape.slice(axis)];
    const div = endpoint ? num - 1 : num;
    const data = new Float64Array(nd.size(outShape));
    for (let f0 = 0; f0 < data.length; f0++) {
      const idx = nd.unravel(f0, outShape);
      const i = idx[axis]!;
      const rest = idx.filter((_, d) => d !== axis);
      const sv = nd.at(s, rest);
      const ev = nd.at(e, rest);
      data[f0] = endpoint && i === num - 1 ? ev : f(sv, ev, i / div);
    }
    return { shape: outShape, data };
  };
}

const lerp = (s: number, e: number, t: number) => s * (1 - t) + e * t;

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
  // ---- linspace, logspace, geomspace: differentiable in tensor endpoints ------------------------
  {
    name: "linspace with tensor endpoints",
    prims: ["mul", "add", "concatenate"],
    fn: (a, b) => ad.linspace(a, b, 5),
    shapes: [
      [[], []],
      [[3], [3]],
      [[2, 1], [3]],
    ],
    ref: spacedRef(5, true, 0, lerp),
  },
  {
    name: "linspace with tensor endpoints, no endpoint, along the last axis",
    prims: ["mul", "add"],
    fn: (a, b) => ad.linspace(a, b, 4, { endpoint: false, axis: -1 }),
    shapes: [
      [[], []],
      [[2], [2]],
    ],
    ref: (a, b) => spacedRef(4, false, a.shape.length, lerp)(a, b),
  },
  {
    name: "logspace with tensor endpoints",
    prims: ["pow"],
    fn: (a, b) => ad.logspace(a, b, 4, { base: 3 }),
    shapes: [
      [[], []],
      [[2], [2]],
    ],
    ref: (a, b) => {
      const lin = spacedRef(4, true, 0, lerp)(a, b);
      return { shape: lin.shape, data: lin.data.map((v) => 3 ** v) };
    },
  },
  {
    name: "geomspace with tensor endpoints",
    prims: ["pow", "div"],
    fn: (a, b) => ad.geomspace(a, b, 4),
    shapes: [
      [[], []],
      [[2], [2]],
    ],
    domains: ["positive", "positive"],
    ref: spacedRef(4, true, 0, (s, e, t) => s * (e / s) ** t),
  },
  {
    name: "full and fullLike with a tensor value (broadcast)",
    prims: ["broadcast_to"],
    fn: (v, x) => ad.add(ad.full([2, 3], v), ad.fullLike(x, v)),
    shapes: [
      [[], [2, 3]],
      [[3], [2, 3]],
    ],
    constArgs: [1],
    ref: (v, x) => nd.map((a) => 2 * a, { shape: [2, 3], data: nd.map((a, _) => a, v, x).data }),
  },
];
