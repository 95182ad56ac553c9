/**
 * @file ad.jit: the cache and its signature (shapes, dtypes, pytree structure, static values,
 * the default float), static arguments, the recompilation warning, errors (and that the next
 * call works after one), composition with every transformation both ways, pytrees in and out,
 * the graph and stats of a signature, and a W3-like 30,000-op scalar chain under
 * jit(valueAndGrad).
 */

import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import * as ad from "../../src/index.js";
import { assertSameBits as same } from "../harness/same-bits.js";

const f64 = (v: number[] | number[][]) => ad.tensor(v, { dtype: "float64" });

/** The messages console.warn got while running `body`. */
function warnings(t: TestContext, body: () => void): string[] {
  const seen: string[] = [];
  t.mock.method(console, "warn", (m: string) => {
    seen.push(m);
  });
  try {
    body();
  } finally {
    t.mock.restoreAll();
  }
  return seen;
}

const loss = (x: ad.Tensor) => ad.sum(ad.mul(ad.sin(x), ad.exp(ad.neg(ad.square(x)))));

test("jit: same results as f; one compile per signature; the cache is reused", () => {
  const jf = ad.jit(loss);
  const a = f64([0.5, -1, 2]);
  same(jf(a), loss(a));
  const first = jf(a);
  same(jf(f64([3, 4, 5])), loss(f64([3, 4, 5])));
  same(first, loss(a), "a result stays valid after the next call");
  assert.equal(jf.compiles, 1);
  jf(f64([1, 2])); // a new shape
  jf(ad.tensor([1, 2, 3])); // a new dtype (float32)
  assert.equal(jf.compiles, 3);
  assert.equal(jf.cacheSize, 3);
  jf(f64([7, 8]));
  assert.equal(jf.compiles, 3);
  jf.clearCache();
  assert.equal(jf.cacheSize, 0);
  jf(f64([7, 8]));
  assert.equal(jf.compiles, 4);
  assert.equal(jf.name, "jit(loss)");
});

test("jit: pytrees in and out, static result leaves, a result that is an argument or a constant", () => {
  const c = f64([10, 20]);
  const f = (p: { w: ad.Tensor; b: ad.Tensor }, xs: [ad.Tensor, null, ad.Tensor]) => ({
    y: ad.add(ad.mul(p.w, xs[0]), p.b),
    parts: [xs[2], c, 3, "tag", null] as const,
    nested: { z: ad.sum(xs[0]) },
  });
  const jf = ad.jit(f);
  const p = { w: f64([1, 2]), b: f64([0.5, 0.5]) };
  const xs: [ad.Tensor, null, ad.Tensor] = [f64([3, 4]), null, f64([9])];
  const got = jf(p, xs);
  const want = f(p, xs);
  same(got.y, want.y);
  same(got.nested.z, want.nested.z);
  same(got.parts[0] as ad.Tensor, xs[2], "an argument passed through");
  same(got.parts[1] as ad.Tensor, c, "a captured constant");
  assert.deepEqual(got.parts.slice(2), [3, "tag", null]);
  // A different structure is a new signature.
  jf(p, [f64([3, 4]), null, f64([9])]);
  assert.equal(jf.compiles, 1);
  jf({ b: p.b, w: p.w }, xs); // keys in another order: another structure
  assert.equal(jf.compiles, 2);
});

test("jit: numbers, booleans and strings among the arguments are static (part of the key)", () => {
  const f = (x: ad.Tensor, s: number, neg: boolean, mode: string) => {
    const y = mode === "sq" ? ad.square(x) : x;
    return ad.mul(neg ? ad.neg(y) : y, s);
  };
  const jf = ad.jit(f);
  const x = f64([1, 2]);
  same(jf(x, 2, false, "sq"), f(x, 2, false, "sq"));
  same(jf(x, 3, false, "sq"), f(x, 3, false, "sq"));
  same(jf(x, 3, true, "id"), f(x, 3, true, "id"));
  assert.equal(jf.compiles, 3);
  jf(x, 3, true, "id");
  assert.equal(jf.compiles, 3);
  // -0 and 0 stage to different constants.
  const z = ad.jit((x: ad.Tensor, s: number) => ad.mul(x, s));
  same(z(f64([1]), -0), f64([-0]));
  same(z(f64([1]), 0), f64([0]));
  assert.equal(z.compiles, 2);
});

