/**
 * @file ad.linalg end to end: reconstructions and orthogonality on random and ill-conditioned
 * inputs (Hilbert 6x6, condition number 1e10), solve residuals, repeated eigenvalues, derivatives
 * of symmetric spectral functions at degenerate points, singular input, batching against
 * looping, float32 against float64, NumPy's right-hand-side rules and error messages.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { mulberry32 } from "../harness/mulberry32.js";

const L = ad.linalg;
const f64 = (x: ad.TensorLike) => ad.tensor(x, { dtype: "float64" });
const mT = (x: ad.Tensor) => ad.swapAxes(x, -1, -2);

/** A deterministic float64 tensor with entries in (-1, 1) (mulberry32). */
function random(shape: number[], seed: number): ad.Tensor {
  const next = mulberry32(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return ad.tensor(
    Float64Array.from({ length: n }, () => 2 * next() - 1),
    { dtype: "float64", shape },
  );
}

/** The largest |x - y| over all entries. */
function maxDiff(x: ad.Tensor, y: ad.Tensor): number {
  return ad.max(ad.abs(ad.sub(x, y))).item() as number;
}

/** The largest |x| over all entries. */
function maxAbs(x: ad.Tensor): number {
  return ad.max(ad.abs(x)).item() as number;
}

function close(x: ad.Tensor, y: ad.Tensor, tol: number, what: string): void {
  assert.deepEqual(x.shape, y.shape, `${what}: shape`);
  const d = maxDiff(x, y);
  assert.ok(d <= tol, `${what}: max difference ${d} > ${tol}`);
}

/** The n x n identity broadcast to [..., n, n]. */
const eyeLike = (x: ad.Tensor) =>
  ad.broadcastTo(ad.eye(x.shape[x.ndim - 1]!, undefined, x.dtype), [
    ...x.shape.slice(0, -2),
    x.shape[x.ndim - 1]!,
    x.shape[x.ndim - 1]!,
  ]);

/** x^T x = I over the last two axes (orthonormal columns). */
function assertOrthonormalColumns(x: ad.Tensor, tol: number, what: string): void {
  close(ad.matmul(mT(x), x), eyeLike(ad.matmul(mT(x), x)), tol, `${what}^T ${what} = I`);
}

/** Zero strictly below (upper) or above (lower) the diagonal, exactly. */
function assertTriangular(x: ad.Tensor, upper: boolean, what: string): void {
  const r = x.shape[x.ndim - 2]!;
  const c = x.shape[x.ndim - 1]!;
  const data = x.dataSync();
  for (let t = 0; t < data.length / (r * c); t++) {
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) {
        if (upper ? j < i : j > i)
          assert.equal(data[t * r * c + i * c + j], 0, `${what}[${i},${j}]`);
      }
    }
  }
}

const hilbert = (n: number) =>
  f64(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 1 / (i + j + 1))));

/** Q from the QR of a random matrix: a random orthogonal matrix. */
const orthogonal = (n: number, seed: number) => L.qr(random([n, n], seed))[0];

/** U diag(10^0 .. 10^-10) V^T: condition number 1e10 with known singular values. */
function illConditioned(n: number): { a: ad.Tensor; s: number[] } {
  const s = Array.from({ length: n }, (_, i) => 10 ** ((-10 * i) / (n - 1)));
  const a = ad.matmul(ad.mul(orthogonal(n, 11), f64(s)), mT(orthogonal(n, 12)));
  return { a, s };
}

const EPS = 2 ** -52;
/** The smallest eigenvalue of the 6x6 Hilbert matrix (mpmath, 40 digits, rounded to float64). */
const HILBERT6_MIN = 1.0827994845655498e-7;

// ---- reconstructions --------------------------------------------------------------------------

