/**
 * @file The `diagonal` rules of the primitive declarations (vmap of a Jacobian's identity seed
 * kept as its diagonal) are the ones the Jacobians use: each rule is watched while Jacobians that
 * reach it run, and must have answered with a structured result (not null, which would silently
 * materialise the n x n seed). Their values are checked against loops of jvp in vmap.test.ts.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DiagonalBatch } from "../../src/core/primitive.js";
import * as ad from "../../src/index.js";
import { BUILTIN_PRIMITIVES } from "../../src/primitives/all.js";

type Rule = (
  batch: DiagonalBatch,
  inputs: readonly ad.Tensor[],
  params: unknown,
) => ad.Tensor | null;

/** Runs `body` with every diagonal rule watched; returns the names of those that answered. */
function answered(body: () => void): Set<string> {
  const hits = new Set<string>();
  const restore: (() => void)[] = [];
  for (const [name, prim] of Object.entries(BUILTIN_PRIMITIVES)) {
    const holder = prim as { diagonal?: Rule };
    const rule = holder.diagonal;
    if (rule === undefined) continue;
    holder.diagonal = (batch, inputs, params) => {
      const out = rule.call(prim, batch, inputs, params);
      if (out !== null) hits.add(name);
      return out;
    };
    restore.push(() => {
      holder.diagonal = rule;
    });
  }
  try {
    body();
  } finally {
    for (const r of restore) r();
  }
  return hits;
}

const f64 = (data: ad.TensorLike) => ad.tensor(data, { dtype: "float64" });

test("the Jacobians' identity seed stays diagonal through each declared diagonal rule", () => {
  const w = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const c = f64([0.5, -2, 3]);
  const x = f64([0.3, -0.7, 1.1]);
  const cases: [string, (x: ad.Tensor) => ad.Tensor][] = [
    ["neg", (x) => ad.exp(ad.neg(x))],
    ["mul", (x) => ad.sin(ad.mul(c, ad.mul(x, 2)))],
    ["div", (x) => ad.cos(ad.div(x, c))],
    ["reshape", (x) => ad.tanh(ad.reshape(x, [3, 1]))],
    ["convert_element_type", (x) => ad.exp(ad.astype(x, "float32"))],
    ["reduce_sum", (x) => ad.mul(ad.sum(x), c)],
    ["matmul", (x) => ad.matmul(w, ad.reshape(x, [3, 1]))],
  ];
  for (const [name, f] of cases) {
    for (const jac of [ad.jacfwd, ad.jacrev]) {
      const hits = answered(() => jac(f)(x));
      assert.ok(hits.has(name), `${name}: its diagonal rule was not used (got ${[...hits]})`);
    }
  }
  // A row vector times a matrix takes the other branch of matmul's rule.
  const hits = answered(() =>
    ad.jacfwd((x: ad.Tensor) => ad.matmul(ad.reshape(x, [1, 3]), w.T))(x),
  );
  assert.ok(hits.has("matmul"));
});

test("every primitive with a diagonal rule is one whose result stays diagonal", () => {
  const withRule = Object.entries(BUILTIN_PRIMITIVES)
    .filter(([, p]) => (p as { diagonal?: Rule }).diagonal !== undefined)
    .map(([n]) => n)
    .sort();
  assert.deepEqual(withRule, [
    "convert_element_type",
    "div",
    "matmul",
    "mul",
    "neg",
    "reduce_sum",
    "reshape",
  ]);
});