test("jit: the default float dtype is part of the key", () => {
  // ones([2]) takes the default float when f is staged.
  const jf = ad.jit((x: ad.Tensor) => ad.add(ad.astype(x, "float32"), ad.ones([2])));
  const prev = ad.getDefaultFloat();
  try {
    ad.setDefaultFloat("float32");
    assert.equal(jf(f64([1, 2])).dtype, "float32");
    ad.setDefaultFloat("float64");
    assert.equal(jf(f64([1, 2])).dtype, "float64");
    assert.equal(jf.compiles, 2);
  } finally {
    ad.setDefaultFloat(prev);
  }
});

test("jit: staticArgnums: values by content, functions by identity, negative indices", () => {
  let runs = 0;
  const layer = (x: ad.Tensor, cfg: { act: (t: ad.Tensor) => ad.Tensor; k: number[] }) => {
    runs++;
    return ad.mul(cfg.act(x), cfg.k.length);
  };
  const jf = ad.jit(layer, { staticArgnums: 1 });
  const x = f64([0.5, -0.5]);
  same(jf(x, { act: ad.tanh, k: [1, 2] }), layer(x, { act: ad.tanh, k: [1, 2] }));
  jf(f64([1, 2]), { act: ad.tanh, k: [1, 2] }); // a new object with the same content: a hit
  assert.equal(jf.compiles, 1);
  same(jf(x, { act: ad.sin, k: [1, 2] }), ad.mul(ad.sin(x), 2)); // another function
  jf(x, { act: ad.sin, k: [1, 2, 3] }); // another array
  assert.equal(jf.compiles, 3);
  runs = 0;
  jf(x, { act: ad.sin, k: [1, 2, 3] });
  assert.equal(runs, 0, "a cached signature does not run f's JavaScript");

  const g = ad.jit((n: number, x: ad.Tensor, flag: string) => ad.mul(x, flag === "a" ? n : -n), {
    staticArgnums: [0, -1],
  });
  same(g(2, f64([1]), "a"), f64([2]));
  same(g(2, f64([1]), "b"), f64([-2]));
  assert.equal(g.graphFor(2, f64([1]), "b").inputs.length, 1);
});

test("jit: a tensor as a static argument, or a non-tensor leaf in a traced one, is a ValueError", () => {
  const jf = ad.jit((x: ad.Tensor, _y: unknown) => ad.mul(x, 2), { staticArgnums: [1] });
  assert.throws(
    () => jf(f64([1]), { w: f64([1]) }),
    (e: unknown) =>
      e instanceof ad.ValueError &&
      e.message.startsWith("jit(f): static argument 1 (staticArgnums) is or contains a Tensor"),
  );
  const g = ad.jit(function model(x: ad.Tensor, _act: unknown) {
    return x;
  });
  assert.throws(
    () => g(f64([1]), { act: Math.sin }),
    (e: unknown) =>
      e instanceof ad.ValueError &&
      e.message.startsWith("jit(model): argument 1.act is function sin;") &&
      e.message.includes("staticArgnums"),
  );
  assert.equal(g.compiles, 0);
});

