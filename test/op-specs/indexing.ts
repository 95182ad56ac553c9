/**
 * @file Op specs of the indexing family (see test/harness/spec.ts for the format): takeAlongAxis,
 * stridedSlice, sliceUpdate, argsort, sort and topk. References are plain index arithmetic on
 * float64 arrays; sorting specs draw "distinct" inputs, since finite differences across a tie
 * would see the jump in the permutation.
 */

import * as ad from "../../src/index.js";
import type { Nd } from "../harness/nd.js";
import * as nd from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";

const int32 = (data: ad.TensorLike) => ad.tensor(data, { dtype: "int32" });

/** The indices that sort `v` (stable), ascending or descending: a reference independent of the kernel. */
function orderOf(v: readonly number[], descending: boolean): number[] {
  const idx = v.map((_, i) => i);
  // Insertion sort: obviously stable, and fast enough for spec sizes.
  for (let i = 1; i < idx.length; i++) {
    const cur = idx[i]!;
    let j = i - 1;
    const later = (a: number, b: number) => (descending ? v[a]! < v[b]! : v[a]! > v[b]!);
    while (j >= 0 && later(idx[j]!, cur)) {
      idx[j + 1] = idx[j]!;
      j--;
    }
    idx[j + 1] = cur;
  }
  return idx;
}

/** Applies `rowFn` to every 1-d line of x along `axis` (rows of length n in, of length m out). */
function alongAxis(x: Nd, axis: number, m: number, rowFn: (row: number[]) => number[]): Nd {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const shape = x.shape.map((n, d) => (d === a ? m : n));
  const out = new Float64Array(nd.size(shape));
  const inStrides = nd.strides(x.shape);
  const outStrides = nd.strides(shape);
  const lineShape = x.shape.map((n, d) => (d === a ? 1 : n));
  for (let l = 0; l < nd.size(lineShape); l++) {
    const idx = nd.unravel(l, lineShape);
    const inBase = idx.reduce((acc, v, d) => acc + v * inStrides[d]!, 0);
    const outBase = idx.reduce((acc, v, d) => acc + v * outStrides[d]!, 0);
    const row = Array.from({ length: x.shape[a]! }, (_, k) => x.data[inBase + k * inStrides[a]!]!);
    rowFn(row).forEach((v, k) => {
      out[outBase + k * outStrides[a]!] = v;
    });
  }
  return { shape, data: out };
}

const sortRef = (axis: number, descending: boolean) => (x: Nd) =>
  alongAxis(x, axis, x.shape[axis < 0 ? axis + x.shape.length : axis]!, (row) =>
    orderOf(row, descending).map((i) => row[i]!),
  );

const argsortRef = (axis: number, descending: boolean) => (x: Nd) =>
  alongAxis(x, axis, x.shape[axis < 0 ? axis + x.shape.length : axis]!, (row) =>
    orderOf(row, descending),
  );

const topkRef = (k: number, which: "values" | "indices") => (x: Nd) =>
  alongAxis(x, -1, k, (row) => {
    const order = orderOf(row, true).slice(0, k);
    return which === "values" ? order.map((i) => row[i]!) : order;
  });

// Along axis 1 of a [3, 4] array, with repeats (the gradient must add them) and a negative index.
const ALONG = [
  [0, 0, 3],
  [2, 1, 2],
  [-1, 3, 0],
];

