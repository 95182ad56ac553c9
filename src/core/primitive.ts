/**
 * @file The Primitive interface and the registry. A primitive is declared once with everything
 * about it: name, shape/dtype rule, implementation, and its forward (JVP) and reverse (VJP) rules.
 */

import type { DType, TypedArray } from "./dtype.js";
import { ValueError } from "./errors.js";
import type { ParamsCodec } from "./params-json.js";
import type { Shape } from "./shape.js";
import type { Tensor } from "./tensor.js";

/**
 * An abstract value: what the shape rule knows of a tensor. Tensors are Avals.
 * @category Primitives
 */
export interface Aval {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * One primitive operation. Rules are written with the library's own ops so that they are
 * themselves differentiable (higher orders for free). `null` is a symbolic zero throughout.
 * Declare one with {@link definePrimitive} and apply it with {@link bind}; see
 * docs/CONTRIBUTING-primitives.md for the conventions each rule follows.
 * @typeParam P - The primitive's parameters (axis, options...), passed to every rule.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const twice: ad.Primitive = ad.definePrimitive({
 *   name: "example_twice",
 *   shape: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
 *   impl: ([x]) => x!.dataSync().map((v: number) => 2 * v),
 *   jvp: (_, [dx]) => (dx ? ad.mul(dx, 2) : null),
 *   vjp: (ct) => [ad.mul(ct, 2)],
 * });
 * twice.name; // => example_twice
 * ad.bind(twice, [ad.tensor([1, 2])], undefined); // => tensor([2., 4.], dtype=float32)
 * ```
 * @category Primitives
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
   * Optional: which values `vjp` reads given `needs` (`inputs[i]` for primal i, missing entries
   * false; `out` for the output). A gradient's recording then keeps only those until the
   * backward pass (the others as shape and dtype alone, whose data the rule must not touch: doing
   * so is an internal error). Omitted: every primal and the output are kept. For mul
   * (gx = ct y, gy = ct x): `([nx, ny]) => ({ inputs: [ny === true, nx === true], out: false })`.
   */
  vjpReads?(needs: readonly boolean[]): {
    readonly inputs: readonly boolean[];
    readonly out: boolean;
  };
  /**
   * vmap: the result for inputs of which those with `batched[i]` carry an extra leading axis of
   * length `size` (the others are shared by every batch element). The result has the batch axis
   * leading. Written by binding primitives on the given inputs, which are one level down. When
   * omitted, vmap loops over the batch (correct, but one call per element).
   */
  batch?(inputs: readonly Tensor[], batched: readonly boolean[], params: P, size: number): Tensor;
  /**
   * @internal vmap of a Jacobian's identity seed kept diagonal (see {@link DiagonalBatch}): the
   * result when some inputs are diagonal batches, if it is again diagonal or cheaply dense, else
   * null (the batch is then materialised and `batch` runs).
   */
  diagonal?(batch: DiagonalBatch, inputs: readonly Tensor[], params: P): Tensor | null;
  /**
   * How the params go to and from JSON, for a graph's `toJSON`/`fromJSON`
   * (docs/graph-format.md): `paramsCodec({ axis: "int" })`, or `NO_PARAMS`. Optional for a
   * primitive without params; a graph holding a primitive with params but no codec cannot be
   * written to JSON.
   */
  readonly paramsJson?: ParamsCodec<P>;
}

/**
 * @internal What a primitive's `diagonal` rule sees of vmap's trace (src/transforms/batch-trace.ts)
 * while it holds a Jacobian's identity seed as its diagonal: element e of a diagonal batch is
 * d[e] times the e-th unit tensor of the element's shape.
 */
export interface DiagonalBatch {
  /** The diagonal d of x when x is a diagonal batch of this trace, else null. */
  diag(x: Tensor): Tensor | null;
  /** True when x is not a tracer of this trace (shared by every batch element). */
  unbatched(x: Tensor): boolean;
  /** A diagonal batch of elements of `shape` with diagonal d (size(shape) === batch size). */
  boxDiagonal(d: Tensor, shape: readonly number[]): Tensor;
  /** A dense batch: `value`'s leading axis is the batch axis. */
  box(value: Tensor): Tensor;
  /** m scaled by the diagonal d along m's leading axis (d's batch index). */
  scaleRows(m: Tensor, d: Tensor): Tensor;
}

/**
 * A primitive with several outputs (qr, eigh, svd, slogdet, sort with indices). The same parts
 * as Primitive, with one aval, data array, tangent and cotangent per output. Integer outputs
 * (indices) carry no derivative: their tangents and cotangents are always null. Declare one with
 * {@link defineMultiPrimitive} and apply it with {@link bindMulti}.
 * @typeParam P - The primitive's parameters, passed to every rule.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // x split into its fractional and whole parts (x = frac + whole); whole has zero derivative.
 * const modf: ad.MultiPrimitive = ad.defineMultiPrimitive({
 *   name: "example_modf_type",
 *   multipleResults: true,
 *   shape: ([x]) => [x!, x!],
 *   impl: ([x]) => {
 *     const d = x!.dataSync();
 *     return [d.map((v: number) => v - Math.trunc(v)), d.map(Math.trunc)];
 *   },
 *   jvp: (_, [dx]) => [dx ?? null, null],
 *   vjp: ([ct]) => [ct ?? null],
 * });
 * ad.bindMulti(modf, [ad.tensor([2.5, -1.25])], undefined); // => [tensor([0.5, -0.25], dtype=float32), tensor([2., -1.], dtype=float32)]
 * ```
 * @category Primitives
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
  /** How the params go to and from JSON (as Primitive.paramsJson). */
  readonly paramsJson?: ParamsCodec<P>;
}

