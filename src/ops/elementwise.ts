/**
 * @file The elementwise ops users call: unary math, broadcasting binary arithmetic, comparisons
 * and logic, where/clip, astype, and the composites logSigmoid and gelu. Each converts and
 * promotes its arguments (JS numbers are weak), then binds a primitive.
 */

import { scalar, toTensor } from "../core/convert.js";
import { type DType, isDType, isFloat } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import type { AnyPrimitive } from "../core/primitive.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import {
  addPrim,
  atan2Prim,
  divPrim,
  maximumPrim,
  minimumPrim,
  modPrim,
  mulPrim,
  powPrim,
  subPrim,
} from "../primitives/binary.js";
import { convertElementType } from "../primitives/cast.js";
import {
  equalPrim,
  greaterEqualPrim,
  greaterPrim,
  lessEqualPrim,
  lessPrim,
  logicalAndPrim,
  logicalOrPrim,
  notEqualPrim,
} from "../primitives/compare.js";
import { selectPrim } from "../primitives/select.js";
import {
  absPrim,
  acoshPrim,
  acosPrim,
  asinhPrim,
  asinPrim,
  atanhPrim,
  atanPrim,
  ceilPrim,
  coshPrim,
  cosPrim,
  erfPrim,
  expm1Prim,
  expPrim,
  floorPrim,
  isFinitePrim,
  isNaNPrim,
  log1pPrim,
  logicalNotPrim,
  logPrim,
  negPrim,
  reciprocalPrim,
  reluPrim,
  roundPrim,
  rsqrtPrim,
  sigmoidPrim,
  signPrim,
  sinhPrim,
  sinPrim,
  softplusPrim,
  sqrtPrim,
  squarePrim,
  tanhPrim,
  tanPrim,
} from "../primitives/unary.js";
import { promoteArgs, promoteToFloat, resultDType } from "./promote.js";

// ---- argument handling ------------------------------------------------------------------------

/** `x` as a float tensor: ints and bools become the default float (for exp, log, ...). */
function asFloat(x: TensorLike): Tensor {
  return promoteToFloat([x])[0]!;
}

/** `x` as a numeric tensor: bool becomes int32 (arithmetic on bools counts them, as JS does). */
function asNumeric(x: TensorLike): Tensor {
  const t = toTensor(x);
  return t.dtype === "bool" ? astype(t, "int32") : t;
}

/** Operands promoted to their common dtype, bool lifted to int32 (for add, mul, ...). */
function promoteNumeric(args: readonly TensorLike[]): Tensor[] {
  const dtype = resultDType(args);
  return dtype === "bool" ? args.map((a) => astype(toTensor(a), "int32")) : promoteArgs(args);
}

function unaryOp(prim: AnyPrimitive, x: Tensor): Tensor {
  return bind(prim, [x], undefined);
}

function binaryOp(prim: AnyPrimitive, [x, y]: readonly Tensor[]): Tensor {
  return bind(prim, [x!, y!], undefined);
}

const notBool = (dtype: DType): boolean => dtype !== "bool";
const anyDType = (): boolean => true;

/**
 * A binary op with a fast path for the common cases: two tensors of one dtype that `accepts`
 * takes as it is, or a float tensor and a JS number. They go straight to bind (this is the per-op
 * hot path of scalar code under grad); anything else goes through `promote`.
 */
function binaryWith(
  prim: AnyPrimitive,
  x: TensorLike,
  y: TensorLike,
  promote: (args: readonly TensorLike[]) => Tensor[],
  accepts: (dtype: DType) => boolean,
): Tensor {
  if (x instanceof Tensor) {
    if (y instanceof Tensor) {
      if (x.dtype === y.dtype && accepts(x.dtype)) return bind(prim, [x, y], undefined);
    } else if (typeof y === "number" && isFloat(x.dtype)) {
      return bind(prim, [x, scalar(y, x.dtype)], undefined);
    }
  } else if (typeof x === "number" && y instanceof Tensor && isFloat(y.dtype)) {
    return bind(prim, [scalar(x, y.dtype), y], undefined);
  }
  return binaryOp(prim, promote([x, y]));
}

