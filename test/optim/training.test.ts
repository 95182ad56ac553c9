/**
 * @file Training smoke tests: ad.optim's optimizers fit a linear regression (a pytree of a weight
 * matrix and a bias) by minibatch steps with ad.valueAndGrad, and the loss drops below a bound.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

// y = X w* + b* + small noise, with 96 rows of 3 features (deterministic, no random state).
const ROWS = 96;
const xData = Array.from({ length: ROWS }, (_, i) => [
  Math.sin(i * 0.37),
  Math.cos(i * 0.11) * 1.5,
  ((i % 7) - 3) / 3,
]);
const wTrue = [1.5, -2, 0.5];
const bTrue = 0.3;
const yData = xData.map(
  (r, i) =>
    r[0]! * wTrue[0]! + r[1]! * wTrue[1]! + r[2]! * wTrue[2]! + bTrue + 0.01 * Math.sin(i * 7.1),
);
const X = ad.tensor(xData, { dtype: "float64" });
const Y = ad.tensor(yData, { dtype: "float64" });

interface Linear {
  w: ad.Tensor;
  b: ad.Tensor;
}
const mse = (p: Linear, x: ad.Tensor, y: ad.Tensor) =>
  ad.mean(ad.square(ad.sub(ad.add(ad.matmul(x, p.w), p.b), y)));

function train(opt: ad.Optimizer, epochs: number): { first: number; last: number; params: Linear } {
  let params: Linear = { w: ad.zeros([3], { dtype: "float64" }), b: ad.scalar(0, "float64") };
  let state = opt.init(params);
  const step = ad.valueAndGrad(mse);
  const batch = 16;
  let first = Number.NaN;
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < ROWS; s += batch) {
      const x = ad.slice(X, [s, 0], [batch, 3]);
      const y = ad.slice(Y, [s], [batch]);
      const [loss, grads] = step(params, x, y);
      if (Number.isNaN(first)) first = loss.item();
      ({ params, state } = opt.step(params, grads, state));
    }
  }
  return { first, last: mse(params, X, Y).item(), params };
}

test("adam fits a linear regression: the full-batch loss drops below 1e-3", () => {
  const { first, last, params } = train(ad.optim.adam({ lr: 0.05 }), 60);
  assert.ok(first > 1, `initial loss ${first}`);
  assert.ok(last < 1e-3, `final loss ${last}`);
  const w = params.w.toArray() as number[];
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(w[i]! - wTrue[i]!) < 0.02, `w[${i}] = ${w[i]}`);

  assert.ok(Math.abs(params.b.item() - bTrue) < 0.02);
});

test("every optimizer makes progress on the same problem (with a schedule and clipping)", () => {
  const opts: [string, ad.Optimizer, number][] = [
    ["sgd", ad.optim.sgd({ lr: 0.05, momentum: 0.9, nesterov: true }), 1e-3],
    ["adamw", ad.optim.adamw({ lr: 0.05, weightDecay: 1e-4 }), 1e-3],
    ["rmsprop", ad.optim.rmsprop({ lr: 0.01 }), 1e-2],
    ["adagrad", ad.optim.adagrad({ lr: 0.5 }), 1e-2],
    ["lion", ad.optim.lion({ lr: ad.optim.cosineDecay({ init: 0.05, decaySteps: 240 }) }), 1e-2],
    [
      "chain",
      ad.optim.chain(
        ad.optim.clipByGlobalNorm(1),
        ad.optim.adam({
          lr: ad.optim.warmupCosineDecay({ peak: 0.1, warmupSteps: 24, decaySteps: 240 }),
        }),
      ),
      1e-3,
    ],
  ];
  for (const [name, opt, bound] of opts) {
    const { first, last } = train(opt, 40);
    assert.ok(last < bound && last < first / 100, `${name}: loss ${first} -> ${last}`);
  }
});
