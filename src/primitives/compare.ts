/**
 * @file Comparison and logic primitives: bool results with NumPy broadcasting, not differentiable
 * (the drivers never box a bool output, and the rules return symbolic zeros all the same).
 */

import type { BinaryOp } from "../backend/backend.js";
import { elementwiseBatch } from "./batching.js";
import { binaryImpl, binaryShape } from "./binary.js";
import { type BuiltinPrimitive, type ComparePrimitiveName, declarePrimitive } from "./names.js";
import { readsNothing } from "./reads.js";

/** A broadcasting bool-valued primitive over two inputs of one (any) dtype. */
function comparison<N extends ComparePrimitiveName>(
  name: N,
  op: string,
  kernel: BinaryOp,
): BuiltinPrimitive<N> {
  const prim: BuiltinPrimitive<N> = declarePrimitive<N>({
    name,
    batch: elementwiseBatch(() => prim),
    shape: binaryShape(op, "any", "bool"),
    impl: binaryImpl(kernel),
    // bool output: no derivative
    jvp: () => null,
    // bool output: no cotangents flow back
    vjp: () => [null, null],
    vjpReads: readsNothing,
  });
  return prim;
}

export const equalPrim = comparison("equal", "equal", "eq");
export const notEqualPrim = comparison("not_equal", "notEqual", "ne");
export const lessPrim = comparison("less", "less", "lt");
export const lessEqualPrim = comparison("less_equal", "lessEqual", "le");
export const greaterPrim = comparison("greater", "greater", "gt");
export const greaterEqualPrim = comparison("greater_equal", "greaterEqual", "ge");
export const logicalAndPrim = comparison("logical_and", "logicalAnd", "and");
export const logicalOrPrim = comparison("logical_or", "logicalOr", "or");
