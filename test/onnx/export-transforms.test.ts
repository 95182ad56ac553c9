/**
 * @file onnx.save of transformed programs, run on onnxruntime-node: f, grad(f), jacfwd(f), and a
 * whole training step (params, optimiser state, batch -> loss, new params, new state) of a small
 * MLP with Adam and with SGD momentum, iterated on ONNX Runtime against adjoint's own steps.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const { save } = ad.onnx;

import { assertClose, fromOrt, ortNodeModule, runOnnx, toOrt } from "./export-run.js";

const FLOAT64_SESSION = { graphOptimizationLevel: "basic" };

function f(x: ad.Tensor): ad.Tensor {
  return ad.sum(ad.tanh(ad.matmul(x, x.T)).mul(ad.sin(x).sum()));
}

for (const dtype of ["float32", "float64"] as const) {
  const x = ad.random.normal([3, 4], { seed: 1, dtype });
  const session = dtype === "float64" ? FLOAT64_SESSION : undefined;
  test(`onnx.save ${dtype}: f, grad(f), jacfwd(f), hessian(f) run on onnxruntime-node like adjoint`, async () => {
    const cases: [string, (x: ad.Tensor) => ad.Tensor][] = [
      ["f", f],
      ["grad(f)", ad.grad(f)],
      ["jacfwd(grad(f))", ad.jacfwd(ad.grad(f))],
      ["jacfwd(sin * x)", ad.jacfwd((v: ad.Tensor) => ad.sin(v).mul(v))],
      ["hessian(f)", ad.hessian(f)],
    ];
    for (const [name, fn] of cases) {
      const [got] = await runOnnx(await save(fn, [x]), [x], undefined, session);
      assertClose(got!, fn(x), `${name} ${dtype}`);
    }
  });
}

interface Mlp {
  readonly l1: { readonly w: ad.Tensor; readonly b: ad.Tensor };
  readonly l2: { readonly w: ad.Tensor; readonly b: ad.Tensor };
}

function mlpInit(dtype: ad.DType): Mlp {
  const key = ad.random.key(0);
  const [k1, k2] = ad.random.split(key, 2);
  const cast = (p: { w: ad.Tensor; b?: ad.Tensor }) => ({
    w: p.w.astype(dtype),
    b: (p.b ?? ad.zeros([p.w.shape[1]!])).astype(dtype),
  });
  return { l1: cast(ad.nn.linear.init(k1!, 4, 8)), l2: cast(ad.nn.linear.init(k2!, 8, 3)) };
}

function loss(params: Mlp, x: ad.Tensor, labels: ad.Tensor): ad.Tensor {
  const h = ad.tanh(ad.nn.linear(params.l1, x));
  return ad.nn.softmaxCrossEntropy(ad.nn.linear(params.l2, h), labels);
}

for (const [optName, opt] of [
  ["adam", ad.optim.adam({ lr: 0.05 })],
  ["sgd momentum", ad.optim.sgd({ lr: 0.1, momentum: 0.9 })],
] as const) {
  test(`onnx.save: a whole ${optName} training step (params, state, batch -> loss, params, state) iterated on onnxruntime-node like adjoint`, async () => {
    const dtype = "float32";
    const step = (params: Mlp, state: ad.OptimizerState, x: ad.Tensor, y: ad.Tensor) => {
      const [l, g] = ad.valueAndGrad(loss)(params, x, y);
      const next = opt.step(params, g, state);
      return { loss: l, params: next.params, state: next.state };
    };
    const x = ad.random.normal([16, 4], { seed: 3, dtype });
    const y = ad.tensor(
      Array.from({ length: 16 }, (_, i) => i % 3),
      { dtype: "int32" },
    );
    let params = mlpInit(dtype);
    let state = opt.init(params);
    const bytes = await save(step, [params, state, x, y]);
    const sessionOrt = await ortNodeModule.InferenceSession.create(bytes);
    // The model's inputs are the step's tensor leaves, named by their paths.
    assert.deepEqual(sessionOrt.inputNames.slice(0, 4), [
      "arg0.l1.w",
      "arg0.l1.b",
      "arg0.l2.w",
      "arg0.l2.b",
    ]);
    assert.ok(sessionOrt.outputNames.includes("out.loss"));
    let ortParams = params;
    let ortState = state;
    const losses: [number, number][] = [];
    for (let i = 0; i < 5; i++) {
      const mine = step(params, state, x, y);
      const leaves = ad
        .treeLeaves([ortParams, ortState, x, y])
        .filter((l): l is ad.Tensor => l instanceof ad.Tensor);
      const feeds: Record<string, ReturnType<typeof toOrt>> = {};
      sessionOrt.inputNames.forEach((n, k) => {
        feeds[n] = toOrt(ortNodeModule, leaves[k]!);
      });
      const out = await sessionOrt.run(feeds);
      const theirs = sessionOrt.outputNames.map((n) => fromOrt(out[n]!));
      const resultTree = ad.treeStructure(mine);
      const theirsTree = ad.treeUnflatten(resultTree, theirs) as typeof mine;
      assertClose(theirsTree.loss, mine.loss, `step ${i} loss`, 1e-5);
      ad.treeLeaves(mine.params).forEach((leaf, k) => {
        assertClose(
          ad.treeLeaves(theirsTree.params)[k] as ad.Tensor,
          leaf as ad.Tensor,
          `step ${i} param ${k}`,
          1e-4,
        );
      });
      losses.push([mine.loss.item(), theirsTree.loss.item()]);
      params = mine.params;
      state = mine.state;
      // ONNX Runtime keeps training on its own outputs.
      ortParams = theirsTree.params;
      ortState = theirsTree.state;
    }
    assert.ok(
      losses[4]![1] < losses[0]![1],
      `the loss falls on ONNX Runtime: ${JSON.stringify(losses)}`,
    );
  });
}
