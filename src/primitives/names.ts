/**
 * @file The built-in primitives as a closed set that `tsc` checks: every name in a union, the
 * params type of each in one map, and `declarePrimitive`, which only takes a declaration whose
 * name is in the union, whose rules take that name's params and which has every rule a built-in
 * needs (JVP, VJP and a batch rule). src/primitives/all.ts lists the declarations in a table
 * keyed by the union, so a name without a declaration does not compile either (decision 0016).
 *
 * User primitives (`ad.definePrimitive`) stay open: any name, batch rule optional.
 */

import type { ParamsCodec } from "../core/params-json.js";
import {
  defineMultiPrimitive,
  definePrimitive,
  type MultiPrimitive,
  type Primitive,
} from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import type { BINARY_KERNELS, PrimitiveNameOf, UNARY_KERNELS } from "../elementwise/table.js";
import type { CustomCallParams } from "../transforms/custom-call.js";
import type { CastParams } from "./cast.js";
import type { AxisParams } from "./indexing.js";
import type { TriangularSolveParams } from "./linalg.js";
import type { MatmulParams } from "./matmul.js";
import type {
  BroadcastToParams,
  ConcatenateParams,
  FlipParams,
  PadParams,
  ReshapeParams,
  SliceParams,
  TransposeParams,
} from "./movement.js";
import type { ArgReduceParams, CumsumParams, ReduceParams } from "./reduce.js";
import type { ArgsortParams } from "./sort.js";

/**
 * Elementwise primitives of one input: one per entry of the elementwise table
 * (src/elementwise/table.ts), named by its `prim` or its key.
 */
export type UnaryPrimitiveName = PrimitiveNameOf<typeof UNARY_KERNELS>;

/**
 * Elementwise primitives of two broadcast inputs, comparisons and logic included: one per entry
 * of the elementwise table.
 */
export type BinaryPrimitiveName = PrimitiveNameOf<typeof BINARY_KERNELS>;

/** A params map entry for primitives without params. */
type NoParams<N extends string> = { readonly [K in N]: undefined };

/**
 * The params type of every single-output built-in primitive, by name (`undefined`: none). A new
 * primitive starts here: its name and params type.
 */
export interface PrimitiveParams
  extends NoParams<
    UnaryPrimitiveName | BinaryPrimitiveName | "select" | "stop_gradient" | "det" | "cholesky"
  > {
  readonly convert_element_type: CastParams;
  readonly reshape: ReshapeParams;
  readonly transpose: TransposeParams;
  readonly broadcast_to: BroadcastToParams;
  readonly slice: SliceParams;
  readonly pad: PadParams;
  readonly concatenate: ConcatenateParams;
  readonly flip: FlipParams;
  readonly reduce_sum: ReduceParams;
  readonly reduce_max: ReduceParams;
  readonly reduce_min: ReduceParams;
  readonly reduce_prod: ReduceParams;
  readonly argmax: ArgReduceParams;
  readonly argmin: ArgReduceParams;
  readonly cumsum: CumsumParams;
  readonly gather: AxisParams;
  readonly scatter_add: AxisParams;
  readonly argsort: ArgsortParams;
  readonly matmul: MatmulParams;
  readonly triangular_solve: TriangularSolveParams;
}

/** The params type of every built-in primitive with several outputs, by name. */
export interface MultiPrimitiveParams extends NoParams<"unstack" | "lu" | "qr" | "eigh" | "svd"> {
  readonly custom_call: CustomCallParams;
}

/** The name of a single-output built-in primitive. */
export type PrimitiveName = keyof PrimitiveParams;

/** The name of a built-in primitive with several outputs. */
export type MultiPrimitiveName = keyof MultiPrimitiveParams;

/** vmap's rule (Primitive.batch), required of a built-in: vmap never falls back to a loop. */
export type BatchRule<P, R = Tensor> = (
  inputs: readonly Tensor[],
  batched: readonly boolean[],
  params: P,
  size: number,
) => R;

/** A built-in primitive: its name is `N`, its rules take N's params, and it has a batch rule. */
export type BuiltinPrimitive<N extends PrimitiveName> = Primitive<PrimitiveParams[N]> & {
  readonly name: N;
  readonly batch: BatchRule<PrimitiveParams[N]>;
  /** Params to and from JSON (graphs): required of a built-in. */
  readonly paramsJson: ParamsCodec<PrimitiveParams[N]>;
};

/** A built-in primitive with several outputs (as {@link BuiltinPrimitive}). */
export type BuiltinMultiPrimitive<N extends MultiPrimitiveName> = MultiPrimitive<
  MultiPrimitiveParams[N]
> & {
  readonly name: N;
  readonly batch: BatchRule<MultiPrimitiveParams[N], readonly Tensor[]>;
  /** Params to and from JSON (graphs): required of a built-in. */
  readonly paramsJson: ParamsCodec<MultiPrimitiveParams[N]>;
};

/**
 * Declares and registers a built-in primitive. Unlike the public `definePrimitive`, the name
 * must be in {@link PrimitiveName}, the params are that name's, and the batch rule is required.
 * @throws ValueError when the name is already registered.
 */
export function declarePrimitive<N extends PrimitiveName>(
  prim: BuiltinPrimitive<N>,
): BuiltinPrimitive<N> {
  definePrimitive(prim);
  return prim;
}

/** Declares and registers a built-in primitive with several outputs (see declarePrimitive). */
export function declareMultiPrimitive<N extends MultiPrimitiveName>(
  prim: BuiltinMultiPrimitive<N>,
): BuiltinMultiPrimitive<N> {
  defineMultiPrimitive(prim);
  return prim;
}