function numericBinary(prim: AnyPrimitive, x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(prim, x, y, promoteNumeric, notBool);
}

// ---- unary: arithmetic ------------------------------------------------------------------------

/**
 * Elementwise negation (int32 stays int32; bool becomes int32).
 * @example ad.neg([1, -2]) // [-1, 2]
 */
export function neg(x: TensorLike): Tensor {
  return unaryOp(negPrim, asNumeric(x));
}

/**
 * Elementwise absolute value; its derivative at 0 is 0.
 * @example ad.abs([-1.5, 2]) // [1.5, 2]
 */
export function abs(x: TensorLike): Tensor {
  return unaryOp(absPrim, asNumeric(x));
}

/**
 * Elementwise sign: -1, 0 or 1 (NaN stays NaN); zero derivative.
 * @example ad.sign([-3, 0, 2]) // [-1, 0, 1]
 */
export function sign(x: TensorLike): Tensor {
  return unaryOp(signPrim, asNumeric(x));
}

/**
 * Elementwise square x * x.
 * @example ad.square([2, -3]) // [4, 9]
 */
export function square(x: TensorLike): Tensor {
  return unaryOp(squarePrim, asNumeric(x));
}

/**
 * Elementwise reciprocal 1 / x (always a float).
 * @example ad.reciprocal([2, 4]) // [0.5, 0.25]
 */
export function reciprocal(x: TensorLike): Tensor {
  return unaryOp(reciprocalPrim, asFloat(x));
}

// ---- unary: exponentials, logarithms, roots ---------------------------------------------------

/**
 * Elementwise e^x.
 * @example ad.exp([0, 1]) // [1, 2.7182817]
 */
export function exp(x: TensorLike): Tensor {
  return unaryOp(expPrim, asFloat(x));
}

/**
 * Elementwise natural logarithm.
 * @example ad.log([1, Math.E]) // [0, 1]
 */
export function log(x: TensorLike): Tensor {
  return unaryOp(logPrim, asFloat(x));
}

/**
 * Elementwise log(1 + x), accurate for small x.
 * @example ad.log1p([1e-10]) // [1e-10]
 */
export function log1p(x: TensorLike): Tensor {
  return unaryOp(log1pPrim, asFloat(x));
}

/**
 * Elementwise e^x - 1, accurate for small x.
 * @example ad.expm1([1e-10]) // [1e-10]
 */
export function expm1(x: TensorLike): Tensor {
  return unaryOp(expm1Prim, asFloat(x));
}

/**
 * Elementwise square root; its derivative at 0 is +Infinity.
 * @example ad.sqrt([4, 9]) // [2, 3]
 */
export function sqrt(x: TensorLike): Tensor {
  return unaryOp(sqrtPrim, asFloat(x));
}

/**
 * Elementwise reciprocal square root 1 / sqrt(x).
 * @example ad.rsqrt([4]) // [0.5]
 */
export function rsqrt(x: TensorLike): Tensor {
  return unaryOp(rsqrtPrim, asFloat(x));
}

// ---- unary: trigonometric and hyperbolic ------------------------------------------------------

/**
 * Elementwise sine (radians).
 * @example ad.sin([0, Math.PI / 2]) // [0, 1]
 */
export function sin(x: TensorLike): Tensor {
  return unaryOp(sinPrim, asFloat(x));
}

/**
 * Elementwise cosine (radians).
 * @example ad.cos([0]) // [1]
 */
export function cos(x: TensorLike): Tensor {
  return unaryOp(cosPrim, asFloat(x));
}

/**
 * Elementwise tangent (radians).
 * @example ad.tan([Math.PI / 4]) // [1]
 */
export function tan(x: TensorLike): Tensor {
  return unaryOp(tanPrim, asFloat(x));
}

/**
 * Elementwise arcsine.
 * @example ad.asin([1]) // [1.5707964]
 */
export function asin(x: TensorLike): Tensor {
  return unaryOp(asinPrim, asFloat(x));
}

/**
 * Elementwise arccosine.
 * @example ad.acos([1]) // [0]
 */
export function acos(x: TensorLike): Tensor {
  return unaryOp(acosPrim, asFloat(x));
}