test("qr: A = Q R with orthonormal Q and upper R, tall, wide, square and batched", () => {
  for (const shape of [
    [6, 4],
    [4, 6],
    [5, 5],
    [3, 5, 2],
    [1, 1],
  ]) {
    const a = random(shape, 1);
    const [q, r] = L.qr(a);
    const k = Math.min(shape.at(-2)!, shape.at(-1)!);
    assert.deepEqual(q.shape, [...shape.slice(0, -1), k]);
    assert.deepEqual(r.shape, [...shape.slice(0, -2), k, shape.at(-1)!]);
    close(ad.matmul(q, r), a, 1e-14, `QR of ${shape}`);
    assertOrthonormalColumns(q, 1e-14, "Q");
    assertTriangular(r, true, "R");
    const rd = r.dataSync();
    for (let i = 0; i < k; i++)
      assert.ok(rd[i * shape.at(-1)! + i]! > 0, "R's diagonal is positive");
  }
  for (const a of [hilbert(6), illConditioned(6).a]) {
    const [q, r] = L.qr(a);
    close(ad.matmul(q, r), a, 1e-15, "QR of an ill-conditioned matrix");
    assertOrthonormalColumns(q, 1e-14, "Q");
  }
});

test("eigh: A = V diag(w) V^T, V orthogonal, w ascending; Hilbert eigenvalues to high relative accuracy", () => {
  for (const shape of [
    [5, 5],
    [2, 4, 4],
    [1, 1],
  ]) {
    const x = random(shape, 2);
    const a = ad.add(x, mT(x));
    const [w, v] = L.eigh(a);
    close(ad.matmul(ad.mul(v, ad.expandDims(w, -2)), mT(v)), a, 1e-14, `eigh of ${shape}`);
    assertOrthonormalColumns(v, 1e-14, "V");
    const ws = w.dataSync();
    const n = shape.at(-1)!;
    for (let i = 0; i < ws.length; i++) if (i % n > 0) assert.ok(ws[i]! >= ws[i - 1]!);
  }
  const [w, v] = L.eigh(hilbert(6));
  close(ad.matmul(ad.mul(v, w), mT(v)), hilbert(6), 1e-15, "eigh of Hilbert 6");
  assertOrthonormalColumns(v, 1e-14, "V");
  // Relative error ~1e-10 on an eigenvalue 1e-7 times the largest.
  const smallest = w.dataSync()[0]!;
  assert.ok(Math.abs(smallest / HILBERT6_MIN - 1) < 1e-8, `${smallest}`);
  const { a } = illConditioned(6);
  const sa = ad.mul(ad.add(a, mT(a)), 0.5);
  const [w2, v2] = L.eigh(sa);
  close(ad.matmul(ad.mul(v2, w2), mT(v2)), sa, 1e-15, "eigh of a cond-1e10 matrix");
});

test("eigh: only the symmetric part of the input is used", () => {
  const a = random([4, 4], 3);
  const [w1, v1] = L.eigh(a);
  const [w2, v2] = L.eigh(ad.mul(ad.add(a, mT(a)), 0.5));
  close(w1, w2, 0, "w");
  close(v1, v2, 0, "V");
});

test("eigh: repeated eigenvalues converge and reconstruct (I, diag(1,1,2), a rotated one, triple)", () => {
  const q = orthogonal(4, 4);
  const cases = [
    ad.eye(3, undefined, "float64"),
    f64([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 2],
    ]),
    ad.matmul(ad.mul(q, f64([1, 1, 2, 3])), mT(q)),
    ad.matmul(ad.mul(q, f64([-1, 2, 2, 2])), mT(q)),
  ];
  const expected = [
    [1, 1, 1],
    [1, 1, 2],
    [1, 1, 2, 3],
    [-1, 2, 2, 2],
  ];
  cases.forEach((a, i) => {
    const [w, v] = L.eigh(a);
    close(w, f64(expected[i]!), 1e-14, `eigenvalues of case ${i}`);
    close(ad.matmul(ad.mul(v, w), mT(v)), a, 1e-14, `reconstruction of case ${i}`);
    assertOrthonormalColumns(v, 1e-14, "V");
  });
});

