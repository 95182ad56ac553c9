/**
 * @file `ad.onnx.load` on small models built here with onnx-proto: arguments and results, the
 * transformations on a loaded graph (grad, jvp, vmap, jit), params: true, the options
 * (inputShapes, constants, floatDType) and the errors (every unsupported operator at once).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import onnxProtoModule from "onnx-proto";
import * as ad from "../../src/index.js";

const { onnx } = onnxProtoModule;
type NodeSpec = {
  opType: string;
  input: string[];
  output: string[];
  attribute?: object[];
  domain?: string;
};

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, elemType: number, dims?: (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape:
          dims === undefined
            ? undefined
            : { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function modelBytes(
  nodes: NodeSpec[],
  inputs: ReturnType<typeof valueInfo>[],
  outputs: string[],
  initializer: object[] = [],
  opset = 13,
): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: {
      name: "g",
      node: nodes,
      input: inputs,
      output: outputs.map((o) => valueInfo(o, FLOAT)),
      initializer,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const f32 = (name: string, dims: number[], values: number[]) =>
  onnx.TensorProto.create({ name, dataType: FLOAT, dims, floatData: values });
const i64 = (name: string, values: number[]) =>
  onnx.TensorProto.create({ name, dataType: INT64, dims: [values.length], int64Data: values });

/** y = tanh(x W + b), z = sum(y): two outputs. */
const dense = modelBytes(
  [
    { opType: "Gemm", input: ["x", "W", "b"], output: ["h"] },
    { opType: "Tanh", input: ["h"], output: ["y"] },
    {
      opType: "ReduceSum",
      input: ["y"],
      output: ["z"],
      attribute: [{ name: "keepdims", i: 0, type: 2 }],
    },
  ],
  [valueInfo("x", FLOAT, [2, 3])],
  ["y", "z"],
  [f32("W", [3, 2], [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]), f32("b", [2], [0.01, -0.02])],
);

test("load: positional inputs, several outputs as an array, equal to the same ops in adjoint", async () => {
  const g = await ad.onnx.load(dense);
  const x = ad.tensor([
    [1, 2, 3],
    [-1, 0, 0.5],
  ]);
  const [y, z] = g.call(x) as ad.Tensor[];
  const W = ad.tensor([
    [0.1, -0.2],
    [0.3, 0.4],
    [-0.5, 0.6],
  ]);
  const want = ad.tanh(ad.add(ad.matmul(x, W), ad.tensor([0.01, -0.02])));
  assert.deepEqual(y!.toArray(), want.toArray());
  assert.ok(Math.abs(z!.item() - ad.sum(want).item()) < 1e-6);
  assert.deepEqual(z!.shape, []);
});

test("a loaded graph works under grad, jvp, vmap and jit", async () => {
  const g = await ad.onnx.load(dense);
  const f = (x: ad.Tensor) => (g.call(x) as ad.Tensor[])[1]!;
  const x = ad.tensor([
    [1, 2, 3],
    [-1, 0, 0.5],
  ]);
  const dx = ad.grad(f)(x);
  assert.deepEqual(dx.shape, [2, 3]);
  const [, t] = ad.jvp(f, [x], [ad.onesLike(x)]);
  assert.ok(Math.abs(t.item() - ad.sum(dx).item()) < 1e-5);
  const batched = ad.vmap(f)(ad.stack([x, ad.mul(x, 2)]));
  assert.deepEqual(batched.shape, [2]);
  assert.ok(Math.abs(ad.jit(f)(x).item() - f(x).item()) < 1e-6);
  ad.setDefaultFloat("float64");
  try {
    const g64 = await ad.onnx.load(dense, { floatDType: "float64" });
    const f64 = (x: ad.Tensor) => (g64.call(x) as ad.Tensor[])[1]!;
    ad.checkGrads(f64, [ad.astype(x, "float64")], { order: 2 });
  } finally {
    ad.setDefaultFloat("float32");
  }
});

test("params: true makes the float initializers a first argument keyed by name", async () => {
  const g = await ad.onnx.load(dense, { params: true });
  const params = await ad.onnx.initializers(dense);
  assert.deepEqual(Object.keys(params).sort(), ["W", "b"]);
  const x = ad.ones([2, 3]);
  const loss = (p: Record<string, ad.Tensor>) => (g.call(p, x) as ad.Tensor[])[1]!;
  const d = ad.grad(loss)(params);
  assert.deepEqual(d.W!.shape, [3, 2]);
  assert.deepEqual(d.b!.shape, [2]);
  // Changing a weight changes the output: the weights are arguments, not constants.
  const moved = { ...params, b: ad.add(params.b!, 1) };
  assert.notEqual(loss(moved).item(), loss(params).item());
});

