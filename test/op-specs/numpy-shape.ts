/**
 * @file Op specs of the NumPy shape, joining, matrix-structure and product composites (see
 * test/harness/spec.ts for the format). References are plain index loops over float64 arrays,
 * written from NumPy's definitions, independent of the library's kernels.
 */

import * as ad from "../../src/index.js";
import type { Nd } from "../harness/nd.js";
import * as nd from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";

/** An array of `shape` whose element at each multi-index is f(index). */
function gen(shape: number[], f: (idx: number[]) => number): Nd {
  const data = new Float64Array(nd.size(shape));
  for (let i = 0; i < data.length; i++) data[i] = f(nd.unravel(i, shape));
  return { shape, data };
}

/** The element of x at a multi-index (no broadcasting). */
function get(x: Nd, idx: readonly number[]): number {
  const st = nd.strides(x.shape);
  return x.data[idx.reduce((acc, v, d) => acc + v * st[d]!, 0)]!;
}

const norm = (a: number, n: number) => (a < 0 ? a + n : a);

function diagonalRef(x: Nd, k = 0, axis1 = 0, axis2 = 1): Nd {
  const a1 = norm(axis1, x.shape.length);
  const a2 = norm(axis2, x.shape.length);
  const rest = x.shape.map((_, i) => i).filter((i) => i !== a1 && i !== a2);
  const n = x.shape[a1]!;
  const m = x.shape[a2]!;
  const len = Math.max(0, k >= 0 ? Math.min(n, m - k) : Math.min(n + k, m));
  return gen([...rest.map((i) => x.shape[i]!), len], (idx) => {
    const src = new Array<number>(x.shape.length);
    rest.forEach((r, j) => {
      src[r] = idx[j]!;
    });
    const i = idx[idx.length - 1]!;
    src[a1] = k >= 0 ? i : i - k;
    src[a2] = k >= 0 ? i + k : i;
    return get(x, src);
  });
}

function traceRef(x: Nd, k = 0, axis1 = 0, axis2 = 1): Nd {
  const d = diagonalRef(x, k, axis1, axis2);
  return nd.reduce(d, [d.shape.length - 1], 0, (a, v) => a + v);
}

/** tensordot by explicit loops over the contracted multi-index. */
function tensordotRef(a: Nd, b: Nd, ca: number[], cb: number[]): Nd {
  const freeA = a.shape.map((_, i) => i).filter((i) => !ca.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !cb.includes(i));
  const kShape = ca.map((i) => a.shape[i]!);
  const kSize = nd.size(kShape);
  return gen([...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)], (idx) => {
    let s = 0;
    for (let t = 0; t < kSize; t++) {
      const kIdx = nd.unravel(t, kShape);
      const ia = new Array<number>(a.shape.length);
      const ib = new Array<number>(b.shape.length);
      freeA.forEach((ax, j) => {
        ia[ax] = idx[j]!;
      });
      freeB.forEach((ax, j) => {
        ib[ax] = idx[freeA.length + j]!;
      });
      ca.forEach((ax, j) => {
        ia[ax] = kIdx[j]!;
      });
      cb.forEach((ax, j) => {
        ib[ax] = kIdx[j]!;
      });
      s += get(a, ia) * get(b, ib);
    }
    return s;
  });
}

/** A batch-broadcast "vector" op: f on the last `ka` axes of a and `kb` of b, batch broadcast. */
function batchedRef(
  a: Nd,
  b: Nd,
  ka: number,
  kb: number,
  coreShape: (sa: number[], sb: number[]) => number[],
  f: (getA: (i: number[]) => number, getB: (i: number[]) => number, out: number[]) => number,
): Nd {
  const batchA = a.shape.slice(0, a.shape.length - ka);
  const batchB = b.shape.slice(0, b.shape.length - kb);
  const coreA = a.shape.slice(a.shape.length - ka);
  const coreB = b.shape.slice(b.shape.length - kb);
  const batch = nd.broadcastShape(batchA, batchB);
  const core = coreShape(coreA, coreB);
  const at = (x: Nd, xb: number[], bIdx: number[], c: number[]) => {
    const off = bIdx.length - xb.length;
    return get(x, [...xb.map((d, i) => (d === 1 ? 0 : bIdx[i + off]!)), ...c]);
  };
  return gen([...batch, ...core], (idx) => {
    const bIdx = idx.slice(0, batch.length);
    return f(
      (c) => at(a, batchA, bIdx, c),
      (c) => at(b, batchB, bIdx, c),
      idx.slice(batch.length),
    );
  });
}

