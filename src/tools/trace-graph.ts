/**
 * @file traceGraph: a function staged as a Graph and evaluated on real arguments, keeping the
 * forward value of every variable; `backward()` adds the adjoint dF/dv of every variable from one
 * reverse walk (src/tools/graph-backward.ts). It is what docs/how-it-works.md's tables show, for
 * any function: listed, or drawn by src/tools/draw.ts.
 */

import type { DType } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { flatten } from "../core/pytree.js";
import type { Shape } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { evaluateGraph } from "../ir/evaluate.js";
import type { Graph } from "../ir/graph.js";
import { avalString, eqnLabel, listingNames } from "../ir/print.js";
import { checkFn } from "../transforms/args.js";
import { makeGraph } from "../transforms/stage.js";
import { type DrawOptions, type SvgOptions, toDot, toMermaid, toSvg } from "./draw.js";
import { type DrawModel, drawModelOf } from "./draw-model.js";
import { backwardGraph } from "./graph-backward.js";
import { formatElement, shortSummary, summarize } from "./summary.js";

/**
 * One node of a traced graph: an input, a constant or an output of a primitive call.
 * @category Tools
 */
export interface TracedNode {
  /** Its name in `graph.toString()`'s listing (a, b, ...; a size-1 constant is its literal, e.g. `2.`). */
  readonly id: string;
  /** Its variable's id in the graph (unique, unlike the literal names of constants). */
  readonly var: number;
  /** "input", "const", or "op" for a primitive's output. */
  readonly kind: "input" | "const" | "op";
  /** The primitive's name for an op ("mul"), else "input" or "const". */
  readonly op: string;
  /** For an output of a multi-output primitive, which output it is. */
  readonly outputIndex?: number;
  /** The ids of the op's inputs (empty for inputs and constants). */
  readonly inputs: readonly string[];
  readonly shape: Shape;
  readonly dtype: DType;
  /** The named scope the op ran in (`ad.namedScope`), "" for none. */
  readonly scope: string;
  /** True when the node is (a leaf of) the function's result. */
  readonly isOutput: boolean;
  /** The forward value. */
  readonly value: Tensor;
  /** The value in short: the number for size 1, else shape and min/mean/max. */
  readonly summary: string;
  /** After `backward()`: the adjoint dF/dv (absent where none flows: int and bool nodes, or nodes F does not depend on). */
  readonly adjoint?: Tensor;
  /** The adjoint in short, as `summary`. */
  readonly adjointSummary?: string;
}

/** An equation's primitive with its params as the listing writes them. */
/** Every variable's name as `graph.toString()` prints it. */
export { eqnLabel as opLabel, listingNames };

/**
 * A function's graph with the values of one evaluation, and after {@link TracedGraph.backward}
 * the adjoint of every node: what {@link traceGraph} returns. Print it with `toString()`, draw
 * it with `toDot()`, `toMermaid()` or `toSvg()`.
 * @category Tools
 */
export class TracedGraph {
  /** The staged graph. */
  readonly graph: Graph;
  /** Every variable's forward value, by variable id. */
  readonly values: readonly Tensor[];
  /** Every variable's listing name, by variable id. */
  readonly names: readonly string[];
  private adjointsById: readonly (Tensor | null)[] | null = null;
  /** The nodes, made on first use (their summaries read every value) and again after backward. */
  private nodeList: readonly TracedNode[] | null = null;

  /** @internal Use {@link traceGraph}. */
  constructor(graph: Graph, values: readonly Tensor[]) {
    this.graph = graph;
    this.values = values;
    this.names = listingNames(graph);
  }

  /** The adjoint of every variable by id (null where none), or null before `backward()`. */
  get adjoints(): readonly (Tensor | null)[] | null {
    return this.adjointsById;
  }

  /** The nodes in the listing's order: inputs, constants, then the outputs of each equation. */
  get nodes(): readonly TracedNode[] {
    this.nodeList ??= this.makeNodes();
    return this.nodeList;
  }

