/**
 * @file The compiler's contract with jit: `compileGraph(graph)` turns a staged Graph into a
 * CompiledProgram that runs it on concrete tensors. This first version is the planned
 * interpreter every later stage falls back to: it binds each equation in order on concrete
 * values (no fusion, no buffer plan yet).
 */

import type { Tensor } from "../core/tensor.js";
import { bind, bindMulti } from "../core/trace.js";
import { isMulti } from "../ir/evaluate.js";
import type { GraphParts } from "../ir/graph.js";

/** What compiling a graph produced, for reports and tests. */
export interface ProgramStats {
  /** Equations in the graph. */
  readonly eqns: number;
  /** Kernels the program runs per call (a fused loop counts once). */
  readonly kernels: number;
  /** Milliseconds spent compiling. */
  readonly compileMs: number;
  /** How the fused loops run: generated JavaScript, or the interpreter (code generation forbidden or off). */
  readonly mode: "interpreter" | "js";
}

/**
 * A graph compiled for concrete inputs. `run` takes the graph's tensor inputs in the order of
 * its input leaves that are variables (static leaves are baked in) and returns the values of
 * its output leaves that are variables, in order.
 */
export interface CompiledProgram {
  readonly graph: GraphParts;
  readonly stats: ProgramStats;
  run(inputs: readonly Tensor[]): Tensor[];
}

/** Compiles `graph` (see CompiledProgram). */
export function compileGraph(graph: GraphParts): CompiledProgram {
  const t0 = Date.now();
  const inVars: number[] = [];
  for (const leaf of graph.inLeaves) if ("var" in leaf) inVars.push(leaf.var);
  const outVars: number[] = [];
  for (const leaf of graph.outLeaves) if ("var" in leaf) outVars.push(leaf.var);
  const stats: ProgramStats = {
    eqns: graph.eqns.length,
    kernels: graph.eqns.length,
    compileMs: Date.now() - t0,
    mode: "interpreter",
  };
  return {
    graph,
    stats,
    run(inputs) {
      const env = new Array<Tensor | undefined>(graph.vars.length);
      for (let i = 0; i < inVars.length; i++) env[inVars[i]!] = inputs[i];
      for (const c of graph.consts) env[c.id] = c.value;
      for (const eqn of graph.eqns) {
        const ins = eqn.inputs.map((id) => env[id]!);
        if (isMulti(eqn.primitive)) {
          const outs = bindMulti(eqn.primitive, ins, eqn.params);
          for (let j = 0; j < outs.length; j++) env[eqn.outputs[j]!] = outs[j];
        } else {
          env[eqn.outputs[0]!] = bind(eqn.primitive, ins, eqn.params);
        }
      }
      return outVars.map((id) => env[id]!);
    },
  };
}
