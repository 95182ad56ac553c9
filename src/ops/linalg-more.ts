/**
 * @file More of `ad.linalg`, with jnp.linalg's semantics: norm (vector and matrix orders),
 * vectorNorm, matrixNorm, svdvals, eigvalsh, matrixPower, multiDot, matrixTranspose, cond,
 * matrixRank, pinv, lstsq and expm; and the array API's linalg forms of trace, diagonal, cross
 * and outer (over the last axes; tensordot, vecdot and matmul are the root ops). All are
 * composites of differentiable ops and the factorisations (svd, eigh, lu), so derivatives of
 * every order come from those rules, except
 * pinv (and lstsq, which goes through it): its derivative is the closed form of Golub and Pereyra,
 * given as a custom JVP, because differentiating through the SVD needs distinct singular values
 * (the SVD's rule drops the terms it cannot form, so at I or diag(2, 2, 1) the gradient of
 * V diag(1/s) U^T comes out wrong, not NaN), while pinv is smooth there.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { getDefaultFloat, isFloat, promoteTypes } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxis, reducedShape } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { checkMatrix, identityLike } from "../primitives/linalg.js";
import { customJvp } from "../transforms/custom.js";
import { eye, zeros } from "./creation.js";
import {
  abs,
  add,
  astype,
  div,
  equal,
  greater,
  greaterEqual,
  isNaN as isNaNOp,
  logicalAnd,
  logicalNot,
  mul,
  neg,
  notEqual,
  pow,
  square,
  sub,
  where,
} from "./elementwise.js";
import { matmul, outer as rootOuter } from "./linalg.js";
import { det, eigh, inv, solve, svd } from "./linalg-decompositions.js";
import { diagonal as rootDiagonal, trace as rootTrace } from "./matrix-structure.js";
import { cross as rootCross } from "./products.js";
import { toFloatTensor } from "./promote.js";
import { max, min, norm as rootNorm, sum } from "./reduce.js";
import { expandDims, reshape, swapAxes, transpose } from "./shape.js";

/** A float matrix (or stack of them), checked: at least 2-d, square when asked. */
function matrixArg(op: string, x: TensorLike, square: boolean, arg = "a"): Tensor {
  const t = toFloatTensor(x);
  checkMatrix(op, arg, t, square);
  return t;
}

/** The machine epsilon of a float dtype. */
function epsOf(dtype: "float32" | "float64"): number {
  return dtype === "float64" ? Number.EPSILON : 2 ** -23;
}

/** "inf" / "-inf" as numbers; everything else unchanged. */
function ordValue(ord: unknown): unknown {
  if (ord === "inf") return Number.POSITIVE_INFINITY;
  if (ord === "-inf") return Number.NEGATIVE_INFINITY;
  return ord;
}

/** s^(1/p) with a derivative of 0 (not infinite) where s = 0 (docs/conventions.md). */
function safeRoot(s: Tensor, p: number): Tensor {
  const zero = equal(s, 0);
  return where(zero, 0, pow(where(zero, 1, s), 1 / p));
}

/** The vector norm of order `ord` over `axes` (normalised, sorted) of the float tensor t. */
function vectorNormOver(
  op: string,
  t: Tensor,
  axes: readonly number[],
  keepdims: boolean,
  ordIn: unknown,
): Tensor {
  const ord = ordValue(ordIn);
  const opts = { axis: axes, keepdims };
  if (typeof ord !== "number" || Number.isNaN(ord)) {
    throw new ValueError(
      `${op}: a vector norm's ord must be a number, "inf" or "-inf"; got ${describeValue(ordIn)}`,
    );
  }
  // The root norm's orders (with its derivative of 0 at x = 0).
  if (ord === 2 || ord === 1) return rootNorm(t, { ...opts, ord });
  if (ord === Number.POSITIVE_INFINITY) return rootNorm(t, { ...opts, ord: "inf" });
  if (ord === Number.NEGATIVE_INFINITY) return min(abs(t), opts);
  // ord 0 counts the nonzero entries (piecewise constant: derivative 0).
  if (ord === 0) return astype(sum(notEqual(t, 0), opts), t.dtype);
  return safeRoot(sum(pow(abs(t), ord), opts), ord);
}

/** The matrix norm of order `ord` over the (row, col) axes of the float tensor t. */
function matrixNormOver(
  op: string,
  t: Tensor,
  row: number,
  col: number,
  keepdims: boolean,
  ordIn: unknown,
): Tensor {
  if (row === col)
    throw new ValueError(`${op}: the two axes of a matrix norm must differ; got ${row} twice`);
  const ord = ordValue(ordIn);
  const both = [Math.min(row, col), Math.max(row, col)];
  const outShape = reducedShape(t.shape, both, keepdims);
  if (ord === "fro") return vectorNormOver(op, t, both, keepdims, 2);
  if (
    ord === 1 ||
    ord === -1 ||
    ord === Number.POSITIVE_INFINITY ||
    ord === Number.NEGATIVE_INFINITY
  ) {
    // 1: the largest column sum of |x|; inf: the largest row sum. Negative: the smallest.
    const [inner, outer] = ord === 1 || ord === -1 ? [row, col] : [col, row];
    const sums = sum(abs(t), { axis: inner, keepdims: true });
    const pick = ord > 0 ? max : min;
    return reshape(pick(sums, { axis: outer, keepdims: true }), outShape);
  }
  if (ord === 2 || ord === -2 || ord === "nuc") {
    const rest = t.shape.map((_, i) => i).filter((i) => i !== row && i !== col);
    const s = svdvals(transpose(t, [...rest, row, col]));
    const r =
      ord === 2 ? max(s, { axis: -1 }) : ord === -2 ? min(s, { axis: -1 }) : sum(s, { axis: -1 });
    return reshape(r, outShape);
  }
  throw new ValueError(
    `${op}: a matrix norm's ord must be "fro", "nuc", 1, -1, 2, -2, "inf" or "-inf" (or ±Infinity); got ${describeValue(ordIn)}`,
  );
}

