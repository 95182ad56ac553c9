/**
 * @file `ad.onnx.load(bytes)`: an ONNX model as a Graph. The ModelProto is decoded with
 * onnx-proto (protobufjs), every operator is checked against the mapping table first (so that
 * one error lists every unsupported operator), then `makeGraph` stages a function that walks the
 * nodes in order and calls adjoint's ops: every equation is an ordinary primitive, and the result
 * is an ordinary Graph that call, grad, jvp, vmap, jit and the tools accept.
 */

import type { onnx } from "onnx-proto";
import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import type { DType } from "../core/dtype.js";
import { checkOptions } from "../core/options.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import type { Graph } from "../ir/graph.js";
import { zeros } from "../ops/creation.js";
import { astype } from "../ops/elementwise.js";
import { makeGraph } from "../transforms/stage.js";
import { OnnxError, type UnsupportedOperator } from "./errors.js";
import { importOp, isStaticInput } from "./import-ops.js";
import { NodeAttrs, NodeContext } from "./node-context.js";
import { onnxProto } from "./proto.js";
import { Sequence, type Value } from "./sequence.js";
import { dtypeFromOnnx, int64, onnxTypeName, tensorFromProto } from "./tensor-proto.js";

/**
 * Options of {@link onnx.load}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const options: ad.OnnxLoadOptions = { params: true, inputShapes: { x: [1, 3] } };
 * options.params; // => true
 * ```
 * @category Tools
 */
export interface OnnxLoadOptions {
  /** The onnx-proto module, for bundled apps (`await import("onnx-proto")`); else imported by name. */
  readonly proto?: unknown;
  /**
   * true: the float initializers (weights) become the graph's first argument, an object keyed
   * by initializer name, so that `grad` with respect to them works; false (default): they are
   * constants. Initializers that an operator needs as static values (shapes, axes) and integer
   * ones always stay constants.
   */
  readonly params?: boolean;
  /**
   * Concrete shapes of graph inputs by name, for inputs with dynamic dimensions (dim_param or
   * unknown sizes); a given shape must agree with the model's fixed dimensions.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Values of graph inputs by name, which become constants and are no longer arguments. Inputs
   * that operators read as static values (a Reshape's shape, Slice's starts, TopK's K) need one.
   */
  readonly constants?: Readonly<Record<string, TensorLike>>;
  /**
   * "float64" loads a float32 model in float64: its float inputs, weights, constants and casts
   * to float become float64 (for precise work such as gradient checks). Default "float32": as
   * the model says.
   */
  readonly floatDType?: "float32" | "float64";
}

/** The graph inputs that are not initializers: name, shape and dtype. */
interface InputSpec {
  name: string;
  shape: number[];
  dtype: DType;
}

function decodeModel(
  op: string,
  proto: typeof onnx,
  bytes: Uint8Array | ArrayBuffer,
): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    throw new OnnxError(
      `${op}: bytes must be a Uint8Array or an ArrayBuffer; got ${describeValue(bytes)}`,
    );
  }
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  try {
    return proto.ModelProto.decode(data);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new OnnxError(`${op}: the bytes are not an ONNX ModelProto: ${reason}`);
  }
}

/** The opset version of each imported domain ("" for the default ai.onnx). */
function opsetsOf(model: onnx.ModelProto): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of model.opsetImport) {
    const domain = o.domain === "ai.onnx" ? "" : (o.domain ?? "");
    out.set(domain, int64(o.version ?? 1));
  }
  // IR version 2 models may omit the import; they use opset 1.
  if (!out.has("")) out.set("", 1);
  return out;
}

function opName(node: onnx.INodeProto): string {
  const domain = node.domain === "ai.onnx" ? "" : (node.domain ?? "");
  return domain === "" ? (node.opType ?? "") : `${domain}.${node.opType}`;
}

/** Every unsupported operator of the graph, at once (the nodes are not staged yet). */
function checkOperators(graph: onnx.IGraphProto, opsets: Map<string, number>): void {
  const found = new Map<string, UnsupportedOperator>();
  checkNodes(graph, opsets, found);
  if (found.size === 0) return;
  const list = [...found.values()];
  const described = list.map((u) => `${u.op} (opset ${u.opset})${u.reason ? `: ${u.reason}` : ""}`);
  throw new OnnxError(
    `onnx.load: the model uses ${list.length} unsupported operator${list.length === 1 ? "" : "s"}: ${described.join("; ")}`,
    list,
  );
}

