/**
 * @file The later `ad.linalg` members at the points the op-spec table avoids: expm's derivative
 * against the block-matrix identity for the Fréchet derivative (and across its Padé degrees and
 * squarings), pinv, lstsq, matrixRank and cond at singular and rank-deficient matrices, pinv's
 * derivative at repeated singular values, norms at zero (docs/conventions.md), and the errors.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { mulberry32 } from "../harness/mulberry32.js";

const f64 = { dtype: "float64" } as const;

function randomMatrix(seed: number, rows: number, cols: number, scale = 1): ad.Tensor {
  const next = mulberry32(seed);
  const data = Float64Array.from({ length: rows * cols }, () => scale * (2 * next() - 1));
  return ad.tensor(data, { dtype: "float64", shape: [rows, cols] });
}

function assertClose(actual: ad.Tensor, expected: ad.Tensor, tol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i]! - e[i]!) <= tol * (1 + Math.abs(e[i]!)),
      `${what}: element ${i} is ${a[i]}; expected ${e[i]}`,
    );
  }
}

/** [[A, E], [0, A]] for n x n A and E. */
function blockUpper(a: ad.Tensor, e: ad.Tensor): ad.Tensor {
  const z = ad.zerosLike(a);
  return ad.concat([ad.concat([a, e], 1), ad.concat([z, a], 1)], 0);
}

for (const [label, scale] of [
  ["small norm (low Padé degree)", 0.01],
  ["moderate norm", 0.5],
  ["large norm (squarings)", 4],
] as const) {
  test(`expm: the JVP is the Fréchet derivative of expm([[A, E], [0, A]]), ${label}`, () => {
    const n = 4;
    const a = randomMatrix(7, n, n, scale);
    const e = randomMatrix(11, n, n);
    const big = ad.linalg.expm(blockUpper(a, e));
    const topLeft = ad.slice(big, [0, 0], [n, n]);
    const topRight = ad.slice(big, [0, n], [n, n]);
    const [value, tangent] = ad.jvp((x: ad.Tensor) => ad.linalg.expm(x), [a], [e]);
    assertClose(value, topLeft, 1e-12, "expm(A)");
    assertClose(tangent, topRight, 1e-10, "L(A, E) by jvp");
    // Reverse mode: <W, L(A, E)> = <L^*(A, W), E>.
    const w = randomMatrix(13, n, n);
    const g = ad.grad((x: ad.Tensor) => ad.sum(ad.mul(w, ad.linalg.expm(x))))(a);
    const lhs = ad.sum(ad.mul(w, topRight)).item();
    const rhs = ad.sum(ad.mul(g, e)).item();
    assert.ok(Math.abs(lhs - rhs) <= 1e-10 * (1 + Math.abs(lhs)), `vjp: ${rhs} vs ${lhs}`);
  });
}

test("expm: derivatives of order 2 against finite differences across squarings", () => {
  for (const scale of [0.05, 1, 6]) {
    ad.checkGrads((x: ad.Tensor) => ad.linalg.expm(x), [randomMatrix(3, 3, 3, scale)], {
      order: 2,
      rtol: 1e-4,
      atol: 1e-6 * Math.exp(3 * scale),
    });
  }
});

test("expm: known values (rotation, nilpotent, inverse) in float64 and float32", () => {
  const t = 0.7;
  const r = ad.linalg.expm(
    ad.tensor(
      [
        [0, -t],
        [t, 0],
      ],
      f64,
    ),
  );
  assertClose(
    r,
    ad.tensor(
      [
        [Math.cos(t), -Math.sin(t)],
        [Math.sin(t), Math.cos(t)],
      ],
      f64,
    ),
    1e-15,
    "rotation",
  );
  const a = randomMatrix(5, 5, 5, 3);
  assertClose(
    ad.matmul(ad.linalg.expm(a), ad.linalg.expm(ad.neg(a))),
    ad.eye(5, 5, "float64"),
    1e-11,
    "expm(A) expm(-A)",
  );
  const a32 = ad.astype(a, "float32");
  assertClose(
    ad.astype(ad.linalg.expm(a32), "float64"),
    ad.linalg.expm(a),
    2e-5,
    "float32 vs float64",
  );
  assert.deepEqual(ad.linalg.expm(ad.zeros([2, 0, 0])).shape, [2, 0, 0]);
});

