/**
 * @file Lowering a cluster to kernel form (kernel-ir.ts): each member's operation on registers,
 * loads of the values the cluster reads (constants inlined), stores of the values read outside
 * it, the sums that end it, and values of earlier clusters read through a slice or pad
 * recomputed at the shifted index instead of loaded (`recomputeRules`).
 */

import { type Shape, shapeSize } from "../core/shape.js";
import type { Member, Read, Step } from "./fusion.js";
import type { KernelIR, KernelOp, KernelReduce, KernelStore } from "./kernel-ir.js";

/** Per-variable scratch of lowerCluster, all -1 between calls. */
export interface Scratch {
  readonly regOf: Int32Array;
  readonly sameLoads: Int32Array;
}

/**
 * Where a cluster may recompute a value of an earlier cluster instead of reading it: `producer`
 * gives the member that computes a variable when the value can be recomputed at a shifted index
 * (see `recomputeRules`), and `inside(m, u)` says whether member m reads u inside its own cluster.
 */
export interface Recompute {
  readonly producer: (v: number) => Member | null;
  readonly inside: (m: Member, j: number) => Member | null;
}

/** A read of a value at index i + s instead of i. */
function shiftRead(read: Read, s: number): Read {
  switch (read.mode) {
    case "same":
      return s === 0 ? read : { mode: "offset", offset: s };
    case "offset":
      return read.offset + s === 0 ? SAME_READ : { mode: "offset", offset: read.offset + s };
    case "pad":
      return { mode: "pad", offset: read.offset - s, end: read.end! - s, value: read.value! };
    default:
      return read; // scalar (row and column reads are never shifted: see recomputable)
  }
}

const SAME_READ: Read = { mode: "same", offset: 0 };

/** Lowers one cluster to kernel form: the variables it reads (inputs) and writes (outputs). */
export function lowerCluster(
  members: readonly Member[],
  loop: Shape,
  materialise: (v: number) => boolean,
  literal: (v: number) => number | undefined,
  scratch: Scratch,
  recompute: Recompute,
  sizeOf: (v: number) => number,
): { ir: KernelIR; ins: number[]; outs: number[] } {
  const ops: KernelOp[] = [];
  const stores: KernelStore[] = [];
  const reduces: KernelReduce[] = [];
  const ins: number[] = [];
  const outs: number[] = [];
  const inIndex = new Map<number, number>();
  const loads = new Map<string, number>();
  const shifted = new Map<string, number>();
  // Per-variable registers (its value inside the cluster; its plain load), in arrays shared by
  // the clusters of one compile and reset before returning.
  const { regOf, sameLoads } = scratch;
  const touched: number[] = [];
  const push = (op: KernelOp): number => {
    ops.push(op);
    return ops.length - 1;
  };
  const load = (v: number, read: Read): number => {
    const same = read.mode === "same";
    const key = same ? "" : `${v}:${read.mode}:${read.offset}:${read.end}:${read.value}`;
    let r = same ? sameLoads[v]! : (loads.get(key) ?? -1);
    if (r >= 0) return r;
    const value = literal(v);
    if (value !== undefined) {
      r = push({ kind: "const", value });
    } else {
      let input = inIndex.get(v);
      if (input === undefined) {
        input = ins.length;
        inIndex.set(v, input);
        ins.push(v);
      }
      r = push({
        kind: "load",
        input,
        mode: read.mode,
        offset: read.offset,
        end: read.end,
        value: read.value,
      });
    }
    if (same) {
      sameLoads[v] = r;
      touched.push(v);
    } else {
      loads.set(key, r);
    }
    return r;
  };
  /** The register of member m's operation on registers `args` (-1 for a reduction). */
  const emit = (m: Member, args: readonly number[]): number => {
    switch (m.op.kind) {
      case "expr":
        return push({ kind: "expr", expr: m.op.expr, args, bool: m.op.bool, dtype: m.dtype });
      case "select":
        return push({ kind: "select", args: [args[0]!, args[1]!, args[2]!] });
      case "cast":
        return push({ kind: "cast", args: [args[0]!], dtype: m.dtype });
      case "copy":
        return args[0]!;
      case "sum0":
        return push({ kind: "sum0", args: [args[0]!], dtype: m.dtype });
      case "reduce":
        return -1;
    }
  };
  /** Member p of an earlier cluster recomputed here at index i + s (its cone, memoised). */
  const at = (p: Member, s: number): number => {
    const key = `${p.out}@${s}`;
    const hit = shifted.get(key);
    if (hit !== undefined) return hit;
    const args: number[] = [];
    for (let j = 0; j < p.inputs.length; j++) {
      const q = recompute.inside(p, j);
      args.push(q !== null ? at(q, s) : external(p.inputs[j]!, p.reads[j]!, s));
    }
    const r = emit(p, args);
    shifted.set(key, r);
    return r;
  };
  /**
   * A read of variable u from outside the cluster (or the cone being recomputed) at index
   * i + s: a load, or the recomputed value when u is read through a slice or pad.
   */
  const external = (u: number, read: Read, s: number): number => {
    const p = read.mode === "offset" || read.mode === "pad" ? recompute.producer(u) : null;
    if (p === null) return load(u, shiftRead(read, s));
    if (read.mode === "offset") return at(p, read.offset + s);
    const r = at(p, s - read.offset);
    return push({
      kind: "guard",
      args: [r],
      lo: read.offset - s,
      hi: read.end! - s,
      value: read.value!,
    });
  };
  const outIndex = (v: number): number => {
    outs.push(v);
    return outs.length - 1;
  };
  for (const m of members) {
    const args: number[] = [];
    for (let j = 0; j < m.inputs.length; j++) {
      const v = m.inputs[j]!;
      const read = m.reads[j]!;
      const inside = regOf[v]!;
      if (inside >= 0 && read.mode === "same") {
        args.push(inside);
        continue;
      }
      args.push(external(v, read, 0));
    }
    if (m.op.kind === "reduce") {
      reduces.push({ reg: args[0]!, out: outIndex(m.out), over: m.op.over, fold: m.op.fold });
      continue;
    }
    const reg = emit(m, args);
    regOf[m.out] = reg;
    touched.push(m.out);
    if (materialise(m.out)) stores.push({ reg, out: outIndex(m.out) });
  }
  for (const v of touched) {
    regOf[v] = -1;
    sameLoads[v] = -1;
  }
  const size = shapeSize(loop);
  const len = loop.length === 0 ? 1 : loop[loop.length - 1]!;
  const nested =
    size > 1 &&
    (reduces.some((r) => r.over !== "all") ||
      ops.some((op) => op.kind === "load" && (op.mode === "row" || op.mode === "col")));
  const ir: KernelIR = {
    size,
    nested,
    rows: nested ? size / len : 1,
    len: nested ? len : size,
    inputs: ins.length,
    inputSizes: ins.map(sizeOf),
    outputs: outs.length,
    ops,
    stores,
    reduces,
  };
  return { ir, ins, outs };
}

