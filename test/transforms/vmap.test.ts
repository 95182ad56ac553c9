/**
 * @file vmap: in/out axes and pytrees, nesting with itself and with every derivative transform,
 * data-dependent ops inside a batch, errors, and the batched Jacobians built on it. Every value is
 * compared with a plain loop over the batch (the per-op checks live in the op-spec table).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { mulberry32 } from "../harness/mulberry32.js";

const f64 = (v: number | number[] | number[][] | number[][][]) =>
  ad.tensor(v, { dtype: "float64" });

function random(shape: number[], seed: number): ad.Tensor {
  const next = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return ad.tensor(
    Float64Array.from({ length: n }, () => next() * 2 - 1),
    { dtype: "float64", shape },
  );
}

function assertClose(actual: ad.Tensor, expected: ad.Tensor, tol = 1e-12, what = "value") {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i]! - e[i]!) <= tol * (1 + Math.abs(e[i]!)),
      `${what}: element ${i} is ${a[i]}; expected ${e[i]}`,
    );
  }
}

/** The reference: f applied to each slice along axis 0 of the mapped arguments, stacked. */
function loop(
  f: (...xs: ad.Tensor[]) => ad.Tensor,
  args: (ad.Tensor | null)[],
  fixed: ad.Tensor[],
) {
  const n = args.find((a) => a !== null)!.shape[0]!;
  const outs: ad.Tensor[] = [];
  for (let b = 0; b < n; b++) {
    outs.push(
      f(
        ...args.map((a, i) =>
          a === null ? fixed[i]! : ad.take(a, [b], 0).reshape(a.shape.slice(1)),
        ),
      ),
    );
  }
  return ad.stack(outs);
}

const mlp = (w: ad.Tensor, x: ad.Tensor) => ad.sum(ad.tanh(ad.matmul(x, w)).square());

test("vmap: row-wise dot products and a matrix-vector product per row", () => {
  const a = random([5, 4], 1);
  const b = random([5, 4], 2);
  const dots = ad.vmap((u: ad.Tensor, v: ad.Tensor) => ad.dot(u, v))(a, b);
  assertClose(dots, ad.sum(ad.mul(a, b), { axis: 1 }));
  const m = random([3, 4], 3);
  const mv = ad.vmap((v: ad.Tensor) => ad.matmul(m, v))(a);
  assertClose(mv, ad.matmul(a, m.T));
});

test("vmap: inAxes per argument (null = shared), negative axes, and outAxes", () => {
  const w = random([4, 3], 4);
  const xs = random([4, 6], 5); // mapped over axis 1: six vectors of length 4
  const f = (x: ad.Tensor, wt: ad.Tensor) => ad.sin(ad.matmul(x, wt));
  const out = ad.vmap(f, { inAxes: [-1, null] })(xs, w);
  assertClose(out, ad.sin(ad.matmul(xs.T, w)));
  const moved = ad.vmap(f, { inAxes: [1, null], outAxes: 1 })(xs, w);
  assertClose(moved, ad.sin(ad.matmul(xs.T, w)).T);
  // An unmapped result is broadcast over the batch.
  const c = ad.vmap((_x: ad.Tensor) => ad.sum(w))(xs.T);
  assertClose(c, ad.broadcastTo(ad.sum(w), [6]));
});

test("vmap: pytree arguments with a prefix of axes, and pytree results", () => {
  const params = { w: random([3, 2], 6), b: random([2], 7) };
  const xs = random([5, 3], 8);
  const f = (p: { w: ad.Tensor; b: ad.Tensor }, x: ad.Tensor) => {
    const y = ad.add(ad.matmul(x, p.w), p.b);
    return { y, norm: ad.sum(y.square()) };
  };
  const out = ad.vmap(f, { inAxes: [{ w: null, b: null }, 0] })(params, xs);
  const y = ad.add(ad.matmul(xs, params.w), params.b);
  assertClose(out.y, y);
  assertClose(out.norm, ad.sum(y.square(), { axis: 1 }));
  const withNull = ad.vmap(f, { inAxes: [null, 0], outAxes: { y: 1, norm: 0 } })(params, xs);
  assertClose(withNull.y, y.T);
});

