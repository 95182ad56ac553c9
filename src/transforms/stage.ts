/**
 * @file Staging: `makeGraph(f, ...args)` runs f once on tracers that have a shape and a dtype but
 * no value, and records every primitive call as an equation instead of computing it (JAX's
 * DynamicJaxprTrace). Staging is one more trace on the stack, so it nests with every
 * transformation: `makeGraph(grad(f))` stages the backward pass, and a staged function may call
 * grad, jvp or vmap inside.
 */

import { describeValue } from "../core/describe.js";
import { TracerError, ValueError } from "../core/errors.js";
import { type AnyNode, nodeAvals } from "../core/node.js";
import type { Aval } from "../core/primitive.js";
import { flatten, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { Trace, withNewLevel } from "../core/trace.js";
import { Graph, type GraphConst, type GraphEqn, type GraphLeaf } from "../ir/graph.js";
import { currentScope } from "../ir/scope.js";
import { checkFn, checkNotPromise } from "./args.js";
import { setCustomStager } from "./custom.js";
import { stageCustomCall } from "./custom-call.js";

/** The trace of one makeGraph call: its variables, constants and equations so far. */
export class StagingTrace extends Trace {
  override readonly staging = true;
  readonly vars: Aval[] = [];
  readonly consts: GraphConst[] = [];
  readonly eqns: GraphEqn[] = [];
  /** Each constant's variable, so a value used twice is one constant. */
  private readonly constIds = new Map<Tensor, number>();
  /**
   * Size-1 concrete constants by dtype and value (ops make a new 0-d tensor for every JS number
   * operand: `x.mul(2)` a hundred times is one constant, not a hundred).
   */
  private readonly literalIds = new Map<string, number>();

  constructor(level: number) {
    super(level);
    this.label = "makeGraph";
  }

  /** A new variable of `aval` and the tracer standing for it. */
  fresh(aval: Aval): Tensor {
    const id = this.vars.length;
    // A shape rule may return an input as the output's aval; keep only its shape and dtype.
    this.vars.push(aval instanceof Tensor ? { shape: aval.shape, dtype: aval.dtype } : aval);
    return Tensor._stagedTracer(this, aval.shape, aval.dtype, id);
  }

  /** The variable of a call's input: its own tracer's, or a constant's (made on first use). */
  atom(x: Tensor): number {
    if (x._trace === this) return x._slot;
    let id = this.constIds.get(x);
    if (id !== undefined) return id;
    const literal = x._trace === null && x.size === 1;
    const key = literal
      ? `${x.dtype}[${x.shape.join(",")}]${Object.is(x._scalarValue(), -0) ? "-0" : x._scalarValue()}`
      : "";
    if (literal) {
      id = this.literalIds.get(key);
      if (id !== undefined) return id;
    }
    id = this.vars.length;
    this.vars.push({ shape: x.shape, dtype: x.dtype });
    this.consts.push({ id, value: x });
    if (literal) this.literalIds.set(key, id);
    else this.constIds.set(x, id);
    return id;
  }

  process(prim: AnyNode, inputs: readonly Tensor[], params: unknown): Tensor[] {
    const n = inputs.length;
    const ins = new Array<number>(n);
    for (let i = 0; i < n; i++) ins[i] = this.atom(inputs[i]!);
    const avals = nodeAvals(prim, inputs, params);
    const outs = new Array<Tensor>(avals.length);
    const ids = new Array<number>(avals.length);
    for (let i = 0; i < avals.length; i++) {
      const out = this.fresh(avals[i]!);
      outs[i] = out;
      ids[i] = out._slot;
    }
    this.eqns.push({ primitive: prim, params, inputs: ins, outputs: ids, scope: currentScope() });
    return outs;
  }

  /** A staged value has none: reading it is the data-dependent control flow staging cannot do. */
  override valueOf(t: Tensor): Tensor {
    throw new TracerError(
      `makeGraph: cannot read the value of a staged tensor (${t.dtype}[${t.shape.join(",")}]): the graph is built from shapes and dtypes only, so JavaScript that branches or loops on a value (if (x.item() > 0) ...) cannot be staged. Select elementwise with ad.where(cond, a, b), loop with ad.scan or ad.fori, or compute the value outside the staged function and pass it in`,
    );
  }
}

/** The static value of a non-tensor argument leaf (numbers, booleans and strings are staged as they are). */
function staticLeaf(v: unknown, where: string): GraphLeaf {
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") return { value: v };
  throw new ValueError(
    `makeGraph: ${where} must be a Tensor (an input of the graph) or a number, boolean or string (staged as a constant); got ${describeValue(v)}`,
  );
}

/**
 * Stages `f` at the shapes and dtypes of `args` into a {@link Graph}: the list of primitive calls
 * f makes, with typed variables, constants and the pytree structures of its arguments and
 * result. Tensors in `args` (any pytree of them) become the graph's inputs; their values are not
 * read. Numbers, booleans and strings in `args` are static: staged as the constants they are.
 * Values f captures from closures are staged as constants. Staging nests with every
 * transformation: `makeGraph(grad(f), x)` is the backward program, and f may use grad, jvp, vmap,
 * scan, checkpoint... inside.
 *
 * @param f - The function to stage.
 * @param args - Example arguments: only their structure, shapes and dtypes are used.
 * @throws {@link TracerError} when f reads a staged value (`x.item()`, an `if` on a tensor's
 * value, a boolean mask): such control flow depends on values the graph does not have.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const f = (x: ad.Tensor) => x.sin().mul(2).sum();
 * const g = ad.makeGraph(f, ad.zeros([3]));
 * g.eqns.map((e) => e.primitive.name); // => [ 'sin', 'mul', 'reduce_sum' ]
 * g.call(ad.tensor([0, 1, 2])); // => tensor(3.501537, dtype=float32)
 * ad.makeGraph(ad.grad(f), ad.zeros([3])).eqns.length > 3; // => true
 * ```
 * @category Tools
 */
export function makeGraph<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  ...args: A
): Graph<A, R> {
  checkFn("makeGraph", f);
  // Custom functions called while staging become custom_call equations.
  setCustomStager(stageCustomCall);
  const [leaves, inTree] = flatten(args, "makeGraph");
  return withNewLevel((level) => {
    const trace = new StagingTrace(level);
    try {
      const inLeaves: GraphLeaf[] = [];
      const boxed = leaves.map((leaf, i) => {
        if (leaf instanceof Tensor) {
          const t = trace.fresh(leaf);
          inLeaves.push({ var: t._slot });
          return t;
        }
        inLeaves.push(staticLeaf(leaf, `argument leaf ${i}`));
        return leaf;
      });
      const result = f(...(unflatten(inTree, boxed) as A));
      checkNotPromise("makeGraph", result);
      const [outs, outTree] = flatten(result, "makeGraph");
      const outLeaves = outs.map(
        (o, i): GraphLeaf =>
          o instanceof Tensor ? { var: trace.atom(o) } : staticLeaf(o, `result leaf ${i}`),
      );
      return new Graph<A, R>({
        vars: trace.vars,
        consts: trace.consts,
        eqns: trace.eqns,
        inLeaves,
        inTree,
        outLeaves,
        outTree,
      });
    } finally {
      trace.done = true;
    }
  });
}
