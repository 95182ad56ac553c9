/**
 * @file Batch rules (vmap) shared by primitive families. A batched input carries the batch axis
 * first; a rule returns its result with the batch axis first. Most primitives need one of three
 * patterns: elementwise (align ranks, then broadcasting does the rest), "one more leading axis"
 * (shift the axis parameters by one and run the primitive once on the whole batch), or
 * "materialise, then shift" for primitives whose inputs must share their leading axes.
 */

import type { Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { broadcastTo, reshape, transpose } from "../ops/index.js";

/** Rank of one batch element of an input. */
function elementRank(x: Tensor, batched: boolean): number {
  return batched ? x.ndim - 1 : x.ndim;
}

/**
 * A batched x ([B, ...s]) with ones inserted after the batch axis up to element rank `rank`, so that
 * NumPy broadcasting (aligned from the right) lines its element axes up with unbatched operands.
 */
export function alignBatched(x: Tensor, rank: number): Tensor {
  const r = x.ndim - 1;
  if (r >= rank) return x;
  const shape = [x.shape[0]!, ...new Array<number>(rank - r).fill(1), ...x.shape.slice(1)];
  return reshape(x, shape);
}

/** x with the batch axis made explicit: unbatched values are broadcast to [size, ...x.shape]. */
export function materialise(x: Tensor, batched: boolean, size: number): Tensor {
  return batched ? x : broadcastTo(x, [size, ...x.shape]);
}

/** Moves axis `from` of x to position `to` (the other axes keep their order). */
export function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const perm = Array.from({ length: x.ndim }, (_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return transpose(x, perm);
}

/** The element axes of params shifted past the batch axis. */
export function shiftAxes(axes: readonly number[]): number[] {
  return axes.map((a) => a + 1);
}

/**
 * The batch rule of an elementwise primitive with NumPy broadcasting: batched operands get their
 * element axes aligned to the widest operand; the primitive then runs once on the whole batch.
 */
export function elementwiseBatch<P>(
  prim: () => Primitive<P>,
): (inputs: readonly Tensor[], batched: readonly boolean[], params: P) => Tensor {
  return (inputs, batched, params) => {
    let rank = 0;
    for (let i = 0; i < inputs.length; i++) {
      rank = Math.max(rank, elementRank(inputs[i]!, batched[i]!));
    }
    const xs = inputs.map((x, i) => (batched[i] ? alignBatched(x, rank) : x));
    return bind(prim(), xs, params);
  };
}

/**
 * The batch rule of a primitive that accepts any number of leading axes once its axis parameters
 * are shifted: every input is materialised (so they share the batch axis) and `shift` maps params.
 */
export function leadingAxisBatch<P>(
  prim: () => Primitive<P>,
  shift: (params: P, size: number) => P,
): (inputs: readonly Tensor[], batched: readonly boolean[], params: P, size: number) => Tensor {
  return (inputs, batched, params, size) =>
    bind(
      prim(),
      inputs.map((x, i) => materialise(x, batched[i]!, size)),
      shift(params, size),
    );
}
