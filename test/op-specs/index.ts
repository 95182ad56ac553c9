/** @file The whole op-spec table: one file per op family. */

import type { OpSpec } from "../harness/spec.js";
import { bitwiseSpecs } from "./bitwise.js";
import { coreSpecs } from "./core.js";
import { elementwiseMoreSpecs } from "./elementwise-more.js";
import { graphSpecs } from "./graph.js";
import { indexingSpecs } from "./indexing.js";
import { indexingNumpySpecs } from "./indexing-numpy.js";
import { linalgSpecs } from "./linalg.js";
import { linalgMoreSpecs } from "./linalg-more.js";
import { nnSpecs } from "./nn.js";
import { numpyMiscSpecs } from "./numpy-misc.js";
import { numpyShapeSpecs } from "./numpy-shape.js";
import { numpyStatsSpecs } from "./numpy-stats.js";

export const specs: OpSpec[] = [
  ...coreSpecs,
  ...elementwiseMoreSpecs,
  ...linalgSpecs,
  ...linalgMoreSpecs,
  ...nnSpecs,
  ...indexingSpecs,
  ...indexingNumpySpecs,
  ...numpyMiscSpecs,
  ...numpyShapeSpecs,
  ...numpyStatsSpecs,
  ...bitwiseSpecs,
  ...graphSpecs,
];
