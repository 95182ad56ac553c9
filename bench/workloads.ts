/**
 * @file The benchmark workloads W1..W6 of ../shared/WORKLOADS.md and W7 (training, issue 12),
 * independent of any library: sizes, the deterministic inputs (plain typed arrays, row-major,
 * computed in float64), the reference check values and the metrics derived from a timing. Every
 * peer's runner builds its own tensors from these arrays, so all peers see the same numbers.
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadDigits, splitDigits } from "../examples/data/digits.js";

export type WorkloadId = "W1" | "W2" | "W3" | "W4" | "W5" | "W6" | "W7";

export const WORKLOAD_IDS: readonly WorkloadId[] = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"];

/** A row-major matrix of float64 values (float32 workloads round them when building tensors). */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

function vector(n: number, at: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = at(i);
  return out;
}

function matrix(rows: number, cols: number, at: (i: number, j: number) => number): Matrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = at(i, j);
  }
  return { rows, cols, data };
}

// ---- W1 rosenbrock (float64) ------------------------------------------------------------------

export const W1_N = 100_000;

/** x_i = 0.5 sin(0.37 i); f(x) = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2. */
export function w1Inputs(n = W1_N): { x: Float64Array } {
  return { x: vector(n, (i) => 0.5 * Math.sin(0.37 * i)) };
}

// ---- W2 mlp (float32) -------------------------------------------------------------------------

export const W2_BATCH = 128;
export const W2_LAYERS = [784, 512, 256, 10] as const;
/** Forward FLOPs (2 per multiply-add of the three matmuls) and forward + backward (~3x). */
export const W2_FLOPS = { f: 0.137e9, grad: 0.41e9 } as const;

export interface W2Inputs {
  /** X[b, j] = sin(0.01 (b * 784 + j)), shape [128, 784]. */
  readonly x: Matrix;
  /** y[b] = b mod 10. */
  readonly labels: Int32Array;
  /** W_l[j, k] = 0.05 sin(0.001 (j * out + k) + l), l = 1, 2, 3; shapes [in, out]. */
  readonly weights: readonly Matrix[];
  /** Zero biases, one per layer, of length out. */
  readonly biases: readonly Float64Array[];
}

export function w2Inputs(): W2Inputs {
  const [d0, d1, d2, d3] = W2_LAYERS;
  const x = matrix(W2_BATCH, d0, (b, j) => Math.sin(0.01 * (b * d0 + j)));
  const labels = Int32Array.from({ length: W2_BATCH }, (_, b) => b % 10);
  const dims: [number, number][] = [
    [d0, d1],
    [d1, d2],
    [d2, d3],
  ];
  const weights = dims.map(([m, n], l) =>
    matrix(m, n, (j, k) => 0.05 * Math.sin(0.001 * (j * n + k) + (l + 1))),
  );
  const biases = dims.map(([, n]) => new Float64Array(n));
  return { x, labels, weights, biases };
}

// ---- W3 scalar chain (float64) ----------------------------------------------------------------

export const W3_STEPS = 10_000;
/** Primitive ops per step of x_{k+1} = r * x_k * (1 - x_k): mul, sub, mul. */
export const W3_OPS_PER_STEP = 3;

export function w3Inputs(): { x0: number; r: number; steps: number } {
  return { x0: 0.5, r: 2.5, steps: W3_STEPS };
}

// ---- W4 hessian (float64) ---------------------------------------------------------------------

export const W4_N = 256;
export const W4_M = 128;

/** A[i, j] = sin(0.1 (i * n + j)) / 16 (shape [m, n]), x_j = cos(0.3 j); f = logsumexp(Ax) + |x|^2/2. */
export function w4Inputs(): { a: Matrix; x: Float64Array } {
  const a = matrix(W4_M, W4_N, (i, j) => Math.sin(0.1 * (i * W4_N + j)) / 16);
  return { a, x: vector(W4_N, (j) => Math.cos(0.3 * j)) };
}

