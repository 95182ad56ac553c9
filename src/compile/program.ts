/**
 * @file The compiler's contract with jit: `compileGraph(graph)` turns a staged Graph into a
 * CompiledProgram that runs it on concrete tensors.
 *
 * Compiling: find the fused clusters and the run order (fusion.ts), lower each cluster to one
 * kernel (kernel-ir.ts) generated as JavaScript (codegen-js.ts) or, where generating code is
 * forbidden, interpreted by closures (interpret.ts), and plan the buffers of the values the
 * kernels materialise (plan.ts). Every other equation runs as a library call (bind on concrete
 * tensors, as eager). Results equal the graph's eager evaluation bit for bit: each fused value is
 * the table expression the eager kernel computes, rounded where the eager store rounds, and sums
 * accumulate in the eager kernels' order (docs/decisions/0023-compiler.md).
 */

import { allocate, type DType, isFloat, type TypedArray } from "../core/dtype.js";
import { isMultiOutput as isMulti } from "../core/node.js";
import { type Shape, shapeSize } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { bind, bindMulti } from "../core/trace.js";
import { nowMs } from "../core/web-globals.js";
import type { GraphParts } from "../ir/graph.js";
import { jsKernel } from "./codegen-js.js";
import { type Member, planSteps, type Read, type Step } from "./fusion.js";
import { interpretedKernel } from "./interpret.js";
import type { Kernel, KernelIR, KernelOp, KernelReduce, KernelStore } from "./kernel-ir.js";
import { type BufferPlan, freshOutputs, planBuffers } from "./plan.js";
import { tapeKernel } from "./scalar-tape.js";
import { passesKernel, SPLIT_OPS } from "./split.js";

/** What compiling a graph produced, for reports and tests. */
export interface ProgramStats {
  /** Equations in the graph. */
  readonly eqns: number;
  /** Kernels the program runs per call (a fused loop counts once). */
  readonly kernels: number;
  /** Milliseconds spent compiling. */
  readonly compileMs: number;
  /** How the fused loops run: generated JavaScript, or the interpreter (code generation forbidden or off). */
  readonly mode: "interpreter" | "js";
  /** Fused kernels among `kernels` (the rest are library calls). */
  readonly fused?: number;
  /** Equations run inside fused kernels. */
  readonly fusedEqns?: number;
  /** Intermediate values fused kernels write to planned buffers (each a fresh array eagerly). */
  readonly materialized?: number;
  /** Planned buffers those values share (allocated once, reused on every run). */
  readonly buffers?: number;
}

/**
 * A graph compiled for concrete inputs. `run` takes the graph's tensor inputs in the order of
 * its input leaves that are variables (static leaves are baked in) and returns the values of
 * its output leaves that are variables, in order.
 */
export interface CompiledProgram {
  readonly graph: GraphParts;
  readonly stats: ProgramStats;
  run(inputs: readonly Tensor[]): Tensor[];
}

/** How to compile (tests and benchmarks compare the variants). */
export interface CompileOptions {
  /** Fuse elementwise clusters (default true); false runs every equation as a library call. */
  readonly fuse?: boolean;
  /** Generate JavaScript for fused kernels (default true); false interprets them. */
  readonly codegen?: boolean;
  /**
   * Let a sum over all elements of a long loop (at least REASSOCIATE_MIN elements) add in 4
   * lanes, pairwise at the end, instead of eager's left-to-right order (default false). The one
   * dependent add per element bounds an in-order sum (~4 cycles per element: W1 f); lanes
   * overlap them. Results then differ from eager's in the last bits (tested to a tolerance).
   */
  readonly reassociateSums?: boolean;
}

/** The shortest loop whose sums `reassociateSums` reorders. */
export const REASSOCIATE_MIN = 4096;

/** A fused kernel with the variables it reads and writes. */
interface FusedRun {
  readonly kind: "fused";
  readonly kernel: Kernel;
  readonly ins: readonly number[];
  readonly outs: readonly number[];
  /** The argument arrays, filled before each call (kernels are synchronous). */
  readonly inArrays: TypedArray[];
  readonly outArrays: TypedArray[];
}

