/**
 * @file The static buffer plan: liveness over the program's steps and one buffer (slot) per
 * value a fused kernel materialises, shared by values whose lives do not overlap.
 *
 * A value lives from the step that writes it to the last step that reads it. A library call's
 * output may share its input's array (reshape and stop_gradient return it, and a user-defined
 * primitive may too), so an input of such a call lives as long as the call's output, and when
 * that output escapes (is a result of the program) the input escapes too; calls known to return
 * new arrays (matmul, transpose, ...: `freshOutputs`) do not extend their inputs' lives. Escaping values
 * get fresh arrays on every run (they belong to the caller); the others take a free slot of the
 * same dtype and size, or a new one. A slot is freed after the step of its value's last read, so
 * a kernel never writes a buffer it reads. Inputs and constants are never written.
 */

import type { DType } from "../core/dtype.js";
import type { Aval } from "../core/primitive.js";
import { shapeSize } from "../core/shape.js";

/** What the plan needs of a step: the values it reads and writes, and whether it is fused. */
export interface PlanStep {
  readonly reads: readonly number[];
  readonly writes: readonly number[];
  readonly fused: boolean;
  /** A library call whose outputs may share an input's array (see `freshOutputs`). */
  readonly aliases?: boolean;
}

/**
 * Library primitives whose impl always returns a new array (none returns an input's), so their
 * inputs need not live as long as their outputs. Every other library call is assumed to alias:
 * reshape and stop_gradient return their input's array, floor/ceil/round/trunc an int's,
 * unstack views of its input, and a user's primitive or a custom call may do anything.
 */
const FRESH = new Set([
  "matmul",
  "transpose",
  "broadcast_to",
  "slice",
  "pad",
  "concatenate",
  "flip",
  "gather",
  "scatter_add",
  "reduce_sum",
  "reduce_max",
  "reduce_min",
  "reduce_prod",
  "argmax",
  "argmin",
  "cumsum",
  "argsort",
  "select",
  "convert_element_type",
  "triangular_solve",
  "cholesky",
  "det",
]);

/** True when a library primitive's outputs are always new arrays (see FRESH). */
export function freshOutputs(name: string): boolean {
  return FRESH.has(name);
}

/** One reusable buffer. */
export interface Slot {
  readonly dtype: DType;
  readonly size: number;
}

export interface BufferPlan {
  /** The slot of each value a fused step writes, -1 for the others. */
  readonly slotOf: Int32Array;
  readonly slots: readonly Slot[];
  /** 1 for values that leave the program (directly or through an aliasing library call). */
  readonly escaping: Uint8Array;
  /** Values written by fused steps into slots (each would be a fresh array eagerly). */
  readonly planned: number;
  /**
   * The last step that reads each value, directly or through a library call's output that may
   * share its array (steps.length for the program's results; -1 for values nobody reads).
   */
  readonly lastUse: Int32Array;
}

/** Plans the buffers of `steps` over variables `vars`; `outputs` are the program's results. */
export function planBuffers(
  vars: readonly Aval[],
  steps: readonly PlanStep[],
  outputs: readonly number[],
): BufferPlan {
  const n = vars.length;
  const end = steps.length;
  const lastUse = new Int32Array(n).fill(-1);
  const escaping = new Uint8Array(n);
  steps.forEach((s, p) => {
    for (const v of s.reads) lastUse[v] = p;
  });
  for (const v of outputs) {
    lastUse[v] = end;
    escaping[v] = 1;
  }
  for (let p = steps.length - 1; p >= 0; p--) {
    const s = steps[p]!;
    if (s.fused || s.aliases === false) continue;
    for (const o of s.writes) {
      for (const v of s.reads) {
        if (lastUse[o]! > lastUse[v]!) lastUse[v] = lastUse[o]!;
        if (escaping[o] === 1) escaping[v] = 1;
      }
    }
  }
  const slotOf = new Int32Array(n).fill(-1);
  const slots: Slot[] = [];
  const free = new Map<string, number[]>();
  const freeAt: number[][] = steps.map(() => []);
  let planned = 0;
  steps.forEach((s, p) => {
    if (s.fused) {
      for (const v of s.writes) {
        if (escaping[v] === 1) continue;
        const { dtype, shape } = vars[v]!;
        const size = shapeSize(shape);
        const key = `${dtype}:${size}`;
        const list = free.get(key);
        let slot = list?.pop();
        if (slot === undefined) {
          slot = slots.length;
          slots.push({ dtype, size });
        }
        slotOf[v] = slot;
        planned++;
        // Freed after its last read (a value nobody reads: after this step).
        freeAt[Math.max(p, lastUse[v]!)]!.push(v);
      }
    }
    for (const v of freeAt[p]!) {
      const { dtype, shape } = vars[v]!;
      const key = `${dtype}:${shapeSize(shape)}`;
      let list = free.get(key);
      if (list === undefined) {
        list = [];
        free.set(key, list);
      }
      list.push(slotOf[v]!);
    }
  });
  return { slotOf, slots, escaping, planned, lastUse };
}
