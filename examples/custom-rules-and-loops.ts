/**
 * @file Runnable examples of docs/custom-rules-and-loops.md: a stable log1p(exp(x)) by customJvp,
 * gradient clipping by customVjp, checkpointed layers, an RNN by scan, and the sensitivity of an
 * ODE solution by fori. Run: npx tsx examples/custom-rules-and-loops.ts
 */

import * as ad from "../src/node.js";

ad.setDefaultFloat("float64");
const show = (label: string, v: unknown) =>
  console.log(label.padEnd(52), v instanceof ad.Tensor ? v.toString() : v);

// customJvp: the naive derivative of log(1 + e^x) is NaN at x = 1000; the rule's is 1.
const log1pexp: (x: ad.Tensor) => ad.Tensor = ad.customJvp((x: ad.Tensor) => ad.log1p(ad.exp(x)), {
  jvp: ([x]: ad.Tensor[], [dx]: ad.Tensor[]) => [log1pexp(x!), ad.mul(dx!, ad.sigmoid(x!))],
});
show(
  "naive d/dx log(1 + e^x) at 1000:",
  ad
    .grad((x: ad.Tensor) => ad.log1p(ad.exp(x)))(ad.scalar(1000))
    .item(),
);
show("customJvp d/dx log(1 + e^x) at 1000:", ad.grad(log1pexp)(ad.scalar(1000)).item());
show("customJvp second derivative at 0 (= 1/4):", ad.grad(ad.grad(log1pexp))(ad.scalar(0)).item());

// customVjp: identity forward, gradient clipped to [-1, 1] backward.
const clipGrad = ad.customVjp((x: ad.Tensor) => x, {
  fwd: (x: ad.Tensor) => [x, null],
  bwd: (_res: null, ct: ad.Tensor) => [ad.clip(ct, -1, 1)],
});
show(
  "grad of sum(10 * clipGrad(x^2)) at [0.5, 2, -3]:",
  ad.grad((x: ad.Tensor) => ad.sum(ad.mul(clipGrad(ad.square(x)), 10)))(ad.tensor([0.5, 2, -3])),
);

// checkpoint: same gradient, intermediates recomputed in the backward pass.
const w = ad.tensor([
  [0.5, -0.3],
  [0.2, 0.8],
]);
const layer = (h: ad.Tensor) => ad.tanh(ad.matmul(w, h));
const deep = (step: (h: ad.Tensor) => ad.Tensor) => (x: ad.Tensor) => {
  let h = x;
  for (let i = 0; i < 50; i++) h = step(h);
  return ad.sum(h);
};
const x0 = ad.tensor([0.3, -0.7]);
show("gradient through 50 layers:", ad.grad(deep(layer))(x0));
show("the same with checkpoint(layer):", ad.grad(deep(ad.checkpoint(layer)))(x0));

// scan: an RNN over 6 steps; gradient with respect to the recurrent weights.
const xs = ad.tensor([
  [0.3, -0.2],
  [0.5, 0.1],
  [-0.4, 0.7],
  [0.2, 0.2],
  [0.9, -0.5],
  [0.1, 0.3],
]);
const rnnLoss = (wh: ad.Tensor) => {
  const [hT] = ad.scan(
    (h: ad.Tensor, x: ad.Tensor) => {
      const next = ad.tanh(ad.add(ad.matmul(wh, h), x));
      return [next, next];
    },
    ad.zeros([2]),
    xs,
  );
  return ad.sum(ad.square(hT));
};
show("d loss / d Wh of a 6-step RNN (scan):", ad.grad(rnnLoss)(w));

// fori: y' = -k y by 10,000 RK4 steps; dy(T)/dk against the closed form -T y0 e^{-kT}.
const T = 2;
const n = 10_000;
const solve = (k: ad.Tensor) =>
  ad.fori(
    0,
    n,
    (_i, y: ad.Tensor) => {
      const f = (v: ad.Tensor) => ad.mul(ad.neg(k), v);
      const h = T / n;
      const k1 = f(y);
      const k2 = f(ad.add(y, ad.mul(k1, h / 2)));
      const k3 = f(ad.add(y, ad.mul(k2, h / 2)));
      const k4 = f(ad.add(y, ad.mul(k3, h)));
      return ad.add(y, ad.mul(ad.add(ad.add(k1, ad.mul(k2, 2)), ad.add(ad.mul(k3, 2), k4)), h / 6));
    },
    ad.scalar(1.5),
    { checkpoint: "sqrt" },
  );
show("dy(T)/dk by fori over 10,000 RK4 steps:", ad.grad(solve)(ad.scalar(0.7)).item());
show("closed form -T y0 exp(-k T):", -T * 1.5 * Math.exp(-0.7 * T));
