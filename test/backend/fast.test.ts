/**
 * @file Tests of the fast backend: every overridden kernel against the reference backend, bit for
 * bit (Object.is per element, so NaN and the sign of zero count) on odd shapes, broadcast
 * patterns, 0-d and size-0 arrays, both float dtypes and the delegated int32/bool ones; then whole
 * gradients, Hessians and Jacobians and the generated op-spec suite with the fast backend active.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { Backend, BinaryOp, ReduceOp, Shape, UnaryOp } from "../../src/backend/backend.js";
import { createFastBackend } from "../../src/backend/fast/index.js";
import { getBackend, setBackend } from "../../src/backend/index.js";
import { referenceBackend as R } from "../../src/backend/reference/index.js";
import type { TypedArray } from "../../src/core/dtype.js";
import { BINARY_OPS, UNARY_OPS } from "../../src/elementwise/table.js";
import * as ad from "../../src/index.js";
import { specTests } from "../harness/spec.js";
import { specs } from "../op-specs/index.js";

const F: Backend = createFastBackend(R);

// ---------------------------------------------------------------------------------------------
// Data and comparison helpers.

type Ctor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor;

const FLOATS: readonly Ctor[] = [Float64Array, Float32Array];
const ALL: readonly Ctor[] = [Float64Array, Float32Array, Int32Array, Uint8Array];

function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Seeded values with ties, zeros of both signs, and (for floats) NaN and infinities. */
function data(ctor: Ctor, n: number, seed: number): TypedArray {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300];
  const out = new ctor(n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (ctor === Uint8Array) out[i] = r < 0.5 ? 0 : 1;
    else if (ctor === Int32Array) out[i] = Math.floor(r * 19) - 9;
    else if (r < 0.08) out[i] = specials[Math.floor(rand() * specials.length)]!;
    else out[i] = Math.round((rand() * 10 - 5) * 8) / 8 + (rand() < 0.3 ? rand() * 1e-3 : 0);
  }
  return out;
}

/** Every element identical by Object.is (NaN matches NaN, -0 does not match +0). */
function assertIdentical(actual: TypedArray, expected: TypedArray, msg: string): void {
  assert.equal(actual.constructor, expected.constructor, `${msg}: class`);
  assert.equal(actual.length, expected.length, `${msg}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${msg}[${i}]: fast ${actual[i]}, reference ${expected[i]}`);
    }
  }
}

