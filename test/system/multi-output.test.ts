/**
 * @file Primitives with several outputs: forward and reverse mode, higher orders, nesting, unused
 * outputs and integer outputs, through a test-only primitive (x, y) -> [x * y, x + y, sign(x)].
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { getBackend } from "../../src/backend/index.js";
import * as ad from "../../src/index.js";

const prodSumSign = ad.defineMultiPrimitive({
  name: "test_prod_sum_sign",
  multipleResults: true,
  shape: ([x]) => [x!, x!, { shape: x!.shape, dtype: "int32" }],
  impl: ([x, y], _params, outs) => {
    const b = getBackend();
    const p = new Float64Array(x!.size);
    const s = new Float64Array(x!.size);
    const sg = new Int32Array(x!.size);
    b.binary("mul", x!._data!, x!.shape, y!._data!, y!.shape, p, outs[0]!.shape);
    b.binary("add", x!._data!, x!.shape, y!._data!, y!.shape, s, outs[1]!.shape);
    b.unary("sign", x!._data!, sg);
    return [p, s, sg];
  },
  // d(xy) = dx y + x dy; d(x + y) = dx + dy; sign has none
  jvp: ([x, y], [dx, dy]) => {
    const zx = dx ?? ad.zerosLike(x!);
    const zy = dy ?? ad.zerosLike(y!);
    return [ad.add(ad.mul(zx, y!), ad.mul(x!, zy)), ad.add(zx, zy), null];
  },
  // gx = c0 y + c1, gy = c0 x + c1
  vjp: ([c0, c1], [x, y]) => {
    const a = c0 ?? ad.zerosLike(x!);
    const b = c1 ?? ad.zerosLike(x!);
    return [ad.add(ad.mul(a, y!), b), ad.add(ad.mul(a, x!), b)];
  },
});

const call = (x: ad.Tensor, y: ad.Tensor) => ad.bindMulti(prodSumSign, [x, y], undefined);
const f = (x: ad.Tensor, y: ad.Tensor) => {
  const [p, s] = call(x, y);
  return ad.sum(ad.add(ad.sin(p!), ad.mul(s!, s!)));
};
const x0 = ad.tensor([0.3, -1.2, 2], { dtype: "float64" });
const y0 = ad.tensor([1.1, 0.4, -0.7], { dtype: "float64" });

test("multi-output primitive: derivatives match finite differences to order 2, both modes", () => {
  ad.checkGrads(f, [x0, y0], { order: 2 });
});

test("multi-output primitive: closed-form gradient and an unused output", () => {
  const [gx] = ad.grad(f, { argnums: [0, 1] })(x0, y0) as ad.Tensor[];
  const xs = x0.toArray() as number[];
  const ys = y0.toArray() as number[];
  const expected = xs.map((x, i) => Math.cos(x * ys[i]!) * ys[i]! + 2 * (x + ys[i]!));
  (gx!.toArray() as number[]).forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]!) < 1e-12);
  });
  // Only the second output used: the first gets a null cotangent.
  const g2 = ad.grad((x: ad.Tensor) => ad.sum(call(x, y0)[1]!))(x0);
  assert.deepEqual(g2.toArray(), [1, 1, 1]);
});

test("multi-output primitive: integer outputs are values, not derivatives", () => {
  const [, , sg] = call(x0, y0);
  assert.equal(sg!.dtype, "int32");
  assert.deepEqual(sg!.toArray(), [1, -1, 1]);
  const g = ad.grad((x: ad.Tensor) => ad.sum(ad.mul(ad.astype(call(x, y0)[2]!, "float64"), x)))(x0);
  assert.deepEqual(g.toArray(), [1, -1, 1]);
});

test("multi-output primitive: hessian (forward over reverse) and jacfwd vs jacrev", () => {
  const h = ad.hessian((x: ad.Tensor) => f(x, y0))(x0);
  const xs = x0.toArray() as number[];
  const ys = y0.toArray() as number[];
  const diag = xs.map((x, i) => -Math.sin(x * ys[i]!) * ys[i]! ** 2 + 2);
  const hv = h.toArray() as number[][];
  hv.forEach((row, i) => {
    row.forEach((v, j) => {
      assert.ok(Math.abs(v - (i === j ? diag[i]! : 0)) < 1e-12);
    });
  });
  const g = (x: ad.Tensor) => call(x, y0)[0]!;
  // Equal values; the two modes may differ in the sign of an exact zero (x + 0 maps -0 to 0).
  const plain = (m: ad.Tensor) => (m.toArray() as number[][]).map((r) => r.map((v) => v + 0));
  assert.deepEqual(plain(ad.jacfwd(g)(x0)), plain(ad.jacrev(g)(x0)));
});
