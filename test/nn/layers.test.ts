/**
 * @file nn's layers against plain JavaScript references (linear, conv2d, embedding, layerNorm,
 * batchNorm with PyTorch's running statistics, dropout, multi-head attention as loops), the
 * causal mask (zero weight and zero derivative for future positions), and ad.checkGrads on
 * every layer (orders 1 and 2).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose } from "../semantics/helpers.js";

const key = ad.random.key(3);
const f64 = { dtype: "float64" } as const;

type M = number[][];
const arr = (t: ad.Tensor) => t.toArray();

function randn(shape: number[], seed: number): ad.Tensor {
  return ad.random.normal(shape, { seed, dtype: "float64" });
}

/** Makes a bias non-zero so that the tests see it. */
function withBias<T extends { b?: ad.Tensor }>(p: T, seed: number): T {
  return p.b === undefined ? p : { ...p, b: randn(p.b.shape.slice(), seed) };
}

test("linear: x w + b over the last axis, without bias, leading axes", () => {
  const p = withBias(ad.nn.linear.init(key, 3, 2, f64), 1);
  assert.deepEqual(p.w.shape, [3, 2]);
  const x = randn([4, 3], 2);
  const xs = arr(x) as M;
  const w = arr(p.w) as M;
  const b = arr(p.b!) as number[];
  const want = xs.map((row) =>
    b.map((bo, o) => bo + row.reduce((s, v, k) => s + v * w[k]![o]!, 0)),
  );
  assertClose(ad.nn.linear(p, x), want, "", { atol: 1e-12 });
  const noBias = ad.nn.linear.init(key, 3, 2, { bias: false });
  assert.deepEqual(Object.keys(noBias), ["w"]);
  assert.deepEqual(ad.nn.linear(p, randn([2, 5, 3], 3)).shape, [2, 5, 2]);
  assert.throws(() => ad.nn.linear(p, randn([4, 5], 0)), ad.ShapeError);
  assert.throws(
    () => ad.nn.linear({} as ad.LinearParams, x),
    /nn.linear: params.w must be a Tensor/,
  );
  ad.checkGrads((q: ad.LinearParams, xx: ad.Tensor) => ad.nn.linear(q, xx), [p, x]);
});

test("conv2d: OIHW kernel plus a bias per output channel, against a loop", () => {
  const p = withBias(ad.nn.conv2d.init(key, 2, 3, [2, 3], f64), 4);
  assert.deepEqual(p.w.shape, [3, 2, 2, 3]);
  const x = randn([1, 2, 4, 5], 5);
  const y = ad.nn.conv2d(p, x, { padding: 1 });
  const xs = arr(x) as number[][][][];
  const w = arr(p.w) as number[][][][];
  const b = arr(p.b!) as number[];
  const at = (c: number, i: number, j: number) =>
    i < 0 || j < 0 || i >= 4 || j >= 5 ? 0 : xs[0]![c]![i]![j]!;
  // Output 5 x 5 with one row and column of zeros around the input.
  const want = [0, 1, 2].map((o) =>
    Array.from({ length: 5 }, (_, i) =>
      Array.from({ length: 5 }, (_, j) => {
        let s = b[o]!;
        for (let c = 0; c < 2; c++)
          for (let di = 0; di < 2; di++)
            for (let dj = 0; dj < 3; dj++) s += w[o]![c]![di]![dj]! * at(c, i + di - 1, j + dj - 1);
        return s;
      }),
    ),
  );
  assertClose(y, [want], "", { atol: 1e-12 });
  const layer = ad.nn.conv2d.layer(2, 4, 3, { stride: 2, padding: "same" });
  const lp = layer.init(key);
  assert.deepEqual(
    layer.call(lp, null, ad.ones([1, 2, 8, 8]), { training: false })[0].shape,
    [1, 4, 4, 4],
  );
  assert.throws(() => ad.nn.conv2d.init(key, 3, 4, 3, { groups: 2 }), /divisible by groups/);
  ad.checkGrads(
    (q: ad.Conv2dParams, xx: ad.Tensor) => ad.nn.conv2d(q, xx, { stride: 2 }),
    [p, randn([1, 2, 4, 5], 6)],
  );
});

