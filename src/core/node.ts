/**
 * @file One node kind: every primitive seen as taking a list of inputs and giving a list of
 * outputs (autodidax's convention). The two declaration forms (`Primitive`, one output;
 * `MultiPrimitive`, several) meet only here: a single-output primitive's rules are wrapped into
 * list form, so `bind`, every trace, the tape and the graph evaluator each have one path.
 */

import { isFloat } from "./dtype.js";
import type { AnyMultiPrimitive, AnyPrimitive, Aval } from "./primitive.js";
import type { Tensor } from "./tensor.js";

/**
 * Any primitive, single- or multi-output: what a recorded call, a staged equation and `bind`
 * hold.
 * @category Primitives
 */
export type AnyNode = AnyPrimitive | AnyMultiPrimitive;

/** True for a primitive declared with several outputs (`defineMultiPrimitive`). */
export function isMultiOutput(p: AnyNode): p is AnyMultiPrimitive {
  return (p as AnyMultiPrimitive).multipleResults === true;
}

/** True when some output is a float tensor (integer and bool outputs carry no derivative). */
export function anyFloat(outs: readonly Tensor[]): boolean {
  for (let i = 0; i < outs.length; i++) if (isFloat(outs[i]!.dtype)) return true;
  return false;
}

/** The shapes and dtypes of the outputs. */
export function nodeAvals(p: AnyNode, inputs: readonly Aval[], params: unknown): readonly Aval[] {
  return isMultiOutput(p) ? p.shape(inputs, params) : [p.shape(inputs, params)];
}

/** The output tangents (null = zero) given the input tangents (at least one non-null). */
export function nodeJvp(
  p: AnyNode,
  primals: readonly Tensor[],
  tangents: readonly (Tensor | null)[],
  outs: readonly Tensor[],
  params: unknown,
): readonly (Tensor | null)[] {
  return isMultiOutput(p)
    ? p.jvp(primals, tangents, outs, params)
    : [p.jvp(primals, tangents, outs[0]!, params)];
}

const NO_COTANGENTS: readonly null[] = [];

/**
 * The input cotangents (null = zero or not needed) given one cotangent per output (null = zero;
 * at least one non-null for a multi-output primitive, exactly one cotangent for a single-output
 * one, which gives no cotangents when it is null).
 */
export function nodeVjp(
  p: AnyNode,
  cts: readonly (Tensor | null)[],
  primals: readonly Tensor[],
  outs: readonly Tensor[],
  params: unknown,
  needs: readonly boolean[],
): readonly (Tensor | null)[] {
  if (isMultiOutput(p)) return p.vjp(cts, primals, outs, params, needs);
  const ct = cts[0];
  return ct === null || ct === undefined
    ? NO_COTANGENTS
    : p.vjp(ct, primals, outs[0]!, params, needs);
}

/** vmap's batch rule in list form, or null for a primitive without one (vmap then loops). */
export function nodeBatch(
  p: AnyNode,
  values: readonly Tensor[],
  batched: readonly boolean[],
  params: unknown,
  size: number,
): readonly Tensor[] | null {
  if (p.batch === undefined) return null;
  return isMultiOutput(p)
    ? p.batch(values, batched, params, size)
    : [(p as AnyPrimitive).batch!(values, batched, params, size)];
}
