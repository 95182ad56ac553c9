/**
 * @file describeValue: the one bounded formatter for user values shown in error messages, so
 * that a big tensor or array passed in the wrong place never dumps its buffer into a message.
 */

import { Tensor } from "./tensor.js";

/** Longest string (in characters) quoted in a message before it is cut. */
const MAX_STRING = 40;
/** Entries of an array or keys of an object listed before "...". */
const MAX_ITEMS = 6;
/** Nesting depth shown before inner arrays/objects are abbreviated. */
const MAX_DEPTH = 2;

/**
 * A short description of any value for an error message (at most a few hundred characters):
 * tensors as `Tensor(float32[1000])` (tracers as `Tracer(float32[3])`), strings quoted and cut
 * at 40 characters, arrays and objects with their first entries and their size, numbers as JS
 * prints them. For example a [1000] float32 tensor is `Tensor(float32[1000])` and "garbage" is
 * `string "garbage"`.
 * @internal
 */
export function describeValue(v: unknown): string {
  return describe(v, 0, true);
}

function describe(v: unknown, depth: number, top: boolean): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (v instanceof Tensor) {
    return `${v._trace === null ? "Tensor" : "Tracer"}(${v.dtype}[${v.shape.join(",")}])`;
  }
  switch (typeof v) {
    case "number":
    case "boolean":
    case "bigint":
      return String(v);
    case "string": {
      const s = v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}...` : v;
      return top ? `string ${JSON.stringify(s)}` : JSON.stringify(s);
    }
    case "symbol":
      return "a symbol";
    case "function":
      return v.name ? `function ${v.name}` : "a function";
  }
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name;
    return `${name}(${"length" in v ? String(v.length) : `${v.byteLength} bytes`})`;
  }
  if (typeof (v as { then?: unknown }).then === "function") return "a Promise";
  if (Array.isArray(v)) {
    if (depth >= MAX_DEPTH) return `array(${v.length})`;
    const shown = v.slice(0, MAX_ITEMS).map((x) => describe(x, depth + 1, false));
    // Compact like JSON and shapes in messages: [2,0].
    const more = v.length > MAX_ITEMS ? `,... (${v.length} items)` : "";
    return `[${shown.join(",")}${more}]`;
  }
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  const cls = proto?.constructor?.name;
  if (proto !== null && proto !== Object.prototype) return cls ? `a ${cls}` : "an object";
  const keys = Object.keys(v as object);
  if (depth >= MAX_DEPTH) return `object(${keys.length} keys)`;
  const record = v as Record<string, unknown>;
  const shown = keys
    .slice(0, MAX_ITEMS)
    .map((k) => `${cut(k)}: ${describe(record[k], depth + 1, false)}`);
  const more = keys.length > MAX_ITEMS ? `, ... (${keys.length} keys)` : "";
  return `{${shown.join(", ")}${more}}`;
}

function cut(key: string): string {
  return key.length > MAX_STRING ? `${key.slice(0, MAX_STRING)}...` : key;
}
