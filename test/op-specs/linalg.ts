/**
 * @file Op specs of the linalg family (see test/harness/spec.ts for the format): det, slogdet,
 * inv, solve, triangularSolve, cholesky, lu, qr, eigh and svd, with batched groups.
 *
 * Inputs are made well posed inside `fn` (a + 4I is well conditioned, a a^T + 3I is SPD, a fixed
 * diagonal spread separates eigen/singular values), so the derivative checks also go through
 * the construction. References are independent float64 textbook algorithms on plain arrays:
 * Gaussian elimination, Cholesky-Crout, modified Gram-Schmidt, classical (largest-pivot) Jacobi
 * with atan2 angles; singular values and vectors come from the eigenpairs of [[0, A], [A^T, 0]],
 * which avoids squaring the condition number. Eigen/singular vectors, whose signs are arbitrary,
 * are tested through sign-invariant functions (V diag(c) V^T, U diag(c) Vh).
 */

import * as ad from "../../src/index.js";
import type { Nd } from "../harness/nd.js";
import * as nd from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";

export type Mat = number[][];

// ---- plain-array helpers ----------------------------------------------------------------------

/** The matrices of a [...batch, r, c] array. */
export function matrices(x: Nd): Mat[] {
  const r = x.shape[x.shape.length - 2]!;
  const c = x.shape[x.shape.length - 1]!;
  const count = r * c === 0 ? 0 : x.data.length / (r * c);
  return Array.from({ length: count }, (_, t) =>
    Array.from({ length: r }, (_, i) =>
      Array.from({ length: c }, (_, j) => x.data[t * r * c + i * c + j]!),
    ),
  );
}

/** A [...batch, ...] array from one entry (matrix, vector or number) per batch element. */
export function stackUp(batch: number[], items: (Mat | number[] | number)[]): Nd {
  const flat: number[] = [];
  let inner: number[] = [];
  for (const it of items) {
    if (typeof it === "number") {
      flat.push(it);
      inner = [];
    } else if (typeof it[0] === "number" || it.length === 0) {
      flat.push(...(it as number[]));
      inner = [it.length];
    } else {
      const m = it as Mat;
      for (const row of m) flat.push(...row);
      inner = [m.length, m[0]!.length];
    }
  }
  return { shape: [...batch, ...inner], data: Float64Array.from(flat) };
}

/** Applies f to every matrix of x; `batch` is x's batch shape. */
export function perMatrix(x: Nd, f: (m: Mat) => Mat | number[] | number): Nd {
  return stackUp(x.shape.slice(0, -2), matrices(x).map(f));
}

export const eyeM = (n: number): Mat =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
export const transposeM = (a: Mat): Mat => a[0]!.map((_, j) => a.map((row) => row[j]!));
export const mulM = (a: Mat, b: Mat): Mat =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
export const addM = (a: Mat, b: Mat): Mat => a.map((row, i) => row.map((v, j) => v + b[i]![j]!));
const scaleCols = (a: Mat, c: readonly number[]): Mat =>
  a.map((row) => row.map((v, j) => v * c[j]!));

/** a + 4I: diagonally heavy, so well conditioned for entries in (-2, 2). */
export const wellConditioned = (a: Mat): Mat =>
  addM(
    a,
    eyeM(a.length).map((r) => r.map((v) => 4 * v)),
  );
export const wc = (a: ad.Tensor) => ad.add(a, ad.mul(ad.eye(a.shape[a.ndim - 1]!), 4));
export const mT = (a: ad.Tensor) => ad.swapAxes(a, -1, -2);

// ---- independent references -------------------------------------------------------------------

/** Gaussian elimination with partial pivoting on [A | B]; returns X with A X = B and det(A). */
export function gauss(a: Mat, b: Mat): { x: Mat; det: number } {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...b[i]!]);
  let det = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!)) p = i;
    if (p !== k) {
      [m[k], m[p]] = [m[p]!, m[k]!];
      det = -det;
    }
    const piv = m[k]![k]!;
    det *= piv;
    if (piv === 0) continue;
    for (let i = k + 1; i < n; i++) {
      const f = m[i]![k]! / piv;
      for (let j = k; j < m[i]!.length; j++) m[i]![j]! -= f * m[k]![j]!;
    }
  }
  const k = b[0]?.length ?? 0;
  const x: Mat = Array.from({ length: n }, () => new Array<number>(k).fill(0));
  for (let c = 0; c < k; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = m[i]![n + c]!;
      for (let j = i + 1; j < n; j++) s -= m[i]![j]! * x[j]![c]!;
      x[i]![c] = s / m[i]![i]!;
    }
  }
  return { x, det };
}

