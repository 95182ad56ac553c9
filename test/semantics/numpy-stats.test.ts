/**
 * @file Semantics of the NumPy statistics, nan-reductions, sequences, logic and windows beyond
 * the op-spec table: NaN handling (zero derivatives at NaN entries in both modes, all-NaN lines),
 * derivatives through the sort of quantiles, edge cases and the errors.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose, f64, valuesOf } from "./helpers.js";

const NaN_ = Number.NaN;
type F = (x: ad.Tensor) => ad.Tensor;

/** The gradient of sum(f(x)) and the forward derivative along each basis vector, as arrays. */
function bothModes(f: F, x: ad.Tensor): [number[], number[]] {
  const rev = valuesOf(ad.grad((t: ad.Tensor) => ad.sum(f(t)))(x));
  const fwd = valuesOf(ad.jacfwd((t: ad.Tensor) => ad.sum(f(t)))(x));
  return [rev, fwd];
}

test("nan-reductions: zero derivative at NaN entries, finite elsewhere, in both modes", () => {
  const x = f64([
    [1, NaN_, 3],
    [NaN_, 2, 2],
  ]);
  const cases: [string, F, number[]][] = [
    ["nansum", (t) => ad.nansum(t, { axis: 1 }), [1, 0, 1, 0, 1, 1]],
    ["nanmean", (t) => ad.nanmean(t, { axis: 1 }), [0.5, 0, 0.5, 0, 0.5, 0.5]],
    ["nanprod", (t) => ad.nanprod(t, { axis: 1 }), [3, 0, 1, 0, 2, 2]],
    ["nanvar", (t) => ad.nanvar(t, { axis: 1 }), [-1, 0, 1, 0, 0, 0]],
    // Row 2 has zero spread: the double where gives 0, not NaN.
    ["nanstd", (t) => ad.nanstd(t, { axis: 1 }), [-0.5, 0, 0.5, 0, 0, 0]],
    ["nanmax", (t) => ad.nanmax(t, { axis: 1 }), [0, 0, 1, 0, 0.5, 0.5]],
    ["nanmin", (t) => ad.nanmin(t, { axis: 1 }), [1, 0, 0, 0, 0.5, 0.5]],
    ["nancumsum", (t) => ad.nancumsum(t, { axis: 1 }), [3, 0, 1, 0, 2, 1]],
  ];
  for (const [name, f, want] of cases) {
    const [rev, fwd] = bothModes(f, x);
    assert.deepEqual(rev, want, `${name} (reverse)`);
    assert.deepEqual(fwd, want, `${name} (forward)`);
  }
});

test("nan-reductions: second derivatives stay finite next to NaN entries", () => {
  const x = f64([1, NaN_, 3, 4]);
  const h = ad.hessian((t: ad.Tensor) => ad.nanstd(t))(x);
  assert.ok(
    valuesOf(h).every((v) => Number.isFinite(v)),
    `nanstd hessian: ${valuesOf(h)}`,
  );
  const row = valuesOf(h).slice(4, 8);
  assert.deepEqual(row, [0, 0, 0, 0], "the NaN entry's hessian row is 0");
});

test("nan-reductions: all-NaN lines give NaN (mean, var, max, min), -1 (arg), 0 (sum) and no NaN gradient elsewhere", () => {
  const x = f64([
    [NaN_, NaN_],
    [1, 2],
  ]);
  assertClose(ad.nansum(x, { axis: 1 }), [0, 3]);
  assertClose(ad.nanprod(x, { axis: 1 }), [1, 2]);
  assertClose(ad.nanmean(x, { axis: 1 }), [NaN_, 1.5]);
  assertClose(ad.nanvar(x, { axis: 1 }), [NaN_, 0.25]);
  assertClose(ad.nanmax(x, { axis: 1 }), [NaN_, 2]);
  assertClose(ad.nanmin(x, { axis: 1 }), [NaN_, 1]);
  assertClose(ad.nanargmax(x, { axis: 1 }), [-1, 1]);
  assertClose(ad.nanargmin(x, { axis: 1 }), [-1, 0]);
  assertClose(ad.nanargmax(x), 3);
  assertClose(ad.nanargmax(x, { axis: 1, keepdims: true }), [[-1], [1]]);
  const g = ad.grad((t: ad.Tensor) => ad.nansum(ad.nanmax(t, { axis: 1 })))(x);
  assertClose(g, [
    [0, 0],
    [0, 1],
  ]);
});