/**
 * Any multi-output primitive, whatever its params (as {@link AnyPrimitive}).
 * @category Primitives
 */
export type AnyMultiPrimitive = MultiPrimitive<unknown>;

/**
 * Any primitive, whatever its params (rule methods are bivariant in P, so every Primitive<P> fits).
 * @category Primitives
 */
export type AnyPrimitive = Primitive<unknown>;

const registry = new Map<string, AnyPrimitive | AnyMultiPrimitive>();

function register(prim: AnyPrimitive | AnyMultiPrimitive): void {
  if (registry.has(prim.name)) {
    throw new ValueError(`definePrimitive: a primitive named "${prim.name}" is already registered`);
  }
  registry.set(prim.name, prim);
}

/**
 * Declares (and registers) a primitive: its name, shape rule, implementation and derivative rules.
 * Rules are written with adjoint's own ops, so derivatives of every order, forward and reverse
 * mode, and vmap (by a loop unless `batch` is given) all follow. Apply it with {@link bind},
 * usually inside a small user-facing function that converts and checks its arguments.
 *
 * @param prim - The primitive's parts (see {@link Primitive}).
 * @returns `prim` itself, now registered.
 * @throws {@link ValueError} when a primitive of the same name is already registered.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const cube = ad.definePrimitive({
 *   name: "example_cube",
 *   shape: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
 *   impl: ([x]) => x!.dataSync().map((v: number) => v ** 3),
 *   // d x^3 = 3 x^2 dx
 *   jvp: ([x], [dx]) => (dx ? ad.mul(ad.mul(3, ad.square(x!)), dx) : null),
 *   vjp: (ct, [x]) => [ad.mul(ct, ad.mul(3, ad.square(x!)))],
 * });
 * const cubed = (x: ad.Tensor) => ad.bind(cube, [x], undefined);
 * cubed(ad.tensor([1, 2])); // => tensor([1., 8.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.sum(cubed(x)))(ad.tensor([1, 2])); // => tensor([3., 12.], dtype=float32)
 * ad.grad(ad.grad((x: ad.Tensor) => cubed(x)))(ad.scalar(2)); // => tensor(12., dtype=float32)
 * ```
 * @category Primitives
 */
export function definePrimitive<P = undefined>(prim: Primitive<P>): Primitive<P> {
  register(prim as AnyPrimitive);
  return prim;
}

/**
 * Declares (and registers) a primitive with several outputs (see {@link MultiPrimitive}); apply
 * it with {@link bindMulti}. Names are unique among all primitives.
 * @throws {@link ValueError} when a primitive of the same name is already registered.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // The running sum and the running maximum of a vector, in one pass.
 * const sumMax = ad.defineMultiPrimitive({
 *   name: "example_sum_and_max",
 *   multipleResults: true,
 *   shape: ([x]) => [{ shape: [], dtype: x!.dtype }, { shape: [], dtype: x!.dtype }],
 *   impl: ([x]) => {
 *     const d = Array.from(x!.dataSync());
 *     return [Float32Array.of(d.reduce((a, b) => a + b, 0)), Float32Array.of(Math.max(...d))];
 *   },
 *   jvp: ([x], [dx]) => {
 *     if (!dx) return [null, null];
 *     return [ad.sum(dx), ad.sum(ad.mul(ad.equal(x!, ad.max(x!)), dx))];
 *   },
 *   vjp: ([cs, cm], [x]) => [
 *     ad.add(cs ?? 0, ad.mul(cm ?? 0, ad.astype(ad.equal(x!, ad.max(x!)), "float32"))),
 *   ],
 * });
 * const [total, largest] = ad.bindMulti(sumMax, [ad.tensor([1, 5, 2])], undefined);
 * total; // => tensor(8., dtype=float32)
 * largest; // => tensor(5., dtype=float32)
 * ```
 * @category Primitives
 */
export function defineMultiPrimitive<P = undefined>(prim: MultiPrimitive<P>): MultiPrimitive<P> {
  register(prim as AnyMultiPrimitive);
  return prim;
}

/**
 * Every registered primitive (the built-in ones and those from {@link definePrimitive}), by name.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.registeredPrimitives().has("add"); // => true
 * ad.registeredPrimitives().get("add")?.name; // => add
 * ```
 * @category Primitives
 */
export function registeredPrimitives(): ReadonlyMap<string, AnyPrimitive | AnyMultiPrimitive> {
  return registry;
}
