/**
 * @file The factorizations ONNX lacks, unrolled for the static matrix size: LU with partial
 * pivoting, triangular solves (substitution row by row), Cholesky (column by column), Householder
 * QR, a float64 determinant through LU (ONNX Runtime's Det is float32 only), and the Jacobi
 * eigh and SVD with a fixed number of sweeps. Each works on the last two axes with any leading
 * batch axes, in float64 as adjoint's reference kernels do (float32 inputs are cast up and the
 * results cast back). The direct ones emit O(n) steps (up to MAX_UNROLLED rows), the Jacobi
 * ones O(n²) rotations per sweep (up to MAX_EIGH / MAX_SVD).
 */

import type { DType } from "../core/dtype.js";
import { type ExportBuilder, int, ints } from "./export-builder.js";
import { NoLowering } from "./export-elementwise.js";

/** The largest matrix size unrolled (each step is a handful of nodes). */
export const MAX_UNROLLED = 128;

type B = ExportBuilder;

function checkSize(what: string, n: number): void {
  if (n > MAX_UNROLLED) {
    throw new NoLowering(`${what} is unrolled for matrices up to ${MAX_UNROLLED} rows; got ${n}`);
  }
}

/** x[..., start:end, :] (axis -2) or x[..., start:end] (axis -1). */
const slice = (b: B, x: string, axis: -1 | -2, start: number, end: number): string =>
  b.node("Slice", [x, b.int64s([start]), b.int64s([end]), b.int64s([axis])]);

/** The last two axes swapped. */
function swapLast(b: B, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return b.node("Transpose", [x], { perm: ints(perm) });
}

/**
 * Solves op(a) x = b by substitution, op(a) = a or aᵀ, reading only op(a)'s triangle (and not its
 * diagonal with `unitDiagonal`). a: [...batch, n, n], b: [...batch, n, k].
 */
export function triangularSolve(
  b: B,
  a: string,
  rhs: string,
  aShape: readonly number[],
  dtype: DType,
  params: { readonly lower: boolean; readonly transpose: boolean; readonly unitDiagonal: boolean },
): string {
  const n = aShape[aShape.length - 1]!;
  checkSize("triangular_solve", n);
  if (n === 0) return b.node("Identity", [rhs]);
  let op = b.cast(a, dtype, "float64");
  if (params.transpose) op = swapLast(b, op, aShape.length);
  const y = b.cast(rhs, dtype, "float64");
  const forward = params.lower !== params.transpose;
  // The solved rows, in row order (forward appends, backward prepends).
  let solved: string | null = null;
  for (let s = 0; s < n; s++) {
    const i = forward ? s : n - 1 - s;
    const row = slice(b, op, -2, i, i + 1);
    let xi = slice(b, y, -2, i, i + 1);
    if (solved !== null) {
      const coef = forward ? slice(b, row, -1, 0, i) : slice(b, row, -1, i + 1, n);
      xi = b.node("Sub", [xi, b.node("MatMul", [coef, solved])]);
    }
    if (!params.unitDiagonal) xi = b.node("Div", [xi, slice(b, row, -1, i, i + 1)]);
    solved =
      solved === null
        ? xi
        : b.node("Concat", forward ? [solved, xi] : [xi, solved], { axis: int(-2) });
  }
  return b.cast(solved!, "float64", dtype);
}

/**
 * The lower Cholesky factor of the symmetric part (a + aᵀ)/2, column by column (a matrix that is
 * not positive definite gives NaN where adjoint throws).
 */
export function cholesky(b: B, a: string, aShape: readonly number[], dtype: DType): string {
  const n = aShape[aShape.length - 1]!;
  checkSize("cholesky", n);
  if (n === 0) return b.node("Identity", [a]);
  const rank = aShape.length;
  const x = b.cast(a, dtype, "float64");
  const sym = b.node("Mul", [b.node("Add", [x, swapLast(b, x, rank)]), b.scalar(0.5, "float64")]);
  const zero = b.scalar(0, "float64");
  let factor: string | null = null; // the columns so far: [...batch, n, j]
  for (let j = 0; j < n; j++) {
    let col = slice(b, sym, -1, j, j + 1); // [...batch, n, 1]
    if (factor !== null) {
      const rowJ = slice(b, factor, -2, j, j + 1); // [...batch, 1, j]
      col = b.node("Sub", [col, b.node("MatMul", [factor, swapLast(b, rowJ, rank)])]);
    }
    const d = b.node("Sqrt", [slice(b, col, -2, j, j + 1)]);
    const below = b.constant(
      "bool",
      [n, 1],
      Array.from({ length: n }, (_, i) => (i >= j ? 1 : 0)),
    );
    // Rows above the diagonal are 0; the diagonal is d itself (col / d there is d).
    col = b.node("Where", [below, b.node("Div", [col, d]), zero]);
    factor = factor === null ? col : b.node("Concat", [factor, col], { axis: int(-1) });
  }
  return b.cast(factor!, "float64", dtype);
}

