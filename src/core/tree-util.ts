/**
 * @file Pytree utilities for users: treeMap (over one or several trees of one structure),
 * treeLeaves, treeStructure and treeUnflatten, built on the flatten/unflatten the
 * transformations use, so a tree means the same thing everywhere.
 */

import { ValueError } from "./errors.js";
import { flatten, type TreeDef, treeDefsEqual, unflatten } from "./pytree.js";
import type { Tensor } from "./tensor.js";

export type { TreeDef } from "./pytree.js";

/** What a pytree holds at its leaves: anything but arrays, plain objects, null and undefined. */
type Atom = Tensor | number | boolean | string | bigint | symbol | ((...args: never[]) => unknown);

/**
 * The type of the leaves of a tree of type T.
 * @category Pytrees
 */
export type TreeLeaf<T> = T extends Atom
  ? T
  : T extends null | undefined
    ? never
    : T extends readonly (infer E)[]
      ? TreeLeaf<E>
      : T extends object
        ? TreeLeaf<T[keyof T]>
        : T;

/**
 * A tree of T's structure with every leaf of type R (null and undefined stay as they are).
 * @category Pytrees
 */
export type TreeMapped<T, R> = T extends Atom
  ? R
  : T extends null | undefined
    ? T
    : T extends object
      ? { -readonly [K in keyof T]: TreeMapped<T[K], R> }
      : R;

/**
 * Applies `fn` to every leaf of `tree` and returns a tree of the same structure (plain arrays and
 * objects; null and undefined are kept and not passed to fn). With more trees, which must have
 * the same structure, `fn` gets the leaves at the same position in each: the building block of
 * optimizers over parameter trees.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.treeMap((x: number) => x * 10, { a: 1, b: [2, 3] }); // => { a: 10, b: [ 20, 30 ] }
 *
 * // Adam over a tree of parameters: the moments have the parameters' structure.
 * const params = { w: ad.tensor([1, -2]), b: ad.scalar(0.5) };
 * const loss = (p: typeof params) => ad.add(ad.sum(ad.square(p.w)), ad.square(p.b));
 * const [lr, b1, b2, eps] = [0.05, 0.9, 0.999, 1e-8];
 * let p = params;
 * let m = ad.treeMap((x) => ad.zerosLike(x), params);
 * let v = ad.treeMap((x) => ad.zerosLike(x), params);
 * for (let t = 1; t <= 200; t++) {
 *   const g = ad.grad(loss)(p);
 *   m = ad.treeMap((mi, gi) => ad.add(ad.mul(mi, b1), ad.mul(gi, 1 - b1)), m, g);
 *   v = ad.treeMap((vi, gi) => ad.add(ad.mul(vi, b2), ad.mul(ad.square(gi), 1 - b2)), v, g);
 *   p = ad.treeMap(
 *     (pi, mi, vi) =>
 *       ad.sub(pi, ad.div(ad.mul(mi, lr / (1 - b1 ** t)), ad.add(ad.sqrt(ad.div(vi, 1 - b2 ** t)), eps))),
 *     p, m, v,
 *   );
 * }
 * (loss(p).item() as number) < 0.01; // => true
 * ```
 * @category Pytrees
 */
export function treeMap<T, R>(
  // NoInfer: T comes from the trees, so an annotated callback (x: number) => ... cannot pin it.
  fn: (leaf: NoInfer<TreeLeaf<T>>, ...rest: NoInfer<TreeLeaf<T>>[]) => R,
  tree: T,
  ...rest: T[]
): TreeMapped<T, R> {
  if (typeof fn !== "function") {
    throw new ValueError(
      `treeMap: the first argument must be the function to apply; got ${typeof fn}`,
    );
  }
  const [leaves, def] = flatten(tree, "treeMap");
  const others = rest.map((other, k) => {
    const [otherLeaves, otherDef] = flatten(other, "treeMap");
    if (!treeDefsEqual(def, otherDef)) {
      throw new ValueError(
        `treeMap: tree ${k + 1} does not have the structure of tree 0: ${firstDifference(def, otherDef, "tree")}`,
      );
    }
    return otherLeaves;
  });
  const mapped = leaves.map((leaf, i) =>
    (fn as (...leaves: unknown[]) => R)(leaf, ...others.map((o) => o[i])),
  );
  return unflatten(def, mapped) as TreeMapped<T, R>;
}

