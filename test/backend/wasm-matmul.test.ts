/**
 * @file Tests of the WebAssembly SIMD matmul against the reference backend: odd sizes (edge
 * tiles), all transpose combinations, broadcast batch dims, float32 (tolerance scaled by
 * k * eps, since the kernel accumulates in float32 and the reference in float64) and float64
 * (tight), and gradients of an MLP through the library with the wasm backend active.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import type { Backend, Shape } from "../../src/backend/backend.js";
import { getBackend, setBackend, useWasm } from "../../src/backend/index.js";
import { referenceBackend as R } from "../../src/backend/reference/index.js";
import { encodeModule, FunctionBuilder, I32 } from "../../src/backend/wasm/encoder.js";
import {
  createWasmBackend,
  wasmMatmulPays,
  wasmSimdSupported,
} from "../../src/backend/wasm/index.js";
import { matmulModuleBytes, wasmMatmul } from "../../src/backend/wasm/matmul-kernel.js";
import { wasmApi } from "../../src/backend/wasm/wasm-api.js";
import * as ad from "../../src/index.js";
import { broadcastBatch, data, type FloatCtor, size } from "../harness/matmul-data.js";

/**
 * Runs reference and wasm on the same operands and checks every element: float32 within
 * 2 * k * eps32 * sum_p |a_ip||b_pj| (a bound on float32 summation error), float64 within
 * 4 * k * eps64 of the same scale.
 */
function check(
  F: FloatCtor,
  batchA: Shape,
  batchB: Shape,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): void {
  const aShape = [...batchA, ...(transA ? [k, m] : [m, k])];
  const bShape = [...batchB, ...(transB ? [n, k] : [k, n])];
  const outShape = [...broadcastBatch(batchA, batchB), m, n];
  const a = data(F, aShape, 1);
  const b = data(F, bShape, 2);
  const want = new F(size(outShape));
  const got = new F(size(outShape)).fill(Number.NaN);
  R.matmul(a, aShape, b, bShape, transA, transB, want, outShape);
  wasmMatmul(a, aShape, b, bShape, transA, transB, got, outShape);
  // |a|, |b| products give the scale of each output element.
  const absA = a.map(Math.abs);
  const absB = b.map(Math.abs);
  const scale = new Float64Array(size(outShape));
  R.matmul(absA, aShape, absB, bShape, transA, transB, scale, outShape);
  const eps = F === Float32Array ? 2 * 2 ** -24 : 4 * 2 ** -53;
  const what = `${F.name} a${JSON.stringify(aShape)} b${JSON.stringify(bShape)} tA=${transA} tB=${transB}`;
  for (let i = 0; i < want.length; i++) {
    const tol = k * eps * scale[i]! + 1e-30;
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= tol)) {
      assert.fail(`${what}: out[${i}] = ${got[i]}, reference ${want[i]} (tolerance ${tol})`);
    }
  }
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [64, 64, 64],
  [130, 70, 257],
  [1, 9, 300], // a row vector times a matrix: one padded row panel, k over one block boundary
  [9, 1, 513], // matrix-vector: one padded column panel, k over two block boundaries
  [6, 530, 270], // n over one NC column-block boundary (f32: 512 columns, f64: 256)
];

test("wasm SIMD is available in this Node (the rest of the tests need it)", () => {
  assert.equal(wasmSimdSupported(), true);
  assert.equal(wasmApi()!.validate(matmulModuleBytes()), true);
  // Browsers refuse synchronous compilation of modules over 4 KiB on the main thread.
  assert.ok(matmulModuleBytes().length < 4096, `module is ${matmulModuleBytes().length} bytes`);
});

test("encoder: a hand-built function runs", () => {
  // add(x, y) * 3 through locals and a loop, checking the LEB128 and control encodings.
  const f = new FunctionBuilder([I32, I32], [I32]);
  const acc = f.local(I32);
  const i = f.local(I32);
  f.get(0).get(1).i32Add().set(acc).i32Const(3).set(i);
  f.i32Const(0).set(0);
  f.loop().get(0).get(acc).i32Add().set(0).get(i).i32Const(1).i32Sub().tee(i).brIf(0).end();
  f.get(0);
  const bytes = encodeModule([{ name: "f", fn: f }]);
  const wasm = wasmApi()!;
  const inst = new wasm.Instance(new wasm.Module(bytes), {
    env: { memory: new wasm.Memory({ initial: 1 }) },
  });
  const run = inst.exports.f as (x: number, y: number) => number;
  assert.equal(run(20, 22), 126);
  assert.equal(run(-70000, 1), -209997);
});