function boolOpt(op: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean")
    throw new ValueError(`${op}: option ${name} must be a boolean; got ${describeValue(v)}`);
  return v;
}

/** Axes as given (normalised, order kept, checked for repeats); null when absent. */
function axisList(op: string, axis: unknown, ndim: number): number[] | null {
  if (axis === undefined || axis === null) return null;
  if (typeof axis !== "number" && !Array.isArray(axis)) {
    throw new ValueError(
      `${op}: axis must be a number or an array of numbers; got ${describeValue(axis)}`,
    );
  }
  const list = (typeof axis === "number" ? [axis] : axis) as unknown[];
  const out = list.map((a) => normalizeAxis(op, a as number, ndim));
  if (new Set(out).size !== out.length)
    throw new ValueError(`${op}: axis has a repeated axis; got ${describeValue(axis)}`);
  return out;
}

/**
 * Options of linalg.norm (jnp.linalg.norm).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.norm(ad.tensor([[1, 2], [3, 4]]), { ord: 1, axis: 1 }); // => tensor([3., 7.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export interface LinalgNormOptions {
  /**
   * The order. Vector norms (one axis): 2 (default), 1, Infinity or "inf" (max |x|), -Infinity
   * or "-inf" (min |x|), 0 (the number of nonzeros), any other p: sum(|x|^p)^(1/p). Matrix norms
   * (two axes): "fro" (default), "nuc" (sum of singular values), 1 / -1 (largest / smallest
   * column sum of |x|), Infinity / -Infinity (row sums), 2 / -2 (largest / smallest singular value).
   */
  ord?: number | "fro" | "nuc" | "inf" | "-inf";
  /** One axis (a vector norm) or two (a matrix norm). Default: as described at `linalg.norm`. */
  axis?: number | readonly number[] | null;
  /** Keep the reduced axes as size 1 (default false). */
  keepdims?: boolean;
}

/**
 * A vector or matrix norm (jnp.linalg.norm). Without `axis`: with no `ord`, the 2-norm of all
 * the elements (any ndim); with an `ord`, x must be 1-d (a vector norm) or 2-d (a matrix norm).
 * With one axis, a vector norm along it; with two, a matrix norm over them (rows, columns).
 * The derivative of the 2-norm and of "fro" at x = 0 is 0, never NaN (docs/conventions.md);
 * the 2 / -2 / "nuc" orders go through the SVD (derivatives need distinct singular values).
 * @throws {@link ValueError} for an unknown `ord`, a string `ord` on one axis, more than two axes,
 * or an `ord` without `axis` on an x that is not 1-d or 2-d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.norm(ad.tensor([3, -4])); // => tensor(5., dtype=float32)
 * ad.linalg.norm(ad.tensor([3, -4]), { ord: Infinity }); // => tensor(4., dtype=float32)
 * ad.linalg.norm(ad.tensor([[1, 2], [3, 4]]), { ord: 1 }); // => tensor(6., dtype=float32)
 * ad.linalg.norm(ad.tensor([[3, 0], [0, -5]]), { ord: 2 }); // => tensor(5., dtype=float32)
 * ```
 * @category Linear algebra
 */
export function norm(x: TensorLike, options?: LinalgNormOptions): Tensor {
  const op = "linalg.norm";
  const o = checkOptions(op, options, ["ord", "axis", "keepdims"]);
  const t = toFloatTensor(x);
  const keepdims = boolOpt(op, "keepdims", o.keepdims);
  const ord = o.ord ?? null;
  let axes = axisList(op, o.axis, t.ndim);
  if (axes === null) {
    const all = t.shape.map((_, i) => i);
    if (ord === null) return vectorNormOver(op, t, all, keepdims, 2);
    if (t.ndim !== 1 && t.ndim !== 2) {
      throw new ValueError(
        `${op}: with an ord and no axis, x must be 1-d (a vector norm) or 2-d (a matrix norm); got shape ${fmtShape(t.shape)}`,
      );
    }
    axes = all;
  }
  if (axes.length === 1) {
    if (typeof ord === "string" && ord !== "inf" && ord !== "-inf") {
      throw new ValueError(
        `${op}: ord "${ord}" is a matrix norm; one axis takes a vector norm's ord`,
      );
    }
    return vectorNormOver(op, t, axes, keepdims, ord ?? 2);
  }
  if (axes.length === 2) return matrixNormOver(op, t, axes[0]!, axes[1]!, keepdims, ord ?? "fro");
  throw new ValueError(
    `${op}: axis must name one axis (a vector norm) or two (a matrix norm); got ${axes.length}`,
  );
}

/**
 * Options of linalg.vectorNorm.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.vectorNorm(ad.tensor([[3, 4], [6, 8]]), { axis: 1, keepdims: true }); // => tensor([[5.], [10.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export interface VectorNormOptions {
  /** The order (default 2): any number, Infinity / "inf", -Infinity / "-inf"; see {@link LinalgNormOptions}. */
  ord?: number | "inf" | "-inf";
  /** The axis or axes, taken together as one vector (default: all elements). */
  axis?: number | readonly number[] | null;
  /** Keep the reduced axes as size 1 (default false). */
  keepdims?: boolean;
}

