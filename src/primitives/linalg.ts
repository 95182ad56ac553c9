/**
 * @file Linear-algebra primitives: lu, triangular_solve, det, cholesky, qr, eigh and svd, on
 * batches of matrices [...batch, rows, cols] of one float dtype. inv, solve and slogdet are
 * composites (src/ops/linalg-decompositions.ts) over lu and triangular_solve.
 *
 * Every rule is written with the library's own ops, so derivatives of any order come from
 * differentiating the rules. Solves inside the rules reuse the factors in the primitive's
 * outputs (lu's packed L and U, cholesky's L, qr's R) through triangular_solve; gauge-dependent
 * rules (eigh, svd) zero the coupling of numerically equal eigen/singular values, so symmetric
 * functions of them (sum, trace-like, norms) have finite, correct derivatives there too.
 */

import type { LinalgKernels } from "../backend/backend.js";
import { getBackend } from "../backend/index.js";
import { referenceLinalg } from "../backend/reference/linalg.js";
import { allocate, type DType, isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { NO_PARAMS, paramsCodec } from "../core/params-json.js";
import type { Aval } from "../core/primitive.js";
import { shapeSize, shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { bind, bindMulti } from "../core/trace.js";
import {
  abs,
  add,
  arange,
  astype,
  broadcastTo,
  concat,
  equal,
  expandDims,
  eye,
  greater,
  matmul,
  max,
  mul,
  neg,
  prod,
  reciprocal,
  reshape,
  sign,
  slice,
  square,
  sub,
  sum,
  swapAxes,
  take,
  takeAlongAxis,
  where,
  zerosLike,
} from "../ops/index.js";
import { leadingAxisBatch } from "./batching.js";
import {
  type BuiltinMultiPrimitive,
  type BuiltinPrimitive,
  declareMultiPrimitive,
  declarePrimitive,
} from "./names.js";
import { argsortPrim } from "./sort.js";

/** The active backend's factorisation kernels, or the reference ones when it has none. */
function linalgKernels(): LinalgKernels {
  return getBackend().linalg ?? referenceLinalg;
}

// ---- shape-rule helpers -----------------------------------------------------------------------

/** Checks a float operand with ndim >= 2 (square when asked); `op` is the user-facing name. */
export function checkMatrix(op: string, arg: string, x: Aval, square: boolean): void {
  if (!isFloat(x.dtype)) {
    throw new DTypeError(`${op}: ${arg} must be float32 or float64; got ${x.dtype}`);
  }
  const r = x.shape.length;
  if (r < 2) {
    throw new ShapeError(
      `${op}: ${arg} must have at least 2 dimensions (a matrix or a batch of matrices); got shape ${fmtShape(x.shape)}`,
    );
  }
  if (square && x.shape[r - 1] !== x.shape[r - 2]) {
    throw new ShapeError(
      `${op}: ${arg} must be square in its last two dimensions; got shape ${fmtShape(x.shape)}`,
    );
  }
}

/** The leading (batch) dims of a matrix shape. */
function batchOf(shape: readonly number[]): number[] {
  return shape.slice(0, shape.length - 2);
}

/** The batch position of flat batch index t, for messages ("" when there is no batch). */
export function batchPosition(batch: readonly number[], t: number): string {
  if (batch.length === 0) return "";
  const idx = new Array<number>(batch.length);
  for (let d = batch.length - 1; d >= 0; d--) {
    idx[d] = t % batch[d]!;
    t = Math.floor(t / batch[d]!);
  }
  return ` (batch element [${idx.join(",")}])`;
}

// ---- small matrix helpers written with ops (differentiable) -----------------------------------

/** The transpose of the last two axes. */
export function mT(x: Tensor): Tensor {
  return swapAxes(x, -1, -2);
}

/** A constant bool [rows, cols] mask: true where lo <= j - i <= hi. */
function bandMask(rows: number, cols: number, lo: number, hi: number): Tensor {
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = j - i;
      data[i * cols + j] = d >= lo && d <= hi ? 1 : 0;
    }
  }
  return Tensor._fromData([rows, cols], "bool", data);
}

/** Entries on and below diagonal k of the last two axes (others 0). */
export function tril(x: Tensor, k = 0): Tensor {
  const r = x.ndim;
  return where(bandMask(x.shape[r - 2]!, x.shape[r - 1]!, -Infinity, k), x, 0);
}