/**
 * The leaves of a tree in order: depth first, array entries in order, object keys in insertion
 * order (the order the transformations use). null and undefined are structure, not leaves.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.treeLeaves({ w: 1, b: [2, 3], none: null }); // => [ 1, 2, 3 ]
 * ```
 * @category Pytrees
 */
export function treeLeaves<T>(tree: T): TreeLeaf<T>[] {
  return flatten(tree, "treeLeaves")[0] as TreeLeaf<T>[];
}

/**
 * The structure of a tree without its leaves (a plain, JSON-serialisable description), to
 * rebuild a tree from a list of leaves with treeUnflatten.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const s = ad.treeStructure({ w: ad.scalar(1), b: [ad.scalar(2)] });
 * ad.treeUnflatten(s, [10, 20]); // => { w: 10, b: [ 20 ] }
 * ```
 * @category Pytrees
 */
export function treeStructure(tree: unknown): TreeDef {
  return flatten(tree, "treeStructure")[1];
}

/**
 * Rebuilds a tree of structure `structure` (from treeStructure) from its leaves, in treeLeaves'
 * order. The number of leaves must match. Objects are plain objects whose keys are all own keys
 * (a `"__proto__"` key, as JSON.parse makes, stays an ordinary key).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const tree = { a: [1, 2], b: 3 };
 * const doubled = ad.treeLeaves(tree).map((x) => 2 * x);
 * ad.treeUnflatten(ad.treeStructure(tree), doubled); // => { a: [ 2, 4 ], b: 6 }
 * ```
 * @category Pytrees
 */
export function treeUnflatten(structure: TreeDef, leaves: readonly unknown[]): unknown {
  if (!Array.isArray(leaves)) {
    throw new ValueError(`treeUnflatten: leaves must be an array; got ${typeof leaves}`);
  }
  const n = countLeaves(structure);
  if (leaves.length !== n) {
    throw new ValueError(
      `treeUnflatten: the structure has ${n} leaves; got an array of ${leaves.length}`,
    );
  }
  return unflatten(structure, leaves);
}

function countLeaves(def: TreeDef): number {
  switch (def.kind) {
    case "leaf":
      return 1;
    case "none":
      return 0;
    case "array":
    case "object":
      if (!Array.isArray(def.children)) {
        throw new ValueError("treeUnflatten: structure must come from treeStructure");
      }
      return def.children.reduce((n, c) => n + countLeaves(c), 0);
    default:
      throw new ValueError("treeUnflatten: structure must come from treeStructure");
  }
}

/** Where two structures first differ, as `at tree.w: expected ...; got ...`. */
function firstDifference(a: TreeDef, b: TreeDef, path: string): string {
  const what = (d: TreeDef): string =>
    d.kind === "leaf"
      ? "a leaf"
      : d.kind === "none"
        ? String(d.value)
        : d.kind === "array"
          ? `an array of ${d.children.length}`
          : `an object with keys {${d.keys.slice(0, 6).join(", ")}${d.keys.length > 6 ? ", ..." : ""}}`;
  if (a.kind !== b.kind) return `at ${path}: expected ${what(a)}; got ${what(b)}`;
  if (a.kind === "array" && b.kind === "array") {
    if (a.children.length !== b.children.length) {
      return `at ${path}: expected ${what(a)}; got ${what(b)}`;
    }
    for (let i = 0; i < a.children.length; i++) {
      if (!treeDefsEqual(a.children[i]!, b.children[i]!)) {
        return firstDifference(a.children[i]!, b.children[i]!, `${path}[${i}]`);
      }
    }
  }
  if (a.kind === "object" && b.kind === "object") {
    if (a.keys.length !== b.keys.length || a.keys.some((k, i) => b.keys[i] !== k)) {
      return `at ${path}: expected ${what(a)}; got ${what(b)}`;
    }
    for (let i = 0; i < a.keys.length; i++) {
      if (!treeDefsEqual(a.children[i]!, b.children[i]!)) {
        return firstDifference(a.children[i]!, b.children[i]!, `${path}.${a.keys[i]}`);
      }
    }
  }
  return `at ${path}`;
}
