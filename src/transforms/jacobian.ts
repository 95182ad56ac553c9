/**
 * @file linearize, jacfwd, jacrev, jacobian, hessian and hvp. All but hvp record f once on the
 * tape; Jacobians then push one basis tangent per input element forward through the recorded JVP
 * rules (jacfwd) or pull one basis cotangent per output element back (jacrev).
 */

import { allocate, isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { describeTree, flatten, type TreeDef, treeDefsEqual, unflatten } from "../core/pytree.js";
import { shapeSize } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { reshape, stack, zeros } from "../ops/index.js";
import { checkDerivativeLeaf, normalizeArgnums } from "./args.js";
import { jvp } from "./jvp.js";
import { pullback, pushforward, type Recording, record } from "./record.js";
import type { Derivative, Fn } from "./types.js";
import { grad } from "./vjp.js";

export interface JacobianOptions {
  /** Which arguments to differentiate (default 0); an array gives one block per argument. */
  argnums?: number | readonly number[];
  /** f returns `[value, aux]`; the result is then `[jacobian, aux]`. */
  hasAux?: boolean;
}

/** A tensor of `shape` with a one at flat position `index` and zeros elsewhere. */
function basis(shape: readonly number[], dtype: Tensor["dtype"], index: number): Tensor {
  const data = allocate(dtype, shapeSize(shape));
  data[index] = 1;
  return Tensor._fromData(shape, dtype, data);
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
function assemble(
  rec: Recording,
  many: boolean,
  block: (outLeaf: number, arg: number, inLeaf: number) => Tensor,
): unknown {
  const perOut = rec.outLeaves.map((_, k) => {
    const perArg = rec.args.map((arg, a) =>
      unflatten(
        arg.def,
        arg.leaves.map((_, j) => block(k, a, j)),
      ),
    );
    return many ? perArg : perArg[0];
  });
  return unflatten(rec.outDef, perOut);
}

/** The Jacobian block of result leaf k w.r.t. input leaf (a, j), from rows (jacrev) or columns (jacfwd). */
function fromRows(rec: Recording, rows: unknown[][][], k: number, a: number, j: number): Tensor {
  const out = rec.outLeaves[k]!;
  const x = rec.args[a]!.leaves[j]!;
  const shape = [...out.shape, ...x.shape];
  const list = rows[k]!.map((perArg) => flatten(perArg[a])[0][j] as Tensor);
  return list.length === 0 ? zeros(shape, x.dtype) : reshape(stack(list, 0), shape);
}

function fromColumns(
  rec: Recording,
  cols: Tensor[][][][],
  k: number,
  a: number,
  j: number,
): Tensor {
  const out = rec.outLeaves[k]!;
  const x = rec.args[a]!.leaves[j]!;
  const shape = [...out.shape, ...x.shape];
  const list = cols[a]![j]!.map((outs) => outs[k]!);
  return list.length === 0 ? zeros(shape, out.dtype) : reshape(stack(list, -1), shape);
}

/** rows[k][e]: the cotangents of every differentiated argument for basis cotangent e of result k. */
function jacobianRows(rec: Recording): unknown[][][] {
  return rec.outLeaves.map((out, k) => {
    const rows: unknown[][] = [];
    if (!isFloat(out.dtype)) return rows;
    for (let e = 0; e < out.size; e++) {
      const cts = rec.outLeaves.map((_, i) => (i === k ? basis(out.shape, out.dtype, e) : null));
      rows.push(pullback(rec, cts));
    }
    return rows;
  });
}

/** cols[a][j][e][k]: the tangent of result leaf k for basis tangent e of input leaf (a, j). */
function jacobianColumns(rec: Recording): Tensor[][][][] {
  return rec.args.map((arg, a) =>
    arg.leaves.map((x, j) => {
      const cols: Tensor[][] = [];
      for (let e = 0; e < x.size; e++) {
        const tangents = rec.args.map((other, b) =>
          other.leaves.map((_, i) => (b === a && i === j ? basis(x.shape, x.dtype, e) : null)),
        );
        cols.push(pushforward(rec, tangents));
      }
      return cols;
    }),
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
    let jac: unknown;
    if (useFwd) {
      const cols = jacobianColumns(rec);
      jac = assemble(rec, many, (k, a, j) => fromColumns(rec, cols, k, a, j));
    } else {
      const rows = jacobianRows(rec);
      jac = assemble(rec, many, (k, a, j) => fromRows(rec, rows, k, a, j));
    }
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