/** Entries on and above diagonal k of the last two axes (others 0). */
export function triu(x: Tensor, k = 0): Tensor {
  const r = x.ndim;
  return where(bandMask(x.shape[r - 2]!, x.shape[r - 1]!, k, Infinity), x, 0);
}

/** The diagonal of the last two axes of a square [..., k, k] tensor, as [..., k] (a gather). */
export function diagonal(x: Tensor): Tensor {
  const k = x.shape[x.ndim - 1]!;
  const idx = new Int32Array(k);
  for (let i = 0; i < k; i++) idx[i] = i * (k + 1);
  const flat = reshape(x, [...batchOf(x.shape), k * k]);
  return take(flat, Tensor._fromData([k], "int32", idx), -1);
}

/** The [..., k, k] diagonal matrices with the entries of v ([..., k]) on their diagonal. */
function diagEmbed(v: Tensor): Tensor {
  const k = v.shape[v.ndim - 1]!;
  return where(bandMask(k, k, 0, 0), expandDims(v, -1), 0);
}

/** (x + x^T) / 2 over the last two axes. */
function sym(x: Tensor): Tensor {
  return mul(add(x, mT(x)), 0.5);
}

/** a + b where either may be the symbolic zero (null). */
function addOpt(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (a === null) return b;
  return b === null ? a : add(a, b);
}

/** The identity broadcast to the shape of x ([..., n, n]), in x's dtype. */
export function identityLike(x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1]!;
  return broadcastTo(eye(n, n, x.dtype), x.shape);
}

/** Columns [from, from + count) of the last axis. */
function columns(x: Tensor, from: number, count: number): Tensor {
  const begin = x.shape.map((_, d) => (d === x.ndim - 1 ? from : 0));
  const size = x.shape.map((s, d) => (d === x.ndim - 1 ? count : s));
  return slice(x, begin, size);
}

/**
 * Rows of x ([...batch, n, k]) reordered by a permutation of each batch element (int32
 * [...batch, n], concrete): out row i = x row perm[i], or with `inverse` out row perm[i] = x row i.
 * A gather, so it is exact (no 0 * Infinity as in a product with a permutation matrix).
 */
export function permuteRows(x: Tensor, perm: Tensor, inverse: boolean): Tensor {
  if (perm._varies()) {
    // Inside vmap, with one permutation per batch element: the same with ops.
    const p = inverse
      ? bind(argsortPrim, [perm], { axis: perm.ndim - 1, descending: false })
      : perm;
    return takeAlongAxis(x, broadcastTo(expandDims(p, -1), x.shape), -2);
  }
  const p = perm._concrete()._data as Int32Array;
  const n = x.shape[x.ndim - 2]!;
  const k = x.shape[x.ndim - 1]!;
  const batch = n === 0 ? 0 : p.length / n;
  const idx = new Int32Array(batch * n);
  for (let t = 0; t < batch; t++) {
    const o = t * n;
    for (let i = 0; i < n; i++) {
      if (inverse) idx[o + p[o + i]!] = o + i;
      else idx[o + i] = o + p[o + i]!;
    }
  }
  const rows = take(reshape(x, [batch * n, k]), Tensor._fromData([batch * n], "int32", idx), 0);
  return reshape(rows, x.shape);
}

/** The sign of each permutation in a batch (int32 [..., n], concrete) as (-1)^(n - cycles). */
export function permutationSigns(perm: Tensor, dtype: DType): Tensor {
  if (perm._varies()) {
    // Inside vmap: the product over pairs i < j of sign(p_j - p_i), with ops.
    const n = perm.shape[perm.ndim - 1]!;
    const p = astype(perm, dtype);
    const pairs = sign(sub(expandDims(p, -2), expandDims(p, -1)));
    const upper = greater(expandDims(arange(n), 0), expandDims(arange(n), 1));
    return prod(where(upper, pairs, 1), { axis: [-2, -1] });
  }
  const p = perm._concrete()._data as Int32Array;
  const n = perm.shape[perm.ndim - 1]!;
  const batch = perm.shape.slice(0, -1);
  const size = shapeSize(batch);
  const out = allocate(dtype, size);
  const seen = new Uint8Array(n);
  for (let t = 0; t < size; t++) {
    seen.fill(0);
    let s = 1;
    for (let i = 0; i < n; i++) {
      if (seen[i]) continue;
      let len = 0;
      for (let j = i; !seen[j]; j = p[t * n + j]!) {
        seen[j] = 1;
        len++;
      }
      if (len % 2 === 0) s = -s;
    }
    out[t] = s;
  }
  return Tensor._fromData(batch, dtype, out);
}

