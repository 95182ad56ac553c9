/**
 * @file ad.random: Threefry-2x32 known answers, keys (split, foldIn), determinism (fixed first
 * values, so any change of the algorithm is caught), the samplers' distributions on large samples
 * (moments within ~4 standard errors), independence of split streams, erfinv/ndtri accuracy
 * against 20-digit values, and errors. Statistical checks use fixed seeds, so they are
 * deterministic; the 4-standard-error bands would fail by chance for about 1 seed in 16,000.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { erfinv, ndtr, ndtri, threefry2x32 } from "../../src/ops/random.js";

const { random } = ad;

/** Asserts that `fn` throws `cls` with a message containing every fragment. */
function throwsWith(fn: () => unknown, cls: new (...args: never[]) => Error, fragments: string[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
    return true;
  });
}

function values(t: ad.Tensor): number[] {
  return Array.from(t.dataSync(), Number);
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** The k-th central moment. */
function centralMoment(xs: ArrayLike<number>, k: number): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** k;
  return s / xs.length;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** |actual - expected| <= 4 standard errors. */
function within4se(actual: number, expected: number, se: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 4 * se,
    `${what}: ${actual} differs from ${expected} by more than 4 standard errors (${4 * se})`,
  );
}

// ---- Threefry and keys ----------------------------------------------------------------------------

test("threefry2x32: Random123 known-answer vectors (20 rounds)", () => {
  // From Random123's kat_vectors (D. E. Shaw Research; the same vectors are in JAX's random tests):
  // "threefry2x32 20 <counter0> <counter1> <key0> <key1> <out0> <out1>".
  assert.deepEqual(threefry2x32(0, 0, 0, 0), [0x6b200159, 0x99ba4efe]);
  assert.deepEqual(
    threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff),
    [0x1cb996fc, 0xbb002be7],
  );
  // key (0x13198a2e, 0x03707344), counter (0x243f6a88, 0x85a308d3): digits of pi.
  assert.deepEqual(
    threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3),
    [0xc4923a9c, 0x483df7a0],
  );
});

test("keys: a seed's 64-bit two's complement as (high, low) int32 words", () => {
  const k = random.key(42);
  assert.equal(k.dtype, "int32");
  assert.deepEqual(k.shape, [2]);
  assert.deepEqual(values(k), [0, 42]);
  assert.deepEqual(values(random.key(0)), [0, 0]);
  assert.deepEqual(values(random.key(-1)), [-1, -1]);
  assert.deepEqual(values(random.key(2 ** 32 + 5)), [1, 5]);
  assert.deepEqual(values(random.key(2 ** 31)), [0, -(2 ** 31)]);
});

test("split and foldIn: Threefry blocks of the key; children differ from the parent and each other", () => {
  const k0 = random.key(0);
  const children = random.split(k0, 4);
  assert.equal(children.length, 4);
  // Child i is the block of counter i: child 0 of key (0, 0) is the first known answer.
  assert.deepEqual(values(children[0]!), [0x6b200159 | 0, 0x99ba4efe | 0]);
  const all = [k0, ...children].map((k) => values(k).join(","));
  assert.equal(new Set(all).size, 5);
  // Deterministic, and n only says how many: split(k, 2) is a prefix of split(k, 4).
  assert.deepEqual(random.split(k0).map(values), children.slice(0, 2).map(values));
  // foldIn(k, d) is the block of counter d, like the d-th child.
  assert.deepEqual(values(random.foldIn(k0, 3)), values(children[3]!));
  assert.notDeepEqual(values(random.foldIn(k0, 1)), values(random.foldIn(k0, 2)));
  // Regression values: a change in the key derivation is caught.
  assert.deepEqual(values(random.split(random.key(42))[1]!), [64467757, -1378843660]);
  assert.deepEqual(values(random.foldIn(random.key(42), 3)), [-1160419002, 894150801]);
});

// ---- determinism ----------------------------------------------------------------------------------

