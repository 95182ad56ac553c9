/**
 * @file A whole training step under jit (loss, gradient and optimizer update in one compiled
 * program): every optimizer's step count is a traced 0-d int32 tensor, so the step compiles once
 * and equals the eager step bit for bit in float32 and float64, step after step.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

type P = { w: ad.Tensor; b: ad.Tensor };

const OPTIMIZERS: [string, () => ad.Optimizer][] = [
  ["sgd", () => ad.optim.sgd({ lr: 0.05 })],
  ["sgd momentum nesterov", () => ad.optim.sgd({ lr: 0.05, momentum: 0.9, nesterov: true })],
  ["sgd momentum dampening", () => ad.optim.sgd({ lr: 0.05, momentum: 0.8, dampening: 0.25 })],
  ["adam", () => ad.optim.adam({ lr: 0.01 })],
  ["adam amsgrad l2", () => ad.optim.adam({ lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
  ["adamw", () => ad.optim.adamw({ lr: 0.01, weightDecay: 0.05 })],
  [
    "rmsprop centered momentum",
    () => ad.optim.rmsprop({ lr: 0.01, centered: true, momentum: 0.5 }),
  ],
  ["adagrad lr decay", () => ad.optim.adagrad({ lr: 0.1, lrDecay: 0.3 })],
  ["lion", () => ad.optim.lion({ lr: 0.01, weightDecay: 0.1 })],
  [
    "chain(clipByGlobalNorm, adam)",
    () => ad.optim.chain(ad.optim.clipByGlobalNorm(0.5), ad.optim.adam({ lr: 0.01 })),
  ],
];

function bitsEqual(a: ad.Tensor, b: ad.Tensor, what: string): void {
  const x = a.dataSync();
  const y = b.dataSync();
  assert.equal(x.length, y.length, what);
  for (let i = 0; i < x.length; i++) {
    assert.ok(Object.is(x[i], y[i]), `${what}[${i}]: ${x[i]} (jit) vs ${y[i]} (eager)`);
  }
}

for (const dtype of ["float32", "float64"] as const) {
  test(`jit of a whole training step (${dtype}): one compile, the eager step's bits, every optimizer`, () => {
    const x = ad.tensor(
      Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)),
      { shape: [4, 3], dtype },
    );
    const y = ad.tensor([[0.5], [-1], [0.25], [2]], { dtype });
    const loss = (p: P, xb: ad.Tensor, yb: ad.Tensor) =>
      ad.mean(ad.square(ad.sub(ad.tanh(ad.add(ad.matmul(xb, p.w), p.b)), yb)));
    for (const [name, make] of OPTIMIZERS) {
      const opt = make();
      const step = (p: P, s: ad.OptimizerState, xb: ad.Tensor, yb: ad.Tensor) => {
        const [l, g] = ad.valueAndGrad(loss)(p, xb, yb);
        const out = opt.step(p, g, s);
        return { l, p: out.params, s: out.state };
      };
      const jitted = ad.jit(step, { warnAfter: 1 });
      const p0: P = {
        w: ad.tensor([[0.3], [-0.2], [0.1]], { dtype }),
        b: ad.tensor([0.05], { dtype }),
      };
      let [pe, se] = [p0, opt.init(p0)];
      let [pj, sj] = [p0, opt.init(p0)];
      for (let k = 0; k < 4; k++) {
        const e = step(pe, se, x, y);
        const j = jitted(pj, sj, x, y);
        bitsEqual(j.l, e.l, `${name} step ${k}: loss`);
        bitsEqual(j.p.w, e.p.w, `${name} step ${k}: w`);
        bitsEqual(j.p.b, e.p.b, `${name} step ${k}: b`);
        [pe, se, pj, sj] = [e.p, e.s, j.p, j.s];
      }
      assert.equal(Number((sj.step as ad.Tensor).item()), 4, `${name}: step count`);
      assert.equal(jitted.compiles, 1, `${name}: compiles`);
    }
  });
}

test("learning-rate schedules in a jitted step: the traced step count gives the eager rates bit for bit", () => {
  const schedules: [string, ad.Schedule][] = [
    ["constant", ad.optim.constant(0.05)],
    [
      "exponentialDecay staircase, end",
      ad.optim.exponentialDecay({
        init: 0.1,
        decayRate: 0.5,
        transitionSteps: 2,
        staircase: true,
        transitionBegin: 1,
        end: 0.03,
      }),
    ],
    [
      "exponentialDecay",
      ad.optim.exponentialDecay({ init: 0.1, decayRate: 0.7, transitionSteps: 3 }),
    ],
    ["cosineDecay", ad.optim.cosineDecay({ init: 0.1, decaySteps: 4, alpha: 0.1 })],
    [
      "warmupCosineDecay",
      ad.optim.warmupCosineDecay({
        init: 0.01,
        peak: 0.1,
        warmupSteps: 2,
        decaySteps: 5,
        end: 0.02,
      }),
    ],
    [
      "warmupCosineDecay without warm-up",
      ad.optim.warmupCosineDecay({ peak: 0.1, warmupSteps: 0, decaySteps: 3 }),
    ],
    [
      "piecewiseConstant",
      ad.optim.piecewiseConstant({ boundaries: [1, 3], values: [0.1, 0.05, 0.01] }),
    ],
    ["a constant user schedule", () => 0.05],
  ];
  const p0 = { w: ad.tensor([0.5, -1.5, 2], { dtype: "float64" }) };
  const loss = (p: typeof p0) => ad.sum(ad.square(ad.sin(p.w)));
  for (const [name, lr] of schedules) {
    const opt = ad.optim.adam({ lr });
    const step = (p: typeof p0, s: ad.OptimizerState) => {
      const out = opt.step(p, ad.grad(loss)(p), s);
      return { p: out.params, s: out.state };
    };
    const jitted = ad.jit(step, { warnAfter: 1 });
    let [pe, se] = [p0, opt.init(p0)];
    let [pj, sj] = [p0, opt.init(p0)];
    for (let k = 0; k < 7; k++) {
      const e = step(pe, se);
      const j = jitted(pj, sj);
      bitsEqual(j.p.w, e.p.w, `${name} step ${k}`);
      [pe, se, pj, sj] = [e.p, e.s, j.p, j.s];
    }
    assert.equal(jitted.compiles, 1, `${name}: compiles`);
  }
});

test("a schedule that does number math on the traced step is a ValueError that says what to do", () => {
  const opt = ad.optim.sgd({ lr: (step: number) => 0.1 / (1 + step) });
  const p = { w: ad.tensor([1, 2], { dtype: "float64" }) };
  const stepped = ad.jit((q: typeof p, s: ad.OptimizerState) => opt.step(q, q, s).params);
  assert.throws(
    () => stepped(p, opt.init(p)),
    (e: unknown) =>
      e instanceof ad.ValueError &&
      /optim\.sgd\.step: the learning-rate schedule returned NaN for the traced step count: this step runs under jit .* Compute with tensor ops on it/.test(
        e.message,
      ),
  );
  // Eagerly it works, and the failed call left nothing behind.
  assert.equal(opt.step(p, p, opt.init(p)).params.w.dataSync()[0], 0.9);
});