/**
 * Where two values of the last axis of `v` ([..., k]) are numerically distinct: a constant bool
 * [..., k, k] mask, true where |v_j - v_i| > 16 k eps max|v| (eps of v's dtype). Built from the
 * concrete values; comparisons carry no derivative.
 */
function gapMask(v: Tensor): Tensor {
  if (v._staged()) return stagedGapMask(v);
  const data = v._concrete()._data!;
  const k = v.shape[v.ndim - 1]!;
  const eps = v.dtype === "float32" ? 2 ** -23 : 2 ** -52;
  const size = k === 0 ? 0 : data.length / k;
  const out = new Uint8Array(size * k * k);
  for (let t = 0; t < size; t++) {
    let scale = 0;
    for (let i = 0; i < k; i++) scale = Math.max(scale, Math.abs(data[t * k + i]!));
    const tol = 16 * k * eps * scale;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        out[t * k * k + i * k + j] = Math.abs(data[t * k + j]! - data[t * k + i]!) > tol ? 1 : 0;
      }
    }
  }
  return Tensor._fromData([...v.shape.slice(0, -1), k, k], "bool", out);
}

/**
 * gapMask with ops, for a staged v (makeGraph), whose values are not known yet: the same
 * comparisons in float64 (exact for float32 values), so the mask is the one gapMask computes.
 */
function stagedGapMask(v: Tensor): Tensor {
  const [v64, tol] = stagedTolerance(v);
  const gap = abs(sub(expandDims(v64, -2), expandDims(v64, -1)));
  return greater(gap, expandDims(tol, -1));
}

/**
 * A staged v in float64 (exact for float32 values) and the tolerance gapMask and safeReciprocal
 * compute in JavaScript, 16 k eps max|v| per line ([..., 1]), with ops.
 */
function stagedTolerance(v: Tensor): [Tensor, Tensor] {
  const k = v.shape[v.ndim - 1]!;
  const eps = v.dtype === "float32" ? 2 ** -23 : 2 ** -52;
  const v64 = astype(v, "float64");
  return [v64, mul(max(abs(v64), { axis: -1, keepdims: true }), 16 * k * eps)];
}

/**
 * F_ij = 1 / (g(v_j) - g(v_i)) where v_i and v_j are numerically distinct, else 0 (also on the
 * diagonal), with g the identity or the square. The masked entries never divide by zero, so no
 * NaN or Infinity appears at any order.
 */
function gapReciprocals(v: Tensor, squared: boolean): Tensor {
  const mask = gapMask(v);
  const g = squared ? square(v) : v;
  const diff = sub(expandDims(g, -2), expandDims(g, -1));
  return where(mask, reciprocal(where(mask, diff, 1)), 0);
}

/** 1 / s for singular values that are numerically nonzero, else 0 (same tolerance as gapMask). */
function safeReciprocal(s: Tensor): Tensor {
  if (s._staged()) {
    // With ops for a staged s (makeGraph): the same comparison in float64.
    const [s64, tol] = stagedTolerance(s);
    const m = greater(s64, tol);
    return where(m, reciprocal(where(m, s, 1)), 0);
  }
  const data = s._concrete()._data!;
  const k = s.shape[s.ndim - 1]!;
  const eps = s.dtype === "float32" ? 2 ** -23 : 2 ** -52;
  const mask = new Uint8Array(data.length);
  for (let t = 0; k > 0 && t < data.length / k; t++) {
    let scale = 0;
    for (let i = 0; i < k; i++) scale = Math.max(scale, Math.abs(data[t * k + i]!));
    for (let i = 0; i < k; i++) mask[t * k + i] = data[t * k + i]! > 16 * k * eps * scale ? 1 : 0;
  }
  const m = Tensor._fromData(s.shape, "bool", mask);
  return where(m, reciprocal(where(m, s, 1)), 0);
}

// ---- triangular_solve -------------------------------------------------------------------------

export interface TriangularSolveParams {
  /** Read the lower (else upper) triangle of a. */
  readonly lower: boolean;
  /** Solve a^T x = b instead of a x = b. */
  readonly transpose: boolean;
  /** Take a's diagonal as ones (it is not read). */
  readonly unitDiagonal: boolean;
}