/** Members in a recomputed cone at most (a cheap producer is recomputed, a long one is read). */
const RECOMPUTE_MAX = 48;

/**
 * The recompute rules of a program: a value read through a slice or pad from an earlier cluster
 * is recomputed at the shifted index when its cone (the members of its cluster it depends on)
 * has at most RECOMPUTE_MAX members, no sum, and no row or column read (whose index would not
 * shift with the flat index); its loads then read at the shifted index. W1's gradient: the last
 * loop recomputes the two values it reads through pads, so neither is stored.
 */
export function recomputeRules(steps: readonly Step[], nVars: number): Recompute {
  const memberOfVar = new Array<Member | undefined>(nVars);
  const stepOfVar = new Int32Array(nVars).fill(-1);
  steps.forEach((s, p) => {
    if (s.kind !== "fused") return;
    for (const m of s.members) {
      memberOfVar[m.out] = m;
      stepOfVar[m.out] = p;
    }
  });
  const inside = (m: Member, j: number): Member | null => {
    const u = m.inputs[j]!;
    const q = memberOfVar[u];
    return q !== undefined &&
      q.op.kind !== "reduce" &&
      m.reads[j]!.mode === "same" &&
      stepOfVar[u] === stepOfVar[m.out]
      ? q
      : null;
  };
  const verdict = new Map<number, boolean>();
  const producer = (v: number): Member | null => {
    const m = memberOfVar[v];
    if (m === undefined || m.op.kind === "reduce") return null;
    let ok = verdict.get(v);
    if (ok === undefined) {
      const seen = new Set<number>();
      const walk = (q: Member): boolean => {
        if (seen.has(q.out)) return true;
        seen.add(q.out);
        if (seen.size > RECOMPUTE_MAX) return false;
        for (let j = 0; j < q.inputs.length; j++) {
          const mode = q.reads[j]!.mode;
          if (mode === "row" || mode === "col") return false;
          const r = inside(q, j);
          if (r !== null && !walk(r)) return false;
        }
        return true;
      };
      ok = walk(m);
      verdict.set(v, ok);
    }
    return ok ? m : null;
  };
  return { producer, inside };
}
