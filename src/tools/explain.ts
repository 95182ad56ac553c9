/**
 * @file explain: a function's forward pass and every step of its backward pass as tables, in the
 * words and layout of docs/how-it-works.md (slots, the seed, each node's adjoint `ct`, the VJP
 * rule, the contributions to each input's slot, the adjoints after the step, then each node's
 * adjoint dF/dv). The numbers come from running the primitives' own VJP rules on the traced
 * values (src/tools/graph-backward.ts), so the tables show what `grad` computes; only the rule
 * descriptions and the written-out terms ("1 * cos 2") are text (src/tools/vjp-text.ts).
 */

import { isFloat } from "../core/dtype.js";
import { flatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import type { GraphEqn } from "../ir/graph.js";
import { avalString } from "../ir/print.js";
import { onesLike } from "../ops/index.js";
import { type BackwardStep, backwardGraph } from "./graph-backward.js";
import { summarize } from "./summary.js";
import { opLabel, scalarOutputVar, type TracedGraph, traceValues } from "./trace-graph.js";
import { vjpText } from "./vjp-text.js";

/**
 * One table of an {@link Explanation}: cells are plain text, with `code` in backticks.
 * @category Tools
 */
export interface ExplainTable {
  /** The table's title ("Forward pass", "Backward pass", "Adjoints"). */
  readonly title: string;
  readonly header: readonly string[];
  /** Each column's alignment (numbers are right-aligned). */
  readonly align: readonly ("left" | "right")[];
  readonly rows: readonly (readonly string[])[];
  /** A sentence printed under the table, when any. */
  readonly note?: string;
}

/** The most slots whose adjoints the backward table lists in full after every step. */
const FULL_LIST_SLOTS = 10;
/** Longest expression written for a node in the adjoint table (else its primitive's name). */
const EXPR_MAX = 40;
/** Longest sub-expression nested into another (else the operand is written as its slot). */
const OPERAND_MAX = 24;

const INFIX: Readonly<Record<string, readonly [string, number]>> = {
  add: ["+", 1],
  sub: ["-", 1],
  mul: ["*", 2],
  div: ["/", 2],
};

/** The names of f's parameters when its source lists plain identifiers (else undefined each). */
export function parameterNames(f: unknown): (string | undefined)[] {
  let src: string;
  try {
    src = Function.prototype.toString.call(f);
  } catch {
    return [];
  }
  const single = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (single !== null) return [single[1]];
  const list = /^\s*(?:async\s+)?(?:function\s*\*?\s*)?[\w$]*\s*\(([^)]*)\)/.exec(src);
  if (list === null) return [];
  return list[1]!
    .split(",")
    .map((p) => p.trim())
    .map((p) => (/^[A-Za-z_$][\w$]*$/.test(p) ? p : undefined));
}

/** Markdown-ish code span. */
const code = (s: string): string => `\`${s}\``;

/** `value` written into a term: negative numbers in parentheses unless they start it. */
function substitute(term: string, values: Readonly<Record<string, string>>): string {
  return term.replace(/\b(ct|x|y|out)\b/g, (tok, _name: string, offset: number) => {
    const v = values[tok]!;
    return v.startsWith("-") && offset > 0 ? `(${v})` : v;
  });
}

/**
 * A function's forward pass and backward pass, step by step, as tables: what {@link explain}
 * returns. Print it with `toString()` (aligned text for a terminal), `toMarkdown()` or
 * `toHTML()`, or read the tables' cells.
 * @category Tools
 */
export class Explanation {
  /** The traced graph behind the tables, with every node's value and adjoint (draw it with its `toSvg()`). */
  readonly traced: TracedGraph;
  /** One row per slot: slot, primitive, inputs (slots), value. */
  readonly forward: ExplainTable;
  /** The seed, then one row per equation in reverse order, then the leaves. */
  readonly backward: ExplainTable;
  /** Every slot's adjoint dF/dv, from the output down. */
  readonly adjoints: ExplainTable;

  /** @internal Use {@link explain}. */
  constructor(
    traced: TracedGraph,
    forward: ExplainTable,
    backward: ExplainTable,
    adjoints: ExplainTable,
  ) {
    this.traced = traced;
    this.forward = forward;
    this.backward = backward;
    this.adjoints = adjoints;
  }

