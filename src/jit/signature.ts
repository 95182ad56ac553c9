/**
 * @file The signature of a jitted call: what decides whether a cached program can run it. The
 * pytree structure of the traced arguments, each tensor leaf's shape and dtype, the value of each
 * number, boolean or string leaf (staged as the constant it is, as makeGraph does), the static
 * arguments' values and the default float dtype (ops that make new tensors read it while
 * staging). All of it goes into one string key; the parts are kept to say what changed when a
 * function keeps recompiling.
 */

import { describeValue } from "../core/describe.js";
import { type DType, getDefaultFloat } from "../core/dtype.js";
import { fmtShape, ValueError } from "../core/errors.js";
import { flatten, type TreeDef } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";

/** One leaf of the traced arguments: a tensor's type, or a static value's value. */
export type LeafSig =
  | { readonly kind: "tensor"; readonly shape: readonly number[]; readonly dtype: DType }
  | { readonly kind: "value"; readonly value: number | boolean | string };

/** One static argument (staticArgnums): its position, its key and its value. */
export interface StaticSig {
  readonly argnum: number;
  readonly key: string;
  readonly value: unknown;
}

/**
 * What the cache looks at in one call, kept to say what changed between two signatures (no
 * tensors: a kept signature must not keep a call's arrays alive).
 */
export interface SignatureInfo {
  /** The cache key: equal keys stage to the same graph. */
  readonly key: string;
  /** The argument index of each traced (not static) argument. */
  readonly positions: readonly number[];
  /** The pytree structure of `dynamic`. */
  readonly tree: TreeDef;
  /** `tree` as a string (part of the key). */
  readonly treeKey: string;
  /** Its leaves' signatures, in pytree order. */
  readonly leaves: readonly LeafSig[];
  /** The static arguments. */
  readonly statics: readonly StaticSig[];
  /** The default float dtype at the call. */
  readonly defaultFloat: DType;
}

/** A call's signature and its traced arguments. */
export interface Signature extends SignatureInfo {
  /** The arguments that are not static, in order (what the staged graph takes). */
  readonly dynamic: unknown[];
  /** Its tensor leaves, in pytree order (the compiled program's inputs). */
  readonly tensors: readonly Tensor[];
  /** True when a tensor leaf is a tracer: the call is under another transformation. */
  readonly traced: boolean;
}

/** The part of `sig` to keep between calls. */
export function signatureInfo(sig: Signature): SignatureInfo {
  const { key, positions, tree, treeKey, leaves, statics, defaultFloat } = sig;
  return { key, positions, tree, treeKey, leaves, statics, defaultFloat };
}

/**
 * Numbers keep -0 apart from 0 (they stage to different constants), and NaN equal to itself;
 * String() does the latter already.
 */
function numberKey(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

function treeKey(def: TreeDef): string {
  switch (def.kind) {
    case "leaf":
      return "*";
    case "none":
      return def.value === null ? "n" : "u";
    case "array":
      return `[${def.children.map(treeKey).join(",")}]`;
    case "object":
      return `{${def.keys.map((k, i) => `${quoted(k)}:${treeKey(def.children[i]!)}`).join(",")}}`;
  }
}

/** JSON.stringify of object keys, remembered (a call's keys are the last call's). */
const quotedKeys = new Map<string, string>();

function quoted(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size >= 4096) quotedKeys.clear();
    quotedKeys.set(k, q);
  }
  return q;
}

/**
 * A tensor leaf's part of the key, `float32[64,128];`, remembered by shape array (the results
 * of a compiled program reuse its variables' shape arrays, so a loop's calls hit).
 */
const leafKeys = new WeakMap<readonly number[], { dtype: DType; key: string }>();

function tensorKey(dtype: DType, shape: readonly number[]): string {
  const hit = leafKeys.get(shape);
  if (hit !== undefined && hit.dtype === dtype) return hit.key;
  const key = `${dtype}[${shape.join(",")}];`;
  leafKeys.set(shape, { dtype, key });
  return key;
}

