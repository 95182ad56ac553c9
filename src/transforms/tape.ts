/**
 * @file Reverse mode: a trace that records every primitive call on a tape, and the two walks over
 * a tape: backward (VJP rules in reverse order, summing adjoints) and forward replay (JVP rules
 * in recorded order, used by linearize and jacfwd).
 *
 * Entries are appended in execution order, so an entry's inputs always sit at lower indices:
 * walking the tape from the end is a reverse topological order. Both walks are loops, never
 * recursion, so a chain of millions of calls needs no stack.
 */

import {
  type DType,
  inScratch,
  isFloat,
  scratchDrop,
  scratchHold,
  scratchSweep,
  scratchUnsafe,
  type TypedArray,
  withScratch,
} from "../core/dtype.js";
import { AdjointError } from "../core/errors.js";
import type {
  AnyMultiPrimitive,
  AnyPrimitive,
  MultiPrimitive,
  Primitive,
} from "../core/primitive.js";
import type { Shape } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import {
  bind,
  bindMulti,
  captureSite,
  currentRuleScope,
  enterRuleScope,
  hasEvalObserver,
  isTrackingRules,
  type RuleScope,
  Trace,
  transformationDepth,
} from "../core/trace.js";
import { add } from "../ops/index.js";
import { fitCotangent, fitTangent } from "./fit.js";

/** Marks a missing second input of a unary call in `slot1`. */
const ABSENT = -2;

/**
 * The trace of the values a tape does not keep (`unread`): any op on one reaches this trace,
 * which throws, so a VJP rule that reads a value its `vjpReads` leaves out fails loudly instead
 * of computing with missing data. Its level (0) is below every real transformation's.
 */
class UnreadTrace extends Trace {
  override valueOf(): Tensor {
    throw unreadError("a tape value");
  }
  process<P>(prim: Primitive<P>): Tensor {
    throw unreadError(prim.name);
  }
  processMulti<P>(prim: MultiPrimitive<P>): Tensor[] {
    throw unreadError(prim.name);
  }
}

function unreadError(op: string): AdjointError {
  return new AdjointError(
    `internal error: ${op} read a value that the tape did not keep (a primitive's vjpReads leaves out a value its vjp reads)`,
  );
}

const UNREAD_TRACE = new UnreadTrace(0);

/** A concrete value of at most 1 KiB, which the tape keeps whether its rule reads it or not. */
function isSmall(x: Tensor): boolean {
  if (x._trace !== null) return false;
  const buf = x._buf;
  return buf === null || buf.byteLength <= 1024;
}
let lastUnread: Tensor | null = null;

/**
 * A stand-in for a value the tape does not keep: its shape and dtype (all a rule may use of it,
 * e.g. to fit a cotangent), no data. Consecutive calls on the same shape share one object.
 * A small concrete value (at most 1 KiB, a view into a shared chunk, see decision 0008) is kept
 * as it is: dropping it would free next to nothing and cost the small-tensor hot path a stand-in.
 */
function unread(x: Tensor): Tensor {
  if (isSmall(x)) return x;
  const last = lastUnread;
  if (last !== null && last.shape === x.shape && last.dtype === x.dtype) return last;
  const t = new Tensor(x.shape, x.dtype, null, UNREAD_TRACE, null, null, -1);
  lastUnread = t;
  return t;
}

/** The inputs of a call that are not kept inline, and the outputs of a multi-output call. */
interface ManyInputs {
  readonly primals: readonly Tensor[];
  readonly slots: readonly number[];
  readonly outs?: readonly Tensor[];
}

/**
 * The recorded calls, stored as parallel arrays (one entry per call, no object per call: a long
 * recording is mostly this tape, and fewer objects make it cheaper for the garbage collector).
 * Entry i holds what the VJP rule of call i needs: its primitive, params, inputs one level down,
 * output, and the tape index of each input (-1 for a value that is constant to this trace).
 * Unary and binary calls keep their inputs inline; other arities keep arrays in `many`.
 * An entry with a null primitive is an input of the differentiated function (a leaf, slot0 = -1)
 * or one output of a multi-output call (a projection: slot0 = the call's entry, params = the
 * output's index). A multi-output call's own entry keeps its outputs in `many`.
 *
 * The scalar lane: a unary or binary call on size-1 float values whose primitive has a
 * `scalarVjp` is recorded without Tensors: `outs`, `in0` and `in1` are null and the values sit in
 * `outVal`, `in0Val`, `in1Val` (arrays of doubles), with the shape and dtype they share. Scalar
 * code under grad then keeps no object per op alive, and its backward pass runs on numbers.
 * `outAt`, `primalsOf` make the Tensors when something else needs them.
 */
