/**
 * @file Polynomials as 1-d coefficient arrays, highest power first (NumPy's poly* functions):
 * polyval, polyadd, polysub, polymul, polydiv, polyder, polyint, poly (from roots) and polyfit
 * (least squares). All are composites of elementwise ops, convolve and lstsq, so they are
 * differentiable in their float arguments.
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { add, astype, div, mul, sqrt, sub } from "./elementwise.js";
import { lstsq } from "./linalg-more.js";
import { vander } from "./matrix-structure.js";
import { promoteArgs, promoteToFloat } from "./promote.js";
import { sum } from "./reduce.js";
import { convolve } from "./sequences.js";
import { concat, pad, reshape, slice, stack, unstack } from "./shape.js";

function checkCount(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new ValueError(`${op}: ${arg} must be a non-negative integer; got ${describeValue(v)}`);
  }
  return v;
}

function check1d(op: string, arg: string, t: Tensor): void {
  if (t.ndim !== 1) {
    throw new ShapeError(
      `${op}: ${arg} must be 1-d (coefficients); got shape ${fmtShape(t.shape)}`,
    );
  }
}

/**
 * The polynomial with coefficients `p` (highest power first) at x, by Horner's rule:
 * p[0] x^(n-1) + ... + p[n-1]. Differentiable w.r.t. p and x.
 * @param p - 1-d coefficients.
 * @param x - The points (any shape).
 * @throws {@link ShapeError} when p is not 1-d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.polyval(ad.tensor([3, 0, 1]), ad.tensor([1, 2])); // => tensor([4., 13.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function polyval(p: TensorLike, x: TensorLike): Tensor {
  const [c, t] = promoteArgs([p, x]) as [Tensor, Tensor];
  check1d("polyval", "p", c);
  let y = mul(t, 0);
  for (const coef of unstack(c)) y = add(mul(y, t), coef);
  return y;
}

/** Both coefficient arrays padded in front to one length. */
function alignPoly(op: string, a1: TensorLike, a2: TensorLike): [Tensor, Tensor] {
  const [a, b] = promoteArgs([a1, a2]) as [Tensor, Tensor];
  check1d(op, "a1", a);
  check1d(op, "a2", b);
  const n = Math.max(a.size, b.size);
  return [pad(a, [[n - a.size, 0]]), pad(b, [[n - b.size, 0]])];
}

