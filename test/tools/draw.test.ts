/**
 * @file The drawing tools in Node: toDot and toMermaid text (node kinds, values and adjoints,
 * edge types, escaping, scope clusters, collapsing large scopes, runs for huge unscoped graphs,
 * references for long edges and shared constants, the notes that say so, option checks), and
 * toSvg through @viz-js/viz: real layouts, a module passed in, and the typed error when the
 * package cannot be loaded (a child process whose resolver hides it).
 */

// The package entry first: deep imports alone start the module graph in the middle of a cycle.
import "../../src/index.js";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ValueError } from "../../src/core/errors.js";
import * as ad from "../../src/index.js";
import {
  type DrawModel,
  type DrawNode,
  drawModelOf,
  MissingDependencyError,
  toDot,
  toMermaid,
  toSvg,
  type VizModule,
} from "../../src/tools/draw.js";

const f = (x: ad.Tensor, y: ad.Tensor) => x.mul(y).add(x.sin());
const small = () => drawModelOf(ad.makeGraph(f, ad.scalar(2), ad.scalar(3)));

/** The DOT statement of node `id` (its line). */
function dotNode(dot: string, id: string): string {
  const line = dot.split("\n").find((l) => l.trimStart().startsWith(`"${id}" [`));
  assert.ok(line !== undefined, `no node ${id} in\n${dot}`);
  return line;
}

/** A model of `n` op nodes in a chain inside `scope`, fed by input "in" and read by "out". */
function chainModel(n: number, scope: string): DrawModel {
  const node = (id: string, kind: DrawNode["kind"], s: string, isOutput = false): DrawNode => ({
    id,
    kind,
    op: kind === "op" ? "sin" : kind,
    shape: [2],
    dtype: "float32",
    scope: s,
    isOutput,
  });
  const nodes = [node("in", "input", "")];
  const edges = [];
  let prev = "in";
  for (let i = 0; i < n; i++) {
    nodes.push(node(`s${i}`, "op", scope));
    edges.push({ from: prev, to: `s${i}`, input: 0, shape: [2], dtype: "float32" as const });
    prev = `s${i}`;
  }
  nodes.push(node("out", "op", "", true));
  edges.push({ from: prev, to: "out", input: 0, shape: [2], dtype: "float32" as const });
  return { nodes, edges };
}

