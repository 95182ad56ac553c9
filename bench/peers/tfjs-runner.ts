/**
 * @file TensorFlow.js 4.22 (`@tensorflow/tfjs`, which registers the gradients) on its "cpu"
 * backend (plain JS kernels) or its "wasm" backend (`@tensorflow/tfjs-backend-wasm`, XNNPACK;
 * single-threaded in Node, where it finds no multithreading support), as peers "tfjs-cpu" and
 * "tfjs-wasm". The .wasm binaries are read from the package's dist folder on disk.
 *
 * TF.js has no float64: W1, W3, W4, W5 run in float32 (lines say `dtype: "float32"`) and their
 * checks are judged with FLOAT32_RTOL instead of the float64 reference tolerance. TF.js has
 * reverse mode only (tf.grad / tf.valueAndGrads, which take a cotangent `dy`): no forward mode,
 * no hessian, no jacobian. W5's jacrev is therefore built from one tf.grad VJP per output row
 * (marked with a note); W5 jacfwd and W4 hessian are unsupported. W7 trains with TF.js's own
 * training API: tf.variable parameters, tf.train.adam and optimizer.minimize.
 */

import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as tfwasm from "@tensorflow/tfjs-backend-wasm";
import { type Runner, type Unsupported, type Variant, variant } from "../runner.js";
import {
  type Matrix,
  W3_STEPS,
  W7_ADAM,
  W7_LAYERS,
  W7_STEPS,
  w1Inputs,
  w2Inputs,
  w3Inputs,
  w5Inputs,
  w6Inputs,
  w7Inputs,
} from "../workloads.js";

type Tensor = tf.Tensor;

/**
 * The relative tolerance for a float64 workload computed in float32: 1e-4, about 1000 float32
 * ulps (2^-23 = 1.2e-7), leaving room for the float32 rounding of the inputs and for sums of up
 * to 1e5 float32 terms (W1), whose rounding errors grow with the number of terms.
 */
export const FLOAT32_RTOL = 1e-4;

/** Options of a variant computed in float32 although the workload is float64. */
const AS_FLOAT32 = { dtype: "float32", rtol: FLOAT32_RTOL } as const;

function vec(data: Float64Array): Tensor {
  return tf.tensor1d(Float32Array.from(data), "float32");
}

function mat(m: Matrix): Tensor {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], "float32");
}

/** The sum of a tensor's elements in float64, in plain JS. */
function total(t: Tensor): number {
  const data = t.dataSync();
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i]!;
  return s;
}

function value(t: Tensor): number {
  return t.dataSync()[0]!;
}

function disposeAll(result: tf.TensorContainer): void {
  tf.dispose(result);
}

// ---- the workloads' functions -----------------------------------------------------------------

/** W1: sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2. */
function rosenbrock(x: Tensor): Tensor {
  const n = x.shape[0]!;
  const head = x.slice(0, n - 1);
  const tail = x.slice(1, n - 1);
  return tf.sum(tf.add(tf.square(tail.sub(tf.square(head))).mul(100), tf.square(tf.sub(1, head))));
}

/** W2: a 784-512-256-10 tanh MLP; mean softmax cross-entropy with integer labels. */
function mlpLoss(params: Tensor[], x: Tensor, labels: Tensor): Tensor {
  const [w1, b1, w2, b2, w3, b3] = params as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  const h1 = tf.tanh(tf.matMul(x, w1).add(b1));
  const h2 = tf.tanh(tf.matMul(h1, w2).add(b2));
  const logits = tf.matMul(h2, w3).add(b3);
  // `labels` is one-hot [B, 10]: picks each row's label log-probability. (Gathering them from
  // the flattened array instead needs UnsortedSegmentSum for the gradient, which the wasm
  // backend lacks.)
  const logp = tf.sum(tf.logSoftmax(logits, -1).mul(labels), -1);
  return tf.neg(tf.mean(logp));
}

/** W3: x_{k+1} = r x_k (1 - x_k), three primitive ops per step (`one` is the constant 1). */
function logisticChain(r: Tensor, x0: Tensor, one: Tensor, steps: number): Tensor {
  let x = x0;
  for (let k = 0; k < steps; k++) x = r.mul(x).mul(one.sub(x));
  return x;
}

/** W6: h_{t+1} = tanh(Wx x_t + Wh h_t + b) from h_0 = 0, with column vectors; sum(h_T^2). */
function rnnLoss(wx: Tensor, wh: Tensor, b: Tensor, xs: readonly Tensor[]): Tensor {
  const bias = b.reshape([-1, 1]);
  let h: Tensor = tf.zeros([wh.shape[0]!, 1], "float32");
  for (const xt of xs) h = tf.tanh(tf.matMul(wx, xt).add(tf.matMul(wh, h)).add(bias));
  return tf.sum(tf.square(h));
}

/** W7: 64-128-10 tanh MLP; mean softmax cross-entropy against one-hot labels (as W2's). */
function digitsLoss(params: readonly tf.Variable[], x: Tensor, labels: Tensor): tf.Scalar {
  const [w1, b1, w2, b2] = params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const logits = tf.matMul(tf.tanh(tf.matMul(x, w1).add(b1)), w2).add(b2);
  return tf.neg(tf.mean(tf.sum(tf.logSoftmax(logits, -1).mul(labels), -1)));
}

// ---- the runner -------------------------------------------------------------------------------

