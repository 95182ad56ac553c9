/**
 * @file Parameter utilities of `ad.nn`: count the parameters of a pytree, flatten it to one
 * vector and back (differentiably, for `minimize` over a model), and save / load it as JSON or
 * as a compact binary file, with the dtype and shape of every leaf checked on the way back in.
 *
 * Binary layout (version 1, little-endian): the 4 bytes "ADJP", a uint32 version, a uint32
 * header length, the header as UTF-8 JSON ({structure, leaves: [{dtype, shape, offset}]}), zero
 * padding to a multiple of 8, then each leaf's elements at its offset (multiples of 8) from
 * there: float32/float64/int32 as IEEE/two's complement, bool as one byte, a number leaf as a
 * float64.
 */

import { describeValue } from "../core/describe.js";
import { type DType, getDefaultFloat, isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { flatten, type PyTree, type TreeDef, treeDefsEqual, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { utf8Decode, utf8Encode } from "../core/web-globals.js";
import { zeros } from "../ops/creation.js";
import { astype } from "../ops/elementwise.js";
import { concat, reshape, slice } from "../ops/shape.js";

/** The path of each leaf of `def` in JavaScript syntax, rooted at `root` (e.g. `params[0].w`). */
export function leafPaths(def: TreeDef, root = "params"): string[] {
  const out: string[] = [];
  const walk = (d: TreeDef, path: string): void => {
    if (d.kind === "leaf") out.push(path);
    else if (d.kind === "array")
      d.children.forEach((c, i) => {
        walk(c, `${path}[${i}]`);
      });
    else if (d.kind === "object") {
      d.keys.forEach((k, i) => {
        walk(d.children[i]!, `${path}${keyPath(k)}`);
      });
    }
  };
  walk(def, root);
  return out;
}

function keyPath(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/**
 * The number of scalar parameters in a pytree: the sizes of its tensor leaves plus one per
 * number leaf (null and undefined count nothing).
 * @throws {@link ValueError} for a leaf that is neither a Tensor nor a number.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nn.countParams({ w: ad.zeros([3, 4]), b: ad.zeros([4]), extra: [1, null] }); // => 17
 * ```
 * @category Neural-net ops
 */
export function countParams(tree: unknown): number {
  const [leaves, def] = flatten(tree, "nn.countParams");
  const paths = leafPaths(def);
  let n = 0;
  leaves.forEach((l, i) => {
    if (l instanceof Tensor) n += l.size;
    else if (typeof l === "number") n += 1;
    else {
      throw new ValueError(
        `nn.countParams: every leaf must be a Tensor or a number; got ${describeValue(l)} at ${paths[i]}`,
      );
    }
  });
  return n;
}

/**
 * Flattens the float leaves of a pytree into one 1-d vector and returns it with the inverse:
 * `[vector, unflatten]`, where `unflatten(v)` rebuilds a tree of the same structure with each
 * leaf's shape and dtype from the matching slice of v. The vector is float64 if any leaf is,
 * float32 otherwise; number leaves take one element each and come back as 0-d tensors. Both
 * directions are differentiable, so `(v) => loss(unflatten(v))` is a function of a vector for
 * `minimize`, `hessian` or `jacobian`.
 * @throws {@link DTypeError} for a leaf that is not a float tensor or a number (named by its
 *   path); {@link ShapeError} when unflatten gets a vector of another length.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [v, unflatten] = ad.nn.flattenParams({ w: ad.tensor([[1, 2], [3, 4]]), b: ad.tensor([5]) });
 * v; // => tensor([1., 2., 3., 4., 5.], dtype=float32)
 * unflatten(ad.mul(v, 10)).w; // => tensor([[10., 20.], [30., 40.]], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function flattenParams<T>(tree: T): [Tensor, (vector: Tensor) => T] {
  const op = "nn.flattenParams";
  const [leaves, def] = flatten(tree, op);
  const paths = leafPaths(def);
  const specs = leaves.map((l, i) => {
    if (typeof l === "number") return { shape: [] as number[], dtype: null };
    if (l instanceof Tensor && isFloat(l.dtype)) return { shape: l.shape.slice(), dtype: l.dtype };
    throw new DTypeError(
      `${op}: every leaf must be a float tensor or a number; got ${describeValue(l)} at ${paths[i]}`,
    );
  });
  const dtype: DType = specs.some((s) => s.dtype === "float64")
    ? "float64"
    : specs.some((s) => s.dtype === "float32")
      ? "float32"
      : getDefaultFloat();
  const parts = leaves.map((l) => reshape(astype(l as Tensor | number, dtype), [-1]));
  const vector = parts.length === 0 ? zeros([0], dtype) : concat(parts, 0);
  const n = vector.size;
  const unflattenFn = (v: Tensor): T => {
    if (!(v instanceof Tensor) || v.ndim !== 1 || v.shape[0] !== n) {
      throw new ShapeError(
        `${op}: unflatten expects a vector of shape [${n}]; got ${v instanceof Tensor ? `shape ${fmtShape(v.shape)}` : describeValue(v)}`,
      );
    }
    let at = 0;
    const out = specs.map((s) => {
      const size = s.shape.reduce((a, b) => a * b, 1);
      const piece = reshape(slice(v, [at], [size]), s.shape);
      at += size;
      return s.dtype === null || s.dtype === v.dtype ? piece : astype(piece, s.dtype);
    });
    return unflatten(def, out) as T;
  };
  return [vector, unflattenFn];
}

// ---- save / load ---------------------------------------------------------------------------------

/** A leaf's dtype in a file: a tensor dtype, or "number" for a JavaScript number leaf. */
type LeafDType = DType | "number";

interface LeafHeader {
  dtype: LeafDType;
  shape: number[];
}

const FORMAT = "adjoint-params";
const VERSION = 1;
const MAGIC = [0x41, 0x44, 0x4a, 0x50]; // "ADJP"
const DTYPES: readonly LeafDType[] = ["float32", "float64", "int32", "bool", "number"];
const BYTES: Record<LeafDType, number> = { float32: 4, float64: 8, int32: 4, bool: 1, number: 8 };

/** The leaves with their header and their elements as numbers (bool as 0/1). */
function collect(op: string, tree: unknown): [TreeDef, LeafHeader[], ArrayLike<number>[]] {
  const [leaves, def] = flatten(tree, op);
  const paths = leafPaths(def);
  const headers: LeafHeader[] = [];
  const data: ArrayLike<number>[] = [];
  leaves.forEach((l, i) => {
    if (typeof l === "number") {
      headers.push({ dtype: "number", shape: [] });
      data.push([l]);
    } else if (l instanceof Tensor) {
      headers.push({ dtype: l.dtype, shape: l.shape.slice() });
      data.push(l.dataSync());
    } else {
      throw new ValueError(
        `${op}: every leaf must be a Tensor or a number; got ${describeValue(l)} at ${paths[i]}`,
      );
    }
  });
  return [def, headers, data];
}

/** JSON numbers for the values JSON cannot write: NaN, infinities and -0 become strings. */
function jsonNumber(x: number): number | string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Object.is(x, -0)) return "-0";
  return x;
}

function fromJsonNumber(op: string, v: unknown, path: string): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (v === "-0") return -0;
  throw new ValueError(`${op}: ${path} has a value that is not a number: ${describeValue(v)}`);
}

