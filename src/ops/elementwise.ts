/**
 * @file The elementwise ops users call: unary math, broadcasting binary arithmetic, comparisons
 * and logic, where/clip, astype, and the composites logSigmoid and gelu. Each converts and
 * promotes its arguments (JS numbers are weak), then binds a primitive.
 */

import { checkTensorLike, scalar, toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { type DType, isDType, isFloat } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { AnyPrimitive } from "../core/primitive.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import {
  addPrim,
  divPrim,
  maximumPrim,
  minimumPrim,
  mulPrim,
  powPrim,
  subPrim,
} from "../primitives/binary.js";
import { convertElementType } from "../primitives/cast.js";
import { binaryPrimitive, unaryPrimitive } from "../primitives/elementwise.js";
import { selectPrim } from "../primitives/select.js";
import { negPrim } from "../primitives/unary.js";
import { promoteArgs, promoteToFloat, resultDType } from "./promote.js";

// ---- argument handling ------------------------------------------------------------------------

/** `x` as a float tensor: ints and bools become the default float (for exp, log, ...). */
function asFloat(x: TensorLike, op?: string): Tensor {
  if (op !== undefined && !(x instanceof Tensor)) checkTensorLike(op, "x", x);
  return promoteToFloat([x])[0]!;
}

/** `x` as a numeric tensor: bool becomes int32 (arithmetic on bools counts them, as JS does). */
function asNumeric(x: TensorLike, op?: string): Tensor {
  if (op !== undefined && !(x instanceof Tensor)) checkTensorLike(op, "x", x);
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
  checkTensorLike(prim.name, "x", x);
  checkTensorLike(prim.name, "y", y);
  return binaryOp(prim, promote([x, y]));
}

function numericBinary(prim: AnyPrimitive, x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(prim, x, y, promoteNumeric, notBool);
}

// ---- unary: arithmetic ------------------------------------------------------------------------

/**
 * Elementwise negation (int32 stays int32; bool becomes int32).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.neg([1, -2]); // => tensor([-1., 2.], dtype=float32)
 * ad.neg(ad.tensor([1, 2], { dtype: "int32" })); // => tensor([-1, -2], dtype=int32)
 * ```
 * @category Elementwise
 */
export function neg(x: TensorLike): Tensor {
  return unaryOp(negPrim, asNumeric(x, negPrim.name));
}

/**
 * Elementwise absolute value; its derivative at 0 is 0.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.abs([-1.5, 2]); // => tensor([1.5, 2.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.sum(ad.abs(x)))(ad.tensor([-2, 0, 3])); // => tensor([-1., 0., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function abs(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("abs"), asNumeric(x, unaryPrimitive("abs").name));
}

/**
 * Elementwise sign: -1, 0 or 1 (NaN stays NaN); zero derivative.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sign([-3, 0, 2]); // => tensor([-1., 0., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function sign(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("sign"), asNumeric(x, unaryPrimitive("sign").name));
}

/**
 * Elementwise square x * x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.square([2, -3]); // => tensor([4., 9.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function square(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("square"), asNumeric(x, unaryPrimitive("square").name));
}

/**
 * Elementwise reciprocal 1 / x (always a float).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.reciprocal([2, 4]); // => tensor([0.5, 0.25], dtype=float32)
 * ```
 * @category Elementwise
 */
export function reciprocal(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("reciprocal"), asFloat(x, unaryPrimitive("reciprocal").name));
}

// ---- unary: exponentials, logarithms, roots ---------------------------------------------------

/**
 * Elementwise e^x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.exp([0, 1]); // => tensor([1., 2.718282], dtype=float32)
 * ```
 * @category Elementwise
 */
export function exp(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("exp"), asFloat(x, unaryPrimitive("exp").name));
}

/**
 * Elementwise natural logarithm.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.log([1, Math.E]); // => tensor([0., 0.9999999], dtype=float32)
 * ```
 * @category Elementwise
 */
