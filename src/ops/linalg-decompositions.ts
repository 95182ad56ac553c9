/**
 * @file `ad.linalg`: inv, solve, det, slogdet, cholesky, triangularSolve, qr, eigh, svd and lu,
 * batched over leading dimensions, float32 and float64 (integer and bool inputs are computed in
 * the default float dtype), all differentiable in both modes and to higher orders.
 *
 * solve and inv are composites over the lu and triangular_solve primitives (one factorisation,
 * two triangular solves); slogdet reads the LU factors. Exactly singular input (a zero pivot) makes
 * solve, inv and triangularSolve throw a ValueError, like NumPy's LinAlgError; det returns 0 and
 * slogdet [0, -Infinity]; cholesky of a matrix that is not positive definite throws
 * (docs/decisions/0004-singular-matrices.md).
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { getDefaultFloat, isFloat, promoteTypes } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { broadcastShapes, shapesEqual } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { bind, bindMulti } from "../core/trace.js";
import {
  batchPosition,
  checkMatrix,
  choleskyPrim,
  detPrim,
  diagonal,
  eighPrim,
  identityLike,
  luLower,
  luPrim,
  luSolveFactored,
  permutationSigns,
  qrPrim,
  svdPrim,
  triangularSolvePrim,
  triu,
} from "../primitives/linalg.js";
import { abs, add, astype, equal, log, mul, sign } from "./elementwise.js";
import { matmul } from "./linalg.js";
import {
  cond,
  cross as crossOf3Vectors,
  diagonal as diagonalOfMatrices,
  eigvalsh,
  expm,
  lstsq,
  matrixNorm,
  matrixPower,
  matrixRank,
  matrixTranspose,
  multiDot,
  norm,
  outer as outerOfVectors,
  pinv,
  svdvals,
  trace as traceOfMatrices,
  vectorNorm,
} from "./linalg-more.js";
import { tensordot, vecdot } from "./products.js";
import { toFloatTensor } from "./promote.js";
import { prod, sum } from "./reduce.js";
import { broadcastTo, expandDims, reshape } from "./shape.js";

/** A float matrix (or batch of them) argument, checked: at least 2-d, square when asked. */
function matrixArg(op: string, arg: string, x: TensorLike, square: boolean): Tensor {
  const t = toFloatTensor(x);
  checkMatrix(op, arg, t, square);
  return t;
}

/**
 * The right-hand side of a solve against a ([...batch, n, n]), NumPy's rules: a 1-d b ([n]) is
 * one vector; otherwise b is a stack of [n, k] matrices. Where that reading does not fit and b
 * has one dim less than a with n entries in its last one, b is a batch of vectors ([..., n],
 * NumPy 1's rule). Returns a and b at a common float dtype, broadcast to one batch shape, b as
 * [...batch, n, k], and the shape of the result.
 */
function solveOperands(
  op: string,
  a: TensorLike,
  b: TensorLike,
): { a: Tensor; b: Tensor; outShape: number[] } {
  let at = matrixArg(op, "a", a, true);
  let bt = toTensor(b);
  const dtype = promoteTypes(at.dtype, bt.dtype);
  const common = isFloat(dtype) ? dtype : getDefaultFloat();
  if (at.dtype !== common) at = astype(at, common);
  if (bt.dtype !== common) bt = astype(bt, common);
  const n = at.shape[at.ndim - 1]!;
  const aBatch = at.shape.slice(0, -2);
  let vector = false;
  if (bt.ndim === 1) {
    vector = true;
  } else if (bt.ndim >= 2 && bt.shape[bt.ndim - 2] !== n && bt.ndim === at.ndim - 1) {
    vector = bt.shape[bt.ndim - 1] === n;
  }
  if (bt.ndim === 0 || (vector && bt.shape[bt.ndim - 1] !== n)) {
    throw new ShapeError(
      `${op}: b must be a vector of ${n} entries or [..., ${n}, k] matrices for a of shape ${fmtShape(at.shape)}; got shape ${fmtShape(bt.shape)}`,
    );
  }
  if (vector) bt = expandDims(bt, -1);
  if (bt.shape[bt.ndim - 2] !== n) {
    throw new ShapeError(
      `${op}: b must have ${n} rows ([..., ${n}, k]) or be a vector of ${n} entries for a of shape ${fmtShape(at.shape)}; got shape ${fmtShape(bt.shape)}`,
    );
  }
  const k = bt.shape[bt.ndim - 1]!;
  const batch = broadcastShapes(op, aBatch, bt.shape.slice(0, -2));
  if (!shapesEqual(aBatch, batch)) at = broadcastTo(at, [...batch, n, n]);
  if (!shapesEqual(bt.shape.slice(0, -2), batch)) bt = broadcastTo(bt, [...batch, n, k]);
  return { a: at, b: bt, outShape: vector ? [...batch, n] : [...batch, n, k] };
}

