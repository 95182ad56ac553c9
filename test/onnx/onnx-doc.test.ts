/**
 * @file docs/onnx.md's generated section (the backend suite's counts per operator) is what a
 * fresh run of the suite gives: run `npm run docs:onnx` after changing the importer.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { currentSection, onnxDocSection, runSuite } from "../../tools/onnx-doc.js";
import { suiteRoot } from "./backend-suite.js";

const root = suiteRoot();
const skip =
  root === undefined && process.env.ADJOINT_ONNX_TESTS !== "required"
    ? "ONNX backend test suite (libonnx-testdata) not installed"
    : false;

test("docs/onnx.md's backend-suite section is up to date (npm run docs:onnx)", {
  skip,
}, async () => {
  assert.ok(root !== undefined, "libonnx-testdata is missing");
  const page = readFileSync(new URL("../../docs/onnx.md", import.meta.url), "utf8");
  assert.equal(currentSection(page), onnxDocSection(await runSuite(root)));
});