/**
 * The sum of two polynomials (1-d coefficients, highest power first); the shorter is padded
 * with leading zeros. Differentiable.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.polyadd(ad.tensor([1, 2]), ad.tensor([9, 5, 4])); // => tensor([9., 6., 6.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function polyadd(a1: TensorLike, a2: TensorLike): Tensor {
  const [a, b] = alignPoly("polyadd", a1, a2);
  return add(a, b);
}

/**
 * The difference a1 - a2 of two polynomials (1-d coefficients, highest power first).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.polysub(ad.tensor([2, 10, -2]), ad.tensor([3, 10, -4])); // => tensor([-1., 0., 2.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function polysub(a1: TensorLike, a2: TensorLike): Tensor {
  const [a, b] = alignPoly("polysub", a1, a2);
  return sub(a, b);
}

/**
 * The product of two polynomials (1-d coefficients, highest power first): their full
 * convolution. Differentiable.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.polymul(ad.tensor([1, 2, 3]), ad.tensor([9, 5, 1])); // => tensor([9., 23., 38., 17., 3.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function polymul(a1: TensorLike, a2: TensorLike): Tensor {
  const [a, b] = promoteArgs([a1, a2]) as [Tensor, Tensor];
  check1d("polymul", "a1", a);
  check1d("polymul", "a2", b);
  return convolve(a, b, "full");
}

/**
 * The m-th derivative of a polynomial (1-d coefficients, highest power first): m fewer
 * coefficients (empty when m reaches their count). Differentiable w.r.t. p.
 * @param m - The order (default 1).
 * @throws {@link ValueError} when m is not a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.polyder(ad.tensor([1, 1, 1, 1])); // => tensor([3., 2., 1.], dtype=float32)
 * ad.polyder(ad.tensor([1, 1, 1, 1]), 2); // => tensor([6., 2.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function polyder(p: TensorLike, m = 1): Tensor {
  const c = toTensor(p);
  check1d("polyder", "p", c);
  checkCount("polyder", "m", m);
  const n = c.size;
  const len = Math.max(n - m, 0);
  // Coefficient k multiplies x^(n-1-k); m derivatives bring down (n-1-k)(n-2-k)...(n-m-k).
  const factors = Array.from({ length: len }, (_, k) => {
    let f = 1;
    for (let j = 0; j < m; j++) f *= n - 1 - k - j;
    return f;
  });
  const dtype = isFloat(c.dtype) ? c.dtype : c.dtype === "bool" ? "int32" : c.dtype;
  return mul(slice(c, [0], [len]), toTensor(factors, dtype));
}

/**
 * The m-th antiderivative of a polynomial (1-d coefficients, highest power first): m more
 * coefficients; `k` gives the integration constants (one number for all, or one per
 * integration, the first integration's first). Differentiable w.r.t. p.
 * @param p - 1-d coefficients.
 * @param m - The order (default 1).
 * @param k - The constants (default 0).
 * @throws {@link ValueError} when m is not a non-negative integer or k has fewer than m entries.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.polyint(ad.tensor([3, 2, 1])); // => tensor([1., 1., 1., 0.], dtype=float32)
 * ad.polyint(ad.tensor([6]), 2, [1, 2]); // => tensor([3., 1., 2.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function polyint(p: TensorLike, m = 1, k: number | readonly number[] = 0): Tensor {
  const op = "polyint";
  const [first] = promoteToFloat([p]) as [Tensor];
  check1d(op, "p", first);
  checkCount(op, "m", m);
  const ks = typeof k === "number" ? new Array<number>(m).fill(k) : [...k];
  if (ks.length === 1 && m > 1) ks.push(...new Array<number>(m - 1).fill(ks[0]!));
  if (ks.length < m || ks.some((v) => typeof v !== "number")) {
    throw new ValueError(
      `${op}: k must be a number or have one number per integration (${m}); got ${describeValue(k)}`,
    );
  }
  let c = first;
  for (let i = 0; i < m; i++) {
    const n = c.size;
    // Coefficient j multiplies x^(n-1-j), which integrates to x^(n-j) / (n - j).
    const divisors = toTensor(
      Float64Array.from({ length: n }, (_, j) => n - j),
      c.dtype,
    );
    c = concat([div(c, divisors), toTensor([ks[i]!], c.dtype)]);
  }
  return c;
}

/**
 * Polynomial long division u = q v + r: `[q, r]`, with r as long as u (leading entries zero,
 * not trimmed, as JAX's default). Differentiable w.r.t. u and v.
 * @param u - The dividend (1-d coefficients).
 * @param v - The divisor (1-d, its first coefficient non-zero).
 * @throws {@link ShapeError} when u or v is not 1-d and non-empty.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.polydiv(ad.tensor([1, 3, 5]), ad.tensor([1, 1])); // => [tensor([1., 2.], dtype=float32), tensor([0., 0., 3.], dtype=float32)]
 * ```
 * @category Elementwise
 */
export function polydiv(u: TensorLike, v: TensorLike): [Tensor, Tensor] {
  const op = "polydiv";
  const [a, b] = promoteToFloat([u, v]) as [Tensor, Tensor];
  for (const [arg, t] of [
    ["u", a],
    ["v", b],
  ] as const) {
    if (t.ndim !== 1 || t.size === 0) {
      throw new ShapeError(
        `${op}: ${arg} must be 1-d and non-empty; got shape ${fmtShape(t.shape)}`,
      );
    }
  }
  const m = a.size - 1;
  const n = b.size - 1;
  const lead = slice(b, [0], [1]);
  let r = a;
  const q: Tensor[] = [];
  for (let k = 0; k <= m - n; k++) {
    const d = div(slice(r, [k], [1]), lead);
    q.push(reshape(d, []));
    r = sub(r, pad(mul(d, b), [[k, m - n - k]]));
  }
  return [q.length === 0 ? toTensor([0], a.dtype) : stack(q), r];
}

