/**
 * @file The op set is complete: every op of the API contract is exported (root or namespace),
 * has a Tensor method where it takes one tensor first, is covered by an op spec, and docs/ops.md
 * is exactly what the spec table generates.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as ad from "../src/index.js";
import { API_OPS, NAMESPACED } from "../tools/api-ops.js";
import { opsMarkdown, specsFor } from "../tools/ops-table.js";
import { specs } from "./op-specs/index.js";

const allOps = Object.values(API_OPS).flat();

test("every API op is exported from the package root (or its namespace)", () => {
  const root = ad as unknown as Record<string, Record<string, unknown>>;
  const missing = allOps.filter((op) => {
    const ns = NAMESPACED[op];
    return typeof (ns ? root[ns]?.[op] : root[op]) !== "function";
  });
  assert.deepEqual(missing, []);
});

test("every op whose first argument is a tensor is also a Tensor method", () => {
  // Not methods: namespaced ops, and ops whose first argument is not one tensor.
  const notMethods = new Set(["einsum", "concat", "stack", "stopGradient"]);
  const proto = ad.Tensor.prototype as unknown as Record<string, unknown>;
  const missing = allOps.filter(
    (op) => !NAMESPACED[op] && !notMethods.has(op) && typeof proto[op] !== "function",
  );
  assert.deepEqual(missing, []);
});

test("every API op is covered by at least one op spec", () => {
  const uncovered = allOps.filter((op) => specsFor(op, specs).length === 0);
  assert.deepEqual(uncovered, [], `ops without a spec: ${uncovered.join(", ")}`);
});

test("docs/ops.md is generated from the spec table (run npm run docs:ops after changing specs)", () => {
  assert.equal(readFileSync("docs/ops.md", "utf8"), opsMarkdown(specs));
});