/** Doolittle LU with the same pivot rule (first largest magnitude): [L, U] of P A = L U. */
function luRef(a: Mat): [Mat, Mat] {
  const n = a.length;
  const u = a.map((r) => [...r]);
  const l = eyeM(n);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(u[i]![k]!) > Math.abs(u[p]![k]!)) p = i;
    [u[k], u[p]] = [u[p]!, u[k]!];
    for (let j = 0; j < k; j++) [l[k]![j], l[p]![j]] = [l[p]![j]!, l[k]![j]!];
    for (let i = k + 1; i < n; i++) {
      const f = u[i]![k]! / u[k]![k]!;
      l[i]![k] = f;
      for (let j = k; j < n; j++) u[i]![j]! -= f * u[k]![j]!;
    }
  }
  return [l, u];
}

/** Cholesky-Crout, column by column. */
function choleskyRef(a: Mat): Mat {
  const n = a.length;
  const l: Mat = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let d = a[j]![j]!;
    for (let k = 0; k < j; k++) d -= l[j]![k]! ** 2;
    l[j]![j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = s / l[j]![j]!;
    }
  }
  return l;
}

/** Modified Gram-Schmidt QR (R's diagonal positive); wide A = [X | Y]: R = [R_X | Q^T Y]. */
function qrRef(a: Mat): [Mat, Mat] {
  const m = a.length;
  const n = a[0]!.length;
  const k = Math.min(m, n);
  const cols = Array.from({ length: k }, (_, j) => a.map((row) => row[j]!));
  const q: number[][] = [];
  const r: Mat = Array.from({ length: k }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < k; j++) {
    const v = cols[j]!;
    for (let i = 0; i < j; i++) {
      const d = q[i]!.reduce((s, x, t) => s + x * v[t]!, 0);
      r[i]![j] = d;
      for (let t = 0; t < m; t++) v[t]! -= d * q[i]![t]!;
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    r[j]![j] = norm;
    q.push(v.map((x) => x / norm));
  }
  for (let j = k; j < n; j++) {
    for (let i = 0; i < k; i++) r[i]![j] = q[i]!.reduce((s, x, t) => s + x * a[t]![j]!, 0);
  }
  return [transposeM(q), r];
}

/** Classical Jacobi (largest off-diagonal pivot, atan2 angle): [w ascending, V columns]. */
export function jacobiRef(s0: Mat): [number[], Mat] {
  const n = s0.length;
  let s = s0.map((r) => [...r]);
  let v = eyeM(n);
  for (let iter = 0; iter < 100 * n * n; iter++) {
    let p = 0;
    let q = 1;
    let big = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (Math.abs(s[i]![j]!) > big) {
          big = Math.abs(s[i]![j]!);
          p = i;
          q = j;
        }
      }
    }
    const scale = Math.sqrt(s.reduce((acc, r) => acc + r.reduce((a2, x) => a2 + x * x, 0), 0));
    if (big <= 1e-17 * scale) break;
    const phi = 0.5 * Math.atan2(2 * s[p]![q]!, s[q]![q]! - s[p]![p]!);
    const j = eyeM(n);
    j[p]![p] = Math.cos(phi);
    j[q]![q] = Math.cos(phi);
    j[p]![q] = Math.sin(phi);
    j[q]![p] = -Math.sin(phi);
    s = mulM(transposeM(j), mulM(s, j));
    v = mulM(v, j);
  }
  const order = s.map((_, i) => i).sort((x, y) => s[x]![x]! - s[y]![y]!);
  return [order.map((i) => s[i]![i]!), v.map((row) => order.map((i) => row[i]!))];
}

/** [U, S descending, V] from the eigenpairs of [[0, A], [A^T, 0]]: +s_i <-> [u_i; v_i] / sqrt 2. */
export function svdRef(a: Mat): [Mat, number[], Mat] {
  const m = a.length;
  const n = a[0]!.length;
  const k = Math.min(m, n);
  const big: Mat = Array.from({ length: m + n }, (_, i) =>
    Array.from({ length: m + n }, (_, j) => {
      if (i < m && j >= m) return a[i]![j - m]!;
      if (i >= m && j < m) return a[j]![i - m]!;
      return 0;
    }),
  );
  const [w, vecs] = jacobiRef(big);
  const top = w.map((_, i) => m + n - 1 - i).slice(0, k); // largest first
  const u = Array.from({ length: m }, (_, i) => top.map((c) => Math.SQRT2 * vecs[i]![c]!));
  const v = Array.from({ length: n }, (_, i) => top.map((c) => Math.SQRT2 * vecs[m + i]![c]!));
  return [u, top.map((c) => w[c]!), v];
}

// ---- constructions shared by fn and ref -------------------------------------------------------

/** Weights that make V diag(c) V^T and U diag(c) Vh sign-invariant yet sensitive to every vector. */
const weights = (k: number) => Array.from({ length: k }, (_, i) => 1 + i);