/**
 * The vector norm of x over `axis` (jnp.linalg.vector_norm; default: all elements as one vector),
 * of any order. The 2-norm's derivative at 0 is 0 (docs/conventions.md).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.vectorNorm(ad.tensor([[1, 2], [2, 4]])); // => tensor(5., dtype=float32)
 * ad.linalg.vectorNorm(ad.tensor([1, -2, 2]), { ord: 3 }); // => tensor(2.571282, dtype=float32)
 * ad.linalg.vectorNorm(ad.tensor([0, -2, 2]), { ord: 0 }); // => tensor(2., dtype=float32)
 * ```
 * @category Linear algebra
 */
export function vectorNorm(x: TensorLike, options?: VectorNormOptions): Tensor {
  const op = "linalg.vectorNorm";
  const o = checkOptions(op, options, ["ord", "axis", "keepdims"]);
  const t = toFloatTensor(x);
  const axes = axisList(op, o.axis, t.ndim) ?? t.shape.map((_, i) => i);
  return vectorNormOver(
    op,
    t,
    [...axes].sort((a, b) => a - b),
    boolOpt(op, "keepdims", o.keepdims),
    o.ord ?? 2,
  );
}

/**
 * Options of linalg.matrixNorm.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.matrixNorm(ad.tensor([[1, -2], [3, 4]]), { ord: "inf" }); // => tensor(7., dtype=float32)
 * ```
 * @category Linear algebra
 */
export interface MatrixNormOptions {
  /** "fro" (default), "nuc", 1, -1, 2, -2, Infinity / "inf", -Infinity / "-inf"; see {@link LinalgNormOptions}. */
  ord?: number | "fro" | "nuc" | "inf" | "-inf";
  /** Keep the two reduced axes as size 1 (default false). */
  keepdims?: boolean;
}

/**
 * The matrix norm of each matrix of x ([..., m, n] -> [...]; jnp.linalg.matrix_norm).
 * @throws {@link ShapeError} when x has fewer than 2 dims; {@link ValueError} when `ord` is not a
 * matrix norm's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.matrixNorm(ad.tensor([[3, 0], [4, 0]])); // => tensor(5., dtype=float32)
 * ad.linalg.matrixNorm(ad.tensor([[3, 0], [0, 4]]), { ord: "nuc" }); // => tensor(7., dtype=float32)
 * ```
 * @category Linear algebra
 */
export function matrixNorm(x: TensorLike, options?: MatrixNormOptions): Tensor {
  const op = "linalg.matrixNorm";
  const o = checkOptions(op, options, ["ord", "keepdims"]);
  const t = matrixArg(op, x, false, "x");
  return matrixNormOver(
    op,
    t,
    t.ndim - 2,
    t.ndim - 1,
    boolOpt(op, "keepdims", o.keepdims),
    o.ord ?? "fro",
  );
}

/**
 * The singular values of each matrix of x ([..., m, n] -> [..., min(m, n)]), descending
 * (jnp.linalg.svdvals). Differentiable where the singular values are distinct; at repeated ones,
 * functions that do not depend on their order (a sum, a sum of squares) still have correct
 * first derivatives, but second derivatives need distinct values.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.svdvals(ad.tensor([[3, 0], [0, -4]], { dtype: "float64" })); // => tensor([4., 3.], dtype=float64)
 * ```
 * @category Linear algebra
 */
export function svdvals(x: TensorLike): Tensor {
  return svd(matrixArg("linalg.svdvals", x, false, "x"))[1];
}

/**
 * The eigenvalues of each symmetric matrix of a ([..., n, n] -> [..., n]), ascending
 * (jnp.linalg.eigvalsh). Only the symmetric part (a + a^T) / 2 is used. Differentiable where
 * the eigenvalues are distinct; at repeated ones, functions that do not depend on their order
 * still have correct first derivatives, but second derivatives need distinct values.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.eigvalsh(ad.tensor([[2, 1], [1, 2]], { dtype: "float64" })); // => tensor([1., 3.], dtype=float64)
 * ```
 * @category Linear algebra
 */
export function eigvalsh(a: TensorLike): Tensor {
  return eigh(matrixArg("linalg.eigvalsh", a, true))[0];
}

/**
 * The transpose of the last two axes of x (jnp.linalg.matrix_transpose).
 * @throws {@link ValueError} when x has fewer than 2 dims.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.matrixTranspose(ad.zeros([5, 2, 3])).shape; // => [5, 3, 2]
 * ```
 * @category Linear algebra
 */
export function matrixTranspose(x: TensorLike): Tensor {
  const t = toTensor(x);
  if (t.ndim < 2) {
    throw new ValueError(
      `linalg.matrixTranspose: x must be at least 2-d; got shape ${fmtShape(t.shape)}`,
    );
  }
  return swapAxes(t, -1, -2);
}

