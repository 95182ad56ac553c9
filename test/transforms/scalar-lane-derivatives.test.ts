/**
 * @file Every differentiable unary op's scalar-lane gradient (a size-1 input: derivative on
 * numbers from the table's expression) equals the tensor path's (the same point inside a larger
 * tensor: derivative as ops), bit for bit, in float32 and float64, first and second order.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { UNARY_KERNELS } from "../../src/elementwise/table.js";
import * as ad from "../../src/index.js";

/**
 * Every unary op with a derivative in the table, by its public function (named as its key): a
 * new op is covered without a line here.
 */
const OPS: Record<string, (x: ad.Tensor) => ad.Tensor> = Object.fromEntries(
  Object.entries(UNARY_KERNELS)
    .filter(([, d]) => d.rules === "derivative")
    .map(([op]) => [op, (ad as unknown as Record<string, (x: ad.Tensor) => ad.Tensor>)[op]!]),
);

test("every unary op with a derivative in the table is a public function of that name", () => {
  assert.ok(Object.keys(OPS).length >= 29);
  for (const [op, f] of Object.entries(OPS)) assert.equal(typeof f, "function", op);
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
