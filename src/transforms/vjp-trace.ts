/**
 * @file Reverse mode's trace: every primitive call on one of its tracers is evaluated one level
 * down and recorded on the tape (tape.ts) as one entry, whatever the primitive's number of
 * outputs. Scalar arithmetic takes the tape's scalar lane (decision 0010).
 */

import { isFloat } from "../core/dtype.js";
import { AdjointError } from "../core/errors.js";
import { type AnyNode, anyFloat } from "../core/node.js";
import type { AnyMultiPrimitive, AnyPrimitive } from "../core/primitive.js";
import { Tensor } from "../core/tensor.js";
import { bindNode, hasEvalObserver, Trace } from "../core/trace.js";
import { type CustomRules, Tape } from "./tape.js";

function neverEvaluated(): never {
  throw new AdjointError("internal error: a custom tape entry is never evaluated by bind");
}

export class VjpTrace extends Trace {
  readonly tape = new Tape();

  /** Boxes `x` as an independent input (a leaf of the tape). */
  input(x: Tensor): Tensor {
    return Tensor._tracer(this, x, null, this.tape.pushLeaf(x));
  }

  /** The value under a tracer of this trace (a scalar-lane tracer's is made from its number). */
  override valueOf(t: Tensor): Tensor {
    return t._primal ?? Tensor._fromScalar(t.shape, t.dtype, t._value);
  }

  process(prim: AnyNode, inputs: readonly Tensor[], params: unknown): Tensor[] {
    const n = inputs.length;
    if ((n === 1 || n === 2) && (prim as AnyPrimitive).scalarVjp !== undefined) {
      const lane = this.laneCall(prim as AnyPrimitive, inputs, params);
      if (lane !== null) return [lane];
    }
    const primals = new Array<Tensor>(n);
    const slots = new Array<number>(n);
    const anyTraced = this.unbox(inputs, primals, slots);
    const outs = bindNode(prim, primals, params);
    if (!anyTraced || this.done) return outs;
    return this.record(prim, params, primals, slots, outs);
  }

  /** Records a call on the tape and boxes its float outputs (integer ones carry no derivative). */
  private record(
    prim: AnyNode,
    params: unknown,
    primals: readonly Tensor[],
    slots: readonly number[],
    outs: Tensor[],
  ): Tensor[] {
    if (!anyFloat(outs)) return outs;
    const first = this.tape.pushCall(prim, params, primals, slots, outs);
    for (let k = 0; k < outs.length; k++) {
      const out = outs[k]!;
      if (isFloat(out.dtype)) outs[k] = Tensor._tracer(this, out, null, first + k);
    }
    return outs;
  }

  /**
   * The scalar lane: a unary or binary call on size-1 float values (a tracer of this trace's, or a
   * concrete one) is computed on numbers and recorded without Tensors. Null when the call does
   * not qualify (it then takes the general path).
   */
  private laneCall(prim: AnyPrimitive, inputs: readonly Tensor[], params: unknown): Tensor | null {
    if (this.done || hasEvalObserver()) return null;
    const x = inputs[0]!;
    const xMine = x._trace === this;
    if (!laneAval(x)) return null;
    if (inputs.length === 1) {
      if (!xMine) return null;
      const xv = laneValue(x, true);
      if (xv === undefined) return null;
      return this.pushLane(prim, params, x, 1, x._slot, -1, xv, 0);
    }
    const y = inputs[1]!;
    const yMine = y._trace === this;
    if (
      !(xMine || yMine) ||
      x.dtype !== y.dtype ||
      x.shape.length !== y.shape.length ||
      !laneAval(y)
    ) {
      return null;
    }
    const xv = laneValue(x, xMine);
    const yv = laneValue(y, yMine);
    if (xv === undefined || yv === undefined) return null;
    return this.pushLane(prim, params, x, 2, xMine ? x._slot : -1, yMine ? y._slot : -1, xv, yv);
  }

  /** Evaluates a scalar-lane call on numbers and records it; returns its tracer. */
  private pushLane(
    prim: AnyPrimitive,
    params: unknown,
    like: Tensor,
    arity: 1 | 2,
    s0: number,
    s1: number,
    v0: number,
    v1: number,
  ): Tensor {
    const raw = prim.scalar!(v0, v1, params);
    const out = like.dtype === "float32" ? Math.fround(raw) : raw;
    const slot = this.tape.pushLane(
      prim,
      params,
      arity,
      s0,
      s1,
      v0,
      v1,
      out,
      like.shape,
      like.dtype,
    );
    return Tensor._scalarTracer(this, like.shape, like.dtype, slot, out);
  }

  /**
   * Records a custom call (customVjp, customJvp, checkpoint) whose outputs were computed by the
   * caller one level down, as one entry whose VJP and JVP are the given closures over that call.
   * Returns the outputs, boxed.
   */
  recordCustom(
    name: string,
    rules: CustomRules,
    primals: readonly Tensor[],
    slots: readonly number[],
    outs: readonly Tensor[],
  ): Tensor[] {
    if (this.done || !slots.some((s) => s >= 0)) return [...outs];
    this.tape.hasCustom = true;
    const entry: AnyMultiPrimitive = {
      name,
      multipleResults: true,
      shape: neverEvaluated,
      impl: neverEvaluated,
      vjp: (cts) => rules.vjp(cts),
      jvp: (_primals, tangents) => rules.jvp(tangents),
    };
    return this.record(entry, undefined, primals, slots, [...outs]);
  }

  /** Fills primals and slots from the inputs; true when any input is a tracer of this trace. */
  unbox(inputs: readonly Tensor[], primals: Tensor[], slots: number[]): boolean {
    let anyTraced = false;
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      if (x._trace === this) {
        primals[i] = x._primal ?? this.valueOf(x);
        slots[i] = x._slot;
        anyTraced = true;
      } else {
        primals[i] = x;
        slots[i] = -1;
      }
    }
    return anyTraced;
  }
}

/** True for a size-1 float: a value the scalar lane can take. */
function laneAval(x: Tensor): boolean {
  if (!isFloat(x.dtype)) return false;
  const shape = x.shape;
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) return false;
  return true;
}

/**
 * The number held by a size-1 input of a scalar-lane call: a lane tracer's own value, a concrete
 * value's; undefined for a value of a lower-level trace (which must see the call).
 */
function laneValue(x: Tensor, mine: boolean): number | undefined {
  const p = mine ? x._primal : x;
  if (p === null) return x._value;
  return p._trace === null ? p._scalarValue() : undefined;
}