/** Collects the unsupported operators of a graph and of its subgraphs (If, Loop, Scan bodies). */
function checkNodes(
  graph: onnx.IGraphProto,
  opsets: Map<string, number>,
  found: Map<string, UnsupportedOperator>,
): void {
  (graph.node ?? []).forEach((node, i) => {
    for (const a of node.attribute ?? []) {
      if (a.g) checkNodes(a.g, opsets, found);
      for (const g of a.graphs ?? []) checkNodes(g, opsets, found);
    }
    const domain = node.domain === "ai.onnx" ? "" : (node.domain ?? "");
    const opset = opsets.get(domain) ?? 1;
    const name = opName(node);
    const entry = importOp(name);
    let reason: string | undefined;
    if (entry === undefined) reason = undefined;
    else {
      try {
        reason = entry.check?.(new NodeAttrs(node, opset, i));
      } catch (e) {
        reason = e instanceof Error ? e.message : String(e);
      }
      if (reason === undefined && entry.subgraphs !== true) {
        const bad = (node.attribute ?? []).find((a) => a.g || (a.graphs?.length ?? 0) > 0);
        if (bad) reason = `subgraph attribute ${bad.name} is not supported`;
      }
      if (reason === undefined) return;
    }
    const key = reason === undefined ? name : `${name}: ${reason}`;
    if (!found.has(key))
      found.set(key, reason === undefined ? { op: name, opset } : { op: name, opset, reason });
  });
}

function inputSpecs(
  graph: onnx.IGraphProto,
  initialized: Set<string>,
  shapes: Readonly<Record<string, readonly number[]>>,
): InputSpec[] {
  const specs: InputSpec[] = [];
  for (const vi of graph.input ?? []) {
    const name = vi.name ?? "";
    if (initialized.has(name)) continue;
    const tt = vi.type?.tensorType;
    if (!tt) {
      throw new OnnxError(
        `onnx.load: graph input '${name}' is not a tensor (sequences, maps and optionals are not supported)`,
        [],
        "feature",
      );
    }
    const code = tt.elemType ?? 0;
    const dtype = dtypeFromOnnx(code);
    if (dtype === undefined) {
      throw new OnnxError(
        `onnx.load: graph input '${name}' has element type ${onnxTypeName(code)}, which adjoint does not support`,
        [],
        "feature",
      );
    }
    const dims = tt.shape?.dim ?? [];
    const given = Object.hasOwn(shapes, name) ? shapes[name] : undefined;
    const fixed = dims.map((d) =>
      d.dimValue !== undefined && d.dimValue !== null ? int64(d.dimValue) : undefined,
    );
    let shape: number[];
    if (given !== undefined) {
      if (
        !Array.isArray(given) ||
        (tt.shape && given.length !== dims.length) ||
        !given.every(
          (n, i) => Number.isInteger(n) && n >= 0 && (fixed[i] === undefined || fixed[i] === n),
        )
      ) {
        throw new OnnxError(
          `onnx.load: options.inputShapes.${name} is ${describeValue(given)}; the model's input has shape [${dims.map((d, i) => fixed[i] ?? d.dimParam ?? "?").join(", ")}]`,
        );
      }
      shape = [...given];
    } else {
      const missing = fixed.indexOf(undefined);
      if (missing >= 0 || !tt.shape) {
        const desc = dims.map((d, i) => fixed[i] ?? (d.dimParam || "?")).join(", ");
        throw new OnnxError(
          `onnx.load: graph input '${name}' has dynamic shape [${desc}]; give its concrete shape as options.inputShapes: { ${JSON.stringify(name)}: [...] }`,
        );
      }
      shape = fixed as number[];
    }
    specs.push({ name, shape, dtype });
  }
  return specs;
}

