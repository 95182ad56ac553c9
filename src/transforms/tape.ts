/**
 * @file Reverse mode's record: the tape, and the two walks over it: backward (VJP rules in reverse
 * order, summing adjoints) and forward replay (JVP rules in recorded order, used by linearize and
 * jacfwd). The trace that writes it is in vjp-trace.ts.
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
import { type AnyNode, isMultiOutput, nodeJvp, nodeVjp } from "../core/node.js";
import type { AnyPrimitive, Aval } from "../core/primitive.js";
import type { Shape } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import {
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

/**
 * The trace of the values a tape does not keep (`unread`): any op on one reaches this trace,
 * which throws, so a VJP rule that reads a value its `vjpReads` leaves out fails loudly instead
 * of computing with missing data. Its level (0) is below every real transformation's.
 */
class UnreadTrace extends Trace {
  override valueOf(): Tensor {
    throw unreadError("a tape value");
  }
  process(prim: AnyNode): Tensor[] {
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

/** A copy of `a` with twice the room. */
function grown<A extends Int32Array | Float64Array>(a: A): A {
  const b = new (a.constructor as new (n: number) => A)(a.length * 2);
  b.set(a);
  return b;
}

/** `needs` arrays for one and two inputs, shared (indexed by the bits of the needed inputs). */
const NEEDS_1: readonly (readonly boolean[])[] = [[false], [true]];
const NEEDS_2: readonly (readonly boolean[])[] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

/**
 * The recorded calls. Every entry is one node kind: a primitive (or null for an input of the
 * differentiated function, a leaf) with a list of inputs and a list of outputs, whatever the
 * primitive's declaration form. Storage is columnar, with no object per entry (a long recording
 * is mostly this tape, and fewer objects make it cheaper for the garbage collector):
 * - per entry: `prims`, `params`, and where its inputs and outputs start in the columns below;
 * - per input: the value one level down (`inPrimals`), its number for a scalar-lane input
 *   (`inNums`), and the id of the recorded value it is (`inSlots`; -1 for a constant to this
 *   trace);
 * - per recorded value (the outputs, numbered in order: a tracer's `_slot` is its value id): the
 *   value (`vals`), or, in the scalar lane, its number (`valNums`) with its shape and dtype.
 *
 * The scalar lane: a unary or binary call on size-1 float values whose primitive has a
 * `scalarVjp` is recorded with numbers instead of Tensors (`vals` and `inPrimals` null), so
 * scalar code under grad keeps no object per op alive and its backward pass runs on numbers.
 * `valAt`, `primalsOf` make the Tensors when something else needs them.
 */
export class Tape {
  // Object columns are arrays (their lengths count entries, inputs and values); number columns
  // are typed arrays grown by doubling, which the garbage collector never scans.
  readonly prims: (AnyNode | null)[] = [];
  readonly params: unknown[] = [];
  inStart = new Int32Array(64);
  outStart = new Int32Array(64);
  readonly inPrimals: (Tensor | null)[] = [];
  inNums = new Float64Array(64);
  inSlots = new Int32Array(64);
  readonly vals: (Tensor | null)[] = [];
  valNums = new Float64Array(64);
  /** A scalar-lane value's shape and dtype (null for a Tensor value); one object per run of equal ones. */
  readonly laneAvals: (Aval | null)[] = [];
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

  /** The number of entries. */
  get length(): number {
    return this.prims.length;
  }

  /** A position in the recording (the number of values so far), for `truncate`, ranges and `readsBefore`. */
  mark(): number {
    return this.vals.length;
  }

  /** One past the last input of entry e. */
  inEnd(e: number): number {
    return e + 1 < this.prims.length ? this.inStart[e + 1]! : this.inPrimals.length;
  }

  /** One past the last output of entry e. */
  outEnd(e: number): number {
    return e + 1 < this.prims.length ? this.outStart[e + 1]! : this.vals.length;
  }

  /** Appends a leaf (an input of the differentiated function); returns its value id. */
  pushLeaf(x: Tensor): number {
    this.openEntry(null, undefined);
    return this.pushValue(x);
  }

  /**
   * Appends a call with its inputs (one level down), their value ids (-1 for constants) and its
   * outputs; returns the value id of its first output (the others follow in order).
   */
  pushCall(
    prim: AnyNode,
    params: unknown,
    primals: readonly Tensor[],
    slots: readonly number[],
    outs: readonly Tensor[],
  ): number {
    const e = this.openEntry(prim, params);
    const n = primals.length;
    const reads = this.keptReads(prim, primals, slots, outs);
    for (let j = 0; j < n; j++) {
      const x = primals[j]!;
      const s = slots[j]!;
      this.pushInput(reads === null || reads.inputs[j] === true ? x : this.unreadInput(x, s), 0, s);
    }
    const first = this.vals.length;
    for (let k = 0; k < outs.length; k++) {
      const out = outs[k]!;
      this.pushValue(reads === null || reads.out ? out : unread(out));
    }
    if (isTrackingRules() && prim !== null) this.keepSite(e);
    return first;
  }

  /**
   * What call `prim`'s rule reads of its values when this tape keeps only those (null: keep
   * everything). Small values are kept anyway: the common small-tensor case skips the declaration.
   */
  private keptReads(
    prim: AnyNode,
    primals: readonly Tensor[],
    slots: readonly number[],
    outs: readonly Tensor[],
  ): { readonly inputs: readonly boolean[]; readonly out: boolean } | null {
    if (!this.keepsOnlyReads || isTrackingRules() || isMultiOutput(prim)) return null;
    const vjpReads = prim.vjpReads;
    if (vjpReads === undefined) return null;
    const n = primals.length;
    if (n <= 2 && isSmall(outs[0]!) && isSmall(primals[0]!) && (n === 1 || isSmall(primals[1]!))) {
      return null;
    }
    const needs =
      n === 1
        ? NEEDS_1[slots[0]! >= 0 ? 1 : 0]!
        : n === 2
          ? NEEDS_2[(slots[0]! >= 0 ? 1 : 0) + (slots[1]! >= 0 ? 2 : 0)]!
          : slots.map((s) => s >= 0);
    return vjpReads(needs);
  }

  /**
   * What the entry of a call keeps of an input (value id `s`) that its rule does not read:
   * nothing for a value the recording made, the input itself for a leaf (an argument of the
   * differentiated function, which its caller holds anyway).
   */
  private unreadInput(x: Tensor, s: number): Tensor {
    return s >= 0 && this.isLeafValue(s) ? x : unread(x);
  }

  /** True when value s is a leaf's (an input of the differentiated function). */
  private isLeafValue(s: number): boolean {
    // A leaf's entry has no inputs and one output; find it from the value's position.
    const e = this.entryOf(s);
    return this.prims[e] === null;
  }

  /** Appends a scalar-lane call (see the class comment); s1 is -1 and v1 unused for a unary call. */
  pushLane(
    prim: AnyPrimitive,
    params: unknown,
    arity: 1 | 2,
    s0: number,
    s1: number,
    v0: number,
    v1: number,
    out: number,
    shape: Shape,
    dtype: DType,
  ): number {
    this.openEntry(prim, params);
    this.pushInput(null, v0, s0);
    if (arity === 2) this.pushInput(null, v1, s1);
    const v = this.vals.length;
    if (v === this.valNums.length) this.valNums = grown(this.valNums);
    this.vals.push(null);
    this.valNums[v] = out;
    let aval = this.lastLaneAval;
    if (aval === null || aval.shape !== shape || aval.dtype !== dtype) {
      aval = { shape, dtype };
      this.lastLaneAval = aval;
    }
    this.laneAvals.push(aval);
    return v;
  }

  private lastLaneAval: Aval | null = null;

  /** Starts entry e (its inputs and outputs are pushed next); returns e. */
  private openEntry(prim: AnyNode | null, params: unknown): number {
    const e = this.prims.length;
    if (e === this.inStart.length) {
      this.inStart = grown(this.inStart);
      this.outStart = grown(this.outStart);
    }
    this.prims.push(prim);
    this.params.push(params);
    this.inStart[e] = this.inPrimals.length;
    this.outStart[e] = this.vals.length;
    return e;
  }

  private pushInput(x: Tensor | null, num: number, slot: number): void {
    const j = this.inPrimals.length;
    if (j === this.inSlots.length) {
      this.inNums = grown(this.inNums);
      this.inSlots = grown(this.inSlots);
    }
    this.inPrimals.push(x);
    this.inNums[j] = num;
    this.inSlots[j] = slot;
  }

  private pushValue(x: Tensor): number {
    const v = this.vals.length;
    if (v === this.valNums.length) this.valNums = grown(this.valNums);
    this.vals.push(x);
    this.valNums[v] = 0;
    this.laneAvals.push(null);
    return v;
  }

  /**
   * Keeps the user's call site of call e (debugNans): an op recorded while a derivative rule runs
   * (nested derivatives, a checkpoint's re-run) belongs to the call that rule is for.
   */
  private keepSite(e: number): void {
    (this.sites ??= [])[e] = currentRuleScope()?.site ?? captureSite();
  }

  /** The scope of call e's derivative rule, for debugNans (see `RuleScope`). */
  ruleScope(e: number, phase: RuleScope["phase"]): RuleScope {
    return {
      prim: this.prims[e]!.name,
      phase,
      inputs: this.primalsOf(e),
      site: this.sites?.[e] ?? null,
    };
  }

  /** Value v (made from its number for a scalar-lane value). */
  valAt(v: number): Tensor {
    const x = this.vals[v];
    if (x !== null && x !== undefined) return x;
    const aval = this.laneAvals[v]!;
    return Tensor._fromScalar(aval.shape, aval.dtype, this.valNums[v]!);
  }

  /** The shape of value v. */
  shapeAt(v: number): Shape {
    return (this.vals[v] ?? this.laneAvals[v]!).shape;
  }

  /** The dtype of value v. */
  dtypeAt(v: number): DType {
    return (this.vals[v] ?? this.laneAvals[v]!).dtype;
  }

  /** The entry whose outputs hold value v (entries' outputs are consecutive and increasing). */
  entryOf(v: number): number {
    const starts = this.outStart;
    let lo = 0;
    let hi = this.prims.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first entry recorded at or after `mark` (a value count from `mark()`). */
  entryAtMark(mark: number): number {
    return mark >= this.vals.length ? this.prims.length : this.entryOf(mark);
  }

  /** Drops everything recorded from `mark` on (a checkpointed range whose internals are not kept). */
  truncate(mark: number): void {
    const e = this.entryAtMark(mark);
    const inputs = e < this.prims.length ? this.inStart[e]! : this.inPrimals.length;
    this.prims.length = e;
    this.params.length = e;
    this.inPrimals.length = inputs;
    this.vals.length = mark;
    this.laneAvals.length = mark;
    if (this.sites !== null && this.sites.length > e) this.sites.length = e;
  }

  /** The value ids below `mark` that the entries from `mark` on read, in increasing order. */
  readsBefore(mark: number): number[] {
    const found = new Set<number>();
    const from = this.entryAtMark(mark);
    const start = from < this.prims.length ? this.inStart[from]! : this.inPrimals.length;
    for (let j = start; j < this.inPrimals.length; j++) {
      const s = this.inSlots[j]!;
      if (s >= 0 && s < mark) found.add(s);
    }
    return [...found].sort((a, b) => a - b);
  }

  /** The inputs of call e, one level down (made from their numbers for a scalar-lane call). */
  primalsOf(e: number): Tensor[] {
    const j0 = this.inStart[e]!;
    const j1 = this.inEnd(e);
    const out = new Array<Tensor>(j1 - j0);
    const aval = this.laneAvals[this.outStart[e]!]!;
    for (let j = j0; j < j1; j++) {
      out[j - j0] =
        this.inPrimals[j] ?? Tensor._fromScalar(aval.shape, aval.dtype, this.inNums[j]!);
    }
    return out;
  }

  /** The outputs of call e. */
  outputsOf(e: number): Tensor[] {
    const v0 = this.outStart[e]!;
    const v1 = this.outEnd(e);
    const out = new Array<Tensor>(v1 - v0);
    for (let v = v0; v < v1; v++) out[v - v0] = this.valAt(v);
    return out;
  }

  /** The value id of each input of call e (-1: constant to this trace). */
  slotsOf(e: number): number[] {
    return Array.from(this.inSlots.subarray(this.inStart[e]!, this.inEnd(e)));
  }
}

/** The derivative rules of one custom call: cotangents of its inputs, tangents of its outputs. */
export interface CustomRules {
  vjp(cts: readonly (Tensor | null)[]): readonly (Tensor | null)[];
  jvp(tangents: readonly (Tensor | null)[]): readonly (Tensor | null)[];
}

/**
 * Adjoints of a walk over the values from `base` on: `local[v - base]` for those values, and
 * `external` for values below `base` that they read (a checkpointed range re-run at the end of
 * the tape reads the values it was given from before it). Scalar-lane adjoints are numbers in
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

  /** Removes and returns the adjoint of local value i (null when none flowed). */
  pop(i: number): Tensor | null {
    if (this.hasNum[i] === 1) this.take(i);
    const ct = this.local[i]!;
    if (ct === null) return null;
    this.local[i] = null; // released as soon as it has flowed on (recycled at the next sweep)
    this.drop(ct);
    return ct;
  }
}

const identity = (v: number): number => v;
/** The two cotangents a scalar-lane rule writes (one array, reused). */
const laneGrads = [0, 0];

/**
 * Propagates cotangents from `seeds` (value id, cotangent) back to the leaves. Returns the
 * adjoint of every value id that still holds one at the end: the leaves (null where none flowed).
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
 * Backward over what was recorded from `mark` on only; returns the adjoints that flowed out of
 * that range into values below `mark`, by value id.
 */
export function backwardRange(
  tape: Tape,
  mark: number,
  seeds: readonly (readonly [number, Tensor])[],
): Map<number, Tensor> {
  return walkBack(tape, seeds, mark).external;
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
  const { prims, params, inStart, outStart, inPrimals, inSlots, vals } = tape;
  // Recycling as the walk goes (decision 0009): between entries, the only way to the arrays the
  // walk made is the adjoint table, so what it does not hold is dead. Only in a plain pass.
  const tracks = inScratch() && transformationDepth() === 0;
  const adj = new Adjoints(tape, base, tape.mark() - base, tracks);
  const cts = adj.local;
  const hasNum = adj.hasNum;
  for (const [slot, ct] of seeds) adj.add(slot, fitCotangent(ct, tape.valAt(slot)));
  const first = tape.entryAtMark(base);
  for (let e = tape.length - 1; e >= first; e--) {
    if (tracks) scratchSweep(); // what entry e + 1's rule made and nothing holds
    if (walkProbe !== null) walkProbe();
    const prim = prims[e]!;
    if (prim === null) continue; // a leaf: its adjoint stays for the caller
    const v0 = outStart[e]!;
    const k0 = v0 - base;
    const nOut = tape.outEnd(e) - v0;
    if (nOut === 1 && vals[v0] === null) {
      // The scalar lane: a number in, numbers out (a traced cotangent takes the Tensor path).
      if (hasNum[k0] === 1) {
        hasNum[k0] = 0;
        walkLane(tape, adj, e, adj.num[k0]!);
        continue;
      }
      const ct = cts[k0]!;
      if (ct === null) continue;
      if (ct._trace === null) {
        cts[k0] = null;
        adj.drop(ct);
        walkLane(tape, adj, e, ct._scalarValue());
        continue;
      }
    }
    // One cotangent per output (null = zero); nothing to do when none flowed.
    let outCts: (Tensor | null)[] | null = null;
    for (let k = 0; k < nOut; k++) {
      const ct = adj.pop(k0 + k);
      if (ct === null) continue;
      outCts ??= new Array<Tensor | null>(nOut).fill(null);
      outCts[k] = ct;
    }
    if (outCts === null) continue;
    if (scoped) enterRuleScope(tape.ruleScope(e, "backward"));
    const j0 = inStart[e]!;
    const n = tape.inEnd(e) - j0;
    const primals = inPrimals[j0] === null ? tape.primalsOf(e) : inPrimals.slice(j0, j0 + n);
    const needs =
      n === 1
        ? NEEDS_1[inSlots[j0]! >= 0 ? 1 : 0]!
        : n === 2
          ? NEEDS_2[(inSlots[j0]! >= 0 ? 1 : 0) + (inSlots[j0 + 1]! >= 0 ? 2 : 0)]!
          : tape.slotsOf(e).map((s) => s >= 0);
    const outs = nOut === 1 ? [tape.valAt(v0)] : tape.outputsOf(e);
    const gs = nodeVjp(prim, outCts, primals as Tensor[], outs, params[e], needs);
    for (let j = 0; j < n; j++) {
      const s = inSlots[j0 + j]!;
      const g = gs[j];
      if (s >= 0 && g !== null && g !== undefined) adj.add(s, fitCotangent(g, primals[j]!));
    }
  }
  if (tracks) scratchSweep();
  return adj;
}

/** Backward through scalar-lane entry e with cotangent `ct`, on numbers. */
function walkLane(tape: Tape, adj: Adjoints, e: number, ct: number): void {
  const v = tape.outStart[e]!;
  const r = tape.laneAvals[v]!.dtype === "float32" ? Math.fround : identity;
  const g = laneGrads;
  const j0 = tape.inStart[e]!;
  const binary = tape.inEnd(e) - j0 === 2;
  (tape.prims[e] as AnyPrimitive).scalarVjp!(
    ct,
    tape.inNums[j0]!,
    binary ? tape.inNums[j0 + 1]! : 0,
    tape.valNums[v]!,
    r,
    g,
  );
  const s0 = tape.inSlots[j0]!;
  if (s0 >= 0) adj.addNum(s0, g[0]!);
  if (binary) {
    const s1 = tape.inSlots[j0 + 1]!;
    if (s1 >= 0) adj.addNum(s1, g[1]!);
  }
}

/**
 * Pushes tangents given for some leaves forward through the tape with the JVP rules, reusing the
 * recorded primals (no primal is recomputed). Returns the tangent of every value id (null = zero).
 */
export function forwardReplay(tape: Tape, seeds: ReadonlyMap<number, Tensor>): (Tensor | null)[] {
  return walkForward(tape, seeds, 0, new Map());
}

/**
 * Forward replay over what was recorded from `mark` on, given the tangents of values below
 * `mark` that it reads; returns the tangents of the range (`result[v - mark]`).
 */
export function forwardReplayRange(
  tape: Tape,
  mark: number,
  external: ReadonlyMap<number, Tensor>,
): (Tensor | null)[] {
  return walkForward(tape, new Map(), mark, external);
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
  const tangents = new Array<Tensor | null>(tape.mark() - base).fill(null);
  const tangentAt = (s: number): Tensor | null =>
    s < 0 ? null : s < base ? (external.get(s) ?? null) : tangents[s - base]!;
  for (let e = tape.entryAtMark(base); e < tape.length; e++) {
    const prim = tape.prims[e]!;
    const v0 = tape.outStart[e]!;
    if (prim === null) {
      const t = seeds.get(v0);
      if (t !== undefined) tangents[v0 - base] = fitTangent(t, tape.valAt(v0));
      continue;
    }
    const ins = tape.slotsOf(e).map(tangentAt);
    if (ins.every((t) => t === null)) continue;
    if (scoped) enterRuleScope(tape.ruleScope(e, "forward-mode derivative"));
    const outs = tape.outputsOf(e);
    const douts = nodeJvp(prim, tape.primalsOf(e), ins, outs, tape.params[e]);
    for (let k = 0; k < outs.length; k++) {
      const d = douts[k];
      const out = outs[k]!;
      if (d !== null && d !== undefined && isFloat(out.dtype)) {
        tangents[v0 + k - base] = fitTangent(d, out);
      }
    }
  }
  return tangents;
}
