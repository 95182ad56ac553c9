/** @file Types shared by the transformations' signatures. */

import type { Tensor } from "../core/tensor.js";

/** A function of tensors (and pytrees of them) that a transformation can take. */
export type Fn = (...args: never[]) => unknown;

/** The structure of a derivative: tensors where the value had tensors or numbers. */
export type Derivative<T> = T extends Tensor | number
  ? Tensor
  : T extends object
    ? { -readonly [K in keyof T]: Derivative<T[K]> }
    : T;

export interface GradOptions {
  /** Which arguments to differentiate: one index (result: its gradient) or several (an array). */
  argnums?: number | readonly number[];
  /** f returns `[value, aux]`; aux is passed through untouched (and not differentiated). */
  hasAux?: boolean;
}

/** The derivative of f's argument(s) selected by options O. */
export type ArgDerivative<F extends Fn, O> = O extends { argnums: readonly number[] }
  ? Derivative<Parameters<F>[number]>[]
  : O extends { argnums: infer N extends number }
    ? Derivative<Parameters<F>[N]>
    : Derivative<Parameters<F>[0]>;

/** f's auxiliary output when it returns `[value, aux]`. */
export type AuxOf<F extends Fn> = ReturnType<F> extends readonly [unknown, infer A] ? A : unknown;

/** Adds the aux output to a result when O has hasAux. */
export type WithAux<F extends Fn, O, G> = O extends { hasAux: true } ? [G, AuxOf<F>] : G;

/** Calls a transformation's function with arguments whose types were checked at its call site. */
export function callFn(f: Fn, args: readonly unknown[]): unknown {
  return (f as (...a: readonly unknown[]) => unknown)(...args);
}
