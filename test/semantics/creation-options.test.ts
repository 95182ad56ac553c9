/**
 * @file Creation functions take the dtype as `{ dtype }` without placeholder arguments (and keep
 * their positional forms); linspace, logspace and geomspace follow JAX and are differentiable in
 * tensor endpoints; fullLike and full with a tensor value; eye's k.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose, f64, s64 } from "./helpers.js";

test("creation: { dtype } without placeholders, and the positional forms unchanged", () => {
  const dt = (t: ad.Tensor) => t.dtype;
  assert.equal(dt(ad.arange(5, { dtype: "float64" })), "float64");
  assert.deepEqual(ad.arange(2, 5, { dtype: "float64" }).toArray(), [2, 3, 4]);
  assert.deepEqual(ad.arange(0, 10, 3, { dtype: "float32" }).toArray(), [0, 3, 6, 9]);
  assert.equal(dt(ad.arange(0, 5, 1, "float64")), "float64");
  assert.equal(dt(ad.arange(5)), "int32");
  assert.equal(dt(ad.arange(0, 5, null, "float64")), "float64");
  assert.equal(dt(ad.linspace(0, 1, 5, { dtype: "float64" })), "float64");
  assert.equal(dt(ad.linspace(0, 1, 5, "float64")), "float64");
  assert.equal(dt(ad.full([2], 1, { dtype: "int32" })), "int32");
  assert.equal(dt(ad.full([2], 1, "int32")), "int32");
  assert.equal(dt(ad.zeros([2], { dtype: "float64" })), "float64");
  assert.equal(dt(ad.ones([2], { dtype: "int32" })), "int32");
  assert.equal(dt(ad.zerosLike(ad.ones([2]), { dtype: "bool" })), "bool");
  assert.equal(dt(ad.onesLike(ad.ones([2]), { dtype: "float64" })), "float64");
  assert.equal(dt(ad.eye(2, { dtype: "float64" })), "float64");
  assert.equal(dt(ad.eye(2, "int32")), "int32");
  assert.equal(dt(ad.eye(2, 3, { dtype: "int32" })), "int32");
  assert.equal(dt(ad.eye(2, 3, "int32")), "int32");
});

test("creation: option errors name the op and the key", () => {
  assert.throws(
    () => ad.arange(5, { dtyp: "float64" } as unknown as ad.CreationOptions),
    /arange: unknown option "dtyp"; arange accepts \{ dtype \} \(did you mean "dtype"\?\)/,
  );
  assert.throws(
    () => ad.arange(5, { dtype: "float64" }, 2 as unknown as undefined),
    /arange: an options object must be the last argument; got 2 after it/,
  );
  assert.throws(
    () => ad.zeros([2], { dtype: "float16" as ad.DType }),
    /zeros: dtype must be one of float32, float64, int32, bool; got string "float16"/,
  );
  assert.throws(
    () => ad.linspace(0, 1, 3, { endpoints: false } as unknown as ad.LinspaceOptions),
    /linspace: unknown option "endpoints".*did you mean "endpoint"/,
  );
  assert.throws(
    () => ad.linspace(0, 1, -1),
    /linspace: num must be a non-negative integer; got -1/,
  );
  assert.throws(() => ad.eye(2, { k: 0.5 }), /eye: k must be an integer; got 0.5/);
});

test("linspace: JAX semantics (default num 50, endpoint, num 0 and 1, integer dtypes floor)", () => {
  assert.deepEqual(ad.linspace(0, 1).shape, [50]);
  assert.deepEqual(
    ad.linspace(0, 1, 4, { endpoint: false, dtype: "float64" }).toArray(),
    [0, 0.25, 0.5, 0.75],
  );
  assert.deepEqual(ad.linspace(2, 3, 1).toArray(), [2]);
  assert.deepEqual(ad.linspace(2, 3, 0).shape, [0]);
  assert.deepEqual(ad.linspace(-1, 0, 3, "int32").toArray(), [-1, -1, 0]);
  // Tensor endpoints broadcast; the values run along `axis`.
  const a = f64([0, 10]);
  assert.deepEqual(ad.linspace(a, 1, 3).toArray(), [
    [0, 10],
    [0.5, 5.5],
    [1, 1],
  ]);
  assert.deepEqual(ad.linspace(a, 1, 3, { axis: 1 }).toArray(), [
    [0, 0.5, 1],
    [10, 5.5, 1],
  ]);
  assert.equal(ad.linspace(a, 1, 3).dtype, "float64", "the endpoints' float dtype");
  assert.deepEqual(ad.linspace(a, 1, 1, { axis: 1 }).toArray(), [[0], [10]]);
  assert.deepEqual(ad.linspace(a, 1, 0, { axis: 1 }).shape, [2, 0]);
});

test("linspace: differentiable in both endpoints, in both modes, under vmap", () => {
  // sum(linspace(a, b, 5)) = 5 (a + b) / 2: each endpoint has derivative 2.5.
  const total = (a: ad.Tensor, b: ad.Tensor) => ad.sum(ad.linspace(a, b, 5));
  const [ga, gb] = ad.grad(total, { argnums: [0, 1] })(s64(0), s64(4));
  assertClose(ga, 2.5);
  assertClose(gb, 2.5);
  // Without the endpoint: values a + (b - a) i / 4, i = 0..3: d/da = 4 - 1.5 = 2.5, d/db = 1.5.
  const open = (a: ad.Tensor, b: ad.Tensor) => ad.sum(ad.linspace(a, b, 4, { endpoint: false }));
  const [oa, ob] = ad.grad(open, { argnums: [0, 1] })(s64(0), s64(4));
  assertClose(oa, 2.5, "no endpoint, d/da", { atol: 1e-15 });
  assertClose(ob, 1.5, "no endpoint, d/db", { atol: 1e-15 });
  const [, tangent] = ad.jvp((a: ad.Tensor) => ad.linspace(a, 1, 3), [s64(0)], [s64(1)]);
  assertClose(tangent, [1, 0.5, 0]);
  const batched = ad.vmap((a: ad.Tensor) => ad.linspace(a, 1, 3))(f64([0, 2]));
  assertClose(batched, [
    [0, 0.5, 1],
    [2, 1.5, 1],
  ]);
  // A traced endpoint inside a larger computation: d/da of sum(linspace(a, 1, 3)^2).
  const sq = (a: ad.Tensor) => ad.sum(ad.square(ad.linspace(a, 1, 3)));
  // values a, (a + 1) / 2, 1: derivative 2a + (a + 1) / 2.
  assertClose(ad.grad(sq)(s64(2)), 4 + 1.5, "chain", { atol: 1e-14 });
});

test("logspace and geomspace: values, exact geomspace endpoints, derivatives, errors", () => {
  assert.deepEqual(ad.logspace(0, 3, 4, { dtype: "float64" }).toArray(), [1, 10, 100, 1000]);
  assert.deepEqual(ad.logspace(0, 3, 3, { base: 2, endpoint: false }).toArray(), [1, 2, 4]);
  assertClose(
    ad.grad((b: ad.Tensor) => ad.sum(ad.logspace(0, b, 2)))(s64(1)),
    10 * Math.log(10),
    "",
    {
      atol: 1e-12,
    },
  );
  const g = ad.geomspace(3, 7, 5, { dtype: "float64" }).toArray() as number[];
  assert.equal(g[0], 3);
  assert.equal(g[4], 7);
  assertClose(
    ad.geomspace(-1, -1000, 4, { dtype: "float64" }),
    [-1, -10, -100, -1000],
    "negative",
    {
      atol: 1e-12,
    },
  );
  assert.deepEqual(
    ad.geomspace(1, 256, 9, { dtype: "int32" }).toArray(),
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
  // d/ds of sum(s (e / s)^t) at s = 1, e = 4, num 3 (t = 0, 1/2, 1): 1 + (1/2) * 2 + 0 = 2.
  const [gs, ge] = ad.grad((s: ad.Tensor, e: ad.Tensor) => ad.sum(ad.geomspace(s, e, 3)), {
    argnums: [0, 1],
  })(s64(1), s64(4));
  assertClose(gs, 1 + 0.5 * 2, "d/dstart", { atol: 1e-14 });
  assertClose(ge, 0.5 * 0.5 + 1, "d/dstop", { atol: 1e-14 });
  assert.throws(
    () => ad.geomspace(0, 1, 3),
    /geomspace: start and stop must be nonzero and have the same sign; got 0 and 1/,
  );
  assert.throws(() => ad.geomspace(-1, 1, 3), /geomspace: start and stop must be nonzero/);
  // Tensor endpoints of different signs give NaN (JAX), not an error.
  const mixed = ad.geomspace(ad.scalar(-1, "float64"), 1, 3).dataSync();
  assert.ok(Number.isNaN(mixed[1]!), `middle value ${mixed[1]}`);
  assert.throws(
    () => ad.logspace(0, 1, 3, { base: "e" as unknown as number }),
    /logspace: base must be a finite number/,
  );
});

test("fullLike, full with a tensor value, eye's k", () => {
  assert.deepEqual(ad.fullLike(ad.tensor([1, 2], { dtype: "int32" }), 2.5).toArray(), [2, 2]);
  assert.equal(ad.fullLike(f64([1, 2]), 7).dtype, "float64");
  assert.deepEqual(ad.fullLike(ad.zeros([2]), true, { dtype: "bool" }).toArray(), [true, true]);
  // fullLike of a tracer is concrete (only the shape is read).
  const inside = ad.grad((x: ad.Tensor) => {
    const c = ad.fullLike(x, 3);
    assert.ok(c._trace === undefined || c._trace === null, "concrete");
    return ad.sum(ad.mul(x, c));
  })(f64([1, 2]));
  assertClose(inside, [3, 3]);
  assert.deepEqual(ad.full([2, 2], ad.tensor([1, 2])).toArray(), [
    [1, 2],
    [1, 2],
  ]);
  assertClose(ad.grad((v: ad.Tensor) => ad.sum(ad.full([3, 2], v)))(f64([1, 2])), [3, 3]);
  assert.throws(() => ad.full([2], ad.tensor([1, 2, 3])), /broadcastTo/);
  assert.deepEqual(ad.eye(3, { k: 1, dtype: "int32" }).toArray(), [
    [0, 1, 0],
    [0, 0, 1],
    [0, 0, 0],
  ]);
  assert.deepEqual(ad.eye(2, 3, { k: -1 }).toArray(), [
    [0, 0, 0],
    [1, 0, 0],
  ]);
  assert.deepEqual(ad.eye(2, 3, { k: 3 }).toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ]);
});