test("embedding: rows at int ids; repeated ids add up in the gradient", () => {
  const p = ad.nn.embedding.init(key, 5, 3, f64);
  const ids = ad.tensor(
    [
      [4, 0],
      [4, 4],
    ],
    { dtype: "int32" },
  );
  const table = arr(p.table) as M;
  assertClose(ad.nn.embedding(p, ids), [
    [table[4]!, table[0]!],
    [table[4]!, table[4]!],
  ]);
  const g = ad.grad((q: ad.EmbeddingParams) => ad.sum(ad.nn.embedding(q, ids)))(p);
  assertClose(g.table, [
    [1, 1, 1],
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
    [3, 3, 3],
  ]);
  assert.throws(() => ad.nn.embedding(p, ad.tensor([1.0])), ad.DTypeError);
  assert.throws(
    () => ad.nn.embedding(p, ad.tensor([0, -1], { dtype: "int32" })),
    /nn.embedding: ids must be in \[0, 4\] \(the table's rows\); got -1 at flat index 1/,
  );
  ad.checkGrads(
    (q: ad.EmbeddingParams) => ad.mul(ad.nn.embedding(q, ids), ad.nn.embedding(q, ids)),
    [p],
  );
});

test("layerNorm: per example over the trailing axes, closed form", () => {
  const p = { scale: randn([2, 3], 7), bias: randn([2, 3], 8) };
  const x = randn([4, 2, 3], 9);
  const y = ad.nn.layerNorm(p, x);
  const xs = arr(x) as number[][][];
  const sc = (arr(p.scale) as M).flat();
  const bi = (arr(p.bias) as M).flat();
  const want = xs.map((ex) => {
    const v = ex.flat();
    const mu = v.reduce((a, c) => a + c, 0) / 6;
    const va = v.reduce((a, c) => a + (c - mu) ** 2, 0) / 6;
    const out = v.map((c, i) => ((c - mu) / Math.sqrt(va + 1e-5)) * sc[i]! + bi[i]!);
    return [out.slice(0, 3), out.slice(3)];
  });
  assertClose(y, want, "", { atol: 1e-12 });
  const init = ad.nn.layerNorm.init(key, [2, 3]);
  assert.deepEqual(Array.from(init.scale.dataSync()), [1, 1, 1, 1, 1, 1]);
  assert.throws(
    () => ad.nn.layerNorm(p, randn([4, 3, 2], 0)),
    /trailing axes must be the normalised shape/,
  );
  ad.checkGrads((q: ad.NormParams, xx: ad.Tensor) => ad.nn.layerNorm(q, xx), [p, x]);
});

test("batchNorm: batch statistics and PyTorch's running update in training, running ones in eval", () => {
  const params = { scale: ad.tensor([2, 0.5], f64), bias: ad.tensor([1, -1], f64) };
  let state = ad.nn.batchNorm.initState(2, f64);
  // [N=2, C=2, 3]: channel c's values are x[:, c, :].
  const x = randn([2, 2, 3], 10);
  const xs = arr(x) as number[][][];
  const chan = (c: number) => [...xs[0]![c]!, ...xs[1]![c]!];
  const [y, next] = ad.nn.batchNorm(params, state, x, { training: true });
  const means: number[] = [];
  const vars: number[] = [];
  const sc = [2, 0.5];
  const bi = [1, -1];
  const want = xs.map((ex) => ex.map((row) => row.slice()));
  for (let c = 0; c < 2; c++) {
    const v = chan(c);
    const mu = v.reduce((a, b) => a + b, 0) / 6;
    const va = v.reduce((a, b) => a + (b - mu) ** 2, 0) / 6;
    means.push(mu);
    vars.push(va);
    for (let n = 0; n < 2; n++)
      for (let j = 0; j < 3; j++) {
        want[n]![c]![j] = ((xs[n]![c]![j]! - mu) / Math.sqrt(va + 1e-5)) * sc[c]! + bi[c]!;
      }
  }
  assertClose(y, want, "", { atol: 1e-12 });
  // running = 0.9 running + 0.1 batch, with the unbiased variance (n / (n - 1)).
  assertClose(
    next.mean,
    means.map((m) => 0.1 * m),
    "",
    { atol: 1e-15 },
  );
  assertClose(
    next.var,
    vars.map((v) => 0.9 + 0.1 * v * (6 / 5)),
    "",
    { atol: 1e-15 },
  );
  // A second step from that state.
  const [, next2] = ad.nn.batchNorm(params, next, x, { training: true, momentum: 0.3 });
  assertClose(
    next2.mean,
    means.map((m) => 0.7 * 0.1 * m + 0.3 * m),
    "",
    { atol: 1e-15 },
  );
  // Evaluation: the running statistics, and the state comes back unchanged.
  state = next2;
  const [ye, same] = ad.nn.batchNorm(params, state, x, { training: false });
  assert.equal(same, state);
  const rm = arr(state.mean) as number[];
  const rv = arr(state.var) as number[];
  const wantEval = xs.map((ex) =>
    ex.map((row, c) => row.map((v) => ((v - rm[c]!) / Math.sqrt(rv[c]! + 1e-5)) * sc[c]! + bi[c]!)),
  );
  assertClose(ye, wantEval, "", { atol: 1e-12 });
  // 2-d input [N, C] works too; a single example per channel cannot train.
  assert.deepEqual(
    ad.nn.batchNorm(params, state, randn([5, 2], 1), { training: true })[0].shape,
    [5, 2],
  );
  assert.throws(
    () => ad.nn.batchNorm(params, state, randn([1, 2], 1), { training: true }),
    /more than 1 value per channel/,
  );
  assert.throws(
    () => ad.nn.batchNorm(params, state, randn([4, 3], 1), { training: true }),
    ad.ShapeError,
  );
  // No derivative flows into the running statistics; the output's derivatives check out.
  const g = ad.grad((p: ad.NormParams) =>
    ad.sum(ad.nn.batchNorm(p, state, x, { training: true })[1].mean),
  )(params);
  assertClose(g.scale, [0, 0]);
  ad.checkGrads(
    (p: ad.NormParams, xx: ad.Tensor) => ad.nn.batchNorm(p, state, xx, { training: true })[0],
    [params, x],
  );
  ad.checkGrads(
    (p: ad.NormParams, xx: ad.Tensor) => ad.nn.batchNorm(p, state, xx, { training: false })[0],
    [params, x],
  );
});

test("dropout: inverted scaling while training, identity in evaluation", () => {
  const x = ad.ones([100000], f64);
  const y = ad.nn.dropout(key, x, { rate: 0.25, training: true });
  const v = Array.from(y.dataSync());
  const zeros = v.filter((e) => e === 0).length;
  assert.ok(Math.abs(zeros / v.length - 0.25) < 0.01, `dropped ${zeros}`);
  assert.ok(v.every((e) => e === 0 || e === 1 / 0.75));
  assert.ok(Math.abs(v.reduce((a, b) => a + b, 0) / v.length - 1) < 0.02);
  // Same key, same mask; evaluation and rate 0 return x itself; rate 1 drops everything.
  assert.deepEqual(ad.nn.dropout(key, x, { rate: 0.25, training: true }).dataSync(), y.dataSync());
  assert.equal(ad.nn.dropout(key, x, { rate: 0.25, training: false }), x);
  assert.equal(ad.nn.dropout(undefined, x, { rate: 0.5, training: false }), x);
  assert.equal(ad.nn.dropout(key, x, { rate: 0, training: true }), x);
  assert.equal(ad.sum(ad.nn.dropout(key, x, { rate: 1, training: true })).item(), 0);
  assert.throws(
    () => ad.nn.dropout(undefined, x, { rate: 0.5, training: true }),
    /a key is needed/,
  );
  assert.throws(
    () => ad.nn.dropout(key, x, { rate: 1.5, training: true }),
    /rate must be a number in \[0, 1\]/,
  );
  assert.throws(
    () => ad.nn.dropout(key, x, { rate: 0.5 } as ad.DropoutOptions),
    /training must be true or false/,
  );
  // The derivative is the mask scaled: 0 or 1 / (1 - rate).
  const small = randn([20], 3);
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.nn.dropout(key, t, { rate: 0.5, training: true })))(
    small,
  );
  assertClose(
    g,
    Array.from(ad.nn.dropout(key, ad.ones([20], f64), { rate: 0.5, training: true }).dataSync()),
  );
  ad.checkGrads((t: ad.Tensor) => ad.nn.dropout(key, t, { rate: 0.3, training: true }), [small]);
});

