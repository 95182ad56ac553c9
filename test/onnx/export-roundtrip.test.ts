/**
 * @file The round trip `onnx.load(onnx.save(g))` over the op-spec table: for every op that
 * exports, in float32 and float64 and every shape group, the graph read back evaluates like
 * `g` (float32 to 1e-5, float64 to 1e-12; ints and bools exactly). Operators that onnx.save writes
 * but onnx.load does not read yet are listed below, per op: only those ops may be rejected by
 * load (the list may outlive a gap that load closes; every other op must round-trip).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { makeInputs } from "../harness/spec.js";
import { specs } from "../op-specs/index.js";
import { assertClose } from "./export-run.js";

/** Ops whose exported models use an operator onnx.load rejects (by op: the operator). */
const LOAD_GAPS: Readonly<Record<string, string>> = {};

const gapsSeen = new Map<string, string>();

for (const spec of specs) {
  if (spec.unstageable !== undefined) continue;
  test(`onnx.load(onnx.save(g)) ${spec.name}: evaluates like g`, async () => {
    const dtypes: ad.DType[] = spec.noFloat32 === true ? ["float64"] : ["float32", "float64"];
    for (const dtype of dtypes) {
      for (const shapes of spec.shapes) {
        const args = makeInputs(spec, shapes, dtype).map((x) => x.t);
        const label = `${spec.name} ${dtype} [${shapes.map((s) => `[${s.join(",")}]`).join(" ")}]`;
        const g = ad.makeGraph(spec.fn, ...args);
        let bytes: Uint8Array;
        try {
          bytes = await ad.onnx.save(g);
        } catch (e) {
          if (e instanceof ad.OnnxExportError) continue; // listed by export-ops.test.ts
          throw e;
        }
        let back: ad.Graph;
        try {
          back = await ad.onnx.load(bytes);
        } catch (e) {
          if (!(e instanceof ad.OnnxError) || e.unsupported.length === 0) throw e;
          gapsSeen.set(spec.name, [...new Set(e.unsupported.map((u) => u.op))].sort().join(", "));
          assert.ok(spec.name in LOAD_GAPS, `${label}: ${e.message}`);
          continue;
        }
        const got = back.call(...args);
        const leaf = (Array.isArray(got) ? got[0] : got) as ad.Tensor;
        assertClose(leaf, g.call(...args) as ad.Tensor, label);
      }
    }
  });
}

test("onnx.load(onnx.save(g)): load rejects only listed ops, for the listed operators", () => {
  for (const [name, ops] of gapsSeen) assert.equal(ops, LOAD_GAPS[name], name);
});