/**
 * a raised to the integer power n, for each square matrix of a (jnp.linalg.matrix_power), by
 * repeated squaring; n = 0 gives the identity, a negative n the power of inv(a) (which throws on
 * a singular matrix). Integer matrices stay integer for n >= 0.
 * @throws {@link ShapeError} when a is not a (stack of) square matrices; {@link ValueError} when
 * n is not an integer or a matrix is singular (n < 0).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.matrixPower(ad.tensor([[1, 1], [1, 0]], { dtype: "int32" }), 10); // => tensor([[89, 55], [55, 34]], dtype=int32)
 * ad.linalg.matrixPower(ad.tensor([[2, 0], [0, 4]]), -1); // => tensor([[0.5, 0.], [0., 0.25]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function matrixPower(a: TensorLike, n: number): Tensor {
  const op = "linalg.matrixPower";
  let t = toTensor(a);
  // Integer matrices are fine here (products of integers stay exact), so only the shape is checked.
  checkMatrix(op, "a", { shape: t.shape, dtype: "float64" }, true);
  if (typeof n !== "number" || !Number.isSafeInteger(n)) {
    throw new ValueError(`${op}: n must be an integer; got ${describeValue(n)}`);
  }
  if (t.dtype === "bool") t = astype(t, "int32");
  if (n === 0) return identityLike(t);
  if (n < 0) t = inv(t);
  let k = Math.abs(n);
  let result: Tensor | null = null;
  let z: Tensor | null = null;
  while (k > 0) {
    z = z === null ? t : matmul(z, z);
    if (k % 2 === 1) result = result === null ? z : matmul(result, z);
    k = Math.floor(k / 2);
  }
  return result!;
}

/**
 * The product of a chain of matrices (jnp.linalg.multi_dot), multiplied in the order that needs
 * the fewest scalar multiplications (dynamic programming over the chain). The first array may be
 * 1-d (a row vector) and the last 1-d (a column vector); those dims are dropped from the result.
 * @throws {@link ValueError} for fewer than two arrays or an inner array that is not 2-d;
 * {@link ShapeError} when neighbouring dimensions differ.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const a = ad.ones([10, 100]);
 * const b = ad.ones([100, 5]);
 * ad.linalg.multiDot([a, b, ad.ones([5])]).shape; // => [10]
 * ad.linalg.multiDot([ad.tensor([1, 2]), ad.eye(2), ad.tensor([3, 4])]); // => tensor(11., dtype=float32)
 * ```
 * @category Linear algebra
 */
export function multiDot(arrays: readonly TensorLike[]): Tensor {
  const op = "linalg.multiDot";
  if (!Array.isArray(arrays) || arrays.length < 2) {
    throw new ValueError(
      `${op}: arrays must be an array of at least 2 tensors; got ${describeValue(arrays)}`,
    );
  }
  const ts = arrays.map((x) => toTensor(x));
  const last = ts.length - 1;
  const rowVec = ts[0]!.ndim === 1;
  const colVec = ts[last]!.ndim === 1;
  const mats = ts.map((t, i) => {
    if (i === 0 && rowVec) return reshape(t, [1, t.shape[0]!]);
    if (i === last && colVec) return reshape(t, [t.shape[0]!, 1]);
    if (t.ndim !== 2) {
      const what = i === 0 || i === last ? "1-d or 2-d" : "2-d";
      throw new ValueError(`${op}: arrays[${i}] must be ${what}; got shape ${fmtShape(t.shape)}`);
    }
    return t;
  });
  // dims[i] x dims[i + 1] is the shape of mats[i].
  const dims = [mats[0]!.shape[0]!];
  mats.forEach((m, i) => {
    if (m.shape[0] !== dims[i]) {
      throw new ShapeError(
        `${op}: arrays[${i - 1}] and arrays[${i}] do not chain: ${dims[i]} columns vs ${m.shape[0]} rows`,
      );
    }
    dims.push(m.shape[1]!);
  });
  const n = mats.length;
  // cost[i][j]: fewest multiplications for mats[i..j]; split[i][j]: where that product splits.
  const cost = mats.map(() => new Array<number>(n).fill(0));
  const split = mats.map(() => new Array<number>(n).fill(0));
  for (let len = 1; len < n; len++) {
    for (let i = 0; i + len < n; i++) {
      const j = i + len;
      cost[i]![j] = Number.POSITIVE_INFINITY;
      for (let k = i; k < j; k++) {
        const c = cost[i]![k]! + cost[k + 1]![j]! + dims[i]! * dims[k + 1]! * dims[j + 1]!;
        if (c < cost[i]![j]!) {
          cost[i]![j] = c;
          split[i]![j] = k;
        }
      }
    }
  }
  const chain = (i: number, j: number): Tensor =>
    i === j ? mats[i]! : matmul(chain(i, split[i]![j]!), chain(split[i]![j]! + 1, j));
  const out = chain(0, n - 1);
  const shape = [...(rowVec ? [] : [dims[0]!]), ...(colVec ? [] : [dims[n]!])];
  return reshape(out, shape);
}

/**
 * Options of linalg.pinv.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.pinv(ad.tensor([[1, 0], [0, 1e-9]], { dtype: "float64" }), { rtol: 1e-6 }); // => tensor([[1., 0.], [0., 0.]], dtype=float64)
 * ```
 * @category Linear algebra
 */
export interface PinvOptions {
  /**
   * Singular values at or below rtol times the largest are taken as 0 (default
   * 10 * max(m, n) * eps of the dtype). A number, or a tensor broadcasting against the batch.
   */
  rtol?: TensorLike;
  /**
   * a is symmetric (default false): the eigendecomposition replaces the SVD (singular values are
   * |eigenvalues|); only the symmetric part (a + a^T) / 2 is read.
   */
  hermitian?: boolean;
}

