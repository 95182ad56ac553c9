/**
 * @file The transformation stack and `bind`, the one dispatcher every primitive call goes through.
 *
 * Each active transformation (a forward-mode or reverse-mode pass) is a Trace with a level: its
 * depth on the stack when it started. `bind` gives a call to the innermost (highest-level) trace
 * among its arguments' tracers; that trace unboxes its own tracers, binds the primitive again on
 * the values one level down, and boxes the result. Values of outer traces are constants to an
 * inner trace, which is why nested derivatives never confuse their perturbations.
 */

import { allocationContext, isFloat, type TypedArray } from "./dtype.js";
import { type AnyNode, isMultiOutput } from "./node.js";
import type {
  AnyMultiPrimitive,
  AnyPrimitive,
  Aval,
  MultiPrimitive,
  Primitive,
} from "./primitive.js";
import { escapedTracerError, Tensor } from "./tensor.js";

export abstract class Trace {
  /** Depth on the transformation stack; inner transformations have higher levels. */
  readonly level: number;
  /** Set when the transformation has returned; using one of its tracers is then a TracerError. */
  done = false;
  /** True for vmap's trace, whose tracers' values hold a whole batch (not readable as one value). */
  readonly batching: boolean = false;
  /** True for makeGraph's staging trace, whose tracers have a shape and dtype but no value. */
  readonly staging: boolean = false;
  /** The user-facing transformation that started this trace (grad, jvp, vmap...), for messages. */
  label = "a transformation";

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

  /**
   * Handles a primitive call in which at least one argument is a tracer of this trace; returns
   * the outputs (one for a single-output primitive: every primitive is one node kind, see node.ts).
   */
  abstract process(prim: AnyNode, inputs: readonly Tensor[], params: unknown): Tensor[];
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
  afterEval(prim: AnyNode, inputs: readonly Tensor[], out: Tensor): void;
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

/**
 * The derivative rule running now, as debugNans reports it: the recorded op whose VJP (the
 * backward pass) or JVP (forward mode) rule is being evaluated, that op's inputs, and where the
 * user called it. Set only while rule tracking is on, by the loops that call the rules.
 */
export interface RuleScope {
  readonly prim: string;
  readonly phase: "backward" | "forward-mode derivative";
  readonly inputs: readonly Tensor[];
  /** An Error made when the op ran forward (its stack holds the call site); null: the current stack. */
  readonly site: Error | null;
}
let tracking = false;
let scope: RuleScope | null = null;

/** @internal Turns rule tracking (call sites on tape entries, rule scopes) on or off; debugNans. */
export function setRuleTracking(on: boolean): void {
  tracking = on;
}

/** @internal True while rule tracking is on: the one check the hot paths make when it is off. */
export function isTrackingRules(): boolean {
  return tracking;
}

/** @internal The derivative rule running now, or null (outside any rule, or tracking off). */
export function currentRuleScope(): RuleScope | null {
  return scope;
}

/** @internal Sets the rule running now (null: none); returns the previous one, to restore. */
export function enterRuleScope(next: RuleScope | null): RuleScope | null {
  const prev = scope;
  scope = next;
  return prev;
}

/** Error with V8's frame limit (which other engines ignore); not in the ES library types. */
const V8Error: ErrorConstructor & { stackTraceLimit?: number } = Error;

/**
 * @internal The stack here, kept as an Error whose `stack` is formatted only if it is read: the
 * user's call site of an op being recorded. Deep enough to get past adjoint's own frames.
 */
export function captureSite(): Error {
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 100;
  const site = new Error("call site");
  V8Error.stackTraceLimit = limit;
  return site;
}

/**
 * Applies a primitive to tensors: hands it to the innermost transformation among the inputs
 * (grad, jvp, vmap...) or, for concrete inputs, checks shapes with `prim.shape` and runs
 * `prim.impl`. Every op in adjoint ends in a call to bind; call it yourself for primitives
 * declared with {@link definePrimitive}.
 *
 * @param prim - The primitive to apply.
 * @param inputs - Its tensor operands (convert numbers and arrays with {@link tensor} first).
 * @param params - Its parameters (`undefined` for a primitive without any).
 * @throws {@link TracerError} when an input is a tracer whose transformation has already returned.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const add = ad.registeredPrimitives().get("add") as ad.Primitive;
 * ad.bind(add, [ad.tensor([1, 2]), ad.tensor([10, 20])], undefined); // => tensor([11., 22.], dtype=float32)
 * ```
 * @category Primitives
 */
export function bind<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: NoInfer<P>): Tensor {
  // bindNode's dispatch, with the output list left out of the concrete case (the eager hot path).
  const top = innermostTrace(inputs, prim.name);
  if (top !== null) return top.process(prim as AnyPrimitive, inputs, params)[0]!;
  return evaluate(prim as AnyPrimitive, inputs, params);
}