/**
 * Elementwise arctangent.
 * @example ad.atan([1]) // [0.7853982]
 */
export function atan(x: TensorLike): Tensor {
  return unaryOp(atanPrim, asFloat(x));
}

/**
 * Elementwise hyperbolic sine.
 * @example ad.sinh([0]) // [0]
 */
export function sinh(x: TensorLike): Tensor {
  return unaryOp(sinhPrim, asFloat(x));
}

/**
 * Elementwise hyperbolic cosine.
 * @example ad.cosh([0]) // [1]
 */
export function cosh(x: TensorLike): Tensor {
  return unaryOp(coshPrim, asFloat(x));
}

/**
 * Elementwise hyperbolic tangent.
 * @example ad.tanh([0, 100]) // [0, 1]
 */
export function tanh(x: TensorLike): Tensor {
  return unaryOp(tanhPrim, asFloat(x));
}

/**
 * Elementwise inverse hyperbolic sine.
 * @example ad.asinh([0]) // [0]
 */
export function asinh(x: TensorLike): Tensor {
  return unaryOp(asinhPrim, asFloat(x));
}

/**
 * Elementwise inverse hyperbolic cosine (x >= 1).
 * @example ad.acosh([1]) // [0]
 */
export function acosh(x: TensorLike): Tensor {
  return unaryOp(acoshPrim, asFloat(x));
}

/**
 * Elementwise inverse hyperbolic tangent (|x| < 1).
 * @example ad.atanh([0]) // [0]
 */
export function atanh(x: TensorLike): Tensor {
  return unaryOp(atanhPrim, asFloat(x));
}

// ---- unary: special functions and activations -------------------------------------------------

/**
 * Elementwise Gauss error function.
 * @example ad.erf([0, 10]) // [0, 1]
 */
export function erf(x: TensorLike): Tensor {
  return unaryOp(erfPrim, asFloat(x));
}

/**
 * Elementwise logistic function 1 / (1 + e^-x), stable for large |x|.
 * @example ad.sigmoid([0]) // [0.5]
 */
export function sigmoid(x: TensorLike): Tensor {
  return unaryOp(sigmoidPrim, asFloat(x));
}

/**
 * Elementwise log(1 + e^x), stable for large |x|: softplus(100) = 100, softplus(-100) = 3.7e-44.
 * @example ad.softplus([0]) // [0.6931472]
 */
export function softplus(x: TensorLike): Tensor {
  return unaryOp(softplusPrim, asFloat(x));
}

/**
 * Elementwise log(sigmoid(x)) = -softplus(-x), finite for large |x|.
 * @example ad.logSigmoid([0, -100]) // [-0.6931472, -100]
 */
export function logSigmoid(x: TensorLike): Tensor {
  return neg(softplus(neg(asFloat(x))));
}

/**
 * Elementwise max(x, 0); its derivative at 0 is 0.
 * @example ad.relu([-1, 0, 2]) // [0, 0, 2]
 */
export function relu(x: TensorLike): Tensor {
  return unaryOp(reluPrim, asNumeric(x));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian error linear unit: x * Phi(x) with the exact erf form by default (as PyTorch), or the
 * tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) with `approximate: true`.
 * @example ad.gelu([1]) // [0.8413447]; ad.gelu([1], { approximate: true }) // [0.8411920]
 */
export function gelu(x: TensorLike, options: { approximate?: boolean } = {}): Tensor {
  const approximate = options.approximate ?? false;
  if (typeof approximate !== "boolean") {
    throw new ValueError(`gelu: approximate must be a boolean; got ${String(approximate)}`);
  }
  const t = asFloat(x);
  const half = mul(t, 0.5);
  if (approximate) {
    const inner = mul(add(t, mul(mul(t, square(t)), 0.044715)), SQRT_2_OVER_PI);
    return mul(half, add(tanh(inner), 1));
  }
  return mul(half, add(erf(mul(t, Math.SQRT1_2)), 1));
}

// ---- unary: rounding (zero derivative; ints and bools are returned as they are) ---------------

/**
 * Elementwise round toward -Infinity; zero derivative. Integer dtypes are kept.
 * @example ad.floor([1.5, -1.5]) // [1, -2]
 */
