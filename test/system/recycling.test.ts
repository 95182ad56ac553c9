/**
 * @file Recycled backward-pass scratch (decision 0009): large arrays made by a first-order
 * backward pass that nothing can reach any more are reused by later allocations, from the moment
 * they die (the walk recycles as it goes). Everything a caller can still see (gradients, values,
 * aux, closures' values) must keep its contents through later calls, and recycling must not
 * change a single bit of any result.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { fluidProblem, reproProblem, sumWithoutRecycling } from "../../bench/fluidsim/fluidsim.js";
import * as ad from "../../src/index.js";

const N = 20_000; // 160 KB per float64 array: above the recycling threshold

function ramp(offset: number): ad.Tensor {
  return ad.tensor(
    Float64Array.from({ length: N }, (_, i) => Math.sin(0.01 * i + offset)),
    { dtype: "float64" },
  );
}

test("recycling: gradients, values, aux and stashed intermediates survive later calls", () => {
  const kept: { what: string; t: ad.Tensor; copy: Float64Array }[] = [];
  const keep = (what: string, t: ad.Tensor) =>
    kept.push({ what, t, copy: Float64Array.from(t.dataSync()) });
  let stashed: ad.Tensor | null = null;
  const f = (x: ad.Tensor, y: ad.Tensor) => {
    const a = ad.mul(ad.sin(x), y);
    stashed = ad.stopGradient(a); // the value under the tracer, kept past the call (decision 0013)
    const b = ad.reshape(ad.exp(ad.mul(a, 0.1)), [100, N / 100]);
    return [ad.sum(ad.mul(b, b)), b] as [ad.Tensor, ad.Tensor];
  };
  const vg = ad.valueAndGrad(f, { argnums: [0, 1], hasAux: true });
  for (let k = 0; k < 6; k++) {
    const x = ramp(k);
    const y = ramp(2 * k + 1);
    const [[value, aux], [gx, gy]] = vg(x, y);
    keep(`value ${k}`, value as ad.Tensor);
    keep(`aux ${k}`, aux as ad.Tensor);
    keep(`gx ${k}`, gx!);
    keep(`gy ${k}`, gy!);
    keep(`stashed ${k}`, stashed!);
    // Fan-out: the same cotangent reaches two leaves; a reshape aliases an adjoint.
    const [g1, g2] = ad.grad((u: ad.Tensor, v: ad.Tensor) => ad.sum(ad.add(u, v)), {
      argnums: [0, 1],
    })(x, y) as ad.Tensor[];
    keep(`fan-out u ${k}`, g1!);
    keep(`fan-out v ${k}`, g2!);
    keep(
      `reshaped ${k}`,
      ad.grad((u: ad.Tensor) => ad.sum(ad.square(ad.reshape(u, [N / 4, 4]))))(x),
    );
  }
  for (const { what, t, copy } of kept) {
    const now = t.dataSync();
    for (let i = 0; i < copy.length; i++) {
      if (!Object.is(now[i], copy[i]))
        assert.fail(`${what}: element ${i} changed from ${copy[i]} to ${now[i]}`);
    }
  }
  // And the values are right (recycled arrays are zeroed or fully overwritten).
  const x = ramp(0.5);
  const g = ad
    .grad((u: ad.Tensor) => ad.sum(ad.mul(ad.sin(u), 3)))(x)
    .dataSync();
  const xs = x.dataSync();
  for (let i = 0; i < N; i++) assert.ok(Math.abs(g[i]! - 3 * Math.cos(xs[i]!)) < 1e-12);
});

/** The float64 bits of every leaf, to compare results exactly. */
function bits(leaves: readonly ad.Tensor[]): Float64Array[] {
  return leaves.map((t) => Float64Array.from(t.dataSync() as Float64Array));
}

function assertSameBits(a: Float64Array[], b: Float64Array[], what: string): void {
  assert.equal(a.length, b.length);
  for (let k = 0; k < a.length; k++) {
    for (let i = 0; i < a[k]!.length; i++) {
      if (!Object.is(a[k]![i], b[k]![i]))
        assert.fail(
          `${what}: leaf ${k} element ${i}: ${a[k]![i]} with recycling, ${b[k]![i]} without`,
        );
    }
  }
}

test("recycling changes no bit of the gradient: the issue-9 repro and the fluid simulation", () => {
  // The repro: 300 Euler steps of dx/dt = sin(x) on 12,100 float64s. `sumWithoutRecycling` ends
  // the program with a custom rule, which turns recycling off for the whole pass.
  const p = reproProblem();
  const withR = ad.valueAndGrad((x: ad.Tensor) => p.loss(x, 300));
  const withoutR = ad.valueAndGrad((x: ad.Tensor) => p.loss(x, 300, { recycling: false }));
  for (let k = 0; k < 2; k++) {
    const [v1, g1] = withR(p.init);
    const [v2, g2] = withoutR(p.init);
    assert.ok(Object.is(v1.item(), v2.item()));
    assertSameBits(bits([g1]), bits([g2]), "repro gradient");
  }
  // The fluid port (bench/fluidsim) on its 110 x 110 grid (97 KB arrays), 3 steps.
  const fluid = fluidProblem({ n: 110, steps: 3, iters: 4 });
  type V = { vx: ad.Tensor; vy: ad.Tensor };
  const fOn = ad.valueAndGrad((v: V) => fluid.loss(v));
  const fOff = ad.valueAndGrad((v: V) => fluid.loss(v, { recycling: false }));
  for (let k = 0; k < 2; k++) {
    const [v1, g1] = fOn(fluid.init);
    const [v2, g2] = fOff(fluid.init);
    assert.ok(Object.is(v1.item(), v2.item()));
    assertSameBits(bits([g1.vx, g1.vy]), bits([g2.vx, g2.vy]), "fluid gradient");
  }
  // The custom rule changes nothing but recycling: its gradient is the plain sum's.
  const x = ad.tensor(Float64Array.of(1, 2, 3), { shape: [3] });
  assert.deepEqual(ad.grad(sumWithoutRecycling)(x).toArray(), [1, 1, 1]);
});

test("adjoints that share an array keep it while the walk recycles the others", () => {
  // Fan-out through add (one cotangent array for both inputs), reshape aliases of adjoints, and
  // an input read at every step (its adjoint is summed 40 times).
  const x = ramp(0.25);
  const body = (u: ad.Tensor) => {
    let s = u;
    for (let i = 0; i < 40; i++) {
      const t = ad.add(ad.mul(ad.sin(s), 0.5), u);
      s = ad.reshape(ad.reshape(t, [N / 10, 10]), [N]);
    }
    return ad.mul(s, s);
  };
  const on = ad
    .grad((u: ad.Tensor) => ad.sum(body(u)))(x)
    .dataSync();
  const off = ad
    .grad((u: ad.Tensor) => sumWithoutRecycling(body(u)))(x)
    .dataSync();
  for (let i = 0; i < N; i++) {
    if (!Object.is(on[i], off[i]))
      assert.fail(`element ${i}: ${on[i]} with recycling, ${off[i]} without`);
  }
});
