/**
 * @file ad.optim's optimizers against their formulas: several steps on a small float64 pytree,
 * compared bit for bit with the same formulas computed here on plain JavaScript numbers, in the
 * order each optimizer's documentation states (PyTorch's algorithm boxes). Gradients are fixed
 * sequences, so the formulas alone decide the result.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const f64 = (v: number | number[] | number[][]) => ad.tensor(v, { dtype: "float64" });

/** The parameters: a nested tree with a matrix, a vector and a scalar (and a null node). */
const P0 = {
  w: [
    [0.5, -1.5],
    [2, 0.25],
  ],
  layers: [{ b: [0.1, -0.3, 0.7] }, { s: 1.2 }],
};
const N = 4 + 3 + 1;
const makeParams = (flat: readonly number[]) => ({
  w: f64([
    [flat[0]!, flat[1]!],
    [flat[2]!, flat[3]!],
  ]),
  layers: [{ b: f64([flat[4]!, flat[5]!, flat[6]!]) }, { s: f64(flat[7]!) }],
  none: null,
});
type Params = ReturnType<typeof makeParams>;
const flatOf = (p: Params): number[] =>
  ad.treeLeaves(p).flatMap((t) => {
    const a = t.toArray();
    return Array.isArray(a) ? (a.flat() as number[]) : [a as number];
  });
const p0Flat = [...P0.w.flat(), ...P0.layers[0]!.b!, P0.layers[1]!.s!];

/** Gradient k (k = 0, 1, ...) for element i: varied signs and sizes, one exact zero. */
const gradAt = (k: number, i: number): number =>
  i === 5 && k === 1 ? 0 : 2 * Math.sin(1.3 * k + 0.7 * i + 0.2) + 0.1 * (i - 3);
const STEPS = 5;

/**
 * Runs `opt` for STEPS steps; the flat parameters after each step. Each run is made twice: on
 * concrete tensors (where adam's fused loop runs) and with debugNans on (which makes every
 * optimizer use its tensor ops); both must give the same bits.
 */
function run(opt: ad.Optimizer): number[][] {
  const plain = runOnce(opt);
  const was = ad.debugNans(true);
  try {
    assert.deepEqual(runOnce(opt), plain, "the fused loop and the tensor ops differ");
  } finally {
    ad.debugNans(was);
  }
  return plain;
}

/** The step count of a state (a 0-d int32 tensor). */
function stepCount(state: ad.OptimizerState): number {
  return Number((state.step as ad.Tensor).item());
}

function runOnce(opt: ad.Optimizer): number[][] {
  let params = makeParams(p0Flat);
  let state = opt.init(params);
  const out: number[][] = [];
  for (let k = 0; k < STEPS; k++) {
    const grads = makeParams(Array.from({ length: N }, (_, i) => gradAt(k, i)));
    const before = flatOf(params);
    const res = opt.step(params, grads, state);
    assert.deepEqual(flatOf(params), before, "step must not change its inputs");
    assert.equal(stepCount(res.state), k + 1);
    params = res.params;
    state = res.state;
    out.push(flatOf(params));
  }
  return out;
}

/**
 * The same steps by hand: `update(p, g, k, buffers)` for one element returns its new value and
 * mutates its own buffer record (plain numbers).
 */
function byHand(
  update: (p: number, g: number, k: number, buf: Record<string, number>) => number,
): number[][] {
  const p = [...p0Flat];
  const bufs = p.map(() => ({}) as Record<string, number>);
  const out: number[][] = [];
  for (let k = 0; k < STEPS; k++) {
    for (let i = 0; i < N; i++) p[i] = update(p[i]!, gradAt(k, i), k, bufs[i]!);
    out.push([...p]);
  }
  return out;
}

