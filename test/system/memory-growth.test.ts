/**
 * @file Memory of long reverse-mode programs: the peak live memory (heap + array buffers, sampled
 * after forced collections in the forward steps and inside the backward walk) grows with the
 * program no faster than the tape does, and the tape keeps only what the VJP rules read.
 * Needs --expose-gc (npm test passes it). Trends are fitted over several sizes, not single points.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import * as ad from "../../src/index.js";
import { setBackwardProbe } from "../../src/transforms/tape.js";

const gc = (globalThis as { gc?: () => void }).gc;
const SIZE = 10_000; // 80 KB per float64 array: above the recycling threshold (64 KiB)

/** Heap in use plus array-buffer memory, after two collections (one leaves dead buffers counted). */
function live(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Live bytes once the event loop has turned a few times (see measureRepro). */
async function settled(): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    await tick();
    least = Math.min(least, live());
  }
  return least;
}

/** The median of the slopes between every two points (Theil-Sen: one stray point cannot move it). */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
  }
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[mid]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
}

interface Measured {
  /** Live bytes above the baseline when the forward pass has ended: the tape. */
  tape: number;
  /** Highest sampled live bytes above the baseline, forward and backward. */
  peak: number;
}

/**
 * valueAndGrad of `steps` Euler steps of dx/dt = sin(x) (the issue-9 repro), sampling ~12 times
 * in the forward steps and ~24 times in the backward walk.
 */
async function measureRepro(steps: number): Promise<Measured> {
  const x0 = ad.tensor(
    Float64Array.from({ length: SIZE }, (_, i) => Math.sin(0.01 * i) + 0.5),
    { shape: [SIZE] },
  );
  const h = ad.scalar(0.01, "float64");
  let sampling = false;
  const raw: number[] = []; // live bytes at each sample
  let rawTape = 0;
  const take = () => {
    const v = live();
    raw.push(v);
    return v;
  };
  const every = Math.max(1, Math.floor(steps / 12));
  const vg = ad.valueAndGrad((x: ad.Tensor) => {
    for (let i = 0; i < steps; i++) {
      if (sampling && i % every === 0) take();
      x = ad.add(x, ad.mul(ad.sin(x), h));
    }
    if (sampling) rawTape = take();
    return ad.sum(x);
  });
  let entries = 0;
  const backEvery = Math.max(1, Math.floor((3 * steps) / 24));
  setBackwardProbe(() => {
    if (sampling && ++entries % backEvery === 0) take();
  });
  let base: number;
  try {
    vg(x0); // warm-up: compiles, and fills the recycling pool as a training loop would
    base = await settled();
    sampling = true;
    vg(x0);
  } finally {
    sampling = false;
    setBackwardProbe(null);
  }
  // V8 sometimes keeps the previous call's memory alive until a few tasks later (compiled code
  // referring to a closure's context), which inflates a baseline taken before the call; the
  // first sample (forward step 0, before the tape holds anything) is then the lower one.
  base = Math.min(base, raw[0]!);
  return { tape: rawTape - base, peak: Math.max(...raw) - base };
}

test("the peak of a long backward pass grows no faster than the tape", async () => {
  assert.ok(gc, "run with --expose-gc");
  const ns = [250, 500, 1000, 1500, 2000];
  const runs: Measured[] = [];
  for (const n of ns) runs.push(await measureRepro(n));
  const tapePerStep = slope(
    ns,
    runs.map((r) => r.tape),
  );
  // What the backward pass holds on top of the tape (immune to an error in the baseline).
  const extraPerStep = slope(
    ns,
    runs.map((r) => r.peak - r.tape),
  );
  const report = `tape ${Math.round(tapePerStep)} B/step, peak - tape ${Math.round(extraPerStep)} B/step (${runs
    .map(
      (r, i) =>
        `N=${ns[i]}: tape ${(r.tape / 1e6).toFixed(1)} MB, peak ${(r.peak / 1e6).toFixed(1)} MB`,
    )
    .join("; ")})`;
  // The tape holds x for each sin (one array per step), not the outputs of mul and add.
  const array = 8 * SIZE;
  assert.ok(
    tapePerStep > 0.8 * array && tapePerStep < 1.5 * array,
    `the tape should grow by one array (${array} B) per step: ${report}`,
  );
  // The backward pass frees what it is done with: on top of the tape it holds a few arrays at
  // any time, whatever the length. (Keeping what the pass made until its end, as recycling once
  // did, adds about four arrays per step.)
  assert.ok(extraPerStep < 0.25 * tapePerStep, `the peak grows faster than the tape: ${report}`);
});

test("linear ops keep nothing on the tape, and a value read by several rules is held once", async () => {
  assert.ok(gc, "run with --expose-gc");
  const x0 = ad.tensor(
    Float64Array.from({ length: SIZE }, (_, i) => Math.cos(0.02 * i)),
    { shape: [SIZE] },
  );
  const c = ad.tensor(
    Float64Array.from({ length: SIZE }, (_, i) => 1e-3 * Math.sin(i)),
    { shape: [SIZE] },
  );
  const steps = 400;
  const marks: number[] = [];
  const at = [100, 200, 300, 400];
  let base = 0;
  const linear = (x: ad.Tensor) => {
    for (let i = 1; i <= steps; i++) {
      const y = ad.reshape(ad.sub(ad.add(x, c), ad.neg(c)), [100, SIZE / 100]);
      const rolled = ad.concat([
        ad.slice(y, [1, 0], [99, SIZE / 100]),
        ad.slice(y, [0, 0], [1, SIZE / 100]),
      ]);
      x = ad.reshape(ad.transpose(ad.transpose(rolled)), [SIZE]);
      if (at.includes(i)) marks.push(live() - base);
    }
    return ad.sum(x);
  };
  // mul reads both inputs; x is read by sin and by mul, and must be held once.
  const shared = (x: ad.Tensor) => {
    for (let i = 1; i <= steps; i++) {
      x = ad.mul(ad.sin(x), x);
      if (at.includes(i)) marks.push(live() - base);
    }
    return ad.sum(x);
  };
  const perStep = async (f: (x: ad.Tensor) => ad.Tensor): Promise<number> => {
    marks.length = 0;
    base = await settled();
    const g = ad.grad(f)(x0);
    assert.equal(g.shape[0], SIZE);
    return slope(at, marks);
  };
  const array = 8 * SIZE;
  const linearPerStep = await perStep(linear);
  // Nine entries a step: their bookkeeping (the tape's slots, params, shape-only stand-ins) is
  // a few hundred bytes each; keeping any one array would be 80 kB a step.
  assert.ok(
    linearPerStep < 0.1 * array,
    `a chain of linear ops keeps ${Math.round(linearPerStep)} B per step (an array is ${array} B)`,
  );
  const sharedPerStep = await perStep(shared);
  // Per step: x (read by sin and by mul) and sin(x) (read by mul): two arrays.
  assert.ok(
    sharedPerStep > 1.8 * array && sharedPerStep < 2.3 * array,
    `mul(sin(x), x) keeps ${Math.round(sharedPerStep)} B per step; expected two arrays (${2 * array} B)`,
  );
});