test("pinv: the Penrose conditions at rank-deficient matrices; zero matrix gives zeros", () => {
  const b = randomMatrix(21, 5, 2);
  const c = randomMatrix(22, 2, 4);
  const a = ad.matmul(b, c); // rank 2
  const p = ad.linalg.pinv(a);
  const mT = (x: ad.Tensor) => ad.swapAxes(x, -1, -2);
  assertClose(ad.matmul(ad.matmul(a, p), a), a, 1e-12, "A P A = A");
  assertClose(ad.matmul(ad.matmul(p, a), p), p, 1e-12, "P A P = P");
  const ap = ad.matmul(a, p);
  const pa = ad.matmul(p, a);
  assertClose(mT(ap), ap, 1e-12, "(A P)^T = A P");
  assertClose(mT(pa), pa, 1e-12, "(P A)^T = P A");
  assertClose(ad.linalg.pinv(ad.zeros([3, 2], "float64")), ad.zeros([2, 3], "float64"), 0, "0+");
  assert.deepEqual(ad.linalg.pinv(ad.zeros([4, 0])).shape, [0, 4]);
  assert.equal(ad.linalg.matrixRank(a).item(), 2);
});

test("pinv: derivatives at repeated singular values (I, a scaled orthogonal matrix) are finite and correct", () => {
  const q = ad.linalg.qr(randomMatrix(31, 3, 3))[0];
  for (const a of [ad.eye(3, 3, "float64"), ad.mul(q, 2)]) {
    const g = ad.grad((x: ad.Tensor) => ad.sum(ad.linalg.pinv(x)))(a);
    assert.ok(
      g.dataSync().every((v) => Number.isFinite(v)),
      "gradient is finite",
    );
    ad.checkGrads((x: ad.Tensor) => ad.linalg.pinv(x), [a], { order: 2 });
  }
  // At an invertible matrix pinv is inv, whatever its singular values: so are the gradients.
  const w = randomMatrix(32, 3, 3);
  for (const a of [
    ad.eye(3, 3, "float64"),
    ad.tensor(
      [
        [2, 0, 0],
        [0, 2, 0],
        [0, 0, 1],
      ],
      f64,
    ),
  ]) {
    const viaPinv = ad.grad((x: ad.Tensor) => ad.sum(ad.mul(w, ad.linalg.pinv(x))))(a);
    const viaInv = ad.grad((x: ad.Tensor) => ad.sum(ad.mul(w, ad.linalg.inv(x))))(a);
    assertClose(viaPinv, viaInv, 1e-12, "d pinv = d inv at an invertible matrix");
  }
});

test("lstsq: minimum-norm solution of a rank-deficient system, rank, zero matrix, shapes", () => {
  const a = ad.matmul(randomMatrix(41, 6, 2), randomMatrix(42, 2, 3)); // rank 2
  const y = randomMatrix(43, 6, 1);
  const [x, residuals, rank, s] = ad.linalg.lstsq(a, ad.reshape(y, [6]));
  assert.deepEqual(x.shape, [3]);
  assert.deepEqual(residuals.shape, [1]);
  assert.equal(rank.item(), 2);
  assert.equal(rank.dtype, "int32");
  assert.deepEqual(s.shape, [3]);
  assertClose(x, ad.reshape(ad.matmul(ad.linalg.pinv(a), y), [3]), 1e-10, "x = pinv(a) b");
  const r = ad.sub(y, ad.matmul(a, ad.reshape(x, [3, 1])));
  assertClose(residuals, ad.sum(ad.square(r), { axis: 0 }), 1e-10, "residuals");
  // The gradient in b at a rank-deficient a is pinv(a)^T applied to the cotangent.
  const gb = ad.grad((bb: ad.Tensor) => ad.sum(ad.linalg.lstsq(a, bb)[0]))(ad.reshape(y, [6]));
  assertClose(gb, ad.sum(ad.linalg.pinv(a), { axis: 0 }), 1e-10, "d x / d b");
  const [x0, , rank0] = ad.linalg.lstsq(ad.zeros([3, 2], "float64"), ad.ones([3, 2], "float64"));
  assertClose(x0, ad.zeros([2, 2], "float64"), 0, "zero matrix: x = 0");
  assert.equal(rank0.item(), 0);
  assert.throws(() => ad.linalg.lstsq(ad.ones([3, 2]), ad.ones([4])), /ShapeError|rows/);
  assert.throws(() => ad.linalg.lstsq(ad.ones([2, 3, 2]), ad.ones([3])), /a must be 2-d/);
});

