/**
 * @file ad.optim's gradient transforms and chain: clipByGlobalNorm against hand values (bit for
 * bit), clipByValue, addDecayedWeights with masks, chain's state and nesting, custom transforms.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const f64 = (v: number | number[] | number[][]) => ad.tensor(v, { dtype: "float64" });
const arr = (t: ad.Tensor): number[] => [t.toArray()].flat(2) as number[];

test("clipByGlobalNorm: one factor maxNorm / max(norm, maxNorm) over all leaves", () => {
  const grads = { a: f64([3, 4]), b: [f64([[12]])] };
  const out = ad.optim.clipByGlobalNorm(6.5).update(grads, null, grads).grads as typeof grads;
  // The global norm is sqrt(9 + 16 + 144) = 13: every entry is scaled by 6.5 / 13 = 0.5.
  assert.deepEqual(arr(out.a), [1.5, 2]);
  assert.deepEqual(arr(out.b[0]!), [6]);
  assert.equal(out.b[0]!.dtype, "float64");
  // Within the bound, the gradients are returned unchanged (the factor is exactly 1).
  const same = ad.optim.clipByGlobalNorm(13).update(grads, null, grads).grads as typeof grads;
  assert.deepEqual(arr(same.a), [3, 4]);
  // Zero gradients: no division by zero.
  const zero = { a: f64([0, 0]) };
  assert.deepEqual(
    arr((ad.optim.clipByGlobalNorm(1).update(zero, null, zero).grads as typeof zero).a),
    [0, 0],
  );
  // Mixed dtypes: each leaf keeps its dtype.
  const mixed = { a: ad.tensor([30, 40], { dtype: "float32" }), b: f64([0]) };
  const m = ad.optim.clipByGlobalNorm(5).update(mixed, null, mixed).grads as typeof mixed;
  assert.equal(m.a.dtype, "float32");
  assert.deepEqual(arr(m.a), [3, 4]);
});

test("chain(clipByGlobalNorm, sgd with momentum): several steps against hand values", () => {
  const [maxNorm, lr, mu] = [1.5, 0.1, 0.9];
  const gradsAt = (k: number) => [0.9 * (k - 1.5), 0.4 + 0.3 * k, -0.7 * k];
  const opt = ad.optim.chain(
    ad.optim.clipByGlobalNorm(maxNorm),
    ad.optim.sgd({ lr, momentum: mu }),
  );
  let params = { a: f64([1, -1]), b: f64([0.5]) };
  let state = opt.init(params);
  const p = [1, -1, 0.5];
  const buf = [0, 0, 0];
  let clippedSteps = 0;
  for (let k = 0; k < 4; k++) {
    const g = gradsAt(k);
    const norm = Math.sqrt(g[0]! * g[0]! + g[1]! * g[1]! + g[2]! * g[2]!);
    if (norm > maxNorm) clippedSteps++;
    const factor = maxNorm / Math.max(norm, maxNorm);
    for (let i = 0; i < 3; i++) {
      const gi = g[i]! * factor;
      buf[i] = k === 0 ? gi : buf[i]! * mu + gi;
      p[i] = p[i]! - buf[i]! * lr;
    }
    ({ params, state } = opt.step(params, { a: f64([g[0]!, g[1]!]), b: f64([g[2]!]) }, state));
    assert.deepEqual([...arr(params.a), ...arr(params.b)], p, `step ${k + 1}`);
  }
  assert.ok(clippedSteps >= 1 && clippedSteps < 4, "some steps clip and some do not");
  assert.equal(Number((state.step as ad.Tensor).item()), 4);
  assert.deepEqual(Object.keys(state), ["step", "transforms", "optimizer"]);
  assert.deepEqual(state.transforms, [null]);
  assert.equal(Number(((state.optimizer as ad.OptimizerState).step as ad.Tensor).item()), 4);
});

test("clipByValue: symmetric and [min, max]", () => {
  const g = [f64([-5, -0.5, 0.5, 5])];
  assert.deepEqual(
    arr((ad.optim.clipByValue(1).update(g, null, g).grads as ad.Tensor[])[0]!),
    [-1, -0.5, 0.5, 1],
  );
  assert.deepEqual(
    arr((ad.optim.clipByValue(-0.5, 2).update(g, null, g).grads as ad.Tensor[])[0]!),
    [-0.5, -0.5, 0.5, 2],
  );
});

test("addDecayedWeights: g + weightDecay * p, for the leaves a mask (tree or function) chooses", () => {
  const params = { w: f64([[1, -2]]), b: f64([4]) };
  const grads = { w: f64([[0.5, 0.5]]), b: f64([1]) };
  const all = ad.optim.addDecayedWeights({ weightDecay: 0.25 }).update(grads, null, params)
    .grads as typeof params;
  assert.deepEqual([...arr(all.w), ...arr(all.b)], [0.5 + 1 * 0.25, 0.5 + -2 * 0.25, 1 + 4 * 0.25]);
  const tree = ad.optim.addDecayedWeights({ weightDecay: 0.25, mask: { w: false, b: true } });
  const t = tree.update(grads, null, params).grads as typeof params;
  assert.deepEqual([...arr(t.w), ...arr(t.b)], [0.5, 0.5, 2]);
  const fn = ad.optim.addDecayedWeights({
    weightDecay: 0.25,
    mask: (p) => ad.treeMap((x) => (x as ad.Tensor).ndim > 1, p),
  });
  const f = fn.update(grads, null, params).grads as typeof params;
  assert.deepEqual([...arr(f.w), ...arr(f.b)], [0.75, 0, 1]);
});

test("chain(addDecayedWeights, sgd) is sgd with weightDecay, bit for bit", () => {
  const run = (opt: ad.Optimizer) => {
    let params = { x: f64([0.3, -1.1, 2.5]) };
    let state = opt.init(params);
    for (let k = 0; k < 4; k++) {
      const grads = { x: f64([Math.sin(k), Math.cos(k), k / 3]) };
      ({ params, state } = opt.step(params, grads, state));
    }
    return arr(params.x);
  };
  const chained = ad.optim.chain(
    ad.optim.addDecayedWeights({ weightDecay: 0.07 }),
    ad.optim.sgd({ lr: 0.2, momentum: 0.5 }),
  );
  assert.deepEqual(run(chained), run(ad.optim.sgd({ lr: 0.2, momentum: 0.5, weightDecay: 0.07 })));
});

test("chains nest, run their transforms in order, and accept custom transforms", () => {
  const calls: string[] = [];
  const tag = (name: string, scale: number): ad.GradientTransform<number> => ({
    init: () => 0,
    update: (grads, count) => {
      calls.push(name);
      return { grads: ad.treeMap((g) => ad.mul(g as ad.Tensor, scale), grads), state: count + 1 };
    },
  });
  const inner = ad.optim.chain(tag("second", 3), ad.optim.sgd({ lr: 1 }));
  const opt = ad.optim.chain(tag("first", 2), inner);
  const params = { x: f64([1]) };
  const s0 = opt.init(params);
  const { params: p1, state: s1 } = opt.step(params, { x: f64([0.5]) }, s0);
  assert.deepEqual(calls, ["first", "second"]);
  assert.deepEqual(arr(p1.x), [1 - 0.5 * 2 * 3]);
  assert.deepEqual(s1.transforms, [1]);
  assert.deepEqual((s1.optimizer as ad.OptimizerState).transforms, [1]);
  assert.equal(Number((s1.step as ad.Tensor).item()), 1);
  // The initial state is untouched.
  assert.deepEqual(s0.transforms, [0]);
  // A chain of just an optimizer is that optimizer.
  const only = ad.optim.chain(ad.optim.adam({ lr: 0.1 }));
  const plain = ad.optim.adam({ lr: 0.1 });
  const g = { x: f64([0.3]) };
  assert.deepEqual(
    arr(only.step(params, g, only.init(params)).params.x),
    arr(plain.step(params, g, plain.init(params)).params.x),
  );
});
