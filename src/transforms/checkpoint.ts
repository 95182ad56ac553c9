/**
 * @file checkpoint(f): the same values and derivatives as f, but reverse mode keeps only what f
 * reads and returns, and recomputes f's intermediates during the backward pass.
 *
 * Under a reverse-mode trace, f runs recording onto the live tape as usual; then the entries it
 * added are inspected for the earlier entries they read (f's arguments and any tracer it closes
 * over alike), dropped, and replaced by a single entry with those reads as inputs. Its VJP re-opens
 * the trace, re-runs f onto the end of the tape, walks back over just that range, and drops it
 * again. Forward mode stores nothing, so there f simply runs.
 */

import { AdjointError } from "../core/errors.js";
import { flatten, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { innermostTrace, withLevelAtLeast } from "../core/trace.js";
import { backwardRange, type CustomRules, forwardReplayRange } from "./tape.js";
import { callFn, type Fn } from "./types.js";
import { VjpTrace } from "./vjp-trace.js";

/**
 * f with rematerialisation (JAX's `jax.checkpoint` / `remat`): the same values and derivatives
 * of every order as f, but reverse mode stores only what f reads and returns, and recomputes f's
 * intermediates when the backward pass reaches them. Trades one more evaluation of f for the
 * memory of its intermediates: checkpoint each layer or time step of a long program to keep the
 * tape small. Forward mode stores nothing anyway, so there f simply runs.
 *
 * f must be a pure function of its arguments and of the values it closes over (it runs again).
 *
 * @param f - A function of tensors built from the library's ops.
 * @returns A function with f's signature.
 * @throws AdjointError in the backward pass when re-running f gives results of a different kind
 * (f was not pure).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const w = ad.tensor([[0.5, -0.2], [0.1, 0.3]]);
 * const layer = (x: ad.Tensor) => ad.tanh(ad.matmul(w, x));
 * const stored = ad.grad((x) => ad.sum(layer(layer(x))));
 * const remat = ad.grad((x) => ad.sum(ad.checkpoint(layer)(ad.checkpoint(layer)(x))));
 * const x0 = ad.tensor([1, 2]);
 * remat(x0); // => tensor([0.2997383, -0.1004092], dtype=float32)
 * ad.max(ad.abs(ad.sub(remat(x0), stored(x0)))).item(); // => 0
 * ```
 * @category Transformations
 */
export function checkpoint<A extends readonly unknown[] = Tensor[], R = unknown>(
  f: (...args: A) => R,
): (...args: A) => R {
  return (...args) => {
    const tensors = flatten(args)[0].filter((l): l is Tensor => l instanceof Tensor);
    const top = innermostTrace(tensors);
    const out =
      top instanceof VjpTrace && !top.done ? recordCheckpointed(top, f, args) : callFn(f, args);
    return out as R;
  };
}

/** Runs f on `trace`'s tape, then replaces the entries it added by one recomputing entry. */
function recordCheckpointed(trace: VjpTrace, f: Fn, args: readonly unknown[]): unknown {
  const tape = trace.tape;
  const start = tape.mark();
  const out = callFn(f, args);
  const [outLeaves, outDef] = flatten(out);
  // Results made inside f (rather than passed through or constant) become the entry's outputs.
  const made: number[] = [];
  outLeaves.forEach((leaf, i) => {
    if (leaf instanceof Tensor && leaf._trace === trace && leaf._slot >= start) made.push(i);
  });
  const reads = tape.readsBefore(start);
  const madePrimals = made.map((i) => trace.valueOf(outLeaves[i] as Tensor));
  tape.truncate(start);
  if (made.length === 0) return out;
  const boxed = trace.recordCustom(
    "checkpoint",
    recomputeRules(trace, f, args, reads, made),
    reads.map((s) => tape.valAt(s)),
    reads,
    madePrimals,
  );
  const leaves = outLeaves.slice();
  made.forEach((leafIndex, k) => {
    leaves[leafIndex] = boxed[k];
  });
  return unflatten(outDef, leaves);
}

/** Re-runs f onto the end of the re-opened tape; returns where the run starts and its result leaves. */
function rerun(trace: VjpTrace, f: Fn, args: readonly unknown[]): [number, unknown[]] {
  const base = trace.tape.mark();
  const wasDone = trace.done;
  trace.done = false;
  try {
    const out = withLevelAtLeast(trace.level, () => callFn(f, args));
    return [base, flatten(out)[0]];
  } finally {
    trace.done = wasDone;
  }
}

/** The slot of result leaf `leafIndex` of a re-run, which must again be made inside the range. */
function rerunSlot(
  leaves: readonly unknown[],
  leafIndex: number,
  trace: VjpTrace,
  base: number,
): number {
  const leaf = leaves[leafIndex];
  if (!(leaf instanceof Tensor) || leaf._trace !== trace || leaf._slot < base) {
    throw new AdjointError(
      "checkpoint: re-running the function gave a result of a different kind (it must be a pure " +
        "function of its arguments and of the values it closes over)",
    );
  }
  return leaf._slot;
}

/** Derivatives of a checkpointed range by re-running it at the end of the re-opened tape. */
function recomputeRules(
  trace: VjpTrace,
  f: Fn,
  args: readonly unknown[],
  reads: readonly number[],
  made: readonly number[],
): CustomRules {
  const tape = trace.tape;
  return {
    // Reverse: recompute f's range, pull the cotangents of its results back to what it read.
    vjp: (cts) => {
      const [base, leaves] = rerun(trace, f, args);
      try {
        const seeds: [number, Tensor][] = [];
        made.forEach((leafIndex, k) => {
          const ct = cts[k];
          if (ct !== null && ct !== undefined)
            seeds.push([rerunSlot(leaves, leafIndex, trace, base), ct]);
        });
        const external = withLevelAtLeast(trace.level, () => backwardRange(tape, base, seeds));
        return reads.map((s) => external.get(s) ?? null);
      } finally {
        tape.truncate(base);
      }
    },
    // Forward replay (jacfwd, linearize): recompute the range and push the tangents through it.
    jvp: (tangents) => {
      const [base, leaves] = rerun(trace, f, args);
      try {
        const external = new Map<number, Tensor>();
        reads.forEach((s, j) => {
          const t = tangents[j];
          if (t !== null && t !== undefined) external.set(s, t);
        });
        const range = withLevelAtLeast(trace.level, () => forwardReplayRange(tape, base, external));
        return made.map(
          (leafIndex) => range[rerunSlot(leaves, leafIndex, trace, base) - base] ?? null,
        );
      } finally {
        tape.truncate(base);
      }
    },
  };
}
