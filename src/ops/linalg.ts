/**
 * @file Products: matmul (NumPy semantics), dot (jnp.dot) and outer, all lowered onto the
 * batched matmul primitive (outer onto a broadcast multiply).
 */

import { toTensor } from "../core/convert.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { type MatmulParams, matmulPrim } from "../primitives/matmul.js";
import { astype, mul } from "./elementwise.js";
import { promoteArgs } from "./promote.js";
import { reshape, transpose } from "./shape.js";

const PLAIN: MatmulParams = { transA: false, transB: false };

/** Both operands at their common dtype; bool is computed as int32. */
function numericPair(x: TensorLike, y: TensorLike): [Tensor, Tensor] {
  let [a, b] = promoteArgs([x, y]) as [Tensor, Tensor];
  if (a.dtype === "bool") {
    a = astype(a, "int32");
    b = astype(b, "int32");
  }
  return [a, b];
}

/**
 * The matrix product with NumPy semantics: 1-d operands are promoted to a row (first) or a column
 * (second) vector and that dim is removed again; batch dims (all but the last two) broadcast.
 * Dtypes are promoted; integer products are int32 and bool operands multiply as int32.
 * @throws {@link ShapeError} when the inner dimensions differ or the batch dims do not broadcast.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.matmul(ad.ones([2, 3]), ad.ones([3, 4])).shape; // => [2, 4]
 * ad.matmul(ad.tensor([[1, 2], [3, 4]]), ad.tensor([1, 1])); // => tensor([3., 7.], dtype=float32)
 * ad.matmul(ad.ones([2, 3]), ad.ones([2, 3])); // throws: ShapeError: matmul: inner dimensions do not match: [2,3] @ [2,3]
 * ```
 * @category Linear algebra
 */
export function matmul(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = numericPair(x, y);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ValueError(
      `matmul: operands must be at least 1-d (use mul for scalars); got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`,
    );
  }
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (ka !== kb) {
    throw new ShapeError(
      `matmul: inner dimensions do not match: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${ka} vs ${kb})`,
    );
  }
  const a2 = a.ndim === 1 ? reshape(a, [1, ka]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [kb, 1]) : b;
  const out = bind(matmulPrim, [a2, b2], PLAIN);
  if (a.ndim > 1 && b.ndim > 1) return out;
  const r = out.ndim;
  const shape = out.shape.slice(0, r - 2);
  if (a.ndim > 1) shape.push(out.shape[r - 2]!);
  if (b.ndim > 1) shape.push(out.shape[r - 1]!);
  return reshape(out, shape);
}

/**
 * jnp.dot: a 0-d operand multiplies; 1-d · 1-d is the inner product; 2-d · 2-d is the matrix
 * product; otherwise the sum over the last axis of x and the second-to-last of y (the only axis
 * when y is 1-d): out.shape = x.shape[:-1] ++ y.shape[:-2] ++ y.shape[-1:].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.dot(ad.tensor([1, 2, 3]), ad.tensor([4, 5, 6])); // => tensor(32., dtype=float32)
 * ad.dot(ad.tensor([[1, 2], [3, 4]]), ad.tensor([[1], [0]])); // => tensor([[1.], [3.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function dot(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = numericPair(x, y);
  if (a.ndim === 0 || b.ndim === 0) return mul(a, b);
  const k = a.shape[a.ndim - 1]!;
  const yAxis = b.ndim === 1 ? 0 : b.ndim - 2;
  if (b.shape[yAxis] !== k) {
    throw new ShapeError(
      `dot: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are not aligned: ${k} (axis ${a.ndim - 1} of x) vs ${b.shape[yAxis]} (axis ${yAxis} of y)`,
    );
  }
  if (b.ndim <= 2) return matmul(a, b);
  // x as [M, K]; y with its contracted axis moved first, as [K, B*N]; then one matmul.
  const lead = a.shape.slice(0, -1);
  const yRest = [...b.shape.slice(0, -2), b.shape[b.ndim - 1]!];
  const perm = [b.ndim - 2, ...b.shape.slice(0, -2).map((_, i) => i), b.ndim - 1];
  const size = (dims: readonly number[]): number => dims.reduce((p, n) => p * n, 1);
  const a2 = reshape(a, [size(lead), k]);
  const b2 = reshape(transpose(b, perm), [k, size(yRest)]);
  return reshape(bind(matmulPrim, [a2, b2], PLAIN), [...lead, ...yRest]);
}

/**
 * The outer product of the flattened x and y: out[i, j] = x[i] * y[j].
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.outer(ad.tensor([1, 2]), ad.tensor([1, 10, 100])).shape; // => [2, 3]
 * ad.outer(ad.tensor([1, 2]), ad.tensor([1, 10])); // => tensor([[1., 10.], [2., 20.]], dtype=float32)
 * ```
 * @category Linear algebra
 */
export function outer(x: TensorLike, y: TensorLike): Tensor {
  const a = toTensor(x);
  const b = toTensor(y);
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
}