test("nan-reductions: integer inputs pass through; keepdims and axis checks", () => {
  const i = ad.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "int32" },
  );
  assertClose(ad.nansum(i), 10);
  assert.equal(ad.nansum(i).dtype, "int32");
  assertClose(ad.nanmax(i, { axis: 0 }), [3, 4]);
  assertClose(ad.nanmean(i, { axis: 0, keepdims: true }), [[2, 3]]);
  assertClose(ad.nanvar(f64([[1, NaN_, 3]]), { axis: 1, keepdims: true }), [[1]]);
  assert.throws(() => ad.nansum(i, { axis: 2 }), /nansum: axis must be an integer in \[-2, 1\]/);
  assert.throws(() => ad.nanvar(i, { ddof: Number.NaN }), /nanvar: ddof must be a finite number/);
});

test("quantile: NaN in a line gives NaN there, zero gradient there, and the rest differentiates", () => {
  const x = f64([
    [3, NaN_, 1],
    [3, 2, 1],
  ]);
  assertClose(ad.median(x, { axis: 1 }), [NaN_, 2]);
  const g = ad.grad((t: ad.Tensor) => ad.nansum(ad.median(t, { axis: 1 })))(x);
  assertClose(g, [
    [0, 0, 0],
    [0, 1, 0],
  ]);
});

test("quantile: derivatives through the sort, q shapes lead, keepdims, percentile, errors", () => {
  const x = f64([4, 1, 3, 2]);
  // position 0.25 * 3 = 0.75 between the sorted 1 (index 1) and 2 (index 3).
  assertClose(ad.grad((t: ad.Tensor) => ad.quantile(t, 0.25))(x), [0, 0.25, 0, 0.75]);
  assertClose(ad.median(f64([5, 1, 3])), 3);
  assertClose(ad.grad((t: ad.Tensor) => ad.median(t))(f64([5, 1, 3])), [0, 0, 1]);
  const m = f64([
    [1, 2, 3],
    [4, 6, 8],
  ]);
  assert.deepEqual(ad.quantile(m, [[0.5], [1]], { axis: 1 }).shape, [2, 1, 2]);
  assert.deepEqual(ad.quantile(m, 0.5, { axis: 1, keepdims: true }).shape, [2, 1]);
  assert.deepEqual(ad.quantile(m, [0.5, 0.7], { keepdims: true }).shape, [2, 1, 1]);
  assertClose(ad.percentile(m, 50), 3.5);
  assertClose(ad.quantile(ad.tensor([1, 2, 3, 4], { dtype: "int32" }), 0.5), 2.5);
  // NumPy: positions 0.5, 1.5 and 2.5 round half to even.
  assertClose(
    ad.quantile(f64([1, 2, 3, 4, 5]), [0.125, 0.375, 0.625], { method: "nearest" }),
    [1, 3, 3],
  );
  assert.throws(() => ad.quantile(m, 1.5), /quantile: q must be in \[0, 1\]; got 1.5/);
  assert.throws(() => ad.percentile(m, -1), /percentile: q must be in \[0, 100\]; got -1/);
  assert.throws(
    () => ad.quantile(m, 0.5, { method: "cubic" as "linear" }),
    /quantile: method must be one of linear, lower, higher, midpoint, nearest/,
  );
  assert.throws(
    () => ad.median(ad.zeros([0])),
    /median: cannot take a quantile over an empty axis/,
  );
  // A tensor q is differentiable (linear method): d/dq = (n - 1) (upper - lower), here 3 * (2 - 1).
  const dq = ad.grad((q: ad.Tensor) => ad.quantile(x, q))(ad.scalar(0.25, "float64"));
  assertClose(dq, 3, "", { rtol: 1e-12 });
  const fd = (v: number) => ad.quantile(x, v).item();
  assertClose(dq, (fd(0.25 + 1e-6) - fd(0.25 - 1e-6)) / 2e-6, "", { rtol: 1e-6 });
  assertClose(
    ad.grad((q: ad.Tensor) => ad.sum(ad.percentile(x, q)))(f64([25, 50])),
    [0.03, 0.03],
    "",
    { rtol: 1e-12 },
  );
  assert.throws(
    () => ad.vmap((q: ad.Tensor) => ad.quantile(x, q))(f64([0.1, 0.2])),
    /TracerError: quantile: cannot read the elements of a value that varies over a vmap batch/,
  );
  // Under vmap the levels stay concrete, the data is batched.
  const b = ad.vmap((t: ad.Tensor) => ad.quantile(t, [0.25, 0.75]))(m);
  assertClose(b, [
    [1.5, 2.5],
    [5, 7],
  ]);
});

