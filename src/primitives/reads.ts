/** @file Answers for `Primitive.vjpReads`: which values a VJP rule reads (the tape keeps only those). */

type Reads = { readonly inputs: readonly boolean[]; readonly out: boolean };

/** The rule reads shapes and params only (linear primitives: add, slice, sum...). */
export const READS_NOTHING: Reads = { inputs: [], out: false };
const READS_OUT: Reads = { inputs: [], out: true };
const READS_X: Reads = { inputs: [true], out: false };
const READS_X_OUT: Reads = { inputs: [true], out: true };
const READS_X0_X1: Reads = { inputs: [true, true], out: false };
const READS_X1: Reads = { inputs: [false, true], out: false };
const READS_X0: Reads = { inputs: [true, false], out: false };
const READS_X1_OUT: Reads = { inputs: [false, true], out: true };
const READS_X0_X1_OUT: Reads = { inputs: [true, true], out: true };

/** What a rule of one input reads: x, its output, or both. */
export type UnaryReads = "x" | "out" | "x and out" | "nothing";

/** `vjpReads` for a rule of one input that reads `which`. */
export function readsUnary(which: UnaryReads): () => Reads {
  const r =
    which === "x"
      ? READS_X
      : which === "out"
        ? READS_OUT
        : which === "x and out"
          ? READS_X_OUT
          : READS_NOTHING;
  return () => r;
}

/** Nothing read: shapes and params only. */
export const readsNothing = (): Reads => READS_NOTHING;

/** Both inputs of a binary rule, whatever is needed (maximum, atan2...). */
export const readsBothInputs = (): Reads => READS_X0_X1;

/** Products (mul, matmul): gx reads y, gy reads x. */
export function readsOther([n0, n1]: readonly boolean[]): Reads {
  return n0 === true ? (n1 === true ? READS_X0_X1 : READS_X1) : READS_X0;
}

/** div: gx = ct / y; gy also reads the output. */
export function readsDiv([, n1]: readonly boolean[]): Reads {
  return n1 === true ? READS_X1_OUT : READS_X1;
}

/** pow: gx reads x and y; gy reads x and the output. */
export function readsPow([n0, n1]: readonly boolean[]): Reads {
  if (n1 !== true) return READS_X0_X1;
  return n0 === true ? READS_X0_X1_OUT : { inputs: [true, false], out: true };
}

/** The input at `index` only (the indices of gather and scatter_add, the condition of select). */
export function readsInput(index: number): () => Reads {
  const r: Reads = { inputs: Array.from({ length: index + 1 }, (_, i) => i === index), out: false };
  return () => r;
}
