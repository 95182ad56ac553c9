/**
 * @file ONNX control flow, staged by unrolling: If with a constant condition stages the branch it
 * takes; Loop runs its body while the (constant) trip count and condition allow; Scan runs its
 * body over slices of its scan inputs. The result is straight-line code in the Graph. A
 * condition that depends on graph inputs is rejected: a staged Graph has no data-dependent
 * control flow.
 */

import { tensor } from "../core/convert.js";
import type { Tensor } from "../core/tensor.js";
import { concat, reshape, stridedSlice } from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import { normAxis } from "./import-util.js";
import type { NodeContext } from "./node-context.js";
import { Sequence, type Value } from "./sequence.js";

/** A subgraph result that must be a tensor (a condition, a scan output). */
function asTensor(ctx: NodeContext, v: Value): Tensor {
  if (v instanceof Sequence) throw ctx.unsupported("a sequence where a tensor is expected");
  return v;
}

/** How many iterations an unrolled Loop may run. */
const MAX_ITERATIONS = 10000;

function ifOp(ctx: NodeContext): Value[] {
  const cond = ctx.scalar(0, "cond", 0);
  const branch = ctx.graph(cond !== 0 ? "then_branch" : "else_branch");
  if (branch === undefined) throw ctx.error("needs then_branch and else_branch");
  return ctx.subgraph(branch, []);
}

/** Stacks per-iteration values along a new `axis`. */
function stackAt(xs: readonly Tensor[], axis: number): Tensor {
  return concat(
    xs.map((x) => reshape(x, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)])),
    axis,
  );
}

function loopOp(ctx: NodeContext): Value[] {
  const body = ctx.graph("body");
  if (body === undefined) throw ctx.error("needs a body");
  const trips = ctx.hasInput(0) ? ctx.scalar(0, "M", 0) : Number.POSITIVE_INFINITY;
  let cond = ctx.hasInput(1) ? ctx.scalar(1, "cond", 1) !== 0 : true;
  let carried = ctx.args.slice(2).map((t, i) => {
    if (t === undefined) throw ctx.error(`loop-carried input ${i} is missing`);
    return t;
  });
  const nScan = (body.output?.length ?? 1) - 1 - carried.length;
  const scans: Tensor[][] = Array.from({ length: nScan }, () => []);
  let i = 0;
  while (i < trips && cond) {
    if (i >= MAX_ITERATIONS) {
      throw ctx.unsupported(`a loop of more than ${MAX_ITERATIONS} iterations is not unrolled`);
    }
    const outs = ctx.subgraph(body, [tensor(i, { dtype: "int32" }), tensor(cond), ...carried]);
    const c = asTensor(ctx, outs[0]!);
    if (c._trace !== null) {
      throw ctx.unsupported("a loop condition that depends on graph inputs is not supported");
    }
    cond = c.dataSync()[0] !== 0;
    carried = outs.slice(1, 1 + carried.length);
    outs.slice(1 + carried.length).forEach((s, k) => {
      scans[k]!.push(asTensor(ctx, s));
    });
    i++;
  }
  if (nScan > 0 && i === 0)
    throw ctx.unsupported("a loop that runs no iteration and has scan outputs");
  return [...carried, ...scans.map((s) => stackAt(s, 0))];
}

function scanOp(ctx: NodeContext): Tensor[] {
  const body = ctx.graph("body");
  if (body === undefined) throw ctx.error("needs a body");
  const m = ctx.int("num_scan_inputs", 0);
  const all = ctx.inputs.map((t, i) => {
    if (t === undefined) throw ctx.error(`input ${i} is missing`);
    return t;
  });
  const n = all.length - m;
  let states = all.slice(0, n);
  const xs = all.slice(n);
  const inDirs = ctx.ints("scan_input_directions") ?? xs.map(() => 0);
  const inAxes = (ctx.ints("scan_input_axes") ?? xs.map(() => 0)).map((a, k) =>
    normAxis(ctx, a, xs[k]!.ndim),
  );
  const nOut = (body.output?.length ?? 0) - n;
  const outDirs = ctx.ints("scan_output_directions") ?? new Array<number>(nOut).fill(0);
  const outAxesRaw = ctx.ints("scan_output_axes") ?? new Array<number>(nOut).fill(0);
  const length = xs.length > 0 ? xs[0]!.shape[inAxes[0]!]! : 0;
  const outs: Tensor[][] = Array.from({ length: nOut }, () => []);
  for (let t = 0; t < length; t++) {
    const slices = xs.map((x, k) => {
      const at = inDirs[k] === 1 ? length - 1 - t : t;
      const a = inAxes[k]!;
      const begin = x.shape.map((_, d) => (d === a ? at : null));
      const end = x.shape.map((_, d) => (d === a ? at + 1 : null));
      return reshape(
        stridedSlice(x, begin, end),
        x.shape.filter((_, d) => d !== a),
      );
    });
    const r = ctx.subgraph(body, [...states, ...slices]).map((v) => asTensor(ctx, v));
    states = r.slice(0, n);
    r.slice(n).forEach((y, k) => {
      outs[k]!.push(y);
    });
  }
  const stacked = outs.map((ys, k) => {
    const ordered = outDirs[k] === 1 ? [...ys].reverse() : ys;
    const axis = normAxis(ctx, outAxesRaw[k]!, (ys[0]?.ndim ?? 0) + 1);
    return stackAt(ordered, axis);
  });
  return [...states, ...stacked];
}

/** The control-flow operators' table entries. */
export const CONTROL_OPS: Readonly<Record<string, ImportOp>> = {
  If: { run: ifOp, static: [0], subgraphs: true },
  Loop: { run: loopOp, static: [0, 1], subgraphs: true },
  Scan: {
    run: scanOp,
    subgraphs: true,
    check: (ctx) =>
      ctx.opset < 9 ? "Scan before opset 9 (with sequence_lens) is not supported" : undefined,
  },
};