/** Solves op(a) x = b with the triangular_solve primitive. */
export function triSolve(
  a: Tensor,
  b: Tensor,
  lower: boolean,
  transpose: boolean,
  unitDiagonal = false,
): Tensor {
  return bind(triangularSolvePrim, [a, b], { lower, transpose, unitDiagonal });
}

/** The part of x that a triangular solve with these params reads (the rest has no derivative). */
function readTriangle(x: Tensor, { lower, unitDiagonal }: TriangularSolveParams): Tensor {
  const k = unitDiagonal ? 1 : 0;
  return lower ? tril(x, -k) : triu(x, k);
}

export const triangularSolvePrim: BuiltinPrimitive<"triangular_solve"> = declarePrimitive({
  name: "triangular_solve",
  paramsJson: paramsCodec<TriangularSolveParams>({
    lower: "bool",
    transpose: "bool",
    unitDiagonal: "bool",
  }),
  batch: leadingAxisBatch(
    () => triangularSolvePrim,
    (params) => params,
  ),
  shape: ([a, b]) => {
    const op = "linalg.triangularSolve";
    checkMatrix(op, "a", a!, true);
    checkMatrix(op, "b", b!, false);
    if (a!.dtype !== b!.dtype) {
      throw new DTypeError(
        `${op}: a and b must have the same dtype; got ${a!.dtype} and ${b!.dtype}`,
      );
    }
    const n = a!.shape[a!.shape.length - 1]!;
    const bs = b!.shape;
    if (bs[bs.length - 2] !== n || !shapesEqual(batchOf(a!.shape), batchOf(bs))) {
      throw new ShapeError(
        `${op}: b must be [...batch, ${n}, k] with a's batch dims; got a ${fmtShape(a!.shape)} and b ${fmtShape(bs)}`,
      );
    }
    return b!;
  },
  impl: ([a, b], { lower, transpose, unitDiagonal }, out) => {
    const data = allocate(out.dtype, shapeSize(out.shape));
    linalgKernels().triangularSolve(
      a!._data!,
      b!._data!,
      b!.shape,
      lower,
      transpose,
      unitDiagonal,
      data,
    );
    return data;
  },
  // op(A) x = b: dx = op(A)^-1 (db - op(dA) x), dA restricted to the triangle that is read
  jvp: ([x], [dx, dy], out, params) => {
    let rhs = dy;
    if (dx !== null) {
      const dA = readTriangle(dx, params);
      const dAx = matmul(params.transpose ? mT(dA) : dA, out);
      rhs = rhs === null ? neg(dAx) : sub(rhs, dAx);
    }
    return triSolve(x!, rhs!, params.lower, params.transpose, params.unitDiagonal);
  },
  // gy = op(A)^-T ct, g op(A) = -gy out^T, so gx = triangle of (-gy out^T) or of (-out gy^T)
  vjp: (ct, [x], out, params, needs) => {
    const gy = triSolve(x!, ct, params.lower, !params.transpose, params.unitDiagonal);
    const gx = needs[0]
      ? readTriangle(neg(params.transpose ? matmul(out, mT(gy)) : matmul(gy, mT(out))), params)
      : null;
    return [gx, needs[1] ? gy : null];
  },
});

// ---- lu ---------------------------------------------------------------------------------------

/** The unit lower factor L of packed LU factors. */
export function luLower(lu: Tensor): Tensor {
  return add(tril(lu, -1), identityLike(lu));
}

/** Solves a x = b from a's packed LU factors and permutation (no singularity check). */
export function luSolveFactored(lu: Tensor, perm: Tensor, b: Tensor): Tensor {
  const y = triSolve(lu, permuteRows(b, perm, false), true, false, true);
  return triSolve(lu, y, false, false, false);
}

/** Solves a x = b (same batch dims) through lu, with IEEE results for singular a. */
export function luSolve(a: Tensor, b: Tensor): Tensor {
  const [lu, perm] = bindMulti(luPrim, [a], undefined);
  return luSolveFactored(lu!, perm!, b);
}

