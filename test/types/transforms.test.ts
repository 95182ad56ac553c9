/**
 * @file Type tests of the transformations (issue 9, section 3): unannotated callbacks get Tensor
 * parameters, argnums selects a tuple of the chosen arguments' gradient types, hasAux infers the
 * aux type, Jacobians and Hessians of pytrees are trees of trees, `item()` is a number. Each type
 * assertion is checked by `npm run typecheck`, under TS 7 (tsconfig.json) and TS 5.9
 * (test/types/tsconfig.json); this file also runs as a test, checking that the values have the
 * structure the types claim.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Tensor } from "../../src/index.js";
import * as ad from "../../src/index.js";
import { type Equal, expectType, typeOnly } from "./expect.js";

const f64 = (data: ad.TensorLike): Tensor => ad.tensor(data, { dtype: "float64" });
const values = (t: Tensor): number[] => Array.from(t.dataSync());
const isTensor = (v: unknown): v is Tensor => v instanceof ad.Tensor;

interface Params {
  w: Tensor;
  b: Tensor;
}
const params: Params = { w: f64([1, 2]), b: f64(0.5) };
const x = f64([3, 4]);
const loss = (p: Params, xs: Tensor) => ad.sum(ad.square(ad.add(ad.mul(p.w, xs), p.b)));

test("grad: an unannotated callback takes and returns Tensors", () => {
  const g = ad.grad((x) => ad.sum(ad.mul(x, x)));
  expectType<Equal<typeof g, (x: Tensor) => Tensor>>(true);
  const r = g(ad.tensor([1, 2]));
  expectType<Equal<typeof r, Tensor>>(true);
  assert.deepEqual(r.toArray(), [2, 4]);
  // Several unannotated parameters: each is a Tensor, and the arity is kept.
  const g2 = ad.grad((a, b) => ad.sum(ad.mul(a, b)), { argnums: 1 });
  expectType<Equal<typeof g2, (a: Tensor, b: Tensor) => Tensor>>(true);
  assert.deepEqual(g2(ad.tensor([1, 2]), ad.tensor([3, 4])).toArray(), [1, 2]);
  // An op as the function: its TensorLike parameter is taken to receive a Tensor.
  const dsin = ad.grad(ad.sin);
  expectType<Equal<ReturnType<typeof dsin>, Tensor>>(true);
  assert.equal(dsin(f64(0)).item(), 1);
  // Nesting keeps the types.
  const d2 = ad.grad(ad.grad((x) => ad.mul(x, ad.mul(x, x))));
  expectType<Equal<typeof d2, (x: Tensor) => Tensor>>(true);
  assert.equal(d2(f64(2)).item(), 12);
});

test("grad and valueAndGrad: argnums selects the arguments' gradient types", () => {
  const g01 = ad.grad((a: Tensor, p: { w: Tensor }) => ad.sum(ad.mul(a, p.w)), {
    argnums: [0, 1],
  });
  const r01 = g01(f64([1, 2]), { w: f64([3, 4]) });
  expectType<Equal<typeof r01, [Tensor, { w: Tensor }]>>(true);
  assert.deepEqual(r01[0].toArray(), [3, 4]);
  assert.deepEqual(r01[1].w.toArray(), [1, 2]);

  const g10 = ad.grad(loss, { argnums: [1, 0] });
  const r10 = g10(params, x);
  expectType<Equal<typeof r10, [Tensor, { w: Tensor; b: Tensor }]>>(true);
  assert.ok(isTensor(r10[0]) && isTensor(r10[1].w) && isTensor(r10[1].b));

  const g1 = ad.grad(loss, { argnums: 1 });
  expectType<Equal<ReturnType<typeof g1>, Tensor>>(true);
  const gLast = ad.grad(loss, { argnums: -1 });
  expectType<Equal<ReturnType<typeof gLast>, Tensor>>(true);
  const gFirst = ad.grad(loss, { argnums: -2 });
  expectType<Equal<ReturnType<typeof gFirst>, { w: Tensor; b: Tensor }>>(true);
  assert.deepEqual(values(g1(params, x)), values(gLast(params, x)));
  assert.ok(isTensor(gFirst(params, x).w));

  const g0 = ad.grad(loss);
  expectType<Equal<ReturnType<typeof g0>, { w: Tensor; b: Tensor }>>(true);
  // A number parameter's derivative is a Tensor.
  const gn = ad.grad((p: { w: Tensor; s: number }) => ad.mul(ad.sum(p.w), p.s));
  const rn = gn({ w: f64([1, 2]), s: 3 });
  expectType<Equal<typeof rn, { w: Tensor; s: Tensor }>>(true);
  assert.equal(rn.s.item(), 3);

  // An argnums array whose length is not known gives an array.
  const which: number[] = [0, 1];
  const gw = ad.grad(loss, { argnums: which });
  expectType<Equal<ReturnType<typeof gw>, (Tensor | { w: Tensor; b: Tensor })[]>>(true);
  assert.equal(gw(params, x).length, 2);

  const vg = ad.valueAndGrad(loss, { argnums: [0, 1] });
  const [value, grads] = vg(params, x);
  expectType<Equal<typeof value, Tensor>>(true);
  expectType<Equal<typeof grads, [{ w: Tensor; b: Tensor }, Tensor]>>(true);
  assert.ok(isTensor(value) && isTensor(grads[1]) && isTensor(grads[0].w));
});

test("hasAux: the aux type is inferred from f's [value, aux]", () => {
  const g = ad.grad((x) => [ad.sum(ad.square(x)), { mean: ad.mean(x), n: 2 }], { hasAux: true });
  const [dx, aux] = g(f64([1, 3]));
  expectType<Equal<typeof dx, Tensor>>(true);
  expectType<Equal<typeof aux, { mean: Tensor; n: number }>>(true);
  assert.deepEqual(dx.toArray(), [2, 6]);
  assert.equal(aux.mean.item(), 2);
  assert.equal(aux.n, 2);

  const vg = ad.valueAndGrad((p: Params) => [loss(p, x), p.w] as const, { hasAux: true });
  const [[v, w], gp] = vg(params);
  expectType<Equal<typeof v, Tensor>>(true);
  expectType<Equal<typeof w, Tensor>>(true);
  expectType<Equal<typeof gp, { w: Tensor; b: Tensor }>>(true);
  assert.ok(isTensor(v) && isTensor(w) && isTensor(gp.b));

  // A function declared elsewhere returning an array (not a tuple) is accepted; its aux is the
  // array's element type, as much as its type says.
  function withStats(t: Tensor) {
    return [ad.sum(t), ad.max(t)];
  }
  const [, stat] = ad.grad(withStats, { hasAux: true })(f64([1, 5]));
  expectType<Equal<typeof stat, Tensor>>(true);
  assert.equal(stat.item(), 5);

  // Options whose hasAux is not known statically give the union.
  const opts: ad.GradOptions = {};
  const gu = ad.grad((t: Tensor) => ad.sum(t), opts);
  expectType<Equal<ReturnType<typeof gu>, Tensor | Tensor[] | [Tensor | Tensor[], unknown]>>(true);
});

test("misuse that the types reject (each also fails at run time)", () => {
  typeOnly(() => {
    // @ts-expect-error grad requires a scalar output, not an object holding it
    ad.grad((x) => ({ loss: ad.sum(x) }));
    // @ts-expect-error argnums is a number or an array of numbers
    ad.grad((x: Tensor) => ad.sum(x), { argnums: "0" });
    // @ts-expect-error argnums: null
    ad.grad((x: Tensor) => ad.sum(x), { argnums: null });
    // @ts-expect-error options with no known key
    ad.grad((x: Tensor) => ad.sum(x), { argnum: 0 });
    // @ts-expect-error grad takes a function
    ad.grad("nope");
    // @ts-expect-error with hasAux, f returns a pair
    ad.grad((x: Tensor) => ad.sum(x), { hasAux: true });
    // @ts-expect-error the gradient function takes f's arguments
    ad.grad(loss)(x);
    const [, back] = ad.vjp((t: Tensor) => ({ y: t }), x);
    // @ts-expect-error a cotangent has the output's structure
    back([x]);
    // @ts-expect-error item() is a number
    const flag: boolean = x.item();
    void flag;
  });
  // @ts-expect-error (as above: run to check the run-time error is typed)
  assert.throws(() => ad.grad((t: Tensor) => ad.sum(t), { hasAux: true })(x), ad.AdjointError);
});

test("vjp, jvp, linearize and hvp: pytrees in and out", () => {
  const [y, back] = ad.vjp((x) => ad.mul(x, x), ad.tensor([1, 2]));
  expectType<Equal<typeof y, Tensor>>(true);
  const cts = back(ad.tensor([1, 1]));
  expectType<Equal<typeof cts, [Tensor]>>(true);
  assert.deepEqual(cts[0].toArray(), [2, 4]);

  const [out, backP] = ad.vjp(
    (p: Params, xs: Tensor) => ({ l: loss(p, xs), s: ad.sum(xs) }),
    params,
    x,
  );
  expectType<Equal<typeof out, { l: Tensor; s: Tensor }>>(true);
  const [gp, gx] = backP({ l: 1, s: f64(0) });
  expectType<Equal<typeof gp, { w: Tensor; b: Tensor }>>(true);
  expectType<Equal<typeof gx, Tensor>>(true);
  assert.ok(isTensor(gp.w) && isTensor(gx));

  const [p0, t0] = ad.jvp((x) => ad.sin(x), [f64(0)], [f64(1)]);
  expectType<Equal<typeof p0, Tensor>>(true);
  expectType<Equal<typeof t0, Tensor>>(true);
  assert.equal(t0.item(), 1);
  // Tangents built at run time (an array, not a tuple) are accepted. (A returned array literal
  // is typed as an array by TypeScript, unless written `as const`.)
  const ts = [params, x].map((t) => ad.stopGradient(t));
  const [, tp] = ad.jvp((p: Params, xs: Tensor) => [loss(p, xs), p.w], [params, x], ts);
  expectType<Equal<typeof tp, Tensor[]>>(true);
  const [, tc] = ad.jvp((p: Params, xs: Tensor) => [loss(p, xs), p.w] as const, [params, x], ts);
  expectType<Equal<typeof tc, [Tensor, Tensor]>>(true);
  assert.ok(isTensor(tc[0]) && isTensor(tc[1]));

  const [yl, lin] = ad.linearize((p: Params) => ad.mul(p.w, p.b), params);
  expectType<Equal<typeof yl, Tensor>>(true);
  const tl = lin({ w: f64([1, 1]), b: 0 });
  expectType<Equal<typeof tl, Tensor>>(true);
  assert.deepEqual(tl.toArray(), [0.5, 0.5]);

  const hv = ad.hvp(loss, [params, x], [params, ad.zerosLike(x)]);
  expectType<Equal<typeof hv, [{ w: Tensor; b: Tensor }, Tensor]>>(true);
  assert.ok(isTensor(hv[0].w) && isTensor(hv[1]));
});

test("jacfwd, jacrev, jacobian: the output's structure with the input's at each leaf", () => {
  const jt = ad.jacrev((x) => ad.mul(x, 2));
  expectType<Equal<typeof jt, (x: Tensor) => Tensor>>(true);
  assert.deepEqual(jt(f64([1, 2])).shape, [2, 2]);

  const f = (p: Params) => ({ y: ad.mul(p.w, p.b), z: ad.sum(p.w) });
  for (const jac of [ad.jacfwd(f), ad.jacrev(f), ad.jacobian(f)]) {
    const j = jac(params);
    expectType<Equal<typeof j, { y: { w: Tensor; b: Tensor }; z: { w: Tensor; b: Tensor } }>>(true);
    assert.deepEqual(j.y.w.shape, [2, 2]);
    assert.deepEqual(j.y.b.shape, [2]);
    assert.deepEqual(j.z.w.shape, [2]);
    assert.deepEqual(j.z.b.shape, []);
  }

  const j01 = ad.jacfwd((a: Tensor, b: Tensor) => ad.mul(a, b), { argnums: [0, 1] })(x, x);
  expectType<Equal<typeof j01, [Tensor, Tensor]>>(true);
  assert.equal(j01.length, 2);

  const [ja, aux] = ad.jacrev((t: Tensor) => [ad.sin(t), ad.sum(t)], { hasAux: true })(x);
  expectType<Equal<typeof ja, Tensor>>(true);
  expectType<Equal<typeof aux, Tensor>>(true);
  assert.equal(aux.item(), 7);
});

test("hessian: a tree of trees for a pytree argument", () => {
  const h = ad.hessian((x) => ad.sum(ad.pow(x, 3)))(f64([1, 2]));
  expectType<Equal<typeof h, Tensor>>(true);
  assert.deepEqual(h.toArray(), [
    [6, 0],
    [0, 12],
  ]);

  const hp = ad.hessian((p: Params) => loss(p, x))(params);
  expectType<Equal<typeof hp, { w: { w: Tensor; b: Tensor }; b: { w: Tensor; b: Tensor } }>>(true);
  // d²/dw db of sum((w x + b)²) is 2 x; d²/db² is 2 n.
  assert.deepEqual(hp.w.b.toArray(), [6, 8]);
  assert.deepEqual(hp.b.w.toArray(), [6, 8]);
  assert.equal(hp.b.b.item(), 4);
  assert.deepEqual(hp.w.w.shape, [2, 2]);

  // With argnums [0, 1], the gradient is [dp, dx]; each of its leaves holds [d/dp, d/dx].
  const h2 = ad.hessian(loss, { argnums: [0, 1] })(params, x);
  type Both = [Params, Tensor];
  expectType<Equal<typeof h2, [{ w: Both; b: Both }, Both]>>(true);
  assert.deepEqual(h2[0].w[0].w.shape, [2, 2]);
  assert.deepEqual(h2[0].w[1].shape, [2, 2]);
  assert.deepEqual(h2[0].b[0].w.shape, [2]);
  assert.deepEqual(h2[1][0].b.shape, [2]);
  assert.deepEqual(h2[1][1].shape, [2, 2]);
});

test("vmap, checkpoint, custom rules, loops and stopGradient keep their functions' types", () => {
  const dots = ad.vmap((a, b) => ad.dot(a, b));
  expectType<Equal<typeof dots, (a: Tensor, b: Tensor) => Tensor>>(true);
  assert.deepEqual(dots(f64([[1, 2]]), f64([[3, 4]])).toArray(), [11]);

  const perExample = ad.vmap(ad.grad(loss), { inAxes: [null, 0] });
  expectType<Equal<typeof perExample, (p: Params, xs: Tensor) => { w: Tensor; b: Tensor }>>(true);
  assert.deepEqual(
    perExample(
      params,
      f64([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    ).w.shape,
    [3, 2],
  );

  const layer = ad.checkpoint((t) => ad.tanh(t));
  expectType<Equal<typeof layer, (t: Tensor) => Tensor>>(true);

  const clip = ad.customVjp((t: Tensor) => t, {
    fwd: (t) => [t, null],
    bwd: (_res, ct) => [ad.clip(ct, -1, 1)],
  });
  expectType<Equal<typeof clip, (t: Tensor) => Tensor>>(true);
  assert.deepEqual(
    ad
      .grad((t) => ad.sum(ad.mul(clip(t), 5)))(x)
      .toArray(),
    [1, 1],
  );

  const softplus = ad.customJvp((t: Tensor) => ad.log1p(ad.exp(t)), {
    jvp: ([t], [dt]) => [ad.softplus(t), ad.mul(dt, ad.sigmoid(t))],
  });
  expectType<Equal<typeof softplus, (t: Tensor) => Tensor>>(true);
  assert.ok(Math.abs(ad.grad(softplus)(f64(0)).item() - 0.5) < 1e-12);

  const [total, partial] = ad.scan((c, xi) => [ad.add(c, xi), ad.add(c, xi)], f64(0), x);
  expectType<Equal<typeof total, Tensor>>(true);
  expectType<Equal<typeof partial, Tensor>>(true);
  assert.deepEqual(partial.toArray(), [3, 7]);
  const y = ad.fori(0, 3, (_i, v) => ad.mul(v, 2), f64(1));
  expectType<Equal<typeof y, Tensor>>(true);

  const s = ad.stopGradient(3);
  expectType<Equal<typeof s, Tensor>>(true);
  assert.ok(isTensor(s));
  const sp = ad.stopGradient(params);
  expectType<Equal<typeof sp, Params>>(true);
});

test("item() is a number, also for bool tensors (1 or 0)", () => {
  const v = f64([2.5]).item();
  expectType<Equal<typeof v, number>>(true);
  assert.equal(v, 2.5);
  assert.equal(ad.greater(2, 1).item(), 1);
  assert.equal(ad.greater(1, 2).item(), 0);
});
