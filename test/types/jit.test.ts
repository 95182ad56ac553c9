/**
 * @file Type tests of ad.jit: the jitted function keeps f's parameter list and result type, an
 * unannotated callback gets tensors, the cache's properties are typed, and transformations of a
 * jitted function type like those of f.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { type Equal, expectType, typeOnly } from "./expect.js";

test("types: jit keeps f's signature", () => {
  const f = (x: ad.Tensor, n: number, p: { w: ad.Tensor }) => ({ y: ad.mul(ad.mul(x, n), p.w) });
  const jf = ad.jit(f);
  expectType<Equal<Parameters<typeof jf>, Parameters<typeof f>>>(true);
  expectType<Equal<ReturnType<typeof jf>, { y: ad.Tensor }>>(true);
  expectType<Equal<typeof jf.compiles, number>>(true);
  expectType<Equal<ReturnType<typeof jf.graphFor>, ad.Graph>>(true);
  expectType<Equal<ReturnType<typeof jf.statsFor>["mode"], "interpreter" | "js">>(true);
  const unannotated = ad.jit((x) => ad.sum(x));
  expectType<Equal<Parameters<typeof unannotated>, [x: ad.Tensor]>>(true);
  const loss = (x: ad.Tensor) => ad.sum(ad.square(x));
  const g1 = ad.grad(ad.jit(loss));
  const g2 = ad.grad(loss);
  expectType<Equal<Parameters<typeof g1>, Parameters<typeof g2>>>(true);
  expectType<Equal<ReturnType<typeof g1>, ReturnType<typeof g2>>>(true);
  const step = ad.jit(ad.valueAndGrad(loss));
  expectType<Equal<ReturnType<typeof step>, [ad.Tensor, ad.Tensor]>>(true);
  typeOnly(() => {
    // @ts-expect-error: a number where f takes a tensor
    jf(3, 2, { w: ad.ones([1]) });
    // @ts-expect-error: staticArgnums is a number or an array of numbers
    ad.jit(f, { staticArgnums: "1" });
  });
  assert.equal(jf(ad.ones([1]), 2, { w: ad.ones([1]) }).y.item(), 2);
});
