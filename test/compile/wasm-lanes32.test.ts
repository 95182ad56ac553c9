/**
 * @file float32 wasm loops in four float32 lanes (codegen-wasm.ts, `quadLanes`): each program
 * here compiles with `{ wasm: true }` and must run as float32x4 lanes and equal graph.call bit for
 * bit, on data with the values where float32 arithmetic differs from float64 rounded once if it
 * ever does (NaN, both zeros, infinities, subnormals, values near overflow, halfway cases), at
 * sizes that leave a scalar tail. Covered: the one-instruction ops, ops computed in float64
 * halves (tanh, rsqrt, inexact literals), booleans and selects, flat loops with shifted reads and
 * guarded edges, nested loops with row and column reads, and sums over all, rows and columns.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { jsKernel } from "../../src/compile/codegen-js.js";
import { wasmKernelCode } from "../../src/compile/codegen-wasm.js";
import type { KernelIR } from "../../src/compile/kernel-ir.js";
import { compileGraph } from "../../src/compile/program.js";
import { linkMemory, wasmModule } from "../../src/compile/wasm-link.js";
import { alu, type Expr, x as X, y as Y } from "../../src/elementwise/expr.js";
import * as ad from "../../src/index.js";
import { assertRunsMatch } from "../harness/compiled-runs.js";
import { randomFloat32Bits } from "../harness/float32-bits.js";
import { mulberry32 } from "../harness/mulberry32.js";

type T = ad.Tensor;

/** float32 data: random values over many magnitudes, with the special values spread in. */
function data(n: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n);
  const special = [
    0,
    -0,
    Number.NaN,
    Infinity,
    -Infinity,
    1e-45,
    -1e-45,
    1.1754942e-38,
    3.4e38,
    -3.4e38,
    0.5,
    1,
    -1,
  ];
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.08) out[i] = special[Math.floor(next() * special.length)]!;
    else out[i] = (next() - 0.5) * 2 ** Math.floor(next() * 40 - 20);
  }
  return out;
}

function f32(shape: number[], seed: number): T {
  const n = shape.reduce((a, b) => a * b, 1);
  return ad.tensor(data(n, seed), { shape, dtype: "float32" });
}

/** Positive float32 data (for sqrt and divisions by a sum of squares). */
function f32pos(shape: number[], seed: number): T {
  return ad.abs(f32(shape, seed));
}

let quadKernels = 0;

/** Compiles f at args with wasm loops, checks two runs against graph.call; returns its stats. */
function check(what: string, f: (...a: T[]) => unknown, ...args: T[]) {
  const g = ad.makeGraph(f, ...args);
  const want = ad.treeLeaves(g.call(...args)) as T[];
  const p = compileGraph(g, { wasm: true });
  assertRunsMatch(p, args, want, what);
  quadKernels += p.stats.wasmFloat32x4 ?? 0;
  return p.stats;
}

test("float32 Adam-like update (+ - * / sqrt, scalar inputs) runs in float32x4 lanes, same bits", () => {
  const update = (p: T, g: T, m: T, v: T, step: T, root2: T) => {
    const m1 = ad.add(ad.mul(m, 0.9), ad.mul(g, 0.1));
    const v1 = ad.add(ad.mul(v, 0.999), ad.mul(ad.square(g), 0.001));
    const denom = ad.add(ad.div(ad.sqrt(v1), root2), 1e-8);
    return [ad.sub(p, ad.mul(ad.div(m1, denom), step)), m1, v1];
  };
  for (const n of [1027, 4, 7, 8192]) {
    const stats = check(
      `adam ${n}`,
      update,
      f32([n], 1),
      f32([n], 2),
      f32([n], 3),
      f32pos([n], 4),
      ad.scalar(0.001, "float32"),
      ad.scalar(0.3, "float32"),
    );
    assert.equal(stats.wasmFloat32x4, stats.wasm, `adam ${n}: every wasm loop in float32 lanes`);
    assert.ok((stats.wasm ?? 0) >= 1);
  }
});

test("float32 bias + tanh + (1 - t^2) in a nested loop: tanh in float64 halves, row reads", () => {
  for (const [rows, cols] of [
    [37, 13],
    [64, 128],
    [5, 3],
  ] as const) {
    const f = (x: T, b: T) => {
      const t = ad.tanh(ad.add(x, b));
      return [t, ad.sub(1, ad.square(t))];
    };
    const stats = check(`tanh ${rows}x${cols}`, f, f32([rows, cols], 5), f32([cols], 6));
    assert.equal(stats.wasmFloat32x4, 1);
  }
});