// ---- W5 jacobian (float64) --------------------------------------------------------------------

export const W5_N = 300;

/** W[i, j] = sin(0.01 (i * n + j)) / 10, b_i = cos(i), x_j = sin(j); g(x) = tanh(W x + b). */
export function w5Inputs(): { w: Matrix; b: Float64Array; x: Float64Array } {
  return {
    w: matrix(W5_N, W5_N, (i, j) => Math.sin(0.01 * (i * W5_N + j)) / 10),
    b: vector(W5_N, (i) => Math.cos(i)),
    x: vector(W5_N, (j) => Math.sin(j)),
  };
}

// ---- W6 small rnn (float32) -------------------------------------------------------------------

export const W6_HIDDEN = 32;
export const W6_INPUT = 8;
export const W6_STEPS = 200;

export interface W6Inputs {
  /** Wx[i, j] = 0.1 sin(i * I + j), shape [H, I]. */
  readonly wx: Matrix;
  /** Wh[i, j] = 0.1 cos(i * H + j), shape [H, H]. */
  readonly wh: Matrix;
  /** b = 0, length H. */
  readonly b: Float64Array;
  /** xs[t][j] = sin(0.1 t + j), T vectors of length I. */
  readonly xs: readonly Float64Array[];
}

/** h_0 = 0; h_{t+1} = tanh(Wx x_t + Wh h_t + b); loss = sum(h_T^2). */
export function w6Inputs(): W6Inputs {
  const H = W6_HIDDEN;
  const I = W6_INPUT;
  return {
    wx: matrix(H, I, (i, j) => 0.1 * Math.sin(i * I + j)),
    wh: matrix(H, H, (i, j) => 0.1 * Math.cos(i * H + j)),
    b: new Float64Array(H),
    xs: Array.from({ length: W6_STEPS }, (_, t) => vector(I, (j) => Math.sin(0.1 * t + j))),
  };
}

// ---- W7 training: Adam on the digits MLP (float32) --------------------------------------------

/** Layer sizes: 64 pixels -> 128 tanh units -> 10 logits. */
export const W7_LAYERS = [64, 128, 10] as const;
export const W7_BATCH = 64;
/** Adam steps per timed run (every run starts again from the same initial weights). */
export const W7_STEPS = 100;
/** Adam's hyper-parameters (PyTorch's / optax's defaults but lr; eps given to every peer). */
export const W7_ADAM = { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8 } as const;

export interface W7Inputs {
  /** Per step, the minibatch's pixels / 16 (float32 values), row-major [W7_BATCH, 64]. */
  readonly batches: readonly Float32Array[];
  /** Per step, the minibatch's labels 0..9, length W7_BATCH. */
  readonly labels: readonly Int32Array[];
  /** W_l[j, k] = a_l sin(1.7 (j * out + k) + l), l = 1, 2, a_l = sqrt(2 / in); shapes [in, out]. */
  readonly weights: readonly Matrix[];
  /** Zero biases, one per layer, of length out. */
  readonly biases: readonly Float64Array[];
}

/**
 * The digits file, wherever this module runs from: bench/ (tsx) or bench/build/bench/ (the
 * compiled benchmark, whose copy of examples/data has no data file).
 */
function digitsFile(): string {
  const candidates = ["../examples/data/digits.csv.gz", "../../../examples/data/digits.csv.gz"];
  for (const rel of candidates) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`W7: examples/data/digits.csv.gz not found from ${import.meta.url}`);
}

/**
 * The training images of the digits split (1,437 of 1,797; examples/data/digits.ts), scaled to
 * [0, 1], cut into W7_STEPS minibatches in file order, wrapping around (step s takes images
 * (64 s + i) mod 1437): about 4.5 epochs. The file's labels mostly cycle through 0..9, so a
 * minibatch holds every digit (98 of the 100) or all but one. Initial weights are deterministic (no RNG), pseudo-random in
 * sign and LeCun-scaled (the sine of a large-step argument has variance a^2 / 2 = 1 / in).
 */
