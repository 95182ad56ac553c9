/** @file Typed error classes. Messages name the op, the argument, what was expected and what came. */

/**
 * Base class of every error adjoint throws on purpose: catch it to tell adjoint's errors from
 * others. Each message starts with the op that threw, then names the argument, what was expected
 * and what came.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const err = (() => { try { ad.add(ad.zeros([2]), ad.zeros([3])); } catch (e) { return e; } })();
 * err instanceof ad.AdjointError; // => true
 * err instanceof ad.ShapeError; // => true
 * ```
 * @category Errors
 */
export class AdjointError extends Error {
  override name = "AdjointError";
}

/**
 * Shapes that do not fit: broadcasting, reshape sizes, matmul dimensions, cotangent shapes.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.matmul(ad.ones([2, 3]), ad.ones([2, 3])); // throws: ShapeError: matmul: inner dimensions do not match: [2,3] @ [2,3]
 * ad.reshape(ad.ones([2, 3]), [4]); // throws: ShapeError: reshape: cannot reshape [2,3]
 * ```
 * @category Errors
 */
export class ShapeError extends AdjointError {
  override name = "ShapeError";
}

/**
 * A dtype that an op does not accept (integer arguments to grad, float indices, ...).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.grad((x: ad.Tensor) => ad.sum(x))(ad.tensor([1, 2], { dtype: "int32" })); // throws: DTypeError: grad: argument 0 has dtype int32
 * ad.where(ad.tensor([1, 0]), 1, 2); // throws: DTypeError: where: cond must have dtype bool
 * ```
 * @category Errors
 */
export class DTypeError extends AdjointError {
  override name = "DTypeError";
}

/**
 * A value that is out of range or malformed: axes, ragged arrays, indices, options.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sum(ad.ones([2, 3]), { axis: 2 }); // throws: ValueError: sum: axis must be an integer in [-2, 1]
 * ad.tensor([[1, 2], [3]]); // throws: ValueError: tensor: data is ragged: expected data[1] to have length 2
 * ```
 * @category Errors
 */
export class ValueError extends AdjointError {
  override name = "ValueError";
}

/**
 * A tracer used outside the transformation that created it, or read where no value exists (for
 * example `.toArray()` on a value being batched by vmap).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.vmap((x: ad.Tensor) => ad.tensor(x.toArray()))(ad.ones([2, 3])); // throws: TracerError: toArray: cannot read
 * ```
 * @category Errors
 */
export class TracerError extends AdjointError {
  override name = "TracerError";
}

/**
 * A derivative check ({@link checkGrads}) that found a mismatch between a derivative and its
 * finite-difference estimate; the message names the argument, the element and both values.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const wrong = ad.customVjp((x: ad.Tensor) => ad.sum(ad.square(x)), {
 *   fwd: (x: ad.Tensor) => [ad.sum(ad.square(x)), x],
 *   bwd: (x: ad.Tensor, g: ad.Tensor) => [ad.mul(g, x)],
 * });
 * ad.checkGrads(wrong, [ad.tensor([1, 2], { dtype: "float64" })]); // throws: GradientCheckError: checkGrads: rev-mode order 1
 * ```
 * @category Errors
 */
export class GradientCheckError extends AdjointError {
  override name = "GradientCheckError";
}

/**
 * Where a {@link NanError} arose: an op's value, its VJP rule, or its JVP rule.
 * @category Errors
 */
export type NanPhase = "forward" | "backward" | "forward-mode derivative";

/**
 * The fields of a {@link NanError}.
 * @category Errors
 */
export interface NanErrorDetails {
  /** The op whose forward value, VJP rule ("backward") or JVP rule made the NaN or Inf. */
  readonly primitive: string;
  readonly phase: NanPhase;
  /** The user's call site of that op, as `file:line:column`, when known. */
  readonly callSite: string | undefined;
  /** Summaries of that op's inputs: dtype and shape, then the values or min/mean/max. */
  readonly inputs: readonly string[];
  /**
   * The primitive whose result held the NaN or Inf: `primitive` itself in the forward phase, an
   * op inside the derivative rule otherwise (e.g. `div` inside the VJP of `sqrt`).
   */
  readonly operation: string;
}

/**
 * Thrown while {@link debugNans} is on by the first primitive that produces a NaN or an infinity
 * from finite inputs, in the forward pass, the backward pass (a VJP rule) or forward mode (a JVP
 * rule). Its fields say which op, in which phase, where the user called it and on what inputs.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.debugNans(true);
 * const err = (() => { try { ad.log(ad.tensor([0, 1])); } catch (e) { return e; } })();
 * ad.debugNans(false);
 * err instanceof ad.NanError; // => true
 * (err as ad.NanError).primitive; // => log
 * (err as ad.NanError).phase; // => forward
 * (err as ad.NanError).inputs[0]; // => float32[2] = [0, 1]
 * ```
 * @category Errors
 */
export class NanError extends AdjointError implements NanErrorDetails {
  override name = "NanError";
  readonly primitive: string;
  readonly phase: NanPhase;
  readonly callSite: string | undefined;
  readonly inputs: readonly string[];
  readonly operation: string;

  /** @internal Made by debugNans, which writes the message from the details. */
  constructor(message: string, details: NanErrorDetails) {
    super(message);
    this.primitive = details.primitive;
    this.phase = details.phase;
    this.callSite = details.callSite;
    this.inputs = details.inputs;
    this.operation = details.operation;
  }
}

/** Renders a shape as `[2,3]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
