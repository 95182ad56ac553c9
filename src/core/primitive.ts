/**
 * @file The Primitive interface and the registry. A primitive is declared once with everything
 * about it: name, shape/dtype rule, implementation, and its forward (JVP) and reverse (VJP) rules.
 */

import type { DType, TypedArray } from "./dtype.js";
import { ValueError } from "./errors.js";
import type { Shape } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** An abstract value: what the shape rule knows of a tensor. Tensors are Avals. */
export interface Aval {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * One primitive operation. Rules are written with the library's own ops so that they are
 * themselves differentiable (higher orders for free). `null` is a symbolic zero throughout.
 */
export interface Primitive<P = undefined> {
  readonly name: string;
  /** Output shape and dtype; throws typed errors naming the op and argument on bad input. */
  shape(inputs: readonly Aval[], params: P): Aval;
  /** Computes the output's data from concrete inputs; `out` is what `shape` returned. */
  impl(inputs: readonly Tensor[], params: P, out: Aval): TypedArray;
  /**
   * Optional fast path of `impl` for elementwise primitives when the output is a size-1 float:
   * the result from the inputs' values (up to two; missing ones are 0), with no storage made.
   * Must agree with impl exactly (float32 results are rounded by the caller).
   */
  scalar?(x: number, y: number, params: P): number;
  /**
   * Optional fast path of `vjp` for reverse mode on size-1 float values (the tape's scalar lane):
   * writes the cotangents of x and y into `g[0]` and `g[1]` from plain numbers. `r` rounds to the
   * dtype (Math.fround for float32) and must be applied wherever the Tensor rule's ops would round,
   * so that both paths agree bit for bit. Requires `scalar`.
   */
  scalarVjp?(
    ct: number,
    x: number,
    y: number,
    out: number,
    r: (v: number) => number,
    g: number[],
  ): void;
  /**
   * Forward mode: the output tangent given input tangents (null = zero, at least one non-null).
   * May return a tangent whose shape broadcasts to out's; the driver broadcasts it.
   */
  jvp(
    primals: readonly Tensor[],
    tangents: readonly (Tensor | null)[],
    out: Tensor,
    params: P,
  ): Tensor | null;
  /**
   * Reverse mode: one cotangent per input (null = zero, or not needed: `needs[i]` is false for
   * inputs that don't require one). A cotangent may have a broadcast shape of its input's; the
   * driver sums it back to the input's shape and casts it to the input's dtype.
   */
  vjp(
    ct: Tensor,
    primals: readonly Tensor[],
    out: Tensor,
    params: P,
    needs: readonly boolean[],
  ): readonly (Tensor | null)[];
  /**
   * vmap: the result for inputs of which those with `batched[i]` carry an extra leading axis of
   * length `size` (the others are shared by every batch element). The result has the batch axis
   * leading. Written by binding primitives on the given inputs, which are one level down. When
   * omitted, vmap loops over the batch (correct, but one call per element).
   */
  batch?(inputs: readonly Tensor[], batched: readonly boolean[], params: P, size: number): Tensor;
}

/**
 * A primitive with several outputs (qr, eigh, svd, slogdet, sort with indices). The same parts
 * as Primitive, with one aval, data array, tangent and cotangent per output. Integer outputs
 * (indices) carry no derivative: their tangents and cotangents are always null.
 */
export interface MultiPrimitive<P = undefined> {
  readonly name: string;
  readonly multipleResults: true;
  shape(inputs: readonly Aval[], params: P): readonly Aval[];
  impl(inputs: readonly Tensor[], params: P, outs: readonly Aval[]): readonly TypedArray[];
  /** Output tangents (null = zero) given input tangents (at least one non-null). */
  jvp(
    primals: readonly Tensor[],
    tangents: readonly (Tensor | null)[],
    outs: readonly Tensor[],
    params: P,
  ): readonly (Tensor | null)[];
  /** Input cotangents given one cotangent per output (null = zero; at least one non-null). */
  vjp(
    cts: readonly (Tensor | null)[],
    primals: readonly Tensor[],
    outs: readonly Tensor[],
    params: P,
    needs: readonly boolean[],
  ): readonly (Tensor | null)[];
  /** vmap, as Primitive.batch: every result has the batch axis leading. */
  batch?(
    inputs: readonly Tensor[],
    batched: readonly boolean[],
    params: P,
    size: number,
  ): readonly Tensor[];
}

export type AnyMultiPrimitive = MultiPrimitive<unknown>;

/** Any primitive, whatever its params (rule methods are bivariant in P, so every Primitive<P> fits). */
export type AnyPrimitive = Primitive<unknown>;

const registry = new Map<string, AnyPrimitive | AnyMultiPrimitive>();

function register(prim: AnyPrimitive | AnyMultiPrimitive): void {
  if (registry.has(prim.name)) {
    throw new ValueError(`definePrimitive: a primitive named "${prim.name}" is already registered`);
  }
  registry.set(prim.name, prim);
}

/** Declares a primitive; names are unique. */
export function definePrimitive<P = undefined>(prim: Primitive<P>): Primitive<P> {
  register(prim as AnyPrimitive);
  return prim;
}

/** Declares a primitive with several outputs; names are unique among all primitives. */
export function defineMultiPrimitive<P = undefined>(prim: MultiPrimitive<P>): MultiPrimitive<P> {
  register(prim as AnyMultiPrimitive);
  return prim;
}

/** Every registered primitive, by name (the op-spec coverage test walks this). */
export function registeredPrimitives(): ReadonlyMap<string, AnyPrimitive | AnyMultiPrimitive> {
  return registry;
}