test("toDot: node kinds, types on edges, output marked, deterministic", () => {
  const dot = toDot(small());
  assert.equal(toDot(small()), dot);
  assert.match(dot, /^digraph adjoint \{/);
  assert.match(dotNode(dot, "a"), /fillcolor="#dbeafe".*<b>input<\/b>.*f32\[\]/);
  assert.match(dotNode(dot, "c"), /<b>mul<\/b>/);
  assert.doesNotMatch(dotNode(dot, "c"), /peripheries/);
  assert.match(dotNode(dot, "e"), /peripheries=2.*<b>add<\/b>.*output/);
  assert.match(dot, /"a" -> "c" \[label=" f32\[\] "\];/);
  assert.match(dot, /"d" -> "e" \[label=" f32\[\] "\];/);
  // The legend names the kinds present (no constants here).
  assert.match(dot, /<b>input<\/b><\/font> \(blue\)/);
  assert.doesNotMatch(dot, /<b>const<\/b>/);
  assert.doesNotMatch(toDot(small(), { legend: false }), /\(blue\)/);
  assert.match(toDot(small(), { direction: "LR" }), /rankdir=LR/);
});

test("values and adjoints: value lines, dF/dv lines in the adjoint colour, legend", () => {
  const g = ad.makeGraph(f, ad.scalar(2), ad.scalar(3));
  const model = drawModelOf(
    g,
    new Map([
      [g.inputs[0]!, "2"],
      [g.outputs[0]!, "f32[3] min=0 mean=1 max=2"],
    ]),
    new Map([[g.inputs[0]!, "2.5838532"]]),
  );
  const dot = toDot(model);
  assert.match(dotNode(dot, "a"), /<font color="#1e3a8a">= 2<\/font>/);
  assert.match(dotNode(dot, "a"), /<font color="#c2410c">dF\/da = 2\.5838532<\/font>/);
  assert.match(dotNode(dot, "e"), /min=0 mean=1 max=2/);
  assert.doesNotMatch(dotNode(dot, "c"), /dF\/dc/);
  assert.match(dot, /dF\/dv<\/font>: adjoint/);
  const mmd = toMermaid(model);
  assert.match(mmd, /dF\/da = 2\.5838532/);
  assert.match(mmd, /color:rgb\(194,65,12\)'>dF\/da/);
});

test("escaping: quotes, backslashes, <, >, &, # and newlines in ids and labels", async () => {
  const nasty = 'a"b\\c<d>&e#f\ng';
  const model: DrawModel = {
    nodes: [
      {
        id: nasty,
        kind: "input",
        op: "input",
        shape: [],
        dtype: "float32",
        scope: 'sc"o<pe>',
        isOutput: false,
        value: '"1" <2> & \\3',
      },
      {
        id: "z",
        kind: "op",
        op: "my<op>",
        shape: [],
        dtype: "float32",
        scope: "",
        isOutput: true,
        adjoint: "#1;",
      },
    ],
    edges: [{ from: nasty, to: "z", input: 0, shape: [], dtype: "float32" }],
  };
  const dot = toDot(model);
  assert.ok(dot.includes('"a\\"b\\\\c<d>&e#f\\ng" ['), dot);
  assert.ok(dot.includes("&quot;1&quot; &lt;2&gt; &amp; \\3"));
  assert.ok(dot.includes("<b>my&lt;op&gt;</b>"));
  assert.ok(dot.includes("<b>sc&quot;o&lt;pe&gt;</b>"));
  // Graphviz accepts it and the SVG shows the original text (XML-escaped).
  const svg = await toSvg(model);
  assert.ok(svg.includes("&quot;1&quot; &lt;2&gt; &amp; \\3") || svg.includes('"1" &lt;2&gt;'));
  assert.ok(svg.includes("my&lt;op&gt;"));
  const mmd = toMermaid(model);
  assert.ok(mmd.includes("#quot;1#quot; #lt;2#gt; #amp; \\3"), mmd);
  assert.ok(mmd.includes("my#lt;op#gt;"));
  assert.ok(mmd.includes("dF/dz = #35;1;"));
  assert.ok(mmd.includes('subgraph s0["sc#quot;o#lt;pe#gt;"]'));
  // Every quoted Mermaid label is one string: no raw quote inside.
  for (const line of mmd.split("\n")) {
    const m = /\["(.*)"\]|\("(.*)"\)|\(\["(.*)"\]\)/.exec(line);
    const inner = m?.[1] ?? m?.[2] ?? m?.[3];
    if (inner !== undefined) assert.ok(!inner.includes('"'), line);
  }
});

test("named scopes: nested clusters in DOT, nested subgraphs in Mermaid", () => {
  const fn = (x: ad.Tensor) =>
    ad.namedScope("model", () => {
      const h = ad.namedScope("layer1", () => ad.tanh(x.mul(2)));
      return ad.namedScope("layer2", () => h.sin()).sum();
    });
  const model = drawModelOf(ad.makeGraph(fn, ad.ones([3])));
  const dot = toDot(model);
  const lines = dot.split("\n");
  const open = (label: string) => lines.findIndex((l) => l.includes(`label=<<b>${label}</b>>`));
  assert.ok(open("model") >= 0 && open("model/layer1") > open("model"));
  assert.match(lines[open("model/layer1")]!, /^ {6}graph/); // two levels of indentation
  assert.equal(lines.filter((l) => /subgraph cluster_\d+ \{/.test(l)).length, 3);
  const mmd = toMermaid(model);
  assert.match(mmd, /^ {2}subgraph s0\["model"\]$/m);
  assert.match(mmd, /^ {4}subgraph s1\["model\/layer1"\]$/m);
  assert.match(mmd, /^ {4}end$/m);
});

test("collapsing: a scope over collapseAbove is one node with its edges kept and a note", () => {
  const model = chainModel(57, "layer1");
  const dot = toDot(model);
  assert.match(
    dotNode(dot, "scope:layer1"),
    /shape=box3d.*<b>layer1<\/b>.*57 ops collapsed.*sin 57/,
  );
  assert.match(dot, /"in" -> "scope:layer1"/);
  assert.match(dot, /"scope:layer1" -> "out"/);
  assert.doesNotMatch(dot, /"s3"/);
  assert.match(dot, /Collapsed scope: layer1 \(57 nodes\)\. A scope showing more than 40 nodes/);
  const mmd = toMermaid(model);
  assert.match(mmd, /n1\[\["<b>layer1<\/b>.*57 ops collapsed/);
  assert.match(mmd, /note0\["Collapsed scope: layer1 \(57 nodes\)/);
  // Under the limit, or with collapseAbove raised, everything is drawn.
  assert.doesNotMatch(toDot(chainModel(40, "layer1")), /collapsed/);
  const full = toDot(model, { collapseAbove: Number.POSITIVE_INFINITY });
  assert.match(full, /"s56" \[/);
  assert.doesNotMatch(full, /Collapsed/);
});

test("collapsing nested scopes: oversized sub-scopes first, the parent when still too big", () => {
  const fn = (x: ad.Tensor) =>
    ad.namedScope("net", () => {
      let h = x;
      h = ad.namedScope("big", () => {
        for (let i = 0; i < 45; i++) h = h.sin();
        return h;
      });
      return ad.namedScope("small", () => h.mul(2).add(1)).sum();
    });
  const model = drawModelOf(ad.makeGraph(fn, ad.ones([2])));
  const dot = toDot(model);
  assert.match(dot, /"scope:net\/big" \[shape=box3d/);
  assert.match(dot, /label=<<b>net\/small<\/b>>/); // still expanded
  assert.match(dot, /Collapsed scope: net\/big \(45 nodes\)/);
  const tight = toDot(model, { collapseAbove: 3 });
  assert.match(tight, /"scope:net" \[shape=box3d/);
  assert.doesNotMatch(tight, /scope:net\/big/);
});

test("huge unscoped graphs: operations merged into runs, inputs and outputs kept, a note", () => {
  let steps = 100;
  const fn = (x: ad.Tensor, y: ad.Tensor) => {
    let z = x;
    while (steps-- > 0) z = ad.sin(z).mul(y).add(z);
    return z.sum();
  };
  const model = drawModelOf(ad.makeGraph(fn, ad.ones([3]), ad.ones([3])));
  assert.ok(model.nodes.length > 300);
  const dot = toDot(model, { maxNodes: 50 });
  const runs = dot.split("\n").filter((l) => /^ {2}"run:\d+" \[/.test(l));
  assert.ok(runs.length >= 30 && runs.length <= 48, `${runs.length} runs`);
  assert.match(runs[0]!, /<b>c \.\.\. [a-z]+<\/b>.*\d+ ops merged.*sin \d+, add \d+, mul \d+/);
  assert.match(dotNode(dot, "a"), /input/);
  assert.match(dot, /peripheries=2.*reduce_sum/);
  assert.match(dot, /300 unscoped operations merged into \d+ runs of up to \d+ consecutive/);
  // The default limit (200) leaves a 300-node graph merged too, and Infinity draws it all.
  assert.match(toDot(model), /"run:0"/);
  assert.doesNotMatch(toDot(model, { maxNodes: Number.POSITIVE_INFINITY }), /run:/);
});

test("many small scopes over maxNodes: the largest are collapsed until the drawing fits", () => {
  const fn = (x: ad.Tensor) => {
    let h = x;
    for (let i = 0; i < 30; i++) {
      h = ad.namedScope(`layer${i}`, () => {
        let z = h;
        for (let j = 0; j < 5 + (i % 3); j++) z = z.sin();
        return z;
      });
    }
    return h.sum();
  };
  const model = drawModelOf(ad.makeGraph(fn, ad.ones([2])));
  const dot = toDot(model, { maxNodes: 100 });
  const collapsed = dot.split("\n").filter((l) => /^ {2}"scope:layer\d+" \[/.test(l));
  assert.ok(collapsed.length > 5 && collapsed.length < 30, `${collapsed.length} collapsed`);
  // The 7-op layers (i % 3 === 2) go first, then 6-op ones; no 5-op layer is needed.
  const sizes = collapsed.map((l) => Number(/(\d+) ops collapsed/.exec(l)![1]));
  assert.equal(sizes.filter((n) => n === 7).length, 10);
  assert.equal(sizes.filter((n) => n === 5).length, 0);
  assert.match(
    dot,
    /To stay near maxNodes = 100, the largest scopes were collapsed too: layer2 \(7 nodes\)/,
  );
  assert.doesNotMatch(dot, /A scope showing more than/);
  assert.doesNotMatch(toDot(model), /scope:/); // 190 nodes: under the default 200
});

test("long edges and shared constants are drawn as references next to their use", () => {
  let steps = 20;
  const fn = (x: ad.Tensor, y: ad.Tensor) => {
    let z = x;
    while (steps-- > 0) z = ad.sin(z).mul(y).add(0.5);
    return z.sum();
  };
  const model = drawModelOf(ad.makeGraph(fn, ad.ones([3]), ad.ones([3])));
  const dot = toDot(model);
  const refs = dot.split("\n").filter((l) => /"ref:\d+" \[/.test(l));
  // y feeds all 20 muls: those more than 8 levels below its first use become references;
  // the literal 0.5 is shared by the 20 adds: every use is a reference and the node is gone.
  assert.ok(refs.filter((l) => l.includes("<i>input b</i>")).length > 5);
  assert.equal(refs.filter((l) => /<i>const 0\.5<\/i>/.test(l)).length, 20);
  assert.match(dot, /\d+ long edges are drawn as a dashed reference/);
  const full = toDot(model, { maxEdgeSpan: Number.POSITIVE_INFINITY });
  assert.doesNotMatch(full, /ref:/);
  assert.match(toMermaid(model), /n\d+>"<i>input b<\/i>"\]:::stub/);
});

test("options are checked: unknown keys, bad limits, direction", () => {
  const m = small();
  assert.throws(
    () => toDot(m, { colapseAbove: 3 } as never),
    (e: Error) => {
      assert.ok(e instanceof ValueError);
      assert.match(
        e.message,
        /^toDot: unknown option "colapseAbove".*did you mean "collapseAbove"/,
      );
      return true;
    },
  );
  assert.throws(() => toMermaid(m, { maxNodes: 0 }), /toMermaid: options.maxNodes must be/);
  assert.throws(() => toDot(m, { collapseAbove: 2.5 }), /options.collapseAbove must be/);
  assert.throws(() => toDot(m, { direction: "BT" as "TB" }), /options.direction must be/);
  assert.throws(() => toDot(m, { title: 3 as unknown as string }), /options.title must be/);
  const broken: DrawModel = { nodes: m.nodes, edges: [{ ...m.edges[0]!, to: "nope" }] };
  assert.throws(() => toDot(broken), /draw: edge "a" -> "nope" names a node that is not/);
});

test("toSvg lays out with Graphviz in WebAssembly (Node), titles and collapsed graphs too", async () => {
  const svg = await toSvg(small(), { title: "x*y + sin(x)" });
  assert.match(svg, /^<\?xml/);
  assert.match(svg, /<svg width="\d+pt" height="\d+pt"/);
  for (const text of [">mul<", ">sin<", ">add<", ">f32[]<", "x*y + sin(x)"]) {
    assert.ok(svg.includes(text), text);
  }
  // Every kind of drawn item renders (valid DOT): collapsed scopes, runs, references.
  await toSvg(chainModel(57, "layer1"));
  let steps = 60;
  const fn = (x: ad.Tensor, y: ad.Tensor) => {
    let z = x;
    while (steps-- > 0) z = ad.sin(z).mul(y).add(0.5);
    return z.sum();
  };
  const big = drawModelOf(ad.makeGraph(fn, ad.ones([3]), ad.ones([3])));
  assert.match(await toSvg(big, { maxNodes: 40 }), /ops merged/);
  await assert.rejects(toSvg(small(), { maxNodes: -1 }), /toSvg: options.maxNodes/);
  await assert.rejects(
    toSvg(small(), { viz: {} as VizModule }),
    /toSvg: options.viz must be the @viz-js\/viz module/,
  );
});

test("toSvg uses a module passed in (bundled apps) and reports Graphviz failures", async () => {
  let seen = "";
  const fake: VizModule = {
    instance: async () => ({
      renderString(input: string, options?: { format?: string; engine?: string }) {
        seen = input;
        assert.deepEqual(options, { format: "svg", engine: "dot" });
        return "<svg>fake</svg>";
      },
    }),
  };
  assert.equal(await toSvg(small(), { viz: fake }), "<svg>fake</svg>");
  assert.equal(seen, toDot(small()));
  const failing: VizModule = {
    instance: async () => ({
      renderString() {
        throw new Error("syntax error in line 1");
      },
    }),
  };
  await assert.rejects(toSvg(small(), { viz: failing }), (e: Error) => {
    assert.ok(e instanceof ValueError);
    assert.equal(
      e.message,
      "toSvg: Graphviz could not lay out the drawing: syntax error in line 1",
    );
    return true;
  });
});

test("toSvg without @viz-js/viz: a MissingDependencyError saying what to install", () => {
  const dir = mkdtempSync(join(tmpdir(), "adjoint-draw-"));
  try {
    // A resolver hook that hides the package, as on a machine where it is not installed.
    const hook = join(dir, "hide-viz.mjs");
    writeFileSync(
      hook,
      `import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  if (specifier === "@viz-js/viz") {
    const e = new Error("Cannot find package '@viz-js/viz'");
    e.code = "ERR_MODULE_NOT_FOUND";
    throw e;
  }
  return next(specifier, context);
}\`));
`,
    );
    const draw = fileURLToPath(new URL("../../src/tools/draw.ts", import.meta.url));
    const index = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
    const script = join(dir, "run.mts");
    writeFileSync(
      script,
      `import ${JSON.stringify(index)};
import { drawModelOf, toSvg, MissingDependencyError } from ${JSON.stringify(draw)};
import * as ad from ${JSON.stringify(index)};
const model = drawModelOf(ad.makeGraph((x) => x.sin(), ad.ones([2])));
for (let i = 0; i < 2; i++) {
  try {
    await toSvg(model);
    console.log("no error");
  } catch (e) {
    console.log(JSON.stringify([e instanceof MissingDependencyError, e instanceof ad.AdjointError, e.name, e.message]));
  }
}
`,
    );
    const out = execFileSync(process.execPath, ["--import", "tsx", "--import", hook, script], {
      encoding: "utf8",
    });
    const lines = out.trim().split("\n");
    assert.equal(lines.length, 2, out); // a failed load is not cached: the second call retries
    for (const line of lines) {
      const [isMissing, isAdjoint, name, message] = JSON.parse(line) as [
        boolean,
        boolean,
        string,
        string,
      ];
      assert.ok(isMissing && isAdjoint);
      assert.equal(name, "MissingDependencyError");
      assert.match(message, /^toSvg: needs the optional package @viz-js\/viz/);
      assert.match(message, /Install it with `npm install @viz-js\/viz`/);
      assert.match(message, /toSvg\(model, \{ viz: await import\("@viz-js\/viz"\) \}\)/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MissingDependencyError is an AdjointError", () => {
  const e = new MissingDependencyError("x");
  assert.ok(e instanceof ad.AdjointError);
  assert.equal(e.name, "MissingDependencyError");
});
