/**
 * @file Finding the fused clusters of a graph and the order the program runs them in.
 *
 * An equation is fusible when each output element is one scalar function of input elements at
 * indices the loop can compute: the elementwise table's unary and binary primitives (generated
 * and hand-declared: their eager kernel is the table's expression), select, convert_element_type,
 * stop_gradient, broadcast_to and reshape, a contiguous slice (read in place at an offset), a pad
 * of a contiguous input (read in place, the pad value outside), and sums, maxima, minima and
 * float products over all axes, the last one or all but the last (folds that end the cluster).
 * Operands may have the output's size, size 1, or be a row (the last axis) or a column (all but
 * the last axis) of it.
 *
 * Clusters: every fusible equation gets a depth, the largest number of cluster boundaries on a
 * path from the graph's inputs to it, where an edge is free (inside a cluster) only when a
 * fusible equation reads, element for element, a fusible producer of the same loop shape (shapes
 * compared without their size-1 axes). The fusible equations of one loop shape and depth form
 * one cluster; a cluster of nothing but reshapes stays library calls (free: they share arrays). No path between two members
 * leaves the cluster (it would cross a boundary and raise the depth), so the clusters and the
 * remaining equations (library calls) form an acyclic graph, scheduled here in an order close to
 * the graph's own.
 */

import { allocate, type DType, isFloat } from "../core/dtype.js";
import { type Shape, shapeSize } from "../core/shape.js";
import type { Expr } from "../elementwise/expr.js";
import { BINARY_KERNELS, type KernelDef, UNARY_KERNELS } from "../elementwise/table.js";
import type { GraphParts } from "../ir/graph.js";
import type { Fold, LoadMode } from "./kernel-ir.js";

/** What a fusible equation computes per element. */
export type MemberOp =
  | { readonly kind: "expr"; readonly expr: Expr; readonly bool: boolean }
  | { readonly kind: "select" }
  | { readonly kind: "cast" }
  | { readonly kind: "copy" }
  | { readonly kind: "sum0" }
  | { readonly kind: "reduce"; readonly over: "all" | "rows" | "cols"; readonly fold: Fold };

/** How a member reads one operand. */
export interface Read {
  readonly mode: LoadMode;
  readonly offset: number;
  /** `pad`: the end of the input's range and the value outside it (as the output stores it). */
  readonly end?: number;
  readonly value?: number;
}

/** A fusible equation. */
export interface Member {
  readonly eqn: number;
  readonly out: number;
  readonly dtype: DType;
  readonly op: MemberOp;
  readonly inputs: readonly number[];
  readonly reads: readonly Read[];
  /** The loop's shape: the output's, or for a reduction its input's. */
  readonly loop: Shape;
  /** Loops of one key run as one (their shapes are equal, or both have one element). */
  readonly key: string;
}

/** A step of the program: a fused cluster, or an equation run as a library call. */
export type Step =
  | { readonly kind: "fused"; readonly members: readonly Member[]; readonly loop: Shape }
  | { readonly kind: "call"; readonly eqn: number };

/** The member op and arity of each elementwise table primitive (generated and hand-declared). */
const TABLE = new Map<string, { readonly op: MemberOp; readonly arity: number }>();
for (const table of [UNARY_KERNELS, BINARY_KERNELS] as Record<string, KernelDef>[]) {
  for (const [key, d] of Object.entries(table)) {
    TABLE.set(d.prim ?? key, {
      op: { kind: "expr", expr: d.expr, bool: d.bool },
      arity: maxArg(d.expr) + 1,
    });
  }
}
const SELECT: MemberOp = { kind: "select" };
const CAST: MemberOp = { kind: "cast" };
const COPY: MemberOp = { kind: "copy" };
const SUM0: MemberOp = { kind: "sum0" };
const FOLDS: Record<string, Fold> = {
  reduce_sum: "sum",
  reduce_max: "max",
  reduce_min: "min",
  reduce_prod: "prod",
};

const SAME: Read = { mode: "same", offset: 0 };
const ONE_SAME: readonly Read[] = [SAME];
const TWO_SAME: readonly Read[] = [SAME, SAME];

