/**
 * @file nn's parameter utilities: countParams, flattenParams (a differentiable round trip to a
 * vector), saveParams / loadParams bit for bit in both formats (NaN, infinities, -0, every
 * dtype, nested structures), and the typed errors naming the leaf on a mismatch.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose } from "../semantics/helpers.js";

const key = ad.random.key(5);

function bits(t: ad.Tensor): number[] {
  const d = t.dataSync();
  return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
}

/** Asserts two pytrees have the same structure and bit-identical leaves of the same dtype and shape. */
function assertSameBits(a: unknown, b: unknown): void {
  assert.deepEqual(ad.treeStructure(a), ad.treeStructure(b));
  const la: unknown[] = ad.treeLeaves(a);
  const lb: unknown[] = ad.treeLeaves(b);
  la.forEach((x, i) => {
    const y = lb[i];
    if (x instanceof ad.Tensor) {
      assert.ok(y instanceof ad.Tensor);
      assert.equal(y.dtype, x.dtype);
      assert.deepEqual(y.shape, x.shape);
      assert.deepEqual(bits(y), bits(x));
    } else {
      assert.ok(Object.is(x, y), `leaf ${i}: ${String(x)} vs ${String(y)}`);
    }
  });
}

const special = [Number.NaN, Infinity, -Infinity, -0, 0, 5e-324, Number.MAX_VALUE, 0.1, -1 / 3];

function sampleTree() {
  return {
    layers: [
      ad.nn.linear.init(key, 3, 4),
      null,
      { w: ad.tensor(special, { dtype: "float64" }), "odd key": ad.tensor(special) },
    ],
    ints: ad.tensor(
      [
        [-2147483648, 2147483647],
        [0, -1],
      ],
      { dtype: "int32" },
    ),
    flags: ad.tensor([true, false, true]),
    step: 12,
    scalar: ad.scalar(2.5),
    empty: ad.zeros([0, 3]),
  };
}

test("countParams: tensor sizes plus one per number", () => {
  assert.equal(ad.nn.countParams(sampleTree()), 12 + 4 + 9 + 9 + 4 + 3 + 1 + 1 + 0);
  const mlp = ad.nn.sequential([
    ad.nn.linear.layer(784, 128),
    ad.relu,
    ad.nn.linear.layer(128, 10),
  ]);
  assert.equal(ad.nn.countParams(mlp.init(key)), 784 * 128 + 128 + 128 * 10 + 10);
  assert.throws(
    () => ad.nn.countParams({ a: [ad.ones([2]), "x"] }),
    /got string "x" at params.a\[1\]/,
  );
});

test("flattenParams: one vector, and back with shapes and dtypes; differentiable both ways", () => {
  const tree = {
    a: ad.tensor([
      [1, 2],
      [3, 4],
    ]),
    b: [ad.tensor([5], { dtype: "float64" }), 6],
  };
  const [v, unflatten] = ad.nn.flattenParams(tree);
  assert.equal(v.dtype, "float64");
  assertClose(v, [1, 2, 3, 4, 5, 6]);
  const back = unflatten(v);
  assert.equal(back.a.dtype, "float32");
  assert.deepEqual(back.a.shape, [2, 2]);
  assertClose(back.b[0] as ad.Tensor, [5]);
  assertClose(back.b[1] as ad.Tensor, 6);
  // A loss of the tree as a function of the vector: its gradient is the flattened gradient.
  const loss = (t: typeof tree) =>
    ad.add(ad.sum(ad.square(t.a)), ad.mul(t.b[0] as ad.Tensor, t.b[1] as ad.Tensor).sum());
  const gv = ad.grad((x: ad.Tensor) => loss(unflatten(x)))(v);
  assertClose(gv, [2, 4, 6, 8, 6, 5]);
  // (A float32 leaf rounds on the way through, so the check uses a float64 tree.)
  const [v64, unflatten64] = ad.nn.flattenParams({ a: ad.ones([2, 2], "float64"), b: [2] });
  ad.checkGrads(
    (x: ad.Tensor) => ad.nn.flattenParams(ad.treeMap((l) => ad.sin(l), unflatten64(x)))[0],
    [v64],
  );
  assert.throws(() => unflatten(ad.zeros([5])), /unflatten expects a vector of shape \[6\]/);
  assert.throws(
    () => ad.nn.flattenParams({ w: ad.ones([2]), ids: ad.tensor([1], { dtype: "int32" }) }),
    (e: unknown) => e instanceof ad.DTypeError && /at params.ids/.test(e.message),
  );
  const [empty] = ad.nn.flattenParams({});
  assert.deepEqual(empty.shape, [0]);
});

