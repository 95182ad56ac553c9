/**
 * @file The fast backend's elementwise entry points for one float class: each looks up the op's
 * generated loop (src/elementwise, one compiled function per op, form and class, so element loads
 * stay monomorphic) and returns false for an op whose result is not of the operands' class
 * (comparisons, logic, predicates), which the caller then delegates to the base backend.
 */

import type { KernelSet } from "../../elementwise/kernels.js";
import type { BinaryOp, UnaryOp } from "../backend.js";

/** The elementwise kernels over arrays of class A (Float64Array or Float32Array). */
export interface FloatElementwise<A> {
  /** out[i] = op(x[i]). */
  unary(op: UnaryOp, x: A, out: A): boolean;
  /** out[i] = op(a[i], b[i]), i < n: equal shapes. */
  binaryContig(op: BinaryOp, a: A, b: A, out: A, n: number): boolean;
  /** out[i] = op(s, b[i]): a scalar left operand, read once. */
  binaryScalarA(op: BinaryOp, s: number, b: A, out: A, n: number): boolean;
  /** out[i] = op(a[i], s): a scalar right operand, read once. */
  binaryScalarB(op: BinaryOp, a: A, s: number, out: A, n: number): boolean;
  /** out[o + k] = op(a[ai + k*aStep], b[bi + k*bStep]), k < n: one strided run. */
  binaryRun(
    op: BinaryOp,
    a: A,
    ai: number,
    aStep: number,
    b: A,
    bi: number,
    bStep: number,
    out: A,
    o: number,
    n: number,
  ): boolean;
  /**
   * `rows` runs of `len`: row r reads a from r*aRow and b from r*bRow with steps aStep, bStep and
   * writes out[r*len ...]. Covers [n, m] op [m] (bRow 0, bStep 1) and [n, m] op [n, 1] (bRow 1,
   * bStep 0) without an odometer.
   */
  binaryRows(
    op: BinaryOp,
    a: A,
    aRow: number,
    aStep: number,
    b: A,
    bRow: number,
    bStep: number,
    out: A,
    rows: number,
    len: number,
  ): boolean;
}

/** The elementwise entry points over one specialisation's generated loops. */
export function floatElementwise<A extends Float64Array | Float32Array>(
  k: KernelSet<A>,
): FloatElementwise<A> {
  // k's functions replace themselves on first call, so each entry reads them from k every time.
  return {
    unary: (op, x, out) => k.unary(op, x, out),
    binaryContig: (op, a, b, out, n) => k.binary.contig(op, a, b, out, n),
    binaryScalarA: (op, s, b, out, n) => k.binary.scalarA(op, s, b, out, n),
    binaryScalarB: (op, a, s, out, n) => k.binary.scalarB(op, a, s, out, n),
    binaryRun: (op, a, ai, aStep, b, bi, bStep, out, o, n) =>
      k.binary.run(op, a, ai, aStep, b, bi, bStep, out, o, n),
    binaryRows(op, a, aRow, aStep, b, bRow, bStep, out, rows, len) {
      const run = k.binary.run;
      for (let r = 0; r < rows; r++) {
        if (!run(op, a, r * aRow, aStep, b, r * bRow, bStep, out, r * len, len)) return false;
      }
      return true;
    },
  };
}
