/**
 * @file Reverse mode: a trace that records every primitive call on a tape, and the two walks over
 * a tape: backward (VJP rules in reverse order, summing adjoints) and forward replay (JVP rules
 * in recorded order, used by linearize).
 *
 * Nodes are appended in execution order, so a node's inputs always sit at lower indices: walking
 * the tape from the end is a reverse topological order. Both walks are loops, never recursion,
 * so a chain of millions of calls needs no stack.
 */

import { isFloat } from "../core/dtype.js";
import type { AnyPrimitive, Primitive } from "../core/primitive.js";
import { Tensor } from "../core/tensor.js";
import { bind, Trace } from "../core/trace.js";
import { add } from "../ops/index.js";
import { fitCotangent, fitTangent } from "./fit.js";

const NO_INPUTS: readonly Tensor[] = [];
const NO_SLOTS: readonly number[] = [];

/** One recorded call: what the VJP rule needs (inputs one level down, output, params). */
export class TapeNode {
  constructor(
    /** null for an input of the differentiated function (a leaf). */
    readonly prim: AnyPrimitive | null,
    readonly params: unknown,
    readonly primals: readonly Tensor[],
    /** The tape index of each input, or -1 for a value that is constant to this trace. */
    readonly inSlots: readonly number[],
    readonly out: Tensor,
  ) {}
}

export class VjpTrace extends Trace {
  readonly tape: TapeNode[] = [];

  /** Boxes `x` as an independent input (a leaf of the tape). */
  input(x: Tensor): Tensor {
    const slot = this.tape.length;
    this.tape.push(new TapeNode(null, undefined, NO_INPUTS, NO_SLOTS, x));
    return Tensor._tracer(this, x, null, slot);
  }

  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
    const n = inputs.length;
    const primals = new Array<Tensor>(n);
    const inSlots = new Array<number>(n);
    let anyTraced = false;
    for (let i = 0; i < n; i++) {
      const x = inputs[i]!;
      if (x._trace === this) {
        primals[i] = x._primal!;
        inSlots[i] = x._slot;
        anyTraced = true;
      } else {
        primals[i] = x;
        inSlots[i] = -1;
      }
    }
    const out = bind(prim, primals, params);
    if (!anyTraced || this.done || !isFloat(out.dtype)) return out;
    const slot = this.tape.length;
    this.tape.push(new TapeNode(prim as AnyPrimitive, params, primals, inSlots, out));
    return Tensor._tracer(this, out, null, slot);
  }
}

function accumulate(slots: (Tensor | null)[], slot: number, g: Tensor): void {
  const prev = slots[slot]!;
  slots[slot] = prev === null ? g : add(prev, g);
}

/**
 * Propagates cotangents from `seeds` (tape index, cotangent) back to the leaves. Returns the
 * adjoint of every slot that still holds one at the end: the leaves (null where none flowed).
 */
export function backward(
  tape: readonly TapeNode[],
  seeds: readonly (readonly [number, Tensor])[],
): (Tensor | null)[] {
  const cts = new Array<Tensor | null>(tape.length).fill(null);
  for (const [slot, ct] of seeds) accumulate(cts, slot, fitCotangent(ct, tape[slot]!.out));
  for (let i = tape.length - 1; i >= 0; i--) {
    const ct = cts[i]!;
    if (ct === null) continue;
    const node = tape[i]!;
    if (node.prim === null) continue;
    cts[i] = null; // released as soon as it has flowed on
    const { inSlots, primals } = node;
    const needs = inSlots.map((s) => s >= 0);
    const gs = node.prim.vjp(ct, primals, node.out, node.params, needs);
    for (let j = 0; j < inSlots.length; j++) {
      const s = inSlots[j]!;
      const g = gs[j];
      if (s < 0 || g === null || g === undefined) continue;
      accumulate(cts, s, fitCotangent(g, primals[j]!));
    }
  }
  return cts;
}

/**
 * Pushes tangents given for some leaves forward through the tape with the JVP rules, reusing the
 * recorded primals (no primal is recomputed). Returns the tangent of every slot (null = zero).
 */
export function forwardReplay(
  tape: readonly TapeNode[],
  seeds: ReadonlyMap<number, Tensor>,
): (Tensor | null)[] {
  const tangents = new Array<Tensor | null>(tape.length).fill(null);
  for (let i = 0; i < tape.length; i++) {
    const node = tape[i]!;
    if (node.prim === null) {
      const seed = seeds.get(i);
      if (seed !== undefined) tangents[i] = fitTangent(seed, node.out);
      continue;
    }
    const ins = node.inSlots.map((s) => (s >= 0 ? tangents[s]! : null));
    if (ins.every((t) => t === null)) continue;
    const dout = node.prim.jvp(node.primals, ins, node.out, node.params);
    if (dout !== null) tangents[i] = fitTangent(dout, node.out);
  }
  return tangents;
}
