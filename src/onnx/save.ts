/**
 * @file `onnx.save`: a Graph (or a function, staged with makeGraph) written as an ONNX model.
 * Graph inputs become the model's inputs (named by their pytree paths), constants its
 * initializers, equations its nodes (export-ops.ts), outputs its outputs; every value has its
 * dtype and static shape in value_info. The model runs on ONNX Runtime (node, web).
 */

import { describeValue } from "../core/describe.js";
import { AdjointError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { TreeDef } from "../core/pytree.js";
import { Graph, type GraphParts } from "../ir/graph.js";
import { makeGraph } from "../transforms/stage.js";
import {
  ExportBuilder,
  type OnnxAttr,
  type OnnxInitializerData,
  type OnnxType,
  type OnnxValue,
  onnxTypeCode,
} from "./export-builder.js";
import { isElementwisePrimitive, NoLowering } from "./export-elementwise.js";
import { exporterOf } from "./export-ops.js";
import { type OnnxProto, onnxProto } from "./proto.js";

/** The opsets `onnx.save` writes (13: axes as inputs; Bitwise ops from 18; ScatterND add from 16). */
const MIN_OPSET = 13;
const MAX_OPSET = 21;
const DEFAULT_OPSET = 18;

/**
 * Options of `ad.onnx.save`.
 * @category Tools
 */
export interface SaveOptions {
  /**
   * The onnx-proto module, for bundled apps (`await import("onnx-proto")`); else imported by
   * name. (Typed `unknown` so that the declarations never name onnx-proto's types.)
   */
  readonly proto?: unknown;
  /** The opset of ONNX's default domain the model uses, 13..21 (default 18). */
  readonly opset?: number;
  /** The model graph's name (default "adjoint"). */
  readonly name?: string;
}

/**
 * A graph that `onnx.save` cannot write: `unsupported` lists every primitive of the graph that
 * has no ONNX form (at the chosen opset), each once.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const e = new ad.OnnxExportError("onnx.save: no ONNX form for svd", ["svd"]);
 * e instanceof ad.AdjointError; // => true
 * e.unsupported; // => [ 'svd' ]
 * ```
 * @category Errors
 */
export class OnnxExportError extends AdjointError {
  override name = "OnnxExportError";
  /** The primitives without an ONNX form (empty when the error is about something else). */
  readonly unsupported: readonly string[];

  constructor(message: string, unsupported: readonly string[] = []) {
    super(message);
    this.unsupported = unsupported;
  }
}

/** The names of a pytree's leaves: their paths joined by dots after `prefix`. */
function leafPaths(tree: TreeDef, prefix: string, out: string[]): void {
  switch (tree.kind) {
    case "leaf":
      out.push(prefix);
      return;
    case "none":
      return;
    case "array":
      tree.children.forEach((c, i) => {
        leafPaths(c, `${prefix}.${i}`, out);
      });
      return;
    case "object":
      tree.children.forEach((c, i) => {
        leafPaths(c, `${prefix}.${tree.keys[i]!}`, out);
      });
      return;
  }
}

/** Input names: `arg0`, `arg1.w`... (the argument's position, then its path inside). */
function inputNames(tree: TreeDef): string[] {
  const names: string[] = [];
  if (tree.kind === "array") {
    tree.children.forEach((c, i) => {
      leafPaths(c, `arg${i}`, names);
    });
  } else leafPaths(tree, "arg", names);
  return names;
}

/** Output names: `out` for a single result, else `out.0`, `out.loss`... */
function outputNames(tree: TreeDef): string[] {
  const names: string[] = [];
  leafPaths(tree, "out", names);
  return names;
}

/** What walking a graph collects besides nodes: unsupported primitives, the values' avals. */
interface Walk {
  readonly b: ExportBuilder;
  readonly unsupported: Set<string>;
  /** Every emitted value with a known shape (for value_info). */
  readonly infos: Map<string, { type: OnnxType; shape: readonly number[] }>;
}

/**
 * Emits a graph's constants and equations on the given input values; returns the value of each
 * output leaf that is a variable (in order). Used for the model and for nested bodies.
 */
function emitGraph(w: Walk, g: GraphParts, inputs: readonly OnnxValue[]): OnnxValue[] {
  const { b } = w;
  const env = new Map<number, OnnxValue>();
  const inIds: number[] = [];
  for (const leaf of g.inLeaves) if ("var" in leaf) inIds.push(leaf.var);
  inIds.forEach((id, i) => {
    env.set(id, inputs[i]!);
  });
  for (const c of g.consts) {
    const name = b.fresh("const");
    const dtype = c.value.dtype;
    b.initializer(name, dtype, c.value.shape, c.value.dataSync());
    env.set(c.id, { name, type: dtype });
  }
  const lookup = (id: number): OnnxValue =>
    env.get(id) ?? { name: `missing_${id}`, type: g.vars[id]!.dtype };
  for (const eqn of g.eqns) {
    const name = eqn.primitive.name;
    const exporter = exporterOf(name, isElementwisePrimitive(name));
    const outAvals = eqn.outputs.map((id) => g.vars[id]!);
    let outs: string[] | null = null;
    if (exporter === null) {
      w.unsupported.add(name);
    } else {
      try {
        outs = exporter({
          b,
          inputs: eqn.inputs.map(lookup),
          inAvals: eqn.inputs.map((id) => g.vars[id]!),
          outAvals,
          params: eqn.params,
          primitive: name,
          inline: (body, values) => {
            if (!(body instanceof Graph)) throw new NoLowering("its body is not a graph");
            return emitGraph(w, body, values).map((v) => v.name);
          },
        });
      } catch (e) {
        if (!(e instanceof NoLowering)) throw e;
        w.unsupported.add(`${name} (${e.message})`);
      }
    }
    eqn.outputs.forEach((id, k) => {
      const aval = outAvals[k]!;
      const value = { name: outs?.[k] ?? `missing_${id}`, type: aval.dtype };
      env.set(id, value);
      w.infos.set(value.name, { type: aval.dtype, shape: aval.shape });
    });
  }
  const outs: OnnxValue[] = [];
  for (const leaf of g.outLeaves) if ("var" in leaf) outs.push(lookup(leaf.var));
  return outs;
}

/** Little-endian bytes of an initializer's values in its element type. */
function rawBytes(init: OnnxInitializerData): Uint8Array {
  const n = init.values.length;
  const width = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 }[init.type];
  const bytes = new Uint8Array(n * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const v = init.values[i]!;
    switch (init.type) {
      case "float32":
        view.setFloat32(i * 4, v, true);
        break;
      case "float64":
        view.setFloat64(i * 8, v, true);
        break;
      case "int32":
        view.setInt32(i * 4, v, true);
        break;
      case "int64":
        view.setBigInt64(i * 8, BigInt(Math.trunc(v)), true);
        break;
      case "bool":
        view.setUint8(i, v !== 0 ? 1 : 0);
        break;
    }
  }
  return bytes;
}