function assertBitEqual(actual: number[][], expected: number[][], what: string): void {
  for (let k = 0; k < expected.length; k++) {
    for (let i = 0; i < N; i++) {
      const a = actual[k]![i]!;
      const e = expected[k]![i]!;
      assert.ok(Object.is(a, e), `${what}: step ${k + 1}, element ${i}: got ${a}, expected ${e}`);
    }
  }
  // The run moved: the parameters differ from the start and between steps.
  assert.notDeepEqual(expected[0], p0Flat);
  assert.notDeepEqual(expected[STEPS - 1], expected[STEPS - 2]);
}

test("sgd: plain, with weight decay", () => {
  const lr = 0.1;
  assertBitEqual(
    run(ad.optim.sgd({ lr })),
    byHand((p, g) => p - g * lr),
    "sgd",
  );
  const wd = 0.03;
  assertBitEqual(
    run(ad.optim.sgd({ lr, weightDecay: wd })),
    byHand((p, g) => p - (g + p * wd) * lr),
    "sgd weightDecay",
  );
});

test("sgd: momentum with dampening, nesterov (the buffer starts at the first gradient)", () => {
  const [lr, mu, tau, wd] = [0.05, 0.9, 0.25, 0.01];
  assertBitEqual(
    run(ad.optim.sgd({ lr, momentum: mu, dampening: tau, weightDecay: wd })),
    byHand((p, g0, k, buf) => {
      const g = g0 + p * wd;
      buf.b = k === 0 ? g : buf.b! * mu + g * (1 - tau);
      return p - buf.b * lr;
    }),
    "sgd momentum",
  );
  assertBitEqual(
    run(ad.optim.sgd({ lr, momentum: mu, nesterov: true })),
    byHand((p, g, k, buf) => {
      buf.b = k === 0 ? g : buf.b! * mu + g;
      return p - (g + buf.b * mu) * lr;
    }),
    "sgd nesterov",
  );
});

/** Adam's formulas as its documentation states them (decay "l2", "decoupled" or none). */
function adamByHand(
  lr: number | ((k: number) => number),
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  decay: "l2" | "decoupled",
  amsgrad: boolean,
) {
  return byHand((p0, g0, k, s) => {
    const t = k + 1;
    const rate = typeof lr === "number" ? lr : lr(k);
    let p = p0;
    let g = g0;
    if (wd !== 0) {
      if (decay === "l2") g = g0 + p0 * wd;
      else p = p0 * (1 - rate * wd);
    }
    s.m = (s.m ?? 0) * b1 + g * (1 - b1);
    s.v = (s.v ?? 0) * b2 + g * g * (1 - b2);
    s.vmax = Math.max(s.vmax ?? 0, s.v);
    const v = amsgrad ? s.vmax : s.v;
    const denom = Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps;
    return p - (s.m / denom) * (rate / (1 - b1 ** t));
  });
}

test("adam: defaults, L2 weight decay, amsgrad, custom betas", () => {
  assertBitEqual(
    run(ad.optim.adam({ lr: 0.01 })),
    adamByHand(0.01, 0.9, 0.999, 1e-8, 0, "l2", false),
    "adam",
  );
  assertBitEqual(
    run(ad.optim.adam({ lr: 0.02, b1: 0.8, b2: 0.95, eps: 1e-6, weightDecay: 0.1 })),
    adamByHand(0.02, 0.8, 0.95, 1e-6, 0.1, "l2", false),
    "adam weightDecay",
  );
  // amsgrad: the running maximum of v differs from v once a gradient shrinks (element 5 at step 2).
  const ams = adamByHand(0.02, 0.9, 0.9, 1e-8, 0, "l2", true);
  assertBitEqual(run(ad.optim.adam({ lr: 0.02, b2: 0.9, amsgrad: true })), ams, "adam amsgrad");
  assert.notDeepEqual(ams, adamByHand(0.02, 0.9, 0.9, 1e-8, 0, "l2", false));
});

