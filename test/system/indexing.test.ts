/**
 * @file Semantics and errors of the indexing and sorting ops: takeAlongAxis, stridedSlice (Python
 * slicing), sliceUpdate, argsort/sort (stability, NaN order), topk; and that integer index
 * arguments are not differentiable, with a clear error when asked.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { argsort as argsortKernel } from "../../src/backend/reference/sort.js";
import * as ad from "../../src/index.js";

const f64 = (data: ad.TensorLike) => ad.tensor(data, { dtype: "float64" });
const i32 = (data: ad.TensorLike) => ad.tensor(data, { dtype: "int32" });

/** Asserts that `fn` throws `cls` with a message containing every fragment. */
function throwsWith(fn: () => unknown, cls: new (...args: never[]) => Error, fragments: string[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
    return true;
  });
}

// ---- takeAlongAxis --------------------------------------------------------------------------------

test("takeAlongAxis: NumPy semantics along an axis, with broadcasting, negatives and axis null", () => {
  const x = f64([
    [10, 11, 12],
    [20, 21, 22],
  ]);
  assert.deepEqual(
    ad
      .takeAlongAxis(
        x,
        i32([
          [2, -3],
          [1, 1],
        ]),
        1,
      )
      .toArray(),
    [
      [12, 10],
      [21, 21],
    ],
  );
  // Along axis 0, one index row broadcast over the columns' own picks.
  assert.deepEqual(ad.takeAlongAxis(x, [[1, 0, 1]], 0).toArray(), [[20, 11, 22]]);
  // indices with a size-1 column broadcast against x's 3 columns.
  assert.deepEqual(ad.takeAlongAxis(x, [[1], [0]], 0).toArray(), [
    [20, 21, 22],
    [10, 11, 12],
  ]);
  assert.deepEqual(ad.takeAlongAxis(x, [5, 0, -1], null).toArray(), [22, 10, 22]);
  // An index along the axis of length 0 gives an empty result.
  assert.deepEqual(ad.takeAlongAxis(x, i32([[], []]), 1).shape, [2, 0]);
});

test("takeAlongAxis: duplicate indices accumulate in the gradient, in both modes", () => {
  const x = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const idx = i32([
    [0, 0, 2, 0],
    [1, 2, 2, 2],
  ]);
  const f = (t: ad.Tensor) => ad.sum(ad.takeAlongAxis(t, idx, 1));
  assert.deepEqual(ad.grad(f)(x).toArray(), [
    [3, 0, 1],
    [0, 1, 3],
  ]);
  const jf = ad.jacfwd((t: ad.Tensor) => ad.takeAlongAxis(t, idx, 1))(x);
  const jr = ad.jacrev((t: ad.Tensor) => ad.takeAlongAxis(t, idx, 1))(x);
  assert.deepEqual(jf.toArray(), jr.toArray());
  // x broadcast along axis 0 (size 1 against 2 index rows): its gradient sums over both.
  const xb = f64([[1, 2, 3]]);
  const w = f64([
    [1, 2],
    [3, 4],
  ]);
  const fb = (t: ad.Tensor) =>
    ad.sum(
      ad.mul(
        ad.takeAlongAxis(
          t,
          i32([
            [0, 2],
            [2, 2],
          ]),
          1,
        ),
        w,
      ),
    );
  assert.deepEqual(ad.grad(fb)(xb).toArray(), [[1, 0, 9]]);
  ad.checkGrads(fb, [xb], { order: 2 });
});

test("takeAlongAxis: errors name the op, the argument and what came", () => {
  const x = f64([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ]);
  throwsWith(() => ad.takeAlongAxis(x, i32([[0, 4]]), 1), ad.ValueError, [
    "takeAlongAxis",
    "index 4 is out of range for axis 1 of size 4",
  ]);
  throwsWith(() => ad.takeAlongAxis(x, i32([[-5]]), 1), ad.ValueError, ["index -5"]);
  throwsWith(() => ad.takeAlongAxis(x, f64([[0, 1]]), 1), ad.DTypeError, [
    "takeAlongAxis: indices must have dtype int32; got float64",
  ]);
  throwsWith(() => ad.takeAlongAxis(x, [[true, false]], 1), ad.DTypeError, ["booleans"]);
  throwsWith(() => ad.takeAlongAxis(x, [[0.5]], 1), ad.ValueError, ["integers", "0.5"]);
  throwsWith(() => ad.takeAlongAxis(x, [0, 1], 1), ad.ShapeError, [
    "as many dimensions as x (2",
    "got shape [2]",
  ]);
  throwsWith(() => ad.takeAlongAxis(x, i32([[0], [1], [0]]), 1), ad.ShapeError, [
    "do not broadcast",
    "axis 0 (3 vs 2)",
  ]);
  throwsWith(() => ad.takeAlongAxis(x, i32([[0]]), 2), ad.ValueError, ["takeAlongAxis: axis"]);
  throwsWith(() => ad.takeAlongAxis(x, i32([[0]]), null), ad.ShapeError, ["must be 1-d"]);
});

