/**
 * @file adjoint's runner for W1..W7: each workload written with the public API only, as a user
 * would write it. Inputs are built once per workload (untimed); every run is eager, so a run's
 * result is fully computed when it returns.
 */

import * as ad from "../src/node.js";
import { type Runner, variant } from "./runner.js";
import {
  type Matrix,
  W3_STEPS,
  W6_HIDDEN,
  W7_ADAM,
  W7_STEPS,
  type W7Inputs,
  w1Inputs,
  w2Inputs,
  w3Inputs,
  w4Inputs,
  w5Inputs,
  w6Inputs,
  w7Inputs,
} from "./workloads.js";

type Tensor = ad.Tensor;

function f64(data: Float64Array, shape: readonly number[]): Tensor {
  return ad.tensor(data, { shape });
}

function f32(data: Float64Array, shape: readonly number[]): Tensor {
  return ad.tensor(Float32Array.from(data), { shape });
}

function mat(m: Matrix, make: typeof f64): Tensor {
  return make(m.data, [m.rows, m.cols]);
}

/** The sum of a tensor's elements in float64, in plain JS (independent of the library's sum). */
function total(t: Tensor): number {
  const data = t.dataSync();
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i]!;
  return s;
}

function value(t: Tensor): number {
  return Number(t.item());
}

// ---- the workloads' functions -----------------------------------------------------------------

/** W1: sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2. */
export function rosenbrock(x: Tensor): Tensor {
  const n = x.shape[0]!;
  const head = ad.slice(x, [0], [n - 1]);
  const tail = ad.slice(x, [1], [n - 1]);
  return ad.sum(ad.add(ad.square(tail.sub(head.square())).mul(100), ad.square(ad.sub(1, head))));
}

/** W2: a 784-512-256-10 tanh MLP; mean softmax cross-entropy with integer labels. */
export function mlpLoss(params: Tensor[], x: Tensor, picked: Tensor): Tensor {
  const [w1, b1, w2, b2, w3, b3] = params as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  const h1 = ad.tanh(ad.matmul(x, w1).add(b1));
  const h2 = ad.tanh(ad.matmul(h1, w2).add(b2));
  const logits = ad.matmul(h2, w3).add(b3);
  // picked[b] = b * 10 + y[b]: the label's log-probability in the flattened [B, 10] array.
  const logp = ad.take(ad.flatten(ad.logSoftmax(logits, { axis: -1 })), picked);
  return ad.neg(ad.mean(logp));
}

/** W3: x_{k+1} = r x_k (1 - x_k), three primitive ops per step. */
export function logisticChain(r: Tensor, x0: Tensor, steps: number): Tensor {
  let x = x0;
  for (let k = 0; k < steps; k++) x = r.mul(x).mul(ad.sub(1, x));
  return x;
}

/** W6: h_{t+1} = tanh(Wx x_t + Wh h_t + b) from h_0 = 0; loss = sum(h_T^2). */
export function rnnLoss(params: Tensor[], xs: readonly Tensor[]): Tensor {
  const [wx, wh, b] = params as [Tensor, Tensor, Tensor];
  let h = ad.zeros([W6_HIDDEN], "float32");
  for (const xt of xs) h = ad.tanh(ad.matmul(wx, xt).add(ad.matmul(wh, h)).add(b));
  return ad.sum(ad.square(h));
}

/** W7's parameters: two nn.linear layers. */
interface MlpParams {
  hidden: ad.LinearParams;
  out: ad.LinearParams;
}

/** W7: 64-128-10 tanh MLP, mean softmax cross-entropy with int32 labels. */
function digitsLoss(params: MlpParams, x: Tensor, labels: Tensor): Tensor {
  const logits = ad.nn.linear(params.out, ad.tanh(ad.nn.linear(params.hidden, x)));
  return ad.nn.softmaxCrossEntropy(logits, labels);
}

/**
 * W7: W7_STEPS Adam steps from the initial weights, one minibatch per step; returns the final
 * params and the last step's loss (of its minibatch, before its update), as a training loop
 * that logs its loss would. `dtype` float64 is for the reference value (bench/w7-reference.ts);
 * `jitted` runs each whole step (loss, gradient, Adam update) as one jitted function.
 */
export function trainDigits(
  inp: W7Inputs,
  dtype: "float32" | "float64",
  jitted = false,
): () => { params: MlpParams; loss: Tensor } {
  const make = (data: Float64Array | Float32Array, shape: readonly number[]): Tensor =>
    ad.tensor(dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data), { shape });
  const layer = (l: number): ad.LinearParams => {
    const w = inp.weights[l]!;
    return { w: make(w.data, [w.rows, w.cols]), b: make(inp.biases[l]!, [w.cols]) };
  };
  const init: MlpParams = { hidden: layer(0), out: layer(1) };
  const xs = inp.batches.map((b) => make(b, [b.length / 64, 64]));
  const ys = inp.labels.map((y) => ad.tensor(y, { shape: [y.length] }));
  const opt = ad.optim.adam(W7_ADAM);
  // One training step: the loss, its gradient and the optimizer's update. Jitted, the whole step
  // is one compiled program (the state's step count is a traced 0-d tensor: one compile).
  const valueAndGrad = ad.valueAndGrad(digitsLoss);
  const eagerStep = (p: MlpParams, st: ad.OptimizerState, x: Tensor, y: Tensor) => {
    const [l, g] = valueAndGrad(p, x, y);
    const next = opt.step(p, g, st);
    return { l, params: next.params, state: next.state };
  };
  const trainStep = jitted ? ad.jit(eagerStep, { donateArgnums: [0, 1] }) : eagerStep;
  // A jitted step donates params and state (donateArgnums): their arrays take the new values,
  // and the tensors passed in are deleted. Each run therefore starts from a copy of `init`.
  const copy = (t: Tensor): Tensor => ad.tensor(t.dataSync(), { shape: t.shape, dtype: t.dtype });
  return () => {
    let params = jitted ? (ad.treeMap(copy, init) as MlpParams) : init;
    let state = opt.init(params);
    let loss: Tensor | undefined;
    for (let s = 0; s < W7_STEPS; s++) {
      const out = trainStep(params, state, xs[s]!, ys[s]!);
      ({ params, state } = out);
      loss = out.l;
    }
    return { params, loss: loss! };
  };
}

