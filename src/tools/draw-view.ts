/**
 * @file What a drawing shows of a DrawModel: nodes grouped by named scope (nested by path),
 * scopes too large to read collapsed into one node each, and, for a huge graph, unscoped
 * operations merged into runs. The DOT and Mermaid writers render this view, so both draw the
 * same thing and say the same about what was collapsed.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { DrawModel, DrawNode } from "./draw-model.js";

/**
 * Options of the drawing tools (`toDot`, `toMermaid`, `toSvg`).
 *
 * Large graphs: nodes are grouped by their named scope (`ad.namedScope`), nested by path. A scope
 * is drawn as ONE node ("layer1: 57 nodes collapsed") when, after collapsing its own oversized
 * sub-scopes, it would still show more than `collapseAbove` nodes; its edges to the rest of the
 * graph are kept. If the drawing would then still show more than `maxNodes` nodes (a huge graph
 * without scopes), the unscoped operations that are not outputs are merged, in execution order,
 * into runs of consecutive equations, each drawn as one node ("c ... bx: 40 ops"), so that the
 * drawing stays near `maxNodes`; if it is still too large (many scopes, each under the limit),
 * the largest scopes are collapsed too, largest first, until it fits. Inputs, outputs and
 * unscoped nodes outside runs stay visible. A note at the top of the drawing lists what was
 * collapsed and why.
 * @category Tools
 */
export interface DrawOptions {
  /** Largest number of nodes a scope shows before it is collapsed (default 40; Infinity: never). */
  readonly collapseAbove?: number;
  /** Nodes a drawing aims to stay under by merging unscoped operations (default 200). */
  readonly maxNodes?: number;
  /** Layout direction: "TB" top to bottom (default) or "LR" left to right. */
  readonly direction?: "TB" | "LR";
  /** A title drawn above the graph. */
  readonly title?: string;
  /** Show the line that explains the colours and shapes (default true). */
  readonly legend?: boolean;
  /**
   * An edge spanning more levels than this (by longest path from the inputs; an input counts as
   * sitting just above its first use) is drawn as a dashed reference box naming its source,
   * next to its consumer (default 8; Infinity: draw every edge in full). Long edges, such as a
   * weight used by every step or an activation read by the backward pass, tangle a drawing and
   * make Graphviz's layout slow (minutes for 500 nodes). A constant used more than once (such
   * as a literal 0.5 shared by several ops) is drawn as such a reference next to each use, with
   * its value when the model has it; Infinity turns this off too.
   */
  readonly maxEdgeSpan?: number;
}

/** The option keys of {@link DrawOptions}. */
export const DRAW_OPTION_KEYS = [
  "collapseAbove",
  "maxNodes",
  "direction",
  "title",
  "legend",
  "maxEdgeSpan",
];

/** Options with their defaults filled in. */
export interface ResolvedDrawOptions {
  readonly collapseAbove: number;
  readonly maxNodes: number;
  readonly direction: "TB" | "LR";
  readonly title: string;
  readonly legend: boolean;
  readonly maxEdgeSpan: number;
}

function limit(op: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (
    typeof v !== "number" ||
    !(v === Number.POSITIVE_INFINITY || (Number.isInteger(v) && v >= 1))
  ) {
    throw new ValueError(
      `${op}: options.${name} must be an integer >= 1 or Infinity; got ${describeValue(v)}`,
    );
  }
  return v;
}

/** Checks `options` for `op` (unknown keys and bad values are ValueErrors) and fills defaults. */
export function resolveDrawOptions(
  op: string,
  options: DrawOptions | undefined,
  extraKeys: readonly string[] = [],
): ResolvedDrawOptions {
  const o = checkOptions(op, options, [...DRAW_OPTION_KEYS, ...extraKeys]);
  const direction = o.direction ?? "TB";
  if (direction !== "TB" && direction !== "LR") {
    throw new ValueError(
      `${op}: options.direction must be "TB" or "LR"; got ${describeValue(direction)}`,
    );
  }
  if (o.title !== undefined && typeof o.title !== "string") {
    throw new ValueError(`${op}: options.title must be a string; got ${describeValue(o.title)}`);
  }
  if (o.legend !== undefined && typeof o.legend !== "boolean") {
    throw new ValueError(`${op}: options.legend must be a boolean; got ${describeValue(o.legend)}`);
  }
  return {
    collapseAbove: limit(op, "collapseAbove", o.collapseAbove, 40),
    maxNodes: limit(op, "maxNodes", o.maxNodes, 200),
    direction,
    title: o.title ?? "",
    legend: o.legend ?? true,
    maxEdgeSpan: limit(op, "maxEdgeSpan", o.maxEdgeSpan, 8),
  };
}