// ---- integer index arguments are not differentiable --------------------------------------------------

test("index arguments: grad/jacrev/jacfwd of take, takeAlongAxis, scatterAdd w.r.t. int indices is a DTypeError", () => {
  const x = f64([1, 2, 3]);
  const idx = i32([2, 0]);
  const cases: [string, (x: ad.Tensor, i: ad.Tensor) => ad.Tensor][] = [
    ["take", (t, i) => ad.sum(ad.take(t, i))],
    ["takeAlongAxis", (t, i) => ad.sum(ad.takeAlongAxis(t, i, 0))],
    ["scatterAdd", (t, i) => ad.sum(ad.scatterAdd(t, i, ad.ones([2], "float64")))],
  ];
  for (const [name, f] of cases) {
    // The gradient w.r.t. x works; w.r.t. the indices it is refused by name and dtype.
    assert.equal(ad.grad(f)(x, idx).shape[0], 3, name);
    throwsWith(() => ad.grad(f, { argnums: 1 })(x, idx), ad.DTypeError, [
      "grad: argument 1 has dtype int32",
      "float arguments only",
    ]);
    throwsWith(() => ad.grad(f, { argnums: [0, 1] })(x, idx), ad.DTypeError, ["argument 1"]);
    throwsWith(() => ad.jacrev(f, { argnums: 1 })(x, idx), ad.DTypeError, ["jacrev", "int32"]);
    throwsWith(() => ad.jacfwd(f, { argnums: 1 })(x, idx), ad.DTypeError, ["jacfwd", "int32"]);
    // jvp passes integer primals through undifferentiated: their tangent is ignored (zero).
    const [, tangent] = ad.jvp((i: ad.Tensor) => f(x, i), [idx], [ad.zeros([2], "int32")]);
    assert.equal(tangent.item(), 0);
    // Float indices (what differentiating an index would need) are refused by the op itself.
    throwsWith(() => ad.grad(f, { argnums: 1 })(x, f64([2, 0])), ad.DTypeError, [
      `${name}: indices must have dtype int32; got float64`,
    ]);
  }
  // After the errors the library is in a clean state.
  assert.deepEqual(ad.grad(cases[0]![1])(x, idx).toArray(), [1, 0, 1]);
});

// ---- stridedSlice ---------------------------------------------------------------------------------

test("stridedSlice: the same elements as Python's x[b:e:s] (values from CPython)", () => {
  const x = ad.arange(7);
  // [begin, end, step, list(range(7))[begin:end:step]]
  const cases: [number | null, number | null, number, number[]][] = [
    [1, 5, 2, [1, 3]],
    [-2, null, 1, [5, 6]],
    [null, null, -1, [6, 5, 4, 3, 2, 1, 0]],
    [5, 1, -2, [5, 3]],
    [-100, 100, 3, [0, 3, 6]],
    [6, -8, -3, [6, 3, 0]],
    [2, 2, 1, []],
    [4, 1, 1, []],
    [null, -3, -1, [6, 5]],
    [10, null, -4, [6, 2]],
    [-9, -7, 1, []],
    [0, 7, 7, [0]],
  ];
  for (const [b, e, s, expected] of cases) {
    const out = ad.stridedSlice(x, [b], [e], [s]);
    assert.deepEqual(out.toArray(), expected, `x[${b}:${e}:${s}]`);
    assert.equal(out.dtype, "int32");
  }
});

