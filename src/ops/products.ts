/**
 * @file NumPy's products beyond matmul/dot/outer: tensordot, inner, vdot, vecdot, matvec, vecmat,
 * kron and cross. All are composites: tensordot lowers onto one matmul, the others onto
 * matmul or broadcast multiplies, so their derivatives come from those ops.
 */

import { describeValue } from "../core/describe.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxis, shapeSize } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { astype, mul, neg, sub } from "./elementwise.js";
import { dot, matmul } from "./linalg.js";
import { promoteArgs } from "./promote.js";
import { sum } from "./reduce.js";
import { expandDims, reshape, squeeze, stack, transpose, unstack } from "./shape.js";

/** Both operands at their common dtype; bool is computed as int32 (as matmul does). */
function numericPair(x: TensorLike, y: TensorLike): [Tensor, Tensor] {
  let [a, b] = promoteArgs([x, y]) as [Tensor, Tensor];
  if (a.dtype === "bool") {
    a = astype(a, "int32");
    b = astype(b, "int32");
  }
  return [a, b];
}

/** `axis` of t moved to the end, the other axes in order. */
function axisLast(t: Tensor, axis: number): Tensor {
  if (axis === t.ndim - 1) return t;
  const perm = t.shape.map((_, i) => i).filter((i) => i !== axis);
  return transpose(t, [...perm, axis]);
}

/** A list of axes of one operand of tensordot, normalised and checked for repeats. */
function contractedAxes(spec: unknown, ndim: number, arg: string): number[] {
  const list = typeof spec === "number" ? [spec] : spec;
  if (!Array.isArray(list) || !list.every((a) => Number.isInteger(a))) {
    throw new ValueError(
      `tensordot: ${arg} must be an integer or an array of integers; got ${describeValue(spec)}`,
    );
  }
  const out = list.map((a: number) => normalizeAxis("tensordot", a, ndim, arg));
  if (new Set(out).size !== out.length) {
    throw new ValueError(`tensordot: ${arg} has a repeated axis; got ${describeValue(spec)}`);
  }
  return out;
}

/**
 * The sum of products over the given axes of a and b (NumPy's tensordot). `axes` is either a
 * count n (the last n axes of a against the first n of b, in order) or a pair
 * `[axesOfA, axesOfB]` of equal-length axis lists (or single axes). The result's shape is a's
 * remaining axes followed by b's. Lowered onto one matrix product.
 * @throws {@link ShapeError} when contracted axes differ in length.
 * @throws {@link ValueError} when `axes` is malformed or names an axis out of range.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.tensordot(ad.ones([2, 3, 4]), ad.ones([3, 4, 5])).shape; // => [2, 5]
 * ad.tensordot(ad.ones([2, 3]), ad.ones([4, 3]), [1, 1]).shape; // => [2, 4]
 * ad.tensordot(ad.tensor([[1, 2], [3, 4]]), ad.tensor([[1, 0], [0, 1]]), 2); // => tensor(5., dtype=float32)
 * ad.tensordot(ad.ones([2, 3]), ad.ones([2, 3]), 1); // throws: ShapeError: tensordot: axis 1 of a has length 3 but axis 0 of b has length 2
 * ```
 * @category Linear algebra
 */