/**
 * The monic polynomial whose roots are the given values: the coefficients of
 * (x - r0)(x - r1)..., highest power first. Differentiable w.r.t. the roots.
 * @param roots - 1-d (a 2-d matrix's characteristic polynomial is not supported).
 * @throws {@link ShapeError} when roots is not 1-d.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.poly(ad.tensor([1, 2])); // => tensor([1., -3., 2.], dtype=float32)
 * ```
 * @category Elementwise
 */
export function poly(roots: TensorLike): Tensor {
  const [r] = promoteToFloat([roots]) as [Tensor];
  if (r.ndim !== 1) {
    throw new ShapeError(`poly: roots must be 1-d; got shape ${fmtShape(r.shape)}`);
  }
  let c = toTensor([1], r.dtype);
  for (const root of unstack(r)) {
    c = convolve(c, concat([toTensor([1], r.dtype), reshape(sub(0, root), [1])]));
  }
  return c;
}

/**
 * The least-squares polynomial of degree `deg` through the points (x, y): its coefficients,
 * highest power first (NumPy's polyfit; columns of the Vandermonde matrix are scaled to unit
 * norm first, as NumPy does, for conditioning). y may be 2-d: one fit per column. Optional
 * weights `w` multiply the residuals. Differentiable w.r.t. x, y and w through lstsq.
 * @param x - 1-d sample points.
 * @param y - [n] or [n, k] sample values.
 * @param deg - The degree.
 * @param options - `w` (a weight per point) and `rcond` (lstsq's cutoff).
 * @throws {@link ShapeError} when x is not 1-d or y does not have one row per point.
 * @throws {@link ValueError} when deg is not a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.polyfit(ad.tensor([0, 1, 2, 3], { dtype: "float64" }), ad.tensor([1, 3, 5, 7], { dtype: "float64" }), 1); // => tensor([2., 1.], dtype=float64)
 * ```
 * @category Linear algebra
 */
export function polyfit(
  x: TensorLike,
  y: TensorLike,
  deg: number,
  options?: { w?: TensorLike; rcond?: number },
): Tensor {
  const op = "polyfit";
  options = checkOptions(op, options, ["w", "rcond"]);
  checkCount(op, "deg", deg);
  const [xs, ys] = promoteToFloat([x, y]) as [Tensor, Tensor];
  if (xs.ndim !== 1) throw new ShapeError(`${op}: x must be 1-d; got shape ${fmtShape(xs.shape)}`);
  if ((ys.ndim !== 1 && ys.ndim !== 2) || ys.shape[0] !== xs.size) {
    throw new ShapeError(
      `${op}: y must be [${xs.size}] or [${xs.size}, k] (one row per point); got shape ${fmtShape(ys.shape)}`,
    );
  }
  let lhs = vander(xs, deg + 1);
  let rhs = ys;
  if (options?.w !== undefined) {
    const w = astype(toTensor(options.w), xs.dtype);
    if (w.ndim !== 1 || w.size !== xs.size) {
      throw new ShapeError(
        `${op}: w must be 1-d with one weight per point (${xs.size}); got shape ${fmtShape(w.shape)}`,
      );
    }
    lhs = mul(lhs, reshape(w, [xs.size, 1]));
    rhs = ys.ndim === 1 ? mul(ys, w) : mul(ys, reshape(w, [xs.size, 1]));
  }
  const scale = sqrt(sum(mul(lhs, lhs), { axis: 0 }));
  const lstsqOptions = options?.rcond === undefined ? {} : { rcond: options.rcond };
  const [c] = lstsq(div(lhs, scale), rhs, lstsqOptions);
  return ys.ndim === 1 ? div(c, scale) : div(c, reshape(scale, [deg + 1, 1]));
}
