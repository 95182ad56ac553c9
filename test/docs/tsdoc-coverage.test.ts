/**
 * @file Every export of the package root has TSDoc: a comment on each export (and on each member
 * of `linalg`, `random` and the public Tensor methods), an `@example` on each function, and a
 * `@category` on each root export so the API reference groups it.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { readApiSurface } from "./api-surface.js";

/** The navigation groups of the API reference (typedoc.json's categoryOrder, which puts any other last). */
const CATEGORIES = [
  "Tensors",
  "Creation",
  "Elementwise",
  "Comparison",
  "Reductions",
  "Shape",
  "Indexing",
  "Linear algebra",
  "Neural-net ops",
  "Random",
  "Transformations",
  "Pytrees",
  "Errors",
  "Backends",
  "Tools",
  "Primitives",
];

const items = readApiSurface();

function report(offenders: string[], what: string): string {
  return `${offenders.length} ${what}:\n  ${offenders.join("\n  ")}`;
}

test("the API surface is read (root exports, namespace members, Tensor methods)", () => {
  const names = new Set(items.map((i) => i.name));
  for (const name of ["grad", "Tensor", "tensor", "linalg.inv", "random.normal", "Tensor.add"]) {
    assert.ok(names.has(name), `expected ${name} in the API surface`);
  }
});

test("every export, namespace member and public Tensor member has a TSDoc comment", () => {
  const offenders = items
    .filter((i) => !i.documented)
    .map((i) => `${i.name} (${i.file}:${i.line})`);
  assert.deepEqual(offenders, [], report(offenders, "exports without a TSDoc comment"));
});

test("every exported function (root and namespace members) has an @example", () => {
  const offenders = items
    .filter((i) => i.kind === "function" && i.examples.length === 0)
    .map((i) => `${i.name} (${i.file}:${i.line})`);
  assert.deepEqual(offenders, [], report(offenders, "functions without an @example"));
});

test("every root export has a @category the API reference knows", () => {
  const offenders = items
    .filter((i) => i.kind !== "member" && !i.name.includes("."))
    .filter((i) => i.category === undefined || !CATEGORIES.includes(i.category))
    .map((i) => `${i.name}: ${i.category ?? "no @category"} (${i.file}:${i.line})`);
  assert.deepEqual(offenders, [], report(offenders, "root exports without a known @category"));
});