export function tensordot(
  a: TensorLike,
  b: TensorLike,
  axes: number | readonly [number | readonly number[], number | readonly number[]] = 2,
): Tensor {
  const [x, y] = numericPair(a, b);
  let ca: number[];
  let cb: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > x.ndim || axes > y.ndim) {
      throw new ValueError(
        `tensordot: axes must be an integer in [0, ${Math.min(x.ndim, y.ndim)}] (the ranks are ${x.ndim} and ${y.ndim}); got ${describeValue(axes)}`,
      );
    }
    ca = Array.from({ length: axes }, (_, i) => x.ndim - axes + i);
    cb = Array.from({ length: axes }, (_, i) => i);
  } else {
    if (!Array.isArray(axes) || axes.length !== 2) {
      throw new ValueError(
        `tensordot: axes must be an integer or a pair [axesOfA, axesOfB]; got ${describeValue(axes)}`,
      );
    }
    ca = contractedAxes(axes[0], x.ndim, "axes[0]");
    cb = contractedAxes(axes[1], y.ndim, "axes[1]");
    if (ca.length !== cb.length) {
      throw new ValueError(
        `tensordot: axes[0] and axes[1] must have the same length; got ${ca.length} and ${cb.length}`,
      );
    }
  }
  ca.forEach((ax, i) => {
    if (x.shape[ax] !== y.shape[cb[i]!]) {
      throw new ShapeError(
        `tensordot: axis ${ax} of a has length ${x.shape[ax]} but axis ${cb[i]} of b has length ${y.shape[cb[i]!]}`,
      );
    }
  });
  const freeA = x.shape.map((_, i) => i).filter((i) => !ca.includes(i));
  const freeB = y.shape.map((_, i) => i).filter((i) => !cb.includes(i));
  const outShape = [...freeA.map((i) => x.shape[i]!), ...freeB.map((i) => y.shape[i]!)];
  const k = shapeSize(ca.map((i) => x.shape[i]!));
  const m = shapeSize(freeA.map((i) => x.shape[i]!));
  const n = shapeSize(freeB.map((i) => y.shape[i]!));
  const permA = [...freeA, ...ca];
  const permB = [...cb, ...freeB];
  const xt = permA.every((p, i) => p === i) ? x : transpose(x, permA);
  const yt = permB.every((p, i) => p === i) ? y : transpose(y, permB);
  return reshape(matmul(reshape(xt, [m, k]), reshape(yt, [k, n])), outShape);
}

/**
 * The inner product over the last axis of a and b (NumPy's inner): for 1-d operands the dot
 * product; in general out.shape = a.shape[:-1] ++ b.shape[:-1]. A 0-d operand multiplies.
 * @throws {@link ShapeError} when the last axes differ in length.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.inner(ad.tensor([1, 2, 3]), ad.tensor([0, 1, 0])); // => tensor(2., dtype=float32)
 * ad.inner(ad.ones([2, 3]), ad.ones([4, 3])).shape; // => [2, 4]
 * ```
 * @category Linear algebra
 */
export function inner(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = numericPair(a, b);
  if (x.ndim === 0 || y.ndim === 0) return mul(x, y);
  if (x.shape[x.ndim - 1] !== y.shape[y.ndim - 1]) {
    throw new ShapeError(
      `inner: the last axes of a ${fmtShape(x.shape)} and b ${fmtShape(y.shape)} differ in length`,
    );
  }
  return tensordot(x, y, [x.ndim - 1, y.ndim - 1]);
}

/**
 * The dot product of the flattened a and b (NumPy's vdot; real tensors have no conjugate).
 * @throws {@link ShapeError} when a and b have different numbers of elements.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.vdot(ad.tensor([[1, 2], [3, 4]]), ad.tensor([[1, 1], [1, 1]])); // => tensor(10., dtype=float32)
 * ```
 * @category Linear algebra
 */
export function vdot(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = numericPair(a, b);
  if (x.size !== y.size) {
    throw new ShapeError(
      `vdot: a ${fmtShape(x.shape)} and b ${fmtShape(y.shape)} must have the same number of elements`,
    );
  }
  return dot(reshape(x, [x.size]), reshape(y, [y.size]));
}

/**
 * Options of {@link vecdot}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.vecdot(ad.ones([3, 2]), ad.ones([3, 2]), { axis: 0 }); // => tensor([3., 3.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export interface VecdotOptions {
  /** The axis summed over, in each operand (default -1). */
  axis?: number;
}