const vecdotRef = (a: Nd, b: Nd) =>
  batchedRef(
    a,
    b,
    1,
    1,
    () => [],
    (ga, gb) => {
      let s = 0;
      for (let i = 0; i < a.shape[a.shape.length - 1]!; i++) s += ga([i]) * gb([i]);
      return s;
    },
  );

const matvecRef = (a: Nd, v: Nd) =>
  batchedRef(
    a,
    v,
    2,
    1,
    (sa) => [sa[0]!],
    (ga, gv, [r]) => {
      let s = 0;
      for (let i = 0; i < v.shape[v.shape.length - 1]!; i++) s += ga([r!, i]) * gv([i]);
      return s;
    },
  );

const vecmatRef = (v: Nd, a: Nd) =>
  batchedRef(
    v,
    a,
    1,
    2,
    (_, sa) => [sa[1]!],
    (gv, ga, [c]) => {
      let s = 0;
      for (let i = 0; i < v.shape[v.shape.length - 1]!; i++) s += gv([i]) * ga([i, c!]);
      return s;
    },
  );

function crossRef(a: Nd, b: Nd): Nd {
  const la = a.shape[a.shape.length - 1]!;
  const lb = b.shape[b.shape.length - 1]!;
  const both2 = la === 2 && lb === 2;
  return batchedRef(
    a,
    b,
    1,
    1,
    () => (both2 ? [] : [3]),
    (ga, gb, out) => {
      const u = [0, 1, 2].map((i) => (i < la ? ga([i]) : 0));
      const v = [0, 1, 2].map((i) => (i < lb ? gb([i]) : 0));
      const c = [
        u[1]! * v[2]! - u[2]! * v[1]!,
        u[2]! * v[0]! - u[0]! * v[2]!,
        u[0]! * v[1]! - u[1]! * v[0]!,
      ];
      return both2 ? c[2]! : c[out[0]!]!;
    },
  );
}

function kronRef(a: Nd, b: Nd): Nd {
  const n = Math.max(a.shape.length, b.shape.length);
  const pa = {
    shape: [...new Array<number>(n - a.shape.length).fill(1), ...a.shape],
    data: a.data,
  };
  const pb = {
    shape: [...new Array<number>(n - b.shape.length).fill(1), ...b.shape],
    data: b.data,
  };
  return gen(
    pa.shape.map((d, i) => d * pb.shape[i]!),
    (idx) =>
      get(
        pa,
        idx.map((v, i) => Math.floor(v / pb.shape[i]!)),
      ) *
      get(
        pb,
        idx.map((v, i) => v % pb.shape[i]!),
      ),
  );
}

function diagRef(v: Nd, k = 0): Nd {
  const n = v.shape[0]! + Math.abs(k);
  return gen([n, n], ([i, j]) => {
    if (j! - i! !== k) return 0;
    return v.data[k >= 0 ? i! : j!]!;
  });
}

const triangleRef = (x: Nd, keep: (i: number, j: number) => boolean): Nd =>
  gen(x.shape, (idx) => {
    const i = idx[idx.length - 2]!;
    const j = idx[idx.length - 1]!;
    return keep(i, j) ? get(x, idx) : 0;
  });

const vanderRef = (x: Nd, n: number, increasing: boolean): Nd =>
  gen([x.shape[0]!, n], ([i, j]) => x.data[i!]! ** (increasing ? j! : n - 1 - j!));

/** Joins arrays of equal rank along `axis` (plain loops). */
function concatRef(xs: Nd[], axis: number): Nd {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((acc, x) => acc + x.shape[axis]!, 0);
  return gen(shape, (idx) => {
    let i = idx[axis]!;
    for (const x of xs) {
      if (i < x.shape[axis]!)
        return get(
          x,
          idx.map((v, d) => (d === axis ? i : v)),
        );
      i -= x.shape[axis]!;
    }
    throw new Error("unreachable");
  });
}

