/**
 * @file Reverse mode through a million primitive calls with Node's default stack: the tape is
 * walked by a loop, never by recursion. W3 of WORKLOADS.md with N = 333,334 (3 ops per step).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

/** x_{k+1} = r x_k (1 - x_k), x_0 = 0.5: three primitive calls per step. */
function logisticChain(r: ad.Tensor, steps: number): ad.Tensor {
  let x = ad.scalar(0.5, "float64");
  for (let k = 0; k < steps; k++) x = r.mul(x).mul(ad.sub(1, x));
  return x;
}

/** The same recurrence and its derivative dx/dr in plain float64 arithmetic (forward sensitivity). */
function reference(r: number, steps: number): [number, number] {
  let x = 0.5;
  let dx = 0;
  for (let k = 0; k < steps; k++) {
    const next = r * x * (1 - x);
    dx = x * (1 - x) + r * (1 - 2 * x) * dx;
    x = next;
  }
  return [x, dx];
}

test("grad through 1,000,002 primitive calls (W3, N = 333,334) with the default stack", () => {
  const steps = 333_334;
  const r = ad.scalar(2.5, "float64");
  const [value, g] = ad.valueAndGrad((r: ad.Tensor) => logisticChain(r, steps))(r);
  const [x, dx] = reference(2.5, steps);
  assert.ok(Math.abs((value.item() as number) - x) <= 1e-12 * Math.abs(x));
  assert.ok(Math.abs((g.item() as number) - dx) <= 1e-9 * Math.abs(dx), `${g.item()} vs ${dx}`);
  // WORKLOADS.md's reference values for r = 2.5: x_N = 0.6, dx_N/dr = 0.16.
  assert.ok(Math.abs((g.item() as number) - 0.16) < 1e-9);
});

test("forward mode and jacfwd through a 300,000-call chain", () => {
  const steps = 100_000;
  const r = ad.scalar(3.2, "float64");
  const [, t] = ad.jvp((r: ad.Tensor) => logisticChain(r, steps), [r], [ad.scalar(1, "float64")]);
  const [, dx] = reference(3.2, steps);
  assert.ok(Math.abs((t.item() as number) - dx) <= 1e-7 * Math.abs(dx), `${t.item()} vs ${dx}`);
});