// ---- the runner -------------------------------------------------------------------------------

export const adjointRunner: Runner = {
  peer: "adjoint",
  workloads: {
    W1: () => {
      const inp = w1Inputs();
      const x = f64(inp.x, [inp.x.length]);
      const valueAndGrad = ad.valueAndGrad(rosenbrock);
      const fJit = ad.jit(rosenbrock);
      const gradJit = ad.jit(valueAndGrad);
      return [
        variant("f", () => rosenbrock(x), value),
        variant(
          "grad",
          () => valueAndGrad(x),
          ([, g]) => total(g),
        ),
        variant("f-jit", () => fJit(x), value),
        variant(
          "grad-jit",
          () => gradJit(x),
          ([, g]) => total(g),
        ),
      ];
    },

    W2: () => {
      const inp = w2Inputs();
      const x = mat(inp.x, f32);
      const picked = ad.tensor(
        Int32Array.from(inp.labels, (y, b) => b * 10 + y),
        { shape: [inp.labels.length] },
      );
      const params: Tensor[] = [];
      inp.weights.forEach((w, l) => {
        params.push(mat(w, f32), f32(inp.biases[l]!, [w.cols]));
      });
      const valueAndGrad = ad.valueAndGrad(mlpLoss);
      const fJit = ad.jit(mlpLoss);
      const gradJit = ad.jit(valueAndGrad);
      return [
        variant("f", () => mlpLoss(params, x, picked), value),
        variant(
          "grad",
          () => valueAndGrad(params, x, picked),
          ([loss, g]) => value(loss) + total(g[0]!),
        ),
        variant("f-jit", () => fJit(params, x, picked), value),
        variant(
          "grad-jit",
          () => gradJit(params, x, picked),
          ([loss, g]) => value(loss) + total(g[0]!),
        ),
      ];
    },

    W3: () => {
      const inp = w3Inputs();
      const r = ad.scalar(inp.r, "float64");
      const x0 = ad.scalar(inp.x0, "float64");
      const chain = (rr: Tensor) => logisticChain(rr, x0, W3_STEPS);
      const dxdr = ad.grad(chain);
      const fJit = ad.jit(chain);
      const gradJit = ad.jit(dxdr);
      return [
        variant("f", () => chain(r), value),
        variant("grad", () => dxdr(r), value),
        variant("f-jit", () => fJit(r), value),
        variant("grad-jit", () => gradJit(r), value),
      ];
    },

    W4: () => {
      const inp = w4Inputs();
      const a = mat(inp.a, f64);
      const x = f64(inp.x, [inp.x.length]);
      const f = (v: Tensor): Tensor =>
        ad.logsumexp(ad.matmul(a, v)).add(ad.sum(ad.square(v)).mul(0.5));
      const hessian = ad.hessian(f);
      const hessianJit = ad.jit(hessian);
      return [
        variant("hessian", () => hessian(x), total),
        variant("hessian-jit", () => hessianJit(x), total),
      ];
    },

    W5: () => {
      const inp = w5Inputs();
      const w = mat(inp.w, f64);
      const b = f64(inp.b, [inp.b.length]);
      const x = f64(inp.x, [inp.x.length]);
      const g = (v: Tensor): Tensor => ad.tanh(ad.matmul(w, v).add(b));
      const jacrev = ad.jacrev(g);
      const jacfwd = ad.jacfwd(g);
      const jacrevJit = ad.jit(jacrev);
      const jacfwdJit = ad.jit(jacfwd);
      return [
        variant("jacrev", () => jacrev(x), total),
        variant("jacfwd", () => jacfwd(x), total),
        variant("jacrev-jit", () => jacrevJit(x), total),
        variant("jacfwd-jit", () => jacfwdJit(x), total),
      ];
    },

    W6: () => {
      const inp = w6Inputs();
      const params = [mat(inp.wx, f32), mat(inp.wh, f32), f32(inp.b, [inp.b.length])];
      const xs = inp.xs.map((xt) => f32(xt, [xt.length]));
      const valueAndGrad = ad.valueAndGrad(rnnLoss);
      const fJit = ad.jit(rnnLoss);
      const gradJit = ad.jit(valueAndGrad);
      return [
        variant("f", () => rnnLoss(params, xs), value),
        variant(
          "grad",
          () => valueAndGrad(params, xs),
          ([, g]) => total(g[1]!),
        ),
        variant("f-jit", () => fJit(params, xs), value),
        variant(
          "grad-jit",
          () => gradJit(params, xs),
          ([, g]) => total(g[1]!),
        ),
      ];
    },

    W7: () => {
      const inp = w7Inputs();
      const train = trainDigits(inp, "float32");
      const trainJit = trainDigits(inp, "float32", true);
      return [
        variant("train", train, ({ loss }) => value(loss)),
        variant("train-jit", trainJit, ({ loss }) => value(loss)),
      ];
    },
  },
};
