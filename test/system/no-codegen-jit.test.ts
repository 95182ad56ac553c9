/**
 * @file jit where generating code from strings is forbidden (a Content-Security-Policy without
 * 'unsafe-eval'): the browser bundle in a V8 context created with `codeGeneration: { strings:
 * false }` compiles the same programs, runs their fused loops interpreted (stats say
 * "interpreter"), says so once, and gives the same values and gradients, bit for bit, as a
 * context that allows code generation (where the loops are generated JavaScript).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";

const PROGRAM = `
  const ad = adjoint;
  const rosenbrock = (x) => {
    const n = x.shape[0];
    const head = ad.slice(x, [0], [n - 1]);
    const tail = ad.slice(x, [1], [n - 1]);
    return ad.sum(ad.add(ad.mul(ad.square(ad.sub(tail, ad.square(head))), 100),
      ad.square(ad.sub(1, head))));
  };
  const x = ad.tensor(Float64Array.from({ length: 257 }, (_, i) => 0.5 * Math.sin(0.37 * i)));
  const f = ad.jit(rosenbrock);
  const g = ad.jit(ad.valueAndGrad(rosenbrock));
  const chain = ad.jit((r) => { let v = r; for (let k = 0; k < 300; k++) v = ad.mul(ad.mul(r, v), ad.sub(1, v)); return v; });
  const mixed = ad.jit((a) => ad.softmax(ad.tanh(ad.matmul(a, ad.transpose(a))), { axis: -1 }));
  const a = ad.astype(ad.reshape(ad.arange(12), [3, 4]), "float32");
  const out = [
    f(x).item(),
    f(x).item(),
    ...g(x)[1].toArray(),
    chain(ad.scalar(0.3, "float64")).item(),
    ...mixed(ad.div(a, 7)).dataSync(),
  ];
  [f.statsFor(x).mode, g.statsFor(x).mode, out];
`;

test("jit without code generation from strings: interpreted fused loops, the same bits, one notice", async () => {
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
  const run = (strings: boolean) => {
    const warnings: string[] = [];
    const console = { warn: (m: string) => warnings.push(m), log: () => {} };
    const value = runInContext(
      code,
      createContext({ console }, { codeGeneration: { strings, wasm: true } }),
    ) as [string, string, number[]];
    return { value, warnings };
  };
  const allowed = run(true);
  const forbidden = run(false);
  // Arrays from the other context have its prototypes: compare their elements.
  assert.equal(`${allowed.value[0]} ${allowed.value[1]}`, "js js");
  assert.equal(`${forbidden.value[0]} ${forbidden.value[1]}`, "interpreter interpreter");
  assert.equal(allowed.warnings.length, 0);
  assert.equal(forbidden.warnings.length, 1, forbidden.warnings.join("\n"));
  assert.match(forbidden.warnings[0]!, /Content-Security-Policy/);
  const want = allowed.value[2];
  const got = forbidden.value[2];
  assert.equal(got.length, want.length);
  for (const [i, v] of want.entries()) assert.ok(Object.is(got[i], v), `[${i}]: ${got[i]} vs ${v}`);
});
