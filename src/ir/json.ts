/**
 * @file A graph as JSON and back (the format is docs/graph-format.md, version 1). Writing is
 * exact: constants are their bytes in base64 (little-endian), numbers that JSON cannot hold (NaN,
 * ±Infinity, -0) are strings. Reading validates everything and names the part that is wrong.
 */

import { allocate, DTYPES, type DType, type TypedArray } from "../core/dtype.js";
import { AdjointError, ValueError } from "../core/errors.js";
import { nodeAvals } from "../core/node.js";
import { type Json, NO_PARAMS, type ParamsCodec, preview } from "../core/params-json.js";
import {
  type AnyMultiPrimitive,
  type AnyPrimitive,
  type Aval,
  registeredPrimitives,
} from "../core/primitive.js";
import type { TreeDef } from "../core/pytree.js";
import { shapeSize, shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { Graph, type GraphConst, type GraphEqn, type GraphLeaf, type GraphParts } from "./graph.js";

/** The format's name and the version this code writes and reads. */
export const GRAPH_FORMAT = "adjoint-graph";
export const GRAPH_VERSION = 1;

/**
 * A graph in JSON (docs/graph-format.md).
 * @category Tools
 */
export type GraphJson = {
  readonly format: typeof GRAPH_FORMAT;
  readonly version: typeof GRAPH_VERSION;
  /** Every variable's dtype and shape, by id. */
  readonly vars: readonly { readonly dtype: DType; readonly shape: readonly number[] }[];
  /** The leaves of the argument list: `{ var }` for an input, `{ value }` for a static value. */
  readonly inputs: readonly LeafJson[];
  readonly inTree: TreeJson;
  /** Constants: the variable and its elements' bytes (little-endian) in base64. */
  readonly consts: readonly { readonly var: number; readonly data: string }[];
  readonly eqns: readonly EqnJson[];
  readonly outputs: readonly LeafJson[];
  readonly outTree: TreeJson;
};

/**
 * One equation in JSON.
 * @category Tools
 */
export type EqnJson = {
  readonly primitive: string;
  readonly params: Json;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly scope?: string;
};

/**
 * A pytree leaf in JSON.
 * @category Tools
 */
export type LeafJson = { readonly var: number } | { readonly value: Json };

/**
 * A pytree structure in JSON (TreeDef with `undefined` written as the string "undefined").
 * @category Tools
 */
export type TreeJson =
  | { readonly kind: "leaf" }
  | { readonly kind: "none"; readonly value: null | "undefined" }
  | { readonly kind: "array"; readonly children: readonly TreeJson[] }
  | {
      readonly kind: "object";
      readonly keys: readonly string[];
      readonly children: readonly TreeJson[];
    };

// ---- writing -----------------------------------------------------------------------------------

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function toBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : "=";
    out += i + 2 < bytes.length ? B64[n & 63]! : "=";
  }
  return out;
}

function fromBase64(s: string, where: string): Uint8Array {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw new ValueError(`${where}: expected base64 data; got ${preview(s)}`);
  }
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = s[i + j]!;
      n = (n << 6) | (c === "=" ? 0 : B64.indexOf(c));
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

const BYTES: Record<DType, number> = { bool: 1, int32: 4, float32: 4, float64: 8 };

/** A typed array's elements as little-endian bytes. */
function dataBytes(data: TypedArray, dtype: DType): Uint8Array {
  const out = new Uint8Array(data.length * BYTES[dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (dtype === "float64") view.setFloat64(i * 8, v, true);
    else if (dtype === "float32") view.setFloat32(i * 4, v, true);
    else if (dtype === "int32") view.setInt32(i * 4, v, true);
    else out[i] = v;
  }
  return out;
}

function bytesData(bytes: Uint8Array, dtype: DType, size: number): TypedArray {
  const data = allocate(dtype, size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < size; i++) {
    if (dtype === "float64") data[i] = view.getFloat64(i * 8, true);
    else if (dtype === "float32") data[i] = view.getFloat32(i * 4, true);
    else if (dtype === "int32") data[i] = view.getInt32(i * 4, true);
    else data[i] = bytes[i]! === 0 ? 0 : 1;
  }
  return data;
}

function numberJson(v: number): Json {
  if (Number.isFinite(v)) return Object.is(v, -0) ? "-0" : v;
  return String(v);
}

function leafJson(leaf: GraphLeaf): LeafJson {
  if ("var" in leaf) return { var: leaf.var };
  const v = leaf.value;
  return { value: typeof v === "number" ? numberJson(v) : v };
}

function treeJson(def: TreeDef): TreeJson {
  switch (def.kind) {
    case "leaf":
      return { kind: "leaf" };
    case "none":
      return { kind: "none", value: def.value === undefined ? "undefined" : null };
    case "array":
      return { kind: "array", children: def.children.map(treeJson) };
    case "object":
      return { kind: "object", keys: [...def.keys], children: def.children.map(treeJson) };
  }
}

/** The JSON data of `graph`. */
export function graphToJson(graph: GraphParts): GraphJson {
  const consts = graph.consts.map((c) => {
    const v = c.value;
    if (v._trace !== null) {
      throw new ValueError(
        `graph.toJSON: constant ${c.id} (${v.dtype}[${v.shape.join(",")}]) is a value of an enclosing transformation (a tracer captured from outside makeGraph); stage the function outside that transformation to write it`,
      );
    }
    return { var: c.id, data: toBase64(dataBytes(v._data!, v.dtype)) };
  });
  const eqns = graph.eqns.map((e, i): EqnJson => {
    const codec = e.primitive.paramsJson;
    if (codec === undefined && e.params !== undefined) {
      throw new ValueError(
        `graph.toJSON: equation ${i} (${e.primitive.name}) has params but its primitive declares no paramsJson codec; add one to its declaration (see paramsCodec)`,
      );
    }
    const params = codec === undefined ? null : codec.toJSON(e.params as never);
    return {
      primitive: e.primitive.name,
      params,
      inputs: [...e.inputs],
      outputs: [...e.outputs],
      ...(e.scope === "" ? {} : { scope: e.scope }),
    };
  });
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    vars: graph.vars.map((a) => ({ dtype: a.dtype, shape: [...a.shape] })),
    inputs: graph.inLeaves.map(leafJson),
    inTree: treeJson(graph.inTree),
    consts,
    eqns,
    outputs: graph.outLeaves.map(leafJson),
    outTree: treeJson(graph.outTree),
  };
}

