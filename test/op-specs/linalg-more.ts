/**
 * @file Op specs of the later `ad.linalg` members (see test/harness/spec.ts for the format):
 * norm (vector and matrix orders, axes, keepdims), vectorNorm, matrixNorm, svdvals, eigvalsh,
 * matrixTranspose, matrixPower, multiDot, pinv (full rank and rank-deficient), lstsq, matrixRank,
 * cond and expm; the namespace's forms of trace, diagonal, cross, outer, tensordot, vecdot and
 * matmul.
 *
 * References are plain float64 arrays: sums and maxima by loops, singular values and eigenvalues
 * from the Jacobi references of linalg.ts, inverses by Gaussian elimination, pinv from a full-rank
 * factorisation (A = B C: A+ = C^T (C C^T)^-1 (B^T B)^-1 B^T, no SVD), expm by a Taylor series
 * with its own scaling and squaring. Inputs are made well posed inside `fn` (distinct singular
 * values, away from kinks), as in linalg.ts.
 */

import * as ad from "../../src/index.js";
import { map as mapNd, type Nd } from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";
import {
  addM,
  eyeM,
  gauss,
  jacobiRef,
  type Mat,
  matrices,
  mulM,
  perMatrix,
  spreadRect,
  spreadRectRef,
  spreadSym,
  spreadSymRef,
  stackUp,
  svdRef,
  transposeM,
  wc,
  wellConditioned,
} from "./linalg.js";

// ---- plain-array helpers ----------------------------------------------------------------------

const invM = (a: Mat): Mat => gauss(a, eyeM(a.length)).x;
const scaleM = (a: Mat, c: number): Mat => a.map((r) => r.map((v) => v * c));
const absM = (a: Mat): Mat => a.map((r) => r.map(Math.abs));
const colSums = (a: Mat): number[] => a[0]!.map((_, j) => a.reduce((s, r) => s + r[j]!, 0));
const rowSums = (a: Mat): number[] => a.map((r) => r.reduce((s, v) => s + v, 0));
const svals = (a: Mat): number[] => svdRef(a)[1];

/** The vector norm of order p of a list (p may be 0, ±Infinity). */
function vnorm(v: readonly number[], p: number): number {
  const a = v.map(Math.abs);
  if (p === Number.POSITIVE_INFINITY) return Math.max(...a);
  if (p === Number.NEGATIVE_INFINITY) return Math.min(...a);
  if (p === 0) return a.filter((x) => x !== 0).length;
  return a.reduce((s, x) => s + x ** p, 0) ** (1 / p);
}

/** The matrix norm of a Mat, by definition. */
function mnorm(a: Mat, ord: number | string): number {
  switch (ord) {
    case "fro":
      return vnorm(a.flat(), 2);
    case "nuc":
      return svals(a).reduce((s, x) => s + x, 0);
    case 1:
      return Math.max(...colSums(absM(a)));
    case -1:
      return Math.min(...colSums(absM(a)));
    case Number.POSITIVE_INFINITY:
      return Math.max(...rowSums(absM(a)));
    case Number.NEGATIVE_INFINITY:
      return Math.min(...rowSums(absM(a)));
    case 2:
      return Math.max(...svals(a));
    case -2:
      return Math.min(...svals(a));
  }
  throw new Error(`no reference for ord ${ord}`);
}

/** Vector norms along one axis of an Nd array (by index arithmetic). */
function normAlong(x: Nd, axis: number, p: number, keepdims = false): Nd {
  const shape = x.shape;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const len = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const v = Array.from({ length: len }, (_, k) => x.data[(o * len + k) * inner + i]!);
      data.push(vnorm(v, p));
    }
  }
  const out = shape.map((d, i) => (i === axis ? 1 : d)).filter((_, i) => keepdims || i !== axis);
  return { shape: out, data: Float64Array.from(data) };
}

