/**
 * @file The argument checks every optimizer and transform shares: hyperparameters, learning rates
 * and schedules, and parameter/gradient/state trees (flattened once, each leaf named by its path
 * in messages such as `grads.layers[1].w`).
 */

import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import { flatten, isPlainObject, type TreeDef, treeDefsEqual, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import type { LearningRate, OptimizerState } from "./types.js";

/** A number option's allowed range, for {@link numberOption}. */
export interface Range {
  readonly min?: number;
  /** Whether `min` itself is excluded. */
  readonly minOpen?: boolean;
  readonly max?: number;
  /** Whether `max` itself is excluded. */
  readonly maxOpen?: boolean;
}

/** `value` (or `fallback` when undefined) checked to be a finite number in `range`. */
export function numberOption(
  op: string,
  name: string,
  value: unknown,
  fallback: number,
  range: Range = {},
): number {
  if (value === undefined) return fallback;
  const { min, max, minOpen = false, maxOpen = false } = range;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (min === undefined || (minOpen ? value > min : value >= min)) &&
    (max === undefined || (maxOpen ? value < max : value <= max));
  if (!ok) {
    const lo = min === undefined ? "" : `${minOpen ? "> " : ">= "}${min}`;
    const hi = max === undefined ? "" : `${maxOpen ? "< " : "<= "}${max}`;
    const bounds = [lo, hi].filter((s) => s !== "").join(" and ");
    throw new ValueError(
      `${op}: ${name} must be a finite number${bounds === "" ? "" : ` ${bounds}`}; got ${describeValue(value)}`,
    );
  }
  return value as number;
}

/** A required number option: missing is an error, as is a value outside `range`. */
export function requiredNumber(
  op: string,
  name: string,
  value: unknown,
  range: Range = {},
): number {
  if (value === undefined) {
    throw new ValueError(`${op}: ${name} is required (a finite number); got undefined`);
  }
  return numberOption(op, name, value, 0, range);
}

/** `value` (or `fallback`) checked to be a boolean. */
export function booleanOption(
  op: string,
  name: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new ValueError(`${op}: ${name} must be true or false; got ${describeValue(value)}`);
  }
  return value;
}

/** The `lr` option: a positive finite number or a schedule function; required. */
export function learningRateOption(op: string, lr: unknown): LearningRate {
  if (typeof lr === "function") return lr as LearningRate;
  if (typeof lr === "number" && Number.isFinite(lr) && lr > 0) return lr;
  throw new ValueError(
    `${op}: lr must be a positive finite number or a schedule (step: number) => number; got ${describeValue(lr)}`,
  );
}

/**
 * The learning rate for the step after `step` steps: a schedule's value is checked to be a finite
 * number >= 0 (a schedule may reach 0, as a cosine decay does at its end).
 */
export function learningRateAt(
  op: string,
  lr: LearningRate,
  step: number | Tensor,
): number | Tensor {
  if (typeof lr === "number") return lr;
  // A traced step count (a training step under jit) goes in as the 0-d tensor it is: the
  // built-in schedules compute on it with tensor ops; a schedule doing number math on it fails
  // with the staging error, which says why.
  const value: unknown = lr(step as number);
  if (value instanceof Tensor && step instanceof Tensor) {
    if (value.ndim === 0 && (value.dtype === "float32" || value.dtype === "float64")) return value;
  }
  if (step instanceof Tensor && !(typeof value === "number" && Number.isFinite(value))) {
    throw new ValueError(
      `${op}: the learning-rate schedule returned ${describeValue(value)} for the traced step count: this step runs under jit (or another transformation), so the schedule is called with a 0-d tensor, not a number. Compute with tensor ops on it (the built-in schedules in ad.optim do), or jit only the loss and its gradient and step the optimizer outside`,
    );
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ValueError(
      `${op}: the learning-rate schedule returned ${describeValue(value)} at step ${step}; expected a finite number >= 0`,
    );
  }
  return value;
}

/** A path into a tree for messages: `params.layers[0].w`. */
function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** The path of every leaf of a tree of structure `def` whose root is called `root`. */
export function leafPaths(def: TreeDef, root: string): string[] {
  const out: string[] = [];
  const walk = (d: TreeDef, path: string): void => {
    if (d.kind === "leaf") {
      out.push(path);
    } else if (d.kind === "array") {
      for (let i = 0; i < d.children.length; i++) walk(d.children[i]!, childPath(path, i));
    } else if (d.kind === "object") {
      for (let i = 0; i < d.keys.length; i++) walk(d.children[i]!, childPath(path, d.keys[i]!));
    }
  };
  walk(def, root);
  return out;
}

function describeNode(d: TreeDef): string {
  switch (d.kind) {
    case "leaf":
      return "a leaf";
    case "none":
      return String(d.value);
    case "array":
      return `an array of ${d.children.length}`;
    case "object": {
      const keys = d.keys.slice(0, 6).join(", ");
      return `an object with keys {${keys}${d.keys.length > 6 ? ", ..." : ""}}`;
    }
  }
}

