/**
 * @file Typed errors whose messages name the op, the argument, what was expected and what came;
 * and recovery: after an error (in user code or in the library, at any nesting depth) the next
 * transformation behaves as if the failed call never happened.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose, assertThrowsWith, f64, s64 } from "./helpers.js";

test("errors: the error classes are exported from the root and share a base class", () => {
  for (const cls of [ad.ShapeError, ad.DTypeError, ad.ValueError]) {
    const e = new cls("x");
    assert.ok(e instanceof Error);
    assert.ok(e instanceof ad.AdjointError);
    assert.equal(e.name, cls.name);
  }
});

test("errors: grad of a non-scalar output throws the exact API message", () => {
  const f = (x: ad.Tensor): ad.Tensor => ad.mul(x, 2);
  const e = assertThrowsWith(() => ad.grad(f)(f64([1, 2, 3])), ad.ShapeError, []);
  assert.equal(e.message, "grad requires a scalar output; got shape [3]. Use vjp or jacrev");
  const e2 = assertThrowsWith(
    () =>
      ad.grad(f)(
        f64([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ad.ShapeError,
    [],
  );
  assert.equal(e2.message, "grad requires a scalar output; got shape [2,3]. Use vjp or jacrev");
  // A size-1 result of any rank is accepted.
  assertClose(
    ad.grad((x: ad.Tensor) => ad.reshape(ad.sum(x), [1, 1]))(f64([1, 2])),
    [1, 1],
    "size-1 [1,1]",
  );
});

test("errors: shape mismatch in a binary op names the op and both shapes", () => {
  const a = ad.zeros([2, 3]);
  const b = ad.zeros([4]);
  const e = assertThrowsWith(() => ad.add(a, b), ad.ShapeError, [
    "add: cannot broadcast shapes [2,3] and [4]",
  ]);
  assert.equal(e.message, "add: cannot broadcast shapes [2,3] and [4]");
  assertThrowsWith(() => a.mul(b), ad.ShapeError, ["mul", "[2,3]", "[4]"]);
  // The same error from inside a transformation.
  assertThrowsWith(() => ad.grad((x: ad.Tensor) => ad.sum(ad.add(x, b)))(a), ad.ShapeError, [
    "add: cannot broadcast shapes [2,3] and [4]",
  ]);
  assertThrowsWith(() => ad.jvp((x: ad.Tensor) => ad.sub(x, b), [a], [a]), ad.ShapeError, [
    "sub",
    "[2,3]",
    "[4]",
  ]);
});

test("errors: a cotangent of the wrong shape, dtype or structure passed to vjpFn", () => {
  const [, back] = ad.vjp((x: ad.Tensor) => ad.sin(x), f64([1, 2, 3]));
  assertThrowsWith(() => back(f64([1, 2])), ad.ShapeError, ["vjp", "cotangent", "[3]", "[2]"]);
  assertThrowsWith(() => back(f64([[1, 2, 3]])), ad.ShapeError, ["vjp", "[3]", "[1,3]"]);
  assertThrowsWith(() => back(ad.tensor([1, 2, 3], { dtype: "float32" })), ad.DTypeError, [
    "vjp",
    "float64",
    "float32",
  ]);
  // @ts-expect-error the types reject a cotangent of the wrong structure too (this checks JS callers)
  assertThrowsWith(() => back([f64([1, 2, 3])]), ad.ValueError, ["vjp", "structure"]);
  // The failed calls leave vjpFn usable.
  assertClose(back(f64([1, 1, 1]))[0], [Math.cos(1), Math.cos(2), Math.cos(3)], "after the errors");
});

test("errors: ragged nested arrays to tensor are a ValueError", () => {
  assertThrowsWith(() => ad.tensor([[1, 2], [3]]), ad.ValueError, ["tensor", "ragged"]);
  assertThrowsWith(() => ad.tensor([[1, 2], 3]), ad.ValueError, ["tensor", "ragged"]);
  assertThrowsWith(() => ad.tensor([1, [2, 3]]), ad.ValueError, ["tensor", "ragged"]);
  assertThrowsWith(
    () =>
      ad.tensor([
        [[1], [2]],
        [[3], [4, 5]],
      ]),
    ad.ValueError,
    ["tensor", "ragged"],
  );
});

test("errors: an invalid axis to sum is a ValueError naming the op, the axis and the rank", () => {
  const x = ad.zeros([2, 3]);
  assertThrowsWith(() => ad.sum(x, { axis: 2 }), ad.ValueError, ["sum", "axis", "2"]);
  assertThrowsWith(() => ad.sum(x, { axis: -3 }), ad.ValueError, ["sum", "axis", "-3"]);
  assertThrowsWith(() => ad.sum(x, { axis: [0, 0] }), ad.ValueError, ["sum", "axis"]);
  assertThrowsWith(() => x.mean({ axis: 5 }), ad.ValueError, ["mean", "axis", "5"]);
  // Negative axes in range are fine.
  assertClose(
    ad.sum(
      f64([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      { axis: -1 },
    ),
    [6, 15],
    "axis -1",
  );
});

test("errors: reshape to an impossible shape names the op and both shapes", () => {
  const x = ad.zeros([2, 3]);
  const e = assertThrowsWith(() => ad.reshape(x, [4, 2]), ad.ShapeError, ["reshape", "[4,2]"]);
  assert.ok(
    e.message.includes("[2,3]") || e.message.includes("6"),
    `message names the size: ${e.message}`,
  );
  assertThrowsWith(() => x.reshape([4, -1]), ad.ShapeError, ["reshape"]);
  let caught: unknown;
  try {
    ad.reshape(x, [-1, -1]);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ad.AdjointError, "two -1 entries are an adjoint error");
  assert.ok((caught as Error).message.includes("reshape"));
});

test("errors: an out-of-range take index is a ValueError naming the op and the index", () => {
  const x = f64([10, 20, 30]);
  assertThrowsWith(() => ad.take(x, ad.tensor([0, 5], { dtype: "int32" })), ad.ValueError, [
    "take",
    "5",
  ]);
  const m = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assertThrowsWith(() => ad.take(m, ad.tensor([0, 3], { dtype: "int32" }), 1), ad.ValueError, [
    "take",
    "3",
  ]);
  assertThrowsWith(() => ad.take(m, ad.tensor([2], { dtype: "int32" }), 0), ad.ValueError, [
    "take",
    "2",
  ]);
  // Within range it works.
  assertClose(ad.take(x, ad.tensor([2, 0], { dtype: "int32" })), [30, 10], "in range");
});

/** Checks that grad, jvp and hessian all give correct values (after an error). */
function assertCleanState(what: string): void {
  const f = (x: ad.Tensor): ad.Tensor => ad.sum(ad.mul(ad.sin(x), x));
  const xs = [0.5, -1.2];
  const x = f64(xs);
  assertClose(
    ad.grad(f)(x),
    xs.map((v) => Math.cos(v) * v + Math.sin(v)),
    `${what}: grad`,
    { atol: 1e-12 },
  );
  const [value, tangent] = ad.jvp(f, [x], [f64([1, 0])]);
  assertClose(
    value,
    xs.reduce((acc, v) => acc + v * Math.sin(v), 0),
    `${what}: jvp value`,
    { atol: 1e-12 },
  );
  assertClose(tangent, Math.cos(0.5) * 0.5 + Math.sin(0.5), `${what}: jvp tangent`, {
    atol: 1e-12,
  });
  const h = xs.map((v) => 2 * Math.cos(v) - v * Math.sin(v));
  assertClose(
    ad.hessian(f)(x),
    [
      [h[0]!, 0],
      [0, h[1]!],
    ],
    `${what}: hessian`,
    { atol: 1e-12 },
  );
  // Perturbation confusion would show up here if a level were left on the stack.
  const outer = (t: ad.Tensor): ad.Tensor =>
    ad.mul(t, ad.grad((y: ad.Tensor) => ad.mul(t, y))(s64(1)));
  assertClose(ad.grad(outer)(s64(1.5)), 3, `${what}: nested grad`, { atol: 1e-12 });
  // Values computed outside any transformation are concrete.
  const plain = ad.sin(f64([0.5]));
  assert.ok(!plain.toString().includes("traced"), `${what}: an eager result is not a tracer`);
}