/** The [..., r, c] array with axes permuted (a plain transpose of an Nd). */
function permute(x: Nd, perm: readonly number[]): Nd {
  const shape = perm.map((p) => x.shape[p]!);
  const inStrides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const n = x.data.length;
  const data = new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < n; f++) {
    let rem = f;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    data[f] = x.data[idx.reduce((s, v, d) => s + v * inStrides[perm[d]!]!, 0)]!;
  }
  return { shape, data };
}

const scalarNd = (v: number): Nd => ({ shape: [], data: Float64Array.of(v) });
const vecNd = (v: readonly number[]): Nd => ({ shape: [v.length], data: Float64Array.from(v) });
const matNd = (m: Mat): Nd => stackUp([], [m]);
const flatAll = (x: Nd): number[] => Array.from(x.data);

/** pinv of a full-rank matrix: (A^T A)^-1 A^T when tall, A^T (A A^T)^-1 when wide. */
function pinvFullRank(a: Mat): Mat {
  const at = transposeM(a);
  return a.length >= a[0]!.length ? mulM(invM(mulM(at, a)), at) : mulM(at, invM(mulM(a, at)));
}

/** pinv of B C with B of full column rank and C of full row rank. */
const pinvFactored = (b: Mat, c: Mat): Mat => mulM(pinvFullRank(c), pinvFullRank(b));

/** exp(A) by a Taylor series on A / 2^k (1-norm below 1/4), squared k times. */
function expmRef(a: Mat): Mat {
  const n = a.length;
  const norm1 = Math.max(...colSums(absM(a)), 0);
  const k = Math.max(0, Math.ceil(Math.log2(norm1 / 0.25)));
  const s = scaleM(a, 2 ** -k);
  let term = eyeM(n);
  let sum = eyeM(n);
  for (let j = 1; j <= 30; j++) {
    term = scaleM(mulM(term, s), 1 / j);
    sum = addM(sum, term);
  }
  for (let i = 0; i < k; i++) sum = mulM(sum, sum);
  return sum;
}

/** b + 3 I (rectangular): well-conditioned factors of a rank-deficient product. */
const lift = (x: ad.Tensor) =>
  ad.add(x, ad.mul(ad.eye(x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!), 3));
const liftRef = (x: Mat): Mat => x.map((r, i) => r.map((v, j) => v + (i === j ? 3 : 0)));

/** (a + a^T) / 4 + diag(-5, 5, 9, ...): symmetric, eigenvalues well apart from 0 and each other. */
const shifts = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? -5 : 1 + 4 * i));
const indefinite = (a: ad.Tensor) => {
  const n = a.shape[a.ndim - 1]!;
  return ad.add(
    ad.mul(ad.add(a, ad.swapAxes(a, -1, -2)), 0.25),
    ad.mul(ad.eye(n), ad.tensor(shifts(n))),
  );
};
const indefiniteRef = (a: Mat): Mat =>
  a.map((r, i) => r.map((v, j) => (v + a[j]![i]!) / 4 + (i === j ? shifts(a.length)[i]! : 0)));

/** A function of the matrices of two stacked arrays (same batch), per pair. */
function perPair(x: Nd, y: Nd, f: (a: Mat, b: Mat) => Mat | number[] | number): Nd {
  const ys = matrices(y);
  return stackUp(
    x.shape.slice(0, -2),
    matrices(x).map((m, t) => f(m, ys[t]!)),
  );
}

const RECT = [[[4, 3]], [[3, 4]], [[3, 3]], [[2, 4, 3]]] as const;
const SQUARE = [[[3, 3]], [[2, 3, 3]]] as const;
const INF = Number.POSITIVE_INFINITY;

function matrixNormSpec(ord: number | "fro" | "nuc", spread: boolean): OpSpec {
  return {
    name: `linalg.norm matrix ord ${String(ord)}`,
    prims: spread ? ["svd"] : [],
    fn: (a) => ad.linalg.norm(spread ? spreadRect(a) : a, { ord, axis: [-2, -1] }),
    shapes: RECT,
    domains: ["nonzero"],
    ref: (a) => perMatrix(a, (m) => mnorm(spread ? spreadRectRef(m) : m, ord)),
  };
}

