/**
 * @file roll is one gather (the tape holds one node, the backward pass one scatter), its
 * derivative is the roll back; arraySplit/hsplit/vsplit/dsplit follow NumPy's index form and
 * errors, beside split's sizes form.
 */

// The package entry first: deep imports alone start the module graph in the middle of a cycle.
import "../../src/index.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AnyPrimitive } from "../../src/core/primitive.js";
import { setEvalObserver } from "../../src/core/trace.js";
import * as ad from "../../src/index.js";

const f64 = (data: ad.TensorLike) => ad.tensor(data, { dtype: "float64" });

/** The names of the primitives evaluated while running `body`, in order. */
function primitivesOf(body: () => unknown): string[] {
  const seen: string[] = [];
  const prev = setEvalObserver({
    afterEval(prim: AnyPrimitive) {
      seen.push(prim.name);
    },
  });
  try {
    body();
  } finally {
    setEvalObserver(prev);
  }
  return seen;
}

test("roll: one gather forward (no slices, no concatenation), for one axis, several, or flat", () => {
  // Several axes and the flat form gather from the flattened x (a reshape, which copies nothing
  // on the tape) with indices of x's shape.
  const x = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(
    primitivesOf(() => ad.roll(x, 1, 1)),
    ["gather"],
  );
  assert.deepEqual(
    primitivesOf(() => ad.roll(x, [1, 2], [0, 1])),
    ["reshape", "gather"],
  );
  assert.deepEqual(
    primitivesOf(() => ad.roll(x, 4)),
    ["reshape", "gather"],
  );
  // A shift that is a whole turn is no op at all.
  assert.deepEqual(
    primitivesOf(() => ad.roll(x, 3, 1)),
    [],
  );
  assert.equal(ad.roll(x, [2, -3], [0, 1]), x);
});

