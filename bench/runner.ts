/**
 * @file What a peer provides to the benchmark: for each workload it supports, a setup function
 * (untimed) returning the workload's variants, each a timed `run` and an untimed `check`.
 * adjoint's runner is in adjoint-runner.ts; peers (TensorFlow.js, jax-js) get a file beside it.
 */

import type { WorkloadId } from "./workloads.js";

/** One timed variant of a workload ("f", "grad", "jacrev", ...). */
export interface Variant {
  readonly variant: string;
  /** One timed run; it must leave the result fully computed (read it out if the peer is lazy). */
  run(): void | Promise<void>;
  /** The check scalar of the latest run's result (untimed). */
  check(): number | Promise<number>;
}

/** A variant the peer cannot run, with the reason (printed instead of a timing). */
export interface Unsupported {
  readonly variant: string;
  readonly unsupported: string;
}

export interface Runner {
  /** The name printed in the "peer" field. */
  readonly peer: string;
  /** Per workload: builds the inputs (untimed) and returns the variants, in reporting order. */
  readonly workloads: Partial<Record<WorkloadId, () => (Variant | Unsupported)[]>>;
}

/** A variant from a computation and the check derived from its result. */
export function variant<R>(
  name: string,
  compute: () => R,
  check: (result: R) => number | Promise<number>,
): Variant {
  let last: { result: R } | null = null;
  return {
    variant: name,
    run: () => {
      last = { result: compute() };
    },
    check: () => {
      if (last === null) throw new Error(`variant ${name}: check() called before run()`);
      return check(last.result);
    },
  };
}
