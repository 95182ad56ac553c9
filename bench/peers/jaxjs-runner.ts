/**
 * @file jax-js 0.1.25 on its "wasm" device (kernels generated as WebAssembly bytes in JS and
 * compiled in process: no .wasm files, no network; single-threaded in Node, which has no global
 * Web `Worker` for its thread pool). Float64 is supported on wasm, so every workload runs in its
 * own dtype. jax-js is lazy: a timed run waits for the result (`blockUntilReady`, and reads
 * size-1 results, which it may keep as unevaluated expressions). Arrays are reference counted:
 * every use but the last takes `.ref`, and results are disposed.
 *
 * Variants: "f", "grad", "hessian", "jacrev", "jacfwd" are eager; their "-jit" twins wrap the
 * same transformation in `jit` (traced and compiled on the first warm-up run).
 *
 * W7 (training) uses Adam written here with jax-js's numpy ops, optax's update: jax-js's optimizer
 * package, @jax-js/optax, is not on the npm registry (404 for `npm view @jax-js/optax`, December
 * 2026), so the peers' bench/package.json cannot install it. "train" runs the step eagerly,
 * "train-jit" runs one jit-compiled step (loss, gradient and update fused) per minibatch.
 */

import "./float16-shim.js";
import {
  blockUntilReady,
  defaultDevice,
  grad,
  hessian,
  init,
  type Array as JaxArray,
  jacfwd,
  jacrev,
  jit,
  nn,
  numpy as np,
  valueAndGrad,
} from "@jax-js/jax";
import { asyncVariant, type Runner, type Unsupported, type Variant } from "../runner.js";
import {
  type Matrix,
  W3_STEPS,
  W6_HIDDEN,
  W7_ADAM,
  W7_LAYERS,
  W7_STEPS,
  w1Inputs,
  w2Inputs,
  w3Inputs,
  w4Inputs,
  w5Inputs,
  w6Inputs,
  w7Inputs,
} from "../workloads.js";

type DType = "float32" | "float64";

/** A result: an array or a nested list of arrays. */
type Tree = JaxArray | Tree[];

function leaves(tree: Tree): JaxArray[] {
  return Array.isArray(tree) ? tree.flatMap(leaves) : [tree];
}

function dtypeOf(dtype: DType): np.DType {
  return dtype === "float64" ? np.float64 : np.float32;
}

function vec(data: Float64Array, dtype: DType): JaxArray {
  return np.array(dtype === "float64" ? data : Float32Array.from(data), {
    dtype: dtypeOf(dtype),
  });
}

function mat(m: Matrix, dtype: DType): JaxArray {
  return vec(m.data, dtype).reshape([m.rows, m.cols]);
}

/** Waits until every array of the result is computed (size-1 ones are read out). */
async function ready<T extends Tree>(result: T): Promise<T> {
  await blockUntilReady(result);
  for (const leaf of leaves(result)) if (leaf.size === 1) await leaf.ref.data();
  return result;
}

function disposeTree(tree: Tree): void {
  for (const leaf of leaves(tree)) leaf.dispose();
}

/** The sum of an array's elements in float64, in plain JS; checks the array's dtype. */
async function total(a: JaxArray, dtype: DType): Promise<number> {
  if (a.dtype !== dtypeOf(dtype)) throw new Error(`expected ${dtype}, got ${a.dtype}`);
  const data = await a.ref.data();
  let s = 0;
  for (let i = 0; i < data.length; i++) s += Number(data[i]!);
  return s;
}

/**
 * The eager variant `name` of `fn` and, when `jitToo`, its jit-compiled twin "`name`-jit".
 * `args` makes fresh references to the inputs for each call (calls consume their arguments).
 */
function eagerAndJit<A extends unknown[], R extends Tree>(
  name: string,
  fn: (...args: A) => R,
  args: () => NoInfer<A>,
  check: (result: R) => Promise<number>,
  { jitToo = true, note }: { jitToo?: boolean; note?: string } = {},
): Variant[] {
  const options = { dispose: disposeTree, ...(note === undefined ? {} : { note }) };
  const out = [asyncVariant(name, () => ready(fn(...args())), check, options)];
  if (jitToo) {
    const compiled = jit(fn as unknown as Parameters<typeof jit>[0]) as unknown as (...a: A) => R;
    out.push(
      asyncVariant(`${name}-jit`, () => ready(compiled(...args())), check, {
        ...options,
        warmup: 5,
      }),
    );
  }
  return out;
}

