/**
 * @file `nn.embedding`: a lookup table of vectors indexed by int32 ids, N(0, 1) entries as
 * PyTorch's nn.Embedding.
 */

import { DTypeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor } from "../core/tensor.js";
import { random } from "../ops/random.js";
import { take } from "../ops/shape.js";
import type { FloatDType } from "./init.js";
import {
  checkInput,
  checkKey,
  checkParams,
  checkSize,
  type Layer,
  statelessLayer,
} from "./layer.js";

/**
 * Parameters of {@link nn.embedding}: the table [numEmbeddings, dim].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const p: ad.EmbeddingParams = { table: ad.tensor([[0, 0], [1, 2]]) };
 * ad.nn.embedding(p, ad.tensor([1, 1, 0], { dtype: "int32" })); // => tensor([[1., 2.], [1., 2.], [0., 0.]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export type EmbeddingParams = { table: Tensor };

function init(
  key: Tensor,
  numEmbeddings: number,
  dim: number,
  options: { dtype?: FloatDType } = {},
): EmbeddingParams {
  const op = "nn.embedding.init";
  const opts = checkOptions(op, options, ["dtype"]);
  checkKey(op, key);
  checkSize(op, "numEmbeddings", numEmbeddings);
  checkSize(op, "dim", dim);
  return { table: random.normal([numEmbeddings, dim], { key, dtype: opts.dtype }) };
}

function apply(params: EmbeddingParams, ids: Tensor): Tensor {
  const op = "nn.embedding";
  checkParams(op, params, ["table"]);
  checkInput(op, "ids", ids);
  if (ids.dtype !== "int32") {
    throw new DTypeError(`${op}: ids must be an int32 tensor; got dtype ${ids.dtype}`);
  }
  const n = params.table.shape[0]!;
  // Concrete ids are checked here (take would also accept negative ids, counting from the end).
  if (ids._trace === null) {
    const data = ids.dataSync();
    for (let i = 0; i < data.length; i++) {
      if (data[i]! < 0 || data[i]! >= n) {
        throw new ValueError(
          `${op}: ids must be in [0, ${n - 1}] (the table's rows); got ${data[i]} at flat index ${i}`,
        );
      }
    }
  }
  return take(params.table, ids, 0);
}

/**
 * Embedding lookup: rows of `params.table` [numEmbeddings, dim] at int32 `ids` of any shape,
 * giving [...ids.shape, dim]; the gradient w.r.t. the table adds up over repeated ids.
 * `nn.embedding.init(key, numEmbeddings, dim, { dtype? })` draws N(0, 1) entries;
 * `nn.embedding.layer(numEmbeddings, dim)` makes a {@link Layer}.
 * @throws {@link DTypeError} for ids that are not int32; {@link ValueError} for an id outside
 *   [0, numEmbeddings) (checked when the ids are concrete, not traced).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const params = ad.nn.embedding.init(ad.random.key(0), 10, 4);
 * ad.nn.embedding(params, ad.tensor([[1, 2, 3]], { dtype: "int32" })).shape; // => [1, 3, 4]
 * ```
 * @category Neural-net ops
 */
export const embedding = Object.assign(apply, {
  init,
  /** A {@link Layer} mapping int32 ids to vectors, for {@link nn.sequential}. */
  layer(
    numEmbeddings: number,
    dim: number,
    options: { dtype?: FloatDType } = {},
  ): Layer<EmbeddingParams, null> {
    checkOptions("nn.embedding.layer", options, ["dtype"]);
    return statelessLayer(
      (key) => init(key, numEmbeddings, dim, options),
      (params, x) => apply(params, x),
    );
  },
});
