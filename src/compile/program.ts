/**
 * @file The compiler's contract with jit: `compileGraph(graph)` turns a staged Graph into a
 * CompiledProgram that runs it on concrete tensors.
 *
 * Compiling: find the fused clusters and the run order (fusion.ts), lower each cluster to one
 * kernel (kernel-ir.ts) generated as WebAssembly SIMD where every op has an instruction and the
 * loop is long enough (codegen-wasm.ts, linked to one memory per program by wasm-link.ts), else
 * as JavaScript (codegen-js.ts) or, where generating code is forbidden, interpreted by closures
 * (interpret.ts), and plan the buffers of the values the kernels materialise (plan.ts). Every other equation runs as a library call (bind on concrete
 * tensors, as eager). Results equal the graph's eager evaluation bit for bit: each fused value is
 * the table expression the eager kernel computes, rounded where the eager store rounds, and sums
 * accumulate in the eager kernels' order (docs/decisions/0023-compiler.md).
 */

import type { DType, TypedArray } from "../core/dtype.js";
import { shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { nowMs } from "../core/web-globals.js";
import type { GraphParts } from "../ir/graph.js";
import { jsKernel } from "./codegen-js.js";
import { WASM_MAX_OPS, type WasmKernelCode, wasmKernelCode } from "./codegen-wasm.js";
import {
  callExec,
  type DonorArrays,
  type Exec,
  evaluatePlain,
  type FusedRun,
  fusedExec,
  zeros,
} from "./execute.js";
import { planSteps, type Step } from "./fusion.js";
import { interpretedKernel } from "./interpret.js";
import type { Kernel, KernelIR } from "./kernel-ir.js";
import { lowerCluster, recomputeRules, type Scratch } from "./lower.js";
import { type MatmulStep, matmulCall, matmulStep } from "./matmul-step.js";
import { type BufferPlan, freshOutputs, planBuffers } from "./plan.js";
import { tapeKernel } from "./scalar-tape.js";
import { passesKernel, SPLIT_OPS } from "./split.js";
import {
  type LinkedMemory,
  linkMemory,
  SPLIT_MIN_WORK,
  threadsAvailable,
  type WasmRun,
  wasmKernelsAvailable,
  wasmModule,
} from "./wasm-link.js";

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
  /** Fused kernels among `fused` that run as WebAssembly SIMD (the others as JavaScript). */
  readonly wasm?: number;
  /** Wasm kernels among `wasm` whose lanes are float32x4 (four elements a step). */
  readonly wasmFloat32x4?: number;
  /**
   * Matrix products among the library calls that run on the program's WebAssembly memory
   * (matmul-step.ts): operands packed where they are, results written into planned buffers.
   */
  readonly matmuls?: number;
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
  /**
   * Run fused loops as WebAssembly SIMD where every op of the loop has an instruction: true for
   * every such loop, false for none; by default (undefined) where it is faster than JavaScript
   * (`wasmPays`), and none when `codegen` is false.
   */
  readonly wasm?: boolean;
  /**
   * Split large wasm loops (without a sum over all elements) across worker threads where they
   * can run (default true); false keeps every loop on the calling thread.
   */
  readonly threads?: boolean;
  /**
   * Per tensor input (in `run`'s order), whether the caller donates it (jit's donateArgnums): a
   * result the program would write into a new array is written into a donated input's array
   * instead when it has the same dtype and size and nothing reads the input afterwards (or only
   * the loop that writes the result, element by element). The caller must not use a donated
   * input's array after the call.
   */
  readonly donate?: readonly boolean[];
}

/** The shortest loop whose sums `reassociateSums` reorders. */
export const REASSOCIATE_MIN = 4096;

interface CallRun {
  readonly kind: "call";
  readonly eqn: number;
}

