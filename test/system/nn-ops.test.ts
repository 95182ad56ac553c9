/**
 * @file Semantics of einsum, conv1d/conv2d and the pooling ops beyond the generated op-spec
 * checks: "same" padding placement, the max-pool tie convention, avgPool's divisor, error
 * messages, and einsum against the matmul / transpose / sum it stands for on random inputs.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { mulberry32 } from "../harness/mulberry32.js";

const f64 = (data: ad.TensorLike, shape?: number[]) =>
  ad.tensor(data, { dtype: "float64", ...(shape ? { shape } : {}) });

/** Deterministic float64 values in (-2, 2) (mulberry32), independent of ad.random. */
function rand(shape: number[], seed: number): ad.Tensor {
  const next = mulberry32(seed);
  const data = new Float64Array(shape.reduce((p, n) => p * n, 1)).map(() => 4 * next() - 2);
  return f64(data, shape);
}

function assertClose(actual: ad.Tensor, expected: ad.Tensor | ad.TensorLike, tol = 1e-12) {
  const e = expected instanceof ad.Tensor ? expected : f64(expected);
  assert.deepEqual(actual.shape, e.shape, "shape");
  const a = actual.dataSync();
  const b = e.dataSync();
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)),
      `element ${i}: ${a[i]} vs ${b[i]}`,
    );
  }
}

/** Asserts that `fn` throws an error of class `type` whose message matches `pattern`. */
function throwsWith(fn: () => unknown, type: typeof ad.AdjointError, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}; got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

// ---- "same" padding ------------------------------------------------------------------------------

test('conv1d "same": the odd extra padding goes at the end (TF/JAX)', () => {
  // x = [1, 2, 3, 4], kernel [1, 1]: one zero of padding in total. At the end: [3, 5, 7, 4];
  // at the start it would be [1, 3, 5, 7].
  const out = ad.conv1d(f64([[[1, 2, 3, 4]]]), f64([[[1, 1]]]), { padding: "same" });
  assertClose(out, [[[3, 5, 7, 4]]]);
});

test('conv2d "same": output ceil(n / stride) and padding split with the extra at the end', () => {
  const x = rand([1, 2, 6, 5], 1);
  const w = rand([3, 2, 3, 3], 2);
  // Height 6, stride 2, kernel 3: total 2*2 + 3 - 6 = 1 -> [0, 1]; width 5: 2*2 + 3 - 5 = 2 -> [1, 1].
  const same = ad.conv2d(x, w, { stride: 2, padding: "same" });
  assert.deepEqual(same.shape, [1, 3, 3, 3]);
  const explicit = ad.conv2d(x, w, {
    stride: 2,
    padding: [
      [0, 1],
      [1, 1],
    ],
  });
  assertClose(same, explicit);
  // An even kernel with unit stride: total padding 1 on each axis, at the bottom and right.
  const w2 = rand([1, 2, 2, 2], 3);
  assertClose(
    ad.conv2d(x, w2, { padding: "same" }),
    ad.conv2d(x, w2, {
      padding: [
        [0, 1],
        [0, 1],
      ],
    }),
  );
  // Dilation widens the kernel: 3 taps with dilation 2 span 5 -> total padding 4, [2, 2].
  assertClose(
    ad.conv2d(x, w, { padding: "same", dilation: 2 }),
    ad.conv2d(x, w, { padding: 2, dilation: 2 }),
  );
});

test("conv2d padding forms: n, [ph, pw] and per-side pairs agree", () => {
  const x = rand([1, 1, 4, 4], 4);
  const w = rand([2, 1, 3, 3], 5);
  const a = ad.conv2d(x, w, { padding: [1, 2] });
  const b = ad.conv2d(x, w, {
    padding: [
      [1, 1],
      [2, 2],
    ],
  });
  assertClose(a, b);
  assertClose(ad.conv2d(x, w, { padding: 1 }), ad.conv2d(x, w, { padding: [1, 1] }));
  assertClose(ad.conv2d(x, w, { padding: "valid" }), ad.conv2d(x, w));
});

test("conv2d groups: each group of output channels sees its own input channels", () => {
  const x = rand([2, 4, 4, 4], 6);
  const w = rand([6, 2, 3, 3], 7);
  const grouped = ad.conv2d(x, w, { groups: 2 });
  const parts = [0, 1].map((g) =>
    ad.conv2d(ad.slice(x, [0, 2 * g], [-1, 2]), ad.slice(w, [3 * g], [3])),
  );
  assertClose(grouped, ad.concat(parts, 1));
});

