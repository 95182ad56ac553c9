/**
 * @file vmap's trace: its tracers box a value with an extra leading batch axis, and stand for one
 * batch element (their shape is the element's). Each primitive call goes to the primitive's batch
 * rule, which computes the whole batch with one call where it can; a primitive without a rule is
 * looped over the batch.
 *
 * Jacobians seed the trace with an identity basis. That batch is held as its diagonal (a "diagonal
 * tracer": element e is d[e] times the e-th unit tensor) for as long as the ops keep it diagonal:
 * products and quotients with unbatched values, negation, reshapes, casts, a full sum, and a
 * matrix product with an unbatched matrix (which turns it into a scaled copy of that matrix's
 * rows or columns instead of an O(n^3) product with the identity). Any other op materialises it.
 */

import { isFloat } from "../core/dtype.js";
import { AdjointError } from "../core/errors.js";
import type { AnyPrimitive, MultiPrimitive, Primitive } from "../core/primitive.js";
import { broadcastsTo, shapeSize } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { bind, bindMulti, Trace } from "../core/trace.js";
import {
  astype,
  broadcastTo,
  div,
  eye,
  mul,
  neg,
  ones,
  reshape,
  stack,
  transpose,
} from "../ops/index.js";
import type { MatmulParams } from "../primitives/matmul.js";
import { bindUnstack } from "../primitives/unstack.js";

export class BatchTrace extends Trace {
  /** The length of the batch axis. */
  readonly size: number;
  override readonly batching = true;

  constructor(level: number, size: number) {
    super(level);
    this.size = size;
  }

  /** Boxes `value`, whose leading axis (of length `size`) is the batch axis. */
  box(value: Tensor): Tensor {
    return Tensor._batchTracer(this, value);
  }

  /** Boxes the scaled identity basis of `shape` (size(shape) === size): element e is d[e] e_e. */
  boxDiagonal(d: Tensor, shape: readonly number[]): Tensor {
    return Tensor._diagonalTracer(this, shape, d);
  }

  /** The diagonal of ones of the identity seed (products with it are skipped). */
  private unit: Tensor | null = null;

  /** Boxes the identity basis of `shape` as a diagonal tracer (see boxDiagonal). */
  boxIdentity(shape: readonly number[], dtype: Tensor["dtype"]): Tensor {
    this.unit = ones([this.size], dtype);
    return this.boxDiagonal(this.unit, shape);
  }

  /** m scaled by the diagonal d along m's leading axis (d's batch index). */
  scaleRows(m: Tensor, d: Tensor): Tensor {
    if (d === this.unit) return m;
    return mul(m, reshape(d, [d.shape[0]!, ...new Array<number>(m.ndim - 1).fill(1)]));
  }

  /** The batched value of a tracer of this trace, materialising a diagonal one. */
  override valueOf(t: Tensor): Tensor {
    if (t._primal !== null) return t._primal;
    const d = t._tangent!;
    const n = this.size;
    return reshape(this.scaleRows(eye(n, n, d.dtype), d), [n, ...t.shape]);
  }

  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
    if (hasDiagonal(this, inputs)) {
      const structured = diagonalRule(this, prim as AnyPrimitive, inputs, params);
      if (structured !== null) return structured;
    }
    const values = new Array<Tensor>(inputs.length);
    const batched = new Array<boolean>(inputs.length);
    this.unbox(inputs, values, batched);
    const out =
      prim.batch !== undefined
        ? prim.batch(values, batched, params, this.size)
        : stack(
            this.loop(values, batched, (xs) => bind(prim, xs, params)),
            0,
          );
    return this.box(this.checked(prim.name, out));
  }

  processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly Tensor[], params: P): Tensor[] {
    const values = new Array<Tensor>(inputs.length);
    const batched = new Array<boolean>(inputs.length);
    this.unbox(inputs, values, batched);
    let outs: readonly Tensor[];
    if (prim.batch !== undefined) {
      outs = prim.batch(values, batched, params, this.size);
    } else {
      const perElement = this.loop(values, batched, (xs) => bindMulti(prim, xs, params));
      const n = perElement.length > 0 ? perElement[0]!.length : 0;
      outs = Array.from({ length: n }, (_, k) =>
        stack(
          perElement.map((o) => o[k]!),
          0,
        ),
      );
    }
    return outs.map((o) => this.box(this.checked(prim.name, o)));
  }

  /** Calls `body` once per batch element on that element's inputs (the fallback rule). */
  private loop<T>(values: Tensor[], batched: boolean[], body: (xs: Tensor[]) => T): T[] {
    const slices = values.map((v, i) => (batched[i] ? bindUnstack(v) : null));
    const results: T[] = [];
    for (let b = 0; b < this.size; b++) {
      results.push(body(values.map((v, i) => (slices[i] === null ? v : slices[i]![b]!))));
    }
    return results;
  }

  private checked(name: string, out: Tensor): Tensor {
    if (out.shape[0] !== this.size) {
      throw new AdjointError(
        `vmap: the batch rule of ${name} returned shape [${out.shape.join(",")}], without the batch axis of length ${this.size} in front`,
      );
    }
    return out;
  }

  private unbox(inputs: readonly Tensor[], values: Tensor[], batched: boolean[]): void {
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      if (x._trace === this) {
        values[i] = x._primal ?? this.valueOf(x);
        batched[i] = true;
      } else {
        values[i] = x;
        batched[i] = false;
      }
    }
  }
}

