/**
 * @file Running a compiled program's steps on concrete tensors: each step a closure over a
 * compact environment of the values that cross steps. A library call runs its primitive as eager
 * does; a fused kernel gets its input arrays, writes planned buffers (their tensors made once),
 * fresh arrays for values that escape, or a scratch for a size-1 float result; and
 * `evaluatePlain` binds every equation (under transformations).
 */

import { allocate, type DType, isFloat, type TypedArray } from "../core/dtype.js";
import { isMultiOutput } from "../core/node.js";
import { shapeSize } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { bind, bindMulti } from "../core/trace.js";
import type { GraphParts } from "../ir/graph.js";
import type { Kernel } from "./kernel-ir.js";
import type { BufferPlan } from "./plan.js";

/** A fused kernel with the variables it reads and writes. */
export interface FusedRun {
  readonly kind: "fused";
  readonly kernel: Kernel;
  readonly ins: readonly number[];
  readonly outs: readonly number[];
  /** The argument arrays, filled before each call (kernels are synchronous). */
  readonly inArrays: TypedArray[];
  readonly outArrays: TypedArray[];
  /**
   * Per output, the program input (by position) whose array it is written into when that input
   * is donated and its array is free on this call (`DonorArrays`), -1 for none.
   */
  donors?: Int32Array;
}

/**
 * The arrays of a call's donated inputs that results may be written into (by input position;
 * null for an input that is not donated, or whose array another input shares), set by the
 * program before each call and cleared after it.
 */
export type DonorArrays = (TypedArray | null)[];

/** The plain interpreter: every equation through bind (used under transformations). */
export function evaluatePlain(
  graph: GraphParts,
  inVars: readonly number[],
  inputs: readonly Tensor[],
) {
  const env = new Array<Tensor | undefined>(graph.vars.length);
  for (let i = 0; i < inVars.length; i++) env[inVars[i]!] = inputs[i];
  for (const c of graph.consts) env[c.id] = c.value;
  for (const eqn of graph.eqns) {
    const ins = eqn.inputs.map((id) => env[id]!);
    if (isMultiOutput(eqn.primitive)) {
      const outs = bindMulti(eqn.primitive, ins, eqn.params);
      for (let j = 0; j < outs.length; j++) env[eqn.outputs[j]!] = outs[j];
    } else {
      env[eqn.outputs[0]!] = bind(eqn.primitive, ins, eqn.params);
    }
  }
  return env;
}

/** One step at run time, on the environment of tensors. */
export type Exec = (env: (Tensor | undefined)[]) => void;

/**
 * A library call. An output computed by the kernel path calls `prim.impl` directly with the
 * staged output's aval (what bind does after checking shapes, which staging already did); a
 * size-1 float output, which bind computes on the scalar path, and multi-output primitives go
 * through bind.
 */
export function callExec(graph: GraphParts, e: number, envSlot: (v: number) => number): Exec {
  const eqn = graph.eqns[e]!;
  const prim = eqn.primitive;
  const params = eqn.params;
  const ins = Int32Array.from(eqn.inputs, envSlot);
  const outs = Int32Array.from(eqn.outputs, envSlot);
  const args = (env: (Tensor | undefined)[]): Tensor[] => Array.from(ins, (k) => env[k]!);
  if (isMultiOutput(prim)) {
    return (env) => {
      const results = bindMulti(prim, args(env), params);
      for (let j = 0; j < results.length; j++) env[outs[j]!] = results[j];
    };
  }
  const o = outs[0]!;
  const aval = graph.vars[eqn.outputs[0]!]!;
  const scalarPath =
    prim.scalar !== undefined && isFloat(aval.dtype) && shapeSize(aval.shape) === 1;
  if (scalarPath) {
    return (env) => {
      env[o] = bind(prim, args(env), params);
    };
  }
  const { shape, dtype } = aval;
  if (ins.length === 1) {
    const a = ins[0]!;
    return (env) => {
      env[o] = Tensor._fromData(shape, dtype, prim.impl([env[a]!], params, aval));
    };
  }
  if (ins.length === 2) {
    const a = ins[0]!;
    const b = ins[1]!;
    return (env) => {
      env[o] = Tensor._fromData(shape, dtype, prim.impl([env[a]!, env[b]!], params, aval));
    };
  }
  return (env) => {
    env[o] = Tensor._fromData(shape, dtype, prim.impl(args(env), params, aval));
  };
}