/** Multi-head attention as plain loops over batch, head, query and key. */
function attentionRef(
  p: ad.MultiHeadAttentionParams,
  q: number[][][],
  k: number[][][],
  v: number[][][],
  causal: boolean,
): { out: number[][][]; weights: number[][][][] } {
  const wq = arr(p.q.w) as number[][][];
  const [d, h, dh] = p.q.w.shape as [number, number, number];
  const proj = (x: number[][][], pp: ad.LinearParams) => {
    const w = arr(pp.w) as number[][][];
    const b = arr(pp.b!) as M;
    // [B, L, d] -> [B, h, L, dh]
    return x.map((ex) =>
      Array.from({ length: h }, (_, hh) =>
        ex.map((row) =>
          Array.from(
            { length: dh },
            (_, e) => b[hh]![e]! + row.reduce((s, xv, i) => s + xv * w[i]![hh]![e]!, 0),
          ),
        ),
      ),
    );
  };
  void wq;
  const Q = proj(q, p.q);
  const K = proj(k, p.k);
  const V = proj(v, p.v);
  const wo = arr(p.o.w) as number[][][];
  const bo = arr(p.o.b!) as number[];
  const weights: number[][][][] = [];
  const out = Q.map((qb, bi) => {
    const wb: number[][][] = [];
    const heads = qb.map((qh, hh) => {
      const wh: number[][] = [];
      const res = qh.map((qi, i) => {
        const scores = K[bi]![hh]!.map((kj, j) =>
          causal && j > i ? -Infinity : qi.reduce((s, a, e) => s + a * kj[e]!, 0) / Math.sqrt(dh),
        );
        const m = Math.max(...scores);
        const ex = scores.map((s) => Math.exp(s - m));
        const z = ex.reduce((a, b) => a + b, 0);
        const w = ex.map((e) => e / z);
        wh.push(w);
        return Array.from({ length: dh }, (_, e) =>
          w.reduce((s, wj, j) => s + wj * V[bi]![hh]![j]![e]!, 0),
        );
      });
      wb.push(wh);
      return res;
    });
    weights.push(wb);
    // Merge heads and project: out[i][o] = bo[o] + sum_{hh, e} heads[hh][i][e] wo[hh][e][o].
    return heads[0]!.map((_, i) =>
      Array.from({ length: d }, (_, o) => {
        let s = bo[o]!;
        for (let hh = 0; hh < h; hh++)
          for (let e = 0; e < dh; e++) s += heads[hh]![i]![e]! * wo[hh]![e]![o]!;
        return s;
      }),
    );
  });
  return { out, weights };
}

