/** @file The doc-test harness itself: block extraction, rewriting and the result comparison. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ones, ShapeError, scalar, tensor } from "../../src/index.js";
import { blocksOfMarkdown, rewriteBlock } from "./doc-blocks.js";
import { doc, matches, show } from "./doc-runtime.js";

test("matches: whitespace-insensitive, numbers to the precision shown, ... as a wildcard", () => {
  assert.ok(matches("tensor([1, 2], dtype=float32)", "tensor([1., 2.], dtype=float32)"));
  assert.ok(matches("tensor([[1, 2],[3, 4]])", "tensor([[1., 2.],\n        [3., 4.]])"));
  assert.ok(matches("0.855", "0.855341023742973"));
  assert.ok(!matches("0.856", "0.855341023742973"));
  assert.ok(matches("0.855...", "0.8559"), "a number before ... may be truncated");
  assert.ok(!matches("0.855...", "0.8561"));
  assert.ok(!matches("1e-3", "0.0016"));
  assert.ok(matches("1.2e-3", "0.0012"));
  assert.ok(matches("1000000", "1000000.5"), "1e-6 relative");
  assert.ok(!matches("-2", "2"));
  assert.ok(!matches("4", "3.6"), "a number shown without decimals is exact");
  assert.ok(!matches("tensor(1., dtype=float32)", "tensor(1.4, dtype=float32)"));
  assert.ok(matches("tensor(..., dtype=float64)", "tensor([1, 2, 3], dtype=float64)"));
  assert.ok(!matches("tensor(..., dtype=float64)", "tensor([1, 2, 3], dtype=float32)"));
  assert.ok(matches("[ 3, 2 ]", "[3,2]"));
  assert.ok(matches("NaN", "NaN"));
  assert.ok(!matches("NaN", "0"));
  assert.ok(!matches("float32", "float64"));
  assert.ok(!matches("[1, 2]", "[1, 2, 3]"));
});

test("show: tensors as toString(), arrays and objects as util.inspect, a __proto__ key kept", () => {
  assert.equal(show(scalar(2)), "tensor(2., dtype=float32)");
  assert.equal(show([scalar(1), 2]), "[ tensor(1., dtype=float32), 2 ]");
  const tree = JSON.parse('{"__proto__": 1, "w": 2}') as object;
  assert.equal(show(tree), "{ ['__proto__']: 1, w: 2 }");
  assert.equal(show("text"), "text");
  assert.equal(show(-0), "-0");
});

test("blocksOfMarkdown: ```ts blocks with their first line, no-run and other languages skipped", () => {
  const md = [
    "# t",
    "```ts",
    "a;",
    "```",
    "```sh",
    "b",
    "```",
    "- item",
    "  ```ts",
    "  c;",
    "  ```",
    "```ts no-run",
    "d;",
    "```",
    "```` ```ts ```` is inline code, not a fence",
    "```ts",
    "e;",
    "```",
  ];
  const blocks = blocksOfMarkdown("x.md", md.join("\n"));
  assert.deepEqual(
    blocks.map((b) => [b.line, b.code]),
    [
      [3, "a;"],
      [10, "c;"],
      [17, "e;"],
    ],
  );
});

test("rewriteBlock: marks become checks on the same lines; a misplaced mark is a problem", () => {
  const block = {
    file: "x.md",
    line: 10,
    code: 'import * as ad from "adjoint";\nad.add(1,\n  2); // => 3\nf(); // throws: ShapeError: f: bad',
  };
  const { code, problems } = rewriteBlock(block, "/tmp/out");
  assert.deepEqual(problems, []);
  const lines = code.split("\n");
  assert.match(lines[0]!, /from ".*src\/index\.js"/);
  assert.match(
    lines[1]!,
    /^await __doc\.expect\("x\.md:12", "ad\.add\(1, 2\)", async \(\) => \(ad\.add\(1,$/,
  );
  assert.match(lines[3]!, /^await __doc\.throws\("x\.md:13", .*"ShapeError: f: bad"\);/);
  const bad = rewriteBlock(
    { file: "x.md", line: 1, code: "function g() {\n  return 1; // => 1\n}" },
    "/tmp/out",
  );
  assert.equal(bad.problems.length, 1);
  assert.match(bad.problems[0]!, /x\.md:2: .* not at the end of a top-level statement/);
});

test("doc.expect and doc.throws fail with file:line, the expression, expected and actual", async () => {
  await doc.expect("a.md:1", "x", async () => tensor([1, 2]), "tensor([1, 2], dtype=float32)");
  await assert.rejects(
    doc.expect("a.md:2", "x.sum()", async () => tensor([1, 2]).sum(), "tensor(4, dtype=float32)"),
    (e: Error) =>
      /a\.md:2: x\.sum\(\)\n\s+expected: tensor\(4.*\n\s+actual:\s+tensor\(3\./.test(e.message),
  );
  await doc.throws(
    "a.md:3",
    "add",
    async () => ones([2]).add(ones([3])),
    "ShapeError: add: cannot broadcast",
  );
  await assert.rejects(
    doc.throws("a.md:4", "ok", async () => 1, "ShapeError"),
    /a\.md:4: ok\n.*did not throw/s,
  );
  await assert.rejects(
    doc.throws(
      "a.md:5",
      "t",
      async () => {
        throw new ShapeError("mul: other");
      },
      "ShapeError: add:",
    ),
    /threw:\s+ShapeError: mul: other/,
  );
});
