/**
 * @file matmul: the batched matrix product op(A) @ op(B) of operands with ndim >= 2, where op
 * transposes the last two axes when its flag is set. Batch dims broadcast (NumPy rules).
 * The flags let the VJP rules avoid materialising transposes.
 */

import { getBackend } from "../backend/index.js";
import { allocate, promoteTypes } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError } from "../core/errors.js";
import { paramsCodec } from "../core/params-json.js";
import type { DiagonalBatch } from "../core/primitive.js";
import { shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { add, reshape, transpose } from "../ops/index.js";
import { alignBatched } from "./batching.js";
import { type BuiltinPrimitive, declarePrimitive } from "./names.js";
import { readsOther } from "./reads.js";

export interface MatmulParams {
  /** Use the transpose of the first operand's last two axes. */
  readonly transA: boolean;
  /** Use the transpose of the second operand's last two axes. */
  readonly transB: boolean;
}

/** op(a) @ op(b), bound directly (the public matmul op has no transpose flags). */
function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return bind(matmulPrim, [a, b], { transA, transB });
}

export const matmulPrim: BuiltinPrimitive<"matmul"> = declarePrimitive({
  name: "matmul",
  paramsJson: paramsCodec<MatmulParams>({ transA: "bool", transB: "bool" }),
  batch: ([a, b], [aBatched, bBatched], { transA, transB }) => {
    if (aBatched && bBatched) {
      const rank = Math.max(a!.ndim, b!.ndim) - 1;
      return mm(alignBatched(a!, rank), alignBatched(b!, rank), transA, transB);
    }
    if (aBatched) {
      // Every batch element multiplies the same matrix: fold the batch into the rows of one product.
      if (b!.ndim === 2 && !transA) {
        const k = a!.shape[a!.ndim - 1]!;
        const out = mm(reshape(a!, [a!.size / Math.max(k, 1), k]), b!, false, transB);
        return reshape(out, [...a!.shape.slice(0, -1), out.shape[1]!]);
      }
      return mm(alignBatched(a!, b!.ndim), b!, transA, transB);
    }
    // One matrix times a batch of vectors [B, k, 1]: all at once as V @ op(a)^T.
    const n = transB ? b!.shape[b!.ndim - 2]! : b!.shape[b!.ndim - 1]!;
    if (a!.ndim === 2 && b!.ndim === 3 && n === 1) {
      const size = b!.shape[0]!;
      const out = mm(reshape(b!, [size, b!.size / Math.max(size, 1)]), a!, false, !transA);
      return reshape(out, [size, out.shape[1]!, 1]);
    }
    return mm(a!, alignBatched(b!, a!.ndim), transA, transB);
  },
  shape: ([a, b], { transA, transB }) => {
    const sa = a!.shape;
    const sb = b!.shape;
    if (sa.length < 2 || sb.length < 2) {
      throw new ShapeError(
        `matmul: operands must be at least 2-d here; got ${fmtShape(sa)} @ ${fmtShape(sb)}`,
      );
    }
    if (a!.dtype === "bool" || b!.dtype === "bool") {
      throw new DTypeError(`matmul: operands must be numeric; got ${a!.dtype} and ${b!.dtype}`);
    }
    const ra = sa.length;
    const rb = sb.length;
    const m = transA ? sa[ra - 1]! : sa[ra - 2]!;
    const ka = transA ? sa[ra - 2]! : sa[ra - 1]!;
    const kb = transB ? sb[rb - 1]! : sb[rb - 2]!;
    const n = transB ? sb[rb - 2]! : sb[rb - 1]!;
    if (ka !== kb) {
      throw new ShapeError(
        `matmul: inner dimensions do not match: ${fmtShape(sa)} @ ${fmtShape(sb)} (${ka} vs ${kb})`,
      );
    }
    // Broadcast the batch dims (all but the last two), aligned from the right.
    const nb = Math.max(ra, rb) - 2;
    const batch = new Array<number>(nb);
    for (let i = 0; i < nb; i++) {
      const da = i < nb - (ra - 2) ? 1 : sa[i - (nb - (ra - 2))]!;
      const db = i < nb - (rb - 2) ? 1 : sb[i - (nb - (rb - 2))]!;
      if (da !== db && da !== 1 && db !== 1) {
        throw new ShapeError(
          `matmul: cannot broadcast the batch dimensions of ${fmtShape(sa)} @ ${fmtShape(sb)} (${da} vs ${db})`,
        );
      }
      batch[i] = da === 1 ? db : da;
    }
    return { shape: [...batch, m, n], dtype: promoteTypes(a!.dtype, b!.dtype) };
  },
  impl: ([a, b], { transA, transB }, out) => {
    const data = allocate(out.dtype, shapeSize(out.shape));
    getBackend().matmul(a!._data!, a!.shape, b!._data!, b!.shape, transA, transB, data, out.shape);
    return data;
  },
  // d (A @ B) = dA @ B + A @ dB (with the same transposes)
  jvp: ([x, y], [dx, dy], _out, { transA, transB }) => {
    const fromX = dx === null ? null : mm(dx!, y!, transA, transB);
    const fromY = dy === null ? null : mm(x!, dy!, transA, transB);
    if (fromX === null) return fromY;
    return fromY === null ? fromX : add(fromX, fromY);
  },
  // C = A @ B: gx = ct @ B^T, gy = A^T @ ct (the driver sums broadcast batch dims)
  vjp: (ct, [x, y], _out, { transA, transB }, needs) => {
    let gx: Tensor | null = null;
    let gy: Tensor | null = null;
    if (needs[0]) {
      // op(A) = A: gx = ct @ op(B)^T;  op(A) = A^T: gx = op(B) @ ct^T
      gx = transA ? mm(y!, ct, transB, true) : mm(ct, y!, false, !transB);
    }
    if (needs[1]) {
      // op(B) = B: gy = op(A)^T @ ct;  op(B) = B^T: gy = ct^T @ op(A)
      gy = transB ? mm(ct, x!, true, transA) : mm(x!, ct, !transA, false);
    }
    return [gx, gy];
  },
  vjpReads: readsOther,
  diagonal: (batch, [a, b], params) => diagonalMatmul(batch, a!, b!, params),
});