for (const F of [Float32Array, Float64Array]) {
  test(`${F.name}: odd sizes, all transpose combinations`, () => {
    for (const [m, n, k] of SIZES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) check(F, [], [], m, n, k, transA, transB);
      }
    }
  });

  test(`${F.name}: batches with broadcast batch dims`, () => {
    for (const [batchA, batchB] of [
      [[3], [3]],
      [[2, 3], [3]],
      [[3], []],
      [[], [4]],
      [
        [2, 1],
        [1, 3],
      ],
      [[1], [2, 2]],
    ] as [number[], number[]][]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) check(F, batchA, batchB, 13, 10, 19, transA, transB);
      }
    }
  });
}

test("float64: bit-identical to the reference (same summation order)", () => {
  const a = data(Float64Array, [37, 91], 3);
  const b = data(Float64Array, [91, 29], 4);
  const want = new Float64Array(37 * 29);
  const got = new Float64Array(37 * 29);
  R.matmul(a, [37, 91], b, [91, 29], false, false, want, [37, 29]);
  wasmMatmul(a, [37, 91], b, [91, 29], false, false, got, [37, 29]);
  assert.deepEqual(got, want);
});

test("NaN and Infinity propagate (no skipping of zeros)", () => {
  const a = new Float32Array([0, 1, Number.NaN, 0, 0, 0, 1, Number.POSITIVE_INFINITY, 0]);
  const b = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const out = new Float32Array(9);
  wasmMatmul(a, [3, 3], b, [3, 3], false, false, out, [3, 3]);
  // Row 0 holds a NaN: every output of the row is NaN, also where it meets a zero of B.
  assert.ok([0, 1, 2].every((j) => Number.isNaN(out[j]!)));
  assert.deepEqual(Array.from(out.subarray(3, 6)), [0, 0, 0]);
  // Row 2 holds an Infinity: Infinity * 0 = NaN in columns 0 and 2, Infinity in column 1.
  assert.ok(Number.isNaN(out[6]!) && Number.isNaN(out[8]!));
  assert.equal(out[7], Number.POSITIVE_INFINITY);
});

test("k = 0 gives zeros", () => {
  const out = new Float32Array(6).fill(7);
  wasmMatmul(new Float32Array(0), [2, 0], new Float32Array(0), [0, 3], false, false, out, [2, 3]);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0, 0, 0]);
});

test("a working set too large for wasm memory is declined before anything is read or written", () => {
  const x = new Float32Array(4);
  const out = new Float32Array(4).fill(7);
  const big = [30000, 30000];
  assert.equal(wasmMatmul(x, big, x, big, false, false, out, big), false);
  assert.deepEqual(Array.from(out), [7, 7, 7, 7]);
});

test("createWasmBackend delegates small and int32 products to the base backend", () => {
  let baseCalls = 0;
  const base: Backend = {
    ...R,
    name: "counting",
    matmul(...args) {
      baseCalls++;
      R.matmul(...args);
    },
  };
  const w = createWasmBackend(base);
  assert.equal(w.name, "wasm(counting)");
  assert.equal(w.unary, R.unary);
  const small = new Float32Array(4);
  w.matmul(small, [2, 2], small, [2, 2], false, false, new Float32Array(4), [2, 2]);
  const ints = new Int32Array(64 * 64);
  w.matmul(ints, [64, 64], ints, [64, 64], false, false, new Int32Array(64 * 64), [64, 64]);
  assert.equal(baseCalls, 2);
  const big = data(Float32Array, [32, 32], 1);
  assert.ok(wasmMatmulPays(32, 32, 32));
  assert.ok(!wasmMatmulPays(1, 1, 100_000)); // dot products stay on the base backend
  w.matmul(big, [32, 32], big, [32, 32], false, false, new Float32Array(32 * 32), [32, 32]);
  assert.equal(baseCalls, 2);
});

/** An MLP loss: tanh hidden layers, softmax cross-entropy over one-hot labels, batch mean. */
function mlpLoss(
  w1: ad.Tensor,
  w2: ad.Tensor,
  w3: ad.Tensor,
  x: ad.Tensor,
  onehot: ad.Tensor,
): ad.Tensor {
  const h1 = ad.tanh(ad.matmul(x, w1));
  const h2 = ad.tanh(ad.matmul(h1, w2));
  const logits = ad.matmul(h2, w3);
  return ad.neg(ad.mean(ad.sum(ad.mul(ad.logSoftmax(logits, { axis: -1 }), onehot), { axis: -1 })));
}