/** How an operand of shape `s` is read in a loop over `out`; null when no simple index fits. */
export function readOf(s: Shape, out: Shape): Read | null {
  const n = shapeSize(out);
  const m = shapeSize(s);
  if (m === n) return SAME;
  if (m === 1) return { mode: "scalar", offset: 0 };
  const r = out.length;
  if (s.length > r || r === 0) return null;
  const pad = r - s.length;
  const dim = (d: number): number => (d < pad ? 1 : s[d - pad]!);
  let row = dim(r - 1) === out[r - 1];
  for (let d = 0; d < r - 1 && row; d++) if (dim(d) !== 1) row = false;
  if (row) return { mode: "row", offset: 0 };
  let col = dim(r - 1) === 1;
  for (let d = 0; d < r - 1 && col; d++) if (dim(d) !== out[d]) col = false;
  return col ? { mode: "col", offset: 0 } : null;
}

interface SliceParams {
  readonly begin: readonly number[];
  readonly size: readonly number[];
  readonly step: readonly number[];
}

/** The flat offset of a slice whose elements are contiguous in its input; null otherwise. */
export function contiguousOffset(shape: Shape, p: SliceParams): number | null {
  const r = shape.length;
  let last = -1; // the last axis not taken whole
  for (let d = 0; d < r; d++) if (p.size[d] !== shape[d]) last = d;
  for (let d = 0; d < r; d++) {
    if (d < last && p.size[d] !== 1) return null;
    if (p.size[d]! > 1 && p.step[d] !== 1) return null;
  }
  let offset = 0;
  let stride = 1;
  for (let d = r - 1; d >= 0; d--) {
    offset += p.begin[d]! * stride;
    stride *= shape[d]!;
  }
  return offset;
}

interface PadParams {
  readonly widths: readonly (readonly [number, number])[];
  readonly value: number;
}

/**
 * The read of a pad whose input is one contiguous range of its output (every axis before the
 * last padded one has size 1 and no padding): [offset, end) in the output's flat index; null otherwise.
 */
export function contiguousPad(shape: Shape, p: PadParams, dtype: DType): Read | null {
  const r = shape.length;
  let last = -1;
  for (let d = 0; d < r; d++) if (p.widths[d]![0] !== 0 || p.widths[d]![1] !== 0) last = d;
  let stride = 1;
  for (let d = r - 1; d > last; d--) stride *= shape[d]!;
  for (let d = 0; d < last; d++) {
    if (shape[d] !== 1 || p.widths[d]![0] !== 0 || p.widths[d]![1] !== 0) return null;
  }
  const offset = last < 0 ? 0 : p.widths[last]![0] * stride;
  // The value as the output array stores it (float32 rounds, int32 truncates, bool wraps).
  const stored = allocate(dtype, 1);
  stored[0] = p.value;
  return { mode: "pad", offset, end: offset + shapeSize(shape), value: stored[0]! };
}

