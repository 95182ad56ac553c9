/**
 * @file ONNX sequences while staging: a list of tensors held by name like a tensor. They exist
 * only inside a loaded model (graph inputs and outputs are tensors); the sequence operators
 * build, read and concatenate them, and Loop may carry them.
 */

import type { Tensor } from "../core/tensor.js";

/** An ONNX sequence value: its tensors in order. */
export class Sequence {
  constructor(readonly items: readonly Tensor[]) {}
}

/** A value of a staged ONNX model: a tensor or a sequence of tensors. */
export type Value = Tensor | Sequence;
