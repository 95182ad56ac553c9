/**
 * @file jax-js 0.1.25's kernel micro-benchmark cases, eager, on its "wasm" device (set up by the
 * workload runner's init, ../peers/jaxjs-runner.ts, after the Float16Array shim). Transposed
 * products use lax.dot with contracting dimensions (jax-js's matmul has no transpose flags; the
 * dimension numbers say which axes to contract without materializing a transpose). jax-js is
 * lazy: a timed run waits for its result (blockUntilReady, and reads a size-1 result, which it
 * may keep as an unevaluated expression). Arrays are reference counted: every use but the last
 * takes `.ref`; results and inputs are disposed after each case.
 */

import "../peers/float16-shim.js";
import { blockUntilReady, grad, type Array as JaxArray, lax, numpy as np } from "@jax-js/jax";
import { jaxjsRunner } from "../peers/jaxjs-runner.js";
import { asyncVariant } from "../runner.js";
import {
  BCAST_COLS,
  BCAST_ROWS,
  CHAIN_LENGTH,
  checksum,
  elementwiseInputs,
  type FloatDType,
  type MicroCase,
  type MicroRunner,
  type MicroVariant,
  matmulInputs,
  overheadInput,
  withInputs,
} from "./cases.js";

function array(data: Float32Array | Float64Array, shape: readonly number[], dtype: FloatDType) {
  return np
    .array(data, { dtype: dtype === "float64" ? np.float64 : np.float32 })
    .reshape([...shape]);
}

/** Waits until the array is computed (a size-1 one is read out). */
async function ready(a: JaxArray): Promise<JaxArray> {
  await blockUntilReady(a);
  if (a.size === 1) await a.ref.data();
  return a;
}

async function total(a: JaxArray): Promise<number> {
  return checksum(await a.ref.data());
}

const dispose = (a: JaxArray): void => a.dispose();

/** s = x; 1000 times s = s + x. Consumes x. */
function chain(x: JaxArray): JaxArray {
  let s = x.ref;
  for (let i = 0; i < CHAIN_LENGTH; i++) s = np.add(s, x.ref);
  x.dispose();
  return s;
}

function setup(c: MicroCase): MicroVariant {
  switch (c.group) {
    case "matmul": {
      const [da, db] = matmulInputs(c);
      const a = array(da, [c.n, c.n], c.dtype);
      const b = array(db, [c.n, c.n], c.dtype);
      // Contract A's axis 1 (or 0 for A^T) with B's axis 0 (or 1 for B^T).
      const dims = {
        lhsContractingDims: [c.transpose === "TN" ? 0 : 1],
        rhsContractingDims: [c.transpose === "NT" ? 1 : 0],
      };
      const product =
        c.transpose === "NN" ? () => np.matmul(a.ref, b.ref) : () => lax.dot(a.ref, b.ref, dims);
      return withInputs(
        asyncVariant(c.transpose, () => ready(product()), total, {
          dispose,
          ...(c.transpose === "NN" ? {} : { note: "lax.dot with contracting dims" }),
        }),
        () => {
          a.dispose();
          b.dispose();
        },
      );
    }
    case "elementwise": {
      const [dx, dy] = elementwiseInputs(c);
      const x = array(dx, c.op === "add-bcast" ? [BCAST_ROWS, BCAST_COLS] : [dx.length], c.dtype);
      const y = array(dy, [dy.length], c.dtype);
      const op = {
        add: () => np.add(x.ref, y.ref),
        "add-bcast": () => np.add(x.ref, y.ref),
        mul: () => np.multiply(x.ref, y.ref),
        exp: () => np.exp(x.ref),
        tanh: () => np.tanh(x.ref),
      }[c.op];
      return withInputs(
        asyncVariant(c.op, () => ready(op()), total, { dispose }),
        () => {
          x.dispose();
          y.dispose();
        },
      );
    }
    case "overhead": {
      const x = array(overheadInput(c), c.shape, "float32");
      const release = (): void => x.dispose();
      if (!c.grad) {
        return withInputs(
          asyncVariant("chain", () => ready(chain(x.ref)), total, { dispose }),
          release,
        );
      }
      const g = grad((v: JaxArray) => np.sum(chain(v)));
      return withInputs(
        asyncVariant("grad", () => ready(g(x.ref)), total, { dispose }),
        release,
      );
    }
  }
}

export const jaxjsMicro: MicroRunner = {
  peer: "jax-js",
  async init() {
    const info = await jaxjsRunner.init!();
    return { ...info, float64: "yes (exp/tanh are float32-accurate on the wasm device)" };
  },
  setup,
};