/** Throws when a diagonal entry of the [..., n, n] factor is exactly 0 (a singular matrix). */
function checkNonsingular(op: string, what: string, factor: Tensor): void {
  // A staged factor (makeGraph) has no values yet: a singular matrix then gives Inf/NaN, as JAX.
  if (factor._staged()) return;
  const data = factor._concrete()._data!;
  const n = factor.shape[factor.ndim - 1]!;
  const batch = factor.shape.slice(0, -2);
  for (let t = 0; n > 0 && t < data.length / (n * n); t++) {
    for (let i = 0; i < n; i++) {
      if (data[t * n * n + i * (n + 1)] === 0) {
        throw new ValueError(
          `${op}: singular matrix: a is not invertible (${what} has a 0 at diagonal entry ${i})${batchPosition(batch, t)}`,
        );
      }
    }
  }
}

/** Solves a x = b for a and b prepared by solveOperands, throwing on a singular a. */
function luSolveChecked(op: string, a: Tensor, b: Tensor): Tensor {
  const [lu, perm] = bindMulti(luPrim, [a], undefined);
  checkNonsingular(op, "U of its LU factorisation", lu!);
  return luSolveFactored(lu!, perm!, b);
}

/**
 * Solves a x = b (NumPy's `linalg.solve`) by LU with partial pivoting. a is [..., n, n]; b is a
 * vector [n] or a stack of matrices [..., n, k] (batch dims broadcast); a batch of vectors
 * [..., n] with one dim less than a is accepted where the matrix reading does not fit.
 * Throws a ValueError naming "singular matrix" when a has a zero pivot.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.solve(ad.tensor([[2, 0], [0, 4]]), ad.tensor([2, 2])); // => tensor([1., 0.5], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function solve(a: TensorLike, b: TensorLike): Tensor {
  const op = solveOperands("linalg.solve", a, b);
  return reshape(luSolveChecked("linalg.solve", op.a, op.b), op.outShape);
}

/**
 * The inverse of each matrix of a ([..., n, n]): solve(a, I). Throws a ValueError naming
 * "singular matrix" when a has a zero pivot. d inv(A) = -inv(A) dA inv(A).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.inv(ad.tensor([[2, 0], [0, 4]])); // => tensor([[0.5, 0.], [0., 0.25]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function inv(a: TensorLike): Tensor {
  const at = matrixArg("linalg.inv", "a", a, true);
  return luSolveChecked("linalg.inv", at, identityLike(at));
}

/**
 * The determinant of each matrix of a ([..., n, n] -> [...]), from LU with partial pivoting.
 * A singular matrix gives 0; its gradient is still the cofactor matrix adj(a)^T.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.det(ad.tensor([[1, 2], [3, 4]])); // => tensor(-2., dtype=float32)
 * ```
 * @category Linear algebra
 */
export function det(a: TensorLike): Tensor {
  return bind(detPrim, [matrixArg("linalg.det", "a", a, true)], undefined);
}

/**
 * [sign, logAbsDet] of the determinant of each matrix of a ([..., n, n]), so that
 * det = sign * exp(logAbsDet) without overflow. A singular matrix gives [0, -Infinity].
 * d logAbsDet = tr(a^-1 da).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [sign, logAbsDet] = ad.linalg.slogdet(ad.tensor([[-2, 0], [0, 3]], { dtype: "float64" }));
 * sign; // => tensor(-1., dtype=float64)
 * logAbsDet; // => tensor(1.791759, dtype=float64)
 * ```
 * @category Linear algebra
 */