test("vmap of vmap: a double loop", () => {
  const a = random([3, 4, 5], 9);
  const b = random([5, 2], 10);
  const inner = (row: ad.Tensor) => ad.exp(ad.matmul(row, b)).sum();
  const out = ad.vmap(ad.vmap(inner))(a);
  assertClose(out, ad.sum(ad.exp(ad.matmul(a, b)), { axis: -1 }));
  // Mapping the outer vmap over axis 1 instead.
  const swapped = ad.vmap(ad.vmap(inner), { inAxes: 1 })(a);
  assertClose(swapped, ad.sum(ad.exp(ad.matmul(a, b)), { axis: -1 }).T);
});

test("vmap of grad: per-example gradients equal a loop of grads", () => {
  const w = random([4, 3], 11);
  const xs = random([6, 2, 4], 12);
  const perExample = ad.vmap(ad.grad(mlp), { inAxes: [null, 0] })(w, xs);
  const expected = loop((x) => ad.grad(mlp)(w, x), [xs], []);
  assertClose(perExample, expected);
  // The mean of per-example gradients is the gradient of the mean loss.
  const full = ad.grad((wt: ad.Tensor) =>
    ad.div(ad.sum(ad.vmap((x: ad.Tensor) => mlp(wt, x))(xs)), 6),
  )(w);
  assertClose(ad.mean(perExample, { axis: 0 }), full);
});

test("grad of vmap, jvp of vmap and vmap of jvp agree with loops", () => {
  const w = random([4, 3], 13);
  const xs = random([5, 2, 4], 14);
  const batched = (wt: ad.Tensor) => ad.vmap((x: ad.Tensor) => mlp(wt, x))(xs);
  const g = ad.grad((wt: ad.Tensor) => ad.sum(ad.sin(batched(wt))))(w);
  const gLoop = ad.grad((wt: ad.Tensor) => ad.sum(ad.sin(loop((x) => mlp(wt, x), [xs], []))))(w);
  assertClose(g, gLoop);
  const v = random([4, 3], 15);
  const [, t] = ad.jvp(batched, [w], [v]);
  const tLoop = loop((x) => ad.jvp((wt: ad.Tensor) => mlp(wt, x), [w], [v])[1], [xs], []);
  assertClose(t, tLoop);
  const ts = ad.vmap((x: ad.Tensor) => ad.jvp((wt: ad.Tensor) => mlp(wt, x), [w], [v])[1])(xs);
  assertClose(ts, tLoop);
});

test("vmap of hessian and of jacfwd: per-example second derivatives", () => {
  const xs = random([4, 3], 16);
  const f = (x: ad.Tensor) => ad.sum(ad.mul(ad.sin(x), ad.cumsum(x.square(), { axis: 0 })));
  const hs = ad.vmap(ad.hessian(f))(xs);
  assertClose(
    hs,
    loop((x) => ad.hessian(f)(x), [xs], []),
  );
  const js = ad.vmap(ad.jacfwd((x: ad.Tensor) => ad.tanh(ad.cumsum(x, { axis: 0 }))))(xs);
  const jr = loop(
    (x) => ad.jacrev((y: ad.Tensor) => ad.tanh(ad.cumsum(y, { axis: 0 })))(x),
    [xs],
    [],
  );
  assertClose(js, jr);
});

test("vmap inside grad over a closure of the outer tracer (no perturbation confusion)", () => {
  const xs = random([5], 17);
  // d/ds sum_b (s * x_b)^3 = 3 s^2 sum x^3
  const g = ad.grad((s: ad.Tensor) =>
    ad.sum(ad.vmap((x: ad.Tensor) => ad.pow(ad.mul(s, x), 3))(xs)),
  );
  const s = f64(0.7);
  assertClose(g(s), ad.mul(3 * 0.49, ad.sum(ad.pow(xs, 3))));
});

