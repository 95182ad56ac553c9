/**
 * @file The kernel micro-benchmark's cases (issue #4), shared by the driver (../micro.ts), which
 * plans them, and the per-peer runners, which build them: matmul GFLOP/s (square sizes, plain
 * product and the two transposed ones), elementwise GB/s (add, mul, exp, tanh on 1e6 elements,
 * and a broadcasting add) and per-op overhead (a chain of 1000 adds, with and without gradient).
 * Inputs are deterministic and positive, so that every case's check value (the sum of its
 * result) is well conditioned and comparable across peers.
 */

import type { Unsupported, Variant } from "../runner.js";
import type { TimingOptions } from "../timing.js";

export type Group = "matmul" | "elementwise" | "overhead";
export const GROUPS: readonly Group[] = ["matmul", "elementwise", "overhead"];

export type FloatDType = "float32" | "float64";

/** Which operands are transposed: A@B, A@B^T, A^T@B. */
export type Transpose = "NN" | "NT" | "TN";
export const TRANSPOSES: readonly Transpose[] = ["NN", "NT", "TN"];
export const TRANSPOSE_LABEL: Record<Transpose, string> = {
  NN: "A@B",
  NT: "A@B^T",
  TN: "A^T@B",
};

export const MATMUL_SIZES: readonly number[] = [32, 64, 128, 256, 512, 1024, 2048];

/**
 * A large matmul run predicted to take longer than this (from the peer's figure at the previous
 * size) is skipped, so that slow peers do not stretch the suite past a few minutes.
 */
export const MAX_RUN_S = 10;

export type ElementwiseOp = "add" | "mul" | "exp" | "tanh" | "add-bcast";
export const ELEMENTWISE_OPS: readonly ElementwiseOp[] = ["add", "mul", "exp", "tanh", "add-bcast"];
/** Elements of every elementwise case's output (add-bcast: [1000, 1000] + [1000]). */
export const ELEMENTWISE_SIZE = 1_000_000;
export const BCAST_ROWS = 1000;
export const BCAST_COLS = 1000;

/** Adds in an overhead chain. */
export const CHAIN_LENGTH = 1000;

export interface MatmulCase {
  readonly group: "matmul";
  readonly dtype: FloatDType;
  readonly n: number;
  readonly transpose: Transpose;
}

export interface ElementwiseCase {
  readonly group: "elementwise";
  readonly dtype: FloatDType;
  readonly op: ElementwiseOp;
}

export interface OverheadCase {
  readonly group: "overhead";
  readonly dtype: "float32";
  /** [] (0-d) or [8]. */
  readonly shape: readonly number[];
  readonly grad: boolean;
}

export type MicroCase = MatmulCase | ElementwiseCase | OverheadCase;

/** A case with its id (unique, used as the table row) and timing options. */
export type PlannedCase = MicroCase & { readonly id: string; readonly timing: TimingOptions };

export function caseId(c: MicroCase): string {
  const dt = c.dtype === "float64" ? "f64" : "f32";
  switch (c.group) {
    case "matmul":
      return `matmul ${dt} ${c.n} ${TRANSPOSE_LABEL[c.transpose]}`;
    case "elementwise":
      return `elementwise ${dt} ${c.op}`;
    case "overhead":
      return `overhead ${c.shape.length === 0 ? "0-d" : `[${c.shape.join(",")}]`}${c.grad ? " grad" : ""}`;
  }
}

/** The case's row label inside its group's table. */
export function rowLabel(c: MicroCase): string {
  switch (c.group) {
    case "matmul":
      return `${c.n} ${TRANSPOSE_LABEL[c.transpose]}`;
    case "elementwise":
      return c.op === "add-bcast"
        ? `add [${BCAST_ROWS},${BCAST_COLS}]+[${BCAST_COLS}]`
        : `${c.op} [${ELEMENTWISE_SIZE}]`;
    case "overhead": {
      const shape = c.shape.length === 0 ? "0-d" : `[${c.shape.join(",")}]`;
      return `${CHAIN_LENGTH} adds, ${shape}${c.grad ? ", grad" : ""}`;
    }
  }
}

function bytesPer(dtype: FloatDType): number {
  return dtype === "float64" ? 8 : 4;
}