export const luPrim: BuiltinMultiPrimitive<"lu"> = declareMultiPrimitive({
  name: "lu",
  paramsJson: NO_PARAMS,
  batch: ([a]) => bindMulti(luPrim, [a!], undefined),
  multipleResults: true,
  shape: ([a]) => {
    checkMatrix("linalg.lu", "a", a!, true);
    return [a!, { shape: a!.shape.slice(0, -1), dtype: "int32" }];
  },
  impl: ([a], _params, [luAval, permAval]) => {
    const lu = allocate(luAval!.dtype, shapeSize(luAval!.shape));
    const perm = new Int32Array(shapeSize(permAval!.shape));
    linalgKernels().lu(a!._data!, a!.shape, lu, perm);
    return [lu, perm];
  },
  // P A = L U: with X = L^-1 P dA U^-1, dL = L tril(X, -1) and dU = triu(X) U
  jvp: (_primals, [dx], [lu, perm]) => {
    const y = triSolve(lu!, permuteRows(dx!, perm!, false), true, false, true);
    const c = mT(triSolve(lu!, mT(y), false, true));
    const dLU = add(matmul(luLower(lu!), tril(c, -1)), matmul(triu(c), triu(lu!)));
    return [dLU, null];
  },
  // gx = P^T L^-T (tril(L^T ct, -1) + triu(ct U^T)) U^-T
  vjp: ([ct], _primals, [lu, perm]) => {
    if (ct === null) return [null];
    const g = add(tril(matmul(mT(luLower(lu!)), ct!), -1), triu(matmul(ct!, mT(triu(lu!)))));
    const z = triSolve(lu!, g, true, true, true);
    const w = mT(triSolve(lu!, mT(z), false, false));
    return [permuteRows(w, perm!, true)];
  },
});

// ---- det --------------------------------------------------------------------------------------

/**
 * The cofactor matrix adj(A)^T of each matrix, the derivative of det: det(A) A^-T where det(A)
 * != 0; where det(A) == 0, det(U) det(V) U diag(prod_{j != i} s_j) V^T from the SVD, which is
 * the cofactor matrix of any matrix (nonzero exactly for rank n - 1). Singular matrices are
 * replaced by I in the first branch, so it never produces NaN even for higher derivatives.
 */
function cofactor(a: Tensor, det: Tensor): Tensor {
  const dm = expandDims(expandDims(det, -1), -1);
  let mask: Tensor;
  if (det._staged()) {
    // Staged (makeGraph): whether a matrix is singular is known only when the graph runs.
    mask = equal(dm, 0);
  } else {
    const d = det._concrete()._data!;
    let singular = false;
    for (let i = 0; i < d.length; i++) if (d[i] === 0) singular = true;
    if (!singular) return mul(dm, mT(luSolve(a, identityLike(a))));
    mask = Tensor._fromData(
      [...det.shape, 1, 1],
      "bool",
      Uint8Array.from(d, (v) => (v === 0 ? 1 : 0)),
    );
  }
  const safe = where(mask, identityLike(a), a);
  const regular = mul(where(mask, 1, dm), mT(luSolve(safe, identityLike(a))));
  const [u, s, vh] = bindMulti(svdPrim, [a], undefined);
  const k = s!.shape[s!.ndim - 1]!;
  const others = prod(where(bandMask(k, k, 0, 0), 1, expandDims(s!, -2)), { axis: -1 });
  const gauge = sign(mul(bind(detPrim, [u!], undefined), bind(detPrim, [vh!], undefined)));
  const fromSvd = mul(
    expandDims(expandDims(gauge, -1), -1),
    matmul(mul(u!, expandDims(others, -2)), vh!),
  );
  return where(mask, fromSvd, regular);
}

export const detPrim: BuiltinPrimitive<"det"> = declarePrimitive({
  name: "det",
  paramsJson: NO_PARAMS,
  // Leading axes are batch axes already: the batch axis is one more.
  batch: ([a]) => bind(detPrim, [a!], undefined),
  shape: ([a]) => {
    checkMatrix("linalg.det", "a", a!, true);
    return { shape: a!.shape.slice(0, -2), dtype: a!.dtype };
  },
  impl: ([a], _params, out) => {
    const n = a!.shape[a!.shape.length - 1]!;
    const lu = new Float64Array(a!.size);
    const perm = new Int32Array(shapeSize(out.shape) * n);
    linalgKernels().lu(a!._data!, a!.shape, lu, perm);
    const signs = permutationSigns(Tensor._fromData([...out.shape, n], "int32", perm), "float64");
    const data = allocate(out.dtype, shapeSize(out.shape));
    const sg = signs._data!;
    for (let t = 0; t < data.length; t++) {
      let p = sg[t]!;
      for (let i = 0; i < n; i++) p *= lu[t * n * n + i * (n + 1)]!;
      data[t] = p === 0 ? 0 : p; // +0 for singular matrices, whatever the sign of the pivots
    }
    return data;
  },
  // d det(A) = <cof(A), dA>, cof(A) = adj(A)^T (= det(A) A^-T when A is invertible)
  jvp: ([x], [dx], out) => sum(mul(cofactor(x!, out), dx!), { axis: [-2, -1] }),
  // gx = ct cof(A)
  vjp: (ct, [x], out) => [mul(expandDims(expandDims(ct, -1), -1), cofactor(x!, out))],
});

