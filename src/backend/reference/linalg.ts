/**
 * @file Reference dense linear-algebra kernels on batches of matrices: LU with partial pivoting,
 * triangular solves, Cholesky, Householder QR, the cyclic Jacobi symmetric eigensolver and the
 * one-sided (Hestenes) Jacobi SVD.
 *
 * Every kernel copies one matrix at a time into a float64 work array, computes in float64 (also
 * for float32 data) and rounds only when it writes its outputs. Matrices are row-major
 * [...batch, rows, cols]; the batch is the product of the leading dims. All algorithms are O(n^3)
 * per matrix (the Jacobi methods per sweep; they need a handful of sweeps).
 */

import type { TypedArray } from "../../core/dtype.js";
import type { LinalgKernels, Shape } from "../backend.js";
import { sizeOf } from "./strides.js";

/** float64 unit roundoff (half the machine epsilon). */
const EPS = 2 ** -53;
/** Upper bound on Jacobi sweeps; convergence is quadratic, real inputs need well under 20. */
const MAX_SWEEPS = 100;

/** The rows and cols of the last two dims and the number of matrices before them. */
function matrixDims(shape: Shape): [batch: number, rows: number, cols: number] {
  const r = shape.length;
  return [sizeOf(shape.slice(0, r - 2)), shape[r - 2]!, shape[r - 1]!];
}

/** Copies matrix `t` of a batch (size `len` each) into a float64 work array. */
function load(a: TypedArray, t: number, len: number, work: Float64Array): void {
  const off = t * len;
  for (let i = 0; i < len; i++) work[i] = a[off + i]!;
}

/** Writes a float64 work array into matrix `t` of a batch (rounding to out's dtype). */
function store(work: Float64Array, out: TypedArray, t: number, len: number): void {
  const off = t * len;
  for (let i = 0; i < len; i++) out[off + i] = work[i]!;
}

/** True when no entry is NaN or infinite. */
function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return false;
  return true;
}

// ---- LU ---------------------------------------------------------------------------------------

/**
 * LU with partial pivoting (Doolittle, row swaps), in place on the n x n work matrix `w`:
 * afterwards w holds L (unit, strictly below the diagonal) and U, and row i of L U is row perm[i]
 * of the input. A column with no nonzero pivot candidate is skipped (U gets a 0 on its diagonal).
 */
