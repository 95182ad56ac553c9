/**
 * @file Argument handling shared by the transformations: argnums, turning pytree leaves into
 * tensors, and the checks that give clear errors for integer inputs and mismatched cotangents.
 */

import { scalar } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, TracerError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";

export { describeValue };

/** argnums normalised to a list of valid argument indices (negative ones count from the end). */
export function normalizeArgnums(
  op: string,
  argnums: number | readonly number[],
  nargs: number,
): number[] {
  if (typeof argnums !== "number" && !Array.isArray(argnums)) {
    throw new ValueError(
      `${op}: argnums must be an integer or an array of integers; got ${describeValue(argnums)}`,
    );
  }
  const list: unknown[] = typeof argnums === "number" ? [argnums] : [...argnums];
  const out = list.map((a) => {
    if (typeof a !== "number" || !Number.isInteger(a)) {
      throw new ValueError(
        `${op}: argnums entries must be integers; got ${describeValue(a)}${typeof a === "string" ? " (write it as a number, not a string)" : ""}`,
      );
    }
    if (a < -nargs || a >= nargs) {
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

/** Checks that a transformation was given a function (`grad("nope")` is a ValueError). */
export function checkFn(op: string, f: unknown, arg = "f"): void {
  if (typeof f !== "function") {
    throw new ValueError(`${op}: ${arg} must be a function; got ${describeValue(f)}`);
  }
}

/**
 * Rejects a Promise returned by the transformed function (an async function): its body runs past
 * the first await after the transformation has returned. The promise is marked handled first, so
 * that its later rejection (often a TracerError from that escaped code) cannot end the process as
 * an unhandled rejection; the error thrown here is the one to report.
 */
export function checkNotPromise(op: string, result: unknown): void {
  if (
    result !== null &&
    (typeof result === "object" || typeof result === "function") &&
    typeof (result as { then?: unknown }).then === "function"
  ) {
    const p = result as PromiseLike<unknown>;
    p.then(undefined, () => undefined);
    throw new TracerError(
      `${op}: the function returned a Promise (an async function?); transformations need the ` +
        `result synchronously. Await the inputs first and pass a synchronous function`,
    );
  }
}

/**
 * grad's and valueAndGrad's options, checked when the function is made: f must be a function,
 * the options an object with only argnums and hasAux, hasAux a boolean (argnums is checked
 * against the arguments at each call).
 */
export function checkGradOptions(
  op: string,
  f: unknown,
  options: { argnums?: number | readonly number[]; hasAux?: boolean } | undefined,
): { argnums?: number | readonly number[]; hasAux?: boolean } {
  checkFn(op, f);
  const opts = checkOptions(op, options, ["argnums", "hasAux"]);
  if (opts.hasAux !== undefined && typeof opts.hasAux !== "boolean") {
    throw new ValueError(`${op}: hasAux must be true or false; got ${describeValue(opts.hasAux)}`);
  }
  // Types only here (argnums null or "0" fail at once); the range needs the call's arguments.
  if (opts.argnums !== undefined) normalizeArgnums(op, opts.argnums, Number.MAX_SAFE_INTEGER);
  return opts;
}