test("an unsupported operator error lists every one at once, with its opset", async () => {
  const bytes = modelBytes(
    [
      { opType: "Relu", input: ["x"], output: ["a"] },
      { opType: "LSTMish", input: ["a"], output: ["b"] },
      { opType: "NonMaxSuppression", input: ["b"], output: ["c"] },
      { opType: "LSTMish", input: ["c"], output: ["d"] },
      { opType: "Foo", input: ["d"], output: ["y"], domain: "com.example" },
    ],
    [valueInfo("x", FLOAT, [2])],
    ["y"],
  );
  await assert.rejects(ad.onnx.load(bytes), (e: unknown) => {
    assert.ok(e instanceof ad.OnnxError);
    assert.equal(e.kind, "operator");
    assert.deepEqual(
      e.unsupported.map((u) => `${u.op}@${u.opset}`),
      ["LSTMish@13", "NonMaxSuppression@13", "com.example.Foo@1"],
    );
    assert.match(
      e.message,
      /3 unsupported operators: LSTMish \(opset 13\); NonMaxSuppression \(opset 13\); com\.example\.Foo/,
    );
    return true;
  });
});

test("dynamic dimensions need inputShapes; static inputs need constants", async () => {
  const bytes = modelBytes(
    [{ opType: "Relu", input: ["x"], output: ["y"] }],
    [valueInfo("x", FLOAT, ["N", 3])],
    ["y"],
  );
  await assert.rejects(
    ad.onnx.load(bytes),
    /graph input 'x' has dynamic shape \[N, 3\]; give its concrete shape as options.inputShapes/,
  );
  const g = await ad.onnx.load(bytes, { inputShapes: { x: [4, 3] } });
  assert.deepEqual((g.call(ad.ones([4, 3])) as ad.Tensor).shape, [4, 3]);
  await assert.rejects(ad.onnx.load(bytes, { inputShapes: { x: [4, 2] } }), ad.OnnxError);

  const reshape = modelBytes(
    [{ opType: "Reshape", input: ["x", "shape"], output: ["y"] }],
    [valueInfo("x", FLOAT, [2, 3]), valueInfo("shape", INT64, [2])],
    ["y"],
  );
  await assert.rejects(ad.onnx.load(reshape), (e: unknown) => {
    assert.ok(e instanceof ad.OnnxError);
    assert.deepEqual(e.staticInputs, ["shape"]);
    return true;
  });
  const r = await ad.onnx.load(reshape, {
    constants: { shape: ad.tensor([3, -1], { dtype: "int32" }) },
  });
  assert.deepEqual((r.call(ad.ones([2, 3])) as ad.Tensor).shape, [3, 2]);
  assert.equal(r.inputs.length, 1);
  // Plain numbers take the input's element type (int64 -> int32).
  const r2 = await ad.onnx.load(reshape, { constants: { shape: [-1] } });
  assert.deepEqual((r2.call(ad.ones([2, 3])) as ad.Tensor).shape, [6]);
});

test("shape arithmetic is folded while loading; int64 initializers read as int32", async () => {
  const bytes = modelBytes(
    [
      { opType: "Shape", input: ["x"], output: ["s"] },
      { opType: "Gather", input: ["s", "zero"], output: ["n"] },
      {
        opType: "Concat",
        input: ["n", "minus1"],
        output: ["shape"],
        attribute: [{ name: "axis", i: 0, type: 2 }],
      },
      { opType: "Reshape", input: ["x", "shape"], output: ["y"] },
    ],
    [valueInfo("x", FLOAT, [2, 3, 4])],
    ["y"],
    [i64("zero", [0]), i64("minus1", [-1])],
  );
  const g = await ad.onnx.load(bytes);
  assert.deepEqual(
    g.eqns.map((e) => e.primitive.name),
    ["reshape"],
  );
  assert.deepEqual((g.call(ad.ones([2, 3, 4])) as ad.Tensor).shape, [2, 12]);
});

test("bad bytes and bad options are OnnxErrors / ValueErrors", async () => {
  await assert.rejects(
    ad.onnx.load(new Uint8Array([0xff])),
    /the bytes are not an ONNX ModelProto/,
  );
  await assert.rejects(ad.onnx.load(dense, { bogus: 1 } as never), /bogus/);
  await assert.rejects(ad.onnx.load(dense, { floatDType: "float16" } as never), /floatDType/);
  await assert.rejects(
    ad.onnx.load(dense, { constants: { nope: ad.ones([1]) } }),
    /no graph input named 'nope'/,
  );
});

