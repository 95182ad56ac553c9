/**
 * @file The graph IR's semantics: golden listings, composition with every transformation both
 * ways, constants from closures, data-dependent control flow as a TracerError, argument checks
 * of graph.call, JSON validation with typed errors naming the equation, and staging a long chain
 * without recursion.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

ad.setDefaultFloat("float64");

/** Every element equal (Object.is), with shape and dtype. */
function same(actual: ad.Tensor, expected: ad.Tensor): void {
  assert.deepEqual(actual.shape, expected.shape);
  assert.equal(actual.dtype, expected.dtype);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < e.length; i++)
    assert.ok(Object.is(a[i], e[i]), `element ${i}: ${a[i]} vs ${e[i]}`);
}

const f = (x: ad.Tensor, y: ad.Tensor) => x.mul(y).add(x.sin());

test("golden listings: a function, its gradient, pytrees, scopes, statics, multi-output", () => {
  assert.equal(
    ad.makeGraph(f, ad.scalar(2), ad.scalar(3)).toString(),
    `graph(a: f64[], b: f64[]) {
  c: f64[] = mul a b
  d: f64[] = sin a
  e: f64[] = add c d
  return e
}`,
  );
  assert.equal(
    ad.makeGraph(ad.grad(f, { argnums: [0, 1] }), ad.scalar(2), ad.scalar(3)).toString(),
    `graph(a: f64[], b: f64[]) {
  c: f64[] = mul a b
  d: f64[] = sin a
  e: f64[] = add c d
  f: f64[] = cos a
  g: f64[] = mul 1. f
  h: f64[] = mul 1. b
  i: f64[] = mul 1. a
  j: f64[] = add g h
  return (j, i)
}`,
  );
  const mlp = (p: { w: ad.Tensor; b: ad.Tensor }, x: ad.Tensor, scale: number) =>
    ad
      .namedScope("layer", () => ad.tanh(ad.matmul(x, p.w).add(p.b)))
      .mul(scale)
      .sum();
  assert.equal(
    ad.makeGraph(mlp, { w: ad.zeros([3, 2]), b: ad.zeros([2]) }, ad.zeros([4, 3]), 0.5).toString(),
    `graph(a: f64[3,2], b: f64[2], c: f64[4,3], 0.5) {
  d: f64[4,2] = matmul[transA=false, transB=false] c a  # layer
  e: f64[4,2] = add d b  # layer
  f: f64[4,2] = tanh e  # layer
  g: f64[4,2] = mul f 0.5
  h: f64[] = reduce_sum[axes=[0,1]] g
  return h
}`,
  );
  assert.equal(
    ad.makeGraph((a: ad.Tensor) => ad.linalg.eigh(a), ad.eye(3)).toString(),
    `graph(a: f64[3,3]) {
  b: f64[3], c: f64[3,3] = eigh a
  return (b, c)
}`,
  );
});

test("constants captured from closures are staged as constants, once", () => {
  const c = ad.tensor([1, 2, 3]);
  const g = ad.makeGraph((x: ad.Tensor) => x.mul(c).add(c).sum(), ad.zeros([3]));
  assert.equal(g.inputs.length, 1);
  assert.equal(g.consts.length, 1);
  assert.equal(g.consts[0]!.value, c);
  same(g.call(ad.tensor([1, 1, 1])), ad.scalar(12));
});

