/** @file Generated checks for every op in the spec table, then the primitive coverage check. */

import { coverageTest, specTests } from "./harness/spec.js";
import { specs } from "./op-specs/index.js";

for (const spec of specs) specTests(spec);
coverageTest();