test("determinism: fixed seeds give these exact first values on every platform", () => {
  assert.deepEqual(
    values(random.normal([4], { seed: 0, dtype: "float64" })),
    [-0.2058421394796431, -0.7847657764467411, 1.8160866726679834, 0.18784401289378916],
  );
  // float32 draws are the float64 draws rounded.
  assert.deepEqual(
    values(random.normal([4], { seed: 0, dtype: "float32" })),
    [-0.2058421394796431, -0.7847657764467411, 1.8160866726679834, 0.18784401289378916].map(
      Math.fround,
    ),
  );
  assert.deepEqual(
    values(random.uniform([4], { seed: 42, dtype: "float64" })),
    [0.4267275666499091, 0.015010069515314584, 0.5741444178995353, 0.729818896904631],
  );
  assert.deepEqual(
    values(random.uniform([4], { seed: 42, dtype: "float32" })),
    [0.4267275333404541, 0.015010058879852295, 0.5741443634033203, 0.7298188805580139],
  );
  assert.deepEqual(
    values(random.truncatedNormal([3], { seed: 7, dtype: "float64" })),
    [0.9480578128259244, -1.505510556291461, -0.7143742413919293],
  );
  assert.deepEqual(values(random.permutation(8, { seed: 1 })), [2, 0, 5, 6, 7, 4, 3, 1]);
  assert.deepEqual(values(random.bernoulli([8], { seed: 9, p: 0.5 })), [0, 1, 0, 1, 0, 1, 1, 1]);
  assert.deepEqual(
    values(random.categorical([0, 1, 2, 3], { seed: 5, shape: [8] })),
    [3, 3, 3, 3, 3, 3, 3, 3],
  );
});

test("determinism: same seed same bits; seed == key(seed); element i does not depend on the shape", () => {
  const a = random.normal([1000], { seed: 123, dtype: "float64" });
  const b = random.normal([1000], { seed: 123, dtype: "float64" });
  assert.deepEqual(values(a), values(b));
  assert.deepEqual(
    values(random.normal([1000], { key: random.key(123), dtype: "float64" })),
    values(a),
  );
  assert.notDeepEqual(values(random.normal([1000], { seed: 124, dtype: "float64" })), values(a));
  // Counter-based: a shorter draw is a prefix, and the shape only arranges the same stream.
  assert.deepEqual(
    values(random.normal([10], { seed: 123, dtype: "float64" })),
    values(a).slice(0, 10),
  );
  assert.deepEqual(
    values(random.uniform([2, 3], { seed: 5, dtype: "float64" })),
    values(random.uniform([6], { seed: 5, dtype: "float64" })),
  );
  // The default dtype is the default float.
  assert.equal(random.normal([2], { seed: 0 }).dtype, ad.getDefaultFloat());
});

// ---- distributions --------------------------------------------------------------------------------

test("normal: mean, variance, skewness, kurtosis and CDF points on 1e6 samples", () => {
  const n = 1_000_000;
  const z = random.normal([n], { seed: 2024, dtype: "float64" }).dataSync();
  within4se(mean(z), 0, 1 / Math.sqrt(n), "mean");
  within4se(centralMoment(z, 2), 1, Math.sqrt(2 / n), "variance");
  within4se(centralMoment(z, 3), 0, Math.sqrt(15 / n), "third moment");
  within4se(centralMoment(z, 4), 3, Math.sqrt(96 / n), "fourth moment");
  for (const x of [-1.96, -1, 0, 0.5, 2.5]) {
    let below = 0;
    for (let i = 0; i < n; i++) if (z[i]! < x) below++;
    const p = ndtr(x);
    within4se(below / n, p, Math.sqrt((p * (1 - p)) / n), `P(Z < ${x})`);
  }
  // The 53-bit grid puts the most extreme value near ±8.2; a million draws stay well inside.
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(z[i]!));
  assert.ok(largest < 8.3, `largest |z| ${largest}`);
});