export function log(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("log"), asFloat(x, unaryPrimitive("log").name));
}

/**
 * Elementwise log(1 + x), accurate for small x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.log1p([1e-10]); // => tensor([1e-10], dtype=float32)
 * ```
 * @category Elementwise
 */
export function log1p(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("log1p"), asFloat(x, unaryPrimitive("log1p").name));
}

/**
 * Elementwise e^x - 1, accurate for small x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.expm1([1e-10]); // => tensor([1e-10], dtype=float32)
 * ```
 * @category Elementwise
 */
export function expm1(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("expm1"), asFloat(x, unaryPrimitive("expm1").name));
}

/**
 * Elementwise square root; its derivative at 0 is +Infinity.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sqrt([4, 9]); // => tensor([2., 3.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.sqrt(x))(ad.scalar(0)); // => tensor(Infinity, dtype=float32)
 * ```
 * @category Elementwise
 */
export function sqrt(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("sqrt"), asFloat(x, unaryPrimitive("sqrt").name));
}

/**
 * Elementwise reciprocal square root 1 / sqrt(x).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.rsqrt([4]); // => tensor([0.5], dtype=float32)
 * ```
 * @category Elementwise
 */
export function rsqrt(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("rsqrt"), asFloat(x, unaryPrimitive("rsqrt").name));
}

// ---- unary: trigonometric and hyperbolic ------------------------------------------------------

/**
 * Elementwise sine (radians).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sin([0, Math.PI / 2]); // => tensor([0., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function sin(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("sin"), asFloat(x, unaryPrimitive("sin").name));
}

/**
 * Elementwise cosine (radians).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cos([0]); // => tensor([1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function cos(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("cos"), asFloat(x, unaryPrimitive("cos").name));
}

/**
 * Elementwise tangent (radians).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tan([Math.PI / 4]); // => tensor([1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function tan(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("tan"), asFloat(x, unaryPrimitive("tan").name));
}

/**
 * Elementwise arcsine.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.asin([1]); // => tensor([1.570796], dtype=float32)
 * ```
 * @category Elementwise
 */
export function asin(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("asin"), asFloat(x, unaryPrimitive("asin").name));
}

/**
 * Elementwise arccosine.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.acos([1]); // => tensor([0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function acos(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("acos"), asFloat(x, unaryPrimitive("acos").name));
}

/**
 * Elementwise arctangent.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.atan([1]); // => tensor([0.7853982], dtype=float32)
 * ```
 * @category Elementwise
 */
export function atan(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("atan"), asFloat(x, unaryPrimitive("atan").name));
}

/**
 * Elementwise hyperbolic sine.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sinh([0]); // => tensor([0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function sinh(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("sinh"), asFloat(x, unaryPrimitive("sinh").name));
}

/**
 * Elementwise hyperbolic cosine.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cosh([0]); // => tensor([1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function cosh(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("cosh"), asFloat(x, unaryPrimitive("cosh").name));
}

/**
 * Elementwise hyperbolic tangent.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tanh([0, 100]); // => tensor([0., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function tanh(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("tanh"), asFloat(x, unaryPrimitive("tanh").name));
}

/**
 * Elementwise inverse hyperbolic sine.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.asinh([0]); // => tensor([0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function asinh(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("asinh"), asFloat(x, unaryPrimitive("asinh").name));
}

/**
 * Elementwise inverse hyperbolic cosine (x >= 1).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.acosh([1]); // => tensor([0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function acosh(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("acosh"), asFloat(x, unaryPrimitive("acosh").name));
}

/**
 * Elementwise inverse hyperbolic tangent (|x| < 1).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.atanh([0]); // => tensor([0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function atanh(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("atanh"), asFloat(x, unaryPrimitive("atanh").name));
}

// ---- unary: special functions and activations -------------------------------------------------

/**
 * Elementwise Gauss error function.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.erf([0, 10]); // => tensor([0., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function erf(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("erf"), asFloat(x, unaryPrimitive("erf").name));
}

/**
 * Elementwise logistic function 1 / (1 + e^-x), stable for large |x|.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sigmoid([0]); // => tensor([0.5], dtype=float32)
 * ```
 * @category Elementwise
 */