type Run = FusedRun | CallRun;

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
  // Which values leave their step: graph outputs and anything another step reads (except
  // through a slice or pad that recomputes it).
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
  const wasmWanted = options.wasm ?? (codegen ? undefined : false);
  const wasmOn = wasmWanted !== false && wasmKernelsAvailable();
  // Fused runs that run as wasm: what linking needs, and the kernel each one calls once linked.
  const wasmPre: {
    run: number;
    ir: KernelIR;
    inTypes: DType[];
    outTypes: DType[];
    code: WasmKernelCode;
    module: object | null;
    fallback: Kernel;
  }[] = [];
  const wasmKernels: Kernel[] = [];
  const wasmLinked: (Kernel | undefined)[] = [];
  // Matrix products on the program's memory: the run each is, and the kernel it calls (the
  // library call until the memory is linked).
  const matmulPre: { run: number; step: MatmulStep }[] = [];
  const matmulKernels: Kernel[] = [];
  let tuner: ((inputs: readonly Tensor[]) => Tensor[]) | null = null;
  /** Runs until the second timing round (0: none pending). */
  let retuneIn = 0;
  const scratch: Scratch = {
    regOf: new Int32Array(vars.length).fill(-1),
    sameLoads: new Int32Array(vars.length).fill(-1),
  };
  /** Per run, the kernel inputs it reads other than at the element's own index (see donors). */
  const shiftedReads: (Set<number> | null)[] = [];
  let interpreted = 0;
  let taped = 0;
  let generated = 0;
  let fusedEqns = 0;
  const runs: Run[] = [];
  steps.forEach((s, p) => {
    if (s.kind === "call") {
      const product = wasmOn ? matmulStep(graph, s.eqn) : null;
      if (product === null) {
        runs.push({ kind: "call", eqn: s.eqn });
        return;
      }
      const q = matmulPre.length;
      matmulPre.push({ run: runs.length, step: product });
      matmulKernels.push(matmulCall(product));
      const eqn = graph.eqns[s.eqn]!;
      shiftedReads[runs.length] = null;
      runs.push({
        kind: "fused",
        kernel: (I, O) => matmulKernels[q]!(I, O),
        ins: eqn.inputs,
        outs: eqn.outputs,
        inArrays: new Array<TypedArray>(2),
        outArrays: new Array<TypedArray>(1),
      });
      return;
    }
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
    // Every value of the cluster is recomputed where it is read: nothing to run.
    if (lowered.ir.stores.length === 0 && lowered.ir.reduces.length === 0) return;
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
    if (wasmOn && ir.size > 1 && ir.ops.length <= WASM_MAX_OPS) {
      const inTypes = ins.map((v) => vars[v]!.dtype);
      const outTypes = outs.map((v) => vars[v]!.dtype);
      const code = wasmKernelCode(ir, inTypes, outTypes, false);
      if (code !== null && (wasmWanted === true || wasmPays(ir.size, code.work))) {
        // Runs its JS version until the wasm module is compiled and linked (below, first run).
        const q = wasmPre.length;
        wasmPre.push({
          run: runs.length,
          ir,
          inTypes,
          outTypes,
          code,
          module: null,
          fallback: kernel,
        });
        wasmKernels.push(kernel);
        kernel = (I, O) => wasmKernels[q]!(I, O);
      }
    }
    // A kernel that runs in passes (split.ts) may store a result before a later pass reads an
    // input, so none of its inputs counts as read only at the element's own index.
    const shifted = new Set<number>(ir.ops.length > SPLIT_OPS ? ins.map((_, j) => j) : []);
    for (const op of ir.ops) if (op.kind === "load" && op.mode !== "same") shifted.add(op.input);
    shiftedReads[runs.length] = shifted;
    runs.push({
      kind: "fused",
      kernel,
      ins,
      outs,
      inArrays: new Array<TypedArray>(ins.length),
      outArrays: new Array<TypedArray>(outs.length),
    });
  });

  // One memory per program; shared (and its loops split across threads) when a loop is large
  // enough to pay for waking a worker.
  const shared =
    wasmPre.length > 0 &&
    options.threads !== false &&
    threadsAvailable() &&
    wasmPre.some((w) => w.code.splittable && w.ir.size * w.code.work >= SPLIT_MIN_WORK);
  for (const w of wasmPre) {
    if (shared) w.code = wasmKernelCode(w.ir, w.inTypes, w.outTypes, true)!;
    w.module = wasmModule(w.code.bytes);
  }
  const wasmCount = wasmPre.filter((w) => w.module !== null).length;
  const wasmQuad = wasmPre.filter((w) => w.module !== null && w.code.lanes === 4).length;

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
  // Donated inputs' arrays that results may take on this call (set in runPlanned).
  const donorArrays: DonorArrays = inVars.map(() => null);

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
    const exec = fusedExec(r, vars, plan, envSlot, donorArrays);
    prepares.push(exec.prepare);
    return exec.run;
  });
  const outEnv = Array.from(outVars, envSlot);
  const donated = assignDonors(options.donate, inVars, runs, shiftedReads, vars, plan);
  // The constants' arrays, which a donated input must not share.
  const constMemory: TypedArray[] = [];
  if (donated.length > 0) {
    for (const c of constTensors)
      if (c._trace === null && c._buf !== null) constMemory.push(c._buf);
  }

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
    wasm: wasmCount,
    wasmFloat32x4: wasmQuad,
    matmuls: matmulPre.length,
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
        if (tuner === null && retuneIn > 0 && --retuneIn === 0) tuner = programTuner(2);
        return tuner !== null ? tuner(inputs) : runPlanned(inputs);
      } finally {
        running = false;
      }
    },
  };

  /**
   * One memory for the planned buffers and the wasm kernels (wasm-link.ts); where it cannot be
   * made, the kernels fall back to their JavaScript versions on ordinary arrays.
   */
  function link(): LinkedMemory | null {
    const linkable = wasmPre.filter((w) => w.module !== null);
    // Concrete constants' arrays (tensors are immutable: copied into the memory once).
    const constData = new Map<number, TypedArray>();
    for (const c of graph.consts) {
      const data = c.value._trace === null ? c.value._data : null;
      if (data !== null && data !== undefined) constData.set(c.id, data);
    }
    const wasmRuns: WasmRun[] = linkable.map(({ run, code, module, ir }) => {
      const r = runs[run] as FusedRun;
      const avals = (vs: readonly number[]) => vs.map((v) => vars[v]!);
      return {
        code,
        module: module!,
        size: ir.size,
        inTypes: avals(r.ins).map((a) => a.dtype),
        outTypes: avals(r.outs).map((a) => a.dtype),
        inSizes: avals(r.ins).map((a) => shapeSize(a.shape)),
        outSizes: avals(r.outs).map((a) => shapeSize(a.shape)),
        inSlots: r.ins.map((v) => plan.slotOf[v]!),
        inConsts: r.ins.map((v) => constData.get(v)),
        outSlots: r.outs.map((v) => plan.slotOf[v]!),
      };
    });
    const products = matmulPre.map(({ run, step }) => {
      const r = runs[run] as FusedRun;
      return {
        step,
        inSlots: r.ins.map((v) => plan.slotOf[v]!),
        inConsts: r.ins.map((v) => constData.get(v)),
        outSlot: plan.slotOf[r.outs[0]!]!,
      };
    });
    let linked: LinkedMemory | null = null;
    try {
      linked =
        wasmRuns.length > 0 || products.length > 0
          ? linkMemory(plan.slots, wasmRuns, shared, products)
          : null;
    } catch {
      linked = null;
    }
    linked?.matmuls.forEach((k, q) => {
      matmulKernels[q] = k;
    });
    let next = 0;
    wasmPre.forEach((w, q) => {
      if (w.module === null || linked === null) {
        wasmKernels[q] = w.fallback;
        return;
      }
      wasmLinked[q] = linked.kernels[next++]!;
      wasmKernels[q] = wasmLinked[q]!;
    });
    // By default the program's first runs decide whether its wasm loops or their JS versions
    // run faster on this engine (`tuner`); `wasm: true` always runs the wasm ones.
    if (wasmWanted !== true && next > 0) tuner = programTuner();
    return linked;
  }

  /** Runs every wasm loop as wasm (true) or as its JS version (false). */
  function useWasm(on: boolean): void {
    wasmPre.forEach((w, q) => {
      const k = wasmLinked[q];
      if (k !== undefined) wasmKernels[q] = on ? k : w.fallback;
    });
  }

  /**
   * Alternates whole runs between the wasm loops and their JS versions (after TUNE_WARM runs of
   * each that warm the engines' tiers up), times TUNE_RUNS of each and keeps the faster (by
   * median). Both write the same bits, so the choice changes only the time. It is made on whole
   * runs, on the engine at hand: a wasm loop pays copies of operands that are not planned
   * buffers (a program's inputs, its new result arrays), caches and the order of loops matter,
   * and what a JS loop costs differs by engine (W1's gradient, 100,000 float64s: the wasm loops
   * win in Node 20, 0.28 against 0.37 ms a run, and lose in Chromium 156, 0.60 against 0.55 ms,
   * where the first writes to a new 800 KB array cost ~0.35 ms and a loop bound by an in-order
   * sum gains nothing from lanes). Timing loops one by one chose wrongly in Chromium.
   */
  function programTuner(round = 1): (inputs: readonly Tensor[]) => Tensor[] {
    let runs = 0;
    const tWasm: number[] = [];
    const tJs: number[] = [];
    const warm = round === 1 ? TUNE_WARM : 0;
    return (inputs) => {
      const on = (runs & 1) === 0;
      useWasm(on);
      const t0 = nowMs();
      const out = runPlanned(inputs);
      const dt = nowMs() - t0;
      runs++;
      if (runs > 2 * warm) (on ? tWasm : tJs).push(dt);
      if (runs === 2 * (warm + TUNE_RUNS)) {
        useWasm(median(tWasm) <= median(tJs));
        // A program that keeps running is timed once more when the engines have settled (the
        // first runs overlap their tiering and collections).
        tuner = null;
        if (round === 1) retuneIn = RETUNE_AFTER;
      }
      return out;
    };
  }

  function runPlanned(inputs: readonly Tensor[]): Tensor[] {
    if (slotArrays === null) {
      const linked = wasmPre.length > 0 || matmulPre.length > 0 ? link() : null;
      const slots = linked?.slots ?? plan.slots.map((s) => zeros(s.dtype, s.size));
      for (const prepare of prepares) prepare(slots);
      slotArrays = slots;
    }
    const env = new Array<Tensor | undefined>(envSize);
    for (let i = 0; i < inEnv.length; i++) env[inEnv[i]!] = inputs[i];
    for (let i = 0; i < constTensors.length; i++) env[constEnv[i]!] = constTensors[i];
    if (donated.length > 0) offerDonors(inputs, donated, constMemory, donorArrays);
    try {
      for (let k = 0; k < execs.length; k++) execs[k]!(env);
    } finally {
      if (donated.length > 0) donorArrays.fill(null);
    }
    return outEnv.map((k) => env[k]!);
  }
}