function luInPlace(w: Float64Array, n: number, perm: Int32Array, permOff: number): void {
  for (let i = 0; i < n; i++) perm[permOff + i] = i;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(w[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(w[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const tmp = w[k * n + j]!;
        w[k * n + j] = w[p * n + j]!;
        w[p * n + j] = tmp;
      }
      const tp = perm[permOff + k]!;
      perm[permOff + k] = perm[permOff + p]!;
      perm[permOff + p] = tp;
    }
    const pivot = w[k * n + k]!;
    if (pivot === 0) continue; // singular: this column is already zero below the diagonal
    for (let i = k + 1; i < n; i++) {
      const l = w[i * n + k]! / pivot;
      w[i * n + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) w[i * n + j]! -= l * w[k * n + j]!;
    }
  }
}

/** LU with partial pivoting of each matrix (see Backend.lu). */
export function lu(a: TypedArray, shape: Shape, luOut: TypedArray, perm: Int32Array): void {
  const [batch, n] = matrixDims(shape);
  const w = new Float64Array(n * n);
  for (let t = 0; t < batch; t++) {
    load(a, t, n * n, w);
    luInPlace(w, n, perm, t * n);
    store(w, luOut, t, n * n);
  }
}

// ---- triangular solve -------------------------------------------------------------------------

/** Forward or back substitution for each right-hand side (see Backend.triangularSolve). */
export function triangularSolve(
  a: TypedArray,
  b: TypedArray,
  bShape: Shape,
  lower: boolean,
  transpose: boolean,
  unitDiagonal: boolean,
  out: TypedArray,
): void {
  const [batch, n, k] = matrixDims(bShape);
  // op(A)[i, j] = A[i*rs + j*cs]; op(A) is lower triangular when exactly one of lower/transpose.
  const rs = transpose ? 1 : n;
  const cs = transpose ? n : 1;
  const forward = lower !== transpose;
  const x = new Float64Array(n * k);
  for (let t = 0; t < batch; t++) {
    const ao = t * n * n;
    load(b, t, n * k, x);
    for (let s = 0; s < n; s++) {
      const i = forward ? s : n - 1 - s;
      const xi = i * k;
      const from = forward ? 0 : i + 1;
      const to = forward ? i : n;
      for (let j = from; j < to; j++) {
        const c = a[ao + i * rs + j * cs]!;
        const xj = j * k;
        for (let q = 0; q < k; q++) x[xi + q]! -= c * x[xj + q]!;
      }
      if (!unitDiagonal) {
        const d = a[ao + i * (n + 1)]!;
        for (let q = 0; q < k; q++) x[xi + q]! /= d;
      }
    }
    store(x, out, t, n * k);
  }
}

// ---- Cholesky ---------------------------------------------------------------------------------

/** Cholesky of the symmetric part of each matrix; the first failing batch index or -1. */
export function cholesky(a: TypedArray, shape: Shape, out: TypedArray): number {
  const [batch, n] = matrixDims(shape);
  const w = new Float64Array(n * n);
  let failed = -1;
  for (let t = 0; t < batch; t++) {
    const ao = t * n * n;
    w.fill(0);
    let ok = true;
    // Cholesky-Banachiewicz, row by row, on the symmetric part (a_ij + a_ji) / 2.
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0.5 * (a[ao + i * n + j]! + a[ao + j * n + i]!);
        for (let p = 0; p < j; p++) s -= w[i * n + p]! * w[j * n + p]!;
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          w[i * n + i] = Math.sqrt(s);
        } else {
          w[i * n + j] = s / w[j * n + j]!;
        }
      }
    }
    if (!ok) {
      w.fill(Number.NaN);
      if (failed < 0) failed = t;
    }
    store(w, out, t, n * n);
  }
  return failed;
}

// ---- QR ---------------------------------------------------------------------------------------

/** Reduced Householder QR with R's diagonal made non-negative (see Backend.qr). */
export function qr(a: TypedArray, shape: Shape, q: TypedArray, r: TypedArray): void {
  const [batch, m, n] = matrixDims(shape);
  const k = Math.min(m, n);
  const w = new Float64Array(m * n);
  const vs = new Float64Array(k * m); // Householder vectors (entries j.. of row j are used)
  const betas = new Float64Array(k);
  const qw = new Float64Array(m * k);
  for (let t = 0; t < batch; t++) {
    load(a, t, m * n, w);
    vs.fill(0);
    for (let j = 0; j < k; j++) {
      // Reflect x = w[j:, j] onto alpha e_1 with alpha = -sign(x_0) ||x|| (no cancellation).
      let norm2 = 0;
      for (let i = j; i < m; i++) norm2 += w[i * n + j]! ** 2;
      const x0 = w[j * n + j]!;
      const norm = Math.sqrt(norm2);
      if (norm === 0) {
        betas[j] = 0;
        continue;
      }
      const alpha = x0 >= 0 ? -norm : norm;
      const v = j * m;
      vs[v + j] = x0 - alpha;
      for (let i = j + 1; i < m; i++) vs[v + i] = w[i * n + j]!;
      const vtv = norm2 - x0 * x0 + (x0 - alpha) ** 2;
      const beta = 2 / vtv;
      betas[j] = beta;
      w[j * n + j] = alpha;
      for (let i = j + 1; i < m; i++) w[i * n + j] = 0;
      for (let c = j + 1; c < n; c++) {
        let s = 0;
        for (let i = j; i < m; i++) s += vs[v + i]! * w[i * n + c]!;
        s *= beta;
        for (let i = j; i < m; i++) w[i * n + c]! -= s * vs[v + i]!;
      }
    }
    // Q = H_0 H_1 ... H_{k-1} applied to the first k columns of the identity.
    qw.fill(0);
    for (let i = 0; i < k; i++) qw[i * k + i] = 1;
    for (let j = k - 1; j >= 0; j--) {
      const beta = betas[j]!;
      if (beta === 0) continue;
      const v = j * m;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let i = j; i < m; i++) s += vs[v + i]! * qw[i * k + c]!;
        s *= beta;
        for (let i = j; i < m; i++) qw[i * k + c]! -= s * vs[v + i]!;
      }
    }
    // Unique factors of a full-rank A: R's diagonal made non-negative (flip row j and column j).
    for (let j = 0; j < k; j++) {
      if (w[j * n + j]! >= 0) continue;
      for (let c = j; c < n; c++) w[j * n + c] = -w[j * n + c]!;
      for (let i = 0; i < m; i++) qw[i * k + j] = -qw[i * k + j]!;
    }
    store(qw, q, t, m * k);
    const ro = t * k * n;
    for (let i = 0; i < k; i++) {
      for (let c = 0; c < n; c++) r[ro + i * n + c] = c < i ? 0 : w[i * n + c]!;
    }
  }
}