test("adamw: decoupled decay (default 0.01), amsgrad", () => {
  assertBitEqual(
    run(ad.optim.adamw({ lr: 0.01 })),
    adamByHand(0.01, 0.9, 0.999, 1e-8, 0.01, "decoupled", false),
    "adamw",
  );
  assertBitEqual(
    run(ad.optim.adamw({ lr: 0.05, weightDecay: 0.2, amsgrad: true, b2: 0.9 })),
    adamByHand(0.05, 0.9, 0.9, 1e-8, 0.2, "decoupled", true),
    "adamw amsgrad",
  );
  // Decoupled decay is not L2: the two runs differ.
  assert.notDeepEqual(
    adamByHand(0.01, 0.9, 0.999, 1e-8, 0.1, "decoupled", false),
    adamByHand(0.01, 0.9, 0.999, 1e-8, 0.1, "l2", false),
  );
});

test("adam with a learning-rate schedule: step k uses schedule(k), k from 0", () => {
  const schedule = ad.optim.exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 2 });
  const seen: number[] = [];
  const spy = (k: number) => {
    seen.push(k);
    return schedule(k);
  };
  assertBitEqual(
    run(ad.optim.adam({ lr: spy })),
    adamByHand(schedule, 0.9, 0.999, 1e-8, 0, "l2", false),
    "adam scheduled",
  );
  // One call per step (not per leaf), with the number of steps taken before it (run runs twice).
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
});

test("rmsprop: plain, centered, momentum, weight decay", () => {
  const cases = [
    { lr: 0.01 },
    { lr: 0.01, alpha: 0.9, centered: true },
    { lr: 0.005, momentum: 0.8, weightDecay: 0.05 },
    { lr: 0.005, momentum: 0.8, centered: true, eps: 1e-4 },
  ];
  for (const o of cases) {
    const alpha = o.alpha ?? 0.99;
    const eps = o.eps ?? 1e-8;
    const mu = o.momentum ?? 0;
    const wd = o.weightDecay ?? 0;
    assertBitEqual(
      run(ad.optim.rmsprop(o)),
      byHand((p, g0, _k, s) => {
        const g = wd === 0 ? g0 : g0 + p * wd;
        s.v = (s.v ?? 0) * alpha + g * g * (1 - alpha);
        let d = Math.sqrt(s.v);
        if (o.centered) {
          s.a = (s.a ?? 0) * alpha + g * (1 - alpha);
          d = Math.sqrt(s.v - s.a * s.a);
        }
        d = d + eps;
        if (mu > 0) {
          s.b = (s.b ?? 0) * mu + g / d;
          return p - s.b * o.lr;
        }
        return p - (g / d) * o.lr;
      }),
      `rmsprop ${JSON.stringify(o)}`,
    );
  }
});

test("adagrad: plain, lr decay, initial accumulator, weight decay", () => {
  const cases = [
    { lr: 0.1 },
    { lr: 0.1, lrDecay: 0.3, initialAccumulatorValue: 0.5 },
    { lr: 0.2, weightDecay: 0.1, eps: 1e-6 },
  ];
  for (const o of cases) {
    const eps = o.eps ?? 1e-10;
    const wd = o.weightDecay ?? 0;
    assertBitEqual(
      run(ad.optim.adagrad(o)),
      byHand((p, g0, k, s) => {
        const g = wd === 0 ? g0 : g0 + p * wd;
        const clr = o.lr / (1 + k * (o.lrDecay ?? 0));
        s.sum = (s.sum ?? o.initialAccumulatorValue ?? 0) + g * g;
        return p - (g / (Math.sqrt(s.sum) + eps)) * clr;
      }),
      `adagrad ${JSON.stringify(o)}`,
    );
  }
});

