/**
 * @file vjp, grad and valueAndGrad: reverse mode. One forward pass records the tape; each
 * backward pass over it gives a vector-Jacobian product (a gradient, for a scalar output).
 */

import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { describeTree, flatten, treeDefsEqual, unflatten } from "../core/pytree.js";
import type { Tensor } from "../core/tensor.js";
import { onesLike } from "../ops/index.js";
import { checkDerivativeLeaf, checkFn, checkGradOptions, normalizeArgnums } from "./args.js";
import { pullback, type Recording, record } from "./record.js";
import type {
  Derivative,
  DerivativeLike,
  Fn,
  Gradient,
  GradOptions,
  NoOptions,
  ScalarOutput,
  ValueAndGradient,
} from "./types.js";

/**
 * Reverse mode's building block (JAX's `jax.vjp`): evaluates `f(...primals)` once, recording it,
 * and returns `[out, vjpFn]`. `vjpFn(ct)` maps a cotangent `ct` (out's structure, shapes and
 * dtypes; a number for a size-1 leaf) to `ctᵀ·J`, as an array with one cotangent per primal,
 * each with that primal's structure. vjpFn may be called any number of times: each call is one
 * backward pass over the same recording (so the rows of a Jacobian cost one pass each).
 *
 * Arguments and results may be pytrees (tensors, numbers, arrays and plain objects of them);
 * numbers among the primals become 0-d float tensors.
 *
 * @param f - A function of tensors built from the library's ops.
 * @param primals - f's arguments.
 * @returns `[out, vjpFn]`: f's value (numbers in it as 0-d tensors) and its pullback.
 * @throws DTypeError when a primal is an integer or bool tensor (only float arguments are
 * differentiated); ShapeError, DTypeError or ValueError from vjpFn when the cotangent's shape,
 * dtype or structure differs from out's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [y, back] = ad.vjp((x) => ad.mul(x, x), ad.tensor([1, 2]));
 * y; // => tensor([1, 4], dtype=float32)
 * back(ad.tensor([1, 1])); // => [ tensor([2, 4], dtype=float32) ]
 * back(ad.tensor([1, 0, 0])); // throws: ShapeError: vjp: cotangent for the output must have shape [2]
 * // Pytrees: one cotangent per argument, each shaped like its argument.
 * const loss = (p: { w: ad.Tensor; b: ad.Tensor }, x: ad.Tensor) =>
 *   ad.sum(ad.square(ad.add(ad.mul(p.w, x), p.b)));
 * const [l, pull] = ad.vjp(loss, { w: ad.tensor([1, 2]), b: ad.scalar(0.5) }, ad.tensor([3, 4]));
 * l; // => tensor(84.5, dtype=float32)
 * pull(1); // => [ { w: tensor([21, 68], dtype=float32), b: tensor(24, dtype=float32) }, tensor([7, 34], dtype=float32) ]
 * ```
 * @category Transformations
 */
export function vjp<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  ...primals: A
): [Derivative<R>, (ct: DerivativeLike<R>) => Derivative<A>] {
  checkFn("vjp", f);
  const argnums = primals.map((_, i) => i);
  const rec = record("vjp", f, primals, argnums, false, true);
  const out = unflatten(rec.outDef, rec.outLeaves) as Derivative<R>;
  const vjpFn = (ct: DerivativeLike<R>): Derivative<A> => {
    const [ctLeaves, ctDef] = flatten(ct);
    if (!treeDefsEqual(ctDef, rec.outDef)) {
      throw new ValueError(
        `vjp: the cotangent must have the structure of f's output; expected ${describeTree(rec.outDef)}, got ${describeTree(ctDef)}`,
      );
    }
    const cts = rec.outLeaves.map((o, i) =>
      checkDerivativeLeaf(
        "vjp",
        "cotangent",
        ctLeaves[i],
        o,
        rec.outLeaves.length === 1 ? "the output" : `output leaf ${i}`,
      ),
    );
    return pullback(rec, cts) as Derivative<A>;
  };
  return [out, vjpFn];
}

/** The scalar output of a recording, checked: one leaf, size 1, float. */
function scalarOutput(op: string, rec: Recording): Tensor {
  const def = rec.outDef;
  if (def.kind === "none") {
    throw new ValueError(
      `${op} requires a scalar output; the function returned ${String(def.value)} (a missing return statement?)`,
    );
  }
  if (def.kind !== "leaf") {
    throw new ValueError(
      `${op} requires a scalar output; got ${def.kind === "array" ? "an array" : "an object"} ` +
        `${describeTree(def)}. Return the scalar itself, or return [loss, aux] with ` +
        `{ hasAux: true } (vjp and jacrev take several outputs)`,
    );
  }
  if (rec.outLeaves.length !== 1) {
    throw new ValueError(
      `${op} requires a scalar output; got a result with ${rec.outLeaves.length} leaves (${describeTree(rec.outDef)}). Use vjp or jacrev`,
    );
  }
  const out = rec.outLeaves[0]!;
  if (out.size !== 1) {
    throw new ShapeError(
      `${op} requires a scalar output; got shape ${fmtShape(out.shape)}. Use vjp or jacrev`,
    );
  }
  if (!isFloat(out.dtype)) {
    throw new DTypeError(`${op} requires a float output; got dtype ${out.dtype}`);
  }
  return out;
}