// ---- symmetric eigensolver --------------------------------------------------------------------

/**
 * Cyclic Jacobi on the symmetric n x n work matrix `w` (both triangles kept), accumulating the
 * rotations into `v` (starts as I). A pair is rotated while |w_pq| > EPS sqrt(|w_pp w_qq|), the
 * criterion that gives eigenvalues to high relative accuracy; repeated eigenvalues need no
 * special care (their block is simply diagonalised like any other).
 */
function jacobiEigen(w: Float64Array, v: Float64Array, n: number): void {
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q]!;
        if (apq === 0) continue;
        const app = w[p * n + p]!;
        const aqq = w[q * n + q]!;
        if (Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app)) * Math.sqrt(Math.abs(aqq))) continue;
        rotated = true;
        // tan of the angle that zeroes w_pq: the smaller root of t^2 + 2 theta t - 1 = 0.
        const theta = (aqq - app) / (2 * apq);
        const at = Math.abs(theta);
        const tt =
          at > 1e150 ? 1 / (2 * theta) : (theta >= 0 ? 1 : -1) / (at + Math.sqrt(at * at + 1));
        const c = 1 / Math.sqrt(tt * tt + 1);
        const s = tt * c;
        w[p * n + p] = app - tt * apq;
        w[q * n + q] = aqq + tt * apq;
        w[p * n + q] = 0;
        w[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          if (r !== p && r !== q) {
            const arp = w[r * n + p]!;
            const arq = w[r * n + q]!;
            const np = c * arp - s * arq;
            const nq = s * arp + c * arq;
            w[r * n + p] = np;
            w[p * n + r] = np;
            w[r * n + q] = nq;
            w[q * n + r] = nq;
          }
          const vrp = v[r * n + p]!;
          const vrq = v[r * n + q]!;
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
    if (!rotated) return;
  }
}

/** Index of the entry of largest magnitude in column j of an m x k row-major matrix (first on ties). */
function argmaxAbsColumn(x: Float64Array, m: number, k: number, j: number): number {
  let best = 0;
  let bestAbs = -1;
  for (let i = 0; i < m; i++) {
    const a = Math.abs(x[i * k + j]!);
    if (a > bestAbs) {
      bestAbs = a;
      best = i;
    }
  }
  return best;
}