test("svd: A = U diag(S) Vh with orthonormal factors, S descending; exact singular values at cond 1e10", () => {
  for (const shape of [
    [6, 4],
    [4, 6],
    [5, 5],
    [3, 5, 2],
    [2, 2, 5],
    [1, 1],
  ]) {
    const a = random(shape, 5);
    const [u, s, vh] = L.svd(a);
    close(ad.matmul(ad.mul(u, ad.expandDims(s, -2)), vh), a, 1e-14, `SVD of ${shape}`);
    assertOrthonormalColumns(u, 1e-14, "U");
    assertOrthonormalColumns(mT(vh), 1e-14, "V");
    const ss = s.dataSync();
    const k = s.shape.at(-1)!;
    for (let i = 0; i < ss.length; i++) {
      assert.ok(ss[i]! >= 0);
      if (i % k > 0) assert.ok(ss[i]! <= ss[i - 1]!);
    }
  }
  const { a, s: exact } = illConditioned(6);
  const [u, s, vh] = L.svd(a);
  close(ad.matmul(ad.mul(u, s), vh), a, 1e-15, "SVD of a cond-1e10 matrix");
  assertOrthonormalColumns(u, 1e-14, "U");
  assertOrthonormalColumns(mT(vh), 1e-14, "V");
  // Absolute accuracy eps ||A|| on every singular value, also the 1e-10 one.
  close(s, f64(exact), 10 * EPS, "singular values");
  const [, sh] = L.svd(hilbert(6));
  assert.ok(Math.abs(sh.dataSync()[5]! / HILBERT6_MIN - 1) < 1e-8);
});

test("svd: rank-deficient input gets orthonormal U and V (completed basis) and zero singular values", () => {
  const x = random([5, 2], 6);
  const a = ad.matmul(x, mT(x)); // 5 x 5 of rank 2
  const [u, s, vh] = L.svd(a);
  close(ad.matmul(ad.mul(u, s), vh), a, 1e-14, "reconstruction");
  assertOrthonormalColumns(u, 1e-14, "U");
  assertOrthonormalColumns(mT(vh), 1e-14, "V");
  assert.ok(maxAbs(ad.slice(s, [2])) < 1e-14);
  const [u0, s0, vh0] = L.svd(ad.zeros([3, 2], "float64"));
  close(s0, f64([0, 0]), 0, "S of zeros");
  assertOrthonormalColumns(u0, 1e-15, "U of zeros");
  assertOrthonormalColumns(mT(vh0), 1e-15, "V of zeros");
});

test("cholesky: L L^T = A, L lower with a positive diagonal; Hilbert 6x6", () => {
  for (const shape of [
    [5, 5],
    [2, 3, 3],
  ]) {
    const x = random(shape, 7);
    const a = ad.add(ad.matmul(x, mT(x)), eyeLike(x));
    const l = L.cholesky(a);
    close(ad.matmul(l, mT(l)), a, 1e-14, `cholesky of ${shape}`);
    assertTriangular(l, false, "L");
    const n = shape.at(-1)!;
    const ld = l.dataSync();
    for (let t = 0; t < ld.length / (n * n); t++) {
      for (let i = 0; i < n; i++) assert.ok(ld[t * n * n + i * (n + 1)]! > 0, "L's diagonal");
    }
  }
  const l = L.cholesky(hilbert(6));
  close(ad.matmul(l, mT(l)), hilbert(6), 1e-16, "cholesky of Hilbert 6");
});

test("lu: P L U = A with a permutation P, unit lower L and upper U", () => {
  for (const a of [random([5, 5], 8), random([2, 4, 4], 9), hilbert(6), illConditioned(6).a]) {
    const [p, l, u] = L.lu(a);
    close(ad.matmul(p, ad.matmul(l, u)), a, 1e-15, `PLU of ${a.shape}`);
    assertTriangular(l, false, "L");
    assertTriangular(u, true, "U");
    close(ad.mul(l, eyeLike(l)), eyeLike(l), 0, "unit diagonal of L");
    // Partial pivoting: |L| <= 1.
    assert.ok(maxAbs(l) <= 1);
    assertOrthonormalColumns(p, 0, "P");
  }
});