export class Tape {
  readonly prims: (AnyPrimitive | AnyMultiPrimitive | null)[] = [];
  readonly params: unknown[] = [];
  readonly outs: (Tensor | null)[] = [];
  readonly in0: (Tensor | null)[] = [];
  readonly in1: (Tensor | null)[] = [];
  readonly slot0: number[] = [];
  readonly slot1: number[] = [];
  readonly many: (ManyInputs | null)[] = [];
  readonly outVal: number[] = [];
  readonly in0Val: number[] = [];
  readonly in1Val: number[] = [];
  readonly laneShape: (Shape | null)[] = [];
  readonly laneDType: (DType | null)[] = [];
  /** Set when a custom entry (customVjp, customJvp, checkpoint, scan) runs user code backward. */
  hasCustom = false;
  /**
   * Set for a recording that is only ever walked backward (grad, valueAndGrad, vjp): entries then
   * keep only the values their VJP rule reads (`Primitive.vjpReads`), the others as shape and
   * dtype alone (`unread`). Forward replay needs every value and refuses such a tape.
   */
  keepsOnlyReads = false;
  /**
   * While rule tracking is on (debugNans): the user's call site of each recorded call, by entry
   * index (see `captureSite`); entries recorded while it is off have none. Null until one is kept.
   */
  sites: (Error | undefined)[] | null = null;

  get length(): number {
    return this.outs.length;
  }

  /** Appends a leaf (an input of the differentiated function); returns its index. */
  pushLeaf(x: Tensor): number {
    return this.push(null, undefined, x, null, null, -1, ABSENT, null);
  }

  /** Appends a call; returns its index. */
  /** Appends a binary call (inputs inline); returns its index. */
  pushBinary(
    prim: AnyPrimitive,
    params: unknown,
    x0: Tensor,
    x1: Tensor,
    s0: number,
    s1: number,
    out: Tensor,
  ): number {
    // (Small values are kept anyway: the common small-tensor case skips the declaration.)
    const vjpReads =
      this.keepsOnlyReads && !(isSmall(out) && isSmall(x0) && isSmall(x1)) && !isTrackingRules()
        ? prim.vjpReads
        : undefined;
    if (vjpReads !== undefined) {
      const reads = vjpReads(NEEDS_2[(s0 >= 0 ? 1 : 0) + (s1 >= 0 ? 2 : 0)]!);
      return this.push(
        prim,
        params,
        reads.out ? out : unread(out),
        reads.inputs[0] === true ? x0 : this.unreadInput(x0, s0),
        reads.inputs[1] === true ? x1 : this.unreadInput(x1, s1),
        s0,
        s1,
        null,
      );
    }
    return this.push(prim, params, out, x0, x1, s0, s1, null);
  }

  pushCall(
    prim: AnyPrimitive,
    params: unknown,
    primals: readonly Tensor[],
    slots: readonly number[],
    out: Tensor,
  ): number {
    const n = primals.length;
    const vjpReads =
      this.keepsOnlyReads &&
      !(n === 1 && isSmall(out) && isSmall(primals[0]!)) &&
      !isTrackingRules()
        ? prim.vjpReads
        : undefined;
    if (vjpReads !== undefined) {
      const reads = vjpReads(n === 1 ? NEEDS_1[slots[0]! >= 0 ? 1 : 0]! : slots.map((s) => s >= 0));
      if (!reads.out) out = unread(out);
      if (n === 1) {
        const x = reads.inputs[0] === true ? primals[0]! : this.unreadInput(primals[0]!, slots[0]!);
        return this.push(prim, params, out, x, null, slots[0]!, ABSENT, null);
      }
      primals = primals.map((x, i) =>
        reads.inputs[i] === true ? x : this.unreadInput(x, slots[i]!),
      );
    }
    if (n === 1) return this.push(prim, params, out, primals[0]!, null, slots[0]!, ABSENT, null);
    if (n === 2)
      return this.push(prim, params, out, primals[0]!, primals[1]!, slots[0]!, slots[1]!, null);
    return this.push(prim, params, out, null, null, -1, ABSENT, { primals, slots });
  }

