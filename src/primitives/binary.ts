/**
 * @file Elementwise binary primitives with NumPy broadcasting: add, sub, mul, div, pow, maximum,
 * minimum, atan2, mod. Both inputs have the same dtype (the op wrappers promote). JVP rules may
 * return tangents of the broadcast shape and VJP rules cotangents of the output's shape: the
 * drivers broadcast and unbroadcast (src/transforms/fit.ts), never the rules.
 */

import type { BinaryOp } from "../backend/backend.js";
import { getBackend } from "../backend/index.js";
import { allocate, type TypedArray } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import type { Aval } from "../core/primitive.js";
import { broadcastShapes, shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import {
  add,
  astype,
  div,
  equal,
  floor,
  greater,
  less,
  log,
  logicalAnd,
  mul,
  neg,
  pow,
  square,
  sub,
  where,
} from "../ops/elementwise.js";
import { elementwiseBatch } from "./batching.js";
import { divDiagonal, mulDiagonal } from "./diagonal-rules.js";
import { type BuiltinPrimitive, declarePrimitive } from "./names.js";
import {
  readsBothInputs,
  readsDiv,
  readsMod,
  readsNothing,
  readsOther,
  readsPow,
} from "./reads.js";
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

// ---- linear -----------------------------------------------------------------------------------

export const addPrim: BuiltinPrimitive<"add"> = declarePrimitive({
  name: "add",
  batch: elementwiseBatch(() => addPrim),
  shape: binaryShape("add", "numeric"),
  impl: binaryImpl("add"),
  scalar: BINARY_SCALAR.add!,
  // d (x + y) = dx + dy
  jvp: (_primals, [dx, dy]) => addTangents(dx, dy),
  // gx = ct, gy = ct
  vjp: (ct, _primals, _out, _params, needs) => [needs[0] ? ct : null, needs[1] ? ct : null],
  vjpReads: readsNothing,
  scalarVjp: (ct, _x, _y, _out, _r, g) => {
    g[0] = ct;
    g[1] = ct;
  },
});

export const subPrim: BuiltinPrimitive<"sub"> = declarePrimitive({
  name: "sub",
  batch: elementwiseBatch(() => subPrim),
  shape: binaryShape("sub", "numeric"),
  impl: binaryImpl("sub"),
  scalar: BINARY_SCALAR.sub!,
  // d (x - y) = dx - dy
  jvp: (_primals, [dx, dy]) => (dy === null ? dx! : dx === null ? neg(dy!) : sub(dx!, dy!)),
  // gx = ct, gy = -ct
  vjp: (ct, _primals, _out, _params, needs) => [needs[0] ? ct : null, needs[1] ? neg(ct) : null],
  vjpReads: readsNothing,
  scalarVjp: (ct, _x, _y, _out, _r, g) => {
    g[0] = ct;
    g[1] = -ct;
  },
});

// ---- products and quotients -------------------------------------------------------------------

export const mulPrim: BuiltinPrimitive<"mul"> = declarePrimitive({
  name: "mul",
  batch: elementwiseBatch(() => mulPrim),
  shape: binaryShape("mul", "numeric"),
  impl: binaryImpl("mul"),
  scalar: BINARY_SCALAR.mul!,
  // d (x y) = dx y + x dy
  jvp: ([x, y], [dx, dy]) =>
    addTangents(dx === null ? null : mul(dx!, y!), dy === null ? null : mul(x!, dy!)),
  // gx = ct y, gy = ct x
  vjp: (ct, [x, y], _out, _params, needs) => [
    needs[0] ? mul(ct, y!) : null,
    needs[1] ? mul(ct, x!) : null,
  ],
  vjpReads: readsOther,
  scalarVjp: (ct, x, y, _out, r, g) => {
    g[0] = r(ct * y);
    g[1] = r(ct * x);
  },
  diagonal: mulDiagonal,
});

export const divPrim: BuiltinPrimitive<"div"> = declarePrimitive({
  name: "div",
  batch: elementwiseBatch(() => divPrim),
  shape: binaryShape("div", "float"),
  impl: binaryImpl("div"),
  scalar: BINARY_SCALAR.div!,
  // d (x / y) = (dx - out dy) / y
  jvp: ([, y], [dx, dy], out) => {
    if (dy === null) return div(dx!, y!);
    if (dx === null) return neg(div(mul(out, dy!), y!));
    return div(sub(dx!, mul(out, dy!)), y!);
  },
  // gx = ct / y, gy = -(ct / y) out
  vjp: (ct, [, y], out, _params, needs) => {
    const gx = div(ct, y!);
    return [needs[0] ? gx : null, needs[1] ? neg(mul(gx, out)) : null];
  },
  vjpReads: readsDiv,
  scalarVjp: (ct, _x, y, out, r, g) => {
    const gx = r(ct / y);
    g[0] = gx;
    g[1] = -r(gx * out);
  },
  diagonal: divDiagonal,
});

export const powPrim: BuiltinPrimitive<"pow"> = declarePrimitive({
  name: "pow",
  batch: elementwiseBatch(() => powPrim),
  shape: binaryShape("pow", "numeric"),
  impl: binaryImpl("pow"),
  scalar: BINARY_SCALAR.pow!,
  // d x^y = y x^(y-1) dx + out log(x) dy   (0 where y == 0, resp. log(0) taken as 0)
  jvp: ([x, y], [dx, dy], out) =>
    addTangents(
      dx === null ? null : mul(dx!, powJacobianX(x!, y!)),
      dy === null ? null : mul(dy!, powJacobianY(x!, out)),
    ),
  // gx = ct y x^(y-1), gy = ct out log(x)
  vjp: (ct, [x, y], out, _params, needs) => [
    needs[0] ? mul(ct, powJacobianX(x!, y!)) : null,
    needs[1] ? mul(ct, powJacobianY(x!, out)) : null,
  ],
  vjpReads: readsPow,
});

// ---- maximum and minimum ----------------------------------------------------------------------

export const maximumPrim: BuiltinPrimitive<"max"> = declarePrimitive({
  name: "max",
  batch: elementwiseBatch(() => maximumPrim),
  shape: binaryShape("maximum", "any"),
  impl: binaryImpl("max"),
  scalar: BINARY_SCALAR.max!,
  // d max(x, y) = [x > y] dx + [x < y] dy, each side 1/2 at ties
  jvp: ([x, y], [dx, dy]) => {
    const ties = equal(x!, y!);
    return addTangents(
      dx === null ? null : mul(dx!, share(greater(x!, y!), ties, x!.dtype)),
      dy === null ? null : mul(dy!, share(less(x!, y!), ties, x!.dtype)),
    );
  },
  // gx = ct [x > y], gy = ct [x < y], each side ct/2 at ties
  vjp: (ct, [x, y], _out, _params, needs) => {
    const ties = equal(x!, y!);
    return [
      needs[0] ? mul(ct, share(greater(x!, y!), ties, x!.dtype)) : null,
      needs[1] ? mul(ct, share(less(x!, y!), ties, x!.dtype)) : null,
    ];
  },
  vjpReads: readsBothInputs,
});

export const minimumPrim: BuiltinPrimitive<"min"> = declarePrimitive({
  name: "min",
  batch: elementwiseBatch(() => minimumPrim),
  shape: binaryShape("minimum", "any"),
  impl: binaryImpl("min"),
  scalar: BINARY_SCALAR.min!,
  // d min(x, y) = [x < y] dx + [x > y] dy, each side 1/2 at ties
  jvp: ([x, y], [dx, dy]) => {
    const ties = equal(x!, y!);
    return addTangents(
      dx === null ? null : mul(dx!, share(less(x!, y!), ties, x!.dtype)),
      dy === null ? null : mul(dy!, share(greater(x!, y!), ties, x!.dtype)),
    );
  },
  // gx = ct [x < y], gy = ct [x > y], each side ct/2 at ties
  vjp: (ct, [x, y], _out, _params, needs) => {
    const ties = equal(x!, y!);
    return [
      needs[0] ? mul(ct, share(less(x!, y!), ties, x!.dtype)) : null,
      needs[1] ? mul(ct, share(greater(x!, y!), ties, x!.dtype)) : null,
    ];
  },
  vjpReads: readsBothInputs,
});

// ---- atan2 and mod ----------------------------------------------------------------------------

export const atan2Prim: BuiltinPrimitive<"atan2"> = declarePrimitive({
  name: "atan2",
  batch: elementwiseBatch(() => atan2Prim),
  shape: binaryShape("atan2", "float"),
  impl: binaryImpl("atan2"),
  scalar: BINARY_SCALAR.atan2!,
  // d atan2(x, y) = (y dx - x dy) / (x^2 + y^2)
  jvp: ([x, y], [dx, dy]) => {
    const r2 = add(square(x!), square(y!));
    if (dy === null) return div(mul(dx!, y!), r2);
    if (dx === null) return neg(div(mul(dy!, x!), r2));
    return div(sub(mul(dx!, y!), mul(dy!, x!)), r2);
  },
  // gx = ct y / (x^2 + y^2), gy = -ct x / (x^2 + y^2)
  vjp: (ct, [x, y], _out, _params, needs) => {
    const q = div(ct, add(square(x!), square(y!)));
    return [needs[0] ? mul(q, y!) : null, needs[1] ? neg(mul(q, x!)) : null];
  },
  vjpReads: readsBothInputs,
});

export const modPrim: BuiltinPrimitive<"mod"> = declarePrimitive({
  name: "mod",
  batch: elementwiseBatch(() => modPrim),
  shape: binaryShape("mod", "numeric"),
  impl: binaryImpl("mod"),
  scalar: BINARY_SCALAR.mod!,
  // d mod(x, y) = dx - floor(x / y) dy
  jvp: ([x, y], [dx, dy]) =>
    dy === null ? dx! : addTangents(dx, neg(mul(dy!, floor(div(x!, y!))))),
  // gx = ct, gy = -ct floor(x / y)
  vjp: (ct, [x, y], _out, _params, needs) => [
    needs[0] ? ct : null,
    needs[1] ? neg(mul(ct, floor(div(x!, y!)))) : null,
  ],
  vjpReads: readsMod,
});