test("matrixRank: batches, tolerances, vectors and zeros", () => {
  const full = randomMatrix(51, 4, 4);
  const low = ad.matmul(randomMatrix(52, 4, 1), randomMatrix(53, 1, 4));
  assert.deepEqual(Array.from(ad.linalg.matrixRank(ad.stack([full, low])).dataSync()), [4, 1]);
  assert.equal(ad.linalg.matrixRank(ad.zeros([3, 3])).item(), 0);
  assert.equal(ad.linalg.matrixRank(ad.tensor([0, 0, 1])).item(), 1);
  assert.equal(ad.linalg.matrixRank(ad.tensor([0, 0])).item(), 0);
  const d = ad.tensor(
    [
      [1, 0],
      [0, 1e-5],
    ],
    f64,
  );
  assert.equal(ad.linalg.matrixRank(d).item(), 2);
  assert.equal(ad.linalg.matrixRank(d, { rtol: 1e-4 }).item(), 1);
});

test("cond: Infinity at singular and zero matrices in every norm; NaN input stays NaN", () => {
  const singular = ad.tensor(
    [
      [1, 2],
      [2, 4],
    ],
    f64,
  );
  for (const p of [undefined, 2, 1, -1, Infinity, "fro", "nuc"] as const) {
    assert.equal(ad.linalg.cond(singular, p).item(), Infinity, `p=${String(p)}`);
    assert.equal(ad.linalg.cond(ad.zeros([2, 2]), p).item(), Infinity, `zero, p=${String(p)}`);
  }
  assert.equal(ad.linalg.cond(singular, -2).item(), 0);
  const batch = ad.linalg.cond(
    ad.stack([
      singular,
      ad.tensor(
        [
          [2, 0],
          [0, 1],
        ],
        f64,
      ),
    ]),
    1,
  );
  assert.deepEqual(Array.from(batch.dataSync()), [Infinity, 2]);
  assert.ok(
    Number.isNaN(
      ad.linalg
        .cond(
          ad.tensor([
            [NaN, 0],
            [0, 1],
          ]),
          2,
        )
        .item(),
    ),
  );
  assert.throws(() => ad.linalg.cond(ad.ones([2, 3]), 1), /square/);
  assert.throws(() => ad.linalg.cond(ad.eye(2), 3), /p must be/);
});

test("norms at zero: derivative 0, never NaN, to second order (docs/conventions.md)", () => {
  const z = ad.zeros([2, 3], "float64");
  const fs: [string, (x: ad.Tensor) => ad.Tensor][] = [
    ["norm", (x) => ad.linalg.norm(x)],
    ["norm fro", (x) => ad.linalg.norm(x, { ord: "fro" })],
    ["norm ord 2 axis 1", (x) => ad.sum(ad.linalg.norm(x, { axis: 1 }))],
    ["vectorNorm ord 3", (x) => ad.linalg.vectorNorm(x, { ord: 3 })],
    ["matrixNorm", (x) => ad.linalg.matrixNorm(x)],
  ];
  for (const [name, f] of fs) {
    const g = ad.grad(f)(z);
    assert.ok(
      g.dataSync().every((v) => v === 0),
      `${name}: gradient at 0`,
    );
    const h = ad.hessian(f)(z);
    assert.ok(
      h.dataSync().every((v) => Number.isFinite(v)),
      `${name}: Hessian at 0`,
    );
  }
});

