/**
 * @file The ONNX graph under construction while `onnx.save` walks a Graph: nodes, initializers
 * and fresh value names, as plain data (save.ts turns them into onnx-proto messages). The
 * operator table (export-ops.ts) and the elementwise lowering (export-elementwise.ts) emit
 * through it, so they never touch protobuf types.
 */

import type { DType } from "../core/dtype.js";

/** The element types an exported model uses: adjoint's four and int64 (shapes, axes, indices). */
export type OnnxType = DType | "int64";

/** An attribute value of a node, tagged with its ONNX attribute kind. */
export type OnnxAttr =
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "ints"; readonly value: readonly number[] }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "string"; readonly value: string };

/** One node: `outputs = opType[attrs](inputs)`. */
export interface OnnxNodeData {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, OnnxAttr>>;
}

/** One initializer (a constant tensor): its elements row-major as numbers (bools as 0/1). */
export interface OnnxInitializerData {
  readonly name: string;
  readonly type: OnnxType;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** An int attribute. */
export const int = (value: number): OnnxAttr => ({ kind: "int", value });
/** An ints attribute. */
export const ints = (value: readonly number[]): OnnxAttr => ({ kind: "ints", value });
/** A float attribute. */
export const float = (value: number): OnnxAttr => ({ kind: "float", value });
/** A string attribute. */
export const str = (value: string): OnnxAttr => ({ kind: "string", value });

/** A value flowing between emitted nodes: its name and element type. */
export interface OnnxValue {
  readonly name: string;
  readonly type: OnnxType;
}

/** The nodes and initializers of the model being written, with fresh names for every value. */
export class ExportBuilder {
  readonly nodes: OnnxNodeData[] = [];
  readonly initializers: OnnxInitializerData[] = [];
  private next = 0;
  /** Small constants already written, by type, shape and values (one initializer each). */
  private readonly constants = new Map<string, string>();

  /** @param opset the default domain's opset the model declares. */
  constructor(readonly opset: number) {}

  /** A name not used yet, readable after its hint. */
  fresh(hint: string): string {
    return `${hint}_${this.next++}`;
  }

  /** Appends a node with `count` fresh outputs and returns their names. */
  nodeMulti(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, OnnxAttr> = {},
    count = 1,
  ): string[] {
    const outputs = Array.from({ length: count }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({ opType, inputs, outputs, attrs });
    return outputs;
  }

  /** Appends a node with one output and returns its name. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> = {}): string {
    return this.nodeMulti(opType, inputs, attrs, 1)[0]!;
  }

  /** Appends a node that writes to a given name (graph outputs). */
  nodeTo(
    opType: string,
    inputs: readonly string[],
    output: string,
    attrs: Record<string, OnnxAttr> = {},
  ): void {
    this.nodes.push({ opType, inputs, outputs: [output], attrs });
  }

  /** Adds an initializer under a given name. */
  initializer(
    name: string,
    type: OnnxType,
    shape: readonly number[],
    values: ArrayLike<number>,
  ): void {
    this.initializers.push({ name, type, shape, values });
  }

  /** A constant tensor (small ones shared: the same type, shape and values give one name). */
  constant(type: OnnxType, shape: readonly number[], values: readonly number[]): string {
    const key =
      values.length <= 64
        ? `${type}|${shape.join(",")}|${values.map((v) => (Object.is(v, -0) ? "-0" : String(v))).join(",")}`
        : null;
    if (key !== null) {
      const known = this.constants.get(key);
      if (known !== undefined) return known;
    }
    const name = this.fresh("const");
    this.initializer(name, type, shape, values);
    if (key !== null) this.constants.set(key, name);
    return name;
  }

  /** A 0-d constant of the given type. */
  scalar(value: number, type: OnnxType): string {
    return this.constant(type, [], [value]);
  }

  /** A 1-d int64 constant (shapes, axes, starts, pads...). */
  int64s(values: readonly number[]): string {
    return this.constant("int64", [values.length], values);
  }

  /** `name` converted from `from` to `to` (no node when they are equal). */
  cast(name: string, from: OnnxType, to: OnnxType): string {
    return from === to ? name : this.node("Cast", [name], { to: int(onnxTypeCode(to)) });
  }
}

/** TensorProto.DataType codes of the element types (onnx.proto). */
const TYPE_CODES: Readonly<Record<OnnxType, number>> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

/** The TensorProto.DataType code of an element type. */
export function onnxTypeCode(type: OnnxType): number {
  return TYPE_CODES[type];
}
