/**
 * @file customVjp and customJvp: functions whose derivatives are given by the user's rules.
 *
 * A custom function called with tracers looks at the innermost transformation among its tensor
 * arguments. Reverse mode runs the function (or `fwd`) one level down and records one tape entry
 * whose VJP is the user's rule (customVjp's `bwd`, or for customJvp the transpose of its linear
 * JVP rule, obtained by differentiating the rule in reverse mode). Forward mode applies customJvp's
 * rule directly, and differentiates a customVjp function through `f` itself (its rule is about
 * reverse mode; see docs/custom-rules-and-loops.md). Outer transformations differentiate through
 * the rules, which are written with the library's ops, so custom functions nest to any order.
 */

import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { describeTree, flatten, type TreeDef, treeDefsEqual, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { innermostTrace } from "../core/trace.js";
import { zerosLike } from "../ops/index.js";
import { checkDerivativeLeaf, resultLeaf } from "./args.js";
import { fitTangent } from "./fit.js";
import { jvp } from "./jvp.js";
import { JvpTrace } from "./jvp-trace.js";
import { type Cotangents, callFn, type Derivative, type Fn } from "./types.js";
import { vjp } from "./vjp.js";
import { VjpTrace } from "./vjp-trace.js";

/** A call's arguments split into their tensor leaves and the rest of the structure. */
interface SplitArgs {
  readonly tensors: Tensor[];
  /** The arguments with the tensor leaves replaced by `tensors` (others kept as they were). */
  rebuild(tensors: readonly unknown[]): unknown[];
}

function splitArgs(args: readonly unknown[]): SplitArgs {
  const [leaves, def] = flatten(args);
  const positions: number[] = [];
  leaves.forEach((leaf, i) => {
    if (leaf instanceof Tensor) positions.push(i);
  });
  return {
    tensors: positions.map((i) => leaves[i] as Tensor),
    rebuild: (tensors) => {
      const copy = leaves.slice();
      positions.forEach((p, j) => {
        copy[p] = tensors[j];
      });
      return unflatten(def, copy) as unknown[];
    },
  };
}

function resultLeaves(op: string, out: unknown): [Tensor[], TreeDef] {
  const [leaves, def] = flatten(out);
  return [leaves.map((l, i) => resultLeaf(op, l, `result (leaf ${i})`)), def];
}

/**
 * How a call of a custom function is staged (src/transforms/custom-call.ts): set by makeGraph
 * when it runs, so that pages that never stage do not carry the graph code (decision 0011).
 * Returns undefined when the call is to be staged inline instead.
 */
export type CustomStager = (
  kind: "custom_jvp" | "custom_vjp",
  g: (...args: unknown[]) => unknown,
  f: (...args: unknown[]) => unknown,
  tensors: readonly Tensor[],
  rebuild: (ts: readonly unknown[]) => unknown[],
) => unknown;

let customStager: CustomStager | null = null;

/** @internal Installs the stager of custom calls (makeGraph does, before it stages). */
export function setCustomStager(stager: CustomStager): void {
  customStager = stager;
}

/** f as a function of an argument list. */
function ofArgs(f: Fn): (...args: unknown[]) => unknown {
  return (...args) => callFn(f, args);
}

/** f of the tensor leaves only (the other leaves of the arguments are held fixed). */
function ofTensors(f: Fn, split: SplitArgs): (...ts: Tensor[]) => unknown {
  return (...ts) => callFn(f, split.rebuild(ts));
}

// ---- customVjp ---------------------------------------------------------------------------------

/**
 * The rules of {@link customVjp} for f of parameters A and result R, with residuals of type Res.
 * @category Transformations
 */
export interface CustomVjpRules<
  A extends readonly unknown[] = readonly unknown[],
  R = unknown,
  Res = unknown,
> {
  /**
   * `fwd(...args)` returns `[out, residuals]`: f's value (out's structure, shapes and dtypes)
   * and whatever bwd needs (any value; its tensors are concrete).
   */
  fwd: (...args: A) => readonly [R, Res];
  /**
   * `bwd(residuals, ct)` maps the cotangent of out (out's structure, tensors at the leaves) to an
   * array with one cotangent per argument (null: zero).
   */
  bwd: (residuals: Res, ct: Derivative<R>) => Cotangents<A>;
}

/**
 * f with a reverse-mode rule of your own (JAX's `jax.custom_vjp`). Outside reverse mode the
 * result is f. In reverse mode `fwd` runs instead of f, and the backward pass calls
 * `bwd(residuals, ct)`, which maps out's cotangent to an array with one cotangent per argument
 * (each with its argument's structure; null for zero). Forward mode (jvp, jacfwd) differentiates
 * f itself. The rules are written with the library's ops, so they nest to any order.
 *
 * Arguments and results may be pytrees. Values f closes over are not covered by the rule: pass
 * them as arguments to differentiate them through it. Annotate f's parameters; the rules'
 * parameters then get their types from f.
 *
 * @param f - The function (its value, and its derivative in forward mode).
 * @param rules - `{ fwd, bwd }`, see {@link CustomVjpRules}.
 * @returns A function with f's signature.
 * @throws ValueError when fwd does not return `[out, residuals]`, or bwd does not return one
 * cotangent per argument; ShapeError or DTypeError when a cotangent from bwd does not match its
 * argument.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // Gradient clipping: the identity forward, a clipped gradient backward.
 * const clipGrad = ad.customVjp((x: ad.Tensor) => x, {
 *   fwd: (x) => [x, null],
 *   bwd: (_res, ct) => [ad.clip(ct, -1, 1)],
 * });
 * ad.grad((x) => ad.sum(ad.mul(clipGrad(x), 5)))(ad.tensor([1, 2])); // => tensor([1, 1], dtype=float32)
 * ```
 * @category Transformations
 */
export function customVjp<A extends readonly unknown[] = Tensor[], R = unknown, Res = unknown>(
  f: (...args: A) => R,
  rules: CustomVjpRules<A, NoInfer<R>, Res>,
): (...args: A) => R {
  const g = (...args: readonly unknown[]): unknown => {
    const split = splitArgs(args);
    const top = innermostTrace(split.tensors);
    if (top?.staging && !top.done && customStager !== null) {
      const staged = customStager("custom_vjp", g, ofArgs(f), split.tensors, split.rebuild);
      if (staged !== undefined) return staged;
    }
    if (!(top instanceof VjpTrace) || top.done) return callFn(f, args);
    const primals = new Array<Tensor>(split.tensors.length);
    const slots = new Array<number>(split.tensors.length);
    top.unbox(split.tensors, primals, slots);
    const primalArgs = split.rebuild(primals);
    const result = callFn(rules.fwd, primalArgs);
    if (!Array.isArray(result) || result.length !== 2) {
      throw new ValueError(
        `customVjp: fwd must return [out, residuals]; got ${Array.isArray(result) ? `an array of length ${result.length}` : typeof result}`,
      );
    }
    const [outLeaves, outDef] = resultLeaves("customVjp", result[0]);
    const residuals = result[1];
    const boxed = top.recordCustom(
      "custom_vjp",
      {
        vjp: (cts) => {
          const ct = unflatten(
            outDef,
            outLeaves.map((o, i) => cts[i] ?? zerosLike(o)),
          );
          const grads = (rules.bwd as (r: unknown, c: unknown) => unknown)(residuals, ct);
          if (!Array.isArray(grads) || grads.length !== args.length) {
            throw new ValueError(
              `customVjp: bwd must return an array with one cotangent per argument (${args.length}); got ${Array.isArray(grads) ? `length ${grads.length}` : typeof grads}`,
            );
          }
          return cotangentsFor(args, grads, primals);
        },
        // Forward replay (jacfwd, linearize) differentiates f itself, as forward mode does.
        jvp: (tangents) => {
          const ts = tangents.map((t, j) => t ?? zerosLike(primals[j]!));
          return flatten(jvp(ofTensors(f, split), primals, ts)[1])[0] as Tensor[];
        },
      },
      primals,
      slots,
      outLeaves,
    );
    return unflatten(outDef, boxed);
  };
  return g as (...args: A) => R;
}

/** bwd's per-argument cotangents, flattened to the arguments' tensor leaves and checked. */
function cotangentsFor(
  args: readonly unknown[],
  grads: readonly unknown[],
  primals: readonly Tensor[],
): (Tensor | null)[] {
  const out: (Tensor | null)[] = [];
  args.forEach((arg, k) => {
    const [argLeaves, argDef] = flatten(arg);
    const g = grads[k];
    if (g === null || g === undefined) {
      for (const leaf of argLeaves) if (leaf instanceof Tensor) out.push(null);
      return;
    }
    const [gLeaves, gDef] = flatten(g);
    if (!treeDefsEqual(argDef, gDef)) {
      throw new ValueError(
        `customVjp: bwd's cotangent for argument ${k} must have the argument's structure ${describeTree(argDef)}; got ${describeTree(gDef)}`,
      );
    }
    argLeaves.forEach((leaf, i) => {
      if (!(leaf instanceof Tensor)) return;
      const primal = primals[out.length]!;
      const gi = gLeaves[i];
      out.push(
        gi === null || gi === undefined
          ? null
          : checkDerivativeLeaf(
              "customVjp",
              "cotangent",
              gi,
              primal,
              `argument ${k} (leaf ${i}) from bwd`,
            ),
      );
    });
  });
  return out;
}

// ---- customJvp ---------------------------------------------------------------------------------

/**
 * The rule of {@link customJvp} for f of parameters A and result R.
 * @category Transformations
 */
export interface CustomJvpRules<A extends readonly unknown[] = readonly unknown[], R = unknown> {
  /**
   * `jvp(primals, tangents)` returns `[out, tangentOut]`. primals and tangents are arrays with
   * one entry per argument; in tangents each tensor of the arguments is replaced by its tangent
   * (other leaves, such as numbers, are left as they are). tangentOut has out's structure.
   */
  jvp: (primals: A, tangents: A) => readonly [R, Derivative<R>];
}

/**
 * f with a forward-mode rule of your own (JAX's `jax.custom_jvp`). Outside any transformation the
 * result is f. Forward mode calls `jvp(primals, tangents)`, which returns `[out, tangentOut]`.
 * Reverse mode differentiates through the rule, as JAX does: the rule must be linear in the
 * tangents, and reverse mode takes its transpose. The rule is written with the library's ops,
 * so higher orders work. Integer arguments are passed through undifferentiated.
 *
 * Annotate f's parameters; the rule's parameters then get their types from f (the rule may call
 * the custom function itself only if the variable holding it has a type annotation).
 *
 * @param f - The function (its value outside transformations).
 * @param rules - `{ jvp }`, see {@link CustomJvpRules}.
 * @returns A function with f's signature.
 * @throws ValueError when the rule does not return `[out, tangentOut]` or tangentOut's structure
 * differs from out's, or a tangent's shape differs from its output's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // log(1 + e^x) with a derivative that stays finite for large x.
 * const softplus = ad.customJvp((x: ad.Tensor) => ad.log1p(ad.exp(x)), {
 *   jvp: ([x], [dx]) => [ad.log1p(ad.exp(x)), ad.mul(dx, ad.sigmoid(x))],
 * });
 * ad.grad(softplus)(ad.scalar(1000)); // => tensor(1, dtype=float32)
 * ad.grad((x) => ad.log1p(ad.exp(x)))(ad.scalar(1000)); // => tensor(NaN, dtype=float32)
 * ```
 * @category Transformations
 */
export function customJvp<A extends readonly unknown[] = Tensor[], R = unknown>(
  f: (...args: A) => R,
  rules: CustomJvpRules<A, NoInfer<R>>,
): (...args: A) => R {
  const rule = (primalArgs: unknown[], tangentArgs: unknown[]): [Tensor[], Tensor[], TreeDef] => {
    const result = (rules.jvp as (p: unknown, t: unknown) => unknown)(primalArgs, tangentArgs);
    if (!Array.isArray(result) || result.length !== 2) {
      throw new ValueError("customJvp: the jvp rule must return [out, tangentOut]");
    }
    const [outLeaves, outDef] = resultLeaves("customJvp", result[0]);
    const [tLeaves, tDef] = flatten(result[1]);
    if (!treeDefsEqual(outDef, tDef)) {
      throw new ValueError(
        `customJvp: the rule's tangentOut must have the structure of out ${describeTree(outDef)}; got ${describeTree(tDef)}`,
      );
    }
    const tangents = tLeaves.map((t, i) =>
      t instanceof Tensor
        ? fitTangent(checkShapeOnly(t, outLeaves[i]!, i), outLeaves[i]!)
        : zerosLike(outLeaves[i]!),
    );
    return [outLeaves, tangents, outDef];
  };
  const g = (...args: readonly unknown[]): unknown => {
    const split = splitArgs(args);
    const top = innermostTrace(split.tensors);
    if (top?.staging && !top.done && customStager !== null) {
      const staged = customStager("custom_jvp", g, ofArgs(f), split.tensors, split.rebuild);
      if (staged !== undefined) return staged;
    }
    if (top instanceof JvpTrace && !top.done) {
      const primals = new Array<Tensor>(split.tensors.length);
      const tangents = new Array<Tensor | null>(split.tensors.length);
      top.unbox(split.tensors, primals, tangents);
      const filled = tangents.map((t, j) => t ?? zerosLike(primals[j]!));
      const [outs, touts, outDef] = rule(split.rebuild(primals), split.rebuild(filled));
      return unflatten(
        outDef,
        outs.map((o, i) => (isFloat(o.dtype) ? top.box(o, touts[i]!) : o)),
      );
    }
    if (top instanceof VjpTrace && !top.done) {
      const primals = new Array<Tensor>(split.tensors.length);
      const slots = new Array<number>(split.tensors.length);
      top.unbox(split.tensors, primals, slots);
      const primalArgs = split.rebuild(primals);
      // One level down the custom function applies its rule again (outer levels use it too).
      const [outLeaves, outDef] = resultLeaves("customJvp", g(...primalArgs));
      const floatIdx = primals.flatMap((p, j) => (isFloat(p.dtype) ? [j] : []));
      /** The rule's tangent output as a function of the float inputs' tangents (linear). */
      const linear = (...ts: Tensor[]): Tensor[] => {
        const full = primals.map((p) => zerosLike(p));
        floatIdx.forEach((j, k) => {
          full[j] = ts[k]!;
        });
        return rule(primalArgs, split.rebuild(full))[1];
      };
      const boxed = top.recordCustom(
        "custom_jvp",
        {
          // The transpose of the linear rule: its VJP (at any point; zeros).
          vjp: (cts) => {
            const [, pull] = vjp(linear, ...floatIdx.map((j) => zerosLike(primals[j]!)));
            const gs = pull(outLeaves.map((o, i) => cts[i] ?? zerosLike(o))) as Tensor[];
            const out: (Tensor | null)[] = primals.map(() => null);
            floatIdx.forEach((j, k) => {
              out[j] = gs[k]!;
            });
            return out;
          },
          jvp: (tangents) => linear(...floatIdx.map((j) => tangents[j] ?? zerosLike(primals[j]!))),
        },
        primals,
        slots,
        outLeaves,
      );
      return unflatten(outDef, boxed);
    }
    return callFn(f, args);
  };
  return g as (...args: A) => R;
}

function checkShapeOnly(t: Tensor, out: Tensor, i: number): Tensor {
  if (t.shape.length !== out.shape.length || t.shape.some((d, k) => d !== out.shape[k])) {
    throw new ValueError(
      `customJvp: the rule's tangent for output leaf ${i} must have shape [${out.shape.join(",")}]; got [${t.shape.join(",")}]`,
    );
  }
  return t;
}