// ---- the workloads' functions (each consumes its arguments once) -----------------------------

/** W1: sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2. */
function rosenbrock(x: JaxArray): JaxArray {
  const n = x.shape[0]!;
  const head = x.ref.slice([0, n - 1]);
  const tail = x.slice([1, n]);
  const a = np.square(tail.sub(np.square(head.ref))).mul(100);
  return np.sum(a.add(np.square(np.subtract(1, head))));
}

/** W2: a 784-512-256-10 tanh MLP; mean softmax cross-entropy with integer labels. */
function mlpLoss(params: JaxArray[], x: JaxArray, labels: JaxArray): JaxArray {
  const [w1, b1, w2, b2, w3, b3] = params as [
    JaxArray,
    JaxArray,
    JaxArray,
    JaxArray,
    JaxArray,
    JaxArray,
  ];
  const h1 = np.tanh(np.matmul(x, w1).add(b1));
  const h2 = np.tanh(np.matmul(h1, w2).add(b2));
  const logits = np.matmul(h2, w3).add(b3);
  // `labels` is one-hot [B, 10]: picks each row's label log-probability. (np.take from the
  // flattened array works eagerly, but jit of its gradient fails in 0.1.25: "jit: routine
  // primitive scatter input is not imm".)
  const logp = np.sum(nn.logSoftmax(logits, -1).mul(labels), -1);
  return np.negative(np.mean(logp));
}

/** W3: x_{k+1} = r x_k (1 - x_k), three primitive ops per step. */
function logisticChain(r: JaxArray, x0: JaxArray, steps: number): JaxArray {
  let x = x0;
  for (let k = 0; k < steps; k++) x = r.ref.mul(x.ref).mul(np.subtract(1, x));
  r.dispose();
  return x;
}

/** W6: h_{t+1} = tanh(Wx x_t + Wh h_t + b) from h_0 = 0; loss = sum(h_T^2). */
function rnnLoss(params: JaxArray[], xs: JaxArray[]): JaxArray {
  const [wx, wh, b] = params as [JaxArray, JaxArray, JaxArray];
  let h = np.zeros([W6_HIDDEN], { dtype: np.float32 });
  for (const xt of xs) h = np.tanh(np.matmul(wx.ref, xt).add(np.matmul(wh.ref, h)).add(b.ref));
  wx.dispose();
  wh.dispose();
  b.dispose();
  return np.sum(np.square(h));
}

/** W7: 64-128-10 tanh MLP; mean softmax cross-entropy against one-hot labels (as W2's). */
function digitsLoss(params: JaxArray[], x: JaxArray, labels: JaxArray): JaxArray {
  const [w1, b1, w2, b2] = params as [JaxArray, JaxArray, JaxArray, JaxArray];
  const logits = np.matmul(np.tanh(np.matmul(x, w1).add(b1)), w2).add(b2);
  return np.negative(np.mean(np.sum(nn.logSoftmax(logits, -1).mul(labels), -1)));
}

const digitsValueAndGrad = valueAndGrad(digitsLoss);

/**
 * One W7 training step: loss and gradient on a minibatch, then Adam (optax's / PyTorch's update
 * with the bias corrections folded into `stepSize` = lr / (1 - b1^t) and `root2` =
 * sqrt(1 - b2^t)). Consumes its arrays; returns [params, m, v, loss].
 */
function digitsStep(
  params: JaxArray[],
  m: JaxArray[],
  v: JaxArray[],
  x: JaxArray,
  labels: JaxArray,
  stepSize: JaxArray,
  root2: JaxArray,
): [JaxArray[], JaxArray[], JaxArray[], JaxArray] {
  const { b1, b2, eps } = W7_ADAM;
  const [loss, grads] = digitsValueAndGrad(refs(params), x, labels);
  const out: JaxArray[][] = [[], [], []];
  params.forEach((p, i) => {
    const g = grads[i]!;
    const mi = m[i]!.mul(b1).add(g.ref.mul(1 - b1));
    const vi = v[i]!.mul(b2).add(np.square(g).mul(1 - b2));
    const denom = np.sqrt(vi.ref).div(root2.ref).add(eps);
    out[0]!.push(p.sub(mi.ref.div(denom).mul(stepSize.ref)));
    out[1]!.push(mi);
    out[2]!.push(vi);
  });
  stepSize.dispose();
  root2.dispose();
  return [out[0]!, out[1]!, out[2]!, loss];
}

