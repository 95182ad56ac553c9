/**
 * @file `grad(jit(f))` compiled: when a jitted function is called on tracers of a reverse-mode
 * trace (and values one level down are concrete), its forward pass runs the compiled program and
 * is recorded as one tape entry, and that entry's backward pass is itself a compiled program:
 * the VJP of the graph, staged and compiled once per signature (it recomputes the forward pass
 * inside, fused, rather than keeping the graph's intermediates: JAX's jit does the same when it
 * differentiates a jitted call without partial evaluation). Forward replay (jacfwd, linearize over
 * the tape) uses the graph's JVP, evaluated op by op.
 */

import type { CompiledProgram } from "../compile/program.js";
import { isFloat } from "../core/dtype.js";
import { flatten, type TreeDef, unflatten } from "../core/pytree.js";
import type { Tensor } from "../core/tensor.js";
import type { Graph } from "../ir/graph.js";
import { zerosLike } from "../ops/index.js";
import { jvp } from "../transforms/jvp.js";
import { vjp } from "../transforms/vjp.js";
import type { VjpTrace } from "../transforms/vjp-trace.js";
import type { LeafSig } from "./signature.js";

/** The backward program of one jitted signature, compiled on first use. */
export type BackwardFn = (
  xs: readonly Tensor[],
  cts: readonly Tensor[],
  diff: readonly number[],
) => Tensor[];

/** The graph as a function of its tensor inputs (flat) to its tensor outputs (flat, in order). */
export function flatCall(
  graph: Graph,
  tree: TreeDef,
  leaves: readonly LeafSig[],
): (...xs: Tensor[]) => Tensor[] {
  return (...xs) => {
    let k = 0;
    const args = leaves.map((l) => (l.kind === "tensor" ? xs[k++]! : l.value));
    const [results] = flatten(graph.call(...(unflatten(tree, args) as unknown[])));
    // The output leaves that are variables, in order: what the compiled program returns.
    const outs: Tensor[] = [];
    graph.outLeaves.forEach((leaf, i) => {
      if ("var" in leaf) outs.push(results[i] as Tensor);
    });
    return outs;
  };
}

/**
 * The tape entry of a jitted call on `top`'s tracers, or null when the call does not qualify
 * (a value one level down is itself traced: the caller then evaluates the graph op by op).
 * Returns the program's outputs, the float ones boxed as tracers of `top`.
 */
export function recordJitCall(
  top: VjpTrace,
  tensors: readonly Tensor[],
  program: CompiledProgram,
  fn: (...xs: Tensor[]) => Tensor[],
  backward: () => BackwardFn,
): Tensor[] | null {
  const primals = tensors.map((t) => (t._trace === top ? top.valueOf(t) : t));
  if (primals.some((p) => p._trace !== null)) return null;
  const slots = tensors.map((t) => (t._trace === top ? t._slot : -1));
  const outs = program.run(primals);
  // Differentiated: the float inputs this trace is tracing; cotangents: the float outputs.
  const diff: number[] = [];
  slots.forEach((s, i) => {
    if (s >= 0 && isFloat(primals[i]!.dtype)) diff.push(i);
  });
  const floatOuts: number[] = [];
  outs.forEach((o, i) => {
    if (isFloat(o.dtype)) floatOuts.push(i);
  });
  return top.recordCustom(
    "jit",
    {
      vjp: (cts) => {
        const full = floatOuts.map((i) => cts[i] ?? zerosLike(outs[i]!));
        const gs = backward()(primals, full, diff);
        const result: (Tensor | null)[] = primals.map(() => null);
        diff.forEach((i, k) => {
          result[i] = gs[k]!;
        });
        return result;
      },
      jvp: (tangents) => {
        const ts = primals.map((p, i) => tangents[i] ?? zerosLike(p));
        const [, tOut] = jvp(fn, primals, ts);
        return tOut;
      },
    },
    primals,
    slots,
    outs,
  );
}

/**
 * The backward function of a jitted graph, to be wrapped in `jit` (with `diff` static): the
 * cotangents of the inputs listed in `diff` given those of the float outputs.
 */
export function backwardOf(fn: (...xs: Tensor[]) => Tensor[]): BackwardFn {
  return (xs, cts, diff) => {
    const [, pull] = vjp(
      (...dx: Tensor[]) => {
        const all = xs.slice();
        diff.forEach((i, k) => {
          all[i] = dx[k]!;
        });
        return fn(...all).filter((o) => isFloat(o.dtype));
      },
      ...diff.map((i) => xs[i]!),
    );
    return pull(cts) as Tensor[];
  };
}