/** Sums over `axes`, keeping them with length 1. */
const sumKeep = (x: Nd, axes: number[]): Nd => nd.reduce(x, axes, 0, (a, v) => a + v, true);

/** The same data under another shape. */
const reshapeRef = (x: Nd, shape: number[]): Nd => ({ shape, data: x.data });

/** x[perm-moved]: out[idx] = x[src] with src[perm[d]] = idx[d]. */
function permuteRef(x: Nd, perm: number[]): Nd {
  return gen(
    perm.map((p) => x.shape[p]!),
    (idx) => {
      const src = new Array<number>(idx.length);
      perm.forEach((p, d) => {
        src[p] = idx[d]!;
      });
      return get(x, src);
    },
  );
}

/** x reversed along `axes`. */
const flipRef = (x: Nd, axes: number[]): Nd =>
  gen(x.shape, (idx) =>
    get(
      x,
      idx.map((v, d) => (axes.includes(d) ? x.shape[d]! - 1 - v : v)),
    ),
  );

/** Each element repeated counts[i] times along `axis`. */
function repeatRef(x: Nd, counts: number[], axis: number): Nd {
  const src: number[] = [];
  counts.forEach((c, i) => {
    for (let j = 0; j < c; j++) src.push(i);
  });
  const shape = [...x.shape];
  shape[axis] = src.length;
  return gen(shape, (idx) =>
    get(
      x,
      idx.map((v, d) => (d === axis ? src[v]! : v)),
    ),
  );
}

/** x broadcast to `shape`. */
const broadcastRef = (x: Nd, shape: number[]): Nd => gen(shape, (idx) => nd.at(x, idx));