export function w7Inputs(): W7Inputs {
  const { train } = splitDigits(loadDigits(digitsFile()));
  const [d0, d1, d2] = W7_LAYERS;
  const batches: Float32Array[] = [];
  const labels: Int32Array[] = [];
  for (let s = 0; s < W7_STEPS; s++) {
    const x = new Float32Array(W7_BATCH * d0);
    const y = new Int32Array(W7_BATCH);
    for (let i = 0; i < W7_BATCH; i++) {
      const img = (s * W7_BATCH + i) % train.count;
      for (let j = 0; j < d0; j++) x[i * d0 + j] = train.pixels[img * d0 + j]! / 16;
      y[i] = train.labels[img]!;
    }
    batches.push(x);
    labels.push(y);
  }
  const dims: [number, number][] = [
    [d0, d1],
    [d1, d2],
  ];
  const weights = dims.map(([m, n], l) =>
    matrix(m, n, (j, k) => Math.sqrt(2 / m) * Math.sin(1.7 * (j * n + k) + (l + 1))),
  );
  const biases = dims.map(([, n]) => new Float64Array(n));
  return { batches, labels, weights, biases };
}

// ---- reference checks and derived metrics -----------------------------------------------------

/** A reference check value from WORKLOADS.md and its relative tolerance. */
export interface Reference {
  readonly value: number;
  readonly rtol: number;
}

/** The reference check of each (workload, variant), keyed "W1 f" etc. */
export const REFERENCE: Readonly<Record<string, Reference>> = {
  "W1 f": { value: 1596773.214409542, rtol: 1e-9 },
  "W1 grad": { value: -7360947.101244295, rtol: 1e-9 },
  "W2 f": { value: 2.302582264, rtol: 1e-6 }, // float32 math
  // loss + sum(dW1) in float64 math; sum(dW1) cancels heavily, so float32 peers drift here.
  "W2 grad": { value: 2.302002088, rtol: 5e-6 },
  "W3 f": { value: 0.6, rtol: 1e-12 },
  "W3 grad": { value: 0.16, rtol: 1e-9 },
  "W4 hessian": { value: 256.040413110939, rtol: 1e-9 },
  "W5 jacrev": { value: 4.033107194528008, rtol: 1e-9 },
  "W5 jacfwd": { value: 4.033107194528008, rtol: 1e-9 },
  "W6 f": { value: 3.014618043, rtol: 1e-6 }, // float64 math
  "W6 grad": { value: 0.2469617228, rtol: 1e-5 }, // float64 math
  // The last step's loss, float64 math (bench/w7-reference.ts: by hand, and adjoint agrees to
  // 2e-16); float32 peers drift by ~1e-7 over the 100 steps.
  "W7 train": { value: 1.4309234639503428, rtol: 1e-5 },
};

/**
 * Extra fields for a result line, from its median and the medians measured so far for the same
 * peer (keyed "W1 f" etc.): grad/f ratio for W1, GFLOP/s for W2, ns per primitive op for W3,
 * Adam steps per second for W7.
 */
export function derivedMetrics(
  workload: WorkloadId,
  variant: string,
  medianMs: number,
  medians: ReadonlyMap<string, number>,
): Record<string, number> {
  if (workload === "W1" && variant === "grad") {
    const f = medians.get("W1 f");
    return f === undefined ? {} : { ratio: medianMs / f };
  }
  if (workload === "W2" && (variant === "f" || variant === "grad")) {
    return { gflops: W2_FLOPS[variant] / (medianMs * 1e6) };
  }
  if (workload === "W3") {
    return { ns_per_op: (medianMs * 1e6) / (W3_OPS_PER_STEP * W3_STEPS) };
  }
  if (workload === "W7") {
    return { steps_per_s: W7_STEPS / (medianMs / 1000) };
  }
  return {};
}
