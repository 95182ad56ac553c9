/**
 * @file The reference backend: plain TypeScript kernels on typed arrays, the correctness oracle
 * every other backend is tested against. Clarity and exact semantics come before speed. Its dense
 * factorisations (`referenceLinalg` in linalg.ts) are not part of this object: the linalg
 * primitives fall back to them, so bundles without linalg leave them out.
 */

import type { Backend } from "../backend.js";
import { binary, cast, select, unary } from "./elementwise.js";
import { gather, scatterAdd } from "./indexing.js";
import { matmul } from "./matmul.js";
import { broadcastTo, concat, flip, pad, slice, transpose } from "./movement.js";
import { cumsum, reduce } from "./reduce.js";
import { argsort } from "./sort.js";

/**
 * The reference backend: plain, readable TypeScript kernels with exact semantics, the oracle the
 * other backends are tested against (slower than the default).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.referenceBackend.name; // => reference
 * ```
 * @category Backends
 */
export const referenceBackend: Backend = {
  name: "reference",
  unary,
  binary,
  select,
  cast,
  reduce,
  cumsum,
  transpose,
  broadcastTo,
  slice,
  pad,
  concat,
  flip,
  gather,
  scatterAdd,
  matmul,
  argsort,
};
