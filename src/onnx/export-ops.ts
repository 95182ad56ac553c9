/**
 * @file Every built-in primitive to ONNX operators, in one table keyed by the primitive names of
 * src/primitives/names.ts (a new primitive without an entry does not compile). An entry emits
 * the primitive's ONNX nodes through the builder, or is `null` when ONNX has no reasonable form
 * for it (none today), which `onnx.save` reports as unsupported. Elementwise primitives come from
 * their expressions (export-elementwise.ts); the factorizations ONNX lacks (LU, QR, Cholesky,
 * triangular solves, eigh, SVD) are unrolled for their static size (export-linalg.ts).
 */

import type { DType } from "../core/dtype.js";
import type { Aval } from "../core/primitive.js";
import type {
  BinaryPrimitiveName,
  MultiPrimitiveName,
  MultiPrimitiveParams,
  PrimitiveName,
  PrimitiveParams,
  UnaryPrimitiveName,
} from "../primitives/names.js";
import { type ExportBuilder, int, ints, type OnnxValue, str } from "./export-builder.js";
import { exportElementwise, NoLowering, where } from "./export-elementwise.js";
import { cholesky, detViaLu, eigh, lu, qr, svd, triangularSolve } from "./export-linalg.js";

/** What an exporter gets: the builder, its inputs (names and types), avals and params. */
export interface ExportCall<P> {
  readonly b: ExportBuilder;
  readonly inputs: readonly OnnxValue[];
  readonly inAvals: readonly Aval[];
  readonly outAvals: readonly Aval[];
  readonly params: P;
  readonly primitive: string;
  /** Exports a nested graph (custom_call's body) on the given inputs; returns its outputs. */
  readonly inline: (body: unknown, inputs: readonly OnnxValue[]) => string[];
}

/** Emits a primitive's nodes and returns the names of its outputs (one per output aval). */
export type Exporter<P> = (call: ExportCall<P>) => string[];

/** The input `i` as the dtype `to`. */
const input = (c: ExportCall<unknown>, i: number, to: DType): string =>
  c.b.cast(c.inputs[i]!.name, c.inputs[i]!.type, to);

/** The first input in the output's dtype. */
const x0 = (c: ExportCall<unknown>): string => input(c, 0, c.outAvals[0]!.dtype);

/** An elementwise primitive, from its table expression. */
const elementwise: Exporter<undefined> = (c) => [
  exportElementwise(c.b, c.primitive, c.inputs, c.outAvals[0]!.dtype),
];

/** A reduction over `axes` without kept dims (axes an input from opset 18, or always for sum). */
function reduce(opType: string): Exporter<{ readonly axes: readonly number[] }> {
  return (c) => {
    const x = x0(c);
    if (c.params.axes.length === 0) return [c.b.node("Identity", [x])];
    const keepdims = int(0);
    if (opType === "ReduceSum" || c.b.opset >= 18) {
      return [c.b.node(opType, [x, c.b.int64s(c.params.axes)], { keepdims })];
    }
    return [c.b.node(opType, [x], { axes: ints(c.params.axes), keepdims })];
  };
}

/** argmax/argmin: ONNX's index (int64, first occurrence) as int32. */
function argReduce(opType: string): Exporter<{ readonly axis: number }> {
  return (c) => {
    const i = c.b.node(opType, [c.inputs[0]!.name], {
      axis: int(c.params.axis),
      keepdims: int(0),
      select_last_index: int(0),
    });
    return [c.b.cast(i, "int64", "int32")];
  };
}

/** The last two axes of an n-d value swapped. */
function swapLast(b: ExportBuilder, name: string, ndim: number): string {
  const perm = Array.from({ length: ndim }, (_, i) => i);
  perm[ndim - 2] = ndim - 1;
  perm[ndim - 1] = ndim - 2;
  return b.node("Transpose", [name], { perm: ints(perm) });
}

type SingleTable = {
  readonly [N in PrimitiveName]: N extends UnaryPrimitiveName | BinaryPrimitiveName
    ? Exporter<undefined> | null
    : Exporter<PrimitiveParams[N]> | null;
};

type MultiTable = {
  readonly [N in MultiPrimitiveName]: Exporter<MultiPrimitiveParams[N]> | null;
};

/** Elementwise entries for every name of a table (keys whose primitive is generated). */
type ElementwiseNames = UnaryPrimitiveName | BinaryPrimitiveName;