test("nanquantile: NaN-only lines, zero gradient at NaN, vmap over rows with different NaN counts", () => {
  const x = f64([
    [3, NaN_, 1, 7],
    [NaN_, NaN_, NaN_, NaN_],
    [4, 8, NaN_, 2],
  ]);
  // NumPy 2.4: nanmedian along axis 1.
  assertClose(ad.nanmedian(x, { axis: 1 }), [3, NaN_, 4]);
  assertClose(ad.nanquantile(x, [0.25, 0.75], { axis: 1, method: "lower" }), [
    [1, NaN_, 2],
    [3, NaN_, 4],
  ]);
  const g = ad.grad((t: ad.Tensor) => ad.nansum(ad.nanquantile(t, 0.25, { axis: 1 })))(x);
  // Row 0: position 0.5 between the sorted 1 and 3; row 2: 0.5 between 2 and 4.
  assertClose(g, [
    [0.5, 0, 0.5, 0],
    [0, 0, 0, 0],
    [0.5, 0, 0, 0.5],
  ]);
  const batched = ad.vmap((row: ad.Tensor) => ad.nanmedian(row))(x);
  assertClose(batched, [3, NaN_, 4]);
  assert.deepEqual(ad.nanquantile(x, 0.5, { axis: 0, keepdims: true }).shape, [1, 4]);
  assert.throws(() => ad.nanpercentile(x, 101), /nanpercentile: q must be in \[0, 100\]; got 101/);
});

test("average, cov, corrcoef: returned weights, layouts and errors", () => {
  const [avg, wsum] = ad.average(
    f64([
      [1, 2],
      [3, 4],
    ]),
    { axis: 0, weights: [1, 3], returned: true },
  );
  assertClose(avg, [2.5, 3.5]);
  assertClose(wsum, [4, 4]);
  const [m, n] = ad.average(
    f64([
      [1, 2],
      [3, 4],
    ]),
    { axis: 1, returned: true },
  );
  assertClose(m, [1.5, 3.5]);
  assertClose(n, [2, 2]);
  assert.throws(
    () =>
      ad.average(
        f64([
          [1, 2],
          [3, 4],
        ]),
        { weights: [1, 2] },
      ),
    /average: weights must have x's shape \[2,2\], or be 1-d with a single axis; got shape \[2\]/,
  );
  assertClose(
    ad.cov(f64([1, 2, 3, 4]), f64([2, 4, 6, 9])),
    [
      [5 / 3, 11.5 / 3],
      [11.5 / 3, 26.75 / 3],
    ],
    "",
    { rtol: 1e-12 },
  );
  assertClose(ad.cov(f64([[1, 2, 3]]), null, { bias: true }), 2 / 3, "", { rtol: 1e-12 });
  assert.throws(
    () => ad.cov(ad.zeros([2, 2, 2])),
    /cov: m must be 1-d or 2-d; got shape \[2,2,2\]/,
  );
  assert.throws(
    () => ad.cov(ad.zeros([2, 3]), ad.zeros([2, 4])),
    /cov: m and y must have the same number of observations; got 3 and 4/,
  );
  // NumPy 2.4's values.
  const obs = f64([
    [1, 2, 4, 3],
    [0, 1, 1, 5],
  ]);
  assertClose(
    ad.cov(obs, null, { aweights: f64([0.5, 1, 2, 1.5]) }),
    [
      [1.42857142857143, 0.285714285714286],
      [0.285714285714286, 5.27142857142857],
    ],
    "",
    { rtol: 1e-13 },
  );
  assertClose(
    ad.cov(obs, null, { fweights: [1, 2, 1, 3], aweights: [0.5, 1, 2, 1.5], ddof: 2 }),
    [
      [0.963636363636364, 0.481818181818182],
      [0.481818181818182, 6.29545454545455],
    ],
    "",
    { rtol: 1e-13 },
  );
  assert.throws(
    () => ad.cov(obs, null, { fweights: [1, 2] }),
    /cov: fweights must be 1-d with one weight per observation \(4\); got shape \[2\]/,
  );
  assertClose(ad.corrcoef(f64([1, 2, 3])), 1);
  assertClose(
    ad.ptp(
      f64([
        [1, 5],
        [3, 2],
      ]),
    ),
    4,
  );
});

