/**
 * @file Types of the transformations' signatures: the shape of a derivative, argnums selection,
 * aux outputs, Jacobians and Hessians of pytrees. Each transformation is generic over its
 * function's parameter list `A` and result `R` (not over the function type itself), and `A`
 * defaults to `Tensor[]`: an unannotated callback such as `grad((x) => sum(x))` then gets
 * `x: Tensor` from context, and `A` is re-inferred from it as `[x: Tensor]`.
 */

import type { Tensor, TensorLike } from "../core/tensor.js";

/** @internal A function of tensors (and pytrees of them), as the transformations call it. */
export type Fn = (...args: never[]) => unknown;

/**
 * The structure of a derivative (or of a transformation's result): a Tensor wherever the value
 * has a Tensor or a number, arrays and plain objects kept, other leaves unchanged.
 *
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * type G = ad.Derivative<{ w: ad.Tensor; b: number; layers: ad.Tensor[] }>;
 * // G is { w: ad.Tensor; b: ad.Tensor; layers: ad.Tensor[] }
 * const g: G = ad.grad((p: { w: ad.Tensor; b: number; layers: ad.Tensor[] }) => ad.mul(p.w, p.b))({
 *   w: ad.scalar(2),
 *   b: 3,
 *   layers: [],
 * });
 * g.b; // => tensor(2, dtype=float32)
 * ```
 * @category Transformations
 */
export type Derivative<T> = T extends Tensor | number
  ? Tensor
  : T extends object
    ? { -readonly [K in keyof T]: Derivative<T[K]> }
    : T;

/**
 * What may be given as a tangent or cotangent for a value of type T: T's structure with a
 * Tensor or a number (for a size-1 value) at each leaf.
 *
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const ct: ad.DerivativeLike<{ y: ad.Tensor }> = { y: 1 };
 * const [, back] = ad.vjp((x: ad.Tensor) => ({ y: ad.mul(x, 3) }), ad.scalar(2));
 * back(ct); // => [ tensor(3, dtype=float32) ]
 * ```
 * @category Transformations
 */
export type DerivativeLike<T> = T extends Tensor | number
  ? Tensor | number
  : T extends object
    ? { readonly [K in keyof T]: DerivativeLike<T[K]> }
    : T;

/**
 * Tangents for primals of types A (one entry per argument): a tuple matching A, or an array built
 * at run time (e.g. by `map`) whose structure is then checked when the transformation runs.
 * @category Transformations
 */
export type Tangents<A extends readonly unknown[]> =
  | DerivativeLike<A>
  | readonly DerivativeLike<A[number]>[];

/**
 * What customVjp's `bwd` returns: one cotangent per argument (null for a zero one), as a tuple
 * matching the arguments or an array built at run time.
 * @category Transformations
 */
export type Cotangents<A extends readonly unknown[]> =
  | { readonly [K in keyof A]: DerivativeLike<A[K]> | null }
  | readonly (DerivativeLike<A[number]> | null)[];

/**
 * The derivative of one argument whose declared type is P. A parameter typed to accept any
 * TensorLike (as the library's ops are, e.g. `grad(ad.sin)`) is taken to receive a Tensor, so
 * its derivative is a Tensor (called with nested arrays, the derivative has their structure).
 * @category Transformations
 */
export type ParamDerivative<P> = TensorLike extends P ? Tensor : Derivative<P>;

/** Element `-N` of A counted from the end (`C` counts the elements dropped so far). */
type FromEnd<
  A extends readonly unknown[],
  N extends number,
  C extends readonly unknown[] = [unknown],
> = A extends readonly [...infer Init, infer Last]
  ? `-${C["length"]}` extends `${N}`
    ? Last
    : FromEnd<Init, N, [...C, unknown]>
  : A[number];

/**
 * The type of argument N of a parameter list A (negative N counts from the end, as argnums do).
 * @category Transformations
 */
export type ArgAt<A extends readonly unknown[], N extends number> = `${N}` extends keyof A
  ? A[`${N}` & keyof A]
  : `${N}` extends `-${string}`
    ? FromEnd<A, N>
    : A[number];

/**
 * The derivatives selected by `argnums`: one argument's derivative for a number (default 0), a
 * tuple of them for a literal array (`argnums: [0, 1]` gives `[D0, D1]`), an array for an array
 * whose length is not known. Options whose argnums is not known at all give the union.
 * @category Transformations
 */
export type ArgDerivative<A extends readonly unknown[], O> = O extends {
  argnums: infer N extends number | readonly number[];
}
  ? N extends number
    ? ParamDerivative<ArgAt<A, N>>
    : { -readonly [K in keyof N]: ParamDerivative<ArgAt<A, N[K] & number>> }
  : "argnums" extends keyof O
    ? ParamDerivative<ArgAt<A, 0>> | ParamDerivative<A[number]>[]
    : ParamDerivative<ArgAt<A, 0>>;