/**
 * Options of {@link nn.saveParams}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.SaveParamsOptions = { format: "binary" };
 * ad.nn.saveParams({ w: ad.ones([2]) }, opts) instanceof Uint8Array; // => true
 * ```
 * @category Neural-net ops
 */
export interface SaveParamsOptions {
  /** "json" (default, a string) or "binary" (a Uint8Array). */
  format?: "json" | "binary";
}

/**
 * Saves a pytree of tensors (any dtype) and numbers, with its structure and each leaf's dtype
 * and shape, as a JSON string (default) or a compact binary Uint8Array (`{ format: "binary" }`;
 * layout in the file header of src/nn/params.ts). Both round-trip bit for bit through
 * {@link nn.loadParams} (JSON writes NaN, infinities and -0 as strings; only a NaN's payload is
 * not kept, the binary format keeps it too). Inside a transformation, save `ad.stopGradient(p)`.
 * @throws {@link ValueError} for a leaf that is neither a Tensor nor a number.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const json = ad.nn.saveParams({ w: ad.tensor([1.5, -0]), n: 3 });
 * json; // => {"format":"adjoint-params","version":1,"structure":...,"leaves":[{"dtype":"float32","shape":[2],"data":[1.5,"-0"]},{"dtype":"number","shape":[],"data":[3]}]}
 * ad.nn.loadParams(json); // => { w: tensor([ 1.5, -0. ], dtype=float32), n: 3 }
 * ```
 * @category Neural-net ops
 */