test("vmap with data-dependent indices: sort, topk, argsort and takeAlongAxis per row", () => {
  const xs = random([4, 7], 18);
  assertClose(ad.vmap((x: ad.Tensor) => ad.sort(x))(xs), ad.sort(xs, { axis: 1 }));
  const [v] = ad.vmap((x: ad.Tensor) => ad.topk(x, 3))(xs) as unknown as [ad.Tensor];
  assertClose(v, ad.topk(xs, 3)[0]);
  const idx = ad.vmap((x: ad.Tensor) => ad.argsort(x))(xs);
  assert.deepEqual(idx.toArray(), ad.argsort(xs, { axis: 1 }).toArray());
  // Negative indices that differ per row.
  const rows = ad.tensor(
    [
      [-1, 0],
      [1, -2],
      [0, 0],
      [-3, 2],
    ],
    { dtype: "int32" },
  );
  const picked = ad.vmap((x: ad.Tensor, i: ad.Tensor) => ad.take(x, i))(xs, rows);
  const expected = loop((x, i) => ad.take(x, i), [xs, rows], []);
  assertClose(picked, expected);
  // Gradients of sorting through vmap.
  const g = ad.vmap(
    ad.grad((x: ad.Tensor) => ad.sum(ad.mul(ad.sort(x), ad.arange(7).astype("float64")))),
  )(xs);
  const gLoop = loop(
    (x) => ad.grad((y: ad.Tensor) => ad.sum(ad.mul(ad.sort(y), ad.arange(7).astype("float64"))))(x),
    [xs],
    [],
  );
  assertClose(g, gLoop);
});

test("vmap of linear algebra: solve, inv, det, slogdet per matrix (pivoting differs per element)", () => {
  const as = ad.add(random([4, 3, 3], 19), ad.mul(ad.eye(3, 3, "float64"), 0.2));
  const bs = random([4, 3], 20);
  assertClose(
    ad.vmap((a: ad.Tensor, b: ad.Tensor) => ad.linalg.solve(a, b))(as, bs),
    loop((a, b) => ad.linalg.solve(a, b), [as, bs], []),
    1e-10,
  );
  assertClose(ad.vmap((a: ad.Tensor) => ad.linalg.inv(a))(as), ad.linalg.inv(as), 1e-10);
  assertClose(ad.vmap((a: ad.Tensor) => ad.linalg.det(a))(as), ad.linalg.det(as), 1e-10);
  const g = ad.vmap(ad.grad((a: ad.Tensor) => ad.linalg.det(a)))(as);
  assertClose(
    g,
    loop((a) => ad.grad((m: ad.Tensor) => ad.linalg.det(m))(a), [as], []),
    1e-10,
  );
});

test("vmap of scan, checkpoint and customVjp", () => {
  const xs = random([3, 6], 21);
  const cumulative = (x: ad.Tensor) =>
    ad.scan(
      (c: ad.Tensor, v: ad.Tensor) => [ad.add(ad.mul(c, 0.9), v), ad.sin(c)],
      ad.scalar(0, "float64"),
      x,
    )[1];
  assertClose(ad.vmap(cumulative)(xs), loop(cumulative, [xs], []));
  const heavy = ad.checkpoint((x: ad.Tensor) => ad.sum(ad.exp(ad.sin(x))));
  assertClose(ad.vmap(ad.grad(heavy))(xs), loop(ad.grad(heavy), [xs], []));
  const clipped = ad.customVjp((x: ad.Tensor) => ad.sin(x), {
    fwd: (x: ad.Tensor) => [ad.sin(x), x],
    bwd: (x: ad.Tensor, ct: ad.Tensor) => [ad.mul(ct, ad.clip(ad.cos(x), -0.5, 0.5))],
  });
  const gc = ad.vmap(ad.grad((x: ad.Tensor) => ad.sum(clipped(x))))(xs);
  assertClose(gc, ad.clip(ad.cos(xs), -0.5, 0.5));
});