/** V diag(1 / w) V^T over the eigenvalues w of symmetric a whose |w| `keep` selects (others give 0). */
function pinvFromEigh(a: Tensor, keep: (s: Tensor) => Tensor): Tensor {
  const [w, v] = eigh(a);
  const k = keep(abs(w));
  const wInv = where(k, div(1, where(k, w, 1)), 0);
  return matmul(mul(v, expandDims(wInv, -2)), swapAxes(v, -1, -2));
}

/** V diag(1 / s) U^T over the singular values s that `keep` selects (others give 0). */
function pinvFromSvd(a: Tensor, keep: (s: Tensor) => Tensor): Tensor {
  const [u, s, vh] = svd(a);
  const k = keep(s);
  const sInv = where(k, div(1, where(k, s, 1)), 0);
  return matmul(mul(swapAxes(vh, -1, -2), expandDims(sInv, -2)), swapAxes(u, -1, -2));
}

/**
 * pinv computed by `value`, with the derivative of Golub and Pereyra (exact where the rank does
 * not change; it never divides by singular-value gaps):
 * dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P.
 * The rule computes P with the function itself, so that outer derivatives go through it again.
 */
function pinvWithRule(value: (a: Tensor) => Tensor): (a: Tensor) => Tensor {
  const f: (a: Tensor) => Tensor = customJvp((a: Tensor) => value(a), {
    jvp: ([a], [da]) => {
      const p = f(a);
      const m = a.shape[a.ndim - 2]!;
      const n = a.shape[a.ndim - 1]!;
      const pT = swapAxes(p, -1, -2);
      const daT = swapAxes(da, -1, -2);
      const imAp = sub(eye(m, m, a.dtype), matmul(a, p));
      const inPa = sub(eye(n, n, a.dtype), matmul(p, a));
      let dp = neg(matmul(matmul(p, da), p));
      dp = add(dp, matmul(matmul(matmul(p, pT), daT), imAp));
      dp = add(dp, matmul(matmul(inPa, daT), matmul(pT, p)));
      return [p, dp];
    },
  });
  return f;
}

/**
 * The Moore-Penrose pseudo-inverse of each matrix of a ([..., m, n] -> [..., n, m];
 * jnp.linalg.pinv), from the SVD: singular values at or below `rtol` times the largest count as
 * zero. Defined at rank-deficient matrices too. Its derivative (a closed form, exact where the
 * rank does not change) stays finite at repeated and zero singular values.
 * @throws {@link ShapeError} when a has fewer than 2 dims; {@link ValueError} for an unknown option.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.pinv(ad.tensor([[1, 2], [2, 4]], { dtype: "float64" })); // => tensor([[0.04, 0.08], [0.08, 0.16]], dtype=float64)
 * ad.linalg.pinv(ad.tensor([[2], [0]])); // => tensor([[0.5, 0.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function pinv(a: TensorLike, options?: PinvOptions): Tensor {
  const op = "linalg.pinv";
  const o = checkOptions(op, options, ["rtol", "hermitian"]);
  const hermitian = boolOpt(op, "hermitian", o.hermitian);
  const t = matrixArg(op, a, hermitian);
  const m = t.shape[t.ndim - 2]!;
  const n = t.shape[t.ndim - 1]!;
  if (m === 0 || n === 0) return zeros([...t.shape.slice(0, -2), n, m], t.dtype);
  const rtol =
    o.rtol === undefined ? 10 * Math.max(m, n) * epsOf(t.dtype as "float32" | "float64") : o.rtol;
  const rt = expandDims(astype(toTensor(rtol), t.dtype), -1);
  const keep = (s: Tensor) => greater(s, mul(rt, max(s, { axis: -1, keepdims: true })));
  return pinvWithRule((x) => (hermitian ? pinvFromEigh(x, keep) : pinvFromSvd(x, keep)))(t);
}

/**
 * Options of linalg.lstsq.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [x] = ad.linalg.lstsq(ad.tensor([[1, 0], [0, 1e-9]], { dtype: "float64" }), ad.tensor([1, 1]), { rcond: 1e-6 });
 * x; // => tensor([1., 0.], dtype=float64)
 * ```
 * @category Linear algebra
 */
export interface LstsqOptions {
  /**
   * Singular values below rcond times the largest count as zero (default: max(m, n) * eps of the
   * dtype; a negative rcond means eps).
   */
  rcond?: number;
}

/**
 * The least-squares solution of a x = b (jnp.linalg.lstsq) for a 2-d a ([m, n]) and b ([m] or
 * [m, k]), by the SVD: returns [x ([n] or [n, k]), residuals (the squared 2-norm of each column of
 * b - a x, [k], or [1] for a 1-d b; always computed, as JAX does), rank (int32), singular values
 * of a]. Rank-deficient a gives the minimum-norm solution; a zero matrix gives x = 0. x is
 * differentiable in a and b (through pinv's closed form, exact where the rank does not change).
 * @throws {@link ValueError} when a is not 2-d or b not 1-d or 2-d; {@link ShapeError} when their
 * first dims differ.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const a = ad.tensor([[1, 0], [1, 1], [1, 2]], { dtype: "float64" });
 * const [x, residuals, rank, s] = ad.linalg.lstsq(a, ad.tensor([1, 2, 2]));
 * x; // => tensor([1.166667, 0.5], dtype=float64)
 * residuals; // => tensor([0.1666667], dtype=float64)
 * rank; // => tensor(2, dtype=int32)
 * ```
 * @category Linear algebra
 */