/**
 * LU with partial pivoting, as the reference kernel: at step k the row with the largest |value|
 * in column k (the first on ties) is swapped up; a zero pivot leaves its column. Returns the
 * packed factors (L below the diagonal, unit diagonal implied; U on and above), the row
 * permutation (int64, [...batch, n]) and, when asked, the permutation's sign (float64).
 */
export function lu(
  b: B,
  a: string,
  aShape: readonly number[],
  dtype: DType,
): { packed: string; perm: string; sign: string } {
  const n = aShape[aShape.length - 1]!;
  checkSize("lu", n);
  const batch = aShape.slice(0, -2);
  let w = b.cast(a, dtype, "float64");
  const rows = b.constant(
    "int64",
    [n],
    Array.from({ length: n }, (_, i) => i),
  );
  let perm = b.node("Expand", [rows, b.int64s([...batch, n])]);
  let sign = b.constant(
    "float64",
    [...batch],
    new Array<number>(batch.reduce((p, q) => p * q, 1)).fill(1),
  );
  const zero = b.scalar(0, "float64");
  for (let k = 0; k < n; k++) {
    // The pivot row: argmax of |w[i, k]| over rows i >= k (rows above masked to -1).
    const col = b.node("Squeeze", [slice(b, w, -1, k, k + 1), b.int64s([-1])]); // [...batch, n]
    const above = b.constant(
      "bool",
      [n],
      Array.from({ length: n }, (_, i) => (i < k ? 1 : 0)),
    );
    const score = b.node("Where", [above, b.scalar(-1, "float64"), b.node("Abs", [col])]);
    const p = b.node("ArgMax", [score], {
      axis: int(-1),
      keepdims: int(1),
      select_last_index: int(0),
    }); // [...batch, 1]
    // Rows k and p exchanged: index i -> p at k, k at p, i elsewhere.
    const kk = b.scalar(k, "int64");
    const swap = b.node("Where", [
      b.node("Equal", [rows, kk]),
      p,
      b.node("Where", [b.node("Equal", [rows, p]), kk, rows]),
    ]); // [...batch, n]
    perm = b.node("GatherElements", [perm, swap], { axis: int(-1) });
    const swapRows = b.node("Expand", [
      b.node("Unsqueeze", [swap, b.int64s([-1])]),
      b.int64s([...batch, n, n]),
    ]);
    w = b.node("GatherElements", [w, swapRows], { axis: int(-2) });
    const moved = b.node("Squeeze", [b.node("Not", [b.node("Equal", [p, kk])]), b.int64s([-1])]);
    sign = b.node("Where", [moved, b.node("Neg", [sign]), sign]);
    if (k === n - 1) break;
    // Eliminate below the pivot: l = w[k+1:, k] / pivot (0 where the pivot is 0, as the column
    // below is then 0 too), w[k+1:, k+1:] -= l w[k, k+1:].
    const pivot = slice(b, slice(b, w, -2, k, k + 1), -1, k, k + 1); // [...batch, 1, 1]
    const below = slice(b, w, -2, k + 1, n);
    const colBelow = slice(b, below, -1, k, k + 1);
    const l = b.node("Where", [
      b.node("Equal", [pivot, zero]),
      colBelow,
      b.node("Div", [colBelow, pivot]),
    ]);
    const pivotRowRest = slice(b, slice(b, w, -2, k, k + 1), -1, k + 1, n);
    const rest = b.node("Sub", [
      slice(b, below, -1, k + 1, n),
      b.node("MatMul", [l, pivotRowRest]),
    ]);
    const parts = k === 0 ? [l, rest] : [slice(b, below, -1, 0, k), l, rest];
    const newBelow = b.node("Concat", parts, { axis: int(-1) });
    w = b.node("Concat", [slice(b, w, -2, 0, k + 1), newBelow], { axis: int(-2) });
  }
  return { packed: dtype === "float64" ? w : b.cast(w, "float64", dtype), perm, sign };
}