test("uniform: bounds, mean, variance and a 10-bin histogram; float32 stays below high", () => {
  const n = 1_000_000;
  const low = -3;
  const high = 5;
  const u = random.uniform([n], { seed: 77, low, high, dtype: "float64" }).dataSync();
  let lo = Infinity;
  let hi = -Infinity;
  const bins = new Array<number>(10).fill(0);
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, u[i]!);
    hi = Math.max(hi, u[i]!);
    bins[Math.floor(((u[i]! - low) / (high - low)) * 10)]!++;
  }
  assert.ok(lo >= low && hi < high, `range [${lo}, ${hi}]`);
  const w = high - low;
  within4se(mean(u), (low + high) / 2, w / Math.sqrt(12 * n), "mean");
  within4se(centralMoment(u, 2), (w * w) / 12, (w * w) / Math.sqrt(180 * n), "variance");
  for (const count of bins) within4se(count / n, 0.1, Math.sqrt(0.09 / n), "bin frequency");
  // [1, 2) in float32: float64 rounding would reach 2.0 for u near 1; the interval is half-open.
  const f = random.uniform([200_000], { seed: 3, low: 1, high: 2, dtype: "float32" }).dataSync();
  for (let i = 0; i < f.length; i++) assert.ok(f[i]! >= 1 && f[i]! < 2);
});

test("truncatedNormal: bounds and the truncated distribution's mean and variance", () => {
  const n = 200_000;
  // [lower, upper, mean, variance] of the truncated standard normal (from mpmath).
  const cases: [number, number, number, number][] = [
    [-2, 2, 0, 0.7737413035499232],
    [5, 6, 5.183147090477173, 0.029452430768483057],
    [0, Infinity, 0.7978845608028654, 0.3633802276324187],
    [-1, 3, 0.282786110727154, 0.6161417353578293],
    [-Infinity, -4, -4.225607144489471, 0.04667283839742263],
  ];
  cases.forEach(([lower, upper, m, v], c) => {
    const x = random
      .truncatedNormal([n], { seed: 10 + c, lower, upper, dtype: "float64" })
      .dataSync();
    for (let i = 0; i < n; i++) {
      assert.ok(x[i]! >= lower && x[i]! <= upper, `[${lower}, ${upper}]: sample ${x[i]}`);
    }
    within4se(mean(x), m, Math.sqrt(v / n), `mean on [${lower}, ${upper}]`);
    assert.ok(Math.abs(centralMoment(x, 2) / v - 1) < 0.03, `variance on [${lower}, ${upper}]`);
  });
  // Defaults are [-2, 2]; float32 samples stay inside bounds that float32 cannot hold exactly.
  const d = random.truncatedNormal([10_000], { seed: 1 }).dataSync();
  for (let i = 0; i < d.length; i++) assert.ok(Math.abs(d[i]!) <= 2);
  const f = random
    .truncatedNormal([50_000], { seed: 2, lower: 0.1, upper: 0.3, dtype: "float32" })
    .dataSync();
  for (let i = 0; i < f.length; i++) assert.ok(f[i]! >= 0.1 && f[i]! <= 0.3, `${f[i]}`);
});

test("bernoulli: frequency of true, p = 0 and 1, and p broadcast per column", () => {
  const n = 200_000;
  const b = random.bernoulli([n], { seed: 4, p: 0.3 });
  assert.equal(b.dtype, "bool");
  within4se(mean(b.dataSync()), 0.3, Math.sqrt(0.21 / n), "frequency");
  assert.ok(values(random.bernoulli([1000], { seed: 4, p: 0 })).every((v) => v === 0));
  assert.ok(values(random.bernoulli([1000], { seed: 4, p: 1 })).every((v) => v === 1));
  const cols = random.bernoulli([50_000, 2], { seed: 8, p: ad.tensor([0.1, 0.9]) }).dataSync();
  const freq = [0, 1].map((c) => {
    let s = 0;
    for (let i = c; i < cols.length; i += 2) s += cols[i]!;
    return s / 50_000;
  });
  within4se(freq[0]!, 0.1, Math.sqrt(0.09 / 50_000), "column 0");
  within4se(freq[1]!, 0.9, Math.sqrt(0.09 / 50_000), "column 1");
  // Default p is 1/2.
  within4se(
    mean(random.bernoulli([n], { seed: 5 }).dataSync()),
    0.5,
    Math.sqrt(0.25 / n),
    "p = 1/2",
  );
});

