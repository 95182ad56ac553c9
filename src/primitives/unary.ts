/**
 * @file Elementwise unary primitives, declared by factories: differentiable ops (`unary`, whose
 * derivative is the expression in the op's line of src/elementwise/table.ts), the linear `neg`,
 * zero-derivative ops (`zeroDerivative`: sign, floor, ceil, round, trunc) and bool-valued
 * predicates (`predicate`: logicalNot, isNaN, isFinite, signbit).
 */

import type { UnaryOp } from "../backend/backend.js";
import { getBackend } from "../backend/index.js";
import { allocate, isFloat, type TypedArray } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import type { Aval } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import { onNumbers, onTensors, readsOf } from "../elementwise/derivative.js";
import { UNARY_KERNELS } from "../elementwise/table.js";
import { mul, neg } from "../ops/elementwise.js";
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
export type Domain = "float" | "numeric" | "any" | "int32";

type Impl = (x: Tensor, out: Aval) => TypedArray;

/** @internal Throws a DTypeError naming the user-facing op when `x` is outside `domain`. */
export function checkDomain(op: string, arg: string, domain: Domain, x: Aval): void {
  if (domain === "float" && !isFloat(x.dtype)) {
    throw new DTypeError(
      `${op}: ${arg} must have a float dtype (float32 or float64); got ${x.dtype}`,
    );
  }
  if (domain === "int32" && x.dtype !== "int32") {
    throw new DTypeError(`${op}: ${arg} must have dtype int32; got ${x.dtype}`);
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
 * An elementwise primitive backed by the backend kernel of the same name, from the derivative in
 * its elementwise-table entry (src/elementwise/table.ts): jvp = dx * f'(x), vjp = ct * f'(x).
 * The derivative becomes ops on tensors (so it is itself differentiated at higher orders; `out`
 * is then a traced value too) and numbers for the tape's scalar lane, rounded where the ops
 * round; what it reads (x, out) is read off the expression.
 * @example unary("tanh")
 */
export function unary<N extends UnaryPrimitiveName & UnaryOp>(
  name: N,
  options: { domain?: Domain } = {},
): BuiltinPrimitive<N> {
  const e = UNARY_KERNELS[name].derivative;
  if (e === undefined) throw new Error(`unary: the table has no derivative for ${name}`);
  return declare({
    name,
    op: name,
    domain: options.domain ?? "float",
    impl: kernel(name),
    jvp: (x, dx, out) => mul(dx, onTensors(e, x, out)),
    vjp: (ct, x, out) => mul(ct, onTensors(e, x, out)),
    reads: readsOf(e),
    scalarVjp: (ct, x, out, r) => r(ct * onNumbers(e, x, out, r)),
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
// Derivatives are in the elementwise table (src/elementwise/table.ts), one line per op.

export const absPrim = unary("abs", { domain: "numeric" });
export const squarePrim = unary("square", { domain: "numeric" });
export const reluPrim = unary("relu", { domain: "numeric" });

// ---- exponentials and logarithms --------------------------------------------------------------

export const expPrim = unary("exp");
export const logPrim = unary("log");
export const log1pPrim = unary("log1p");
export const expm1Prim = unary("expm1");
export const log2Prim = unary("log2");
export const log10Prim = unary("log10");
export const exp2Prim = unary("exp2");
export const cbrtPrim = unary("cbrt");
export const sqrtPrim = unary("sqrt");
export const rsqrtPrim = unary("rsqrt");
export const reciprocalPrim = unary("reciprocal");

// ---- trigonometric ----------------------------------------------------------------------------

export const sinPrim = unary("sin");
export const cosPrim = unary("cos");
export const tanPrim = unary("tan");
export const asinPrim = unary("asin");
export const acosPrim = unary("acos");
export const atanPrim = unary("atan");

// ---- hyperbolic -------------------------------------------------------------------------------

export const sinhPrim = unary("sinh");
export const coshPrim = unary("cosh");
export const tanhPrim = unary("tanh");
export const asinhPrim = unary("asinh");
export const acoshPrim = unary("acosh");
export const atanhPrim = unary("atanh");

// ---- special functions and activations --------------------------------------------------------

export const erfPrim = unary("erf");
// sigmoid and softplus are primitives so that values and derivatives stay finite (their kernels
// are stable at +-100, their rules smooth at 0).
export const sigmoidPrim = unary("sigmoid");
export const softplusPrim = unary("softplus");

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

// ---- bitwise (int32; the op wrappers send bools to the logical ops) ---------------------------

// d ~x = 0   (integer output)
export const bitwiseNotPrim = declare({
  name: "bitwise_not",
  op: "bitwiseNot",
  domain: "int32",
  impl: kernel("bitwiseNot"),
  jvp: () => null,
  vjp: () => null,
  reads: "nothing",
});

// d popcount(|x|) = 0   (integer output)
export const populationCountPrim = declare({
  name: "population_count",
  op: "bitwiseCount",
  domain: "int32",
  impl: kernel("bitwiseCount"),
  jvp: () => null,
  vjp: () => null,
  reads: "nothing",
});
