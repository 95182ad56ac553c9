/**
 * @file The fast plain-JS backend: monomorphic float64/float32 elementwise, select, reduction,
 * broadcast and 2-d transpose kernels over any base backend.
 *
 * The reference kernels see all four typed-array classes through one code path, so V8's element
 * loads go megamorphic. Here the shape logic (which pattern a call is) stays dtype-independent
 * and each pattern calls a loop in f64.ts or f32.ts that only ever sees one array class. Int32,
 * bool, mixed-dtype calls and the patterns not listed below go to `base` unchanged. Results are
 * bit-identical to the reference backend (same expressions, same summation order).
 *
 * Fast paths: equal shapes, a scalar operand, [..., m] op [m] (row broadcast), [..., n, m] op
 * [..., n, 1] (column broadcast), any other broadcast through the reference's row planner;
 * reductions (sum, prod, max, min) over trailing or leading axes (size-1 axes ignored).
 */

import type { TypedArray } from "../../core/dtype.js";
import { F32_KERNELS, F64_KERNELS } from "../../elementwise/kernels.js";
import type { Backend, BinaryOp, ReduceOp, Shape, UnaryOp } from "../backend.js";
import { broadcastStrides, planRows, sizeOf } from "../reference/strides.js";
import { floatElementwise } from "./elementwise.js";
import * as F32_LOOPS from "./f32.js";
import * as F64_LOOPS from "./f64.js";

// One dtype's kernels: its select/reduce/transpose/product loops and its generated elementwise
// loops, each on its own array class.
const F64 = { ...F64_LOOPS, ...floatElementwise(F64_KERNELS) };
const F32 = { ...F32_LOOPS, ...floatElementwise(F32_KERNELS) };

/** One dtype's kernels (the same entry points, each on its own class). */
type Kernels = typeof F64 | typeof F32;

/** The kernels for arrays that are all Float64Array or all Float32Array, else null. */
function kernels2(a: TypedArray, out: TypedArray): Kernels | null {
  if (a instanceof Float64Array) return out instanceof Float64Array ? F64 : null;
  if (a instanceof Float32Array) return out instanceof Float32Array ? F32 : null;
  return null;
}

function kernels3(a: TypedArray, b: TypedArray, out: TypedArray): Kernels | null {
  if (a instanceof Float64Array) {
    return b instanceof Float64Array && out instanceof Float64Array ? F64 : null;
  }
  if (a instanceof Float32Array) {
    return b instanceof Float32Array && out instanceof Float32Array ? F32 : null;
  }
  return null;
}

// The kernels' parameters are typed per module; a Kernels value called with TypedArray needs one
// cast at the call, which is sound because kernels2/kernels3 checked the classes.
type K = typeof F64;
type A = Float64Array;

/** True when `shape` (left-padded with 1s to `rank`) is 1 everywhere but the last axis. */
function isRowOf(shape: Shape, outShape: Shape): boolean {
  const r = outShape.length;
  const off = r - shape.length;
  if (r === 0 || off < 0 || shape[shape.length - 1] !== outShape[r - 1]) return false;
  for (let d = 0; d < shape.length - 1; d++) if (shape[d] !== 1) return false;
  return true;
}

/** True when `shape` (left-padded to outShape's rank) equals outShape except a last axis of 1. */
function isColumnOf(shape: Shape, outShape: Shape): boolean {
  const r = outShape.length;
  const off = r - shape.length;
  if (r === 0 || off < 0 || shape[shape.length - 1] !== 1) return false;
  for (let d = 0; d < r - 1; d++) {
    const s = d < off ? 1 : shape[d - off]!;
    if (s !== outShape[d]) return false;
  }
  return true;
}

