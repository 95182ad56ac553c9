/**
 * @file leafwiseOptimizer: the one driver of the optimizers whose update acts on each parameter
 * leaf on its own (all of ad.optim's). It checks the trees, keeps the state's step count and one
 * buffer tree per slot (moments, momentum), and asks the rule for each leaf's update, so each
 * optimizer file holds only its formulas. On concrete tensors it runs the rule's fused loop, one
 * pass over each leaf instead of a dozen kernels, with the same roundings (see FusedLoop).
 */

import { allocate, type TypedArray } from "../core/dtype.js";
import type { PyTree } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { hasEvalObserver } from "../core/trace.js";
import { add, scalar } from "../ops/index.js";
import {
  flattenLike,
  flattenParams,
  learningRateAt,
  rebuild,
  stateEntry,
  stateStep,
} from "./checks.js";
import { isNumber, type Scalar, sAs } from "./scalar-math.js";
import type { LearningRate, Optimizer, OptimizerState, OptimizerStep } from "./types.js";

/**
 * What a rule's per-step scalars are computed from: numbers when the step count is concrete, a
 * 0-d int32 tensor (and the learning rate as a number) when it is traced (a whole training step
 * under jit). Rules compute with scalar-math.ts, which takes both.
 */
export interface LeafStep {
  /** Steps taken before this one (0 on the first step). */
  readonly step: Scalar;
  /** The learning rate for this step (a schedule already evaluated). */
  readonly lr: Scalar;
}

/**
 * A rule's update of one leaf as a loop over its elements: reads the parameter, the gradient and
 * the buffers at each index and writes the new values. It must perform the tensor update's
 * operations in the same order; for float32 it rounds every result and every constant to float32
 * (Math.fround), as a float32 kernel's store does, so that both paths give the same bits (test/optim
 * checks that they do). Each dtype has its own loop: one loop taking the rounding as a function
 * argument runs several times slower once V8 has seen both.
 */
export type FusedLoop = (
  n: number,
  p: TypedArray,
  g: TypedArray,
  buffers: readonly TypedArray[],
  outP: TypedArray,
  outBuffers: readonly TypedArray[],
) => void;

/** One optimizer's formulas, for {@link leafwiseOptimizer}. */
export interface LeafwiseRule {
  /** The name in messages, e.g. `optim.adam`. */
  readonly name: string;
  readonly lr: LearningRate;
  /** The state's buffer trees, each with the parameters' structure. */
  readonly slots: readonly string[];
  /** The initial value of buffer `slot` for parameter `p`. */
  initSlot(slot: string, p: Tensor): Tensor;
  /**
   * The step's scalars (learning rate, bias corrections...), the same for every leaf, computed
   * with scalar-math.ts: numbers for a concrete step count, float64 0-d tensors for a traced one.
   */
  scalars(at: LeafStep): readonly Scalar[];
  /**
   * The new parameter and buffers (in `slots`' order) for one leaf, given the step's scalars
   * (numbers, or 0-d tensors already of the leaf's dtype).
   */
  update(
    p: Tensor,
    g: Tensor,
    buffers: readonly Tensor[],
    s: readonly Scalar[],
  ): [Tensor, Tensor[]];
  /**
   * The same update as an element loop for one dtype, for concrete tensors and numeric scalars
   * (see {@link FusedLoop}).
   */
  fused?(s: readonly number[], dtype: "float32" | "float64"): FusedLoop;
}

/**
 * Whether the fused loops may replace the tensor ops: every tensor is concrete (a tracer must see
 * the ops, to differentiate, batch or stage them) and no evaluation observer (debugNans) watches
 * the ops.
 */
function fusable(rule: LeafwiseRule, tensors: readonly Tensor[]): boolean {
  if (rule.fused === undefined || hasEvalObserver()) return false;
  return tensors.every((t) => t._trace === null);
}

