/**
 * @file Elementwise unary primitives, declared from their derivative expressions by factories:
 * differentiable ops (`unary`), the linear `neg`, zero-derivative ops (`zeroDerivative`: sign,
 * floor, ceil, round) and bool-valued predicates (`predicate`: logicalNot, isNaN, isFinite).
 */

import type { UnaryOp } from "../backend/backend.js";
import { getBackend } from "../backend/index.js";
import { allocate, isFloat, type TypedArray } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import type { Aval } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import {
  add,
  astype,
  cos,
  cosh,
  div,
  exp,
  greater,
  mul,
  neg,
  reciprocal,
  rsqrt,
  sigmoid,
  sign,
  sin,
  sinh,
  square,
  sub,
} from "../ops/elementwise.js";
import { elementwiseBatch } from "./batching.js";
import { negDiagonal } from "./diagonal-rules.js";
import { type BuiltinPrimitive, declarePrimitive, type UnaryPrimitiveName } from "./names.js";
import { readsUnary, type UnaryReads } from "./reads.js";
import { UNARY_SCALAR } from "./scalar-math.js";

/**
 * The input dtypes a unary primitive accepts: "float" for transcendental ops (the op wrapper
 * promotes ints to the default float first), "numeric" for arithmetic ops that keep int32 (bool
 * is promoted to int32 by the wrapper), "any" for ops that are defined on every dtype.
 */
export type Domain = "float" | "numeric" | "any";

/** The derivative f'(x) of an elementwise f, from the input and the output out = f(x). */
export type Derivative = (x: Tensor, out: Tensor) => Tensor;

type Impl = (x: Tensor, out: Aval) => TypedArray;

/** @internal Throws a DTypeError naming the user-facing op when `x` is outside `domain`. */
export function checkDomain(op: string, arg: string, domain: Domain, x: Aval): void {
  if (domain === "float" && !isFloat(x.dtype)) {
    throw new DTypeError(
      `${op}: ${arg} must have a float dtype (float32 or float64); got ${x.dtype}`,
    );
  }
  if (domain === "numeric" && x.dtype === "bool") {
    throw new DTypeError(
      `${op}: ${arg} must have a numeric dtype (int32, float32 or float64); got bool`,
    );
  }
}

/** Lowers to one backend unary kernel writing into a fresh array of the output's dtype. */
function kernel(op: UnaryOp): Impl {
  return (x, out) => {
    const data = allocate(out.dtype, x.size, false); // the kernel writes every element
    getBackend().unary(op, x._data!, data);
    return data;
  };
}

interface UnaryDecl<N extends UnaryPrimitiveName> {
  /** The primitive's (snake_case) name. */
  name: N;
  /** The user-facing op name, used in error messages. */
  op: string;
  domain: Domain;
  /** The output dtype when it is not the input's. */
  outDType?: "bool";
  impl: Impl;
  jvp: (x: Tensor, dx: Tensor, out: Tensor) => Tensor | null;
  vjp: (ct: Tensor, x: Tensor, out: Tensor) => Tensor | null;
  /** What vjp reads (the tape keeps only that); default both. */
  reads?: UnaryReads;
  /** The scalar lane's vjp on numbers (see Primitive.scalarVjp): the cotangent of x. */
  scalarVjp?: (ct: number, x: number, out: number, r: (v: number) => number) => number;
  /** vmap of a diagonal (Jacobian seed) batch, when the op keeps it diagonal. */
  diagonal?: BuiltinPrimitive<N>["diagonal"];
}

/** Declares an elementwise unary primitive: same shape, input dtype checked against its domain. */
function declare<N extends UnaryPrimitiveName>(d: UnaryDecl<N>): BuiltinPrimitive<N> {
  const scalar = UNARY_SCALAR[d.name as UnaryOp];
  const prim: BuiltinPrimitive<N> = declarePrimitive<N>({
    name: d.name,
    batch: elementwiseBatch(() => prim),
    ...(d.diagonal === undefined ? {} : { diagonal: d.diagonal }),
    ...(scalar === undefined ? {} : { scalar: (x: number) => scalar(x) }),
    ...(d.scalarVjp === undefined || scalar === undefined
      ? {}
      : {
          scalarVjp: (
            ct: number,
            x: number,
            _y: number,
            out: number,
            r: (v: number) => number,
            g: number[],
          ) => {
            g[0] = d.scalarVjp!(ct, x, out, r);
          },
        }),
    shape: ([x]) => {
      checkDomain(d.op, "x", d.domain, x!);
      // Same shape and dtype: the input is the output's aval (no allocation on the hot path).
      return d.outDType === undefined ? x! : { shape: x!.shape, dtype: d.outDType };
    },
    impl: ([x], _params, out) => d.impl(x!, out),
    jvp: ([x], [dx], out) => (dx === null || dx === undefined ? null : d.jvp(x!, dx, out)),
    vjp: (ct, [x], out, _params, needs) => [needs[0] ? d.vjp(ct, x!, out) : null],
    vjpReads: readsUnary(d.reads ?? "x and out"),
  });
  return prim;
}