/**
 * The dot product of vectors along `axis` (default -1) of x1 and x2, the other axes broadcast
 * (the array API's and JAX's vecdot; real tensors have no conjugate).
 * @throws {@link ShapeError} when the vector axes differ in length or the others do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.vecdot(ad.tensor([[1, 2], [3, 4]]), ad.tensor([1, 1])); // => tensor([3., 7.], dtype=float32)
 * ad.vecdot(ad.tensor([[1, 2], [3, 4]]), ad.tensor([[1], [1]]), { axis: 0 }); // => tensor([4., 6.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function vecdot(x1: TensorLike, x2: TensorLike, options?: VecdotOptions): Tensor {
  const { axis = -1 } = checkOptions("vecdot", options, ["axis"]);
  const [x, y] = numericPair(x1, x2);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new ValueError(
      `vecdot: operands must be at least 1-d; got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
    );
  }
  const xm = axisLast(x, normalizeAxis("vecdot", axis, x.ndim));
  const ym = axisLast(y, normalizeAxis("vecdot", axis, y.ndim));
  if (xm.shape[xm.ndim - 1] !== ym.shape[ym.ndim - 1]) {
    throw new ShapeError(
      `vecdot: axis ${axis} has length ${xm.shape[xm.ndim - 1]} in x1 ${fmtShape(x.shape)} but ${ym.shape[ym.ndim - 1]} in x2 ${fmtShape(y.shape)}`,
    );
  }
  return sum(mul(xm, ym), { axis: -1 });
}

/**
 * The matrix-vector product over the last axes, the leading (batch) axes broadcast:
 * x1 [..., m, n] and x2 [..., n] give [..., m] (JAX's matvec).
 * @throws {@link ShapeError} when the inner lengths differ or the batch axes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.matvec(ad.tensor([[1, 2], [3, 4]]), ad.tensor([1, 1])); // => tensor([3., 7.], dtype=float32)
 * ad.matvec(ad.ones([5, 2, 3]), ad.ones([3])).shape; // => [5, 2]
 * ```
 * @category Linear algebra
 */
export function matvec(x1: TensorLike, x2: TensorLike): Tensor {
  const [a, v] = numericPair(x1, x2);
  if (a.ndim < 2 || v.ndim < 1) {
    throw new ValueError(
      `matvec: x1 must be at least 2-d and x2 at least 1-d; got ${fmtShape(a.shape)} and ${fmtShape(v.shape)}`,
    );
  }
  return squeeze(matmul(a, expandDims(v, -1)), -1);
}

/**
 * The vector-matrix product over the last axes, the leading (batch) axes broadcast:
 * x1 [..., m] and x2 [..., m, n] give [..., n] (JAX's vecmat; real tensors have no conjugate).
 * @throws {@link ShapeError} when the inner lengths differ or the batch axes do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.vecmat(ad.tensor([1, 1]), ad.tensor([[1, 2], [3, 4]])); // => tensor([4., 6.], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function vecmat(x1: TensorLike, x2: TensorLike): Tensor {
  const [v, a] = numericPair(x1, x2);
  if (v.ndim < 1 || a.ndim < 2) {
    throw new ValueError(
      `vecmat: x1 must be at least 1-d and x2 at least 2-d; got ${fmtShape(v.shape)} and ${fmtShape(a.shape)}`,
    );
  }
  return squeeze(matmul(expandDims(v, -2), a), -2);
}

/**
 * The Kronecker product: blocks a[i, j] * b laid out in a's pattern. The shorter shape is padded
 * with leading 1s; out.shape[d] = a.shape[d] * b.shape[d].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.kron(ad.tensor([1, 2]), ad.tensor([1, 10, 100])); // => tensor([1., 10., 100., 2., 20., 200.], dtype=float32)
 * ad.kron(ad.eye(2), ad.ones([2, 3])).shape; // => [4, 6]
 * ```
 * @category Linear algebra
 */
export function kron(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = numericPair(a, b);
  const nd = Math.max(x.ndim, y.ndim);
  const sa = [...new Array<number>(nd - x.ndim).fill(1), ...x.shape];
  const sb = [...new Array<number>(nd - y.ndim).fill(1), ...y.shape];
  // out[i*nb + j] = a[i] * b[j]: a as [a0, 1, a1, 1, ...] times b as [1, b0, 1, b1, ...].
  const ra = sa.flatMap((d) => [d, 1]);
  const rb = sb.flatMap((d) => [1, d]);
  return reshape(
    mul(reshape(x, ra), reshape(y, rb)),
    sa.map((d, i) => d * sb[i]!),
  );
}

