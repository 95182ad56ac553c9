/**
 * @file explain: the worked example reproduces docs/how-it-works.md's three tables line for line
 * (read from the page, so a change of either side fails); contributions are the rules' computed
 * values (a ct other than 1, an input used twice, broadcasting); vector functions get summaries;
 * int/bool nodes and unreached nodes; the three renderings; parameter names; typed errors.
 */

import "../../src/index.js";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, test } from "node:test";
import { DTypeError, ShapeError, ValueError } from "../../src/core/errors.js";
import * as ad from "../../src/index.js";
import { parameterNames } from "../../src/tools/explain.js";

let previous: "float32" | "float64";
beforeEach(() => {
  previous = ad.getDefaultFloat();
  ad.setDefaultFloat("float64");
});
afterEach(() => ad.setDefaultFloat(previous));

const PAGE = readFileSync(new URL("../../docs/how-it-works.md", import.meta.url), "utf8");

/** The Markdown table whose header line starts with `header`: its lines, header included. */
function tableAt(text: string, header: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `no table starting with ${header}`);
  const table: string[] = [];
  for (let i = start; i < lines.length && lines[i]!.startsWith("|"); i++) table.push(lines[i]!);
  return table;
}

const worked = (x: ad.Tensor, y: ad.Tensor) => x.mul(y).add(x.sin());

test("the worked example reproduces docs/how-it-works.md's forward, backward and adjoint tables exactly", () => {
  const md = ad.explain(worked, ad.scalar(2), ad.scalar(3)).toMarkdown();
  for (const header of ["| slot | primitive |", "| step | node |", "| slot | node | adjoint"]) {
    const page = tableAt(PAGE, header);
    assert.ok(page.length >= 5, header);
    assert.deepEqual(tableAt(md, header), page, header);
  }
});

test("the worked example's cells, and the tables' values are grad's", () => {
  const e = ad.explain(worked, ad.scalar(2), ad.scalar(3));
  assert.deepEqual(e.forward.rows[3], ["3", "`sin`", "0", "0.9092974268256817"]);
  const [dx, dy] = ad.grad(worked, { argnums: [0, 1] })(ad.scalar(2), ad.scalar(3));
  assert.equal(e.adjoints.rows.at(-1)![2], String(dx.item()));
  assert.equal(e.adjoints.rows.at(-2)![2], String(dy.item()));
  assert.equal(e.traced.nodes[0]!.adjoint!.item(), dx.item());
});

test("contributions are computed by the rules: a ct other than 1, an input used twice", () => {
  const f = (x: ad.Tensor) => x.sin().mul(x).mul(3);
  // (The point is not named x: a bundler would rename the parameter x that it shadows.)
  const at = 0.5;
  const e = ad.explain(f, ad.scalar(at));
  const rows = e.backward.rows;
  // Forward: 0 x, 1 sin, 2 mul(1, 0), 3 mul(2, const 3).
  assert.deepEqual(
    e.forward.rows.map((r) => r[2]),
    ["", "0", "1, 0", "2, const 3"],
  );
  assert.deepEqual(rows[1], [
    "1",
    "3 `mul`",
    "1",
    "gx = ct * y, gy = ct * x",
    "slot 2 += 1 * 3",
    "-, -, 3, released",
  ]);
  // ct = 3 at slot 2: x receives ct * sin x, sin x receives ct * x.
  const sinx = Math.sin(at);
  assert.deepEqual(rows[2]!.slice(0, 5), [
    "2",
    "2 `mul`",
    "3",
    "gx = ct * y, gy = ct * x",
    `slot 1 += 3 * 0.5 = 1.5; slot 0 += 3 * ${sinx} = ${3 * sinx}`,
  ]);
  assert.deepEqual(rows[3]!.slice(2, 5), [
    "1.5",
    "gx = ct * cos(x)",
    `slot 0 += 1.5 * cos 0.5 = ${1.5 * Math.cos(at)}`,
  ]);
  const grad = ad.grad(f)(ad.scalar(at)).item();
  assert.equal(rows[4]![5], String(grad));
  assert.equal(grad, 3 * sinx + 1.5 * Math.cos(at));
  assert.deepEqual(
    e.adjoints.rows.map((r) => r[1]),
    ["`mul` (the output F)", "`sin(x) * x`", "`sin(x)`", "x"],
  );
});