/** The member an equation would be, or null when it runs as a library call. */
export function memberOf(graph: GraphParts, e: number): Member | null {
  const eqn = graph.eqns[e]!;
  if (eqn.outputs.length !== 1) return null;
  const out = eqn.outputs[0]!;
  const aval = graph.vars[out]!;
  const size = shapeSize(aval.shape);
  if (size === 0) return null;
  const inputs = eqn.inputs;
  let op: MemberOp;
  let reads: readonly Read[] | null = null;
  let loop: Shape = aval.shape;
  const t = TABLE.get(eqn.primitive.name);
  if (t !== undefined) {
    if (inputs.length !== t.arity) return null;
    op = t.op;
  } else {
    switch (eqn.primitive.name) {
      case "select":
        if (inputs.length !== 3) return null;
        op = SELECT;
        break;
      case "convert_element_type":
        op = CAST;
        break;
      case "stop_gradient":
      case "broadcast_to":
        op = COPY;
        break;
      case "slice": {
        const offset = contiguousOffset(graph.vars[inputs[0]!]!.shape, eqn.params as SliceParams);
        if (offset === null) return null;
        op = COPY;
        reads = [{ mode: "offset", offset }];
        break;
      }
      case "pad": {
        const shape = graph.vars[inputs[0]!]!.shape;
        const read = contiguousPad(shape, eqn.params as PadParams, aval.dtype);
        if (read === null) return null;
        op = COPY;
        reads = [read];
        break;
      }
      case "reduce_sum":
      case "reduce_max":
      case "reduce_min":
      case "reduce_prod": {
        const fold = FOLDS[eqn.primitive.name]!;
        // int32 products wrap as Math.imul (the eager kernel's); only floats fold with *.
        if (fold === "prod" && !isFloat(aval.dtype)) return null;
        const inShape = graph.vars[inputs[0]!]!.shape;
        if (shapeSize(inShape) === size) {
          // One element: a sum is 0 + x (rounded to the output's dtype), a max, min or product
          // the element itself.
          op = fold === "sum" ? SUM0 : COPY;
          break;
        }
        const over = reduction(inShape, (eqn.params as { axes: readonly number[] }).axes);
        if (over === null) return null;
        op = { kind: "reduce", over, fold };
        reads = ONE_SAME;
        loop = inShape;
        break;
      }
      case "reshape":
        // Row-major data: the same flat index in any shape of the same size.
        op = COPY;
        break;
      default:
        return null;
    }
  }
  if (reads === null) {
    if (inputs.length === 1 || inputs.length === 2) {
      // The common cases (every operand of the output's size) share one array.
      const r0 = readOf(graph.vars[inputs[0]!]!.shape, aval.shape);
      const r1 = inputs.length === 2 ? readOf(graph.vars[inputs[1]!]!.shape, aval.shape) : SAME;
      if (r0 === null || r1 === null) return null;
      if (r0 === SAME && r1 === SAME) reads = inputs.length === 1 ? ONE_SAME : TWO_SAME;
      else reads = inputs.length === 1 ? [r0] : [r0, r1];
    } else {
      const rs: Read[] = [];
      for (const v of inputs) {
        const r = readOf(graph.vars[v]!.shape, aval.shape);
        if (r === null) return null;
        rs.push(r);
      }
      reads = rs;
    }
  }
  return { eqn: e, out, dtype: aval.dtype, op, inputs, reads, loop, key: loopKey(loop) };
}

/**
 * How a sum over `axes` of `shape` runs in the loop over `shape` with its size-1 axes dropped
 * (rows of its last axis): over everything, over each row (the last axis reduced, the others
 * kept) or over the rows for each column (every axis but the last reduced); null otherwise.
 */
export function reduction(shape: Shape, axes: readonly number[]): "all" | "rows" | "cols" | null {
  const reduced = new Set(axes);
  const kinds: boolean[] = []; // per axis longer than 1: reduced?
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) kinds.push(reduced.has(d));
  const last = kinds.length - 1;
  if (kinds.every((r) => r)) return "all";
  if (kinds[last] === true && kinds.slice(0, last).every((r) => !r)) return "rows";
  if (kinds[last] === false && kinds.slice(0, last).every((r) => r)) return "cols";
  return null;
}

/** The largest operand index an expression reads (0: x only, 1: x and y). */
function maxArg(e: Expr): number {
  switch (e.kind) {
    case "arg":
      return e.index;
    case "const":
      return 0;
    case "alu":
      return Math.max(0, ...e.args.map(maxArg));
  }
}

/**
 * A loop's shape without its size-1 axes: loops of one squeezed shape run as one (the same flat
 * index, rows of the same last axis), and all size-1 loops share one.
 */
export function squeeze(s: Shape): number[] {
  return s.filter((d) => d !== 1);
}

function loopKey(s: Shape): string {
  return squeeze(s).join(",");
}

