/**
 * @file The transformation stack and `bind`, the one dispatcher every primitive call goes through.
 *
 * Each active transformation (a forward-mode or reverse-mode pass) is a Trace with a level: its
 * depth on the stack when it started. `bind` gives a call to the innermost (highest-level) trace
 * among its arguments' tracers; that trace unboxes its own tracers, binds the primitive again on
 * the values one level down, and boxes the result. Values of outer traces are constants to an
 * inner trace, which is why nested derivatives never confuse their perturbations.
 */

import { isFloat } from "./dtype.js";
import type {
  AnyMultiPrimitive,
  AnyPrimitive,
  Aval,
  MultiPrimitive,
  Primitive,
} from "./primitive.js";
import { Tensor } from "./tensor.js";

export abstract class Trace {
  /** Depth on the transformation stack; inner transformations have higher levels. */
  readonly level: number;
  /** Set when the transformation has returned; its tracers then act as their primal values. */
  done = false;
  /** True for vmap's trace, whose tracers' values hold a whole batch (not readable as one value). */
  readonly batching: boolean = false;

  constructor(level: number) {
    this.level = level;
  }

  /**
   * The value one level down under a tracer of this trace. Tracers hold it in `_primal`; vmap's
   * trace may hold a structured batch instead and materialise it here.
   */
  valueOf(t: Tensor): Tensor {
    return t._primal!;
  }

  /** Handles a primitive call in which at least one argument is a tracer of this trace. */
  abstract process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor;

  /** The same for a primitive with several outputs. */
  abstract processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly Tensor[], params: P): Tensor[];
}

let depth = 0;

/** @internal How many transformations are active (0: plain evaluation). */
export function transformationDepth(): number {
  return depth;
}

/** Runs `body` with a new level on the transformation stack; the level is released on exit. */
export function withNewLevel<T>(body: (level: number) => T): T {
  const level = ++depth;
  try {
    return body(level);
  } finally {
    depth = level - 1;
  }
}

/**
 * Runs `body` with the stack at least `level` deep, so that transformations started inside get
 * levels above `level` (used when a finished trace is re-opened to recompute a checkpoint).
 */
export function withLevelAtLeast<T>(level: number, body: () => T): T {
  const saved = depth;
  if (depth < level) depth = level;
  try {
    return body();
  } finally {
    depth = saved;
  }
}

/** Hooks that watch every concrete primitive evaluation (debugNans, graph tools). */
export interface EvalObserver {
  /** Called once per output of every evaluated primitive. */
  afterEval(prim: AnyPrimitive | AnyMultiPrimitive, inputs: readonly Tensor[], out: Tensor): void;
}
let observer: EvalObserver | null = null;

/** @internal Installs (or, with null, removes) the evaluation observer; returns the previous one. */
export function setEvalObserver(next: EvalObserver | null): EvalObserver | null {
  const prev = observer;
  observer = next;
  return prev;
}

/** @internal True while an evaluation observer is installed (fast paths that skip bind defer to it). */
export function hasEvalObserver(): boolean {
  return observer !== null;
}

/** Applies a primitive: to the innermost transformation among the inputs, or evaluates it. */
export function bind<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  const top = innermostTrace(inputs);
  if (top !== null) return top.process(prim, inputs, params);
  const aval = prim.shape(inputs, params);
  const out =
    prim.scalar !== undefined && isFloat(aval.dtype) && allOnes(aval.shape)
      ? scalarEval(prim, inputs, params, aval)
      : Tensor._fromData(aval.shape, aval.dtype, prim.impl(inputs, params, aval));
  if (observer !== null) observer.afterEval(prim as AnyPrimitive, inputs, out);
  return out;
}

/** Applies a primitive with several outputs: to the innermost transformation, or evaluates it. */
export function bindMulti<P>(
  prim: MultiPrimitive<P>,
  inputs: readonly Tensor[],
  params: P,
): Tensor[] {
  const top = innermostTrace(inputs);
  if (top !== null) return top.processMulti(prim, inputs, params);
  const avals = prim.shape(inputs, params);
  const datas = prim.impl(inputs, params, avals);
  const outs = avals.map((a, i) => Tensor._fromData(a.shape, a.dtype, datas[i]!));
  if (observer !== null)
    for (const out of outs) observer.afterEval(prim as AnyMultiPrimitive, inputs, out);
  return outs;
}

/** The highest-level trace among the inputs' tracers, or null when all are concrete. */
export function innermostTrace(inputs: readonly Tensor[]): Trace | null {
  let top: Trace | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!._trace;
    if (t !== null && (top === null || t.level > top.level)) top = t;
  }
  return top;
}

function allOnes(shape: readonly number[]): boolean {
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) return false;
  return true;
}

/**
 * The scalar fast path: a size-1 float result computed on JS numbers, its storage left to be made
 * only if a kernel ever reads it. Scalar code (and its backward pass) allocates no typed arrays.
 */
function scalarEval<P>(
  prim: Primitive<P>,
  inputs: readonly Tensor[],
  params: P,
  aval: Aval,
): Tensor {
  const n = inputs.length;
  const v = prim.scalar!(
    n > 0 ? inputs[0]!._scalarValue() : 0,
    n > 1 ? inputs[1]!._scalarValue() : 0,
    params,
  );
  return Tensor._fromScalar(aval.shape, aval.dtype, aval.dtype === "float32" ? Math.fround(v) : v);
}