/** det through LU: the product of U's diagonal times the permutation's sign. */
export function detViaLu(b: B, a: string, aShape: readonly number[], dtype: DType): string {
  const n = aShape[aShape.length - 1]!;
  const batch = aShape.slice(0, -2);
  if (n === 0) {
    return b.constant(dtype, batch, new Array<number>(batch.reduce((p, q) => p * q, 1)).fill(1));
  }
  const { packed, sign } = lu(b, a, aShape, dtype);
  const eye = b.constant(
    "bool",
    [n, n],
    Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)),
  );
  const diag = b.node("Where", [eye, b.cast(packed, dtype, "float64"), b.scalar(1, "float64")]);
  // The product of the diagonal: every other entry is 1.
  const prod =
    b.opset >= 18
      ? b.node("ReduceProd", [diag, b.int64s([-2, -1])], { keepdims: int(0) })
      : b.node("ReduceProd", [diag], { axes: ints([-2, -1]), keepdims: int(0) });
  return b.cast(b.node("Mul", [prod, sign]), "float64", dtype);
}

/**
 * Reduced QR by Householder reflections (k = min(m, n) of them), R's diagonal made non-negative
 * as adjoint's kernel does: for a full-rank matrix the factors are unique, so they agree with
 * adjoint's to rounding. a: [...batch, m, n] -> Q [...batch, m, k], R [...batch, k, n].
 */
export function qr(
  b: B,
  a: string,
  aShape: readonly number[],
  dtype: DType,
): { q: string; r: string } {
  const m = aShape[aShape.length - 2]!;
  const n = aShape[aShape.length - 1]!;
  const k = Math.min(m, n);
  checkSize("qr", Math.max(m, n));
  const rank = aShape.length;
  const batch = aShape.slice(0, -2);
  const zero = b.scalar(0, "float64");
  let w = b.cast(a, dtype, "float64");
  const reflectors: { v: string; beta: string }[] = [];
  const vT = (v: string): string => swapLast(b, v, rank);
  for (let j = 0; j < k; j++) {
    const x = slice(b, slice(b, w, -2, j, m), -1, j, j + 1); // [...batch, m-j, 1]
    const norm = b.node("Sqrt", [
      b.node("ReduceSum", [b.node("Mul", [x, x]), b.int64s([-2])], { keepdims: int(1) }),
    ]);
    const x0 = slice(b, x, -2, 0, 1);
    // alpha = -sign(x0) |x| (no cancellation in x0 - alpha).
    const alpha = b.node("Where", [b.node("Less", [x0, zero]), norm, b.node("Neg", [norm])]);
    const head = b.node("Sub", [x0, alpha]);
    const v =
      j === m - 1 ? head : b.node("Concat", [head, slice(b, x, -2, 1, m - j)], { axis: int(-2) });
    const vv = b.node("ReduceSum", [b.node("Mul", [v, v]), b.int64s([-2])], { keepdims: int(1) });
    const beta = b.node("Where", [
      b.node("Equal", [vv, zero]),
      zero,
      b.node("Div", [b.scalar(2, "float64"), vv]),
    ]);
    reflectors.push({ v, beta });
    // w[j:, j:] -= v (beta vᵀ w[j:, j:])
    const lower = slice(b, w, -2, j, m);
    const sub = slice(b, lower, -1, j, n);
    const updated = b.node("Sub", [
      sub,
      b.node("MatMul", [v, b.node("Mul", [beta, b.node("MatMul", [vT(v), sub])])]),
    ]);
    const newLower =
      j === 0 ? updated : b.node("Concat", [slice(b, lower, -1, 0, j), updated], { axis: int(-1) });
    w = j === 0 ? newLower : b.node("Concat", [slice(b, w, -2, 0, j), newLower], { axis: int(-2) });
  }
  // Q = H_0 ... H_{k-1} I[:, :k], applied from the last reflector.
  let q = b.node("Expand", [
    b.constant(
      "float64",
      [m, k],
      Array.from({ length: m * k }, (_, i) => (Math.floor(i / k) === i % k ? 1 : 0)),
    ),
    b.int64s([...batch, m, k]),
  ]);
  for (let j = k - 1; j >= 0; j--) {
    const { v, beta } = reflectors[j]!;
    const sub = slice(b, q, -2, j, m);
    const updated = b.node("Sub", [
      sub,
      b.node("MatMul", [v, b.node("Mul", [beta, b.node("MatMul", [vT(v), sub])])]),
    ]);
    q = j === 0 ? updated : b.node("Concat", [slice(b, q, -2, 0, j), updated], { axis: int(-2) });
  }
  const upper = b.constant(
    "bool",
    [k, n],
    Array.from({ length: k * n }, (_, i) => (i % n >= Math.floor(i / n) ? 1 : 0)),
  );
  let r = b.node("Where", [upper, slice(b, w, -2, 0, k), zero]);
  // Signs making R's diagonal non-negative: R <- D R, Q <- Q D.
  const eye = b.constant(
    "float64",
    [k, n],
    Array.from({ length: k * n }, (_, i) => (i % n === Math.floor(i / n) ? 1 : 0)),
  );
  const diag = b.node("ReduceSum", [b.node("Mul", [r, eye]), b.int64s([-1])], { keepdims: int(1) });
  const d = b.node("Where", [
    b.node("Less", [diag, zero]),
    b.scalar(-1, "float64"),
    b.scalar(1, "float64"),
  ]); // [...batch, k, 1]
  r = b.node("Mul", [r, d]);
  q = b.node("Mul", [q, vT(d)]);
  return { q: b.cast(q, "float64", dtype), r: b.cast(r, "float64", dtype) };
}