test("solve, inv and det: small residuals relative to the condition number", () => {
  for (const { a, cond } of [
    { a: random([6, 6], 10), cond: 1e3 },
    { a: hilbert(6), cond: 1.5e7 },
    { a: illConditioned(6).a, cond: 1e10 },
  ]) {
    const xTrue = random([6, 2], 11);
    const b = ad.matmul(a, xTrue);
    const x = L.solve(a, b);
    // Backward stable: ||A x - b|| <= c eps ||A|| ||x||, whatever the conditioning.
    const residual = maxAbs(ad.sub(ad.matmul(a, x), b));
    assert.ok(residual <= 100 * EPS * maxAbs(a) * maxAbs(x), `residual ${residual}`);
    // Forward error bounded by cond * eps.
    assert.ok(maxDiff(x, xTrue) <= 100 * cond * EPS, `forward error ${maxDiff(x, xTrue)}`);
    const ainv = L.inv(a);
    assert.ok(
      maxAbs(ad.sub(ad.matmul(a, ainv), ad.eye(6, undefined, "float64"))) <= 100 * cond * EPS,
    );
  }
  // The inverse of the Hilbert matrix has integer entries; its determinant is 1/186313420339200000.
  const binom = (n: number, k: number) => {
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
    return r;
  };
  const n = 6;
  const hinv = f64(
    Array.from({ length: n }, (_, i0) =>
      Array.from({ length: n }, (_, j0) => {
        const i = i0 + 1;
        const j = j0 + 1;
        return (
          (-1) ** (i + j) *
          (i + j - 1) *
          binom(n + i - 1, n - j) *
          binom(n + j - 1, n - i) *
          binom(i + j - 2, i - 1) ** 2
        );
      }),
    ),
  );
  const rel = maxDiff(L.inv(hilbert(6)), hinv) / maxAbs(hinv);
  assert.ok(rel < 1e-8, `inverse of Hilbert 6: relative error ${rel}`);
  const d = L.det(hilbert(6)).item() as number;
  assert.ok(Math.abs(d * 186313420339200000 - 1) < 1e-8, `det of Hilbert 6: ${d}`);
  const [sign, logAbs] = L.slogdet(hilbert(6));
  assert.equal(sign.item(), 1);
  assert.ok(Math.abs((logAbs.item() as number) + Math.log(186313420339200000)) < 1e-8);
});

test("slogdet handles determinants that overflow det", () => {
  const a = ad.mul(ad.eye(200, undefined, "float64"), 100); // det = 1e400
  assert.equal(L.det(a).item(), Infinity);
  const [s, l] = L.slogdet(a);
  assert.equal(s.item(), 1);
  assert.ok(Math.abs((l.item() as number) - 200 * Math.log(100)) < 1e-10);
  const [s2] = L.slogdet(
    f64([
      [0, 1],
      [1, 0],
    ]),
  );
  assert.equal(s2.item(), -1);
});

