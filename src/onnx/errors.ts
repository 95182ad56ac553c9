/** @file OnnxError: a model that `ad.onnx.load` cannot read or does not support. */

import { AdjointError } from "../core/errors.js";

/**
 * One operator of a model that load does not support, with the opset its domain imports (an
 * entry of {@link OnnxError}'s `unsupported`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const u: ad.UnsupportedOperator = { op: "LSTM", opset: 14 };
 * u.op; // => LSTM
 * ```
 * @category Errors
 */
export interface UnsupportedOperator {
  /** The operator type ("LSTM"), prefixed with its domain when not the default one. */
  readonly op: string;
  /** The opset version of its domain that the model imports. */
  readonly opset: number;
  /** Why, when the operator is supported but not with these attributes or inputs. */
  readonly reason?: string;
}

/**
 * An ONNX model that cannot be imported: malformed, an unsupported operator or attribute value,
 * an element type without an adjoint dtype, or a dynamic dimension without a concrete size.
 * When operators are missing, `unsupported` lists every one of them at once (each with its
 * opset), and the message names them all.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const e = new ad.OnnxError("onnx.load: the model uses 1 unsupported operator: LSTM (opset 14)");
 * e instanceof ad.AdjointError; // => true
 * e.unsupported.length; // => 0
 * e.kind; // => model
 * ```
 * @category Errors
 */
export class OnnxError extends AdjointError {
  override name = "OnnxError";
  /** The unsupported operators (empty when the error is about something else). */
  readonly unsupported: readonly UnsupportedOperator[];
  /**
   * "operator": operators without a mapping (listed in `unsupported`); "feature": something
   * valid that adjoint does not support (an element type, an attribute value, external data);
   * "model": a malformed model or missing options.
   */
  readonly kind: "operator" | "feature" | "model";
  /**
   * Graph inputs that operators read as static values (a Reshape's shape, Slice's starts) and
   * that need `options.constants` (empty when the error is about something else).
   */
  readonly staticInputs: readonly string[];

  constructor(
    message: string,
    unsupported: readonly UnsupportedOperator[] = [],
    kind: "operator" | "feature" | "model" = unsupported.length > 0 ? "operator" : "model",
    staticInputs: readonly string[] = [],
  ) {
    super(message);
    this.unsupported = unsupported;
    this.kind = kind;
    this.staticInputs = staticInputs;
  }
}