test("stridedSlice: several axes, defaults for missing entries, and its gradient", () => {
  const x = ad.reshape(ad.arange(24, undefined, undefined, "float64"), [4, 6]);
  // x[::2, 1::2] and x[::-1] (later axes whole).
  assert.deepEqual(ad.stridedSlice(x, [null, 1], undefined, [2, 2]).toArray(), [
    [1, 3, 5],
    [13, 15, 17],
  ]);
  assert.deepEqual(
    (ad.stridedSlice(x, [], [], [-1]).toArray() as number[][]).map((r) => r[0]),
    [18, 12, 6, 0],
  );
  assert.equal(ad.stridedSlice(x, [0]), x);
  // The gradient of a sum over a stepped, reversed selection marks the selected positions.
  const g = ad.grad((t: ad.Tensor) =>
    ad.sum(ad.mul(ad.stridedSlice(t, [0, -1], [null, null], [3, -4]), f64([[1, 2]]))),
  )(x);
  const expected = Array.from({ length: 4 }, () => new Array<number>(6).fill(0));
  expected[0]![5] = 1;
  expected[0]![1] = 2;
  expected[3]![5] = 1;
  expected[3]![1] = 2;
  assert.deepEqual(g.toArray(), expected);
});

test("stridedSlice: errors", () => {
  const x = ad.zeros([3, 4]);
  throwsWith(() => ad.stridedSlice(x, [0], [3], [0]), ad.ValueError, [
    "stridedSlice: step[0] must be a non-zero integer; got 0",
  ]);
  throwsWith(() => ad.stridedSlice(x, [0, 0, 0]), ad.ValueError, [
    "begin must be an array of at most 2 entries",
  ]);
  throwsWith(() => ad.stridedSlice(x, [0.5]), ad.ValueError, ["begin[0] must be an integer"]);
  throwsWith(() => ad.stridedSlice(x, [0], [1], [1, 1.5]), ad.ValueError, ["step[1]"]);
});

// ---- sliceUpdate ----------------------------------------------------------------------------------

test("sliceUpdate: replaces the block, leaves x unchanged, promotes dtypes", () => {
  const x = ad.zeros([3, 4], "int32");
  const y = ad.sliceUpdate(x, [1, -3], i32([[7, 8]]));
  assert.deepEqual(y.toArray(), [
    [0, 0, 0, 0],
    [0, 7, 8, 0],
    [0, 0, 0, 0],
  ]);
  assert.deepEqual(x.toArray(), [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ]);
  const z = ad.sliceUpdate(x, [2], f64([[0.5, 0.25, 1, 2]]));
  assert.equal(z.dtype, "float64");
  assert.deepEqual(z.toArray(), [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0.5, 0.25, 1, 2],
  ]);
  // An empty block changes nothing; a full one replaces everything.
  assert.deepEqual(ad.sliceUpdate(x, [3, 0], i32([[]]).reshape([0, 0])).toArray(), x.toArray());
  assert.deepEqual(ad.sliceUpdate(f64([1, 2]), [0], f64([3, 4])).toArray(), [3, 4]);
});

test("sliceUpdate: gradient is zero inside the block for x and the block of the cotangent for values", () => {
  const x = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const v = f64([[10, 20]]);
  const w = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const f = (a: ad.Tensor, b: ad.Tensor) => ad.sum(ad.mul(ad.sliceUpdate(a, [1, 1], b), w));
  const [gx, gv] = ad.grad(f, { argnums: [0, 1] })(x, v) as ad.Tensor[];
  assert.deepEqual(gx!.toArray(), [
    [1, 2, 3],
    [4, 0, 0],
  ]);
  assert.deepEqual(gv!.toArray(), [[5, 6]]);
  ad.checkGrads(f, [x, v], { order: 2 });
});

test("sliceUpdate: errors", () => {
  const x = ad.zeros([3, 4]);
  throwsWith(() => ad.sliceUpdate(x, [2, 0], ad.ones([2, 2])), ad.ShapeError, [
    "sliceUpdate: values of shape [2,2]",
    "overrun axis 0",
  ]);
  throwsWith(() => ad.sliceUpdate(x, [0], ad.ones([2])), ad.ShapeError, [
    "values must have as many dimensions as x (2",
  ]);
  throwsWith(() => ad.sliceUpdate(x, [4, 0], ad.ones([0, 1])), ad.ValueError, [
    "begin[0] = 4 is out of range",
  ]);
  throwsWith(() => ad.sliceUpdate(x, [0, 0, 0], ad.ones([1, 1])), ad.ValueError, ["begin"]);
});

