/** @file jvp: forward mode. One pass computes f's value and its directional derivative J·v. */

import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { describeTree, flatten, treeDefsEqual, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { withNewLevel } from "../core/trace.js";
import { zerosLike } from "../ops/index.js";
import { checkDerivativeLeaf, differentiableLeaf, resultLeaf } from "./args.js";
import { JvpTrace } from "./jvp-trace.js";
import { callFn, type Derivative, type Fn } from "./types.js";

/**
 * Evaluates `f(...primals)` and its Jacobian-vector product with `tangents` (same structure as
 * primals) in one forward pass. Returns `[out, tangentOut]`.
 * @example
 * const [y, dy] = ad.jvp((x) => ad.sin(x), [ad.scalar(0)], [ad.scalar(1)]); // y = 0, dy = 1
 */
export function jvp<F extends Fn>(
  f: F,
  primals: Parameters<F> | readonly unknown[],
  tangents: readonly unknown[],
): [Derivative<ReturnType<F>>, Derivative<ReturnType<F>>] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    throw new ValueError(
      "jvp: primals and tangents must be arrays with one entry per argument of f",
    );
  }
  const [pLeaves, pDef] = flatten(primals);
  const [tLeaves, tDef] = flatten(tangents);
  if (!treeDefsEqual(pDef, tDef)) {
    throw new ValueError(
      `jvp: tangents must have the structure of primals; expected ${describeTree(pDef)}, got ${describeTree(tDef)}`,
    );
  }
  return withNewLevel((level) => {
    const trace = new JvpTrace(level);
    try {
      const boxed = pLeaves.map((leaf, i) => {
        // Integer and bool primals are not differentiated: passed through, their tangents ignored.
        if (leaf instanceof Tensor && !isFloat(leaf.dtype)) return leaf;
        const where = `primal ${i}`;
        const x = differentiableLeaf("jvp", leaf, where);
        return trace.box(x, checkDerivativeLeaf("jvp", "tangent", tLeaves[i], x, where));
      });
      const out = callFn(f, unflatten(pDef, boxed) as unknown[]);
      const [outLeaves, outDef] = flatten(out);
      const primalsOut: Tensor[] = [];
      const tangentsOut: Tensor[] = [];
      outLeaves.forEach((leaf, i) => {
        const t = resultLeaf("jvp", leaf, `result (leaf ${i})`);
        if (t._trace === trace) {
          primalsOut.push(t._primal!);
          tangentsOut.push(t._tangent!);
        } else {
          primalsOut.push(t);
          tangentsOut.push(zerosLike(t));
        }
      });
      return [unflatten(outDef, primalsOut), unflatten(outDef, tangentsOut)] as [
        Derivative<ReturnType<F>>,
        Derivative<ReturnType<F>>,
      ];
    } finally {
      trace.done = true;
    }
  });
}