  /** The tables as plain text with aligned columns (for a terminal). */
  toString(): string {
    return this.tables()
      .map((t) => textTable(t))
      .join("\n\n");
  }

  /** The tables as Markdown (GitHub tables, as in docs/how-it-works.md). */
  toMarkdown(): string {
    return this.tables()
      .map((t) => markdownTable(t))
      .join("\n\n");
  }

  /** The tables as an HTML fragment (a `<section>` of `<table>`s; no styles). */
  toHTML(): string {
    return `<section class="adjoint-explain">\n${this.tables()
      .map((t) => htmlTable(t))
      .join("\n")}\n</section>`;
  }

  private tables(): ExplainTable[] {
    return [this.forward, this.backward, this.adjoints];
  }
}

// ---- rendering --------------------------------------------------------------------------------

function textTable(t: ExplainTable): string {
  const plain = (s: string): string => s.replace(/`/g, "");
  const rows = [t.header, ...t.rows].map((r) => r.map(plain));
  const widths = t.header.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, j) => (t.align[j] === "right" ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)))
      .join("  ")
      .trimEnd();
  const body = [
    line(rows[0]!),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(1).map(line),
  ];
  return `${t.title}\n${body.join("\n")}${t.note === undefined ? "" : `\n${plain(t.note)}`}`;
}

function markdownTable(t: ExplainTable): string {
  const cell = (c: string): string => (c === "" ? " " : ` ${c.replace(/\|/g, "\\|")} `);
  const row = (r: readonly string[]): string => `|${r.map(cell).join("|")}|`;
  const rule = `|${t.align.map((a) => (a === "right" ? "---:" : "---")).join("|")}|`;
  const lines = [`**${t.title}**`, "", row(t.header), rule, ...t.rows.map(row)];
  if (t.note !== undefined) lines.push("", t.note);
  return lines.join("\n");
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Escaped text with `code` spans as <code>. */
function htmlText(s: string): string {
  return escapeHtml(s).replace(/`([^`]*)`/g, "<code>$1</code>");
}

function htmlTable(t: ExplainTable): string {
  const style = (j: number): string => (t.align[j] === "right" ? ' style="text-align:right"' : "");
  const head = t.header.map((h, j) => `<th${style(j)}>${htmlText(h)}</th>`).join("");
  const rows = t.rows.map(
    (r) => `<tr>${r.map((c, j) => `<td${style(j)}>${htmlText(c)}</td>`).join("")}</tr>`,
  );
  const note = t.note === undefined ? "" : `\n<p>${htmlText(t.note)}</p>`;
  return `<h4>${htmlText(t.title)}</h4>\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>${note}`;
}

// ---- building the tables ----------------------------------------------------------------------

/**
 * The name of each input leaf: the parameter's name when the argument is one tensor and f's
 * source names it plainly, else the listing's name.
 */
function leafNames(f: unknown, args: readonly unknown[], traced: TracedGraph): Map<number, string> {
  const params = parameterNames(f);
  const names = new Map<number, string>();
  const inLeaves = traced.graph.inLeaves;
  let k = 0;
  args.forEach((arg, j) => {
    const count = flatten(arg, "explain")[0].length;
    for (let i = 0; i < count; i++, k++) {
      const leaf = inLeaves[k]!;
      if (!("var" in leaf)) continue;
      const param = params[j];
      names.set(
        leaf.var,
        count === 1 && arg instanceof Tensor && param !== undefined
          ? param
          : traced.names[leaf.var]!,
      );
    }
  });
  return names;
}

/**
 * Runs the function, its backward pass, and writes the three tables. Slots are numbered as the
 * tape numbers them: the inputs first, then each equation's outputs; constants have none (to a
 * gradient they are constants, and receive nothing).
 */
function build(f: unknown, args: readonly unknown[]): Explanation {
  const traced = traceValues("explain", f, args);
  const graph = traced.graph;
  const values = traced.values;
  const output = scalarOutputVar("explain", graph);
  const slot = new Array<number>(graph.vars.length).fill(-1);
  let nSlots = 0;
  for (const leaf of graph.inLeaves) if ("var" in leaf) slot[leaf.var] = nSlots++;
  const nLeaves = nSlots;
  const eqnOf = new Map<number, GraphEqn>();
  for (const eqn of graph.eqns) {
    for (const id of eqn.outputs) {
      slot[id] = nSlots++;
      eqnOf.set(id, eqn);
    }
  }
  const varOfSlot = new Array<number>(nSlots);
  slot.forEach((s, id) => {
    if (s >= 0) varOfSlot[s] = id;
  });
  const names = leafNames(f, args, traced);
  const isConst = new Set(graph.consts.map((c) => c.id));
  const summ = (t: Tensor): string => summarize(t);

  const constText = (id: number): string => {
    const v = values[id]!;
    return v.size === 1 ? `const ${summ(v)}` : `const ${avalString(v)}`;
  };

  // Forward pass.
  const forwardRows: string[][] = [];
  for (let s = 0; s < nSlots; s++) {
    const id = varOfSlot[s]!;
    const eqn = eqnOf.get(id);
    if (eqn === undefined) {
      forwardRows.push([String(s), `leaf (${names.get(id)})`, "", summ(values[id]!)]);
      continue;
    }
    const j = eqn.outputs.indexOf(id);
    const scope = eqn.scope === "" ? "" : ` (scope ${eqn.scope})`;
    const op = `${code(`${opLabel(eqn)}${eqn.outputs.length > 1 ? `[${j}]` : ""}`)}${scope}`;
    const ins = eqn.inputs.map((i) => (slot[i]! >= 0 ? String(slot[i]) : constText(i)));
    forwardRows.push([String(s), op, ins.join(", "), summ(values[id]!)]);
  }

  // Backward pass: the walk's steps, replayed into rows.
  const steps = new Map<number, BackwardStep>();
  const adj = backwardGraph(
    graph,
    values,
    output,
    (id) => !isConst.has(id),
    (step) => {
      steps.set(step.eqn, step);
    },
  );
  traced.backward();
  const full =
    nSlots <= FULL_LIST_SLOTS &&
    graph.vars.every((a, id) => slot[id]! < 0 || a.shape.every((d) => d === 1));
  type State = Tensor | null | "released";
  const state = new Array<State>(nSlots).fill(null);
  const show = (st: State): string =>
    st === null ? "-" : st === "released" ? "released" : summ(st);
  const listed = (changed: readonly number[]): string =>
    full
      ? state.map(show).join(", ")
      : changed.map((s) => `slot ${s} = ${show(state[s]!)}`).join("; ");
  const backwardRows: string[][] = [];
  const outSlot = slot[output]!;
  if (outSlot >= 0 && isFloat(graph.vars[output]!.dtype)) {
    const seed = onesLike(values[output]!);
    state[outSlot] = seed;
    backwardRows.push(["seed", "", "", "", `slot ${outSlot} += ${summ(seed)}`, listed([outSlot])]);
  } else {
    backwardRows.push(["seed", "", "", "", "(the output is a constant: no adjoint flows)", ""]);
  }
  let stepNo = 0;
  for (let e = graph.eqns.length - 1; e >= 0; e--) {
    const eqn = graph.eqns[e]!;
    stepNo++;
    const slots = eqn.outputs.map((id) => slot[id]!);
    const node = `${slots.join(", ")} ${code(eqn.primitive.name)}`;
    const step = steps.get(e);
    if (step === undefined) {
      const why = eqn.outputs.every((id) => !isFloat(graph.vars[id]!.dtype))
        ? `(none: a ${graph.vars[eqn.outputs[0]!]!.dtype} output has no derivative)`
        : "(skipped: no adjoint reaches it)";
      backwardRows.push([String(stepNo), node, "-", why, "", listed([])]);
      continue;
    }
    const text = vjpText(eqn.primitive.name);
    const outId = eqn.outputs[0]!;
    const outValue = values[outId]!;
    const ct0 = step.cts[0] ?? null;
    const scalarTerms =
      eqn.outputs.length === 1 &&
      ct0 !== null &&
      ct0.size === 1 &&
      outValue.size === 1 &&
      eqn.inputs.every((i) => values[i]!.size === 1);
    const termValues: Record<string, string> = {};
    if (scalarTerms) {
      termValues.ct = summ(ct0);
      termValues.out = summ(outValue);
      if (eqn.inputs[0] !== undefined) termValues.x = summ(values[eqn.inputs[0]]!);
      if (eqn.inputs[1] !== undefined) termValues.y = summ(values[eqn.inputs[1]]!);
    }
    const contributions: string[] = [];
    const changed: number[] = [];
    eqn.inputs.forEach((id, i) => {
      const c = step.contributions[i];
      if (c === null || c === undefined) return;
      const value = summ(c);
      const term = eqn.outputs.length === 1 ? text.terms?.[i] : undefined;
      let expr: string;
      if (term === undefined) expr = value;
      else if (scalarTerms) {
        const written = substitute(term, termValues);
        const trivial = written === value || written.replace(/^1 \* /, "") === value;
        expr = trivial ? written : `${written} = ${value}`;
      } else {
        const summed = c.size !== outValue.size ? " summed over the broadcast axes" : "";
        expr = `${term}${summed} = ${value}`;
      }
      contributions.push(`slot ${slot[id]} += ${expr}`);
      state[slot[id]!] = step.after[i] ?? null;
      if (!changed.includes(slot[id]!)) changed.push(slot[id]!);
    });
    for (const s of slots) state[s] = "released";
    const cts = step.cts.map((ct) => (ct === null ? "-" : summ(ct))).join("; ");
    backwardRows.push([
      String(stepNo),
      node,
      cts,
      text.rule,
      contributions.join("; "),
      listed(changed),
    ]);
  }
  if (nLeaves > 0) {
    const stepsCell = Array.from({ length: nLeaves }, (_, i) => String(stepNo + 1 + i)).join(", ");
    const leafSlots = Array.from({ length: nLeaves }, (_, i) => nLeaves - 1 - i);
    const leafCell = `${leafSlots.join(", ")} ${nLeaves === 1 ? "leaf" : "leaves"}`;
    const after = full
      ? state.slice(0, nLeaves).map(show).join(", ")
      : leafSlots
          .slice()
          .reverse()
          .map((s) => `slot ${s} = ${show(state[s]!)}`)
          .join("; ");
    backwardRows.push([stepsCell, leafCell, "", "(none)", "", after]);
  }

  // The adjoint of every slot, from the output down.
  const exprs = new Map<number, { text: string; prec: number }>();
  const operand = (id: number): { text: string; prec: number } => {
    if (slot[id]! < 0) {
      const v = values[id]!;
      return v.size === 1
        ? { text: summ(v), prec: summ(v).startsWith("-") ? 0 : 9 }
        : { text: "const", prec: 9 };
    }
    if (!eqnOf.has(id)) return { text: names.get(id)!, prec: 9 };
    const ex = expression(id);
    return ex.text.length <= OPERAND_MAX ? ex : { text: `slot ${slot[id]}`, prec: 9 };
  };
  const expression = (id: number): { text: string; prec: number } => {
    const known = exprs.get(id);
    if (known !== undefined) return known;
    const eqn = eqnOf.get(id)!;
    const name = eqn.primitive.name;
    const ins = eqn.inputs.map(operand);
    const infix = INFIX[name];
    let ex: { text: string; prec: number };
    if (infix !== undefined && ins.length === 2 && eqn.outputs.length === 1) {
      const [sym, p] = infix;
      const left = ins[0]!.prec < p ? `(${ins[0]!.text})` : ins[0]!.text;
      const tight = name === "sub" || name === "div" ? ins[1]!.prec <= p : ins[1]!.prec < p;
      const right = tight ? `(${ins[1]!.text})` : ins[1]!.text;
      ex = { text: `${left} ${sym} ${right}`, prec: p };
    } else if (name === "neg" && ins.length === 1) {
      ex = { text: ins[0]!.prec < 3 ? `-(${ins[0]!.text})` : `-${ins[0]!.text}`, prec: 3 };
    } else {
      const j = eqn.outputs.length > 1 ? `[${eqn.outputs.indexOf(id)}]` : "";
      ex = { text: `${name}(${ins.map((x) => x.text).join(", ")})${j}`, prec: 9 };
    }
    exprs.set(id, ex);
    return ex;
  };
  const adjointRows: string[][] = [];
  for (let s = nSlots - 1; s >= 0; s--) {
    const id = varOfSlot[s]!;
    const eqn = eqnOf.get(id);
    let desc: string;
    if (eqn === undefined) desc = names.get(id)!;
    else if (id === output) desc = `${code(eqn.primitive.name)}`;
    else {
      const ex = expression(id).text;
      desc =
        ex.length <= EXPR_MAX
          ? code(ex)
          : `${code(eqn.primitive.name)} of ${eqn.inputs.map((i) => (slot[i]! >= 0 ? `slot ${slot[i]}` : constText(i))).join(", ")}`;
    }
    if (id === output) desc += " (the output F)";
    const a = adj[id] ?? null;
    adjointRows.push([String(s), desc, a === null ? "-" : summ(a)]);
  }

  const forward: ExplainTable = {
    title: "Forward pass",
    header: ["slot", "primitive", "inputs (slots)", "value"],
    align: ["right", "left", "left", "right"],
    rows: forwardRows,
  };
  const backward: ExplainTable = {
    title: "Backward pass",
    header: [
      "step",
      "node",
      `its adjoint ${code("ct")}`,
      "VJP rule",
      "contributions",
      full
        ? `adjoints after the step (${nSlots === 1 ? "slot 0" : `slots 0..${nSlots - 1}`})`
        : "adjoints changed by the step",
    ],
    align: ["right", "left", "right", "left", "left", "left"],
    rows: backwardRows,
    note: full
      ? '"-" means no adjoint yet, i.e. zero; "released" means the walk has applied that node\'s rule and dropped its adjoint.'
      : "The last column lists the slots that received a contribution at the step, with their adjoint so far.",
  };
  const adjoints: ExplainTable = {
    title: "Adjoints",
    header: ["slot", "node", "adjoint dF/dv"],
    align: ["right", "left", "right"],
    rows: adjointRows,
  };
  return new Explanation(traced, forward, backward, adjoints);
}

/**
 * Explains how reverse mode differentiates `f` at `args`, step by step, in the words of
 * docs/how-it-works.md: the forward pass (one row per tape slot: the inputs, then every
 * primitive's output, with its inputs' slots and its value), then the backward pass (the seed,
 * then for every node from the last to the first its adjoint `ct`, the VJP rule applied, what
 * flows into which slot, and the adjoints after the step), then every node's adjoint dF/dv.
 * The values are computed by the primitives' own VJP rules on the traced values, so they are
 * the numbers `grad` computes; for tensors that are not size 1 the tables show summaries
 * (shape and min/mean/max). Print it with `toString()`, `toMarkdown()` or `toHTML()`.
 *
 * Inputs are named after f's parameters when its source lists them plainly (a minifier may
 * rename them; pytree leaves keep the listing's names a, b, ...). Tensors in `args`
 * are the inputs; numbers, booleans and strings are static, as for {@link makeGraph}.
 *
 * @param f - A function returning a size-1 float tensor.
 * @param args - Its arguments.
 * @throws {@link ValueError} when `f` is not a function or returns more than one value,
 * {@link ShapeError} when its result is not of size 1, {@link DTypeError} when not a float,
 * {@link TracerError} when f branches on a value (as makeGraph).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const f = (x: ad.Tensor, y: ad.Tensor) => x.mul(y).add(x.sin());
 * const e = ad.explain(f, ad.scalar(2), ad.scalar(3));
 * e.forward.rows[2]; // => [ '2', '`mul`', '0, 1', '6' ]
 * e.backward.rows[2]![4]; // => slot 0 += 1 * cos 2 = -0.41614684
 * e.adjoints.rows.map((r) => r[2]); // => [ '1', '1', '1', '2', '2.5838532' ]
 * ad.explain((x: ad.Tensor) => x, ad.tensor([1, 2])); // throws: ShapeError: explain requires a scalar output
 * ```
 * @category Tools
 */
export function explain<A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  ...args: A
): Explanation {
  return build(f, args);
}