function randomBiases(p: ad.MultiHeadAttentionParams): ad.MultiHeadAttentionParams {
  return { q: withBias(p.q, 11), k: withBias(p.k, 12), v: withBias(p.v, 13), o: withBias(p.o, 14) };
}

test("multiHeadAttention: against a loop implementation, with and without the causal mask", () => {
  const p = randomBiases(ad.nn.multiHeadAttention.init(key, 6, 2, f64));
  const q = randn([2, 4, 6], 20);
  const k = randn([2, 5, 6], 21);
  const v = randn([2, 5, 6], 22);
  const ref = attentionRef(
    p,
    arr(q) as number[][][],
    arr(k) as number[][][],
    arr(v) as number[][][],
    false,
  );
  assertClose(ad.nn.multiHeadAttention(p, q, k, v), ref.out, "", { atol: 1e-12 });
  const x = randn([2, 4, 6], 23);
  const xs = arr(x) as number[][][];
  const causal = attentionRef(p, xs, xs, xs, true);
  assertClose(ad.nn.multiHeadAttention(p, x, x, x, { causal: true }), causal.out, "", {
    atol: 1e-12,
  });
  // A mask with the same pattern as the causal one gives the same result.
  const tril = ad.astype(ad.tri(4, 4), "bool");
  assertClose(ad.nn.multiHeadAttention(p, x, x, x, { mask: tril }), causal.out, "", {
    atol: 1e-12,
  });
  // The self-attention layer is the same function.
  const layer = ad.nn.multiHeadAttention.layer(6, 2, { causal: true });
  assertClose(layer.call(p, null, x, { training: false })[0], causal.out, "", { atol: 1e-12 });
  assert.throws(() => ad.nn.multiHeadAttention.init(key, 6, 4), /divisible by numHeads/);
  assert.throws(() => ad.nn.multiHeadAttention(p, randn([2, 4, 5], 0), x, x), ad.ShapeError);
});