/**
 * An elementwise primitive backed by the backend kernel of the same name, from its derivative:
 * jvp = dx * f'(x), vjp = ct * f'(x). The expression is written with ops, so it is itself
 * differentiated at higher orders (`out` is then a traced value too).
 * @example unary("tanh", (_x, out) => sub(1, square(out)))
 */
export function unary<N extends UnaryPrimitiveName & UnaryOp>(
  name: N,
  derivative: Derivative,
  options: {
    domain?: Domain;
    /** The derivative on numbers, rounding (r) after each op exactly where `derivative` does. */
    scalarDerivative?: (x: number, out: number, r: (v: number) => number) => number;
    /** What `derivative` reads: x (default), out, or both; the tape keeps only that. */
    reads?: UnaryReads;
  } = {},
): BuiltinPrimitive<N> {
  const sd = options.scalarDerivative;
  return declare({
    name,
    op: name,
    domain: options.domain ?? "float",
    impl: kernel(name),
    jvp: (x, dx, out) => mul(dx, derivative(x, out)),
    vjp: (ct, x, out) => mul(ct, derivative(x, out)),
    reads: options.reads ?? "x",
    ...(sd === undefined ? {} : { scalarVjp: (ct, x, out, r) => r(ct * sd(x, out, r)) }),
  });
}

/**
 * A piecewise-constant elementwise primitive (sign, floor, ceil, round): its derivative is zero
 * everywhere it exists, so both rules return the symbolic zero.
 */
export function zeroDerivative<N extends UnaryPrimitiveName & UnaryOp>(
  name: N,
  domain: Domain,
  impl: Impl = kernel(name),
): BuiltinPrimitive<N> {
  return declare({
    name,
    op: name,
    domain,
    impl,
    // d f = 0
    jvp: () => null,
    vjp: () => null,
    reads: "nothing",
  });
}

/** A bool-valued elementwise test (logicalNot, isNaN, isFinite) on any dtype: not differentiable. */
export function predicate<N extends UnaryPrimitiveName>(name: N, op: UnaryOp): BuiltinPrimitive<N> {
  return declare({
    name,
    op,
    domain: "any",
    outDType: "bool",
    impl: kernel(op),
    // bool output: no derivative
    jvp: () => null,
    vjp: () => null,
    reads: "nothing",
  });
}

/**
 * Rounding an integer or bool is the identity: share the input's (immutable) data; floats use
 * the kernel.
 */
function rounding(op: "floor" | "ceil" | "round" | "trunc"): Impl {
  const onFloats = kernel(op);
  return (x, out) => (isFloat(x.dtype) ? onFloats(x, out) : x._data!);
}

// ---- linear -----------------------------------------------------------------------------------

export const negPrim = declare({
  name: "neg",
  op: "neg",
  domain: "numeric",
  impl: kernel("neg"),
  // d neg = -dx
  jvp: (_x, dx) => neg(dx),
  // gx = -ct
  vjp: (ct) => neg(ct),
  reads: "nothing",
  scalarVjp: (ct) => -ct,
  diagonal: negDiagonal,
});

// ---- arithmetic (int32 allowed) ---------------------------------------------------------------

// d |x| = sign(x) dx   (sign(0) = 0, so abs'(0) = 0)
export const absPrim = unary("abs", (x) => sign(x), { domain: "numeric" });
// d x^2 = 2 x dx
export const squarePrim = unary("square", (x) => mul(x, 2), {
  domain: "numeric",
  scalarDerivative: (x, _out, r) => r(x * 2),
});
// d relu = [x > 0] dx   (relu'(0) = 0)
export const reluPrim = unary("relu", (x) => astype(greater(x, 0), x.dtype), {
  domain: "numeric",
});

// ---- exponentials and logarithms --------------------------------------------------------------