test("triangularSolve: lower, upper, transposed and unit-diagonal solves; the other triangle is ignored", () => {
  const a = ad.add(random([4, 4], 12), ad.mul(ad.eye(4, undefined, "float64"), 3));
  const b = random([4, 3], 13);
  const lowerA = ad.mul(
    a,
    f64([
      [1, 0, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]),
  );
  const upperA = mT(
    ad.mul(
      mT(a),
      f64([
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [1, 1, 1, 1],
      ]),
    ),
  );
  const cases: [NonNullable<Parameters<typeof L.triangularSolve>[2]>, ad.Tensor][] = [
    [{}, lowerA],
    [{ lower: false }, upperA],
    [{ transpose: true }, mT(lowerA)],
    [{ lower: false, transpose: true }, mT(upperA)],
  ];
  for (const [opts, dense] of cases) {
    const x = L.triangularSolve(a, b, opts);
    close(ad.matmul(dense, x), b, 1e-14, `triangularSolve ${JSON.stringify(opts)}`);
  }
  const unitL = ad.add(ad.mul(lowerA, ad.sub(1, ad.eye(4, undefined, "float64"))), ad.eye(4));
  const x = L.triangularSolve(a, b, { unitDiagonal: true });
  close(ad.matmul(unitL, x), b, 1e-14, "unit diagonal");
});

// ---- derivatives at degenerate points ---------------------------------------------------------

test("the issue's test: the gradient of sum(eigh(A)[0]) at A = I is I (and in forward mode)", () => {
  const f = (a: ad.Tensor) => ad.sum(L.eigh(a)[0]);
  const i3 = ad.eye(3, undefined, "float64");
  close(ad.grad(f)(i3), i3, 1e-15, "grad sum(w) at I");
  close(ad.jacfwd(f)(i3), i3, 1e-15, "jacfwd sum(w) at I");
  const e = random([3, 3], 14);
  const [, t] = ad.jvp(f, [i3], [e]);
  assert.ok(Math.abs((t.item() as number) - (ad.sum(ad.mul(e, i3)).item() as number)) < 1e-15);
});

test("symmetric spectral functions have correct gradients at repeated eigenvalues / singular values", () => {
  const q = orthogonal(4, 15);
  const a = ad.matmul(ad.mul(q, f64([1, 1, 2, 2])), mT(q)); // two 2-fold eigenvalues
  const sumSq = (x: ad.Tensor) => ad.sum(ad.square(L.eigh(x)[0])); // ||A||_F^2
  close(ad.grad(sumSq)(a), ad.mul(a, 2), 1e-13, "grad sum(w^2) = 2A");
  close(ad.jacfwd(sumSq)(a), ad.mul(a, 2), 1e-13, "jacfwd sum(w^2) = 2A");
  const top = (x: ad.Tensor) => ad.sum(ad.slice(L.eigh(x)[0], [2])); // sum of the 2-fold top pair
  const pTop = ad.matmul(ad.mul(q, f64([0, 0, 1, 1])), mT(q)); // the projector on its eigenspace
  close(ad.grad(top)(a), pTop, 1e-13, "grad of the sum over an eigenspace = its projector");
  // Nuclear norm at I and at a degenerate rotation: gradient U Vh.
  const nuclear = (x: ad.Tensor) => ad.sum(L.svd(x)[1]);
  close(
    ad.grad(nuclear)(ad.eye(3, undefined, "float64")),
    ad.eye(3, undefined, "float64"),
    1e-15,
    "nuclear at I",
  );
  close(ad.grad(nuclear)(q), q, 1e-14, "nuclear at an orthogonal matrix");
  const frob = (x: ad.Tensor) => ad.sum(ad.square(L.svd(x)[1]));
  close(ad.grad(frob)(q), ad.mul(q, 2), 1e-14, "grad sum(s^2) = 2A at s = (1,1,1,1)");
  // The eigenvalues at a degenerate point: jvp along a perturbation is finite.
  const [, t] = ad.jvp((x: ad.Tensor) => L.eigh(x)[0], [a], [random([4, 4], 16)]);
  assert.ok(t.dataSync().every(Number.isFinite));
});

test("det: hessian at I is tr(E)^2 - tr(E^2) as a quadratic form; logdet hessian of an SPD matrix", () => {
  const i3 = ad.eye(3, undefined, "float64");
  const e = random([3, 3], 17);
  const [, hv] = ad.jvp(
    ad.grad((x: ad.Tensor) => L.det(x)),
    [i3],
    [e],
  );
  const form = ad.sum(ad.mul(hv, e)).item() as number;
  const tr = (x: ad.Tensor) => ad.sum(ad.mul(x, i3)).item() as number;
  assert.ok(Math.abs(form - (tr(e) ** 2 - tr(ad.matmul(e, e)))) < 1e-13);
  ad.checkGrads((x: ad.Tensor) => L.slogdet(x)[1], [ad.add(hilbert(3), i3)], { order: 2 });
});

// ---- singular input ---------------------------------------------------------------------------

test("singular input: solve, inv and triangularSolve throw a ValueError naming the op and 'singular matrix'", () => {
  const s = f64([
    [1, 2, 3],
    [2, 4, 6],
    [1, 0, 1],
  ]);
  const b = f64([1, 2, 3]);
  assert.throws(
    () => L.solve(s, b),
    (e: Error) => {
      assert.ok(e instanceof ad.ValueError);
      assert.match(e.message, /^linalg\.solve: singular matrix/);
      return true;
    },
  );
  assert.throws(() => L.inv(s), /^ValueError: linalg\.inv: singular matrix/);
  assert.throws(() => L.inv(ad.zeros([2, 2], "float64")), /linalg\.inv: singular matrix/);
  assert.throws(
    () =>
      L.triangularSolve(
        f64([
          [1, 0],
          [1, 0],
        ]),
        f64([1, 1]),
      ),
    /linalg\.triangularSolve: singular matrix.*diagonal entry 1/,
  );
  // One singular matrix in a batch: the message names it.
  const batch = ad.stack([ad.eye(3, undefined, "float64"), s]);
  assert.throws(() => L.inv(batch), /batch element \[1\]/);
  // Under a transformation too, and the library is in a clean state afterwards.
  assert.throws(() => ad.grad((x: ad.Tensor) => ad.sum(L.inv(x)))(s), /singular matrix/);
  close(
    ad
      .grad((x: ad.Tensor) => ad.sum(L.solve(x, b)))(ad.eye(3, undefined, "float64"))
      .reshape([9]),
    ad
      .grad((x: ad.Tensor) => ad.sum(ad.matmul(x, b)))(ad.eye(3, undefined, "float64"))
      .reshape([9])
      .neg(),
    1e-15,
    "gradient after an error",
  );
});

test("singular input: det is 0 with the cofactor matrix as gradient; slogdet is [0, -Infinity]", () => {
  const s = f64([
    [1, 2, 3],
    [2, 4, 6],
    [1, 0, 1],
  ]);
  assert.equal(L.det(s).item(), 0);
  assert.ok(Object.is(L.det(s).item(), 0), "+0, not -0");
  // adj(s)^T, by cofactors (rank 2, so nonzero).
  const cof = f64([
    [4, 4, -4],
    [-2, -2, 2],
    [0, 0, 0],
  ]);
  close(ad.grad((x: ad.Tensor) => L.det(x))(s), cof, 1e-14, "grad det at a singular matrix");
  close(ad.jacfwd((x: ad.Tensor) => L.det(x))(s), cof, 1e-14, "jacfwd det at a singular matrix");
  // Rank n - 2: the cofactor matrix is 0.
  const rank1 = ad.matmul(f64([[1], [2], [3]]), f64([[1, -1, 2]]));
  close(ad.grad((x: ad.Tensor) => L.det(x))(rank1), ad.zeros([3, 3], "float64"), 1e-14, "rank 1");
  assert.equal(L.det(ad.zeros([3, 3], "float64")).item(), 0);
  // A batch mixing singular and regular matrices: each gets its own gradient.
  const a = f64([
    [2, 1, 0],
    [1, 3, 1],
    [0, 1, 4],
  ]);
  const g = ad.grad((x: ad.Tensor) => ad.sum(L.det(x)))(ad.stack([s, a]));
  close(ad.slice(g, [0], [1]).reshape([3, 3]), cof, 1e-14, "singular member");
  const cofA = ad.mul(L.det(a), mT(L.inv(a)));
  close(ad.slice(g, [1], [1]).reshape([3, 3]), cofA, 1e-13, "regular member");
  const [sign, logAbs] = L.slogdet(s);
  assert.equal(sign.item(), 0);
  assert.equal(logAbs.item(), -Infinity);
});

test("cholesky of a matrix that is not positive definite throws a ValueError", () => {
  assert.throws(
    () =>
      L.cholesky(
        f64([
          [1, 2],
          [2, 1],
        ]),
      ),
    (e: Error) =>
      e instanceof ad.ValueError &&
      /^linalg\.cholesky: a must be symmetric positive definite/.test(e.message),
  );
  assert.throws(() => L.cholesky(ad.stack([ad.eye(2), ad.neg(ad.eye(2))])), /batch element \[1\]/);
  // Positive semidefinite is not enough either.
  assert.throws(() => L.cholesky(ad.zeros([2, 2])), ad.ValueError);
});

// ---- batching, dtypes, shapes -----------------------------------------------------------------

test("batched calls equal looping over the batch (values and gradients)", () => {
  const a = ad.add(random([2, 3, 4, 4], 18), ad.mul(ad.eye(4, undefined, "float64"), 3));
  const b = random([2, 3, 4, 2], 19);
  const sym = ad.add(a, mT(a));
  const spd = ad.add(ad.matmul(a, mT(a)), eyeLike(a));
  const ops: [string, (x: ad.Tensor, y: ad.Tensor, s: ad.Tensor, p: ad.Tensor) => ad.Tensor][] = [
    ["solve", (x, y) => L.solve(x, y)],
    ["inv", (x) => L.inv(x)],
    ["det", (x) => L.det(x)],
    ["slogdet", (x) => L.slogdet(x)[1]],
    ["cholesky", (_x, _y, _s, p) => L.cholesky(p)],
    ["triangularSolve", (x, y) => L.triangularSolve(x, y, { lower: false })],
    ["qr", (x) => L.qr(x)[1]],
    ["eigh", (_x, _y, s) => L.eigh(s)[1]],
    ["svd", (x) => L.svd(x)[0]],
    ["lu", (x) => L.lu(x)[2]],
  ];
  for (const [name, f] of ops) {
    const batched = f(a, b, sym, spd);
    const pieces: ad.Tensor[] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const pick = (t: ad.Tensor) =>
          ad.reshape(ad.slice(t, [i, j, 0, 0], [1, 1, -1, -1]), t.shape.slice(2));
        pieces.push(f(pick(a), pick(b), pick(sym), pick(spd)));
      }
    }
    const looped = ad.reshape(ad.stack(pieces), batched.shape);
    close(batched, looped, 0, `${name}: batched vs looped`);
  }
  const g = ad.grad((x: ad.Tensor) => ad.sum(ad.square(L.svd(x)[1])))(a);
  close(g, ad.mul(a, 2), 1e-13, "batched svd gradient");
});

