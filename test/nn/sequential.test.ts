/**
 * @file nn.sequential and nn.residual: an MLP that learns a toy problem by gradient descent over
 * its params pytree, a small CNN and a transformer block in a few lines (shapes, gradients,
 * causality of the whole model), state threading for batchNorm, keys for dropout, and errors.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose } from "../semantics/helpers.js";

const key = ad.random.key(11);

/** Gradient descent over any params pytree. */
function sgd<P>(params: P, grads: P, lr: number): P {
  return ad.treeMap(
    (p: ad.Tensor, g: ad.Tensor) => ad.sub(p, ad.mul(g, lr)),
    params as never,
    grads as never,
  ) as P;
}

test("an MLP learns XOR-like classes by gradient descent on its params pytree", () => {
  const mlp = ad.nn.sequential([ad.nn.linear.layer(2, 16), ad.tanh, ad.nn.linear.layer(16, 2)]);
  let params = mlp.init(key);
  // Typed params: a tuple with each layer's params.
  assert.deepEqual(params[0].w.shape, [2, 16]);
  assert.equal(params[1], null);
  const x = ad.tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = ad.tensor([0, 1, 1, 0], { dtype: "int32" });
  const loss = (p: typeof params) => ad.nn.softmaxCrossEntropy(mlp.apply(p, x), y);
  const first = loss(params).item();
  const step = ad.valueAndGrad(loss);
  for (let i = 0; i < 300; i++) {
    const [, g] = step(params);
    params = sgd(params, g, 0.5);
  }
  const last = loss(params).item();
  assert.ok(last < first / 20, `loss ${first} -> ${last}`);
  assert.equal(ad.nn.accuracy(mlp.apply(params, x), y).item(), 1);
  // Deterministic init per key.
  assert.deepEqual(mlp.init(key)[2].w.dataSync(), mlp.init(key)[2].w.dataSync());
});

test("a small CNN in a few lines: shapes, finite gradients, checkGrads", () => {
  const cnn = ad.nn.sequential([
    ad.nn.conv2d.layer(1, 4, 3, { padding: 1 }),
    ad.relu,
    (x: ad.Tensor) => ad.maxPool2d(x, 2),
    (x: ad.Tensor) => ad.reshape(x, [x.shape[0]!, -1]),
    ad.nn.linear.layer(4 * 4 * 4, 10),
  ]);
  const params = cnn.init(key);
  const x = ad.random.normal([3, 1, 8, 8], { seed: 1 });
  const labels = ad.tensor([1, 5, 9], { dtype: "int32" });
  assert.deepEqual(cnn.apply(params, x).shape, [3, 10]);
  const g = ad.grad((p: typeof params) => ad.nn.softmaxCrossEntropy(cnn.apply(p, x), labels))(
    params,
  );
  assert.deepEqual(g[0].w.shape, [4, 1, 3, 3]);
  assert.ok(
    ad
      .treeLeaves(g)
      .every((t) => t === null || Array.from((t as ad.Tensor).dataSync()).every(Number.isFinite)),
  );
  const small = ad.nn.sequential([
    ad.nn.conv2d.layer(1, 2, 2),
    ad.tanh,
    (t: ad.Tensor) => ad.reshape(t, [1, -1]),
  ]);
  const sp = ad.treeMap((t: ad.Tensor) => ad.astype(t, "float64"), small.init(key));
  ad.checkGrads(
    (p: typeof sp, t: ad.Tensor) => small.apply(p, t),
    [sp, ad.random.normal([1, 1, 3, 3], { seed: 2, dtype: "float64" })],
    { order: 1 },
  );
});