function gradImpl(
  op: string,
  f: Fn,
  options: GradOptions,
  args: readonly unknown[],
): [Tensor, unknown, unknown] {
  const argnums = normalizeArgnums(op, options.argnums ?? 0, args.length);
  const rec = record(op, f, args, argnums, options.hasAux ?? false, true);
  const out = scalarOutput(op, rec);
  const grads = pullback(rec, [onesLike(out)]);
  const g = typeof options.argnums === "object" ? grads : grads[0];
  return [out, g, rec.aux];
}

/**
 * The gradient of a scalar-valued f (JAX's `jax.grad`): a function of f's arguments that returns
 * the derivative of f's output with respect to argument `argnums`, with that argument's
 * structure (a tensor for a tensor, `{w, b}` for `{w, b}`; numbers become 0-d tensors).
 *
 * One forward pass records f, one backward pass gives the gradient. f must return a size-1 float
 * tensor (or a number). Transformations nest to any order: `grad(grad(f))`, `jacfwd(grad(f))`,
 * `vmap(grad(f))`.
 *
 * Options: `argnums` (default 0; negative counts from the end) picks the argument; an array of
 * indices gives an array with one gradient per index, typed as a tuple. `hasAux: true` means f
 * returns `[value, aux]`: the result is then `[grad, aux]`, aux passed through undifferentiated
 * (its tensors as concrete values). An unannotated callback's parameters are typed Tensor.
 *
 * @param f - A scalar-valued function of tensors and pytrees of them.
 * @param options - `{ argnums?, hasAux? }`, see {@link GradOptions}.
 * @returns A function of f's arguments returning the gradient (`[grad, aux]` with hasAux).
 * @throws ShapeError when f's output has more than one element ("Use vjp or jacrev"); DTypeError
 * when the output or a differentiated argument is not float; ValueError for an argnums out of
 * range or repeated, or with hasAux when f does not return a pair.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const df = ad.grad((x) => ad.sum(ad.square(x)));
 * df(ad.tensor([1, 2, 3])); // => tensor([2, 4, 6], dtype=float32)
 * // A pytree argument gives a gradient of the same structure.
 * const loss = (p: { w: ad.Tensor; b: ad.Tensor }, x: ad.Tensor) =>
 *   ad.sum(ad.square(ad.add(ad.mul(p.w, x), p.b)));
 * const params = { w: ad.tensor([1, 2]), b: ad.scalar(0.5) };
 * const x = ad.tensor([3, 4]);
 * ad.grad(loss)(params, x); // => { w: tensor([21, 68], dtype=float32), b: tensor(24, dtype=float32) }
 * const [dParams, dx] = ad.grad(loss, { argnums: [0, 1] })(params, x);
 * dx; // => tensor([7, 34], dtype=float32)
 * ad.grad((v) => v)(ad.tensor([1, 2])); // throws: ShapeError: grad requires a scalar output; got shape [2]
 * ```
 * @category Transformations
 */
export function grad<
  A extends readonly unknown[] = Tensor[],
  const O extends GradOptions = NoOptions,
  R extends ScalarOutput<O> = ScalarOutput<O>,
>(f: (...args: A) => R, options?: O): (...args: A) => Gradient<A, R, O> {
  const opts: GradOptions = checkGradOptions("grad", f, options);
  return (...args) => {
    const [, g, aux] = gradImpl("grad", f, opts, args);
    return (opts.hasAux ? [g, aux] : g) as Gradient<A, R, O>;
  };
}

/**
 * Like {@link grad}, but the function returns f's value with the gradient, from the same pass
 * (JAX's `jax.value_and_grad`): `[value, grad]`, or with `hasAux: true`, `[[value, aux], grad]`.
 * Options, types and errors are grad's.
 *
 * @param f - A scalar-valued function of tensors and pytrees of them.
 * @param options - `{ argnums?, hasAux? }`, see {@link GradOptions}.
 * @returns A function of f's arguments returning `[value, grad]`.
 * @throws As {@link grad}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const [loss, g] = ad.valueAndGrad((w) => ad.sum(ad.square(w)))(ad.tensor([3, 4]));
 * loss; // => tensor(25, dtype=float32)
 * g; // => tensor([6, 8], dtype=float32)
 * // With hasAux, f returns [value, aux]; aux's type is inferred.
 * const stats = ad.valueAndGrad((w) => [ad.sum(ad.square(w)), { norm: ad.norm(w) }], {
 *   hasAux: true,
 * });
 * const [[value, aux], grad] = stats(ad.tensor([3, 4]));
 * aux.norm; // => tensor(5, dtype=float32)
 * ```
 * @category Transformations
 */
export function valueAndGrad<
  A extends readonly unknown[] = Tensor[],
  const O extends GradOptions = NoOptions,
  R extends ScalarOutput<O> = ScalarOutput<O>,
>(f: (...args: A) => R, options?: O): (...args: A) => ValueAndGradient<A, R, O> {
  const opts: GradOptions = checkGradOptions("valueAndGrad", f, options);
  return (...args) => {
    const [value, g, aux] = gradImpl("valueAndGrad", f, opts, args);
    return [opts.hasAux ? [value, aux] : value, g] as ValueAndGradient<A, R, O>;
  };
}