test("float32 sums over rows, columns and all elements, max and min folds, column reads", () => {
  const x = f32([29, 11], 7);
  const y = f32([29, 11], 8);
  const c = f32([29, 1], 9);
  const bounded = (t: T) => ad.tanh(t.mul(0.5)); // finite values: sums without inf - inf
  check("row sums", (a: T, b: T) => ad.sum(ad.mul(bounded(a), bounded(b)), { axis: 1 }), x, y);
  check("column sums", (a: T, b: T) => ad.sum(ad.add(bounded(a), bounded(b)), { axis: 0 }), x, y);
  check("all", (a: T, b: T) => ad.sum(ad.sub(bounded(a), b.mul(0.25))), x, y);
  check("max over columns", (a: T, b: T) => ad.max(ad.mul(a, b), { axis: 0 }), x, y);
  check("min over rows", (a: T, b: T) => ad.min(ad.add(a, b), { axis: 1 }), x, y);
  check("column reads", (a: T, b: T) => ad.mul(ad.sub(a, b), 2), x, c);
  check("softmax", (a: T) => ad.softmax(bounded(a), { axis: -1 }), x);
});

test("float32 compares, where, maximum/minimum, abs, neg, floor, casts from booleans", () => {
  const x = f32([1031], 10);
  const y = f32([1031], 11);
  check(
    "selects",
    (a: T, b: T) => [
      ad.where(ad.greater(a, b), a, ad.mul(b, 0.5)),
      ad.maximum(ad.neg(a), ad.abs(b)),
      ad.minimum(ad.floor(a), ad.ceil(b)),
      ad.greater(a, b).astype("float32").add(ad.lessEqual(a, 0).astype("float32")),
      ad.where(ad.isNaN(a), ad.zerosLike(a), ad.trunc(a)),
      ad.sqrt(ad.abs(a)),
      ad.rsqrt(ad.abs(b)),
      ad.mul(a, 0.1), // an inexact literal: the product is rounded once from float64
      ad.maximum(ad.add(a, b), ad.mul(a, b)), // max of two rounded values
    ],
    x,
    y,
  );
});

test("float32 flat loops with shifted reads and guarded edges (Rosenbrock), value and gradient", () => {
  const rosen = (x: T) => {
    const n = x.shape[0]!;
    const head = ad.slice(x, [0], [n - 1]);
    const tail = ad.slice(x, [1], [n - 1]);
    return ad.sum(ad.add(ad.square(tail.sub(head.square())).mul(100), ad.square(ad.sub(1, head))));
  };
  for (const n of [1001, 4096, 6]) {
    const x = ad.tensor(
      Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.37 * i)),
      { dtype: "float32" },
    );
    check(`rosenbrock f ${n}`, rosen, x);
    check(`rosenbrock grad ${n}`, ad.valueAndGrad(rosen), x);
  }
});

test("float32 expressions with two roundings in a row run in float64 halves, as the JS loop (x * y + x, ...)", () => {
  // No table op's expression rounds twice in float32 lanes, so kernels are built by hand here:
  // float32 instructions would give fround(fround(x * y) + x) instead of fround(x * y + x).
  const n = 4099;
  const exprs: [string, Expr][] = [
    ["x * y + x", alu("add", alu("mul", X, Y), X)],
    ["(x - y) / y", alu("div", alu("sub", X, Y), Y)],
    ["sqrt(x * x + y)", alu("sqrt", alu("add", alu("mul", X, X), Y))],
    ["max(x + y, x) (one rounding under max)", alu("max", alu("add", X, Y), X)],
    ["floor(x * y)", alu("floor", alu("mul", X, Y))],
    ["x * y < x", alu("lt", alu("mul", X, Y), X)],
    ["x * 0.1 (inexact literal)", alu("mul", X, 0.1)],
  ];
  for (const [what, expr] of exprs) {
    const bool = what.includes("<");
    const ir: KernelIR = {
      size: n,
      nested: false,
      rows: 1,
      len: n,
      inputs: 2,
      inputSizes: [n, n],
      outputs: 1,
      ops: [
        { kind: "load", input: 0, mode: "same", offset: 0 },
        { kind: "load", input: 1, mode: "same", offset: 0 },
        { kind: "expr", expr, args: [0, 1], bool, dtype: "float32" },
      ],
      stores: [{ reg: 2, out: 0 }],
      reduces: [],
    };
    const f32s = ["float32", "float32"] as const;
    const code = wasmKernelCode(ir, f32s, ["float32"], false)!;
    assert.equal(code.lanes, 4, `${what}: float32 lanes`);
    const linked = linkMemory(
      [],
      [
        {
          code,
          module: wasmModule(code.bytes)!,
          size: n,
          inTypes: f32s,
          outTypes: ["float32"],
          inSizes: [n, n],
          outSizes: [n],
          inSlots: [-1, -1],
          outSlots: [-1],
        },
      ],
      false,
    )!;
    // Values where the two roundings differ often: products with long mantissas.
    const ins = [data(n, 21), data(n, 22)].map((d) =>
      d.map((v, i) => (i % 3 === 0 ? v : 1 + v / 1024)),
    );
    const want = new Float32Array(n);
    jsKernel(ir, "reference")!(ins, [want]);
    const got = new Float32Array(n);
    linked.kernels[0]!(ins, [got]);
    for (let i = 0; i < n; i++) {
      if (!Object.is(got[i], want[i]))
        assert.fail(`${what}: element ${i} is ${got[i]}; expected ${want[i]}`);
    }
  }
});

