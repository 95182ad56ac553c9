/**
 * @file The `diagonal` rules (vmap of a Jacobian's identity seed, kept as its diagonal) of the
 * elementwise primitives that keep a batch diagonal: negation, and products and quotients with a
 * value shared by the whole batch. Their declarations (unary.ts, binary.ts) take them from here.
 */

import type { DiagonalBatch } from "../core/primitive.js";
import { broadcastsTo, shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { broadcastTo, div, mul, neg, reshape } from "../ops/index.js";

/** The element's unbatched factor y broadcast to `shape` and flattened, or null if y would widen it. */
function flatFactor(y: Tensor, shape: readonly number[]): Tensor | null {
  if (!broadcastsTo(y.shape, shape)) return null;
  return reshape(broadcastTo(y, shape), [shapeSize(shape)]);
}

/** neg: element e is -d[e] e_e. */
export function negDiagonal(batch: DiagonalBatch, [x]: readonly Tensor[]): Tensor | null {
  return batch.boxDiagonal(neg(batch.diag(x!)!), x!.shape);
}

/** mul by an unbatched factor on either side: element e is d[e] f[e] e_e. */
export function mulDiagonal(batch: DiagonalBatch, [x, y]: readonly Tensor[]): Tensor | null {
  const dx = batch.diag(x!);
  if (dx !== null && batch.unbatched(y!)) {
    const f = flatFactor(y!, x!.shape);
    return f === null ? null : batch.boxDiagonal(mul(dx, f), x!.shape);
  }
  const dy = batch.diag(y!);
  if (dy !== null && batch.unbatched(x!)) {
    const f = flatFactor(x!, y!.shape);
    return f === null ? null : batch.boxDiagonal(mul(f, dy), y!.shape);
  }
  return null;
}

/** div by an unbatched divisor: element e is d[e] / f[e] e_e (a batched divisor materialises). */
export function divDiagonal(batch: DiagonalBatch, [x, y]: readonly Tensor[]): Tensor | null {
  const dx = batch.diag(x!);
  if (dx === null || !batch.unbatched(y!)) return null;
  const f = flatFactor(y!, x!.shape);
  return f === null ? null : batch.boxDiagonal(div(dx, f), x!.shape);
}