export const linalgMoreSpecs: OpSpec[] = [
  {
    name: "linalg.norm default (2-norm of all elements)",
    prims: ["reduce_sum"],
    fn: (x) => ad.linalg.norm(x),
    shapes: [[[5]], [[2, 3]], [[2, 2, 2]]],
    ref: (x) => scalarNd(vnorm(flatAll(x), 2)),
  },
  ...[1, 2, INF, -INF, 3, 0.5].map(
    (p): OpSpec => ({
      name: `linalg.norm vector ord ${p} axis 1`,
      prims: [],
      // For ±inf the inputs are shifted into (1, 5): distinct values of one sign, so the
      // largest |x| has no near-tie that a finite-difference step could cross.
      fn: Number.isFinite(p)
        ? (x) => ad.linalg.norm(x, { ord: p, axis: 1 })
        : (x) => ad.linalg.norm(ad.add(x, 3), { ord: p, axis: 1 }),
      shapes: [[[2, 4]], [[3, 5, 2]]],
      domains: [Number.isFinite(p) ? "nonzero" : "distinct"],
      ref: Number.isFinite(p)
        ? (x) => normAlong(x, 1, p)
        : (x) =>
            normAlong(
              mapNd((v) => v + 3, x),
              1,
              p,
            ),
    }),
  ),
  {
    name: "linalg.norm vector ord 0 (count of nonzeros)",
    prims: [],
    fn: (x) => ad.linalg.norm(ad.relu(x), { ord: 0 }),
    shapes: [[[6]]],
    ref: (x) =>
      scalarNd(
        vnorm(
          flatAll(x).map((v) => Math.max(v, 0)),
          0,
        ),
      ),
    order: 0,
  },
  {
    name: 'linalg.norm vector ord "inf" keepdims',
    prims: [],
    fn: (x) => ad.linalg.norm(ad.add(x, 3), { ord: "inf", axis: -1, keepdims: true }),
    shapes: [[[3, 4]]],
    domains: ["distinct"],
    ref: (x) =>
      normAlong(
        mapNd((v) => v + 3, x),
        1,
        INF,
        true,
      ),
  },
  matrixNormSpec("fro", false),
  matrixNormSpec(1, false),
  matrixNormSpec(-1, false),
  matrixNormSpec(INF, false),
  matrixNormSpec(-INF, false),
  matrixNormSpec(2, true),
  matrixNormSpec(-2, true),
  matrixNormSpec("nuc", true),
  {
    name: "linalg.norm matrix ord 1 over axes [2, 0] (rows on axis 2) keepdims",
    prims: [],
    fn: (x) => ad.linalg.norm(x, { ord: 1, axis: [2, 0], keepdims: true }),
    shapes: [[[3, 2, 4]]],
    domains: ["nonzero"],
    ref: (x) => {
      // Move axis 1 first, then each [4, 3] matrix has rows from axis 2 and columns from axis 0.
      const moved = permute(x, [1, 2, 0]);
      const r = perMatrix(moved, (m) => mnorm(m, 1));
      return { shape: [1, 2, 1], data: r.data };
    },
  },
  {
    name: "linalg.norm matrix ord 2 over axes [0, 2]",
    prims: ["svd"],
    fn: (x) => ad.linalg.norm(spreadRect(ad.transpose(x, [1, 0, 2])), { ord: 2, axis: [1, 2] }),
    shapes: [[[4, 2, 3]]],
    ref: (x) => perMatrix(permute(x, [1, 0, 2]), (m) => mnorm(spreadRectRef(m), 2)),
  },
  {
    name: "linalg.vectorNorm over two axes",
    prims: [],
    fn: (x) => ad.linalg.vectorNorm(x, { axis: [0, 2], ord: 3 }),
    shapes: [[[2, 3, 2]]],
    domains: ["nonzero"],
    ref: (x) => {
      const moved = permute(x, [1, 0, 2]);
      return vecNd(
        Array.from({ length: 3 }, (_, i) =>
          vnorm(Array.from(moved.data.slice(4 * i, 4 * i + 4)), 3),
        ),
      );
    },
  },
  {
    name: "linalg.matrixNorm nuc batched",
    prims: ["svd"],
    fn: (x) => ad.linalg.matrixNorm(spreadRect(x), { ord: "nuc" }),
    shapes: [[[2, 4, 3]]],
    ref: (x) => perMatrix(x, (m) => mnorm(spreadRectRef(m), "nuc")),
  },
  {
    name: "linalg.svdvals",
    prims: ["svd"],
    fn: (a) => ad.linalg.svdvals(spreadRect(a)),
    shapes: RECT,
    ref: (a) => perMatrix(a, (m) => svals(spreadRectRef(m))),
  },
  {
    name: "linalg.eigvalsh",
    prims: ["eigh"],
    fn: (a) => ad.linalg.eigvalsh(spreadSym(a)),
    shapes: SQUARE,
    ref: (a) => perMatrix(a, (m) => jacobiRef(spreadSymRef(m))[0]),
  },
  {
    name: "linalg.matrixTranspose",
    prims: ["transpose"],
    fn: (a) => ad.linalg.matrixTranspose(a),
    shapes: [[[2, 3]], [[2, 3, 4]]],
    ref: (a) => perMatrix(a, transposeM),
  },
  ...[0, 1, 3, 6, -1, -2].map(
    (n): OpSpec => ({
      name: `linalg.matrixPower n=${n}`,
      prims: n === 0 || n === 1 ? [] : n === -1 ? ["lu"] : n < 0 ? ["lu", "matmul"] : ["matmul"],
      fn: (a) => ad.linalg.matrixPower(n < 0 ? wc(a) : ad.mul(a, 0.5), n),
      shapes: SQUARE,
      ref: (a) =>
        perMatrix(a, (m0) => {
          const base = n < 0 ? invM(wellConditioned(m0)) : scaleM(m0, 0.5);
          let r = eyeM(m0.length);
          for (let i = 0; i < Math.abs(n); i++) r = mulM(r, base);
          return r;
        }),
    }),
  ),
  {
    name: "linalg.multiDot four matrices",
    prims: ["matmul"],
    fn: (a, b, c, d) => ad.linalg.multiDot([a, b, c, d]),
    shapes: [
      [
        [3, 5],
        [5, 2],
        [2, 6],
        [6, 1],
      ],
    ],
    ref: (a, b, c, d) =>
      matNd(mulM(mulM(mulM(matrices(a)[0]!, matrices(b)[0]!), matrices(c)[0]!), matrices(d)[0]!)),
  },
  {
    name: "linalg.multiDot vector ends",
    prims: ["matmul"],
    fn: (a, b, c) => ad.linalg.multiDot([a, b, c]),
    shapes: [[[3], [3, 4], [4]]],
    ref: (a, b, c) => {
      const m = matrices(b)[0]!;
      const left = Array.from(a.data);
      const right = Array.from(c.data);
      return scalarNd(
        left.reduce((s, x, i) => s + x * m[i]!.reduce((t, y, j) => t + y * right[j]!, 0), 0),
      );
    },
  },
  {
    name: "linalg.pinv full rank",
    prims: ["svd"],
    fn: (a) => ad.linalg.pinv(spreadRect(a)),
    shapes: RECT,
    ref: (a) => perMatrix(a, (m) => pinvFullRank(spreadRectRef(m))),
  },
  {
    name: "linalg.pinv rank-deficient (rank 2 of 4x3)",
    prims: ["svd"],
    fn: (b, c) => ad.linalg.pinv(ad.matmul(lift(b), lift(c))),
    shapes: [
      [
        [4, 2],
        [2, 3],
      ],
      [
        [2, 3, 1],
        [2, 1, 4],
      ],
    ],
    ref: (b, c) => perPair(b, c, (x, y) => pinvFactored(liftRef(x), liftRef(y))),
  },
  {
    name: "linalg.pinv hermitian (symmetric indefinite)",
    prims: ["eigh"],
    fn: (a) => ad.linalg.pinv(indefinite(a), { hermitian: true }),
    shapes: SQUARE,
    ref: (a) => perMatrix(a, (m) => invM(indefiniteRef(m))),
  },
  {
    name: "linalg.lstsq x (2-d b)",
    prims: ["svd"],
    fn: (a, b) => ad.linalg.lstsq(spreadRect(a), b)[0],
    shapes: [
      [
        [4, 3],
        [4, 2],
      ],
      [
        [3, 3],
        [3, 1],
      ],
    ],
    ref: (a, b) => matNd(mulM(pinvFullRank(spreadRectRef(matrices(a)[0]!)), matrices(b)[0]!)),
  },
  {
    name: "linalg.lstsq x rank-deficient (1-d b)",
    prims: ["svd"],
    fn: (b, c, y) => ad.linalg.lstsq(ad.matmul(lift(b), lift(c)), y)[0],
    shapes: [[[4, 2], [2, 3], [4]]],
    ref: (b, c, y) => {
      const p = pinvFactored(liftRef(matrices(b)[0]!), liftRef(matrices(c)[0]!));
      return vecNd(p.map((r) => r.reduce((s, v, i) => s + v * y.data[i]!, 0)));
    },
    // float32 rounding of B C leaves a third singular value near the cutoff (eps * max(m, n)).
    noFloat32: true,
  },
  {
    name: "linalg.lstsq residuals",
    prims: ["svd"],
    fn: (a, b) => ad.linalg.lstsq(spreadRect(a), b)[1],
    shapes: [
      [
        [5, 3],
        [5, 2],
      ],
    ],
    ref: (a, b) => {
      const am = spreadRectRef(matrices(a)[0]!);
      const bm = matrices(b)[0]!;
      const r = addM(bm, scaleM(mulM(am, mulM(pinvFullRank(am), bm)), -1));
      return vecNd(colSums(r.map((row) => row.map((v) => v * v))));
    },
  },
  {
    name: "linalg.lstsq singular values",
    prims: ["svd"],
    fn: (a, b) => ad.linalg.lstsq(spreadRect(a), b)[3],
    shapes: [[[4, 3], [4]]],
    constArgs: [1],
    ref: (a) => vecNd(svals(spreadRectRef(matrices(a)[0]!))),
  },
  {
    name: "linalg.matrixRank",
    prims: ["svd"],
    fn: (b, c) => ad.linalg.matrixRank(ad.matmul(lift(b), lift(c))),
    shapes: [
      [
        [4, 2],
        [2, 3],
      ],
      [
        [2, 3, 3],
        [2, 3, 3],
      ],
    ],
    ref: (b, c) => perPair(b, c, (x) => Math.min(x.length, x[0]!.length)),
    order: 0,
    outDType: "int32",
  },
  {
    name: "linalg.cond p=2",
    prims: ["svd"],
    fn: (a) => ad.linalg.cond(spreadRect(a)),
    shapes: RECT,
    ref: (a) => perMatrix(a, (m) => mnorm(spreadRectRef(m), 2) / mnorm(spreadRectRef(m), -2)),
  },
  {
    name: "linalg.cond p=-2",
    prims: ["svd"],
    fn: (a) => ad.linalg.cond(spreadRect(a), -2),
    shapes: [[[4, 3]]],
    ref: (a) => perMatrix(a, (m) => mnorm(spreadRectRef(m), -2) / mnorm(spreadRectRef(m), 2)),
  },
  ...([1, -1, INF, "fro", "nuc"] as const).map(
    (p): OpSpec => ({
      name: `linalg.cond p=${String(p)}`,
      prims: ["lu"],
      fn: (a) => ad.linalg.cond(wc(a), p),
      shapes: SQUARE,
      domains: ["nonzero"],
      ref: (a) =>
        perMatrix(a, (m) => mnorm(wellConditioned(m), p) * mnorm(invM(wellConditioned(m)), p)),
    }),
  ),
  {
    name: "linalg.expm",
    // The Pade degree and the number of squarings are chosen from the norm of a (the value).
    unstageable: "makeGraph: cannot read the value of a staged tensor",
    prims: ["lu", "matmul"],
    fn: (a) => ad.linalg.expm(a),
    shapes: [[[3, 3]], [[2, 3, 3]], [[1, 1]], [[4, 4]]],
    ref: (a) => perMatrix(a, expmRef),
    rtol: 1e-5,
  },
  {
    name: "linalg.expm small norm (low Pade degree)",
    // The Pade degree and the number of squarings are chosen from the norm of a (the value).
    unstageable: "makeGraph: cannot read the value of a staged tensor",
    prims: ["lu", "matmul"],
    fn: (a) => ad.linalg.expm(ad.mul(a, 0.004)),
    shapes: [[[3, 3]]],
    ref: (a) => perMatrix(a, (m) => expmRef(scaleM(m, 0.004))),
  },
  {
    name: "linalg.expm large norm (squarings)",
    // The Pade degree and the number of squarings are chosen from the norm of a (the value).
    unstageable: "makeGraph: cannot read the value of a staged tensor",
    prims: ["lu", "matmul"],
    fn: (a) => ad.linalg.expm(ad.mul(a, 3)),
    shapes: [[[3, 3]]],
    ref: (a) => perMatrix(a, (m) => expmRef(scaleM(m, 3))),
    rtol: 1e-4,
  },
  {
    name: "linalg.trace (last two axes, offset)",
    prims: [],
    fn: (x) => ad.linalg.trace(x, { offset: 1 }),
    shapes: [[[3, 4]], [[2, 3, 3]]],
    ref: (x) => perMatrix(x, (m) => m.reduce((s, r, i) => s + (r[i + 1] ?? 0), 0)),
  },
  {
    name: "linalg.diagonal (last two axes)",
    prims: [],
    fn: (x) => ad.linalg.diagonal(x),
    shapes: [[[3, 4]], [[2, 3, 2]]],
    ref: (x) =>
      perMatrix(x, (m) => m.slice(0, Math.min(m.length, m[0]!.length)).map((r, i) => r[i]!)),
  },
  {
    name: "linalg.cross",
    prims: [],
    fn: (a, b) => ad.linalg.cross(a, b),
    shapes: [
      [[3], [3]],
      [[2, 3], [3]],
    ],
    ref: (a, b) => {
      const rows = a.data.length / 3;
      const out: number[] = [];
      for (let r = 0; r < rows; r++) {
        const [x0, x1, x2] = a.data.slice(3 * r, 3 * r + 3);
        const [y0, y1, y2] = b.data;
        out.push(x1! * y2! - x2! * y1!, x2! * y0! - x0! * y2!, x0! * y1! - x1! * y0!);
      }
      return { shape: a.shape, data: Float64Array.from(out) };
    },
  },
  {
    name: "linalg.outer",
    prims: ["mul"],
    fn: (a, b) => ad.linalg.outer(a, b),
    shapes: [[[3], [4]]],
    ref: (a, b) => matNd(Array.from(a.data, (x) => Array.from(b.data, (y) => x * y))),
  },
  {
    name: "linalg.tensordot",
    prims: ["matmul"],
    fn: (a, b) => ad.linalg.tensordot(a, b, 1),
    shapes: [
      [
        [2, 3],
        [3, 4],
      ],
    ],
    ref: (a, b) => matNd(mulM(matrices(a)[0]!, matrices(b)[0]!)),
  },
  {
    name: "linalg.vecdot",
    prims: [],
    fn: (a, b) => ad.linalg.vecdot(a, b),
    shapes: [[[2, 3], [3]]],
    ref: (a, b) => vecNd(matrices(a)[0]!.map((r) => r.reduce((s, v, i) => s + v * b.data[i]!, 0))),
  },
  {
    name: "linalg.matmul",
    prims: ["matmul"],
    fn: (a, b) => ad.linalg.matmul(a, b),
    shapes: [
      [
        [2, 3],
        [3, 2],
      ],
    ],
    ref: (a, b) => matNd(mulM(matrices(a)[0]!, matrices(b)[0]!)),
  },
];