test("vmap: errors name the problem, and the next call works", () => {
  const f = (x: ad.Tensor, y: ad.Tensor) => ad.add(x, y);
  assert.throws(() => ad.vmap(f)(random([3, 2], 22), random([4, 2], 23)), {
    name: "ValueError",
    message: /mapped axes must have one size; .* has 3, but .* has 4/,
  });
  assert.throws(() => ad.vmap(f, { inAxes: [2, 0] })(random([3, 2], 22), random([3, 2], 23)), {
    name: "ValueError",
    message: /axis 2 is out of range for a value of rank 2/,
  });
  assert.throws(() => ad.vmap(f, { inAxes: [null, null] })(random([3], 22), random([3], 23)), {
    name: "ValueError",
    message: /maps no argument/,
  });
  assert.throws(
    () => ad.vmap((x: ad.Tensor) => ad.scalar(x.sum().item() as number))(random([3, 2], 24)),
    {
      name: "TracerError",
      message: /item: cannot read the elements of a value that varies over a vmap batch/,
    },
  );
  assert.throws(() => ad.vmap((x: ad.Tensor) => x, { outAxes: null })(random([3, 2], 25)), {
    name: "ValueError",
    message: /outAxes is null for result leaf 0, but it varies over the batch/,
  });
  assert.throws(
    () =>
      ad.vmap((k: ad.Tensor) => ad.random.normal([2], { key: k }))(
        ad.stack([ad.random.key(1), ad.random.key(2)]),
      ),
    { name: "TracerError" },
  );
  // After all of that: a clean state.
  const xs = random([3, 2], 26);
  assertClose(ad.vmap((x: ad.Tensor) => ad.sum(x.square()))(xs), ad.sum(xs.square(), { axis: 1 }));
  assertClose(ad.grad((x: ad.Tensor) => ad.sum(x.square()))(xs), ad.mul(xs, 2));
});

test("batched Jacobians equal one pass per basis vector (a loop of vjp and jvp calls)", () => {
  const w = random([5, 4], 27);
  const g = (x: ad.Tensor) => ad.tanh(ad.add(ad.matmul(w, x), 0.1));
  const x = random([4], 28);
  const rows = [0, 1, 2, 3, 4].map((i) => {
    const [, pull] = ad.vjp(g, x);
    return (pull(ad.eye(5, 5, "float64").take([i], 0).reshape([5])) as ad.Tensor[])[0]!;
  });
  assertClose(ad.jacrev(g)(x), ad.stack(rows));
  const cols = [0, 1, 2, 3].map(
    (j) => ad.jvp(g, [x], [ad.eye(4, 4, "float64").take([j], 0).reshape([4])])[1],
  );
  assertClose(ad.jacfwd(g)(x), ad.stack(cols, 1));
});

test("Jacobians through every diagonal-seed shortcut equal loops of jvp and vjp", () => {
  const w = random([3, 4], 29);
  const c = random([2, 3], 30);
  const fns: [string, (x: ad.Tensor) => ad.Tensor][] = [
    ["row vector @ W^T", (x) => ad.matmul(ad.reshape(x, [6]).take([0, 1, 2, 3], 0), w.T)],
    ["x @ W (x as [1,k])", (x) => ad.matmul(ad.reshape(ad.neg(x), [1, 6]).take([0, 2, 4], 1), w)],
    [
      "W @ column",
      (x) => ad.tanh(ad.matmul(w.T, ad.reshape(ad.div(x, c), [6]).take([1, 2, 3], 0))),
    ],
    [
      "broadcast factor then sum",
      (x) => ad.sum(ad.mul(ad.mul(x, ad.tensor([1, -2, 3], { dtype: "float64" })), 2)),
    ],
    ["cast round trip", (x) => ad.exp(ad.astype(ad.astype(x, "float32"), "float64"))],
    ["diagonal meets diagonal", (x) => ad.mul(ad.mul(x, c), ad.add(x, 1))],
    ["widening factor", (x) => ad.mul(ad.reshape(x, [2, 1, 3]), ad.ones([2, 4, 3], "float64"))],
  ];
  const x = random([2, 3], 31);
  for (const [name, f] of fns) {
    const out = f(x);
    const jf = ad.jacfwd(f)(x);
    const jr = ad.jacrev(f)(x);
    const cols = Array.from({ length: 6 }, (_, j) => {
      const e = ad.eye(6, 6, "float64").take([j], 0).reshape([2, 3]);
      return ad.jvp(f, [x], [e])[1].reshape([out.size]);
    });
    const expected = ad.stack(cols, 1).reshape([...out.shape, 2, 3]);
    // A float32 step rounds tangents and cotangents differently: float32 tolerance there.
    const tol = name.startsWith("cast") ? 1e-6 : 1e-12;
    assertClose(jf, expected, tol, `${name}: jacfwd`);
    assertClose(jr, expected, tol, `${name}: jacrev`);
    if (tol === 1e-12) ad.checkGrads(f, [x], { order: 2 });
  }
});