/** A binary min-heap of step indices by priority. */
class Heap {
  private readonly items: number[] = [];
  constructor(private readonly prio: readonly number[]) {}
  get size(): number {
    return this.items.length;
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.prio[a[p]!]! <= this.prio[x]!) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && this.prio[a[r]!]! < this.prio[a[l]!]! ? r : l;
        if (this.prio[a[c]!]! >= this.prio[last]!) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** The program's steps in run order, and which equations are dead (their values unused). */
export function planSteps(graph: GraphParts, fuse: boolean): Step[] {
  const eqns = graph.eqns;
  const producer = new Int32Array(graph.vars.length).fill(-1);
  eqns.forEach((eqn, e) => {
    for (const v of eqn.outputs) producer[v] = e;
  });
  // Live equations: those an output depends on (fusible dead ones are skipped; every library
  // call runs, as it would eagerly).
  const members = eqns.map((_, e) => (fuse ? memberOf(graph, e) : null));
  const used = new Uint8Array(graph.vars.length);
  for (const leaf of graph.outLeaves) if ("var" in leaf) used[leaf.var] = 1;
  const live = new Uint8Array(eqns.length);
  for (let e = eqns.length - 1; e >= 0; e--) {
    const eqn = eqns[e]!;
    if (members[e] !== null && !eqn.outputs.some((v) => used[v] === 1)) continue;
    live[e] = 1;
    for (const v of eqn.inputs) used[v] = 1;
  }
  // Depths and cluster ids.
  const depth = new Int32Array(eqns.length);
  // A cluster's id: its loop key's number times 2^26 plus its depth (exact below 2^53).
  const clusterOf = new Float64Array(eqns.length).fill(-1);
  const keyIds = new Map<string, number>();
  for (let e = 0; e < eqns.length; e++) {
    if (live[e] === 0) continue;
    const m = members[e];
    let d = 0;
    const ins = eqns[e]!.inputs;
    for (let j = 0; j < ins.length; j++) {
      const p = producer[ins[j]!]!;
      if (p < 0) continue;
      const pm = members[p];
      const inside =
        m !== null &&
        m !== undefined &&
        pm !== null &&
        pm !== undefined &&
        pm.op.kind !== "reduce" &&
        m.reads[j]!.mode === "same" &&
        pm.key === m.key;
      d = Math.max(d, depth[p]! + (inside ? 0 : 1));
    }
    depth[e] = d;
    if (m !== null && m !== undefined) {
      let id = keyIds.get(m.key);
      if (id === undefined) {
        id = keyIds.size;
        keyIds.set(m.key, id);
      }
      clusterOf[e] = id * 2 ** 26 + d;
    }
  }
  // A cluster of nothing but relabellings (reshape, stop_gradient: copies at the same index of
  // a value from outside) computes nothing: its equations run as library calls, which share
  // their input's array instead of copying it.
  const aliasOnly = new Map<number, boolean>();
  for (let e = 0; e < eqns.length; e++) {
    const c = clusterOf[e]!;
    if (c < 0) continue;
    const m = members[e]!;
    const alias = m.op === COPY && m.reads[0]!.mode === "same";
    aliasOnly.set(c, (aliasOnly.get(c) ?? true) && alias);
  }
  for (let e = 0; e < eqns.length; e++) {
    if (clusterOf[e]! >= 0 && aliasOnly.get(clusterOf[e]!) === true) clusterOf[e] = -1;
  }
  // Steps: one per cluster (at its first member), one per live library call.
  const stepOf = new Int32Array(eqns.length).fill(-1);
  const stepMembers: Member[][] = [];
  const stepEqn: number[] = [];
  const byCluster = new Map<number, number>();
  for (let e = 0; e < eqns.length; e++) {
    if (live[e] === 0) continue;
    const c = clusterOf[e]!;
    if (c < 0) {
      stepOf[e] = stepEqn.length;
      stepEqn.push(e);
      stepMembers.push([]);
      continue;
    }
    let s = byCluster.get(c);
    if (s === undefined) {
      s = stepEqn.length;
      byCluster.set(c, s);
      stepEqn.push(e);
      stepMembers.push([]);
    }
    stepOf[e] = s;
    stepMembers[s]!.push(members[e]!);
  }
  // Kahn's algorithm over the steps, the earliest first equation first.
  const nSteps = stepEqn.length;
  const indegree = new Int32Array(nSteps);
  const next: number[][] = stepEqn.map(() => []);
  for (let e = 0; e < eqns.length; e++) {
    if (live[e] === 0) continue;
    const s = stepOf[e]!;
    for (const v of eqns[e]!.inputs) {
      const p = producer[v]!;
      if (p < 0) continue;
      const t = stepOf[p]!;
      if (t === s) continue;
      next[t]!.push(s);
      indegree[s]!++;
    }
  }
  const heap = new Heap(stepEqn);
  for (let s = 0; s < nSteps; s++) if (indegree[s] === 0) heap.push(s);
  const order: Step[] = [];
  while (heap.size > 0) {
    const s = heap.pop();
    const ms = stepMembers[s]!;
    order.push(
      ms.length === 0
        ? { kind: "call", eqn: stepEqn[s]! }
        : { kind: "fused", members: ms, loop: squeeze(ms[0]!.loop) },
    );
    for (const t of next[s]!) {
      indegree[t]!--;
      if (indegree[t] === 0) heap.push(t);
    }
  }
  if (order.length !== nSteps) throw new Error("compileGraph: the clusters form a cycle (a bug)");
  return order;
}
