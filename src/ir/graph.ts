/**
 * @file The Graph: a whole program as data (JAX's jaxpr). Typed variables, constants, a flat list
 * of equations in execution order (primitive, params, input and output variables) and the pytree
 * structures of the arguments and results. `makeGraph` (src/transforms/stage.ts) builds one;
 * `call` evaluates it, `toString` prints it, `toJSON`/`Graph.fromJSON` write and read it; the
 * drawing and explaining tools read it.
 */

import type { AnyMultiPrimitive, AnyPrimitive, Aval } from "../core/primitive.js";
import type { TreeDef } from "../core/pytree.js";
import type { Tensor } from "../core/tensor.js";
import { evaluateGraph } from "./evaluate.js";
import { type GraphJson, graphFromJson, graphToJson } from "./json.js";
import { graphToString } from "./print.js";

/**
 * One equation: `outputs = primitive[params](inputs)`, variables named by their ids.
 * @category Tools
 */
export interface GraphEqn {
  /** The primitive applied. */
  readonly primitive: AnyPrimitive | AnyMultiPrimitive;
  /** Its params (undefined for a primitive without any). */
  readonly params: unknown;
  /** The ids of its input variables (graph inputs, constants or earlier outputs). */
  readonly inputs: readonly number[];
  /** The ids of its output variables (one, or several for a multi-output primitive). */
  readonly outputs: readonly number[];
  /** The named scope it was staged in (`ad.namedScope`), "" for none. */
  readonly scope: string;
}

/**
 * A constant of a graph: a value captured from a closure or made by an op on constants only.
 * @category Tools
 */
export interface GraphConst {
  readonly id: number;
  readonly value: Tensor;
}

/**
 * A leaf of the arguments' or results' pytree: a graph variable, or a static value staged as it
 * was (a number, boolean or string argument; a non-tensor result).
 * @category Tools
 */
export type GraphLeaf = { readonly var: number } | { readonly value: number | boolean | string };

/** The parts of a graph (what makeGraph and fromJSON assemble). */
export interface GraphParts {
  readonly vars: readonly Aval[];
  readonly consts: readonly GraphConst[];
  readonly eqns: readonly GraphEqn[];
  readonly inLeaves: readonly GraphLeaf[];
  readonly inTree: TreeDef;
  readonly outLeaves: readonly GraphLeaf[];
  readonly outTree: TreeDef;
}

/**
 * A staged program: what {@link makeGraph} returns; `A` and `R` are the staged function's
 * argument and result types. Variables are numbered; `vars[id]` is each
 * one's shape and dtype. Evaluate it with `call`, print it with `toString`, write it with
 * `toJSON` (and read it back with `Graph.fromJSON`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const g = ad.makeGraph((x: ad.Tensor) => x.mul(x).sum(), ad.ones([3]));
 * g.eqns.length; // => 2
 * g.call(ad.tensor([1, 2, 3])); // => tensor(14., dtype=float32)
 * ```
 * @category Tools
 */
export class Graph<A extends readonly unknown[] = unknown[], R = unknown> implements GraphParts {
  /** The shape and dtype of every variable, by id. */
  readonly vars: readonly Aval[];
  /** The constants (their variables are defined before any equation runs). */
  readonly consts: readonly GraphConst[];
  /** The equations, in execution order (a topological order). */
  readonly eqns: readonly GraphEqn[];
  /** The leaves of the arguments (in pytree order): inputs and static values. */
  readonly inLeaves: readonly GraphLeaf[];
  /** The pytree structure of the argument list. */
  readonly inTree: TreeDef;
  /** The leaves of the result (in pytree order). */
  readonly outLeaves: readonly GraphLeaf[];
  /** The pytree structure of the result. */
  readonly outTree: TreeDef;

  /** @internal Use {@link makeGraph} or {@link Graph.fromJSON}. */
  constructor(parts: GraphParts) {
    this.vars = parts.vars;
    this.consts = parts.consts;
    this.eqns = parts.eqns;
    this.inLeaves = parts.inLeaves;
    this.inTree = parts.inTree;
    this.outLeaves = parts.outLeaves;
    this.outTree = parts.outTree;
  }

  /** The ids of the input variables, in argument order. */
  get inputs(): number[] {
    const ids: number[] = [];
    for (const leaf of this.inLeaves) if ("var" in leaf) ids.push(leaf.var);
    return ids;
  }

  /** The ids of the output variables, in result order. */
  get outputs(): number[] {
    const ids: number[] = [];
    for (const leaf of this.outLeaves) if ("var" in leaf) ids.push(leaf.var);
    return ids;
  }

  /**
   * Evaluates the graph on arguments of the structure, shapes and dtypes it was staged at; the
   * result has the structure of the staged function's. Every equation goes through `bind`, so a
   * graph's call is differentiable, batchable and stageable like the function it came from.
   * @throws {@link ValueError}, {@link ShapeError} or {@link DTypeError} for arguments that do
   * not match the staged ones.
   */
  call(...args: A): R {
    return evaluateGraph(this, args) as R;
  }

  /**
   * A readable listing, one equation per line with the shapes and dtypes of its outputs, e.g.
   * `c: f32[3] = mul a b`.
   */
  toString(): string {
    return graphToString(this);
  }

  /** The graph as JSON data (docs/graph-format.md); `JSON.stringify(graph)` uses it. */
  toJSON(): GraphJson {
    return graphToJson(this);
  }

  /**
   * Reads a graph written by `toJSON` (an object or its JSON text), validating everything: the
   * format and version, every primitive (it must be registered), its params, the variables each
   * equation reads and the shapes it produces.
   * @throws {@link ValueError} naming the equation (or part) that is malformed.
   */
  static fromJSON(json: unknown): Graph {
    return graphFromJson(json);
  }
}