test("roll: NumPy values (tuple shifts, broadcast shift, repeated axes, empty arrays)", () => {
  const x = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(ad.roll(x, 1).toArray(), [
    [6, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(ad.roll(x, [1, 2]).toArray(), ad.roll(x, 3).toArray(), "flat shifts add up");
  assert.deepEqual(ad.roll(x, 1, [0, 1]).toArray(), [
    [6, 4, 5],
    [3, 1, 2],
  ]);
  assert.deepEqual(ad.roll(x, [1, 1], [1, 1]).toArray(), ad.roll(x, 2, 1).toArray());
  assert.deepEqual(ad.roll(x, -7, -1).toArray(), [
    [2, 3, 1],
    [5, 6, 4],
  ]);
  assert.deepEqual(ad.roll(ad.zeros([0, 3]), 1, 0).shape, [0, 3]);
  assert.deepEqual(ad.roll(ad.scalar(5), 3).toArray(), 5);
});

test("roll: the derivative is the roll back, in both modes; the backward pass binds one scatter", () => {
  const x = f64([1, 2, 3, 4, 5]);
  const w = f64([1, 10, 100, 1000, 10000]);
  const f = (t: ad.Tensor) => ad.sum(ad.mul(ad.roll(t, 2), w));
  const g = ad.grad(f)(x);
  assert.deepEqual(g.toArray(), ad.roll(w, -2).toArray());
  const [, tangent] = ad.jvp((t: ad.Tensor) => ad.roll(t, 2), [x], [w]);
  assert.deepEqual(tangent.toArray(), ad.roll(w, 2).toArray());
  const backward = primitivesOf(() => ad.grad(f)(x)).filter(
    (p) => p !== "mul" && p !== "reduce_sum",
  );
  assert.deepEqual(
    backward.filter((p) => p === "gather" || p === "scatter_add" || p === "slice"),
    ["gather", "scatter_add"],
  );
});

test("roll: errors name the argument", () => {
  const x = f64([1, 2, 3]);
  assert.throws(() => ad.roll(x, 1.5), /roll: shift must be an integer or an array of integers/);
  assert.throws(() => ad.roll(x, 1, 1), /roll: axis must be an integer in \[-1, 0\]; got 1/);
  assert.throws(
    () => ad.roll(ad.ones([2, 2]), [1, 2, 3], [0, 1]),
    /roll: shift and axis must have the same length .* 3 shifts and 2 axes/,
  );
});

test("arraySplit: index form and uneven sections; split keeps its sizes form", () => {
  const x = ad.arange(7);
  const values = (ps: ad.Tensor[]) => ps.map((p) => p.toArray());
  assert.deepEqual(values(ad.arraySplit(x, 3)), [
    [0, 1, 2],
    [3, 4],
    [5, 6],
  ]);
  assert.deepEqual(values(ad.arraySplit(x, [2, 3])), [[0, 1], [2], [3, 4, 5, 6]]);
  assert.deepEqual(values(ad.split(x, [2, 5])), [
    [0, 1],
    [2, 3, 4, 5, 6],
  ]);
  // More sections than elements: the last ones are empty (NumPy).
  assert.deepEqual(values(ad.arraySplit(ad.arange(2), 3)), [[0], [1], []]);
  // Points past the end are clipped; a point before the previous one gives an empty piece.
  assert.deepEqual(values(ad.arraySplit(x, [5, 2, 9])), [[0, 1, 2, 3, 4], [], [2, 3, 4, 5, 6], []]);
  assert.deepEqual(values(ad.arraySplit(x, [])), [[0, 1, 2, 3, 4, 5, 6]]);
  assert.throws(
    () => ad.arraySplit(x, 0),
    /arraySplit: the number of sections must be a positive integer; got 0/,
  );
  assert.throws(
    () => ad.arraySplit(x, [1.5]),
    /arraySplit: indicesOrSections must be an integer or an array of integers/,
  );
  assert.throws(
    () => ad.arraySplit(x, 2, 1),
    /arraySplit: axis must be an integer in \[-1, 0\]; got 1/,
  );
});

test("hsplit, vsplit, dsplit: NumPy's axes, equal sections only, dimension checks", () => {
  const shapes = (ps: ad.Tensor[]) => ps.map((p) => p.shape);
  assert.deepEqual(shapes(ad.hsplit(ad.ones([2, 6, 3]), 3)), [
    [2, 2, 3],
    [2, 2, 3],
    [2, 2, 3],
  ]);
  assert.deepEqual(shapes(ad.hsplit(ad.ones([6]), [4])), [[4], [2]]);
  assert.deepEqual(shapes(ad.vsplit(ad.ones([4, 1]), [1, 2])), [
    [1, 1],
    [1, 1],
    [2, 1],
  ]);
  assert.deepEqual(shapes(ad.dsplit(ad.ones([1, 1, 4]), 2)), [
    [1, 1, 2],
    [1, 1, 2],
  ]);
  assert.throws(
    () => ad.hsplit(ad.scalar(1), 1),
    /hsplit: x must have at least 1 dimension; got 0/,
  );
  assert.throws(
    () => ad.vsplit(ad.ones([4]), 2),
    /vsplit: x must have at least 2 dimensions; got 1/,
  );
  assert.throws(
    () => ad.dsplit(ad.ones([2, 2]), 2),
    /dsplit: x must have at least 3 dimensions; got 2/,
  );
  assert.throws(
    () => ad.hsplit(ad.ones([2, 5]), 2),
    /hsplit: axis 1 of size 5 cannot be split into 2 equal sections \(arraySplit allows uneven ones\)/,
  );
});

test("splits: gradients flow back to the right places through every piece", () => {
  const x = f64([1, 2, 3, 4, 5]);
  const f = (t: ad.Tensor) => {
    const [a, b, c] = ad.arraySplit(t, [1, 3]) as [ad.Tensor, ad.Tensor, ad.Tensor];
    return ad.add(ad.add(ad.sum(a), ad.mul(ad.sum(b), 2)), ad.mul(ad.sum(c), 3));
  };
  assert.deepEqual(ad.grad(f)(x).toArray(), [1, 2, 2, 3, 3]);
  const vm = ad.vmap((t: ad.Tensor) => ad.hsplit(t, [2])[1]!)(
    f64([
      [1, 2, 3],
      [4, 5, 6],
    ]),
  );
  assert.deepEqual(vm.toArray(), [[3], [6]]);
});
