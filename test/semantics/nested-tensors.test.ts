/**
 * @file Nested arrays that hold tensors (traced or not) become tensors by stacking, as jnp.array
 * and autograd do: values, dtypes, derivatives in both modes, vmap, and ragged errors.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose, f64, s64 } from "./helpers.js";

test("nested tensors: tensor() stacks tensors and numbers, level by level", () => {
  const x = f64([1, 2]);
  const y = f64([3, 4]);
  assertClose(ad.tensor([x, ad.add(y, 2)]), [
    [1, 2],
    [5, 6],
  ]);
  const mixed = ad.tensor([
    [s64(1), 2],
    [true, ad.sum(x)],
  ]);
  assert.equal(mixed.dtype, "float64", "numbers and booleans adopt the tensors' dtype");
  assertClose(mixed, [
    [1, 2],
    [1, 3],
  ]);
  assert.equal(ad.tensor([ad.scalar(1, "int32"), 2]).dtype, "int32");
  assert.equal(ad.tensor([ad.scalar(1, "int32"), 2.5]).dtype, "float32");
  const reshaped = ad.tensor([x, y], { dtype: "float32", shape: [4] });
  assert.equal(reshaped.dtype, "float32");
  assertClose(reshaped, [1, 2, 3, 4]);
  // A typed array beside a tensor.
  assertClose(ad.tensor([new Float64Array([7, 8]), x]), [
    [7, 8],
    [1, 2],
  ]);
});

test("nested tensors: ops take them as arguments (mean of a list of tensors)", () => {
  const x = f64([1, 2]);
  assertClose(ad.mean([x, ad.add(x, 2)]), 2.5);
  assertClose(ad.add([x, x], 1), [
    [2, 3],
    [2, 3],
  ]);
});

test("nested tensors: derivatives flow to every tensor inside, in both modes and at order 2", () => {
  const w = f64([
    [1, 2],
    [3, 4],
  ]);
  const f = (a: ad.Tensor) =>
    ad.sum(
      ad.mul(
        ad.tensor([
          [a, ad.mul(a, a)],
          [3, ad.sin(a)],
        ]),
        w,
      ),
    );
  const a = 0.5;
  const d1 = 1 + 2 * 2 * a + 4 * Math.cos(a);
  const d2 = 4 - 4 * Math.sin(a);
  assertClose(ad.grad(f)(s64(a)), d1, "grad", { atol: 1e-14 });
  assertClose(ad.jvp(f, [s64(a)], [s64(1)])[1], d1, "jvp", { atol: 1e-14 });
  assertClose(ad.grad(ad.grad(f))(s64(a)), d2, "second order (reverse)", { atol: 1e-14 });
  const fwdTwice = (t: ad.Tensor) => ad.jvp(f, [t], [s64(1)])[1];
  assertClose(ad.jvp(fwdTwice, [s64(a)], [s64(1)])[1], d2, "second order (forward)", {
    atol: 1e-14,
  });
  // ad.mean([x, x + 2]) as a function of x: the gradient is 1/n everywhere.
  const g = ad.grad((x: ad.Tensor) => ad.mean([x, ad.add(x, 2)]))(f64([1, 2, 3]));
  assertClose(g, [1 / 3, 1 / 3, 1 / 3], "mean of a list", { atol: 1e-15 });
  // Rows that are tensors: the Jacobian of tensor([x, 2x]) is [[I], [2I]].
  const j = ad.jacrev((x: ad.Tensor) => ad.tensor([x, ad.mul(x, 2)]))(f64([1, 2]));
  assertClose(j, [
    [
      [1, 0],
      [0, 1],
    ],
    [
      [2, 0],
      [0, 2],
    ],
  ]);
});

test("nested tensors: vmap over a function that builds a tensor from traced pieces", () => {
  const out = ad.vmap((a: ad.Tensor) => ad.tensor([a, ad.mul(a, 2), 1]))(f64([1, 2, 3]));
  assertClose(out, [
    [1, 2, 1],
    [2, 4, 1],
    [3, 6, 1],
  ]);
  const rows = ad.vmap((r: ad.Tensor) => ad.tensor([[r], [ad.neg(r)]]))(
    f64([
      [1, 2],
      [3, 4],
    ]),
  );
  assert.deepEqual(rows.shape, [2, 2, 1, 2]);
  assertClose(rows, [
    [[[1, 2]], [[-1, -2]]],
    [[[3, 4]], [[-3, -4]]],
  ]);
});

test("nested tensors: ragged nesting and bad leaves are errors naming the place", () => {
  const x = f64([1, 2]);
  assert.throws(
    () => ad.tensor([x, f64([1, 2, 3])]),
    /tensor: data is ragged: data\[1\] has shape \[3\] but data\[0\] has shape \[2\]/,
  );
  assert.throws(
    () => ad.tensor([x, 1]),
    /tensor: data is ragged: data\[1\] has shape \[\] but data\[0\] has shape \[2\]/,
  );
  assert.throws(
    () => ad.tensor([x, "s"] as unknown as ad.TensorLike),
    /tensor: data\[1\] must be a Tensor, number or boolean .*got string "s"/,
  );
  // Number-only ragged data keeps its own message.
  assert.throws(() => ad.tensor([[1, 2], [3]]), /expected data\[1\] to have length 2/);
});
