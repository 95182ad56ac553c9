/**
 * @file NumPy's elementwise functions beyond the contract's. Those that need their own kernel for
 * accuracy or for the sign of zero are one entry of the elementwise table
 * (src/elementwise/table.ts) and one primitive each: log2, log10 and exp2 (exact at powers of 2
 * and 10, where log(x)/ln 2 and exp(x ln 2) are not), cbrt (defined for negatives), trunc, hypot
 * (no overflow in the squares), fmod (C's remainder), signbit and copysign (which see -0). The
 * rest are composites that keep their accuracy: deg2rad, rad2deg, logaddexp, logaddexp2, fmax,
 * fmin, heaviside, nanToNum.
 */

import { checkTensorLike, scalar, toTensor } from "../core/convert.js";
import { isFloat } from "../core/dtype.js";
import { checkOptions } from "../core/options.js";
import type { AnyPrimitive } from "../core/primitive.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { binaryPrimitive, unaryPrimitive } from "../primitives/elementwise.js";
import {
  abs,
  add,
  astype,
  div,
  equal,
  exp,
  floor,
  greater,
  isNaN as isNanOf,
  less,
  log1p,
  maximum,
  minimum,
  mod,
  mul,
  neg,
  round,
  sin,
  sub,
  where,
} from "./elementwise.js";
import { promoteArgs, promoteToFloat } from "./promote.js";

/** `prim` on `x` promoted to a float dtype (ints and bools become the default float). */
function floatUnary(prim: AnyPrimitive, op: string, x: TensorLike): Tensor {
  if (!(x instanceof Tensor)) checkTensorLike(op, "x", x);
  return bind(prim, [promoteToFloat([x])[0]!], undefined);
}

/** `prim` on x and y promoted to one float dtype (a JS number takes the tensor's dtype). */
function floatBinary(prim: AnyPrimitive, op: string, x: TensorLike, y: TensorLike): Tensor {
  if (x instanceof Tensor && typeof y === "number" && isFloat(x.dtype)) {
    return bind(prim, [x, scalar(y, x.dtype)], undefined);
  }
  if (y instanceof Tensor && typeof x === "number" && isFloat(y.dtype)) {
    return bind(prim, [scalar(x, y.dtype), y], undefined);
  }
  checkTensorLike(op, "x", x);
  checkTensorLike(op, "y", y);
  return bind(prim, promoteToFloat([x, y]), undefined);
}

/**
 * Elementwise base-2 logarithm (NumPy's log2), exact at powers of 2; -Infinity at 0, NaN below.
 * Integer and bool inputs are promoted to the default float.
 * @throws {@link DTypeError} for a non-numeric argument.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.log2([1, 8, 0.5]); // => tensor([ 0.,  3., -1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function log2(x: TensorLike): Tensor {
  return floatUnary(unaryPrimitive("log2"), "log2", x);
}

/**
 * Elementwise base-10 logarithm (NumPy's log10), exact at powers of 10 that floats hold exactly.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.log10(ad.tensor([1, 1000, 1e-5], { dtype: "float64" })); // => tensor([ 0.,  3., -5.], dtype=float64)
 * ```
 * @category Elementwise
 */
export function log10(x: TensorLike): Tensor {
  return floatUnary(unaryPrimitive("log10"), "log10", x);
}

/**
 * Elementwise 2^x (NumPy's exp2), exact at integers; its derivative is 2^x ln 2.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.exp2([3, -1, 0.5]); // => tensor([      8.,      0.5, 1.414214], dtype=float32)
 * ```
 * @category Elementwise
 */
export function exp2(x: TensorLike): Tensor {
  return floatUnary(unaryPrimitive("exp2"), "exp2", x);
}

