/** @file jvp: forward mode. One pass computes f's value and its directional derivative J·v. */

import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { describeTree, flatten, treeDefsEqual, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { withNewLevel } from "../core/trace.js";
import { zerosLike } from "../ops/index.js";
import {
  checkDerivativeLeaf,
  checkFn,
  checkNotPromise,
  differentiableLeaf,
  resultLeaf,
} from "./args.js";
import { JvpTrace } from "./jvp-trace.js";
import { callFn, type Derivative, type Tangents } from "./types.js";

/**
 * Forward mode's building block (JAX's `jax.jvp`): evaluates `f(...primals)` and its
 * Jacobian-vector product `J·v` with `tangents` in one forward pass, returning
 * `[out, tangentOut]` (both with out's structure). Nothing is recorded, so memory stays that of
 * evaluating f; one pass gives one column of the Jacobian (one direction).
 *
 * `primals` and `tangents` are arrays with one entry per argument of f; each tangent has its
 * primal's structure, shapes and dtypes (a number is accepted for a size-1 value). Integer and
 * bool primals are passed through undifferentiated. Numbers among the primals become 0-d float
 * tensors.
 *
 * @param f - A function of tensors built from the library's ops.
 * @param primals - f's arguments, as an array.
 * @param tangents - One tangent per primal (the direction v).
 * @returns `[out, tangentOut]`.
 * @throws ValueError when primals or tangents is not an array or their structures differ;
 * ShapeError or DTypeError when a tangent's shape or dtype differs from its primal's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.jvp((x) => ad.sin(x), [ad.scalar(0)], [ad.scalar(1)]); // => [ tensor(0, dtype=float32), tensor(1, dtype=float32) ]
 * // The derivative of x * y along (1, 0) at (2, 3) is y = 3.
 * const [xy, dxy] = ad.jvp((x, y) => ad.mul(x, y), [ad.scalar(2), ad.scalar(3)], [1, 0]);
 * dxy; // => tensor(3, dtype=float32)
 * ```
 * @category Transformations
 */
export function jvp<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  primals: A,
  tangents: Tangents<A>,
): [Derivative<R>, Derivative<R>] {
  checkFn("jvp", f);
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
    trace.label = "jvp";
    try {
      const boxed = pLeaves.map((leaf, i) => {
        // Integer and bool primals are not differentiated: passed through, their tangents ignored.
        if (leaf instanceof Tensor && !isFloat(leaf.dtype)) return leaf;
        const where = `primal ${i}`;
        const x = differentiableLeaf("jvp", leaf, where);
        return trace.box(x, checkDerivativeLeaf("jvp", "tangent", tLeaves[i], x, where));
      });
      const out = callFn(f, unflatten(pDef, boxed) as unknown[]);
      checkNotPromise("jvp", out);
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
        Derivative<R>,
        Derivative<R>,
      ];
    } finally {
      trace.done = true;
    }
  });
}
