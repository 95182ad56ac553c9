/**
 * @file Every built-in primitive in one table keyed by the names of src/primitives/names.ts, so
 * that `tsc` rejects a name without a declaration (a missing key), a declaration without a rule
 * (each entry must be a full BuiltinPrimitive of its name) and a declaration whose name or params
 * are not its key's. Tests read it (the registry test, coverage); the library never imports it,
 * so bundles keep only the primitives a page uses (tree-shaking: decision 0011).
 */

import { customCallPrim } from "../transforms/custom-call.js";
import * as binary from "./binary.js";
import * as cast from "./cast.js";
import { GENERATED_PRIMITIVES } from "./elementwise.js";
import * as indexing from "./indexing.js";
import * as linalg from "./linalg.js";
import * as matmul from "./matmul.js";
import * as movement from "./movement.js";
import type {
  BuiltinMultiPrimitive,
  BuiltinPrimitive,
  MultiPrimitiveName,
  PrimitiveName,
} from "./names.js";
import * as reduce from "./reduce.js";
import * as select from "./select.js";
import * as sort from "./sort.js";
import * as unary from "./unary.js";
import * as unstack from "./unstack.js";

/** The single-output built-in primitives, by name. */
export const BUILTIN_PRIMITIVES = {
  // Generated from the elementwise table (src/elementwise/table.ts), keyed by primitive name.
  ...GENERATED_PRIMITIVES,
  add: binary.addPrim,
  sub: binary.subPrim,
  mul: binary.mulPrim,
  div: binary.divPrim,
  pow: binary.powPrim,
  max: binary.maximumPrim,
  min: binary.minimumPrim,
  convert_element_type: cast.convertElementType,
  stop_gradient: cast.stopGradientPrim,
  gather: indexing.gatherPrim,
  scatter_add: indexing.scatterAddPrim,
  triangular_solve: linalg.triangularSolvePrim,
  det: linalg.detPrim,
  cholesky: linalg.choleskyPrim,
  matmul: matmul.matmulPrim,
  reshape: movement.reshapePrim,
  transpose: movement.transposePrim,
  broadcast_to: movement.broadcastToPrim,
  slice: movement.slicePrim,
  pad: movement.padPrim,
  concatenate: movement.concatenatePrim,
  flip: movement.flipPrim,
  reduce_sum: reduce.reduceSumPrim,
  reduce_max: reduce.reduceMaxPrim,
  reduce_min: reduce.reduceMinPrim,
  reduce_prod: reduce.reduceProdPrim,
  argmax: reduce.argmaxPrim,
  argmin: reduce.argminPrim,
  cumsum: reduce.cumsumPrim,
  select: select.selectPrim,
  argsort: sort.argsortPrim,
  neg: unary.negPrim,
} as const satisfies { readonly [N in PrimitiveName]: BuiltinPrimitive<N> };

/** The built-in primitives with several outputs, by name. */
export const BUILTIN_MULTI_PRIMITIVES = {
  lu: linalg.luPrim,
  qr: linalg.qrPrim,
  eigh: linalg.eighPrim,
  svd: linalg.svdPrim,
  unstack: unstack.unstackPrim,
  custom_call: customCallPrim,
} as const satisfies { readonly [N in MultiPrimitiveName]: BuiltinMultiPrimitive<N> };