test("float32 inputs: values close to the float64 results (computed in float64 inside)", () => {
  const a64 = ad.add(random([4, 4], 20), ad.mul(ad.eye(4, undefined, "float64"), 3));
  const a32 = ad.astype(a64, "float32");
  const back = ad.astype(a32, "float64"); // the same rounded input in float64
  const sym = (x: ad.Tensor) => ad.add(x, mT(x));
  const spd = (x: ad.Tensor) => ad.add(ad.matmul(x, mT(x)), ad.eye(4, undefined, x.dtype));
  const ops: [string, (x: ad.Tensor) => ad.Tensor][] = [
    ["inv", (x) => L.inv(x)],
    ["det", (x) => L.det(x)],
    ["slogdet", (x) => L.slogdet(x)[1]],
    ["cholesky", (x) => L.cholesky(spd(x))],
    ["qr", (x) => L.qr(x)[0]],
    ["eigh w", (x) => L.eigh(sym(x))[0]],
    ["svd S", (x) => L.svd(x)[1]],
    ["svd U", (x) => L.svd(x)[0]],
  ];
  for (const [name, f] of ops) {
    const y32 = f(a32);
    assert.equal(y32.dtype, "float32", name);
    const y64 = f(back);
    const scale = Math.max(1, maxAbs(y64));
    close(ad.astype(y32, "float64"), y64, 5e-6 * scale, `${name} float32 vs float64`);
  }
  // Integer input is computed in the default float dtype.
  assert.equal(
    L.det(
      ad.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: "int32" },
      ),
    ).dtype,
    ad.getDefaultFloat(),
  );
});

