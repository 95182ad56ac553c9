/**
 * @file What an operator mapping sees of one ONNX node: its attributes (typed readers with the
 * ONNX defaults), its input values (tensors, or undefined for an omitted optional input), static
 * reads of inputs that must be constants (shapes, axes, pads), and errors that name the node.
 */

import type { onnx } from "onnx-proto";
import type { Tensor } from "../core/tensor.js";
import { utf8Decode } from "../core/web-globals.js";
import { OnnxError } from "./errors.js";
import { Sequence, type Value } from "./sequence.js";
import { int64, tensorFromProto } from "./tensor-proto.js";

/** AttributeProto.AttributeType codes used here. */
const ATTR = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  GRAPH: 5,
  INTS: 7,
  STRINGS: 8,
} as const;

/** Typed reads of a node's attributes (the validation pass needs them without inputs). */
export class NodeAttrs {
  readonly op: string;
  readonly opset: number;
  /** "Conv 'conv1'" or "Conv (node 3)", for messages. */
  readonly label: string;
  private readonly byName = new Map<string, onnx.IAttributeProto>();

  constructor(
    readonly node: onnx.INodeProto,
    opset: number,
    index: number,
  ) {
    this.op = node.opType ?? "";
    this.opset = opset;
    this.label = node.name ? `${this.op} '${node.name}'` : `${this.op} (node ${index})`;
    for (const a of node.attribute ?? []) if (a.name) this.byName.set(a.name, a);
  }

  /** Whether the attribute is present. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** An OnnxError naming this node. */
  error(message: string): OnnxError {
    return new OnnxError(`onnx.load: ${this.label} (opset ${this.opset}): ${message}`);
  }

  /** An OnnxError for a valid use of this operator that adjoint does not support. */
  unsupported(message: string): OnnxError {
    return new OnnxError(
      `onnx.load: ${this.label} (opset ${this.opset}): ${message}`,
      [{ op: this.op, opset: this.opset, reason: message }],
      "feature",
    );
  }

  private get(name: string, type: number): onnx.IAttributeProto | undefined {
    const a = this.byName.get(name);
    if (a === undefined) return undefined;
    // Old exporters leave `type` unset; trust the field that holds the value then.
    if (a.type !== undefined && a.type !== null && a.type !== 0 && a.type !== type) {
      throw this.error(`attribute ${name} has type ${a.type}; expected ${type}`);
    }
    return a;
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, ATTR.INT);
    return a?.i === undefined || a.i === null ? fallback : int64(a.i);
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, ATTR.FLOAT);
    return a?.f ?? fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, ATTR.STRING);
    return a?.s === undefined || a.s === null ? fallback : utf8Decode(a.s);
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, ATTR.INTS);
    return a === undefined ? undefined : (a.ints ?? []).map(int64);
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name, ATTR.FLOATS);
    return a === undefined ? undefined : [...(a.floats ?? [])];
  }

  /** A graph attribute (If's branches, Loop's and Scan's body). */
  graph(name: string): onnx.IGraphProto | undefined {
    const a = this.get(name, ATTR.GRAPH);
    return a?.g ?? undefined;
  }

  strings(name: string): string[] | undefined {
    const a = this.get(name, ATTR.STRINGS);
    return a === undefined ? undefined : (a.strings ?? []).map(utf8Decode);
  }

  tensor(name: string): Tensor | undefined {
    const a = this.get(name, ATTR.TENSOR);
    return a?.t ? tensorFromProto(a.t, `attribute ${name} of ${this.label}`) : undefined;
  }
}

/** A node being staged: attributes, inputs and the number of outputs asked for. */
export class NodeContext extends NodeAttrs {
  constructor(
    node: onnx.INodeProto,
    opset: number,
    index: number,
    /** Input values (tensors or sequences); undefined where an optional input is omitted. */
    readonly args: readonly (Value | undefined)[],
    /** Stages a subgraph (If/Loop/Scan body) with its inputs bound in order; its outputs. */
    readonly subgraph: (g: onnx.IGraphProto, bindings: readonly Value[]) => Value[],
    /** The ONNX element type of each input, where known (graph inputs, initializers, casts). */
    readonly inputTypes: readonly (number | undefined)[] = [],
    /** Re-stages the earlier nodes with some values replaced; the value of `target` then. */
    readonly recompute: (overrides: ReadonlyMap<string, Tensor>, target: string) => Value = () => {
      throw new OnnxError("onnx.load: recompute is not available here");
    },
  ) {
    super(node, opset, index);
    this.inputs = args.map((v) => (v instanceof Sequence ? undefined : v));
  }

  /** The tensor inputs; undefined where an input is omitted or a sequence. */
  readonly inputs: readonly (Tensor | undefined)[];

  /** Input i, which must be a sequence. */
  sequence(i: number): readonly Tensor[] {
    const v = this.args[i];
    if (!(v instanceof Sequence)) throw this.error(`input ${i} must be a sequence`);
    return v.items;
  }

  /** The number of outputs the node names (trailing optional ones may be omitted). */
  get numOutputs(): number {
    return this.node.output?.length ?? 0;
  }

  /** Whether output i is asked for (named and not ""). */
  wantsOutput(i: number): boolean {
    const name = this.node.output?.[i];
    return name !== undefined && name !== null && name !== "";
  }

  /** Input i, which must be present. */
  input(i: number): Tensor {
    const t = this.inputs[i];
    if (t === undefined) throw this.error(`input ${i} is required`);
    return t;
  }

  /** Whether input i is present. */
  hasInput(i: number): boolean {
    return this.inputs[i] !== undefined;
  }

  /**
   * The values of input i, which must be a constant (an initializer, a Constant node or computed
   * from constants and static shapes only); undefined when the input is omitted.
   */
  values(i: number, what: string): number[] | undefined {
    const t = this.inputs[i];
    if (t === undefined) return undefined;
    if (t._trace !== null) {
      throw this.error(
        `input ${i} (${what}) must be a constant (an initializer, a Constant or computed from shapes); it depends on a graph input`,
      );
    }
    return Array.from(t.dataSync());
  }

  /** The single value of a scalar constant input i (or the fallback when omitted). */
  scalar(i: number, what: string, fallback: number): number {
    const v = this.values(i, what);
    if (v === undefined) return fallback;
    if (v.length !== 1)
      throw this.error(`input ${i} (${what}) must hold one value; got ${v.length}`);
    return v[0]!;
  }
}