/**
 * Loads an ONNX model (the bytes of a .onnx file) as a {@link Graph}: call it, differentiate it
 * (`grad`, `jvp`, `vjp`), batch it (`vmap`), `jit` it, draw or `explain` it.
 *
 * Arguments: the graph inputs that are not initializers, in the model's order, one tensor each
 * (`graph.call(x)` or `graph.call(x, y)`); with `params: true` the float initializers come first
 * as one object keyed by initializer name (`graph.call(params, x)`), so
 * `grad((p) => ad.sum(graph.call(p, x)))(params)` differentiates with respect to the weights
 * (`ad.onnx.initializers(bytes)` returns that object). Result: the model's single output as a
 * Tensor, or an array of its outputs in order when it has several.
 *
 * Element types: float and float16 -> float32, double -> float64, bool -> bool, every integer
 * type -> int32 (int64 values beyond int32 saturate). Dynamic dimensions need
 * `options.inputShapes`; graph inputs read as static values (a Reshape's shape) need
 * `options.constants`. Operators: opsets 1 to 17 of the default domain, the ones listed in
 * docs/onnx.md; constant subexpressions (Shape, and arithmetic on shapes) are folded while
 * loading; If, Loop and Scan are unrolled (their conditions and trip counts must be constants).
 *
 * Async because onnx-proto (an optional peer dependency) is imported on first use.
 * @param bytes - The model: a Uint8Array or ArrayBuffer holding a serialised ModelProto.
 * @param options - `params`, `inputShapes`, `constants`, `floatDType`, and `proto` (the
 *   onnx-proto module, for bundled apps).
 * @throws {@link OnnxError} listing every unsupported operator of the model (with its opset) at
 *   once; for malformed bytes, unsupported element types, dynamic shapes without `inputShapes`.
 * @throws MissingDependencyError when onnx-proto is not installed.
 * @example
 * ```ts no-run
 * import * as ad from "adjoint";
 * import { readFileSync } from "node:fs";
 * const g = await ad.onnx.load(readFileSync("model.onnx"));
 * const x = ad.random.normal([1, 3, 32, 32], { seed: 0 });
 * const saliency = ad.grad((x: ad.Tensor) => ad.max(g.call(x) as ad.Tensor))(x);
 * ```
 * ```ts
 * import * as ad from "adjoint";
 * await ad.onnx.load(new Uint8Array([0xff])); // throws: OnnxError: onnx.load: the bytes are not an ONNX ModelProto
 * ```
 * @category Tools
 */
export async function load(
  bytes: Uint8Array | ArrayBuffer,
  options: OnnxLoadOptions = {},
): Promise<Graph<unknown[], Tensor | Tensor[]>> {
  options = checkOptions("onnx.load", options, [
    "proto",
    "params",
    "inputShapes",
    "constants",
    "floatDType",
  ]);
  if (
    options.floatDType !== undefined &&
    options.floatDType !== "float32" &&
    options.floatDType !== "float64"
  ) {
    throw new OnnxError(
      `onnx.load: options.floatDType must be "float32" or "float64"; got ${describeValue(options.floatDType)}`,
    );
  }
  const proto = await onnxProto("onnx.load", options);
  const model = decodeModel("onnx.load", proto, bytes);
  const graph = model.graph;
  if (!graph) throw new OnnxError("onnx.load: the model has no graph");
  const opsets = opsetsOf(model);
  checkOperators(graph, opsets);
  return stageModel(graph, opsets, options);
}

/** The initializers of a model as tensors by name (the weights, as `params: true` expects them). */
function initializerTensors(graph: onnx.IGraphProto): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const init of graph.initializer ?? []) {
    const name = init.name ?? "";
    out.set(name, tensorFromProto(init, `initializer '${name}'`));
  }
  if ((graph.sparseInitializer?.length ?? 0) > 0) {
    throw new OnnxError("onnx.load: sparse initializers are not supported", [], "feature");
  }
  return out;
}

/**
 * The values that operators read statically (shapes, axes, pads), and everything they are
 * computed from; Shape and Size read only their input's shape, so the chain stops there.
 */
function staticNamesOf(graph: onnx.IGraphProto, opset: number): Set<string> {
  const names = new Set<string>();
  const nodes = graph.node ?? [];
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    const entry = importOp(opName(node));
    const shapeOnly = node.opType === "Shape" || node.opType === "Size";
    const feeds = !shapeOnly && (node.output ?? []).some((o) => names.has(o));
    (node.input ?? []).forEach((name, i) => {
      if (name !== "" && (feeds || (entry !== undefined && isStaticInput(entry, opset, i))))
        names.add(name);
    });
  }
  return names;
}

/**
 * The initializers that `params: true` makes parameters: the float ones that no operator reads
 * as a static value (shapes, axes).
 */
function paramsOf(
  graph: onnx.IGraphProto,
  inits: Map<string, Tensor>,
  opset: number,
): Record<string, Tensor> {
  const staticNames = staticNamesOf(graph, opset);
  const params: Record<string, Tensor> = {};
  for (const [name, t] of inits) {
    if ((t.dtype === "float32" || t.dtype === "float64") && !staticNames.has(name))
      params[name] = t;
  }
  return params;
}