test("categorical: frequencies match softmax(logits); batches; -Infinity never drawn", () => {
  const logits = [0.5, -1, 2, 1.2];
  const n = 200_000;
  const s = random.categorical(ad.tensor(logits, { dtype: "float64" }), { seed: 6, shape: [n] });
  assert.equal(s.dtype, "int32");
  assert.deepEqual(s.shape, [n]);
  const counts = new Array<number>(4).fill(0);
  for (const v of s.dataSync()) counts[v]!++;
  const z = logits.reduce((acc, l) => acc + Math.exp(l), 0);
  logits.forEach((l, k) => {
    const p = Math.exp(l) / z;
    within4se(counts[k]! / n, p, Math.sqrt((p * (1 - p)) / n), `class ${k}`);
  });
  // A batch of two distributions along axis 1, drawn 20,000 times each (shape [20000, 2]).
  const batch = ad.tensor([
    [0, -Infinity, 0],
    [1, 1, 1],
  ]);
  assert.deepEqual(random.categorical(batch, { seed: 0 }).shape, [2]);
  const m = 20_000;
  const draws = random.categorical(batch, { seed: 1, shape: [m, 2] }).dataSync();
  const c0 = [0, 0, 0];
  const c1 = [0, 0, 0];
  for (let i = 0; i < m; i++) {
    c0[draws[2 * i]!]!++;
    c1[draws[2 * i + 1]!]!++;
  }
  assert.equal(c0[1], 0, "a -Infinity logit was drawn");
  within4se(c0[0]! / m, 0.5, Math.sqrt(0.25 / m), "row 0, class 0");
  for (const c of c1) within4se(c / m, 1 / 3, Math.sqrt(2 / 9 / m), "row 1");
  // axis 0: the classes run down the columns.
  const t = random.categorical(ad.tensor([[0], [-Infinity]]), {
    seed: 2,
    axis: 0,
    shape: [100, 1],
  });
  assert.ok(values(t).every((v) => v === 0));
});

test("permutation: a permutation of 0..n-1, uniform positions; of a tensor's rows, differentiably", () => {
  const p = random.permutation(1000, { seed: 3 });
  assert.equal(p.dtype, "int32");
  assert.deepEqual(
    values(p).sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.deepEqual(values(random.permutation(0, { seed: 3 })), []);
  // Where element 0 lands, over 4,000 keys: each of 4 positions with probability 1/4.
  const keys = random.split(random.key(11), 4000);
  const where = [0, 0, 0, 0];
  for (const key of keys) where[values(random.permutation(4, { key })).indexOf(0)]!++;
  for (const c of where) within4se(c / 4000, 0.25, Math.sqrt(0.1875 / 4000), "position of 0");
  // Rows of a tensor are permuted as a whole; the gradient routes back through the permutation.
  const x = ad.tensor(
    [
      [0, 1],
      [10, 11],
      [20, 21],
    ],
    { dtype: "float64" },
  );
  const px = random.permutation(x, { seed: 9 });
  const rows = (px.toArray() as number[][]).map((r) => r[0]! / 10);
  assert.deepEqual([...rows].sort(), [0, 1, 2]);
  for (const r of px.toArray() as number[][]) assert.equal(r[1], r[0]! + 1);
  const w = ad.tensor([[1], [2], [3]], { dtype: "float64" });
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.mul(random.permutation(t, { seed: 9 }), w)))(x);
  const gv = g.toArray() as number[][];
  rows.forEach((src, i) => {
    assert.deepEqual(gv[src], [i + 1, i + 1]);
  });
  // Along axis 1: the same column order for every row.
  const pc = random.permutation(x, { seed: 9, axis: 1 }).toArray() as number[][];
  const swapped = pc[0]![0] === 1;
  pc.forEach((row, r) => {
    assert.deepEqual(row, swapped ? [r * 10 + 1, r * 10] : [r * 10, r * 10 + 1]);
  });
});

// ---- independence ---------------------------------------------------------------------------------