test("saveParams / loadParams: bit-exact round trips in JSON and binary", () => {
  const tree = sampleTree();
  const json = ad.nn.saveParams(tree);
  assert.equal(typeof json, "string");
  assertSameBits(ad.nn.loadParams(json), tree);
  assertSameBits(ad.nn.loadParams(json, tree), tree);
  const bin = ad.nn.saveParams(tree, { format: "binary" });
  assert.ok(bin instanceof Uint8Array);
  assertSameBits(ad.nn.loadParams(bin, tree), tree);
  // An ArrayBuffer, and a view at an offset into a larger buffer, read the same.
  assertSameBits(ad.nn.loadParams(bin.slice().buffer), tree);
  const padded = new Uint8Array(bin.length + 3);
  padded.set(bin, 3);
  assertSameBits(ad.nn.loadParams(padded.subarray(3)), tree);
  // A NaN's payload survives the binary format.
  const payload = new Float64Array(new BigUint64Array([0x7ff8000000000abcn]).buffer);
  const nan = ad.tensor(payload, { dtype: "float64" });
  assertSameBits(ad.nn.loadParams(ad.nn.saveParams({ nan }, { format: "binary" })), { nan });
  // Trained-looking params: the whole model.
  const model = ad.nn.sequential([
    ad.nn.conv2d.layer(1, 2, 3),
    ad.relu,
    ad.nn.layerNorm.layer([2, 4, 4]),
  ]);
  const params = model.init(key);
  assertSameBits(ad.nn.loadParams(ad.nn.saveParams(params, { format: "binary" }), params), params);
  assertSameBits(ad.nn.loadParams(ad.nn.saveParams(params), params), params);
});

test("loadParams: typed errors naming the leaf on a dtype, shape or structure mismatch", () => {
  const like = { layers: [ad.nn.linear.init(key, 3, 4), null], step: 1 };
  for (const data of [ad.nn.saveParams(like), ad.nn.saveParams(like, { format: "binary" })]) {
    const wrongShape = { layers: [ad.nn.linear.init(key, 3, 5), null], step: 1 };
    assert.throws(
      () => ad.nn.loadParams(data, wrongShape),
      (e: unknown) =>
        e instanceof ad.ShapeError &&
        e.message ===
          "nn.loadParams: params.layers[0].w has shape [3,4] in the file but [3,5] in like",
    );
    const wrongDtype = {
      layers: [ad.nn.linear.init(key, 3, 4, { dtype: "float64" }), null],
      step: 1,
    };
    assert.throws(
      () => ad.nn.loadParams(data, wrongDtype),
      (e: unknown) =>
        e instanceof ad.DTypeError &&
        e.message ===
          "nn.loadParams: params.layers[0].w is float32 in the file but float64 in like",
    );
    assert.throws(
      () => ad.nn.loadParams(data, { layers: [{ w: ad.ones([3, 4]) }, null], step: 1 }),
      (e: unknown) =>
        e instanceof ad.ValueError &&
        /params.layers\[0\] is an object with keys \[w, b\] in the file but an object with keys \[w\] in like/.test(
          e.message,
        ),
    );
    assert.throws(
      () => ad.nn.loadParams(data, { layers: [ad.nn.linear.init(key, 3, 4)], step: 1 }),
      /params.layers is an array of 2 in the file but an array of 1 in like/,
    );
    assert.throws(
      () =>
        ad.nn.loadParams(data, {
          layers: [ad.nn.linear.init(key, 3, 4), null],
          step: ad.scalar(1),
        }),
      /params.step is number in the file but float32 in like/,
    );
  }
});

test("loadParams: malformed, truncated and foreign data are ValueErrors", () => {
  const tree = { w: ad.ones([4]) };
  const bin = ad.nn.saveParams(tree, { format: "binary" });
  assert.throws(
    () => ad.nn.loadParams(bin.subarray(0, bin.length - 4)),
    /params.w's data lies outside the file/,
  );
  assert.throws(
    () => ad.nn.loadParams(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])),
    /does not start with "ADJP"/,
  );
  assert.throws(() => ad.nn.loadParams("{not json"), /the JSON text does not parse/);
  assert.throws(() => ad.nn.loadParams("{}"), /not an adjoint params file/);
  const doc = JSON.parse(ad.nn.saveParams(tree));
  doc.version = 9;
  assert.throws(() => ad.nn.loadParams(JSON.stringify(doc)), /unsupported version 9/);
  doc.version = 1;
  doc.leaves[0].data.pop();
  assert.throws(
    () => ad.nn.loadParams(JSON.stringify(doc)),
    /params.w should hold 4 values for shape \[4\]/,
  );
  doc.leaves[0].data.push("x");
  assert.throws(
    () => ad.nn.loadParams(JSON.stringify(doc)),
    /params.w has a value that is not a number/,
  );
  const ints = JSON.parse(
    ad.nn.saveParams({ i: ad.tensor([1, 2], { dtype: "int32" }), f: ad.tensor([true]) }),
  );
  ints.leaves[0].data[1] = 2.5;
  assert.throws(() => ad.nn.loadParams(JSON.stringify(ints)), /params.i is int32 but holds 2.5/);
  ints.leaves[0].data[1] = 2;
  ints.leaves[1].data[0] = 1;
  assert.throws(() => ad.nn.loadParams(JSON.stringify(ints)), /params.f is bool but holds 1/);
  doc.structure = { kind: "tree" };
  assert.throws(
    () => ad.nn.loadParams(JSON.stringify(doc)),
    /malformed at params: unknown node kind/,
  );
  assert.throws(
    () => ad.nn.loadParams(42 as unknown as string),
    /data must be a JSON string or binary data/,
  );
  assert.throws(
    () => ad.nn.saveParams({ f: () => 1 }),
    /every leaf must be a Tensor or a number; got .* at params.f/,
  );
  assert.throws(
    () => ad.nn.saveParams(tree, { format: "yaml" } as unknown as ad.SaveParamsOptions),
    /format must be "json" or "binary"/,
  );
});