  /**
   * What the entry of a call keeps of an input (at tape index `s`) that its rule does not read:
   * nothing for a value the recording made, the input itself for a leaf (an argument of the
   * differentiated function, which its caller holds anyway).
   */
  private unreadInput(x: Tensor, s: number): Tensor {
    return s >= 0 && this.prims[s] === null && this.slot0[s] === -1 ? x : unread(x);
  }

  /**
   * Appends a multi-output call and one projection entry per float output; returns the index of
   * each output's projection (-1 for integer outputs, which carry no derivative).
   */
  pushMulti(
    prim: AnyMultiPrimitive,
    params: unknown,
    primals: readonly Tensor[],
    slots: readonly number[],
    outs: readonly Tensor[],
  ): number[] {
    const call = this.push(prim, params, outs[0]!, null, null, -1, ABSENT, {
      primals,
      slots,
      outs,
    });
    return outs.map((out, i) =>
      isFloat(out.dtype) ? this.push(null, i, out, null, null, call, ABSENT, null) : -1,
    );
  }

  private push(
    prim: AnyPrimitive | AnyMultiPrimitive | null,
    params: unknown,
    out: Tensor,
    x0: Tensor | null,
    x1: Tensor | null,
    s0: number,
    s1: number,
    many: ManyInputs | null,
  ): number {
    this.prims.push(prim);
    this.params.push(params);
    this.outs.push(out);
    this.in0.push(x0);
    this.in1.push(x1);
    this.slot0.push(s0);
    this.slot1.push(s1);
    this.many.push(many);
    this.outVal.push(0);
    this.in0Val.push(0);
    this.in1Val.push(0);
    this.laneShape.push(null);
    this.laneDType.push(null);
    const i = this.outs.length - 1;
    if (isTrackingRules() && prim !== null) this.keepSite(i);
    return i;
  }

  /**
   * Keeps the user's call site of call i (debugNans): an op recorded while a derivative rule runs
   * (nested derivatives, a checkpoint's re-run) belongs to the call that rule is for.
   */
  private keepSite(i: number): void {
    (this.sites ??= [])[i] = currentRuleScope()?.site ?? captureSite();
  }

  /** The scope of call i's derivative rule, for debugNans (see `RuleScope`). */
  ruleScope(i: number, phase: RuleScope["phase"]): RuleScope {
    return {
      prim: this.prims[i]!.name,
      phase,
      inputs: this.primalsOf(i),
      site: this.sites?.[i] ?? null,
    };
  }

  /** Appends a scalar-lane call (see the class comment); s1 is ABSENT for a unary call. */
  pushLane(
    prim: AnyPrimitive,
    params: unknown,
    s0: number,
    s1: number,
    v0: number,
    v1: number,
    out: number,
    shape: Shape,
    dtype: DType,
  ): number {
    this.prims.push(prim);
    this.params.push(params);
    this.outs.push(null);
    this.in0.push(null);
    this.in1.push(null);
    this.slot0.push(s0);
    this.slot1.push(s1);
    this.many.push(null);
    this.outVal.push(out);
    this.in0Val.push(v0);
    this.in1Val.push(v1);
    this.laneShape.push(shape);
    this.laneDType.push(dtype);
    return this.outs.length - 1;
  }

  /** The output of entry i (made from its number for a scalar-lane entry). */
  outAt(i: number): Tensor {
    return (
      this.outs[i] ?? Tensor._fromScalar(this.laneShape[i]!, this.laneDType[i]!, this.outVal[i]!)
    );
  }

  /** The shape of entry i's output. */
  shapeAt(i: number): Shape {
    return this.outs[i]?.shape ?? this.laneShape[i]!;
  }

  /** The dtype of entry i's output. */
  dtypeAt(i: number): DType {
    return this.outs[i]?.dtype ?? this.laneDType[i]!;
  }

