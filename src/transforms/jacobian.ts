/**
 * @file linearize, jacfwd, jacrev, jacobian, hessian and hvp. All but hvp record f once on the
 * tape; Jacobians then push all basis tangents of an input forward through the recorded JVP rules
 * in one batched pass (jacfwd), or pull all basis cotangents of a result back in one (jacrev): the
 * basis is a vmap tracer, so every rule runs once on the whole batch of directions.
 */

import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { describeTree, flatten, type TreeDef, treeDefsEqual, unflatten } from "../core/pytree.js";
import { shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { withNewLevel } from "../core/trace.js";
import { broadcastTo, reshape, transpose, zeros } from "../ops/index.js";
import { checkDerivativeLeaf, normalizeArgnums } from "./args.js";
import { BatchTrace } from "./batch-trace.js";
import { jvp } from "./jvp.js";
import { pullback, pushforward, type Recording, record } from "./record.js";
import { recyclingPass } from "./tape.js";
import type { Derivative, Fn } from "./types.js";
import { grad } from "./vjp.js";

export interface JacobianOptions {
  /** Which arguments to differentiate (default 0); an array gives one block per argument. */
  argnums?: number | readonly number[];
  /** f returns `[value, aux]`; the result is then `[jacobian, aux]`. */
  hasAux?: boolean;
}

/**
 * Runs `body` on the identity basis of `shape` as one vmap tracer (batch element e is the e-th
 * basis tensor) and returns the results with the batch axis first: one pass for all directions.
 * When nothing else is active and the recording runs no user code, the pass's large arrays that
 * the results do not hold are recycled (decision 0009).
 */
function overBasis(
  rec: Recording,
  shape: readonly number[],
  dtype: Tensor["dtype"],
  body: (basis: Tensor) => readonly Tensor[],
): Tensor[] {
  const n = shapeSize(shape);
  const pass = () =>
    withNewLevel((level) => {
      const trace = new BatchTrace(level, n);
      try {
        // The identity, held as its diagonal of ones until an op needs it dense.
        const outs = body(trace.boxIdentity(shape, dtype));
        return outs.map((r) =>
          r._trace === trace ? trace.valueOf(r) : broadcastTo(r, [n, ...r.shape]),
        );
      } finally {
        trace.done = true;
      }
    });
  return recyclingPass(rec.tape, pass, (results) => results);
}

/**
 * `[out, jvpFn]`: f's value, and a function mapping input tangents (one per primal) to the output
 * tangent by replaying the recorded JVP rules, without re-evaluating f.
 * @example
 * const [y, f_jvp] = ad.linearize((x) => ad.exp(x), ad.scalar(1));
 * f_jvp(ad.scalar(2)); // 2e
 */
export function linearize<F extends Fn>(
  f: F,
  ...primals: Parameters<F>
): [Derivative<ReturnType<F>>, (...tangents: readonly unknown[]) => Derivative<ReturnType<F>>] {
  const rec = record(
    "linearize",
    f,
    primals,
    primals.map((_, i) => i),
    false,
  );
  const out = unflatten(rec.outDef, rec.outLeaves) as Derivative<ReturnType<F>>;
  const jvpFn = (...tangents: readonly unknown[]): Derivative<ReturnType<F>> => {
    const [tLeaves, tDef] = flatten(tangents);
    const pDef: TreeDef = { kind: "array", children: rec.args.map((a) => a.def) };
    if (!treeDefsEqual(pDef, tDef)) {
      throw new ValueError(
        `linearize: tangents must have the structure of the primals; expected ${describeTree(pDef)}, got ${describeTree(tDef)}`,
      );
    }
    let i = 0;
    const perArg = rec.args.map((arg) =>
      arg.leaves.map((x) => {
        const where = `primal leaf ${i}`;
        return checkDerivativeLeaf("linearize", "tangent", tLeaves[i++], x, where);
      }),
    );
    return unflatten(rec.outDef, pushforward(rec, perArg)) as Derivative<ReturnType<F>>;
  };
  return [out, jvpFn];
}

/** Builds the Jacobian pytree: f's output structure, each leaf holding the input structure's blocks. */
function assemble(rec: Recording, many: boolean, blocks: Tensor[][][]): unknown {
  const perOut = rec.outLeaves.map((_, k) => {
    const perArg = rec.args.map((arg, a) => unflatten(arg.def, blocks[k]![a]!));
    return many ? perArg : perArg[0];
  });
  return unflatten(rec.outDef, perOut);
}

/**
 * blocks[k][a][j]: d result leaf k / d input leaf (a, j), shape out.shape ++ in.shape, by one
 * backward pass per result leaf carrying all of its basis cotangents at once.
 */
function jacobianByRows(rec: Recording): Tensor[][][] {
  return rec.outLeaves.map((out, k) => {
    const shapeOf = (x: Tensor) => [...out.shape, ...x.shape];
    if (!isFloat(out.dtype) || out.size === 0) {
      return rec.args.map((arg) => arg.leaves.map((x) => zeros(shapeOf(x), x.dtype)));
    }
    const flat = rec.args.flatMap((arg) => arg.leaves);
    const rows = overBasis(rec, out.shape, out.dtype, (basis) => {
      const cts = rec.outLeaves.map((_, i) => (i === k ? basis : null));
      return pullback(rec, cts).flatMap((perArg) => flatten(perArg)[0] as Tensor[]);
    });
    let i = 0;
    return rec.args.map((arg) =>
      arg.leaves.map(() => {
        const x = flat[i]!;
        return reshape(rows[i++]!, shapeOf(x));
      }),
    );
  });
}

/**
 * The same blocks by one forward pass per input leaf carrying all of its basis tangents at once:
 * each result comes out as [in.size, ...out.shape] and is transposed into place.
 */
function jacobianByColumns(rec: Recording): Tensor[][][] {
  const cols = rec.args.map((arg, a) =>
    arg.leaves.map((x, j) => {
      const shapeOf = (out: Tensor) => [...out.shape, ...x.shape];
      if (x.size === 0) return rec.outLeaves.map((out) => zeros(shapeOf(out), out.dtype));
      const outs = overBasis(rec, x.shape, x.dtype, (basis) =>
        pushforward(
          rec,
          rec.args.map((other, b) =>
            other.leaves.map((_, i) => (b === a && i === j ? basis : null)),
          ),
        ),
      );
      return outs.map((t, k) => {
        const out = rec.outLeaves[k]!;
        const last = t.ndim - 1;
        const perm = last === 0 ? [0] : [...Array.from({ length: last }, (_, d) => d + 1), 0];
        return reshape(transpose(t, perm), shapeOf(out));
      });
    }),
  );
  return rec.outLeaves.map((_, k) =>
    rec.args.map((arg, a) => arg.leaves.map((_, j) => cols[a]![j]![k]!)),
  );
}

type JacobianMode = "fwd" | "rev" | "auto";

function jacobianImpl(op: string, f: Fn, options: JacobianOptions, mode: JacobianMode) {
  return (...args: unknown[]): unknown => {
    const argnums = normalizeArgnums(op, options.argnums ?? 0, args.length);
    const rec = record(op, f, args, argnums, options.hasAux ?? false);
    const many = typeof options.argnums === "object";
    let useFwd = mode === "fwd";
    if (mode === "auto") {
      const inSize = rec.args.reduce((n, a) => n + a.leaves.reduce((m, x) => m + x.size, 0), 0);
      const outSize = rec.outLeaves.reduce((n, o) => n + o.size, 0);
      useFwd = inSize <= outSize;
    }
    const jac = assemble(rec, many, useFwd ? jacobianByColumns(rec) : jacobianByRows(rec));
    return options.hasAux ? [jac, rec.aux] : jac;
  };
}

/** A function's Jacobian result: out.shape ++ in.shape for a tensor-to-tensor f. */
export type JacobianFn<F extends Fn> = (...args: Parameters<F>) => Tensor;

/**
 * The Jacobian by forward mode: one tangent pass per input element. Shape: out.shape ++ in.shape.
 * @example ad.jacfwd((x) => ad.mul(x, 2))(ad.tensor([1, 2])) // 2 * eye(2)
 */
export function jacfwd<F extends Fn>(f: F, options: JacobianOptions = {}): JacobianFn<F> {
  return jacobianImpl("jacfwd", f, options, "fwd") as JacobianFn<F>;
}

/**
 * The Jacobian by reverse mode: one backward pass per output element. Shape: out.shape ++ in.shape.
 * @example ad.jacrev((x) => ad.sum(ad.square(x)))(ad.tensor([1, 2])) // tensor([2, 4])
 */
export function jacrev<F extends Fn>(f: F, options: JacobianOptions = {}): JacobianFn<F> {
  return jacobianImpl("jacrev", f, options, "rev") as JacobianFn<F>;
}

/**
 * The Jacobian by whichever mode needs fewer passes: forward when f has no more inputs than
 * outputs, reverse otherwise. The recording of f is shared, so the choice costs nothing.
 */
export function jacobian<F extends Fn>(f: F, options: JacobianOptions = {}): JacobianFn<F> {
  return jacobianImpl("jacobian", f, options, "auto") as JacobianFn<F>;
}

/**
 * The Hessian of a scalar f (forward over reverse): shape in.shape ++ in.shape.
 * @example ad.hessian((x) => ad.sum(ad.pow(x, 3)))(ad.tensor([1, 2])) // diag(6, 12)
 */
export function hessian<F extends Fn>(
  f: F,
  options: { argnums?: number | readonly number[] } = {},
): JacobianFn<F> {
  const argnums = options.argnums;
  const opts = argnums === undefined ? {} : { argnums };
  return jacfwd(grad(f, opts) as Fn, opts) as JacobianFn<F>;
}

/**
 * The Hessian-vector product H·v of a scalar f at `primals`, by forward over reverse, without
 * forming H. `tangents` has the structure of `primals`; so does the result.
 * @example ad.hvp((x) => ad.sum(ad.pow(x, 3)), [ad.tensor([1, 2])], [ad.tensor([1, 0])]) // [tensor([6, 0])]
 */
export function hvp<F extends Fn>(
  f: F,
  primals: Parameters<F> | readonly unknown[],
  tangents: readonly unknown[],
): Derivative<Parameters<F>> {
  const all = primals.map((_, i) => i);
  const g = grad(f, { argnums: all }) as Fn;
  return jvp(g, primals, tangents)[1] as Derivative<Parameters<F>>;
}