/** The largest matrix eigh unrolls (its rotations grow as n² per sweep). */
export const MAX_EIGH = 16;
/** Jacobi sweeps unrolled: convergence is quadratic, so 10 leave nothing to rotate for n <= 16. */
const EIGH_SWEEPS = 10;

/** An n x n float64 constant from a function of (row, column). */
function matrixConstant(b: B, n: number, f: (i: number, j: number) => number): string {
  return b.constant(
    "float64",
    [n, n],
    Array.from({ length: n * n }, (_, k) => f(Math.floor(k / n), k % n)),
  );
}

/**
 * The plane rotation J = I + (c - 1)(e_p e_pᵀ + e_q e_qᵀ) + s (e_p e_qᵀ - e_q e_pᵀ): X J turns
 * columns p and q of X into c x_p - s x_q and s x_p + c x_q, as the Jacobi kernels do.
 */
function rotation(b: B, n: number, p: number, q: number, c: string, s: string): string {
  const one = b.scalar(1, "float64");
  const eye = matrixConstant(b, n, (i, j) => (i === j ? 1 : 0));
  const diagPQ = matrixConstant(b, n, (i, j) => (i === j && (i === p || i === q) ? 1 : 0));
  const offPQ = matrixConstant(b, n, (i, j) =>
    i === p && j === q ? 1 : i === q && j === p ? -1 : 0,
  );
  return b.node("Add", [
    b.node("Add", [eye, b.node("Mul", [b.node("Sub", [c, one]), diagPQ])]),
    b.node("Mul", [s, offPQ]),
  ]);
}

/** tan of the Jacobi angle, sign(z) / (|z| + √(z² + 1)) (1 / 2z for huge z), as the kernels. */
function jacobiTangent(b: B, z: string): string {
  const one = b.scalar(1, "float64");
  const az = b.node("Abs", [z]);
  const sgn = b.node("Where", [
    b.node("Less", [z, b.scalar(0, "float64")]),
    b.scalar(-1, "float64"),
    one,
  ]);
  return b.node("Where", [
    b.node("Greater", [az, b.scalar(1e150, "float64")]),
    b.node("Div", [b.scalar(0.5, "float64"), z]),
    b.node("Div", [
      sgn,
      b.node("Add", [az, b.node("Sqrt", [b.node("Add", [b.node("Mul", [az, az]), one])])]),
    ]),
  ]);
}

/**
 * Gathers the columns of x ([...batch, rows, cols]) in `order` ([...batch, cols'], int64).
 */
function gatherColumns(b: B, x: string, order: string, shape: readonly number[]): string {
  const index = b.node("Expand", [
    b.node("Unsqueeze", [order, b.int64s([-2])]),
    b.int64s([...shape]),
  ]);
  return b.node("GatherElements", [x, index], { axis: int(-1) });
}

/** Signs (±1, [...batch, 1, cols]) making each column's largest-magnitude entry positive. */
function columnSigns(b: B, x: string): string {
  const top = b.node("ArgMax", [b.node("Abs", [x])], {
    axis: int(-2),
    keepdims: int(1),
    select_last_index: int(0),
  });
  const lead = b.node("GatherElements", [x, top], { axis: int(-2) });
  return b.node("Where", [
    b.node("Less", [lead, b.scalar(0, "float64")]),
    b.scalar(-1, "float64"),
    b.scalar(1, "float64"),
  ]);
}

