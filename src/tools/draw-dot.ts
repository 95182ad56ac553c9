/**
 * @file toDot: a DrawModel as Graphviz DOT text. Labels are HTML-like so that one node can carry
 * its op, type, value and adjoint in different colours; named scopes become nested
 * `subgraph cluster_N`; what was collapsed is said in the graph's label.
 */

import type { DrawModel } from "./draw-model.js";
import {
  buildView,
  type CollapsedNode,
  type DrawOptions,
  type LabelLine,
  labelLines,
  type ResolvedDrawOptions,
  resolveDrawOptions,
  type ShownNode,
  type ViewGroup,
  wrapText,
} from "./draw-view.js";

/** The palette shared by the DOT and Mermaid writers (Tailwind's slate, blue, green, orange). */
export const COLORS = {
  text: "#0f172a",
  quiet: "#64748b",
  border: "#475569",
  opFill: "#ffffff",
  inputFill: "#dbeafe",
  inputBorder: "#1d4ed8",
  constFill: "#f1f5f9",
  constBorder: "#94a3b8",
  outputFill: "#dcfce7",
  outputBorder: "#15803d",
  collapsedFill: "#e2e8f0",
  value: "#1e3a8a",
  adjoint: "#c2410c",
  clusterFills: ["#f8fafc", "#f1f5f9", "#e2e8f0"],
  clusterBorder: "#94a3b8",
  edge: "#64748b",
  note: "#92400e",
} as const;

/** A string as a DOT double-quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

/** Text inside a DOT HTML-like label. */
export function dotHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\r?\n/g, "<br/>");
}

const FONT = "Helvetica";

function lineHtml(line: LabelLine): string {
  const t = dotHtml(line.text);
  switch (line.role) {
    case "head":
      return line.sub === undefined
        ? `<b>${t}</b>`
        : `<b>${t}</b> <font color="${COLORS.quiet}">${dotHtml(line.sub)}</font>`;
    case "type":
      return `<font point-size="10" color="${COLORS.quiet}">${t}</font>`;
    case "value":
      return `<font color="${COLORS.value}">${t}</font>`;
    case "adjoint":
      return `<font color="${COLORS.adjoint}">${t}</font>`;
    case "output":
      return `<font point-size="9" color="${COLORS.outputBorder}"><b>${t}</b></font>`;
    default:
      return `<font point-size="9" color="${COLORS.quiet}">${t}</font>`;
  }
}

function nodeAttrs(item: ShownNode | CollapsedNode): string {
  const label = `<${labelLines(item).map(lineHtml).join("<br/>")}>`;
  if (item.kind === "collapsed") {
    const out = item.outputs > 0 ? `, peripheries=2, color="${COLORS.outputBorder}"` : "";
    return `shape=box3d, style="filled", fillcolor="${COLORS.collapsedFill}"${out}, label=${label}`;
  }
  const n = item.node;
  const parts: string[] = [];
  if (n.kind === "input") {
    parts.push(
      `shape=box, style="filled,bold", fillcolor="${COLORS.inputFill}", color="${COLORS.inputBorder}"`,
    );
  } else if (n.kind === "const") {
    parts.push(
      `shape=box, style="filled,dashed", fillcolor="${COLORS.constFill}", color="${COLORS.constBorder}"`,
    );
  }
  if (n.isOutput) {
    parts.push(
      `peripheries=2, color="${COLORS.outputBorder}", penwidth=1.4` +
        (n.kind === "op" ? `, fillcolor="${COLORS.outputFill}"` : ""),
    );
  }
  parts.push(`label=${label}`);
  return parts.join(", ");
}

function legendHtml(model: DrawModel, hasValues: boolean, hasAdjoints: boolean): string {
  const has = (kind: string) => model.nodes.some((n) => n.kind === kind);
  const items: string[] = [];
  if (has("input")) items.push(`<font color="${COLORS.inputBorder}"><b>input</b></font> (blue)`);
  if (has("const")) items.push(`<font color="${COLORS.quiet}"><b>const</b></font> (dashed)`);
  items.push("<b>op</b> (rounded)");
  if (model.nodes.some((n) => n.isOutput)) {
    items.push(`<font color="${COLORS.outputBorder}"><b>output</b></font> (double border)`);
  }
  const more: string[] = [];
  if (hasValues) more.push(`<font color="${COLORS.value}">= forward value</font>`);
  if (hasAdjoints) {
    more.push(
      `<font color="${COLORS.adjoint}">dF/dv</font>: adjoint, the derivative of the output F with respect to v`,
    );
  }
  return [items.join(" · "), ...(more.length > 0 ? [more.join(" · ")] : [])].join(
    '<br align="left"/>',
  );
}