/** The ONNX element types of the graph inputs and initializers (integer widths, signedness). */
function elementTypes(graph: onnx.IGraphProto): Map<string, number> {
  const types = new Map<string, number>();
  for (const vi of graph.input ?? []) {
    const code = vi.type?.tensorType?.elemType;
    if (code) types.set(vi.name ?? "", code);
  }
  for (const init of graph.initializer ?? []) types.set(init.name ?? "", init.dataType ?? 0);
  return types;
}

/** Stages `nodes` in order, reading and writing values by name in `env`. */
function runNodes(
  nodes: readonly onnx.INodeProto[],
  env: Map<string, Value>,
  opset: number,
  f64: boolean,
  types: Map<string, number>,
): void {
  nodes.forEach((node, index) => {
    const entry = importOp(opName(node))!;
    const ins = (node.input ?? []).map((name) => {
      if (name === "") return undefined;
      const t = env.get(name);
      if (t === undefined) {
        throw new OnnxError(
          `onnx.load: ${node.opType} (node ${index}) reads '${name}', which no earlier node, input or initializer defines`,
        );
      }
      return t;
    });
    // A subgraph sees the enclosing scope's values, its initializers and its bound inputs.
    const subgraph = (g: onnx.IGraphProto, bindings: readonly Value[]): Value[] => {
      const inner = new Map(env);
      for (const [name, t] of initializerTensors(g)) {
        inner.set(name, f64 && t.dtype === "float32" ? astype(t, "float64") : t);
      }
      (g.input ?? []).forEach((vi, i) => {
        const t = bindings[i];
        if (t !== undefined) inner.set(vi.name ?? "", t);
      });
      const innerTypes = new Map(types);
      for (const init of g.initializer ?? []) innerTypes.set(init.name ?? "", init.dataType ?? 0);
      for (const vi of g.input ?? []) {
        const code = vi.type?.tensorType?.elemType;
        if (code) innerTypes.set(vi.name ?? "", code);
      }
      runNodes(g.node ?? [], inner, opset, f64, innerTypes);
      return (g.output ?? []).map((o) => {
        const t = inner.get(o.name ?? "");
        if (t === undefined)
          throw new OnnxError(`onnx.load: the subgraph output '${o.name}' is never computed`);
        return t;
      });
    };
    const inTypes = (node.input ?? []).map((name) => types.get(name));
    // Re-stages the nodes before this one with some values replaced (for Gradient): nodes that
    // write a replaced value are skipped; returns the value `target` then has.
    const recompute = (overrides: ReadonlyMap<string, Tensor>, target: string): Value => {
      const inner = new Map(env);
      for (const [k, v] of overrides) inner.set(k, v);
      const before = nodes
        .slice(0, index)
        .filter((n) => !(n.output ?? []).some((o) => overrides.has(o)));
      runNodes(before, inner, opset, f64, new Map(types));
      const t = inner.get(target);
      if (t === undefined)
        throw new OnnxError(`onnx.load: '${target}' is not computed before node ${index}`);
      return t;
    };
    const ctx = new NodeContext(node, opset, index, ins, subgraph, inTypes, recompute);
    let outs: readonly (Value | undefined)[];
    try {
      const r = entry.run(ctx);
      outs = Array.isArray(r) ? r : [r as Value];
    } catch (e) {
      if (e instanceof OnnxError) throw e;
      const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw ctx.error(reason);
    }
    (node.output ?? []).forEach((name, i) => {
      if (name === "") return;
      const t = outs[i];
      if (t === undefined) throw ctx.unsupported(`output ${i} ('${name}') is not supported`);
      env.set(
        name,
        f64 && !(t instanceof Sequence) && t.dtype === "float32" ? astype(t, "float64") : t,
      );
      const code = entry.outputType?.(ctx, i);
      if (code !== undefined) types.set(name, code);
    });
  });
}

