/**
 * @file Recording a function on the reverse-mode tape, and the two ways to use a recording:
 * pulling cotangents back to the inputs (vjp, grad, jacrev) and pushing tangents forward to the
 * outputs (linearize, jacfwd). One recording serves any number of either.
 */

import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { flatten, type TreeDef, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { withNewLevel } from "../core/trace.js";
import { zerosLike } from "../ops/index.js";
import { checkNotPromise, differentiableLeaf, resultLeaf } from "./args.js";
import { backward, forwardReplay, type Tape } from "./tape.js";
import { callFn, type Fn } from "./types.js";
import { VjpTrace } from "./vjp-trace.js";

/** One differentiated argument: its pytree structure, its leaves (float tensors), their tape slots. */
export interface RecordedArg {
  readonly def: TreeDef;
  readonly leaves: readonly Tensor[];
  readonly slots: readonly number[];
}

export interface Recording {
  readonly tape: Tape;
  readonly args: readonly RecordedArg[];
  /** f's result (without aux), with every value lowered to the caller's level. */
  readonly outDef: TreeDef;
  readonly outLeaves: readonly Tensor[];
  /** Tape slot of each result leaf; -1 where the result does not depend on the inputs. */
  readonly outSlots: readonly number[];
  readonly aux: unknown;
}

/**
 * Runs `f(...args)` with the leaves of the arguments at `argnums` boxed as tape inputs.
 * With `hasAux`, f returns `[result, aux]` and aux comes back lowered (treated as a constant).
 * With `reverseOnly`, the recording serves `pullback` only (not `pushforward`) and holds less.
 */
export function record(
  op: string,
  f: Fn,
  args: readonly unknown[],
  argnums: readonly number[],
  hasAux: boolean,
  reverseOnly = false,
): Recording {
  return withNewLevel((level) => {
    const trace = new VjpTrace(level);
    // A recording only pulled back keeps just what the VJP rules read (see Tape.keepsOnlyReads).
    trace.tape.keepsOnlyReads = reverseOnly;
    trace.label = op;
    try {
      const callArgs = [...args];
      const recorded: RecordedArg[] = argnums.map((k) => {
        const [leaves, def] = flatten(args[k]);
        const tensors = leaves.map((leaf, i) =>
          differentiableLeaf(
            op,
            leaf,
            leaves.length === 1 && def.kind === "leaf"
              ? `argument ${k}`
              : `argument ${k} (leaf ${i})`,
          ),
        );
        const boxed = tensors.map((t) => trace.input(t));
        callArgs[k] = unflatten(def, boxed);
        return { def, leaves: tensors, slots: boxed.map((b) => b._slot) };
      });
      let result = callFn(f, callArgs);
      checkNotPromise(op, result);
      let aux: unknown;
      if (hasAux) {
        if (!Array.isArray(result) || result.length !== 2) {
          throw new ValueError(
            `${op}: with hasAux: true, the function must return a pair [value, aux]; got ${describeValue(result)}. Return [loss, aux], or drop hasAux`,
          );
        }
        aux = lowerTree(result[1], trace);
        result = result[0];
      }
      const [rawLeaves, outDef] = flatten(result);
      const outLeaves: Tensor[] = [];
      const outSlots: number[] = [];
      rawLeaves.forEach((leaf, i) => {
        const t = resultLeaf(op, leaf, rawLeaves.length === 1 ? "result" : `result (leaf ${i})`);
        if (t._trace === trace) {
          outLeaves.push(trace.valueOf(t));
          outSlots.push(t._slot);
        } else {
          outLeaves.push(t);
          outSlots.push(-1);
        }
      });
      return { tape: trace.tape, args: recorded, outDef, outLeaves, outSlots, aux };
    } finally {
      trace.done = true;
    }
  });
}

function lowerTree(tree: unknown, trace: VjpTrace): unknown {
  const [leaves, def] = flatten(tree);
  return unflatten(
    def,
    leaves.map((leaf) =>
      leaf instanceof Tensor && leaf._trace === trace ? trace.valueOf(leaf) : leaf,
    ),
  );
}

/**
 * Cotangents of the inputs given cotangents of the result leaves (null = zero), as one pytree per
 * differentiated argument, with zeros where nothing flowed.
 */
export function pullback(rec: Recording, outCts: readonly (Tensor | null)[]): unknown[] {
  const seeds: [number, Tensor][] = [];
  outCts.forEach((ct, i) => {
    const slot = rec.outSlots[i]!;
    if (ct !== null && slot >= 0) seeds.push([slot, ct]);
  });
  const cts = seeds.length > 0 ? backward(rec.tape, seeds) : [];
  return rec.args.map((arg) =>
    unflatten(
      arg.def,
      arg.slots.map((s, i) => cts[s] ?? zerosLike(arg.leaves[i]!)),
    ),
  );
}

/**
 * Tangents of the result leaves given tangents of the inputs (one array of leaf tangents per
 * differentiated argument, null = zero), with zeros for results that got none.
 */
export function pushforward(
  rec: Recording,
  inTangents: readonly (readonly (Tensor | null)[])[],
): Tensor[] {
  const seeds = new Map<number, Tensor>();
  rec.args.forEach((arg, k) => {
    arg.slots.forEach((s, i) => {
      const t = inTangents[k]![i];
      if (t !== null && t !== undefined) seeds.set(s, t);
    });
  });
  const tangents = seeds.size > 0 ? forwardReplay(rec.tape, seeds) : [];
  return rec.outLeaves.map((out, i) => {
    const slot = rec.outSlots[i]!;
    const t = slot >= 0 ? tangents[slot] : null;
    return t ?? zerosLike(out, isFloat(out.dtype) ? out.dtype : undefined);
  });
}