/**
 * Elementwise cube root (NumPy's cbrt), defined for negatives (cbrt(-8) = -2) and exact at cubes.
 * Its derivative 1 / (3 cbrt(x)^2) is +Infinity at 0, as sqrt's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cbrt([27, -8, 0]); // => tensor([ 3., -2.,  0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function cbrt(x: TensorLike): Tensor {
  return floatUnary(unaryPrimitive("cbrt"), "cbrt", x);
}

/**
 * Elementwise rounding toward zero (NumPy's trunc; trunc(-1.5) = -1, the sign of zero kept);
 * zero derivative. Integer and bool dtypes are returned as they are.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.trunc([1.7, -1.7]); // => tensor([ 1., -1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function trunc(x: TensorLike): Tensor {
  if (!(x instanceof Tensor)) checkTensorLike("trunc", "x", x);
  return bind(unaryPrimitive("trunc"), [toTensor(x)], undefined);
}

/**
 * Elementwise sqrt(x^2 + y^2) with broadcasting (NumPy's hypot), without overflow or underflow
 * in the squares: hypot(3e200, 4e200) is 5e200 to within an ulp, where sqrt(x^2 + y^2) is
 * Infinity. Its derivative (x dx + y dy) / hypot(x, y) is
 * taken as 0 at x = y = 0, the minimum, as `linalg.norm`'s is.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.hypot([3, 5], [4, 12]); // => tensor([ 5., 13.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function hypot(x: TensorLike, y: TensorLike): Tensor {
  return floatBinary(binaryPrimitive("hypot"), "hypot", x, y);
}

/**
 * Elementwise remainder with the sign of the dividend (NumPy's fmod, C's fmod, JavaScript's %),
 * with broadcasting; `mod` is the one with the divisor's sign. fmod(x, 0) is NaN. Its derivative
 * is dx - trunc(x / y) dy.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.fmod([-7, 7], 3); // => tensor([-1.,  1.], dtype=float32)
 * ad.mod([-7, 7], 3); // => tensor([2., 1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function fmod(x: TensorLike, y: TensorLike): Tensor {
  return floatBinary(binaryPrimitive("fmod"), "fmod", x, y);
}

/**
 * Elementwise test of the sign bit (NumPy's signbit): true for negatives, -0 and -Infinity, false
 * for +0; NaN reads as positive (JavaScript numbers do not expose a NaN's sign). Not
 * differentiable (bool result).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.signbit([-1, -0, 0, 2]); // => tensor([ true,  true, false, false], dtype=bool)
 * ```
 * @category Elementwise
 */
export function signbit(x: TensorLike): Tensor {
  if (!(x instanceof Tensor)) checkTensorLike("signbit", "x", x);
  return bind(unaryPrimitive("signbit"), [promoteToFloat([x])[0]!], undefined);
}

/**
 * Elementwise |x| with the sign bit of y (NumPy's copysign): copysign(1, -0) is -1. Its
 * derivative in x is sign(x) times y's sign (0 at x = 0, as abs's); y only picks a sign, so its
 * derivative is 0.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.copysign([2, -3, 4], ad.tensor([-1, 1, -0])); // => tensor([-2.,  3., -4.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function copysign(x: TensorLike, y: TensorLike): Tensor {
  return floatBinary(binaryPrimitive("copysign"), "copysign", x, y);
}

/**
 * Degrees to radians (NumPy's deg2rad, also `radians`): x * pi / 180, in x's float dtype (ints
 * promoted).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.deg2rad([180, 90]); // => tensor([3.141593, 1.570796], dtype=float32)
 * ```
 * @category Elementwise
 */
export function deg2rad(x: TensorLike): Tensor {
  if (!(x instanceof Tensor)) checkTensorLike("deg2rad", "x", x);
  return mul(promoteToFloat([x])[0]!, Math.PI / 180);
}

/**
 * Radians to degrees (NumPy's rad2deg, also `degrees`): x * 180 / pi, in x's float dtype.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.rad2deg(ad.tensor([Math.PI], { dtype: "float64" })); // => tensor([180.], dtype=float64)
 * ```
 * @category Elementwise
 */
export function rad2deg(x: TensorLike): Tensor {
  if (!(x instanceof Tensor)) checkTensorLike("rad2deg", "x", x);
  return mul(promoteToFloat([x])[0]!, 180 / Math.PI);
}