export const indexingSpecs: OpSpec[] = [
  {
    name: "takeAlongAxis axis=1 with duplicates",
    prims: ["gather"],
    fn: (x) => ad.takeAlongAxis(x, int32(ALONG), 1),
    shapes: [[[3, 4]]],
    ref: (x) => nd.gatherBy(x, [3, 3], ([r, c]) => [r!, (ALONG[r!]![c!]! + 4) % 4]),
  },
  {
    name: "takeAlongAxis broadcasting indices",
    prims: ["gather"],
    // indices [1, 2, 4] against x [2, 3, 4] on axis 1: the same picks for both leading rows.
    fn: (x) =>
      ad.takeAlongAxis(
        x,
        int32([
          [
            [2, 0, 1, 2],
            [2, 2, 0, 0],
          ],
        ]),
        1,
      ),
    shapes: [[[2, 3, 4]]],
    ref: (x) =>
      nd.gatherBy(x, [2, 2, 4], ([i, j, k]) => [
        i!,
        [
          [2, 0, 1, 2],
          [2, 2, 0, 0],
        ][j!]![k!]!,
        k!,
      ]),
  },
  {
    name: "takeAlongAxis axis=null (flattened)",
    prims: ["gather"],
    fn: (x) => ad.takeAlongAxis(x, [5, 0, 5, -2], null),
    shapes: [[[2, 3]]],
    ref: (x) => ({
      shape: [4],
      data: Float64Array.of(x.data[5]!, x.data[0]!, x.data[5]!, x.data[4]!),
    }),
  },
  {
    name: "stridedSlice steps 2 and -2",
    prims: ["slice", "flip"],
    // x[1::2, -1:0:-2] on [5, 6]: rows 1, 3; columns 5, 3, 1.
    fn: (x) => ad.stridedSlice(x, [1, -1], [null, 0], [2, -2]),
    shapes: [[[5, 6]]],
    ref: (x) => nd.gatherBy(x, [2, 3], ([r, c]) => [1 + 2 * r!, 5 - 2 * c!]),
  },
  {
    name: "stridedSlice step 3, clamped bounds",
    prims: ["slice"],
    // x[-100:100:3] on [10]: Python clamps out-of-range bounds, giving 0, 3, 6, 9.
    fn: (x) => ad.stridedSlice(x, [-100], [100], [3]),
    shapes: [[[10]], [[10, 2]]],
    ref: (x) => nd.gatherBy(x, [4, ...x.shape.slice(1)], (idx) => [3 * idx[0]!, ...idx.slice(1)]),
  },
  {
    name: "stridedSlice reversed axis (x[::-1])",
    prims: ["flip"],
    fn: (x) => ad.stridedSlice(x, [], [], [null, -1]),
    shapes: [[[2, 3]]],
    ref: (x) => nd.gatherBy(x, [2, 3], ([r, c]) => [r!, 2 - c!]),
  },
  {
    name: "sliceUpdate (x and values)",
    prims: ["pad", "select"],
    // Rows 1-2, columns 2-3 of a [4, 5] array replaced by a [2, 2] block.
    fn: (x, v) => ad.sliceUpdate(x, [1, -3], v),
    shapes: [
      [
        [4, 5],
        [2, 2],
      ],
    ],
    ref: (x, v) => {
      const data = x.data.slice();
      for (let r = 0; r < 2; r++)
        for (let c = 0; c < 2; c++) data[(1 + r) * 5 + (2 + c)] = v.data[r * 2 + c]!;
      return { shape: x.shape, data };
    },
  },
  {
    name: "sliceUpdate 1-d at the end",
    prims: ["pad", "select"],
    fn: (x, v) => ad.sliceUpdate(x, [-2], v),
    shapes: [[[5], [2]]],
    ref: (x, v) => {
      const data = x.data.slice();
      data[3] = v.data[0]!;
      data[4] = v.data[1]!;
      return { shape: x.shape, data };
    },
  },
  {
    name: "argsort",
    prims: ["argsort"],
    fn: (x) => ad.argsort(x),
    shapes: [[[6]], [[2, 5]]],
    domains: ["distinct"],
    ref: argsortRef(-1, false),
    order: 0,
    outDType: "int32",
  },
  {
    name: "argsort descending axis=0",
    prims: ["argsort"],
    fn: (x) => ad.argsort(x, { axis: 0, descending: true }),
    shapes: [[[4, 3]]],
    domains: ["distinct"],
    ref: argsortRef(0, true),
    order: 0,
    outDType: "int32",
  },
  {
    name: "sort",
    prims: ["argsort", "gather"],
    fn: (x) => ad.sort(x),
    shapes: [[[5]], [[3, 4]]],
    domains: ["distinct"],
    ref: sortRef(-1, false),
  },
  {
    name: "sort descending axis=0",
    prims: ["argsort", "gather"],
    fn: (x) => ad.sort(x, { axis: 0, descending: true }),
    shapes: [[[4, 3]]],
    domains: ["distinct"],
    ref: sortRef(0, true),
  },
  {
    name: "topk values",
    prims: ["argsort", "slice", "gather"],
    fn: (x) => ad.topk(x, 3)[0],
    shapes: [[[6]], [[2, 5]]],
    domains: ["distinct"],
    ref: topkRef(3, "values"),
  },
  {
    name: "topk indices",
    prims: ["argsort", "slice"],
    fn: (x) => ad.topk(x, 3)[1],
    shapes: [[[6]], [[2, 5]]],
    domains: ["distinct"],
    ref: topkRef(3, "indices"),
    order: 0,
    outDType: "int32",
  },
];
