/**
 * @file traceGraph: every node's value and, after backward(), its adjoint. The worked example of
 * docs/how-it-works.md against its closed forms; the inputs' adjoints against ad.grad bit for bit
 * (float64) on a set of functions; every node's adjoint against an independent computation (the
 * graph evaluated under ad.vjp with a zero added to each node's value: each zero's cotangent is
 * that node's adjoint); summaries; scopes; typed errors.
 */

import "../../src/index.js";
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { DTypeError, ShapeError, TracerError, ValueError } from "../../src/core/errors.js";
import { isMultiOutput } from "../../src/core/node.js";
import * as ad from "../../src/index.js";
import type { TracedGraph } from "../../src/tools/trace-graph.js";

let previous: "float32" | "float64";
beforeEach(() => {
  previous = ad.getDefaultFloat();
  ad.setDefaultFloat("float64");
});
afterEach(() => ad.setDefaultFloat(previous));

const worked = (x: ad.Tensor, y: ad.Tensor) => x.mul(y).add(x.sin());

test("the worked example: ids, ops, inputs, values, and the adjoints of docs/how-it-works.md", () => {
  const t = ad.traceGraph(worked, ad.scalar(2), ad.scalar(3));
  assert.equal(t.adjoints, null);
  const before = t.nodes;
  assert.deepEqual(
    before.map((n) => [n.id, n.kind, n.op, n.inputs.join(" "), n.summary, n.isOutput]),
    [
      ["a", "input", "input", "", "2", false],
      ["b", "input", "input", "", "3", false],
      ["c", "op", "mul", "a b", "6", false],
      ["d", "op", "sin", "a", "0.9092974268256817", false],
      ["e", "op", "add", "c d", "6.909297426825682", true],
    ],
  );
  assert.ok(before.every((n) => n.adjoint === undefined && n.adjointSummary === undefined));
  assert.equal(t.backward(), t);
  const adj = t.nodes.map((n) => n.adjoint!.item());
  assert.deepEqual(adj, [3 + Math.cos(2), 2, 1, 1, 1]);
  assert.deepEqual(
    t.nodes.map((n) => n.adjointSummary),
    ["2.5838531634528574", "2", "1", "1", "1"],
  );
  assert.equal(
    t.toString(),
    [
      "traced graph {",
      "  a: f64[] = input    value 2                   adjoint 2.5838531634528574",
      "  b: f64[] = input    value 3                   adjoint 2",
      "  c: f64[] = mul a b  value 6                   adjoint 1",
      "  d: f64[] = sin a    value 0.9092974268256817  adjoint 1",
      "  e: f64[] = add c d  value 6.909297426825682   adjoint 1",
      "  return e",
      "}",
    ].join("\n"),
  );
});

/**
 * Every node's adjoint computed independently: the graph evaluated under ad.vjp, each float
 * node's value plus a zero that is a vjp primal; the zeros' cotangents are the adjoints.
 */
function adjointsByZeros(t: TracedGraph): (Float64Array | null)[] {
  const g = t.graph;
  const floats = g.vars.map((a) => a.dtype === "float32" || a.dtype === "float64");
  const zeros = g.vars.map((a, id) => (floats[id] ? ad.zeros(a.shape, a.dtype) : ad.scalar(0)));
  const evaluate = (zs: ad.Tensor[]): ad.Tensor => {
    const env: ad.Tensor[] = [];
    const set = (id: number, v: ad.Tensor) => {
      env[id] = floats[id] ? ad.add(v, zs[id]!) : v;
    };
    for (const id of g.inputs) set(id, t.values[id]!);
    for (const c of g.consts) set(c.id, c.value);
    for (const eqn of g.eqns) {
      const ins = eqn.inputs.map((id) => env[id]!);
      if (isMultiOutput(eqn.primitive)) {
        const outs = ad.bindMulti(eqn.primitive, ins, eqn.params);
        for (let j = 0; j < outs.length; j++) set(eqn.outputs[j]!, outs[j]!);
      } else set(eqn.outputs[0]!, ad.bind(eqn.primitive, ins, eqn.params));
    }
    return env[g.outputs[0]!]!;
  };
  const [, pull] = ad.vjp(evaluate, zeros);
  const [cts] = pull(ad.scalar(1, g.vars[g.outputs[0]!]!.dtype)) as [ad.Tensor[]];
  return cts.map((ct, id) => (floats[id] ? Float64Array.from(ct.dataSync()) : null));
}