for (const dtype of ["float32", "float64"] as const) {
  test(`${dtype}: ad.grad of an MLP with the wasm backend matches the reference backend`, () => {
    const F = dtype === "float32" ? Float32Array : Float64Array;
    const [batch, din, h1, h2, dout] = [24, 50, 40, 30, 10];
    const t = (shape: number[], seed: number, s: number) =>
      ad
        .tensor(
          data(F, shape, seed).map((v) => v * s),
          { dtype },
        )
        .reshape(shape);
    const x = t([batch, din], 1, 1);
    const w1 = t([din, h1], 2, 0.3);
    const w2 = t([h1, h2], 3, 0.3);
    const w3 = t([h2, dout], 4, 0.3);
    const oh = new F(batch * dout);
    for (let b = 0; b < batch; b++) oh[b * dout + (b % dout)] = 1;
    const onehot = ad.tensor(oh, { dtype }).reshape([batch, dout]);
    const g = ad.grad(mlpLoss, { argnums: [0, 1, 2] });
    const run = () => g(w1, w2, w3, x, onehot).map((d) => Array.from(d.dataSync()));

    const previous = getBackend();
    let want: number[][];
    let got: number[][];
    let wasmCalls = 0;
    try {
      setBackend(R);
      want = run();
      const w = createWasmBackend(R);
      // Count products large enough for the kernel, to be sure the wasm path was exercised.
      setBackend({
        ...w,
        matmul(a, aShape, b, bShape, transA, transB, out, outShape) {
          const k = transA ? aShape.at(-2)! : aShape.at(-1)!;
          if (wasmMatmulPays(outShape.at(-2)!, outShape.at(-1)!, k)) wasmCalls++;
          w.matmul(a, aShape, b, bShape, transA, transB, out, outShape);
        },
      });
      got = run();
    } finally {
      setBackend(previous);
    }
    assert.ok(wasmCalls >= 6, `expected forward and backward products on wasm, got ${wasmCalls}`);
    const tol = dtype === "float32" ? 2e-5 : 1e-13;
    for (let p = 0; p < want.length; p++) {
      const wp = want[p]!;
      const gp = got[p]!;
      const maxAbs = Math.max(...wp.map(Math.abs));
      for (let i = 0; i < wp.length; i++) {
        assert.ok(
          Math.abs(gp[i]! - wp[i]!) <= tol * maxAbs,
          `d param ${p} [${i}]: wasm ${gp[i]} vs reference ${wp[i]}`,
        );
      }
    }
  });
}

test("useWasm installs the wasm backend over the current one", () => {
  const previous = getBackend();
  try {
    setBackend(R);
    assert.equal(useWasm(), true);
    assert.equal(getBackend().name, "wasm(reference)");
    assert.equal(useWasm(), true); // idempotent: no double wrapping
    assert.equal(getBackend().name, "wasm(reference)");
    const y = ad.matmul(ad.ones([20, 30]), ad.ones([30, 40]));
    assert.deepEqual(y.shape, [20, 40]);
    assert.ok(Array.from(y.dataSync()).every((v) => v === 30));
  } finally {
    setBackend(previous);
  }
});

test("relaxed SIMD: with the engine's flag the float32 tile fuses its multiply-adds; float64 stays bit-identical", () => {
  // Node 20 has relaxed SIMD behind a flag: run the check in a child process that sets it.
  const script = `
    const k = await import(${JSON.stringify(new URL("../../src/backend/wasm/matmul-kernel.ts", import.meta.url).href)});
    const { referenceBackend: R } = await import(${JSON.stringify(new URL("../../src/backend/reference/index.ts", import.meta.url).href)});
    const W = (await import(${JSON.stringify(new URL("../../src/backend/wasm/index.ts", import.meta.url).href)})).createWasmBackend(R);
    const [m, n, d] = [67, 45, 129];
    const out = { fma: k.relaxedFmaSupported(), err32: 0, same64: true };
    for (const C of [Float32Array, Float64Array]) {
      const a = new C(m * d).map((_, i) => Math.sin(i));
      const b = new C(d * n).map((_, i) => Math.cos(0.5 * i));
      const want = new C(m * n);
      const got = new C(m * n);
      R.matmul(a, [m, d], b, [d, n], false, false, want, [m, n]);
      W.matmul(a, [m, d], b, [d, n], false, false, got, [m, n]);
      if (C === Float32Array) for (let i = 0; i < m * n; i++) out.err32 = Math.max(out.err32, Math.abs(got[i] - want[i]));
      else out.same64 = got.every((v, i) => Object.is(v, want[i]));
    }
    console.log(JSON.stringify(out));`;
  const run = (flags: string[]) => {
    const r = spawnSync(
      process.execPath,
      [...flags, "--import", "tsx", "--input-type=module", "-e", script],
      {
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      fma: boolean;
      err32: number;
      same64: boolean;
    };
  };
  const plain = run([]);
  const relaxed = run(["--experimental-wasm-relaxed-simd"]);
  assert.equal(plain.fma, false);
  assert.equal(relaxed.fma, true);
  for (const r of [plain, relaxed]) {
    assert.equal(r.same64, true);
    assert.ok(r.err32 < 129 * 2 ** -23, `float32 error ${r.err32}`);
  }
});