test("conv1d matches conv2d on height-1 inputs", () => {
  const x = rand([2, 3, 7], 8);
  const w = rand([4, 3, 3], 9);
  const opts = { stride: 2, dilation: 2, padding: [2, 1] as [number, number] };
  const one = ad.conv1d(x, w, opts);
  const two = ad.conv2d(ad.expandDims(x, 2), ad.expandDims(w, 2), {
    stride: [1, 2],
    dilation: [1, 2],
    padding: [
      [0, 0],
      [2, 1],
    ],
  });
  assertClose(one, ad.squeeze(two, 2));
});

test("conv2d: gradients w.r.t. x and w match finite differences to order 2 jointly", () => {
  const x = rand([1, 2, 4, 4], 10);
  const w = rand([2, 2, 2, 2], 11);
  const f = (a: ad.Tensor, b: ad.Tensor) =>
    ad.sum(ad.tanh(ad.conv2d(a, b, { stride: 2, padding: "same" })));
  ad.checkGrads(f, [x, w], { order: 2 });
});

// ---- pooling ------------------------------------------------------------------------------------

test("maxPool2d: a tie shares the derivative equally, in both modes", () => {
  // Window [[3, 3], [1, 0]] has two maxima; window [[2, 5], [5, 5]] has three.
  const x = f64([
    [
      [
        [3, 3, 2, 5],
        [1, 0, 5, 5],
      ],
    ],
  ]);
  const f = (t: ad.Tensor) => ad.maxPool2d(t, 2);
  assertClose(f(x), [[[[3, 5]]]]);
  const g = ad.grad((t: ad.Tensor) => ad.sum(f(t)))(x);
  assertClose(g, [
    [
      [
        [0.5, 0.5, 0, 1 / 3],
        [0, 0, 1 / 3, 1 / 3],
      ],
    ],
  ]);
  // Forward mode: moving all tied elements together moves the max by the same amount.
  const [, tangent] = ad.jvp(f, [x], [ad.onesLike(x)]);
  assertClose(tangent, [[[[1, 1]]]]);
  const jf = ad.jacfwd(f)(x);
  const jr = ad.jacrev(f)(x);
  assertClose(jf, jr);
});

test("maxPool2d: padding never wins, even against negative inputs", () => {
  const x = f64([
    [
      [
        [-5, -4],
        [-3, -2],
      ],
    ],
  ]);
  const out = ad.maxPool2d(x, 2, { stride: 1, padding: 1 });
  assertClose(out, [
    [
      [
        [-5, -4, -4],
        [-3, -2, -2],
        [-3, -2, -2],
      ],
    ],
  ]);
  const g = ad.grad((t: ad.Tensor) => ad.sum(ad.maxPool2d(t, 2, { stride: 1, padding: 1 })))(x);
  assertClose(g, [
    [
      [
        [1, 2],
        [2, 4],
      ],
    ],
  ]);
  // Integer inputs pad with the smallest int32, not 0.
  const xi = ad.tensor(
    [
      [
        [
          [-5, -4],
          [-3, -2],
        ],
      ],
    ],
    { dtype: "int32" },
  );
  assert.deepEqual(ad.maxPool2d(xi, 2, { stride: 1, padding: 1 }).toArray(), [
    [
      [
        [-5, -4, -4],
        [-3, -2, -2],
        [-3, -2, -2],
      ],
    ],
  ]);
});

test("avgPool2d: padding counts as zeros in the divisor (count_include_pad)", () => {
  const out = ad.avgPool2d(ad.ones([1, 1, 3, 3], "float64"), 3, { stride: 1, padding: 1 });
  assertClose(out, [
    [
      [
        [4 / 9, 6 / 9, 4 / 9],
        [6 / 9, 1, 6 / 9],
        [4 / 9, 6 / 9, 4 / 9],
      ],
    ],
  ]);
  // Integer inputs give the default float.
  const xi = ad.tensor(
    [
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ],
    { dtype: "int32" },
  );
  const avg = ad.avgPool2d(xi, 2);
  assert.equal(avg.dtype, ad.getDefaultFloat());
  assert.equal(avg.item(), 2.5);
});

