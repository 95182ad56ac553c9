/**
 * @file How an elementwise binary primitive with NumPy broadcasting is declared from its two
 * partial derivatives (`binary`), and the ones declared by hand: add, sub, mul, div (linear in
 * each input, with vmap diagonal rules and scalar lanes), pow (its conventions at 0), maximum and
 * minimum (half to each side at ties). The others are generated from their entries in
 * src/elementwise/table.ts (src/primitives/elementwise.ts). Both inputs
 * have the same dtype (the op wrappers promote). JVP rules may
 * return tangents of the broadcast shape and VJP rules cotangents of the output's shape: the
 * drivers broadcast and unbroadcast (src/transforms/fit.ts), never the rules.
 */

import type { BinaryOp } from "../backend/backend.js";
import { getBackend } from "../backend/index.js";
import { allocate, type TypedArray } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import { NO_PARAMS } from "../core/params-json.js";
import type { Aval } from "../core/primitive.js";
import { broadcastShapes, shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import {
  add,
  astype,
  div,
  equal,
  greater,
  less,
  log,
  logicalAnd,
  mul,
  neg,
  pow,
  sub,
  where,
} from "../ops/elementwise.js";
import { elementwiseBatch } from "./batching.js";
import { divDiagonal, mulDiagonal } from "./diagonal-rules.js";
import { type BinaryPrimitiveName, type BuiltinPrimitive, declarePrimitive } from "./names.js";
import { readsBothInputs, readsDiv, readsNothing, readsOther, readsPow } from "./reads.js";
import { BINARY_SCALAR } from "./scalar-math.js";
import { checkDomain, type Domain } from "./unary.js";

/**
 * @internal The shape rule of a broadcasting binary primitive: both inputs of one dtype within
 * `domain`; the output has the broadcast shape and the inputs' dtype (or bool).
 */
export function binaryShape(op: string, domain: Domain, outDType?: "bool") {
  return ([x, y]: readonly Aval[]): Aval => {
    if (x!.dtype !== y!.dtype) {
      throw new DTypeError(
        `${op}: x and y must have the same dtype; got ${x!.dtype} and ${y!.dtype}`,
      );
    }
    checkDomain(op, "x", domain, x!);
    const shape = broadcastShapes(op, x!.shape, y!.shape);
    // x's own aval when it already is the output's (no allocation on the hot path).
    if (outDType === undefined && shape === x!.shape) return x!;
    return { shape, dtype: outDType ?? x!.dtype };
  };
}

/** @internal The impl of a broadcasting binary primitive: one backend kernel call. */
export function binaryImpl(kernel: BinaryOp) {
  return ([x, y]: readonly Tensor[], _params: undefined, out: Aval): TypedArray => {
    const data = allocate(out.dtype, shapeSize(out.shape), false); // the kernel writes every element
    getBackend().binary(kernel, x!._data!, x!.shape, y!._data!, y!.shape, data, out.shape);
    return data;
  };
}

/** The sum of two tangents, either of which may be the symbolic zero. */
function addTangents(a: Tensor | null | undefined, b: Tensor | null | undefined): Tensor | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return add(a, b);
}

/**
 * The share of the derivative that flows to one side of maximum/minimum: 1 where that side
 * wins, 1/2 at ties (JAX's convention, so maximum(x, x)' = 1), 0 where it loses or on NaN.
 */
function share(wins: Tensor, ties: Tensor, dtype: Tensor["dtype"]): Tensor {
  return where(ties, 0.5, astype(wins, dtype));
}

/**
 * d(x^y)/dx = y x^(y-1), exactly 0 where y == 0. Where x == 0 and y == 0 the exponent is
 * replaced by 0 (0 * 0^0 = 0 instead of 0 * 0^-1 = NaN), so no NaN appears at this or any
 * higher order; elsewhere the expression is the plain one, with its true higher derivatives.
 */
function powJacobianX(x: Tensor, y: Tensor): Tensor {
  const safeY = where(logicalAnd(equal(x, 0), equal(y, 0)), 1, y);
  return mul(y, pow(x, sub(safeY, 1)));
}

/** d(x^y)/dy = out log(x), with log(x) taken as 0 where x == 0 (JAX), so pow(0, y) has dy = 0. */
function powJacobianY(x: Tensor, out: Tensor): Tensor {
  return mul(out, log(where(equal(x, 0), 1, x)));
}

/**
 * How one input's partial derivative acts on a tangent or cotangent `g`: g * df/dx (or df/dy),
 * written with ops from x, y and out (so it is itself differentiated at higher orders).
 */
export type Partial = (g: Tensor, x: Tensor, y: Tensor, out: Tensor) => Tensor;

/** What `binary` needs beyond the partials. */
interface BinaryOptions<N extends BinaryPrimitiveName> {
  /** The user-facing op name, for error messages (default: the primitive's name). */
  op?: string;
  /** The backend kernel (default: the primitive's name). */
  kernel?: BinaryOp;
  domain: Domain;
  /** The output dtype when it is not the inputs' (comparisons and logic). */
  outDType?: "bool";
  /** What the partials read (the tape keeps only that). */
  vjpReads: BuiltinPrimitive<N>["vjpReads"];
  /** The scalar lane's vjp, rounding exactly where the partials' ops round. */
  scalarVjp?: BuiltinPrimitive<N>["scalarVjp"];
  /** vmap's rule for a Jacobian's identity seed (src/primitives/diagonal-rules.ts). */
  diagonal?: BuiltinPrimitive<N>["diagonal"];
}

