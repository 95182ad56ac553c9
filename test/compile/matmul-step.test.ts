/**
 * @file Matrix products of compiled programs on the program's WebAssembly memory
 * (src/compile/matmul-step.ts): every product here must equal eager bit for bit (float32 and
 * float64, all four transposes, results written in place or copied out of a padded tile, operands
 * that are program inputs, planned buffers or constants, results that escape or feed a fused
 * loop), products the thread pool takes stay library calls, and with a backend that is not a
 * wasm backend the program runs that backend's matmul, as eager does.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileGraph } from "../../src/compile/program.js";
import * as ad from "../../src/index.js";
import { assertRunsMatch } from "../harness/compiled-runs.js";
import { mulberry32 } from "../harness/mulberry32.js";
import { assertSameBits as same } from "../harness/same-bits.js";

type T = ad.Tensor;

function rand(shape: number[], dtype: "float32" | "float64", seed: number): T {
  const next = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return ad.tensor(
    Float64Array.from({ length: n }, () => next() * 2 - 1),
    { shape, dtype },
  );
}

/** Compiles f at args (default options), checks three runs against eager; returns the stats. */
// biome-ignore lint/suspicious/noExplicitAny: f takes tensors or pytrees of them
function check(what: string, f: (...a: any[]) => unknown, ...args: unknown[]) {
  const g = ad.makeGraph(f, ...args);
  const want = ad.treeLeaves(f(...args)) as T[];
  const p = compileGraph(g);
  assertRunsMatch(p, ad.treeLeaves(args) as T[], want, what, 3);
  return p.stats;
}

test("products on the program's memory equal eager: dtypes, transposes, in place and padded", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const [m, k, n] of [
      [64, 64, 128],
      [64, 128, 10],
      [33, 17, 9],
      [8, 256, 12],
    ] as const) {
      const x = rand([m, k], dtype, m + k);
      const y = rand([k, n], dtype, n + 3 * k);
      const c = rand([m, n], dtype, m * n);
      const label = `${dtype} ${m}x${k}x${n}`;
      // The result escapes (copied out), and feeds a fused loop (a planned buffer).
      const stats = check(label, (a: T, b: T) => ad.matmul(a, b), x, y);
      assert.equal(stats.matmuls, 1, `${label}: on the program's memory`);
      check(`${label}, planned`, (a: T, b: T) => ad.tanh(ad.matmul(a.mul(0.5), b)), x, y);
      // Gradients: dA = C B^T and dB = A^T C, returned (escaping) and through tanh (planned).
      const loss = (a: T, b: T) => ad.sum(ad.mul(ad.matmul(a, b), c));
      const grads = ad.grad(loss, { argnums: [0, 1] }) as (a: T, b: T) => [T, T];
      const g = check(`${label}, transposed`, grads, x, y);
      assert.ok((g.matmuls ?? 0) >= 2, `${label}: both transposed products`);
      check(
        `${label}, transposed, planned`,
        (a: T, b: T) => grads(a, b).map((t) => ad.tanh(t)),
        x,
        y,
      );
    }
  }
});

test("operands that are constants, planned buffers and inputs; a two-layer MLP's gradient", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const w1 = rand([64, 128], dtype, 1);
    const w2 = rand([128, 10], dtype, 2);
    const x = rand([64, 64], dtype, 3);
    // w2 is captured: a program constant (resident in the memory).
    const withConst = (a: T, w: T) => ad.matmul(ad.tanh(ad.matmul(a, w)), w2);
    const stats = check(`${dtype} constant operand`, withConst, x, w1);
    assert.equal(stats.matmuls, 2);
    const loss = (p: { w1: T; w2: T }, a: T) =>
      ad.sum(ad.square(ad.matmul(ad.tanh(ad.matmul(a, p.w1)), p.w2)));
    const g = check(`${dtype} MLP gradient`, ad.valueAndGrad(loss), { w1, w2 }, x);
    assert.ok((g.matmuls ?? 0) >= 4, `matmuls: ${g.matmuls}`);
  }
});

test("products the thread pool takes, and small ones, stay library calls", () => {
  const big = rand([128, 128], "float32", 4);
  const stats = check("128x128x128", (a: T, b: T) => ad.matmul(a, b), big, big);
  assert.equal(stats.matmuls, 0);
  const small = rand([4, 4], "float64", 5);
  assert.equal(check("4x4x4", (a: T, b: T) => ad.matmul(a, b), small, small).matmuls, 0);
});

test("with a backend that is not a wasm backend, the program's products run on it, as eager", () => {
  const a = rand([64, 32], "float32", 6);
  const b = rand([32, 24], "float32", 7);
  const f = (x: T, y: T) => ad.tanh(ad.matmul(x, y));
  const p = compileGraph(ad.makeGraph(f, a, b));
  same(p.run([a, b])[0]!, f(a, b), "wasm backend");
  const before = ad.getBackend();
  const wasmWant = f(a, b);
  let want: T;
  try {
    ad.setBackend(ad.referenceBackend);
    want = f(a, b); // float32 products accumulate in float64 on the reference backend
    same(p.run([a, b])[0]!, want, "reference backend");
  } finally {
    ad.setBackend(before);
  }
  // The data tells the two backends apart, so the check above could fail.
  const [x, y] = [want.dataSync(), wasmWant.dataSync()];
  assert.ok(
    x.some((v, i) => v !== y[i]),
    "the reference and wasm backends round these products differently",
  );
  same(p.run([a, b])[0]!, f(a, b), "wasm backend again");
});

test("a program whose memory is shared (a loop split across threads) runs its products on it too", () => {
  const big = rand([1024, 1024], "float32", 8);
  const a = rand([64, 48], "float32", 9);
  const b = rand([48, 40], "float32", 10);
  const f = (x: T, p: T, q: T) => [
    ad
      .tanh(ad.add(ad.mul(x, 2), 1))
      .mul(x)
      .sub(0.5),
    ad.tanh(ad.matmul(p, q)),
  ];
  const stats = check("shared memory", f, big, a, b);
  assert.equal(stats.matmuls, 1);
});
