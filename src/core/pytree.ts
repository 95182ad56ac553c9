/**
 * @file Pytrees: arguments and results nest Tensors and numbers in arrays and plain objects.
 * `flatten` lists the leaves and a TreeDef describing the nesting; `unflatten` rebuilds it.
 */

import { ValueError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/**
 * A nested structure of tensors (and numbers) in arrays and plain objects: what transformations
 * accept as arguments and return as results, such as a model's parameters. Derivatives come back
 * with the same structure.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const loss = (p: { w: ad.Tensor; b: ad.Tensor }) => ad.sum(ad.add(ad.square(p.w), p.b));
 * const params = { w: ad.tensor([1, 2]), b: ad.scalar(0.5) };
 * ad.grad(loss)(params); // => { w: tensor([2., 4.], dtype=float32), b: tensor(2., dtype=float32) }
 * const tree: ad.PyTree = [params, [ad.ones([2]), 3], null];
 * tree; // => [{ w: tensor([1., 2.], dtype=float32), b: tensor(0.5, dtype=float32) }, [tensor([1., 1.], dtype=float32), 3], null]
 * ```
 * @category Pytrees
 */
export type PyTree =
  | Tensor
  | number
  | boolean
  | null
  | undefined
  | readonly PyTree[]
  | PyTreeObject;

/**
 * A plain object node of a {@link PyTree}: its own enumerable keys, in insertion order, name its
 * children (a `"__proto__"` key is an ordinary key).
 * @category Pytrees
 */
export interface PyTreeObject {
  readonly [key: string]: PyTree;
}

/**
 * The shape of a pytree without its leaves: what {@link treeStructure} returns and
 * {@link treeUnflatten} fills with new leaves. Arrays and plain objects are nodes; null and
 * undefined are kept as they are; everything else is a leaf.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const def: ad.TreeDef = ad.treeStructure({ w: ad.ones([2]), b: [1, null] });
 * def.kind; // => object
 * ad.treeUnflatten(def, [10, 20]); // => { w: 10, b: [20, null] }
 * ```
 * @category Pytrees
 */
export type TreeDef =
  | { readonly kind: "leaf" }
  | { readonly kind: "none"; readonly value: null | undefined }
  | { readonly kind: "array"; readonly children: readonly TreeDef[] }
  | {
      readonly kind: "object";
      readonly keys: readonly string[];
      readonly children: readonly TreeDef[];
    };

const LEAF: TreeDef = { kind: "leaf" };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The leaves of a tree in order (depth first, object keys in insertion order) and its TreeDef.
 * A cycle (an object that contains itself) is a ValueError naming the path where it closes.
 */
export function flatten(tree: unknown, op = "pytree"): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  // The arrays and objects on the path from the root to the current node, for cycle detection.
  const ancestors: object[] = [];
  const keys: (string | number)[] = [];
  const walk = (node: unknown): TreeDef => {
    if (node === null || node === undefined) return { kind: "none", value: node };
    const isArray = Array.isArray(node);
    if (!isArray && !isPlainObject(node)) {
      leaves.push(node);
      return LEAF;
    }
    if (ancestors.includes(node)) {
      const at = ancestors.indexOf(node);
      throw new ValueError(
        `${op}: the tree is cyclic: ${pathString(keys)} is the same object as ${pathString(keys.slice(0, at))}; arguments and results must be trees of arrays and plain objects without cycles`,
      );
    }
    ancestors.push(node);
    try {
      if (isArray) {
        const children = new Array<TreeDef>(node.length);
        for (let i = 0; i < node.length; i++) {
          keys.push(i);
          children[i] = walk(node[i]);
          keys.pop();
        }
        return { kind: "array", children };
      }
      const record = node as Record<string, unknown>;
      const names = Object.keys(record);
      const children = names.map((k) => {
        keys.push(k);
        const child = walk(record[k]);
        keys.pop();
        return child;
      });
      return { kind: "object", keys: names, children };
    } finally {
      ancestors.pop();
    }
  };
  const def = walk(tree);
  return [leaves, def];
}

/** A path into a tree for messages: `tree.a[0].b` (`tree` for the root). */
function pathString(keys: readonly (string | number)[]): string {
  let out = "tree";
  for (const k of keys) {
    out +=
      typeof k === "number"
        ? `[${k}]`
        : /^[A-Za-z_$][\w$]*$/.test(k)
          ? `.${k}`
          : `[${JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}...` : k)}]`;
  }
  return out;
}

/**
 * Sets an own property: `obj[key] = v` would set the prototype for the key "__proto__" (which
 * JSON.parse makes as an ordinary own key), losing the value; defineProperty keeps it a key.
 */
export function setOwn(obj: Record<string, unknown>, key: string, v: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value: v,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    obj[key] = v;
  }
}

/** Rebuilds a tree of shape `def` from `leaves` (in flatten's order). */
export function unflatten(def: TreeDef, leaves: readonly unknown[]): unknown {
  let i = 0;
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case "leaf":
        return leaves[i++];
      case "none":
        return d.value;
      case "array":
        return d.children.map(build);
      case "object": {
        const out: Record<string, unknown> = {};
        d.keys.forEach((k, j) => {
          setOwn(out, k, build(d.children[j]!));
        });
        return out;
      }
    }
  };
  return build(def);
}

/** True when two TreeDefs have the same nesting (same array lengths, same object keys). */
export function treeDefsEqual(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "leaf" || a.kind === "none") return true;
  const bc = (b as { children: readonly TreeDef[] }).children;
  if (a.children.length !== bc.length) return false;
  if (a.kind === "object") {
    const bk = (b as { keys: readonly string[] }).keys;
    if (a.keys.some((k, i) => bk[i] !== k)) return false;
  }
  return a.children.every((c, i) => treeDefsEqual(c, bc[i]!));
}

/** A short description of a tree's structure for error messages, e.g. `[Tensor, {a: Tensor}]`. */
export function describeTree(def: TreeDef, depth = 0): string {
  // Bounded like describeValue: a few entries per level, a few levels deep.
  const items = 6;
  switch (def.kind) {
    case "leaf":
      return "leaf";
    case "none":
      return String(def.value);
    case "array": {
      if (depth >= 3) return `array(${def.children.length})`;
      const shown = def.children.slice(0, items).map((c) => describeTree(c, depth + 1));
      const more = def.children.length > items ? `, ... (${def.children.length} items)` : "";
      return `[${shown.join(", ")}${more}]`;
    }
    case "object": {
      if (depth >= 3) return `object(${def.keys.length} keys)`;
      const shown = def.keys
        .slice(0, items)
        .map(
          (k, i) =>
            `${k.length > 40 ? `${k.slice(0, 40)}...` : k}: ${describeTree(def.children[i]!, depth + 1)}`,
        );
      const more = def.keys.length > items ? `, ... (${def.keys.length} keys)` : "";
      return `{${shown.join(", ")}${more}}`;
    }
  }
}

/** Maps leaves of a tree; non-leaf structure is kept. */
export function mapLeaves(tree: unknown, fn: (leaf: unknown, index: number) => unknown): unknown {
  const [leaves, def] = flatten(tree);
  return unflatten(def, leaves.map(fn));
}
