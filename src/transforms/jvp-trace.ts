/**
 * @file Forward mode: a trace whose tracers carry a tangent next to their primal value.
 * Every primitive call computes the primal one level down, then the tangent by the JVP rule.
 */

import { isFloat } from "../core/dtype.js";
import { type AnyNode, anyFloat, nodeJvp } from "../core/node.js";
import { Tensor } from "../core/tensor.js";
import {
  bindNode,
  currentRuleScope,
  enterRuleScope,
  isTrackingRules,
  Trace,
} from "../core/trace.js";
import { fitTangent } from "./fit.js";

export class JvpTrace extends Trace {
  /** Boxes `primal` with `tangent` (same shape and dtype, checked by the caller). */
  box(primal: Tensor, tangent: Tensor): Tensor {
    return Tensor._tracer(this, primal, tangent, -1);
  }

  process(prim: AnyNode, inputs: readonly Tensor[], params: unknown): Tensor[] {
    const primals = new Array<Tensor>(inputs.length);
    const tangents = new Array<Tensor | null>(inputs.length);
    const anyTangent = this.unbox(inputs, primals, tangents);
    const outs = bindNode(prim, primals, params);
    // A finished trace's tracers are plain values; integer and bool results carry no tangent.
    if (!anyTangent || this.done || !anyFloat(outs)) return outs;
    const douts = isTrackingRules()
      ? inRuleScope(prim.name, primals, () => nodeJvp(prim, primals, tangents, outs, params))
      : nodeJvp(prim, primals, tangents, outs, params);
    for (let i = 0; i < outs.length; i++) {
      const d = douts[i];
      const out = outs[i]!;
      if (d !== null && d !== undefined && isFloat(out.dtype)) {
        outs[i] = Tensor._tracer(this, out, fitTangent(d, out), -1);
      }
    }
    return outs;
  }

  /**
   * Fills primals (the inputs one level down) and tangents (null where an input is not of this
   * trace); true when any input is a tracer of this trace. Same shape as VjpTrace.unbox.
   */
  unbox(inputs: readonly Tensor[], primals: Tensor[], tangents: (Tensor | null)[]): boolean {
    let anyTangent = false;
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      if (x._trace === this) {
        primals[i] = x._primal!;
        tangents[i] = x._tangent;
        anyTangent = true;
      } else {
        primals[i] = x;
        tangents[i] = null;
      }
    }
    return anyTangent;
  }
}

/**
 * Runs a JVP rule in its op's scope (debugNans), restoring the outer scope however it ends. The
 * call site is the outer rule's when this op is part of one (the JVP of an op inside a backward
 * pass), else the current stack's.
 */
function inRuleScope<T>(prim: string, inputs: readonly Tensor[], rule: () => T): T {
  const site = currentRuleScope()?.site ?? null;
  const outer = enterRuleScope({ prim, phase: "forward-mode derivative", inputs, site });
  try {
    return rule();
  } finally {
    enterRuleScope(outer);
  }
}