test("causal mask: future positions get zero weight and zero derivative", () => {
  const q = randn([3, 5, 4], 30);
  const k = randn([3, 5, 4], 31);
  const w = ad.nn.attentionWeights(q, k, { causal: true });
  const ws = arr(w) as number[][][];
  for (const b of ws)
    b.forEach((row, i) => {
      row.forEach((e, j) => {
        if (j > i) assert.equal(e, 0, `weight of key ${j} for query ${i}`);
        else assert.ok(e > 0);
      });
      assert.ok(Math.abs(row.reduce((a, c) => a + c, 0) - 1) < 1e-12);
    });
  // Output i of self-attention does not depend on inputs j > i.
  const p = ad.nn.multiHeadAttention.init(key, 4, 2, f64);
  const x = randn([5, 4], 32);
  const jac = ad.jacrev((t: ad.Tensor) => ad.nn.multiHeadAttention(p, t, t, t, { causal: true }))(
    x,
  );
  const J = arr(jac) as number[][][][];
  for (let i = 0; i < 5; i++)
    for (let j = i + 1; j < 5; j++)
      for (let a = 0; a < 4; a++)
        for (let c = 0; c < 4; c++) assert.equal(J[i]![a]![j]![c], 0, `d out[${i}] / d x[${j}]`);
  // A fully masked row stays finite (uniform), never NaN.
  const none = ad.nn.attentionWeights(q, k, { mask: ad.zeros([5, 5], "bool") });
  assertClose(ad.slice(none, [0, 0, 0], [1, 1, 5]), [[[0.2, 0.2, 0.2, 0.2, 0.2]]]);
  assert.throws(
    () => ad.nn.attentionWeights(q, k, { mask: ad.ones([5, 5]) }),
    /mask must be a bool/,
  );
});

test("checkGrads: attention in params and inputs, orders 1 and 2", () => {
  const p = randomBiases(ad.nn.multiHeadAttention.init(key, 4, 2, f64));
  const x = randn([2, 3, 4], 40);
  ad.checkGrads(
    (pp: ad.MultiHeadAttentionParams, t: ad.Tensor) =>
      ad.nn.multiHeadAttention(pp, t, t, t, { causal: true }),
    [p, x],
  );
  ad.checkGrads(
    (q: ad.Tensor, k: ad.Tensor, v: ad.Tensor) => ad.nn.dotProductAttention(q, k, v),
    [randn([3, 2], 41), randn([4, 2], 42), randn([4, 3], 43)],
  );
});