/** How each single-output primitive is written. */
const SINGLE = {
  convert_element_type: (c) => [c.b.cast(c.inputs[0]!.name, c.inputs[0]!.type, c.params.dtype)],
  stop_gradient: (c) => [c.b.node("Identity", [c.inputs[0]!.name])],
  reshape: (c) => [c.b.node("Reshape", [x0(c), c.b.int64s(c.params.shape)])],
  transpose: (c) => [c.b.node("Transpose", [x0(c)], { perm: ints(c.params.perm) })],
  broadcast_to: (c) => [c.b.node("Expand", [x0(c), c.b.int64s(c.params.shape)])],
  slice: (c) => {
    const { begin, size, step } = c.params;
    const axes: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const steps: number[] = [];
    const shape = c.inAvals[0]!.shape;
    for (let d = 0; d < begin.length; d++) {
      if (begin[d] === 0 && size[d] === shape[d] && step[d] === 1) continue;
      axes.push(d);
      starts.push(begin[d]!);
      ends.push(size[d] === 0 ? begin[d]! : begin[d]! + (size[d]! - 1) * step[d]! + 1);
      steps.push(step[d]!);
    }
    if (axes.length === 0) return [c.b.node("Identity", [x0(c)])];
    const b = c.b;
    return [
      b.node("Slice", [x0(c), b.int64s(starts), b.int64s(ends), b.int64s(axes), b.int64s(steps)]),
    ];
  },
  pad: (c) => {
    const { widths, value } = c.params;
    const dtype = c.outAvals[0]!.dtype;
    const pads = [...widths.map((w) => w[0]), ...widths.map((w) => w[1])];
    const fill = c.b.scalar(dtype === "bool" ? (value !== 0 ? 1 : 0) : value, dtype);
    return [
      c.b.node("Pad", [x0(c), c.b.int64s(pads), fill], {
        mode: str("constant"),
      }),
    ];
  },
  concatenate: (c) => {
    const dtype = c.outAvals[0]!.dtype;
    const xs = c.inputs.map((_, i) => input(c, i, dtype));
    return [c.b.node("Concat", xs, { axis: int(c.params.axis) })];
  },
  // Each axis read backwards: start at the last element, step -1 past the first.
  flip: (c) => {
    const { axes } = c.params;
    if (axes.length === 0) return [c.b.node("Identity", [x0(c)])];
    const b = c.b;
    const n = axes.length;
    return [
      b.node("Slice", [
        x0(c),
        b.int64s(new Array<number>(n).fill(-1)),
        b.int64s(new Array<number>(n).fill(Number.MIN_SAFE_INTEGER)),
        b.int64s(axes),
        b.int64s(new Array<number>(n).fill(-1)),
      ]),
    ];
  },
  reduce_sum: reduce("ReduceSum"),
  reduce_max: reduce("ReduceMax"),
  reduce_min: reduce("ReduceMin"),
  reduce_prod: reduce("ReduceProd"),
  argmax: argReduce("ArgMax"),
  argmin: argReduce("ArgMin"),
  cumsum: (c) => [
    c.b.node("CumSum", [x0(c), c.b.constant("int64", [], [c.params.axis])], {
      reverse: int(c.params.reverse ? 1 : 0),
    }),
  ],
  gather: (c) => [c.b.node("Gather", [x0(c), c.inputs[1]!.name], { axis: int(c.params.axis) })],
  // x[..., i[j], ...] += u[..., j, ...]: ScatterND with reduction "add" (opset 16) on x with the
  // axis moved first and indices as [..., 1] int64; duplicate indices accumulate.
  scatter_add: (c) => {
    const b = c.b;
    if (b.opset < 16) throw new NoLowering("ScatterND with reduction needs opset 16");
    const { axis } = c.params;
    const xShape = c.inAvals[0]!.shape;
    const iRank = c.inAvals[1]!.shape.length;
    const nd = xShape.length;
    const dtype = c.outAvals[0]!.dtype;
    // x: [...pre, L, ...post] -> [L, ...pre, ...post]
    const xPerm = [axis, ...range(0, axis), ...range(axis + 1, nd)];
    const xt = b.node("Transpose", [x0(c)], { perm: ints(xPerm) });
    // updates: [...pre, ...i, ...post] -> [...i, ...pre, ...post]
    const uPerm = [
      ...range(axis, axis + iRank),
      ...range(0, axis),
      ...range(axis + iRank, axis + iRank + nd - 1 - axis),
    ];
    const ut = b.node("Transpose", [input(c, 2, dtype)], { perm: ints(uPerm) });
    const idx = b.node("Unsqueeze", [b.cast(c.inputs[1]!.name, "int32", "int64"), b.int64s([-1])]);
    const summed = b.node("ScatterND", [xt, idx, ut], {
      reduction: str("add"),
    });
    return [b.node("Transpose", [summed], { perm: ints(inversePerm(xPerm)) })];
  },
  // A stable sort's order: TopK with k = the axis length (ties: the lower index first, both
  // ways). NaN sorts as the largest value, as adjoint's sort (last ascending, first descending).
  argsort: (c) => {
    const { axis, descending } = c.params;
    const n = c.inAvals[0]!.shape[axis]!;
    const b = c.b;
    const x = c.inputs[0]!;
    let keys = x.name;
    if (x.type === "float32" || x.type === "float64") {
      keys = b.node("Where", [
        b.node("IsNaN", [keys]),
        b.scalar(Number.POSITIVE_INFINITY, x.type),
        keys,
      ]);
    }
    const [, indices] = c.b.nodeMulti(
      "TopK",
      [keys, c.b.int64s([n])],
      { axis: int(axis), largest: int(descending ? 1 : 0), sorted: int(1) },
      2,
    );
    return [c.b.cast(indices!, "int64", "int32")];
  },
  matmul: (c) => {
    const dtype = c.outAvals[0]!.dtype;
    let a = input(c, 0, dtype);
    let m = input(c, 1, dtype);
    if (c.params.transA) a = swapLast(c.b, a, c.inAvals[0]!.shape.length);
    if (c.params.transB) m = swapLast(c.b, m, c.inAvals[1]!.shape.length);
    return [c.b.node("MatMul", [a, m])];
  },
  select: (c) => {
    const dtype = c.outAvals[0]!.dtype;
    return [where(c.b, c.inputs[0]!.name, input(c, 1, dtype), input(c, 2, dtype), dtype)];
  },
  // ONNX Runtime's Det is float32 only: float64 goes through LU.
  det: (c) =>
    c.outAvals[0]!.dtype === "float64"
      ? [detViaLu(c.b, x0(c), c.inAvals[0]!.shape, "float64")]
      : [c.b.node("Det", [x0(c)])],
  cholesky: (c) => [cholesky(c.b, x0(c), c.inAvals[0]!.shape, c.outAvals[0]!.dtype)],
  triangular_solve: (c) => {
    const dtype = c.outAvals[0]!.dtype;
    return [
      triangularSolve(
        c.b,
        input(c, 0, dtype),
        input(c, 1, dtype),
        c.inAvals[0]!.shape,
        dtype,
        c.params,
      ),
    ];
  },
} as const satisfies Omit<SingleTable, ElementwiseNames>;