test("logic: isclose at infinities and NaN, arrayEqual/arrayEquiv shapes, all/any on empty, select", () => {
  const inf = Number.POSITIVE_INFINITY;
  assertClose(
    ad.isclose([inf, inf, -inf, NaN_, 1], [inf, -inf, 5, NaN_, inf]).astype("int32"),
    [1, 0, 0, 0, 0],
  );
  assertClose(ad.isclose([NaN_], [NaN_], { equalNan: true }).astype("int32"), [1]);
  assert.throws(
    () => ad.isclose(1, 1, { rtol: -1 }),
    /isclose: rtol must be a non-negative number; got -1/,
  );
  assert.equal(ad.allclose([1, 2], [1, 2]).item(), 1);
  assert.equal(ad.arrayEqual([1, 2], [1, 2, 3]).item(), 0);
  assert.equal(ad.arrayEqual([NaN_], [NaN_]).item(), 0);
  assert.equal(ad.arrayEquiv([[1], [1]], [1, 1, 1]).item(), 1);
  assert.equal(ad.arrayEquiv([1, 2], [1, 2, 3]).item(), 0);
  assert.equal(ad.all(ad.zeros([0])).item(), 1);
  assert.equal(ad.any(ad.zeros([0])).item(), 0);
  assert.equal(ad.all([NaN_]).item(), 1);
  assertClose(ad.countNonzero([0, NaN_, -1]), 2);
  assert.deepEqual(ad.all(ad.ones([2, 3]), { axis: 1, keepdims: true }).shape, [2, 1]);
  assert.throws(
    () => ad.all(ad.ones([2]), { axis: 1 }),
    /all: axis must be an integer in \[-1, 0\]/,
  );
  assertClose(ad.isinf(ad.tensor([1, 2], { dtype: "int32" })).astype("int32"), [0, 0]);
  assertClose(
    ad
      .isin(
        [1, 5],
        ad.tensor([
          [5, 6],
          [7, 8],
        ]),
      )
      .astype("int32"),
    [0, 1],
  );
  // The first true condition wins; the gradient goes to the chosen entries only.
  const x = f64([1, 2, 3]);
  const pick = (a: ad.Tensor) =>
    ad.select([ad.greater(x, 1), ad.greater(x, 0)], [ad.mul(a, 10), a], ad.zerosLike(a));
  assertClose(pick(x), [1, 20, 30]);
  assertClose(ad.grad((a: ad.Tensor) => ad.sum(pick(a)))(x), [1, 10, 10]);
  assert.throws(
    () => ad.select([true], [1, 2]),
    /select: condlist and choicelist must have the same length; got 1 and 2/,
  );
  assert.throws(() => ad.select([], []), /select: condlist must not be empty/);
  assert.throws(
    () => ad.select([ad.tensor([1])], [1]),
    /select: condlist\[0\] must have dtype bool; got float32/,
  );
});

test("sequences: diff of bool, ediff1d, trapezoid edge cases, cumulative errors, polyder and convolve errors", () => {
  assertClose(ad.diff([true, true, false]).astype("int32"), [0, 1]);
  assertClose(ad.diff(f64([1, 2, 4]), { n: 0 }), [1, 2, 4]);
  assertClose(ad.diff(f64([1, 2, 4]), { n: 5 }), []);
  assert.throws(
    () => ad.diff(f64([1, 2]), { n: -1 }),
    /diff: n must be a non-negative integer; got -1/,
  );
  assert.throws(() => ad.diff(ad.scalar(1)), /diff: x must be at least 1-d/);
  assertClose(ad.ediff1d(f64([1, 3, 2])), [2, -1]);
  assertClose(ad.trapezoid(f64([3])), 0);
  assert.throws(
    () => ad.trapezoid(f64([1, 2, 3]), f64([0, 1])),
    /trapezoid: x must be 1-d of length 3 or have y's shape \[3\]; got shape \[2\]/,
  );
  assert.throws(
    () => ad.cumulativeSum(ad.ones([2, 2])),
    /cumulativeSum: axis is required for a 2-d input/,
  );
  assertClose(
    ad.cumulativeProd(
      f64([
        [1, 2],
        [3, 4],
      ]),
      { axis: 0, includeInitial: true },
    ),
    [
      [1, 1],
      [1, 2],
      [3, 8],
    ],
  );
  assertClose(ad.polyder(f64([1, 2, 3]), 3), []);
  assertClose(ad.polyder(f64([1, 2, 3]), 0), [1, 2, 3]);
  assertClose(ad.polyval(f64([1, -1]), f64([[2], [3]])), [[1], [2]]);
  assert.throws(
    () => ad.convolve(f64([[1]]), f64([1])),
    /convolve: a must be 1-d and non-empty; got shape \[1,1\]/,
  );
  assert.throws(
    () => ad.correlate(f64([1]), f64([])),
    /correlate: v must be 1-d and non-empty; got shape \[0\]/,
  );
  assert.throws(
    () => ad.convolve(f64([1]), f64([1]), "circular" as "full"),
    /convolve: mode must be "full", "same" or "valid"/,
  );
  const i32 = (v: number[]) => ad.tensor(v, { dtype: "int32" });
  const ip = ad.polymul(i32([1, 2]), i32([3, 4]));
  assert.equal(ip.dtype, "int32");
  assertClose(ip, [3, 10, 8]);
  // NumPy's own results for an even-length kernel longer than the signal.
  assertClose(ad.correlate(f64([1, 2, 3]), f64([1, 0, 0, 1]), "same"), [2, 3, 1, 2]);
  assertClose(ad.convolve(f64([1, 2, 3]), f64([1, 0, 0, 1]), "same"), [2, 3, 1, 2]);
  // unwrap: a jump of exactly +π stays +π; the derivative is the identity.
  assertClose(ad.unwrap(f64([0, Math.PI])), [0, Math.PI]);
  assertClose(
    ad.grad((t: ad.Tensor) => ad.sum(ad.mul(ad.unwrap(t), f64([1, 2, 3]))))(f64([0, 4, 8])),
    [1, 2, 3],
  );
});