test("independence: streams of split keys, folded keys and adjacent seeds are uncorrelated", () => {
  const n = 100_000;
  const bound = 4 / Math.sqrt(n);
  const draw = (key: ad.Tensor) => random.normal([n], { key, dtype: "float64" }).dataSync();
  const [k1, k2, k3] = random.split(random.key(0), 3);
  const streams = [
    draw(k1!),
    draw(k2!),
    draw(k3!),
    draw(random.foldIn(k1!, 1)),
    draw(random.key(1)),
    draw(random.key(2)),
  ];
  for (let i = 0; i < streams.length; i++) {
    for (let j = i + 1; j < streams.length; j++) {
      const r = correlation(streams[i]!, streams[j]!);
      assert.ok(Math.abs(r) < bound, `streams ${i} and ${j}: correlation ${r}`);
    }
  }
  // Within one stream, neighbours are uncorrelated too (lag 1).
  const s = streams[0]!;
  const r1 = correlation(s.subarray(0, n - 1), s.subarray(1));
  assert.ok(Math.abs(r1) < bound, `lag-1 correlation ${r1}`);
});

test("random results are constants: no derivative, and usable inside transformations", () => {
  const eps = random.normal([3], { seed: 0, dtype: "float64" });
  const f = (x: ad.Tensor) => ad.sum(ad.mul(x, random.normal([3], { seed: 0, dtype: "float64" })));
  assert.deepEqual(values(ad.grad(f)(ad.zeros([3], "float64"))), values(eps));
});

// ---- erfinv and the normal quantile -------------------------------------------------------------

test("erfinv, ndtri and ndtr: relative error below 1e-14 against 20-digit values (mpmath)", () => {
  // Expected values are strings: they have more digits than a double holds (parsed to the nearest).
  const rel = (a: number, expected: string) => {
    const e = Number(expected);
    return e === 0 ? Math.abs(a) : Math.abs(a - e) / Math.abs(e);
  };
  const erfinvTable: [number, string][] = [
    [1e-300, "8.8622692545275803586e-301"],
    [1e-8, "8.8622692545275805539e-9"],
    [0.1, "0.088855990494257691974"],
    [0.5, "0.47693627620446987338"],
    [-0.7, "-0.73286907795921678488"],
    [0.85, "1.0179024648320275882"],
    [0.9, "1.1630871536766741628"],
    [-0.99, "-1.8213863677184494559"],
    [0.999999, "3.4589107372754987775"],
    [1 - 2 ** -40, "5.0512540852493899671"],
    [-(1 - 2 ** -52), "-5.8050186831934533002"],
  ];
  for (const [y, x] of erfinvTable)
    assert.ok(rel(erfinv(y), x) < 1e-14, `erfinv(${y}) = ${erfinv(y)}; expected ${x}`);
  assert.equal(erfinv(1), Infinity);
  assert.equal(erfinv(-1), -Infinity);
  assert.ok(Number.isNaN(erfinv(1.5)) && Number.isNaN(erfinv(Number.NaN)));
  assert.ok(Object.is(erfinv(0), 0));
  const ndtriTable: [number, string][] = [
    [1e-300, "-37.047096299361199237"],
    [1e-100, "-21.273453560965324294"],
    [1e-20, "-9.2623400897984075796"],
    [1e-10, "-6.3613409024040561991"],
    [0.001, "-3.0902323061678135354"],
    [0.025, "-1.9599639845400542118"],
    [0.075, "-1.4395314709384559349"],
    [0.3, "-0.52440051270804081597"],
    [0.5, "0"],
    [0.6, "0.25334710313579974132"],
    [0.925, "1.4395314709384562291"],
    [0.975, "1.9599639845400538556"],
    [0.9999999999, "6.3613408896974218642"],
  ];
  for (const [p, x] of ndtriTable)
    assert.ok(rel(ndtri(p), x) < 1e-14, `ndtri(${p}) = ${ndtri(p)}; expected ${x}`);
  assert.equal(ndtri(0), -Infinity);
  assert.equal(ndtri(1), Infinity);
  const ndtrTable: [number, string][] = [
    [-30, "4.9067139271481870595e-198"],
    [-10, "7.619853024160526066e-24"],
    [-5, "2.8665157187919391167e-7"],
    [-2, "0.0227501319481792072"],
    [-0.5, "0.30853753872598689636"],
    [0, "0.5"],
    [1.5, "0.933192798731141934"],
    [6, "0.99999999901341235496"],
  ];
  // ndtr only serves the truncated normal's inverse CDF; 1e-12 relative is ample there.
  for (const [x, p] of ndtrTable)
    assert.ok(rel(ndtr(x), p) < 1e-12, `ndtr(${x}) = ${ndtr(x)}; expected ${p}`);
  // Round trip over the whole range, tails included.
  for (let e = -300; e < 0; e += 7) {
    const p = 10 ** e;
    assert.ok(Math.abs(ndtr(ndtri(p)) / p - 1) < 1e-11, `ndtr(ndtri(${p}))`);
  }
});