/** An attribute as AttributeProto fields. */
function attributeProto(onnx: OnnxProto, name: string, a: OnnxAttr) {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case "int":
      return onnx.AttributeProto.create({ name, type: T.INT, i: a.value });
    case "ints":
      return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...a.value] });
    case "float":
      return onnx.AttributeProto.create({ name, type: T.FLOAT, f: a.value });
    case "string":
      return onnx.AttributeProto.create({
        name,
        type: T.STRING,
        s: Uint8Array.from(a.value, (ch) => ch.charCodeAt(0)),
      });
  }
}

/** A ValueInfoProto: name, element type, static shape. */
function valueInfo(onnx: OnnxProto, name: string, type: OnnxType, shape: readonly number[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnxTypeCode(type),
        shape: { dim: shape.map((d) => ({ dimValue: d })) },
      },
    },
  });
}

/**
 * Writes a program as an ONNX model (the bytes of a ModelProto) that ONNX Runtime and other ONNX
 * tools run. `program` is a {@link Graph}, written as it is, or a function, staged first with
 * `makeGraph(program, ...args)`: so `grad(f)`, `jacfwd(f)` or a whole training step export like
 * `f`. The model's inputs are the graph's tensor inputs, named by their place in the arguments
 * (`arg0`, `arg1.w`, `arg1.layers.0.b`); its outputs are the result's leaves (`out`, or
 * `out.0`, `out.loss`...). Constants become initializers; every value's dtype and static shape
 * is recorded. Each primitive becomes ONNX operators at the chosen opset (docs/onnx.md lists
 * the decompositions); static (non-tensor) arguments are fixed in the model.
 *
 * Needs the optional package onnx-proto (imported on first use; a bundled app passes it as
 * `options.proto`), hence async.
 * @param program a Graph, or a function of tensors (pytrees allowed).
 * @param args for a function: example arguments fixing shapes and dtypes (ignored for a Graph).
 * @param options `opset` (13..21, default 18), `name`, `proto`.
 * @returns the model's bytes.
 * @throws {@link OnnxExportError} listing every primitive without an ONNX form here: user
 *   primitives, scatter_add below opset 16, the bitwise ops below 18, factorizations larger
 *   than they are unrolled for (128 rows; eigh and svd 16);
 *   {@link ValueError} for bad options or a result leaf that is not a tensor;
 *   MissingDependencyError when onnx-proto cannot be loaded.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const bytes = await ad.onnx.save((x: ad.Tensor) => x.mul(x).sum(), [ad.zeros([3])]);
 * bytes instanceof Uint8Array; // => true
 * bytes.length > 100; // => true
 * ```
 * @category Tools
 */