/** w[..., i, j] as [...batch, 1, 1]. */
const entry = (b: B, w: string, i: number, j: number): string =>
  slice(b, slice(b, w, -2, i, i + 1), -1, j, j + 1);

/**
 * eigh of the symmetric part by cyclic Jacobi, as adjoint's kernel: each (p, q) rotation with
 * the kernel's angle and skip test (|w_pq| <= eps √|w_pp| √|w_qq|), applied as W <- Jᵀ W J,
 * V <- V J, for a fixed number of sweeps; then the eigenvalues sorted ascending (ties by index)
 * and each eigenvector's largest-magnitude entry made positive. a: [...batch, n, n] ->
 * w [...batch, n], V [...batch, n, n].
 */
export function eigh(
  b: B,
  a: string,
  aShape: readonly number[],
  dtype: DType,
): { w: string; v: string } {
  const n = aShape[aShape.length - 1]!;
  if (n > MAX_EIGH) {
    throw new NoLowering(`eigh is unrolled for matrices up to ${MAX_EIGH} rows; got ${n}`);
  }
  const rank = aShape.length;
  const batch = aShape.slice(0, -2);
  const x = b.cast(a, dtype, "float64");
  let w = b.node("Mul", [b.node("Add", [x, swapLast(b, x, rank)]), b.scalar(0.5, "float64")]);
  let v = b.node("Expand", [
    matrixConstant(b, n, (i, j) => (i === j ? 1 : 0)),
    b.int64s([...batch, n, n]),
  ]);
  const zero = b.scalar(0, "float64");
  const one = b.scalar(1, "float64");
  const eye = matrixConstant(b, n, (i, j) => (i === j ? 1 : 0));
  for (let sweep = 0; sweep < EIGH_SWEEPS; sweep++) {
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = entry(b, w, p, q);
        const app = entry(b, w, p, p);
        const aqq = entry(b, w, q, q);
        const bound = b.node("Mul", [
          b.node("Mul", [
            b.node("Sqrt", [b.node("Abs", [app])]),
            b.node("Sqrt", [b.node("Abs", [aqq])]),
          ]),
          b.scalar(2 ** -53, "float64"),
        ]);
        const skip = b.node("LessOrEqual", [b.node("Abs", [apq]), bound]);
        // tan of the angle that zeroes w_pq, from theta = (aqq - app) / (2 apq) (apq replaced by
        // 1 where the pair is skipped).
        const safe = b.node("Where", [skip, one, apq]);
        const theta = b.node("Div", [
          b.node("Sub", [aqq, app]),
          b.node("Mul", [safe, b.scalar(2, "float64")]),
        ]);
        const tt = jacobiTangent(b, theta);
        const cRaw = b.node("Div", [
          one,
          b.node("Sqrt", [b.node("Add", [b.node("Mul", [tt, tt]), one])]),
        ]);
        const c = b.node("Where", [skip, one, cRaw]);
        const s = b.node("Where", [skip, zero, b.node("Mul", [tt, cRaw])]);
        const rot = rotation(b, n, p, q, c, s);
        w = b.node("MatMul", [b.node("MatMul", [swapLast(b, rot, rank), w]), rot]);
        v = b.node("MatMul", [v, rot]);
      }
    }
  }
  // Ascending eigenvalues (ties by index), their vectors' columns in that order.
  const values = b.node("ReduceSum", [b.node("Mul", [w, eye]), b.int64s([-1])], {
    keepdims: int(0),
  });
  const [sorted, order] = b.nodeMulti(
    "TopK",
    [values, b.int64s([n])],
    { axis: int(-1), largest: int(0), sorted: int(1) },
    2,
  );
  const vs = gatherColumns(b, v, order!, [...batch, n, n]);
  // Each column's largest-magnitude entry (the first on ties) made positive.
  const flip = columnSigns(b, vs);
  return {
    w: b.cast(sorted!, "float64", dtype),
    v: b.cast(b.node("Mul", [vs, flip]), "float64", dtype),
  };
}

/** The largest k = min(m, n) the SVD unrolls. */
export const MAX_SVD = 16;