/**
 * The key of a static argument: arrays and plain objects by their contents, numbers, strings,
 * booleans and bigints by value, anything else (functions, class instances, symbols) by identity,
 * through `identities`. A tensor anywhere inside is a ValueError: its value is data, which a
 * static argument would bake into the program and compare by identity.
 */
function staticKey(
  name: string,
  v: unknown,
  argnum: number,
  identities: Map<unknown, number>,
): string {
  const [leaves, def] = flatten(v, `jit(${name})`);
  const parts = leaves.map((leaf) => {
    if (leaf instanceof Tensor) {
      throw new ValueError(
        `jit(${name}): static argument ${argnum} (staticArgnums) is or contains a Tensor (${describeValue(leaf)}); static arguments must be hashable values (numbers, strings, booleans, or arrays and objects of them, or functions and other objects compared by identity). Pass tensors as ordinary arguments, which are traced`,
      );
    }
    switch (typeof leaf) {
      case "number":
        return `#${numberKey(leaf)}`;
      case "string":
        return JSON.stringify(leaf);
      case "boolean":
        return leaf ? "T" : "F";
      case "bigint":
        return `${leaf}n`;
    }
    let id = identities.get(leaf);
    if (id === undefined) {
      id = identities.size;
      identities.set(leaf, id);
    }
    return `@${id}`;
  });
  return `${treeKey(def)}(${parts.join(",")})`;
}

/**
 * The signature of a call with `args`, `statics` being the static argument indices (sorted,
 * within range). A leaf of a traced argument that is neither a tensor nor a number, boolean or
 * string is a ValueError that suggests staticArgnums.
 */
export function signatureOf(
  name: string,
  args: readonly unknown[],
  statics: readonly number[],
  identities: Map<unknown, number>,
): Signature {
  const dynamic: unknown[] = [];
  const positions: number[] = [];
  const staticSigs: StaticSig[] = [];
  let s = 0;
  for (let i = 0; i < args.length; i++) {
    if (s < statics.length && statics[s] === i) {
      s++;
      staticSigs.push({
        argnum: i,
        key: staticKey(name, args[i], i, identities),
        value: args[i],
      });
    } else {
      dynamic.push(args[i]);
      positions.push(i);
    }
  }
  const [flat, tree] = flatten(dynamic, `jit(${name})`);
  const leaves: LeafSig[] = [];
  const tensors: Tensor[] = [];
  const defaultFloat = getDefaultFloat();
  const structure = treeKey(tree);
  let key = `${defaultFloat}|${structure}|`;
  let traced = false;
  for (let i = 0; i < flat.length; i++) {
    const leaf = flat[i];
    if (leaf instanceof Tensor) {
      if (leaf._trace !== null) traced = true;
      else if (leaf._deleted) {
        const where = leafPaths(tree, positions)[i]!;
        throw new ValueError(
          `jit(${name}): ${where} is ${leaf.toString()}; pass the tensor that the donating call returned in its place`,
        );
      }
      tensors.push(leaf);
      leaves.push({ kind: "tensor", shape: leaf.shape, dtype: leaf.dtype });
      key += tensorKey(leaf.dtype, leaf.shape);
    } else if (typeof leaf === "number") {
      leaves.push({ kind: "value", value: leaf });
      key += `#${numberKey(leaf)};`;
    } else if (typeof leaf === "boolean") {
      leaves.push({ kind: "value", value: leaf });
      key += leaf ? "T;" : "F;";
    } else if (typeof leaf === "string") {
      leaves.push({ kind: "value", value: leaf });
      key += `${JSON.stringify(leaf)};`;
    } else {
      const where = leafPaths(tree, positions)[i]!;
      throw new ValueError(
        `jit(${name}): ${where} is ${describeValue(leaf)}; a traced argument's leaves must be tensors (traced) or numbers, booleans or strings (static, part of the cache key). List the argument in staticArgnums to pass any other value`,
      );
    }
  }
  for (const st of staticSigs) key += `|${st.argnum}=${st.key}`;
  return {
    key,
    dynamic,
    positions,
    tree,
    treeKey: structure,
    leaves,
    tensors,
    traced,
    statics: staticSigs,
    defaultFloat,
  };
}