export function saveParams(tree: unknown, options: { format: "binary" }): Uint8Array;
export function saveParams(tree: unknown, options?: { format?: "json" }): string;
export function saveParams(tree: unknown, options?: SaveParamsOptions): string | Uint8Array;
export function saveParams(tree: unknown, options: SaveParamsOptions = {}): string | Uint8Array {
  const op = "nn.saveParams";
  const opts = checkOptions(op, options, ["format"]);
  const format = opts.format ?? "json";
  if (format !== "json" && format !== "binary") {
    throw new ValueError(`${op}: format must be "json" or "binary"; got ${describeValue(format)}`);
  }
  const [structure, headers, data] = collect(op, tree);
  if (format === "json") {
    const leaves = headers.map((h, i) => ({
      dtype: h.dtype,
      shape: h.shape,
      data: Array.from(data[i]!, (x) => (h.dtype === "bool" ? x !== 0 : jsonNumber(x))),
    }));
    return JSON.stringify({ format: FORMAT, version: VERSION, structure, leaves });
  }
  let offset = 0;
  const placed = headers.map((h) => {
    const at = offset;
    offset += Math.ceil((h.shape.reduce((a, b) => a * b, 1) * BYTES[h.dtype]) / 8) * 8;
    return { ...h, offset: at };
  });
  const header = utf8Encode(JSON.stringify({ structure, leaves: placed }));
  const start = Math.ceil((12 + header.length) / 8) * 8;
  const bytes = new Uint8Array(start + offset);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  placed.forEach((h, i) => {
    const values = data[i]!;
    const base = start + h.offset;
    for (let j = 0; j < values.length; j++) {
      const x = values[j]!;
      const at = base + j * BYTES[h.dtype];
      if (h.dtype === "float32") view.setFloat32(at, x, true);
      else if (h.dtype === "float64" || h.dtype === "number") view.setFloat64(at, x, true);
      else if (h.dtype === "int32") view.setInt32(at, x, true);
      else view.setUint8(at, x);
    }
  });
  return bytes;
}

/** A TreeDef read from a file, checked node by node (a file is untrusted input). */
function checkTreeDef(op: string, v: unknown, path: string): TreeDef {
  const bad = (what: string): never => {
    throw new ValueError(`${op}: the file's structure is malformed at ${path}: ${what}`);
  };
  if (v === null || typeof v !== "object") return bad(`expected a node, got ${describeValue(v)}`);
  const node = v as { kind?: unknown; value?: unknown; keys?: unknown; children?: unknown };
  switch (node.kind) {
    case "leaf":
      return { kind: "leaf" };
    case "none":
      return { kind: "none", value: node.value === null ? null : undefined };
    case "array": {
      if (!Array.isArray(node.children)) return bad("an array node without children");
      return {
        kind: "array",
        children: node.children.map((c, i) => checkTreeDef(op, c, `${path}[${i}]`)),
      };
    }
    case "object": {
      const { keys, children } = node;
      if (
        !Array.isArray(keys) ||
        !Array.isArray(children) ||
        keys.length !== children.length ||
        !keys.every((k) => typeof k === "string")
      ) {
        return bad("an object node without matching keys and children");
      }
      return {
        kind: "object",
        keys: keys as string[],
        children: children.map((c, i) =>
          checkTreeDef(op, c, `${path}${keyPath(keys[i] as string)}`),
        ),
      };
    }
    default:
      return bad(`unknown node kind ${describeValue(node.kind)}`);
  }
}

function checkLeafHeader(op: string, v: unknown, path: string): LeafHeader {
  const h = v as { dtype?: unknown; shape?: unknown } | null;
  if (h === null || typeof h !== "object" || !DTYPES.includes(h.dtype as LeafDType)) {
    throw new ValueError(`${op}: ${path} has no valid dtype in the file; got ${describeValue(h)}`);
  }
  const shape = h.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ValueError(
      `${op}: ${path} has no valid shape in the file; got ${describeValue(shape)}`,
    );
  }
  return { dtype: h.dtype as LeafDType, shape: shape as number[] };
}

