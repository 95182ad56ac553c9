/**
 * @file The TSDoc of `ad.nn`'s members: each has a comment, each function an `@example`, and
 * every example of src/nn runs with its `// =>` and `// throws:` lines checked (the shared
 * doc-test runs the root exports' examples; this covers the namespace's members too).
 */

import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { getDefaultFloat, setDefaultFloat } from "../../src/index.js";
import { NAMESPACES, readApiSurface } from "../docs/api-surface.js";
import { ROOT, rewriteBlock, tsdocBlocks } from "../docs/doc-blocks.js";

// Read the namespace's members like linalg's and random's (a no-op once the list has "nn").
if (!NAMESPACES.includes("nn")) NAMESPACES.push("nn");
const items = readApiSurface().filter(
  (i) => i.name === "nn" || i.name.startsWith("nn.") || i.file.startsWith("src/nn/"),
);

test("every member of ad.nn has a TSDoc comment and every function an @example", () => {
  const members = items.filter((i) => i.name.startsWith("nn."));
  assert.ok(members.length >= 29, `expected the nn members; got ${members.length}`);
  const undocumented = items.filter((i) => !i.documented).map((i) => i.name);
  assert.deepEqual(undocumented, []);
  const noExample = items
    .filter((i) => i.kind === "function" && i.examples.length === 0)
    .map((i) => i.name);
  assert.deepEqual(noExample, []);
});

const OUT = join(ROOT, "build/doctest", `nn-${process.pid}`);
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
after(() => rmSync(OUT, { recursive: true, force: true }));

for (const block of tsdocBlocks(items)) {
  test(`${block.file}:${block.line}`, async () => {
    const module = `${block.file.replace(/[^\w]+/g, "_")}_${block.line}.ts`;
    const { code, problems } = rewriteBlock(block, OUT);
    assert.deepEqual(problems, []);
    writeFileSync(join(OUT, module), code);
    const float = getDefaultFloat();
    try {
      await import(pathToFileURL(join(OUT, module)).href);
    } finally {
      setDefaultFloat(float);
    }
  });
}