export function sigmoid(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("sigmoid"), asFloat(x, unaryPrimitive("sigmoid").name));
}

/**
 * Elementwise log(1 + e^x), stable for large |x|: softplus(100) = 100, softplus(-100) = 3.7e-44.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.softplus([0]); // => tensor([0.6931472], dtype=float32)
 * ```
 * @category Elementwise
 */
export function softplus(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("softplus"), asFloat(x, unaryPrimitive("softplus").name));
}

/**
 * Elementwise log(sigmoid(x)) = -softplus(-x), finite for large |x|.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logSigmoid([0, -100]); // => tensor([-0.6931472, -100.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function logSigmoid(x: TensorLike): Tensor {
  return neg(softplus(neg(asFloat(x))));
}

/**
 * Elementwise max(x, 0); its derivative at 0 is 0.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.relu([-1, 0, 2]); // => tensor([0., 0., 2.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.sum(ad.relu(x)))(ad.tensor([-1, 0, 2])); // => tensor([0., 0., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function relu(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("relu"), asNumeric(x, unaryPrimitive("relu").name));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian error linear unit: x * Phi(x) with the exact erf form by default (as PyTorch), or the
 * tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) with `approximate: true`.
 * @throws {@link ValueError} when `approximate` is not a boolean.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.gelu([1]); // => tensor([0.8413447], dtype=float32)
 * ad.gelu([1], { approximate: true }); // => tensor([0.841192], dtype=float32)
 * ```
 * @category Elementwise
 */