// ---- reading -----------------------------------------------------------------------------------

const WHERE = "Graph.fromJSON";

function fail(where: string, what: string): never {
  throw new ValueError(`${WHERE}: ${where}: ${what}`);
}

function record(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    fail(where, `expected an object; got ${preview(v)}`);
  }
  return v as Record<string, unknown>;
}

function array(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) fail(where, `expected an array; got ${preview(v)}`);
  return v;
}

const isIndex = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

function readNumber(v: unknown, where: string): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (v === "-0") return -0;
  return fail(where, `expected a number; got ${preview(v)}`);
}

function readTree(v: unknown, where: string): [TreeDef, number] {
  const r = record(v, where);
  switch (r.kind) {
    case "leaf":
      return [{ kind: "leaf" }, 1];
    case "none":
      if (r.value !== null && r.value !== "undefined") {
        fail(where, `a "none" node's value must be null or "undefined"; got ${preview(r.value)}`);
      }
      return [{ kind: "none", value: r.value === null ? null : undefined }, 0];
    case "array":
    case "object": {
      const kids = array(r.children, `${where}.children`).map((c, i) =>
        readTree(c, `${where}.children[${i}]`),
      );
      const count = kids.reduce((n, [, k]) => n + k, 0);
      const children = kids.map(([d]) => d);
      if (r.kind === "array") return [{ kind: "array", children }, count];
      const keys = array(r.keys, `${where}.keys`);
      if (keys.length !== children.length || !keys.every((k) => typeof k === "string")) {
        fail(where, "an object node needs one string key per child");
      }
      return [{ kind: "object", keys: keys as string[], children }, count];
    }
    default:
      return fail(where, `unknown tree node kind ${preview(r.kind)}`);
  }
}