/** Cyclic Jacobi eigendecomposition of the symmetric part, sorted ascending (see Backend.eigh). */
export function eigh(a: TypedArray, shape: Shape, wOut: TypedArray, vOut: TypedArray): void {
  const [batch, n] = matrixDims(shape);
  const w = new Float64Array(n * n);
  const v = new Float64Array(n * n);
  const order = new Array<number>(n);
  for (let t = 0; t < batch; t++) {
    const ao = t * n * n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) w[i * n + j] = 0.5 * (a[ao + i * n + j]! + a[ao + j * n + i]!);
    }
    if (!allFinite(w)) {
      // NaN or Infinity: no meaningful decomposition (and Jacobi would not settle).
      wOut.fill(Number.NaN, t * n, (t + 1) * n);
      vOut.fill(Number.NaN, ao, ao + n * n);
      continue;
    }
    v.fill(0);
    for (let i = 0; i < n; i++) v[i * n + i] = 1;
    jacobiEigen(w, v, n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((x, y) => w[x * n + x]! - w[y * n + y]! || x - y);
    for (let c = 0; c < n; c++) {
      const src = order[c]!;
      wOut[t * n + c] = w[src * n + src]!;
      // Eigenvector signs are arbitrary: make each column's largest-magnitude entry positive.
      const flip = v[argmaxAbsColumn(v, n, n, src) * n + src]! < 0 ? -1 : 1;
      for (let i = 0; i < n; i++) vOut[ao + i * n + c] = flip * v[i * n + src]!;
    }
  }
}

// ---- SVD --------------------------------------------------------------------------------------

/**
 * One-sided Jacobi on the columns of the M x N (M >= N) matrix `b`, stored column-major
 * (column j is b[j*M .. j*M+M)), accumulating the same rotations into the N x N `v` (also
 * column-major). Afterwards the columns of b are mutually orthogonal (to relative accuracy) and
 * b = A V, so A = (b / |b|) diag(|b|) V^T.
 */
function oneSidedJacobi(b: Float64Array, v: Float64Array, M: number, N: number): void {
  const tol = EPS * M;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let i = 0; i < N - 1; i++) {
      for (let j = i + 1; j < N; j++) {
        const bi = i * M;
        const bj = j * M;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let r = 0; r < M; r++) {
          const x = b[bi + r]!;
          const y = b[bj + r]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        rotated = true;
        // The rotation that makes columns i and j orthogonal: cot 2phi = (beta - alpha) / 2 gamma.
        const zeta = (beta - alpha) / (2 * gamma);
        const az = Math.abs(zeta);
        const tt =
          az > 1e150 ? 1 / (2 * zeta) : (zeta >= 0 ? 1 : -1) / (az + Math.sqrt(1 + az * az));
        const c = 1 / Math.sqrt(1 + tt * tt);
        const s = c * tt;
        for (let r = 0; r < M; r++) {
          const x = b[bi + r]!;
          const y = b[bj + r]!;
          b[bi + r] = c * x - s * y;
          b[bj + r] = s * x + c * y;
        }
        const vi = i * N;
        const vj = j * N;
        for (let r = 0; r < N; r++) {
          const x = v[vi + r]!;
          const y = v[vj + r]!;
          v[vi + r] = c * x - s * y;
          v[vj + r] = s * x + c * y;
        }
      }
    }
    if (!rotated) return;
  }
}

/**
 * Completes the columns of the M x N column-major `u` marked in `missing` to an orthonormal set,
 * each with the standard basis vector that has the largest residual after projecting out the
 * columns already in place (twice, for orthogonality to working precision).
 */
function completeBasis(u: Float64Array, M: number, N: number, missing: boolean[]): void {
  const done: number[] = [];
  for (let j = 0; j < N; j++) if (!missing[j]) done.push(j);
  const cand = new Float64Array(M);
  const best = new Float64Array(M);
  for (let j = 0; j < N; j++) {
    if (!missing[j]) continue;
    let bestNorm = -1;
    for (let e = 0; e < M; e++) {
      cand.fill(0);
      cand[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const c of done) {
          let d = 0;
          for (let r = 0; r < M; r++) d += u[c * M + r]! * cand[r]!;
          for (let r = 0; r < M; r++) cand[r]! -= d * u[c * M + r]!;
        }
      }
      let norm = 0;
      for (let r = 0; r < M; r++) norm += cand[r]! ** 2;
      if (norm > bestNorm) {
        bestNorm = norm;
        best.set(cand);
      }
    }
    const inv = 1 / Math.sqrt(bestNorm);
    for (let r = 0; r < M; r++) u[j * M + r] = best[r]! * inv;
    done.push(j);
  }
}