/** The fused update of every leaf: new parameters and buffers (by slot). */
function fusedStep(
  rule: LeafwiseRule,
  params: readonly Tensor[],
  grads: readonly Tensor[],
  buffers: readonly (readonly Tensor[])[],
  s: readonly number[],
): [Tensor[], Tensor[][]] {
  const loops = new Map<string, FusedLoop>();
  const newParams: Tensor[] = [];
  const newBuffers: Tensor[][] = rule.slots.map(() => []);
  params.forEach((p, i) => {
    let loop = loops.get(p.dtype);
    if (loop === undefined) {
      loop = rule.fused!(s, p.dtype === "float32" ? "float32" : "float64");
      loops.set(p.dtype, loop);
    }
    const n = p.size;
    const outP = allocate(p.dtype, n, false);
    const outBuffers = rule.slots.map(() => allocate(p.dtype, n, false));
    loop(
      n,
      p._data!,
      grads[i]!._data!,
      buffers.map((b) => b[i]!._data!),
      outP,
      outBuffers,
    );
    newParams.push(Tensor._fromData(p.shape, p.dtype, outP));
    outBuffers.forEach((b, k) => {
      newBuffers[k]!.push(Tensor._fromData(p.shape, p.dtype, b));
    });
  });
  return [newParams, newBuffers];
}

/** An optimizer applying `rule` to every leaf of the parameter tree. */
export function leafwiseOptimizer(rule: LeafwiseRule): Optimizer {
  const init = <P>(params: P): OptimizerState => {
    const flat = flattenParams(`${rule.name}.init`, params);
    // The count is a 0-d int32 tensor (optax's `count`), so a jitted training step traces it
    // instead of compiling once per step.
    const state: Record<string, PyTree> = { step: scalar(0, "int32") };
    for (const slot of rule.slots) {
      state[slot] = rebuild(
        flat,
        flat.leaves.map((p) => rule.initSlot(slot, p)),
      ) as PyTree;
    }
    return state as OptimizerState;
  };
  const step = <P>(params: P, grads: P, state: OptimizerState): OptimizerStep<P> => {
    const op = `${rule.name}.step`;
    const flat = flattenParams(op, params);
    const g = flattenLike(op, "grads", grads, flat);
    const count = stateStep(op, state, rule.slots);
    const buffers = rule.slots.map((slot) =>
      flattenLike(op, `state.${slot}`, stateEntry(state, slot), flat),
    );
    // A concrete count is read as a number; a traced one stays a tensor (jit of a whole step).
    const traced = count instanceof Tensor && count._trace !== null;
    const t: Scalar = count instanceof Tensor && !traced ? Number(count.item()) : count;
    const lr = learningRateAt(op, rule.lr, t);
    const s = rule.scalars({ step: t, lr });
    let newParams: Tensor[] = [];
    let newBuffers: Tensor[][] = rule.slots.map(() => []);
    if (s.every(isNumber) && fusable(rule, [...flat.leaves, ...g, ...buffers.flat()])) {
      [newParams, newBuffers] = fusedStep(rule, flat.leaves, g, buffers, s);
    } else {
      // Tensor scalars in each leaf's dtype (converted once per dtype).
      const byDtype = new Map<string, readonly Scalar[]>();
      flat.leaves.forEach((p, i) => {
        let sp = byDtype.get(p.dtype);
        if (sp === undefined) {
          sp = s.map((v) => sAs(v, p.dtype));
          byDtype.set(p.dtype, sp);
        }
        const [param, bufs] = rule.update(
          p,
          g[i]!,
          buffers.map((b) => b[i]!),
          sp,
        );
        newParams.push(param);
        bufs.forEach((b, k) => {
          newBuffers[k]!.push(b);
        });
      });
    }
    const next: Record<string, PyTree> = {
      step:
        typeof count === "number"
          ? count + 1
          : traced
            ? add(count, scalar(1, "int32"))
            : scalar((t as number) + 1, "int32"),
    };
    rule.slots.forEach((slot, k) => {
      next[slot] = rebuild(flat, newBuffers[k]!) as PyTree;
    });
    return { params: rebuild(flat, newParams) as P, state: next as OptimizerState };
  };
  return { init, step };
}
