/**
 * @file scan and fori: loops whose derivatives, in both modes and to any order, come from the
 * steps' own rules, with a checkpoint policy that bounds what reverse mode keeps.
 *
 * Policies (what the reverse-mode tape keeps, n steps):
 * - "step" (default): each step is checkpointed: one carry (and the step's x and y) per step;
 *   the backward pass recomputes each step's intermediates once.
 * - "sqrt": segments of ceil(sqrt(n)) checkpointed steps are checkpointed again: O(sqrt(n))
 *   carries are kept at any time, at the price of recomputing every step twice.
 * - "log": recursive bisection: the first half is checkpointed, the second half recurses:
 *   O(log n) entries per tape and O(log^2 n) carries at the peak, O(n log n) recomputation.
 * - "none": nothing is recomputed; every intermediate of every step is kept.
 */

import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { describeTree, flatten, treeDefsEqual, unflatten } from "../core/pytree.js";
import { shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { stack } from "../ops/index.js";
import { bindUnstack } from "../primitives/unstack.js";
import { checkpoint } from "./checkpoint.js";

export type CheckpointPolicy = "step" | "sqrt" | "log" | "none";

export interface LoopOptions {
  /** What reverse mode keeps (default "step"); see the file header. */
  checkpoint?: CheckpointPolicy;
}

export interface ScanOptions extends LoopOptions {
  /** The number of steps; required when xs is null, else it must match xs's leading axis. */
  length?: number;
}

/** One step of a loop: the carry and the step's index in, the new carry and the step's output out. */
type Step = (carry: unknown, i: number) => [unknown, unknown];

/** Runs steps [a, b) under `policy`; returns the final carry and the steps' outputs in order. */
function runSteps(
  step: Step,
  carry: unknown,
  a: number,
  b: number,
  policy: CheckpointPolicy,
): [unknown, unknown[]] {
  const ys: unknown[] = [];
  if (policy === "none" || policy === "step") {
    const one = policy === "step" ? checkpoint(step) : step;
    for (let i = a; i < b; i++) {
      const [next, y] = one(carry, i);
      carry = next;
      ys.push(y);
    }
    return [carry, ys];
  }
  if (policy === "sqrt") {
    const size = Math.max(1, Math.ceil(Math.sqrt(b - a)));
    // A segment returns its outputs (anything escaping a checkpoint otherwise would dangle).
    const segment = checkpoint((c: unknown, from: number, to: number) =>
      runSteps(step, c, from, to, "step"),
    );
    for (let s = a; s < b; s += size) {
      const [next, segYs] = segment(carry, s, Math.min(b, s + size));
      carry = next;
      ys.push(...segYs);
    }
    return [carry, ys];
  }
  // "log": bisection.
  if (b - a <= 2) return runSteps(step, carry, a, b, "step");
  const mid = (a + b) >> 1;
  const firstHalf = checkpoint((c: unknown, from: number, to: number) =>
    runSteps(step, c, from, to, "log"),
  );
  const [c1, ys1] = firstHalf(carry, a, mid);
  const [c2, ys2] = runSteps(step, c1, mid, b, "log");
  return [c2, [...ys1, ...ys2]];
}

function checkPolicy(op: string, policy: unknown): CheckpointPolicy {
  if (policy === undefined) return "step";
  if (policy === "step" || policy === "sqrt" || policy === "log" || policy === "none")
    return policy;
  throw new ValueError(
    `${op}: checkpoint must be "step", "sqrt", "log" or "none"; got ${JSON.stringify(policy)}`,
  );
}

/** Wraps a user step so that it returns [carry, y] with the carry's structure, shapes and dtypes unchanged. */
function checkedStep(
  op: string,
  init: unknown,
  body: (carry: unknown, i: number) => unknown,
): Step {
  const [initLeaves, initDef] = flatten(init);
  return (carry, i) => {
    const result = body(carry, i);
    if (!Array.isArray(result) || result.length !== 2) {
      throw new ValueError(
        `${op}: the step function must return [carry, y]; step ${i} returned ${typeof result}`,
      );
    }
    const [leaves, def] = flatten(result[0]);
    if (!treeDefsEqual(def, initDef)) {
      throw new ValueError(
        `${op}: the carry must keep its structure ${describeTree(initDef)}; step ${i} returned ${describeTree(def)}`,
      );
    }
    leaves.forEach((leaf, j) => {
      const before = initLeaves[j];
      if (
        leaf instanceof Tensor &&
        before instanceof Tensor &&
        !shapesEqual(leaf.shape, before.shape)
      ) {
        throw new ShapeError(
          `${op}: the carry must keep its shapes; leaf ${j} was ${fmtShape(before.shape)} and step ${i} returned ${fmtShape(leaf.shape)}`,
        );
      }
      if (leaf instanceof Tensor && before instanceof Tensor && leaf.dtype !== before.dtype) {
        throw new DTypeError(
          `${op}: the carry must keep its dtypes; leaf ${j} was ${before.dtype} and step ${i} returned ${leaf.dtype}`,
        );
      }
    });
    return [result[0], result[1]];
  };
}

/**
 * A loop with a carry: `f(carry, x) -> [carry, y]` over the leading axis of xs (a pytree of
 * tensors, or null with `length`), returning `[carry, ys]` with the ys stacked along a new
 * leading axis (JAX's lax.scan). Differentiable in both modes to any order; see the file header
 * for the checkpoint policies that bound reverse mode's memory.
 * @example
 * // cumulative sum by a loop
 * const [total, partial] = ad.scan((c: ad.Tensor, x: ad.Tensor) => [c.add(x), c.add(x)], ad.scalar(0), xs);
 */
export function scan<C, X, Y>(
  f: (carry: C, x: X) => [C, Y],
  init: C,
  xs: X | null,
  options: ScanOptions = {},
): [C, Y] {
  const policy = checkPolicy("scan", options.checkpoint);
  const [xLeaves, xDef] = flatten(xs);
  for (const [i, leaf] of xLeaves.entries()) {
    if (!(leaf instanceof Tensor) || leaf.ndim === 0) {
      throw new ValueError(`scan: xs leaf ${i} must be a tensor with a leading axis to scan over`);
    }
  }
  const lengths = (xLeaves as Tensor[]).map((t) => t.shape[0]!);
  const n = options.length ?? lengths[0];
  if (n === undefined) throw new ValueError("scan: give xs or options.length");
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError(`scan: length must be a non-negative integer; got ${n}`);
  lengths.forEach((len, i) => {
    if (len !== n) {
      throw new ShapeError(`scan: every xs leaf must have leading axis ${n}; leaf ${i} has ${len}`);
    }
  });
  const slices = (xLeaves as Tensor[]).map((t) => bindUnstack(t));
  const xAt = (i: number): X =>
    unflatten(
      xDef,
      slices.map((s) => s[i]),
    ) as X;
  const step = checkedStep("scan", init, (c, i) => f(c as C, xAt(i)));
  const [carry, ys] = runSteps(step, init, 0, n, policy);
  return [carry as C, stackOutputs(ys) as Y];
}

/** The steps' outputs stacked leaf by leaf along a new leading axis (null for no steps). */
function stackOutputs(ys: readonly unknown[]): unknown {
  if (ys.length === 0) return null;
  const [first, def] = flatten(ys[0]);
  const columns = first.map(() => [] as Tensor[]);
  ys.forEach((y, i) => {
    const [leaves, d] = flatten(y);
    if (!treeDefsEqual(d, def)) {
      throw new ValueError(`scan: every step must return y of one structure; step ${i} differs`);
    }
    leaves.forEach((leaf, j) => {
      if (!(leaf instanceof Tensor))
        throw new ValueError(`scan: y leaf ${j} of step ${i} must be a Tensor`);
      columns[j]!.push(leaf);
    });
  });
  return unflatten(
    def,
    columns.map((col) => stack(col, 0)),
  );
}

/**
 * `for (i = lower; i < upper; i++) val = body(i, val)`, returning val: differentiable in both
 * modes to any order, with reverse-mode memory bounded by the checkpoint policy. `i` is a number.
 * @example
 * const x = ad.fori(0, 100, (_i, x: ad.Tensor) => ad.mul(r, ad.mul(x, ad.sub(1, x))), x0);
 */
export function fori<V>(
  lower: number,
  upper: number,
  body: (i: number, val: V) => V,
  init: V,
  options: LoopOptions = {},
): V {
  if (!Number.isInteger(lower) || !Number.isInteger(upper)) {
    throw new ValueError(`fori: lower and upper must be integers; got ${lower} and ${upper}`);
  }
  const policy = checkPolicy("fori", options.checkpoint);
  const step = checkedStep("fori", init, (v, i) => [body(lower + i, v as V), null]);
  return runSteps(step, init, 0, Math.max(0, upper - lower), policy)[0] as V;
}
