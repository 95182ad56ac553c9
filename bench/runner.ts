/**
 * @file What a peer provides to the benchmark: for each workload it supports, a setup function
 * (untimed) returning the workload's variants, each a timed `run` and an untimed `check`.
 * adjoint's runner is in adjoint-runner.ts; the peers' (TensorFlow.js, jax-js) are in peers/.
 * Every runner runs in its own worker thread (peers/worker.ts), so peers' JIT states don't mix.
 */

import type { WorkloadId } from "./workloads.js";

/** One timed variant of a workload ("f", "grad", "jacrev", "grad-jit", ...). */
export interface Variant {
  readonly variant: string;
  /** One timed run; it must leave the result fully computed (read it out if the peer is lazy). */
  run(): void | Promise<void>;
  /** The check scalar of the latest run's result (untimed). */
  check(): number | Promise<number>;
  /** Releases the latest result (untimed, after the check), for peers with manual memory. */
  close?(): void;
  /** Untimed runs before timing, when the default (3) is too few, e.g. for compiling peers. */
  readonly warmup?: number;
  /** The dtype actually computed in, when it is not the workload's (e.g. float32 for float64). */
  readonly dtype?: string;
  /** The relative tolerance the check is judged by, when it is not the reference's. */
  readonly rtol?: number;
  /** How the variant is built when it is not the peer's own facility (printed with the line). */
  readonly note?: string;
}

/** A variant the peer cannot run, with the reason (printed instead of a timing). */
export interface Unsupported {
  readonly variant: string;
  readonly unsupported: string;
}

export interface Runner {
  /** The name printed in the "peer" field. */
  readonly peer: string;
  /**
   * Untimed set-up before any workload (backend selection, Wasm loading); returns facts about
   * the set-up (backend, threads, where the Wasm comes from) for the report.
   */
  init?(): Promise<Record<string, unknown>>;
  /** Per workload: builds the inputs (untimed) and returns the variants, in reporting order. */
  readonly workloads: Partial<Record<WorkloadId, () => (Variant | Unsupported)[]>>;
}

/** Options of a variant built with `variant` or `asyncVariant`. */
export interface VariantOptions<R> {
  /** Frees a result; called on the previous result at the start of each run, and by `close`. */
  dispose?: (result: R) => void;
  warmup?: number;
  dtype?: string;
  rtol?: number;
  note?: string;
}

function build<R>(
  name: string,
  run: (keep: (result: R) => void) => void | Promise<void>,
  check: (result: R) => number | Promise<number>,
  options: VariantOptions<R>,
): Variant {
  const { dispose, ...fields } = options;
  let last: { result: R } | null = null;
  const release = (): void => {
    if (last !== null && dispose !== undefined) dispose(last.result);
    last = null;
  };
  const keep = (result: R): void => {
    last = { result };
  };
  return {
    variant: name,
    ...fields,
    run: () => {
      release();
      return run(keep);
    },
    check: () => {
      if (last === null) throw new Error(`variant ${name}: check() called before run()`);
      return check(last.result);
    },
    close: release,
  };
}

/** A variant from a computation and the check derived from its result. */
export function variant<R>(
  name: string,
  compute: () => R,
  check: (result: R) => number | Promise<number>,
  options: VariantOptions<R> = {},
): Variant {
  return build<R>(name, (keep) => keep(compute()), check, options);
}

/** A variant whose run is asynchronous (a lazy peer waiting for its result to be computed). */
export function asyncVariant<R>(
  name: string,
  compute: () => Promise<R>,
  check: (result: R) => number | Promise<number>,
  options: VariantOptions<R> = {},
): Variant {
  return build<R>(name, async (keep) => keep(await compute()), check, options);
}