test("jit: bad options are ValueErrors naming the option", () => {
  const f = (x: ad.Tensor) => x;
  assert.throws(
    () => ad.jit(f, { staticArgnums: 0.5 }),
    /ValueError: jit\(f\): staticArgnums must be an integer or an array of integers; got 0.5/,
  );
  assert.throws(
    () => ad.jit(f, { staticArgnums: ["0"] as unknown as number[] }),
    /jit\(f\): staticArgnums must be an integer/,
  );
  assert.throws(() => ad.jit(f, { warnAfter: -1 }), /jit\(f\): warnAfter must be a non-negative/);
  assert.throws(
    () => ad.jit(f, { staticArgnum: 1 } as ad.JitOptions),
    /jit\(f\): unknown option "staticArgnum".*did you mean "staticArgnums"/,
  );
  assert.throws(() => ad.jit(3 as unknown as typeof f), /jit: f must be a function/);
  const jf = ad.jit(f, { staticArgnums: 2 });
  assert.throws(
    () => jf(f64([1])),
    (e: unknown) =>
      e instanceof ad.ValueError &&
      e.message === "jit(f): staticArgnums entry 2 is out of range for a call with 1 argument(s)",
  );
  const twice = ad.jit((a: number, x: ad.Tensor) => ad.mul(x, a), { staticArgnums: [0, -2] });
  assert.throws(() => twice(1, f64([1])), /staticArgnums has a repeated entry/);
});

test("jit: a warning after warnAfter compiles, once, naming what changed", (t) => {
  const jf = ad.jit(loss, { warnAfter: 2 });
  const seen = warnings(t, () => {
    jf(f64([1]));
    jf(f64([1, 2]));
    jf(f64([1, 2]));
    jf(ad.ones([2, 8], "float64"));
    jf(ad.ones([3, 8], "float64"));
    jf(ad.ones([4, 8], "float64"));
  });
  assert.equal(jf.compiles, 5);
  assert.equal(seen.length, 1);
  assert.match(
    seen[0]!,
    /^jit\(loss\): compiled 3 times; argument 0 changed shape \[2\] -> \[2,8\]; every shape is compiled once/,
  );
  const byValue = ad.jit((x: ad.Tensor, lr: number) => ad.mul(x, lr), { warnAfter: 1 });
  const seen2 = warnings(t, () => {
    byValue(f64([1]), 0.1);
    byValue(f64([1]), 0.2);
  });
  assert.match(seen2[0]!, /compiled 2 times; argument 1 changed value 0.1 -> 0.2; .*ad\.scalar/);
  const dtype = ad.jit((p: { w: ad.Tensor }) => p.w, { warnAfter: 1 });
  const seen3 = warnings(t, () => {
    dtype({ w: f64([1]) });
    dtype({ w: ad.tensor([1]) });
  });
  assert.match(seen3[0]!, /argument 0\.w changed dtype float64 -> float32/);
  const quiet = ad.jit(loss, { warnAfter: Number.POSITIVE_INFINITY });
  assert.deepEqual(
    warnings(t, () => {
      for (let n = 1; n < 14; n++) quiet(ad.ones([n]));
    }),
    [],
  );
});

test("jit: reading a traced value is a TracerError that says jit, with the staging error as cause", () => {
  const relu = (x: ad.Tensor) => (x.item() > 0 ? x : ad.zerosLike(x));
  const jf = ad.jit(relu);
  assert.throws(
    () => jf(ad.scalar(1)),
    (e: unknown) =>
      e instanceof ad.TracerError &&
      e.message.startsWith("jit(relu): cannot read the value of a staged tensor (float32[])") &&
      e.message.includes("staticArgnums") &&
      e.cause instanceof ad.TracerError &&
      e.cause.message.startsWith("makeGraph:"),
  );
  // A boolean mask mentions makeGraph inside the message: reworded too.
  const masked = ad.jit((x: ad.Tensor) => x.index(x.greater(0)));
  assert.throws(() => masked(f64([1, -1])), /TracerError: jit\(f\): index: .*staged value \(jit\)/);
  assert.equal(jf.compiles, 0);
});

