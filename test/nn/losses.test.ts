/**
 * @file nn's losses and accuracy: hand values, the three reductions, int labels against one-hot
 * rows, label smoothing, values and gradients at logits of +-1000 (finite and right), and
 * ad.checkGrads at orders 1 and 2 away from kinks.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose } from "../semantics/helpers.js";

const f64 = (d: ad.TensorLike) => ad.tensor(d, { dtype: "float64" });
const i32 = (d: ad.TensorLike) => ad.tensor(d, { dtype: "int32" });

function lse(xs: number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}

test("softmaxCrossEntropy: hand values, reductions, one-hot rows equal int labels", () => {
  const rows = [
    [1, 2, 3],
    [0.5, -1, 2],
  ];
  const labels = [2, 0];
  const per = rows.map((r, i) => lse(r) - r[labels[i]!]!);
  const logits = f64(rows);
  assertClose(ad.nn.softmaxCrossEntropy(logits, i32(labels), { reduction: "none" }), per, "", {
    atol: 1e-14,
  });
  assertClose(ad.nn.softmaxCrossEntropy(logits, i32(labels)), (per[0]! + per[1]!) / 2, "", {
    atol: 1e-14,
  });
  assertClose(
    ad.nn.softmaxCrossEntropy(logits, i32(labels), { reduction: "sum" }),
    per[0]! + per[1]!,
    "",
    {
      atol: 1e-14,
    },
  );
  const oneHot = f64([
    [0, 0, 1],
    [1, 0, 0],
  ]);
  assertClose(ad.nn.softmaxCrossEntropy(logits, oneHot, { reduction: "none" }), per, "", {
    atol: 1e-14,
  });
  // Probability rows: -sum p log softmax.
  const probs = [0.2, 0.3, 0.5];
  const want = -probs.reduce((s, p, c) => s + p * (rows[0]![c]! - lse(rows[0]!)), 0);
  assertClose(ad.nn.softmaxCrossEntropy(f64([rows[0]!]), f64([probs])), want, "", { atol: 1e-14 });
  // Leading batch axes.
  assert.deepEqual(
    ad.nn.softmaxCrossEntropy(ad.zeros([2, 3, 4]), ad.zeros([2, 3], "int32"), { reduction: "none" })
      .shape,
    [2, 3],
  );
});

test("softmaxCrossEntropy: label smoothing as (1 - e) t + e / C", () => {
  const row = [1, 2, 3];
  const eps = 0.1;
  const t = [0, 1, 0].map((v) => (1 - eps) * v + eps / 3);
  const want = -t.reduce((s, p, c) => s + p * (row[c]! - lse(row)), 0);
  assertClose(ad.nn.softmaxCrossEntropy(f64([row]), i32([1]), { labelSmoothing: eps }), want, "", {
    atol: 1e-14,
  });
  assert.throws(
    () => ad.nn.softmaxCrossEntropy(f64([row]), i32([1]), { labelSmoothing: 2 }),
    /labelSmoothing must be a number in \[0, 1\]/,
  );
});

test("softmaxCrossEntropy at logits of +-1000: finite values and gradient softmax - target", () => {
  const logits = f64([
    [1000, -1000, 0],
    [-1000, 1000, 1000],
  ]);
  const labels = i32([1, 2]);
  const loss = ad.nn.softmaxCrossEntropy(logits, labels, { reduction: "none" });
  assertClose(loss, [2000, Math.log(2)], "", { atol: 1e-12 });
  const g = ad.grad((z: ad.Tensor) => ad.nn.softmaxCrossEntropy(z, labels, { reduction: "sum" }))(
    logits,
  );
  assertClose(
    g,
    [
      [1, -1, 0],
      [0, 0.5, -0.5],
    ],
    "",
    { atol: 1e-12 },
  );
  // float32 too.
  const g32 = ad.grad((z: ad.Tensor) => ad.nn.softmaxCrossEntropy(z, labels))(
    ad.astype(logits, "float32"),
  );
  assert.ok(Array.from(g32.dataSync()).every(Number.isFinite));
  // Second order: the Hessian of the summed loss is diag(s) - s s^T per row, finite.
  const h = ad.hessian((z: ad.Tensor) =>
    ad.nn.softmaxCrossEntropy(z, labels, { reduction: "sum" }),
  )(logits);
  assert.ok(Array.from(h.dataSync()).every(Number.isFinite));
  assertClose(
    ad.slice(ad.reshape(h, [6, 6]), [3, 3], [3, 3]),
    [
      [0, 0, 0],
      [0, 0.25, -0.25],
      [0, -0.25, 0.25],
    ],
    "",
    { atol: 1e-12 },
  );
});

test("softmaxCrossEntropy: checkGrads in logits (int labels, smoothing) and in probability labels", () => {
  const z = ad.random.normal([3, 4], { seed: 1, dtype: "float64" });
  const labels = i32([0, 3, 1]);
  ad.checkGrads((x: ad.Tensor) => ad.nn.softmaxCrossEntropy(x, labels, { reduction: "none" }), [z]);
  ad.checkGrads(
    (x: ad.Tensor) => ad.nn.softmaxCrossEntropy(x, labels, { labelSmoothing: 0.2 }),
    [z],
  );
  const probs = ad.softmax(ad.random.normal([3, 4], { seed: 2, dtype: "float64" }));
  ad.checkGrads(
    (x: ad.Tensor, p: ad.Tensor) => ad.nn.softmaxCrossEntropy(x, p, { reduction: "sum" }),
    [z, probs],
  );
});

test("softmaxCrossEntropy: errors name the op and the argument", () => {
  const z = f64([[1, 2, 3]]);
  assert.throws(
    () => ad.nn.softmaxCrossEntropy(z, i32([3])),
    /labels must be class indices in \[0, 2\]; got 3/,
  );
  assert.throws(
    () => ad.nn.softmaxCrossEntropy(z, [0]),
    (e: unknown) => e instanceof ad.ShapeError && /int32 class indices/.test(e.message),
  );
  assert.throws(() => ad.nn.softmaxCrossEntropy(z, i32([[0]])), ad.ShapeError);
  assert.throws(
    () => ad.nn.softmaxCrossEntropy(z, i32([0]), { reduction: "avg" as ad.Reduction }),
    /reduction must be "mean", "sum" or "none"/,
  );
});

test("binaryCrossEntropyWithLogits: hand values, posWeight, +-1000", () => {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const xs = [0.5, -2, 3];
  const ts = [1, 0, 0.3];
  const want = xs.map((x, i) => -(ts[i]! * Math.log(sig(x)) + (1 - ts[i]!) * Math.log(1 - sig(x))));
  assertClose(
    ad.nn.binaryCrossEntropyWithLogits(f64(xs), f64(ts), { reduction: "none" }),
    want,
    "",
    {
      atol: 1e-14,
    },
  );
  const weighted = xs.map(
    (x, i) => -(2 * ts[i]! * Math.log(sig(x)) + (1 - ts[i]!) * Math.log(1 - sig(x))),
  );
  assertClose(
    ad.nn.binaryCrossEntropyWithLogits(f64(xs), f64(ts), { posWeight: 2, reduction: "sum" }),
    weighted.reduce((a, b) => a + b, 0),
    "",
    { atol: 1e-13 },
  );
  const ext = f64([1000, -1000, 1000, -1000]);
  const tt = f64([1, 0, 0, 1]);
  assertClose(
    ad.nn.binaryCrossEntropyWithLogits(ext, tt, { reduction: "none" }),
    [0, 0, 1000, 1000],
  );
  const g = ad.grad((x: ad.Tensor) =>
    ad.nn.binaryCrossEntropyWithLogits(x, tt, { reduction: "sum" }),
  )(ext);
  assertClose(g, [0, 0, 1, -1]);
  const h = ad.hessian((x: ad.Tensor) =>
    ad.nn.binaryCrossEntropyWithLogits(x, tt, { reduction: "sum" }),
  )(ext);
  assert.ok(Array.from(h.dataSync()).every(Number.isFinite));
  ad.checkGrads(
    (x: ad.Tensor, t: ad.Tensor) => ad.nn.binaryCrossEntropyWithLogits(x, t),
    [f64(xs), f64(ts)],
  );
});

test("mse, l1, huber: hand values and reductions", () => {
  // No |d| equals delta (1 or 2): Huber's second derivative jumps there.
  const p = f64([1.25, -2.5, 0.5, 3]);
  const t = f64([0, 0, 0, 0.5]);
  const d = [1.25, -2.5, 0.5, 2.5];
  assertClose(
    ad.nn.mse(p, t, { reduction: "none" }),
    d.map((e) => e * e),
  );
  assertClose(ad.nn.mse(p, t), d.reduce((a, e) => a + e * e, 0) / 4);
  assertClose(ad.nn.l1(p, t, { reduction: "sum" }), 6.75);
  assertClose(ad.nn.l1(p, t), 6.75 / 4);
  const hub = (e: number, delta: number) =>
    Math.abs(e) <= delta ? 0.5 * e * e : delta * (Math.abs(e) - 0.5 * delta);
  assertClose(
    ad.nn.huber(p, t, { reduction: "none" }),
    d.map((e) => hub(e, 1)),
  );
  assertClose(
    ad.nn.huber(p, t, { delta: 2, reduction: "sum" }),
    d.reduce((a, e) => a + hub(e, 2), 0),
  );
  // Derivatives: mse 2 d / n; l1 sign(d) / n; huber clip(d, -delta, delta) / n.
  const gm = ad.grad((x: ad.Tensor) => ad.nn.mse(x, t))(p);
  assertClose(
    gm,
    d.map((e) => (2 * e) / 4),
  );
  const gl = ad.grad((x: ad.Tensor) => ad.nn.l1(x, t))(p);
  assertClose(
    gl,
    d.map((e) => Math.sign(e) / 4),
  );
  const gh = ad.grad((x: ad.Tensor) => ad.nn.huber(x, t))(p);
  assertClose(
    gh,
    d.map((e) => Math.max(-1, Math.min(1, e)) / 4),
  );
  // Huber is quadratic at 0 (second derivative 1 there), l1's derivative at 0 is 0.
  const h0 = ad.grad(ad.grad((x: ad.Tensor) => ad.nn.huber(x, 0)))(ad.scalar(0, "float64"));
  assertClose(h0, 1);
  assertClose(ad.grad((x: ad.Tensor) => ad.nn.l1(x, 0))(ad.scalar(0, "float64")), 0);
  assert.throws(() => ad.nn.huber(p, t, { delta: 0 }), /delta must be a positive finite number/);
  assert.throws(() => ad.nn.mse(p, f64([1, 2, 3])), ad.ShapeError);
  for (const f of [ad.nn.mse, ad.nn.l1, ad.nn.huber]) {
    ad.checkGrads((x: ad.Tensor, y: ad.Tensor) => f(x, y, { reduction: "none" }), [p, t]);
  }
});

test("accuracy: int labels and one-hot rows", () => {
  const scores = f64([
    [0.1, 0.9, 0],
    [2, 1, 0],
    [0, 0, 5],
    [1, 3, 2],
  ]);
  assertClose(ad.nn.accuracy(scores, i32([1, 0, 2, 2])), 0.75);
  const oneHot = f64([
    [0, 1, 0],
    [1, 0, 0],
    [0, 1, 0],
    [0, 1, 0],
  ]);
  assertClose(ad.nn.accuracy(scores, oneHot), 0.75);
  assert.equal(ad.nn.accuracy(scores, oneHot).dtype, "float32");
  assert.throws(() => ad.nn.accuracy(scores, i32([1, 0])), ad.ShapeError);
});
