/** @file Op specs of the indexing family (see test/harness/spec.ts for the format). */

import type { OpSpec } from "../harness/spec.js";

export const indexingSpecs: OpSpec[] = [];