export const numpyShapeSpecs: OpSpec[] = [
  // ---- shape and joining ------------------------------------------------------------------------
  {
    name: "moveaxis",
    prims: ["transpose"],
    fn: (x) => ad.moveaxis(x, [0, 1], [2, 0]),
    shapes: [[[2, 3, 4]]],
    ref: (x) => permuteRef(x, [1, 2, 0]),
  },
  {
    name: "ravel",
    prims: ["reshape"],
    fn: (x) => ad.ravel(x),
    shapes: [[[2, 3]], [[]]],
    ref: (x) => reshapeRef(x, [x.data.length]),
  },
  {
    name: "fliplr",
    prims: ["flip"],
    fn: (x) => ad.fliplr(x),
    shapes: [[[2, 3]], [[2, 3, 2]]],
    ref: (x) => flipRef(x, [1]),
  },
  {
    name: "flipud",
    prims: ["flip"],
    fn: (x) => ad.flipud(x),
    shapes: [[[3]], [[2, 3]]],
    ref: (x) => flipRef(x, [0]),
  },
  ...([1, 2, 3, -1] as const).map(
    (k): OpSpec => ({
      name: `rot90 k=${k}`,
      prims: ["flip"],
      fn: (x) => ad.rot90(x, k),
      shapes: [[[2, 3]], [[3, 2, 2]]],
      ref: (x) => {
        // Rotating by a quarter turn: out[i, j] = x[j, n1 - 1 - i] (n1 = x.shape[1]), repeated.
        let r = x;
        for (let t = 0; t < ((k % 4) + 4) % 4; t++) {
          const cur = r;
          const shape = [cur.shape[1]!, cur.shape[0]!, ...cur.shape.slice(2)];
          r = gen(shape, ([i, j, ...rest]) => get(cur, [j!, cur.shape[1]! - 1 - i!, ...rest]));
        }
        return r;
      },
    }),
  ),
  {
    name: "rot90 axes [2, 0]",
    prims: ["flip", "transpose"],
    fn: (x) => ad.rot90(x, 1, [2, 0]),
    shapes: [[[2, 3, 4]]],
    ref: (x) =>
      // NumPy: flip axis 0, then swap axes 2 and 0: out[i, j, l] = x[n0 - 1 - l, j, i].
      gen([x.shape[2]!, x.shape[1]!, x.shape[0]!], ([i, j, l]) =>
        get(x, [x.shape[0]! - 1 - l!, j!, i!]),
      ),
  },
  {
    name: "repeat count, flattened",
    prims: ["broadcast_to"],
    fn: (x) => ad.repeat(x, 2),
    shapes: [[[2, 2]], [[]]],
    ref: (x) =>
      repeatRef(
        reshapeRef(x, [x.data.length]),
        [...x.data].map(() => 2),
        0,
      ),
  },
  {
    name: "repeat count, axis 1",
    prims: ["broadcast_to"],
    fn: (x) => ad.repeat(x, 3, 1),
    shapes: [[[2, 2]]],
    ref: (x) => repeatRef(x, [3, 3], 1),
  },
  {
    name: "repeat counts, axis 0",
    prims: ["gather"],
    fn: (x) => ad.repeat(x, [2, 0, 1], 0),
    shapes: [[[3, 2]]],
    ref: (x) => repeatRef(x, [2, 0, 1], 0),
  },
  {
    name: "atleast1d",
    prims: ["reshape"],
    fn: (x) => ad.atleast1d(x),
    shapes: [[[]]],
    ref: (x) => reshapeRef(x, [1]),
  },
  {
    name: "atleast2d",
    prims: ["reshape"],
    fn: (x) => ad.atleast2d(x),
    shapes: [[[3]]],
    ref: (x) => reshapeRef(x, [1, 3]),
  },
  {
    name: "atleast3d",
    prims: ["reshape"],
    fn: (x) => ad.atleast3d(x),
    shapes: [[[2, 3]]],
    ref: (x) => reshapeRef(x, [2, 3, 1]),
  },
  {
    name: "atleast3d of a vector",
    prims: ["reshape"],
    fn: (x) => ad.atleast3d(x),
    shapes: [[[3]]],
    ref: (x) => reshapeRef(x, [1, 3, 1]),
  },
  {
    name: "vstack",
    prims: ["concatenate"],
    fn: (a, b) => ad.vstack([a, b]),
    shapes: [
      [[3], [3]],
      [[2, 3], [3]],
    ],
    ref: (a, b) =>
      concatRef(
        [a, b].map((x) => (x.shape.length === 1 ? reshapeRef(x, [1, x.shape[0]!]) : x)),
        0,
      ),
  },
  {
    name: "hstack",
    prims: ["concatenate"],
    fn: (a, b) => ad.hstack([a, b]),
    shapes: [
      [[3], [2]],
      [
        [2, 1],
        [2, 3],
      ],
    ],
    ref: (a, b) => concatRef([a, b], a.shape.length === 1 ? 0 : 1),
  },
  {
    name: "dstack",
    prims: ["concatenate"],
    fn: (a, b) => ad.dstack([a, b]),
    shapes: [
      [[3], [3]],
      [
        [2, 3],
        [2, 3],
      ],
    ],
    ref: (a, b) =>
      concatRef(
        [a, b].map((x) =>
          x.shape.length === 1
            ? reshapeRef(x, [1, x.shape[0]!, 1])
            : reshapeRef(x, [...x.shape, 1]),
        ),
        2,
      ),
  },
  {
    name: "columnStack",
    prims: ["concatenate"],
    fn: (a, b) => ad.columnStack([a, b]),
    shapes: [
      [[3], [3]],
      [[3], [3, 2]],
    ],
    ref: (a, b) =>
      concatRef(
        [a, b].map((x) => (x.shape.length === 1 ? reshapeRef(x, [x.shape[0]!, 1]) : x)),
        1,
      ),
  },
  {
    name: "append flattened",
    prims: ["concatenate"],
    fn: (a, b) => ad.append(a, b),
    shapes: [[[2, 2], [3]]],
    ref: (a, b) => concatRef([reshapeRef(a, [4]), b], 0),
  },
  {
    name: "append axis 1",
    prims: ["concatenate"],
    fn: (a, b) => ad.append(a, b, 1),
    shapes: [
      [
        [2, 2],
        [2, 1],
      ],
    ],
    ref: (a, b) => concatRef([a, b], 1),
  },
  {
    name: "broadcastArrays (stacked)",
    prims: ["broadcast_to"],
    fn: (a, b) => ad.stack(ad.broadcastArrays(a, b)),
    shapes: [[[2, 1], [3]]],
    ref: (a, b) => concatRef([broadcastRef(a, [1, 2, 3]), broadcastRef(b, [1, 2, 3])], 0),
  },
  {
    name: "meshgrid xy (stacked)",
    prims: ["broadcast_to"],
    fn: (a, b) => ad.stack(ad.meshgrid([a, b])),
    shapes: [[[3], [2]]],
    ref: (a, b) =>
      concatRef(
        [gen([1, 2, 3], ([, , j]) => a.data[j!]!), gen([1, 2, 3], ([, i]) => b.data[i!]!)],
        0,
      ),
  },
  {
    name: "meshgrid ij of three (stacked)",
    prims: ["broadcast_to"],
    fn: (a, b, c) => ad.stack(ad.meshgrid([a, b, c], { indexing: "ij" })),
    shapes: [[[2], [3], [2]]],
    ref: (a, b, c) =>
      concatRef(
        [a, b, c].map((v, k) => gen([1, 2, 3, 2], (idx) => v.data[idx[k + 1]!]!)),
        0,
      ),
  },
  {
    name: "indices (times x)",
    prims: ["mul"],
    fn: (x) => ad.mul(x, ad.indices([2, 3])),
    shapes: [[[2, 2, 3]]],
    ref: (x) => gen([2, 2, 3], ([d, i, j]) => get(x, [d!, i!, j!]) * (d === 0 ? i! : j!)),
  },
  {
    name: "diagIndicesFrom (gathering the diagonal)",
    prims: ["gather"],
    fn: (x) => {
      const [i, j] = ad.diagIndicesFrom(x) as [ad.Tensor, ad.Tensor];
      return ad.take(ad.ravel(x), ad.add(ad.mul(i, 3), j));
    },
    shapes: [[[3, 3]]],
    ref: (x) => diagonalRef(x),
  },
  // ---- function-applying helpers (vmap inside) ----------------------------------------------------
  {
    name: "applyAlongAxis axis 0",
    prims: ["mul", "reduce_sum"],
    fn: (x) => ad.applyAlongAxis((v) => ad.mul(v, ad.sum(v)), 0, x),
    shapes: [[[3, 2]]],
    ref: (x) =>
      gen(
        x.shape,
        ([i, j]) => get(x, [i!, j!]) * [0, 1, 2].reduce((acc, r) => acc + get(x, [r, j!]), 0),
      ),
  },
  {
    name: "applyAlongAxis axis 1, matrix result",
    prims: ["mul"],
    fn: (x) => ad.applyAlongAxis((v) => ad.outer(v, v), 1, x),
    shapes: [[[2, 3]]],
    ref: (x) => gen([2, 3, 3], ([i, a, b]) => get(x, [i!, a!]) * get(x, [i!, b!])),
  },
  {
    name: "applyOverAxes sum over 0 and 2",
    prims: ["reduce_sum"],
    fn: (x) => ad.applyOverAxes((t, ax) => ad.sum(t, { axis: ax }), x, [0, 2]),
    shapes: [[[2, 3, 2]]],
    ref: (x) => sumKeep(x, [0, 2]),
  },
  {
    name: "fromfunction",
    prims: ["sin", "mul"],
    fn: (x) => ad.fromfunction((i, j) => ad.mul(ad.sin(x), ad.add(i!, ad.mul(j!, 2))), [2, 3]),
    shapes: [[[]], [[2]]],
    ref: (x) => gen([2, 3, ...x.shape], ([i, j, ...r]) => Math.sin(get(x, r)) * (i! + 2 * j!)),
  },
  // ---- matrix structure -------------------------------------------------------------------------
  {
    name: "diagonal",
    prims: ["slice"],
    fn: (x) => ad.diagonal(x),
    shapes: [[[3, 4]], [[4, 3]]],
    ref: (x) => diagonalRef(x),
  },
  {
    name: "diagonal offset 1",
    prims: ["slice"],
    fn: (x) => ad.diagonal(x, 1),
    shapes: [[[3, 4]], [[4, 3]]],
    ref: (x) => diagonalRef(x, 1),
  },
  {
    name: "diagonal offset -2, axes 2 and 0",
    prims: ["slice", "transpose"],
    fn: (x) => ad.diagonal(x, -2, 2, 0),
    shapes: [[[4, 2, 5]]],
    ref: (x) => diagonalRef(x, -2, 2, 0),
  },
  {
    name: "trace",
    prims: ["slice", "reduce_sum"],
    fn: (x) => ad.trace(x),
    shapes: [[[3, 3]], [[2, 4]]],
    ref: (x) => traceRef(x),
  },
  {
    name: "trace offset -1, axes 1 and 2",
    prims: ["slice", "reduce_sum"],
    fn: (x) => ad.trace(x, -1, 1, 2),
    shapes: [[[2, 3, 3]]],
    ref: (x) => traceRef(x, -1, 1, 2),
  },
  {
    name: "diag of a vector",
    prims: ["select"],
    fn: (x) => ad.diag(x),
    shapes: [[[3]], [[1]]],
    ref: (x) => diagRef(x),
  },
  {
    name: "diag of a vector, k=2",
    prims: ["select", "pad"],
    fn: (x) => ad.diag(x, 2),
    shapes: [[[3]]],
    ref: (x) => diagRef(x, 2),
  },
  {
    name: "diag of a vector, k=-1",
    prims: ["select", "pad"],
    fn: (x) => ad.diag(x, -1),
    shapes: [[[3]]],
    ref: (x) => diagRef(x, -1),
  },
  {
    name: "diag of a matrix, k=1",
    prims: ["slice"],
    fn: (x) => ad.diag(x, 1),
    shapes: [[[3, 4]]],
    ref: (x) => diagonalRef(x, 1),
  },
  {
    name: "diagflat",
    prims: ["select", "pad"],
    fn: (x) => ad.diagflat(x, -1),
    shapes: [[[2, 2]]],
    ref: (x) => diagRef({ shape: [x.data.length], data: x.data }, -1),
  },
  {
    name: "tril",
    prims: ["select"],
    fn: (x) => ad.tril(x),
    shapes: [[[3, 4]], [[2, 3, 3]]],
    ref: (x) => triangleRef(x, (i, j) => j <= i),
  },
  {
    name: "tril k=1",
    prims: ["select"],
    fn: (x) => ad.tril(x, 1),
    shapes: [[[4, 3]]],
    ref: (x) => triangleRef(x, (i, j) => j <= i + 1),
  },
  {
    name: "triu",
    prims: ["select"],
    fn: (x) => ad.triu(x),
    shapes: [[[3, 4]], [[2, 3, 3]]],
    ref: (x) => triangleRef(x, (i, j) => j >= i),
  },
  {
    name: "triu k=-1",
    prims: ["select"],
    fn: (x) => ad.triu(x, -1),
    shapes: [[[4, 3]]],
    ref: (x) => triangleRef(x, (i, j) => j >= i - 1),
  },
  {
    name: "tri (times x)",
    prims: ["mul"],
    fn: (x) => ad.mul(x, ad.tri(3, 4, 1)),
    shapes: [[[3, 4]]],
    ref: (x) => triangleRef(x, (i, j) => j <= i + 1),
  },
  {
    name: "identity (times x)",
    prims: ["mul"],
    fn: (x) => ad.mul(x, ad.identity(3)),
    shapes: [[[3, 3]]],
    ref: (x) => triangleRef(x, (i, j) => i === j),
  },
  {
    name: "vander",
    prims: ["mul", "concatenate", "flip"],
    fn: (x) => ad.vander(x),
    shapes: [[[4]]],
    ref: (x) => vanderRef(x, 4, false),
  },
  {
    name: "vander n=3 increasing",
    prims: ["mul", "concatenate"],
    fn: (x) => ad.vander(x, 3, true),
    shapes: [[[2]]],
    ref: (x) => vanderRef(x, 3, true),
  },
  // ---- products ---------------------------------------------------------------------------------
  {
    name: "tensordot axes=2",
    prims: ["matmul"],
    fn: (a, b) => ad.tensordot(a, b),
    shapes: [
      [
        [2, 3, 4],
        [3, 4, 2],
      ],
    ],
    ref: (a, b) => tensordotRef(a, b, [1, 2], [0, 1]),
  },
  {
    name: "tensordot axes pair",
    prims: ["matmul", "transpose"],
    fn: (a, b) =>
      ad.tensordot(a, b, [
        [0, 2],
        [2, 1],
      ]),
    shapes: [
      [
        [3, 2, 4],
        [2, 4, 3],
      ],
    ],
    ref: (a, b) => tensordotRef(a, b, [0, 2], [2, 1]),
  },
  {
    name: "tensordot axes=0 (outer)",
    prims: ["matmul"],
    fn: (a, b) => ad.tensordot(a, b, 0),
    shapes: [[[2], [3]]],
    ref: (a, b) => tensordotRef(a, b, [], []),
  },
  {
    name: "inner",
    prims: ["matmul"],
    fn: (a, b) => ad.inner(a, b),
    shapes: [
      [[3], [3]],
      [
        [2, 3],
        [4, 3],
      ],
    ],
    ref: (a, b) => tensordotRef(a, b, [a.shape.length - 1], [b.shape.length - 1]),
  },
  {
    name: "vdot",
    prims: ["matmul"],
    fn: (a, b) => ad.vdot(a, b),
    shapes: [
      [
        [2, 3],
        [3, 2],
      ],
    ],
    ref: (a, b) => ({
      shape: [],
      data: Float64Array.of(a.data.reduce((s, v, i) => s + v * b.data[i]!, 0)),
    }),
  },
  {
    name: "vecdot",
    prims: ["mul", "reduce_sum"],
    fn: (a, b) => ad.vecdot(a, b),
    shapes: [
      [[2, 3], [3]],
      [
        [2, 1, 3],
        [4, 3],
      ],
    ],
    ref: vecdotRef,
  },
  {
    name: "vecdot axis 0",
    prims: ["mul", "reduce_sum"],
    fn: (a, b) => ad.vecdot(a, b, { axis: 0 }),
    shapes: [
      [
        [3, 2],
        [3, 1],
      ],
    ],
    ref: (a, b) => {
      const t = (x: Nd): Nd => gen([x.shape[1]!, x.shape[0]!], ([i, j]) => get(x, [j!, i!]));
      return vecdotRef(t(a), t(b));
    },
  },
  {
    name: "matvec",
    prims: ["matmul"],
    fn: (a, b) => ad.matvec(a, b),
    shapes: [
      [[3, 4], [4]],
      [[2, 3, 4], [4]],
      [
        [3, 4],
        [2, 4],
      ],
    ],
    ref: matvecRef,
  },
  {
    name: "vecmat",
    prims: ["matmul"],
    fn: (a, b) => ad.vecmat(a, b),
    shapes: [
      [[3], [3, 4]],
      [
        [2, 3],
        [2, 3, 4],
      ],
    ],
    ref: vecmatRef,
  },
  {
    name: "kron",
    prims: ["mul"],
    fn: (a, b) => ad.kron(a, b),
    shapes: [
      [[2], [3]],
      [
        [2, 2],
        [2, 3],
      ],
      [[2], [2, 3]],
    ],
    ref: kronRef,
  },
  {
    name: "cross",
    prims: ["mul", "sub"],
    fn: (a, b) => ad.cross(a, b),
    shapes: [
      [[3], [3]],
      [[2, 3], [3]],
      [[2], [2]],
      [[3], [2]],
      [[2, 2], [3]],
    ],
    ref: crossRef,
  },
  {
    name: "cross axisa 0, axisc 0",
    prims: ["mul", "sub"],
    fn: (a, b) => ad.cross(a, b, { axisa: 0, axisc: 0 }),
    shapes: [[[3, 2], [3]]],
    ref: (a, b) => {
      const at = gen([2, 3], ([i, j]) => get(a, [j!, i!]));
      const c = crossRef(at, b);
      return gen([3, 2], ([i, j]) => get(c, [j!, i!]));
    },
  },
];