function fastBinary(
  k: K,
  op: BinaryOp,
  a: A,
  aShape: Shape,
  b: A,
  bShape: Shape,
  out: A,
  outShape: Shape,
): boolean {
  const n = sizeOf(outShape);
  if (n === 0) return true;
  const na = sizeOf(aShape);
  const nb = sizeOf(bShape);
  // Same size as out means out's layout (broadcasting only adds size-1 axes).
  if (na === n && nb === n) return k.binaryContig(op, a, b, out, n);
  if (na === 1 && nb === n) return k.binaryScalarA(op, a[0]!, b, out, n);
  if (nb === 1 && na === n) return k.binaryScalarB(op, a, b[0]!, out, n);
  const m = outShape[outShape.length - 1]!;
  if (na === n && m > 0) {
    if (isRowOf(bShape, outShape)) return k.binaryRows(op, a, m, 1, b, 0, 1, out, n / m, m);
    if (isColumnOf(bShape, outShape)) return k.binaryRows(op, a, m, 1, b, 1, 0, out, n / m, m);
  }
  if (nb === n && m > 0) {
    if (isRowOf(aShape, outShape)) return k.binaryRows(op, a, 0, 1, b, m, 1, out, n / m, m);
    if (isColumnOf(aShape, outShape)) return k.binaryRows(op, a, 1, 0, b, m, 1, out, n / m, m);
  }
  // Anything else (outer products, middle-axis broadcasts): the reference's row planner, with a
  // monomorphic run per row.
  const { rows, len, step, iter } = planRows(outShape, [
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  const offs = iter.offsets;
  for (let r = 0; r < rows; r++) {
    if (!k.binaryRun(op, a, offs[0]!, step[0]!, b, offs[1]!, step[1]!, out, r * len, len)) {
      return false;
    }
    iter.next();
  }
  return true;
}

function fastSelect(
  k: K,
  cond: Uint8Array,
  condShape: Shape,
  a: A,
  aShape: Shape,
  b: A,
  bShape: Shape,
  out: A,
  outShape: Shape,
): void {
  const n = sizeOf(outShape);
  if (n === 0) return;
  const nc = sizeOf(condShape);
  const na = sizeOf(aShape);
  const nb = sizeOf(bShape);
  if ((nc === n || nc === 1) && (na === n || na === 1) && (nb === n || nb === 1)) {
    // One run: full operands step 1, scalar ones step 0.
    k.selectRun(
      cond,
      0,
      nc === n ? 1 : 0,
      a,
      0,
      na === n ? 1 : 0,
      b,
      0,
      nb === n ? 1 : 0,
      out,
      0,
      n,
    );
    return;
  }
  const { rows, len, step, iter } = planRows(outShape, [
    broadcastStrides(condShape, outShape),
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  const offs = iter.offsets;
  for (let r = 0; r < rows; r++) {
    k.selectRun(
      cond,
      offs[0]!,
      step[0]!,
      a,
      offs[1]!,
      step[1]!,
      b,
      offs[2]!,
      step[2]!,
      out,
      r * len,
      len,
    );
    iter.next();
  }
}

/**
 * Reduce over trailing or leading axes; false for other axis patterns. Size-1 axes are ignored
 * (reduced or not, they change no order), so e.g. [1, n, m] over axes [0, 2] is a trailing
 * reduction. Reducing no axes is a trailing reduction of length 1 (0 + x, as the reference).
 */
function fastReduce(
  k: K,
  op: F64_LOOPS.FoldOp,
  x: A,
  shape: Shape,
  axes: readonly number[],
  out: A,
): boolean {
  // Classify the non-trivial axes as kept (K) or reduced (R): trailing is K*R*, leading R*K*.
  let ai = 0;
  let kept = 1;
  let red = 1;
  let trailingOk = true; // no kept axis after a reduced one so far
  let leadingOk = true; // no reduced axis after a kept one so far
  let sawKept = false;
  let sawRed = false;
  for (let d = 0; d < shape.length; d++) {
    const isRed = ai < axes.length && axes[ai] === d;
    if (isRed) ai++;
    const len = shape[d]!;
    if (len === 1) continue;
    if (isRed) {
      red *= len;
      sawRed = true;
      if (sawKept) leadingOk = false;
    } else {
      kept *= len;
      sawKept = true;
      if (sawRed) trailingOk = false;
    }
  }
  if (trailingOk) {
    k.reduceLast(op, x, kept, red, out);
    return true;
  }
  if (leadingOk) {
    k.reduceFirst(op, x, red, kept, out);
    return true;
  }
  return false;
}

function isFold(op: ReduceOp): op is F64_LOOPS.FoldOp {
  return op === "sum" || op === "prod" || op === "max" || op === "min";
}

/**
 * A backend that runs float32/float64 unary, binary, select, reduce, broadcastTo and 2-d
 * transpose calls through monomorphic loops and delegates everything else to `base`. Its results
 * are bit-identical to the reference backend's.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const fast = ad.createFastBackend(ad.referenceBackend);
 * fast.name; // => fast+reference
 * ```
 * @category Backends
 */
export function createFastBackend(base: Backend): Backend {
  const fast: Backend = {
    name: `fast+${base.name}`,

    unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
      const k = kernels2(x, out) as K | null;
      if (k?.unary(op, x as A, out as A)) return;
      base.unary(op, x, out);
    },

    binary(op, a, aShape, b, bShape, out, outShape): void {
      const k = kernels3(a, b, out) as K | null;
      if (k !== null && fastBinary(k, op, a as A, aShape, b as A, bShape, out as A, outShape)) {
        return;
      }
      base.binary(op, a, aShape, b, bShape, out, outShape);
    },

    select(cond, condShape, a, aShape, b, bShape, out, outShape): void {
      const k = kernels3(a, b, out) as K | null;
      if (k !== null) {
        fastSelect(k, cond, condShape, a as A, aShape, b as A, bShape, out as A, outShape);
        return;
      }
      base.select(cond, condShape, a, aShape, b, bShape, out, outShape);
    },

    reduce(op, x, shape, axes, out): void {
      const k = kernels2(x, out) as K | null;
      if (k !== null && isFold(op) && fastReduce(k, op, x as A, shape, axes, out as A)) return;
      base.reduce(op, x, shape, axes, out);
    },

    broadcastTo(x, shape, outShape, out): void {
      // Native fill/set copy whole runs whatever the class, so this needs no per-dtype loop;
      // it only requires x and out of the same class (set would convert otherwise).
      if (x.constructor === out.constructor) {
        const n = sizeOf(outShape);
        const nx = sizeOf(shape);
        const m = outShape[outShape.length - 1]!;
        if (n === 0) return;
        if (nx === 1) {
          out.fill(x[0]!, 0, n);
          return;
        }
        if (nx === n) {
          out.set(x.subarray(0, n));
          return;
        }
        if (isRowOf(shape, outShape)) {
          const row = x.length === m ? x : x.subarray(0, m);
          for (let o = 0; o < n; o += m) out.set(row, o);
          return;
        }
        if (isColumnOf(shape, outShape)) {
          for (let r = 0, o = 0; o < n; r++, o += m) out.fill(x[r]!, o, o + m);
          return;
        }
      }
      base.broadcastTo(x, shape, outShape, out);
    },

    transpose(x, shape, perm, out): void {
      const k = kernels2(x, out) as K | null;
      if (k !== null && shape.length === 2 && perm[0] === 1 && perm[1] === 0) {
        k.transpose2d(x as A, shape[0]!, shape[1]!, out as A);
        return;
      }
      base.transpose(x, shape, perm, out);
    },

    // Everything else is the base backend's, called on it so a class-based base keeps `this`.
    cast: (x, out) => base.cast(x, out),
    cumsum: (x, shape, axis, exclusive, reverse, out) =>
      base.cumsum(x, shape, axis, exclusive, reverse, out),
    slice: (x, shape, begin, size, step, out) => base.slice(x, shape, begin, size, step, out),
    pad: (x, shape, widths, value, out) => base.pad(x, shape, widths, value, out),
    concat: (xs, shapes, axis, out) => base.concat(xs, shapes, axis, out),
    flip: (x, shape, axes, out) => base.flip(x, shape, axes, out),
    gather: (x, shape, indices, indicesShape, axis, out) =>
      base.gather(x, shape, indices, indicesShape, axis, out),
    scatterAdd: (x, shape, indices, indicesShape, updates, axis, out) =>
      base.scatterAdd(x, shape, indices, indicesShape, updates, axis, out),
    matmul(a, aShape, b, bShape, transA, transB, out, outShape): void {
      // Unbatched thin products (matrix-vector, vector-matrix, outer): one monomorphic loop.
      const k =
        aShape.length === 2 && bShape.length === 2 ? (kernels3(a, b, out) as K | null) : null;
      if (k !== null) {
        const m = outShape[0]!;
        const n = outShape[1]!;
        const depth = transA ? aShape[0]! : aShape[1]!;
        if (m === 1 || n === 1 || depth === 1) {
          const aRow = transA ? 1 : depth;
          const aCol = transA ? m : 1;
          const bRow = transB ? 1 : n;
          const bCol = transB ? depth : 1;
          k.matmulThin(a as A, aRow, aCol, b as A, bRow, bCol, out as A, m, n, depth);
          return;
        }
      }
      base.matmul(a, aShape, b, bShape, transA, transB, out, outShape);
    },
    ...(base.linalg === undefined ? {} : { linalg: base.linalg }),
    argsort: (x, shape, axis, descending, out) => base.argsort(x, shape, axis, descending, out),
  };
  return fast;
}