// ---- argsort and sort -----------------------------------------------------------------------------

test("argsort: stable in both directions; ties keep their original order", () => {
  const x = f64([2, 1, 2, 1, 2]);
  assert.deepEqual(ad.argsort(x).toArray(), [1, 3, 0, 2, 4]);
  assert.deepEqual(ad.argsort(x, { descending: true }).toArray(), [0, 2, 4, 1, 3]);
  // -0 and +0 are equal, so they keep their order too.
  assert.deepEqual(ad.argsort(f64([0, -0, 0])).toArray(), [0, 1, 2]);
  assert.deepEqual(ad.argsort(f64([-0, 0, -0]), { descending: true }).toArray(), [0, 1, 2]);
  // int32 and bool inputs sort too.
  assert.deepEqual(ad.argsort(i32([3, -1, 3, 0])).toArray(), [1, 3, 0, 2]);
  assert.deepEqual(ad.argsort([true, false, true, false]).toArray(), [1, 3, 0, 2]);
});

test("argsort: NaN sorts last ascending (NumPy) and first descending, in original order", () => {
  const x = f64([NaN, 1, Infinity, NaN, -Infinity, 1]);
  assert.deepEqual(ad.argsort(x).toArray(), [4, 1, 5, 2, 0, 3]);
  assert.deepEqual(ad.argsort(x, { descending: true }).toArray(), [0, 3, 2, 1, 5, 4]);
  const s = ad.sort(x).toArray() as number[];
  assert.deepEqual(s.slice(0, 4), [-Infinity, 1, 1, Infinity]);
  assert.ok(Number.isNaN(s[4]) && Number.isNaN(s[5]));
});

test("argsort: matches a stable library sort on long rows with many ties, on any axis", () => {
  // Long enough for several merge passes; values from a small set so ties are everywhere.
  const n = 1000;
  const values = Array.from(
    { length: 3 * n },
    (_, i) => ((i * 7919) % 13) - 6 + (i % 17 === 0 ? NaN : 0),
  );
  const x = ad.tensor(values, { dtype: "float32", shape: [3, n] });
  const byRow = ad.argsort(x, { axis: 1 }).toArray() as number[][];
  const byRowDesc = ad.argsort(x, { axis: 1, descending: true }).toArray() as number[][];
  for (let r = 0; r < 3; r++) {
    const row = values.slice(r * n, (r + 1) * n);
    const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
    const nanRank = (v: number) => (Number.isNaN(v) ? 1 : 0);
    // Array.prototype.sort is stable (ES2019).
    const asc = row
      .map((_, i) => i)
      .sort((a, b) => nanRank(row[a]!) - nanRank(row[b]!) || key(row[a]!) - key(row[b]!));
    const desc = row
      .map((_, i) => i)
      .sort((a, b) => nanRank(row[b]!) - nanRank(row[a]!) || key(row[b]!) - key(row[a]!));
    assert.deepEqual(byRow[r], asc);
    assert.deepEqual(byRowDesc[r], desc);
  }
  // Axis 0 of a 3-d tensor: each (j, k) column sorted on its own.
  const y = ad.reshape(ad.tensor(values.slice(0, 60), { dtype: "float64" }), [5, 3, 4]);
  const idx = ad.argsort(y, { axis: 0 });
  const sorted = ad.takeAlongAxis(y, idx, 0).toArray() as number[][][];
  for (let j = 0; j < 3; j++)
    for (let k = 0; k < 4; k++)
      for (let i = 1; i < 5; i++) {
        const a = sorted[i - 1]![j]![k]!;
        const b = sorted[i]![j]![k]!;
        assert.ok(Number.isNaN(b) || a <= b, `column (${j}, ${k}) is not sorted`);
      }
});

test("argsort: the reference kernel's contract (rows along a middle axis, int32 out)", () => {
  const x = Float64Array.of(3, 1, 2, 0, 5, 4); // shape [3, 2], sorted along axis 0
  const out = new Int32Array(6);
  argsortKernel(x, [3, 2], 0, false, out);
  // Columns [3, 2, 5] and [1, 0, 4] both sort as rows 1, 0, 2.
  assert.deepEqual(Array.from(out), [1, 1, 0, 0, 2, 2]);
  argsortKernel(x, [3, 2], 0, true, out);
  assert.deepEqual(Array.from(out), [2, 2, 0, 0, 1, 1]);
  // Empty axes write nothing and do not fail.
  argsortKernel(new Float64Array(0), [0, 3], 1, false, new Int32Array(0));
});

