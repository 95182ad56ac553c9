/**
 * @file onnx.load in headless Chromium: a page bundles adjoint with onnx-proto passed in (as a
 * bundled app does), fetches a model of ONNX's backend suite (a PyTorch-converted Conv2d) and its
 * input, loads it, evaluates it and takes the input gradient of its summed output (saliency).
 * Both must equal what Node computes from the same bytes. Needs Chromium and the suite (skipped
 * without them, except under ADJOINT_BROWSER_TESTS=required / ADJOINT_ONNX_TESTS=required).
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import onnxProtoModule from "onnx-proto";
import * as ad from "../../src/index.js";
import { tensorFromProto } from "../../src/onnx/tensor-proto.js";
import { browserMissing, browserSkip, launchChromium } from "../harness/chromium.js";
import { suiteRoot } from "./backend-suite.js";

const { onnx } = onnxProtoModule;
const root = fileURLToPath(new URL("../..", import.meta.url));
const suite = suiteRoot();
const onnxRequired = process.env.ADJOINT_ONNX_TESTS === "required";
const missing = browserMissing(
  suite === undefined && !onnxRequired ? "ONNX's backend test suite is not installed" : false,
);
const skip = browserSkip(missing);

const PAGE = `<!doctype html>
<script type="module">
import { ad, proto } from "/bundle.js";
window.run = async () => {
  const shape = await (await fetch("/shape.json")).json();
  const bytes = new Uint8Array(await (await fetch("/model.onnx")).arrayBuffer());
  const data = new Float32Array(await (await fetch("/input.bin")).arrayBuffer());
  const g = await ad.onnx.load(bytes, { proto });
  const x = ad.tensor(data, { shape });
  const y = g.call(x);
  const saliency = ad.grad((v) => ad.sum(g.call(v)))(x);
  return { y: Array.from(y.dataSync()), yShape: [...y.shape], saliency: Array.from(saliency.dataSync()) };
};
</script>`;

test("Chromium: onnx.load of a PyTorch-converted Conv2d, its output and its input gradient equal Node's", {
  skip,
}, async () => {
  if (missing) assert.fail(`browser test required, but ${missing}`);
  if (suite === undefined) assert.fail("ONNX's backend test suite is required but not installed");
  const dir = path.join(suite, "pytorch-converted", "test_Conv2d");
  const model = readFileSync(path.join(dir, "model.onnx"));
  const input = tensorFromProto(
    onnx.TensorProto.decode(readFileSync(path.join(dir, "test_data_set_0", "input_0.pb"))),
    "input_0",
  );
  // Node's answer from the same bytes.
  const g = await ad.onnx.load(model);
  const y = g.call(input) as ad.Tensor;
  const saliency = ad.grad((v: ad.Tensor) => ad.sum(g.call(v) as ad.Tensor))(input);

  const bundle = await build({
    stdin: {
      contents: `export * as ad from "./src/index.ts";
        export * as proto from "onnx-proto";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  const js = bundle.outputFiles[0]!.text;
  const inputBytes = Buffer.from(Float32Array.from(input.dataSync()).buffer);
  const server = createServer((req, res) => {
    const files: Record<string, [string, string | Buffer]> = {
      "/": ["text/html", PAGE],
      "/bundle.js": ["text/javascript", js],
      "/model.onnx": ["application/octet-stream", model],
      "/input.bin": ["application/octet-stream", inputBytes],
      "/shape.json": ["application/json", JSON.stringify([...input.shape])],
    };
    const file = files[req.url ?? "/"];
    if (file === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": file[0] });
    res.end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const r = await page.evaluate(() =>
      (
        globalThis as unknown as {
          run(): Promise<{ y: number[]; yShape: number[]; saliency: number[] }>;
        }
      ).run(),
    );
    assert.deepEqual(r.yShape, [...y.shape]);
    // The same code on the same float32 inputs: equal up to the engines' Math functions.
    const close = (got: number[], want: ArrayLike<number>, what: string): void => {
      assert.equal(got.length, want.length, what);
      for (let i = 0; i < want.length; i++) {
        const tol = 1e-6 * Math.max(1, Math.abs(want[i]!));
        assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
      }
    };
    close(r.y, y.dataSync(), "output");
    close(r.saliency, saliency.dataSync(), "input gradient");
    assert.ok(
      saliency.dataSync().some((v) => v !== 0),
      "the gradient is not all zero",
    );
  } finally {
    await browser.close();
    server.close();
  }
});
