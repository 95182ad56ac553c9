/**
 * @file The tape's scalar lane (size-1 float calls recorded as numbers, their backward pass run on
 * numbers): bit-for-bit agreement with the Tensor path in float32 and float64, fan-out, constants
 * on either side, mixing with tensor ops, traced cotangents, higher orders and checkpointing.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { record } from "../../src/transforms/record.js";

type F = (x: ad.Tensor) => ad.Tensor;

const POINTS = Array.from({ length: 40 }, (_, i) => 0.1 + i * 0.0617);

/** Functions built from every primitive with a scalar rule, constants on both sides, fan-out. */
const CASES: [string, F][] = [
  ["add/sub/mul with constants", (x) => ad.sub(1, ad.mul(ad.add(x, 0.5), ad.sub(x, 2)))],
  ["div both ways", (x) => ad.add(ad.div(x, 1.7), ad.div(2, ad.add(x, 3)))],
  ["neg and square", (x) => ad.neg(ad.square(ad.mul(x, 1.3)))],
  ["exp, log, sqrt", (x) => ad.log(ad.add(ad.sqrt(ad.exp(x)), 1))],
  ["sin, cos, tanh", (x) => ad.mul(ad.sin(ad.tanh(x)), ad.cos(ad.mul(x, 0.7)))],
  [
    "fan-out (adjoints accumulate)",
    (x) => {
      const y = ad.mul(x, x);
      const z = ad.add(ad.mul(y, y), y);
      return ad.sub(ad.mul(z, y), ad.div(z, ad.add(y, 1)));
    },
  ],
  [
    "a logistic chain",
    (r) => {
      let v = ad.scalar(0.5, r.dtype);
      for (let k = 0; k < 50; k++) v = r.mul(v).mul(ad.sub(1, v));
      return v;
    },
  ],
];

for (const dtype of ["float64", "float32"] as const) {
  test(`scalar lane (${dtype}): gradients equal the Tensor path bit for bit`, () => {
    for (const [name, f] of CASES) {
      // Many points, so that a rounding step missing from a scalar rule shows in float32.
      for (const v of POINTS) {
        const x = ad.scalar(v, dtype);
        // The lane takes every call of f on a scalar...
        const rec = record("grad", f, [x], [0], false);
        const lane = rec.tape.vals.filter((o) => o === null).length;
        assert.ok(lane > 0, `${name}: the scalar lane was not used`);
        const g = ad.grad(f)(x).item() as number;
        // ...and none on a [2] vector of the same value (the Tensor path, same rules).
        const gv = ad.grad((xs: ad.Tensor) => ad.sum(f(xs)))(ad.full([2], v, dtype));
        const [g0, g1] = gv.dataSync();
        assert.ok(
          Object.is(g, g0) && Object.is(g, g1),
          `${name} at ${v}: lane ${g}, tensors ${g0}`,
        );
      }
    }
  });
}

test("scalar lane: values mix with tensor ops both ways", () => {
  // A scalar flows into a vector op, back out through a sum, and into the lane again.
  const w = ad.tensor([0.5, -1.5, 2], { dtype: "float64" });
  const f = (s: ad.Tensor) => {
    const a = ad.mul(s, 3); // lane
    const v = ad.tanh(ad.mul(w, a)); // tensor path, reading the lane value
    const t = ad.sum(v); // a size-1 result of a tensor op
    return ad.mul(ad.sin(t), a); // lane again
  };
  const s = ad.scalar(0.4, "float64");
  const a = 1.2;
  const th = [0.5, -1.5, 2].map((wi) => Math.tanh(wi * a));
  const t = th.reduce((p, q) => p + q, 0);
  const dt = [0.5, -1.5, 2].reduce((p, wi, i) => p + wi * (1 - th[i]! ** 2), 0) * 3;
  const expected = Math.cos(t) * dt * a + Math.sin(t) * 3;
  const g = ad.grad(f)(s).item() as number;
  assert.ok(Math.abs(g - expected) < 1e-12, `${g} vs ${expected}`);
  ad.checkGrads(f, [s], { order: 2 });
});

test("scalar lane: higher orders, a traced cotangent, hessian and checkpoint", () => {
  const cube = (x: ad.Tensor) => ad.mul(ad.mul(x, x), ad.sin(x));
  const x = ad.scalar(0.8, "float64");
  const v = 0.8;
  const d1 = 2 * v * Math.sin(v) + v * v * Math.cos(v);
  const d2 = 2 * Math.sin(v) + 4 * v * Math.cos(v) - v * v * Math.sin(v);
  const d3 = 6 * Math.cos(v) - 6 * v * Math.sin(v) - v * v * Math.cos(v);
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(ad.grad(cube)(x).item() as number, d1);
  close(ad.grad(ad.grad(cube))(x).item() as number, d2);
  close(
    ad
      .grad(ad.grad(ad.grad(cube)))(x)
      .item() as number,
    d3,
  );
  close(ad.hessian(cube)(x).item() as number, d2);
  // A cotangent that is itself traced: d/dc of vjp(cube)(c) = cube'(x), pushed by jvp.
  const [, pull] = ad.vjp(cube, x);
  const [, dg] = ad.jvp(
    (c: ad.Tensor) => (pull(c) as ad.Tensor[])[0]!,
    [ad.scalar(2, "float64")],
    [ad.scalar(1, "float64")],
  );
  close(dg.item() as number, d1);
  close(ad.grad(ad.checkpoint(cube))(x).item() as number, d1);
  ad.checkGrads(cube, [x], { order: 2 });
});
