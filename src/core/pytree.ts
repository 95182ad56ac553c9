/**
 * @file Pytrees: arguments and results nest Tensors and numbers in arrays and plain objects.
 * `flatten` lists the leaves and a TreeDef describing the nesting; `unflatten` rebuilds it.
 */

import type { Tensor } from "./tensor.js";

/** A nested structure of tensors (and numbers) in arrays and plain objects. */
export type PyTree =
  | Tensor
  | number
  | boolean
  | null
  | undefined
  | readonly PyTree[]
  | PyTreeObject;
export interface PyTreeObject {
  readonly [key: string]: PyTree;
}

/** The shape of a pytree without its leaves. */
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

/** The leaves of a tree in order (depth first, object keys in insertion order) and its TreeDef. */
export function flatten(tree: unknown): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const walk = (node: unknown): TreeDef => {
    if (node === null || node === undefined) return { kind: "none", value: node };
    if (Array.isArray(node)) return { kind: "array", children: node.map(walk) };
    if (isPlainObject(node)) {
      const keys = Object.keys(node);
      return { kind: "object", keys, children: keys.map((k) => walk(node[k])) };
    }
    leaves.push(node);
    return LEAF;
  };
  const def = walk(tree);
  return [leaves, def];
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
          out[k] = build(d.children[j]!);
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
export function describeTree(def: TreeDef): string {
  switch (def.kind) {
    case "leaf":
      return "leaf";
    case "none":
      return String(def.value);
    case "array":
      return `[${def.children.map(describeTree).join(", ")}]`;
    case "object":
      return `{${def.keys.map((k, i) => `${k}: ${describeTree(def.children[i]!)}`).join(", ")}}`;
  }
}

/** Maps leaves of a tree; non-leaf structure is kept. */
export function treeMap(tree: unknown, fn: (leaf: unknown, index: number) => unknown): unknown {
  const [leaves, def] = flatten(tree);
  return unflatten(def, leaves.map(fn));
}