  /** Drops the entries from `length` on (a checkpointed range whose internals are not kept). */
  truncate(length: number): void {
    for (const a of [
      this.prims,
      this.params,
      this.outs,
      this.in0,
      this.in1,
      this.slot0,
      this.slot1,
      this.many,
      this.outVal,
      this.in0Val,
      this.in1Val,
      this.laneShape,
      this.laneDType,
    ]) {
      a.length = length;
    }
    if (this.sites !== null && this.sites.length > length) this.sites.length = length;
  }

  /** The entries below `start` that the entries from `start` on read, in increasing order. */
  readsBefore(start: number): number[] {
    const found = new Set<number>();
    for (let i = start; i < this.length; i++) {
      if (this.prims[i] === null) {
        const call = this.slot0[i]!; // a projection reads its call, which is in the range
        if (call >= 0 && call < start) found.add(call);
        continue;
      }
      for (const s of this.slotsOf(i)) if (s >= 0 && s < start) found.add(s);
    }
    return [...found].sort((a, b) => a - b);
  }

  /** The inputs of call i, one level down. */
  primalsOf(i: number): readonly Tensor[] {
    const many = this.many[i];
    if (many !== null && many !== undefined) return many.primals;
    if (this.outs[i] === null) {
      const shape = this.laneShape[i]!;
      const dtype = this.laneDType[i]!;
      const x0 = Tensor._fromScalar(shape, dtype, this.in0Val[i]!);
      if (this.slot1[i] === ABSENT) return [x0];
      return [x0, Tensor._fromScalar(shape, dtype, this.in1Val[i]!)];
    }
    const x1 = this.in1[i]!;
    return x1 === null ? [this.in0[i]!] : [this.in0[i]!, x1];
  }

  /** The tape index of each input of call i (-1: constant to this trace). */
  slotsOf(i: number): readonly number[] {
    const many = this.many[i];
    if (many !== null && many !== undefined) return many.slots;
    const s1 = this.slot1[i]!;
    return s1 === ABSENT ? [this.slot0[i]!] : [this.slot0[i]!, s1];
  }
}