export function floor(x: TensorLike): Tensor {
  return unaryOp(floorPrim, toTensor(x));
}

/**
 * Elementwise round toward +Infinity; zero derivative. Integer dtypes are kept.
 * @example ad.ceil([1.5, -1.5]) // [2, -1]
 */
export function ceil(x: TensorLike): Tensor {
  return unaryOp(ceilPrim, toTensor(x));
}

/**
 * Elementwise round half to even (as NumPy); zero derivative. Integer dtypes are kept.
 * @example ad.round([0.5, 1.5, 2.5]) // [0, 2, 2]
 */
export function round(x: TensorLike): Tensor {
  return unaryOp(roundPrim, toTensor(x));
}

// ---- binary arithmetic ------------------------------------------------------------------------

/**
 * Elementwise x + y with broadcasting.
 * @example ad.add([1, 2], 10) // [11, 12]
 */
export function add(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(addPrim, x, y);
}

/**
 * Elementwise x - y with broadcasting.
 * @example ad.sub([[1], [2]], [1, 2]) // [[0, -1], [1, 0]]
 */
export function sub(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(subPrim, x, y);
}

/**
 * Elementwise x * y with broadcasting.
 * @example ad.mul([1, 2], [3, 4]) // [3, 8]
 */
export function mul(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(mulPrim, x, y);
}

/**
 * Elementwise true division x / y with broadcasting; integer operands give a float result.
 * @example ad.div([1, 3], 2) // [0.5, 1.5]
 */
export function div(x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(divPrim, x, y, promoteToFloat, isFloat);
}

/**
 * Elementwise x^y with broadcasting. d/dx is 0 where y == 0 (so pow(x, 2)' at 0 is 0) and d/dy
 * treats log(0) as 0, so no NaN appears at x == 0.
 * @example ad.pow([2, 3], 2) // [4, 9]
 */
export function pow(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(powPrim, x, y);
}

/**
 * Elementwise maximum with broadcasting (NaN propagates). At ties each side gets half the
 * derivative, so maximum(x, x)' = 1, in forward and reverse mode alike.
 * @example ad.maximum([1, 5], [3, 2]) // [3, 5]
 */
export function maximum(x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(maximumPrim, x, y, promoteArgs, anyDType);
}

/**
 * Elementwise minimum with broadcasting (NaN propagates); ties split the derivative in half.
 * @example ad.minimum([1, 5], [3, 2]) // [1, 2]
 */
export function minimum(x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(minimumPrim, x, y, promoteArgs, anyDType);
}

/**
 * Elementwise angle of the point (y, x) as NumPy's arctan2(x1, x2): atan2(x1, x2) is the angle of
 * (x2, x1), in (-pi, pi].
 * @example ad.atan2([1], [0]) // [1.5707964]
 */
export function atan2(x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(atan2Prim, x, y, promoteToFloat, isFloat);
}

/**
 * Elementwise remainder with the sign of the divisor (NumPy's mod / Python's %).
 * @example ad.mod([-1, 5], 3) // [2, 2]
 */
export function mod(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(modPrim, x, y);
}

// ---- comparison and logic (bool results, not differentiable) ----------------------------------

/**
 * Elementwise x == y with broadcasting, as bool.
 * @example ad.equal([1, 2], 2) // [false, true]
 */
export function equal(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(equalPrim, promoteArgs([x, y]));
}

/**
 * Elementwise x != y with broadcasting, as bool.
 * @example ad.notEqual([1, 2], 2) // [true, false]
 */
export function notEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(notEqualPrim, promoteArgs([x, y]));
}

/**
 * Elementwise x < y with broadcasting, as bool.
 * @example ad.less([1, 2], 2) // [true, false]
 */
export function less(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(lessPrim, promoteArgs([x, y]));
}

/**
 * Elementwise x <= y with broadcasting, as bool.
 * @example ad.lessEqual([1, 3], 2) // [true, false]
 */
export function lessEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(lessEqualPrim, promoteArgs([x, y]));
}

/**
 * Elementwise x > y with broadcasting, as bool.
 * @example ad.greater([1, 3], 2) // [false, true]
 */