test("solve follows NumPy's rules for b: vector, stacks of matrices, broadcast batch dims", () => {
  const a = ad.add(random([2, 3, 3], 21), ad.mul(ad.eye(3, undefined, "float64"), 3));
  const a0 = ad.reshape(ad.slice(a, [0, 0, 0], [1, 3, 3]), [3, 3]);
  const v = random([3], 22);
  assert.deepEqual(L.solve(a0, v).shape, [3]);
  assert.deepEqual(L.solve(a, v).shape, [2, 3]); // 1-d b: one vector, broadcast over the batch
  assert.deepEqual(L.solve(a, random([3, 2], 23)).shape, [2, 3, 2]);
  assert.deepEqual(L.solve(a0, random([4, 3, 2], 24)).shape, [4, 3, 2]);
  assert.deepEqual(L.solve(a, random([2, 3], 25)).shape, [2, 3]); // NumPy 1's batch of vectors
  const bv = random([2, 3], 25);
  close(
    L.solve(a, bv),
    ad.reshape(L.solve(a, ad.expandDims(bv, -1)), [2, 3]),
    0,
    "batch of vectors = matrices with one column",
  );
  close(ad.matmul(a0, L.solve(a0, v)), v, 1e-14, "vector residual");
  assert.throws(
    () => L.solve(a0, random([4], 1)),
    /linalg\.solve: b must be a vector of 3 entries/,
  );
  assert.throws(
    () => L.solve(a, random([3, 3, 1], 1)),
    /linalg\.solve: cannot broadcast shapes \[2\] and \[3\]/,
  );
});

