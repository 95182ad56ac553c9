/**
 * @file `ad.numpy`: JAX's `jax.numpy` names (camelCased, as jax-js spells them) over adjoint's
 * ops. One implementation per op: every entry is the root function itself, or a one-line adapter
 * where NumPy's name or calling form differs (`arccos` is `acos`, `var` is `variance`,
 * `concatenate` is `concat`). docs/numpy-coverage.md (generated) lists jax-js's numpy functions
 * against these, with the reason for each one left out (decision 0018).
 */

import { toTensor } from "./core/convert.js";
import { type DType, promoteTypes } from "./core/dtype.js";
import { ValueError } from "./core/errors.js";
import { Tensor, type TensorLike } from "./core/tensor.js";
import { applyAlongAxis, applyOverAxes, fromfunction } from "./ops/apply.js";
import * as ops from "./ops/index.js";
import { linalg } from "./ops/linalg-decompositions.js";
import { resultDType } from "./ops/promote.js";

/**
 * Machine limits of a float dtype, as `jnp.finfo` gives them (`ad.numpy.finfo("float32").eps`).
 * @category Tensors
 */
export interface FloatInfo {
  readonly dtype: "float32" | "float64";
  readonly bits: number;
  /** The gap between 1 and the next larger float. */
  readonly eps: number;
  readonly max: number;
  readonly min: number;
  /** The smallest positive normal number (also `smallestNormal`). */
  readonly tiny: number;
  readonly smallestNormal: number;
  /** The smallest positive subnormal number. */
  readonly smallestSubnormal: number;
  /** Approximate decimal precision: 10^-precision. */
  readonly resolution: number;
  readonly precision: number;
}

/**
 * Limits of an integer dtype, as `jnp.iinfo` gives them (`ad.numpy.iinfo("int32").max`).
 * @category Tensors
 */
export interface IntInfo {
  readonly dtype: "int32";
  readonly bits: 32;
  readonly min: number;
  readonly max: number;
}

function finfo(dtype: DType | Tensor): FloatInfo {
  const d = dtype instanceof Tensor ? dtype.dtype : dtype;
  if (d === "float32") {
    return {
      dtype: d,
      bits: 32,
      eps: 2 ** -23,
      max: 3.4028234663852886e38,
      min: -3.4028234663852886e38,
      tiny: 2 ** -126,
      smallestNormal: 2 ** -126,
      smallestSubnormal: 2 ** -149,
      resolution: 1e-6,
      precision: 6,
    };
  }
  if (d === "float64") {
    return {
      dtype: d,
      bits: 64,
      eps: Number.EPSILON,
      max: Number.MAX_VALUE,
      min: -Number.MAX_VALUE,
      tiny: 2 ** -1022,
      smallestNormal: 2 ** -1022,
      smallestSubnormal: Number.MIN_VALUE,
      resolution: 1e-15,
      precision: 15,
    };
  }
  throw new ValueError(`numpy.finfo: dtype must be "float32" or "float64"; got "${d}"`);
}

function iinfo(dtype: DType | Tensor): IntInfo {
  const d = dtype instanceof Tensor ? dtype.dtype : dtype;
  if (d !== "int32") throw new ValueError(`numpy.iinfo: dtype must be "int32"; got "${d}"`);
  return { dtype: d, bits: 32, min: -(2 ** 31), max: 2 ** 31 - 1 };
}

/**
 * JAX's `jax.numpy` names over adjoint's ops: `import { numpy as np } from "adjoint"`, then
 * `np.arccos(x)`, `np.concatenate([a, b])`, `np.var(x)`, `np.linalg.norm(x)`. Every entry is
 * the same function as the root export it names (or a one-line adapter), so derivatives, vmap
 * and errors are the same. What jax-js's numpy has and this leaves out, and why, is in
 * docs/numpy-coverage.md.
 *
 * @example
 * ```ts
 * import { numpy as np, grad } from "adjoint";
 * const x = np.array([0.5, 1], { dtype: "float64" });
 * np.arccos(x); // => tensor([1.047198, 0], dtype=float64)
 * np.concatenate([x, x]).shape; // => [ 4 ]
 * grad((v: np.ndarray) => np.sum(np.square(v)))(x); // => tensor([1, 2], dtype=float64)
 * np.var(x); // => tensor(0.0625, dtype=float64)
 * ```
 * @category Tensors
 * @namespace
 */