test("a transformer block in a few lines; the whole model is causal", () => {
  const d = 8;
  const vocab = 5;
  const model = ad.nn.sequential([
    ad.nn.embedding.layer(vocab, d),
    ad.nn.residual([
      ad.nn.layerNorm.layer(d),
      ad.nn.multiHeadAttention.layer(d, 2, { causal: true }),
    ]),
    ad.nn.residual([
      ad.nn.layerNorm.layer(d),
      ad.nn.linear.layer(d, 4 * d),
      ad.gelu,
      ad.nn.linear.layer(4 * d, d),
    ]),
    ad.nn.layerNorm.layer(d),
    ad.nn.linear.layer(d, vocab),
  ]);
  const params = ad.treeMap((t: ad.Tensor) => ad.astype(t, "float64"), model.init(key));
  const tokens = ad.tensor(
    [
      [1, 2, 3, 4, 0, 1],
      [4, 4, 3, 2, 1, 0],
    ],
    { dtype: "int32" },
  );
  const logits = model.apply(params, tokens);
  assert.deepEqual(logits.shape, [2, 6, vocab]);
  // Changing token 4 changes no logits before position 4.
  const changed = model.apply(
    params,
    ad.tensor(
      [
        [1, 2, 3, 4, 3, 1],
        [4, 4, 3, 2, 2, 0],
      ],
      { dtype: "int32" },
    ),
  );
  assertClose(
    ad.slice(changed, [0, 0, 0], [2, 4, vocab]),
    ad.slice(logits, [0, 0, 0], [2, 4, vocab]),
  );
  assert.ok(
    ad
      .max(
        ad.abs(
          ad.sub(
            ad.slice(changed, [0, 4, 0], [2, 2, vocab]),
            ad.slice(logits, [0, 4, 0], [2, 2, vocab]),
          ),
        ),
      )
      .item() > 1e-6,
  );
  // Next-token loss: gradients reach every parameter.
  const loss = (p: typeof params) =>
    ad.nn.softmaxCrossEntropy(
      ad.slice(model.apply(p, tokens), [0, 0, 0], [2, 5, vocab]),
      ad.slice(tokens, [0, 1], [2, 5]),
    );
  const g = ad.grad(loss)(params);
  const leaves = ad.treeLeaves(g) as ad.Tensor[];
  assert.equal(leaves.length, ad.treeLeaves(params).length);
  assert.ok(leaves.every((t) => ad.max(ad.abs(t)).item() > 0));
  ad.checkGrads((p: typeof params) => model.apply(p, ad.slice(tokens, [0, 0], [1, 3])), [params], {
    order: 1,
    modes: ["rev"],
  });
});

test("state: batchNorm's running statistics thread through applyWithState", () => {
  const model = ad.nn.sequential([ad.nn.linear.layer(3, 2), ad.nn.batchNorm.layer(2), ad.relu]);
  const params = model.init(key);
  let state = model.initState();
  assert.equal(state[0], null);
  assert.deepEqual(Array.from(state[1].var.dataSync()), [1, 1]);
  const x = ad.random.normal([16, 3], { seed: 4 });
  const [y, next] = model.applyWithState(params, state, x, { training: true });
  assert.deepEqual(y.shape, [16, 2]);
  const h = ad.nn.linear(params[0], x);
  assertClose(next[1].mean, ad.mul(ad.mean(h, { axis: 0 }), 0.1), "", { atol: 1e-6 });
  state = next;
  const [, same] = model.applyWithState(params, state, x, { training: false });
  assert.equal(same[1], state[1]);
  assert.throws(() => model.apply(params, x), /the model has state .* use applyWithState/);
});

test("dropout in a model: a key per layer while training, none needed in evaluation", () => {
  const model = ad.nn.sequential([ad.nn.linear.layer(4, 64), ad.nn.dropout.layer(0.5)]);
  const params = model.init(key);
  const x = ad.ones([2, 4]);
  const a = model.apply(params, x, { training: true, key: ad.random.key(1) });
  const b = model.apply(params, x, { training: true, key: ad.random.key(1) });
  const c = model.apply(params, x, { training: true, key: ad.random.key(2) });
  assert.deepEqual(a.dataSync(), b.dataSync());
  assert.notDeepEqual(a.dataSync(), c.dataSync());
  // The layer's key is foldIn(key, index) = foldIn(key, 1).
  const h = ad.nn.linear(params[0], x);
  assertClose(
    a,
    ad.nn.dropout(ad.random.foldIn(ad.random.key(1), 1), h, { rate: 0.5, training: true }),
  );
  assertClose(model.apply(params, x), h);
  assert.throws(
    () => model.apply(params, x, { training: true }),
    /nn.dropout: a key is needed while training/,
  );
});

test("errors: layer functions instead of layers, params of another length, bad entries", () => {
  assert.throws(
    () => ad.nn.sequential([ad.nn.linear as unknown as ad.SequentialEntry]),
    /layers\[0\] is a layer function; pass a layer made by its factory, e.g. nn.linear.layer/,
  );
  assert.throws(
    () => ad.nn.sequential([42 as unknown as ad.SequentialEntry]),
    /layers\[0\] must be a Layer/,
  );
  const model = ad.nn.sequential([ad.nn.linear.layer(2, 2), ad.relu]);
  const params = model.init(key);
  assert.throws(
    () => model.apply([params[0]] as unknown as typeof params, ad.ones([1, 2])),
    /params must be an array with one entry per layer \(2, from init\)/,
  );
  assert.throws(
    () => model.apply(params, ad.ones([1, 2]), { train: true } as ad.ApplyOptions),
    /unknown option "train"/,
  );
  const bad = ad.nn.sequential([() => 3 as unknown as ad.Tensor]);
  assert.throws(() => bad.apply(bad.init(key), ad.ones([1])), /layers\[0\] must return a Tensor/);
  // Nesting: a sequential is a layer.
  const outer = ad.nn.sequential([model, ad.nn.linear.layer(2, 1)]);
  const op = outer.init(key);
  assert.deepEqual(outer.apply(op, ad.ones([3, 2])).shape, [3, 1]);
});
