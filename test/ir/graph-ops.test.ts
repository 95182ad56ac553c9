/**
 * @file The graph IR over the whole op-spec table: for every op and shape group, the staged
 * graph's `call` equals the op bit for bit, the JSON round trip gives the same graph (same JSON,
 * same listing, same values), and the gradient through `graph.call` equals the op's gradient bit
 * for bit. An op marked `unstageable` (its result's shape or algorithm depends on argument
 * values) must make staging throw a TracerError instead.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertSameBits as same } from "../harness/same-bits.js";
import { makeInputs, type OpSpec } from "../harness/spec.js";
import { specs } from "../op-specs/index.js";

function graphTests(spec: OpSpec): void {
  spec.shapes.forEach((shapes) => {
    const label = `${spec.name} [${shapes.map((s) => `[${s.join(",")}]`).join(" ")}]`;
    test(`${label}: makeGraph(f).call = f, JSON round trip, grad through call = grad(f)`, () => {
      const args = makeInputs(spec, shapes, "float64").map((x) => x.t);
      if (spec.unstageable !== undefined) {
        const prefix = spec.unstageable;
        assert.throws(
          () => ad.makeGraph(spec.fn, ...args),
          (e: unknown) => e instanceof ad.TracerError && e.message.startsWith(prefix),
        );
        return;
      }
      const g = ad.makeGraph(spec.fn, ...args);
      const want = spec.fn(...args);
      same(g.call(...args), want, `${spec.name} call`);

      const text = JSON.stringify(g);
      const back = ad.Graph.fromJSON(text);
      assert.equal(JSON.stringify(back), text, `${spec.name}: JSON round trip`);
      assert.equal(back.toString(), g.toString(), `${spec.name}: listing after the round trip`);
      same(back.call(...args) as ad.Tensor, want, `${spec.name} call after the round trip`);

      if ((spec.order ?? 2) === 0) return;
      const k = [...shapes.keys()].find((i) => !spec.constArgs?.includes(i));
      if (k === undefined) return;
      // A fixed weighting makes any output a scalar loss.
      const w = ad.sin(ad.arange(want.size, { dtype: "float64" })).reshape(want.shape);
      const loss = (fn: (...xs: ad.Tensor[]) => ad.Tensor) => (xk: ad.Tensor) =>
        ad.sum(ad.mul(fn(...args.map((a, i) => (i === k ? xk : a))), w));
      same(
        ad.grad(loss((...xs) => g.call(...xs)))(args[k]!),
        ad.grad(loss(spec.fn))(args[k]!),
        `${spec.name} grad through graph.call`,
      );
    });
  });
}

for (const spec of specs) graphTests(spec);