test("vector functions: summaries, broadcasting undone, the changed adjoints listed", () => {
  const f = (x: ad.Tensor, b: ad.Tensor) => x.add(b).exp().sum();
  const at = ad.tensor([0, 1, 2]);
  const e = ad.explain(f, at, ad.scalar(0));
  assert.deepEqual(e.forward.rows[0], ["0", "leaf (x)", "", "f64[3] min=0 mean=1 max=2"]);
  assert.equal(e.backward.header[5], "adjoints changed by the step");
  const addRow = e.backward.rows.find((r) => r[1] === "2 `add`")!;
  const total = Math.exp(0) + Math.exp(1) + Math.exp(2);
  assert.equal(
    addRow[4],
    `slot 0 += ct = f64[3] min=1 mean=${Number((total / 3).toPrecision(6))} max=${Number(Math.exp(2).toPrecision(6))}; slot 1 += ct summed over the broadcast axes = ${total}`,
  );
  const [gx, gb] = ad.grad(f, { argnums: [0, 1] })(at, ad.scalar(0));
  assert.equal(e.adjoints.rows.at(-2)![2], String(gb.item()));
  assert.equal(e.traced.nodes[0]!.adjoint!.dataSync().join(), gx.dataSync().join());
  assert.deepEqual(e.backward.rows.at(-1)!.slice(0, 2), ["4, 5", "1, 0 leaves"]);
});

test("bool nodes and nodes the output does not depend on get a row without a rule", () => {
  const f = (x: ad.Tensor) => {
    x.cos(); // staged, but F does not depend on it
    return ad.where(ad.greater(x, 0), x, 0).sum();
  };
  const e = ad.explain(f, ad.tensor([-1, 2]));
  const rules = e.backward.rows.map((r) => `${r[1]}: ${r[3]}`);
  assert.ok(rules.includes("1 `cos`: (skipped: no adjoint reaches it)"), rules.join("\n"));
  assert.ok(
    rules.includes("2 `greater`: (none: a bool output has no derivative)"),
    rules.join("\n"),
  );
  assert.equal(e.adjoints.rows.find((r) => r[0] === "1")![2], "-");
});

test("toString aligns columns without backticks; toHTML escapes and marks code; the fallback rule", () => {
  const e = ad.explain((x: ad.Tensor) => ad.atan2(x, ad.scalar(2)), ad.scalar(1));
  const text = e.toString();
  assert.ok(!text.includes("`"));
  const forward = text.split("\n\n")[0]!.split("\n");
  assert.equal(forward[0], "Forward pass");
  // Right-aligned value column: every row ends at the same column.
  const ends = forward.slice(1).map((l) => l.length);
  assert.ok(
    ends.every((n) => n === ends[0]),
    forward.join("\n"),
  );
  assert.match(text, /the VJP of atan2/);
  const html = e.toHTML();
  assert.match(html, /^<section class="adjoint-explain">/);
  assert.match(html, /<td>1 <code>atan2<\/code><\/td>/);
  assert.match(html, /<th style="text-align:right">its adjoint <code>ct<\/code><\/th>/);
  const lt = ad.explain((x: ad.Tensor) => ad.minimum(x, 1), ad.scalar(0)).toHTML();
  assert.match(lt, /<td>gx = ct where x &lt; y, gy = ct where y &lt; x/);
});

test("named scopes show in the forward table; one slot is slot 0", () => {
  const e = ad.explain(
    (x: ad.Tensor) => ad.namedScope("layer1", () => x.mul(x)).sin(),
    ad.scalar(2),
  );
  assert.deepEqual(
    e.forward.rows.map((r) => r[1]),
    ["leaf (x)", "`mul` (scope layer1)", "`sin`"],
  );
  assert.equal(
    ad.explain((x: ad.Tensor) => x, ad.scalar(2)).backward.header[5],
    "adjoints after the step (slot 0)",
  );
});

test("inputs are named after the parameters when the source lists them plainly", () => {
  assert.deepEqual(
    parameterNames((a: number, b: number) => a + b),
    ["a", "b"],
  );
  assert.deepEqual(
    parameterNames((w: number) => w),
    ["w"],
  );
  assert.deepEqual(
    parameterNames(async (p: number) => p),
    ["p"],
  );
  assert.deepEqual(
    parameterNames(function named(u: number, v = 2) {
      return u + v;
    }),
    ["u", undefined],
  );
  assert.deepEqual(
    parameterNames(({ a }: { a: number }) => a),
    [undefined],
  );
  const e = ad.explain(
    (p: { w: ad.Tensor }, bias: ad.Tensor) => p.w.mul(bias),
    { w: ad.scalar(2) },
    ad.scalar(3),
  );
  assert.deepEqual(
    e.forward.rows.slice(0, 2).map((r) => r[1]),
    ["leaf (a)", "leaf (bias)"],
  );
});

test("typed errors: not a function, a result that is not a size-1 float", () => {
  assert.throws(
    () => ad.explain("f" as never),
    (e) => e instanceof ValueError && e.message === 'explain: f must be a function; got string "f"',
  );
  assert.throws(
    () => ad.explain((x: ad.Tensor) => x.sin(), ad.tensor([1, 2])),
    (e) => e instanceof ShapeError && e.message.startsWith("explain requires a scalar output"),
  );
  assert.throws(
    () => ad.explain((x: ad.Tensor) => ad.argmax(x), ad.tensor([1, 2])),
    (e) => e instanceof DTypeError && /explain requires a float output/.test(e.message),
  );
});
