/**
 * @file Named scopes: a label path ("model/layer1") recorded on every equation staged inside
 * `namedScope(name, fn)`, so that drawings and listings of large graphs can group what belongs
 * together (JAX's named_scope).
 */

import { ValueError } from "../core/errors.js";

let current = "";

/** @internal The scope path of the code running now ("" outside every scope). */
export function currentScope(): string {
  return current;
}

/**
 * Runs `fn` inside a named scope: every primitive staged or traced inside is labelled with the
 * scope path (`outer/inner` when nested), which `graph.toString()` prints and the drawing tools
 * group by. Values and derivatives are unchanged.
 * @param name - A non-empty label without "/".
 * @param fn - The code to run; its result is returned.
 * @throws {@link ValueError} for an empty name or one containing "/".
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const f = (x: ad.Tensor) => ad.namedScope("square", () => x.mul(x)).sum();
 * ad.makeGraph(f, ad.ones([2])).eqns[0]!.scope; // => square
 * ```
 * @category Tools
 */
export function namedScope<T>(name: string, fn: () => T): T {
  if (typeof name !== "string" || name === "" || name.includes("/")) {
    throw new ValueError(
      `namedScope: name must be a non-empty string without "/"; got ${JSON.stringify(name)}`,
    );
  }
  const saved = current;
  current = saved === "" ? name : `${saved}/${name}`;
  try {
    return fn();
  } finally {
    current = saved;
  }
}
