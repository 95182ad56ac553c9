/**
 * @file Writes the generated section of docs/onnx.md (`npm run docs:onnx`): ONNX's backend test
 * suite (libonnx-testdata) run through `ad.onnx.load`, with the pass count per operator.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { suiteRoot } from "../test/onnx/backend-suite.js";
import { onnxDocSection, replaceSection, runSuite } from "./onnx-doc.js";

const root = suiteRoot();
if (root === undefined) {
  // A usage error of this tool, not a test: the page cannot be written without the suite.
  throw new Error(
    "docs:onnx: ONNX's backend test suite is not installed (apt-get install libonnx-testdata)",
  );
}
const file = new URL("../docs/onnx.md", import.meta.url);
const results = await runSuite(root);
writeFileSync(file, replaceSection(readFileSync(file, "utf8"), onnxDocSection(results)));
console.log(
  `docs/onnx.md: ${results.filter((r) => r.status === "pass").length} of ${results.length} tests pass`,
);