/** Reduced SVD by one-sided Jacobi, sorted descending (see Backend.svd). */
export function svd(
  a: TypedArray,
  shape: Shape,
  uOut: TypedArray,
  sOut: TypedArray,
  vhOut: TypedArray,
): void {
  const [batch, m, n] = matrixDims(shape);
  const k = Math.min(m, n);
  // Work on A (m >= n) or on A^T (m < n), so that the Jacobi matrix is tall: M x N, N = k.
  const tall = m >= n;
  const M = tall ? m : n;
  const N = k;
  const b = new Float64Array(M * N);
  const v = new Float64Array(N * N);
  const norms = new Float64Array(N);
  const order = new Array<number>(N);
  const missing = new Array<boolean>(N);
  for (let t = 0; t < batch; t++) {
    const ao = t * m * n;
    // Column j of the Jacobi matrix: column j of A (tall) or row j of A (wide).
    for (let j = 0; j < N; j++) {
      for (let r = 0; r < M; r++) b[j * M + r] = tall ? a[ao + r * n + j]! : a[ao + j * n + r]!;
    }
    if (!allFinite(b)) {
      uOut.fill(Number.NaN, t * m * k, (t + 1) * m * k);
      sOut.fill(Number.NaN, t * k, (t + 1) * k);
      vhOut.fill(Number.NaN, t * k * n, (t + 1) * k * n);
      continue;
    }
    v.fill(0);
    for (let j = 0; j < N; j++) v[j * N + j] = 1;
    oneSidedJacobi(b, v, M, N);
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let r = 0; r < M; r++) s += b[j * M + r]! ** 2;
      norms[j] = Math.sqrt(s);
      order[j] = j;
    }
    order.sort((x, y) => norms[y]! - norms[x]! || x - y);
    for (let j = 0; j < N; j++) {
      const s = norms[j]!;
      missing[j] = !(s > 0 && Number.isFinite(1 / s));
      if (!missing[j]) for (let r = 0; r < M; r++) b[j * M + r]! /= s;
    }
    completeBasis(b, M, N, missing);
    // Jacobi columns b (M x N) pair with v (N x N): the tall factor and the square one.
    // Tall: U = b, V = v. Wide: A^T = b S v^T, so U = v and V = b.
    const uRows = tall ? M : N;
    const vRows = tall ? N : M;
    const uCol = tall ? b : v;
    const vCol = tall ? v : b;
    for (let c = 0; c < k; c++) {
      const src = order[c]!;
      sOut[t * k + c] = norms[src]!;
      // Singular-vector pairs have a joint sign: make each U column's largest entry positive.
      let bi = 0;
      let bestAbs = -1;
      for (let r = 0; r < uRows; r++) {
        const x = Math.abs(uCol[src * uRows + r]!);
        if (x > bestAbs) {
          bestAbs = x;
          bi = r;
        }
      }
      const flip = uCol[src * uRows + bi]! < 0 ? -1 : 1;
      for (let r = 0; r < uRows; r++) uOut[t * m * k + r * k + c] = flip * uCol[src * uRows + r]!;
      for (let r = 0; r < vRows; r++) vhOut[t * k * n + c * n + r] = flip * vCol[src * vRows + r]!;
    }
  }
}

/** The reference dense factorisations, used by the linalg primitives when a backend has none. */
export const referenceLinalg: LinalgKernels = { lu, triangularSolve, cholesky, qr, eigh, svd };