test("float32 tanh in a loop with a float64 array keeps float64x2 lanes, same bits", () => {
  // A dense sweep where the rounding is decided, plus random float32s and the special values.
  const n = 65536 + 4096;
  const d = new Float64Array(n);
  for (let i = 0; i < 65536; i++) d[i] = Math.fround(-12 + (i * 24) / 65536);
  d.set(data(4096, 31), 65536);
  const x = ad.tensor(d, { dtype: "float64" });
  const f = (v: T) => ad.tanh(v.astype("float32")).mul(3);
  const stats = check("tanh from float64", f, x);
  assert.equal(stats.wasm, 1);
  assert.equal(stats.wasmFloat32x4, 0);
});

test("float32 exp in lanes equals Math.fround(Math.exp(x)) bit for bit: every class of float32, a sweep, both lane kinds", () => {
  // Every class of float32: NaNs, infinities, subnormals, both zeros.
  const d = randomFloat32Bits(1 << 18, 11);
  // A dense sweep over the range where exp is neither 0 nor infinite in float32, and the edges.
  for (let i = 0; i < 131072; i++) d[i] = -110 + (i * 205) / 131072;
  d.set(
    [
      0,
      -0,
      Infinity,
      -Infinity,
      Number.NaN,
      88.72283,
      88.72284,
      -87.33654,
      -103.27893,
      -103.97208,
      -104,
      89,
      1e-45,
    ],
    131072,
  );
  const x = ad.tensor(d, { dtype: "float32" });
  const f = (v: T) => ad.exp(v).mul(0.5);
  const stats = check("float32 exp", f, x);
  assert.equal(stats.wasmFloat32x4, 1);
  // float64x2 lanes: the same argument read from a float64 array.
  const x64 = ad.tensor(Float64Array.from(d), { dtype: "float64" });
  const g = (v: T) => ad.exp(v.astype("float32")).mul(0.5);
  const stats64 = check("float32 exp from float64", g, x64);
  assert.equal(stats64.wasm, 1);
  assert.equal(stats64.wasmFloat32x4, 0);
});

test("float32 softmax and log-softmax loops with exp run as wasm, same bits", () => {
  const x = f32([64, 10], 41)
    .mul(1e-30)
    .add(f32([64, 10], 42).mul(1e-36)); // finite, varied
  const y = ad.tensor(
    Float32Array.from({ length: 640 }, (_, i) => 20 * Math.sin(i * 0.37)),
    {
      shape: [64, 10],
    },
  );
  for (const [what, t] of [
    ["tiny", x],
    ["wide", y],
  ] as const) {
    check(`softmax ${what}`, (v: T) => ad.softmax(v, { axis: -1 }), t);
    check(`logsumexp ${what}`, (v: T) => ad.logsumexp(v, { axis: -1 }), t);
    check(
      `grad softmax ${what}`,
      ad.grad((v: T) => ad.sum(ad.softmax(v, { axis: -1 }).mul(v))),
      t,
    );
  }
});

test("float32 programs above ran float32x4 wasm loops", () => {
  assert.ok(quadKernels >= 20, `float32x4 kernels: ${quadKernels}`);
});