test("jit: after any error the next call works (nothing half cached)", () => {
  let fail = true;
  const f = (x: ad.Tensor) => {
    if (fail) throw new Error("boom");
    return ad.add(x, 1);
  };
  const jf = ad.jit(f);
  assert.throws(() => jf(f64([1])), /boom/);
  assert.equal(jf.compiles, 0);
  fail = false;
  same(jf(f64([1])), f64([2]));
  assert.equal(jf.compiles, 1);
  // A shape error for one shape leaves other shapes working.
  const mm = ad.jit((a: ad.Tensor, b: ad.Tensor) => ad.matmul(a, b));
  assert.throws(() => mm(ad.ones([2, 3]), ad.ones([2, 3])), ad.ShapeError);
  same(mm(ad.ones([2, 3]), ad.ones([3, 1])), ad.matmul(ad.ones([2, 3]), ad.ones([3, 1])));
  assert.equal(mm.compiles, 1);
});

test("jit composes: grad, jvp, vmap, hessian of jit(f) equal those of f", () => {
  const x = f64([0.3, -1.2, 2]);
  const jf = ad.jit(loss);
  same(ad.grad(jf)(x), ad.grad(loss)(x), "grad(jit)");
  same(ad.hessian(jf)(x), ad.hessian(loss)(x), "hessian(jit)");
  const [y, dy] = ad.jvp(jf, [x], [f64([1, 0, 2])]);
  const [y0, dy0] = ad.jvp(loss, [x], [f64([1, 0, 2])]);
  same(y, y0, "jvp value");
  same(dy, dy0, "jvp tangent");
  const batch = f64([
    [0.1, 0.2, 0.3],
    [1, -1, 2],
  ]);
  same(ad.vmap(jf)(batch), ad.vmap(loss)(batch), "vmap(jit)");
  same(ad.vmap(ad.grad(jf))(batch), ad.vmap(ad.grad(loss))(batch), "vmap(grad(jit))");
  // Under transformations the cached graph is reused: one signature for all of them (vmap's
  // tracers have the per-example shape).
  assert.equal(jf.compiles, 1);
  // jit inside makeGraph: the jitted function's equations are staged inline.
  const g = ad.makeGraph((v: ad.Tensor) => ad.mul(jf(v), 2), x);
  assert.deepEqual(
    g.eqns.map((e) => e.primitive.name),
    ["sin", "square", "neg", "exp", "mul", "reduce_sum", "mul"],
  );
  same(g.call(x) as ad.Tensor, ad.mul(loss(x), 2));
});

test("jit of transformed functions: jit(grad), jit(valueAndGrad), jit(vmap), jit(hessian), jit(jit)", () => {
  const x = f64([0.3, -1.2, 2]);
  same(ad.jit(ad.grad(loss))(x), ad.grad(loss)(x), "jit(grad)");
  const [v, g] = ad.jit(ad.valueAndGrad(loss))(x);
  same(v, loss(x));
  same(g, ad.grad(loss)(x));
  const batch = f64([
    [0.1, 0.2, 0.3],
    [1, -1, 2],
  ]);
  same(ad.jit(ad.vmap(loss))(batch), ad.vmap(loss)(batch), "jit(vmap)");
  same(ad.jit(ad.hessian(loss))(x), ad.hessian(loss)(x), "jit(hessian)");
  same(ad.jit(ad.jit(loss))(x), loss(x), "jit(jit)");
  same(ad.grad(ad.jit(ad.jit(loss)))(x), ad.grad(loss)(x), "grad(jit(jit))");
});