export function greater(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(greaterPrim, promoteArgs([x, y]));
}

/**
 * Elementwise x >= y with broadcasting, as bool.
 * @example ad.greaterEqual([1, 2], 2) // [false, true]
 */
export function greaterEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(greaterEqualPrim, promoteArgs([x, y]));
}

/**
 * Elementwise logical and (nonzero is true) with broadcasting, as bool.
 * @example ad.logicalAnd([true, true], [true, false]) // [true, false]
 */
export function logicalAnd(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(logicalAndPrim, promoteArgs([x, y]));
}

/**
 * Elementwise logical or (nonzero is true) with broadcasting, as bool.
 * @example ad.logicalOr([false, true], false) // [false, true]
 */
export function logicalOr(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(logicalOrPrim, promoteArgs([x, y]));
}

/**
 * Elementwise logical not (nonzero is true), as bool.
 * @example ad.logicalNot([true, false]) // [false, true]
 */
export function logicalNot(x: TensorLike): Tensor {
  return unaryOp(logicalNotPrim, toTensor(x));
}

/**
 * Elementwise test for NaN, as bool.
 * @example ad.isNaN([1, NaN]) // [false, true]
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: API.md fixes this name; the global is not used here
export function isNaN(x: TensorLike): Tensor {
  return unaryOp(isNaNPrim, toTensor(x));
}

/**
 * Elementwise test for a finite value (not NaN or ±Infinity), as bool.
 * @example ad.isFinite([1, Infinity, NaN]) // [true, false, false]
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: API.md fixes this name; the global is not used here
export function isFinite(x: TensorLike): Tensor {
  return unaryOp(isFinitePrim, toTensor(x));
}

// ---- selection --------------------------------------------------------------------------------

/**
 * Elements of `a` where `cond` is true, else of `b`; all three broadcast together. `cond` must be
 * bool (a comparison's result, or booleans); a and b are promoted to a common dtype.
 * @example ad.where(ad.greater(x, 0), x, 0) // relu
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = toTensor(cond);
  if (c.dtype !== "bool") {
    throw new DTypeError(
      `where: cond must have dtype bool; got ${c.dtype} (compare first, e.g. x.greater(0), or use .astype("bool"))`,
    );
  }
  const [x, y] = promoteArgs([a, b]);
  return bind(selectPrim, [c, x!, y!], undefined);
}

/**
 * Elementwise clamp of x to [lo, hi] (either may be null: unbounded), as PyTorch's clamp: the
 * derivative w.r.t. x is 1 inside and on the bounds, and flows to lo/hi where x is clipped. If
 * lo > hi the result is hi.
 * @example ad.clip([-2, 0.5, 3], 0, 1) // [0, 0.5, 1]
 */
export function clip(x: TensorLike, lo: TensorLike | null, hi: TensorLike | null): Tensor {
  const args: TensorLike[] = [x];
  if (lo !== null && lo !== undefined) args.push(lo);
  if (hi !== null && hi !== undefined) args.push(hi);
  const [t, ...bounds] = promoteArgs(args);
  let out = t!;
  if (lo !== null && lo !== undefined) {
    const low = bounds.shift()!;
    out = where(less(out, low), low, out);
  }
  if (hi !== null && hi !== undefined) {
    const high = bounds.shift()!;
    out = where(greater(out, high), high, out);
  }
  return out;
}

// ---- dtype conversion -------------------------------------------------------------------------

/**
 * `x` converted to `dtype` (returned unchanged when it already has it). To bool is x != 0; to
 * int32 truncates toward zero. Converting to a float dtype is differentiable.
 * @example ad.tensor([1.7, -1.7]).astype("int32") // [1, -1]
 */
export function astype(x: TensorLike, dtype: DType): Tensor {
  if (!isDType(dtype)) {
    throw new DTypeError(
      `astype: dtype must be one of float32, float64, int32, bool; got ${JSON.stringify(dtype)}`,
    );
  }
  if (!(x instanceof Tensor)) return toTensor(x, dtype);
  if (x.dtype === dtype) return x;
  return bind(convertElementType, [x], { dtype });
}