/** x and y promoted to one float dtype, named for `op`'s errors. */
function floats(op: string, x: TensorLike, y: TensorLike): [Tensor, Tensor] {
  checkTensorLike(op, "x", x);
  checkTensorLike(op, "y", y);
  const [a, b] = promoteToFloat([x, y]);
  return [a!, b!];
}

/**
 * log(e^x + e^y) without overflow (NumPy's logaddexp): max(x, y) + log1p(e^-|x - y|), and
 * x + y where x - y is NaN (both infinite of one sign: logaddexp(-inf, -inf) = -inf). Its
 * derivative in x is sigmoid(x - y), 1/2 at ties.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logaddexp(ad.tensor([1000, 0], { dtype: "float64" }), ad.tensor([1000, 0], { dtype: "float64" })); // => tensor([ 1000.69314718056, 0.693147180559945], dtype=float64)
 * ```
 * @category Elementwise
 */
export function logaddexp(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = floats("logaddexp", x, y);
  const d = sub(a, b);
  return where(isNanOf(d), add(a, b), add(maximum(a, b), log1p(exp(neg(abs(d))))));
}

/**
 * log2(2^x + 2^y) without overflow (NumPy's logaddexp2): max(x, y) + log1p(2^-|x - y|) / ln 2.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.logaddexp2([3, 1], [3, 2]); // => tensor([      4., 2.584962], dtype=float32)
 * ```
 * @category Elementwise
 */
export function logaddexp2(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = floats("logaddexp2", x, y);
  const d = sub(a, b);
  const tail = mul(log1p(exp2(neg(abs(d)))), 1 / Math.LN2);
  return where(isNanOf(d), add(a, b), add(maximum(a, b), tail));
}

/**
 * Elementwise maximum that ignores NaN (NumPy's fmax): the other operand where one is NaN, NaN
 * only where both are. Derivatives as `maximum`'s (half to each side at ties).
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.fmax([1, NaN, NaN], [NaN, 2, NaN]); // => tensor([ 1.,  2., NaN], dtype=float32)
 * ```
 * @category Elementwise
 */
export function fmax(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = floats("fmax", x, y);
  return where(isNanOf(b), a, where(isNanOf(a), b, maximum(a, b)));
}

/**
 * Elementwise minimum that ignores NaN (NumPy's fmin): the other operand where one is NaN.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.fmin([1, NaN, 3], [NaN, 2, 0]); // => tensor([1., 2., 0.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function fmin(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = floats("fmin", x, y);
  return where(isNanOf(b), a, where(isNanOf(a), b, minimum(a, b)));
}

/**
 * The Heaviside step (NumPy's heaviside(x1, x2)): 0 where x1 < 0, 1 where x1 > 0, x2 where
 * x1 == 0, NaN where x1 is NaN. Zero derivative in x1; x2's flows where x1 == 0.
 * @throws {@link ShapeError} when the shapes of x1 and x2 do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.heaviside([-1.5, 0, 2], 0.5); // => tensor([ 0., 0.5,  1.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function heaviside(x1: TensorLike, x2: TensorLike): Tensor {
  const [a, b] = floats("heaviside", x1, x2);
  const step = where(less(a, 0), 0, where(greater(a, 0), 1, b));
  return where(isNanOf(a), a, step);
}

/**
 * Options of {@link nanToNum}.
 * @category Elementwise
 */
export interface NanToNumOptions {
  /** The value for NaN (default 0). */
  nan?: number;
  /** The value for +Infinity (default: the dtype's largest finite value). */
  posinf?: number;
  /** The value for -Infinity (default: the dtype's most negative finite value). */
  neginf?: number;
}