// d exp = out dx
export const expPrim = unary("exp", (_x, out) => out, {
  reads: "out",
  scalarDerivative: (_x, out) => out,
});
// d log = dx / x
export const logPrim = unary("log", (x) => reciprocal(x), {
  scalarDerivative: (x, _o, r) => r(1 / x),
});
// d log1p = dx / (1 + x)
export const log1pPrim = unary("log1p", (x) => reciprocal(add(x, 1)));
// d expm1 = (out + 1) dx
export const expm1Prim = unary("expm1", (_x, out) => add(out, 1), { reads: "out" });
// d log2 = dx / (x ln 2)
export const log2Prim = unary("log2", (x) => reciprocal(mul(x, Math.LN2)));
// d log10 = dx / (x ln 10)
export const log10Prim = unary("log10", (x) => reciprocal(mul(x, Math.LN10)));
// d 2^x = out ln 2 dx
export const exp2Prim = unary("exp2", (_x, out) => mul(out, Math.LN2), { reads: "out" });
// d cbrt = dx / (3 out^2)   (cbrt'(0) = +Infinity, as sqrt's)
export const cbrtPrim = unary("cbrt", (_x, out) => reciprocal(mul(square(out), 3)), {
  reads: "out",
});
// d sqrt = dx / (2 out)   (sqrt'(0) = +Infinity)
export const sqrtPrim = unary("sqrt", (_x, out) => div(0.5, out), {
  reads: "out",
  scalarDerivative: (_x, out, r) => r(0.5 / out),
});
// d rsqrt = -out / (2 x) dx   (= -x^(-3/2) / 2)
export const rsqrtPrim = unary("rsqrt", (x, out) => mul(div(out, x), -0.5), { reads: "x and out" });
// d (1/x) = -out^2 dx
export const reciprocalPrim = unary("reciprocal", (_x, out) => neg(square(out)), { reads: "out" });

// ---- trigonometric ----------------------------------------------------------------------------

// d sin = cos(x) dx
export const sinPrim = unary("sin", (x) => cos(x), {
  scalarDerivative: (x, _o, r) => r(Math.cos(x)),
});
// d cos = -sin(x) dx
export const cosPrim = unary("cos", (x) => neg(sin(x)), {
  scalarDerivative: (x, _o, r) => -r(Math.sin(x)),
});
// d tan = (1 + out^2) dx
export const tanPrim = unary("tan", (_x, out) => add(square(out), 1), { reads: "out" });
// d asin = dx / sqrt((1 - x)(1 + x))
export const asinPrim = unary("asin", (x) => rsqrt(mul(sub(1, x), add(x, 1))));
// d acos = -dx / sqrt((1 - x)(1 + x))
export const acosPrim = unary("acos", (x) => neg(rsqrt(mul(sub(1, x), add(x, 1)))));
// d atan = dx / (1 + x^2)
export const atanPrim = unary("atan", (x) => reciprocal(add(square(x), 1)));

// ---- hyperbolic -------------------------------------------------------------------------------

// d sinh = cosh(x) dx
export const sinhPrim = unary("sinh", (x) => cosh(x));
// d cosh = sinh(x) dx
export const coshPrim = unary("cosh", (x) => sinh(x));
// d tanh = (1 - out^2) dx
export const tanhPrim = unary("tanh", (_x, out) => sub(1, square(out)), {
  reads: "out",
  scalarDerivative: (_x, out, r) => r(1 - r(out * out)),
});
// d asinh = dx / sqrt(x^2 + 1)
export const asinhPrim = unary("asinh", (x) => rsqrt(add(square(x), 1)));
// d acosh = dx / sqrt((x - 1)(x + 1))
export const acoshPrim = unary("acosh", (x) => rsqrt(mul(sub(x, 1), add(x, 1))));
// d atanh = dx / ((1 - x)(1 + x))
export const atanhPrim = unary("atanh", (x) => reciprocal(mul(sub(1, x), add(x, 1))));

// ---- special functions and activations --------------------------------------------------------

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

// d erf = 2/sqrt(pi) exp(-x^2) dx
export const erfPrim = unary("erf", (x) => mul(exp(neg(square(x))), TWO_OVER_SQRT_PI));
// d sigmoid = out (1 - out) dx   (a primitive so that the value and derivative stay finite)
export const sigmoidPrim = unary("sigmoid", (_x, out) => mul(out, sub(1, out)), { reads: "out" });

// d softplus = sigmoid(x) dx   (a primitive: its kernel is stable at +-100, its rule smooth at 0)
export const softplusPrim = declare({
  name: "softplus",
  op: "softplus",
  domain: "float",
  impl: kernel("softplus"),
  jvp: (x, dx) => mul(dx, sigmoid(x)),
  vjp: (ct, x) => mul(ct, sigmoid(x)),
  reads: "x",
});

// ---- zero derivative --------------------------------------------------------------------------

export const signPrim = zeroDerivative("sign", "numeric");
export const floorPrim = zeroDerivative("floor", "any", rounding("floor"));
export const ceilPrim = zeroDerivative("ceil", "any", rounding("ceil"));
export const roundPrim = zeroDerivative("round", "any", rounding("round"));
export const truncPrim = zeroDerivative("trunc", "any", rounding("trunc"));

// ---- bool-valued ------------------------------------------------------------------------------

export const logicalNotPrim = predicate("logical_not", "logicalNot");
export const isNaNPrim = predicate("is_nan", "isNaN");
export const isFinitePrim = predicate("is_finite", "isFinite");
export const signbitPrim = predicate("signbit", "signbit");