/**
 * Gives results that would be new arrays a donated input's array instead (`CompileOptions.donate`):
 * for each fused run's result that is neither planned nor size 1, the first donated input of its
 * dtype and size, not yet taken, that is not a result of the program (nor shares an array with
 * one) and that no later step reads (a library call that may return its input's array counts as
 * reading it as long as its output lives), or that only this run reads, element by element.
 * Sets each run's `donors` and returns the donated input positions.
 */
function assignDonors(
  donate: readonly boolean[] | undefined,
  inVars: readonly number[],
  runs: readonly Run[],
  shiftedReads: readonly (Set<number> | null)[],
  vars: GraphParts["vars"],
  plan: BufferPlan,
): number[] {
  const positions: number[] = [];
  inVars.forEach((_, j) => {
    if (donate?.[j] === true) positions.push(j);
  });
  if (positions.length === 0) return positions;
  const taken = new Uint8Array(inVars.length);
  runs.forEach((r, p) => {
    if (r.kind !== "fused") return;
    r.outs.forEach((o, k) => {
      const a = vars[o]!;
      const size = shapeSize(a.shape);
      if (plan.slotOf[o]! >= 0 || size < 2) return;
      for (const j of positions) {
        const v = inVars[j]!;
        const b = vars[v]!;
        if (taken[j] === 1 || b.dtype !== a.dtype || shapeSize(b.shape) !== size) continue;
        if (plan.escaping[v] === 1) continue;
        const last = plan.lastUse[v]!;
        if (last > p) continue;
        if (last === p) {
          const at = r.ins.indexOf(v);
          const shifted = shiftedReads[p];
          if (at >= 0 && (shifted === null || shifted === undefined || shifted.has(at))) continue;
        }
        taken[j] = 1;
        r.donors ??= new Int32Array(r.outs.length).fill(-1);
        r.donors[k] = j;
        return;
      }
    });
  });
  return positions;
}