test("gradient: NumPy's values, one tensor or one per axis, differentiable in the coordinates, errors", () => {
  const y = f64([1, 2, 4, 7, 11]);
  const xs = f64([0, 1, 1.5, 3.5, 4]);
  // NumPy 2.4: np.gradient(y, xs) and np.gradient(y, xs, edge_order=2).
  assertClose(ad.gradient(y, { spacing: [xs], axis: 0 }), [1, 3, 3.5, 6.7, 8], "", { rtol: 1e-13 });
  assertClose(ad.gradient(y, { spacing: xs, edgeOrder: 2, axis: 0 }), [-1, 3, 3.5, 6.7, 9.3], "", {
    rtol: 1e-13,
  });
  assertClose(
    ad.gradient(y, { spacing: 2, edgeOrder: 2, axis: 0 }),
    [0.25, 0.75, 1.25, 1.75, 2.25],
  );
  const both = ad.gradient(
    f64([
      [1, 2],
      [4, 8],
    ]),
  );
  assert.ok(Array.isArray(both) && both.length === 2);
  assertClose(both[0]!, [
    [3, 6],
    [3, 6],
  ]);
  assertClose(both[1]!, [
    [1, 1],
    [4, 4],
  ]);
  // d/dx of the edge slope (y1 - y0) / (x1 - x0) w.r.t. x0 is (y1 - y0) / (x1 - x0)^2 = 1.
  const g = ad.grad((c: ad.Tensor) =>
    ad.sum(ad.slice(ad.gradient(y, { spacing: [c] }) as ad.Tensor, [0], [1])),
  )(xs);
  assertClose(g, [1, -1, 0, 0, 0]);
  assert.throws(
    () => ad.gradient(f64([1])),
    /gradient: axis 0 has 1 sample\(s\); edgeOrder 1 needs at least 2/,
  );
  assert.throws(
    () => ad.gradient(y, { edgeOrder: 3 as 1 }),
    /gradient: edgeOrder must be 1 or 2; got 3/,
  );
  assert.throws(
    () => ad.gradient(y, { spacing: [f64([0, 1])] }),
    /gradient: coordinates along axis 0 must be 1-d with 5 entries; got shape \[2\]/,
  );
  assert.throws(
    () => ad.gradient(ad.zeros([2, 2]), { spacing: [1] }),
    /gradient: spacing must have one entry per axis \(2\); got 1/,
  );
  assert.throws(
    () => ad.gradient(ad.zeros([2, 2]), { spacing: f64([0, 1]) }),
    /gradient: 1-d coordinates serve one axis/,
  );
});

test("windows: NumPy's formulas, M = 0 and 1, dtype and errors", () => {
  const m = 7;
  const n = Array.from({ length: m }, (_, i) => i);
  const c = (k: number) => n.map((i) => Math.cos((2 * Math.PI * k * i) / (m - 1)));
  assertClose(
    ad.hann(m, "float64"),
    c(1).map((v) => 0.5 - 0.5 * v),
    "",
    { atol: 1e-15 },
  );
  assertClose(
    ad.hamming(m, "float64"),
    c(1).map((v) => 0.54 - 0.46 * v),
    "",
    { atol: 1e-15 },
  );
  assertClose(
    ad.blackman(m, "float64"),
    n.map((i) => 0.42 - 0.5 * c(1)[i]! + 0.08 * c(2)[i]!),
    "",
    { atol: 1e-15 },
  );
  assertClose(ad.bartlett(m, "float64"), [0, 1 / 3, 2 / 3, 1, 2 / 3, 1 / 3, 0], "", {
    atol: 1e-15,
  });
  for (const w of [ad.hann, ad.hamming, ad.blackman, ad.bartlett]) {
    assert.deepEqual(w(0).shape, [0]);
    assertClose(w(1), [1]);
    assert.equal(w(3).dtype, "float32");
  }
  assert.throws(() => ad.hann(2.5), /hann: M must be a non-negative integer; got 2.5/);
  assert.throws(() => ad.bartlett(-1), /bartlett: M must be a non-negative integer; got -1/);
});

