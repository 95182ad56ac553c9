/**
 * @file onnx.save over the whole op-spec table: for every op and shape group, in float32 and
 * float64, the staged graph is exported and run on onnxruntime-node, and its output equals
 * adjoint's (float32 to 1e-5, float64 to 1e-12, relative to the element plus the tensor's
 * scale; ints and bools exactly). The ops that cannot be exported are listed below with the
 * primitives that stop them (none today), and the list must match exactly: a new primitive
 * without an ONNX form fails here. Every built-in primitive is either exported by some spec or
 * listed as unsupported.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { UNSUPPORTED_PRIMITIVES } from "../../src/onnx/export-ops.js";
import { OnnxExportError, save } from "../../src/onnx/save.js";
import { BUILTIN_MULTI_PRIMITIVES, BUILTIN_PRIMITIVES } from "../../src/primitives/all.js";
import { makeInputs } from "../harness/spec.js";
import { specs } from "../op-specs/index.js";
import { assertClose, runOnnx } from "./export-run.js";

/**
 * Ops whose graphs use a primitive without an ONNX form (by op: the primitives). None today:
 * every built-in primitive exports (the factorizations unrolled for their static size).
 */
const EXPECTED_UNSUPPORTED: Readonly<Record<string, string>> = {};

/**
 * ONNX Runtime's extended graph optimisations fold a scalar factor next to a MatMul into a
 * float32 attribute (FusedMatMul's alpha), which costs float64 models their last digits; the
 * float64 checks run with the basic level (docs/onnx.md says so).
 */
const FLOAT64_SESSION = { graphOptimizationLevel: "basic" };

const unsupportedSeen = new Map<string, string>();
const exported = new Set<string>();

for (const spec of specs) {
  if (spec.unstageable !== undefined) continue;
  test(`onnx.save ${spec.name}: runs on onnxruntime-node like adjoint`, async () => {
    const dtypes: ad.DType[] = spec.noFloat32 === true ? ["float64"] : ["float32", "float64"];
    for (const dtype of dtypes) {
      for (const shapes of spec.shapes) {
        const args = makeInputs(spec, shapes, dtype).map((x) => x.t);
        const label = `${spec.name} ${dtype} [${shapes.map((s) => `[${s.join(",")}]`).join(" ")}]`;
        const g = ad.makeGraph(spec.fn, ...args);
        let bytes: Uint8Array;
        try {
          bytes = await save(g);
        } catch (e) {
          if (!(e instanceof OnnxExportError)) throw e;
          unsupportedSeen.set(spec.name, [...new Set(e.unsupported)].sort().join(", "));
          assert.ok(spec.name in EXPECTED_UNSUPPORTED, `${label}: ${e.message}`);
          continue;
        }
        for (const eqn of g.eqns) exported.add(eqn.primitive.name);
        const want = g.call(...args) as ad.Tensor;
        const session = dtype === "float64" ? FLOAT64_SESSION : undefined;
        const [got] = await runOnnx(bytes, args, undefined, session);
        assertClose(got!, want, label);
      }
    }
  });
}

test("onnx.save: the unsupported ops are exactly the expected ones, each for its primitives", () => {
  assert.deepEqual(
    Object.fromEntries([...unsupportedSeen].sort(([a], [b]) => (a < b ? -1 : 1))),
    Object.fromEntries(Object.entries(EXPECTED_UNSUPPORTED).sort(([a], [b]) => (a < b ? -1 : 1))),
  );
});

test("onnx.save: every built-in primitive is exported by some op or listed as unsupported", () => {
  const all = [...Object.keys(BUILTIN_PRIMITIVES), ...Object.keys(BUILTIN_MULTI_PRIMITIVES)];
  const missing = all.filter((p) => !exported.has(p) && !UNSUPPORTED_PRIMITIVES.includes(p));
  assert.deepEqual(missing.sort(), []);
  assert.deepEqual([...UNSUPPORTED_PRIMITIVES], []);
});