function stageModel(
  graph: onnx.IGraphProto,
  opsets: Map<string, number>,
  options: OnnxLoadOptions,
): Graph<unknown[], Tensor | Tensor[]> {
  const inits = initializerTensors(graph);
  const nodes = graph.node ?? [];
  const opset = opsets.get("") ?? 1;
  const constants = options.constants ?? {};
  for (const [name, v] of Object.entries(constants)) {
    const vi = (graph.input ?? []).find((i) => i.name === name);
    if (vi === undefined) {
      throw new OnnxError(
        `onnx.load: options.constants.${name}: the model has no graph input named '${name}'`,
      );
    }
    // Numbers take the input's declared element type (an int64 shape stays an integer).
    const dtype = dtypeFromOnnx(vi.type?.tensorType?.elemType ?? 0);
    if (!inits.has(name))
      inits.set(
        name,
        v instanceof Tensor || dtype === undefined ? toTensor(v) : toTensor(v, dtype),
      );
  }
  const f64 = options.floatDType === "float64";
  if (f64)
    for (const [k, t] of inits) if (t.dtype === "float32") inits.set(k, astype(t, "float64"));
  const specs = inputSpecs(graph, new Set(inits.keys()), options.inputShapes ?? {}).map((s) =>
    f64 && s.dtype === "float32" ? { ...s, dtype: "float64" as const } : s,
  );
  const staticNames = staticNamesOf(graph, opset);
  const needed = specs.filter((s) => staticNames.has(s.name)).map((s) => s.name);
  if (needed.length > 0) {
    throw new OnnxError(
      `onnx.load: the graph input${needed.length === 1 ? "" : "s"} ${needed.map((n) => `'${n}'`).join(", ")} ${needed.length === 1 ? "is" : "are"} read as static values (shapes, axes, pads, counts); give ${needed.length === 1 ? "its value" : "their values"} as options.constants: { ${needed.map((n) => `${JSON.stringify(n)}: ...`).join(", ")} } (they then are no longer arguments)`,
      [],
      "model",
      needed,
    );
  }
  const params = options.params === true ? paramsOf(graph, inits, opset) : {};
  const outputNames = (graph.output ?? []).map((o) => o.name ?? "");

  const run = (p: Record<string, Tensor>, xs: readonly Tensor[]): Tensor | Tensor[] => {
    const env = new Map<string, Value>(inits);
    for (const [name, t] of Object.entries(p)) env.set(name, t);
    specs.forEach((s, i) => {
      env.set(s.name, xs[i]!);
    });
    runNodes(nodes, env, opset, f64, elementTypes(graph));
    const results = outputNames.map((name) => {
      const t = env.get(name);
      if (t instanceof Sequence) {
        throw new OnnxError(
          `onnx.load: the graph output '${name}' is a sequence; outputs must be tensors`,
          [],
          "feature",
        );
      }
      if (t === undefined)
        throw new OnnxError(`onnx.load: the graph output '${name}' is never computed`);
      return t;
    });
    return results.length === 1 ? results[0]! : results;
  };

  const examples = specs.map((s) => zeros(s.shape, s.dtype));
  if (options.params === true) {
    return makeGraph(
      (p: Record<string, Tensor>, ...xs: Tensor[]) => run(p, xs),
      params,
      ...examples,
    ) as Graph<unknown[], Tensor | Tensor[]>;
  }
  return makeGraph((...xs: Tensor[]) => run({}, xs), ...examples) as Graph<
    unknown[],
    Tensor | Tensor[]
  >;
}

/**
 * The weights of an ONNX model as an object of tensors keyed by initializer name: the `params`
 * argument of a graph loaded with `params: true` (the float initializers that no operator reads
 * as a static shape or axis; the others stay constants inside the graph).
 * @example
 * ```ts no-run
 * import * as ad from "adjoint";
 * const g = await ad.onnx.load(bytes, { params: true });
 * const params = await ad.onnx.initializers(bytes);
 * const y = g.call(params, x);
 * ```
 * ```ts
 * import * as ad from "adjoint";
 * await ad.onnx.initializers(new Uint8Array([0xff])); // throws: OnnxError: onnx.initializers: the bytes are not
 * ```
 * @category Tools
 */
export async function initializers(
  bytes: Uint8Array | ArrayBuffer,
  options: Pick<OnnxLoadOptions, "proto" | "floatDType"> = {},
): Promise<Record<string, Tensor>> {
  options = checkOptions("onnx.initializers", options, ["proto", "floatDType"]);
  const proto = await onnxProto("onnx.initializers", options);
  const model = decodeModel("onnx.initializers", proto, bytes);
  if (!model.graph) throw new OnnxError("onnx.initializers: the model has no graph");
  const inits = initializerTensors(model.graph);
  if (options.floatDType === "float64") {
    for (const [k, t] of inits) if (t.dtype === "float32") inits.set(k, astype(t, "float64"));
  }
  return paramsOf(model.graph, inits, opsetsOf(model).get("") ?? 1);
}
