/** @file checkpoint: same values and derivatives (both modes, order 2), less kept on the tape. */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import type { VjpTrace } from "../../src/transforms/vjp-trace.js";

const f64 = (v: number | number[] | number[][]) => ad.tensor(v, { dtype: "float64" });
const w = f64([
  [0.5, -0.3, 0.1],
  [0.2, 0.8, -0.4],
  [-0.6, 0.1, 0.3],
]);

/** Five tanh(s * W h) layers; the layer closes over s (a tracer of the same level under grad). */
function net(useCheckpoint: boolean) {
  return (x: ad.Tensor, s: ad.Tensor) => {
    const layer = (h: ad.Tensor) => ad.tanh(ad.mul(ad.matmul(w, h), s));
    const step = useCheckpoint ? ad.checkpoint(layer) : layer;
    let h = x;
    for (let i = 0; i < 5; i++) h = step(h);
    return ad.sum(ad.square(h));
  };
}
const x = f64([0.3, -0.7, 1.1]);
const s = f64(1.3);

test("checkpoint: values and gradients equal the plain function's (arguments and closures)", () => {
  assert.equal(net(true)(x, s).item(), net(false)(x, s).item());
  const a = ad.grad(net(false), { argnums: [0, 1] })(x, s) as ad.Tensor[];
  const b = ad.grad(net(true), { argnums: [0, 1] })(x, s) as ad.Tensor[];
  assert.deepEqual(
    b.map((t) => t.toArray()),
    a.map((t) => t.toArray()),
  );
});

test("checkpoint: order 2 in both modes, hessian, grad of grad, jacfwd", () => {
  ad.checkGrads((x: ad.Tensor, s: ad.Tensor) => net(true)(x, s), [x, s], { order: 2 });
  const h1 = ad.hessian(net(true), { argnums: 0 })(x, s).toArray() as number[][];
  const h2 = ad.hessian(net(false), { argnums: 0 })(x, s).toArray() as number[][];
  h1.flat().forEach((v, i) => {
    assert.ok(Math.abs(v - h2.flat()[i]!) < 1e-12);
  });
  const gg = (useCk: boolean) =>
    ad
      .grad(ad.grad(net(useCk), { argnums: 1 }), { argnums: 1 })(x, s)
      .item() as number;
  assert.ok(Math.abs(gg(true) - gg(false)) < 1e-12);
  const jf = ad.jacfwd(net(true))(x, s).toArray() as number[];
  const jr = ad.jacrev(net(false))(x, s).toArray() as number[];
  jf.forEach((v, i) => {
    assert.ok(Math.abs(v - jr[i]!) < 1e-12);
  });
});

test("checkpoint: the tape keeps one entry per checkpointed call instead of its intermediates", () => {
  // 5 layers x (reshape, matmul, reshape, mul, tanh) without checkpoint; 5 entries with.
  const count = (useCk: boolean): number => {
    let entries = 0;
    ad.grad((x: ad.Tensor) => {
      const out = net(useCk)(x, s);
      entries = (x._trace as VjpTrace).tape.length;
      return out;
    })(x);
    return entries;
  };
  assert.equal(count(false), 1 + 5 * 5 + 2); // leaf, 25 layer calls, square, sum
  assert.equal(count(true), 1 + 5 + 2); // leaf, 5 checkpoint calls (one entry each), square, sum
});

test("checkpoint: nested checkpoints and pytree results", () => {
  const inner = ad.checkpoint((h: ad.Tensor) => ({ a: ad.sin(h), b: ad.cos(h) }));
  const outer = ad.checkpoint((h: ad.Tensor) => {
    const { a, b } = inner(h);
    return ad.mul(inner(a).a, b);
  });
  const f = (x: ad.Tensor) => ad.sum(outer(ad.mul(x, s)));
  ad.checkGrads(f, [x], { order: 2 });
});

test("checkpoint: outside any transformation it is the function itself", () => {
  const f = ad.checkpoint((a: ad.Tensor, b: number) => ad.mul(a, b));
  assert.deepEqual(f(f64([1, 2]), 3).toArray(), [3, 6]);
});