/**
 * NaN and infinities replaced by finite numbers (NumPy's nan_to_num): NaN by `nan` (0), +Infinity
 * by `posinf`, -Infinity by `neginf` (the dtype's extreme finite values by default); other
 * values, and integer and bool tensors, unchanged. The derivative is 1 where x is finite, 0 at
 * the replaced entries.
 * @throws {@link ValueError} for an unknown option.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nanToNum(ad.tensor([NaN, Infinity, -Infinity, 1.5]), { posinf: 9, neginf: -9 }); // => tensor([ 0.,  9., -9., 1.5], dtype=float32)
 * ```
 * @category Elementwise
 */
export function nanToNum(x: TensorLike, options: NanToNumOptions = {}): Tensor {
  checkOptions("nanToNum", options, ["nan", "posinf", "neginf"]);
  if (!(x instanceof Tensor)) checkTensorLike("nanToNum", "x", x);
  const t = toTensor(x);
  if (!isFloat(t.dtype)) return t;
  const big = t.dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  const posinf = options.posinf ?? big;
  const neginf = options.neginf ?? -big;
  const r = where(equal(t, Infinity), posinf, where(equal(t, -Infinity), neginf, t));
  return where(isNanOf(t), options.nan ?? 0, r);
}

/**
 * Elementwise floor division with broadcasting (NumPy's floor_divide, Python's //): the quotient
 * of `divmod`, so x = floorDivide(x, y) * y + mod(x, y) holds as in NumPy: floorDivide(1, 0.1) is
 * 9, where floor(1 / 0.1) is 10. Integer dtypes stay integer; division by 0 gives x / 0 for
 * floats. Zero derivative (piecewise constant).
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.floorDivide([7, -7, 1], [2, 2, 0.1]); // => tensor([ 3., -4.,  9.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function floorDivide(x: TensorLike, y: TensorLike): Tensor {
  checkTensorLike("floorDivide", "x", x);
  checkTensorLike("floorDivide", "y", y);
  const [a, b] = promoteArgs([x, y]);
  // bool operands count as int32 (NumPy's floor_divide of bools is an integer op)
  const asNum = (t: Tensor) => (t.dtype === "bool" ? promoteArgs([t, 0])[0]! : t);
  return bind(binaryPrimitive("floorDivide"), [asNum(a!), asNum(b!)], undefined);
}

/**
 * NumPy's divmod: [floorDivide(x, y), mod(x, y)], the quotient rounded toward -Infinity and the
 * remainder with the divisor's sign.
 * @throws {@link ShapeError} when the shapes of x and y do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.divmod([7, -7], 3); // => [tensor([ 2., -3.], dtype=float32), tensor([1., 2.], dtype=float32)]
 * ```
 * @category Elementwise
 */
export function divmod(x: TensorLike, y: TensorLike): [Tensor, Tensor] {
  return [floorDivide(x, y), mod(x, y)];
}

/**
 * x * 2^e (NumPy's ldexp) for integer-valued e, scaled in two steps so that x * 2^e is exact
 * wherever it is representable even when 2^e alone is not (ldexp(2^-600, 1100) = 2^500).
 * Differentiable in x (2^e); e only scales, its derivative is 0.
 * @throws {@link ShapeError} when the shapes of x and e do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.ldexp([1.5, 3], [2, -1]); // => tensor([ 6., 1.5], dtype=float32)
 * ```
 * @category Elementwise
 */
export function ldexp(x: TensorLike, e: TensorLike): Tensor {
  const [a, b] = floats("ldexp", x, e);
  const half = trunc(mul(b, 0.5));
  return mul(mul(a, exp2(half)), exp2(sub(b, half)));
}

/**
 * The fractional and integral parts of x, both with x's sign (NumPy's modf): [x - trunc(x),
 * trunc(x)], with modf(±Infinity) = [±0, ±Infinity]. The fractional part has derivative 1, the
 * integral part 0.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.modf([2.5, -1.25]); // => [tensor([  0.5, -0.25], dtype=float32), tensor([ 2., -1.], dtype=float32)]
 * ```
 * @category Elementwise
 */
