/**
 * @file vmap's trace: its tracers box a value with an extra leading batch axis, and stand for one
 * batch element (their shape is the element's). Each primitive call goes to the primitive's batch
 * rule, which computes the whole batch with one call where it can; a primitive without a rule is
 * looped over the batch.
 */

import { AdjointError } from "../core/errors.js";
import type { MultiPrimitive, Primitive } from "../core/primitive.js";
import { Tensor } from "../core/tensor.js";
import { bind, bindMulti, Trace } from "../core/trace.js";
import { stack } from "../ops/index.js";
import { bindUnstack } from "../primitives/unstack.js";

export class BatchTrace extends Trace {
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

  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
    const values = new Array<Tensor>(inputs.length);
    const batched = new Array<boolean>(inputs.length);
    this.unbox(inputs, values, batched);
    const out =
      prim.batch !== undefined
        ? prim.batch(values, batched, params, this.size)
        : stack(
            this.loop(values, batched, (xs) => bind(prim, xs, params)),
            0,
          );
    return this.box(this.checked(prim.name, out));
  }

  processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly Tensor[], params: P): Tensor[] {
    const values = new Array<Tensor>(inputs.length);
    const batched = new Array<boolean>(inputs.length);
    this.unbox(inputs, values, batched);
    let outs: readonly Tensor[];
    if (prim.batch !== undefined) {
      outs = prim.batch(values, batched, params, this.size);
    } else {
      const perElement = this.loop(values, batched, (xs) => bindMulti(prim, xs, params));
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
        values[i] = x._primal!;
        batched[i] = true;
      } else {
        values[i] = x;
        batched[i] = false;
      }
    }
  }
}