test("lion: sign of the interpolated momentum, decoupled weight decay", () => {
  const cases = [{ lr: 0.01 }, { lr: 0.003, b1: 0.95, b2: 0.98, weightDecay: 0.5 }];
  for (const o of cases) {
    const b1 = o.b1 ?? 0.9;
    const b2 = o.b2 ?? 0.99;
    const wd = o.weightDecay ?? 0;
    assertBitEqual(
      run(ad.optim.lion(o)),
      byHand((p, g, _k, s) => {
        const m = s.m ?? 0;
        const c = m * b1 + g * (1 - b1);
        const decayed = wd === 0 ? p : p * (1 - o.lr * wd);
        s.m = m * b2 + g * (1 - b2);
        return decayed - Math.sign(c) * o.lr;
      }),
      `lion ${JSON.stringify(o)}`,
    );
  }
});

test("the state is a plain tree: step count and buffers with the parameters' structure", () => {
  const params = makeParams(p0Flat);
  const adam = ad.optim.adam({ lr: 0.1, amsgrad: true });
  const s0 = adam.init(params);
  assert.deepEqual(Object.keys(s0), ["step", "m", "v", "vmax"]);
  assert.equal(stepCount(s0), 0);
  assert.ok(s0.step instanceof ad.Tensor && s0.step.dtype === "int32" && s0.step.ndim === 0);
  assert.deepEqual(ad.treeStructure(s0.m), ad.treeStructure(params));
  const grads = makeParams(p0Flat.map((x) => -x));
  const { state: s1 } = adam.step(params, grads, s0);
  // The same state stepped twice gives the same result: nothing is kept between calls.
  const again = adam.step(params, grads, s0);
  assert.deepEqual(flatOf(again.state.m as Params), flatOf(s1.m as Params));
  // A state rebuilt from plain numbers (as after saving it) steps identically.
  const revived = {
    step: s1.step,
    ...Object.fromEntries(
      ["m", "v", "vmax"].map((k) => [
        k,
        ad.treeMap((t: ad.Tensor) => f64(t.toArray() as number[]), s1[k] as Params),
      ]),
    ),
  };
  const a = adam.step(params, grads, s1).params;
  const b = adam.step(params, grads, revived).params;
  assert.deepEqual(flatOf(a), flatOf(b));
  assert.deepEqual(Object.keys(ad.optim.sgd({ lr: 1 }).init(params)), ["step"]);
  assert.deepEqual(Object.keys(ad.optim.sgd({ lr: 1, momentum: 0.5 }).init(params)), [
    "step",
    "momentum",
  ]);
  assert.deepEqual(
    Object.keys(ad.optim.rmsprop({ lr: 1, momentum: 0.5, centered: true }).init(params)),
    ["step", "v", "gradAvg", "momentum"],
  );
});

test("adam's fused loop equals its tensor ops bit for bit, in float32 and float64", () => {
  // Values over several magnitudes, zeros, and a gradient that shrinks (for amsgrad's maximum).
  const value = (i: number, k: number) =>
    i % 11 === 3 ? 0 : Math.sin(1.7 * i + k) * 10 ** ((i % 7) - 3) * (k === 2 ? 0.01 : 1);
  const n = 257;
  const options = [
    ["adam", { lr: 0.01 }],
    ["adam", { lr: 0.3, b1: 0.5, b2: 0.7, eps: 1e-3, weightDecay: 0.2, amsgrad: true }],
    ["adamw", { lr: 0.05, amsgrad: true }],
    ["adamw", { lr: 0.05, weightDecay: 0.9 }],
  ] as const;
  for (const dtype of ["float32", "float64"] as const) {
    for (const [name, o] of options) {
      const runs = [false, true].map((debug) => {
        const was = ad.debugNans(debug);
        try {
          const opt = ad.optim[name](o);
          let params = {
            a: ad.tensor(
              Array.from({ length: n }, (_, i) => value(i, 7)),
              { dtype },
            ),
            b: ad.scalar(0.5, dtype),
          };
          let state = opt.init(params);
          for (let k = 0; k < 4; k++) {
            const grads = {
              a: ad.tensor(
                Array.from({ length: n }, (_, i) => value(i + 1, k)),
                { dtype },
              ),
              b: ad.scalar(value(5, k), dtype),
            };
            ({ params, state } = opt.step(params, grads, state));
          }
          return [
            ...(params.a.toArray() as number[]),
            params.b.item(),
            ...ad
              .treeLeaves(state)
              .slice(1)
              .flatMap((t) => [(t as ad.Tensor).toArray()].flat() as number[]),
          ];
        } finally {
          ad.debugNans(was);
        }
      });
      const [fused, ops] = runs as [number[], number[]];
      for (let i = 0; i < fused.length; i++) {
        assert.ok(
          Object.is(fused[i], ops[i]),
          `${name} ${JSON.stringify(o)} ${dtype}: element ${i}: fused ${fused[i]}, ops ${ops[i]}`,
        );
      }
    }
  }
});