export function lstsq(
  a: TensorLike,
  b: TensorLike,
  options?: LstsqOptions,
): [Tensor, Tensor, Tensor, Tensor] {
  const op = "linalg.lstsq";
  const o = checkOptions(op, options, ["rcond"]);
  let at = toTensor(a);
  let bt = toTensor(b);
  const common = promoteTypes(at.dtype, bt.dtype);
  const dtype = isFloat(common) ? common : getDefaultFloat();
  if (at.dtype !== dtype) at = astype(at, dtype);
  if (bt.dtype !== dtype) bt = astype(bt, dtype);
  if (at.ndim !== 2) throw new ValueError(`${op}: a must be 2-d; got shape ${fmtShape(at.shape)}`);
  if (bt.ndim !== 1 && bt.ndim !== 2) {
    throw new ValueError(`${op}: b must be 1-d or 2-d; got shape ${fmtShape(bt.shape)}`);
  }
  const [m, n] = at.shape as [number, number];
  if (bt.shape[0] !== m) {
    throw new ShapeError(
      `${op}: a and b must have the same number of rows; got a ${fmtShape(at.shape)} and b ${fmtShape(bt.shape)}`,
    );
  }
  let rcond = o.rcond ?? Math.max(m, n) * epsOf(dtype);
  if (typeof rcond !== "number" || Number.isNaN(rcond)) {
    throw new ValueError(`${op}: rcond must be a number; got ${describeValue(rcond)}`);
  }
  if (rcond < 0) rcond = epsOf(dtype);
  const b2 = bt.ndim === 1 ? expandDims(bt, -1) : bt;
  const k = b2.shape[1]!;
  if (m === 0 || n === 0) {
    const x = zeros(bt.ndim === 1 ? [n] : [n, k], dtype);
    return [x, sum(square(b2), { axis: 0 }), zeros([], "int32"), zeros([0], dtype)];
  }
  // Zero singular values never count (a zero matrix gives x = 0, as NumPy; not NaN).
  const keep = (s: Tensor) =>
    logicalAnd(greater(s, 0), greaterEqual(s, mul(max(s, { axis: -1, keepdims: true }), rcond)));
  const x = matmul(pinvWithRule((y) => pinvFromSvd(y, keep))(at), b2);
  const residuals = sum(square(sub(b2, matmul(at, x))), { axis: 0 });
  const s = svdvals(at);
  const rank = sum(keep(s));
  return [bt.ndim === 1 ? reshape(x, [n]) : x, residuals, rank, s];
}

/**
 * Options of linalg.matrixRank.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.matrixRank(ad.tensor([[1, 0], [0, 1e-4]]), { rtol: 1e-3 }); // => tensor(1, dtype=int32)
 * ```
 * @category Linear algebra
 */
export interface MatrixRankOptions {
  /**
   * Singular values at or below rtol times the largest count as zero (default max(m, n) * eps of
   * the dtype). A number, or a tensor broadcasting against the batch.
   */
  rtol?: TensorLike;
  /** m is symmetric (default false): singular values are taken as |eigenvalues| (eigh). */
  hermitian?: boolean;
}

/**
 * The rank of each matrix of m ([..., r, c] -> [...], int32; jnp.linalg.matrix_rank): the number
 * of singular values above `rtol` times the largest. A 0-d or 1-d m gives 1 if any entry is
 * nonzero, else 0. Not differentiable (an integer).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.matrixRank(ad.tensor([[1, 2], [2, 4]])); // => tensor(1, dtype=int32)
 * ad.linalg.matrixRank(ad.eye(3)); // => tensor(3, dtype=int32)
 * ```
 * @category Linear algebra
 */
export function matrixRank(m: TensorLike, options?: MatrixRankOptions): Tensor {
  const op = "linalg.matrixRank";
  const o = checkOptions(op, options, ["rtol", "hermitian"]);
  const hermitian = boolOpt(op, "hermitian", o.hermitian);
  const t = toFloatTensor(m);
  if (t.ndim < 2) return astype(greater(sum(notEqual(t, 0)), 0), "int32");
  const r = t.shape[t.ndim - 2]!;
  const c = t.shape[t.ndim - 1]!;
  if (r === 0 || c === 0) return zeros(t.shape.slice(0, -2), "int32");
  const rtol =
    o.rtol === undefined ? Math.max(r, c) * epsOf(t.dtype as "float32" | "float64") : o.rtol;
  if (hermitian) checkMatrix(op, "m", t, true);
  const s = hermitian ? abs(eigvalsh(t)) : svdvals(t);
  const tol = mul(
    expandDims(astype(toTensor(rtol), t.dtype), -1),
    max(s, { axis: -1, keepdims: true }),
  );
  return sum(greater(s, tol), { axis: -1 });
}

/**
 * The condition number of each matrix of x ([..., m, n] -> [...]; jnp.linalg.cond) in the norm
 * `p`: for p = 2 (default) or -2 the ratio of the largest to the smallest singular value (or
 * its inverse), rectangular x allowed; for "fro", "nuc", 1, -1, Infinity, -Infinity (square x),
 * norm(x, p) * norm(inv(x), p). A singular matrix gives Infinity (not an error).
 * @throws {@link ValueError} for an unknown p, or a p other than 2 / -2 on a non-square x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.cond(ad.tensor([[1, 0], [0, 4]])); // => tensor(4., dtype=float32)
 * ad.linalg.cond(ad.tensor([[1, 2], [3, 4]]), 1); // => tensor(21., dtype=float32)
 * ad.linalg.cond(ad.tensor([[1, 2], [2, 4]]), "fro"); // => tensor(Infinity, dtype=float32)
 * ```
 * @category Linear algebra
 */