function broadcastShape(a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const fmt = (s: Shape): string => `[${s.join(",")}]`;

// ---------------------------------------------------------------------------------------------
// Kernels against the reference.

test("the float32 kernels are the float64 ones with Arr bound to Float32Array", () => {
  const src = (f: string) =>
    readFileSync(new URL(`../../src/backend/fast/${f}`, import.meta.url), "utf8");
  // Drop each file's header comment; the bodies may differ only in the `Arr` alias.
  const body = (s: string) => s.slice(s.indexOf("*/\n") + 3);
  const f64 = body(src("f64.ts"));
  const f32 = body(src("f32.ts"));
  assert.ok(f64.includes("type Arr = Float64Array;"));
  assert.equal(f32, f64.replace("type Arr = Float64Array;", "type Arr = Float32Array;"));
});

const BOOL_UNARY = new Set<UnaryOp>(["logicalNot", "isNaN", "isFinite", "signbit"]);

test("unary: every op, both float dtypes (and int32), sizes 0, 1 and 37", () => {
  for (const ctor of [...FLOATS, Int32Array]) {
    for (const n of [0, 1, 37]) {
      for (const op of UNARY_OPS) {
        const x = data(ctor, n, n * 7 + 1);
        const outCtor = BOOL_UNARY.has(op) ? Uint8Array : ctor;
        const want = new outCtor(n);
        const got = new outCtor(n);
        R.unary(op, x, want);
        F.unary(op, x, got);
        assertIdentical(got, want, `${op} ${ctor.name} n=${n}`);
      }
    }
  }
});

const BOOL_BINARY = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge", "and", "or"]);

/** Equal shapes, scalars, 0-d, size 0, row and column broadcasts, outer and middle broadcasts. */
const SHAPE_PAIRS: readonly (readonly [Shape, Shape])[] = [
  [[], []],
  [[7], [7]],
  [[], [7]],
  [[7], []],
  [[1], [7]],
  [
    [2, 3, 5],
    [2, 3, 5],
  ],
  [[2, 3, 5], []],
  [
    [1, 1, 1],
    [2, 3, 5],
  ],
  [[4, 5], [5]],
  [[5], [4, 5]],
  [
    [4, 5],
    [1, 5],
  ],
  [
    [4, 5],
    [4, 1],
  ],
  [
    [4, 1],
    [4, 5],
  ],
  [
    [2, 3, 5],
    [3, 1],
  ],
  [
    [2, 3, 5],
    [2, 3, 1],
  ],
  [
    [2, 3, 5],
    [1, 1, 5],
  ],
  [
    [2, 3, 5],
    [2, 1, 5],
  ],
  [
    [2, 1, 5],
    [3, 1],
  ],
  [
    [7, 1],
    [1, 6],
  ],
  [[6], [6, 1]],
  [
    [3, 1, 5],
    [1, 4, 1],
  ],
  [[0], [0]],
  [[0], []],
  [
    [3, 0],
    [3, 1],
  ],
  [[0, 4], [4]],
  [
    [4, 1],
    [4, 0],
  ],
];

test("binary: every op and broadcast pattern, all dtypes", () => {
  let seed = 11;
  for (const ctor of ALL) {
    for (const [as, bs] of SHAPE_PAIRS) {
      const outShape = broadcastShape(as, bs);
      const a = data(ctor, size(as), seed++);
      const b = data(ctor, size(bs), seed++);
      for (const op of BINARY_OPS) {
        const outCtor = BOOL_BINARY.has(op) ? Uint8Array : ctor;
        const want = new outCtor(size(outShape));
        const got = new outCtor(size(outShape));
        R.binary(op, a, as, b, bs, want, outShape);
        F.binary(op, a, as, b, bs, got, outShape);
        assertIdentical(got, want, `${op} ${ctor.name} ${fmt(as)} ${fmt(bs)}`);
      }
    }
  }
});

test("binary with mixed operand classes goes to the base backend", () => {
  const a = data(Float64Array, 6, 3);
  const b = data(Float32Array, 6, 4);
  const want = new Float64Array(6);
  const got = new Float64Array(6);
  R.binary("mul", a, [2, 3], b, [3], want, [2, 3]);
  F.binary("mul", a, [2, 3], b, [3], got, [2, 3]);
  assertIdentical(got, want, "mixed");
});

const SELECT_SHAPES: readonly (readonly [Shape, Shape, Shape])[] = [
  [[], [], []],
  [[9], [9], [9]],
  [[9], [], [9]],
  [[], [9], []],
  [[3, 4], [4], [3, 1]],
  [[3, 1], [3, 4], []],
  [
    [2, 1, 4],
    [3, 1],
    [2, 3, 4],
  ],
  [[0], [0], []],
  [[2, 0], [1], [2, 1]],
];

test("select: broadcast condition and branches, all dtypes", () => {
  let seed = 101;
  for (const ctor of ALL) {
    for (const [cs, as, bs] of SELECT_SHAPES) {
      const outShape = broadcastShape(broadcastShape(cs, as), bs);
      const c = data(Uint8Array, size(cs), seed++) as Uint8Array;
      const a = data(ctor, size(as), seed++);
      const b = data(ctor, size(bs), seed++);
      const want = new ctor(size(outShape));
      const got = new ctor(size(outShape));
      R.select(c, cs, a, as, b, bs, want, outShape);
      F.select(c, cs, a, as, b, bs, got, outShape);
      assertIdentical(got, want, `select ${ctor.name} ${fmt(cs)} ${fmt(as)} ${fmt(bs)}`);
    }
  }
});

function subsets(n: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << n; m++) out.push([...Array(n).keys()].filter((i) => (m >> i) & 1));
  return out;
}

const REDUCE_SHAPES: readonly Shape[] = [
  [],
  [0],
  [1],
  [13],
  [3, 4],
  [3, 0],
  [0, 4],
  [2, 3, 4],
  [1, 3, 1, 4],
  [2, 1, 3],
  [5, 1],
  [40, 3],
];