function hasDiagonal(trace: BatchTrace, inputs: readonly Tensor[]): boolean {
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]!;
    if (x._trace === trace && x._primal === null) return true;
  }
  return false;
}

/** The element's unbatched factor y broadcast to `shape` and flattened, or null if y would widen it. */
function flatFactor(y: Tensor, shape: readonly number[]): Tensor | null {
  if (!broadcastsTo(y.shape, shape)) return null;
  return reshape(broadcastTo(y, shape), [shapeSize(shape)]);
}

/**
 * The result of `prim` on inputs that include diagonal tracers, computed from the diagonal where
 * the result is again diagonal (or cheaply dense); null when the op needs the materialised batch.
 */
function diagonalRule(
  trace: BatchTrace,
  prim: AnyPrimitive,
  inputs: readonly Tensor[],
  params: unknown,
): Tensor | null {
  const diag = (x: Tensor): Tensor | null =>
    x._trace === trace && x._primal === null ? x._tangent! : null;
  const unbatched = (x: Tensor): boolean => x._trace !== trace;
  const [x, y] = inputs as [Tensor, Tensor | undefined];
  const dx = diag(x);
  switch (prim.name) {
    case "neg":
      return trace.boxDiagonal(neg(dx!), x.shape);
    case "reshape":
      return trace.boxDiagonal(dx!, (params as { shape: readonly number[] }).shape);
    case "convert_element_type": {
      const { dtype } = params as { dtype: Tensor["dtype"] };
      return isFloat(dtype) ? trace.boxDiagonal(astype(dx!, dtype), x.shape) : null;
    }
    case "reduce_sum":
      // Summing all of element e = d[e] e_e gives d[e].
      return (params as { axes: readonly number[] }).axes.length === x.ndim ? trace.box(dx!) : null;
    case "mul":
    case "div": {
      const dy = diag(y!);
      if (dx !== null && unbatched(y!)) {
        const f = flatFactor(y!, x.shape);
        if (f === null) return null;
        return trace.boxDiagonal(prim.name === "mul" ? mul(dx, f) : div(dx, f), x.shape);
      }
      if (prim.name === "mul" && dy !== null && unbatched(x)) {
        const f = flatFactor(x, y!.shape);
        return f === null ? null : trace.boxDiagonal(mul(f, dy), y!.shape);
      }
      return null;
    }
    case "matmul":
      return diagonalMatmul(trace, x, y!, dx, diag(y!), params as MatmulParams);
    default:
      return null;
  }
}

/**
 * op(a) @ op(b) where one operand is a diagonal batch of vectors and the other an unbatched
 * matrix: element e is d[e] times row or column e of the matrix, so the batch is a scaled copy.
 */
function diagonalMatmul(
  trace: BatchTrace,
  a: Tensor,
  b: Tensor,
  da: Tensor | null,
  db: Tensor | null,
  { transA, transB }: MatmulParams,
): Tensor | null {
  if (db !== null && da === null && a._trace !== trace && a.ndim === 2 && b.ndim === 2) {
    // op(b) is a column [k, 1]: out_e = d[e] op(a)[:, e], i.e. the rows of op(a)^T scaled.
    const col = transB ? b.shape[0] === 1 : b.shape[1] === 1;
    if (!col) return null;
    const opAT = transA ? a : transpose(a);
    const k = opAT.shape[0]!;
    return trace.box(reshape(trace.scaleRows(opAT, db), [k, opAT.shape[1]!, 1]));
  }
  if (da !== null && db === null && b._trace !== trace && a.ndim === 2 && b.ndim === 2) {
    // op(a) is a row [1, k]: out_e = d[e] op(b)[e, :].
    const row = transA ? a.shape[1] === 1 : a.shape[0] === 1;
    if (!row) return null;
    const opB = transB ? transpose(b) : b;
    const k = opB.shape[0]!;
    return trace.box(reshape(trace.scaleRows(opB, da), [k, 1, opB.shape[1]!]));
  }
  return null;
}