/** Where two structures first differ, as a sentence naming the path. */
function structureDifference(file: TreeDef, like: TreeDef, path: string): string | null {
  const what = (d: TreeDef): string =>
    d.kind === "object"
      ? `an object with keys [${d.keys.join(", ")}]`
      : d.kind === "array"
        ? `an array of ${d.children.length}`
        : d.kind === "leaf"
          ? "a leaf"
          : String(d.value);
  if (file.kind !== like.kind)
    return `${path} is ${what(file)} in the file but ${what(like)} in like`;
  if (file.kind === "object" && like.kind === "object") {
    if (file.keys.length !== like.keys.length || file.keys.some((k, i) => like.keys[i] !== k)) {
      return `${path} is ${what(file)} in the file but ${what(like)} in like`;
    }
    for (let i = 0; i < file.keys.length; i++) {
      const d = structureDifference(
        file.children[i]!,
        like.children[i]!,
        `${path}${keyPath(file.keys[i]!)}`,
      );
      if (d !== null) return d;
    }
  }
  if (file.kind === "array" && like.kind === "array") {
    if (file.children.length !== like.children.length) {
      return `${path} is ${what(file)} in the file but ${what(like)} in like`;
    }
    for (let i = 0; i < file.children.length; i++) {
      const d = structureDifference(file.children[i]!, like.children[i]!, `${path}[${i}]`);
      if (d !== null) return d;
    }
  }
  return null;
}

function typedFor(dtype: DType, n: number) {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "bool":
      return new Uint8Array(n);
  }
}

/** Reads the file into its structure, headers and a reader of each leaf's element j. */
function parse(
  op: string,
  data: unknown,
): [TreeDef, LeafHeader[], (leaf: number, j: number) => number] {
  if (typeof data === "string") {
    let doc: unknown;
    try {
      doc = JSON.parse(data);
    } catch (err) {
      throw new ValueError(`${op}: the JSON text does not parse: ${(err as Error).message}`);
    }
    const d = doc as { format?: unknown; version?: unknown; structure?: unknown; leaves?: unknown };
    if (d === null || typeof d !== "object" || d.format !== FORMAT) {
      throw new ValueError(`${op}: not an adjoint params file (format "${FORMAT}" expected)`);
    }
    if (d.version !== VERSION) {
      throw new ValueError(
        `${op}: unsupported version ${describeValue(d.version)}; this reads version ${VERSION}`,
      );
    }
    const structure = checkTreeDef(op, d.structure, "params");
    const paths = leafPaths(structure);
    if (!Array.isArray(d.leaves) || d.leaves.length !== paths.length) {
      throw new ValueError(
        `${op}: the file's structure has ${paths.length} leaves but it stores ${Array.isArray(d.leaves) ? d.leaves.length : describeValue(d.leaves)}`,
      );
    }
    const raw = d.leaves as { data?: unknown }[];
    const headers = raw.map((l, i) => {
      const h = checkLeafHeader(op, l, paths[i]!);
      const n = h.shape.reduce((a, b) => a * b, 1);
      if (!Array.isArray(l.data) || l.data.length !== n) {
        throw new ValueError(
          `${op}: ${paths[i]} should hold ${n} values for shape ${fmtShape(h.shape)}; got ${describeValue(l.data)}`,
        );
      }
      return h;
    });
    return [
      structure,
      headers,
      (leaf, j) => {
        const v = (raw[leaf]!.data as unknown[])[j];
        const dtype = headers[leaf]!.dtype;
        if (dtype === "bool") {
          if (typeof v !== "boolean") {
            throw new ValueError(`${op}: ${paths[leaf]} is bool but holds ${describeValue(v)}`);
          }
          return v ? 1 : 0;
        }
        const x = fromJsonNumber(op, v, paths[leaf]!);
        if (dtype === "int32" && (x | 0) !== x) {
          throw new ValueError(`${op}: ${paths[leaf]} is int32 but holds ${describeValue(v)}`);
        }
        return x;
      },
    ];
  }
  const bytes =
    data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
  if (bytes === null) {
    throw new ValueError(
      `${op}: data must be a JSON string or binary data (Uint8Array, ArrayBuffer) from nn.saveParams; got ${describeValue(data)}`,
    );
  }
  if (bytes.length < 12 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ValueError(
      `${op}: not an adjoint params file (the binary data does not start with "ADJP")`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) {
    throw new ValueError(`${op}: unsupported version ${version}; this reads version ${VERSION}`);
  }
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) {
    throw new ValueError(`${op}: the binary data is truncated (header of ${headerLength} bytes)`);
  }
  let header: { structure?: unknown; leaves?: unknown };
  try {
    header = JSON.parse(utf8Decode(bytes.subarray(12, 12 + headerLength)));
  } catch (err) {
    throw new ValueError(`${op}: the binary header does not parse: ${(err as Error).message}`);
  }
  const structure = checkTreeDef(op, header?.structure, "params");
  const paths = leafPaths(structure);
  if (!Array.isArray(header.leaves) || header.leaves.length !== paths.length) {
    throw new ValueError(
      `${op}: the file's structure has ${paths.length} leaves but its header lists another number`,
    );
  }
  const start = Math.ceil((12 + headerLength) / 8) * 8;
  const offsets: number[] = [];
  const headers = (header.leaves as { offset?: unknown }[]).map((l, i) => {
    const h = checkLeafHeader(op, l, paths[i]!);
    const n = h.shape.reduce((a, b) => a * b, 1);
    const off = l.offset;
    if (
      !Number.isSafeInteger(off) ||
      (off as number) < 0 ||
      start + (off as number) + n * BYTES[h.dtype] > bytes.length
    ) {
      throw new ValueError(`${op}: ${paths[i]}'s data lies outside the file (truncated?)`);
    }
    offsets.push(start + (off as number));
    return h;
  });
  return [
    structure,
    headers,
    (leaf, j) => {
      const h = headers[leaf]!;
      const at = offsets[leaf]! + j * BYTES[h.dtype];
      switch (h.dtype) {
        case "float32":
          return view.getFloat32(at, true);
        case "int32":
          return view.getInt32(at, true);
        case "bool":
          return view.getUint8(at) === 0 ? 0 : 1;
        default:
          return view.getFloat64(at, true);
      }
    },
  ];
}

