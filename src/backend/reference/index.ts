/**
 * @file The reference backend: plain TypeScript kernels on typed arrays, the correctness oracle
 * every other backend is tested against. Clarity and exact semantics come before speed.
 */

import type { Backend } from "../backend.js";
import { binary, cast, select, unary } from "./elementwise.js";
import { gather, scatterAdd } from "./indexing.js";
import { cholesky, eigh, lu, qr, svd, triangularSolve } from "./linalg.js";
import { matmul } from "./matmul.js";
import { broadcastTo, concat, flip, pad, slice, transpose } from "./movement.js";
import { cumsum, reduce } from "./reduce.js";
import { argsort } from "./sort.js";

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
  lu,
  triangularSolve,
  cholesky,
  qr,
  eigh,
  svd,
  argsort,
};