/** Bytes an elementwise case reads and writes (each input once, the output once). */
export function elementwiseBytes(c: ElementwiseCase): number {
  const b = bytesPer(c.dtype);
  if (c.op === "add-bcast") return (2 * BCAST_ROWS * BCAST_COLS + BCAST_COLS) * b;
  const inputs = c.op === "add" || c.op === "mul" ? 2 : 1;
  return (inputs + 1) * ELEMENTWISE_SIZE * b;
}

export interface Metric {
  readonly value: number;
  readonly unit: "GFLOP/s" | "GB/s" | "ns/op";
  /** Whether a larger value is better (throughputs) or a smaller one (overheads). */
  readonly higherIsBetter: boolean;
}

/** The case's figure from its median time. */
export function metric(c: MicroCase, medianMs: number): Metric {
  const s = medianMs / 1000;
  switch (c.group) {
    case "matmul":
      return { value: (2 * c.n ** 3) / s / 1e9, unit: "GFLOP/s", higherIsBetter: true };
    case "elementwise":
      return { value: elementwiseBytes(c) / s / 1e9, unit: "GB/s", higherIsBetter: true };
    case "overhead":
      return { value: (medianMs * 1e6) / CHAIN_LENGTH, unit: "ns/op", higherIsBetter: false };
  }
}

// ---- inputs -----------------------------------------------------------------------------------

/**
 * `len` deterministic values in [lo, lo + 1]: positive, so sums of results do not cancel and
 * the check values compare well across peers whatever their summation order.
 */
export function fill(len: number, seed: number, lo = 0): Float64Array {
  const out = new Float64Array(len);
  const f = 0.37 + 0.16 * seed;
  for (let i = 0; i < len; i++) out[i] = lo + 0.5 + 0.5 * Math.sin(f * i + seed);
  return out;
}

export function asDType(data: Float64Array, dtype: FloatDType): Float32Array | Float64Array {
  return dtype === "float64" ? data : Float32Array.from(data);
}

/** The square matrices A and B of a matmul case, as the row-major data every peer starts from. */
export function matmulInputs(
  c: MatmulCase,
): [Float32Array | Float64Array, Float32Array | Float64Array] {
  const len = c.n * c.n;
  return [asDType(fill(len, 1), c.dtype), asDType(fill(len, 2), c.dtype)];
}

/** x and y of an elementwise case (y has BCAST_COLS elements for add-bcast), in [0.1, 1.1]. */
export function elementwiseInputs(
  c: ElementwiseCase,
): [Float32Array | Float64Array, Float32Array | Float64Array] {
  const ny = c.op === "add-bcast" ? BCAST_COLS : ELEMENTWISE_SIZE;
  return [asDType(fill(ELEMENTWISE_SIZE, 1, -0.4), c.dtype), asDType(fill(ny, 2, -0.4), c.dtype)];
}

/** The input of an overhead case: shape's elements, in [0.1, 1.1]. */
export function overheadInput(c: OverheadCase): Float32Array {
  const size = c.shape.reduce((a, b) => a * b, 1);
  return Float32Array.from(fill(size, 3, -0.4));
}

/** The sum of an array's elements in float64, in plain JS (the check value of a case). */
export function checksum(data: ArrayLike<number | bigint>): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += Number(data[i]!);
  return s;
}

// ---- what a peer provides ---------------------------------------------------------------------

/** A case as a peer runs it: a timed variant (../runner.ts) plus the release of its inputs. */
export interface MicroVariant extends Variant {
  /** Releases the latest result and the case's inputs (untimed, after the check). */
  close(): void;
}

export interface MicroRunner {
  readonly peer: string;
  /** Untimed set-up (backend selection, Wasm loading); facts about it for the report. */
  init?(): Promise<Record<string, unknown>>;
  /** Builds a case's inputs (untimed) and returns its variant, or why the peer has none. */
  setup(c: MicroCase): MicroVariant | Unsupported;
}

/** `v` with a close that also releases the inputs. */
export function withInputs(v: Variant, releaseInputs: () => void): MicroVariant {
  return {
    ...v,
    close: () => {
      v.close?.();
      releaseInputs();
    },
  };
}