test("shape and dtype errors name the op, the argument, the expectation and what came", () => {
  assert.throws(
    () => L.inv(ad.zeros([2, 3])),
    (e: Error) =>
      e instanceof ad.ShapeError &&
      e.message === "linalg.inv: a must be square in its last two dimensions; got shape [2,3]",
  );
  assert.throws(
    () => L.solve(ad.zeros([2, 3]), ad.zeros([2])),
    /^ShapeError: linalg\.solve: a must be square in its last two dimensions; got shape \[2,3\]/,
  );
  assert.throws(
    () => L.qr(ad.zeros([3])),
    /linalg\.qr: a must have at least 2 dimensions.*got shape \[3\]/,
  );
  assert.throws(() => L.eigh(ad.zeros([2, 3])), /linalg\.eigh: a must be square/);
  assert.throws(() => L.svd(5), /linalg\.svd: a must have at least 2 dimensions/);
  assert.throws(() => L.det(ad.zeros([3, 2, 2, 1])), /linalg\.det: a must be square/);
  assert.throws(
    () => L.triangularSolve(ad.eye(2), ad.ones([2]), { lower: "yes" as unknown as boolean }),
    /linalg\.triangularSolve: option lower must be a boolean; got string "yes"/,
  );
});

test("empty and 1x1 matrices", () => {
  assert.equal(L.det(ad.zeros([0, 0], "float64")).item(), 1);
  assert.deepEqual(L.inv(ad.zeros([2, 0, 0])).shape, [2, 0, 0]);
  assert.deepEqual(L.svd(ad.zeros([0, 3]))[1].shape, [0]);
  close(L.inv(f64([[4]])), f64([[0.25]]), 0, "1x1 inverse");
  close(L.cholesky(f64([[4]])), f64([[2]]), 0, "1x1 cholesky");
  close(ad.grad((x: ad.Tensor) => L.det(x))(f64([[3]])), f64([[1]]), 0, "1x1 det gradient");
});

test("non-finite input: eigh and svd return NaN instead of iterating; det propagates NaN", () => {
  const a = f64([
    [Number.NaN, 1],
    [1, 2],
  ]);
  assert.ok(L.eigh(a)[0].dataSync().every(Number.isNaN));
  assert.ok(L.eigh(a)[1].dataSync().every(Number.isNaN));
  assert.ok(
    L.svd(f64([[Infinity, 1]]))[1]
      .dataSync()
      .every(Number.isNaN),
  );
  assert.ok(Number.isNaN(L.det(a).item() as number));
});