export function gelu(x: TensorLike, options: { approximate?: boolean } = {}): Tensor {
  options = checkOptions("gelu", options, ["approximate"]);
  const approximate = options.approximate ?? false;
  if (typeof approximate !== "boolean") {
    throw new ValueError(`gelu: approximate must be a boolean; got ${describeValue(approximate)}`);
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
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.floor([1.5, -1.5]); // => tensor([1., -2.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function floor(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("floor"), toTensor(x));
}

/**
 * Elementwise round toward +Infinity; zero derivative. Integer dtypes are kept.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.ceil([1.5, -1.5]); // => tensor([2., -1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function ceil(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("ceil"), toTensor(x));
}

/**
 * Elementwise round half to even (as NumPy); zero derivative. Integer dtypes are kept.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.round([0.5, 1.5, 2.5]); // => tensor([0., 2., 2.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.sum(ad.round(x)))(ad.tensor([0.3, 1.7])); // => tensor([0., 0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function round(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("round"), toTensor(x));
}

// ---- binary arithmetic ------------------------------------------------------------------------

/**
 * Elementwise x + y with broadcasting.
 * Broadcasting follows NumPy: shapes are aligned at the end, and size-1 axes stretch.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.add([1, 2], 10); // => tensor([11., 12.], dtype=float32)
 * ad.add(ad.tensor([[1], [2]]), ad.tensor([10, 20, 30])); // => tensor([[11., 21., 31.], [12., 22., 32.]], dtype=float32)
 * ad.add(ad.ones([2]), ad.ones([3])); // throws: ShapeError: add: cannot broadcast shapes [2] and [3]
 * ```
 * @category Elementwise
 */
export function add(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(addPrim, x, y);
}

/**
 * Elementwise x - y with broadcasting.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sub([[1], [2]], [1, 2]); // => tensor([[0., -1.], [1., 0.]], dtype=float32)
 * ```
 * @category Elementwise
 */
export function sub(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(subPrim, x, y);
}

/**
 * Elementwise x * y with broadcasting.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.mul([1, 2], [3, 4]); // => tensor([3., 8.], dtype=float32)
 * ad.mul(ad.tensor([1.5, 2]), 2); // => tensor([3., 4.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function mul(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(mulPrim, x, y);
}

/**
 * Elementwise true division x / y with broadcasting; integer operands give a float result.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.div([1, 3], 2); // => tensor([0.5, 1.5], dtype=float32)
 * ad.div(ad.tensor([1, 2], { dtype: "int32" }), 2); // => tensor([0.5, 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function div(x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(divPrim, x, y, promoteToFloat, isFloat);
}

/**
 * Elementwise x^y with broadcasting. d/dx is 0 where y == 0 (so pow(x, 2)' at 0 is 0) and d/dy
 * treats log(0) as 0, so no NaN appears at x == 0.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.pow([2, 3], 2); // => tensor([4., 9.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.pow(x, 2))(ad.scalar(0)); // => tensor(0., dtype=float32)
 * ad.grad((y: ad.Tensor) => ad.pow(0, y))(ad.scalar(2)); // => tensor(0., dtype=float32)
 * ```
 * @category Elementwise
 */
export function pow(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(powPrim, x, y);
}

/**
 * Elementwise maximum with broadcasting (NaN propagates). At ties each side gets half the
 * derivative, so maximum(x, x)' = 1, in forward and reverse mode alike.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.maximum([1, 5], [3, 2]); // => tensor([3., 5.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.maximum(x, 1))(ad.scalar(1)); // => tensor(0.5, dtype=float32)
 * ```
 * @category Elementwise
 */
export function maximum(x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(maximumPrim, x, y, promoteArgs, anyDType);
}

/**
 * Elementwise minimum with broadcasting (NaN propagates); ties split the derivative in half.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.minimum([1, 5], [3, 2]); // => tensor([1., 2.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function minimum(x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(minimumPrim, x, y, promoteArgs, anyDType);
}

/**
 * Elementwise angle of the point (y, x) as NumPy's arctan2(x1, x2): atan2(x1, x2) is the angle of
 * (x2, x1), in (-pi, pi].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.atan2([1], [0]); // => tensor([1.570796], dtype=float32)
 * ```
 * @category Elementwise
 */
export function atan2(x: TensorLike, y: TensorLike): Tensor {
  return binaryWith(binaryPrimitive("atan2"), x, y, promoteToFloat, isFloat);
}

/**
 * Elementwise remainder with the sign of the divisor (NumPy's mod / Python's %).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.mod([-1, 5], 3); // => tensor([2., 2.], dtype=float32)
 * ad.mod(ad.tensor([5, -5]), -3); // => tensor([-1., -2.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function mod(x: TensorLike, y: TensorLike): Tensor {
  return numericBinary(binaryPrimitive("mod"), x, y);
}

// ---- comparison and logic (bool results, not differentiable) ----------------------------------

/**
 * Elementwise x == y with broadcasting, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.equal([1, 2], 2); // => tensor([false, true], dtype=bool)
 * ad.equal(ad.tensor([[1], [2]]), ad.tensor([1, 2])); // => tensor([[true, false], [false, true]], dtype=bool)
 * ```
 * @category Comparison
 */
export function equal(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(binaryPrimitive("eq"), promoteArgs([x, y]));
}

/**
 * Elementwise x != y with broadcasting, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.notEqual([1, 2], 2); // => tensor([true, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function notEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(binaryPrimitive("ne"), promoteArgs([x, y]));
}

/**
 * Elementwise x < y with broadcasting, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.less([1, 2], 2); // => tensor([true, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function less(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(binaryPrimitive("lt"), promoteArgs([x, y]));
}

/**
 * Elementwise x <= y with broadcasting, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.lessEqual([1, 3], 2); // => tensor([true, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function lessEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(binaryPrimitive("le"), promoteArgs([x, y]));
}

/**
 * Elementwise x > y with broadcasting, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.greater([1, 3], 2); // => tensor([false, true], dtype=bool)
 * ```
 * @category Comparison
 */
export function greater(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(binaryPrimitive("gt"), promoteArgs([x, y]));
}

/**
 * Elementwise x >= y with broadcasting, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.greaterEqual([1, 2], 2); // => tensor([false, true], dtype=bool)
 * ```
 * @category Comparison
 */
export function greaterEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(binaryPrimitive("ge"), promoteArgs([x, y]));
}

