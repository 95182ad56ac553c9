/**
 * @file The backward pass over a traced graph: the adjoint of every variable in one reverse walk
 * over the equations, with each primitive's own VJP rule and the cotangents fitted to their
 * input as the tape's backward does (src/transforms/tape.ts, fit.ts). traceGraph keeps every
 * adjoint this gives; explain shows each step, so both read the same computation.
 */

import { isFloat } from "../core/dtype.js";
import { nodeVjp } from "../core/node.js";
import type { Tensor } from "../core/tensor.js";
import type { GraphParts } from "../ir/graph.js";
import { add, onesLike } from "../ops/index.js";
import { fitCotangent } from "../transforms/fit.js";

/** One equation's step of the backward pass. */
export interface BackwardStep {
  /** The equation's index in `graph.eqns`. */
  readonly eqn: number;
  /** The adjoint of each of its outputs when the walk reaches it (null: none). */
  readonly cts: readonly (Tensor | null)[];
  /** What each input received (fitted to its shape and dtype); null: nothing. */
  readonly contributions: readonly (Tensor | null)[];
  /** Each input's adjoint after the step (null: none yet). */
  readonly after: readonly (Tensor | null)[];
}

/**
 * The adjoint dF/dv of every variable (by id; null where none flows), for F the variable
 * `output` seeded with ones. `values` holds every variable's forward value; a variable gets a
 * cotangent only where `wanted(id)` (the tape's `needs`: false for constants to the trace) and
 * it is a float. `onStep` sees every equation the walk applies a rule to, in reverse order.
 */
export function backwardGraph(
  graph: GraphParts,
  values: readonly Tensor[],
  output: number,
  wanted: (id: number) => boolean,
  onStep?: (step: BackwardStep) => void,
): (Tensor | null)[] {
  const adj = new Array<Tensor | null>(graph.vars.length).fill(null);
  const wants = (id: number): boolean => wanted(id) && isFloat(graph.vars[id]!.dtype);
  if (wants(output)) adj[output] = onesLike(values[output]!);
  for (let e = graph.eqns.length - 1; e >= 0; e--) {
    const eqn = graph.eqns[e]!;
    const cts = eqn.outputs.map((id) => adj[id] ?? null);
    if (cts.every((ct) => ct === null)) continue;
    const primals = eqn.inputs.map((id) => values[id]!);
    const needs = eqn.inputs.map(wants);
    const prim = eqn.primitive;
    const outs = eqn.outputs.map((id) => values[id]!);
    const raw = nodeVjp(prim, cts, primals, outs, eqn.params, needs);
    const contributions = eqn.inputs.map((id, i) => {
      const g = raw[i];
      if (!needs[i] || g === null || g === undefined) return null;
      const fitted = fitCotangent(g, graph.vars[id]!);
      const prev = adj[id] ?? null;
      adj[id] = prev === null ? fitted : add(prev, fitted);
      return fitted;
    });
    if (onStep !== undefined) {
      onStep({ eqn: e, cts, contributions, after: eqn.inputs.map((id) => adj[id] ?? null) });
    }
  }
  return adj;
}
