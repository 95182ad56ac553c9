/** @file Reference elementwise kernels: unary, broadcasting binary, select and cast. */

import type { TypedArray } from "../../core/dtype.js";
import { REFERENCE_KERNELS } from "../../elementwise/kernels.js";
import type { BinaryOp, Shape, UnaryOp } from "../backend.js";
import { broadcastStrides, planRows, sizeOf } from "./strides.js";

/**
 * out[i] = op(x[i]): the op's loop generated from its expression (src/elementwise/table.ts), so
 * the loop body is never an indirect call.
 */
export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  REFERENCE_KERNELS.unary(op, x, out);
}

/** out = op(a, b) with NumPy broadcasting to outShape. */
export function binary(
  op: BinaryOp,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  out: TypedArray,
  outShape: Shape,
): void {
  const n = sizeOf(outShape);
  if (n === 0) return;
  const na = sizeOf(aShape);
  const nb = sizeOf(bShape);
  // An operand that broadcasts to outShape with out's size has out's layout; one of size 1 is a
  // scalar. Both cases are a single run, with no stride bookkeeping.
  if ((na === n || na === 1) && (nb === n || nb === 1)) {
    REFERENCE_KERNELS.binary.run(op, a, 0, na === n ? 1 : 0, b, 0, nb === n ? 1 : 0, out, 0, n);
    return;
  }
  const { rows, len, step, iter } = planRows(outShape, [
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  // One strided run per row (step 1 for a full operand, 0 for a broadcast one).
  const run = REFERENCE_KERNELS.binary.run;
  const offs = iter.offsets;
  for (let r = 0; r < rows; r++) {
    run(op, a, offs[0]!, step[0]!, b, offs[1]!, step[1]!, out, r * len, len);
    iter.next();
  }
}

/** out = cond ? a : b, all broadcast to outShape. */
export function select(
  cond: Uint8Array,
  condShape: Shape,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  out: TypedArray,
  outShape: Shape,
): void {
  const n = sizeOf(outShape);
  if (n === 0) return;
  const { rows, len, step, iter } = planRows(outShape, [
    broadcastStrides(condShape, outShape),
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  const cStep = step[0]!;
  const aStep = step[1]!;
  const bStep = step[2]!;
  const offs = iter.offsets;
  for (let r = 0, o = 0; r < rows; r++) {
    let ci = offs[0]!;
    let ai = offs[1]!;
    let bi = offs[2]!;
    for (const end = o + len; o < end; o++, ci += cStep, ai += aStep, bi += bStep) {
      out[o] = cond[ci] !== 0 ? a[ai]! : b[bi]!;
    }
    iter.next();
  }
}

/**
 * Elementwise dtype conversion into out's dtype. To bool: x != 0 (NaN is true). To int32: the
 * typed-array store itself truncates toward zero and maps NaN and ±Infinity to 0 (out-of-range
 * values wrap modulo 2^32, as C casts leave them undefined). Between floats the store rounds.
 */
export function cast(x: TypedArray, out: TypedArray): void {
  if (out instanceof Uint8Array) {
    // A plain store would wrap modulo 256 (0.5 -> 0, 256 -> 0), so test explicitly.
    for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
    return;
  }
  out.set(x);
}