/**
 * Options of {@link cross}: where the vectors lie in each operand and in the result.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cross(ad.ones([3, 2]), ad.ones([3, 2]), { axis: 0 }).shape; // => [3, 2]
 * ```
 * @category Linear algebra
 */
export interface CrossOptions {
  /** The vector axis of a (default -1). */
  axisa?: number;
  /** The vector axis of b (default -1). */
  axisb?: number;
  /** The vector axis of the result (default -1). */
  axisc?: number;
  /** When given, overrides axisa, axisb and axisc. */
  axis?: number;
}

/**
 * The cross product of 2- or 3-element vectors along the vector axes of a and b (default the last
 * ones), the other axes broadcast (NumPy's cross). Two 3-vectors give a 3-vector; a 2-vector is
 * taken to have a zero third component; two 2-vectors give the scalar z-component (that axis is
 * removed).
 * @throws {@link ValueError} when a vector axis does not have length 2 or 3.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.cross(ad.tensor([1, 0, 0]), ad.tensor([0, 1, 0])); // => tensor([0., 0., 1.], dtype=float32)
 * ad.cross(ad.tensor([1, 2]), ad.tensor([3, 4])); // => tensor(-2., dtype=float32)
 * ad.cross(ad.ones([3, 4]), ad.ones([3]), { axisa: 0 }).shape; // => [4, 3]
 * ad.cross(ad.ones([4]), ad.ones([3])); // throws: ValueError: cross: the vector axis of a must have length 2 or 3
 * ```
 * @category Linear algebra
 */
export function cross(a: TensorLike, b: TensorLike, options?: CrossOptions): Tensor {
  const o = checkOptions("cross", options, ["axisa", "axisb", "axisc", "axis"]);
  const axisa = o.axis ?? o.axisa ?? -1;
  const axisb = o.axis ?? o.axisb ?? -1;
  const axisc = o.axis ?? o.axisc ?? -1;
  const [x, y] = numericPair(a, b);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new ValueError(
      `cross: operands must be at least 1-d; got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
    );
  }
  const xm = axisLast(x, normalizeAxis("cross", axisa, x.ndim, "axisa"));
  const ym = axisLast(y, normalizeAxis("cross", axisb, y.ndim, "axisb"));
  const la = xm.shape[xm.ndim - 1]!;
  const lb = ym.shape[ym.ndim - 1]!;
  for (const [len, arg, shape] of [
    [la, "a", x.shape],
    [lb, "b", y.shape],
  ] as const) {
    if (len !== 2 && len !== 3) {
      throw new ValueError(
        `cross: the vector axis of ${arg} must have length 2 or 3; got ${len} (shape ${fmtShape(shape)})`,
      );
    }
  }
  const [a0, a1, a2] = unstack(xm, -1);
  const [b0, b1, b2] = unstack(ym, -1);
  const z = sub(mul(a0!, b1!), mul(a1!, b0!));
  if (la === 2 && lb === 2) return z;
  // A missing third component is zero: drop the terms it would multiply.
  const cx = a2 && b2 ? sub(mul(a1!, b2), mul(a2, b1!)) : a2 ? neg(mul(a2, b1!)) : mul(a1!, b2!);
  const cy = a2 && b2 ? sub(mul(a2, b0!), mul(a0!, b2)) : a2 ? mul(a2, b0!) : neg(mul(a0!, b2!));
  const c = stack([cx, cy, z], -1);
  const ax = normalizeAxis("cross", axisc, c.ndim, "axisc");
  if (ax === c.ndim - 1) return c;
  const perm = c.shape.map((_, i) => i).slice(0, -1);
  perm.splice(ax, 0, c.ndim - 1);
  return transpose(c, perm);
}