export function slogdet(a: TensorLike): [Tensor, Tensor] {
  const at = matrixArg("linalg.slogdet", "a", a, true);
  const [lu, perm] = bindMulti(luPrim, [at], undefined);
  const d = diagonal(lu!);
  const s = mul(permutationSigns(perm!, at.dtype), prod(sign(d), { axis: -1 }));
  // + 0 turns the -0 of a singular matrix with an odd permutation into 0.
  return [add(s, 0), sum(log(abs(d)), { axis: -1 })];
}

/**
 * The lower Cholesky factor L of each matrix of a ([..., n, n]): a = L L^T with a positive
 * diagonal. Only the symmetric part (a + a^T) / 2 is used (so derivatives are symmetric).
 * Throws a ValueError when a matrix is not positive definite.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.cholesky(ad.tensor([[4, 2], [2, 2]])); // => tensor([[2., 0.], [1., 1.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function cholesky(a: TensorLike): Tensor {
  return bind(choleskyPrim, [matrixArg("linalg.cholesky", "a", a, true)], undefined);
}

/**
 * Options of triangularSolve.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const u = ad.tensor([[2, 1], [0, 4]], { dtype: "float64" });
 * ad.linalg.triangularSolve(u, ad.tensor([3, 4]), { lower: false }); // => tensor([1., 1.], dtype=float64)
 * ```
 * @category Linear algebra
 */
export interface TriangularSolveOptions {
  /** a is lower triangular (default true); otherwise upper. The other triangle is not read. */
  lower?: boolean;
  /** Solve a^T x = b instead (default false). */
  transpose?: boolean;
  /** Take a's diagonal as ones without reading it (default false). */
  unitDiagonal?: boolean;
}