// ---- errors ---------------------------------------------------------------------------------------

test("errors: name the sampler and the argument", () => {
  const key = random.key(0);
  throwsWith(() => random.normal([2], {} as never), ad.ValueError, [
    "random.normal: options must give a seed (an integer) or a key; got neither",
  ]);
  throwsWith(() => random.normal([2], { seed: 1, key } as never), ad.ValueError, ["not both"]);
  throwsWith(() => random.normal([2], { seed: 1.5 }), ad.ValueError, [
    "random.normal: seed must be an integer",
    "got 1.5",
  ]);
  throwsWith(() => random.uniform([2], { seed: 0, dtype: "int32" as never }), ad.DTypeError, [
    'random.uniform: dtype must be "float32" or "float64"; got string "int32"',
  ]);
  throwsWith(() => random.normal([-1], { seed: 0 }), ad.ValueError, ["random.normal: shape"]);
  throwsWith(() => random.normal([2], { key: ad.tensor([0, 1]) }), ad.DTypeError, [
    "random.normal: key must be an int32 key",
    "float32",
  ]);
  throwsWith(() => random.split(ad.zeros([3], "int32")), ad.ShapeError, [
    "random.split: key must be a key of shape [2]",
    "got shape [3]",
  ]);
  throwsWith(() => random.split(key, 0), ad.ValueError, [
    "random.split: n must be a positive integer",
  ]);
  throwsWith(() => random.foldIn(key, 0.5), ad.ValueError, [
    "random.foldIn: data must be an integer",
  ]);
  throwsWith(() => random.key(Number.NaN), ad.ValueError, ["random.key: seed"]);
  throwsWith(() => random.uniform([2], { seed: 0, low: 1, high: 1 }), ad.ValueError, [
    "random.uniform: low must be less than high; got low 1, high 1",
  ]);
  throwsWith(() => random.truncatedNormal([2], { seed: 0, lower: 1, upper: -1 }), ad.ValueError, [
    "random.truncatedNormal: lower must be a number less than upper",
  ]);
  throwsWith(() => random.bernoulli([2], { seed: 0, p: 1.5 }), ad.ValueError, [
    "random.bernoulli: p must be in [0, 1]; got 1.5",
  ]);
  throwsWith(() => random.bernoulli([2], { seed: 0, p: [0.1, 0.2, 0.3] }), ad.ShapeError, [
    "random.bernoulli: p of shape [3] does not broadcast to shape [2]",
  ]);
  throwsWith(() => random.categorical(ad.zeros([2, 3]), { seed: 0, shape: [4] }), ad.ShapeError, [
    "random.categorical: shape [4] must end with the logits' batch shape [2]",
  ]);
  throwsWith(() => random.categorical([true, false], { seed: 0 }), ad.DTypeError, ["bool"]);
  throwsWith(() => random.categorical(ad.zeros([2, 0]), { seed: 0 }), ad.ValueError, [
    "at least one class",
  ]);
  throwsWith(() => random.permutation(-1, { seed: 0 }), ad.ValueError, ["random.permutation: n"]);
  throwsWith(() => random.permutation(ad.scalar(3), { seed: 0 }), ad.ValueError, [
    "at least one dimension",
  ]);
});
