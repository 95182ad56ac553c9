/**
 * @file `ad.onnx`: ONNX models in and out. `load` reads a model as a Graph (differentiable like
 * any staged function); `initializers` reads its weights.
 */

import { initializers, load } from "./load.js";
import { save } from "./save.js";

export { OnnxError, type UnsupportedOperator } from "./errors.js";
export type { OnnxLoadOptions } from "./load.js";
export { OnnxExportError, type SaveOptions } from "./save.js";

/**
 * ONNX import and export. `await ad.onnx.load(bytes, options?)` returns the model as a
 * {@link Graph} (inputs in the model's order, weights as constants or with `params: true` as a
 * first argument keyed by initializer name); `await ad.onnx.initializers(bytes)` returns those
 * weights; `await ad.onnx.save(graphOrFn, args?, options?)` writes a Graph (or a function, staged
 * at `args`) as model bytes for ONNX Runtime. All three load the optional package onnx-proto on
 * first use. See docs/onnx.md.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * typeof ad.onnx.load; // => function
 * ```
 * @category Tools
 * @namespace
 */
export const onnx = {
  load,
  initializers,
  save,
} as const;