/**
 * Options of grad and valueAndGrad.
 * @category Transformations
 */
export interface GradOptions {
  /**
   * Which arguments to differentiate (default 0; negative counts from the end): one index (the
   * result is its gradient) or an array of indices (the result is an array of gradients).
   */
  argnums?: number | readonly number[];
  /** f returns `[value, aux]`; aux is passed through untouched (and not differentiated). */
  hasAux?: boolean;
}

/**
 * The options type when none are given.
 * @category Transformations
 */
export type NoOptions = Record<never, never>;

/**
 * Whether options of type O have `hasAux: true` (true), not (false), or are not known (boolean).
 * (Tested by keys, not against `{hasAux?: false}`: a type with only optional properties is a
 * "weak type", which options with none of them do not extend.)
 */
type HasAux<O> = O extends { hasAux: true }
  ? true
  : O extends { hasAux: false | undefined }
    ? false
    : "hasAux" extends keyof O
      ? boolean
      : false;

/**
 * What f may return under options O: with hasAux a pair `[value, aux]` (a tuple; an array type is
 * accepted too, for functions declared elsewhere), otherwise the value itself.
 * @category Transformations
 */
export type Output<O, V = unknown> =
  HasAux<O> extends true
    ? readonly [V, unknown] | readonly unknown[]
    : HasAux<O> extends false
      ? V
      : V | readonly unknown[];

/**
 * What a function differentiated by grad or valueAndGrad returns: a scalar (or `[scalar, aux]`).
 * @category Transformations
 */
export type ScalarOutput<O> = Output<O, Tensor | number>;

/**
 * f's value when it returns R under options O (with hasAux: the first element of the pair).
 * @category Transformations
 */
export type ValueOf<R, O> =
  HasAux<O> extends false
    ? R
    : R extends readonly [infer V, unknown]
      ? V
      : R extends readonly (infer E)[]
        ? E
        : R;

/**
 * f's auxiliary output when it returns R = `[value, aux]`; for an array type (not a tuple) the
 * element type, which is as much as the type says.
 * @category Transformations
 */
export type AuxOf<R> = R extends readonly [unknown, infer X]
  ? X
  : R extends readonly (infer E)[]
    ? E
    : unknown;

/**
 * Adds the aux output to a result G when O has hasAux: `[G, aux]`.
 * @category Transformations
 */
export type WithAux<R, O, G> =
  HasAux<O> extends true ? [G, AuxOf<R>] : HasAux<O> extends false ? G : G | [G, AuxOf<R>];

/**
 * What grad(f, options) returns for f of parameters A and result R.
 * @category Transformations
 */
export type Gradient<A extends readonly unknown[], R, O> = WithAux<R, O, ArgDerivative<A, O>>;

/**
 * What valueAndGrad(f, options) returns: `[value, grad]`, or `[[value, aux], grad]` with hasAux.
 * @category Transformations
 */
export type ValueAndGradient<A extends readonly unknown[], R, O> = [
  WithAux<R, O, Tensor>,
  ArgDerivative<A, O>,
];

/**
 * The Jacobian of a result of type Out with respect to an input of type In: Out's structure,
 * with In's structure at each of its leaves (each block has shape out.shape ++ in.shape).
 * @category Transformations
 */
export type JacobianOf<Out, In> = Out extends Tensor | number
  ? In
  : Out extends object
    ? { -readonly [K in keyof Out]: JacobianOf<Out[K], In> }
    : Out;

/**
 * What jacfwd/jacrev/jacobian(f, options) return for f of parameters A and result R.
 * @category Transformations
 */
export type Jacobian<A extends readonly unknown[], R, O> = WithAux<
  R,
  O,
  JacobianOf<Derivative<ValueOf<R, O>>, ArgDerivative<A, O>>
>;

/**
 * What hessian(f, options) returns: the Jacobian of the gradient, a tree of trees. For f of one
 * Tensor, a Tensor of shape in.shape ++ in.shape; for f of params `{w, b}`,
 * `{w: {w, b}, b: {w, b}}` (block `h.w.b` is d²f/dw db).
 * @category Transformations
 */
export type Hessian<A extends readonly unknown[], O> = JacobianOf<
  ArgDerivative<A, O>,
  ArgDerivative<A, O>
>;

/**
 * What stopGradient returns for x of type T: a number or boolean becomes a 0-d Tensor; a Tensor
 * or a pytree keeps its type (numbers inside a pytree stay numbers, as constants already are).
 * @category Transformations
 */
export type Stopped<T> = T extends number | boolean ? Tensor : T;

/** @internal Calls a transformation's function with arguments whose types were checked at its call site. */
export function callFn(f: Fn, args: readonly unknown[]): unknown {
  return (f as (...a: readonly unknown[]) => unknown)(...args);
}
