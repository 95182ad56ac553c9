/**
 * @file `jit(f)`: stage f once per argument signature (makeGraph), compile the graph
 * (compileGraph) and cache it; later calls with the same signature run the compiled program.
 * Under another transformation (an argument is a tracer) the cached graph is evaluated with
 * bind instead, which every transformation understands, so jit composes both ways. Design:
 * docs/decisions/0022-jit.md.
 */

import { type CompiledProgram, compileGraph, type ProgramStats } from "../compile/program.js";
import { describeValue } from "../core/describe.js";
import { TracerError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { type TreeDef, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { hasEvalObserver, innermostTrace } from "../core/trace.js";
import { nowMs } from "../core/web-globals.js";
import type { Graph } from "../ir/graph.js";
import { checkFn } from "../transforms/args.js";
import { makeGraph } from "../transforms/stage.js";
import { callFn } from "../transforms/types.js";
import { VjpTrace } from "../transforms/vjp-trace.js";
import { type BackwardFn, backwardOf, flatCall, recordJitCall } from "./jit-vjp.js";
import {
  describeChange,
  type Signature,
  type SignatureInfo,
  signatureInfo,
  signatureOf,
} from "./signature.js";

/**
 * Options of {@link jit}.
 * @category Transformations
 */
export interface JitOptions {
  /**
   * Arguments that are static: not traced, but part of the cache key and passed to f as they
   * are (a size, a flag, an activation function, a config object). Negative indices count from
   * the end. Values are compared by content (numbers, strings, booleans, arrays and plain
   * objects of them) or by identity (functions, other objects); a tensor is an error.
   */
  staticArgnums?: number | readonly number[];
  /**
   * Warn once (console.warn) when f has been compiled more than this many times, naming what
   * changed between the last two signatures (default 10; Infinity never warns).
   */
  warnAfter?: number;
  /**
   * Arguments whose tensors the call may use as memory for its results (JAX's
   * `donate_argnums`): a training step's params and optimizer state, which the next call
   * replaces. The compiled program writes a result into a donated tensor's array when the
   * dtype and size match and nothing reads the tensor afterwards, which saves allocating (and
   * collecting) an array per result. Every tensor of a donated argument is deleted by the call:
   * reading it afterwards throws a ValueError, and tensors that share its memory (a reshape of
   * it) must not be used either. Negative indices count from the end; an argument cannot be
   * both static and donated.
   */
  donateArgnums?: number | readonly number[];
}

/**
 * What staging and compiling one signature cost and produced: see {@link JitFunction.statsFor}.
 * @category Transformations
 */
export interface JitStats {
  /** Equations in the staged graph. */
  readonly eqns: number;
  /** Kernels the compiled program runs per call (a fused loop counts once). */
  readonly kernels: number;
  /** Milliseconds spent staging f (makeGraph). */
  readonly stageMs: number;
  /** Milliseconds spent compiling the graph. */
  readonly compileMs: number;
  /** How the program runs: generated JavaScript, or the interpreter. */
  readonly mode: ProgramStats["mode"];
  /** Fused loops among `kernels` (the others are library calls: matmul, gathers, ...). */
  readonly fused: number;
  /**
   * Fused loops that run as WebAssembly SIMD (every op of the loop has an instruction and the
   * loop is long enough to pay); the others run as `mode` says.
   */
  readonly wasm: number;
}

/**
 * A jitted function: f's call signature, plus its cache. See {@link jit}.
 * @category Transformations
 */
export interface JitFunction<A extends readonly unknown[], R> {
  (...args: A): R;
  /** How many signatures have been staged so far (each compiled on its first concrete call). */
  readonly compiles: number;
  /** How many signatures the cache holds. */
  readonly cacheSize: number;
  /**
   * The staged graph for the signature of `args` (staging it if it is new). Its inputs are the
   * arguments that are not static, in order; print it with `toString()`.
   */
  graphFor(...args: A): Graph;
  /** The stats of the compiled program for the signature of `args` (compiling it if new). */
  statsFor(...args: A): JitStats;
  /** Empties the cache (the `compiles` count goes on). */
  clearCache(): void;
}

/** One staged signature: its graph, and its program once compiled. */
interface Entry {
  readonly graph: Graph;
  /** Per tensor input, whether it is donated (undefined: none is). */
  readonly donate?: readonly boolean[];
  /** Per tensor input, whether the call deletes it: donated, and not returned as it is. */
  readonly deletes?: readonly boolean[];
  readonly stageMs: number;
  /** False for a graph used once (see lookup). */
  readonly cached: boolean;
  program: CompiledProgram | null;
  /** The graph as a flat function, and its jitted backward pass (grad(jit(f)); jit-vjp.ts). */
  flat?: (...xs: Tensor[]) => Tensor[];
  backward?: BackwardFn;
}

/** console.warn where there is a console (the package compiles against the ES library alone). */
function warn(message: string): void {
  (globalThis as { console?: { warn(m: string): void } }).console?.warn(message);
}

/**
 * staticArgnums' or donateArgnums' type, checked when jit is called (the range needs each call's
 * arguments).
 */
function checkArgnums(name: string, v: unknown, option = "staticArgnums"): readonly number[] {
  if (v === undefined) return [];
  const list: unknown[] = typeof v === "number" ? [v] : Array.isArray(v) ? v : [null];
  if (list.some((a) => typeof a !== "number" || !Number.isInteger(a))) {
    throw new ValueError(
      `jit(${name}): ${option} must be an integer or an array of integers; got ${describeValue(v)}`,
    );
  }
  return list as number[];
}

/** The argument indices of `list` for a call with `nargs` arguments: sorted, in range, unique. */
function argPositions(
  name: string,
  list: readonly number[],
  nargs: number,
  option = "staticArgnums",
): number[] {
  const out = list.map((a) => {
    if (a < -nargs || a >= nargs) {
      throw new ValueError(
        `jit(${name}): ${option} entry ${a} is out of range for a call with ${nargs} argument(s)`,
      );
    }
    return a < 0 ? a + nargs : a;
  });
  if (new Set(out).size !== out.length) {
    throw new ValueError(`jit(${name}): ${option} has a repeated entry: [${list.join(", ")}]`);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Per tensor input of `graph`, whether a call deletes it: donated (`donate`), and not a result
 * of the call as it is (f returning its argument).
 */
function deletedInputs(graph: Graph, donate: readonly boolean[]): boolean[] {
  const returned = new Set<number>();
  for (const leaf of graph.outLeaves) if ("var" in leaf) returned.add(leaf.var);
  const inputs: number[] = [];
  for (const leaf of graph.inLeaves) if ("var" in leaf) inputs.push(leaf.var);
  return inputs.map((v, i) => donate[i] === true && !returned.has(v));
}

/** Leaves under a pytree node. */
function leafCount(def: TreeDef): number {
  if (def.kind === "leaf") return 1;
  if (def.kind === "none") return 0;
  let n = 0;
  for (const c of def.children) n += leafCount(c);
  return n;
}

/**
 * Per tensor input of `sig` (its `tensors`), whether it belongs to a donated argument; undefined
 * when none does.
 */
function donatedTensors(sig: Signature, donated: readonly number[]): boolean[] | undefined {
  if (donated.length === 0 || sig.tree.kind !== "array") return undefined;
  const flags: boolean[] = [];
  let leaf = 0;
  sig.tree.children.forEach((child, i) => {
    const on = donated.includes(sig.positions[i]!);
    const n = leafCount(child);
    for (let k = 0; k < n; k++, leaf++) if (sig.leaves[leaf]!.kind === "tensor") flags.push(on);
  });
  return flags.some(Boolean) ? flags : undefined;
}

/**
 * A TracerError from staging, reworded for jit (the staging trace calls itself makeGraph), with
 * the original as its cause. Other errors pass through unchanged.
 */
function asJitError(name: string, e: unknown): unknown {
  if (!(e instanceof TracerError) || !e.message.includes("makeGraph")) return e;
  const rest = e.message.replace(/^makeGraph: /, "").replace(/makeGraph/g, "jit");
  return new TracerError(
    `jit(${name}): ${rest}. A value that only configures ${name} (a size, a flag, a mode) can be static instead: pass it as a number, or list its argument in staticArgnums`,
    { cause: e },
  );
}

/**
 * Compiles `f` (JAX's `jax.jit`): the first call with a new **signature** stages f into a graph
 * (as {@link makeGraph} does), compiles it, and caches it; later calls with the same signature
 * run the compiled program without running f's JavaScript again. The results equal f's.
 *
 * The signature is the arguments' pytree structure, each tensor's shape and dtype, the value of
 * each number, boolean or string among the arguments (these are static, as in makeGraph: pass
 * `ad.scalar(v)` to make a number an input), the values of the `staticArgnums` arguments, and
 * the default float dtype. Tensors f captures from closures are constants of the compiled
 * program, read when it is staged.
 *
 * jit composes with every transformation: under reverse mode (`grad(jit(f))`) the call runs the
 * compiled program and its backward pass is compiled too; `vmap(jit(f))`, `jvp(jit(f))` and
 * jit inside makeGraph evaluate the cached graph through `bind`; and `jit(grad(f))`,
 * `jit(vmap(f))`, `jit(hessian(f))` compile the transformed program; custom rules, checkpoint and
 * scan inside f are staged as they are by makeGraph. A jitted f that closes over a value another
 * transformation is tracing is staged again on every call (the value is not the same next time).
 *
 * The returned function counts its compiles (`compiles`), shows the graph of a signature
 * (`graphFor(...args)`) and what compiling it produced (`statsFor(...args)`). After more than
 * `warnAfter` compiles it warns once, naming what changed between the last two signatures.
 * See docs/jit.md.
 *
 * @param f - The function to compile: tensors (and pytrees of them) in and out.
 * @param options - `staticArgnums` and `warnAfter`: see {@link JitOptions}.
 * @returns A function with f's signature and the cache's properties ({@link JitFunction}).
 * @throws {@link TracerError} when f reads the value of a traced tensor (`x.item()`, an `if` on a
 * value, a boolean mask): f runs on values that have only a shape and a dtype.
 * @throws {@link ValueError} for a bad `staticArgnums` (not an integer, or out of range for a
 * call), a tensor passed as a static argument, or an argument leaf that is not a tensor, number,
 * boolean or string.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const f = ad.jit((x: ad.Tensor) => x.sin().mul(2).sum());
 * f(ad.tensor([0, 1, 2])); // => tensor(3.501537, dtype=float32)
 * f(ad.tensor([3, 4, 5])); // => tensor(-3.149214, dtype=float32)
 * f.compiles; // => 1
 * f(ad.ones([2])); // => tensor(3.365884, dtype=float32)
 * f.compiles; // => 2
 * ad.grad(f)(ad.tensor([0, 1, 2])); // => tensor([2., 1.080605, -0.8322937], dtype=float32)
 * const power = ad.jit((x: ad.Tensor, n: number) => x.pow(n), { staticArgnums: 1 });
 * power(ad.tensor([2, 3]), 3); // => tensor([8., 27.], dtype=float32)
 * ad.jit((x: ad.Tensor) => (x.item() > 0 ? x : x.neg()))(ad.scalar(1)); // throws: TracerError: jit(f): cannot read the value of a staged tensor
 * ```
 * @category Transformations
 */
export function jit<A extends readonly unknown[] = Tensor[], R = unknown>(
  f: (...args: A) => R,
  options?: JitOptions,
): JitFunction<A, R> {
  checkFn("jit", f);
  const name = f.name === "" ? "f" : f.name;
  const opts = checkOptions(`jit(${name})`, options, [
    "staticArgnums",
    "warnAfter",
    "donateArgnums",
  ]);
  const staticList = checkArgnums(name, opts.staticArgnums);
  const donateList = checkArgnums(name, opts.donateArgnums, "donateArgnums");
  const warnAfter = opts.warnAfter ?? 10;
  if (
    typeof warnAfter !== "number" ||
    !(Number.isInteger(warnAfter) || warnAfter === Number.POSITIVE_INFINITY) ||
    warnAfter < 0
  ) {
    throw new ValueError(
      `jit(${name}): warnAfter must be a non-negative integer (or Infinity); got ${describeValue(warnAfter)}`,
    );
  }

  const cache = new Map<string, Entry>();
  const identities = new Map<unknown, number>();
  let compiles = 0;
  let warned = false;
  let lastStaged: SignatureInfo | null = null;

  const signature = (args: readonly unknown[]): Signature =>
    signatureOf(name, args, argPositions(name, staticList, args.length), identities);

  /** The donated argument positions of a call with `nargs` arguments. */
  const donatedPositions = (nargs: number): number[] => {
    if (donateList.length === 0) return [];
    const out = argPositions(name, donateList, nargs, "donateArgnums");
    const statics = argPositions(name, staticList, nargs);
    const both = out.find((p) => statics.includes(p));
    if (both !== undefined) {
      throw new ValueError(
        `jit(${name}): argument ${both} is in both staticArgnums and donateArgnums; a static argument is not traced, so it has no tensors to donate`,
      );
    }
    return out;
  };

  /** Stages f at `sig`: the static arguments are closed over, the others are the graph's inputs. */
  const stage = (sig: Signature, args: readonly unknown[]): Graph => {
    const call = (...dynamic: unknown[]): R => {
      const full = args.slice();
      sig.positions.forEach((p, i) => {
        full[p] = dynamic[i];
      });
      return callFn(f, full) as R;
    };
    try {
      return makeGraph(call, ...sig.dynamic);
    } catch (e) {
      throw asJitError(name, e);
    }
  };

  /** The cached entry of `sig`, staged now if new. */
  const lookup = (sig: Signature, args: readonly unknown[]): Entry => {
    const hit = cache.get(sig.key);
    if (hit !== undefined) return hit;
    const t0 = nowMs();
    const graph = stage(sig, args);
    const stageMs = nowMs() - t0;
    const donate = donatedTensors(sig, donatedPositions(args.length));
    const deletes = donate && deletedInputs(graph, donate);
    // A constant that is a tracer was captured from a transformation running around this call:
    // it is a different value on the next call, so the graph is used once and not cached.
    if (graph.consts.some((c) => c.value._trace !== null)) {
      return { graph, stageMs, cached: false, program: null, donate, deletes };
    }
    const entry: Entry = { graph, stageMs, cached: true, program: null, donate, deletes };
    cache.set(sig.key, entry);
    compiles++;
    const prev = lastStaged;
    lastStaged = signatureInfo(sig);
    if (!warned && compiles > warnAfter && prev !== null) {
      warned = true;
      warn(`jit(${name}): compiled ${compiles} times; ${describeChange(prev, sig)}`);
    }
    return entry;
  };

  const programOf = (entry: Entry): CompiledProgram => {
    entry.program ??= compileGraph(entry.graph, entry.donate ? { donate: entry.donate } : {});
    return entry.program;
  };

  /**
   * Deletes the donated arguments' concrete tensors after a call (but a tensor the call returns
   * as it is), so that reading one afterwards is an error rather than reused memory.
   */
  const deleteDonated = (sig: Signature, found: Entry): void => {
    const flags = found.deletes;
    if (flags === undefined) return;
    const tensors = sig.tensors;
    for (let i = 0; i < tensors.length; i++) if (flags[i]) Tensor._delete(tensors[i]!);
  };

  const jitted = (...args: A): R => {
    const sig = signature(args);
    const found = lookup(sig, args);
    if (donateList.length === 0) return call(sig, found);
    let results: R;
    try {
      results = call(sig, found);
    } catch (e) {
      // The program may have written into a donated tensor before it threw.
      deleteDonated(sig, found);
      throw e;
    }
    deleteDonated(sig, found);
    return results;
  };

  const call = (sig: Signature, found: Entry): R => {
    // Concrete arguments run the compiled program. Under another transformation every equation
    // is bound (graph.call), so it is differentiated, batched or staged like f's own ops, except
    // under reverse mode, which records the call as one entry with a compiled backward pass. An
    // evaluation observer (debugNans) watches every bind, which fused loops would skip.
    const graph = found.graph;
    let outs: Tensor[] | null = null;
    if (found.cached && !hasEvalObserver()) {
      if (!sig.traced) outs = programOf(found).run(sig.tensors);
      else {
        // Under reverse mode (grad(jit(f))): one tape entry, compiled both ways.
        const top = innermostTrace(sig.tensors);
        if (top instanceof VjpTrace && !top.done) {
          const entry = found;
          const flat = (entry.flat ??= flatCall(graph, sig.tree, sig.leaves));
          outs = recordJitCall(top, sig.tensors, programOf(entry), flat, () => {
            entry.backward ??= jit(backwardOf(flat), {
              staticArgnums: 2,
              warnAfter: Number.POSITIVE_INFINITY,
            });
            return entry.backward;
          });
        }
      }
    }
    // Under another transformation, or with debugNans' observer: bind every equation.
    if (outs === null) return graph.call(...sig.dynamic) as R;
    let k = 0;
    const leaves = graph.outLeaves.map((leaf) => ("var" in leaf ? outs[k++] : leaf.value));
    return unflatten(graph.outTree, leaves) as R;
  };

  return Object.defineProperties(jitted, {
    name: { value: `jit(${name})` },
    compiles: { get: () => compiles, enumerable: true },
    cacheSize: { get: () => cache.size, enumerable: true },
    graphFor: {
      value: (...args: A): Graph => {
        const sig = signature(args);
        return lookup(sig, args).graph;
      },
    },
    statsFor: {
      value: (...args: A): JitStats => {
        const sig = signature(args);
        const found = lookup(sig, args);
        if (!found.cached) {
          throw new ValueError(
            `jit(${name}): statsFor: this call closes over a value another transformation is tracing, so it is not compiled`,
          );
        }
        const p = programOf(found);
        return {
          eqns: p.stats.eqns,
          kernels: p.stats.kernels,
          stageMs: found.stageMs,
          compileMs: p.stats.compileMs,
          mode: p.stats.mode,
          fused: p.stats.fused ?? 0,
          wasm: p.stats.wasm ?? 0,
        };
      },
    },
    clearCache: {
      value: (): void => {
        cache.clear();
        lastStaged = null;
      },
    },
  }) as JitFunction<A, R>;
}