function boolOption(op: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") {
    throw new ValueError(`${op}: option ${name} must be a boolean; got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Solves a x = b (or a^T x = b with `transpose`) for triangular a ([..., n, n]) by substitution;
 * b follows solve's rules. Throws a ValueError naming "singular matrix" when a has a 0 on its
 * diagonal (unless `unitDiagonal`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.triangularSolve(ad.tensor([[2, 0], [1, 1]]), ad.tensor([2, 3])); // => tensor([1., 2.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function triangularSolve(
  a: TensorLike,
  b: TensorLike,
  options: TriangularSolveOptions = {},
): Tensor {
  const name = "linalg.triangularSolve";
  options = checkOptions(name, options, ["lower", "transpose", "unitDiagonal"]);
  const lower = boolOption(name, "lower", options.lower, true);
  const transpose = boolOption(name, "transpose", options.transpose, false);
  const unitDiagonal = boolOption(name, "unitDiagonal", options.unitDiagonal, false);
  const op = solveOperands(name, a, b);
  if (!unitDiagonal) checkNonsingular(name, "a", op.a);
  const x = bind(triangularSolvePrim, [op.a, op.b], { lower, transpose, unitDiagonal });
  return reshape(x, op.outShape);
}

/**
 * The reduced QR decomposition of each matrix of a ([..., m, n]), k = min(m, n): Q [..., m, k]
 * with orthonormal columns and R [..., k, n] upper triangular with a non-negative diagonal
 * (unique for full-rank a), by Householder reflections. Derivatives need a full-rank a.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [q, r] = ad.linalg.qr(ad.tensor([[3, 1], [4, 2]], { dtype: "float64" }));
 * r; // => tensor([[5., 2.2], [0., 0.4]], dtype=float64)
 * ad.matmul(q, r); // => tensor([[3, 1], [4, 2]], dtype=float64)
 * ```
 * @category Linear algebra
 */
export function qr(a: TensorLike): [Tensor, Tensor] {
  const [q, r] = bindMulti(qrPrim, [matrixArg("linalg.qr", "a", a, false)], undefined);
  return [q!, r!];
}

/**
 * The eigendecomposition of each symmetric matrix of a ([..., n, n]): eigenvalues w ([..., n])
 * ascending and orthonormal eigenvectors as the columns of V, a = V diag(w) V^T. Only the
 * symmetric part (a + a^T) / 2 is used. Each eigenvector's sign makes its largest-magnitude entry
 * positive. Derivatives of V need distinct eigenvalues; functions of w alone (and other
 * gauge-invariant functions) have correct derivatives at repeated eigenvalues too.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [w, v] = ad.linalg.eigh(ad.tensor([[2, 1], [1, 2]], { dtype: "float64" }));
 * w; // => tensor([1., 3.], dtype=float64)
 * v; // => tensor([[0.7071068, 0.7071068], [-0.7071068, 0.7071068]], dtype=float64)
 * ```
 * @category Linear algebra
 */
export function eigh(a: TensorLike): [Tensor, Tensor] {
  const [w, v] = bindMulti(eighPrim, [matrixArg("linalg.eigh", "a", a, true)], undefined);
  return [w!, v!];
}

/**
 * The reduced singular value decomposition of each matrix of a ([..., m, n]), k = min(m, n):
 * a = U diag(S) Vh with U [..., m, k], S [..., k] descending and non-negative, Vh [..., k, n],
 * by one-sided Jacobi (accurate also for small singular values). Each pair's sign makes the
 * largest-magnitude entry of U's column positive. Derivatives of U and Vh need distinct nonzero
 * singular values; functions of S alone are fine at repeated ones.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [u, s, vh] = ad.linalg.svd(ad.tensor([[3, 0], [0, -4]], { dtype: "float64" }));
 * s; // => tensor([4., 3.], dtype=float64)
 * ad.matmul(ad.mul(u, s), vh); // => tensor([[3., 0.], [0., -4.]], dtype=float64)
 * ```
 * @category Linear algebra
 */
export function svd(a: TensorLike): [Tensor, Tensor, Tensor] {
  const [u, s, vh] = bindMulti(svdPrim, [matrixArg("linalg.svd", "a", a, false)], undefined);
  return [u!, s!, vh!];
}

/**
 * The LU decomposition with partial pivoting of each matrix of a ([..., n, n]) as [P, L, U]
 * with a = P L U (jax.scipy.linalg.lu): P a permutation matrix, L unit lower triangular, U upper
 * triangular. Differentiable where a is invertible (P is constant).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [p, l, u] = ad.linalg.lu(ad.tensor([[1, 2], [3, 4]], { dtype: "float64" }));
 * p; // => tensor([[0., 1.], [1., 0.]], dtype=float64)
 * l; // => tensor([[1., 0.], [0.3333333, 1.]], dtype=float64)
 * u; // => tensor([[3., 4.], [0., 0.6666667]], dtype=float64)
 * ```
 * @category Linear algebra
 */
export function lu(a: TensorLike): [Tensor, Tensor, Tensor] {
  const at = matrixArg("linalg.lu", "a", a, true);
  const [packed, perm] = bindMulti(luPrim, [at], undefined);
  const n = at.shape[at.ndim - 1]!;
  // P[perm[i], i] = 1: row i of L U is row perm[i] of a.
  const cols = reshape(toTensor(Int32Array.from({ length: n }, (_, i) => i)), [n, 1]);
  const p = astype(equal(cols, expandDims(perm!, -2)), at.dtype);
  return [p, luLower(packed!), triu(packed!)];
}

/**
 * The linear-algebra namespace, `ad.linalg`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.det(ad.eye(3)); // => tensor(1., dtype=float32)
 * ```
 * @category Linear algebra
 * @namespace
 */
export const linalg = {
  inv,
  solve,
  det,
  slogdet,
  cholesky,
  triangularSolve,
  qr,
  eigh,
  svd,
  lu,
  norm,
  vectorNorm,
  matrixNorm,
  svdvals,
  eigvalsh,
  matrixTranspose,
  matrixPower,
  multiDot,
  pinv,
  lstsq,
  matrixRank,
  cond,
  expm,
  trace: traceOfMatrices,
  diagonal: diagonalOfMatrices,
  cross: crossOf3Vectors,
  outer: outerOfVectors,
  tensordot,
  vecdot,
  matmul,
};