/**
 * A broadcasting elementwise primitive of two inputs from its partial derivatives. An elementwise
 * op's Jacobian is diagonal, so one map per input serves both modes: jvp = px(dx) + py(dy), vjp =
 * (px(ct), py(ct)), skipping symbolic zeros and the cotangents nobody needs; a null partial is
 * identically zero.
 * @example binary("mul", [(g, _x, y) => mul(g, y), (g, x) => mul(g, x)], { domain: "numeric", vjpReads: readsOther })
 */
export function binary<N extends BinaryPrimitiveName>(
  name: N,
  [px, py]: readonly [Partial | null, Partial | null],
  options: BinaryOptions<N>,
): BuiltinPrimitive<N> {
  const kernel = options.kernel ?? (name as BinaryOp);
  const scalar = BINARY_SCALAR[kernel];
  const prim: BuiltinPrimitive<N> = declarePrimitive<N>({
    name,
    batch: elementwiseBatch(() => prim),
    paramsJson: NO_PARAMS,
    shape: binaryShape(options.op ?? name, options.domain, options.outDType),
    impl: binaryImpl(kernel),
    ...(scalar === undefined ? {} : { scalar }),
    jvp: ([x, y], [dx, dy], out) =>
      addTangents(
        dx === null || dx === undefined || px === null ? null : px(dx, x!, y!, out),
        dy === null || dy === undefined || py === null ? null : py(dy, x!, y!, out),
      ),
    vjp: (ct, [x, y], out, _params, needs) => [
      needs[0] && px !== null ? px(ct, x!, y!, out) : null,
      needs[1] && py !== null ? py(ct, x!, y!, out) : null,
    ],
    vjpReads: options.vjpReads,
    ...(options.scalarVjp === undefined ? {} : { scalarVjp: options.scalarVjp }),
    ...(options.diagonal === undefined ? {} : { diagonal: options.diagonal }),
  });
  return prim;
}

/**
 * maximum (wins = greater) or minimum (wins = less): the derivative flows to the side that wins,
 * half to each at ties (JAX's convention, so maximum(x, x)' = 1), nothing on NaN.
 */
function extremum(wins: (a: Tensor, b: Tensor) => Tensor): readonly [Partial, Partial] {
  return [
    (g, x, y) => mul(g, share(wins(x, y), equal(x, y), x.dtype)),
    (g, x, y) => mul(g, share(wins(y, x), equal(x, y), x.dtype)),
  ];
}

// ---- linear -----------------------------------------------------------------------------------

// d (x + y) = dx + dy;  gx = ct, gy = ct
export const addPrim = binary("add", [(g) => g, (g) => g], {
  domain: "numeric",
  vjpReads: readsNothing,
  scalarVjp: (ct, _x, _y, _out, _r, g) => {
    g[0] = ct;
    g[1] = ct;
  },
});

// d (x - y) = dx - dy;  gx = ct, gy = -ct
export const subPrim = binary("sub", [(g) => g, (g) => neg(g)], {
  domain: "numeric",
  vjpReads: readsNothing,
  scalarVjp: (ct, _x, _y, _out, _r, g) => {
    g[0] = ct;
    g[1] = -ct;
  },
});

// ---- products and quotients -------------------------------------------------------------------

// d (x y) = y dx + x dy;  gx = ct y, gy = ct x
export const mulPrim = binary("mul", [(g, _x, y) => mul(g, y), (g, x) => mul(g, x)], {
  domain: "numeric",
  vjpReads: readsOther,
  scalarVjp: (ct, x, y, _out, r, g) => {
    g[0] = r(ct * y);
    g[1] = r(ct * x);
  },
  diagonal: mulDiagonal,
});

// d (x / y) = dx / y - (dy / y) out;  gx = ct / y, gy = -(ct / y) out
export const divPrim = binary(
  "div",
  [(g, _x, y) => div(g, y), (g, _x, y, out) => neg(mul(div(g, y), out))],
  {
    domain: "float",
    vjpReads: readsDiv,
    scalarVjp: (ct, _x, y, out, r, g) => {
      const gx = r(ct / y);
      g[0] = gx;
      g[1] = -r(gx * out);
    },
    diagonal: divDiagonal,
  },
);

// d x^y = y x^(y-1) dx + out log(x) dy   (0 where y == 0, resp. log(0) taken as 0)
export const powPrim = binary(
  "pow",
  [(g, x, y) => mul(g, powJacobianX(x, y)), (g, x, _y, out) => mul(g, powJacobianY(x, out))],
  { domain: "numeric", vjpReads: readsPow },
);

// ---- maximum and minimum ----------------------------------------------------------------------

// d max(x, y) = [x > y] dx + [x < y] dy, each side 1/2 at ties
export const maximumPrim = binary("max", extremum(greater), {
  op: "maximum",
  domain: "any",
  vjpReads: readsBothInputs,
});

// d min(x, y) = [x < y] dx + [x > y] dy, each side 1/2 at ties
export const minimumPrim = binary("min", extremum(less), {
  op: "minimum",
  domain: "any",
  vjpReads: readsBothInputs,
});
