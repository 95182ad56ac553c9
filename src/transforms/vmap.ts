/**
 * @file vmap: maps f over an axis of its arguments, running f once on the whole batch. Inside, the
 * arguments are tracers standing for one batch element; every primitive's batch rule computes all
 * elements in one call (see BatchTrace). Nests with itself and with every derivative transform.
 */

import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { flatten, isPlainObject, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { withNewLevel } from "../core/trace.js";
import { broadcastTo } from "../ops/index.js";
import { moveAxis } from "../primitives/batching.js";
import { checkFn, checkNotPromise } from "./args.js";
import { BatchTrace } from "./batch-trace.js";
import { callFn } from "./types.js";

/**
 * Which axis is mapped (JAX's in_axes / out_axes entries): a number (negative counts from the
 * end), null for "not mapped" (the value is shared by every batch element), or an array / object
 * of those that is a prefix of the value's structure (one entry per child).
 * @category Transformations
 */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

/**
 * Options of {@link vmap}.
 * @category Transformations
 */
export interface VmapOptions {
  /**
   * The mapped axis of the arguments: one AxisSpec for all of them, or an array with one per
   * argument (JAX's in_axes). Default 0.
   */
  inAxes?: AxisSpec;
  /** Where the batch axis goes in the results (a prefix tree of the result). Default 0. */
  outAxes?: AxisSpec;
}

/** One axis (or null) per leaf of `tree`, from a spec that is a prefix of it. */
function leafAxes(spec: AxisSpec, tree: unknown, what: string, out: (number | null)[]): void {
  if (spec === null || typeof spec === "number") {
    const n = flatten(tree)[0].length;
    for (let i = 0; i < n; i++) out.push(spec);
    return;
  }
  if (Array.isArray(spec)) {
    if (!Array.isArray(tree) || tree.length !== spec.length) {
      throw new ValueError(
        `vmap: ${what} is an array of ${spec.length} axis entries, which does not match the structure it applies to (${Array.isArray(tree) ? `an array of ${tree.length}` : typeof tree})`,
      );
    }
    for (let i = 0; i < spec.length; i++) leafAxes(spec[i]!, tree[i], `${what}[${i}]`, out);
    return;
  }
  if (!isPlainObject(tree)) {
    throw new ValueError(
      `vmap: ${what} is an object of axes, but the value there is not an object`,
    );
  }
  const specObj = spec as { readonly [key: string]: AxisSpec };
  for (const key of Object.keys(tree)) {
    if (!Object.hasOwn(specObj, key)) {
      throw new ValueError(`vmap: ${what} has no axis for key "${key}"`);
    }
    leafAxes(specObj[key]!, tree[key], `${what}.${key}`, out);
  }
}

/** A normalised axis of a rank-`rank` value, or a ValueError naming where it came from. */
function normaliseAxis(axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ValueError(
      `vmap: ${what}: axis ${axis} is out of range for a value of rank ${rank}${rank === 0 ? " (a 0-d value has no axis to map; use null)" : ""}`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Vectorising map (JAX's `jax.vmap`): `vmap(f)(xs)` equals stacking `f(x)` for each x along the
 * leading axis of xs, but f runs once, on the whole batch: inside f the arguments stand for one
 * batch element (shapes without the batch axis) and every op computes all elements in one call.
 * Nests with itself and with every derivative transform (`vmap(grad(loss))` gives per-example
 * gradients).
 *
 * Options: `inAxes` (default 0) is the mapped axis of the arguments: one {@link AxisSpec} for all
 * of them, or an array with one per argument; null leaves an argument unmapped (shared). At least
 * one argument must be mapped, and mapped axes must have one size. `outAxes` (default 0) is where
 * the batch axis goes in the results; a result that does not vary over the batch is broadcast.
 * Reading a value inside f (`item()`, `toArray()`) is an error when it varies over the batch.
 *
 * @param f - A function of tensors built from the library's ops.
 * @param options - `{ inAxes?, outAxes? }`, see {@link VmapOptions}.
 * @returns The batched function, with f's parameter and result types.
 * @throws ValueError when an axis is out of range, the mapped sizes differ, no argument is
 * mapped, an axis spec does not match the arguments' structure, or a result leaf is not a tensor.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // Row-wise dot products.
 * const dots = ad.vmap((a, b) => ad.dot(a, b));
 * dots(ad.tensor([[1, 2], [3, 4]]), ad.tensor([[5, 6], [7, 8]])); // => tensor([17, 53], dtype=float32)
 * // Per-example gradients: the weights are shared (inAxes null), the examples mapped.
 * const loss = (w: ad.Tensor, x: ad.Tensor) => ad.square(ad.dot(w, x));
 * const perExample = ad.vmap(ad.grad(loss), { inAxes: [null, 0] });
 * perExample(ad.tensor([1, 1]), ad.tensor([[1, 2], [3, 4]])); // => tensor([[6, 12], [42, 56]], dtype=float32)
 * ```
 * @category Transformations
 */
export function vmap<A extends readonly unknown[] = Tensor[], R = unknown>(
  f: (...args: A) => R,
  options: VmapOptions = {},
): (...args: A) => R {
  checkFn("vmap", f);
  checkOptions("vmap", options, ["inAxes", "outAxes"]);
  return (...args: A): R => {
    const inSpec = options.inAxes === undefined ? 0 : options.inAxes;
    // An array gives one entry per argument (JAX's in_axes tuple); anything else applies to all.
    const perArg: AxisSpec = Array.isArray(inSpec) ? inSpec : args.map(() => inSpec);
    const axes: (number | null)[] = [];
    leafAxes(perArg, args, "inAxes", axes);
    const [leaves, def] = flatten(args);
    let size = -1;
    let sizeFrom = "";
    const mapped = leaves.map((leaf, i) => {
      const axis = axes[i]!;
      if (axis === null) return null;
      const what = `inAxes for argument leaf ${i}`;
      if (!(leaf instanceof Tensor)) {
        throw new ValueError(
          `vmap: ${what} is ${axis}, but the leaf is ${typeof leaf === "number" ? "a number" : typeof leaf}, which has no axis to map; use null for it`,
        );
      }
      const ax = normaliseAxis(axis, leaf.ndim, what);
      const n = leaf.shape[ax]!;
      if (size === -1) {
        size = n;
        sizeFrom = `${what} (axis ${ax} of shape [${leaf.shape.join(",")}])`;
      } else if (n !== size) {
        throw new ValueError(
          `vmap: mapped axes must have one size; ${sizeFrom} has ${size}, but ${what} (axis ${ax} of shape [${leaf.shape.join(",")}]) has ${n}`,
        );
      }
      return moveAxis(leaf, ax, 0);
    });
    if (size === -1) {
      throw new ValueError("vmap: inAxes maps no argument; at least one must have a mapped axis");
    }
    return withNewLevel((level) => {
      const trace = new BatchTrace(level, size);
      trace.label = "vmap";
      try {
        const boxed = leaves.map((leaf, i) => (mapped[i] ? trace.box(mapped[i]!) : leaf));
        const out = callFn(f, unflatten(def, boxed) as unknown[]);
        checkNotPromise("vmap", out);
        const outAxes: (number | null)[] = [];
        leafAxes(options.outAxes === undefined ? 0 : options.outAxes, out, "outAxes", outAxes);
        const [outLeaves, outDef] = flatten(out);
        const results = outLeaves.map((leaf, i) => {
          const axis = outAxes[i]!;
          const t = leaf instanceof Tensor ? leaf : null;
          const isBatched = t !== null && t._trace === trace;
          if (axis === null) {
            if (isBatched) {
              throw new ValueError(
                `vmap: outAxes is null for result leaf ${i}, but it varies over the batch`,
              );
            }
            return leaf;
          }
          if (t === null) {
            throw new ValueError(
              `vmap: result leaf ${i} is ${typeof leaf}, not a tensor; give it outAxes null`,
            );
          }
          const value = isBatched ? trace.valueOf(t) : broadcastTo(t, [size, ...t.shape]);
          return moveAxis(
            value,
            0,
            normaliseAxis(axis, value.ndim, `outAxes for result leaf ${i}`),
          );
        });
        return unflatten(outDef, results) as R;
      } finally {
        trace.done = true;
      }
    });
  };
}
