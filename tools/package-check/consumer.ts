/**
 * @file A strict TypeScript consumer of the packed package (tools/check-package.ts type-checks
 * it with `strict` and `noUncheckedIndexedAccess`, NodeNext and bundler resolution, TypeScript
 * 5.9 and 7, no @types/node and no DOM lib): code as a user writes it, across the API families.
 * It is only type-checked; smoke.mjs and page.mjs run the package.
 */

import * as ad from "adjoint";
import { AdjointError, ShapeError, type Tensor } from "adjoint";

/** Fails to compile when T is `any` (a leak would make every check below vacuous). */
type IsAny<T> = 0 extends 1 & T ? true : false;
const notAny = <T>(_value: T, isAny: IsAny<T>): boolean => isAny;

// grad, with an annotated and an unannotated callback.
const x = ad.tensor([0.5, 1, 2], { dtype: "float64" });
const f = (v: Tensor): Tensor => ad.sum(ad.mul(ad.tanh(v), v));
const g: Tensor = ad.grad(f)(x);
const g2: Tensor = ad.grad((v) => ad.sum(ad.square(v)))(x);
const total: number = ad.sum(g).item();
const values: number[] = Array.from(g.dataSync());
notAny(g, false);
notAny(g2, false);
// @ts-expect-error a string is not a tensor
ad.grad(f)("not a tensor");

// valueAndGrad and vjp over a pytree of parameters.
interface Params {
  w: Tensor;
  b: Tensor;
}
const params: Params = { w: ad.ones([3, 2]), b: ad.zeros([2]) };
const inputs = ad.tensor([[1, 2, 3]]);
const loss = (p: Params): Tensor => ad.sum(ad.square(ad.add(ad.matmul(inputs, p.w), p.b)));
const [value, grads] = ad.valueAndGrad(loss)(params);
const gw: Tensor = grads.w;
const lossValue: Tensor = value;
const [out, back] = ad.vjp((p: Params) => ad.add(ad.matmul(inputs, p.w), p.b), params);
const [cotangents] = back(ad.onesLike(out));
const gb: Tensor = cotangents.b;

// Jacobians and Hessians.
const jac: Tensor = ad.jacobian((v: Tensor) => ad.sin(v))(x);
const hess: Tensor = ad.hessian((v: Tensor) => ad.sum(ad.pow(v, 3)))(x);

// Linear algebra.
const a = ad.tensor([
  [4, 1],
  [1, 3],
]);
const solved: Tensor = ad.linalg.solve(a, ad.tensor([1, 2]));
const [sign, logAbsDet] = ad.linalg.slogdet(a);
const det: Tensor = ad.mul(sign, ad.exp(logAbsDet));

// Random numbers from keys.
const [k1, k2] = ad.random.split(ad.random.key(0));
const noise: Tensor = ad.random.normal([3], { key: k1 ?? ad.random.key(1) });
const u: Tensor = ad.random.uniform([2], { key: k2 ?? ad.random.key(2) });

// Typed errors.
function describe(e: unknown): string {
  if (e instanceof ShapeError) return `shape: ${e.message}`;
  if (e instanceof AdjointError) return `${e.name}: ${e.message}`;
  return String(e);
}
let message = "";
try {
  ad.add(ad.ones([2]), ad.ones([3]));
} catch (e) {
  message = describe(e);
}

export const results = {
  total,
  values,
  gw,
  lossValue,
  gb,
  jac,
  hess,
  solved,
  det,
  noise,
  u,
  message,
};
