/**
 * @file vmap's trace: its tracers box a value with an extra leading batch axis, and stand for one
 * batch element (their shape is the element's). Each primitive call goes to the primitive's batch
 * rule, which computes the whole batch with one call where it can; a primitive without a rule is
 * looped over the batch.
 *
 * Jacobians seed the trace with an identity basis. That batch is held as its diagonal (a "diagonal
 * tracer": element e is d[e] times the e-th unit tensor) for as long as the ops keep it diagonal:
 * each primitive that can says how in its declaration's `diagonal` rule (products and quotients
 * with unbatched values, negation, reshapes, casts, a full sum, a matrix product with an
 * unbatched matrix). Any other op materialises it.
 */

import { AdjointError } from "../core/errors.js";
import { type AnyNode, isMultiOutput, nodeBatch } from "../core/node.js";
import type { DiagonalBatch } from "../core/primitive.js";
import { Tensor } from "../core/tensor.js";
import { bindNode, Trace } from "../core/trace.js";
import { eye, mul, ones, reshape, stack } from "../ops/index.js";
import { bindUnstack } from "../primitives/unstack.js";

export class BatchTrace extends Trace implements DiagonalBatch {
  /** The length of the batch axis. */
  readonly size: number;
  override readonly batching = true;

  constructor(level: number, size: number) {
    super(level);
    this.size = size;
  }

  /** Boxes `value`, whose leading axis (of length `size`) is the batch axis. */
  box(value: Tensor): Tensor {
    return Tensor._batchTracer(this, value);
  }

  /** Boxes the scaled identity basis of `shape` (size(shape) === size): element e is d[e] e_e. */
  boxDiagonal(d: Tensor, shape: readonly number[]): Tensor {
    return Tensor._diagonalTracer(this, shape, d);
  }

  /** The diagonal of ones of the identity seed (products with it are skipped). */
  private unit: Tensor | null = null;

  /** Boxes the identity basis of `shape` as a diagonal tracer (see boxDiagonal). */
  boxIdentity(shape: readonly number[], dtype: Tensor["dtype"]): Tensor {
    this.unit = ones([this.size], dtype);
    return this.boxDiagonal(this.unit, shape);
  }

  /** The diagonal of x when x is a diagonal tracer of this trace, else null. */
  diag(x: Tensor): Tensor | null {
    return x._trace === this && x._primal === null ? x._tangent! : null;
  }

  /** True when x is not a tracer of this trace. */
  unbatched(x: Tensor): boolean {
    return x._trace !== this;
  }

  /** m scaled by the diagonal d along m's leading axis (d's batch index). */
  scaleRows(m: Tensor, d: Tensor): Tensor {
    if (d === this.unit) return m;
    return mul(m, reshape(d, [d.shape[0]!, ...new Array<number>(m.ndim - 1).fill(1)]));
  }

  /** The batched value of a tracer of this trace, materialising a diagonal one. */
  override valueOf(t: Tensor): Tensor {
    if (t._primal !== null) return t._primal;
    const d = t._tangent!;
    const n = this.size;
    return reshape(this.scaleRows(eye(n, n, d.dtype), d), [n, ...t.shape]);
  }

  process(prim: AnyNode, inputs: readonly Tensor[], params: unknown): Tensor[] {
    if (!isMultiOutput(prim) && prim.diagonal !== undefined && hasDiagonal(this, inputs)) {
      const structured = prim.diagonal(this, inputs, params);
      if (structured !== null) return [structured];
    }
    const values = new Array<Tensor>(inputs.length);
    const batched = new Array<boolean>(inputs.length);
    this.unbox(inputs, values, batched);
    let outs = nodeBatch(prim, values, batched, params, this.size);
    if (outs === null) {
      // No batch rule: one call per element, each output stacked along the batch axis.
      const perElement = this.loop(values, batched, (xs) => bindNode(prim, xs, params));
      const n = perElement.length > 0 ? perElement[0]!.length : 0;
      outs = Array.from({ length: n }, (_, k) =>
        stack(
          perElement.map((o) => o[k]!),
          0,
        ),
      );
    }
    return outs.map((o) => this.box(this.checked(prim.name, o)));
  }

  /** Calls `body` once per batch element on that element's inputs (the fallback rule). */
  private loop<T>(values: Tensor[], batched: boolean[], body: (xs: Tensor[]) => T): T[] {
    const slices = values.map((v, i) => (batched[i] ? bindUnstack(v) : null));
    const results: T[] = [];
    for (let b = 0; b < this.size; b++) {
      results.push(body(values.map((v, i) => (slices[i] === null ? v : slices[i]![b]!))));
    }
    return results;
  }

  private checked(name: string, out: Tensor): Tensor {
    if (out.shape[0] !== this.size) {
      throw new AdjointError(
        `vmap: the batch rule of ${name} returned shape [${out.shape.join(",")}], without the batch axis of length ${this.size} in front`,
      );
    }
    return out;
  }

  private unbox(inputs: readonly Tensor[], values: Tensor[], batched: boolean[]): void {
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      if (x._trace === this) {
        values[i] = x._primal ?? this.valueOf(x);
        batched[i] = true;
      } else {
        values[i] = x;
        batched[i] = false;
      }
    }
  }
}

function hasDiagonal(trace: BatchTrace, inputs: readonly Tensor[]): boolean {
  for (let i = 0; i < inputs.length; i++) {
    if (trace.diag(inputs[i]!) !== null) return true;
  }
  return false;
}
