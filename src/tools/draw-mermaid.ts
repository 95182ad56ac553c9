/**
 * @file toMermaid: a DrawModel as a Mermaid flowchart (GitHub and many docs tools render it).
 * Named scopes become nested `subgraph`s; node kinds get their own shape and class; what was
 * collapsed is said in a note node. Node ids are n0, n1, ... (Mermaid ids must be plain words).
 */

import { COLORS } from "./draw-dot.js";
import type { DrawModel } from "./draw-model.js";
import {
  buildView,
  type CollapsedNode,
  type DrawOptions,
  type LabelLine,
  labelLines,
  resolveDrawOptions,
  type ShownNode,
  type ViewGroup,
} from "./draw-view.js";

/**
 * Text inside a quoted Mermaid label: Mermaid reads `#name;` as an entity and labels as HTML,
 * so `#`, `"`, `<`, `>` and `&` are written as entity codes; newlines as `<br/>`.
 */
export function mermaidText(s: string): string {
  return s
    .replace(/#/g, "#35;")
    .replace(/&/g, "#amp;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/\r?\n/g, "<br/>");
}

/** `#c2410c` as `rgb(194,65,12)`: a `#` inside a label would start an entity code. */
function rgb(hex: string): string {
  const v = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(v >> 16) & 255},${(v >> 8) & 255},${v & 255})`;
}

function lineText(line: LabelLine): string {
  const t = mermaidText(line.text);
  switch (line.role) {
    case "head":
      return line.sub === undefined
        ? `<b>${t}</b>`
        : `<b>${t}</b> <span style='color:${rgb(COLORS.quiet)}'>${mermaidText(line.sub)}</span>`;
    case "value":
      return `<span style='color:${rgb(COLORS.value)}'>${t}</span>`;
    case "adjoint":
      return `<span style='color:${rgb(COLORS.adjoint)}'>${t}</span>`;
    case "output":
      return `<span style='color:${rgb(COLORS.outputBorder)}'><b>${t}</b></span>`;
    default:
      return `<span style='color:${rgb(COLORS.quiet)}'>${t}</span>`;
  }
}

function nodeLine(item: ShownNode | CollapsedNode, id: string): string {
  const label = `"${labelLines(item).map(lineText).join("<br/>")}"`;
  if (item.kind === "collapsed") {
    return `${id}[[${label}]]:::${item.outputs > 0 ? "collapsedOutput" : "collapsed"}`;
  }
  const n = item.node;
  const cls = n.isOutput ? "output" : n.kind;
  if (n.kind === "input") return `${id}([${label}]):::${cls}`;
  if (n.kind === "const") return `${id}[(${label})]:::${cls}`;
  return `${id}(${label}):::${cls}`;
}

/**
 * The drawing of a graph as a Mermaid flowchart (paste it in a ```mermaid block).
 * Deterministic: the same model and options give the same text.
 *
 * It shows what {@link toDot} shows: op, variable, type, value and adjoint (in orange) per node;
 * inputs as stadiums (blue), constants as cylinders (grey, dashed), ops as rounded boxes,
 * outputs with a thick green border, collapsed scopes and runs as double-sided boxes; edges
 * labelled with types; named scopes as nested subgraphs; a note node saying what was collapsed.
 * @param model - What to draw.
 * @param options - Collapsing limits, direction, title and legend.
 * @throws {@link ValueError} for unknown or malformed options, or an edge naming a missing node.
 * @category Tools
 */
export function toMermaid(model: DrawModel, options?: DrawOptions): string {
  const o = resolveDrawOptions("toMermaid", options);
  const view = buildView(model, o);
  const ids = new Map<string, string>();
  const out: string[] = [];
  if (o.title !== "") out.push("---", `title: ${JSON.stringify(o.title)}`, "---");
  out.push(
    `flowchart ${o.direction}`,
    `  classDef input fill:${COLORS.inputFill},stroke:${COLORS.inputBorder},stroke-width:2px`,
    `  classDef const fill:${COLORS.constFill},stroke:${COLORS.constBorder},stroke-dasharray:4 3`,
    `  classDef op fill:${COLORS.opFill},stroke:${COLORS.border}`,
    `  classDef output fill:${COLORS.outputFill},stroke:${COLORS.outputBorder},stroke-width:3px`,
    `  classDef collapsed fill:${COLORS.collapsedFill},stroke:${COLORS.border}`,
    `  classDef collapsedOutput fill:${COLORS.collapsedFill},stroke:${COLORS.outputBorder},stroke-width:3px`,
    `  classDef stub fill:#ffffff,stroke:${COLORS.quiet},stroke-dasharray:3 3,color:${COLORS.quiet}`,
    `  classDef note fill:#fffbeb,stroke:#d97706,color:${COLORS.note}`,
  );
  const notes = [...view.notes];
  if (o.legend && (view.hasValues || view.hasAdjoints)) {
    const parts: string[] = [];
    if (view.hasValues) parts.push("blue: forward value");
    if (view.hasAdjoints) parts.push("orange dF/dv: derivative of the output F with respect to v");
    notes.push(parts.join("; "));
  }
  if (notes.length > 0) {
    // Mermaid wraps a label's lines itself.
    out.push(`  note0["${notes.map(mermaidText).join("<br/>")}"]:::note`);
  }
  let subgraphs = 0;
  const writeGroup = (g: ViewGroup, indent: string): void => {
    for (const item of g.items) {
      if ("items" in item) {
        out.push(`${indent}subgraph s${subgraphs++}["${mermaidText(item.path)}"]`);
        writeGroup(item, `${indent}  `);
        out.push(`${indent}end`);
      } else {
        const id = `n${ids.size}`;
        ids.set(item.id, id);
        out.push(
          item.kind === "stub"
            ? `${indent}${id}>"<i>${mermaidText(item.text)}</i>"]:::stub`
            : `${indent}${nodeLine(item, id)}`,
        );
      }
    }
  };
  writeGroup(view.root, "  ");
  for (const e of view.edges) {
    out.push(`  ${ids.get(e.from)} -->|"${mermaidText(e.label)}"| ${ids.get(e.to)}`);
  }
  return `${out.join("\n")}\n`;
}