test("jit with customVjp, checkpoint and scan inside", () => {
  const clip = ad.customVjp((x: ad.Tensor) => x, {
    fwd: (x: ad.Tensor) => [x, null],
    bwd: (_res: null, ct: ad.Tensor) => [ad.clip(ct, -1, 1)],
  });
  const fc = (x: ad.Tensor) => ad.sum(ad.mul(clip(ad.square(x)), 10));
  const x = f64([0.5, 2, -3]);
  same(ad.jit(fc)(x), fc(x), "customVjp value");
  same(ad.jit(ad.grad(fc))(x), ad.grad(fc)(x), "jit(grad) through customVjp");
  same(ad.grad(ad.jit(fc))(x), ad.grad(fc)(x), "grad(jit) through customVjp");
  same(ad.grad(ad.jit(fc))(x), f64([1, 4, -6]), "the custom rule is used");

  const layer = (h: ad.Tensor) => ad.tanh(ad.mul(h, 1.5));
  const fk = (x: ad.Tensor) => ad.sum(ad.checkpoint(layer)(ad.checkpoint(layer)(x)));
  same(ad.jit(fk)(x), fk(x), "checkpoint value");
  same(ad.jit(ad.grad(fk))(x), ad.grad(fk)(x), "jit(grad) through checkpoint");
  same(ad.grad(ad.jit(fk))(x), ad.grad(fk)(x), "grad(jit) through checkpoint");

  const fs = (x: ad.Tensor) => {
    const [carry, ys] = ad.scan(
      (c: ad.Tensor, xi: ad.Tensor) => {
        const next = ad.add(ad.mul(c, 0.9), ad.sin(xi));
        return [next, ad.square(next)] as const;
      },
      ad.scalar(0, "float64"),
      x,
    );
    return ad.add(carry, ad.sum(ys));
  };
  same(ad.jit(fs)(x), fs(x), "scan value");
  same(ad.jit(ad.grad(fs))(x), ad.grad(fs)(x), "jit(grad) through scan");
  same(ad.grad(ad.jit(fs))(x), ad.grad(fs)(x), "grad(jit) through scan");
});

test("jit with customJvp and fori inside; jacobians, hvp and linearize of and under jit", () => {
  const softplus = ad.customJvp((x: ad.Tensor) => ad.log1p(ad.exp(x)), {
    jvp: ([x]: ad.Tensor[], [dx]: ad.Tensor[]) => [
      ad.log1p(ad.exp(x!)),
      ad.mul(dx!, ad.sigmoid(x!)),
    ],
  });
  const fs = (x: ad.Tensor) => ad.sum(softplus(x));
  const big = f64([1000, 0.5]);
  same(ad.grad(ad.jit(fs))(big), ad.grad(fs)(big), "grad(jit) through customJvp");
  same(ad.jit(ad.grad(fs))(big), ad.grad(fs)(big), "jit(grad) through customJvp");
  assert.equal(ad.jit(ad.grad(fs))(big).dataSync()[0], 1, "the custom rule is used");

  const ff = (x: ad.Tensor) =>
    ad.fori(0, 5, (i, v: ad.Tensor) => ad.add(ad.mul(v, 0.5), ad.sin(ad.mul(x, i))), x);
  const x = f64([0.3, -1.2, 2]);
  same(ad.jit(ff)(x), ff(x), "fori value");
  same(ad.jit(ad.jacrev(ff))(x), ad.jacrev(ff)(x), "jit(jacrev) through fori");
  same(ad.jacfwd(ad.jit(ff))(x), ad.jacfwd(ff)(x), "jacfwd(jit) through fori");
  same(ad.jit(ad.jacobian(ff))(x), ad.jacobian(ff)(x), "jit(jacobian)");

  const v = f64([1, 0.5, -1]);
  same(ad.hvp(ad.jit(loss), [x], [v])[0], ad.hvp(loss, [x], [v])[0], "hvp(jit)");
  const [y, lin] = ad.linearize(ad.jit(ff), x);
  const [y0, lin0] = ad.linearize(ff, x);
  same(y, y0, "linearize value");
  same(lin(v), lin0(v), "linearize tangent");
});

