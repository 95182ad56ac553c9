/**
 * @file The programs the ONNX Runtime Web tests export (in Node and in Chromium): f, grad(f),
 * jacfwd(f), hessian(f) in float64, and a whole Adam training step of a small MLP. Each case
 * gives the function and its example arguments; the tests run it on adjoint and on ONNX Runtime.
 */

import * as ad from "../../src/index.js";

export interface ExportCase {
  readonly name: string;
  readonly fn: (...args: never[]) => unknown;
  readonly args: readonly unknown[];
}

function f(x: ad.Tensor): ad.Tensor {
  return ad.sum(ad.tanh(ad.matmul(x, x.T)).mul(ad.sin(x).sum()));
}

interface Mlp {
  readonly l1: { readonly w: ad.Tensor; readonly b: ad.Tensor };
  readonly l2: { readonly w: ad.Tensor; readonly b: ad.Tensor };
}

function loss(params: Mlp, x: ad.Tensor, labels: ad.Tensor): ad.Tensor {
  const h = ad.tanh(ad.nn.linear(params.l1, x));
  return ad.nn.softmaxCrossEntropy(ad.nn.linear(params.l2, h), labels);
}

/** The cases, with fresh deterministic arguments. */
export function exportCases(): ExportCase[] {
  const x = ad.random.normal([3, 4], { seed: 1 });
  const x64 = ad.random.normal([3, 4], { seed: 2, dtype: "float64" });
  const [k1, k2] = ad.random.split(ad.random.key(0), 2);
  const params: Mlp = {
    l1: { w: ad.nn.linear.init(k1!, 4, 8).w, b: ad.zeros([8]) },
    l2: { w: ad.nn.linear.init(k2!, 8, 3).w, b: ad.zeros([3]) },
  };
  const opt = ad.optim.adam({ lr: 0.05 });
  const state = opt.init(params);
  const batch = ad.random.normal([16, 4], { seed: 3 });
  const labels = ad.tensor(
    Array.from({ length: 16 }, (_, i) => i % 3),
    { dtype: "int32" },
  );
  const trainStep = (p: Mlp, s: ad.OptimizerState, xb: ad.Tensor, yb: ad.Tensor) => {
    const [l, g] = ad.valueAndGrad(loss)(p, xb, yb);
    const next = opt.step(p, g, s);
    return { loss: l, params: next.params, state: next.state };
  };
  return [
    { name: "f", fn: f, args: [x] },
    { name: "grad(f)", fn: ad.grad(f), args: [x] },
    { name: "jacfwd(grad(f))", fn: ad.jacfwd(ad.grad(f)), args: [x] },
    { name: "hessian(f) float64", fn: ad.hessian(f), args: [x64] },
    { name: "adam training step", fn: trainStep, args: [params, state, batch, labels] },
  ];
}

/** A case's tensor inputs (the model's inputs, in order) and adjoint's result leaves. */
export function caseIO(c: ExportCase): { inputs: ad.Tensor[]; expected: ad.Tensor[] } {
  const inputs = ad.treeLeaves(c.args).filter((l): l is ad.Tensor => l instanceof ad.Tensor);
  const out = (c.fn as (...a: unknown[]) => unknown)(...c.args);
  const expected = ad.treeLeaves(out).filter((l): l is ad.Tensor => l instanceof ad.Tensor);
  return { inputs, expected };
}