/** How a fused step's output is stored. */
const PLANNED = 0;
const SCALAR = 1;
const FRESH = 2;

/**
 * A fused kernel's step: its input arrays from the environment, its outputs into planned
 * buffers (whose tensors are made once), fresh arrays (values that escape) or, for a size-1
 * float result, a one-element scratch read back into a scalar tensor (as eager's scalar path
 * makes them).
 */
export function fusedExec(
  r: FusedRun,
  vars: GraphParts["vars"],
  plan: BufferPlan,
  envSlot: (v: number) => number,
  donorArrays: DonorArrays,
): { run: Exec; prepare: (slots: readonly TypedArray[]) => void } {
  const { kernel, inArrays, outArrays } = r;
  const ins = Int32Array.from(r.ins, envSlot);
  const outs = Int32Array.from(r.outs, envSlot);
  const n = outs.length;
  const kind = new Int32Array(n);
  const planned = new Array<Tensor | undefined>(n);
  const scratch = new Array<TypedArray>(n);
  r.outs.forEach((v, k) => {
    const a = vars[v]!;
    if (plan.slotOf[v]! >= 0) kind[k] = PLANNED;
    else if (isFloat(a.dtype) && shapeSize(a.shape) === 1) {
      kind[k] = SCALAR;
      scratch[k] = a.dtype === "float32" ? new Float32Array(1) : new Float64Array(1);
    } else kind[k] = FRESH;
  });
  const prepare = (slots: readonly TypedArray[]): void => {
    r.outs.forEach((v, k) => {
      if (kind[k] !== PLANNED) return;
      const a = vars[v]!;
      planned[k] = Tensor._fromData(a.shape, a.dtype, slots[plan.slotOf[v]!]!);
    });
  };
  const run: Exec = (env) => {
    for (let k = 0; k < ins.length; k++) inArrays[k] = env[ins[k]!]!._data!;
    for (let k = 0; k < n; k++) {
      const t = planned[k];
      if (t !== undefined) outArrays[k] = t._data!;
      else if (kind[k] === SCALAR) outArrays[k] = scratch[k]!;
      else {
        const d = r.donors?.[k] ?? -1;
        const given = d >= 0 ? donorArrays[d] : null;
        if (given !== null && given !== undefined) outArrays[k] = given;
        else {
          const a = vars[r.outs[k]!]!;
          outArrays[k] = allocate(a.dtype, shapeSize(a.shape), false);
        }
      }
    }
    kernel(inArrays, outArrays);
    for (let k = 0; k < n; k++) {
      const t = planned[k];
      if (t !== undefined) {
        env[outs[k]!] = t;
        continue;
      }
      const a = vars[r.outs[k]!]!;
      env[outs[k]!] =
        kind[k] === SCALAR
          ? Tensor._fromScalar(a.shape, a.dtype, outArrays[k]![0]!)
          : Tensor._fromData(a.shape, a.dtype, outArrays[k]!);
    }
    // The argument arrays hold no buffers between calls.
    inArrays.fill(EMPTY);
    outArrays.fill(EMPTY);
  };
  return { run, prepare };
}

/**
 * A planned buffer: a plain typed array, never from the allocation pool (a pool scope could
 * recycle it while the program still owns it).
 */
export function zeros(dtype: DType, size: number): TypedArray {
  if (dtype === "float64") return new Float64Array(size);
  if (dtype === "float32") return new Float32Array(size);
  if (dtype === "int32") return new Int32Array(size);
  return new Uint8Array(size);
}

const EMPTY = new Float64Array(0);