test("reduce: every op over every set of axes (trailing, leading, middle), all dtypes", () => {
  let seed = 301;
  const ops: readonly ReduceOp[] = ["sum", "prod", "max", "min"];
  for (const ctor of ALL) {
    for (const shape of REDUCE_SHAPES) {
      // Int32 data in [-9, 9] overflow prod quickly; that wrapping is the base's business.
      const x = data(ctor, size(shape), seed++);
      for (const axes of subsets(shape.length)) {
        const outSize = size(shape.filter((_, i) => !axes.includes(i)));
        for (const op of ops) {
          const want = new ctor(outSize);
          const got = new ctor(outSize);
          R.reduce(op, x, shape, axes, want);
          F.reduce(op, x, shape, axes, got);
          assertIdentical(got, want, `${op} ${ctor.name} ${fmt(shape)} axes ${fmt(axes)}`);
        }
        if (axes.length === 1 && shape[axes[0]!] !== 0) {
          for (const op of ["argmax", "argmin"] as const) {
            const want = new Int32Array(outSize);
            const got = new Int32Array(outSize);
            R.reduce(op, x, shape, axes, want);
            F.reduce(op, x, shape, axes, got);
            assertIdentical(got, want, `${op} ${ctor.name} ${fmt(shape)} axes ${fmt(axes)}`);
          }
        }
      }
    }
  }
});

test("reduce: a float32 sum accumulates in float64 exactly like the reference", () => {
  // 1 + 2^-30 * k in float32 would lose every small term; a float64 accumulator keeps them.
  const x = new Float32Array(1000).fill(2 ** -30);
  x[0] = 1;
  const want = new Float32Array(1);
  const got = new Float32Array(1);
  R.reduce("sum", x, [1000], [0], want);
  F.reduce("sum", x, [1000], [0], got);
  assertIdentical(got, want, "f32 sum");
  const wantCols = new Float32Array(2);
  const gotCols = new Float32Array(2);
  R.reduce("sum", x, [500, 2], [0], wantCols);
  F.reduce("sum", x, [500, 2], [0], gotCols);
  assertIdentical(gotCols, wantCols, "f32 column sums");
});

test("reduce: leading-axis reductions wider than the kernels' scratch buffer", () => {
  for (const ctor of FLOATS) {
    const shape = [3, 70_001];
    const x = data(ctor, size(shape), 901);
    for (const op of ["sum", "max"] as const) {
      const want = new ctor(70_001);
      const got = new ctor(70_001);
      R.reduce(op, x, shape, [0], want);
      F.reduce(op, x, shape, [0], got);
      assertIdentical(got, want, `${op} ${ctor.name} wide`);
    }
  }
});

const BROADCAST_TO: readonly (readonly [Shape, Shape])[] = [
  [[], []],
  [[], [3, 4]],
  [[1], [5]],
  [[5], [5]],
  [[4], [3, 4]],
  [
    [1, 4],
    [2, 3, 4],
  ],
  [
    [3, 1],
    [3, 4],
  ],
  [
    [2, 3, 1],
    [2, 3, 4],
  ],
  [
    [2, 1, 4],
    [2, 3, 4],
  ],
  [[3], [0, 3]],
  [
    [3, 1],
    [3, 0],
  ],
];

test("broadcastTo: scalar, row, column and middle-axis patterns, all dtypes", () => {
  let seed = 501;
  for (const ctor of ALL) {
    for (const [shape, outShape] of BROADCAST_TO) {
      const x = data(ctor, size(shape), seed++);
      const want = new ctor(size(outShape));
      const got = new ctor(size(outShape));
      R.broadcastTo(x, shape, outShape, want);
      F.broadcastTo(x, shape, outShape, got);
      assertIdentical(got, want, `broadcastTo ${ctor.name} ${fmt(shape)} -> ${fmt(outShape)}`);
    }
  }
});