test("staging composes with every transformation, both ways", () => {
  const h = (x: ad.Tensor) => ad.sum(ad.mul(ad.sin(x), ad.exp(x)));
  const x = ad.tensor([0.3, -0.7, 1.1]);
  const v = ad.tensor([1, 0.5, -2]);
  // makeGraph of transformations
  same(ad.makeGraph(ad.grad(h), x).call(x), ad.grad(h)(x));
  same(ad.makeGraph(ad.hessian(h), x).call(x), ad.hessian(h)(x));
  same(
    ad.makeGraph(ad.vmap(ad.grad(h)), ad.zeros([2, 3])).call(ad.stack([x, v])),
    ad.vmap(ad.grad(h))(ad.stack([x, v])),
  );
  const jv = (p: ad.Tensor, t: ad.Tensor) => ad.jvp(h, [p], [t]);
  const [o1, t1] = ad.makeGraph(jv, x, v).call(x, v);
  const [o2, t2] = jv(x, v);
  same(o1, o2);
  same(t1, t2);
  // transformations of a graph's call
  const g = ad.makeGraph(h, x);
  const call = (p: ad.Tensor) => g.call(p);
  same(ad.grad(call)(x), ad.grad(h)(x));
  same(ad.jvp(call, [x], [v])[1], ad.jvp(h, [x], [v])[1]);
  same(ad.vmap(call)(ad.stack([x, v])), ad.vmap(h)(ad.stack([x, v])));
  same(ad.hessian(call)(x), ad.hessian(h)(x));
  // staging a graph's call again gives the same equations
  assert.equal(ad.makeGraph(call, x).toString(), g.toString());
});

test("a data-dependent branch is a TracerError that says what to use instead", () => {
  const branchy = (x: ad.Tensor) => (x.sum().item() > 0 ? x : ad.neg(x));
  assert.throws(
    () => ad.makeGraph(branchy, ad.ones([2])),
    (e: unknown) =>
      e instanceof ad.TracerError &&
      /makeGraph: cannot read the value of a staged tensor/.test(e.message) &&
      /ad\.where/.test(e.message) &&
      /ad\.scan/.test(e.message),
  );
  // A boolean mask's result shape depends on values.
  assert.throws(
    () => ad.makeGraph((x: ad.Tensor) => x.index(x.greater(0)), ad.ones([3])),
    ad.TracerError,
  );
  // Nothing is left behind: staging and plain evaluation work afterwards.
  same(ad.makeGraph((x: ad.Tensor) => x.add(1), ad.ones([2])).call(ad.ones([2])), ad.full([2], 2));
  same(ad.add(ad.ones([2]), 1), ad.full([2], 2));
});

test("a staged value that escapes is a TracerError when used", () => {
  let kept: ad.Tensor | null = null;
  ad.makeGraph(
    (x: ad.Tensor) => {
      kept = x.mul(2);
      return kept;
    },
    ad.ones([2]),
  );
  assert.throws(() => ad.add(kept!, 1), ad.TracerError);
});

test("graph.call checks structure, shapes, dtypes and static values", () => {
  const g = ad.makeGraph((x: ad.Tensor, k: number) => x.mul(k), ad.zeros([3]), 2);
  same(g.call(ad.tensor([1, 2, 3]), 2), ad.tensor([2, 4, 6]));
  assert.throws(
    () => g.call(ad.zeros([4]), 2),
    /graph\.call: argument leaf 0 has shape \[4\], but the graph was staged at shape \[3\]/,
  );
  assert.throws(() => g.call(ad.zeros([3], "float32"), 2), ad.DTypeError);
  assert.throws(() => g.call(ad.zeros([3]), 3), /staged as the static value 2; got 3/);
  assert.throws(
    () => (g.call as (...a: unknown[]) => unknown)(ad.zeros([3])),
    /graph\.call: the arguments have structure/,
  );
  assert.throws(
    () => ad.makeGraph((x: ad.Tensor) => x, new Map() as unknown as ad.Tensor),
    /makeGraph: argument leaf 0 must be a Tensor/,
  );
});

