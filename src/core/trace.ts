/**
 * @file The transformation stack and `bind`, the one dispatcher every primitive call goes through.
 *
 * Each active transformation (a forward-mode or reverse-mode pass) is a Trace with a level: its
 * depth on the stack when it started. `bind` gives a call to the innermost (highest-level) trace
 * among its arguments' tracers; that trace unboxes its own tracers, binds the primitive again on
 * the values one level down, and boxes the result. Values of outer traces are constants to an
 * inner trace, which is why nested derivatives never confuse their perturbations.
 */

import type { AnyPrimitive, Primitive } from "./primitive.js";
import { Tensor } from "./tensor.js";

export abstract class Trace {
  /** Depth on the transformation stack; inner transformations have higher levels. */
  readonly level: number;
  /** Set when the transformation has returned; its tracers then act as their primal values. */
  done = false;

  constructor(level: number) {
    this.level = level;
  }

  /** Handles a primitive call in which at least one argument is a tracer of this trace. */
  abstract process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor;
}

let depth = 0;

/** Runs `body` with a new level on the transformation stack; the level is released on exit. */
export function withNewLevel<T>(body: (level: number) => T): T {
  const level = ++depth;
  try {
    return body(level);
  } finally {
    depth = level - 1;
  }
}

/** Hooks that watch every concrete primitive evaluation (debugNans, graph tools). */
export interface EvalObserver {
  afterEval(prim: AnyPrimitive, inputs: readonly Tensor[], out: Tensor): void;
}
let observer: EvalObserver | null = null;

/** @internal Installs (or, with null, removes) the evaluation observer; returns the previous one. */
export function setEvalObserver(next: EvalObserver | null): EvalObserver | null {
  const prev = observer;
  observer = next;
  return prev;
}

/** Applies a primitive: to the innermost transformation among the inputs, or evaluates it. */
export function bind<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  let top: Trace | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!._trace;
    if (t !== null && (top === null || t.level > top.level)) top = t;
  }
  if (top !== null) return top.process(prim, inputs, params);
  const aval = prim.shape(inputs, params);
  const out = Tensor._fromData(aval.shape, aval.dtype, prim.impl(inputs, params, aval));
  if (observer !== null) observer.afterEval(prim as AnyPrimitive, inputs, out);
  return out;
}

/** Unboxes the tracers of `trace` among `inputs` (used by finished traces). */
export function lowerInputs(trace: Trace, inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((x) => (x._trace === trace ? x._primal! : x));
}
