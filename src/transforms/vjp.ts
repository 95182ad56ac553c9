/**
 * @file vjp, grad and valueAndGrad: reverse mode. One forward pass records the tape; each
 * backward pass over it gives a vector-Jacobian product (a gradient, for a scalar output).
 */

import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { describeTree, flatten, treeDefsEqual, unflatten } from "../core/pytree.js";
import type { Tensor } from "../core/tensor.js";
import { onesLike } from "../ops/index.js";
import { checkDerivativeLeaf, normalizeArgnums } from "./args.js";
import { pullback, type Recording, record } from "./record.js";
import type { ArgDerivative, Derivative, Fn, GradOptions, WithAux } from "./types.js";

/**
 * Evaluates `f(...primals)` and returns `[out, vjpFn]`; `vjpFn(ct)` maps a cotangent with out's
 * structure, shapes and dtypes to one cotangent per primal. vjpFn may be called many times.
 * @example
 * const [y, back] = ad.vjp((x) => ad.mul(x, x), ad.tensor([1, 2]));
 * back(ad.tensor([1, 1])); // [tensor([2, 4])]
 */
export function vjp<F extends Fn>(
  f: F,
  ...primals: Parameters<F>
): [Derivative<ReturnType<F>>, (ct: unknown) => Derivative<Parameters<F>>] {
  const argnums = primals.map((_, i) => i);
  const rec = record("vjp", f, primals, argnums, false);
  const out = unflatten(rec.outDef, rec.outLeaves) as Derivative<ReturnType<F>>;
  const vjpFn = (ct: unknown): Derivative<Parameters<F>> => {
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
    return pullback(rec, cts) as Derivative<Parameters<F>>;
  };
  return [out, vjpFn];
}

/** The scalar output of a recording, checked: one leaf, size 1, float. */
function scalarOutput(op: string, rec: Recording): Tensor {
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
  const rec = record(op, f, args, argnums, options.hasAux ?? false);
  const out = scalarOutput(op, rec);
  const grads = pullback(rec, [onesLike(out)]);
  const g = typeof options.argnums === "object" ? grads : grads[0];
  return [out, g, rec.aux];
}

/**
 * The gradient of a scalar-valued f with respect to argument `argnums` (default 0), as a function
 * of f's arguments. With an array of argnums, an array of gradients; with hasAux, `[grad, aux]`.
 * @example
 * const df = ad.grad((x) => ad.sum(ad.square(x)));
 * df(ad.tensor([1, 2, 3])); // tensor([2, 4, 6])
 */
export function grad<F extends Fn, const O extends GradOptions = GradOptions>(
  f: F,
  options?: O,
): (...args: Parameters<F>) => WithAux<F, O, ArgDerivative<F, O>> {
  const opts: GradOptions = options ?? {};
  return (...args) => {
    const [, g, aux] = gradImpl("grad", f, opts, args);
    return (opts.hasAux ? [g, aux] : g) as WithAux<F, O, ArgDerivative<F, O>>;
  };
}

/**
 * Like grad, but returns `[value, grad]` (with hasAux: `[[value, aux], grad]`).
 * @example
 * const [loss, g] = ad.valueAndGrad((w) => ad.sum(ad.square(w)))(ad.tensor([3]));
 */
export function valueAndGrad<F extends Fn, const O extends GradOptions = GradOptions>(
  f: F,
  options?: O,
): (
  ...args: Parameters<F>
) => [O extends { hasAux: true } ? [Tensor, unknown] : Tensor, ArgDerivative<F, O>] {
  const opts: GradOptions = options ?? {};
  return (...args) => {
    const [value, g, aux] = gradImpl("valueAndGrad", f, opts, args);
    return [opts.hasAux ? [value, aux] : value, g] as [
      O extends { hasAux: true } ? [Tensor, unknown] : Tensor,
      ArgDerivative<F, O>,
    ];
  };
}