test("pooling: stride defaults to the kernel; non-square kernels and strides", () => {
  const x = rand([2, 3, 6, 6], 12);
  assertClose(ad.maxPool2d(x, 3), ad.maxPool2d(x, 3, { stride: 3 }));
  assert.deepEqual(ad.avgPool2d(x, [2, 3], { stride: [1, 2] }).shape, [2, 3, 5, 2]);
  assert.deepEqual(ad.maxPool2d(x, 4, { stride: 2, padding: "same" }).shape, [2, 3, 3, 3]);
});

// ---- errors -------------------------------------------------------------------------------------

test("conv errors name the op, the argument, the expectation and what came", () => {
  const x = ad.ones([1, 3, 5, 5]);
  throwsWith(
    () => ad.conv2d(x, ad.ones([2, 4, 3, 3])),
    ad.ShapeError,
    /^conv2d: x has 3 channels but w expects 4 \(w\.shape\[1\] \* groups/,
  );
  throwsWith(
    () => ad.conv2d(x, ad.ones([2, 1, 3, 3]), { groups: 2 }),
    ad.ValueError,
    /^conv2d: groups = 2 does not divide the 3 input channels of x/,
  );
  throwsWith(
    () => ad.conv2d(ad.ones([1, 4, 5, 5]), ad.ones([3, 2, 3, 3]), { groups: 2 }),
    ad.ValueError,
    /^conv2d: groups = 2 does not divide the 3 output channels of w/,
  );
  throwsWith(
    () => ad.conv2d(x, ad.ones([2, 3, 6, 3])),
    ad.ShapeError,
    /^conv2d: the kernel height 6 is larger than the padded input height 5/,
  );
  throwsWith(
    () => ad.conv2d(x, ad.ones([2, 3, 3, 3]), { dilation: 3 }),
    ad.ShapeError,
    /^conv2d: the kernel height 7 \(3 taps with dilation 3\) is larger than the padded input height 5/,
  );
  // Padding makes room: the same kernel fits once padded.
  assert.deepEqual(ad.conv2d(x, ad.ones([2, 3, 6, 6]), { padding: 1 }).shape, [1, 2, 2, 2]);
  throwsWith(
    () => ad.conv2d(ad.ones([3, 5, 5]), ad.ones([2, 3, 3, 3])),
    ad.ShapeError,
    /^conv2d: x must be 4-d \(N, C, H, W\); got shape \[3,5,5\]/,
  );
  throwsWith(() => ad.conv2d(x, ad.ones([2, 3, 3])), ad.ShapeError, /^conv2d: w must be 4-d/);
  throwsWith(
    () => ad.conv2d(x, ad.ones([2, 3, 0, 3])),
    ad.ShapeError,
    /^conv2d: w must have at least one kernel tap along each spatial axis; got shape \[2,3,0,3\]/,
  );
  throwsWith(
    () => ad.conv2d(x, ad.ones([2, 3, 3, 3]), { stride: 0 }),
    ad.ValueError,
    /^conv2d: stride must be a positive integer or a pair of them; got 0/,
  );
  throwsWith(
    () => ad.conv2d(x, ad.ones([2, 3, 3, 3]), { padding: "full" as "same" }),
    ad.ValueError,
    /^conv2d: padding must be "same", "valid"/,
  );
  throwsWith(
    () => ad.conv1d(ad.ones([1, 2, 4]), ad.ones([1, 3, 2])),
    ad.ShapeError,
    /^conv1d: x has 2 channels but w expects 3/,
  );
  throwsWith(
    () => ad.conv1d(ad.ones([1, 2, 4]), ad.ones([1, 2, 5])),
    ad.ShapeError,
    /^conv1d: the kernel width 5 is larger than the padded input width 4/,
  );
  throwsWith(
    () => ad.conv1d(ad.ones([1, 2, 4, 4]), ad.ones([1, 2, 2])),
    ad.ShapeError,
    /^conv1d: x must be 3-d \(N, C, W\)/,
  );
});

test("pooling errors", () => {
  const x = ad.ones([1, 1, 4, 4]);
  throwsWith(
    () => ad.maxPool2d(x, 2, { padding: 2 }),
    ad.ValueError,
    /^maxPool2d: padding \[2,2\] of the height must be smaller than the kernel height 2/,
  );
  throwsWith(
    () => ad.avgPool2d(x, 5),
    ad.ShapeError,
    /^avgPool2d: the kernel height 5 is larger than the padded input height 4/,
  );
  throwsWith(() => ad.maxPool2d(ad.ones([4, 4]), 2), ad.ShapeError, /^maxPool2d: x must be 4-d/);
  throwsWith(
    () => ad.maxPool2d(x, [2, 0] as unknown as number),
    ad.ValueError,
    /^maxPool2d: kernel must be a positive integer or a pair of them; got \[2,0\]/,
  );
});

test("einsum errors name the problem and the spec", () => {
  const a = ad.ones([2, 3]);
  const b = ad.ones([3, 4]);
  throwsWith(
    () => ad.einsum("ij,jk->ik", a),
    ad.ValueError,
    /^einsum: spec 'ij,jk->ik' has 2 input terms but 1 operand was given/,
  );
  throwsWith(
    () => ad.einsum("ij->i", a, b),
    ad.ValueError,
    /^einsum: spec 'ij->i' has 1 input term but 2 operands were given/,
  );
  throwsWith(
    () => ad.einsum("ijk,jk->i", a, b),
    ad.ValueError,
    /^einsum: operand 0 has 2 dimensions \(shape \[2,3\]\) but its subscripts 'ijk' name 3/,
  );
  throwsWith(
    () => ad.einsum("...ijk->i", a),
    ad.ValueError,
    /^einsum: operand 0 has 2 dimensions .* but its subscripts '...ijk' need at least 3/,
  );
  throwsWith(
    () => ad.einsum("ij,ik->jk", a, b),
    ad.ValueError,
    /^einsum: index 'i' has size 2 in operand 0 but size 3 in operand 1/,
  );
  throwsWith(
    () => ad.einsum("ii->i", a),
    ad.ValueError,
    /^einsum: index 'i' repeats in operand 0 over dimensions of different sizes 2 and 3/,
  );
  throwsWith(
    () => ad.einsum("ij,jk->iz", a, b),
    ad.ValueError,
    /^einsum: output index 'z' does not appear in any input of spec 'ij,jk->iz'/,
  );
  throwsWith(
    () => ad.einsum("ij,jk->ii", a, b),
    ad.ValueError,
    /^einsum: output index 'i' appears more than once in spec 'ij,jk->ii'/,
  );
  throwsWith(
    () => ad.einsum("i2,jk", a, b),
    ad.ValueError,
    /^einsum: invalid character '2' in spec 'i2,jk'/,
  );
  throwsWith(
    () => ad.einsum("ij->j->i", a),
    ad.ValueError,
    /^einsum: spec 'ij->j->i' has more than one '->'/,
  );
  throwsWith(
    () => ad.einsum("...i...->i", a),
    ad.ValueError,
    /^einsum: input term 0 of spec '...i...->i' has more than one '...'/,
  );
  throwsWith(
    () => ad.einsum("...ij,...jk->...ik", ad.ones([2, 2, 3]), ad.ones([3, 3, 4])),
    ad.ValueError,
    /^einsum: the '...' dimensions of operand 0 and operand 1 do not broadcast \(sizes 2 and 3/,
  );
  throwsWith(() => ad.einsum("ij"), ad.ValueError, /^einsum: expected at least one operand/);
});

// ---- einsum against the ops it stands for -------------------------------------------------------

test("einsum agrees with matmul, transpose, sum and mul on random inputs", () => {
  const a = rand([3, 4], 20);
  const b = rand([4, 5], 21);
  const c = rand([5, 2], 22);
  const d = rand([2, 3], 23);
  const sq = rand([4, 4], 24);
  const ba = rand([2, 3, 4], 25);
  const bb = rand([2, 4, 5], 26);
  const v = rand([4], 27);
  const u = rand([4], 28);
  const cases: [string, ad.Tensor, ad.Tensor][] = [
    ["ij,jk->ik", ad.einsum("ij,jk->ik", a, b), ad.matmul(a, b)],
    ["ij,jk (implicit)", ad.einsum("ij,jk", a, b), ad.matmul(a, b)],
    ["ij,kj->ik", ad.einsum("ij,kj->ik", a, ad.transpose(b)), ad.matmul(a, b)],
    ["ij,jk->ki", ad.einsum("ij,jk->ki", a, b), ad.transpose(ad.matmul(a, b))],
    ["ij->ji", ad.einsum("ij->ji", a), ad.transpose(a)],
    ["ba (implicit: sorted)", ad.einsum("ba", a), ad.transpose(a)],
    ["ij->j", ad.einsum("ij->j", a), ad.sum(a, { axis: 0 })],
    ["ij->", ad.einsum("ij->", a), ad.sum(a)],
    ["ij,ij->", ad.einsum("ij,ij->", a, a), ad.sum(ad.mul(a, a))],
    ["ij,ij->ij", ad.einsum("ij,ij->ij", a, a), ad.mul(a, a)],
    ["i,i (implicit dot)", ad.einsum("i,i", v, u), ad.dot(v, u)],
    ["i,j->ij", ad.einsum("i,j->ij", v, u), ad.outer(v, u)],
    ["ii (implicit trace)", ad.einsum("ii", sq), ad.sum(ad.mul(sq, ad.eye(4, 4, "float64")))],
    ["ii->i", ad.einsum("ii->i", sq), ad.sum(ad.mul(sq, ad.eye(4, 4, "float64")), { axis: 1 })],
    ["bij,bjk->bik", ad.einsum("bij,bjk->bik", ba, bb), ad.matmul(ba, bb)],
    ["...ij,...jk->...ik", ad.einsum("...ij,...jk->...ik", ba, bb), ad.matmul(ba, bb)],
    ["...ij->...ji", ad.einsum("...ij->...ji", ba), ad.swapAxes(ba, -1, -2)],
    ["i...j->j...i", ad.einsum("i...j->j...i", ba), ad.transpose(ba, [2, 1, 0])],
    ["...ij->ij (ellipsis summed)", ad.einsum("...ij->ij", ba), ad.sum(ba, { axis: 0 })],
    ["...j (implicit ellipsis first)", ad.einsum("...j", ba), ba],
    [
      "ij,jk,kl,lm->im (4 operands)",
      ad.einsum("ij,jk,kl,lm->im", a, b, c, d),
      ad.matmul(ad.matmul(ad.matmul(a, b), c), d),
    ],
    [
      "ij,jk,kl,lm (implicit, 4 operands)",
      ad.einsum("ij,jk,kl,lm", a, b, c, d),
      ad.matmul(ad.matmul(ad.matmul(a, b), c), d),
    ],
    [
      "bij,bjk->ik (batch summed)",
      ad.einsum("bij,bjk->ik", ba, bb),
      ad.sum(ad.matmul(ba, bb), { axis: 0 }),
    ],
    [", i -> i (0-d operand)", ad.einsum(", i -> i", f64(2), v), ad.mul(v, 2)],
  ];
  for (const [name, got, want] of cases) {
    assert.deepEqual(got.shape, want.shape, `${name}: shape`);
    const g = got.dataSync();
    const w = want.dataSync();
    for (let i = 0; i < g.length; i++) {
      assert.ok(Math.abs(g[i]! - w[i]!) <= 1e-12 * (1 + Math.abs(w[i]!)), `${name}: element ${i}`);
    }
  }
});

test("einsum: size-1 ellipsis dims broadcast against larger ones", () => {
  const a = rand([2, 1, 3, 4], 30);
  const b = rand([5, 4, 2], 31);
  const out = ad.einsum("...ij,...jk->...ik", a, b);
  assert.deepEqual(out.shape, [2, 5, 3, 2]);
  assertClose(out, ad.matmul(a, b));
  // The broadcast operand's gradient is summed over the stretched dims.
  const ga = ad.grad((t: ad.Tensor) => ad.sum(ad.einsum("...ij,...jk->...ik", t, b)))(a);
  const gm = ad.grad((t: ad.Tensor) => ad.sum(ad.matmul(t, b)))(a);
  assertClose(ga, gm);
});

test("einsum: dtypes promote; integer and bool operands compute exactly", () => {
  const i = ad.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "int32" },
  );
  const out = ad.einsum("ij,jk->ik", i, i);
  assert.equal(out.dtype, "int32");
  assert.deepEqual(out.toArray(), [
    [7, 10],
    [15, 22],
  ]);
  const bools = ad.tensor([true, false, true]);
  assert.deepEqual(ad.einsum("i,i->", bools, bools).toArray(), 2);
  assert.equal(ad.einsum("ij,j->i", i, f64([1, 1])).dtype, "float64");
});

test("einsum: hessian of a quadratic form is A + A^T", () => {
  const A = rand([3, 3], 40);
  const x = rand([3], 41);
  const h = ad.hessian((t: ad.Tensor) => ad.einsum("i,ij,j->", t, A, t))(x);
  assertClose(h, ad.add(A, ad.transpose(A)));
});
