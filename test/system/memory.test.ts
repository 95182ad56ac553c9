/**
 * @file Memory: the recorded graph is released after the backward pass, and the heap stays flat
 * over thousands of grad calls. Needs --expose-gc (npm test passes it).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import * as ad from "../../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc;

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

test("the heap stays flat over 2,000 grad calls of a small network", async () => {
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
  await collect();
  const h0 = process.memoryUsage().heapUsed;
  run(1000);
  await collect();
  const h1 = process.memoryUsage().heapUsed;
  run(1000);
  await collect();
  const h2 = process.memoryUsage().heapUsed;
  // Leaking even one small tensor (~200 B) per call would add ~400 kB over these 2,000 calls.
  const limit = 256 * 1024;
  assert.ok(
    h2 - h0 < limit,
    `heap grew by ${h2 - h0} bytes over 2,000 calls (${h0} -> ${h1} -> ${h2})`,
  );
  assert.ok(Math.abs(h2 - h1) < limit, `heap still growing: ${h1} -> ${h2}`);
});