test("searching and binning: NumPy 2.4's values at NaN, ties and edges; vmap; derivatives; errors", () => {
  const i32 = (v: number[]) => ad.tensor(v, { dtype: "int32" });
  assertClose(ad.searchsorted(f64([1, 2, NaN_]), f64([NaN_, 2, 5])), [2, 1, 2]);
  assertClose(ad.searchsorted(f64([1, 2, NaN_]), f64([NaN_, 2, 5]), { side: "right" }), [3, 2, 2]);
  assertClose(ad.digitize(f64([NaN_, 1]), f64([0, 2])), [2, 1]);
  assert.throws(
    () => ad.searchsorted(f64([[1]]), 1),
    /searchsorted: a must be 1-d; got shape \[1,1\]/,
  );
  assert.throws(
    () => ad.searchsorted(f64([1]), 1, { side: "middle" as "left" }),
    /searchsorted: side must be "left" or "right"; got string "middle"/,
  );
  // Positions are counted, not read: vmap over the sorted arrays and over the values.
  const rows = f64([
    [0, 1, 2],
    [5, 6, 7],
  ]);
  assertClose(ad.vmap((a: ad.Tensor) => ad.searchsorted(a, 1.5))(rows), [2, 0]);
  assertClose(ad.vmap((v: ad.Tensor) => ad.digitize(v, f64([0, 1, 2])))(f64([[0.5], [3]])), [
    [1],
    [3],
  ]);
  // interp: repeated sample points take the right value (NumPy), one point is a constant.
  assertClose(
    ad.interp(f64([0.5, 1, 1.5, 2.5]), f64([0, 1, 1, 2]), f64([0, 1, 3, 4])),
    [0.5, 3, 3.5, 4],
  );
  assertClose(ad.interp(f64([5]), f64([1]), f64([7])), [7]);
  const dfp = ad.grad((fp: ad.Tensor) => ad.interp(ad.scalar(0.25, "float64"), f64([0, 1]), fp))(
    f64([2, 6]),
  );
  assertClose(dfp, [0.75, 0.25]);
  const dx = ad.grad((x: ad.Tensor) => ad.interp(x, f64([0, 1]), f64([2, 6])))(
    ad.scalar(0.25, "float64"),
  );
  assertClose(dx, 4);
  const dxp = ad.grad((xp: ad.Tensor) => ad.interp(ad.scalar(0.25, "float64"), xp, f64([2, 6])))(
    f64([0, 1]),
  );
  // f = f0 + (f1 - f0)(x - x0) / (x1 - x0): df/dx0 = -4 (1 - 0.25), df/dx1 = -4 * 0.25.
  assertClose(dxp, [-3, -1]);
  assert.throws(
    () => ad.interp(1, f64([0, 1]), f64([1, 2, 3])),
    /interp: xp and fp must have the same length; got 2 and 3/,
  );
  assert.throws(
    () => ad.interp(1, f64([0, 1]), f64([1, 2]), { period: 2, left: 0 }),
    /interp: left and right do not apply with a period/,
  );
  // bincount: a fixed length drops larger values; weights are differentiable.
  assertClose(ad.bincount(i32([0, 1, 5, 1]), { length: 3 }), [1, 2, 0]);
  assertClose(ad.bincount(i32([])), []);
  assert.throws(() => ad.bincount(i32([1, -1])), /bincount: x must be non-negative; got -1/);
  assert.throws(() => ad.bincount(f64([1])), /bincount: x must have dtype int32; got float64/);
  assertClose(
    ad.grad((w: ad.Tensor) =>
      ad.sum(ad.mul(ad.bincount(i32([2, 0, 2]), { weights: w }), f64([1, 10, 100]))),
    )(f64([1, 1, 1])),
    [100, 1, 100],
  );
  // histogram: an empty range widens by 0.5 each side; density integrates to 1; range errors.
  const [c1, e1] = ad.histogram(f64([3, 3, 3]), { bins: 2 });
  assertClose(c1, [0, 3]);
  assertClose(e1, [2.5, 3, 3.5]);
  // Range edges are computed in float64 (NumPy: [0, 0.1, 0.2, 0.30000000000000004]).
  assertClose(
    ad.histogramBinEdges(f64([0.05]), { bins: 3, range: [0, 0.3] }),
    [0, 0.1, 0.2, 0.3],
    "",
    {
      atol: 1e-16,
      rtol: 0,
    },
  );
  assertClose(
    ad.histogram(f64([1, 2, 3, 4]), { bins: f64([0, 2, 5]), density: true })[0],
    [0.125, 0.25],
  );
  assert.throws(
    () => ad.histogram(f64([1]), { bins: 0 }),
    /histogram: bins must be a positive integer or edges; got 0/,
  );
  assert.throws(
    () => ad.histogram(f64([1]), { range: [2, 1] }),
    /histogram: range must be \[lower, upper\] with lower <= upper; got \[2, 1\]/,
  );
  assert.throws(
    () => ad.histogram(f64([1]), { bins: f64([1]) }),
    /histogram: bins must be 1-d with at least 2 entries; got shape \[1\]/,
  );
});