test("transpose: 2-d fast path and delegated permutations, all dtypes", () => {
  let seed = 701;
  const cases: readonly (readonly [Shape, readonly number[]])[] = [
    [
      [3, 5],
      [1, 0],
    ],
    [
      [1, 4],
      [1, 0],
    ],
    [
      [4, 1],
      [1, 0],
    ],
    [
      [0, 3],
      [1, 0],
    ],
    [
      [3, 5],
      [0, 1],
    ],
    [
      [2, 3, 4],
      [2, 0, 1],
    ],
    [[], []],
  ];
  for (const ctor of ALL) {
    for (const [shape, perm] of cases) {
      const x = data(ctor, size(shape), seed++);
      const want = new ctor(size(shape));
      const got = new ctor(size(shape));
      R.transpose(x, shape, perm, want);
      F.transpose(x, shape, perm, got);
      assertIdentical(got, want, `transpose ${ctor.name} ${fmt(shape)} ${fmt(perm)}`);
    }
  }
});

test("the other kernels are the base backend's", () => {
  const a = data(Float64Array, 12, 1);
  const b = data(Float64Array, 12, 2);
  const want = new Float64Array(9);
  const got = new Float64Array(9);
  R.matmul(a, [3, 4], b, [4, 3], false, false, want, [3, 3]);
  F.matmul(a, [3, 4], b, [4, 3], false, false, got, [3, 3]);
  assertIdentical(got, want, "matmul");
  const wantCast = new Int32Array(12);
  const gotCast = new Int32Array(12);
  R.cast(a, wantCast);
  F.cast(a, gotCast);
  assertIdentical(gotCast, wantCast, "cast");
  assert.match(F.name, /fast/);
});

test("the default backend is the fast one over the reference (under the wasm matmul where available)", () => {
  assert.match(getBackend().name, /^(wasm\()?fast\+reference\)?$/);
});

// ---------------------------------------------------------------------------------------------
// Whole computations: the same results under both backends.

type Tensor = ad.Tensor;

/** Runs `compute` under the reference and under the fast backend; returns both outputs' data. */
function underBoth(compute: () => Tensor[]): [TypedArray[], TypedArray[]] {
  const prev = getBackend();
  try {
    setBackend(R);
    const want = compute().map((t) => t.dataSync().slice());
    setBackend(createFastBackend(R));
    const got = compute().map((t) => t.dataSync().slice());
    return [got, want];
  } finally {
    setBackend(prev);
  }
}

function assertAllIdentical(compute: () => Tensor[], msg: string): void {
  const [got, want] = underBoth(compute);
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) assertIdentical(got[i]!, want[i]!, `${msg} output ${i}`);
}

function seq(n: number, f: (i: number) => number, dtype: "float32" | "float64"): Tensor {
  const d = Float64Array.from({ length: n }, (_, i) => f(i));
  return ad.tensor(dtype === "float32" ? Float32Array.from(d) : d, { shape: [n] });
}

test("whole computations: Rosenbrock value and gradient (W1 at n = 1001)", () => {
  const rosenbrock = (x: Tensor): Tensor => {
    const n = x.shape[0]!;
    const head = ad.slice(x, [0], [n - 1]);
    const tail = ad.slice(x, [1], [n - 1]);
    return ad.sum(ad.add(ad.square(tail.sub(head.square())).mul(100), ad.square(ad.sub(1, head))));
  };
  for (const dtype of ["float64", "float32"] as const) {
    const x = seq(1001, (i) => 0.5 * Math.sin(0.37 * i), dtype);
    assertAllIdentical(() => {
      const [v, g] = ad.valueAndGrad(rosenbrock)(x);
      return [v, g];
    }, `rosenbrock ${dtype}`);
  }
});

test("whole computations: a small RNN's gradient (W6 shapes, T = 20)", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const m = (r: number, c: number, f: (i: number, j: number) => number): Tensor =>
      ad.reshape(
        seq(r * c, (k) => f(Math.floor(k / c), k % c), dtype),
        [r, c],
      );
    const wx = m(32, 8, (i, j) => 0.1 * Math.sin(i * 8 + j));
    const wh = m(32, 32, (i, j) => 0.1 * Math.cos(i * 32 + j));
    const b = seq(32, () => 0, dtype);
    const xs = Array.from({ length: 20 }, (_, t) => seq(8, (j) => Math.sin(0.1 * t + j), dtype));
    const loss = (params: Tensor[]): Tensor => {
      const [pwx, pwh, pb] = params as [Tensor, Tensor, Tensor];
      let h = ad.zeros([32], dtype);
      for (const xt of xs) h = ad.tanh(ad.matmul(pwx, xt).add(ad.matmul(pwh, h)).add(pb));
      return ad.sum(ad.square(h));
    };
    assertAllIdentical(() => {
      const [v, g] = ad.valueAndGrad(loss)([wx, wh, b]);
      return [v, ...g];
    }, `rnn ${dtype}`);
  }
});

