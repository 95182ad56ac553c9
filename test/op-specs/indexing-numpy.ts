/**
 * @file Op specs of NumPy indexing (`x.index(...)`) and the functional updates (`x.at(...)`), see
 * test/harness/spec.ts for the format: fixed index expressions, references written as plain index
 * arithmetic on float64 arrays. Random expressions are checked in test/system/indexing-numpy.test.ts.
 * Spec names avoid the words of other ops (docs/ops.md counts specs by the op names they mention).
 */

import * as ad from "../../src/index.js";
import type { Nd } from "../harness/nd.js";
import * as nd from "../harness/nd.js";
import type { OpSpec } from "../harness/spec.js";

const MASK = [
  [true, false, true, false],
  [false, true, true, false],
  [true, true, false, true],
];

/** x (1-d) with `values` applied at `positions` in order by `f(old, value)`. */
function updated(
  x: Nd,
  positions: readonly number[],
  v: Nd,
  f: (a: number, b: number) => number,
): Nd {
  const data = Float64Array.from(x.data);
  positions.forEach((p, k) => {
    data[p] = f(data[p]!, v.data[k]!);
  });
  return { shape: [...x.shape], data };
}

export const indexingNumpySpecs: OpSpec[] = [
  {
    name: "index x[1, ::-1, None]",
    prims: ["slice", "flip", "reshape"],
    fn: (x) => x.index(1, "::-1", ad.newaxis),
    shapes: [[[3, 4]]],
    ref: (x) => nd.gatherBy(x, [4, 1], ([j]) => [1, 3 - j!]),
  },
  {
    name: "index x[-1:0:-2, ..., 1:] with a 3-d x",
    prims: ["slice", "flip"],
    fn: (x) => x.index(ad.s(-1, 0, -2), "...", ad.s(1)),
    shapes: [[[5, 2, 3]]],
    // rows 4, 2; all of axis 1; columns 1, 2
    ref: (x) => nd.gatherBy(x, [2, 2, 2], ([i, j, k]) => [4 - 2 * i!, j!, 1 + k!]),
  },
  {
    name: "index x[[2, 0, 2], :, [1, -1, 0]] (separated arrays: their axis first)",
    prims: ["transpose", "gather"],
    fn: (x) => x.index([2, 0, 2], ad.s(), [1, -1, 0]),
    shapes: [[[3, 2, 4]]],
    ref: (x) => nd.gatherBy(x, [3, 2], ([k, j]) => [[2, 0, 2][k!]!, j!, [1, 3, 0][k!]!]),
  },
  {
    name: "index x[:, [[0], [2]], [1, 3]] (adjacent broadcast arrays)",
    prims: ["gather"],
    fn: (x) => x.index(ad.s(), [[0], [2]], [1, 3]),
    shapes: [[[2, 3, 4]]],
    ref: (x) => nd.gatherBy(x, [2, 2, 2], ([i, a, b]) => [i!, [0, 2][a!]!, [1, 3][b!]!]),
  },
  {
    name: "index x[mask] (a 2-d boolean mask)",
    prims: ["gather"],
    fn: (x) => x.index(MASK),
    shapes: [[[3, 4]]],
    ref: (x) => {
      const hits: number[][] = [];
      MASK.forEach((row, i) => {
        row.forEach((m, j) => {
          if (m) hits.push([i, j]);
        });
      });
      return nd.gatherBy(x, [hits.length], ([k]) => hits[k!]!);
    },
  },
  {
    name: "at replace x.at([3, 1, 3]).set(v): the last write wins",
    prims: ["scatter_add", "select"],
    fn: (x, v) => x.at([3, 1, 3]).set(v),
    shapes: [[[5], [3]]],
    ref: (x, v) => updated(x, [3, 1, 3], v, (_a, b) => b),
  },
  {
    name: "at accumulate on x.at([1, 1, 0], 0): a repeated position sums",
    prims: ["scatter_add"],
    fn: (x, v) => x.at([1, 1, 0], 0).add(v),
    shapes: [[[2, 3], [3]]],
    ref: (x, v) => updated(x, [3, 3, 0], v, (a, b) => a + b),
  },
  {
    name: "at scale-in on x.at([0, 2, 0]): a repeated position scales in turn",
    prims: ["scatter_add", "select", "gather"],
    fn: (x, v) => x.at([0, 2, 0]).mul(v),
    shapes: [[[4], [3]]],
    ref: (x, v) => updated(x, [0, 2, 0], v, (a, b) => a * b),
  },
  {
    name: "at raise-to on x.at('1:')",
    prims: ["scatter_add", "select"],
    fn: (x, v) => x.at("1:").max(v),
    shapes: [[[4], [3]]],
    domains: ["distinct", "distinct"],
    ref: (x, v) => updated(x, [1, 2, 3], v, (a, b) => Math.max(a, b)),
  },
  {
    name: "at lower-to on x.at(::2)",
    prims: ["scatter_add", "select"],
    fn: (x, v) => x.at("::2").min(v),
    shapes: [[[5], [3]]],
    domains: ["distinct", "distinct"],
    ref: (x, v) => updated(x, [0, 2, 4], v, (a, b) => Math.min(a, b)),
  },
];