test("jit closing over a value another transformation traces: right derivative, not cached", () => {
  const x0 = f64([1, 2]);
  const inner = (w: ad.Tensor) => ad.jit((x: ad.Tensor) => ad.sum(ad.mul(ad.sin(x), w)));
  const outer = (w: ad.Tensor) => inner(w)(x0);
  same(ad.grad(outer)(ad.scalar(3, "float64")), ad.sum(ad.sin(x0)));
  let jf: ad.JitFunction<[ad.Tensor], ad.Tensor> | null = null;
  ad.grad((w: ad.Tensor) => {
    jf = inner(w);
    jf(x0);
    return jf(x0);
  })(ad.scalar(3, "float64"));
  assert.equal(jf!.compiles, 0);
});

test("jit under debugNans: every op is checked (the graph runs op by op)", () => {
  const f = (x: ad.Tensor) => ad.mul(ad.add(ad.sqrt(ad.sub(x, 1)), 1), 2);
  const jf = ad.jit(f);
  same(jf(f64([2, 5])), f(f64([2, 5])));
  const prev = ad.debugNans(true);
  try {
    assert.throws(() => jf(f64([0, 2])), /NanError: sqrt produced NaN from finite inputs/);
  } finally {
    ad.debugNans(prev);
  }
  assert.ok(Number.isNaN(jf(f64([0, 2])).dataSync()[0]!));
  assert.equal(jf.compiles, 1);
});

test("jit: graphFor and statsFor show a signature's graph and compiled program", () => {
  const jf = ad.jit((x: ad.Tensor, k: number) => ad.sum(ad.mul(x, k)));
  const g = jf.graphFor(f64([1, 2]), 3);
  // The number is static: a leaf of the graph's arguments, not an input.
  assert.equal(g.toString().split("\n")[0], "graph(a: f64[2], 3) {");
  assert.equal(g.inputs.length, 1);
  assert.equal(jf.compiles, 1);
  const s = jf.statsFor(f64([1, 2]), 3);
  assert.equal(s.eqns, 2);
  assert.ok(s.kernels >= 1 && s.kernels <= 2);
  assert.ok(s.stageMs >= 0 && s.compileMs >= 0);
  assert.ok(s.mode === "js" || s.mode === "interpreter");
  assert.equal(jf.compiles, 1);
});

