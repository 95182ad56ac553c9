/**
 * @file NumPy's function-applying helpers, written with vmap as JAX writes them: applyAlongAxis
 * (a function of 1-d slices mapped over the other axes), applyOverAxes and fromfunction (a
 * function of coordinates mapped over a grid). Exported from the package root, not from
 * src/ops/index.ts, because vmap itself imports the ops (no import cycle this way).
 */

import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { type DType, getDefaultFloat } from "../core/dtype.js";
import { fmtShape, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { normalizeAxis } from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { vmap } from "../transforms/vmap.js";
import { indices, moveaxis } from "./joining.js";
import { expandDims, reshape, transpose, unstack } from "./shape.js";

function checkFunction(op: string, arg: string, f: unknown): void {
  if (typeof f !== "function") {
    throw new ValueError(`${op}: ${arg} must be a function; got ${describeValue(f)}`);
  }
}

function checkResult(op: string, r: unknown): Tensor {
  if (!(r instanceof Tensor)) {
    throw new ValueError(`${op}: the function must return a Tensor; got ${describeValue(r)}`);
  }
  return r;
}

/**
 * `func1d` applied to every 1-d slice of x along `axis` (NumPy's apply_along_axis), by vmap
 * rather than a loop, so it is traced once and differentiable. If func1d returns shape S, the
 * result has shape x.shape[:axis] ++ S ++ x.shape[axis+1:].
 * @throws {@link ValueError} when func1d is not a function or does not return a Tensor, or the
 *   axis is out of range.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([[1, 2, 3], [4, 5, 6]]);
 * ad.applyAlongAxis((v) => ad.sum(v), 1, x); // => tensor([6., 15.], dtype=float32)
 * ad.applyAlongAxis((v) => ad.stack([ad.min(v), ad.max(v)]), 0, x); // => tensor([[1., 2., 3.], [4., 5., 6.]], dtype=float32)
 * ```
 * @category Transformations
 */
export function applyAlongAxis(func1d: (x: Tensor) => Tensor, axis: number, x: TensorLike): Tensor {
  checkFunction("applyAlongAxis", "func1d", func1d);
  const t = toTensor(x);
  if (t.ndim === 0) {
    throw new ValueError(`applyAlongAxis: x must be at least 1-d; got shape ${fmtShape(t.shape)}`);
  }
  const a = normalizeAxis("applyAlongAxis", axis, t.ndim);
  let f = (v: Tensor): Tensor => checkResult("applyAlongAxis", func1d(v));
  for (let d = 1; d < t.ndim; d++) f = vmap(f);
  const out = f(moveaxis(t, a, -1));
  // out is [...x.shape without axis, ...S]: move S to where the axis was.
  const lead = t.ndim - 1;
  const k = out.ndim - lead;
  const perm = [
    ...Array.from({ length: a }, (_, i) => i),
    ...Array.from({ length: k }, (_, i) => lead + i),
    ...Array.from({ length: lead - a }, (_, i) => a + i),
  ];
  return perm.every((p, i) => p === i) ? out : transpose(out, perm);
}

/**
 * `func(a, axis)` applied for each axis in turn, the result replacing a (NumPy's
 * apply_over_axes): func must keep the rank, or drop that one axis, which is then put back with
 * length 1 (so reductions compose like keepdims).
 * @throws {@link ValueError} when func changes the rank otherwise.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.applyOverAxes((t, ax) => ad.sum(t, { axis: ax }), ad.ones([2, 3, 4]), [0, 2]); // => tensor([[[8.], [8.], [8.]]], dtype=float32)
 * ```
 * @category Transformations
 */
export function applyOverAxes(
  func: (a: Tensor, axis: number) => Tensor,
  a: TensorLike,
  axes: number | readonly number[],
): Tensor {
  checkFunction("applyOverAxes", "func", func);
  let t = toTensor(a);
  const list = typeof axes === "number" ? [axes] : axes;
  if (!Array.isArray(list)) {
    throw new ValueError(
      `applyOverAxes: axes must be an integer or an array of integers; got ${describeValue(axes)}`,
    );
  }
  for (const ax of list) {
    const axis = normalizeAxis("applyOverAxes", ax, t.ndim, "axes");
    const r = checkResult("applyOverAxes", func(t, axis));
    if (r.ndim === t.ndim - 1) t = expandDims(r, axis);
    else if (r.ndim === t.ndim) t = r;
    else {
      throw new ValueError(
        `applyOverAxes: func must keep the rank ${t.ndim} or drop one axis; it returned shape ${fmtShape(r.shape)} for axis ${axis}`,
      );
    }
  }
  return t;
}

/**
 * The tensor whose element at each coordinate (i0, i1, ...) of `shape` is
 * `func(i0, i1, ...)` (NumPy's fromfunction). As in JAX, func is vmapped: it sees one 0-d
 * coordinate tensor per axis (of `dtype`, default the default float), so it need not be written
 * for arrays. If func returns shape S, the result has shape `shape ++ S`.
 * @throws {@link ValueError} when func is not a function or does not return a Tensor.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.fromfunction((i, j) => ad.add(ad.mul(i, 10), j), [2, 3]); // => tensor([[0., 1., 2.], [10., 11., 12.]], dtype=float32)
 * ad.fromfunction((i) => ad.equal(i, 1), [3], { dtype: "int32" }); // => tensor([false, true, false], dtype=bool)
 * ```
 * @category Creation
 */
export function fromfunction(
  func: (...coords: Tensor[]) => Tensor,
  shape: readonly number[],
  options?: { dtype?: DType },
): Tensor {
  checkFunction("fromfunction", "func", func);
  const { dtype = getDefaultFloat() } = checkOptions("fromfunction", options, ["dtype"]);
  if (!Array.isArray(shape)) {
    throw new ValueError(
      `fromfunction: shape must be an array of sizes; got ${describeValue(shape)}`,
    );
  }
  if (shape.length === 0) return checkResult("fromfunction", func());
  // One flat coordinate vector per axis, mapped together: func sees 0-d coordinates.
  const n = shape.reduce((p, d) => p * d, 1);
  const coords = unstack(reshape(indices(shape, { dtype }), [shape.length, n]));
  const out = vmap((...cs: Tensor[]) => checkResult("fromfunction", func(...cs)))(...coords);
  return reshape(out, [...shape, ...out.shape.slice(1)]);
}
