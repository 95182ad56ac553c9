/**
 * @file Memory: the recorded graph is released after the backward pass, and the heap stays flat
 * over thousands of grad calls. Needs --expose-gc (npm test passes it).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { getHeapSpaceStatistics } from "node:v8";
import * as ad from "../../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc;

/** Bytes in use in V8's data spaces (everything but compiled code). */
function dataHeapBytes(): number {
  return getHeapSpaceStatistics()
    .filter((space) => space.space_name !== "code_space")
    .reduce((n, space) => n + space.space_used_size, 0);
}

async function collect(): Promise<void> {
  // WeakRefs are cleared only after the job that created them ends; collect twice around a tick.
  gc!();
  await tick();
  gc!();
}

interface Params {
  w1: ad.Tensor;
  b1: ad.Tensor;
  w2: ad.Tensor;
}

function mlpLoss(p: Params, x: ad.Tensor, y: ad.Tensor): ad.Tensor {
  const h = ad.tanh(ad.add(ad.matmul(x, p.w1), p.b1));
  return ad.mean(ad.square(ad.sub(ad.matmul(h, p.w2), y)));
}

test("the recorded graph is released after the backward pass", async () => {
  assert.ok(gc, "run with --expose-gc");
  const refs: WeakRef<ad.Tensor>[] = [];
  const f = (x: ad.Tensor) => {
    const h = ad.tanh(ad.mul(x, 3));
    refs.push(new WeakRef(h._concrete())); // the value the tape keeps for tanh's rule
    return ad.sum(ad.exp(h));
  };
  const g = ad.grad(f)(ad.tensor([0.1, 0.2, 0.3], { dtype: "float64" }));
  assert.equal(g.shape[0], 3);
  await collect();
  assert.equal(refs[0]!.deref(), undefined, "an intermediate of the tape is still reachable");
});

test("the heap stays flat over 4,000 grad calls of a small network", async () => {
  assert.ok(gc, "run with --expose-gc");
  const p: Params = {
    w1: ad.tensor(
      Float64Array.from({ length: 8 * 16 }, (_, i) => Math.sin(i) * 0.3),
      { shape: [8, 16] },
    ),
    b1: ad.zeros([16], "float64"),
    w2: ad.tensor(
      Float64Array.from({ length: 16 }, (_, i) => Math.cos(i) * 0.3),
      { shape: [16, 1] },
    ),
  };
  const x = ad.tensor(
    Float64Array.from({ length: 4 * 8 }, (_, i) => Math.sin(0.1 * i)),
    { shape: [4, 8] },
  );
  const y = ad.tensor(Float64Array.of(0.5, -0.5, 0.25, 0), { shape: [4, 1] });
  const step = ad.grad(mlpLoss);
  const run = (n: number) => {
    for (let i = 0; i < n; i++) step(p, x, y);
  };
  run(3000); // warm up: V8's feedback, inline caches and optimised code settle (~60 kB per 1,000 early on)
  // Eight windows of 500 calls, the data heap measured after collecting at the end of each.
  // V8 re-tiers functions now and then, which moves old space by up to ~150 kB either way
  // with no trend, so one window is not evidence: the minimum of the first three windows is
  // compared with the minimum of the last three. Code space is left out (compiled code is not
  // data the library keeps).
  const samples: number[] = [];
  for (let w = 0; w < 8; w++) {
    run(500);
    await collect();
    samples.push(dataHeapBytes());
  }
  const early = Math.min(...samples.slice(0, 3));
  const late = Math.min(...samples.slice(5));
  // Leaking even one small tensor (~200 B) per call would add ~500 kB between the two groups.
  const limit = 192 * 1024;
  assert.ok(
    late - early < limit,
    `heap grew by ${late - early} bytes over 4,000 calls (windows: ${samples.join(", ")})`,
  );
});