export function cond(x: TensorLike, p?: number | "fro" | "nuc" | "inf" | "-inf" | null): Tensor {
  const op = "linalg.cond";
  const t = matrixArg(op, x, false, "x");
  const ord = ordValue(p ?? 2);
  let r: Tensor;
  if (ord === 2 || ord === -2) {
    const s = svdvals(t);
    const big = max(s, { axis: -1 });
    const small = min(s, { axis: -1 });
    r = ord === 2 ? div(big, small) : div(small, big);
  } else {
    const valid = ["fro", "nuc", 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    if (!valid.includes(ord as number | string)) {
      throw new ValueError(
        `${op}: p must be 2, -2, "fro", "nuc", 1, -1, "inf" or "-inf" (or ±Infinity); got ${describeValue(p)}`,
      );
    }
    checkMatrix(op, "x", t, true);
    // A singular matrix (a zero pivot) is replaced by I so inv does not throw; its result is Infinity.
    const singular = equal(det(t), 0);
    const sing = expandDims(expandDims(singular, -1), -1);
    const safe = where(sing, identityLike(t), t);
    const both = [t.ndim - 2, t.ndim - 1];
    const nx = matrixNormOver(op, safe, both[0]!, both[1]!, false, ord);
    const ni = matrixNormOver(op, inv(safe), both[0]!, both[1]!, false, ord);
    r = where(singular, Number.POSITIVE_INFINITY, mul(nx, ni));
  }
  // 0 / 0 (a zero matrix) is Infinity too, unless x itself holds a NaN (JAX's rule).
  const xNaN = greater(sum(isNaNOp(t), { axis: [t.ndim - 2, t.ndim - 1] }), 0);
  return where(logicalAnd(isNaNOp(r), logicalNot(xNaN)), Number.POSITIVE_INFINITY, r);
}

/** The Padé [m/m] coefficients of exp, normalised to c_0 = 1: c_j = (2m-j)! m! / ((2m)! j! (m-j)!). */
function padeCoefficients(m: number): number[] {
  const c = [1];
  for (let j = 1; j <= m; j++) c.push((c[j - 1]! * (m - j + 1)) / (j * (2 * m - j + 1)));
  return c;
}

/**
 * The largest 1-norm for which the [m/m] Padé approximant of exp is accurate to the unit roundoff
 * (Higham, "The scaling and squaring method for the matrix exponential revisited", 2005, table
 * 2.3 for double; the single-precision values from the same analysis).
 */
const THETA: Record<"float32" | "float64", readonly (readonly [number, number])[]> = {
  float64: [
    [3, 1.495585217958292e-2],
    [5, 2.53939833006323e-1],
    [7, 9.504178996162932e-1],
    [9, 2.097847961257068],
    [13, 5.371920351148152],
  ],
  float32: [
    [3, 4.258730016922831e-1],
    [5, 1.880152677804762],
    [7, 3.92572478313866],
  ],
};

/** [U, V] of the [m/m] Padé approximant: exp(A) ~ (V - U)^-1 (V + U); U odd in A, V even. */
function padeUV(a: Tensor, m: number): [Tensor, Tensor] {
  const c = padeCoefficients(m);
  const id = identityLike(a);
  const a2 = matmul(a, a);
  if (m === 13) {
    // Higham's grouping: 6 products instead of 12.
    const a4 = matmul(a2, a2);
    const a6 = matmul(a4, a2);
    const lin = (x6: number, x4: number, x2: number, x0: number | null) => {
      const s = add(add(mul(a6, c[x6]!), mul(a4, c[x4]!)), mul(a2, c[x2]!));
      return x0 === null ? s : add(s, mul(id, c[x0]!));
    };
    const u = matmul(a, add(matmul(a6, lin(13, 11, 9, null)), lin(7, 5, 3, 1)));
    const v = add(matmul(a6, lin(12, 10, 8, null)), lin(6, 4, 2, 0));
    return [u, v];
  }
  let odd = mul(id, c[1]!);
  let even = mul(id, c[0]!);
  let power = id;
  for (let k = 2; k <= m; k += 2) {
    power = k === 2 ? a2 : matmul(power, a2);
    even = add(even, mul(power, c[k]!));
    if (k + 1 <= m) odd = add(odd, mul(power, c[k + 1]!));
  }
  return [matmul(a, odd), even];
}

/**
 * The matrix exponential of each square matrix of a ([..., n, n]; jax.scipy.linalg.expm), by
 * scaling and squaring with a Padé approximant (Higham 2005: the degree and the number of
 * squarings are chosen from the largest 1-norm in the batch, degree up to 13 in float64 and 7 in
 * float32). Built from differentiable ops (matmul, solve), so derivatives of any order follow;
 * the first is the Fréchet derivative L(A, E), the top-right block of expm([[A, E], [0, A]]).
 * @throws {@link ValueError} when a matrix is not square.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.expm(ad.tensor([[0, 1], [0, 0]])); // => tensor([[1., 1.], [0., 1.]], dtype=float32)
 * ad.linalg.expm(ad.tensor([[1, 0], [0, 2]], { dtype: "float64" })); // => tensor([[2.718282, 0.], [0., 7.389056]], dtype=float64)
 * ```
 * @category Linear algebra
 */
export function expm(a: TensorLike): Tensor {
  const op = "linalg.expm";
  const t = matrixArg(op, a, true);
  if (t.size === 0) return t;
  // The largest 1-norm over the whole batch (under vmap: over every batch element).
  const norms = max(sum(abs(t), { axis: -2 }), { axis: -1 });
  let worst = 0;
  for (const v of norms._concrete()._data!) worst = Math.max(worst, Number.isNaN(v) ? Infinity : v);
  const table = THETA[t.dtype as "float32" | "float64"];
  let choice = table.find(([, theta]) => worst <= theta);
  let squarings = 0;
  if (choice === undefined) {
    choice = table[table.length - 1]!;
    squarings = Number.isFinite(worst) ? Math.max(0, Math.ceil(Math.log2(worst / choice[1]))) : 0;
  }
  const scaled = squarings > 0 ? mul(t, 2 ** -squarings) : t;
  const [u, v] = padeUV(scaled, choice[0]);
  let r = solve(sub(v, u), add(v, u));
  for (let i = 0; i < squarings; i++) r = matmul(r, r);
  return r;
}

/**
 * Options of linalg.trace and linalg.diagonal.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.diagonal(ad.tensor([[1, 2], [3, 4]]), { offset: -1 }); // => tensor([3.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export interface LinalgOffsetOptions {
  /** The diagonal: 0 the main one (default), positive above it, negative below. */
  offset?: number;
}

