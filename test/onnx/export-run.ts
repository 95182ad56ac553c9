/**
 * @file Test helpers for ONNX export: run an exported model on onnxruntime-node (or any ORT
 * flavour passed in) with adjoint tensors as inputs, and compare the outputs with adjoint's.
 */

import assert from "node:assert/strict";
import * as ortNode from "onnxruntime-node";
import * as ad from "../../src/index.js";

/** The part of an onnxruntime module the tests use (onnxruntime-node and -web share it). */
export type Ort = Pick<typeof ortNode, "InferenceSession" | "Tensor">;

type OrtTensorLike = ortNode.Tensor;

export const ortNodeModule: Ort = ortNode;

/** An adjoint tensor as an ORT tensor. */
export function toOrt(ort: Ort, t: ad.Tensor): ortNode.Tensor {
  const data = t.dataSync();
  const dims = [...t.shape];
  switch (t.dtype) {
    case "float32":
      return new ort.Tensor("float32", data as Float32Array, dims);
    case "float64":
      return new ort.Tensor("float64", data as Float64Array, dims);
    case "int32":
      return new ort.Tensor("int32", data as Int32Array, dims);
    case "bool":
      return new ort.Tensor("bool", data as Uint8Array, dims);
  }
}

/** An ORT output as an adjoint tensor. */
export function fromOrt(t: OrtTensorLike): ad.Tensor {
  const dtype: ad.DType =
    t.type === "float32"
      ? "float32"
      : t.type === "float64"
        ? "float64"
        : t.type === "bool"
          ? "bool"
          : "int32";
  const values = Array.from(t.data as ArrayLike<number | bigint | boolean>, (v) => Number(v));
  return ad.tensor(values, { dtype, shape: [...t.dims] });
}

/** Runs model bytes on ORT with the tensor leaves of `args` as inputs (in order). */
export async function runOnnx(
  bytes: Uint8Array,
  args: readonly unknown[],
  ort: Ort = ortNodeModule,
  sessionOptions?: object,
): Promise<ad.Tensor[]> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const leaves = ad.treeLeaves(args).filter((l): l is ad.Tensor => l instanceof ad.Tensor);
  assert.equal(session.inputNames.length, leaves.length, "model inputs vs tensor leaves");
  const feeds: Record<string, ortNode.Tensor> = {};
  session.inputNames.forEach((n, i) => {
    feeds[n] = toOrt(ort, leaves[i]!);
  });
  const out = await session.run(feeds);
  return session.outputNames.map((n) => fromOrt(out[n]!));
}

/** Asserts ORT's output equals adjoint's to a relative tolerance (exact for ints and bools). */
export function assertClose(
  actual: ad.Tensor,
  expected: ad.Tensor,
  what: string,
  rtol?: number,
): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  const tol =
    rtol ?? (expected.dtype === "float64" ? 1e-12 : expected.dtype === "float32" ? 1e-5 : 0);
  let scale = 0;
  for (let i = 0; i < e.length; i++)
    if (Number.isFinite(e[i])) scale = Math.max(scale, Math.abs(e[i]!));
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (x === y) continue;
    // Relative to the element plus the tensor's scale (values that cancel to near 0 carry the
    // rounding of their larger terms).
    if (Math.abs(x - y) <= tol * (Math.abs(y) + scale)) continue;
    assert.fail(`${what}: element ${i} is ${x}; adjoint gives ${y} (rtol ${tol})`);
  }
}