test("opset-5 Cast names its target type as a string", async () => {
  const bytes = modelBytes(
    [
      {
        opType: "Cast",
        input: ["x"],
        output: ["y"],
        attribute: [{ name: "to", s: new TextEncoder().encode("DOUBLE"), type: 3 }],
      },
    ],
    [valueInfo("x", FLOAT, [2])],
    ["y"],
    [],
    5,
  );
  const g = await ad.onnx.load(bytes);
  assert.equal((g.call(ad.tensor([1, 2])) as ad.Tensor).dtype, "float64");
});

test("ai.onnx.ml: a scikit-learn style Scaler -> LinearRegressor pipeline, Binarizer, OneHotEncoder", async () => {
  const ml = "ai.onnx.ml";
  const floats = (name: string, v: number[]) => ({ name, floats: v, type: 6 });
  const bytes = modelBytes(
    [
      {
        opType: "Scaler",
        domain: ml,
        input: ["x"],
        output: ["s"],
        attribute: [floats("offset", [1, 2]), floats("scale", [0.5, 2])],
      },
      {
        opType: "LinearRegressor",
        domain: ml,
        input: ["s"],
        output: ["y"],
        attribute: [
          floats("coefficients", [3, -1, 1, 1]),
          floats("intercepts", [0.5, 0]),
          { name: "targets", i: 2, type: 2 },
        ],
      },
      {
        opType: "Binarizer",
        domain: ml,
        input: ["x"],
        output: ["b"],
        attribute: [{ name: "threshold", f: 2, type: 1 }],
      },
      {
        opType: "OneHotEncoder",
        domain: ml,
        input: ["x"],
        output: ["h"],
        attribute: [{ name: "cats_int64s", ints: [1, 3], type: 7 }],
      },
    ],
    [valueInfo("x", FLOAT, [2, 2])],
    ["y", "b", "h"],
  );
  const g = await ad.onnx.load(bytes);
  const x = ad.tensor([
    [1, 3],
    [5, 2],
  ]);
  const [y, b, h] = g.call(x) as ad.Tensor[];
  // s = (x - [1, 2]) * [0.5, 2] = [[0, 2], [2, 0]]; y = s W^T + [0.5, 0], W = [[3, -1], [1, 1]]
  assert.deepEqual(y!.toArray(), [
    [-1.5, 2],
    [6.5, 2],
  ]);
  assert.deepEqual(b!.toArray(), [
    [0, 1],
    [1, 0],
  ]);
  assert.deepEqual(h!.toArray(), [
    [
      [1, 0],
      [0, 1],
    ],
    [
      [0, 0],
      [0, 0],
    ],
  ]);
  const dx = ad.grad((t: ad.Tensor) => ad.sum((g.call(t) as ad.Tensor[])[0]!))(x);
  assert.deepEqual(dx.toArray(), [
    [2, 0],
    [2, 0],
  ]);
});

test("onnx.load: opset 18's bitwise operators; BitwiseNot of uint8 and uint16 masks to the type's width", async () => {
  const UINT8 = 2;
  const UINT16 = 4;
  const INT32 = 6;
  const model = (type: number) =>
    modelBytes(
      [
        { opType: "BitwiseNot", input: ["a"], output: ["n"] },
        { opType: "BitwiseAnd", input: ["a", "b"], output: ["x"] },
        { opType: "BitwiseOr", input: ["a", "b"], output: ["y"] },
        { opType: "BitwiseXor", input: ["a", "b"], output: ["z"] },
      ],
      [valueInfo("a", type, [3]), valueInfo("b", type, [3])],
      ["n", "x", "y", "z"],
      [],
      18,
    );
  const a = ad.tensor([0, 5, 200], { dtype: "int32" });
  const b = ad.tensor([255, 12, 7], { dtype: "int32" });
  const expect = (type: number, not: number[]) => async () => {
    const g = await ad.onnx.load(model(type));
    const [n, x, y, z] = g.call(a, b) as ad.Tensor[];
    assert.deepEqual(Array.from(n!.dataSync()), not);
    assert.deepEqual(Array.from(x!.dataSync()), [0, 4, 0]);
    assert.deepEqual(Array.from(y!.dataSync()), [255, 13, 207]);
    assert.deepEqual(Array.from(z!.dataSync()), [255, 9, 207]);
  };
  await expect(INT32, [-1, -6, -201])();
  await expect(UINT8, [255, 250, 55])();
  await expect(UINT16, [65535, 65530, 65335])();
});