interface CallRun {
  readonly kind: "call";
  readonly eqn: number;
}

type Run = FusedRun | CallRun;

/** Per-variable scratch of lowerCluster, all -1 between calls. */
interface Scratch {
  readonly regOf: Int32Array;
  readonly sameLoads: Int32Array;
}

/**
 * Where a cluster may recompute a value of an earlier cluster instead of reading it: `producer`
 * gives the member that computes a variable when the value can be recomputed at a shifted index
 * (see `recomputable`), and `inside(m, u)` says whether member m reads u inside its own cluster.
 */
interface Recompute {
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
function lowerCluster(
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
      reduces.push({ reg: args[0]!, out: outIndex(m.out), over: m.op.over });
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
function recomputeRules(steps: readonly Step[], nVars: number): Recompute {
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

/** The plain interpreter: every equation through bind (used under transformations). */
function evaluatePlain(graph: GraphParts, inVars: readonly number[], inputs: readonly Tensor[]) {
  const env = new Array<Tensor | undefined>(graph.vars.length);
  for (let i = 0; i < inVars.length; i++) env[inVars[i]!] = inputs[i];
  for (const c of graph.consts) env[c.id] = c.value;
  for (const eqn of graph.eqns) {
    const ins = eqn.inputs.map((id) => env[id]!);
    if (isMulti(eqn.primitive)) {
      const outs = bindMulti(eqn.primitive, ins, eqn.params);
      for (let j = 0; j < outs.length; j++) env[eqn.outputs[j]!] = outs[j];
    } else {
      env[eqn.outputs[0]!] = bind(eqn.primitive, ins, eqn.params);
    }
  }
  return env;
}

/** Compiles `graph` (see CompiledProgram). */
export function compileGraph(graph: GraphParts, options: CompileOptions = {}): CompiledProgram {
  const t0 = nowMs();
  const inVars: number[] = [];
  for (const leaf of graph.inLeaves) if ("var" in leaf) inVars.push(leaf.var);
  const outVars: number[] = [];
  for (const leaf of graph.outLeaves) if ("var" in leaf) outVars.push(leaf.var);
  const vars = graph.vars;
  // Constants that are tracers of an enclosing transformation have no data: evaluate plainly.
  const tracedConst = graph.consts.some((c) => c.value._trace !== null);
  const steps: Step[] = planSteps(graph, options.fuse !== false && !tracedConst);

  // Which values leave their step: graph outputs and anything another step reads.
  // A concrete constant whose elements are all one value (a size-1 literal, or the splat arrays
  // of ones and of a scale that gradients broadcast) is inlined as a number.
  const literals = new Map<number, number>();
  for (const c of graph.consts) {
    const v = splatValue(c.value);
    if (v !== undefined) literals.set(c.id, v);
  }
  const literal = (v: number): number | undefined => literals.get(v);
  const stepOfVar = new Int32Array(vars.length).fill(-1);
  steps.forEach((s, p) => {
    if (s.kind === "fused") for (const m of s.members) stepOfVar[m.out] = p;
  });
  const recompute = recomputeRules(steps, vars.length);
  const readOutside = new Uint8Array(vars.length);
  for (const v of outVars) readOutside[v] = 1;
  steps.forEach((s, p) => {
    if (s.kind === "call") {
      for (const v of graph.eqns[s.eqn]!.inputs) if (stepOfVar[v] !== p) readOutside[v] = 1;
      return;
    }
    for (const m of s.members) {
      m.inputs.forEach((v, j) => {
        const mode = m.reads[j]!.mode;
        const recomputed = (mode === "offset" || mode === "pad") && recompute.producer(v) !== null;
        if (stepOfVar[v] !== p && !recomputed) readOutside[v] = 1;
      });
    }
  });

  const codegen = options.codegen !== false;
  const scratch: Scratch = {
    regOf: new Int32Array(vars.length).fill(-1),
    sameLoads: new Int32Array(vars.length).fill(-1),
  };
  let interpreted = 0;
  let taped = 0;
  let generated = 0;
  let fusedEqns = 0;
  const runs: Run[] = steps.map((s, p): Run => {
    if (s.kind === "call") return { kind: "call", eqn: s.eqn };
    fusedEqns += s.members.length;
    const lowered = lowerCluster(
      s.members,
      s.loop,
      (v) => readOutside[v] === 1,
      literal,
      scratch,
      recompute,
      (v) => shapeSize(vars[v]!.shape),
    );
    const { ins, outs } = lowered;
    // Lanes only in a flat loop without guards (whose loop is split in parts), so that every
    // pass of a split kernel and the interpreter see the same lanes.
    const reorder =
      options.reassociateSums === true &&
      lowered.ir.size >= REASSOCIATE_MIN &&
      !lowered.ir.nested &&
      !lowered.ir.ops.some((op) => op.kind === "guard") &&
      lowered.ir.reduces.some((r) => r.over === "all");
    const ir: KernelIR = reorder ? { ...lowered.ir, sumLanes: 4 } : lowered.ir;
    let kernel: Kernel | null = null;
    if (ir.size === 1 && ir.ops.length > TAPE_MIN) {
      kernel = tapeKernel(ir);
      taped++;
    } else if (codegen && ir.ops.length > SPLIT_OPS) {
      // A long loop body runs as passes of generated loops (split.ts).
      let forbidden = false;
      const passes = passesKernel(ir, (pass, i) => {
        const k = jsKernel(pass, `step ${p} of ${steps.length}, pass ${i}`);
        if (k !== null) return k;
        forbidden = true;
        return interpretedKernel(pass);
      });
      kernel = forbidden ? null : passes;
    } else if (codegen) {
      kernel = jsKernel(ir, `step ${p} of ${steps.length}`);
    }
    if (kernel === null) {
      if (codegen) noticeInterpreter();
      kernel = interpretedKernel(ir);
      interpreted++;
    } else if (ir.size !== 1 || ir.ops.length <= TAPE_MIN) {
      generated++;
    }
    return {
      kind: "fused",
      kernel,
      ins,
      outs,
      inArrays: new Array<TypedArray>(ins.length),
      outArrays: new Array<TypedArray>(outs.length),
    };
  });

  const plan: BufferPlan = planBuffers(
    vars,
    runs.map((r) =>
      r.kind === "call"
        ? {
            reads: graph.eqns[r.eqn]!.inputs,
            writes: graph.eqns[r.eqn]!.outputs,
            fused: false,
            aliases: !freshOutputs(graph.eqns[r.eqn]!.primitive.name),
          }
        : { reads: r.ins, writes: r.outs, fused: true },
    ),
    outVars,
  );
  // The run-time environment holds only values that cross steps: inputs, constants, library
  // calls' outputs and what fused kernels write; each gets a slot.
  const envOf = new Int32Array(vars.length).fill(-1);
  let envSize = 0;
  const envSlot = (v: number): number => {
    if (envOf[v]! < 0) envOf[v] = envSize++;
    return envOf[v]!;
  };
  const inEnv = Int32Array.from(inVars, envSlot);
  const constTensors = graph.consts.map((c) => c.value);
  const constEnv = Int32Array.from(graph.consts, (c) => envSlot(c.id));
  // The planned buffers, made on the first run and reused on every later one; `prepare` gives
  // each fused step its buffers then.
  let slotArrays: TypedArray[] | null = null;
  const prepares: ((slots: readonly TypedArray[]) => void)[] = [];
  const execs: Exec[] = runs.map((r) => {
    if (r.kind === "call") return callExec(graph, r.eqn, envSlot);
    const exec = fusedExec(r, vars, plan, envSlot);
    prepares.push(exec.prepare);
    return exec.run;
  });
  const outEnv = Array.from(outVars, envSlot);

  let running = false;
  const stats: ProgramStats = {
    eqns: graph.eqns.length,
    kernels: runs.length,
    compileMs: nowMs() - t0,
    mode: interpreted > 0 || (generated === 0 && !codegen) ? "interpreter" : "js",
    fused: generated + interpreted + taped,
    fusedEqns,
    materialized: plan.planned,
    buffers: plan.slots.length,
  };
  return {
    graph,
    stats,
    run(inputs) {
      // Under a transformation (tracer inputs), or re-entered from inside a library call, run
      // every equation through bind: correct for every trace, and no shared state.
      let traced = tracedConst || running;
      for (let i = 0; i < inputs.length && !traced; i++)
        if (inputs[i]!._trace !== null) traced = true;
      if (traced) {
        const env = evaluatePlain(graph, inVars, inputs);
        return outVars.map((id) => env[id]!);
      }
      running = true;
      try {
        return runPlanned(inputs);
      } finally {
        running = false;
      }
    },
  };

  function runPlanned(inputs: readonly Tensor[]): Tensor[] {
    if (slotArrays === null) {
      const slots = plan.slots.map((s) => zeros(s.dtype, s.size));
      for (const prepare of prepares) prepare(slots);
      slotArrays = slots;
    }
    const env = new Array<Tensor | undefined>(envSize);
    for (let i = 0; i < inEnv.length; i++) env[inEnv[i]!] = inputs[i];
    for (let i = 0; i < constTensors.length; i++) env[constEnv[i]!] = constTensors[i];
    for (let k = 0; k < execs.length; k++) execs[k]!(env);
    return outEnv.map((k) => env[k]!);
  }
}

/** One step at run time, on the environment of tensors. */
type Exec = (env: (Tensor | undefined)[]) => void;

/**
 * A library call. An output computed by the kernel path calls `prim.impl` directly with the
 * staged output's aval (what bind does after checking shapes, which staging already did); a
 * size-1 float output, which bind computes on the scalar path, and multi-output primitives go
 * through bind.
 */
function callExec(graph: GraphParts, e: number, envSlot: (v: number) => number): Exec {
  const eqn = graph.eqns[e]!;
  const prim = eqn.primitive;
  const params = eqn.params;
  const ins = Int32Array.from(eqn.inputs, envSlot);
  const outs = Int32Array.from(eqn.outputs, envSlot);
  const args = (env: (Tensor | undefined)[]): Tensor[] => Array.from(ins, (k) => env[k]!);
  if (isMulti(prim)) {
    return (env) => {
      const results = bindMulti(prim, args(env), params);
      for (let j = 0; j < results.length; j++) env[outs[j]!] = results[j];
    };
  }
  const o = outs[0]!;
  const aval = graph.vars[eqn.outputs[0]!]!;
  const scalarPath =
    prim.scalar !== undefined && isFloat(aval.dtype) && shapeSize(aval.shape) === 1;
  if (scalarPath) {
    return (env) => {
      env[o] = bind(prim, args(env), params);
    };
  }
  const { shape, dtype } = aval;
  if (ins.length === 1) {
    const a = ins[0]!;
    return (env) => {
      env[o] = Tensor._fromData(shape, dtype, prim.impl([env[a]!], params, aval));
    };
  }
  if (ins.length === 2) {
    const a = ins[0]!;
    const b = ins[1]!;
    return (env) => {
      env[o] = Tensor._fromData(shape, dtype, prim.impl([env[a]!, env[b]!], params, aval));
    };
  }
  return (env) => {
    env[o] = Tensor._fromData(shape, dtype, prim.impl(args(env), params, aval));
  };
}

/** How a fused step's output is stored. */
const PLANNED = 0;
const SCALAR = 1;
const FRESH = 2;

/**
 * A fused kernel's step: its input arrays from the environment, its outputs into planned
 * buffers (whose tensors are made once), fresh arrays (values that escape) or, for a size-1
 * float result, a one-element scratch read back into a scalar tensor (as eager's scalar path
 * makes them).
 */
function fusedExec(
  r: FusedRun,
  vars: GraphParts["vars"],
  plan: BufferPlan,
  envSlot: (v: number) => number,
): { run: Exec; prepare: (slots: readonly TypedArray[]) => void } {
  const { kernel, inArrays, outArrays } = r;
  const ins = Int32Array.from(r.ins, envSlot);
  const outs = Int32Array.from(r.outs, envSlot);
  const n = outs.length;
  const kind = new Int32Array(n);
  const planned = new Array<Tensor | undefined>(n);
  const scratch = new Array<TypedArray>(n);
  r.outs.forEach((v, k) => {
    const a = vars[v]!;
    if (plan.slotOf[v]! >= 0) kind[k] = PLANNED;
    else if (isFloat(a.dtype) && shapeSize(a.shape) === 1) {
      kind[k] = SCALAR;
      scratch[k] = a.dtype === "float32" ? new Float32Array(1) : new Float64Array(1);
    } else kind[k] = FRESH;
  });
  const prepare = (slots: readonly TypedArray[]): void => {
    r.outs.forEach((v, k) => {
      if (kind[k] !== PLANNED) return;
      const a = vars[v]!;
      planned[k] = Tensor._fromData(a.shape, a.dtype, slots[plan.slotOf[v]!]!);
    });
  };
  const run: Exec = (env) => {
    for (let k = 0; k < ins.length; k++) inArrays[k] = env[ins[k]!]!._data!;
    for (let k = 0; k < n; k++) {
      const t = planned[k];
      if (t !== undefined) outArrays[k] = t._data!;
      else if (kind[k] === SCALAR) outArrays[k] = scratch[k]!;
      else {
        const a = vars[r.outs[k]!]!;
        outArrays[k] = allocate(a.dtype, shapeSize(a.shape), false);
      }
    }
    kernel(inArrays, outArrays);
    for (let k = 0; k < n; k++) {
      const t = planned[k];
      if (t !== undefined) {
        env[outs[k]!] = t;
        continue;
      }
      const a = vars[r.outs[k]!]!;
      env[outs[k]!] =
        kind[k] === SCALAR
          ? Tensor._fromScalar(a.shape, a.dtype, outArrays[k]![0]!)
          : Tensor._fromData(a.shape, a.dtype, outArrays[k]!);
    }
    // The argument arrays hold no buffers between calls.
    inArrays.fill(EMPTY);
    outArrays.fill(EMPTY);
  };
  return { run, prepare };
}

/** The value of every element of a concrete tensor whose elements are all equal (Object.is). */
function splatValue(t: Tensor): number | undefined {
  if (t._trace !== null || t.size === 0) return undefined;
  if (t.size === 1) return t._scalarValue();
  const data = t._data!;
  const first = data[0]!;
  for (let i = 1; i < data.length; i++) if (!Object.is(data[i], first)) return undefined;
  return first;
}

/**
 * A planned buffer: a plain typed array, never from the allocation pool (a pool scope could
 * recycle it while the program still owns it).
 */
function zeros(dtype: DType, size: number): TypedArray {
  if (dtype === "float64") return new Float64Array(size);
  if (dtype === "float32") return new Float32Array(size);
  if (dtype === "int32") return new Int32Array(size);
  return new Uint8Array(size);
}

const EMPTY = new Float64Array(0);

let noticed = false;

/**
 * Says once per process (console.warn where there is a console) that fused loops run
 * interpreted because generating code is forbidden here.
 */
function noticeInterpreter(): void {
  if (noticed) return;
  noticed = true;
  (globalThis as { console?: { warn(m: string): void } }).console?.warn(
    "adjoint: generating code is forbidden here (a Content-Security-Policy without 'unsafe-eval'), so compiled programs (jit) run their fused loops interpreted: same results, slower",
  );
}

/** Size-1 kernels longer than this run as a register tape (scalar-tape.ts). */
const TAPE_MIN = 256;
