/**
 * @file How an elementwise unary primitive is declared (`declareUnary`: same shape, the input's
 * dtype checked against its domain, vmap by broadcasting, the scalar lane from the table's
 * kernel) and the one declared by hand, the linear `neg`. Every other unary primitive is generated
 * from its entry in src/elementwise/table.ts (src/primitives/elementwise.ts).
 */

import type { UnaryOp } from "../backend/backend.js";
import { getBackend } from "../backend/index.js";
import { allocate, isFloat, type TypedArray } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import { NO_PARAMS } from "../core/params-json.js";
import type { Aval } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import type { Domain } from "../elementwise/table.js";
import { neg } from "../ops/elementwise.js";
import { elementwiseBatch } from "./batching.js";
import { negDiagonal } from "./diagonal-rules.js";
import { type BuiltinPrimitive, declarePrimitive, type UnaryPrimitiveName } from "./names.js";
import { readsUnary, type UnaryReads } from "./reads.js";
import { UNARY_SCALAR } from "./scalar-math.js";

export type { Domain };

/** A unary primitive's impl: the output's data from the concrete input. */
export type Impl = (x: Tensor, out: Aval) => TypedArray;

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
export function kernel(op: UnaryOp): Impl {
  return (x, out) => {
    const data = allocate(out.dtype, x.size, false); // the kernel writes every element
    getBackend().unary(op, x._data!, data);
    return data;
  };
}

/** What declareUnary needs. */
export interface UnaryDecl<N extends UnaryPrimitiveName> {
  /** The primitive's (snake_case) name. */
  name: N;
  /** The user-facing op name, used in error messages. */
  op: string;
  /** The backend kernel (its scalar function is the scalar lane's). */
  kernel: UnaryOp;
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
export function declareUnary<N extends UnaryPrimitiveName>(d: UnaryDecl<N>): BuiltinPrimitive<N> {
  const scalar = UNARY_SCALAR[d.kernel];
  const prim: BuiltinPrimitive<N> = declarePrimitive<N>({
    name: d.name,
    paramsJson: NO_PARAMS,
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

// ---- linear -----------------------------------------------------------------------------------

export const negPrim = declareUnary({
  name: "neg",
  op: "neg",
  kernel: "neg",
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
