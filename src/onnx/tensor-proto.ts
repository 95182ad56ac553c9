/**
 * @file ONNX TensorProto <-> Tensor, and ONNX element types <-> adjoint dtypes. Shared by import
 * (initializers, Constant nodes, test data) and export. ONNX has more element types than adjoint:
 * every integer type is read as int32 (int64 values outside int32's range saturate, which keeps
 * the usual "to the end" sentinels such as Slice's INT64_MAX meaning what they meant); float16
 * is read (and computed) as float32; bfloat16, strings and complex numbers have no adjoint dtype.
 */

import type { onnx } from "onnx-proto";
import { tensor } from "../core/convert.js";
import type { DType } from "../core/dtype.js";
import type { Tensor } from "../core/tensor.js";
import { OnnxError } from "./errors.js";

/** ONNX's TensorProto.DataType codes. */
export const ONNX_TYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;

const TYPE_NAMES = Object.fromEntries(Object.entries(ONNX_TYPE).map(([k, v]) => [v, k]));

/** The ONNX element type's name ("FLOAT", "INT64", ...) for messages. */
export function onnxTypeName(code: number): string {
  return TYPE_NAMES[code]?.toLowerCase() ?? `type ${code}`;
}

/** The adjoint dtype holding an ONNX element type, or undefined when none does. */
export function dtypeFromOnnx(code: number): DType | undefined {
  switch (code) {
    case ONNX_TYPE.FLOAT:
    case ONNX_TYPE.FLOAT16:
      return "float32";
    case ONNX_TYPE.DOUBLE:
      return "float64";
    case ONNX_TYPE.BOOL:
      return "bool";
    case ONNX_TYPE.UINT8:
    case ONNX_TYPE.INT8:
    case ONNX_TYPE.UINT16:
    case ONNX_TYPE.INT16:
    case ONNX_TYPE.INT32:
    case ONNX_TYPE.INT64:
    case ONNX_TYPE.UINT32:
    case ONNX_TYPE.UINT64:
      return "int32";
    default:
      return undefined;
  }
}

/** The ONNX element type of an adjoint dtype. */
export function onnxFromDType(dtype: DType): number {
  switch (dtype) {
    case "float32":
      return ONNX_TYPE.FLOAT;
    case "float64":
      return ONNX_TYPE.DOUBLE;
    case "int32":
      return ONNX_TYPE.INT32;
    case "bool":
      return ONNX_TYPE.BOOL;
  }
}

/** A protobufjs int64 field: a number, or a Long (which has toNumber). */
export type Int64 = number | { toNumber(): number };