export function tfjsRunner(backend: "cpu" | "wasm"): Runner {
  return {
    peer: `tfjs-${backend}`,

    async init() {
      tf.enableProdMode();
      let wasmFiles: string | undefined;
      if (backend === "wasm") {
        const require = createRequire(import.meta.url);
        const dist = dirname(
          require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"),
        );
        wasmFiles = `${dist}/`;
        tfwasm.setWasmPaths(wasmFiles);
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
      await tf.ready();
      const env = tf.env();
      return {
        version: tf.version.tfjs,
        backend: tf.getBackend(),
        ...(backend === "wasm"
          ? {
              wasm_files: wasmFiles,
              simd: env.getBool("WASM_HAS_SIMD_SUPPORT"),
              multithread_support: env.getBool("WASM_HAS_MULTITHREAD_SUPPORT"),
              threads: tfwasm.getThreadsCount(),
            }
          : { threads: 1 }),
        float64: "none (float64 workloads run in float32)",
      };
    },

    workloads: {
      W1: () => {
        const x = vec(w1Inputs().x);
        const valueAndGrad = tf.valueAndGrad(rosenbrock);
        return [
          variant("f", () => tf.tidy(() => rosenbrock(x)), value, {
            ...AS_FLOAT32,
            dispose: disposeAll,
          }),
          variant(
            "grad",
            () => valueAndGrad(x),
            ({ grad }) => total(grad),
            {
              ...AS_FLOAT32,
              dispose: disposeAll,
            },
          ),
        ];
      },

      W2: () => {
        const inp = w2Inputs();
        const x = mat(inp.x);
        const labels = tf.oneHot(tf.tensor1d(inp.labels, "int32"), 10).toFloat();
        const params: Tensor[] = [];
        inp.weights.forEach((w, l) => {
          params.push(mat(w), vec(inp.biases[l]!));
        });
        const valueAndGrads = tf.valueAndGrads((...ps: Tensor[]) => mlpLoss(ps, x, labels));
        return [
          variant("f", () => tf.tidy(() => mlpLoss(params, x, labels)), value, {
            dispose: disposeAll,
          }),
          variant(
            "grad",
            () => valueAndGrads(params),
            ({ value: loss, grads }) => value(loss) + total(grads[0]!),
            { dispose: disposeAll },
          ),
        ];
      },

      W3: () => {
        const inp = w3Inputs();
        const r = tf.scalar(inp.r, "float32");
        const x0 = tf.scalar(inp.x0, "float32");
        const one = tf.scalar(1, "float32");
        const dxdr = tf.grad((rr: Tensor) => logisticChain(rr, x0, one, W3_STEPS));
        return [
          variant("f", () => tf.tidy(() => logisticChain(r, x0, one, W3_STEPS)), value, {
            ...AS_FLOAT32,
            dispose: disposeAll,
          }),
          variant("grad", () => dxdr(r), value, { ...AS_FLOAT32, dispose: disposeAll }),
        ];
      },

      W4: () => [
        {
          variant: "hessian",
          unsupported:
            "TF.js has no hessian and no forward mode (reverse mode only: tf.grad / tf.grads)",
        },
      ],

      W5: () => {
        const inp = w5Inputs();
        const n = inp.x.length;
        const w = mat(inp.w);
        const b = vec(inp.b);
        const x = vec(inp.x);
        const g = (v: Tensor): Tensor =>
          tf.tanh(
            tf
              .matMul(w, v.reshape([-1, 1]))
              .reshape([-1])
              .add(b),
          );
        const vjp = tf.grad(g);
        // The unit cotangents e_i, built once (untimed).
        const basis = tf.unstack(tf.eye(n, n, undefined, "float32"));
        const jacrev = (): Tensor => tf.tidy(() => tf.stack(basis.map((e) => vjp(x, e))));
        const variants: (Variant | Unsupported)[] = [
          variant("jacrev", jacrev, total, {
            ...AS_FLOAT32,
            dispose: disposeAll,
            note: "TF.js has no jacobian: one tf.grad VJP per output row (300, each re-running g)",
          }),
          { variant: "jacfwd", unsupported: "TF.js has no forward mode" },
        ];
        return variants;
      },

      W6: () => {
        const inp = w6Inputs();
        const wx = mat(inp.wx);
        const wh = mat(inp.wh);
        const b = vec(inp.b);
        const xs = inp.xs.map((xt) => vec(xt).reshape([-1, 1]));
        const valueAndGrads = tf.valueAndGrads((a: Tensor, c: Tensor, d: Tensor) =>
          rnnLoss(a, c, d, xs),
        );
        return [
          variant("f", () => tf.tidy(() => rnnLoss(wx, wh, b, xs)), value, {
            dispose: disposeAll,
          }),
          variant(
            "grad",
            () => valueAndGrads([wx, wh, b]),
            ({ grads }) => total(grads[1]!),
            {
              dispose: disposeAll,
            },
          ),
        ];
      },

      W7: () => {
        const inp = w7Inputs();
        const initial = inp.weights.flatMap((w, l) => [mat(w), vec(inp.biases[l]!)]);
        const vars = initial.map((t) => tf.variable(t.clone()));
        const xs = inp.batches.map((b) => tf.tensor2d(b, [b.length / W7_LAYERS[0], W7_LAYERS[0]]));
        const ys = inp.labels.map((y) =>
          tf.oneHot(tf.tensor1d(y, "int32"), W7_LAYERS[2]).toFloat(),
        );
        const { lr, b1, b2, eps } = W7_ADAM;
        const train = (): Tensor => {
          // Every run starts from the initial weights with a fresh optimizer (new moments).
          vars.forEach((v, i) => {
            v.assign(initial[i]!);
          });
          const opt = tf.train.adam(lr, b1, b2, eps);
          let loss: Tensor | null = null;
          for (let s = 0; s < W7_STEPS; s++) {
            loss?.dispose();
            loss = opt.minimize(() => digitsLoss(vars, xs[s]!, ys[s]!), true, vars);
          }
          opt.dispose();
          return loss!;
        };
        return [variant("train", train, value, { dispose: disposeAll })];
      },
    },
  };
}
