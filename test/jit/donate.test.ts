/**
 * @file jit's donateArgnums: a donated argument's arrays take the call's results (same bits as
 * without donation, in every kernel mode), donated tensors are deleted (reading one is a
 * ValueError that says why), and donation never changes a result: inputs read after the loop
 * that would take their array, the same tensor passed twice, a reshape of a donated tensor
 * passed beside it, an argument returned as it is, and gradients through the jitted function.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileGraph } from "../../src/compile/program.js";
import * as ad from "../../src/index.js";
import { assertSameBits as same } from "../harness/same-bits.js";

type T = ad.Tensor;

interface Params {
  w1: T;
  b1: T;
  w2: T;
}

function init(dtype: "float32" | "float64"): Params {
  const key = ad.random.key(3);
  const [k1, k2] = ad.random.split(key, 2);
  return {
    w1: ad.random.normal([8, 16], { key: k1!, dtype }).mul(0.3),
    b1: ad.zeros([16], dtype),
    w2: ad.random.normal([16, 3], { key: k2!, dtype }).mul(0.3),
  };
}

function loss(p: Params, x: T, y: T): T {
  const h = ad.tanh(ad.add(ad.matmul(x, p.w1), p.b1));
  return ad.mean(ad.square(ad.sub(ad.matmul(h, p.w2), y)));
}

const copyTree = <P>(p: P): P =>
  ad.treeMap(
    (t) => ad.tensor((t as T).dataSync(), { shape: (t as T).shape, dtype: (t as T).dtype }),
    p as never,
  ) as P;

test("a donated Adam step gives the bits of the undonated one and of eager, step after step", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const opt = ad.optim.adam({ lr: 0.05 });
    const step = (p: Params, s: ad.OptimizerState, x: T, y: T) => {
      const [l, g] = ad.valueAndGrad(loss)(p, x, y);
      const next = opt.step(p, g, s);
      return { l, p: next.params, s: next.state };
    };
    const donating = ad.jit(step, { donateArgnums: [0, 1] });
    const plain = ad.jit(step);
    const x = ad.random.normal([32, 8], { key: ad.random.key(5), dtype });
    const y = ad.random.normal([32, 3], { key: ad.random.key(6), dtype });
    let pd = copyTree(init(dtype));
    let sd = opt.init(pd);
    let pp = init(dtype);
    let sp = opt.init(pp);
    let pe = init(dtype);
    let se = opt.init(pe);
    for (let k = 0; k < 8; k++) {
      const arrays = new Set(
        [...ad.treeLeaves(pd), ...ad.treeLeaves(sd)].map((t) => (t as T)._buf),
      );
      const d = donating(pd, sd, x, y);
      const p = plain(pp, sp, x, y);
      const e = step(pe, se, x, y);
      same(d.l, p.l, `${dtype} step ${k}: loss`);
      same(d.l, e.l, `${dtype} step ${k}: loss, eager`);
      ad.treeLeaves(d.p).forEach((t, i) => {
        same(t as T, ad.treeLeaves(p.p)[i] as T, `${dtype} step ${k}: param ${i}`);
        same(t as T, ad.treeLeaves(e.p)[i] as T, `${dtype} step ${k}: param ${i}, eager`);
      });
      // The new params and moments live in the arrays of the old ones (any of them: the loop
      // that updates a weight updates its moments too). The step count is a scalar.
      const results = [...ad.treeLeaves(d.p), ...ad.treeLeaves(d.s)] as T[];
      const reused = results.filter((t) => arrays.has(t._buf)).length;
      assert.equal(reused, results.length - 1, `${dtype} step ${k}: results written in place`);
      for (const t of ad.treeLeaves(pd)) assert.ok((t as T)._deleted, "donated params deleted");
      ({ p: pd, s: sd } = d);
      ({ p: pp, s: sp } = p);
      ({ p: pe, s: se } = e);
    }
  }
});

test("a deleted tensor says it was donated, wherever it is read", () => {
  const f = ad.jit((p: T, g: T) => ad.sub(p, ad.mul(g, 0.5)), { donateArgnums: 0 });
  const p = ad.tensor([1, 2, 3, 4]);
  const g = ad.ones([4]);
  const next = f(p, g);
  same(next, ad.tensor([0.5, 1.5, 2.5, 3.5]), "result");
  assert.match(
    String(p),
    /^tensor\(<deleted: donated to a jitted call>, shape=\[4\], dtype=float32\)$/,
  );
  const donated = /donated to a jitted call \(jit's donateArgnums\) and deleted by it/;
  assert.throws(() => p.dataSync(), { name: "ValueError", message: donated });
  assert.throws(() => p.add(1), { name: "ValueError", message: donated });
  assert.throws(() => ad.sum(p).item(), { name: "ValueError", message: donated });
  assert.throws(() => ad.grad((t: T) => ad.sum(t))(p), { name: "ValueError", message: donated });
  assert.throws(() => f(p, g), {
    name: "ValueError",
    message:
      /^jit\(f\): argument 0 is tensor\(<deleted: donated to a jitted call>.*pass the tensor that the donating call returned in its place$/,
  });
  // The jitted function is unharmed: the next call works.
  same(f(next, g), ad.tensor([0, 1, 2, 3]), "next call");
  const s = ad.scalar(2, "float32");
  const h = ad.jit((a: T, b: T) => ad.mul(a, b), { donateArgnums: [0] });
  same(h(s, ad.scalar(3, "float32")), ad.scalar(6, "float32"), "scalar");
  assert.throws(() => s.item(), { name: "ValueError", message: donated });
});

test("donation never changes a result: later reads, the same tensor twice, views, returned arguments", () => {
  const w = ad.random.normal([4, 4], { key: ad.random.key(9) });
  // p is read again by a product after the loop that could take its array.
  const later = (p: T, g: T) => [ad.sub(p, g), ad.matmul(ad.reshape(p, [4, 4]), w)];
  const x = ad.random.normal([16], { key: ad.random.key(10) });
  const g = ad.random.normal([16], { key: ad.random.key(11) });
  const want = later(x, g);
  const got = ad.jit(later, { donateArgnums: 0 })(copyTree(x), g);
  same(got[0]!, want[0]!, "later read: difference");
  same(got[1]!, want[1]!, "later read: product");
  // The same tensor as a donated and a plain argument; a reshape of it beside it.
  const twice = ad.jit((p: T, q: T) => ad.add(ad.mul(p, 2), ad.reshape(q, [16])), {
    donateArgnums: 0,
  });
  const y = copyTree(x);
  same(twice(y, y), ad.add(ad.mul(x, 2), x), "same tensor twice");
  const z = copyTree(x);
  same(twice(z, ad.reshape(z, [4, 4])), ad.add(ad.mul(x, 2), x), "a reshape of it");
  // The same tensor again, read by a later step after the loop that could write its array.
  const after = ad.jit((p: T, q: T) => [ad.add(p, 1), ad.matmul(ad.reshape(q, [4, 4]), w)], {
    donateArgnums: 0,
  });
  const u = copyTree(x);
  const [plus, product] = after(u, u);
  same(plus!, ad.add(x, 1), "same tensor, later read: sum");
  same(product!, ad.matmul(ad.reshape(x, [4, 4]), w), "same tensor, later read: product");
  // An argument returned as it is is not deleted.
  const ident = ad.jit((p: T, q: T) => [p, ad.add(p, q)], { donateArgnums: 0 });
  const a = copyTree(x);
  const [back, sum] = ident(a, g);
  assert.equal(back, a);
  assert.ok(!a._deleted);
  same(sum!, ad.add(x, g), "sum");
});

test("compiled with donated inputs, every kernel mode writes results in place with the same bits", () => {
  const f = (p: T, m: T, g: T) => {
    const m1 = ad.add(ad.mul(m, 0.9), ad.mul(g, 0.1));
    return [ad.sub(p, ad.mul(m1, 0.01)), m1];
  };
  for (const dtype of ["float32", "float64"] as const) {
    const [a0, a1, a2] = [5, 6, 7].map((s) =>
      ad.random.normal([4099], { key: ad.random.key(s), dtype }),
    ) as [T, T, T];
    const args = [a0, a1, a2];
    const g = ad.makeGraph(f, a0, a1, a2);
    const want = g.call(a0, a1, a2) as T[];
    for (const options of [{ wasm: true }, { wasm: false }, { codegen: false }]) {
      const program = compileGraph(g, { ...options, donate: [true, true, false] });
      const inputs = args.map((t) => copyTree(t));
      const arrays = inputs.map((t) => t._buf);
      const out = program.run(inputs);
      const label = `${dtype} ${JSON.stringify(options)}`;
      same(out[0]!, want[0]!, `${label}: p`);
      same(out[1]!, want[1]!, `${label}: m`);
      assert.ok(out[0]!._buf === arrays[0] || out[0]!._buf === arrays[1], `${label}: p in place`);
      assert.ok(out[1]!._buf === arrays[0] || out[1]!._buf === arrays[1], `${label}: m in place`);
    }
  }
});

test("a loop that reads a donated input at another element's index does not write its array", () => {
  // out[i] = p[i] + p[i - 1]: written in place, out[i - 1] would overwrite p[i - 1] first.
  const f = (p: T) => ad.add(p, ad.pad(ad.slice(p, [0], [4098]), [[1, 0]]));
  for (const dtype of ["float32", "float64"] as const) {
    const p = ad.random.normal([4099], { key: ad.random.key(14), dtype });
    const g = ad.makeGraph(f, p);
    const want = g.call(p) as T;
    for (const options of [{ wasm: true }, { wasm: false }, { codegen: false }]) {
      const program = compileGraph(g, { ...options, donate: [true] });
      same(program.run([copyTree(p)])[0]!, want, `${dtype} ${JSON.stringify(options)}`);
    }
  }
});

test("grad through a donating jitted function differentiates it and deletes nothing", () => {
  const f = ad.jit((p: T, q: T) => ad.sum(ad.mul(ad.tanh(p), q)), { donateArgnums: 0 });
  const p = ad.random.normal([10], { key: ad.random.key(12), dtype: "float64" });
  const q = ad.random.normal([10], { key: ad.random.key(13), dtype: "float64" });
  const dp = ad.grad((t: T) => f(t, q))(p);
  same(dp, ad.mul(ad.sub(1, ad.square(ad.tanh(p))), q), "gradient");
  assert.ok(!p._deleted);
  // Forward mode and the second derivative through it too.
  const [, tangent] = ad.jvp((t: T) => f(t, q), [p], [ad.onesLike(p)]);
  same(tangent as T, ad.sum(ad.mul(ad.sub(1, ad.square(ad.tanh(p))), q)), "jvp");
  assert.ok(!p._deleted);
});

test("donateArgnums is checked: integers, in range, not static too", () => {
  const f = (a: T, n: number) => ad.mul(a, n);
  assert.throws(() => ad.jit(f, { donateArgnums: "0" as never }), {
    name: "ValueError",
    message: /^jit\(f\): donateArgnums must be an integer or an array of integers; got string "0"$/,
  });
  assert.throws(() => ad.jit(f, { donateArgnums: 5 })(ad.ones([2]), 2), {
    name: "ValueError",
    message: /^jit\(f\): donateArgnums entry 5 is out of range for a call with 2 argument\(s\)$/,
  });
  assert.throws(() => ad.jit(f, { donateArgnums: 1, staticArgnums: 1 })(ad.ones([2]), 2), {
    name: "ValueError",
    message: /argument 1 is in both staticArgnums and donateArgnums/,
  });
  // The arguments of a refused call are not deleted.
  const a = ad.ones([2]);
  assert.throws(() => ad.jit(f, { donateArgnums: [0, 1], staticArgnums: 1 })(a, 2));
  assert.ok(!a._deleted);
});