test("JSON round-trips exactly, including NaN, -0 and Infinity in constants and params", () => {
  const c = ad.tensor([Number.NaN, -0, Infinity, -Infinity, 1e-310]);
  const g = ad.makeGraph((x: ad.Tensor) => ad.pad(x.mul(c), [[1, 2]], -Infinity), ad.zeros([5]));
  const text = JSON.stringify(g);
  const back = ad.Graph.fromJSON(text);
  assert.equal(JSON.stringify(back), text);
  assert.equal(back.toString(), g.toString());
  const x = ad.tensor([1, 2, 3, 4, 5]);
  same(back.call(x) as ad.Tensor, g.call(x));
  // Text and objects are both accepted.
  assert.equal(JSON.stringify(ad.Graph.fromJSON(JSON.parse(text))), text);
});

test("fromJSON validates and names what is wrong", () => {
  const g = ad.makeGraph((x: ad.Tensor) => x.reshape([2, 2]).sum({ axis: 0 }), ad.zeros([4]));
  const good = g.toJSON();
  // biome-ignore lint/suspicious/noExplicitAny: the test edits arbitrary fields of a JSON document
  const edit = (fn: (j: Record<string, any>) => void): unknown => {
    const j = JSON.parse(JSON.stringify(good));
    fn(j);
    return j;
  };
  const rejects = (j: unknown, pattern: RegExp) =>
    assert.throws(
      () => ad.Graph.fromJSON(j),
      (e: unknown) => e instanceof ad.ValueError && pattern.test(e.message),
    );
  rejects(
    edit((j) => {
      j.format = "onnx";
    }),
    /Graph\.fromJSON: format: expected "adjoint-graph"/,
  );
  rejects(
    edit((j) => {
      j.version = 2;
    }),
    /version: this adjoint reads version 1; got 2/,
  );
  rejects(
    edit((j) => {
      j.eqns[1].primitive = "frobnicate";
    }),
    /equation 1: unknown primitive "frobnicate"/,
  );
  rejects(
    edit((j) => {
      j.eqns[0].params = { shape: [2, 2.5] };
    }),
    /equation 0 \(reshape\): params\.shape: expected an array of integers/,
  );
  rejects(
    edit((j) => {
      j.eqns[0].params = { shape: [2, 2], extra: 1 };
    }),
    /equation 0 \(reshape\): params: unknown field "extra"/,
  );
  rejects(
    edit((j) => {
      j.eqns[0].inputs = [7];
    }),
    /equation 0 \(reshape\): input 0: expected a variable id in \[0, 3\)/,
  );
  rejects(
    edit((j) => {
      j.eqns[1].inputs = [2];
    }),
    /equation 1 \(reduce_sum\): input 0: variable 2 is read before it is defined/,
  );
  rejects(
    edit((j) => {
      j.vars[1].shape = [4, 1];
    }),
    /equation 0 \(reshape\): output 0 is declared float64\[4,1\] but the primitive gives float64\[2,2\]/,
  );
  rejects(
    edit((j) => {
      j.eqns[0].params = { shape: [3, 3] };
    }),
    /equation 0 \(reshape\): its inputs are rejected by the shape rule/,
  );
  rejects(
    edit((j) => {
      j.outputs = [{ var: 9 }];
    }),
    /outputs\[0\]\.var: expected a variable id/,
  );
  rejects("{not json", /not valid JSON text/);
  // Nothing was registered or changed by the failures: the good graph still reads and runs.
  same(ad.Graph.fromJSON(good).call(ad.tensor([1, 2, 3, 4])) as ad.Tensor, ad.tensor([4, 6]));
});

test("staging a long chain needs no recursion (100,000 equations)", () => {
  const n = 100_000;
  const chain = (x: ad.Tensor) => {
    let y = x;
    for (let i = 0; i < n; i++) y = y.mul(1.0000001);
    return y;
  };
  const g = ad.makeGraph(chain, ad.scalar(1));
  assert.equal(g.eqns.length, n);
  assert.equal(
    JSON.stringify(ad.Graph.fromJSON(JSON.stringify(g))).length,
    JSON.stringify(g).length,
  );
  same(g.call(ad.scalar(1)), chain(ad.scalar(1)));
});