/** A node of the model drawn as itself. */
export interface ShownNode {
  readonly kind: "node";
  readonly id: string;
  readonly node: DrawNode;
}

/** Several model nodes drawn as one: a collapsed scope or a run of unscoped operations. */
export interface CollapsedNode {
  readonly kind: "collapsed";
  readonly id: string;
  /** "scope" for a named scope, "run" for consecutive unscoped operations. */
  readonly reason: "scope" | "run";
  /** The scope path, or "first ... last" ids of the run. */
  readonly title: string;
  /** How many model nodes it stands for. */
  readonly hidden: number;
  /** True when all of them are primitive calls. */
  readonly allOps: boolean;
  /** The most frequent primitives, e.g. "matmul 2, add 2, tanh 1". */
  readonly ops: string;
  /** How many of them are outputs of the function. */
  readonly outputs: number;
}

/** A reference to a node drawn far away: stands in for a long edge next to its consumer. */
export interface StubNode {
  readonly kind: "stub";
  readonly id: string;
  /** The drawn id of the node referred to. */
  readonly ref: string;
  /** What it says: the referred node's head ("tanh f", "input b", a scope path). */
  readonly text: string;
}

/** What a group holds. */
export type ViewItem = ShownNode | CollapsedNode | StubNode | ViewGroup;

/** A scope group as drawn: its own nodes and sub-groups, in order of first appearance. */
export interface ViewGroup {
  /** The scope path ("" for the top level). */
  readonly path: string;
  /** Its last segment. */
  readonly name: string;
  /** 0 for top-level scopes. */
  readonly depth: number;
  readonly items: readonly ViewItem[];
}

/** An edge as drawn: parallel model edges between the same drawn nodes are merged. */
export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  /** The shape (e.g. "f32[3]"), with "x2" when it stands for several edges of that shape. */
  readonly label: string;
}

/** The drawing's content. */
export interface DrawView {
  readonly root: ViewGroup;
  readonly edges: readonly ViewEdge[];
  /** Sentences saying what was collapsed (empty when everything is shown). */
  readonly notes: readonly string[];
  readonly hasValues: boolean;
  readonly hasAdjoints: boolean;
  /** Number of nodes drawn. */
  readonly shown: number;
}

const SHORT_DTYPE: Record<string, string> = {
  float32: "f32",
  float64: "f64",
  int32: "i32",
  bool: "bool",
};

/** `f32[2,3]`, as the listing writes types. */
export function typeString(shape: readonly number[], dtype: string): string {
  return `${SHORT_DTYPE[dtype] ?? dtype}[${shape.join(",")}]`;
}

interface Group {
  readonly path: string;
  readonly name: string;
  readonly depth: number;
  /** Own nodes and sub-groups in order of first appearance. */
  readonly items: (DrawNode | Group)[];
  readonly children: Map<string, Group>;
  /** Every model node at or below this group. */
  total: number;
  /** Nodes drawn for it when it is expanded (collapsed sub-groups count 1). */
  shown: number;
  collapsed: boolean;
}

function newGroup(path: string, depth: number): Group {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return {
    path,
    name,
    depth,
    items: [],
    children: new Map(),
    total: 0,
    shown: 0,
    collapsed: false,
  };
}