  private makeNodes(): TracedNode[] {
    const g = this.graph;
    const outs = new Set(g.outputs);
    const nodes: TracedNode[] = [];
    const node = (
      id: number,
      kind: TracedNode["kind"],
      op: string,
      inputs: readonly number[],
      scope: string,
      index?: number,
    ): void => {
      const value = this.values[id]!;
      const adjoint = this.adjointsById?.[id] ?? null;
      nodes.push({
        id: this.names[id]!,
        var: id,
        kind,
        op,
        ...(index === undefined ? {} : { outputIndex: index }),
        inputs: inputs.map((i) => this.names[i]!),
        shape: g.vars[id]!.shape,
        dtype: g.vars[id]!.dtype,
        scope,
        isOutput: outs.has(id),
        value,
        summary: summarize(value),
        ...(adjoint === null ? {} : { adjoint, adjointSummary: summarize(adjoint) }),
      });
    };
    for (const leaf of g.inLeaves) if ("var" in leaf) node(leaf.var, "input", "input", [], "");
    for (const c of g.consts) node(c.id, "const", "const", [], "");
    for (const eqn of g.eqns) {
      const multi = eqn.outputs.length > 1;
      eqn.outputs.forEach((id, j) => {
        node(id, "op", eqn.primitive.name, eqn.inputs, eqn.scope, multi ? j : undefined);
      });
    }
    return nodes;
  }

  /**
   * Computes the adjoint dF/dv of every node in one reverse pass (each primitive's VJP rule,
   * cotangents summed back over broadcasting, as `grad` does) and returns this traced graph,
   * whose nodes then carry `adjoint`. Int and bool nodes get none.
   * @throws {@link ValueError} when the function's result is not one tensor,
   * {@link ShapeError} when it is not of size 1, {@link DTypeError} when it is not a float.
   */
  backward(): this {
    const id = scalarOutputVar("traceGraph.backward", this.graph);
    this.adjointsById = backwardGraph(this.graph, this.values, id, () => true);
    this.nodeList = null;
    return this;
  }

  /**
   * The drawing's content: nodes with their value summaries (and adjoints after `backward()`),
   * numbers to 6 significant digits to keep the boxes small.
   */
  drawModel(): DrawModel {
    const values = new Map<number, string>();
    this.values.forEach((v, id) => {
      values.set(id, shortSummary(v));
    });
    const adjoints = new Map<number, string>();
    this.adjointsById?.forEach((a, id) => {
      if (a !== null) adjoints.set(id, shortSummary(a));
    });
    return drawModelOf(this.graph, values, this.adjointsById === null ? undefined : adjoints);
  }

  /**
   * The graph as Graphviz DOT text: nodes show op, shape and value, and after `backward()`
   * their adjoint (the options group nodes by named scope and collapse large groups).
   */
  toDot(options?: DrawOptions): string {
    return toDot(this.drawModel(), options);
  }

  /** The graph as a Mermaid flowchart, values (and adjoints after `backward()`) on the nodes. */
  toMermaid(options?: DrawOptions): string {
    return toMermaid(this.drawModel(), options);
  }

  /**
   * The graph drawn as SVG, laid out by Graphviz compiled to WebAssembly (loaded on first use),
   * values (and adjoints after `backward()`) on the nodes.
   */
  toSvg(options?: SvgOptions): Promise<string> {
    return toSvg(this.drawModel(), options);
  }

  /**
   * The listing with values: one line per node, `c: f64[] = mul a b` then its value and,
   * after `backward()`, its adjoint, in aligned columns.
   */
  toString(): string {
    const labels = new Map<number, string>();
    for (const eqn of this.graph.eqns) for (const id of eqn.outputs) labels.set(id, eqnLabel(eqn));
    const rows = this.nodes.map((n) => {
      const op = `${labels.get(n.var)}${n.outputIndex === undefined ? "" : `[${n.outputIndex}]`}`;
      const def = n.kind === "op" ? `${op} ${n.inputs.join(" ")}`.trimEnd() : n.kind;
      return [`${n.id}: ${avalString(n)} = ${def}`, n.summary, n.adjointSummary ?? "-"];
    });
    const w0 = Math.max(...rows.map((r) => r[0]!.length));
    const w1 = Math.max(...rows.map((r) => r[1]!.length));
    const withAdjoints = this.adjointsById !== null;
    const lines = rows.map(([d, v, a]) => {
      const line = `  ${d!.padEnd(w0)}  value ${withAdjoints ? v!.padEnd(w1) : v!}`;
      return withAdjoints ? `${line}  adjoint ${a!}` : line;
    });
    const outs = this.graph.outputs.map((id) => this.names[id]!);
    return `traced graph {\n${lines.join("\n")}\n  return ${outs.join(", ")}\n}`;
  }
}