/**
 * Loads params saved by {@link nn.saveParams} (a JSON string, or binary data as a Uint8Array or
 * ArrayBuffer). With `like` (e.g. a freshly initialised model's params) the file must have
 * like's structure and every leaf like's dtype and shape; the result then has like's type.
 * @throws {@link ValueError} for data that is not a params file, is malformed or truncated, or
 *   whose structure differs from like's (naming the first differing path); {@link DTypeError}
 *   and {@link ShapeError} for a leaf whose dtype or shape differs from like's (naming the leaf,
 *   e.g. `params[2].w`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const params = { w: ad.ones([2, 2]), b: ad.zeros([2]) };
 * const bytes = ad.nn.saveParams(params, { format: "binary" });
 * ad.nn.loadParams(bytes, params).w; // => tensor([[1., 1.], [1., 1.]], dtype=float32)
 * ad.nn.loadParams(bytes, { w: ad.ones([2, 3]), b: ad.zeros([2]) }); // throws: ShapeError: nn.loadParams: params.w
 * ```
 * @category Neural-net ops
 */
export function loadParams<T>(data: string | Uint8Array | ArrayBuffer, like: T): T;
export function loadParams(data: string | Uint8Array | ArrayBuffer): PyTree;
export function loadParams(data: string | Uint8Array | ArrayBuffer, like?: unknown): unknown {
  const op = "nn.loadParams";
  const [structure, headers, read] = parse(op, data);
  const paths = leafPaths(structure);
  if (like !== undefined) {
    const [likeLeaves, likeDef] = flatten(like, op);
    if (!treeDefsEqual(structure, likeDef)) {
      const diff = structureDifference(structure, likeDef, "params");
      throw new ValueError(
        `${op}: the file does not have like's structure: ${diff ?? "they differ"}`,
      );
    }
    likeLeaves.forEach((l, i) => {
      const h = headers[i]!;
      const path = paths[i]!;
      const dtype: LeafDType | null =
        l instanceof Tensor ? l.dtype : typeof l === "number" ? "number" : null;
      if (dtype !== h.dtype) {
        throw new DTypeError(
          `${op}: ${path} is ${h.dtype} in the file but ${dtype ?? describeValue(l)} in like`,
        );
      }
      const shape = l instanceof Tensor ? l.shape : [];
      if (shape.length !== h.shape.length || shape.some((d, j) => d !== h.shape[j])) {
        throw new ShapeError(
          `${op}: ${path} has shape ${fmtShape(h.shape)} in the file but ${fmtShape(shape)} in like`,
        );
      }
    });
  }
  const leaves = headers.map((h, i) => {
    if (h.dtype === "number") return read(i, 0);
    const n = h.shape.reduce((a, b) => a * b, 1);
    const arr = typedFor(h.dtype, n);
    for (let j = 0; j < n; j++) arr[j] = read(i, j);
    return Tensor._fromData(h.shape, h.dtype, arr);
  });
  return unflatten(structure, leaves);
}
