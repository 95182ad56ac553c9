/**
 * @file ad.optim's learning-rate schedules at given steps against their closed forms (optax's
 * definitions), and their argument checks.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const { constant, exponentialDecay, cosineDecay, warmupCosineDecay, piecewiseConstant } = ad.optim;

/** Equal to within `ulps` units in the last place of the expected value. */
function near(actual: number, expected: number, ulps = 2, what = ""): void {
  const tol = ulps * Number.EPSILON * Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected}`);
}

test("constant", () => {
  const s = constant(0.3);
  assert.deepEqual([0, 1, 1e6].map(s), [0.3, 0.3, 0.3]);
});

test("exponentialDecay: continuous, staircase, delayed start, bounds", () => {
  const s = exponentialDecay({ init: 0.2, decayRate: 0.7, transitionSteps: 4 });
  for (const k of [0, 1, 3, 4, 10, 1000]) assert.equal(s(k), 0.2 * 0.7 ** (k / 4), `step ${k}`);
  const stairs = exponentialDecay({
    init: 0.2,
    decayRate: 0.7,
    transitionSteps: 4,
    staircase: true,
  });
  assert.deepEqual([0, 3, 4, 7, 8].map(stairs), [0.2, 0.2, 0.2 * 0.7, 0.2 * 0.7, 0.2 * 0.7 ** 2]);
  // transitionBegin: held at init up to and including the start, then decays from it.
  const late = exponentialDecay({
    init: 1,
    decayRate: 0.5,
    transitionSteps: 2,
    transitionBegin: 10,
  });
  assert.deepEqual([0, 10, 12, 14].map(late), [1, 1, 0.5, 0.25]);
  // end: a lower bound when decaying, an upper bound when growing.
  const floor = exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 1, end: 0.2 });
  assert.deepEqual([0, 1, 2, 3, 50].map(floor), [1, 0.5, 0.25, 0.2, 0.2]);
  const ceiling = exponentialDecay({ init: 1, decayRate: 2, transitionSteps: 1, end: 5 });
  assert.deepEqual([0, 1, 2, 3, 50].map(ceiling), [1, 2, 4, 5, 5]);
});

test("cosineDecay: init * ((1 - alpha) * (1 + cos(pi k / T)) / 2 + alpha), constant after T", () => {
  const [init, T, alpha] = [0.5, 40, 0.1];
  const s = cosineDecay({ init, decaySteps: T, alpha });
  for (const k of [0, 1, 7, 20, 39, 40]) {
    const closed = init * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * k) / T)) + alpha);
    assert.equal(s(k), closed, `step ${k}`);
  }
  near(s(20), init * (1 + alpha) * 0.5, 2, "midpoint");
  near(s(40), init * alpha, 2, "end");
  assert.equal(s(1000), s(40));
  assert.deepEqual([0, 100].map(cosineDecay({ init: 2, decaySteps: 100 })), [2, 0]);
});

test("warmupCosineDecay: linear warm-up from init to peak, then cosine to end", () => {
  const [init, peak, W, D, end] = [0.01, 1, 10, 50, 0.05];
  const s = warmupCosineDecay({ init, peak, warmupSteps: W, decaySteps: D, end });
  for (let k = 0; k <= W; k++) near(s(k), init + ((peak - init) * k) / W, 2, `warm-up ${k}`);
  for (const k of [10, 11, 25, 30, 49, 50]) {
    // The cosine part written as end + (peak - end) * (1 + cos) / 2 (optax folds it differently).
    const closed = end + ((peak - end) * (1 + Math.cos((Math.PI * (k - W)) / (D - W)))) / 2;
    near(s(k), closed, 4, `decay ${k}`);
  }
  near(s(50), end, 2, "end");
  assert.equal(s(500), s(50));
  // No warm-up: a cosine decay from the peak.
  const plain = warmupCosineDecay({ peak: 0.3, warmupSteps: 0, decaySteps: 10 });
  assert.equal(plain(0), 0.3);
  assert.equal(plain(10), 0);
});

test("piecewiseConstant: the value changes at each boundary step (optax's semantics)", () => {
  const s = piecewiseConstant({ boundaries: [3, 5], values: [1, 0.5, 0.1] });
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 99].map(s), [1, 1, 1, 0.5, 0.5, 0.1, 0.1, 0.1]);
  assert.deepEqual([0, 9].map(piecewiseConstant({ boundaries: [], values: [0.2] })), [0.2, 0.2]);
});

test("schedules: argument checks are ValueErrors naming the schedule and option", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => constant(-1), /optim\.constant: value must be a finite number >= 0; got -1/],
    [() => constant(Number.NaN), /optim\.constant: value must be a finite number/],
    [
      () => exponentialDecay({ init: 1, decayRate: 0, transitionSteps: 1 }),
      /optim\.exponentialDecay: decayRate must be a finite number > 0; got 0/,
    ],
    [
      () => exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 0.5 }),
      /transitionSteps must be an integer >= 1; got 0.5/,
    ],
    [
      () => exponentialDecay({ init: 1, decayRate: 0.5 } as never),
      /transitionSteps must be an integer >= 1; got undefined/,
    ],
    [
      () =>
        exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 1, stairCase: true } as never),
      /unknown option "stairCase".*did you mean "staircase"/,
    ],
    [() => cosineDecay({ init: 1, decaySteps: 0 }), /decaySteps must be an integer >= 1/],
    [() => cosineDecay({ decaySteps: 10 } as never), /optim\.cosineDecay: init is required/],
    [
      () => warmupCosineDecay({ peak: 1, warmupSteps: 10, decaySteps: 10 }),
      /optim\.warmupCosineDecay: decaySteps must be an integer >= 11; got 10/,
    ],
    [
      () => piecewiseConstant({ boundaries: [5, 5], values: [1, 2, 3] }),
      /optim\.piecewiseConstant: boundaries\[1\] must be an integer >= 6; got 5/,
    ],
    [
      () => piecewiseConstant({ boundaries: [5], values: [1] }),
      /values must be an array of 2 numbers \(one more than boundaries\)/,
    ],
    [
      () => piecewiseConstant({ boundaries: [5], values: [1, -1] }),
      /values\[1\] must be a finite number >= 0; got -1/,
    ],
    [
      () => constant(1)(-1),
      /optim\.constant: the step must be a finite number >= 0 \(or a 0-d tensor\); got -1/,
    ],
  ];
  for (const [f, message] of cases)
    assert.throws(f, (e) => e instanceof ad.ValueError && message.test(e.message));
});