/** How each multi-output primitive is written. */
const MULTI = {
  // unstack: Split along axis 0 into its length, each piece squeezed.
  unstack: (c) => {
    const b = c.b;
    const n = c.inAvals[0]!.shape[0]!;
    if (n === 0) return [];
    const parts =
      n === 1
        ? [x0(c)]
        : b.nodeMulti(
            "Split",
            [x0(c), b.int64s(new Array<number>(n).fill(1))],
            { axis: int(0) },
            n,
          );
    return parts.map((p) => b.node("Squeeze", [p, b.int64s([0])]));
  },
  custom_call: (c) => c.inline(c.params.body, c.inputs),
  lu: (c) => {
    const { packed, perm } = lu(c.b, x0(c), c.inAvals[0]!.shape, c.outAvals[0]!.dtype);
    return [packed, c.b.cast(perm, "int64", "int32")];
  },
  qr: (c) => {
    const { q, r } = qr(c.b, x0(c), c.inAvals[0]!.shape, c.outAvals[0]!.dtype);
    return [q, r];
  },
  eigh: (c) => {
    const { w, v } = eigh(c.b, x0(c), c.inAvals[0]!.shape, c.outAvals[0]!.dtype);
    return [w, v];
  },
  svd: (c) => {
    const { u, s, vh } = svd(c.b, x0(c), c.inAvals[0]!.shape, c.outAvals[0]!.dtype);
    return [u, s, vh];
  },
} as const satisfies MultiTable;

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

/**
 * The exporter of a primitive by name: its table entry, the elementwise exporter for the
 * elementwise table's primitives, null when it has none (unsupported, or not a built-in).
 */
export function exporterOf(name: string, isElementwise: boolean): Exporter<unknown> | null {
  if (Object.hasOwn(SINGLE, name))
    return SINGLE[name as keyof typeof SINGLE] as Exporter<unknown> | null;
  if (Object.hasOwn(MULTI, name))
    return MULTI[name as keyof typeof MULTI] as Exporter<unknown> | null;
  return isElementwise ? (elementwise as Exporter<unknown>) : null;
}

/** The built-in primitives that have no ONNX form (reported by onnx.save, listed in docs). */
export const UNSUPPORTED_PRIMITIVES: readonly string[] = [
  ...Object.entries(SINGLE)
    .filter(([, e]) => e === null)
    .map(([n]) => n),
  ...Object.entries(MULTI)
    .filter(([, e]) => e === null)
    .map(([n]) => n),
];