test("polynomials: NumPy 2.4's polyfit with weights, polydiv by a longer divisor, poly, errors", () => {
  assertClose(
    ad.polyfit(f64([0, 1, 2, 3, 4]), f64([1, 2, 0, 5, 3]), 2, { w: f64([1, 2, 1, 0.5, 1]) }),
    [0.12298025, -0.12477558, 1.56732496],
    "",
    { atol: 1e-8 },
  );
  const [q, r] = ad.polydiv(f64([1, 2]), f64([1, 2, 3]));
  assertClose(q, [0]);
  assertClose(r, [1, 2]);
  assertClose(ad.poly(f64([2, -1, 0.5])), [1, -1.5, -1.5, 1]);
  // polyint then polyder is the identity.
  assertClose(ad.polyder(ad.polyint(f64([4, 3, 2]), 2, 7), 2), [4, 3, 2], "", { rtol: 1e-14 });
  assert.throws(
    () => ad.polyint(f64([1]), 2, [1, 2, 3].slice(0, 0)),
    /polyint: k must be a number or have one number per integration \(2\)/,
  );
  assert.throws(
    () => ad.polyfit(f64([0, 1]), f64([1, 2, 3]), 1),
    /polyfit: y must be \[2\] or \[2, k\] \(one row per point\); got shape \[3\]/,
  );
  assert.throws(() => ad.poly(ad.eye(2)), /poly: roots must be 1-d; got shape \[2,2\]/);
  assert.throws(
    () => ad.polydiv(f64([]), f64([1])),
    /polydiv: u must be 1-d and non-empty; got shape \[0\]/,
  );
});

test("quantile and nanmedian over several axes (NumPy 2.4's values)", () => {
  const data = [
    0.0, 4.958324, -1.277706, -4.629073, 2.470567, 3.992436, -3.499373, -3.090686, 4.295809,
    1.983703, -4.806987, -0.744995, 4.998965, -0.543183, -4.858992, 1.795292, 4.396365, -2.928187,
    -3.641804, 3.866639, 2.645413, -4.548333, -1.473358, 4.928001,
  ];
  const x = ad.tensor(data, { dtype: "float64", shape: [2, 3, 4] });
  const q = ad.quantile(x, [0.3, 0.8], { axis: [0, 2], keepdims: true });
  assert.deepEqual(q.shape, [2, 1, 3, 1]);
  assertClose(
    q.reshape([-1]),
    [-1.2042537, -3.0744361, -1.4005217, 3.6931112, 3.9421172, 3.6356506],
    "",
    { atol: 1e-7 },
  );
  const y = data.slice();
  y[6] = NaN_; // [0, 1, 2]
  y[12] = NaN_; // [1, 0, 0]
  const m = ad.nanmedian(ad.tensor(y, { dtype: "float64", shape: [2, 3, 4] }), { axis: [2, 0] });
  assertClose(m, [-0.543183, 2.470567, 0.619354], "", { atol: 1e-12 });
  assert.throws(() => ad.median(x, { axis: [0, 0] }), /median: axis has a repeated axis 0/);
});

test("sets: NumPy 2.4's values, NaN as one value, derivatives to first occurrences, TracerError in vmap", () => {
  assertClose(
    ad.unique(
      f64([
        [3, 1],
        [3, NaN_],
      ]),
    ),
    [1, 3, NaN_],
  );
  assertClose(ad.unique(f64([NaN_, 2, NaN_])), [2, NaN_]);
  const u = ad.uniqueAll(f64([5, 2, 5, 2, 7]));
  assertClose(u.values, [2, 5, 7]);
  assertClose(u.indices, [1, 0, 4]);
  assertClose(u.inverseIndices, [1, 0, 1, 0, 2]);
  assertClose(u.counts, [2, 2, 1]);
  const x = f64([
    [2, 1],
    [2, 5],
  ]);
  const inv = ad.uniqueInverse(x);
  assertClose(ad.take(inv.values, inv.inverseIndices), x);
  assertClose(ad.uniqueCounts(ad.tensor([1, 1, 0], { dtype: "int32" })).counts, [1, 2]);
  assert.equal(ad.unique(ad.tensor([1, 1, 0], { dtype: "int32" })).dtype, "int32");
  assertClose(ad.union1d(f64([3, 1]), f64([[2, 3]])), [1, 2, 3]);
  assertClose(ad.intersect1d(f64([1, 3, 4, 3]), f64([3, 1, 2, 1])), [1, 3]);
  assertClose(ad.setdiff1d(f64([1, 2, 3, 2, 4, 1]), f64([3, 4, 5, 6])), [1, 2]);
  assertClose(ad.setxor1d(f64([1, 2, 3, 2, 4]), f64([2, 3, 5, 7, 5])), [1, 4, 5, 7]);
  assertClose(ad.unique(f64([])), []);
  // Each unique value is gathered from its first occurrence.
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.mul(ad.unique(t), f64([1, 10]))))(f64([4, 2, 4]));
  assertClose(g, [10, 1, 0]);
  assert.throws(
    () =>
      ad.vmap((t: ad.Tensor) => ad.unique(t))(
        f64([
          [1, 1],
          [1, 2],
        ]),
      ),
    /TracerError: unique: cannot read the elements of a value that varies over a vmap batch/,
  );
});

