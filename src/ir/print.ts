/**
 * @file A graph's listing: one equation per line with its outputs' dtypes and shapes, variables
 * named a, b, ..., z, ba, bb, ... in order of definition, size-1 constants written inline as
 * literals, params in brackets and named scopes as trailing comments, e.g.
 *
 *     graph(a: f32[3]) {
 *       b: f32[3] = mul a 2.
 *       c: f32[] = reduce_sum[axes=[0]] b
 *       return c
 *     }
 */

import type { DType } from "../core/dtype.js";
import type { Aval } from "../core/primitive.js";
import type { GraphEqn, GraphLeaf, GraphParts } from "./graph.js";

const SHORT: Record<DType, string> = { float32: "f32", float64: "f64", int32: "i32", bool: "bool" };

/** `f32[2,3]` */
export function avalString(a: Aval): string {
  return `${SHORT[a.dtype]}[${a.shape.join(",")}]`;
}

/** The n-th short name: a..z, then ba, bb, ... (a base-26 numeral without a leading a). */
export function varName(n: number): string {
  let s = "";
  let k = n;
  do {
    s = String.fromCharCode(97 + (k % 26)) + s;
    k = Math.floor(k / 26);
  } while (k > 0);
  return s;
}

/** A number as the listing writes it: `2.` for a float with an integer value, as NumPy. */
export function literal(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (dtype === "int32" || !Number.isFinite(v)) return String(v);
  if (Object.is(v, -0)) return "-0.";
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  return dtype === "float32" ? shortestFloat32(v) : String(v);
}

/** A float32 value in the fewest digits that read back as it (1e-5, not 0.000009999999747378752). */
export function shortestFloat32(v: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = v.toPrecision(digits);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  return String(Number(v.toPrecision(9))); // 9 digits always read back as the same float32
}

/** An equation's primitive with its params as the listing writes them: `reduce_sum[axes=[0]]`. */
export function eqnLabel(eqn: GraphEqn): string {
  const name = eqn.primitive.name;
  const json = eqn.primitive.paramsJson?.toJSON(eqn.params as never);
  if (json === null || json === undefined) return name;
  if (typeof json !== "object" || Array.isArray(json)) return `${name}[${JSON.stringify(json)}]`;
  const parts = Object.entries(json).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length === 0 ? name : `${name}[${parts.join(", ")}]`;
}

/**
 * Every variable's name in the listing: a, b, c, ... in order of definition (inputs, constants,
 * equation outputs); a size-1 constant is its literal (`2.`) instead and takes no letter. Two
 * literals can read the same (`2.` in float32 and float64): the names are not unique there.
 */
export function listingNames(graph: GraphParts): string[] {
  const names = new Array<string>(graph.vars.length);
  let next = 0;
  for (const leaf of graph.inLeaves) if ("var" in leaf) names[leaf.var] = varName(next++);
  for (const c of graph.consts) {
    const v = c.value;
    names[c.id] =
      v.size === 1 && v._trace === null
        ? literal(v._concrete()._scalarValue(), v.dtype)
        : varName(next++);
  }
  for (const eqn of graph.eqns) for (const id of eqn.outputs) names[id] = varName(next++);
  return names;
}

/** The listing of `graph`. */
export function graphToString(graph: GraphParts): string {
  const names = listingNames(graph);
  const lines: string[] = [];
  const inputs = graph.inLeaves.map((leaf) =>
    "var" in leaf ? `${names[leaf.var]}: ${avalString(graph.vars[leaf.var]!)}` : String(leaf.value),
  );
  for (const c of graph.consts) {
    const v = c.value;
    if (v.size === 1 && v._trace === null) continue;
    const body =
      v._trace === null ? v.toString().replace(/^tensor\(|, dtype=.*$/gs, "") : "(traced)";
    const short = body.length > 60 ? `${body.slice(0, 57)}...` : body;
    lines.push(
      `  ${names[c.id]}: ${avalString(graph.vars[c.id]!)} = const ${short.replace(/\s+/g, " ")}`,
    );
  }
  for (const eqn of graph.eqns) {
    const ins = eqn.inputs.map((id) => names[id]!).join(" ");
    const outs = eqn.outputs.map((id) => `${names[id]}: ${avalString(graph.vars[id]!)}`);
    const scope = eqn.scope === "" ? "" : `  # ${eqn.scope}`;
    lines.push(`  ${outs.join(", ")} = ${eqnLabel(eqn)} ${ins}${scope}`);
  }
  const leafName = (leaf: GraphLeaf): string =>
    "var" in leaf ? names[leaf.var]! : String(leaf.value);
  const outs = graph.outLeaves.map(leafName);
  lines.push(`  return ${outs.length === 1 ? outs[0] : `(${outs.join(", ")})`}`);
  return `graph(${inputs.join(", ")}) {\n${lines.join("\n")}\n}`;
}