/**
 * @internal The one dispatcher: hands the call to the innermost transformation among the
 * inputs, or evaluates it on concrete inputs. Returns the outputs as a list, whatever the
 * primitive's declaration form (`bind` and `bindMulti` are its wrappers).
 */
export function bindNode(prim: AnyNode, inputs: readonly Tensor[], params: unknown): Tensor[] {
  const top = innermostTrace(inputs, prim.name);
  if (top !== null) return top.process(prim, inputs, params);
  return isMultiOutput(prim)
    ? evaluateMulti(prim, inputs, params)
    : [evaluate(prim, inputs, params)];
}

/** A concrete evaluation of a single-output primitive. */
function evaluate(prim: AnyPrimitive, inputs: readonly Tensor[], params: unknown): Tensor {
  const aval = prim.shape(inputs, params);
  const out =
    prim.scalar !== undefined && isFloat(aval.dtype) && allOnes(aval.shape)
      ? scalarEval(prim, inputs, params, aval)
      : Tensor._fromData(aval.shape, aval.dtype, implOne(prim, inputs, params, aval));
  if (observer !== null) observer.afterEval(prim, inputs, out);
  return out;
}

/** A concrete evaluation of a multi-output primitive. */
function evaluateMulti(
  prim: AnyMultiPrimitive,
  inputs: readonly Tensor[],
  params: unknown,
): Tensor[] {
  const avals = prim.shape(inputs, params);
  const datas = implChecked(prim, inputs, params, avals);
  const outs = avals.map((a, i) => Tensor._fromData(a.shape, a.dtype, datas[i]!));
  if (observer !== null) for (const out of outs) observer.afterEval(prim, inputs, out);
  return outs;
}

/** `impl`, with a failed allocation reported as a ValueError naming the op and shape. */
function implOne(
  prim: AnyPrimitive,
  inputs: readonly Tensor[],
  params: unknown,
  aval: Aval,
): TypedArray {
  try {
    return prim.impl(inputs, params, aval);
  } catch (e) {
    throw allocationContext(e, prim.name, aval.shape, aval.dtype);
  }
}

/** The same for a multi-output primitive (the first output's shape in the message). */
function implChecked(
  prim: AnyMultiPrimitive,
  inputs: readonly Tensor[],
  params: unknown,
  avals: readonly Aval[],
): readonly TypedArray[] {
  try {
    return prim.impl(inputs, params, avals);
  } catch (e) {
    throw allocationContext(e, prim.name, avals[0]?.shape ?? [], avals[0]?.dtype ?? "float32");
  }
}

/**
 * Applies a primitive with several outputs (see {@link defineMultiPrimitive}) and returns its
 * outputs in order; otherwise as {@link bind}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const halves = ad.defineMultiPrimitive({
 *   name: "example_halves",
 *   multipleResults: true,
 *   shape: ([x]) => [{ shape: [1], dtype: x!.dtype }, { shape: [1], dtype: x!.dtype }],
 *   impl: ([x]) => [x!.dataSync().slice(0, 1), x!.dataSync().slice(1, 2)],
 *   jvp: (_, [dx]) => (dx ? [ad.slice(dx, [0], [1]), ad.slice(dx, [1], [1])] : [null, null]),
 *   vjp: ([c0, c1]) => [ad.concat([c0 ?? ad.zeros([1]), c1 ?? ad.zeros([1])])],
 * });
 * ad.bindMulti(halves, [ad.tensor([3, 4])], undefined); // => [tensor([3.], dtype=float32), tensor([4.], dtype=float32)]
 * ```
 * @category Primitives
 */
export function bindMulti<P>(
  prim: MultiPrimitive<P>,
  inputs: readonly Tensor[],
  params: NoInfer<P>,
): Tensor[] {
  return bindNode(prim as MultiPrimitive<unknown>, inputs, params);
}

/**
 * The highest-level trace among the inputs' tracers, or null when all are concrete. A tracer whose
 * transformation has returned (stored in a closure or used after an `await`) is a TracerError:
 * its level may since have been reused by another transformation, and a vmap tracer's value is a
 * whole batch, so no answer computed from it would be right. `op` names the op in the message.
 */
export function innermostTrace(inputs: readonly Tensor[], op = "an op"): Trace | null {
  let top: Trace | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!._trace;
    if (t === null) continue;
    if (t.done) throw escapedTracerError(op, inputs[i]!, `argument ${i}`);
    if (top === null || t.level > top.level) top = t;
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