test("whole computations: an MLP with softmax cross-entropy, row and column broadcasts", () => {
  const x = ad.reshape(
    seq(6 * 5, (k) => Math.sin(0.3 * k), "float64"),
    [6, 5],
  );
  const w = ad.reshape(
    seq(5 * 4, (k) => 0.2 * Math.cos(0.7 * k), "float64"),
    [5, 4],
  );
  const bias = seq(4, (k) => 0.1 * k, "float64");
  const scale = ad.reshape(
    seq(6, (k) => 1 + 0.1 * k, "float64"),
    [6, 1],
  );
  const loss = (params: Tensor[]): Tensor => {
    const [pw, pb] = params as [Tensor, Tensor];
    const logits = ad.tanh(ad.matmul(x, pw).add(pb)).mul(scale);
    const lp = ad.logSoftmax(logits, { axis: -1 });
    return ad.neg(ad.mean(ad.max(lp, { axis: -1 }))).add(ad.mean(ad.sum(lp, { axis: 0 })));
  };
  assertAllIdentical(() => {
    const [v, g] = ad.valueAndGrad(loss)([w, bias]);
    return [v, ...g];
  }, "mlp");
});

test("whole computations: Hessian (W4 form) and both Jacobians (W5 form)", () => {
  const n = 24;
  const a = ad.reshape(
    seq(12 * n, (k) => Math.sin(0.1 * k) / 16, "float64"),
    [12, n],
  );
  const x = seq(n, (j) => Math.cos(0.3 * j), "float64");
  const f = (v: Tensor): Tensor => ad.logsumexp(ad.matmul(a, v)).add(ad.sum(ad.square(v)).mul(0.5));
  assertAllIdentical(() => [ad.hessian(f)(x)], "hessian");
  const w = ad.reshape(
    seq(n * n, (k) => Math.sin(0.01 * k) / 10, "float64"),
    [n, n],
  );
  const b = seq(n, (i) => Math.cos(i), "float64");
  const g = (v: Tensor): Tensor => ad.tanh(ad.matmul(w, v).add(b));
  assertAllIdentical(() => [ad.jacrev(g)(x), ad.jacfwd(g)(x)], "jacobians");
});

// ---------------------------------------------------------------------------------------------
// The generated op-spec suite's checks, run with the fast backend active.

describe("op-spec suite under the fast backend", () => {
  let prev: Backend = getBackend();
  before(() => {
    prev = getBackend();
    setBackend(createFastBackend(prev));
  });
  after(() => {
    setBackend(prev);
  });
  for (const spec of specs) specTests(spec);
});

test("matmul: thin products (matrix-vector, vector-matrix, outer) are bit-identical to the reference", () => {
  for (const ctor of FLOATS) {
    for (const [m, n, k] of [
      [7, 1, 13],
      [1, 9, 5],
      [6, 8, 1],
      [1, 1, 17],
      [32, 1, 32],
      [1, 1, 1],
      [9, 1, 6],
      [1, 11, 3],
      [5, 7, 1],
    ] as const) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = data(ctor, m * k, m + 3 * k);
          const b = data(ctor, k * n, n + 5 * k);
          if (a.length > 2) a[1] = Number.NaN; // 0 * NaN and NaN must propagate as in the reference
          // 0 * (negative) is -0, and a sum from 0 makes it +0: the fast paths must not store -0.
          a[0] = 0;
          b[0] = -Math.abs(b[0]!) - 1;
          const aShape = transA ? [k, m] : [m, k];
          const bShape = transB ? [n, k] : [k, n];
          const want = new ctor(m * n);
          const got = new ctor(m * n);
          R.matmul(a, aShape, b, bShape, transA, transB, want, [m, n]);
          F.matmul(a, aShape, b, bShape, transA, transB, got, [m, n]);
          assertIdentical(got, want, `${ctor.name} ${m}x${n}x${k} tA=${transA} tB=${transB}`);
        }
      }
    }
  }
});