/** Reads and validates a graph (an object written by graphToJson, or its JSON text). */
export function graphFromJson(input: unknown): Graph {
  let json = input;
  if (typeof json === "string") {
    try {
      json = JSON.parse(json);
    } catch (e) {
      throw new ValueError(`${WHERE}: not valid JSON text (${(e as Error).message})`);
    }
  }
  const root = record(json, "the graph");
  if (root.format !== GRAPH_FORMAT) {
    fail("format", `expected "${GRAPH_FORMAT}"; got ${preview(root.format)}`);
  }
  if (root.version !== GRAPH_VERSION) {
    fail("version", `this adjoint reads version ${GRAPH_VERSION}; got ${preview(root.version)}`);
  }
  const vars: Aval[] = array(root.vars, "vars").map((v, i) => {
    const r = record(v, `vars[${i}]`);
    if (typeof r.dtype !== "string" || !(DTYPES as readonly string[]).includes(r.dtype)) {
      fail(`vars[${i}].dtype`, `expected one of ${DTYPES.join(", ")}; got ${preview(r.dtype)}`);
    }
    const shape = array(r.shape, `vars[${i}].shape`);
    if (!shape.every(isIndex))
      fail(`vars[${i}].shape`, `expected non-negative integers; got ${preview(shape)}`);
    return { dtype: r.dtype as DType, shape: shape as number[] };
  });
  const defined = new Array<boolean>(vars.length).fill(false);
  const define = (id: unknown, where: string): number => {
    if (!isIndex(id) || id >= vars.length) {
      fail(where, `expected a variable id in [0, ${vars.length}); got ${preview(id)}`);
    }
    if (defined[id]) fail(where, `variable ${id} is defined twice`);
    defined[id] = true;
    return id;
  };
  const use = (id: unknown, where: string): number => {
    if (!isIndex(id) || id >= vars.length) {
      fail(where, `expected a variable id in [0, ${vars.length}); got ${preview(id)}`);
    }
    if (!defined[id]) fail(where, `variable ${id} is read before it is defined`);
    return id;
  };
  const readLeaf = (v: unknown, where: string, input: boolean): GraphLeaf => {
    const r = record(v, where);
    if ("var" in r)
      return { var: input ? define(r.var, `${where}.var`) : use(r.var, `${where}.var`) };
    if (!("value" in r)) fail(where, `expected { var } or { value }`);
    const value = r.value;
    if (
      typeof value === "boolean" ||
      (typeof value === "string" && !["NaN", "Infinity", "-Infinity", "-0"].includes(value))
    ) {
      return { value };
    }
    return { value: readNumber(value, `${where}.value`) };
  };

  const [inTree, inCount] = readTree(root.inTree, "inTree");
  const inLeaves = array(root.inputs, "inputs").map((l, i) => readLeaf(l, `inputs[${i}]`, true));
  if (inLeaves.length !== inCount) {
    fail("inputs", `inTree has ${inCount} leaves but there are ${inLeaves.length} inputs`);
  }
  const consts: GraphConst[] = array(root.consts, "consts").map((c, i) => {
    const r = record(c, `consts[${i}]`);
    const id = define(r.var, `consts[${i}].var`);
    const aval = vars[id]!;
    if (typeof r.data !== "string") fail(`consts[${i}].data`, "expected a base64 string");
    const bytes = fromBase64(r.data, `${WHERE}: consts[${i}].data`);
    const size = shapeSize(aval.shape);
    if (bytes.length !== size * BYTES[aval.dtype]) {
      fail(
        `consts[${i}].data`,
        `${aval.dtype}[${aval.shape.join(",")}] needs ${size * BYTES[aval.dtype]} bytes; got ${bytes.length}`,
      );
    }
    return {
      id,
      value: Tensor._fromData(aval.shape, aval.dtype, bytesData(bytes, aval.dtype, size)),
    };
  });
  const registry = registeredPrimitives();
  const eqns: GraphEqn[] = array(root.eqns, "eqns").map((e, i) => {
    const r = record(e, `equation ${i}`);
    const name = r.primitive;
    const prim = typeof name === "string" ? registry.get(name) : undefined;
    if (prim === undefined) {
      fail(
        `equation ${i}`,
        `unknown primitive ${preview(name)} (not registered: a primitive of your own must be defined with ad.definePrimitive before the graph is read)`,
      );
    }
    const at = `equation ${i} (${prim.name})`;
    const codec: ParamsCodec<unknown> = prim.paramsJson ?? NO_PARAMS;
    const params = codec.fromJSON(r.params, `${WHERE}: ${at}: params`);
    const inputs = array(r.inputs, `${at}.inputs`).map((v, j) => use(v, `${at}: input ${j}`));
    const outIds = array(r.outputs, `${at}.outputs`);
    checkShapes(
      prim,
      inputs.map((id) => vars[id]!),
      params,
      outIds,
      vars,
      at,
    );
    const outputs = outIds.map((v, j) => define(v, `${at}: output ${j}`));
    const scope = r.scope ?? "";
    if (typeof scope !== "string") fail(`${at}.scope`, `expected a string; got ${preview(scope)}`);
    return { primitive: prim, params, inputs, outputs, scope };
  });
  const [outTree, outCount] = readTree(root.outTree, "outTree");
  const outLeaves = array(root.outputs, "outputs").map((l, i) =>
    readLeaf(l, `outputs[${i}]`, false),
  );
  if (outLeaves.length !== outCount) {
    fail("outputs", `outTree has ${outCount} leaves but there are ${outLeaves.length} outputs`);
  }
  return new Graph({ vars, consts, eqns, inLeaves, inTree, outLeaves, outTree });
}

/** Re-runs the primitive's shape rule and compares it with the declared output variables. */
function checkShapes(
  prim: AnyPrimitive | AnyMultiPrimitive,
  inputs: readonly Aval[],
  params: unknown,
  outIds: readonly unknown[],
  vars: readonly Aval[],
  at: string,
): void {
  let avals: readonly Aval[];
  try {
    avals = nodeAvals(prim, inputs, params);
  } catch (e) {
    if (e instanceof AdjointError)
      fail(at, `its inputs are rejected by the shape rule: ${e.message}`);
    throw e;
  }
  if (outIds.length !== avals.length) {
    fail(at, `the primitive has ${avals.length} output(s); the equation lists ${outIds.length}`);
  }
  avals.forEach((a, j) => {
    const id = outIds[j];
    const declared = isIndex(id) && id < vars.length ? vars[id] : undefined;
    if (
      declared !== undefined &&
      (declared.dtype !== a.dtype || !shapesEqual(declared.shape, a.shape))
    ) {
      fail(
        at,
        `output ${j} is declared ${declared.dtype}[${declared.shape.join(",")}] but the primitive gives ${a.dtype}[${a.shape.join(",")}] for these inputs`,
      );
    }
  });
}
