/**
 * @file ONNX's backend test suite through `ad.onnx.load`: every node test, PyTorch-converted model,
 * PyTorch operator and simple model whose operators are supported must load and reproduce the
 * expected outputs (ONNX's tolerances: rtol 1e-3, atol 1e-7 for floats; ints and bools exactly).
 * A supported operator whose test fails is a failure here, never a skip; unsupported operators
 * and features are rejected by load with an OnnxError. The PyTorch-converted models that pass
 * also get their derivatives checked (checkGrads, order 1, the model loaded in float64).
 * Without the suite installed the file skips, except with ADJOINT_ONNX_TESTS=required (CI).
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as ad from "../../src/index.js";
import {
  runTest,
  type SuiteTest,
  suiteRoot,
  suiteTests,
  type TestResult,
} from "./backend-suite.js";

const root = suiteRoot();
const required = process.env.ADJOINT_ONNX_TESTS === "required";
const skip =
  root === undefined && !required
    ? "ONNX backend test suite (libonnx-testdata) not installed"
    : false;

describe("ONNX backend test suite", { skip }, () => {
  test("the suite is installed", () => {
    assert.ok(root !== undefined, "libonnx-testdata is missing (/usr/share/libonnx-testdata/data)");
  });

  let results: TestResult[] = [];

  test("every test with supported operators passes", async () => {
    assert.ok(root !== undefined);
    const tests = suiteTests(root);
    assert.ok(tests.length > 1000, `expected the whole suite; found ${tests.length} tests`);
    results = [];
    for (const t of tests) results.push(await runTest(t));
    const failures = results.filter((r) => r.status === "fail");
    assert.deepEqual(
      failures.map((r) => `${r.test.suite}/${r.test.name}: ${r.reason}`),
      [],
      "tests of supported operators that fail",
    );
    const passed = results.filter((r) => r.status === "pass").length;
    assert.ok(passed >= 800, `only ${passed} tests pass`);
  });

  test("unsupported models are rejected with the operators they miss", () => {
    for (const r of results.filter((x) => x.status === "unsupported")) {
      assert.ok(r.reason?.startsWith("onnx.load: "), `${r.test.name}: ${r.reason}`);
    }
  });

  test("PyTorch-converted models: gradients match finite differences (float64)", async () => {
    const converted = results.filter(
      (r) => r.test.suite === "pytorch-converted" && r.status === "pass",
    );
    assert.ok(converted.length >= 60, `only ${converted.length} converted models pass`);
    let checked = 0;
    for (const r of converted) {
      await checkModelGrads(r.test, r.inputs ?? []);
      checked++;
    }
    assert.equal(checked, converted.length);
  });
});

describe("a loaded convolution model is an ordinary Graph", { skip }, () => {
  test("jit, vmap, explain, drawing and JSON round trip agree with call", async () => {
    assert.ok(root !== undefined);
    const { readFileSync } = await import("node:fs");
    const bytes = readFileSync(`${root}/pytorch-converted/test_Conv2d_groups/model.onnx`);
    const g = await ad.onnx.load(bytes);
    const [shape] = g.inputs.map((id) => g.vars[id]!.shape);
    const x = ad.random.normal(shape!, { seed: 3 });
    const y = g.call(x) as ad.Tensor;
    const f = (t: ad.Tensor) => g.call(t) as ad.Tensor;
    assert.ok(ad.allclose(ad.jit(f)(x), y, { rtol: 1e-5, atol: 1e-6 }).item() === 1);
    const batched = ad.vmap(f)(ad.stack([x, x]));
    assert.ok(ad.allclose(batched, ad.stack([y, y]), { rtol: 1e-5, atol: 1e-6 }).item() === 1);
    assert.match(ad.explain((t: ad.Tensor) => ad.sum(f(t)), x).toString(), /matmul/);
    assert.match(ad.traceGraph(f, x).toDot(), /matmul/);
    const back = ad.Graph.fromJSON(JSON.parse(JSON.stringify(g)));
    assert.ok(ad.allclose(back.call(x) as ad.Tensor, y).item() === 1);
  });
});

/** checkGrads of sum(output * fixed weights) with respect to the float inputs and the weights. */
async function checkModelGrads(t: SuiteTest, inputs: readonly ad.Tensor[]): Promise<void> {
  const { readFileSync } = await import("node:fs");
  const bytes = readFileSync(`${t.dir}/model.onnx`);
  const g = await ad.onnx.load(bytes, { params: true, floatDType: "float64" });
  const params = await ad.onnx.initializers(bytes, { floatDType: "float64" });
  const xs = inputs.map((x) => (x.dtype === "float32" ? ad.astype(x, "float64") : x));
  const first = g.call(params, ...xs);
  const outs = Array.isArray(first) ? first : [first];
  // Fixed pseudo-random weights make every output element matter.
  const ws = outs.map((o, k) =>
    ad.random.uniform(o.shape, { seed: 17 + k, low: -1, high: 1, dtype: "float64" }),
  );
  const loss = (p: Record<string, ad.Tensor>, ...x: ad.Tensor[]) => {
    const r = g.call(p, ...x);
    const ys = Array.isArray(r) ? r : [r];
    let total: ad.Tensor = ad.scalar(0, "float64");
    ys.forEach((y, k) => {
      if (y.dtype === "float64") total = ad.add(total, ad.sum(ad.mul(y, ws[k]!)));
    });
    return total;
  };
  try {
    ad.checkGrads(loss, [params, ...xs], {
      order: 1,
      modes: ["rev"],
      rtol: 1e-4,
      atol: 1e-6,
      elementwiseUpTo: 4,
    });
  } catch (e) {
    throw new Error(`${t.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
