/** @file Op specs of the linalg family (see test/harness/spec.ts for the format). */

import type { OpSpec } from "../harness/spec.js";

export const linalgSpecs: OpSpec[] = [];