const CASES: [string, (...a: ad.Tensor[]) => ad.Tensor, ad.Tensor[]][] = [
  ["worked example", worked, [ad.scalar(2), ad.scalar(3)]],
  ["vector with constants", (x) => x.mul(2).add(1).sin().sum(), [ad.tensor([0.5, -1, 2])]],
  [
    "broadcasting and a shared value",
    (x, b) => {
      const h = x.add(b).tanh();
      return h.mul(h).mean();
    },
    [
      ad.tensor([
        [1, 2, 3],
        [-1, 0.5, 0.25],
      ]),
      ad.tensor([0.1, 0.2, -0.3]),
    ],
  ],
  [
    "matmul, softmax, log",
    (w, x) => ad.log(ad.softmax(ad.matmul(w, x))).sum(),
    [
      ad.tensor([
        [1, 2],
        [3, -1],
        [0.5, 0.5],
      ]),
      ad.tensor([0.3, -0.7]),
    ],
  ],
  [
    "where with a bool node",
    (x) => ad.where(ad.greater(x, 0), x.square(), x.neg()).sum(),
    [ad.tensor([-2, 1.5, 3])],
  ],
  [
    "a multi-output primitive (eigh)",
    (x) => {
      const [w, v] = ad.linalg.eigh(x.add(x.transpose()));
      return w
        .mul(ad.tensor([1, 2]))
        .sum()
        .add(v.sum().square());
    },
    [
      ad.tensor([
        [2, 1],
        [1, 3],
      ]),
    ],
  ],
  [
    "custom rules (pinv, a custom_call)",
    (x) => ad.linalg.pinv(x).sum(),
    [
      ad.tensor([
        [2, 1],
        [1, 3],
      ]),
    ],
  ],
  [
    "scan and checkpoint",
    (x) => {
      const step = (c: ad.Tensor, xi: ad.Tensor): [ad.Tensor, ad.Tensor] => [c.mul(xi).sin(), c];
      const [last] = ad.scan(step, ad.scalar(1), x);
      return ad.checkpoint((y: ad.Tensor) => y.exp())(last);
    },
    [ad.tensor([0.5, -1, 2, 0.25])],
  ],
  [
    "reductions and reshape",
    (x) => x.reshape([3, 2]).max({ axis: 0 }).prod(),
    [ad.tensor([1, 5, 3, 2, 4, 6])],
  ],
];

for (const [name, f, args] of CASES) {
  test(`adjoints: ${name}: inputs equal ad.grad, every node equals the zero-perturbation vjp`, () => {
    const t = ad.traceGraph(f, ...args).backward();
    const argnums = args.map((_, i) => i);
    const grads = ad.grad(f, { argnums })(...args) as ad.Tensor[];
    t.graph.inputs.forEach((id, i) => {
      assert.deepEqual(t.adjoints![id]!.dataSync(), grads[i]!.dataSync(), `input ${i}`);
    });
    const byZeros = adjointsByZeros(t);
    for (const node of t.nodes) {
      const want = byZeros[node.var];
      if (want === null || want === undefined) {
        assert.equal(node.adjoint, undefined, `${node.id} (${node.dtype}) has no adjoint`);
        continue;
      }
      const got =
        node.adjoint === undefined ? new Float64Array(want.length) : node.adjoint.dataSync();
      assert.deepEqual(Float64Array.from(got), want, `node ${node.id} (${node.op})`);
    }
    // The final values are the function's.
    const out = t.nodes.find((n) => n.isOutput)!;
    assert.equal(out.value.item(), f(...args).item());
  });
}

test("int and bool nodes carry values but no adjoint; the float nodes do", () => {
  const t = ad
    .traceGraph((x: ad.Tensor) => ad.where(ad.greater(x, 0), x, 0).sum(), ad.tensor([-1, 2, 3, 0]))
    .backward();
  const bool = t.nodes.find((n) => n.dtype === "bool")!;
  assert.equal(bool.op, "greater");
  assert.equal(bool.summary, "bool[4] 2 of 4 true");
  assert.equal(bool.adjoint, undefined);
  const x = t.nodes[0]!;
  assert.deepEqual(Array.from(x.adjoint!.dataSync()), [0, 1, 1, 0]);
  const i = ad.traceGraph((v: ad.Tensor) => ad.argmax(v), ad.tensor([1, 7, 3])).nodes;
  assert.deepEqual(
    i.map((n) => [n.op, n.dtype, n.summary]),
    [
      ["input", "float64", "f64[3] min=1 mean=3.66667 max=7"],
      ["argmax", "int32", "1"],
    ],
  );
});

