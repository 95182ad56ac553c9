/**
 * @file How a primitive's params go to and from JSON (the graph format, docs/graph-format.md).
 * A codec is built from a schema that names the kind of every field of the params type, so a
 * params type with a field the schema does not cover fails to compile; reading validates every
 * field and rejects unknown ones with a ValueError that names where it was found.
 */

import { DTYPES, type DType } from "./dtype.js";
import { ValueError } from "./errors.js";

/**
 * A JSON value.
 * @category Primitives
 */
export type Json =
  | null
  | boolean
  | number
  | string
  | readonly Json[]
  | { readonly [k: string]: Json };

/**
 * A primitive's params to and from JSON. `fromJSON` validates and throws a ValueError naming
 * `where` (e.g. "equation 3 (reshape): params") on anything malformed.
 * @category Primitives
 */
export interface ParamsCodec<P> {
  toJSON(params: P): Json;
  fromJSON(json: unknown, where: string): P;
}

/**
 * The kind of one params field: an integer, an array of integers, an array of integer pairs, a
 * boolean, a dtype name, or any number (NaN and ±Infinity included, written as strings in JSON).
 * @category Primitives
 */
export type FieldKind = "int" | "ints" | "intPairs" | "bool" | "dtype" | "number";

/**
 * The field kinds of a params type: one entry per key, no more, no fewer.
 * @category Primitives
 */
export type ParamsSchema<P> = { readonly [K in keyof P]-?: FieldKind };

/**
 * The codec of a primitive without params (`undefined`, written as null).
 * @category Primitives
 */
export const NO_PARAMS: ParamsCodec<undefined> = {
  toJSON: () => null,
  fromJSON: (json, where) => {
    if (json !== null && json !== undefined) {
      throw new ValueError(`${where}: expected no params (null); got ${preview(json)}`);
    }
    return undefined;
  },
};

/**
 * The codec of an object of params whose fields have the kinds of `schema` (one kind per field
 * of `P`, checked by the compiler). Give it to a primitive as `paramsJson` so that graphs holding
 * the primitive can be written to JSON and read back.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const codec = ad.paramsCodec<{ axis: number; keep: boolean }>({ axis: "int", keep: "bool" });
 * codec.toJSON({ axis: -1, keep: true }); // => { axis: -1, keep: true }
 * codec.fromJSON({ axis: 1.5, keep: true }, "my_op params"); // throws: ValueError: my_op params.axis: expected an integer
 * ```
 * @category Primitives
 */
export function paramsCodec<P extends object>(schema: ParamsSchema<P>): ParamsCodec<P> {
  const keys = Object.keys(schema) as (keyof P & string)[];
  return {
    toJSON: (params) => {
      const out: Record<string, Json> = {};
      for (const k of keys) out[k] = writeField(schema[k], params[k]);
      return out;
    },
    fromJSON: (json, where) => {
      if (json === null || typeof json !== "object" || Array.isArray(json)) {
        throw new ValueError(`${where}: expected an object of params; got ${preview(json)}`);
      }
      const record = json as Record<string, unknown>;
      for (const k of Object.keys(record)) {
        if (!(k in schema)) {
          throw new ValueError(
            `${where}: unknown field "${k}" (expected ${keys.map((n) => `"${n}"`).join(", ")})`,
          );
        }
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        if (!(k in record)) throw new ValueError(`${where}: missing field "${k}"`);
        out[k] = readField(schema[k], record[k], `${where}.${k}`);
      }
      return out as P;
    },
  };
}

/** A number as JSON: finite numbers as they are (-0 as "-0"), the others as their names. */
function writeNumber(v: number): Json {
  if (Number.isFinite(v)) return Object.is(v, -0) ? "-0" : v;
  return String(v); // "NaN", "Infinity", "-Infinity"
}

function writeField(kind: FieldKind, v: unknown): Json {
  switch (kind) {
    case "int":
    case "bool":
    case "dtype":
      return v as Json;
    case "number":
      return writeNumber(v as number);
    case "ints":
      return [...(v as readonly number[])];
    case "intPairs":
      return (v as readonly (readonly [number, number])[]).map(([a, b]) => [a, b]);
  }
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function readField(kind: FieldKind, v: unknown, where: string): unknown {
  switch (kind) {
    case "int":
      if (isInt(v)) return v;
      throw new ValueError(`${where}: expected an integer; got ${preview(v)}`);
    case "bool":
      if (typeof v === "boolean") return v;
      throw new ValueError(`${where}: expected true or false; got ${preview(v)}`);
    case "dtype":
      if (typeof v === "string" && (DTYPES as readonly string[]).includes(v)) return v as DType;
      throw new ValueError(`${where}: expected a dtype (${DTYPES.join(", ")}); got ${preview(v)}`);
    case "number":
      if (typeof v === "number") return v;
      if (v === "NaN") return NaN;
      if (v === "Infinity") return Infinity;
      if (v === "-Infinity") return -Infinity;
      if (v === "-0") return -0;
      throw new ValueError(
        `${where}: expected a number (or "NaN", "Infinity", "-Infinity", "-0"); got ${preview(v)}`,
      );
    case "ints":
      if (Array.isArray(v) && v.every(isInt)) return v.slice();
      throw new ValueError(`${where}: expected an array of integers; got ${preview(v)}`);
    case "intPairs":
      if (
        Array.isArray(v) &&
        v.every((p) => Array.isArray(p) && p.length === 2 && p.every(isInt))
      ) {
        return v.map((p: number[]) => [p[0]!, p[1]!] as const);
      }
      throw new ValueError(
        `${where}: expected an array of [integer, integer] pairs; got ${preview(v)}`,
      );
  }
}

/** A short rendering of a JSON value for messages. */
export function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