/**
 * The variable of a graph's scalar result, checked as grad checks it: one tensor leaf, size 1,
 * float.
 */
export function scalarOutputVar(op: string, graph: Graph): number {
  const leaves = graph.outLeaves;
  if (leaves.length !== 1) {
    throw new ValueError(
      `${op} requires a scalar output; the function returned ${leaves.length} leaves. Return the scalar itself (a loss), or trace each output separately`,
    );
  }
  const leaf = leaves[0]!;
  if (!("var" in leaf)) {
    throw new ValueError(
      `${op} requires a scalar output; the function returned the static value ${formatStatic(leaf.value)}, not a tensor`,
    );
  }
  const aval = graph.vars[leaf.var]!;
  if (aval.shape.reduce((a, b) => a * b, 1) !== 1) {
    throw new ShapeError(
      `${op} requires a scalar output; got shape ${fmtShape(aval.shape)}. Reduce it to a scalar first (e.g. with sum)`,
    );
  }
  if (aval.dtype !== "float32" && aval.dtype !== "float64") {
    throw new DTypeError(`${op} requires a float output; got dtype ${aval.dtype}`);
  }
  return leaf.var;
}

function formatStatic(v: number | boolean | string): string {
  return typeof v === "number" ? formatElement(v, "float64") : JSON.stringify(v);
}

/** Stages f at args and evaluates the graph on args, keeping every variable's value. */
export function traceValues(op: string, f: unknown, args: readonly unknown[]): TracedGraph {
  checkFn(op, f);
  const graph = makeGraph(f as (...a: unknown[]) => unknown, ...args);
  const values = new Array<Tensor>(graph.vars.length);
  const [leaves] = flatten(args, op);
  graph.inLeaves.forEach((leaf, i) => {
    const v = leaves[i];
    if ("var" in leaf && v instanceof Tensor) values[leaf.var] = v;
  });
  for (const c of graph.consts) values[c.id] = c.value;
  evaluateGraph(graph, args, (e, outs) => {
    graph.eqns[e]!.outputs.forEach((id, j) => {
      values[id] = outs[j]!;
    });
  });
  return new TracedGraph(graph, values);
}

/**
 * Stages `f` at `args` (as {@link makeGraph}) and evaluates the graph on `args`' values, keeping
 * the forward value of every node: inputs, constants and each primitive's output, each with its
 * listing name, op, inputs, shape, dtype, scope, value and a summary (the number for size 1, else
 * shape and min/mean/max). `.backward()` then adds each node's adjoint dF/dv, the derivative of
 * the (scalar) result F with respect to that node, from one reverse pass: the tables of
 * docs/how-it-works.md, for any function. Tensors in `args` are the inputs; numbers, booleans
 * and strings are static, as for makeGraph.
 *
 * @param f - The function to trace.
 * @param args - Its arguments (pytrees of tensors allowed).
 * @throws {@link ValueError} when `f` is not a function; {@link TracerError} when f branches on
 * a value (as makeGraph); `backward()` throws when the result is not a size-1 float.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const f = (x: ad.Tensor, y: ad.Tensor) => x.mul(y).add(x.sin());
 * const t = ad.traceGraph(f, ad.scalar(2), ad.scalar(3)).backward();
 * t.nodes.map((n) => `${n.id} ${n.op} ${n.summary} ${n.adjointSummary}`); // => [ 'a input 2 2.5838532', 'b input 3 2', 'c mul 6 1', 'd sin 0.9092974 1', 'e add 6.9092975 1' ]
 * t.nodes[0]!.adjoint; // => tensor(2.583853, dtype=float32)
 * ad.traceGraph((x: ad.Tensor) => x.exp().sum(), ad.tensor([0, 1])).nodes[1]!.summary; // => f32[2] min=1 mean=1.85914 max=2.71828
 * ```
 * @category Tools
 */
export function traceGraph<A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  ...args: A
): TracedGraph {
  return traceValues("traceGraph", f, args);
}