test("summaries: size 1 as the number (float32 shortest), others shape and min/mean/max, NaN and Inf counted", () => {
  ad.setDefaultFloat("float32");
  const t = ad.traceGraph((x: ad.Tensor) => x.log().sum(), ad.tensor([0, 1, Math.E, -1, 10]));
  assert.deepEqual(
    t.nodes.map((n) => n.summary),
    [
      "f32[5] min=-1 mean=2.54366 max=10",
      "f32[5] min=0 mean=1.10086 max=2.30259 (1 NaN, 1 Inf)",
      "NaN",
    ],
  );
  assert.equal(
    ad.traceGraph((x: ad.Tensor) => x, ad.tensor([2.455712e-5, 1e-5])).nodes[0]!.summary,
    "f32[2] min=1e-5 mean=1.72786e-5 max=2.45571e-5",
  );
  const s = ad.traceGraph((x: ad.Tensor) => x.mul(3), ad.scalar(0.1)).nodes;
  assert.equal(s.at(-1)!.summary, "0.3"); // not 0.30000001192092896
  assert.equal(
    ad.traceGraph((x: ad.Tensor) => x, ad.zeros([0])).nodes[0]!.summary,
    "f32[0] (empty)",
  );
});

test("constants are nodes named as in the listing; scopes are kept; pytree arguments are inputs", () => {
  const w = ad.tensor([1, 2, 3]);
  const f = (p: { a: ad.Tensor; b: ad.Tensor }) =>
    ad
      .namedScope("layer1", () => p.a.mul(w).add(p.b))
      .mul(2)
      .sum();
  const t = ad.traceGraph(f, { a: ad.ones([3]), b: ad.scalar(0.5) });
  const listing = t.graph.toString();
  for (const n of t.nodes) {
    if (n.kind === "op") assert.match(listing, new RegExp(`\\b${n.id}: `), n.id);
  }
  assert.deepEqual(
    t.nodes.map((n) => [n.id, n.kind, n.op, n.inputs.join(" "), n.scope]),
    [
      ["a", "input", "input", "", ""],
      ["b", "input", "input", "", ""],
      ["c", "const", "const", "", ""],
      ["2.", "const", "const", "", ""],
      ["d", "op", "mul", "a c", "layer1"],
      ["e", "op", "add", "d b", "layer1"],
      ["f", "op", "mul", "e 2.", ""],
      ["g", "op", "reduce_sum", "f", ""],
    ],
  );
  t.backward();
  assert.deepEqual(Array.from(t.nodes[0]!.adjoint!.dataSync()), [2, 4, 6]);
  assert.equal(t.nodes[1]!.adjointSummary, "6");
  // A constant's adjoint too (dF/dw = 2 a).
  assert.deepEqual(Array.from(t.nodes[2]!.adjoint!.dataSync()), [2, 2, 2]);
});

test("typed errors: not a function, data-dependent branches, backward of a non-scalar result", () => {
  assert.throws(
    () => ad.traceGraph(3 as never),
    (e) => e instanceof ValueError && /traceGraph: f must be a function/.test(e.message),
  );
  assert.throws(
    () => ad.traceGraph((x: ad.Tensor) => (x.item() > 0 ? x : x.neg()), ad.scalar(1)),
    TracerError,
  );
  const vec = ad.traceGraph((x: ad.Tensor) => x.sin(), ad.tensor([1, 2]));
  assert.equal(vec.nodes.length, 2); // the forward values are there
  assert.throws(
    () => vec.backward(),
    (e) =>
      e instanceof ShapeError &&
      e.message.startsWith("traceGraph.backward requires a scalar output; got shape [2]"),
  );
  assert.throws(
    () => ad.traceGraph((x: ad.Tensor) => ad.argmax(x), ad.tensor([1, 2])).backward(),
    (e) => e instanceof DTypeError && /requires a float output; got dtype int32/.test(e.message),
  );
  assert.throws(
    () => ad.traceGraph((x: ad.Tensor) => [x.sum(), x.sum()], ad.tensor([1, 2])).backward(),
    (e) => e instanceof ValueError && /returned 2 leaves/.test(e.message),
  );
});

test("toDot, toMermaid and toSvg draw the nodes with their values, and adjoints after backward()", async () => {
  const t = ad.traceGraph(worked, ad.scalar(2), ad.scalar(3));
  assert.match(t.toDot(), /= 0\.909297</);
  assert.doesNotMatch(t.toDot(), /dF\/d/);
  t.backward();
  const dot = t.toDot();
  assert.match(dot, /^digraph /);
  assert.match(dot, /dF\/da = 2\.58385</);
  assert.match(t.toMermaid(), /^flowchart /);
  assert.match(t.toMermaid(), /dF\/db = 2/);
  const svg = await t.toSvg();
  assert.match(svg, /<svg[\s>]/);
  assert.match(svg, /2\.58385/);
});