/**
 * Offers each donated input's array for this call (`donorArrays`), unless another input or a
 * constant shares its memory (the same tensor passed twice, a reshape or an unstacked row of it):
 * writing it would change them. `constMemory` holds the constants' arrays.
 */
function offerDonors(
  inputs: readonly Tensor[],
  donated: readonly number[],
  constMemory: readonly TypedArray[],
  donorArrays: DonorArrays,
): void {
  const arrays: (TypedArray | null)[] = inputs.map((t) => t._buf);
  const buffers = arrays.map((a) => (a === null ? null : a.buffer));
  for (const j of donated) {
    const buf = arrays[j]!;
    if (buf === null) continue;
    let shared = false;
    for (let i = 0; i < arrays.length && !shared; i++) {
      if (i !== j && buffers[i] === buffers[j]) shared = overlaps(buf, arrays[i]!);
    }
    for (let i = 0; i < constMemory.length && !shared; i++) {
      if (constMemory[i]!.buffer === buffers[j]) shared = overlaps(buf, constMemory[i]!);
    }
    if (!shared) donorArrays[j] = buf;
  }
}

/** Whether two views of one buffer share a byte. */
function overlaps(a: TypedArray, b: TypedArray): boolean {
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
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

function median(xs: number[]): number {
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
}

/** Runs of each version that warm them up, then runs of each that are timed. */
const TUNE_WARM = 10;
const TUNE_RUNS = 15;
/** Runs after the first choice when it is made again (a long-running program's second look). */
const RETUNE_AFTER = 300;

/**
 * Whether a loop is worth running as wasm rather than JavaScript (the `wasm` option's default).
 */
function wasmPays(size: number, work: number): boolean {
  return size * Math.max(1, work) >= WASM_MIN_WORK;
}

/** Element-operations below which a loop stays JavaScript (a wasm call and its copies cost more). */
const WASM_MIN_WORK = 1024;

/** Size-1 kernels longer than this run as a register tape (scalar-tape.ts). */
const TAPE_MIN = 256;