function offsetOf(op: string, options: LinalgOffsetOptions | undefined): number {
  const { offset = 0 } = checkOptions(op, options, ["offset"]);
  if (!Number.isInteger(offset)) {
    throw new ValueError(`${op}: offset must be an integer; got ${describeValue(offset)}`);
  }
  return offset;
}

/**
 * The trace of each matrix of x ([..., m, n] -> [...]): the sum of its diagonal at `offset`
 * (jnp.linalg.trace, over the last two axes; the root `trace` takes NumPy's axis1 and axis2,
 * default the first two).
 * @throws {@link ValueError} when x has fewer than 2 dims.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.trace(ad.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])); // => tensor([5., 13.], dtype=float32)
 * ad.linalg.trace(ad.tensor([[1, 2], [3, 4]]), { offset: 1 }); // => tensor(2., dtype=float32)
 * ```
 * @category Linear algebra
 */
export function trace(x: TensorLike, options?: LinalgOffsetOptions): Tensor {
  return rootTrace(x, offsetOf("linalg.trace", options), -2, -1);
}

/**
 * The diagonal at `offset` of each matrix of x ([..., m, n] -> [..., k]; jnp.linalg.diagonal,
 * over the last two axes; the root `diagonal` takes NumPy's axis1 and axis2, default the first
 * two).
 * @throws {@link ValueError} when x has fewer than 2 dims.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.diagonal(ad.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])); // => tensor([[1., 4.], [5., 8.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function diagonal(x: TensorLike, options?: LinalgOffsetOptions): Tensor {
  return rootDiagonal(x, offsetOf("linalg.diagonal", options), -2, -1);
}

/**
 * Options of linalg.cross.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.cross(ad.ones([3, 2]), ad.ones([3, 2]), { axis: 0 }).shape; // => [3, 2]
 * ```
 * @category Linear algebra
 */
export interface LinalgCrossOptions {
  /** The vector axis of both operands and of the result (default -1). */
  axis?: number;
}

/**
 * The cross product of 3-vectors along `axis` (default -1) of x1 and x2, the other axes
 * broadcast (jnp.linalg.cross; the root `cross` also takes 2-vectors and separate axes).
 * @throws {@link ValueError} when the vector axis of either operand does not have length 3.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.cross(ad.tensor([1, 0, 0]), ad.tensor([0, 1, 0])); // => tensor([0., 0., 1.], dtype=float32)
 * ad.linalg.cross(ad.tensor([1, 2]), ad.tensor([3, 4])); // throws: ValueError: linalg.cross: x1 must have length 3
 * ```
 * @category Linear algebra
 */
export function cross(x1: TensorLike, x2: TensorLike, options?: LinalgCrossOptions): Tensor {
  const op = "linalg.cross";
  const { axis = -1 } = checkOptions(op, options, ["axis"]);
  const a = toTensor(x1);
  const b = toTensor(x2);
  for (const [t, arg] of [
    [a, "x1"],
    [b, "x2"],
  ] as const) {
    const k = t.ndim === 0 ? -1 : normalizeAxis(op, axis, t.ndim);
    if (k < 0 || t.shape[k] !== 3) {
      throw new ValueError(
        `${op}: ${arg} must have length 3 along axis ${axis} (3-vectors); got shape ${fmtShape(t.shape)}`,
      );
    }
  }
  return rootCross(a, b, { axis });
}

/**
 * The outer product of two vectors: out[i, j] = x1[i] * x2[j] (jnp.linalg.outer; the root
 * `outer` flattens operands of any shape).
 * @throws {@link ValueError} when an operand is not 1-d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.linalg.outer(ad.tensor([1, 2]), ad.tensor([1, 10])); // => tensor([[1., 10.], [2., 20.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function outer(x1: TensorLike, x2: TensorLike): Tensor {
  const a = toTensor(x1);
  const b = toTensor(x2);
  for (const [t, arg] of [
    [a, "x1"],
    [b, "x2"],
  ] as const) {
    if (t.ndim !== 1) {
      throw new ValueError(`linalg.outer: ${arg} must be 1-d; got shape ${fmtShape(t.shape)}`);
    }
  }
  return rootOuter(a, b);
}
