/**
 * @file Tensors: creation functions, read-out (toArray, item, dataSync copies, async data,
 * NumPy-like toString), dtypes and promotion (weak JS numbers, the default float), and Tensor
 * methods agreeing with the root functions.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { API_OPS } from "../../tools/api-ops.js";
import { assertClose, assertThrowsWith, f64, valuesOf, withFloat64 } from "./helpers.js";

function props(t: ad.Tensor): [number[], ad.DType, number, number] {
  return [[...t.shape], t.dtype, t.size, t.ndim];
}

// ---------------------------------------------------------------------------------------------
// Creation

test("tensor: tensor() from nested arrays, numbers, booleans and typed arrays", () => {
  const m = ad.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(props(m), [[2, 3], "float32", 6, 2]);
  assert.deepEqual(m.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const s = ad.tensor(2.5);
  assert.deepEqual(props(s), [[], "float32", 1, 0]);
  assert.equal(s.toArray(), 2.5);
  const b = ad.tensor([true, false, true]);
  assert.equal(b.dtype, "bool");
  assert.deepEqual(b.toArray(), [true, false, true]);
  assert.equal(ad.tensor(new Int32Array([1, -2])).dtype, "int32");
  assert.equal(ad.tensor(new Float64Array([0.1])).dtype, "float64");
  assert.equal(ad.tensor(new Float32Array([0.5])).dtype, "float32");
  assert.equal(ad.tensor(new Uint8Array([1, 0])).dtype, "bool");
  assert.deepEqual(ad.tensor(new Float64Array([0.1, 0.2])).toArray(), [0.1, 0.2]);
  // Explicit dtype and shape.
  const r = ad.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], dtype: "int32" });
  assert.deepEqual(props(r), [[2, 3], "int32", 6, 2]);
  assert.deepEqual(r.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(ad.tensor([0.1], { dtype: "float64" }).item(), 0.1);
  assert.equal(ad.tensor([0.1], { dtype: "float32" }).item(), Math.fround(0.1));
  // Empty and 3-d.
  assert.deepEqual(props(ad.tensor([])), [[0], "float32", 0, 1]);
  assert.deepEqual(
    ad.tensor([
      [[1], [2]],
      [[3], [4]],
    ]).shape,
    [2, 2, 1],
  );
});

test("tensor: scalar, zeros, ones, full, zerosLike, onesLike", () => {
  assert.deepEqual(props(ad.scalar(3)), [[], "float32", 1, 0]);
  assert.equal(ad.scalar(3.25, "float64").item(), 3.25);
  assert.equal(ad.scalar(true).dtype, "bool");
  assert.equal(ad.scalar(7, "int32").item(), 7);
  const z = ad.zeros([2, 3]);
  assert.deepEqual(props(z), [[2, 3], "float32", 6, 2]);
  assert.deepEqual(z.toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ]);
  assert.equal(ad.zeros([2], "int32").dtype, "int32");
  assert.deepEqual(ad.zeros([]).toArray(), 0);
  assert.deepEqual(ad.ones([2, 2], "float64").toArray(), [
    [1, 1],
    [1, 1],
  ]);
  assert.equal(ad.ones([2, 2], "float64").dtype, "float64");
  assert.deepEqual(ad.ones([3], "bool").toArray(), [true, true, true]);
  const f = ad.full([2, 2], 7);
  assert.deepEqual(props(f), [[2, 2], "float32", 4, 2]);
  assert.deepEqual(f.toArray(), [
    [7, 7],
    [7, 7],
  ]);
  assert.deepEqual(ad.full([3], -1.5, "float64").toArray(), [-1.5, -1.5, -1.5]);
  assert.equal(ad.full([1], 2, "int32").dtype, "int32");
  const x = ad.tensor([[1, 2, 3]], { dtype: "int32" });
  const zl = ad.zerosLike(x);
  assert.deepEqual(props(zl), [[1, 3], "int32", 3, 2]);
  assert.deepEqual(zl.toArray(), [[0, 0, 0]]);
  const ol = ad.onesLike(f64([[1], [2]]));
  assert.deepEqual(props(ol), [[2, 1], "float64", 2, 2]);
  assert.deepEqual(ol.toArray(), [[1], [1]]);
});

test("tensor: arange, linspace and eye", () => {
  const a = ad.arange(5);
  assert.equal(a.dtype, "int32", "integer arange gives int32 (as NumPy and JAX)");
  assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
  assert.deepEqual(ad.arange(2, 5).toArray(), [2, 3, 4]);
  assert.deepEqual(ad.arange(5, 0, -2).toArray(), [5, 3, 1]);
  assert.deepEqual(ad.arange(3, 3).shape, [0]);
  const fr = ad.arange(0, 1, 0.25);
  assert.equal(fr.dtype, "float32");
  assert.deepEqual(fr.toArray(), [0, 0.25, 0.5, 0.75]);
  const a64 = ad.arange(0, 3, 1, "float64");
  assert.equal(a64.dtype, "float64");
  assert.deepEqual(a64.toArray(), [0, 1, 2]);
  const l = ad.linspace(0, 1, 5);
  assert.equal(l.dtype, "float32");
  assert.deepEqual(l.toArray(), [0, 0.25, 0.5, 0.75, 1]);
  const l64 = ad.linspace(-1, 2, 4, "float64");
  assert.equal(l64.dtype, "float64");
  assert.deepEqual(l64.toArray(), [-1, 0, 1, 2]);
  assert.equal(
    (ad.linspace(0, 0.3, 3, "float64").toArray() as number[])[2],
    0.3,
    "the endpoint is exact",
  );
  const e = ad.eye(3);
  assert.equal(e.dtype, "float32");
  assert.deepEqual(e.toArray(), [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  assert.deepEqual(ad.eye(2, 3).toArray(), [
    [1, 0, 0],
    [0, 1, 0],
  ]);
  assert.deepEqual(ad.eye(3, 2).toArray(), [
    [1, 0],
    [0, 1],
    [0, 0],
  ]);
  assert.equal(ad.eye(2, 2, "int32").dtype, "int32");
});

// ---------------------------------------------------------------------------------------------
// Read-out

test("tensor: toArray and item", () => {
  assert.deepEqual(
    f64([
      [1.5, -2],
      [0, 3],
    ]).toArray(),
    [
      [1.5, -2],
      [0, 3],
    ],
  );
  assert.equal(ad.scalar(4, "float64").toArray(), 4);
  assert.equal(ad.tensor([[2.5]], { dtype: "float64" }).item(), 2.5);
  // A bool tensor reads as 1 or 0 (item() is typed number; decision 0012).
  assert.equal(ad.tensor([true]).item(), 1);
  assert.equal(ad.tensor([false]).item(), 0);
  assert.equal(ad.tensor([9], { dtype: "int32" }).item(), 9);
  assert.equal(typeof ad.tensor([1]).item(), "number");
  const err = assertThrowsWith(() => ad.tensor([1, 2, 3]).item(), ad.AdjointError, ["item"]);
  assert.ok(err.message.includes("[3]") || err.message.includes("3"), err.message);
  // toArray of a 0-d bool is a boolean; of an int32 tensor, integers.
  assert.equal(ad.scalar(true).toArray(), true);
  assert.deepEqual(ad.tensor([[1, 2]], { dtype: "int32" }).toArray(), [[1, 2]]);
});

test("tensor: dataSync returns a copy of the right typed array", () => {
  const cases: [ad.Tensor, new (n: number) => ArrayLike<number>][] = [
    [ad.tensor([1, 2], { dtype: "float32" }), Float32Array],
    [ad.tensor([1, 2], { dtype: "float64" }), Float64Array],
    [ad.tensor([1, 2], { dtype: "int32" }), Int32Array],
    [ad.tensor([true, false]), Uint8Array],
  ];
  for (const [t, cls] of cases) {
    const d = t.dataSync();
    assert.ok(d instanceof cls, `${t.dtype} dataSync is a ${cls.name}`);
    assert.deepEqual(Array.from(d), [1, t.dtype === "bool" ? 0 : 2]);
    d[0] = 42;
    assert.equal(t.dataSync()[0], 1, `${t.dtype}: writing to the copy does not change the tensor`);
    assert.notEqual(t.dataSync(), t.dataSync(), "each call returns a new array");
  }
  // A copy also for results of ops (not just for created tensors).
  const y = ad.mul(f64([1, 2]), 3);
  const yd = y.dataSync();
  yd[1] = -1;
  assert.deepEqual(y.toArray(), [3, 6]);
  assert.deepEqual(
    Array.from(
      ad
        .tensor([
          [1, 2],
          [3, 4],
        ])
        .dataSync(),
    ),
    [1, 2, 3, 4],
    "row-major",
  );
});

test("tensor: async data() resolves to a copy with dataSync's contents", async () => {
  const t = f64([
    [1.5, 2],
    [3, 4],
  ]);
  const p = t.data();
  assert.ok(p instanceof Promise);
  const d = await p;
  assert.ok(d instanceof Float64Array);
  assert.deepEqual(Array.from(d), [1.5, 2, 3, 4]);
  d[0] = 100;
  assert.deepEqual(Array.from(await t.data()), [1.5, 2, 3, 4]);
  const i = await ad.tensor([7], { dtype: "int32" }).data();
  assert.ok(i instanceof Int32Array);
});

test("tensor: toString prints NumPy-like", () => {
  const m = ad.tensor([
    [1, 2],
    [3, 4],
  ]);
  const s = m.toString();
  assert.equal(s.replace(/\s+/g, ""), "tensor([[1.,2.],[3.,4.]],dtype=float32)");
  assert.ok(s.includes("\n"), "rows of a matrix are on separate lines");
  const lines = s.split("\n");
  assert.equal(lines.length, 2);
  // The second row's bracket lines up under the first row's.
  assert.equal(lines[1]!.indexOf("["), lines[0]!.indexOf("[[") + 1);
  assert.equal(
    f64([0.5, -1.25]).toString().replace(/\s+/g, ""),
    "tensor([0.5,-1.25],dtype=float64)",
  );
  assert.equal(
    ad.tensor([1, 2, 3], { dtype: "int32" }).toString().replace(/\s+/g, ""),
    "tensor([1,2,3],dtype=int32)",
  );
  assert.equal(ad.scalar(2.5).toString().replace(/\s+/g, ""), "tensor(2.5,dtype=float32)");
  assert.ok(ad.tensor([true, false]).toString().includes("dtype=bool"));
  assert.equal(
    String(ad.scalar(1, "float64")),
    ad.scalar(1, "float64").toString(),
    "String() uses toString",
  );
  // Large tensors are summarised with "...".
  const big = ad.zeros([2000]).toString();
  assert.ok(big.includes("..."), "summarised");
  assert.ok(big.length < 300, `summarised output is short (${big.length} characters)`);
  // Non-finite values print as such.
  const nf = f64([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]).toString();
  assert.ok(nf.includes("NaN") && nf.includes("Infinity") && nf.includes("-Infinity"), nf);
});

// ---------------------------------------------------------------------------------------------
// dtypes and promotion

test("tensor: promotion follows bool < int32 < float32 < float64", () => {
  const of: Record<ad.DType, ad.Tensor> = {
    bool: ad.tensor([true, false]),
    int32: ad.tensor([2, 3], { dtype: "int32" }),
    float32: ad.tensor([0.5, 1.5], { dtype: "float32" }),
    float64: ad.tensor([0.25, 2.5], { dtype: "float64" }),
  };
  const order: ad.DType[] = ["bool", "int32", "float32", "float64"];
  for (let i = 1; i < order.length; i++) {
    for (let j = 0; j <= i; j++) {
      const hi = order[i]!;
      const lo = order[j]!;
      const a = of[hi];
      const b = of[lo];
      assert.equal(ad.add(a, b).dtype, hi, `${hi} + ${lo}`);
      assert.equal(ad.add(b, a).dtype, hi, `${lo} + ${hi}`);
      assert.equal(a.mul(b).dtype, hi, `${hi}.mul(${lo})`);
      const want = valuesOf(a).map((v, k) => v + valuesOf(b)[k]!);
      assertClose(ad.add(a, b), want, `${hi} + ${lo} values`, { atol: 0, rtol: 0 });
    }
  }
  // Comparisons give bool whatever the inputs.
  assert.equal(ad.less(of.int32, of.float64).dtype, "bool");
  assert.deepEqual(ad.less(of.int32, of.float64).toArray(), [false, false]);
  assert.equal(ad.equal(of.float32, 0.5).dtype, "bool");
  // Float-only ops lift integers to the default float.
  assert.equal(ad.exp(of.int32).dtype, "float32");
  assert.equal(ad.sqrt(of.bool).dtype, "float32");
});

test("tensor: JS numbers are weakly typed: x.mul(2) keeps x's dtype", () => {
  for (const dtype of ["float32", "float64", "int32"] as const) {
    const x = ad.tensor([1, 2, 3], { dtype });
    const y = x.mul(2);
    assert.equal(y.dtype, dtype, `${dtype}.mul(2)`);
    assert.deepEqual(y.toArray(), [2, 4, 6]);
    assert.equal(ad.add(1, x).dtype, dtype, `1 + ${dtype}`);
    assert.equal(x.sub(0.5 * 2).dtype, dtype);
  }
  assert.equal(f64([1]).add(0.1).dtype, "float64");
  assert.equal(
    f64([1]).add(0.1).item(),
    1.1,
    "a float64 computation keeps the number's full precision",
  );
  assert.equal(
    ad.tensor([1], { dtype: "float32" }).add(0.1).item(),
    Math.fround(1 + Math.fround(0.1)),
  );
  // A fractional number with an integer tensor gives the default float.
  const i = ad.tensor([1, 2, 3], { dtype: "int32" });
  const r = i.mul(2.5);
  assert.equal(r.dtype, "float32");
  assert.deepEqual(r.toArray(), [2.5, 5, 7.5]);
  withFloat64(() => {
    assert.equal(i.mul(2.5).dtype, "float64");
    assert.equal(
      ad.tensor([1, 2], { dtype: "float32" }).mul(2.5).dtype,
      "float32",
      "float32 tensors stay",
    );
  });
  // Numbers alone compute in the default float.
  assert.equal(ad.add(1, 2).dtype, "float32");
  assert.equal(ad.add(1, 2).item(), 3);
});

test("tensor: JS number arrays give the default float; setDefaultFloat changes it", () => {
  assert.equal(ad.getDefaultFloat(), "float32");
  assert.equal(ad.tensor([1, 2, 3]).dtype, "float32", "integral JS numbers are floats");
  assert.equal(ad.tensor([1.5]).dtype, "float32");
  assert.equal(ad.add([1, 2], [3, 4]).dtype, "float32");
  assert.equal(ad.exp([0, 1]).dtype, "float32");
  assert.equal(ad.scalar(1).dtype, "float32");
  withFloat64(() => {
    assert.equal(ad.getDefaultFloat(), "float64");
    assert.equal(ad.tensor([1, 2, 3]).dtype, "float64");
    assert.equal(ad.tensor([0.1]).item(), 0.1);
    assert.equal(ad.scalar(1).dtype, "float64");
    assert.equal(ad.zeros([2]).dtype, "float64");
    assert.equal(ad.ones([2]).dtype, "float64");
    assert.equal(ad.full([2], 3).dtype, "float64");
    assert.equal(ad.eye(2).dtype, "float64");
    assert.equal(ad.linspace(0, 1, 3).dtype, "float64");
    assert.equal(ad.arange(0, 1, 0.5).dtype, "float64");
    assert.equal(ad.add([1, 2], [3, 4]).dtype, "float64");
    assert.equal(ad.tensor([1], { dtype: "float32" }).add(ad.tensor([1])).dtype, "float64");
    // Explicit dtypes and typed arrays are not affected.
    assert.equal(ad.tensor([1], { dtype: "float32" }).dtype, "float32");
    assert.equal(ad.tensor(new Float32Array([1])).dtype, "float32");
    assert.equal(ad.arange(3).dtype, "int32");
  });
  assert.equal(ad.getDefaultFloat(), "float32", "restored");
  assert.equal(ad.tensor([1]).dtype, "float32");
});

test("tensor: ops accept any TensorLike as their first argument and never mutate inputs", () => {
  assertClose(ad.add([1, 2], 3), [4, 5], "array + number");
  assertClose(ad.mul(2, [[1], [2]]), [[2], [4]], "number * nested array");
  assertClose(ad.exp(0), 1, "exp(number)");
  assertClose(
    ad.sum([
      [1, 2],
      [3, 4],
    ]),
    10,
    "sum(nested array)",
  );
  assertClose(ad.matmul([[1, 2]], [[3], [4]]), [[11]], "matmul of arrays");
  const x = f64([1, 2, 3]);
  x.add(1);
  x.mul(x);
  ad.neg(x);
  assert.deepEqual(x.toArray(), [1, 2, 3]);
});

// ---------------------------------------------------------------------------------------------
// Methods == root functions

type AnyFn = (...args: unknown[]) => unknown;

function callMethod(x: ad.Tensor, name: string, args: readonly unknown[]): unknown {
  const m: unknown = Reflect.get(x, name);
  assert.equal(typeof m, "function", `Tensor.prototype.${name} exists`);
  return (m as AnyFn).apply(x, [...args]);
}

function callRoot(name: string, x: ad.Tensor, args: readonly unknown[]): unknown {
  const f: unknown = Reflect.get(ad, name);
  assert.equal(typeof f, "function", `ad.${name} exists`);
  return (f as AnyFn)(x, ...args);
}

function assertSameResult(a: unknown, b: unknown, what: string): void {
  if (Array.isArray(a)) {
    assert.ok(Array.isArray(b) && a.length === b.length, `${what}: same number of results`);
    a.forEach((ai, i) => {
      assertSameResult(ai, (b as unknown[])[i], `${what}[${i}]`);
    });
    return;
  }
  assert.ok(a instanceof ad.Tensor && b instanceof ad.Tensor, `${what}: both are Tensors`);
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  assert.equal(a.dtype, b.dtype, `${what}: dtype`);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), `${what}: values`);
}

// API.md's unary ops, plus one-tensor methods of other families.
const UNARY = [...API_OPS.unary!, "isNaN", "isFinite", "flatten", "transpose", "squeeze", "flip"];

const BINARY = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "atan2",
  "mod",
  "equal",
  "notEqual",
  "less",
  "lessEqual",
  "greater",
  "greaterEqual",
  "matmul",
] as const;

const REDUCTIONS = [
  "sum",
  "mean",
  "prod",
  "max",
  "min",
  "logsumexp",
  "variance",
  "std",
  "norm",
] as const;

test("tensor: unary Tensor methods equal the root functions", () => {
  const x = f64([
    [0.2, -0.7, 1.3],
    [2.5, -1.5, 0.9],
  ]);
  const pos = f64([
    [1.2, 1.7, 2.3],
    [2.5, 1.5, 1.1],
  ]); // acosh needs x >= 1
  for (const name of UNARY) {
    const arg = name === "acosh" ? pos : x;
    assertSameResult(callMethod(arg, name, []), callRoot(name, arg, []), name);
  }
  const b = ad.tensor([true, false]);
  assertSameResult(b.logicalNot(), ad.logicalNot(b), "logicalNot");
  assertSameResult(b.logicalAnd([true, true]), ad.logicalAnd(b, [true, true]), "logicalAnd");
  assertSameResult(b.logicalOr([false, false]), ad.logicalOr(b, [false, false]), "logicalOr");
  // A method result is the same value, not just the same shape: spot-check one against math.
  assertClose(x.tanh(), valuesOf(x).map(Math.tanh), "tanh values", { atol: 1e-15, shape: [2, 3] });
});

test("tensor: binary Tensor methods equal the root functions (with broadcasting and numbers)", () => {
  const x = f64([
    [0.5, 1.5, 2],
    [3, 0.25, 1],
  ]);
  const y = f64([2, 0.5, 2]);
  const sq = f64([
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
  for (const name of BINARY) {
    if (name === "matmul") {
      assertSameResult(callMethod(x, name, [sq]), callRoot(name, x, [sq]), name);
      continue;
    }
    assertSameResult(callMethod(x, name, [y]), callRoot(name, x, [y]), `${name}(tensor)`);
    assertSameResult(callMethod(x, name, [2]), callRoot(name, x, [2]), `${name}(number)`);
  }
  assertSameResult(y.dot(y), ad.dot(y, y), "dot");
  assertSameResult(y.outer(y), ad.outer(y, y), "outer");
  assertSameResult(x.clip(0.4, 2), ad.clip(x, 0.4, 2), "clip");
  const c = ad.greater(x, 1);
  assertSameResult(c.where(x, y), ad.where(c, x, y), "where");
});

test("tensor: reduction and shape Tensor methods equal the root functions", () => {
  const x = f64([
    [0.5, -1.5, 2],
    [3, 0.25, -1],
  ]);
  for (const name of REDUCTIONS) {
    assertSameResult(callMethod(x, name, []), callRoot(name, x, []), `${name}()`);
    assertSameResult(
      callMethod(x, name, [{ axis: 1 }]),
      callRoot(name, x, [{ axis: 1 }]),
      `${name}(axis 1)`,
    );
    assertSameResult(
      callMethod(x, name, [{ axis: 0, keepdims: true }]),
      callRoot(name, x, [{ axis: 0, keepdims: true }]),
      `${name}(axis 0, keepdims)`,
    );
  }
  assertSameResult(x.argmax({ axis: 1 }), ad.argmax(x, { axis: 1 }), "argmax");
  assertSameResult(x.argmin(), ad.argmin(x), "argmin");
  assertSameResult(x.softmax(), ad.softmax(x), "softmax");
  assertSameResult(x.logSoftmax({ axis: 0 }), ad.logSoftmax(x, { axis: 0 }), "logSoftmax");
  assertSameResult(x.norm({ ord: 1 }), ad.norm(x, { ord: 1 }), "norm ord 1");
  assertSameResult(x.reshape([3, 2]), ad.reshape(x, [3, 2]), "reshape");
  assertSameResult(x.transpose([1, 0]), ad.transpose(x, [1, 0]), "transpose");
  assertSameResult(x.swapAxes(0, 1), ad.swapAxes(x, 0, 1), "swapAxes");
  assertSameResult(x.expandDims(1), ad.expandDims(x, 1), "expandDims");
  assertSameResult(x.expandDims(0).squeeze(0), ad.squeeze(ad.expandDims(x, 0), 0), "squeeze");
  assertSameResult(x.broadcastTo([4, 2, 3]), ad.broadcastTo(x, [4, 2, 3]), "broadcastTo");
  assertSameResult(x.split(3, 1), ad.split(x, 3, 1), "split");
  assertSameResult(x.split([1, 2], 1), ad.split(x, [1, 2], 1), "split sizes");
  assertSameResult(x.slice([0, 1], [2, 2]), ad.slice(x, [0, 1], [2, 2]), "slice");
  const idx = ad.tensor([2, 0, 2], { dtype: "int32" });
  assertSameResult(x.take(idx, 1), ad.take(x, idx, 1), "take");
  assertSameResult(
    x.pad([
      [1, 0],
      [0, 2],
    ]),
    ad.pad(x, [
      [1, 0],
      [0, 2],
    ]),
    "pad",
  );
  assertSameResult(x.tile([2, 1]), ad.tile(x, [2, 1]), "tile");
  assertSameResult(x.flip(1), ad.flip(x, 1), "flip");
  assertSameResult(x.astype("float32"), ad.astype(x, "float32"), "astype");
  // And the values of a few of them against the definition.
  assert.deepEqual(x.transpose().toArray(), [
    [0.5, 3],
    [-1.5, 0.25],
    [2, -1],
  ]);
  assert.deepEqual(x.T.toArray(), [
    [0.5, 3],
    [-1.5, 0.25],
    [2, -1],
  ]);
  assert.deepEqual(x.take(idx, 1).toArray(), [
    [2, 0.5, 2],
    [-1, 3, -1],
  ]);
  assert.deepEqual(x.sum({ axis: 0 }).toArray(), [3.5, -1.25, 1]);
});

test("printing: the largest floats print as themselves, not Infinity", () => {
  const t = ad.tensor([-Number.MAX_VALUE, 3.4028234663852886e38], { dtype: "float64" });
  assert.equal(
    t.toString(),
    "tensor([-1.7976931348623157e+308,     3.40282346638529e+38], dtype=float64)",
  );
});