// ---- cholesky ---------------------------------------------------------------------------------

/** Phi(X): the lower triangle of X with its diagonal halved. */
function phi(x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1]!;
  return where(bandMask(n, n, 0, 0), mul(x, 0.5), tril(x, -1));
}

export const choleskyPrim: BuiltinPrimitive<"cholesky"> = declarePrimitive({
  name: "cholesky",
  paramsJson: NO_PARAMS,
  // Leading axes are batch axes already: the batch axis is one more.
  batch: ([a]) => bind(choleskyPrim, [a!], undefined),
  shape: ([a]) => {
    checkMatrix("linalg.cholesky", "a", a!, true);
    return a!;
  },
  impl: ([a], _params, out) => {
    const data = allocate(out.dtype, shapeSize(out.shape));
    const failed = linalgKernels().cholesky(a!._data!, a!.shape, data);
    if (failed >= 0) {
      throw new ValueError(
        `linalg.cholesky: a must be symmetric positive definite; got a matrix that is not${batchPosition(batchOf(a!.shape), failed)}`,
      );
    }
    return data;
  },
  // A = L L^T: dL = L Phi(L^-1 sym(dA) L^-T)
  jvp: (_primals, [dx], out) => {
    const y = triSolve(out, sym(dx!), true, false);
    const c = mT(triSolve(out, mT(y), true, false));
    return matmul(out, phi(c));
  },
  // gx = sym(L^-T Phi(L^T ct) L^-1)
  vjp: (ct, _primals, out) => {
    const y = triSolve(out, phi(matmul(mT(out), ct)), true, true);
    const z = mT(triSolve(out, mT(y), true, true));
    return [sym(z)];
  },
});

// ---- qr ---------------------------------------------------------------------------------------

/** x R^-1 for upper triangular R. */
function rightSolveUpper(x: Tensor, r: Tensor): Tensor {
  return mT(triSolve(r, mT(x), false, true));
}

/** x R^-T for upper triangular R. */
function rightSolveUpperT(x: Tensor, r: Tensor): Tensor {
  return mT(triSolve(r, mT(x), false, false));
}

/** The JVP of A = Q R for m >= n (R square and invertible): [dQ, dR]. */
function qrJvpTall(q: Tensor, r: Tensor, dA: Tensor): [Tensor, Tensor] {
  const dARinv = rightSolveUpper(dA, r);
  const c = matmul(mT(q), dARinv);
  const low = tril(c, -1);
  const omega = sub(low, mT(low));
  const dQ = add(dARinv, matmul(q, sub(omega, c)));
  const dR = matmul(sub(c, omega), r);
  return [dQ, dR];
}

/**
 * The VJP of A = Q R for m >= n: gA = (gQ + Q mirror(M)) R^-T with M = gR R^T - Q^T gQ and
 * mirror(M) the upper triangle of M copied below the diagonal (a symmetric matrix).
 */
function qrVjpTall(q: Tensor, r: Tensor, gQ: Tensor | null, gR: Tensor | null): Tensor {
  const fromR = gR === null ? null : matmul(gR, mT(r));
  const fromQ = gQ === null ? null : neg(matmul(mT(q), gQ));
  const m = addOpt(fromR, fromQ)!;
  const copied = add(triu(m), tril(mT(m), -1));
  const inner = gQ === null ? matmul(q, copied) : add(gQ, matmul(q, copied));
  return rightSolveUpperT(inner, r);
}