function writeGroup(g: ViewGroup, out: string[], indent: string, next: { cluster: number }): void {
  for (const item of g.items) {
    if ("items" in item) {
      const fill = COLORS.clusterFills[Math.min(item.depth, COLORS.clusterFills.length - 1)]!;
      out.push(`${indent}subgraph cluster_${next.cluster++} {`);
      out.push(
        `${indent}  graph [label=<<b>${dotHtml(item.path)}</b>>, style="rounded,filled", fillcolor="${fill}", color="${COLORS.clusterBorder}", fontcolor="${COLORS.border}"];`,
      );
      writeGroup(item, out, `${indent}  `, next);
      out.push(`${indent}}`);
    } else if (item.kind === "stub") {
      out.push(
        `${indent}${dotString(item.id)} [style="dashed,rounded", color="${COLORS.quiet}", fontcolor="${COLORS.quiet}", fontsize=9, margin="0.06,0.02", height=0.2, label=<<i>${dotHtml(item.text)}</i>>];`,
      );
    } else {
      out.push(`${indent}${dotString(item.id)} [${nodeAttrs(item)}];`);
    }
  }
}

/** DOT text for a model under resolved options. */
export function dotOf(model: DrawModel, o: ResolvedDrawOptions): string {
  const view = buildView(model, o);
  const header: string[] = [];
  if (o.title !== "") header.push(`<font point-size="14"><b>${dotHtml(o.title)}</b></font>`);
  for (const note of view.notes) {
    for (const line of wrapText(note)) {
      header.push(`<font color="${COLORS.note}">${dotHtml(line)}</font>`);
    }
  }
  if (o.legend) {
    header.push(
      `<font point-size="9">${legendHtml(model, view.hasValues, view.hasAdjoints)}</font>`,
    );
  }
  const out: string[] = [
    "digraph adjoint {",
    `  graph [rankdir=${o.direction}, fontname="${FONT}", fontsize=11, nodesep=0.3, ranksep=0.4, labelloc=t, labeljust=l${
      header.length > 0 ? `, label=<${header.join('<br align="left"/>')}<br align="left"/>>` : ""
    }];`,
    `  node [shape=box, style="rounded,filled", fillcolor="${COLORS.opFill}", color="${COLORS.border}", fontcolor="${COLORS.text}", fontname="${FONT}", fontsize=11, margin="0.12,0.05"];`,
    `  edge [color="${COLORS.edge}", fontcolor="${COLORS.quiet}", fontname="${FONT}", fontsize=9, arrowsize=0.7];`,
  ];
  writeGroup(view.root, out, "  ", { cluster: 0 });
  for (const e of view.edges) {
    out.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [label=${dotString(` ${e.label} `)}];`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

/**
 * The drawing of a graph as Graphviz DOT text (render it with `dot -Tsvg`, or {@link toSvg}).
 * Deterministic: the same model and options give the same text.
 *
 * Each node shows its op (or "input"/"const") and variable name, its type (`f32[5,4]`), its
 * forward value when the model has one and its adjoint dF/dv (in orange) when it has one.
 * Inputs are blue with a bold border, constants grey and dashed, outputs green with a double
 * border; edges are labelled with the type they carry (parallel edges merged, "x2").
 * Named scopes are drawn as nested clusters; large graphs are collapsed as
 * {@link DrawOptions} describes, with a note at the top saying what was collapsed.
 * @param model - What to draw: `drawModelOf(graph)`, or a traced graph's model with values.
 * @param options - Collapsing limits, direction, title and legend.
 * @throws {@link ValueError} for unknown or malformed options, or an edge naming a missing node.
 * @category Tools
 */
export function toDot(model: DrawModel, options?: DrawOptions): string {
  return dotOf(model, resolveDrawOptions("toDot", options));
}
