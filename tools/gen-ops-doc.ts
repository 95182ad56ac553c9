/** @file Writes docs/ops.md from the op-spec table (`npm run docs:ops`). */

import { writeFileSync } from "node:fs";
import { specs } from "../test/op-specs/index.js";
import { opsMarkdown } from "./ops-table.js";

writeFileSync("docs/ops.md", opsMarkdown(specs));
console.log("wrote docs/ops.md");
