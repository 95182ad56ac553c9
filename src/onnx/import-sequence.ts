/**
 * @file ONNX's sequence operators while staging: a sequence is a JS list of tensors (see
 * sequence.ts), positions and split sizes must be constants, and the tensors inside are ordinary
 * staged values, so concatenating a sequence is a differentiable concat.
 */

import { tensor } from "../core/convert.js";
import type { Tensor } from "../core/tensor.js";
import { concat, reshape, split } from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import { normAxis } from "./import-util.js";
import type { NodeContext } from "./node-context.js";
import { Sequence, type Value } from "./sequence.js";

/** A constant position into a sequence of n items (negative counts from the end). */
function position(
  ctx: NodeContext,
  i: number,
  n: number,
  fallback: number,
  inclusiveEnd: boolean,
): number {
  const p = ctx.scalar(i, "position", fallback);
  const q = p < 0 ? p + n : p;
  if (q < 0 || q > (inclusiveEnd ? n : n - 1))
    throw ctx.error(`position ${p} is out of range for a sequence of ${n}`);
  return q;
}

function splitToSequence(ctx: NodeContext): Sequence {
  const x = ctx.input(0);
  const axis = normAxis(ctx, ctx.int("axis", 0), x.ndim);
  const len = x.shape[axis]!;
  const sizes = ctx.values(1, "split");
  if (sizes === undefined) {
    const parts = split(x, len, axis);
    const keep = ctx.int("keepdims", 1) === 1;
    return new Sequence(
      keep
        ? parts
        : parts.map((p) =>
            reshape(
              p,
              x.shape.filter((_, d) => d !== axis),
            ),
          ),
    );
  }
  if (ctx.inputs[1]!.ndim === 0) {
    const chunk = sizes[0]!;
    const pieces: number[] = [];
    for (let left = len; left > 0; left -= chunk) pieces.push(Math.min(chunk, left));
    return new Sequence(split(x, pieces, axis));
  }
  return new Sequence(split(x, sizes, axis));
}

function sequenceMap(ctx: NodeContext): Value[] {
  const body = ctx.graph("body");
  if (body === undefined) throw ctx.error("needs a body");
  const first = ctx.sequence(0);
  const nOut = body.output?.length ?? 0;
  const outs: Tensor[][] = Array.from({ length: nOut }, () => []);
  first.forEach((item, k) => {
    const extra = ctx.args.slice(1).map((v) => (v instanceof Sequence ? v.items[k]! : v!));
    ctx.subgraph(body, [item, ...extra]).forEach((r, j) => {
      if (r instanceof Sequence) throw ctx.unsupported("a body that returns sequences");
      outs[j]!.push(r);
    });
  });
  return outs.map((o) => new Sequence(o));
}

/** The sequence operators' table entries. */
export const SEQUENCE_OPS: Readonly<Record<string, ImportOp>> = {
  SequenceEmpty: { run: () => new Sequence([]) },
  SequenceConstruct: {
    run: (ctx) => new Sequence(ctx.inputs.filter((t): t is Tensor => t !== undefined)),
  },
  SequenceLength: { run: (ctx) => tensor(ctx.sequence(0).length, { dtype: "int32" }) },
  SequenceAt: {
    static: [1],
    run: (ctx) => {
      const s = ctx.sequence(0);
      return s[position(ctx, 1, s.length, 0, false)]!;
    },
  },
  SequenceInsert: {
    static: [2],
    run: (ctx) => {
      const s = [...ctx.sequence(0)];
      s.splice(position(ctx, 2, s.length, s.length, true), 0, ctx.input(1));
      return new Sequence(s);
    },
  },
  SequenceErase: {
    static: [1],
    run: (ctx) => {
      const s = [...ctx.sequence(0)];
      s.splice(position(ctx, 1, s.length, -1, false), 1);
      return new Sequence(s);
    },
  },
  ConcatFromSequence: {
    run: (ctx) => {
      const s = ctx.sequence(0);
      if (s.length === 0) throw ctx.error("cannot concatenate an empty sequence");
      const newAxis = ctx.int("new_axis", 0) === 1;
      const nd = s[0]!.ndim + (newAxis ? 1 : 0);
      const axis = normAxis(ctx, ctx.int("axis", 0), nd);
      const items = newAxis
        ? s.map((t) => reshape(t, [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)]))
        : s;
      return concat(items, axis);
    },
  },
  SplitToSequence: { run: splitToSequence, static: [1] },
  SequenceMap: { run: sequenceMap, subgraphs: true },
};