export async function save(
  program: Graph | ((...args: never[]) => unknown),
  args: readonly unknown[] = [],
  options?: SaveOptions,
): Promise<Uint8Array> {
  const op = "onnx.save";
  const opts = checkOptions<SaveOptions>(op, options, ["opset", "name", "proto"]);
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ValueError(
      `${op}: options.opset must be an integer in [${MIN_OPSET}, ${MAX_OPSET}]; got ${describeValue(opts.opset)}`,
    );
  }
  const name = opts.name ?? "adjoint";
  if (typeof name !== "string") {
    throw new ValueError(`${op}: options.name must be a string; got ${describeValue(name)}`);
  }
  let graph: Graph;
  if (program instanceof Graph) graph = program;
  else if (typeof program === "function") {
    if (!Array.isArray(args)) {
      throw new ValueError(
        `${op}: args must be an array of the function's example arguments; got ${describeValue(args)}`,
      );
    }
    graph = makeGraph(program as (...a: unknown[]) => unknown, ...(args as unknown[]));
  } else {
    throw new ValueError(
      `${op}: program must be a Graph or a function; got ${describeValue(program)}`,
    );
  }
  const onnx = await onnxProto(op, opts);
  return encodeModel(onnx, graph, opset, name);
}

/** The IR version that goes with an opset (ONNX's versioning table: 1.13 -> 8, 1.15 -> 9, 1.16 -> 10). */
function irVersionOf(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/** The ModelProto bytes of a graph (after the options are checked). */
function encodeModel(onnx: OnnxProto, graph: Graph, opset: number, name: string): Uint8Array {
  const op = "onnx.save";
  const b = new ExportBuilder(opset);
  const w: Walk = { b, unsupported: new Set(), infos: new Map() };
  const inNames = inputNames(graph.inTree);
  const inputs: OnnxValue[] = [];
  const inputInfos: ReturnType<typeof valueInfo>[] = [];
  graph.inLeaves.forEach((leaf, i) => {
    if (!("var" in leaf)) return;
    const aval = graph.vars[leaf.var]!;
    const n = inNames[i] ?? `arg_${i}`;
    inputs.push({ name: n, type: aval.dtype });
    inputInfos.push(valueInfo(onnx, n, aval.dtype, aval.shape));
  });
  const results = emitGraph(w, graph, inputs);
  if (w.unsupported.size > 0) {
    const list = [...w.unsupported];
    throw new OnnxExportError(
      `${op}: no ONNX form (opset ${opset}) for ${list.length === 1 ? "the primitive" : `${list.length} primitives`} ${list.join(", ")}`,
      list.map((s) => s.split(" ")[0]!),
    );
  }
  const outNames = outputNames(graph.outTree);
  const outputInfos: ReturnType<typeof valueInfo>[] = [];
  let k = 0;
  for (let i = 0; i < graph.outLeaves.length; i++) {
    const leaf = graph.outLeaves[i]!;
    if (!("var" in leaf)) {
      throw new ValueError(
        `${op}: result leaf ${outNames[i] ?? i} is the static value ${describeValue(leaf.value)}, not a tensor; ONNX outputs are tensors`,
      );
    }
    const aval = graph.vars[leaf.var]!;
    const n = outNames[i] ?? `out_${i}`;
    // Every output is written by its own node (an input, a constant or a value used twice
    // cannot be an output name itself).
    b.nodeTo("Identity", [results[k++]!.name], n);
    outputInfos.push(valueInfo(onnx, n, aval.dtype, aval.shape));
  }
  const nodes = b.nodes.map((node) =>
    onnx.NodeProto.create({
      opType: node.opType,
      input: [...node.inputs],
      output: [...node.outputs],
      attribute: Object.entries(node.attrs).map(([k2, a]) => attributeProto(onnx, k2, a)),
    }),
  );
  const initializer = b.initializers.map((init) =>
    onnx.TensorProto.create({
      name: init.name,
      dataType: onnxTypeCode(init.type),
      dims: [...init.shape],
      rawData: rawBytes(init),
    }),
  );
  const valueInfos = [...w.infos].map(([n, info]) => valueInfo(onnx, n, info.type, info.shape));
  const model = onnx.ModelProto.create({
    irVersion: irVersionOf(opset),
    producerName: "adjoint",
    opsetImport: [{ domain: "", version: opset }],
    graph: onnx.GraphProto.create({
      name,
      node: nodes,
      initializer,
      input: inputInfos,
      output: outputInfos,
      valueInfo: valueInfos,
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}
