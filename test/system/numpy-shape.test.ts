/**
 * @file Edge cases, dtypes and typed errors of the NumPy shape, joining, matrix-structure and
 * product composites (their values and derivatives are in test/op-specs/numpy-shape.ts).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const throwsLike = (f: () => unknown, cls: typeof ad.AdjointError, start: string) =>
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}; got ${String(e)}`);
    assert.ok((e as Error).message.startsWith(start), (e as Error).message);
    return true;
  });

test("typed errors name the op and the argument", () => {
  throwsLike(() => ad.diagonal(ad.ones([3])), ad.ValueError, "diagonal: x must be at least 2-d");
  throwsLike(
    () => ad.diagonal(ad.ones([2, 2]), 0, 1, -1),
    ad.ValueError,
    "diagonal: axis1 and axis2",
  );
  throwsLike(
    () => ad.diagonal(ad.ones([2, 2]), 0.5),
    ad.ValueError,
    "diagonal: offset must be an integer",
  );
  throwsLike(() => ad.trace(ad.ones([2])), ad.ValueError, "diagonal: x must be at least 2-d");
  throwsLike(() => ad.diag(ad.ones([2, 2, 2])), ad.ValueError, "diag: v must be 1-d or 2-d");
  throwsLike(() => ad.tril(ad.ones([3])), ad.ValueError, "tril: x must be at least 2-d");
  throwsLike(() => ad.triu(ad.ones([3])), ad.ValueError, "triu: x must be at least 2-d");
  throwsLike(() => ad.tri(-1), ad.ValueError, "tri: n must be a non-negative integer");
  throwsLike(() => ad.vander(ad.ones([2, 2])), ad.ValueError, "vander: x must be 1-d");
  throwsLike(
    () => ad.tensordot(ad.ones([2, 3]), ad.ones([2, 3]), 1),
    ad.ShapeError,
    "tensordot: axis 1 of a",
  );
  throwsLike(
    () => ad.tensordot(ad.ones([2]), ad.ones([2]), 2),
    ad.ValueError,
    "tensordot: axes must be an integer in [0, 1]",
  );
  throwsLike(
    () => ad.tensordot(ad.ones([2]), ad.ones([2]), [[0], [0, 0]]),
    ad.ValueError,
    "tensordot: axes[1] has a repeated axis",
  );
  throwsLike(() => ad.inner(ad.ones([2]), ad.ones([3])), ad.ShapeError, "inner: the last axes");
  throwsLike(() => ad.vdot(ad.ones([2]), ad.ones([3])), ad.ShapeError, "vdot: a [2] and b [3]");
  throwsLike(
    () => ad.vecdot(ad.ones([2]), ad.ones([3])),
    ad.ShapeError,
    "vecdot: axis -1 has length 2",
  );
  throwsLike(
    () => ad.vecdot(ad.ones([2]), ad.ones([2]), { axes: 0 } as never),
    ad.ValueError,
    'vecdot: unknown option "axes"',
  );
  throwsLike(
    () => ad.matvec(ad.ones([2]), ad.ones([2])),
    ad.ValueError,
    "matvec: x1 must be at least 2-d",
  );
  throwsLike(
    () => ad.matvec(ad.ones([2, 3]), ad.ones([2])),
    ad.ShapeError,
    "matmul: inner dimensions",
  );
  throwsLike(
    () => ad.vecmat(ad.ones([2]), ad.ones([2])),
    ad.ValueError,
    "vecmat: x1 must be at least 1-d",
  );
  throwsLike(
    () => ad.cross(ad.ones([4]), ad.ones([3])),
    ad.ValueError,
    "cross: the vector axis of a",
  );
  throwsLike(
    () => ad.cross(ad.ones([3]), ad.ones([3]), { axisb: 1 }),
    ad.ValueError,
    "cross: axisb must be",
  );
  throwsLike(
    () => ad.moveaxis(ad.ones([2, 3]), [0, 1], [0]),
    ad.ValueError,
    "moveaxis: source and destination",
  );
  throwsLike(
    () => ad.moveaxis(ad.ones([2, 3]), [0, 0], [0, 1]),
    ad.ValueError,
    "moveaxis: source has a repeated axis",
  );
  throwsLike(() => ad.fliplr(ad.ones([3])), ad.ValueError, "fliplr: x must be at least 2-d");
  throwsLike(() => ad.flipud(ad.scalar(1)), ad.ValueError, "flipud: x must be at least 1-d");
  throwsLike(() => ad.rot90(ad.ones([2, 2]), 1.5), ad.ValueError, "rot90: k must be an integer");
  throwsLike(
    () => ad.rot90(ad.ones([2, 2]), 1, [0, 0]),
    ad.ValueError,
    "rot90: axes has a repeated axis",
  );
  throwsLike(() => ad.repeat(ad.ones([3]), -1), ad.ValueError, "repeat: repeats must be");
  throwsLike(() => ad.repeat(ad.ones([3]), [1, 2]), ad.ValueError, "repeat: repeats has 2 counts");
  throwsLike(() => ad.vstack([]), ad.ValueError, "vstack: expected a non-empty array");
  throwsLike(() => ad.hstack([ad.ones([2, 2]), ad.ones([3, 1])]), ad.ShapeError, "concat");
  throwsLike(
    () => ad.meshgrid([ad.ones([2])], { indexing: "yx" as "xy" }),
    ad.ValueError,
    'meshgrid: indexing must be "xy" or "ij"',
  );
  throwsLike(() => ad.indices([2, -1]), ad.ValueError, "indices: dimensions must be");
  throwsLike(
    () => ad.broadcastShapes([2], [3]),
    ad.ShapeError,
    "broadcastShapes: cannot broadcast",
  );
  throwsLike(
    () => ad.broadcastArrays(ad.ones([2]), ad.ones([3])),
    ad.ShapeError,
    "broadcastArrays: cannot broadcast",
  );
  throwsLike(
    () => ad.diagIndicesFrom(ad.ones([2, 3])),
    ad.ValueError,
    "diagIndicesFrom: x must have axes",
  );
  throwsLike(
    () => ad.applyOverAxes((t) => ad.sum(t), ad.ones([2, 3, 4]), [0]),
    ad.ValueError,
    "applyOverAxes: func must keep the rank 3 or drop one axis",
  );
  throwsLike(
    () => ad.applyAlongAxis(() => 3 as unknown as ad.Tensor, 0, ad.ones([2])),
    ad.ValueError,
    "applyAlongAxis: the function must return a Tensor",
  );
});

test("integer and bool inputs keep NumPy's dtypes", () => {
  const i = ad.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "int32" },
  );
  assert.equal(ad.trace(i).dtype, "int32");
  assert.equal(ad.diagonal(i).dtype, "int32");
  assert.equal(ad.tril(i).dtype, "int32");
  assert.equal(ad.diag(ad.tensor([1, 2], { dtype: "int32" })).dtype, "int32");
  assert.equal(ad.tensordot(i, i).dtype, "int32");
  assert.equal(ad.kron(i, i).dtype, "int32");
  assert.equal(
    ad.cross(ad.tensor([1, 0, 0], { dtype: "int32" }), ad.tensor([0, 1, 0], { dtype: "int32" }))
      .dtype,
    "int32",
  );
  assert.equal(ad.repeat(i, 2).dtype, "int32");
  assert.equal(ad.vstack([i, i]).dtype, "int32");
  assert.equal(ad.indices([2]).dtype, "int32");
  assert.equal(ad.tri(2, 2, 0, "bool").dtype, "bool");
  assert.equal(ad.tensordot(ad.tensor([true, false]), ad.tensor([true, true]), 1).dtype, "int32");
  assert.equal(ad.trace(i).item(), 5);
});

test("empty and degenerate cases follow NumPy", () => {
  assert.deepEqual(ad.diagonal(ad.ones([2, 3]), 5).shape, [0]);
  assert.equal(ad.trace(ad.ones([2, 3]), -4).item(), 0);
  assert.deepEqual(ad.repeat(ad.tensor([1, 2]), [0, 3]).toArray(), [2, 2, 2]);
  assert.deepEqual(ad.repeat(ad.tensor([1, 2]), 0).shape, [0]);
  assert.deepEqual(ad.hstack([ad.scalar(1), ad.scalar(2)]).shape, [2]);
  assert.deepEqual(ad.vstack([ad.scalar(1), ad.scalar(2)]).shape, [2, 1]);
  assert.deepEqual(ad.vander(ad.tensor([2, 3]), 0).shape, [2, 0]);
  assert.deepEqual(ad.meshgrid([ad.tensor([1, 2, 3])])[0]!.shape, [3]);
  assert.deepEqual(ad.meshgrid([]), []);
  assert.deepEqual(ad.indices([]).shape, [0]);
  assert.deepEqual(ad.tensordot(ad.ones([2]), ad.ones([3]), 0).shape, [2, 3]);
  assert.deepEqual(ad.atleast3d(ad.scalar(1)).shape, [1, 1, 1]);
  assert.deepEqual(ad.rot90(ad.ones([2, 3]), 4).shape, [2, 3]);
  assert.deepEqual(ad.rot90(ad.ones([2, 3]), -3).shape, [3, 2]);
  assert.deepEqual(ad.broadcastShapes(), []);
  assert.deepEqual(ad.tri(0).shape, [0, 0]);
});

test("diag keeps zeros off the diagonal for infinite entries", () => {
  assert.deepEqual(ad.diag(ad.tensor([Infinity, 1])).toArray(), [
    [Infinity, 0],
    [0, 1],
  ]);
});

test("vander's derivative is exact at zero and negative x (repeated products, no log)", () => {
  const x = ad.tensor([-1, 0, 2], { dtype: "float64" });
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.vander(t, 4)))(x);
  // d/dx (x^3 + x^2 + x + 1) = 3x^2 + 2x + 1
  assert.deepEqual(g.toArray(), [2, 1, 17]);
});

test("trace and diagonal differentiate to the identity pattern, also under vmap", () => {
  const a = ad.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { dtype: "float64" },
  );
  assert.deepEqual(
    ad
      .grad((m: ad.Tensor) => ad.trace(m, 1))(a)
      .toArray(),
    [
      [0, 1, 0],
      [0, 0, 1],
    ],
  );
  const batched = ad.vmap(ad.grad((m: ad.Tensor) => ad.trace(m)))(ad.stack([a, a]));
  assert.deepEqual(batched.shape, [2, 2, 3]);
  assert.deepEqual((batched.toArray() as number[][][])[1], [
    [1, 0, 0],
    [0, 1, 0],
  ]);
});