/**
 * Elementwise logical and (nonzero is true) with broadcasting, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logicalAnd([true, true], [true, false]); // => tensor([true, false], dtype=bool)
 * ```
 * @category Comparison
 */
export function logicalAnd(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(binaryPrimitive("and"), promoteArgs([x, y]));
}

/**
 * Elementwise logical or (nonzero is true) with broadcasting, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logicalOr([false, true], false); // => tensor([false, true], dtype=bool)
 * ```
 * @category Comparison
 */
export function logicalOr(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp(binaryPrimitive("or"), promoteArgs([x, y]));
}

/**
 * Elementwise logical not (nonzero is true), as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logicalNot([true, false]); // => tensor([false, true], dtype=bool)
 * ```
 * @category Comparison
 */
export function logicalNot(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("logicalNot"), toTensor(x));
}

/**
 * Elementwise test for NaN, as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.isNaN([1, NaN]); // => tensor([false, true], dtype=bool)
 * ```
 * @category Comparison
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: API.md fixes this name; the global is not used here
export function isNaN(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("isNaN"), toTensor(x));
}

/**
 * Elementwise test for a finite value (not NaN or ±Infinity), as bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.isFinite([1, Infinity, NaN]); // => tensor([true, false, false], dtype=bool)
 * ```
 * @category Comparison
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: API.md fixes this name; the global is not used here
export function isFinite(x: TensorLike): Tensor {
  return unaryOp(unaryPrimitive("isFinite"), toTensor(x));
}

// ---- selection --------------------------------------------------------------------------------

/**
 * Elements of `a` where `cond` is true, else of `b`; all three broadcast together. `cond` must be
 * bool (a comparison's result, or booleans); a and b are promoted to a common dtype.
 * Both branches are computed and the branch not taken gets a zero cotangent, so a NaN or
 * infinite derivative there still leaks into the gradient (0 * NaN): make its input safe with a
 * second `where` (the "double where" of docs/conventions.md).
 * @throws {@link ShapeError} when the three shapes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([-1, 0.5, 2]);
 * ad.where(ad.greater(x, 0), x, 0); // => tensor([0., 0.5, 2.], dtype=float32)
 * ad.where([true, false], 1, [5, 6]); // => tensor([1., 6.], dtype=float32)
 * ad.where(x, x, 0); // throws: DTypeError: where: cond must have dtype bool
 * ```
 * @category Elementwise
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
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.clip([-2, 0.5, 3], 0, 1); // => tensor([0., 0.5, 1.], dtype=float32)
 * ad.clip([-2, 3], null, 1); // => tensor([-2., 1.], dtype=float32)
 * ad.grad((x: ad.Tensor) => ad.sum(ad.clip(x, 0, 1)))(ad.tensor([-1, 0, 0.5, 2])); // => tensor([0., 1., 1., 0.], dtype=float32)
 * ```
 * @category Elementwise
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
 * @throws {@link DTypeError} when `dtype` is not float32, float64, int32 or bool.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tensor([1.7, -1.7]).astype("int32"); // => tensor([1, -1], dtype=int32)
 * ad.astype([0, 2], "bool"); // => tensor([false, true], dtype=bool)
 * ad.grad((x: ad.Tensor) => ad.sum(ad.astype(x, "float64")))(ad.tensor([1, 2])); // => tensor([1., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function astype(x: TensorLike, dtype: DType): Tensor {
  if (!isDType(dtype)) {
    throw new DTypeError(
      `astype: dtype must be one of float32, float64, int32, bool; got ${describeValue(dtype)}`,
    );
  }
  if (!(x instanceof Tensor)) return toTensor(x, dtype);
  if (x.dtype === dtype) return x;
  return bind(convertElementType, [x], { dtype });
}
