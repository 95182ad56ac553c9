/**
 * @file Recycled backward-pass scratch (decision 0009): large arrays made by a first-order
 * backward pass and not returned are reused by later allocations. Everything a caller can still
 * see (gradients, values, aux, closures' values) must keep its contents through later calls.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
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
    stashed = a; // a tracer escaping through a closure: after grad it reads as its value
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