test("errors: after user code throws mid-trace inside grad, the next calls work", () => {
  const boom = (x: ad.Tensor): ad.Tensor => {
    ad.mul(x, x);
    throw new Error("user failure");
  };
  assert.throws(() => ad.grad(boom)(f64([1, 2])), /user failure/);
  assertCleanState("after a user error in grad");
  assert.throws(() => ad.jvp(boom, [f64([1, 2])], [f64([1, 1])]), /user failure/);
  assertCleanState("after a user error in jvp");
  assert.throws(() => ad.hessian((x: ad.Tensor) => ad.sum(boom(x)))(f64([1, 2])), /user failure/);
  assertCleanState("after a user error in hessian");
  assert.throws(() => ad.vjp(boom, f64([1, 2])), /user failure/);
  assertCleanState("after a user error in vjp");
});

test("errors: after a library error mid-trace, the next calls work", () => {
  const bad = (x: ad.Tensor): ad.Tensor => ad.sum(ad.add(ad.exp(x), ad.zeros([4], "float64")));
  assertThrowsWith(() => ad.grad(bad)(f64([1, 2, 3])), ad.ShapeError, ["add", "[3]", "[4]"]);
  assertCleanState("after a library error in grad");
  assertThrowsWith(() => ad.jvp(bad, [f64([1, 2, 3])], [f64([1, 1, 1])]), ad.ShapeError, ["add"]);
  assertCleanState("after a library error in jvp");
  assertThrowsWith(() => ad.hessian(bad)(f64([1, 2, 3])), ad.ShapeError, ["add"]);
  assertCleanState("after a library error in hessian");
  assertThrowsWith(() => ad.grad((x: ad.Tensor) => ad.mul(x, 2))(f64([1, 2, 3])), ad.ShapeError, [
    "grad",
  ]);
  assertCleanState("after a non-scalar grad");
  assertThrowsWith(
    () => ad.grad((x: ad.Tensor) => ad.sum(x))(ad.tensor([1], { dtype: "int32" })),
    ad.DTypeError,
    ["argument 0"],
  );
  assertCleanState("after an integer argument");
});

