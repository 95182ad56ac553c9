/**
 * @file Argument handling shared by the transformations: argnums, turning pytree leaves into
 * tensors, and the checks that give clear errors for integer inputs and mismatched cotangents.
 */

import { scalar } from "../core/convert.js";
import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";

/** argnums normalised to a list of valid argument indices (negative ones count from the end). */
export function normalizeArgnums(
  op: string,
  argnums: number | readonly number[],
  nargs: number,
): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  const out = list.map((a) => {
    if (!Number.isInteger(a) || a < -nargs || a >= nargs) {
      throw new ValueError(
        `${op}: argnums entry ${a} is out of range for a call with ${nargs} argument(s)`,
      );
    }
    return a < 0 ? a + nargs : a;
  });
  if (new Set(out).size !== out.length) {
    throw new ValueError(`${op}: argnums has a repeated entry: [${list.join(", ")}]`);
  }
  return out;
}

/**
 * A leaf in a differentiated position as a float tensor: numbers become 0-d default-float tensors;
 * integer and bool tensors are a DTypeError naming the argument.
 */
export function differentiableLeaf(op: string, leaf: unknown, where: string): Tensor {
  if (typeof leaf === "number") return scalar(leaf);
  if (!(leaf instanceof Tensor)) {
    throw new ValueError(
      `${op}: ${where} must be a Tensor or a number (or arrays/objects of them); got ${describeValue(leaf)}`,
    );
  }
  if (!isFloat(leaf.dtype)) {
    throw new DTypeError(
      `${op}: ${where} has dtype ${leaf.dtype}; derivatives are taken with respect to float ` +
        `arguments only (create it with { dtype: "float32" } or cast it with .astype("float32"))`,
    );
  }
  return leaf;
}

/** A result leaf as a tensor (numbers become 0-d tensors). */
export function resultLeaf(op: string, leaf: unknown, where: string): Tensor {
  if (leaf instanceof Tensor) return leaf;
  if (typeof leaf === "number") return scalar(leaf);
  throw new ValueError(
    `${op}: the function's ${where} must be a Tensor or a number (or arrays/objects of them); got ${describeValue(leaf)}`,
  );
}

/** Checks a user-given tangent or cotangent against the value it belongs to; numbers are allowed. */
export function checkDerivativeLeaf(
  op: string,
  kind: "tangent" | "cotangent",
  given: unknown,
  like: Tensor,
  where: string,
): Tensor {
  if (typeof given === "number") {
    if (like.size !== 1) {
      throw new ShapeError(
        `${op}: ${kind} for ${where} must have shape ${fmtShape(like.shape)}; got a number`,
      );
    }
    return scalar(given, like.dtype).reshape(like.shape);
  }
  if (!(given instanceof Tensor)) {
    throw new ValueError(
      `${op}: ${kind} for ${where} must be a Tensor; got ${describeValue(given)}`,
    );
  }
  if (!shapesEqual(given.shape, like.shape)) {
    throw new ShapeError(
      `${op}: ${kind} for ${where} must have shape ${fmtShape(like.shape)}; got ${fmtShape(given.shape)}`,
    );
  }
  if (given.dtype !== like.dtype) {
    throw new DTypeError(
      `${op}: ${kind} for ${where} must have dtype ${like.dtype}; got ${given.dtype}`,
    );
  }
  return given;
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Tensor) return `a ${v.dtype} Tensor of shape ${fmtShape(v.shape)}`;
  if (typeof v === "object") return v.constructor?.name ?? "object";
  return typeof v === "string" ? `the string ${JSON.stringify(v)}` : typeof v;
}