/**
 * jax-js's wasm device stores float64 and does float64 arithmetic and matmul exactly, but its
 * float64 exp, tanh and sin are float32-accurate approximations (measured against Math over
 * [-5, 5): max relative error 3.7e-7 for exp, 4.1e-7 for tanh, 1.1e-5 for sin; its "cpu"
 * device, a JS interpreter meant for debugging, is exact). Workloads using them say so.
 */
const INEXACT_FLOAT64 =
  "float64 on jax-js wasm: exact arithmetic and matmul, but exp/tanh are float32-accurate " +
  "(max rel err ~4e-7), so the check can miss the float64 tolerance";

const refs = (arrays: readonly JaxArray[]): JaxArray[] => arrays.map((a) => a.ref);

/** The arguments of a one-argument function: a fresh reference to `a` per call. */
const only = (a: JaxArray) => (): [JaxArray] => [a.ref];

// ---- the runner -------------------------------------------------------------------------------

export const jaxjsRunner: Runner = {
  peer: "jax-js",

  async init() {
    const devices = await init("cpu", "wasm");
    defaultDevice("wasm");
    return {
      version: "0.1.25",
      devices_initialized: devices,
      device: defaultDevice(),
      // jax-js starts a thread pool only when SharedArrayBuffer and a global Web Worker exist.
      threads: typeof SharedArrayBuffer !== "undefined" && "Worker" in globalThis ? "pool" : 1,
      wasm: "kernels generated as Wasm bytes in JS and compiled in process (no .wasm files)",
      float64: "yes (float64 workloads run in float64; exp/tanh/sin are float32-accurate)",
    };
  },

  workloads: {
    W1: () => {
      const x = vec(w1Inputs().x, "float64");
      return [
        ...eagerAndJit("f", rosenbrock, only(x), (v) => total(v, "float64")),
        ...eagerAndJit("grad", valueAndGrad(rosenbrock), only(x), ([, g]) => total(g, "float64")),
      ];
    },

    W2: () => {
      const inp = w2Inputs();
      const x = mat(inp.x, "float32");
      const labels = nn.oneHot(np.array(inp.labels, { dtype: np.int32 }), 10).astype(np.float32);
      const params: JaxArray[] = [];
      inp.weights.forEach((w, l) => {
        params.push(mat(w, "float32"), vec(inp.biases[l]!, "float32"));
      });
      const args = (): [JaxArray[], JaxArray, JaxArray] => [refs(params), x.ref, labels.ref];
      return [
        ...eagerAndJit("f", mlpLoss, args, (v) => total(v, "float32")),
        ...eagerAndJit(
          "grad",
          valueAndGrad(mlpLoss),
          args,
          async ([loss, g]) => (await total(loss, "float32")) + (await total(g[0]!, "float32")),
        ),
      ];
    },

    W3: () => {
      const inp = w3Inputs();
      const r = np.array(inp.r, { dtype: np.float64 });
      const x0 = np.array(inp.x0, { dtype: np.float64 });
      const chain = (rr: JaxArray): JaxArray => logisticChain(rr, x0.ref, W3_STEPS);
      const noJit =
        "jit of the 10,000-step chain does not finish: its compile time grows ~N^3 " +
        "(0.9 s at N = 300, 10 s at 1,000, 74 s at 2,000; N = 10,000 ran > 10 min), " +
        "and jax-js 0.1.25 has no scan / fori_loop to compile one step";
      const out: (Variant | Unsupported)[] = [
        ...eagerAndJit("f", chain, only(r), (v) => total(v, "float64"), {
          jitToo: false,
        }),
        { variant: "f-jit", unsupported: noJit },
        ...eagerAndJit("grad", grad(chain), only(r), (g) => total(g, "float64"), {
          jitToo: false,
        }),
        { variant: "grad-jit", unsupported: noJit },
      ];
      return out;
    },

    W4: () => {
      const inp = w4Inputs();
      const a = mat(inp.a, "float64");
      const x = vec(inp.x, "float64");
      const f = (v: JaxArray): JaxArray =>
        nn.logsumexp(np.matmul(a.ref, v.ref)).add(np.sum(np.square(v)).mul(0.5));
      // jax-js's hessian is jacfwd(grad(f)): forward over reverse.
      return eagerAndJit("hessian", hessian(f), only(x), (h) => total(h, "float64"), {
        note: INEXACT_FLOAT64,
      });
    },

    W5: () => {
      const inp = w5Inputs();
      const w = mat(inp.w, "float64");
      const b = vec(inp.b, "float64");
      const x = vec(inp.x, "float64");
      const g = (v: JaxArray): JaxArray => np.tanh(np.matmul(w.ref, v).add(b.ref));
      const check = (j: JaxArray): Promise<number> => total(j, "float64");
      return [
        ...eagerAndJit("jacrev", jacrev(g), only(x), check, { note: INEXACT_FLOAT64 }),
        ...eagerAndJit("jacfwd", jacfwd(g), only(x), check, { note: INEXACT_FLOAT64 }),
      ];
    },

    W6: () => {
      const inp = w6Inputs();
      const params = [mat(inp.wx, "float32"), mat(inp.wh, "float32"), vec(inp.b, "float32")];
      const xs = inp.xs.map((xt) => vec(xt, "float32"));
      const args = (): [JaxArray[], JaxArray[]] => [refs(params), refs(xs)];
      return [
        ...eagerAndJit("f", rnnLoss, args, (v) => total(v, "float32")),
        ...eagerAndJit("grad", valueAndGrad(rnnLoss), args, ([, g]) => total(g[1]!, "float32")),
      ];
    },

    W7: () => {
      const inp = w7Inputs();
      const initial = inp.weights.flatMap((w, l) => [
        mat(w, "float32"),
        vec(inp.biases[l]!, "float32"),
      ]);
      const xs = inp.batches.map((b) =>
        np.array(b, { dtype: np.float32 }).reshape([b.length / W7_LAYERS[0], W7_LAYERS[0]]),
      );
      const ys = inp.labels.map((y) =>
        nn.oneHot(np.array(y, { dtype: np.int32 }), W7_LAYERS[2]).astype(np.float32),
      );
      const { lr, b1, b2 } = W7_ADAM;
      // The per-step bias-correction scalars, as float32 arrays (untimed).
      const scalars = Array.from({ length: W7_STEPS }, (_, s) => [
        np.array(lr / (1 - b1 ** (s + 1)), { dtype: np.float32 }),
        np.array(Math.sqrt(1 - b2 ** (s + 1)), { dtype: np.float32 }),
      ]);
      const train = (step: typeof digitsStep) => async (): Promise<JaxArray[]> => {
        let params = refs(initial);
        let m = initial.map((a) => np.zeros(a.shape, { dtype: np.float32 }));
        let v = initial.map((a) => np.zeros(a.shape, { dtype: np.float32 }));
        let loss: JaxArray | null = null;
        for (let s = 0; s < W7_STEPS; s++) {
          loss?.dispose();
          const [stepSize, root2] = scalars[s]! as [JaxArray, JaxArray];
          [params, m, v, loss] = step(
            params,
            m,
            v,
            xs[s]!.ref,
            ys[s]!.ref,
            stepSize.ref,
            root2.ref,
          );
          // Each step's results are computed before the next step starts, as a training loop
          // that logs its loss would: left lazy, the 100 steps' graph takes ~20 s per run eager.
          await blockUntilReady([params, m, v, loss]);
        }
        disposeTree([...m, ...v]);
        return ready([loss!, ...params]);
      };
      const compiled = jit(digitsStep);
      const check = ([loss]: JaxArray[]): Promise<number> => total(loss!, "float32");
      return [
        asyncVariant("train", train(digitsStep), check, { dispose: disposeTree }),
        asyncVariant("train-jit", train(compiled as unknown as typeof digitsStep), check, {
          dispose: disposeTree,
          warmup: 5,
        }),
      ];
    },
  },
};
