/**
 * @file The library where generating code from strings is forbidden, as under a
 * Content-Security-Policy without 'unsafe-eval': the browser bundle runs in a V8 context created
 * with `codeGeneration: { strings: false }` (the hook V8 gives embedders for CSP; `new Function`
 * throws EvalError there), falls back to the closure-built elementwise kernels, and gives the
 * same values and derivatives, bit for bit, as a context that allows code generation.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";

const PROGRAM = `
  const ad = adjoint;
  let codegen = true;
  try { new Function("return 1")(); } catch (e) { codegen = e.constructor.name; }
  const x = ad.tensor([-2.5, -0.5, 0, 0.25, 1.5, 3], { dtype: "float64" });
  const x32 = ad.astype(x, "float32");
  const f = (t) => ad.sum(ad.add(ad.mul(ad.tanh(t), ad.exp(ad.neg(ad.square(t)))),
    ad.add(ad.maximum(t, 0.3), ad.mod(t, 1.25))));
  const out = [
    ...ad.grad(f)(x).toArray(),
    ad.grad(ad.grad((t) => ad.sum(ad.sigmoid(ad.mul(t, 2)))))(ad.scalar(0.3, "float64")).item(),
    ...ad.round(ad.mul(x32, 3)).toArray(),
    ...ad.greater(x32, 0.1).toArray().map(Number),
    ...ad.softplus(ad.sub(x32, 1)).toArray(),
    ad.sin(ad.scalar(0.7, "float64")).item(),
  ];
  [codegen, out];
`;

test("without code generation from strings, kernels fall back to closures with the same results", async () => {
  const result = await build({
    entryPoints: ["src/index.ts"],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "adjoint",
    write: false,
    logLevel: "silent",
  });
  const code = `${result.outputFiles[0]!.text}\n${PROGRAM}`;
  const run = (strings: boolean) =>
    runInContext(code, createContext({}, { codeGeneration: { strings, wasm: true } })) as [
      true | string,
      number[],
    ];
  const [allowed, want] = run(true);
  const [forbidden, got] = run(false);
  assert.equal(allowed, true);
  assert.equal(forbidden, "EvalError");
  assert.equal(got.length, want.length);
  for (const [i, v] of want.entries()) assert.ok(Object.is(got[i], v), `[${i}]: ${got[i]} vs ${v}`);
});