export const qrPrim: BuiltinMultiPrimitive<"qr"> = declareMultiPrimitive({
  name: "qr",
  paramsJson: NO_PARAMS,
  batch: ([a]) => bindMulti(qrPrim, [a!], undefined),
  multipleResults: true,
  shape: ([a]) => {
    checkMatrix("linalg.qr", "a", a!, false);
    const s = a!.shape;
    const m = s[s.length - 2]!;
    const n = s[s.length - 1]!;
    const k = Math.min(m, n);
    return [
      { shape: [...batchOf(s), m, k], dtype: a!.dtype },
      { shape: [...batchOf(s), k, n], dtype: a!.dtype },
    ];
  },
  impl: ([a], _params, [qAval, rAval]) => {
    const q = allocate(qAval!.dtype, shapeSize(qAval!.shape));
    const r = allocate(rAval!.dtype, shapeSize(rAval!.shape));
    linalgKernels().qr(a!._data!, a!.shape, q, r);
    return [q, r];
  },
  // m >= n: C = Q^T dA R^-1, Omega = tril(C, -1) - tril(C, -1)^T, dQ = dA R^-1 + Q (Omega - C),
  // dR = (C - Omega) R; m < n: A = [X | Y], the same for X = Q R_X and dR_Y = dQ^T Y + Q^T dY
  jvp: ([x], [dx], [q, r]) => {
    const m = q!.shape[q!.ndim - 2]!;
    const n = r!.shape[r!.ndim - 1]!;
    if (m >= n) return qrJvpTall(q!, r!, dx!);
    const [dQ, dRX] = qrJvpTall(q!, columns(r!, 0, m), columns(dx!, 0, m));
    const dRY = add(matmul(mT(dQ), columns(x!, m, n - m)), matmul(mT(q!), columns(dx!, m, n - m)));
    return [dQ, concat([dRX, dRY], -1)];
  },
  // m >= n: gx = (gQ + Q mirror(M)) R^-T, M = gR R^T - Q^T gQ, mirror: upper triangle to both;
  // m < n: gY = Q gR_Y, and gX from the square rule with gQ + Y gR_Y^T
  vjp: ([gq, gr], [x], [q, r]) => {
    const m = q!.shape[q!.ndim - 2]!;
    const n = r!.shape[r!.ndim - 1]!;
    if (m >= n) return [qrVjpTall(q!, r!, gq ?? null, gr ?? null)];
    const gRY = gr === null ? null : columns(gr!, m, n - m);
    const gQ = addOpt(gq ?? null, gRY === null ? null : matmul(columns(x!, m, n - m), mT(gRY)));
    const gRX = gr === null ? null : columns(gr!, 0, m);
    const gX = qrVjpTall(q!, columns(r!, 0, m), gQ, gRX);
    const gY = gRY === null ? zerosLike(columns(x!, m, n - m)) : matmul(q!, gRY);
    return [concat([gX, gY], -1)];
  },
});

// ---- eigh -------------------------------------------------------------------------------------

export const eighPrim: BuiltinMultiPrimitive<"eigh"> = declareMultiPrimitive({
  name: "eigh",
  paramsJson: NO_PARAMS,
  batch: ([a]) => bindMulti(eighPrim, [a!], undefined),
  multipleResults: true,
  shape: ([a]) => {
    checkMatrix("linalg.eigh", "a", a!, true);
    return [{ shape: a!.shape.slice(0, -1), dtype: a!.dtype }, a!];
  },
  impl: ([a], _params, [wAval, vAval]) => {
    const w = allocate(wAval!.dtype, shapeSize(wAval!.shape));
    const v = allocate(vAval!.dtype, shapeSize(vAval!.shape));
    linalgKernels().eigh(a!._data!, a!.shape, w, v);
    return [w, v];
  },
  // X = V^T sym(dA) V: dw = diag(X), dV = V (F o X), F_ij = 1/(w_j - w_i) (0 for equal w)
  jvp: (_primals, [dx], [w, v]) => {
    const x = matmul(mT(v!), matmul(sym(dx!), v!));
    return [diagonal(x), matmul(v!, mul(gapReciprocals(w!, false), x))];
  },
  // gx = sym(V (diag(gw) + F o (V^T gV)) V^T)
  vjp: ([gw, gv], _primals, [w, v]) => {
    const fromW = gw === null ? null : diagEmbed(gw!);
    const fromV = gv === null ? null : mul(gapReciprocals(w!, false), matmul(mT(v!), gv!));
    const inner = addOpt(fromW, fromV)!;
    return [sym(matmul(v!, matmul(inner, mT(v!))))];
  },
});

// ---- svd --------------------------------------------------------------------------------------