/** Each leaf's place in the call, for messages: `argument 0`, `argument 1.w`, `argument 2[0]`. */
function leafPaths(tree: TreeDef, positions: readonly number[]): string[] {
  const out: string[] = [];
  const walk = (def: TreeDef, path: string): void => {
    switch (def.kind) {
      case "leaf":
        out.push(path);
        return;
      case "none":
        return;
      case "array":
        for (let i = 0; i < def.children.length; i++) walk(def.children[i]!, `${path}[${i}]`);
        return;
      case "object":
        for (let i = 0; i < def.children.length; i++) {
          const k = def.keys[i]!;
          const at = /^[A-Za-z_$][\w$]*$/.test(k)
            ? `${path}.${k}`
            : `${path}[${JSON.stringify(k)}]`;
          walk(def.children[i]!, at);
        }
    }
  };
  // The root is the list of traced arguments: its children are arguments at `positions`.
  if (tree.kind === "array") {
    for (let i = 0; i < tree.children.length; i++)
      walk(tree.children[i]!, `argument ${positions[i]}`);
  }
  return out;
}

function showLeaf(leaf: LeafSig): string {
  if (leaf.kind === "tensor") return `${leaf.dtype}${fmtShape(leaf.shape)}`;
  return typeof leaf.value === "string" ? JSON.stringify(leaf.value) : String(leaf.value);
}

/**
 * What differs between two signatures, as a clause for the recompilation warning, with advice:
 * e.g. `argument 0 changed shape [32,8] -> [33,8]; pad it to one shape...`.
 */
export function describeChange(prev: SignatureInfo, cur: SignatureInfo): string {
  if (prev.defaultFloat !== cur.defaultFloat) {
    return `the default float dtype changed ${prev.defaultFloat} -> ${cur.defaultFloat} (setDefaultFloat); keep one default while calling jitted functions`;
  }
  for (let i = 0; i < Math.min(prev.statics.length, cur.statics.length); i++) {
    const a = prev.statics[i]!;
    const b = cur.statics[i]!;
    if (a.argnum === b.argnum && a.key !== b.key) {
      return `static argument ${a.argnum} changed ${describeValue(a.value)} -> ${describeValue(b.value)}; every value of a static argument is compiled once, so pass a value that changes on every call as a traced argument (a tensor)`;
    }
  }
  if (
    prev.treeKey !== cur.treeKey ||
    prev.positions.length !== cur.positions.length ||
    prev.statics.length !== cur.statics.length
  ) {
    return `the arguments' structure changed (arrays, objects or the number of arguments); keep one pytree structure`;
  }
  const paths = leafPaths(cur.tree, cur.positions);
  for (let i = 0; i < cur.leaves.length; i++) {
    const a = prev.leaves[i]!;
    const b = cur.leaves[i]!;
    const where = paths[i]!;
    if (a.kind === "tensor" && b.kind === "tensor") {
      if (a.dtype !== b.dtype) {
        return `${where} changed dtype ${a.dtype} -> ${b.dtype}; cast it to one dtype before the call`;
      }
      if (a.shape.join(",") !== b.shape.join(",")) {
        return `${where} changed shape ${fmtShape(a.shape)} -> ${fmtShape(b.shape)}; every shape is compiled once, so pad it to a few fixed shapes or mark it static (staticArgnums) if its value is fixed`;
      }
    } else if (a.kind === "value" && b.kind === "value") {
      if (!Object.is(a.value, b.value)) {
        return `${where} changed value ${showLeaf(a)} -> ${showLeaf(b)}; numbers, booleans and strings are static under jit (one compile per value): pass a number that changes as a tensor (ad.scalar(v)) to make it an input`;
      }
    } else {
      return `${where} changed from ${showLeaf(a)} to ${showLeaf(b)}; pass it as a tensor every time`;
    }
  }
  return "the signature changed";
}