/**
 * Reduced SVD by one-sided Jacobi, as adjoint's kernel: the columns of A (m >= n) or of Aᵀ are
 * rotated pairwise until orthogonal (the kernel's angle and skip test, 10 sweeps); singular
 * values are their norms, sorted descending (ties by index), and each U column's largest entry
 * made positive (V's column takes the same sign). A zero singular value's U column is left zero
 * (the kernel completes it to an orthonormal basis). a: [...batch, m, n] -> U [...batch, m, k],
 * S [...batch, k], Vh [...batch, k, n].
 */
export function svd(
  b: B,
  a: string,
  aShape: readonly number[],
  dtype: DType,
): { u: string; s: string; vh: string } {
  const rank = aShape.length;
  const m = aShape[rank - 2]!;
  const n = aShape[rank - 1]!;
  const k = Math.min(m, n);
  if (k > MAX_SVD) {
    throw new NoLowering(`svd is unrolled for min(m, n) up to ${MAX_SVD}; got ${k}`);
  }
  const batch = aShape.slice(0, -2);
  const tall = m >= n;
  const M = tall ? m : n;
  const x = b.cast(a, dtype, "float64");
  // The Jacobi matrix [...batch, M, k]: A, or Aᵀ for a wide A.
  let w = tall ? x : swapLast(b, x, rank);
  let v = b.node("Expand", [
    matrixConstant(b, k, (i, j) => (i === j ? 1 : 0)),
    b.int64s([...batch, k, k]),
  ]);
  const zero = b.scalar(0, "float64");
  const one = b.scalar(1, "float64");
  const colDot = (p: string, q: string): string =>
    b.node("ReduceSum", [b.node("Mul", [p, q]), b.int64s([-2])], { keepdims: int(1) });
  for (let sweep = 0; sweep < EIGH_SWEEPS; sweep++) {
    for (let i = 0; i < k - 1; i++) {
      for (let j = i + 1; j < k; j++) {
        const xi = slice(b, w, -1, i, i + 1);
        const xj = slice(b, w, -1, j, j + 1);
        const alpha = colDot(xi, xi);
        const beta = colDot(xj, xj);
        const gamma = colDot(xi, xj);
        const bound = b.node("Mul", [
          b.node("Mul", [b.node("Sqrt", [alpha]), b.node("Sqrt", [beta])]),
          b.scalar(2 ** -53 * M, "float64"),
        ]);
        const skip = b.node("Or", [
          b.node("Equal", [gamma, zero]),
          b.node("LessOrEqual", [b.node("Abs", [gamma]), bound]),
        ]);
        const safe = b.node("Where", [skip, one, gamma]);
        const zeta = b.node("Div", [
          b.node("Sub", [beta, alpha]),
          b.node("Mul", [safe, b.scalar(2, "float64")]),
        ]);
        const tt = jacobiTangent(b, zeta);
        const cRaw = b.node("Div", [
          one,
          b.node("Sqrt", [b.node("Add", [b.node("Mul", [tt, tt]), one])]),
        ]);
        const c = b.node("Where", [skip, one, cRaw]);
        const s = b.node("Where", [skip, zero, b.node("Mul", [cRaw, tt])]);
        const rot = rotation(b, k, i, j, c, s);
        w = b.node("MatMul", [w, rot]);
        v = b.node("MatMul", [v, rot]);
      }
    }
  }
  const norms = b.node("Sqrt", [colDot(w, w)]); // [...batch, 1, k]
  const flat = b.node("Squeeze", [norms, b.int64s([-2])]);
  const [sorted, order] = b.nodeMulti(
    "TopK",
    [flat, b.int64s([k])],
    { axis: int(-1), largest: int(1), sorted: int(1) },
    2,
  );
  const safeNorms = b.node("Where", [b.node("Equal", [norms, zero]), one, norms]);
  const unit = b.node("Div", [w, safeNorms]); // zero columns stay zero
  const tallSide = gatherColumns(b, unit, order!, [...batch, M, k]);
  const square = gatherColumns(b, v, order!, [...batch, k, k]);
  const uCols = tall ? tallSide : square;
  const vCols = tall ? square : tallSide;
  const flip = columnSigns(b, uCols);
  const u = b.node("Mul", [uCols, flip]);
  const vh = swapLast(b, b.node("Mul", [vCols, flip]), rank);
  return {
    u: b.cast(u, "float64", dtype),
    s: b.cast(sorted!, "float64", dtype),
    vh: b.cast(vh, "float64", dtype),
  };
}
