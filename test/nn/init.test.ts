/**
 * @file nn's initialisers: variance and bounds for large shapes against the formulas of
 * jax.nn.initializers (fans of dense [in, out] and OIHW conv kernels), exact determinism per
 * key, dtypes, orthogonality of nn.orthogonal, and the errors.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { fans } from "../../src/nn/init.js";

const key = ad.random.key(7);

function stats(t: ad.Tensor): { mean: number; variance: number; maxAbs: number } {
  const v = Array.from(t.dataSync(), Number);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  return { mean, variance, maxAbs: v.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
}

test("fans: dense [in, out], OIHW conv kernels and small shapes", () => {
  assert.deepEqual(fans("t", [30, 20]), [30, 20]);
  // A conv kernel in OIHW: fan-in C * KH * KW, fan-out O * KH * KW.
  assert.deepEqual(fans("t", [8, 3, 5, 5], 1, 0), [75, 200]);
  // JAX's default axes on a 4-d HWIO kernel.
  assert.deepEqual(fans("t", [5, 5, 3, 8]), [75, 200]);
  assert.deepEqual(fans("t", [7]), [7, 7]);
  assert.deepEqual(fans("t", []), [1, 1]);
  assert.throws(() => fans("t", [2, 3], 0, -2), /inAxis and outAxis must be different/);
  // Empty kernels: nothing to draw, and no NaN fan.
  assert.deepEqual(fans("t", [0, 3]), [0, 3]);
  assert.deepEqual(ad.nn.glorotUniform([0, 3], { key }).shape, [0, 3]);
  assert.deepEqual(
    ad.nn.heNormal([4, 0, 3, 3], { key, inAxis: 1, outAxis: 0 }).shape,
    [4, 0, 3, 3],
  );
});

test("variance scaling: variances and bounds within tolerance for 240,000 draws", () => {
  const shape = [400, 600];
  const fanIn = 400;
  const fanAvg = 500;
  const cases: [string, ad.Initializer, number, number | null][] = [
    ["glorotUniform", ad.nn.glorotUniform, 1 / fanAvg, Math.sqrt(3 / fanAvg)],
    ["glorotNormal", ad.nn.glorotNormal, 1 / fanAvg, null],
    ["heNormal", ad.nn.heNormal, 2 / fanIn, null],
    ["heUniform", ad.nn.heUniform, 2 / fanIn, Math.sqrt(6 / fanIn)],
    ["lecunNormal", ad.nn.lecunNormal, 1 / fanIn, null],
  ];
  for (const [name, init, variance, limit] of cases) {
    const w = init(shape, { key, dtype: "float64" });
    assert.deepEqual(w.shape, shape);
    const s = stats(w);
    // Standard error of a variance estimate from n draws is about sqrt(2 / n) relative.
    assert.ok(
      Math.abs(s.variance / variance - 1) < 0.01,
      `${name}: variance ${s.variance} vs ${variance}`,
    );
    assert.ok(Math.abs(s.mean) < 4 * Math.sqrt(variance / w.size), `${name}: mean ${s.mean}`);
    if (limit !== null) {
      assert.ok(s.maxAbs <= limit, `${name}: |w| ${s.maxAbs} > ${limit}`);
      assert.ok(s.maxAbs > 0.99 * limit, `${name}: the range is not used`);
    } else {
      // Truncated at 2 standard deviations of the untruncated normal.
      const sigma = Math.sqrt(variance) / 0.8796256610342398;
      assert.ok(s.maxAbs <= 2 * sigma + 1e-12, `${name}: |w| ${s.maxAbs} beyond 2 sigma`);
    }
  }
});

test("conv kernels: the fan comes from the axes given", () => {
  const w = ad.nn.heNormal([64, 16, 5, 5], { key, inAxis: 1, outAxis: 0, dtype: "float64" });
  assert.ok(Math.abs(stats(w).variance / (2 / 400) - 1) < 0.02);
  const conv = ad.nn.conv2d.init(key, 16, 64, 5, { dtype: "float64" });
  assert.ok(Math.abs(stats(conv.w).variance / (1 / 400) - 1) < 0.02);
});

test("determinism: the same key gives the same bits, another key other values", () => {
  for (const init of [ad.nn.glorotUniform, ad.nn.heNormal, ad.nn.orthogonal] as ad.Initializer[]) {
    const a = init([5, 4], { key });
    const b = init([5, 4], { key });
    assert.deepEqual(a.dataSync(), b.dataSync());
    const c = init([5, 4], { key: ad.random.key(8) });
    assert.notDeepEqual(a.dataSync(), c.dataSync());
  }
  // A seed works as for the samplers.
  assert.deepEqual(
    ad.nn.lecunNormal([3], { seed: 7 }).dataSync(),
    ad.nn.lecunNormal([3], { key: ad.random.key(7) }).dataSync(),
  );
});

test("dtypes: the default float, float64 on request", () => {
  assert.equal(ad.nn.glorotUniform([2, 2], { key }).dtype, "float32");
  assert.equal(ad.nn.glorotNormal([2, 2], { key, dtype: "float64" }).dtype, "float64");
  assert.equal(ad.nn.orthogonal([2, 2], { key }).dtype, "float32");
  assert.deepEqual(Array.from(ad.nn.zeros([3], { key }).dataSync()), [0, 0, 0]);
  assert.deepEqual(Array.from(ad.nn.ones([2], { dtype: "float64" }).dataSync()), [1, 1]);
  assert.equal(ad.nn.ones([2], { dtype: "float64" }).dtype, "float64");
});

function gram(a: ad.Tensor): number[][] {
  return ad.matmul(ad.transpose(a), a).toArray() as number[][];
}

function assertIdentity(m: number[][], tol: number): void {
  m.forEach((row, i) => {
    row.forEach((v, j) => {
      assert.ok(Math.abs(v - (i === j ? 1 : 0)) < tol, `entry [${i},${j}] = ${v}`);
    });
  });
}

test("orthogonal: orthonormal columns (tall), rows (wide), scale, column axis", () => {
  const tall = ad.nn.orthogonal([6, 4], { key, dtype: "float64" });
  assertIdentity(gram(tall), 1e-12);
  const wide = ad.nn.orthogonal([3, 7], { key, dtype: "float64" });
  assertIdentity(gram(ad.transpose(wide)), 1e-12);
  const scaled = ad.nn.orthogonal([4, 4], { key, scale: 2, dtype: "float64" });
  assertIdentity(gram(ad.div(scaled, 2)), 1e-12);
  // float32 kernels are orthogonal to float32 rounding.
  assertIdentity(gram(ad.astype(ad.nn.orthogonal([50, 50], { key }), "float64")), 1e-5);
  // A conv kernel [O, I, KH, KW] with columns on axis 0: the O filters, flattened, are orthonormal.
  const k = ad.nn.orthogonal([4, 2, 3, 3], { key, columnAxis: 0, dtype: "float64" });
  assert.deepEqual(k.shape, [4, 2, 3, 3]);
  assertIdentity(gram(ad.transpose(ad.reshape(k, [4, 18]))), 1e-12);
  // The QR sign fix makes the distribution uniform: diagonal signs are not all positive.
  const diag = Array.from(
    { length: 20 },
    (_, s) =>
      (ad.nn.orthogonal([2, 2], { seed: s, dtype: "float64" }).toArray() as number[][])[0]![0]!,
  );
  assert.ok(diag.some((d) => d < 0) && diag.some((d) => d > 0));
});

test("errors: missing randomness, bad options, bad shapes", () => {
  assert.throws(
    () => ad.nn.glorotUniform([2, 2], {} as ad.InitOptions),
    (e: unknown) => e instanceof ad.ValueError && /seed|key/.test(e.message),
  );
  assert.throws(
    () => ad.nn.heNormal([2, 2], { key, fanMode: "in" } as unknown as ad.InitOptions),
    /nn.heNormal: unknown option "fanMode"/,
  );
  assert.throws(() => ad.nn.orthogonal([3], { key }), /nn.orthogonal: shape must have at least 2/);
  assert.throws(() => ad.nn.lecunNormal([2, -1], { key }), ad.ValueError);
  assert.throws(
    () => ad.nn.heNormal([2, 3], { key, inAxis: 5 }),
    /nn.heNormal: inAxis must be an integer in \[-2, 1\]; got 5/,
  );
});