/** a + a^T + diag(0, 4, 8, ...): symmetric with well-separated eigenvalues. */
export function spreadSym(a: ad.Tensor): ad.Tensor {
  const n = a.shape[a.ndim - 1]!;
  return ad.add(ad.add(a, mT(a)), ad.mul(ad.eye(n), ad.tensor(weights(n).map((c) => 4 * (c - 1)))));
}
export const spreadSymRef = (a: Mat): Mat =>
  a.map((row, i) => row.map((v, j) => v + a[j]![i]! + (i === j ? 4 * i : 0)));

/** a + diag(6, 12, ...) (rectangular): well-separated singular values. */
export function spreadRect(a: ad.Tensor): ad.Tensor {
  const m = a.shape[a.ndim - 2]!;
  const n = a.shape[a.ndim - 1]!;
  return ad.add(a, ad.mul(ad.eye(m, n), ad.tensor(weights(n).map((c) => 6 * c))));
}
export const spreadRectRef = (a: Mat): Mat =>
  a.map((row, i) => row.map((v, j) => v + (i === j ? 6 * (j + 1) : 0)));

/** A a^T + 3I: symmetric positive definite. */
const spd = (a: ad.Tensor) => ad.add(ad.matmul(a, mT(a)), ad.mul(ad.eye(a.shape[a.ndim - 1]!), 3));
const spdRef = (a: Mat): Mat =>
  addM(
    mulM(a, transposeM(a)),
    eyeM(a.length).map((r) => r.map((v) => 3 * v)),
  );

/** Solve references: b broadcast against a's batch, a vector when 1-d. */
function solveRef(a: Nd, b: Nd, triangle?: "lower" | "upper", transpose = false): Nd {
  const n = a.shape[a.shape.length - 1]!;
  const vector = b.shape.length === 1;
  const b2: Nd = vector ? { shape: [n, 1], data: b.data } : b;
  const batch = nd.broadcastShape(a.shape.slice(0, -2), b2.shape.slice(0, -2));
  const k = b2.shape[b2.shape.length - 1]!;
  const ab = nd.map((v) => v, a, { shape: [...batch, n, n], data: new Float64Array(1) });
  const bb = nd.map((v) => v, b2, { shape: [...batch, n, k], data: new Float64Array(1) });
  const as = matrices(ab);
  const bs = matrices(bb);
  const xs = as.map((m0, t) => {
    let m = wellConditioned(m0);
    if (triangle)
      m = m.map((row, i) => row.map((v, j) => ((triangle === "lower" ? j <= i : j >= i) ? v : 0)));
    if (transpose) m = transposeM(m);
    return gauss(m, bs[t]!).x;
  });
  const out = stackUp(batch, xs);
  return vector ? { shape: [...batch, n], data: out.data } : out;
}

const SQUARE = [[[3, 3]], [[2, 3, 3]]] as const;
const RECT = [[[4, 3]], [[3, 4]], [[3, 3]], [[2, 4, 3]]] as const;