/** Where `b` (rooted at `path`) first differs from `a`: `at grads.w: expected a leaf; got null`. */
function firstDifference(a: TreeDef, b: TreeDef, path: string): string {
  const differ = `at ${path}: expected ${describeNode(a)}; got ${describeNode(b)}`;
  if (a.kind !== b.kind) return differ;
  if (a.kind === "array" && b.kind === "array") {
    if (a.children.length !== b.children.length) return differ;
    const i = a.children.findIndex((c, k) => !treeDefsEqual(c, b.children[k]!));
    return firstDifference(a.children[i]!, b.children[i]!, childPath(path, i));
  }
  if (a.kind === "object" && b.kind === "object") {
    if (a.keys.length !== b.keys.length || a.keys.some((k, i) => b.keys[i] !== k)) return differ;
    const i = a.children.findIndex((c, k) => !treeDefsEqual(c, b.children[k]!));
    return firstDifference(a.children[i]!, b.children[i]!, childPath(path, a.keys[i]!));
  }
  return `at ${path}`;
}

/** A flattened parameter tree: its float-tensor leaves, their paths and its structure. */
export interface FlatParams {
  readonly leaves: readonly Tensor[];
  readonly paths: readonly string[];
  readonly def: TreeDef;
}

/** `params` (called `root` in messages) flattened; every leaf must be a float tensor. */
export function flattenParams(op: string, params: unknown, root = "params"): FlatParams {
  const [leaves, def] = flatten(params, op);
  const paths = leafPaths(def, root);
  leaves.forEach((leaf, i) => {
    if (!(leaf instanceof Tensor)) {
      throw new ValueError(
        `${op}: every leaf of ${root} must be a float tensor; ${paths[i]} is ${describeValue(leaf)}`,
      );
    }
    if (!isFloat(leaf.dtype)) {
      throw new DTypeError(
        `${op}: every leaf of ${root} must be a float tensor (float32 or float64); ${paths[i]} has dtype ${leaf.dtype}`,
      );
    }
  });
  return { leaves: leaves as Tensor[], paths, def };
}

/**
 * The leaves of `tree` (called `name` in messages), which must have the structure of the
 * parameters; with each leaf's path (`name.w[0]`).
 */
export function leavesLike(
  op: string,
  name: string,
  tree: unknown,
  params: FlatParams,
): { leaves: unknown[]; paths: string[] } {
  const [leaves, def] = flatten(tree, op);
  if (!treeDefsEqual(params.def, def)) {
    throw new ValueError(
      `${op}: ${name} must have the structure of params: ${firstDifference(params.def, def, name)}`,
    );
  }
  return { leaves, paths: leafPaths(def, name) };
}

/**
 * The leaves of `tree` (called `name` in messages), which must have the structure of the
 * parameters and, leaf by leaf, tensors of the same shape and dtype.
 */
export function flattenLike(op: string, name: string, tree: unknown, params: FlatParams): Tensor[] {
  const { leaves, paths } = leavesLike(op, name, tree, params);
  return leaves.map((leaf, i) => {
    const p = params.leaves[i]!;
    const path = paths[i]!;
    if (!(leaf instanceof Tensor)) {
      throw new ValueError(`${op}: ${path} must be a tensor; got ${describeValue(leaf)}`);
    }
    if (leaf.dtype !== p.dtype) {
      throw new DTypeError(
        `${op}: ${path} has dtype ${leaf.dtype}; ${params.paths[i]} has dtype ${p.dtype}`,
      );
    }
    if (leaf.shape.length !== p.shape.length || leaf.shape.some((n, k) => n !== p.shape[k])) {
      throw new ShapeError(
        `${op}: ${path} has shape [${leaf.shape.join(",")}]; ${params.paths[i]} has shape [${p.shape.join(",")}]`,
      );
    }
    return leaf;
  });
}

/** A tree of the parameters' structure with new leaves. */
export function rebuild(params: FlatParams, leaves: readonly Tensor[]): unknown {
  return unflatten(params.def, leaves);
}

/**
 * The step count of an optimizer state, after checking that `state` is an object with a
 * non-negative integer `step` and the entries `slots`.
 */
export function stateStep(op: string, state: unknown, slots: readonly string[]): number | Tensor {
  if (!isPlainObject(state)) {
    throw new ValueError(
      `${op}: state must be the object that init or a previous step returned; got ${describeValue(state)}`,
    );
  }
  const step = state.step;
  // A 0-d int32 tensor (what init returns), or a number (a state saved by earlier versions).
  const ok =
    step instanceof Tensor
      ? step.dtype === "int32" &&
        step.ndim === 0 &&
        (step._trace !== null || Number(step.item()) >= 0)
      : typeof step === "number" && Number.isInteger(step) && step >= 0;
  if (!ok) {
    throw new ValueError(
      `${op}: state.step must be the step count init returned (a 0-d int32 tensor >= 0, or a non-negative integer); got ${describeValue(step)}`,
    );
  }
  for (const slot of slots) {
    if (!(slot in state)) {
      throw new ValueError(
        `${op}: state has no entry "${slot}"; pass the state that this optimizer's init or step returned`,
      );
    }
  }
  return step as number | Tensor;
}

/** Reads an entry of a checked state (see {@link stateStep}). */
export function stateEntry(state: OptimizerState, slot: string): unknown {
  return state[slot];
}