test("training: jit(valueAndGrad) with an eager optimizer step, and a jitted whole step, equal eager training", () => {
  type P = { w: ad.Tensor; b: ad.Tensor };
  const loss = (p: P, x: ad.Tensor, y: ad.Tensor) =>
    ad.mean(ad.square(ad.sub(ad.add(ad.matmul(x, p.w), p.b), y)));
  const opt = ad.optim.adam({ lr: 0.1 });
  const x = f64([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const y = f64([[1], [2], [3]]);
  const p0: P = { w: ad.zeros([2, 1], "float64"), b: ad.zeros([1], "float64") };
  const vg = ad.jit(ad.valueAndGrad(loss));
  // The optimizer's state counts steps in a 0-d int32 tensor, which jit traces: one compile.
  const whole = ad.jit(
    (p: P, s: ad.OptimizerState, x: ad.Tensor, y: ad.Tensor) => {
      const [l, g] = ad.valueAndGrad(loss)(p, x, y);
      const out = opt.step(p, g, s);
      return { l, p: out.params, s: out.state };
    },
    { warnAfter: 1 },
  );
  let [pe, se] = [p0, opt.init(p0)];
  let [pj, sj] = [p0, opt.init(p0)];
  let [pw, sw] = [p0, opt.init(p0)];
  for (let i = 0; i < 4; i++) {
    const [le, ge] = ad.valueAndGrad(loss)(pe, x, y);
    ({ params: pe, state: se } = opt.step(pe, ge, se));
    const [lj, gj] = vg(pj, x, y);
    ({ params: pj, state: sj } = opt.step(pj, gj, sj));
    const r = whole(pw, sw, x, y);
    [pw, sw] = [r.p, r.s];
    same(lj, le, `step ${i}: loss, jit(valueAndGrad)`);
    same(r.l, le, `step ${i}: loss, jitted step`);
  }
  same(pj.w, pe.w);
  same(pw.w, pe.w);
  same(pw.b, pe.b);
  assert.equal(Number((sw.step as ad.Tensor).item()), 4);
  assert.equal(vg.compiles, 1);
  assert.equal(whole.compiles, 1);
});

test("jit(valueAndGrad) of a W3-like 30,000-op scalar chain (logistic map, float64)", () => {
  const steps = 10_000;
  const r = 2.5;
  const chain = (x: ad.Tensor) => {
    let v = x;
    for (let i = 0; i < steps; i++) v = ad.mul(ad.mul(v, r), ad.sub(1, v));
    return v;
  };
  // The same recurrence and its derivative by hand in float64.
  const reference = (x0: number): [number, number] => {
    let v = x0;
    let d = 1;
    for (let i = 0; i < steps; i++) {
      d = r * (1 - 2 * v) * d;
      v = v * r * (1 - v);
    }
    return [v, d];
  };
  const jf = ad.jit(ad.valueAndGrad(chain));
  for (const x0 of [0.5, 0.3]) {
    const [v, g] = jf(ad.scalar(x0, "float64"));
    const [rv, rd] = reference(x0);
    assert.ok(Math.abs(v.item() - rv) <= 1e-12, `value ${v.item()} vs ${rv}`);
    assert.ok(
      Math.abs(g.item() - rd) <= 1e-12 * Math.max(1, Math.abs(rd)),
      `grad ${g.item()} vs ${rd}`,
    );
  }
  assert.equal(jf.compiles, 1);
  assert.ok(jf.statsFor(ad.scalar(0.5, "float64")).eqns >= 3 * steps);
});

test("grad(jit(f)): one tape entry with a compiled backward pass; higher orders and forward replay through it", () => {
  const loss = (x: ad.Tensor) => ad.sum(ad.mul(ad.sin(x), ad.exp(ad.mul(x, 0.5))));
  const jf = ad.jit(loss);
  const x = f64([0.3, -1.2, 2.5, 0.7]);
  // The whole jitted call is one entry after the input's leaf (eager grad records 5 calls).
  let entries = -1;
  const g = ad.grad((v: ad.Tensor) => {
    const y = jf(v);
    entries = (v._trace as unknown as { tape: { length: number } }).tape.length;
    return y;
  })(x);
  assert.equal(entries, 2);
  same(g, ad.grad(loss)(x), "grad(jit)");
  // Calling again reuses the staged graph, its program and its backward program.
  same(ad.grad(jf)(f64([1, 2, 3, 4])), ad.grad(loss)(f64([1, 2, 3, 4])), "grad(jit), second call");
  assert.equal(jf.compiles, 1);
  // Second order: the backward pass is itself differentiated (its cotangent is traced).
  const scalarLoss = (v: ad.Tensor) => ad.sum(ad.mul(ad.square(v), ad.sin(v)));
  const js = ad.jit(scalarLoss);
  const s = ad.scalar(0.8, "float64");
  same(ad.grad(ad.grad(js))(s), ad.grad(ad.grad(scalarLoss))(s), "grad(grad(jit))");
  same(ad.hessian(js)(x), ad.hessian(scalarLoss)(x), "hessian(jit)");
  // Forward replay over the tape (jacfwd of a function recorded in reverse mode) uses the JVP.
  same(ad.jacfwd(ad.grad(js))(x), ad.jacfwd(ad.grad(scalarLoss))(x), "jacfwd(grad(jit))");
  // Several outputs, one of them an integer: cotangents flow from the float ones only.
  const multi = ad.jit((v: ad.Tensor) => ({ a: ad.tanh(v), i: ad.argmax(v), b: ad.sum(v) }));
  const viaJit = ad.grad((v: ad.Tensor) => {
    const r = multi(v);
    return ad.add(ad.sum(r.a), r.b);
  })(x);
  same(viaJit, ad.add(ad.sub(1, ad.square(ad.tanh(x))), 1), "grad through a multi-output jit");
});