/** A protobufjs int64 as a JS number (exact up to 2^53, which covers every dimension). */
export function int64(v: Int64): number {
  return typeof v === "number" ? v : v.toNumber();
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Saturates to int32's range (ONNX's int64 sentinels become int32's). */
function saturate(v: number): number {
  return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
}

function rawValues(code: number, raw: Uint8Array, n: number, what: string): ArrayLike<number> {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const width: Record<number, number> = {
    [ONNX_TYPE.FLOAT]: 4,
    [ONNX_TYPE.DOUBLE]: 8,
    [ONNX_TYPE.INT64]: 8,
    [ONNX_TYPE.UINT64]: 8,
    [ONNX_TYPE.INT32]: 4,
    [ONNX_TYPE.UINT32]: 4,
    [ONNX_TYPE.INT16]: 2,
    [ONNX_TYPE.UINT16]: 2,
    [ONNX_TYPE.INT8]: 1,
    [ONNX_TYPE.UINT8]: 1,
    [ONNX_TYPE.FLOAT16]: 2,
    [ONNX_TYPE.BOOL]: 1,
  };
  const w = width[code]!;
  if (raw.byteLength !== n * w) {
    throw new OnnxError(
      `onnx.load: ${what} has ${raw.byteLength} bytes of raw data; its shape needs ${n * w}`,
    );
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * w;
    switch (code) {
      case ONNX_TYPE.FLOAT:
        out[i] = view.getFloat32(o, true);
        break;
      case ONNX_TYPE.FLOAT16:
        out[i] = halfToNumber(view.getUint16(o, true));
        break;
      case ONNX_TYPE.DOUBLE:
        out[i] = view.getFloat64(o, true);
        break;
      case ONNX_TYPE.INT64:
        out[i] = Number(view.getBigInt64(o, true));
        break;
      case ONNX_TYPE.UINT64:
        out[i] = Number(view.getBigUint64(o, true));
        break;
      case ONNX_TYPE.INT32:
        out[i] = view.getInt32(o, true);
        break;
      case ONNX_TYPE.UINT32:
        out[i] = view.getUint32(o, true);
        break;
      case ONNX_TYPE.INT16:
        out[i] = view.getInt16(o, true);
        break;
      case ONNX_TYPE.UINT16:
        out[i] = view.getUint16(o, true);
        break;
      case ONNX_TYPE.INT8:
        out[i] = view.getInt8(o);
        break;
      default:
        out[i] = view.getUint8(o);
    }
  }
  return out;
}

/** An IEEE half-precision value from its 16 bits. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function fieldValues(t: onnx.ITensorProto, code: number): ArrayLike<number> {
  switch (code) {
    case ONNX_TYPE.FLOAT16:
      // int32_data holds the 16 bits of each value.
      return (t.int32Data ?? []).map(halfToNumber);
    case ONNX_TYPE.FLOAT:
      return t.floatData ?? [];
    case ONNX_TYPE.DOUBLE:
      return t.doubleData ?? [];
    case ONNX_TYPE.INT64:
      return (t.int64Data ?? []).map(int64);
    case ONNX_TYPE.UINT32:
    case ONNX_TYPE.UINT64:
      return (t.uint64Data ?? []).map(int64);
    default:
      return t.int32Data ?? [];
  }
}

/**
 * The Tensor a TensorProto holds (raw_data or the typed fields), in the adjoint dtype of its
 * element type. `what` names it in errors ("initializer 'W'").
 * @throws {@link OnnxError} for an element type without an adjoint dtype, external data, or data
 *   that does not fill the shape.
 */
export function tensorFromProto(t: onnx.ITensorProto, what: string): Tensor {
  const code = t.dataType ?? 0;
  const dtype = dtypeFromOnnx(code);
  if (dtype === undefined) {
    throw new OnnxError(
      `onnx.load: ${what} has element type ${onnxTypeName(code)}, which adjoint does not support (it has float32, float64, int32 for every integer type, and bool)`,
      [],
      "feature",
    );
  }
  if ((t.externalData?.length ?? 0) > 0 || t.dataLocation === 1) {
    throw new OnnxError(
      `onnx.load: ${what} keeps its data in an external file, which is not supported`,
      [],
      "feature",
    );
  }
  const shape = (t.dims ?? []).map(int64);
  const n = shape.reduce((a, b) => a * b, 1);
  const raw = t.rawData;
  // Weights are mostly float32 raw data: copy the bytes straight into the typed array (the
  // platforms JS runs on are little-endian, as ONNX's raw_data is).
  if (raw && code === ONNX_TYPE.FLOAT && raw.byteLength === 4 * n) {
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(raw);
    return tensor(data, { dtype, shape });
  }
  let values =
    raw !== null && raw !== undefined && raw.byteLength > 0
      ? rawValues(code, raw, n, what)
      : fieldValues(t, code);
  if (values.length !== n) {
    throw new OnnxError(
      `onnx.load: ${what} holds ${values.length} values; its shape [${shape.join(", ")}] needs ${n}`,
    );
  }
  if (dtype === "int32") values = Int32Array.from(values, saturate);
  else if (dtype === "bool") values = Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
  else if (dtype === "float32") values = Float32Array.from(values);
  else values = Float64Array.from(values);
  return tensor(values as Float32Array | Float64Array | Int32Array | Uint8Array, { dtype, shape });
}

/**
 * A TensorProto (as a plain object for `TensorProto.create`) holding `x`'s values in raw_data:
 * float32 -> FLOAT, float64 -> DOUBLE, int32 -> INT32 (or INT64 with `int64: true`), bool -> BOOL.
 */
export function tensorToProto(
  x: Tensor,
  name: string,
  options: { int64?: boolean } = {},
): onnx.ITensorProto {
  const data = x.dataSync();
  let raw: Uint8Array;
  let code = onnxFromDType(x.dtype);
  if (x.dtype === "int32" && options.int64 === true) {
    code = ONNX_TYPE.INT64;
    const big = new BigInt64Array(data.length);
    for (let i = 0; i < data.length; i++) big[i] = BigInt(data[i]!);
    raw = new Uint8Array(big.buffer);
  } else {
    // Typed arrays are little-endian on every platform JS engines run on.
    raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  }
  return { name, dataType: code, dims: [...x.shape], rawData: raw };
}