test("piecewise: the last true condition wins, the otherwise value, errors", () => {
  const x = f64([-1, 0.5, 2]);
  assertClose(ad.piecewise(x, [ad.less(x, 1), ad.less(x, 0)], [1, 2]), [2, 1, 0]);
  assertClose(ad.piecewise(x, [ad.less(x, 0)], [(t: ad.Tensor) => ad.mul(t, -1), 7]), [1, 7, 7]);
  assert.throws(
    () => ad.piecewise(x, [ad.less(x, 0)], [1, 2, 3]),
    /piecewise: funclist must have 1 or 2 entries/,
  );
  assert.throws(
    () => ad.piecewise(x, [x], [1]),
    /piecewise: condlist\[0\] must have dtype bool; got float64/,
  );
});

test("nonzero family: NumPy 2.4's results, size and fillValue, derivatives of the gathered values, vmap", () => {
  const [r, c] = ad.nonzero(
    f64([
      [0, NaN_],
      [3, 0],
    ]),
  );
  assertClose(r!, [0, 1]);
  assertClose(c!, [1, 0]);
  assert.deepEqual(ad.argwhere(ad.scalar(5)).shape, [1, 0]);
  assert.deepEqual(ad.argwhere(ad.scalar(0)).shape, [0, 0]);
  assertClose(
    ad.argwhere(
      f64([
        [0, 1],
        [1, 1],
      ]),
      { size: 4, fillValue: -1 },
    ),
    [
      [0, 1],
      [1, 0],
      [1, 1],
      [-1, -1],
    ],
  );
  assertClose(ad.nonzero(f64([0, 5, 6]), { size: 1 })[0]!, [1]);
  assertClose(
    ad.compress(
      [0, 1],
      f64([
        [1, 2],
        [3, 4],
      ]),
      1,
    ),
    [[2], [4]],
  );
  assertClose(
    ad.extract(
      [
        [1, 0],
        [0, 1],
      ],
      ad.arange(4),
    ),
    [0, 3],
  );
  assertClose(
    ad.extract(f64([1, 0, 1]), f64([7, 8, 9]), { size: 4, fillValue: -5 }),
    [7, 9, -5, -5],
  );
  assert.deepEqual(ad.trimZeros(f64([0, 0, 0])).shape, [0]);
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.mul(ad.trimZeros(t), f64([1, 2]))))(
    f64([0, 4, 5, 0]),
  );
  assertClose(g, [0, 1, 2, 0]);
  const ge = ad.grad((t: ad.Tensor) => ad.sum(ad.extract(ad.greater(t, 0), t)))(f64([-1, 2, 3]));
  assertClose(ge, [0, 1, 1]);
  assert.throws(() => ad.nonzero(ad.scalar(1)), /nonzero: x must be at least 1-d/);
  assert.throws(
    () => ad.compress([0, 0, 1], f64([1, 2])),
    /compress: condition selects index 2, past the end of axis 0 \(length 2\)/,
  );
  assert.throws(
    () => ad.flatnonzero(f64([1]), { size: -1 }),
    /flatnonzero: size must be a non-negative integer; got -1/,
  );
  assert.throws(
    () =>
      ad.vmap((t: ad.Tensor) => ad.flatnonzero(t))(
        f64([
          [1, 0],
          [0, 1],
        ]),
      ),
    /TracerError: flatnonzero: cannot read the elements of a value that varies over a vmap batch/,
  );
});

test("size makes unique and nonzero vmap-safe; gradients reach first occurrences", () => {
  const rows = f64([
    [3, 1, 3, 0],
    [2, 2, 2, 2],
  ]);
  assertClose(ad.vmap((r: ad.Tensor) => ad.unique(r, { size: 3, fillValue: -1 }))(rows), [
    [0, 1, 3],
    [2, -1, -1],
  ]);
  assertClose(ad.vmap((r: ad.Tensor) => ad.flatnonzero(r, { size: 3, fillValue: -1 }))(rows), [
    [0, 1, 2],
    [0, 1, 2],
  ]);
  // The default fill of unique is x's minimum (JAX).
  assertClose(ad.unique(f64([4, 2]), { size: 3 }), [2, 4, 2]);
  assertClose(ad.unique(f64([NaN_, 1, NaN_]), { size: 3, fillValue: 0 }), [1, NaN_, 0]);
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.mul(ad.unique(t, { size: 2 }), f64([1, 10]))))(
    f64([4, 2, 4]),
  );
  assertClose(g, [10, 1, 0]);
  assert.throws(
    () => ad.unique(f64([1]), { size: 1.5 }),
    /unique: size must be a non-negative integer; got 1.5/,
  );
});
