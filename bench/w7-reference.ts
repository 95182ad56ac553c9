/**
 * @file W7's reference value, independent of every peer: the digits MLP's forward and backward
 * pass and Adam (PyTorch's update, in float64) written out by hand over plain Float64Arrays.
 * `node --import tsx bench/w7-reference.ts` prints the last step's loss (REFERENCE["W7 train"])
 * and, for comparison, adjoint's own float64 run of the same training.
 */

import { trainDigits } from "./adjoint-runner.js";
import { W7_ADAM, W7_LAYERS, W7_STEPS, type W7Inputs, w7Inputs } from "./workloads.js";

/** Trains as W7 does, in float64; returns the loss of every step (before its update). */
export function referenceLosses(inp: W7Inputs): number[] {
  const [d0, d1, d2] = W7_LAYERS;
  const { lr, b1, b2, eps } = W7_ADAM;
  // Parameters in a fixed order: W1 [d0, d1], b1 [d1], W2 [d1, d2], b2 [d2].
  const params = [
    Float64Array.from(inp.weights[0]!.data),
    Float64Array.from(inp.biases[0]!),
    Float64Array.from(inp.weights[1]!.data),
    Float64Array.from(inp.biases[1]!),
  ];
  const grads = params.map((p) => new Float64Array(p.length));
  const ms = params.map((p) => new Float64Array(p.length));
  const vs = params.map((p) => new Float64Array(p.length));
  const losses: number[] = [];
  for (let s = 0; s < W7_STEPS; s++) {
    const x = inp.batches[s]!;
    const y = inp.labels[s]!;
    const n = y.length;
    const [w1, c1, w2, c2] = params as [Float64Array, Float64Array, Float64Array, Float64Array];
    const [gw1, gc1, gw2, gc2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
    for (const g of grads) g.fill(0);
    let loss = 0;
    const h = new Float64Array(d1);
    const dh = new Float64Array(d1);
    const z = new Float64Array(d2);
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < d1; k++) {
        let a = c1[k]!;
        for (let j = 0; j < d0; j++) a += x[b * d0 + j]! * w1[j * d1 + k]!;
        h[k] = Math.tanh(a);
      }
      let max = -Infinity;
      for (let k = 0; k < d2; k++) {
        let a = c2[k]!;
        for (let j = 0; j < d1; j++) a += h[j]! * w2[j * d2 + k]!;
        z[k] = a;
        max = Math.max(max, a);
      }
      let sumExp = 0;
      for (let k = 0; k < d2; k++) sumExp += Math.exp(z[k]! - max);
      const logZ = max + Math.log(sumExp);
      loss += (logZ - z[y[b]!]!) / n;
      // d loss / d z = (softmax(z) - onehot(y)) / n, then back through both layers.
      dh.fill(0);
      for (let k = 0; k < d2; k++) {
        const dz = (Math.exp(z[k]! - logZ) - (k === y[b] ? 1 : 0)) / n;
        gc2[k] = gc2[k]! + dz;
        for (let j = 0; j < d1; j++) {
          gw2[j * d2 + k] = gw2[j * d2 + k]! + h[j]! * dz;
          dh[j] = dh[j]! + w2[j * d2 + k]! * dz;
        }
      }
      for (let k = 0; k < d1; k++) {
        const da = dh[k]! * (1 - h[k]! * h[k]!);
        gc1[k] = gc1[k]! + da;
        for (let j = 0; j < d0; j++) gw1[j * d1 + k] = gw1[j * d1 + k]! + x[b * d0 + j]! * da;
      }
    }
    losses.push(loss);
    const t = s + 1;
    params.forEach((p, i) => {
      const [g, m, v] = [grads[i]!, ms[i]!, vs[i]!];
      for (let e = 0; e < p.length; e++) {
        m[e] = b1 * m[e]! + (1 - b1) * g[e]!;
        v[e] = b2 * v[e]! + (1 - b2) * g[e]! * g[e]!;
        const mHat = m[e]! / (1 - b1 ** t);
        const vHat = v[e]! / (1 - b2 ** t);
        p[e] = p[e]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
  }
  return losses;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const inp = w7Inputs();
  const losses = referenceLosses(inp);
  const adjoint64 = Number(trainDigits(inp, "float64")().loss.item());
  const last = losses.at(-1)!;
  console.log(`W7 reference (hand-written float64): first loss ${losses[0]}, last loss ${last}`);
  console.log(`adjoint float64: ${adjoint64} (rel diff ${Math.abs(adjoint64 - last) / last})`);
}