test("errors: an error inside an inner grad inside an outer jvp leaves no residue", () => {
  const inner = (y: ad.Tensor): ad.Tensor => {
    ad.exp(y);
    throw new RangeError("inner failure");
  };
  // Uncaught: propagates through both levels.
  assert.throws(() => ad.jvp((x: ad.Tensor) => ad.grad(inner)(x), [s64(1)], [s64(1)]), RangeError);
  assertCleanState("after an inner error propagated through jvp");
  // Caught inside the outer function: the outer jvp continues and is correct.
  const outer = (x: ad.Tensor): ad.Tensor => {
    try {
      ad.grad(inner)(ad.mul(x, 2));
    } catch {
      // ignored: the outer computation goes on
    }
    return ad.mul(ad.mul(x, x), x);
  };
  const [value, tangent] = ad.jvp(outer, [s64(2)], [s64(1)]);
  assertClose(value, 8, "outer value after a caught inner error");
  assertClose(tangent, 12, "outer tangent after a caught inner error");
  assertClose(ad.grad(outer)(s64(2)), 12, "outer grad after a caught inner error");
  // A library error inside the inner level, caught, then a correct inner grad in the same trace.
  const outer2 = (x: ad.Tensor): ad.Tensor => {
    assert.throws(() =>
      ad.grad((y: ad.Tensor) => ad.sum(ad.add(y, ad.zeros([4], "float64"))))(ad.stack([x, x, x])),
    );
    // d/dy (x * y^2) at y = x is 2x^2, so the outer derivative is 4x.
    return ad.grad((y: ad.Tensor) => ad.mul(x, ad.square(y)))(x);
  };
  assertClose(ad.jvp(outer2, [s64(1.5)], [s64(1)])[1], 6, "nested after an inner library error");
  assertClose(ad.grad(outer2)(s64(1.5)), 6, "grad of nested after an inner library error");
  assertCleanState("after the nested cases");
});

test("errors: invalid options are errors that leave the state unchanged", () => {
  const before = ad.getDefaultFloat();
  assertThrowsWith(() => ad.setDefaultFloat("float16" as "float32"), ad.DTypeError, ["float16"]);
  assert.equal(ad.getDefaultFloat(), before);
  assertThrowsWith(
    () => ad.grad((x: ad.Tensor) => ad.sum(x), { argnums: 3 })(f64([1])),
    ad.ValueError,
    ["argnums"],
  );
  assertThrowsWith(() => ad.tensor([1, 2], { dtype: "float16" as "float32" }), ad.DTypeError, [
    "float16",
  ]);
  assertCleanState("after option errors");
});
