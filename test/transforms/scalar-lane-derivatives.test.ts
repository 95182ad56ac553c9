/**
 * @file Every differentiable unary op's scalar-lane gradient (a size-1 input: derivative on
 * numbers from the table's expression) equals the tensor path's (the same point inside a larger
 * tensor: derivative as ops), bit for bit, in float32 and float64, first and second order.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { UNARY_KERNELS } from "../../src/elementwise/table.js";
import * as ad from "../../src/index.js";

const OPS: Record<string, (x: ad.Tensor) => ad.Tensor> = {
  abs: ad.abs,
  square: ad.square,
  relu: ad.relu,
  exp: ad.exp,
  log: ad.log,
  log1p: ad.log1p,
  expm1: ad.expm1,
  log2: ad.log2,
  log10: ad.log10,
  exp2: ad.exp2,
  cbrt: ad.cbrt,
  sqrt: ad.sqrt,
  rsqrt: ad.rsqrt,
  reciprocal: ad.reciprocal,
  sin: ad.sin,
  cos: ad.cos,
  tan: ad.tan,
  asin: ad.asin,
  acos: ad.acos,
  atan: ad.atan,
  sinh: ad.sinh,
  cosh: ad.cosh,
  tanh: ad.tanh,
  asinh: ad.asinh,
  acosh: ad.acosh,
  atanh: ad.atanh,
  erf: ad.erf,
  sigmoid: ad.sigmoid,
  softplus: ad.softplus,
};

test("the list covers every unary op with a derivative in the table", () => {
  const withDerivative = Object.entries(UNARY_KERNELS)
    .filter(([, d]) => "derivative" in d)
    .map(([op]) => op)
    .sort();
  assert.deepEqual(Object.keys(OPS).sort(), withDerivative);
});

for (const dtype of ["float32", "float64"] as const) {
  test(`scalar lane and tensor path agree bit for bit (${dtype})`, () => {
    for (const [name, f] of Object.entries(OPS)) {
      for (const v of name === "acosh" ? [1.5, 3.7] : [0.3, -0.45, 0.8]) {
        const d1 = ad.grad((x: ad.Tensor) => f(x));
        const d2 = ad.grad(ad.grad((x: ad.Tensor) => f(x)));
        const lane = [d1(ad.scalar(v, dtype)).item(), d2(ad.scalar(v, dtype)).item()];
        const wide = ad.tensor([v, 0.5], { dtype });
        const g1 = ad
          .grad((x: ad.Tensor) => ad.sum(f(x)))(wide)
          .toArray() as number[];
        const g2 = ad
          .grad((x: ad.Tensor) => ad.sum(ad.grad((y: ad.Tensor) => ad.sum(f(y)))(x)))(wide)
          .toArray() as number[];
        assert.ok(Object.is(lane[0], g1[0]), `${name}'(${v}): lane ${lane[0]}, tensor ${g1[0]}`);
        assert.ok(Object.is(lane[1], g2[0]), `${name}''(${v}): lane ${lane[1]}, tensor ${g2[0]}`);
      }
    }
  });
}