/** "matmul 2, add 2, tanh 1, +3 more" for the primitives among `nodes`. */
function opSummary(nodes: readonly DrawNode[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = sorted.slice(0, 4).map(([op, c]) => `${op} ${c}`);
  if (sorted.length > 4) top.push(`+${sorted.length - 4} more`);
  return top.join(", ");
}

function collapsedNode(
  id: string,
  reason: "scope" | "run",
  title: string,
  nodes: readonly DrawNode[],
): CollapsedNode {
  return {
    kind: "collapsed",
    id,
    reason,
    title,
    hidden: nodes.length,
    allOps: nodes.every((n) => n.kind === "op"),
    ops: opSummary(nodes),
    outputs: nodes.filter((n) => n.isOutput).length,
  };
}

function listSome(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

/** "tanh f", "input b", "eigh[1] c": a node's op (with its output index) and name. */
function headText(n: DrawNode): string {
  const head =
    n.kind === "op" ? `${n.op}${n.outputIndex === undefined ? "" : `[${n.outputIndex}]`}` : n.kind;
  return `${head} ${n.id}`;
}

/**
 * The level of each drawn node, as a layered layout would place it: the longest path from the
 * sources along forward edges (in `order`, the model's topological order; edges going back,
 * possible between collapsed groups, are ignored), except that a source sits one level above
 * its first consumer.
 */
function edgeRanks(
  order: ReadonlyMap<string, number>,
  edges: readonly ViewEdge[],
): (id: string) => number {
  const ids = [...order.keys()];
  const incoming = ids.map((): number[] => []);
  const outgoing = ids.map((): number[] => []);
  for (const e of edges) {
    const a = order.get(e.from)!;
    const b = order.get(e.to)!;
    if (a < b) {
      incoming[b]!.push(a);
      outgoing[a]!.push(b);
    }
  }
  const rank = new Array<number>(ids.length).fill(0);
  for (let v = 0; v < ids.length; v++) {
    for (const u of incoming[v]!) rank[v] = Math.max(rank[v]!, rank[u]! + 1);
  }
  for (let u = 0; u < ids.length; u++) {
    if (incoming[u]!.length === 0 && outgoing[u]!.length > 0) {
      let first = Number.POSITIVE_INFINITY;
      for (const v of outgoing[u]!) first = Math.min(first, rank[v]!);
      rank[u] = first - 1;
    }
  }
  return (id) => rank[order.get(id)!]!;
}

/** Builds what a drawing of `model` shows under `options`. */
export function buildView(model: DrawModel, options: ResolvedDrawOptions): DrawView {
  // 1. The scope tree, in order of first appearance.
  const root = newGroup("", -1);
  const groupOf = new Map<string, Group>([["", root]]);
  const nodeGroup = new Map<string, Group>();
  const getGroup = (path: string): Group => {
    const found = groupOf.get(path);
    if (found !== undefined) return found;
    const cut = path.lastIndexOf("/");
    const parent = getGroup(cut < 0 ? "" : path.slice(0, cut));
    const g = newGroup(path, parent.depth + 1);
    parent.items.push(g);
    parent.children.set(path, g);
    groupOf.set(path, g);
    return g;
  };
  for (const n of model.nodes) {
    const g = getGroup(n.scope);
    g.items.push(n);
    nodeGroup.set(n.id, g);
  }

  // 2. Collapse bottom-up: a scope whose drawing (with its oversized sub-scopes collapsed) would
  // still show more than collapseAbove nodes becomes one node. Groups were created parents
  // first, so the reverse of creation order visits children before parents.
  const groups = [...groupOf.values()];
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    let total = 0;
    let shown = 0;
    for (const item of g.items) {
      if ("items" in item) {
        total += item.total;
        shown += item.collapsed ? 1 : item.shown;
      } else {
        total += 1;
        shown += 1;
      }
    }
    g.total = total;
    g.shown = shown;
    g.collapsed = g !== root && shown > options.collapseAbove;
  }

  // 3. Runs of unscoped operations when the drawing is still too large.
  let shown = root.shown;
  const notes: string[] = [];
  const runOf = new Map<string, CollapsedNode>();
  if (shown > options.maxNodes) {
    const candidates = root.items.filter(
      (item): item is DrawNode => !("items" in item) && item.kind === "op" && !item.isOutput,
    );
    const others = shown - candidates.length;
    const budget = Math.max(10, options.maxNodes - others);
    const size = Math.ceil(candidates.length / budget);
    if (size > 1) {
      let runs = 0;
      for (let start = 0; start < candidates.length; start += size) {
        const chunk = candidates.slice(start, start + size);
        if (chunk.length === 1) continue;
        const id = `run:${runs++}`;
        const node = collapsedNode(
          id,
          "run",
          `${chunk[0]!.id} ... ${chunk[chunk.length - 1]!.id}`,
          chunk,
        );
        for (const n of chunk) runOf.set(n.id, node);
        shown -= chunk.length - 1;
      }
      notes.push(
        `${candidates.length} unscoped operations merged into ${runs} runs of up to ${size} consecutive equations ` +
          `(the drawing showed ${root.shown} nodes; maxNodes = ${options.maxNodes}). ` +
          "Group parts with ad.namedScope to collapse them by meaning, or raise maxNodes.",
      );
    }
  }

  // 3b. Still too many (many scopes, each under collapseAbove): collapse the largest scopes
  // still drawn, largest first (so parents before their children), until the drawing fits.
  const parentOf = (g: Group): Group | undefined => {
    if (g === root) return undefined;
    const cut = g.path.lastIndexOf("/");
    return groupOf.get(cut < 0 ? "" : g.path.slice(0, cut));
  };
  const hiddenByAncestor = (g: Group): boolean => {
    for (let p = parentOf(g); p !== undefined; p = parentOf(p)) if (p.collapsed) return true;
    return false;
  };
  const forSize = new Set<Group>();
  if (shown > options.maxNodes) {
    const candidates = groups
      .filter((g) => g !== root && !g.collapsed && g.shown > 1)
      .sort((x, y) => y.shown - x.shown);
    for (const g of candidates) {
      if (shown <= options.maxNodes) break;
      if (hiddenByAncestor(g)) continue;
      const delta = g.shown - 1;
      g.collapsed = true;
      forSize.add(g);
      shown -= delta;
      for (let p = parentOf(g); p !== undefined; p = parentOf(p)) p.shown -= delta;
    }
  }

  // Each model node's drawn id: its run, its outermost collapsed scope, or its own.
  const drawnId = new Map<string, string>();
  const hiddenIn = new Map<string, DrawNode[]>();
  const outermostCollapsed = (g: Group): Group | undefined => {
    let found: Group | undefined;
    for (let h: Group | undefined = g; h !== undefined; h = parentOf(h)) {
      if (h.collapsed) found = h;
    }
    return found;
  };
  for (const n of model.nodes) {
    const run = runOf.get(n.id);
    const c = outermostCollapsed(nodeGroup.get(n.id)!);
    if (run !== undefined) drawnId.set(n.id, run.id);
    else if (c === undefined) drawnId.set(n.id, n.id);
    else {
      const id = `scope:${c.path}`;
      drawnId.set(n.id, id);
      const list = hiddenIn.get(id) ?? [];
      list.push(n);
      hiddenIn.set(id, list);
    }
  }
  const described = (list: readonly Group[]) =>
    listSome(
      list.map((g) => `${g.path} (${g.total} nodes)`),
      8,
    );
  const byLimit = groups.filter(
    (g) => g.collapsed && !forSize.has(g) && outermostCollapsed(g) === g,
  );
  const bySize = [...forSize].filter((g) => outermostCollapsed(g) === g);
  if (bySize.length > 0) {
    notes.unshift(
      `To stay near maxNodes = ${options.maxNodes}, the largest scopes were collapsed too: ${described(bySize)}.`,
    );
  }
  if (byLimit.length > 0) {
    notes.unshift(
      `Collapsed ${byLimit.length === 1 ? "scope" : "scopes"}: ${described(byLimit)}. ` +
        `A scope showing more than ${options.collapseAbove} nodes is drawn as one; raise collapseAbove to expand.`,
    );
  }

  // 4. Edges between drawn nodes, parallel ones merged.
  const merged = new Map<string, { from: string; to: string; types: Map<string, number> }>();
  for (const e of model.edges) {
    const from = drawnId.get(e.from);
    const to = drawnId.get(e.to);
    if (from === undefined || to === undefined) {
      throw new ValueError(
        `draw: edge ${JSON.stringify(e.from)} -> ${JSON.stringify(e.to)} names a node that is not in the model`,
      );
    }
    if (from === to) continue;
    const key = `${from}\u0000${to}`;
    let m = merged.get(key);
    if (m === undefined) {
      m = { from, to, types: new Map() };
      merged.set(key, m);
    }
    const t = typeString(e.shape, e.dtype);
    m.types.set(t, (m.types.get(t) ?? 0) + 1);
  }
  let edges: ViewEdge[] = [];
  for (const m of merged.values()) {
    const parts = [...m.types].map(([t, c]) => (c > 1 ? `${t} x${c}` : t));
    edges.push({ from: m.from, to: m.to, label: listSome(parts, 2) });
  }

  // 5. Long edges, and every use of a constant used more than once, become reference stubs next
  // to their consumer (see DrawOptions.maxEdgeSpan).
  const stubsOf = new Map<string, StubNode[]>();
  const shared = new Set<string>();
  if (Number.isFinite(options.maxEdgeSpan)) {
    const order = new Map<string, number>();
    for (const n of model.nodes) {
      const id = drawnId.get(n.id)!;
      if (!order.has(id)) order.set(id, order.size);
    }
    const rank = edgeRanks(order, edges);
    const texts = new Map<string, string>();
    const uses = new Map<string, number>();
    for (const e of edges) uses.set(e.from, (uses.get(e.from) ?? 0) + 1);
    for (const n of model.nodes) {
      if (drawnId.get(n.id) !== n.id) continue;
      if (n.kind === "const" && (uses.get(n.id) ?? 0) > 1) {
        shared.add(n.id);
        texts.set(n.id, n.value === undefined ? headText(n) : `${n.id} = ${cut(n.value)}`);
      } else texts.set(n.id, headText(n));
    }
    const kept: ViewEdge[] = [];
    let long = 0;
    let stubs = 0;
    for (const e of edges) {
      const isShared = shared.has(e.from);
      if (!isShared && rank(e.to) - rank(e.from) <= options.maxEdgeSpan) {
        kept.push(e);
        continue;
      }
      if (!isShared) long++;
      const stub: StubNode = {
        kind: "stub",
        id: `ref:${stubs++}`,
        ref: e.from,
        text: texts.get(e.from) ?? e.from.replace(/^(scope|run):/, ""),
      };
      const list = stubsOf.get(e.to) ?? [];
      list.push(stub);
      stubsOf.set(e.to, list);
      kept.push({ from: stub.id, to: e.to, label: e.label });
    }
    if (long > 0) {
      notes.push(
        `${long} long ${long === 1 ? "edge is" : "edges are"} drawn as a dashed reference to the node ${long === 1 ? "it comes" : "they come"} from ` +
          `(spanning more than ${options.maxEdgeSpan} levels; raise maxEdgeSpan to draw them in full).`,
      );
    }
    edges = kept;
  }

  // 6. The drawn tree.
  const emitted = new Set<string>();
  const toView = (g: Group): ViewGroup => {
    const items: ViewItem[] = [];
    const push = (item: ShownNode | CollapsedNode) => {
      const stubs = stubsOf.get(item.id);
      if (stubs !== undefined) items.push(...stubs);
      items.push(item);
    };
    for (const item of g.items) {
      if ("items" in item) {
        if (item.collapsed) {
          const id = `scope:${item.path}`;
          push(collapsedNode(id, "scope", item.path, hiddenIn.get(id) ?? []));
        } else items.push(toView(item));
        continue;
      }
      if (shared.has(item.id)) continue;
      const run = runOf.get(item.id);
      if (run === undefined) push({ kind: "node", id: item.id, node: item });
      else if (!emitted.has(run.id)) {
        emitted.add(run.id);
        push(run);
      }
    }
    return { path: g.path, name: g.name, depth: g.depth, items };
  };
  const view = toView(root);

  return {
    root: view,
    edges,
    notes,
    hasValues: model.nodes.some((n) => n.value !== undefined),
    hasAdjoints: model.nodes.some((n) => n.adjoint !== undefined),
    shown,
  };
}

/** The lines of a shown node's label, as plain text with a role for styling. */
export interface LabelLine {
  readonly text: string;
  /** A quieter second part of the line (the variable's name after the op). */
  readonly sub?: string;
  readonly role: "head" | "type" | "value" | "adjoint" | "output" | "detail";
}

/** `text` cut into lines of at most `width` characters at spaces (a longer word stays whole). */
export function wrapText(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** Longest value or adjoint summary drawn before it is cut. */
const MAX_SUMMARY = 60;

function cut(s: string): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > MAX_SUMMARY ? `${one.slice(0, MAX_SUMMARY - 3)}...` : one;
}

/** A summary that is one number-like token reads as "= 6."; a longer one as it is. */
function isToken(s: string): boolean {
  return !/\s/.test(s);
}

/** What a node's label says, line by line. */
export function labelLines(item: ShownNode | CollapsedNode): LabelLine[] {
  if (item.kind === "collapsed") {
    const what = item.allOps ? "ops" : "nodes";
    const lines: LabelLine[] = [
      { text: item.title, role: "head" },
      {
        text: `${item.hidden} ${what} ${item.reason === "scope" ? "collapsed" : "merged"}`,
        role: "type",
      },
    ];
    if (item.ops !== "") lines.push({ text: item.ops, role: "detail" });
    if (item.outputs > 0) {
      lines.push({
        text: item.outputs === 1 ? "contains an output" : `contains ${item.outputs} outputs`,
        role: "output",
      });
    }
    return lines;
  }
  const n = item.node;
  const full = headText(n);
  const head = full.slice(0, full.length - n.id.length - 1);
  const lines: LabelLine[] = [
    { text: head, sub: n.id, role: "head" },
    { text: typeString(n.shape, n.dtype), role: "type" },
  ];
  // A summary that starts with the node's own type ("f32[3] min=0 ...") drops it: the type
  // line above says it already.
  const type = `${typeString(n.shape, n.dtype)} `;
  const own = (s: string) => cut(s.startsWith(type) ? s.slice(type.length) : s);
  if (n.value !== undefined) {
    const v = own(n.value);
    lines.push({ text: isToken(v) ? `= ${v}` : v, role: "value" });
  }
  if (n.adjoint !== undefined) {
    const a = own(n.adjoint);
    lines.push({ text: `dF/d${n.id}${isToken(a) ? " = " : ": "}${a}`, role: "adjoint" });
  }
  if (n.isOutput) lines.push({ text: "output", role: "output" });
  return lines;
}
