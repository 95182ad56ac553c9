/**
 * @file onnx.save's models on onnxruntime-web (WebAssembly, one thread) in Node: the programs of
 * export-programs.ts (f, grad, jacfwd, hessian in float64, an Adam training step) give adjoint's
 * outputs. The Chromium test (export-web-browser.test.ts) runs the same programs in a page.
 */

import { test } from "node:test";
import * as ortWeb from "onnxruntime-web";
import * as ad from "../../src/index.js";
import { caseIO, exportCases } from "./export-programs.js";
import { assertClose, runOnnx } from "./export-run.js";

ortWeb.env.wasm.numThreads = 1;

test("onnx.save: f, grad, jacfwd, hessian and an Adam step run on onnxruntime-web (Node, wasm) like adjoint", async () => {
  for (const c of exportCases()) {
    const bytes = await ad.onnx.save(c.fn, c.args);
    const { inputs, expected } = caseIO(c);
    const session =
      expected[0]!.dtype === "float64" ? { graphOptimizationLevel: "basic" } : undefined;
    const got = await runOnnx(bytes, inputs, ortWeb, session);
    expected.forEach((e, i) => {
      assertClose(got[i]!, e, `${c.name} output ${i}`, e.dtype === "float32" ? 1e-4 : undefined);
    });
  }
});
