/**
 * @file linearize, jacfwd, jacrev, jacobian, hessian and hvp. All but hvp record f once on the
 * tape; Jacobians then push all basis tangents of an input forward through the recorded JVP rules
 * in one batched pass (jacfwd), or pull all basis cotangents of a result back in one (jacrev): the
 * basis is a vmap tracer, so every rule runs once on the whole batch of directions.
 */

import { isFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { describeTree, flatten, type TreeDef, treeDefsEqual, unflatten } from "../core/pytree.js";
import { shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { withNewLevel } from "../core/trace.js";
import { broadcastTo, reshape, transpose, zeros } from "../ops/index.js";
import { checkDerivativeLeaf, checkFn, checkGradOptions, normalizeArgnums } from "./args.js";
import { BatchTrace } from "./batch-trace.js";
import { jvp } from "./jvp.js";
import { pullback, pushforward, type Recording, record } from "./record.js";
import { recyclingPass } from "./tape.js";
import type { Derivative, Fn, Hessian, Jacobian, NoOptions, Output, Tangents } from "./types.js";
import { grad } from "./vjp.js";

/**
 * Options of {@link hessian}: which arguments to differentiate.
 * @category Transformations
 */
export interface HessianOptions {
  /**
   * Which arguments to differentiate (default 0; negative counts from the end). An array gives
   * the Hessian of the tuple of those arguments: a block for each pair of them.
   */
  argnums?: number | readonly number[];
}

/**
 * Options of {@link jacfwd}, {@link jacrev} and {@link jacobian}.
 * @category Transformations
 */
export interface JacobianOptions {
  /**
   * Which arguments to differentiate (default 0; negative counts from the end). An array gives,
   * at each output leaf, a tuple with one block per selected argument.
   */
  argnums?: number | readonly number[];
  /** f returns `[value, aux]`; the result is then `[jacobian, aux]` (aux not differentiated). */
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
      trace.label = "a Jacobian's basis";
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
 * f's value and its linearization at `primals` (JAX's `jax.linearize`): `[out, jvpFn]`, where
 * `jvpFn(...tangents)` (one tangent per primal, each with its primal's structure) returns the
 * output tangent `J·v`. f is evaluated and recorded once; each jvpFn call replays the recorded
 * JVP rules without re-evaluating f, so many directions at one point cost one evaluation.
 *
 * @param f - A function of tensors built from the library's ops.
 * @param primals - f's arguments.
 * @returns `[out, jvpFn]`.
 * @throws ValueError from jvpFn when the tangents' structure differs from the primals'; ShapeError
 * or DTypeError when a tangent's shape or dtype differs from its primal's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [y, jvpFn] = ad.linearize((x) => ad.exp(x), ad.scalar(1, "float64"));
 * y; // => tensor(2.71828182845905, dtype=float64)
 * jvpFn(ad.scalar(2, "float64")); // => tensor(5.43656365691809, dtype=float64)
 * ```
 * @category Transformations
 */
export function linearize<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  ...primals: A
): [Derivative<R>, (...tangents: Tangents<A>) => Derivative<R>] {
  const rec = record(
    "linearize",
    f,
    primals,
    primals.map((_, i) => i),
    false,
  );
  const out = unflatten(rec.outDef, rec.outLeaves) as Derivative<R>;
  const jvpFn = (...tangents: Tangents<A>): Derivative<R> => {
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
    return unflatten(rec.outDef, pushforward(rec, perArg)) as Derivative<R>;
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
  checkGradOptions(op, f, options);
  return (...args: readonly unknown[]): unknown => {
    const argnums = normalizeArgnums(op, options.argnums ?? 0, args.length);
    // jacrev only pulls back, so its tape may keep just what the VJP rules read.
    const rec = record(op, f, args, argnums, options.hasAux ?? false, mode === "rev");
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

/**
 * The Jacobian of f by forward mode (JAX's `jax.jacfwd`), as a function of f's arguments. f is
 * recorded once; then all the basis tangents of each differentiated input leaf are pushed
 * forward in one batched pass: cheap when inputs are few and outputs many (a tall Jacobian).
 *
 * The result has f's output structure with the input's structure at each leaf: for a tensor
 * function of a tensor, one tensor of shape `out.shape ++ in.shape`; for `f(p: {a, b})` returning
 * a tensor, `{a, b}` of blocks; with an argnums array, a tuple of blocks per output leaf. Options:
 * `argnums` (default 0) and `hasAux` (f returns `[value, aux]`; the result is `[jacobian, aux]`),
 * see {@link JacobianOptions}. Integer or empty outputs give zero blocks.
 *
 * @param f - A function of tensors built from the library's ops.
 * @param options - `{ argnums?, hasAux? }`.
 * @returns A function of f's arguments returning the Jacobian.
 * @throws DTypeError when a differentiated argument is not float; ValueError for a bad argnums.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.jacfwd((x) => ad.mul(x, 2))(ad.tensor([1, 2])); // => tensor([[2, 0], [0, 2]], dtype=float32)
 * ```
 * @category Transformations
 */
export function jacfwd<
  A extends readonly unknown[] = Tensor[],
  const O extends JacobianOptions = NoOptions,
  R extends Output<O> = Output<O>,
>(f: (...args: A) => R, options?: O): (...args: A) => Jacobian<A, R, O> {
  return jacobianImpl("jacfwd", f, options ?? {}, "fwd") as (...args: A) => Jacobian<A, R, O>;
}

/**
 * The Jacobian of f by reverse mode (JAX's `jax.jacrev`), as a function of f's arguments. f is
 * recorded once; then all the basis cotangents of each output leaf are pulled back in one
 * batched backward pass: cheap when outputs are few and inputs many (a wide Jacobian).
 *
 * The result has f's output structure with the input's structure at each leaf: for a tensor
 * function of a tensor, one tensor of shape `out.shape ++ in.shape`; for `f(p: {a, b})` returning
 * a tensor, `{a, b}` of blocks; with an argnums array, a tuple of blocks per output leaf. Options:
 * `argnums` (default 0) and `hasAux` (f returns `[value, aux]`; the result is `[jacobian, aux]`),
 * see {@link JacobianOptions}. Integer or empty outputs give zero blocks.
 *
 * @param f - A function of tensors built from the library's ops.
 * @param options - `{ argnums?, hasAux? }`.
 * @returns A function of f's arguments returning the Jacobian.
 * @throws DTypeError when a differentiated argument is not float; ValueError for a bad argnums.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.jacrev((x) => ad.sum(ad.square(x)))(ad.tensor([1, 2])); // => tensor([2, 4], dtype=float32)
 * // A pytree input: one block per leaf, shape out.shape ++ leaf.shape.
 * const f = (p: { a: ad.Tensor; b: ad.Tensor }) => ad.mul(p.a, p.b);
 * ad.jacrev(f)({ a: ad.tensor([1, 2]), b: ad.scalar(3) }); // => { a: tensor([[3, 0], [0, 3]], dtype=float32), b: tensor([1, 2], dtype=float32) }
 * ```
 * @category Transformations
 */
export function jacrev<
  A extends readonly unknown[] = Tensor[],
  const O extends JacobianOptions = NoOptions,
  R extends Output<O> = Output<O>,
>(f: (...args: A) => R, options?: O): (...args: A) => Jacobian<A, R, O> {
  return jacobianImpl("jacrev", f, options ?? {}, "rev") as (...args: A) => Jacobian<A, R, O>;
}

/**
 * The Jacobian of f by whichever mode is cheaper at the call (the API's `jacobian`): forward
 * ({@link jacfwd}) when the differentiated inputs have no more elements than the outputs,
 * reverse ({@link jacrev}) otherwise. The choice is made after recording f once, so it costs
 * nothing; the result is the same either way.
 *
 * The result has f's output structure with the input's structure at each leaf: for a tensor
 * function of a tensor, one tensor of shape `out.shape ++ in.shape`; for `f(p: {a, b})` returning
 * a tensor, `{a, b}` of blocks; with an argnums array, a tuple of blocks per output leaf. Options:
 * `argnums` (default 0) and `hasAux` (f returns `[value, aux]`; the result is `[jacobian, aux]`),
 * see {@link JacobianOptions}. Integer or empty outputs give zero blocks.
 *
 * @param f - A function of tensors built from the library's ops.
 * @param options - `{ argnums?, hasAux? }`.
 * @returns A function of f's arguments returning the Jacobian.
 * @throws DTypeError when a differentiated argument is not float; ValueError for a bad argnums.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const f = (x: ad.Tensor) => ad.stack([ad.sum(x), ad.prod(x)]);
 * ad.jacobian(f)(ad.tensor([1, 2, 3])); // => tensor([[1, 1, 1], [6, 3, 2]], dtype=float32)
 * ```
 * @category Transformations
 */
export function jacobian<
  A extends readonly unknown[] = Tensor[],
  const O extends JacobianOptions = NoOptions,
  R extends Output<O> = Output<O>,
>(f: (...args: A) => R, options?: O): (...args: A) => Jacobian<A, R, O> {
  return jacobianImpl("jacobian", f, options ?? {}, "auto") as (...args: A) => Jacobian<A, R, O>;
}

/**
 * The Hessian of a scalar-valued f (JAX's `jax.hessian`), as a function of f's arguments:
 * `jacfwd(grad(f))`, forward over reverse. For a tensor argument, a tensor of shape
 * `in.shape ++ in.shape`. For a pytree argument, a tree of trees: `h.a.b` holds d²f/da db with
 * shape `a.shape ++ b.shape` (see {@link Hessian}); with an argnums array, the Jacobian of the
 * tuple of gradients with respect to the tuple of arguments.
 *
 * @param f - A scalar-valued function of tensors and pytrees of them.
 * @param options - `{ argnums? }`, see {@link HessianOptions}.
 * @returns A function of f's arguments returning the Hessian.
 * @throws As {@link grad}: ShapeError when f's output is not a scalar, DTypeError for integer
 * arguments, ValueError for a bad argnums.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.hessian((x) => ad.sum(ad.pow(x, 3)))(ad.tensor([1, 2])); // => tensor([[6, 0], [0, 12]], dtype=float32)
 * // f(a, b) = a² b at a = 1, b = 2: a tree of trees.
 * const h = ad.hessian((p: { a: ad.Tensor; b: ad.Tensor }) => ad.mul(ad.square(p.a), p.b));
 * h({ a: ad.scalar(1), b: ad.scalar(2) }); // => { a: { a: tensor(4, dtype=float32), b: tensor(2, dtype=float32) }, b: { a: tensor(2, dtype=float32), b: tensor(0, dtype=float32) } }
 * ```
 * @category Transformations
 */
export function hessian<
  A extends readonly unknown[] = Tensor[],
  const O extends HessianOptions = NoOptions,
>(f: (...args: A) => Tensor | number, options?: O): (...args: A) => Hessian<A, O> {
  checkFn("hessian", f);
  checkOptions("hessian", options, ["argnums"]);
  const argnums = options?.argnums;
  const opts = argnums === undefined ? {} : { argnums };
  return jacfwd(grad(f, opts) as Fn, opts) as (...args: A) => Hessian<A, O>;
}

/**
 * The Hessian-vector product `H·v` of a scalar-valued f at `primals`, by forward over reverse
 * (`jvp` of `grad`), without forming H: the cost of about two gradient evaluations, whatever
 * the size of H. `primals` and `tangents` are arrays with one entry per argument of f (every
 * argument is differentiated); the result is an array with the same structure.
 *
 * @param f - A scalar-valued function of tensors and pytrees of them.
 * @param primals - f's arguments, as an array.
 * @param tangents - The vector v: one entry per primal, with its structure.
 * @returns `H·v`, one entry per primal.
 * @throws As {@link grad} and {@link jvp}: ShapeError when f's output is not a scalar;
 * ValueError, ShapeError or DTypeError when the tangents do not match the primals.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const f = (x: ad.Tensor) => ad.sum(ad.pow(x, 3));
 * ad.hvp(f, [ad.tensor([1, 2])], [ad.tensor([1, 0])]); // => [ tensor([6, 0], dtype=float32) ]
 * ```
 * @category Transformations
 */
export function hvp<A extends readonly unknown[]>(
  f: (...args: A) => Tensor | number,
  primals: A,
  tangents: Tangents<A>,
): Derivative<A> {
  const all = primals.map((_, i) => i);
  const g = grad(f, { argnums: all });
  return jvp(g, primals, tangents)[1] as Derivative<A>;
}
