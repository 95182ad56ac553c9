/**
 * @file ad.optim's typed errors: learning rates, options, parameter and gradient trees (the
 * message names the leaf), states, masks and chains.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const f64 = (v: number | number[]) => ad.tensor(v, { dtype: "float64" });

function throwsLike(f: () => unknown, type: new (...a: never[]) => Error, message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    assert.match((e as Error).message, message);
    return true;
  });
}

test("a learning rate that is not a positive finite number or a function is a ValueError", () => {
  const makers = [
    ad.optim.sgd,
    ad.optim.adam,
    ad.optim.adamw,
    ad.optim.rmsprop,
    ad.optim.adagrad,
    ad.optim.lion,
  ] as ((o: { lr: unknown }) => ad.Optimizer)[];
  for (const make of makers) {
    for (const lr of [0, -0.1, Number.NaN, Number.POSITIVE_INFINITY, "0.1", undefined, null]) {
      throwsLike(
        () => make({ lr }),
        ad.ValueError,
        /^optim\.\w+: lr must be a positive finite number or a schedule \(step: number\) => number; got /,
      );
    }
  }
  throwsLike(
    () => (ad.optim.sgd as (o?: unknown) => unknown)(),
    ad.ValueError,
    /lr must be .*got undefined/,
  );
});

test("a schedule that returns a bad value fails at the step that uses it", () => {
  const opt = ad.optim.sgd({ lr: (k) => (k < 2 ? 0.1 : Number.NaN) });
  let params = { x: f64([1]) };
  let state = opt.init(params);
  for (let k = 0; k < 2; k++) ({ params, state } = opt.step(params, { x: f64([1]) }, state));
  throwsLike(
    () => opt.step(params, { x: f64([1]) }, state),
    ad.ValueError,
    /optim\.sgd\.step: the learning-rate schedule returned NaN at step 2; expected a finite number >= 0/,
  );
  const negative = ad.optim.adam({ lr: () => -1 });
  throwsLike(
    () => negative.step(params, params, negative.init(params)),
    ad.ValueError,
    /returned -1 at step 0/,
  );
});

test("unknown and out-of-range options are ValueErrors naming the option", () => {
  throwsLike(
    () => ad.optim.adam({ lr: 0.1, beta1: 0.9 } as never),
    ad.ValueError,
    /optim\.adam: unknown option "beta1"; optim\.adam accepts \{ lr, b1, b2, eps, weightDecay, amsgrad \}/,
  );
  throwsLike(
    () => ad.optim.sgd({ lr: 0.1, weight_decay: 0.1 } as never),
    ad.ValueError,
    /unknown option "weight_decay".*did you mean "weightDecay"/,
  );
  throwsLike(
    () => ad.optim.adam({ lr: 0.1, b2: 1 }),
    ad.ValueError,
    /optim\.adam: b2 must be a finite number >= 0 and < 1; got 1/,
  );
  throwsLike(
    () => ad.optim.sgd({ lr: 0.1, momentum: -0.5 }),
    ad.ValueError,
    /momentum must be a finite number >= 0; got -0.5/,
  );
  throwsLike(
    () => ad.optim.sgd({ lr: 0.1, nesterov: true }),
    ad.ValueError,
    /optim\.sgd: nesterov needs momentum > 0 and dampening 0; got momentum 0 and dampening 0/,
  );
  throwsLike(
    () => ad.optim.rmsprop({ lr: 0.1, centered: 1 } as never),
    ad.ValueError,
    /centered must be true or false; got 1/,
  );
  throwsLike(
    () => ad.optim.adagrad({ lr: 0.1, eps: -1 }),
    ad.ValueError,
    /eps must be a finite number >= 0; got -1/,
  );
  throwsLike(
    () => ad.optim.lion({ lr: 0.1, weightDecay: Number.NaN }),
    ad.ValueError,
    /weightDecay must be a finite number >= 0; got NaN/,
  );
  throwsLike(
    () => ad.optim.adam("fast" as never),
    ad.ValueError,
    /optim\.adam: options must be an object/,
  );
});

test("params and grads with different structures: the message names the leaf path", () => {
  const opt = ad.optim.adam({ lr: 0.1 });
  const params = { layers: [{ w: f64([1, 2]), b: f64(0) }], scale: f64(1) };
  const state = opt.init(params);
  throwsLike(
    () => opt.step(params, { layers: [{ w: f64([1, 2]) }], scale: f64(1) } as never, state),
    ad.ValueError,
    /optim\.adam\.step: grads must have the structure of params: at grads\.layers\[0\]: expected an object with keys \{w, b\}; got an object with keys \{w\}/,
  );
  throwsLike(
    () =>
      opt.step(params, { layers: [{ w: f64([1, 2]), b: null }], scale: f64(1) } as never, state),
    ad.ValueError,
    /at grads\.layers\[0\]\.b: expected a leaf; got null/,
  );
  throwsLike(
    () => opt.step(params, { layers: [{ w: f64([1, 2, 3]), b: f64(0) }], scale: f64(1) }, state),
    ad.ShapeError,
    /optim\.adam\.step: grads\.layers\[0\]\.w has shape \[3\]; params\.layers\[0\]\.w has shape \[2\]/,
  );
  throwsLike(
    () =>
      opt.step(
        params,
        { layers: [{ w: ad.tensor([1, 2], { dtype: "float32" }), b: f64(0) }], scale: f64(1) },
        state,
      ),
    ad.DTypeError,
    /grads\.layers\[0\]\.w has dtype float32; params\.layers\[0\]\.w has dtype float64/,
  );
  throwsLike(
    () => opt.step(params, { layers: [{ w: f64([1, 2]), b: 0 }], scale: f64(1) } as never, state),
    ad.ValueError,
    /grads\.layers\[0\]\.b must be a tensor; got 0/,
  );
});

test("non-float parameter leaves are errors naming the leaf", () => {
  const opt = ad.optim.sgd({ lr: 0.1 });
  throwsLike(
    () => opt.init({ w: f64([1]), counts: ad.tensor([1, 2], { dtype: "int32" }) }),
    ad.DTypeError,
    /optim\.sgd\.init: every leaf of params must be a float tensor \(float32 or float64\); params\.counts has dtype int32/,
  );
  throwsLike(
    () => opt.init({ w: f64([1]), "odd key": [2] }),
    ad.ValueError,
    /optim\.sgd\.init: every leaf of params must be a float tensor; params\["odd key"\]\[0\] is 2/,
  );
  throwsLike(
    () => opt.step({ w: ad.tensor([true]) }, { w: ad.tensor([true]) }, { step: 0 }),
    ad.DTypeError,
    /optim\.sgd\.step: .*params\.w has dtype bool/,
  );
});

test("a state that does not belong to the optimizer is a ValueError", () => {
  const params = { w: f64([1, 2]) };
  const adam = ad.optim.adam({ lr: 0.1 });
  const sgdState = ad.optim.sgd({ lr: 0.1 }).init(params);
  throwsLike(
    () => adam.step(params, params, sgdState),
    ad.ValueError,
    /optim\.adam\.step: state has no entry "m"/,
  );
  throwsLike(
    () => adam.step(params, params, null as never),
    ad.ValueError,
    /state must be the object that init or a previous step returned; got null/,
  );
  throwsLike(
    () => adam.step(params, params, { ...adam.init(params), step: -1 }),
    ad.ValueError,
    /state\.step must be the step count init returned \(a 0-d int32 tensor >= 0, or a non-negative integer\); got -1/,
  );
  // State for other parameters: named like the gradients.
  const other = adam.init({ w: f64([1, 2, 3]) });
  throwsLike(
    () => adam.step(params, params, other),
    ad.ShapeError,
    /state\.m\.w has shape \[3\]; params\.w has shape \[2\]/,
  );
});

test("transform and chain errors", () => {
  throwsLike(
    () => ad.optim.clipByGlobalNorm(0),
    ad.ValueError,
    /optim\.clipByGlobalNorm: maxNorm must be a finite number > 0; got 0/,
  );
  throwsLike(
    () => ad.optim.clipByValue(-1),
    ad.ValueError,
    /optim\.clipByValue: limit must be a finite number >= 0; got -1/,
  );
  throwsLike(
    () => ad.optim.clipByValue(2, 1),
    ad.ValueError,
    /optim\.clipByValue: max must be a finite number >= 2; got 1/,
  );
  throwsLike(
    () => ad.optim.addDecayedWeights({} as never),
    ad.ValueError,
    /optim\.addDecayedWeights: weightDecay is required/,
  );
  const params = { w: f64([1]), b: f64([2]) };
  throwsLike(
    () =>
      ad.optim
        .addDecayedWeights({ weightDecay: 0.1, mask: { w: true } })
        .update(params, null, params),
    ad.ValueError,
    /optim\.addDecayedWeights: mask must have the structure of params: at mask: expected an object with keys \{w, b\}; got an object with keys \{w\}/,
  );
  throwsLike(
    () =>
      ad.optim
        .addDecayedWeights({ weightDecay: 0.1, mask: { w: true, b: 1 } })
        .update(params, null, params),
    ad.ValueError,
    /every leaf of the mask must be true or false; mask\.b is 1/,
  );
  throwsLike(
    () => (ad.optim.chain as () => unknown)(),
    ad.ValueError,
    /optim\.chain: expected gradient transforms followed by an optimizer; got nothing/,
  );
  throwsLike(
    () => ad.optim.chain(ad.optim.clipByGlobalNorm(1) as never),
    ad.ValueError,
    /optim\.chain: the last argument must be an optimizer/,
  );
  throwsLike(
    () => ad.optim.chain(ad.optim.sgd({ lr: 1 }) as never, ad.optim.sgd({ lr: 1 })),
    ad.ValueError,
    /optim\.chain: argument 0 must be a gradient transform/,
  );
  const chained = ad.optim.chain(ad.optim.clipByGlobalNorm(1), ad.optim.sgd({ lr: 1 }));
  throwsLike(
    () => chained.step(params, params, ad.optim.sgd({ lr: 1 }).init(params)),
    ad.ValueError,
    /optim\.chain\.step: state has no entry "transforms"/,
  );
  throwsLike(
    () =>
      chained.step(
        params,
        { w: f64([1]), b: ad.tensor([1], { dtype: "int32" }) },
        chained.init(params),
      ),
    ad.DTypeError,
    /optim\.clipByGlobalNorm: every leaf of grads must be a float tensor .*grads\.b has dtype int32/,
  );
});