test("linalg.norm: NumPy's dispatch on axis and ord, and its errors", () => {
  const x = ad.tensor(
    [
      [1, -2],
      [3, 4],
    ],
    f64,
  );
  assert.equal(ad.linalg.norm(x).item(), Math.sqrt(30));
  assert.equal(ad.linalg.norm(x, { ord: Infinity }).item(), 7); // matrix: the largest row sum
  assert.equal(ad.linalg.norm(x, { ord: -Infinity }).item(), 3);
  assert.equal(ad.linalg.norm(x, { ord: 1 }).item(), 6);
  assert.equal(ad.linalg.norm(x, { ord: -1 }).item(), 4);
  assert.deepEqual(Array.from(ad.linalg.norm(x, { ord: Infinity, axis: 0 }).dataSync()), [3, 4]);
  assert.deepEqual(
    ad.linalg.norm(ad.ones([2, 3, 4]), { axis: [0, 2], keepdims: true }).shape,
    [1, 3, 1],
  );
  assert.deepEqual(ad.linalg.norm(ad.ones([2, 3, 4]), { keepdims: true }).shape, [1, 1, 1]);
  assert.throws(() => ad.linalg.norm(ad.ones([2, 2, 2]), { ord: 1 }), /1-d .* or 2-d/);
  assert.throws(() => ad.linalg.norm(ad.ones([3]), { ord: "fro" }), /matrix norm/);
  assert.throws(() => ad.linalg.norm(ad.ones([2, 2]), { ord: 3 }), /matrix norm's ord/);
  assert.throws(() => ad.linalg.norm(ad.ones([2, 2, 2]), { axis: [0, 1, 2] }), /one axis/);
  assert.throws(() => ad.linalg.norm(ad.ones([2, 2]), { axis: [1, -1] }), /repeated/);
  assert.throws(() => ad.linalg.norm(ad.ones([2]), { ords: 1 } as never), /unknown option/);
});

test("matrixPower and multiDot: values, order independence and errors", () => {
  const a = randomMatrix(61, 3, 3);
  assertClose(
    ad.linalg.matrixPower(a, -3),
    ad.linalg.inv(ad.matmul(a, ad.matmul(a, a))),
    1e-10,
    "a^-3",
  );
  assertClose(
    ad.linalg.matrixPower(ad.stack([a, a]), 0),
    ad.stack([ad.eye(3, 3, "float64"), ad.eye(3, 3, "float64")]),
    0,
    "a^0",
  );
  assert.throws(
    () =>
      ad.linalg.matrixPower(
        ad.tensor([
          [1, 2],
          [2, 4],
        ]),
        -1,
      ),
    /singular/,
  );
  assert.throws(() => ad.linalg.matrixPower(a, 1.5), /integer/);
  assert.throws(() => ad.linalg.matrixPower(ad.ones([2, 3]), 2), /square/);
  // A chain where the best order is right to left: the value is the same product.
  const m1 = randomMatrix(62, 20, 2);
  const m2 = randomMatrix(63, 2, 20);
  const m3 = randomMatrix(64, 20, 1);
  assertClose(ad.linalg.multiDot([m1, m2, m3]), ad.matmul(ad.matmul(m1, m2), m3), 1e-12, "chain");
  assert.throws(() => ad.linalg.multiDot([m1]), /at least 2/);
  assert.throws(() => ad.linalg.multiDot([m1, m1]), /do not chain/);
  assert.throws(() => ad.linalg.multiDot([m1, ad.ones([2, 2, 2]), m3]), /must be 2-d/);
});

test("svdvals, eigvalsh: order-free functions have correct first derivatives at repeated values", () => {
  const q = ad.linalg.qr(randomMatrix(71, 3, 3))[0];
  const a = ad.matmul(ad.mul(q, ad.tensor([2, 2, 1], f64)), ad.swapAxes(q, 0, 1)); // s = w = (2, 2, 1)
  ad.checkGrads((x: ad.Tensor) => ad.sum(ad.linalg.svdvals(x)), [a], { order: 1 });
  ad.checkGrads((x: ad.Tensor) => ad.linalg.norm(x, { ord: "nuc" }), [a], { order: 1 });
  ad.checkGrads((x: ad.Tensor) => ad.sum(ad.pow(ad.linalg.eigvalsh(x), 3)), [a], { order: 1 });
});

test("pinv and matrixRank with hermitian: a rank-deficient symmetric matrix, as the SVD route", () => {
  const b = randomMatrix(81, 4, 2);
  const s = ad.matmul(ad.mul(b, ad.tensor([3, -2], f64)), ad.swapAxes(b, 0, 1)); // rank 2, indefinite
  assertClose(ad.linalg.pinv(s, { hermitian: true }), ad.linalg.pinv(s), 1e-12, "pinv");
  assert.equal(ad.linalg.matrixRank(s, { hermitian: true }).item(), 2);
  ad.checkGrads(
    (x: ad.Tensor) => ad.linalg.pinv(ad.add(x, ad.swapAxes(x, 0, 1)), { hermitian: true }),
    [ad.eye(3, 3, "float64")],
    { order: 2 },
  );
  assert.throws(() => ad.linalg.pinv(ad.ones([2, 3]), { hermitian: true }), /square/);
});
