/**
 * @file Evaluating a graph: check the arguments against the staged ones, then bind every
 * equation in order. Going through `bind` is what makes `graph.call` differentiable, batchable
 * and stageable: under grad, jvp or vmap each equation is recorded like the original op.
 */

import { scalar } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import { describeTree, flatten, treeDefsEqual, unflatten } from "../core/pytree.js";
import { shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { bindNode } from "../core/trace.js";
import type { GraphLeaf, GraphParts } from "./graph.js";

/** The argument leaves as the graph's input tensors (checked), in input order. */
function inputValues(graph: GraphParts, args: readonly unknown[]): Tensor[] {
  const [leaves, tree] = flatten(args, "graph.call");
  if (!treeDefsEqual(tree, graph.inTree)) {
    throw new ValueError(
      `graph.call: the arguments have structure ${describeTree(tree)}, but the graph was staged with ${describeTree(graph.inTree)}`,
    );
  }
  const values: Tensor[] = [];
  graph.inLeaves.forEach((leaf: GraphLeaf, i) => {
    const v = leaves[i];
    if ("value" in leaf) {
      if (!Object.is(v, leaf.value)) {
        throw new ValueError(
          `graph.call: argument leaf ${i} was staged as the static value ${String(leaf.value)}; got ${describeValue(v)} (stage the function again for another value, or pass a tensor to make it an input)`,
        );
      }
      return;
    }
    const aval = graph.vars[leaf.var]!;
    let t: Tensor;
    if (v instanceof Tensor) t = v;
    else if (typeof v === "number" && aval.shape.length === 0) t = scalar(v, aval.dtype);
    else {
      throw new ValueError(
        `graph.call: argument leaf ${i} must be a Tensor of shape [${aval.shape.join(",")}] and dtype ${aval.dtype}; got ${describeValue(v)}`,
      );
    }
    if (!shapesEqual(t.shape, aval.shape)) {
      throw new ShapeError(
        `graph.call: argument leaf ${i} has shape [${t.shape.join(",")}], but the graph was staged at shape [${aval.shape.join(",")}]`,
      );
    }
    if (t.dtype !== aval.dtype) {
      throw new DTypeError(
        `graph.call: argument leaf ${i} has dtype ${t.dtype}, but the graph was staged at dtype ${aval.dtype}`,
      );
    }
    values.push(t);
  });
  return values;
}

/**
 * Runs `graph` on `args`, calling `onEqn` (when given) after each equation with its index and
 * output values (the tracing tools use it).
 */
export function evaluateGraph(
  graph: GraphParts,
  args: readonly unknown[],
  onEqn?: (index: number, outputs: readonly Tensor[]) => void,
): unknown {
  const env = new Array<Tensor | undefined>(graph.vars.length);
  const inputs = inputValues(graph, args);
  let k = 0;
  for (const leaf of graph.inLeaves) if ("var" in leaf) env[leaf.var] = inputs[k++];
  for (const c of graph.consts) env[c.id] = c.value;
  const eqns = graph.eqns;
  for (let e = 0; e < eqns.length; e++) {
    const eqn = eqns[e]!;
    const ins = eqn.inputs.map((id) => env[id]!);
    const outs = bindNode(eqn.primitive, ins, eqn.params);
    for (let j = 0; j < outs.length; j++) env[eqn.outputs[j]!] = outs[j];
    if (onEqn !== undefined) onEqn(e, outs);
  }
  const results = graph.outLeaves.map((leaf) => ("var" in leaf ? env[leaf.var]! : leaf.value));
  return unflatten(graph.outTree, results);
}
