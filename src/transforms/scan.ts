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

import { describeValue } from "../core/describe.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { describeTree, flatten, treeDefsEqual, unflatten } from "../core/pytree.js";
import { shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { stack, zeros } from "../ops/index.js";
import { bindUnstack } from "../primitives/unstack.js";
import { checkFn } from "./args.js";
import { checkpoint } from "./checkpoint.js";
import { stopGradient } from "./stop-gradient.js";

/**
 * What reverse mode keeps of a loop of n steps ({@link scan}, {@link fori}):
 * - "step" (default): each step is checkpointed: one carry (and the step's x and y) per step;
 *   the backward pass recomputes each step's intermediates once.
 * - "sqrt": segments of ceil(sqrt(n)) checkpointed steps are checkpointed again: O(sqrt(n))
 *   carries are kept at any time, at the price of recomputing every step twice.
 * - "log": recursive bisection: O(log² n) carries at the peak, O(n log n) recomputation.
 * - "none": nothing is recomputed; every intermediate of every step is kept.
 * @category Transformations
 */
export type CheckpointPolicy = "step" | "sqrt" | "log" | "none";

/**
 * Options of {@link fori} (and of {@link scan}).
 * @category Transformations
 */
export interface LoopOptions {
  /** What reverse mode keeps (default "step"); see {@link CheckpointPolicy}. */
  checkpoint?: CheckpointPolicy;
}

/**
 * Options of {@link scan}.
 * @category Transformations
 */
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
    `${op}: checkpoint must be "step", "sqrt", "log" or "none"; got ${describeValue(policy)}`,
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
 * A loop with a carry (JAX's `jax.lax.scan`): for each slice x of xs along its leading axis,
 * `[carry, y] = f(carry, x)`; returns `[carry, ys]`, the final carry and the ys stacked along a
 * new leading axis. xs may be a pytree of tensors (sliced leaf by leaf), or null with
 * `options.length` (f then gets x = null). With no steps, ys has a leading axis of 0 (f runs once
 * on a dummy step to learn y's shapes). The carry must keep its structure, shapes and dtypes.
 *
 * Differentiable in both modes and to any order, through the steps' own rules; reverse mode's
 * memory is bounded by `options.checkpoint` (see {@link CheckpointPolicy}).
 *
 * @param f - The step: `(carry, x) => [carry, y]`.
 * @param init - The initial carry (a tensor or a pytree of them).
 * @param xs - The values scanned over, or null with `options.length`.
 * @param options - `{ length?, checkpoint? }`, see {@link ScanOptions}.
 * @returns `[carry, ys]`.
 * @throws ValueError when f does not return `[carry, y]`, the carry changes structure, xs leaves
 * have no leading axis or neither xs nor length is given; ShapeError or DTypeError when the carry
 * changes shape or dtype, or xs leaves differ in length.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const xs = ad.tensor([1, 2, 3, 4]);
 * // A cumulative sum: the carry is the running total, y its value at each step.
 * const [total, partial] = ad.scan((c, x) => [ad.add(c, x), ad.add(c, x)], ad.scalar(0), xs);
 * total; // => tensor(10, dtype=float32)
 * partial; // => tensor([1, 3, 6, 10], dtype=float32)
 * // The gradient of a product computed by a loop: d/dx_i = prod / x_i.
 * const prod = (v: ad.Tensor) => ad.scan((c, x) => [ad.mul(c, x), c], ad.scalar(1), v)[0];
 * ad.grad(prod)(xs); // => tensor([24, 12, 8, 6], dtype=float32)
 * ```
 * @category Transformations
 */
export function scan<C, X, Y>(
  f: (carry: C, x: X) => readonly [C, Y],
  init: C,
  xs: X | null,
  options: ScanOptions = {},
): [C, Y] {
  checkFn("scan", f);
  options = checkOptions("scan", options, ["length", "checkpoint"]);
  const policy = checkPolicy("scan", options.checkpoint);
  const [xLeaves, xDef] = flatten(xs, "scan");
  for (const [i, leaf] of xLeaves.entries()) {
    if (!(leaf instanceof Tensor) || leaf.ndim === 0) {
      throw new ValueError(`scan: xs leaf ${i} must be a tensor with a leading axis to scan over`);
    }
  }
  const lengths = (xLeaves as Tensor[]).map((t) => t.shape[0]!);
  const n = options.length ?? lengths[0];
  if (n === undefined) throw new ValueError("scan: give xs or options.length");
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError(`scan: length must be a non-negative integer; got ${describeValue(n)}`);
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
  if (n === 0) {
    const x = xs === null ? null : unflatten(xDef, (xLeaves as Tensor[]).map(zeroSlice));
    return [carry as C, emptyOutputs(f as (c: unknown, x: unknown) => unknown, init, x) as Y];
  }
  return [carry as C, stackOutputs(ys) as Y];
}

/** A zero value of one step's slice of xs leaf t (its shape without the leading axis). */
function zeroSlice(t: Tensor): Tensor {
  return zeros(t.shape.slice(1), t.dtype);
}

/**
 * ys for a scan of no steps: like JAX, arrays with a leading axis of 0 and the per-step y's
 * structure, shapes and dtypes. JAX knows those by tracing f abstractly; with no abstract
 * evaluator here, f runs once on the initial carry with its derivatives stopped (so no
 * transformation records the call) and a zero slice of xs, and only its y's shapes are kept.
 * A side effect of f (a log line) happens once; its values are never used.
 */
function emptyOutputs(f: (c: unknown, x: unknown) => unknown, init: unknown, x: unknown): unknown {
  const result = f(stopGradient(init), x);
  if (!Array.isArray(result) || result.length !== 2) {
    throw new ValueError(
      `scan: f must return [carry, y]; got ${describeValue(result)} (checked on a dummy step: scan has no steps, and f runs once to learn the shapes of ys)`,
    );
  }
  const [leaves, def] = flatten(result[1], "scan");
  return unflatten(
    def,
    leaves.map((leaf, j) => {
      if (!(leaf instanceof Tensor)) {
        throw new ValueError(`scan: y leaf ${j} must be a Tensor; got ${describeValue(leaf)}`);
      }
      return zeros([0, ...leaf.shape], leaf.dtype);
    }),
  );
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
 * A counted loop (JAX's `jax.lax.fori_loop`): `for (i = lower; i < upper; i++) val = body(i, val)`,
 * returning val. `i` is a JS number; val is a tensor or a pytree of them and must keep its
 * structure, shapes and dtypes. Differentiable in both modes and to any order, with reverse
 * mode's memory bounded by `options.checkpoint` (see {@link CheckpointPolicy}).
 *
 * @param lower - The first i (an integer).
 * @param upper - One past the last i (an integer; no steps when upper <= lower).
 * @param body - The step: `(i, val) => val`.
 * @param init - The initial val.
 * @param options - `{ checkpoint? }`, see {@link LoopOptions}.
 * @returns The final val.
 * @throws ValueError when lower or upper is not an integer or val changes structure;
 * ShapeError or DTypeError when val changes shape or dtype.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // Three steps of the logistic map x <- r x (1 - x) from x = 0.2, and d/dr of the result.
 * const logistic = (r: ad.Tensor) =>
 *   ad.fori(0, 3, (_i, x) => ad.mul(r, ad.mul(x, ad.sub(1, x))), ad.scalar(0.2, "float64"));
 * logistic(ad.scalar(3, "float64")); // => tensor(0.56429568, dtype=float64)
 * ad.grad(logistic)(ad.scalar(3, "float64")); // => tensor(-0.21316608, dtype=float64)
 * ```
 * @category Transformations
 */
export function fori<V>(
  lower: number,
  upper: number,
  body: (i: number, val: V) => V,
  init: V,
  options: LoopOptions = {},
): V {
  if (!Number.isInteger(lower) || !Number.isInteger(upper)) {
    throw new ValueError(
      `fori: lower and upper must be integers; got ${describeValue(lower)} and ${describeValue(upper)}`,
    );
  }
  checkFn("fori", body, "body");
  options = checkOptions("fori", options, ["checkpoint"]);
  const policy = checkPolicy("fori", options.checkpoint);
  const step = checkedStep("fori", init, (v, i) => [body(lower + i, v as V), null]);
  return runSteps(step, init, 0, Math.max(0, upper - lower), policy)[0] as V;
}