/** The derivative rules of one custom call: cotangents of its inputs, tangents of its outputs. */
export interface CustomRules {
  vjp(cts: readonly (Tensor | null)[]): readonly (Tensor | null)[];
  jvp(tangents: readonly (Tensor | null)[]): readonly (Tensor | null)[];
}

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

  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
    const n = inputs.length;
    if (n === 2) return this.process2(prim, inputs[0]!, inputs[1]!, params);
    if (n === 1 && prim.scalarVjp !== undefined) {
      const x = inputs[0]!;
      if (x._trace === this && laneAval(x) && !this.done && !hasEvalObserver()) {
        const xv = laneValue(x, true);
        if (xv !== undefined) {
          return this.pushLane(prim as AnyPrimitive, params, x, x._slot, ABSENT, xv, 0);
        }
      }
    }
    const primals = new Array<Tensor>(n);
    const slots = new Array<number>(n);
    const anyTraced = this.unbox(inputs, primals, slots);
    const out = bind(prim, primals, params);
    if (!anyTraced || this.done || !isFloat(out.dtype)) return out;
    const slot = this.tape.pushCall(prim as AnyPrimitive, params, primals, slots, out);
    return Tensor._tracer(this, out, null, slot);
  }

  /**
   * The binary case without the primals/slots arrays (the entry stores its inputs inline): the
   * per-op hot path of scalar code under grad.
   */
  private process2<P>(prim: Primitive<P>, x: Tensor, y: Tensor, params: P): Tensor {
    const xMine = x._trace === this;
    const yMine = y._trace === this;
    if (
      prim.scalarVjp !== undefined &&
      (xMine || yMine) &&
      x.dtype === y.dtype &&
      x.shape.length === y.shape.length &&
      laneAval(x) &&
      laneAval(y) &&
      !this.done &&
      !hasEvalObserver()
    ) {
      const xv = laneValue(x, xMine);
      const yv = laneValue(y, yMine);
      if (xv !== undefined && yv !== undefined) {
        const s0 = xMine ? x._slot : -1;
        const s1 = yMine ? y._slot : -1;
        return this.pushLane(prim as AnyPrimitive, params, x, s0, s1, xv, yv);
      }
    }
    const p0 = xMine ? (x._primal ?? this.valueOf(x)) : x;
    const p1 = yMine ? (y._primal ?? this.valueOf(y)) : y;
    const out = bind(prim, [p0, p1], params);
    if (!(xMine || yMine) || this.done || !isFloat(out.dtype)) return out;
    const slot = this.tape.pushBinary(
      prim as AnyPrimitive,
      params,
      p0,
      p1,
      xMine ? x._slot : -1,
      yMine ? y._slot : -1,
      out,
    );
    return Tensor._tracer(this, out, null, slot);
  }

  /** Evaluates a scalar-lane call on numbers and records it; returns its tracer. */
  private pushLane(
    prim: AnyPrimitive,
    params: unknown,
    like: Tensor,
    s0: number,
    s1: number,
    v0: number,
    v1: number,
  ): Tensor {
    const raw = prim.scalar!(v0, v1, params);
    const out = like.dtype === "float32" ? Math.fround(raw) : raw;
    const slot = this.tape.pushLane(prim, params, s0, s1, v0, v1, out, like.shape, like.dtype);
    return Tensor._scalarTracer(this, like.shape, like.dtype, slot, out);
  }

  processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly Tensor[], params: P): Tensor[] {
    const primals = new Array<Tensor>(inputs.length);
    const slots = new Array<number>(inputs.length);
    const anyTraced = this.unbox(inputs, primals, slots);
    const outs = bindMulti(prim, primals, params);
    if (!anyTraced || this.done) return outs;
    const outSlots = this.tape.pushMulti(prim as AnyMultiPrimitive, params, primals, slots, outs);
    return outs.map((out, i) =>
      outSlots[i]! >= 0 ? Tensor._tracer(this, out, null, outSlots[i]!) : out,
    );
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
    const outSlots = this.tape.pushMulti(entry, undefined, primals, slots, outs);
    return outs.map((out, i) =>
      outSlots[i]! >= 0 ? Tensor._tracer(this, out, null, outSlots[i]!) : out,
    );
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

const NEEDS_2: readonly (readonly boolean[])[] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
const NEEDS_1: readonly (readonly boolean[])[] = [[false], [true]];

/**
 * Adjoints of a walk over the tape entries from `base` on: `local[i - base]` for those entries,
 * and `external` for entries below `base` that they read (a checkpointed range re-run at the end
 * of the tape reads the values it was given from before it). Scalar-lane adjoints are numbers in
 * `num` (where `hasNum` is set) until something needs a Tensor.
 */
class Adjoints {
  readonly local: (Tensor | null)[];
  readonly external = new Map<number, Tensor>();
  readonly num: Float64Array;
  readonly hasNum: Uint8Array;
  constructor(
    readonly tape: Tape,
    readonly base: number,
    size: number,
    /** The walk recycles as it goes: every adjoint stored or removed is reported (`hold`, `drop`). */
    readonly tracks: boolean,
  ) {
    this.local = new Array<Tensor | null>(size).fill(null);
    this.num = new Float64Array(size);
    this.hasNum = new Uint8Array(size);
  }

  add(slot: number, g: Tensor): void {
    if (slot < this.base) {
      const prev = this.external.get(slot);
      this.external.set(slot, prev === undefined ? g : this.sum(prev, g));
      return;
    }
    const i = slot - this.base;
    const prev = this.hasNum[i] === 1 ? this.take(i) : this.local[i]!;
    this.local[i] = prev === null ? this.hold(g) : this.sum(prev, g);
  }

  /** prev + g, where prev leaves the table and the sum enters it. */
  private sum(prev: Tensor, g: Tensor): Tensor {
    const s = add(prev, g);
    this.drop(prev);
    return this.hold(s);
  }

  /** Reports that the table now holds t (see `scratchHold`); returns t. */
  hold(t: Tensor): Tensor {
    if (this.tracks) {
      const buf = t._buf;
      if (buf !== null) scratchHold(buf);
      else if (t._trace !== null) scratchUnsafe();
    }
    return t;
  }

  /** Reports that the table no longer holds t. */
  drop(t: Tensor): void {
    if (this.tracks) {
      const buf = t._buf;
      if (buf !== null) scratchDrop(buf);
    }
  }

  /** Adds a numeric cotangent (rounded to the slot's dtype) without making a Tensor. */
  addNum(slot: number, g: number): void {
    const i = slot - this.base;
    if (slot < this.base || this.local[i] !== null) {
      const tape = this.tape;
      this.add(slot, Tensor._fromScalar(tape.shapeAt(slot), tape.dtypeAt(slot), g));
      return;
    }
    if (this.hasNum[i] === 1) {
      const sum = this.num[i]! + g;
      this.num[i] = this.tape.dtypeAt(slot) === "float32" ? Math.fround(sum) : sum;
    } else {
      this.num[i] = g;
      this.hasNum[i] = 1;
    }
  }

  /** Moves local adjoint i from `num` into `local` as a Tensor and returns it. */
  take(i: number): Tensor {
    const slot = i + this.base;
    const t = Tensor._fromScalar(this.tape.shapeAt(slot), this.tape.dtypeAt(slot), this.num[i]!);
    this.hasNum[i] = 0;
    this.local[i] = t;
    return t;
  }
}

const identity = (v: number): number => v;
/** The two cotangents a scalar-lane rule writes (one array, reused). */
const laneGrads = [0, 0];

/**
 * Propagates cotangents from `seeds` (tape index, cotangent) back to the leaves. Returns the
 * adjoint of every index that still holds one at the end: the leaves (null where none flowed).
 */
export function backward(
  tape: Tape,
  seeds: readonly (readonly [number, Tensor])[],
): (Tensor | null)[] {
  return recyclingPass(
    tape,
    () => {
      const adj = walkBack(tape, seeds, 0);
      for (let i = 0; i < adj.hasNum.length; i++) if (adj.hasNum[i] === 1) adj.take(i);
      return adj.local;
    },
    (adjoints) => adjoints,
  );
}

/**
 * Runs `body`, a pass over `tape` whose results are `results(body())`. When no transformation is
 * active, the tape runs no user code (no custom entries) and no observer watches, nothing but
 * those results can reach the large arrays the pass makes: the others are recycled (decision
 * 0009), by a backward walk as soon as they die (`walkBack` sweeps between entries), and at the
 * end otherwise. Otherwise body just runs.
 */
export function recyclingPass<T>(
  tape: Tape,
  body: () => T,
  results: (result: T) => readonly (Tensor | null)[],
): T {
  if (transformationDepth() !== 0 || tape.hasCustom || hasEvalObserver() || inScratch()) {
    return body();
  }
  return withScratch(body, (result) => {
    const escaping = new Set<TypedArray>();
    for (const t of results(result)) {
      const buf = t === null ? null : t._concrete()._buf;
      if (buf !== null) escaping.add(buf);
    }
    return escaping;
  });
}

/**
 * Backward over the entries from `base` to the end only; returns the adjoints that flowed out of
 * that range into entries below `base`, by index.
 */
export function backwardRange(
  tape: Tape,
  base: number,
  seeds: readonly (readonly [number, Tensor])[],
): Map<number, Tensor> {
  return walkBack(tape, seeds, base).external;
}

/** Called after each entry of every backward walk when set (see `setBackwardProbe`). */
let walkProbe: (() => void) | null = null;

/**
 * @internal Installs a function that every backward walk calls once per tape entry (null removes
 * it): memory benchmarks and tests sample the live heap there, inside the pass.
 */
export function setBackwardProbe(probe: (() => void) | null): void {
  walkProbe = probe;
}

function walkBack(
  tape: Tape,
  seeds: readonly (readonly [number, Tensor])[],
  base: number,
): Adjoints {
  if (!isTrackingRules()) return walkBackLoop(tape, seeds, base, false);
  // debugNans: each rule runs in its entry's scope; none is left set if a rule throws.
  const outer = currentRuleScope();
  try {
    return walkBackLoop(tape, seeds, base, true);
  } finally {
    enterRuleScope(outer);
  }
}

function walkBackLoop(
  tape: Tape,
  seeds: readonly (readonly [number, Tensor])[],
  base: number,
  scoped: boolean,
): Adjoints {
  const { prims, params, outs, in0, in1, slot0, slot1, many } = tape;
  // Recycling as the walk goes (decision 0009): between entries, the only way to the arrays the
  // walk made is the adjoint table, so what it does not hold is dead. Only in a plain pass.
  const tracks = inScratch() && transformationDepth() === 0;
  const adj = new Adjoints(tape, base, tape.length - base, tracks);
  const cts = adj.local;
  const hasNum = adj.hasNum;
  for (const [slot, ct] of seeds) adj.add(slot, fitCotangent(ct, tape.outAt(slot)));
  // Cotangents gathered from projections for their multi-output call, by the call's index.
  let multiCts: Map<number, (Tensor | null)[]> | null = null;
  for (let i = tape.length - 1; i >= base; i--) {
    if (tracks) scratchSweep(); // what entry i + 1's rule made and nothing holds
    if (walkProbe !== null) walkProbe();
    const k = i - base;
    const lane = outs[i] === null;
    if (hasNum[k] === 1) {
      if (lane) {
        // The scalar lane: a number in, numbers out.
        hasNum[k] = 0;
        walkLane(tape, adj, i, adj.num[k]!);
        continue;
      }
      if (prims[i] === null && slot0[i]! < 0) continue; // a leaf keeps it (made a Tensor at the end)
      adj.take(k);
    }
    const ct = cts[k]!;
    if (ct !== null && lane && ct._trace === null) {
      cts[k] = null;
      adj.drop(ct);
      walkLane(tape, adj, i, ct._scalarValue());
      continue;
    }
    if (ct === null) {
      const gathered = multiCts?.get(i);
      if (gathered !== undefined) {
        multiCts!.delete(i);
        const { primals, slots, outs: callOuts } = many[i]!;
        const call = prims[i] as AnyMultiPrimitive;
        if (scoped) enterRuleScope(tape.ruleScope(i, "backward"));
        const gs = call.vjp(
          gathered,
          primals,
          callOuts!,
          params[i],
          slots.map((s) => s >= 0),
        );
        for (let j = 0; j < slots.length; j++) {
          const s = slots[j]!;
          const g = gs[j];
          if (s >= 0 && g !== null && g !== undefined) adj.add(s, fitCotangent(g, primals[j]!));
        }
        for (const c of gathered) if (c !== null) adj.drop(c); // moved here from projections
      }
      continue;
    }
    const prim = prims[i]!;
    if (prim === null) {
      const call = slot0[i]!;
      if (call < 0) continue; // a leaf: its adjoint stays for the caller
      // A projection: hand the cotangent to its multi-output call.
      cts[i - base] = null;
      multiCts ??= new Map();
      let list = multiCts.get(call);
      if (list === undefined) {
        list = new Array<Tensor | null>(many[call]!.outs!.length).fill(null);
        multiCts.set(call, list);
      }
      list[params[i] as number] = ct;
      continue;
    }
    cts[k] = null; // released as soon as it has flowed on (recycled at the next sweep)
    adj.drop(ct);
    if (scoped) enterRuleScope(tape.ruleScope(i, "backward"));
    const m = many[i]!;
    if (m === null) {
      // Unary and binary calls: inputs inline, shared `needs` arrays (a scalar-lane entry with a
      // traced cotangent gets its inputs as Tensors).
      let x0 = in0[i]!;
      let x1 = in1[i]!;
      if (lane) {
        const ps = tape.primalsOf(i);
        x0 = ps[0]!;
        x1 = ps[1] ?? null;
      }
      const s0 = slot0[i]!;
      const s1 = slot1[i]!;
      if (s1 === ABSENT) {
        const gs = (prim as AnyPrimitive).vjp(
          ct,
          [x0],
          tape.outAt(i),
          params[i],
          NEEDS_1[s0 >= 0 ? 1 : 0]!,
        );
        const g0 = gs[0];
        if (s0 >= 0 && g0 !== null && g0 !== undefined) adj.add(s0, fitCotangent(g0, x0));
      } else {
        const needs = NEEDS_2[(s0 >= 0 ? 1 : 0) + (s1 >= 0 ? 2 : 0)]!;
        const gs = (prim as AnyPrimitive).vjp(ct, [x0, x1!], tape.outAt(i), params[i], needs);
        const g0 = gs[0];
        const g1 = gs[1];
        if (s0 >= 0 && g0 !== null && g0 !== undefined) adj.add(s0, fitCotangent(g0, x0));
        if (s1 >= 0 && g1 !== null && g1 !== undefined) adj.add(s1, fitCotangent(g1, x1!));
      }
      continue;
    }
    const { primals, slots } = m;
    const gs = (prim as AnyPrimitive).vjp(
      ct,
      primals,
      outs[i]!,
      params[i],
      slots.map((s) => s >= 0),
    );
    for (let j = 0; j < slots.length; j++) {
      const s = slots[j]!;
      const g = gs[j];
      if (s < 0 || g === null || g === undefined) continue;
      adj.add(s, fitCotangent(g, primals[j]!));
    }
  }
  if (tracks) scratchSweep();
  return adj;
}

/** Backward through scalar-lane entry i with cotangent `ct`, on numbers. */
function walkLane(tape: Tape, adj: Adjoints, i: number, ct: number): void {
  const r = tape.laneDType[i] === "float32" ? Math.fround : identity;
  const g = laneGrads;
  (tape.prims[i] as AnyPrimitive).scalarVjp!(
    ct,
    tape.in0Val[i]!,
    tape.in1Val[i]!,
    tape.outVal[i]!,
    r,
    g,
  );
  const s0 = tape.slot0[i]!;
  const s1 = tape.slot1[i]!;
  if (s0 >= 0) adj.addNum(s0, g[0]!);
  if (s1 >= 0) adj.addNum(s1, g[1]!);
}

/**
 * Pushes tangents given for some leaves forward through the tape with the JVP rules, reusing the
 * recorded primals (no primal is recomputed). Returns the tangent of every index (null = zero).
 */
export function forwardReplay(tape: Tape, seeds: ReadonlyMap<number, Tensor>): (Tensor | null)[] {
  return walkForward(tape, seeds, 0, new Map());
}

/**
 * Forward replay over the entries from `base` on, given the tangents of entries below `base`
 * that they read; returns the tangents of the range (`result[i - base]`).
 */
export function forwardReplayRange(
  tape: Tape,
  base: number,
  external: ReadonlyMap<number, Tensor>,
): (Tensor | null)[] {
  return walkForward(tape, new Map(), base, external);
}

function walkForward(
  tape: Tape,
  seeds: ReadonlyMap<number, Tensor>,
  base: number,
  external: ReadonlyMap<number, Tensor>,
): (Tensor | null)[] {
  if (!isTrackingRules()) return walkForwardLoop(tape, seeds, base, external, false);
  // debugNans: each rule runs in its entry's scope; none is left set if a rule throws.
  const outer = currentRuleScope();
  try {
    return walkForwardLoop(tape, seeds, base, external, true);
  } finally {
    enterRuleScope(outer);
  }
}

function walkForwardLoop(
  tape: Tape,
  seeds: ReadonlyMap<number, Tensor>,
  base: number,
  external: ReadonlyMap<number, Tensor>,
  scoped: boolean,
): (Tensor | null)[] {
  if (tape.keepsOnlyReads) {
    throw new AdjointError(
      "internal error: forward replay of a tape that keeps only what its VJP rules read",
    );
  }
  const tangents = new Array<Tensor | null>(tape.length - base).fill(null);
  const tangentAt = (s: number): Tensor | null =>
    s < 0 ? null : s < base ? (external.get(s) ?? null) : tangents[s - base]!;
  // Output tangents of multi-output calls, read by their projections.
  const multiTangents = new Map<number, readonly (Tensor | null)[]>();
  for (let i = base; i < tape.length; i++) {
    const prim = tape.prims[i]!;
    const out = tape.outAt(i);
    if (prim === null) {
      const call = tape.slot0[i]!;
      const t = call < 0 ? seeds.get(i) : multiTangents.get(call)?.[tape.params[i] as number];
      if (t !== null && t !== undefined) tangents[i - base] = fitTangent(t, out);
      continue;
    }
    const ins = tape.slotsOf(i).map(tangentAt);
    if (ins.every((t) => t === null)) continue;
    if (scoped) enterRuleScope(tape.ruleScope(i, "forward-mode derivative"));
    const callOuts = tape.many[i]?.outs;
    if (callOuts !== undefined) {
      multiTangents.set(
        i,
        (prim as AnyMultiPrimitive).jvp(tape.primalsOf(i), ins, callOuts, tape.params[i]),
      );
      continue;
    }
    const dout = (prim as AnyPrimitive).jvp(tape.primalsOf(i), ins, out, tape.params[i]);
    if (dout !== null) tangents[i - base] = fitTangent(dout, out);
  }
  return tangents;
}