export const numpy = {
  // ---- constants and dtypes ----
  e: Math.E,
  pi: Math.PI,
  inf: Number.POSITIVE_INFINITY,
  nan: Number.NaN,
  eulerGamma: 0.5772156649015329,
  float32: "float32" as const,
  float64: "float64" as const,
  int32: "int32" as const,
  bool: "bool" as const,
  Array: Tensor,
  finfo,
  iinfo,
  promoteTypes: (a: DType, b: DType): DType => promoteTypes(a, b),
  resultType: (...args: (DType | TensorLike)[]): DType =>
    resultDType(args.map((a) => (typeof a === "string" ? ops.zeros([], a) : a))),
  /** The same object as `ad.linalg` (`np.linalg.norm`, as in JAX). @hidden */
  linalg,
  isscalar: (x: unknown): boolean =>
    typeof x === "number" || typeof x === "boolean" || (x instanceof Tensor && x.ndim === 0),
  ndim: (x: TensorLike): number => toTensor(x).ndim,
  shape: (x: TensorLike): readonly number[] => toTensor(x).shape,
  size: (x: TensorLike): number => toTensor(x).size,

  // ---- creation ----
  array: ops.tensor,
  asarray: ops.tensor,
  arange: ops.arange,
  linspace: ops.linspace,
  logspace: ops.logspace,
  geomspace: ops.geomspace,
  zeros: ops.zeros,
  ones: ops.ones,
  full: ops.full,
  zerosLike: ops.zerosLike,
  onesLike: ops.onesLike,
  fullLike: ops.fullLike,
  eye: ops.eye,
  identity: ops.identity,
  tri: ops.tri,
  indices: ops.indices,
  meshgrid: ops.meshgrid,
  fromfunction,
  hann: ops.hann,
  hamming: ops.hamming,
  blackman: ops.blackman,
  bartlett: ops.bartlett,
  vander: ops.vander,
  diagIndices: ops.diagIndices,
  diagIndicesFrom: ops.diagIndicesFrom,

  // ---- elementwise ----
  abs: ops.abs,
  absolute: ops.abs,
  negative: ops.neg,
  positive: (x: TensorLike): Tensor => ops.astype(x, toTensor(x).dtype),
  sign: ops.sign,
  exp: ops.exp,
  expm1: ops.expm1,
  log: ops.log,
  log1p: ops.log1p,
  log2: ops.log2,
  log10: ops.log10,
  exp2: ops.exp2,
  cbrt: ops.cbrt,
  trunc: ops.trunc,
  hypot: ops.hypot,
  fmod: ops.fmod,
  signbit: ops.signbit,
  copysign: ops.copysign,
  deg2rad: ops.deg2rad,
  rad2deg: ops.rad2deg,
  radians: ops.deg2rad,
  degrees: ops.rad2deg,
  logaddexp: ops.logaddexp,
  logaddexp2: ops.logaddexp2,
  fmax: ops.fmax,
  fmin: ops.fmin,
  heaviside: ops.heaviside,
  nanToNum: ops.nanToNum,
  divmod: ops.divmod,
  modf: ops.modf,
  floorDivide: ops.floorDivide,
  rint: ops.rint,
  ldexp: ops.ldexp,
  frexp: ops.frexp,
  sinc: ops.sinc,
  bitwiseAnd: ops.bitwiseAnd,
  bitwiseOr: ops.bitwiseOr,
  bitwiseXor: ops.bitwiseXor,
  bitwiseNot: ops.bitwiseNot,
  bitwiseInvert: ops.bitwiseNot,
  invert: ops.bitwiseNot,
  leftShift: ops.leftShift,
  bitwiseLeftShift: ops.leftShift,
  rightShift: ops.rightShift,
  bitwiseRightShift: ops.rightShift,
  bitwiseCount: ops.bitwiseCount,
  sqrt: ops.sqrt,
  square: ops.square,
  reciprocal: ops.reciprocal,
  sin: ops.sin,
  cos: ops.cos,
  tan: ops.tan,
  asin: ops.asin,
  acos: ops.acos,
  atan: ops.atan,
  arcsin: ops.asin,
  arccos: ops.acos,
  arctan: ops.atan,
  sinh: ops.sinh,
  cosh: ops.cosh,
  tanh: ops.tanh,
  asinh: ops.asinh,
  acosh: ops.acosh,
  atanh: ops.atanh,
  arcsinh: ops.asinh,
  arccosh: ops.acosh,
  arctanh: ops.atanh,
  floor: ops.floor,
  ceil: ops.ceil,
  round: ops.round,
  around: ops.round,
  clip: ops.clip,
  where: ops.where,
  astype: ops.astype,
  add: ops.add,
  subtract: ops.sub,
  multiply: ops.mul,
  divide: ops.div,
  trueDivide: ops.div,
  power: ops.pow,
  pow: ops.pow,
  floatPower: (x: TensorLike, y: TensorLike): Tensor =>
    ops.pow(ops.astype(x, "float64"), ops.astype(y, "float64")),
  remainder: ops.mod,
  mod: ops.mod,
  maximum: ops.maximum,
  minimum: ops.minimum,
  atan2: ops.atan2,
  arctan2: ops.atan2,
  // ---- comparison and logic ----
  equal: ops.equal,
  notEqual: ops.notEqual,
  less: ops.less,
  lessEqual: ops.lessEqual,
  greater: ops.greater,
  greaterEqual: ops.greaterEqual,
  logicalAnd: ops.logicalAnd,
  logicalOr: ops.logicalOr,
  logicalNot: ops.logicalNot,
  logicalXor: ops.logicalXor,
  isnan: ops.isNaN,
  isfinite: ops.isFinite,
  isinf: ops.isinf,
  isposinf: ops.isposinf,
  isneginf: ops.isneginf,
  isclose: ops.isclose,
  allclose: ops.allclose,
  arrayEqual: ops.arrayEqual,
  arrayEquiv: ops.arrayEquiv,
  isin: ops.isin,
  all: ops.all,
  any: ops.any,
  countNonzero: ops.countNonzero,
  select: ops.select,

  // ---- reductions and statistics ----
  sum: ops.sum,
  prod: ops.prod,
  mean: ops.mean,
  max: ops.max,
  min: ops.min,
  argmax: ops.argmax,
  argmin: ops.argmin,
  std: ops.std,
  var: ops.variance,
  var_: ops.variance,
  cumsum: ops.cumsum,
  cumprod: ops.cumprod,
  cumulativeSum: ops.cumulativeSum,
  cumulativeProd: ops.cumulativeProd,
  average: ops.average,
  ptp: ops.ptp,
  cov: ops.cov,
  corrcoef: ops.corrcoef,
  median: ops.median,
  quantile: ops.quantile,
  percentile: ops.percentile,
  nansum: ops.nansum,
  nanprod: ops.nanprod,
  nanmean: ops.nanmean,
  nanmax: ops.nanmax,
  nanmin: ops.nanmin,
  nanstd: ops.nanstd,
  nanvar: ops.nanvar,
  nanargmax: ops.nanargmax,
  nanargmin: ops.nanargmin,
  nancumsum: ops.nancumsum,
  nancumprod: ops.nancumprod,

  // ---- shape, joining, indexing ----
  reshape: ops.reshape,
  ravel: ops.ravel,
  transpose: ops.transpose,
  permuteDims: ops.transpose,
  matrixTranspose: linalg.matrixTranspose,
  swapaxes: ops.swapAxes,
  moveaxis: ops.moveaxis,
  expandDims: ops.expandDims,
  squeeze: ops.squeeze,
  broadcastTo: ops.broadcastTo,
  broadcastArrays: ops.broadcastArrays,
  broadcastShapes: ops.broadcastShapes,
  concatenate: ops.concat,
  stack: ops.stack,
  vstack: ops.vstack,
  hstack: ops.hstack,
  dstack: ops.dstack,
  columnStack: ops.columnStack,
  append: ops.append,
  // NumPy's split: a number of equal sections (an error when they are not equal), or split points.
  split: (x: TensorLike, indicesOrSections: number | readonly number[], axis = 0): Tensor[] =>
    typeof indicesOrSections === "number"
      ? ops.split(x, indicesOrSections, axis)
      : ops.arraySplit(x, indicesOrSections, axis),
  arraySplit: ops.arraySplit,
  hsplit: ops.hsplit,
  vsplit: ops.vsplit,
  dsplit: ops.dsplit,
  unstack: ops.unstack,
  tile: ops.tile,
  repeat: ops.repeat,
  pad: ops.pad,
  flip: ops.flip,
  fliplr: ops.fliplr,
  flipud: ops.flipud,
  rot90: ops.rot90,
  roll: ops.roll,
  atleast1d: ops.atleast1d,
  atleast2d: ops.atleast2d,
  atleast3d: ops.atleast3d,
  take: ops.take,
  takeAlongAxis: ops.takeAlongAxis,
  sort: ops.sort,
  argsort: ops.argsort,
  diag: ops.diag,
  diagonal: ops.diagonal,
  diagflat: ops.diagflat,
  trace: ops.trace,
  tril: ops.tril,
  triu: ops.triu,
  applyAlongAxis,
  applyOverAxes,

  // ---- products ----
  matmul: ops.matmul,
  dot: ops.dot,
  outer: ops.outer,
  inner: ops.inner,
  vdot: ops.vdot,
  vecdot: ops.vecdot,
  matvec: ops.matvec,
  vecmat: ops.vecmat,
  tensordot: ops.tensordot,
  kron: ops.kron,
  cross: ops.cross,
  einsum: ops.einsum,

  // ---- sequences and polynomials ----
  diff: ops.diff,
  ediff1d: ops.ediff1d,
  convolve: ops.convolve,
  correlate: ops.correlate,
  trapezoid: ops.trapezoid,
  unwrap: ops.unwrap,
  polyval: ops.polyval,
  polyadd: ops.polyadd,
  polysub: ops.polysub,
  polymul: ops.polymul,
  polyder: ops.polyder,
  polyint: ops.polyint,
  polydiv: ops.polydiv,
  poly: ops.poly,
  polyfit: ops.polyfit,
  gradient: ops.gradient,
  piecewise: ops.piecewise,

  // ---- searching, counting, sets ----
  searchsorted: ops.searchsorted,
  digitize: ops.digitize,
  interp: ops.interp,
  bincount: ops.bincount,
  histogram: ops.histogram,
  histogramBinEdges: ops.histogramBinEdges,
  unique: ops.unique,
  uniqueValues: ops.uniqueValues,
  uniqueCounts: ops.uniqueCounts,
  uniqueInverse: ops.uniqueInverse,
  uniqueAll: ops.uniqueAll,
  union1d: ops.union1d,
  intersect1d: ops.intersect1d,
  setdiff1d: ops.setdiff1d,
  setxor1d: ops.setxor1d,
  nonzero: ops.nonzero,
  flatnonzero: ops.flatnonzero,
  argwhere: ops.argwhere,
  extract: ops.extract,
  compress: ops.compress,
  trimZeros: ops.trimZeros,
  nanmedian: ops.nanmedian,
  nanquantile: ops.nanquantile,
  nanpercentile: ops.nanpercentile,
};

/** Type names of `ad.numpy`, so `np.ndarray` reads as in NumPy code. */
export declare namespace numpy {
  /** A tensor (NumPy's and JAX's array). */
  type ndarray = Tensor;
  /** A dtype name. */
  type dtype = DType;
}