/**
 * vmap of op(a) @ op(b) where one operand is a diagonal batch of vectors and the other an
 * unbatched matrix: element e is d[e] times row or column e of the matrix, so the batch is a
 * scaled copy of the matrix instead of an O(n^3) product with the identity.
 */
function diagonalMatmul(
  batch: DiagonalBatch,
  a: Tensor,
  b: Tensor,
  { transA, transB }: MatmulParams,
): Tensor | null {
  const da = batch.diag(a);
  const db = batch.diag(b);
  if (db !== null && da === null && batch.unbatched(a) && a.ndim === 2 && b.ndim === 2) {
    // op(b) is a column [k, 1]: out_e = d[e] op(a)[:, e], i.e. the rows of op(a)^T scaled.
    const col = transB ? b.shape[0] === 1 : b.shape[1] === 1;
    if (!col) return null;
    const opAT = transA ? a : transpose(a);
    const k = opAT.shape[0]!;
    return batch.box(reshape(batch.scaleRows(opAT, db), [k, opAT.shape[1]!, 1]));
  }
  if (da !== null && db === null && batch.unbatched(b) && a.ndim === 2 && b.ndim === 2) {
    // op(a) is a row [1, k]: out_e = d[e] op(b)[e, :].
    const row = transA ? a.shape[1] === 1 : a.shape[0] === 1;
    if (!row) return null;
    const opB = transB ? transpose(b) : b;
    const k = opB.shape[0]!;
    return batch.box(reshape(batch.scaleRows(opB, da), [k, 1, opB.shape[1]!]));
  }
  return null;
}