test("float32 parameters stay float32 and follow the float64 run closely", () => {
  const opt = ad.optim.adam({ lr: 0.05 });
  let p32 = { w: ad.tensor([1, -2, 3], { dtype: "float32" }) };
  let p64 = { w: f64([1, -2, 3]) };
  let s32 = opt.init(p32);
  let s64 = opt.init(p64);
  const loss = (p: { w: ad.Tensor }) =>
    ad.sum(ad.mul(ad.square(p.w), ad.astype([1, 2, 3], p.w.dtype)));
  for (let i = 0; i < 20; i++) {
    ({ params: p32, state: s32 } = opt.step(p32, ad.grad(loss)(p32), s32));
    ({ params: p64, state: s64 } = opt.step(p64, ad.grad(loss)(p64), s64));
  }
  assert.equal(p32.w.dtype, "float32");
  assert.equal((s32.m as { w: ad.Tensor }).w.dtype, "float32");
  const a = p32.w.toArray() as number[];
  const b = p64.w.toArray() as number[];
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5, `${a[i]} vs ${b[i]}`);
});

test("a step can be differentiated (the loss after one step, as a function of the start)", () => {
  // With g = 2x (the gradient of x^2), Adam's first step and SGD's are smooth in x; for SGD,
  // loss(x - lr * 2x) = (1 - 2 lr)^2 x^2, whose derivative is 2 (1 - 2 lr)^2 x.
  const lr = 0.1;
  const afterStep = (opt: ad.Optimizer) => (x: ad.Tensor) => {
    const out = opt.step({ x }, { x: ad.mul(x, 2) }, opt.init({ x })).params.x;
    return ad.square(out);
  };
  const d = ad
    .grad(afterStep(ad.optim.sgd({ lr })))(f64(3))
    .item();
  assert.ok(Math.abs(d - 2 * (1 - 2 * lr) ** 2 * 3) < 1e-12, `${d}`);
  // Through momentum and Adam's moments too: checked against finite differences.
  for (const opt of [ad.optim.sgd({ lr, momentum: 0.9 }), ad.optim.adam({ lr, eps: 0.5 })]) {
    ad.checkGrads(afterStep(opt), [f64(1.7)]);
  }
});

test("optimizers run under vmap (an ensemble of parameter sets, each row its own model)", () => {
  const rows = [
    [1, -2],
    [0.5, 3],
    [-1, 0.25],
  ];
  const grads = [
    [0.3, -0.1],
    [2, 0.5],
    [-0.7, 0],
  ];
  for (const opt of [ad.optim.adam({ lr: 0.1 }), ad.optim.sgd({ lr: 0.1, momentum: 0.9 })]) {
    const twoSteps = (p: ad.Tensor, g: ad.Tensor) => {
      const s0 = opt.init({ p });
      const { params, state } = opt.step({ p }, { p: g }, s0);
      return opt.step(params, { p: g }, state).params.p;
    };
    const batched = ad.vmap(twoSteps)(f64(rows), f64(grads)).toArray();
    const oneByOne = rows.map((r, i) => twoSteps(f64(r), f64(grads[i]!)).toArray());
    assert.deepEqual(batched, oneByOne);
  }
});
