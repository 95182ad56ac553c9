/**
 * @file What the drawing tools draw: a graph as nodes (inputs, constants, primitive calls,
 * outputs) and edges carrying shapes, with optional forward values and adjoints. Built from a
 * Graph (`drawModelOf`) or from a traced graph with its values; rendered by src/tools/draw.ts as
 * Graphviz DOT, Mermaid or SVG.
 */

import type { DType } from "../core/dtype.js";
import type { Graph } from "../ir/graph.js";
import { listingNames } from "../ir/print.js";

/** One node of a drawing. */
export interface DrawNode {
  /** Unique id within the drawing (a graph variable's listing name, e.g. "c"). */
  readonly id: string;
  /** inputs, constants, primitive calls, and the outputs that are read out. */
  readonly kind: "input" | "const" | "op";
  /** The primitive's name for an op ("mul"), "input" or "const" otherwise. */
  readonly op: string;
  /** For a multi-output primitive, which output this node is (else undefined). */
  readonly outputIndex?: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The named scope path ("model/layer1"), "" for none. */
  readonly scope: string;
  /** True when the node's value is a result of the function. */
  readonly isOutput: boolean;
  /** A short summary of the forward value (a number, or shape + min/mean/max), when traced. */
  readonly value?: string;
  /** A short summary of the adjoint dF/dv, after backward (absent: none, e.g. int outputs). */
  readonly adjoint?: string;
}

/** One edge: `from`'s value is an input of `to`. */
export interface DrawEdge {
  readonly from: string;
  readonly to: string;
  /** Which input of `to` (0-based). */
  readonly input: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A drawing's content. */
export interface DrawModel {
  readonly nodes: readonly DrawNode[];
  readonly edges: readonly DrawEdge[];
}

/**
 * The drawing of a graph without values. `values` and `adjoints` (by variable id), when given,
 * add the traced summaries. Node ids are `graph.toString()`'s variable names, so a drawing and
 * a listing can be read side by side; a size-1 constant is a node named by its literal (`2.`,
 * with its dtype added when two literals read the same).
 */
export function drawModelOf(
  graph: Graph,
  values?: ReadonlyMap<number, string>,
  adjoints?: ReadonlyMap<number, string>,
): DrawModel {
  const names = listingNames(graph);
  const seen = new Set<string>();
  const nodes: DrawNode[] = [];
  const outputs = new Set(graph.outputs);
  const add = (id: number, kind: DrawNode["kind"], op: string, scope: string, index?: number) => {
    const aval = graph.vars[id]!;
    if (seen.has(names[id]!)) names[id] = `${names[id]} (${aval.dtype})`;
    seen.add(names[id]!);
    const value = values?.get(id);
    const adjoint = adjoints?.get(id);
    nodes.push({
      id: names[id]!,
      kind,
      op,
      ...(index === undefined ? {} : { outputIndex: index }),
      shape: aval.shape,
      dtype: aval.dtype,
      scope,
      isOutput: outputs.has(id),
      ...(value === undefined ? {} : { value }),
      ...(adjoint === undefined ? {} : { adjoint }),
    });
  };
  for (const leaf of graph.inLeaves) if ("var" in leaf) add(leaf.var, "input", "input", "");
  for (const c of graph.consts) add(c.id, "const", "const", "");
  const edges: DrawEdge[] = [];
  for (const eqn of graph.eqns) {
    const multi = eqn.outputs.length > 1;
    eqn.outputs.forEach((id, j) => {
      add(id, "op", eqn.primitive.name, eqn.scope, multi ? j : undefined);
    });
    for (const to of eqn.outputs) {
      eqn.inputs.forEach((from, i) => {
        const aval = graph.vars[from]!;
        edges.push({
          from: names[from]!,
          to: names[to]!,
          input: i,
          shape: aval.shape,
          dtype: aval.dtype,
        });
      });
    }
  }
  return { nodes, edges };
}