export const svdPrim: BuiltinMultiPrimitive<"svd"> = declareMultiPrimitive({
  name: "svd",
  paramsJson: NO_PARAMS,
  batch: ([a]) => bindMulti(svdPrim, [a!], undefined),
  multipleResults: true,
  shape: ([a]) => {
    checkMatrix("linalg.svd", "a", a!, false);
    const s = a!.shape;
    const m = s[s.length - 2]!;
    const n = s[s.length - 1]!;
    const k = Math.min(m, n);
    const b = batchOf(s);
    return [
      { shape: [...b, m, k], dtype: a!.dtype },
      { shape: [...b, k], dtype: a!.dtype },
      { shape: [...b, k, n], dtype: a!.dtype },
    ];
  },
  impl: ([a], _params, [uAval, sAval, vhAval]) => {
    const u = allocate(uAval!.dtype, shapeSize(uAval!.shape));
    const s = allocate(sAval!.dtype, shapeSize(sAval!.shape));
    const vh = allocate(vhAval!.dtype, shapeSize(vhAval!.shape));
    linalgKernels().svd(a!._data!, a!.shape, u, s, vh);
    return [u, s, vh];
  },
  // dP = U^T dA V, F_ij = 1/(s_j^2 - s_i^2): ds = diag(dP), dU = U (F o (dP S + S dP^T))
  // [+ (I - U U^T) dA V S^-1 if m > n], dV = V (F o (S dP + dP^T S)) [+ (I - V V^T) dA^T U S^-1
  // if m < n], dVh = dV^T
  jvp: (_primals, [dx], [u, s, vh]) => {
    const m = u!.shape[u!.ndim - 2]!;
    const n = vh!.shape[vh!.ndim - 1]!;
    const v = mT(vh!);
    const dAV = matmul(dx!, v);
    const dP = matmul(mT(u!), dAV);
    const f = gapReciprocals(s!, true);
    const sRow = expandDims(s!, -2);
    const sCol = expandDims(s!, -1);
    const dPS = mul(dP, sRow);
    const sdP = mul(sCol, dP);
    let dU = matmul(u!, mul(f, add(dPS, mT(dPS))));
    let dV = matmul(v, mul(f, add(sdP, mT(sdP))));
    if (m > n) {
      const sInv = expandDims(safeReciprocal(s!), -2);
      dU = add(dU, mul(sub(dAV, matmul(u!, dP)), sInv));
    }
    if (n > m) {
      const sInv = expandDims(safeReciprocal(s!), -2);
      dV = add(dV, mul(sub(matmul(mT(dx!), u!), matmul(v, mT(dP))), sInv));
    }
    return [dU, diagonal(dP), mT(dV)];
  },
  // gx = U (diag(gS) + (J + J^T) S + S (K + K^T)) Vh with J = F o (U^T gU), K = F o (V^T gV),
  // + (I - U U^T) gU S^-1 Vh if m > n, + U S^-1 gVh (I - V Vh) if m < n
  vjp: ([gu, gs, gvh], _primals, [u, s, vh]) => {
    const m = u!.shape[u!.ndim - 2]!;
    const n = vh!.shape[vh!.ndim - 1]!;
    const f = gapReciprocals(s!, true);
    const sRow = expandDims(s!, -2);
    const sCol = expandDims(s!, -1);
    let inner = gs === null ? null : diagEmbed(gs!);
    if (gu !== null) {
      const j = mul(f, matmul(mT(u!), gu!));
      inner = addOpt(inner, mul(add(j, mT(j)), sRow));
    }
    if (gvh !== null) {
      const k = mul(f, matmul(vh!, mT(gvh!)));
      inner = addOpt(inner, mul(sCol, add(k, mT(k))));
    }
    let gx = matmul(matmul(u!, inner!), vh!);
    if (m > n && gu !== null) {
      const sInv = expandDims(safeReciprocal(s!), -2);
      const perp = sub(gu!, matmul(u!, matmul(mT(u!), gu!)));
      gx = add(gx, matmul(mul(perp, sInv), vh!));
    }
    if (n > m && gvh !== null) {
      const sInv = expandDims(safeReciprocal(s!), -2);
      const perp = sub(gvh!, matmul(matmul(gvh!, mT(vh!)), vh!));
      gx = add(gx, matmul(mul(u!, sInv), perp));
    }
    return [gx];
  },
});