export function modf(x: TensorLike): [Tensor, Tensor] {
  if (!(x instanceof Tensor)) checkTensorLike("modf", "x", x);
  const t = promoteToFloat([x])[0]!;
  const whole = trunc(t);
  const infinite = equal(abs(t), Infinity);
  // copysign keeps x's sign on a zero fraction (modf(-0) = [-0, -0], modf(-2) = [-0, -2]).
  return [where(infinite, copysign(0, t), copysign(sub(t, whole), t)), whole];
}

/**
 * Round to the nearest integer, halves to even (NumPy's rint; the same as `round`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.rint([0.5, 1.5, -2.5]); // => tensor([ 0.,  2., -2.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function rint(x: TensorLike): Tensor {
  return round(x);
}

/** Below this |x|, sinc is its Taylor polynomial (the next term, (pi x)^6 / 5040, is < 1e-20). */
const SINC_TAYLOR_BELOW = 1e-3;

/**
 * The normalised sinc function sin(pi x) / (pi x), with sinc(0) = 1 (NumPy's and JAX's sinc).
 * Near 0 it is the Taylor polynomial 1 - (pi x)^2 / 6 + (pi x)^4 / 120, chosen with a double
 * `where` (docs/conventions.md), so every derivative is right at 0 as well: sinc'(0) = 0 and
 * sinc''(0) = -pi^2 / 3.
 *
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.sinc(ad.tensor([0, 0.5, 1], { dtype: "float64" })); // => tensor([1, 0.6366198, 0.0000000], dtype=float64)
 * ad.grad(ad.grad(ad.sinc))(ad.scalar(0, "float64")); // => tensor(-3.289868, dtype=float64)
 * ```
 * @category Elementwise
 */
export function sinc(x: TensorLike): Tensor {
  checkTensorLike("sinc", "x", x);
  const [t] = promoteToFloat([x]);
  const small = less(abs(t!), SINC_TAYLOR_BELOW);
  const safe = where(small, 1, t!);
  const px = mul(safe, Math.PI);
  const far = div(sin(px), px);
  const z = mul(where(small, t!, 0), Math.PI);
  const z2 = mul(z, z);
  const near = add(1, mul(z2, add(-1 / 6, mul(z2, 1 / 120))));
  return where(small, near, far);
}

/**
 * Splits x into a mantissa and an exponent, x = m * 2^e with 0.5 <= |m| < 1 (NumPy's frexp):
 * returns `[m, e]`, e as int32. Zero gives [0, 0]; infinities and NaN give [x, 0]. The mantissa's
 * derivative is 2^-e (e is piecewise constant).
 *
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.frexp([8, 0.3, -5, 0]).map(String); // => [ 'tensor([   0.5,    0.6, -0.625,     0.], dtype=float32)', 'tensor([ 4, -1,  3,  0], dtype=int32)' ]
 * ```
 * @category Elementwise
 */
export function frexp(x: TensorLike): [Tensor, Tensor] {
  checkTensorLike("frexp", "x", x);
  const [t] = promoteToFloat([x]);
  const v = t!;
  const a = abs(v);
  const regular = logicalAndNumbers(greater(a, 0), less(a, Number.POSITIVE_INFINITY));
  // A first guess from log2 (exact at powers of 2), then one correction step either way.
  const safe = where(regular, a, 1);
  let e = add(floor(log2(safe)), 1);
  const up = greater(scaleDown(safe, e), 1 - Number.EPSILON / 4);
  e = where(up, add(e, 1), e);
  const down = less(scaleDown(safe, e), 0.5);
  e = where(down, sub(e, 1), e);
  e = where(regular, e, 0);
  return [where(regular, scaleDown(v, e), v), astype(e, "int32")];
}

/** v / 2^e in two exact steps, so that 2^e never overflows (e = 1024 for the largest floats). */
function scaleDown(v: Tensor, e: Tensor): Tensor {
  return div(div(v, exp2(sub(e, 1))), 2);
}

/** Elementwise logical and of two bool tensors (kept local: logic.ts imports this file's ops). */
function logicalAndNumbers(a: Tensor, b: Tensor): Tensor {
  return where(a, b, false);
}