test("sort: axis null flattens; descending; the gradient follows the stable order at ties", () => {
  const x = f64([
    [3, 1],
    [2, 0],
  ]);
  assert.deepEqual(ad.sort(x, { axis: null }).toArray(), [0, 1, 2, 3]);
  assert.deepEqual(ad.sort(x, { axis: 0, descending: true }).toArray(), [
    [3, 1],
    [2, 0],
  ]);
  // Ties: sort([1, 1, 0]) = [x2, x0, x1], so the weights go back in that order.
  const w = f64([10, 20, 30]);
  const f = (t: ad.Tensor) => ad.sum(ad.mul(ad.sort(t), w));
  const t0 = f64([1, 1, 0]);
  assert.deepEqual(ad.grad(f)(t0).toArray(), [20, 30, 10]);
  // Forward mode agrees with reverse at the tie.
  const [, tangent] = ad.jvp(f, [t0], [f64([1, 0, 0])]);
  assert.equal(tangent.item(), 20);
  // argsort results are integers: no derivative flows through them.
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.mul(ad.astype(ad.argsort(t), "float64"), t)))(
    f64([0.3, 0.1, 0.2]),
  );
  assert.deepEqual(g.toArray(), [1, 2, 0]);
});

test("sort/argsort: errors", () => {
  throwsWith(() => ad.sort(f64([1, 2]), { axis: 1 }), ad.ValueError, ["sort: axis"]);
  throwsWith(() => ad.argsort(ad.scalar(1)), ad.ValueError, ["argsort: axis", "0-d"]);
  assert.deepEqual(ad.argsort(ad.scalar(1), { axis: null }).toArray(), [0]);
});

// ---- topk -----------------------------------------------------------------------------------------

test("topk: largest first, ties in index order, NaN largest; values and int32 indices", () => {
  const [v, i] = ad.topk(f64([1, 4, 2, 4, 3]), 3);
  assert.deepEqual(v.toArray(), [4, 4, 3]);
  assert.deepEqual(i.toArray(), [1, 3, 4]);
  assert.equal(i.dtype, "int32");
  const [vn, in_] = ad.topk(f64([1, NaN, 5]), 2);
  assert.ok(Number.isNaN((vn.toArray() as number[])[0]));
  assert.deepEqual(in_.toArray(), [1, 2]);
  // Along another axis; k = 0 and k = n.
  const x = f64([
    [1, 9],
    [7, 3],
    [5, 5],
  ]);
  const [va, ia] = ad.topk(x, 2, { axis: 0 });
  assert.deepEqual(va.toArray(), [
    [7, 9],
    [5, 5],
  ]);
  assert.deepEqual(ia.toArray(), [
    [1, 0],
    [2, 2],
  ]);
  assert.deepEqual(ad.topk(x, 0)[0].shape, [3, 0]);
  assert.deepEqual(ad.topk(x, 2)[0].toArray(), [
    [9, 1],
    [7, 3],
    [5, 5],
  ]);
});

test("topk: the gradient scatters back to where the values came from", () => {
  const x = f64([1, 4, 2, 3]);
  const f = (t: ad.Tensor) => ad.sum(ad.mul(ad.topk(t, 2)[0], f64([1, 10])));
  assert.deepEqual(ad.grad(f)(x).toArray(), [0, 1, 0, 10]);
  ad.checkGrads(f, [x], { order: 2 });
});

test("topk: errors for k out of range", () => {
  const x = f64([1, 2, 3]);
  throwsWith(() => ad.topk(x, 4), ad.ValueError, ["topk: k must be an integer in [0, 3]", "got 4"]);
  throwsWith(() => ad.topk(x, -1), ad.ValueError, ["got -1"]);
  throwsWith(() => ad.topk(x, 1.5), ad.ValueError, ["got 1.5"]);
  throwsWith(() => ad.topk(x, 1, { axis: 1 }), ad.ValueError, ["topk: axis"]);
});