export const linalgSpecs: OpSpec[] = [
  {
    name: "linalg.det",
    prims: ["det"],
    fn: (a) => ad.linalg.det(a),
    shapes: [[[3, 3]], [[2, 3, 3]], [[1, 1]]],
    ref: (a) =>
      perMatrix(
        a,
        (m) =>
          gauss(
            m,
            m.map(() => []),
          ).det,
      ),
  },
  {
    name: "linalg.slogdet logAbsDet",
    prims: ["lu"],
    fn: (a) => ad.linalg.slogdet(wc(a))[1],
    shapes: SQUARE,
    ref: (a) =>
      perMatrix(a, (m) =>
        Math.log(
          Math.abs(
            gauss(
              wellConditioned(m),
              m.map(() => []),
            ).det,
          ),
        ),
      ),
  },
  {
    name: "linalg.slogdet sign",
    prims: ["lu"],
    fn: (a) => ad.linalg.slogdet(ad.sub(a, ad.mul(ad.eye(a.shape[a.ndim - 1]!), 4)))[0],
    shapes: [[[2, 3, 3]], [[2, 2]]],
    ref: (a) =>
      perMatrix(a, (m) =>
        Math.sign(
          gauss(
            addM(
              m,
              eyeM(m.length).map((r) => r.map((v) => -4 * v)),
            ),
            m.map(() => []),
          ).det,
        ),
      ),
    order: 1,
  },
  {
    name: "linalg.inv",
    prims: ["lu", "triangular_solve"],
    fn: (a) => ad.linalg.inv(wc(a)),
    shapes: SQUARE,
    ref: (a) => perMatrix(a, (m) => gauss(wellConditioned(m), eyeM(m.length)).x),
  },
  {
    name: "linalg.solve",
    prims: ["lu", "triangular_solve"],
    fn: (a, b) => ad.linalg.solve(wc(a), b),
    shapes: [
      [
        [3, 3],
        [3, 2],
      ],
      [
        [2, 3, 3],
        [2, 3, 2],
      ],
      [[3, 3], [3]], // a vector right-hand side
      [
        [2, 3, 3],
        [3, 1],
      ], // b broadcast over a's batch
      [
        [3, 3],
        [2, 3, 1],
      ], // a broadcast over b's batch
    ],
    ref: (a, b) => solveRef(a, b),
  },
  {
    name: "linalg.triangularSolve lower",
    prims: ["triangular_solve"],
    fn: (a, b) => ad.linalg.triangularSolve(wc(a), b),
    shapes: [
      [
        [3, 3],
        [3, 2],
      ],
      [
        [2, 3, 3],
        [2, 3, 2],
      ],
    ],
    ref: (a, b) => solveRef(a, b, "lower"),
  },
  {
    name: "linalg.triangularSolve upper transpose",
    prims: ["triangular_solve"],
    fn: (a, b) => ad.linalg.triangularSolve(wc(a), b, { lower: false, transpose: true }),
    shapes: [
      [
        [3, 3],
        [3, 2],
      ],
      [[3, 3], [3]],
    ],
    ref: (a, b) => solveRef(a, b, "upper", true),
  },
  {
    name: "linalg.triangularSolve lower transpose",
    prims: ["triangular_solve"],
    fn: (a, b) => ad.linalg.triangularSolve(wc(a), b, { transpose: true }),
    shapes: [
      [
        [2, 3, 3],
        [3, 2],
      ],
    ],
    ref: (a, b) => solveRef(a, b, "lower", true),
  },
  {
    name: "linalg.cholesky",
    prims: ["cholesky"],
    fn: (a) => ad.linalg.cholesky(spd(a)),
    shapes: SQUARE,
    ref: (a) => perMatrix(a, (m) => choleskyRef(spdRef(m))),
  },
  {
    name: "linalg.lu L",
    prims: ["lu"],
    fn: (a) => ad.linalg.lu(a)[1],
    shapes: [[[3, 3]], [[2, 4, 4]]],
    ref: (a) => perMatrix(a, (m) => luRef(m)[0]),
  },
  {
    name: "linalg.lu U",
    prims: ["lu"],
    fn: (a) => ad.linalg.lu(a)[2],
    shapes: [[[3, 3]], [[2, 4, 4]]],
    ref: (a) => perMatrix(a, (m) => luRef(m)[1]),
  },
  {
    name: "linalg.qr Q",
    prims: ["qr"],
    fn: (a) => ad.linalg.qr(a)[0],
    shapes: RECT,
    ref: (a) => perMatrix(a, (m) => qrRef(m)[0]),
  },
  {
    name: "linalg.qr R",
    prims: ["qr"],
    fn: (a) => ad.linalg.qr(a)[1],
    shapes: RECT,
    ref: (a) => perMatrix(a, (m) => qrRef(m)[1]),
  },
  {
    name: "linalg.eigh w",
    prims: ["eigh"],
    fn: (a) => ad.linalg.eigh(spreadSym(a))[0],
    shapes: [[[3, 3]], [[2, 3, 3]], [[4, 4]]],
    ref: (a) => perMatrix(a, (m) => jacobiRef(spreadSymRef(m))[0]),
  },
  {
    name: "linalg.eigh V diag(c) V^T",
    prims: ["eigh"],
    fn: (a) => {
      const v = ad.linalg.eigh(spreadSym(a))[1];
      return ad.matmul(ad.mul(v, ad.tensor(weights(v.shape[v.ndim - 1]!))), mT(v));
    },
    shapes: [[[3, 3]], [[2, 3, 3]]],
    ref: (a) =>
      perMatrix(a, (m) => {
        const v = jacobiRef(spreadSymRef(m))[1];
        return mulM(scaleCols(v, weights(v.length)), transposeM(v));
      }),
  },
  {
    name: "linalg.svd S",
    prims: ["svd"],
    fn: (a) => ad.linalg.svd(spreadRect(a))[1],
    shapes: RECT,
    ref: (a) => perMatrix(a, (m) => svdRef(spreadRectRef(m))[1]),
  },
  {
    name: "linalg.svd U diag(c) Vh",
    prims: ["svd"],
    fn: (a) => {
      const [u, , vh] = ad.linalg.svd(spreadRect(a));
      return ad.matmul(ad.mul(u, ad.tensor(weights(u.shape[u.ndim - 1]!))), vh);
    },
    shapes: RECT,
    ref: (a) =>
      perMatrix(a, (m) => {
        const [u, s, v] = svdRef(spreadRectRef(m));
        return mulM(scaleCols(u, weights(s.length)), transposeM(v));
      }),
  },
];
