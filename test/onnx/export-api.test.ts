/**
 * @file onnx.save's surface: options checked, the opsets it writes (13 to 21: the op table's
 * first shape groups run on onnxruntime-node at 13, a fifth of them at 21; scatter_add needs 16
 * and the Bitwise operators 18), one OnnxExportError naming every unsupported primitive, non-tensor
 * results rejected, inputs and outputs named by pytree paths, value_info for every value, the
 * model's IR version, and the Graph path equal to the function path.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import protobuf from "onnx-proto";
import * as ad from "../../src/index.js";
import { makeInputs } from "../harness/spec.js";
import { specs } from "../op-specs/index.js";
import { assertClose, runOnnx } from "./export-run.js";

const { onnx } = protobuf;

test("onnx.save checks its options and arguments", async () => {
  const f = (x: ad.Tensor) => x.mul(2);
  const x = ad.ones([2]);
  await assert.rejects(ad.onnx.save(f, [x], { opset: 12 }), {
    name: "ValueError",
    message: /onnx\.save: options\.opset must be an integer in \[13, 21\]; got 12/,
  });
  await assert.rejects(
    ad.onnx.save(f, [x], { opsett: 17 } as ad.SaveOptions),
    /onnx\.save: unknown option "opsett".*did you mean "opset"/,
  );
  await assert.rejects(ad.onnx.save(f, [x], { proto: {} }), {
    name: "MissingDependencyError",
  });
  await assert.rejects(
    ad.onnx.save(42 as unknown as ad.Graph),
    /onnx\.save: program must be a Graph or a function; got 42/,
  );
  await assert.rejects(
    ad.onnx.save((v: ad.Tensor) => [v, 3], [x]),
    /onnx\.save: result leaf out\.1 is the static value 3, not a tensor/,
  );
});

test("onnx.save: one OnnxExportError names every unsupported primitive", async () => {
  const f = (a: ad.Tensor) => {
    const [w] = ad.linalg.eigh(ad.tile(a, [6, 6]));
    const [, s] = ad.linalg.svd(ad.tile(a, [6, 6]));
    return ad.sum(w!).add(ad.sum(s!));
  };
  await assert.rejects(ad.onnx.save(f, [ad.eye(3)]), (e: unknown) => {
    assert.ok(e instanceof ad.OnnxExportError);
    assert.deepEqual([...e.unsupported].sort(), ["eigh", "svd"]);
    assert.match(
      e.message,
      /onnx\.save: no ONNX form \(opset 18\) for 2 primitives eigh \(eigh is unrolled for matrices up to 16 rows; got 18\), svd \(svd is unrolled for min\(m, n\) up to 16; got 18\)/,
    );
    return true;
  });
  // A primitive of the user's own has no ONNX form: named, once, with the others.
  const cube = ad.definePrimitive({
    name: "onnx_test_cube",
    shape: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
    impl: ([x]) => x!.dataSync().map((v: number) => v ** 3),
    jvp: ([x], [dx]) => (dx ? ad.mul(ad.mul(3, ad.square(x!)), dx) : null),
    vjp: (ct, [x]) => [ad.mul(ct, ad.mul(3, ad.square(x!)))],
  });
  const cubed = (x: ad.Tensor) => ad.bind(cube, [x], undefined);
  await assert.rejects(
    ad.onnx.save((x: ad.Tensor) => cubed(cubed(x)), [ad.ones([2])]),
    {
      name: "OnnxExportError",
      message: "onnx.save: no ONNX form (opset 18) for the primitive onnx_test_cube",
    },
  );
  await assert.rejects(
    ad.onnx.save((x: ad.Tensor) => ad.bitwiseAnd(x, 3), [ad.tensor([1, 2], { dtype: "int32" })], {
      opset: 17,
    }),
    /bitwise_and \(BitwiseAnd needs opset 18\)/,
  );
});

test("onnx.save: names from pytree paths, value_info, IR version, Graph = function", async () => {
  const f = (p: { w: ad.Tensor; b: ad.Tensor }, x: ad.Tensor) => {
    const y = ad.matmul(x, p.w).add(p.b);
    return { y, norm: ad.sum(ad.square(y)) };
  };
  const args = [{ w: ad.ones([3, 2]), b: ad.zeros([2]) }, ad.ones([4, 3])] as const;
  const bytes = await ad.onnx.save(f, [...args], { opset: 21, name: "affine" });
  const model = onnx.ModelProto.decode(bytes);
  assert.equal(Number(model.irVersion), 10);
  assert.equal(Number(model.opsetImport[0]!.version), 21);
  const graph = model.graph as InstanceType<typeof onnx.GraphProto>;
  assert.equal(graph.name, "affine");
  assert.deepEqual(
    graph.input.map((i) => i.name),
    ["arg0.w", "arg0.b", "arg1"],
  );
  assert.deepEqual(
    graph.output.map((o) => o.name),
    ["out.y", "out.norm"],
  );
  const dims = (v: (typeof graph.output)[number]) =>
    v.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue));
  assert.deepEqual(dims(graph.output[0]!), [4, 2]);
  assert.deepEqual(dims(graph.output[1]!), []);
  // Every node output has its dtype and shape recorded.
  const known = new Set([
    ...graph.valueInfo.map((v) => v.name),
    ...graph.output.map((o) => o.name),
  ]);
  const produced = graph.node.flatMap((n) => n.output);
  assert.ok(graph.valueInfo.length > 0);
  for (const v of graph.valueInfo) assert.ok(produced.includes(v.name!), `${v.name} is produced`);
  assert.ok(known.size > 2);
  const fromGraph = await ad.onnx.save(ad.makeGraph(f, ...args), [], { opset: 21, name: "affine" });
  assert.deepEqual(fromGraph, bytes);
  const [y, norm] = await runOnnx(bytes, [...args]);
  const want = f(...args);
  assertClose(y!, want.y, "y");
  assertClose(norm!, want.norm, "norm");
});

// Opset 13 (the oldest written, where reductions take axes as attributes) over the whole table;
// opset 21 (the newest) over every fifth op, as only the IR version and no lowering changes there.
for (const [opset, every] of [
  [13, 1],
  [21, 5],
] as const) {
  test(`onnx.save at opset ${opset}: the op table (first shape groups) runs on onnxruntime-node like adjoint`, async () => {
    let ran = 0;
    for (const [i, spec] of specs.entries()) {
      if (spec.unstageable !== undefined || i % every !== 0) continue;
      const dtype: ad.DType = spec.noFloat32 === true ? "float64" : "float32";
      const args = makeInputs(spec, spec.shapes[0]!, dtype).map((x) => x.t);
      const g = ad.makeGraph(spec.fn, ...args);
      let bytes: Uint8Array;
      try {
        bytes = await ad.onnx.save(g, [], { opset });
      } catch (e) {
        assert.ok(e instanceof ad.OnnxExportError, String(e));
        const allowed: string[] = [];
        if (opset < 16) allowed.push("scatter_add");
        if (opset < 18) allowed.push("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not");
        for (const p of e.unsupported) assert.ok(allowed.includes(p), `${spec.name}: ${e.message}`);
        continue;
      }
      const session = dtype === "float64" ? { graphOptimizationLevel: "basic" } : undefined;
      const [got] = await runOnnx(bytes, args, undefined, session);
      assertClose(got!, g.call(...args) as ad.Tensor, `${spec.name} @${opset}`);
      ran++;
    }
    assert.ok(ran > 390 / every, `${ran} ops ran`);
  });
}
