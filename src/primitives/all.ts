/**
 * @file Every built-in primitive in one table keyed by the names of src/primitives/names.ts, so
 * that `tsc` rejects a name without a declaration (a missing key), a declaration without a rule
 * (each entry must be a full BuiltinPrimitive of its name) and a declaration whose name or params
 * are not its key's. Tests read it (the registry test, coverage); the library never imports it,
 * so bundles keep only the primitives a page uses (tree-shaking: decision 0011).
 */

import * as binary from "./binary.js";
import * as cast from "./cast.js";
import * as compare from "./compare.js";
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
  add: binary.addPrim,
  sub: binary.subPrim,
  mul: binary.mulPrim,
  div: binary.divPrim,
  pow: binary.powPrim,
  max: binary.maximumPrim,
  min: binary.minimumPrim,
  atan2: binary.atan2Prim,
  mod: binary.modPrim,
  hypot: binary.hypotPrim,
  fmod: binary.fmodPrim,
  copysign: binary.copysignPrim,
  floor_divide: binary.floorDividePrim,
  bitwise_and: binary.bitwiseAndPrim,
  bitwise_or: binary.bitwiseOrPrim,
  bitwise_xor: binary.bitwiseXorPrim,
  shift_left: binary.shiftLeftPrim,
  shift_right_arithmetic: binary.shiftRightArithmeticPrim,
  convert_element_type: cast.convertElementType,
  stop_gradient: cast.stopGradientPrim,
  equal: compare.equalPrim,
  not_equal: compare.notEqualPrim,
  less: compare.lessPrim,
  less_equal: compare.lessEqualPrim,
  greater: compare.greaterPrim,
  greater_equal: compare.greaterEqualPrim,
  logical_and: compare.logicalAndPrim,
  logical_or: compare.logicalOrPrim,
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
  abs: unary.absPrim,
  square: unary.squarePrim,
  relu: unary.reluPrim,
  exp: unary.expPrim,
  log: unary.logPrim,
  log1p: unary.log1pPrim,
  expm1: unary.expm1Prim,
  sqrt: unary.sqrtPrim,
  rsqrt: unary.rsqrtPrim,
  reciprocal: unary.reciprocalPrim,
  sin: unary.sinPrim,
  cos: unary.cosPrim,
  tan: unary.tanPrim,
  asin: unary.asinPrim,
  acos: unary.acosPrim,
  atan: unary.atanPrim,
  sinh: unary.sinhPrim,
  cosh: unary.coshPrim,
  tanh: unary.tanhPrim,
  asinh: unary.asinhPrim,
  acosh: unary.acoshPrim,
  atanh: unary.atanhPrim,
  erf: unary.erfPrim,
  sigmoid: unary.sigmoidPrim,
  softplus: unary.softplusPrim,
  sign: unary.signPrim,
  floor: unary.floorPrim,
  ceil: unary.ceilPrim,
  round: unary.roundPrim,
  log2: unary.log2Prim,
  log10: unary.log10Prim,
  exp2: unary.exp2Prim,
  cbrt: unary.cbrtPrim,
  trunc: unary.truncPrim,
  signbit: unary.signbitPrim,
  logical_not: unary.logicalNotPrim,
  is_nan: unary.isNaNPrim,
  is_finite: unary.isFinitePrim,
  bitwise_not: unary.bitwiseNotPrim,
  population_count: unary.populationCountPrim,
} as const satisfies { readonly [N in PrimitiveName]: BuiltinPrimitive<N> };

/** The built-in primitives with several outputs, by name. */
export const BUILTIN_MULTI_PRIMITIVES = {
  lu: linalg.luPrim,
  qr: linalg.qrPrim,
  eigh: linalg.eighPrim,
  svd: linalg.svdPrim,
  unstack: unstack.unstackPrim,
} as const satisfies { readonly [N in MultiPrimitiveName]: BuiltinMultiPrimitive<N> };
