/** @file Typed error classes. Messages name the op, the argument, what was expected and what came. */

/** Base class of every error adjoint throws on purpose. */
export class AdjointError extends Error {
  override name = "AdjointError";
}

/** Shapes that do not fit: broadcasting, reshape sizes, matmul dimensions, cotangent shapes. */
export class ShapeError extends AdjointError {
  override name = "ShapeError";
}

/** A dtype that an op does not accept (integer arguments to grad, float indices, ...). */
export class DTypeError extends AdjointError {
  override name = "DTypeError";
}

/** A value that is out of range or malformed: axes, ragged arrays, indices, options. */
export class ValueError extends AdjointError {
  override name = "ValueError";
}

/** A tracer used outside the transformation that created it, or read where no value exists. */
export class TracerError extends AdjointError {
  override name = "TracerError";
}

/** A derivative check (checkGrads) that found a mismatch. */
export class GradientCheckError extends AdjointError {
  override name = "GradientCheckError";
}

/** Renders a shape as `[2,3]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
