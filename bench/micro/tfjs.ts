/**
 * @file TensorFlow.js 4.22's kernel micro-benchmark cases, on its "cpu" or "wasm" backend (set up
 * by the workload runner's init, ../peers/tfjs-runner.ts). Transposed products use tf.matMul's
 * transposeA / transposeB flags; the add chain runs in tf.tidy, or under tf.grad. TF.js has no
 * float64: those cases are n/a. Its cpu and wasm kernels run synchronously, so a run's result
 * is computed when it returns; results and inputs are disposed after each case.
 */

import * as tf from "@tensorflow/tfjs";
import { tfjsRunner } from "../peers/tfjs-runner.js";
import type { Unsupported } from "../runner.js";
import { variant } from "../runner.js";
import {
  BCAST_COLS,
  BCAST_ROWS,
  CHAIN_LENGTH,
  checksum,
  elementwiseInputs,
  type MicroCase,
  type MicroRunner,
  type MicroVariant,
  matmulInputs,
  overheadInput,
  withInputs,
} from "./cases.js";

type Tensor = tf.Tensor;

const total = (t: Tensor): number => checksum(t.dataSync());
const dispose = (t: Tensor): void => t.dispose();
/** The data of a float32 case (the float64 ones never get here). */
const f32 = (d: Float32Array | Float64Array): Float32Array =>
  d instanceof Float32Array ? d : Float32Array.from(d);

function chain(x: Tensor): Tensor {
  let s = x;
  for (let i = 0; i < CHAIN_LENGTH; i++) s = tf.add(s, x);
  return s;
}

function setup(c: MicroCase): MicroVariant | Unsupported {
  if (c.dtype === "float64") return { variant: "*", unsupported: "TF.js has no float64" };
  switch (c.group) {
    case "matmul": {
      const [da, db] = matmulInputs(c);
      const a = tf.tensor2d(f32(da), [c.n, c.n], "float32");
      const b = tf.tensor2d(f32(db), [c.n, c.n], "float32");
      const ta = c.transpose === "TN";
      const tb = c.transpose === "NT";
      return withInputs(
        variant(c.transpose, () => tf.matMul(a, b, ta, tb), total, { dispose }),
        () => tf.dispose([a, b]),
      );
    }
    case "elementwise": {
      const [dx, dy] = elementwiseInputs(c);
      const x =
        c.op === "add-bcast"
          ? tf.tensor2d(f32(dx), [BCAST_ROWS, BCAST_COLS], "float32")
          : tf.tensor1d(f32(dx), "float32");
      const y = tf.tensor1d(f32(dy), "float32");
      const op = {
        add: () => tf.add(x, y),
        "add-bcast": () => tf.add(x, y),
        mul: () => tf.mul(x, y),
        exp: () => tf.exp(x),
        tanh: () => tf.tanh(x),
      }[c.op];
      return withInputs(variant(c.op, op, total, { dispose }), () => tf.dispose([x, y]));
    }
    case "overhead": {
      const x = tf.tensor(overheadInput(c), [...c.shape], "float32");
      const release = (): void => x.dispose();
      if (!c.grad) {
        return withInputs(
          variant("chain", () => tf.tidy(() => chain(x)), total, { dispose }),
          release,
        );
      }
      // tf.grad runs f in a tidy of its own and keeps only the gradient.
      const g = tf.grad((v: Tensor) => tf.sum(chain(v)));
      return withInputs(
        variant("grad", () => g(x), total, { dispose }),
        release,
      );
    }
  }
}

export function tfjsMicro(backend: "cpu" | "wasm"): MicroRunner {
  const workloads = tfjsRunner(backend);
  return {
    peer: `tfjs-${backend}`,
    async init() {
      const info = await workloads.init!();
      return { ...info, float64: "none (float64 cases are n/a)" };
    },
    setup,
  };
}
