/**
 * @file Reverse-mode semantics: fan-out accumulation, gradients of broadcast operands summed back
 * to the operand's shape, dtypes and shapes of gradients, pytrees, hasAux, vjp, stopGradient and
 * the Jacobian functions' shapes.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import {
  assertClose,
  assertThrowsWith,
  f64,
  numericGrad,
  numericJacobian,
  s64,
  valuesOf,
  withFloat64,
} from "./helpers.js";

const FD = { atol: 1e-7, rtol: 1e-6 };

/** Deterministic float64 values in (-1, 1) of a given shape. */
function filled(shape: readonly number[], seed: number): ad.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(seed * 12.9898 + i * 78.233) * 0.9;
  return ad.tensor(data, { dtype: "float64", shape });
}

test("gradients: fan-out accumulates: f(x) = x*x*x + sin(x)*x, f' = 3x^2 + x cos x + sin x", () => {
  const f = (x: ad.Tensor): ad.Tensor =>
    ad.sum(ad.add(ad.mul(ad.mul(x, x), x), ad.mul(ad.sin(x), x)));
  const xs = [-1.3, -0.2, 0, 0.5, 2.1];
  const g = ad.grad(f)(f64(xs));
  assertClose(
    g,
    xs.map((x) => 3 * x * x + x * Math.cos(x) + Math.sin(x)),
    "gradient",
    { atol: 1e-12, rtol: 1e-12 },
  );
  // The same variable reaching the output through many paths of different lengths.
  const h = (x: ad.Tensor): ad.Tensor => {
    let acc = x;
    for (let i = 0; i < 5; i++) acc = ad.add(acc, ad.mul(x, i + 1));
    return ad.sum(ad.mul(acc, x)); // (1 + 15) x^2 -> 32 x
  };
  assertClose(
    ad.grad(h)(f64(xs)),
    xs.map((x) => 32 * x),
    "many paths",
    { atol: 1e-12 },
  );
});

interface BroadcastCase {
  name: string;
  shapes: [number[], number[]];
  op: (a: ad.Tensor, b: ad.Tensor) => ad.Tensor;
}

const BROADCAST: readonly BroadcastCase[] = [
  { name: "[3] + [2,3]", shapes: [[3], [2, 3]], op: (a, b) => ad.add(a, b) },
  {
    name: "[2,1] * [2,3]",
    shapes: [
      [2, 1],
      [2, 3],
    ],
    op: (a, b) => ad.mul(a, b),
  },
  {
    name: "[1,3] - [4,1,3]",
    shapes: [
      [1, 3],
      [4, 1, 3],
    ],
    op: (a, b) => ad.sub(a, b),
  },
  {
    name: "[4,1,3] / [1,3] (+2)",
    shapes: [
      [4, 1, 3],
      [1, 3],
    ],
    op: (a, b) => ad.div(a, ad.add(b, 2)),
  },
  { name: "0-d * [2,3]", shapes: [[], [2, 3]], op: (a, b) => ad.mul(a, b) },
  { name: "[2,3] * 0-d", shapes: [[2, 3], []], op: (a, b) => ad.mul(ad.sin(a), b) },
  {
    name: "[2,1,4] * [3,1]",
    shapes: [
      [2, 1, 4],
      [3, 1],
    ],
    op: (a, b) => ad.mul(a, b),
  },
];

for (const c of BROADCAST) {
  test(`gradients: broadcast ${c.name}: gradients have the arguments' shapes and match finite differences`, () => {
    const a = filled(c.shapes[0], 1);
    const b = filled(c.shapes[1], 2);
    const outShape = c.op(a, b).shape;
    const w = filled(outShape, 3); // weights so that every output element counts differently
    const loss = (x: ad.Tensor, y: ad.Tensor): ad.Tensor => ad.sum(ad.mul(ad.tanh(c.op(x, y)), w));
    const [ga, gb] = ad.grad(loss, { argnums: [0, 1] })(a, b) as [ad.Tensor, ad.Tensor];
    assert.deepEqual([...ga.shape], c.shapes[0], "shape of the first gradient");
    assert.deepEqual([...gb.shape], c.shapes[1], "shape of the second gradient");
    assertClose(ga, numericGrad(loss, [a, b], 0), "first gradient vs finite differences", FD);
    assertClose(gb, numericGrad(loss, [a, b], 1), "second gradient vs finite differences", FD);
  });
}

test("gradients: keepdims reductions broadcast back: x - mean(x, {axis: 1, keepdims: true})", () => {
  const x = filled([3, 4], 5);
  const w = filled([3, 4], 6);
  const centered = (t: ad.Tensor): ad.Tensor => ad.sub(t, ad.mean(t, { axis: 1, keepdims: true }));
  assert.deepEqual([...ad.mean(x, { axis: 1, keepdims: true }).shape], [3, 1]);
  const loss = (t: ad.Tensor): ad.Tensor => ad.sum(ad.mul(ad.square(centered(t)), w));
  const g = ad.grad(loss)(x);
  assert.deepEqual([...g.shape], [3, 4]);
  assertClose(g, numericGrad(loss, [x]), "vs finite differences", FD);
  // A linear loss has a closed form: d/dx_ij sum(w * (x - mean)) = w_ij - mean_j'(w_i.).
  const linear = (t: ad.Tensor): ad.Tensor => ad.sum(ad.mul(centered(t), w));
  const wv = valuesOf(w);
  const want = wv.map((wij, k) => {
    const i = Math.floor(k / 4);
    const rowMean = (wv[4 * i]! + wv[4 * i + 1]! + wv[4 * i + 2]! + wv[4 * i + 3]!) / 4;
    return wij - rowMean;
  });
  assertClose(ad.grad(linear)(x), want, "linear closed form", { atol: 1e-12, shape: [3, 4] });
});

test("gradients: sum with keepdims then broadcast-subtract (axis 0 and negative axis)", () => {
  const x = filled([2, 3], 7);
  const w = filled([2, 3], 8);
  const loss = (t: ad.Tensor): ad.Tensor => {
    const s0 = ad.sum(t, { axis: 0, keepdims: true }); // [1,3]
    const s1 = ad.sum(t, { axis: -1, keepdims: true }); // [2,1]
    assert.deepEqual([...s0.shape], [1, 3]);
    assert.deepEqual([...s1.shape], [2, 1]);
    return ad.sum(ad.mul(ad.sin(ad.sub(ad.mul(t, s0), s1)), w));
  };
  const g = ad.grad(loss)(x);
  assert.deepEqual([...g.shape], [2, 3]);
  assertClose(g, numericGrad(loss, [x]), "vs finite differences", FD);
});

test("gradients: the gradient of an unused argument is zeros of its shape and dtype", () => {
  const x = f64([1, -2, 3]);
  const y = ad.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "float32" },
  );
  const f = (a: ad.Tensor, _b: ad.Tensor): ad.Tensor => ad.sum(ad.square(a));
  const [gx, gy] = ad.grad(f, { argnums: [0, 1] })(x, y) as [ad.Tensor, ad.Tensor];
  assertClose(gx, [2, -4, 6], "used argument");
  assert.equal(gx.dtype, "float64");
  assert.ok(gy instanceof ad.Tensor, "the unused argument's gradient is a Tensor");
  assert.equal(gy.dtype, "float32");
  assertClose(
    gy,
    [
      [0, 0],
      [0, 0],
    ],
    "unused argument",
  );
  // Also when it is the only differentiated argument, and when f ignores every argument.
  assertClose(
    ad.grad(f, { argnums: 1 })(x, y),
    [
      [0, 0],
      [0, 0],
    ],
    "argnums 1",
  );
  const constant = (_a: ad.Tensor): ad.Tensor => ad.scalar(3, "float64");
  const g0 = ad.grad(constant)(x);
  assert.equal(g0.dtype, "float64");
  assertClose(g0, [0, 0, 0], "constant function");
});

test("gradients: an integer argument to grad is a DTypeError naming the argument", () => {
  const f = (a: ad.Tensor, b: ad.Tensor): ad.Tensor => ad.sum(ad.mul(a, b));
  const ints = ad.tensor([1, 2], { dtype: "int32" });
  const floats = ad.tensor([1, 2], { dtype: "float32" });
  assertThrowsWith(() => ad.grad(f)(ints, floats), ad.DTypeError, ["grad", "argument 0", "int32"]);
  assertThrowsWith(() => ad.grad(f, { argnums: 1 })(floats, ints), ad.DTypeError, [
    "argument 1",
    "int32",
  ]);
  assertThrowsWith(
    () => ad.grad(f, { argnums: [0, 1] })(floats, ad.tensor([true, false])),
    ad.DTypeError,
    ["argument 1", "bool"],
  );
  // An integer argument that is not differentiated is fine.
  assertClose(ad.grad(f)(floats, ints), [1, 2], "int32 argument outside argnums");
});

test("gradients: the gradient's dtype is the argument's dtype (float32, float64, mixed)", () => {
  const f = (a: ad.Tensor, b: ad.Tensor): ad.Tensor => ad.sum(ad.mul(ad.square(a), b));
  const a32 = ad.tensor([1, 2], { dtype: "float32" });
  const b32 = ad.tensor([3, 4], { dtype: "float32" });
  const a64 = f64([1, 2]);
  const b64 = f64([3, 4]);
  const both = { argnums: [0, 1] } as const;
  const [g32a, g32b] = ad.grad(f, both)(a32, b32) as [ad.Tensor, ad.Tensor];
  assert.equal(g32a.dtype, "float32");
  assert.equal(g32b.dtype, "float32");
  assertClose(g32a, [6, 16], "float32 a");
  assertClose(g32b, [1, 4], "float32 b");
  const [g64a, g64b] = ad.grad(f, both)(a64, b64) as [ad.Tensor, ad.Tensor];
  assert.equal(g64a.dtype, "float64");
  assert.equal(g64b.dtype, "float64");
  // Mixed: the computation is promoted to float64, but each gradient keeps its argument's dtype.
  const [gma, gmb] = ad.grad(f, both)(a32, b64) as [ad.Tensor, ad.Tensor];
  assert.equal(gma.dtype, "float32", "float32 argument mixed with float64");
  assert.equal(gmb.dtype, "float64");
  assertClose(gma, [6, 16], "mixed a");
  assertClose(gmb, [1, 4], "mixed b");
  const [gna, gnb] = ad.grad(f, both)(a64, b32) as [ad.Tensor, ad.Tensor];
  assert.equal(gna.dtype, "float64");
  assert.equal(gnb.dtype, "float32");
  // jvp tangents and vjp cotangents follow the same rule.
  const [, back] = ad.vjp(f, a32, b64);
  const cts = back(ad.scalar(1, "float64"));
  assert.equal(cts[0].dtype, "float32");
  assert.equal(cts[1].dtype, "float64");
});

test("gradients: numbers as arguments become 0-d tensors of the default float dtype", () => {
  const f = (x: ad.Tensor | number): ad.Tensor => ad.mul(ad.mul(x, x), x);
  const g = ad.grad(f)(3);
  assert.ok(g instanceof ad.Tensor);
  assert.deepEqual([...g.shape], []);
  assert.equal(g.dtype, ad.getDefaultFloat());
  assert.equal(g.dtype, "float32");
  assertClose(g, 27, "3 x^2 at 3");
  withFloat64(() => {
    const g64 = ad.grad(f)(0.1);
    assert.equal(g64.dtype, "float64");
    assertClose(g64, 3 * 0.1 * 0.1, "float64 default", { atol: 1e-15 });
  });
  // Numbers in several positions and in forward mode.
  const h = (x: ad.Tensor | number, y: ad.Tensor | number): ad.Tensor => ad.mul(x, ad.sin(y));
  const [gx, gy] = ad.grad(h, { argnums: [0, 1] })(2, 0.5) as [ad.Tensor, ad.Tensor];
  assert.deepEqual([...gx.shape], []);
  assertClose(gx, Math.sin(0.5), "d/dx", { atol: 1e-6 });
  assertClose(gy, 2 * Math.cos(0.5), "d/dy", { atol: 1e-6 });
  const [out, tangent] = ad.jvp(f, [2], [1]);
  assert.ok(out instanceof ad.Tensor && tangent instanceof ad.Tensor);
  assertClose(out, 8, "jvp value");
  assertClose(tangent, 12, "jvp tangent");
});

test("gradients: pytree arguments give gradients of the same structure", () => {
  interface Params {
    w: ad.Tensor;
    b: ad.Tensor;
    layers: [ad.Tensor, { scale: ad.Tensor }];
  }
  const params: Params = {
    w: f64([
      [1, 2],
      [3, 4],
    ]),
    b: f64([0.5, -0.5]),
    layers: [f64([1, -1]), { scale: s64(2) }],
  };
  const x = f64([1, 2]);
  const loss = (p: Params, input: ad.Tensor): ad.Tensor => {
    const h = ad.add(ad.matmul(p.w, input), p.b); // [5.5, 10.5]
    const z = ad.mul(ad.mul(h, p.layers[0]), p.layers[1].scale);
    return ad.sum(ad.square(z));
  };
  const g = ad.grad(loss)(params, x) as unknown as Params;
  assert.deepEqual(Object.keys(g).sort(), ["b", "layers", "w"]);
  assert.ok(Array.isArray(g.layers) && g.layers.length === 2);
  assert.deepEqual(Object.keys(g.layers[1]), ["scale"]);
  // z = 2 * [5.5, -10.5] = [11, -21]; dL/dz = 2z = [22, -42]; dL/dh = dL/dz * l0 * s = [44, 84].
  assertClose(g.b, [44, 84], "b");
  assertClose(
    g.w,
    [
      [44, 88],
      [84, 168],
    ],
    "w (outer(dh, x))",
  );
  assertClose(g.layers[0], [22 * 5.5 * 2, -42 * 10.5 * 2], "layers[0]");
  assertClose(g.layers[1].scale, 22 * 5.5 + 42 * 10.5, "layers[1].scale");
  assert.deepEqual([...g.layers[1].scale.shape], []);

  // Arrays of tensors as the argument, and a gradient w.r.t. several pytree arguments.
  const arrLoss = (xs: ad.Tensor[], k: { c: ad.Tensor }): ad.Tensor =>
    ad.mul(ad.add(ad.sum(ad.square(xs[0]!)), ad.sum(ad.mul(xs[1]!, 3))), k.c);
  const [gxs, gk] = ad.grad(arrLoss, { argnums: [0, 1] })([f64([1, 2]), f64([[1], [2]])], {
    c: s64(2),
  }) as unknown as [ad.Tensor[], { c: ad.Tensor }];
  assert.equal(gxs.length, 2);
  assertClose(gxs[0]!, [4, 8], "xs[0]");
  assertClose(gxs[1]!, [[6], [6]], "xs[1]");
  assertClose(gk.c, 5 + 9, "k.c");
});

test("gradients: hasAux returns [grad, aux]; valueAndGrad returns [value, grad] and [[value, aux], grad]", () => {
  const f = (x: ad.Tensor): [ad.Tensor, { sq: ad.Tensor; note: string }] => {
    const sq = ad.square(x);
    return [ad.sum(ad.mul(sq, x)), { sq, note: "aux" }];
  };
  const x = f64([1, -2, 3]);
  const [g, aux] = ad.grad(f, { hasAux: true })(x) as [ad.Tensor, { sq: ad.Tensor; note: string }];
  assertClose(g, [3, 12, 27], "grad with aux");
  assertClose(aux.sq, [1, 4, 9], "aux value");
  assert.equal(aux.note, "aux");
  assert.ok(aux.sq instanceof ad.Tensor);
  assert.equal(
    aux.sq.toArray().toString(),
    "1,4,9",
    "aux is a concrete tensor, readable after grad",
  );

  const [[value, aux2], g2] = ad.valueAndGrad(f, { hasAux: true })(x) as [
    [ad.Tensor, { sq: ad.Tensor }],
    ad.Tensor,
  ];
  assertClose(value, 1 - 8 + 27, "value with aux");
  assertClose(aux2.sq, [1, 4, 9], "aux via valueAndGrad");
  assertClose(g2, [3, 12, 27], "grad via valueAndGrad with aux");

  const plain = (t: ad.Tensor): ad.Tensor => ad.sum(ad.mul(ad.square(t), t));
  const [v3, g3] = ad.valueAndGrad(plain)(x);
  assertClose(v3, 20, "value");
  assertClose(g3, [3, 12, 27], "grad via valueAndGrad");
  const [v4, [ga, gb]] = ad.valueAndGrad((a: ad.Tensor, b: ad.Tensor) => ad.sum(ad.mul(a, b)), {
    argnums: [0, 1],
  })(f64([1, 2]), f64([3, 4])) as [ad.Tensor, [ad.Tensor, ad.Tensor]];
  assertClose(v4, 11, "value with argnums");
  assertClose(ga, [3, 4], "ga");
  assertClose(gb, [1, 2], "gb");
});

test("gradients: vjp's vjpFn can be called twice with different cotangents", () => {
  // f(x) = [x0 * x1, sin(x1), x0^2] with J = [[x1, x0], [0, cos x1], [2 x0, 0]].
  const f = (x: ad.Tensor): ad.Tensor => {
    const [a, b] = ad.split(x, 2) as [ad.Tensor, ad.Tensor];
    return ad.concat([ad.mul(a, b), ad.sin(b), ad.square(a)]);
  };
  const x0 = [0.7, -1.1];
  const [out, back] = ad.vjp(f, f64(x0));
  assertClose(out, [0.7 * -1.1, Math.sin(-1.1), 0.49], "value");
  const jt = (ct: number[]): number[] => [
    ct[0]! * x0[1]! + ct[2]! * 2 * x0[0]!,
    ct[0]! * x0[0]! + ct[1]! * Math.cos(x0[1]!),
  ];
  const first = back(f64([1, 0, 0]));
  const second = back(f64([0.5, 2, -1]));
  const third = back(f64([1, 0, 0]));
  assert.equal(first.length, 1);
  assertClose(first[0], jt([1, 0, 0]), "first call", { atol: 1e-12 });
  assertClose(second[0], jt([0.5, 2, -1]), "second call", { atol: 1e-12 });
  assertClose(third[0], first[0], "third call repeats the first", { atol: 0, rtol: 0 });

  // Several primals: one cotangent per primal, in order.
  const [, back2] = ad.vjp((a: ad.Tensor, b: ad.Tensor) => ad.mul(a, b), f64([1, 2]), f64([3, 4]));
  const [ca, cb] = back2(f64([1, 10]));
  assertClose(ca, [3, 40], "cotangent of a");
  assertClose(cb, [1, 20], "cotangent of b");
});

test("gradients: stopGradient blocks derivatives in reverse and forward mode, at every order", () => {
  const f = (x: ad.Tensor): ad.Tensor => ad.mul(x, ad.stopGradient(x));
  assertClose(ad.grad(f)(s64(3)), 3, "grad of x * sg(x)");
  assertClose(ad.jvp(f, [s64(3)], [s64(1)])[1], 3, "jvp of x * sg(x)");
  const g = (x: ad.Tensor): ad.Tensor => ad.sum(ad.stopGradient(ad.square(x)));
  assertClose(ad.grad(g)(f64([1, 2])), [0, 0], "grad through sg only");
  assertClose(ad.jvp(g, [f64([1, 2])], [f64([1, 1])])[1], 0, "jvp through sg only");
  // x^3 * sg(x): treating c = sg(x) as a constant, f' = 3 x^2 c and f'' = 6 x c.
  const h = (x: ad.Tensor): ad.Tensor => ad.mul(ad.pow(x, 3), ad.stopGradient(x));
  assertClose(ad.grad(h)(s64(2)), 24, "first order");
  assertClose(ad.grad(ad.grad(h))(s64(2)), 24, "second order, reverse over reverse");
  const d = (t: ad.Tensor): ad.Tensor => ad.jvp(h, [t], [ad.onesLike(t)])[1];
  assertClose(ad.jvp(d, [s64(2)], [s64(1)])[1], 24, "second order, forward over forward");
  assertClose(ad.hessian(h)(s64(2)), 24, "hessian");
  // The value is unchanged.
  assertClose(ad.stopGradient(f64([1, 2])), [1, 2], "value");
});

test("gradients: jacobian, jacfwd and jacrev agree with finite differences; shape out ++ in", () => {
  // g(x) = sin(x) * sum(x), x of shape [2,3]: J[i,j,k,l] = cos(x_ij) S [ij = kl] + sin(x_ij).
  const g = (x: ad.Tensor): ad.Tensor => ad.mul(ad.sin(x), ad.sum(x));
  const x = filled([2, 3], 11);
  const xv = valuesOf(x);
  const sum = xv.reduce((a, b) => a + b, 0);
  const want: number[] = [];
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++)
      want.push((i === j ? Math.cos(xv[i]!) * sum : 0) + Math.sin(xv[i]!));
  }
  for (const [name, jac] of [
    ["jacobian", ad.jacobian(g)],
    ["jacfwd", ad.jacfwd(g)],
    ["jacrev", ad.jacrev(g)],
  ] as const) {
    const got = jac(x);
    assert.deepEqual([...got.shape], [2, 3, 2, 3], `${name} shape`);
    assertClose(got, want, `${name} vs closed form`, { atol: 1e-12, shape: [2, 3, 2, 3] });
    assertClose(got, numericJacobian(g, x), `${name} vs finite differences`, {
      ...FD,
      shape: [2, 3, 2, 3],
    });
  }
  // A non-square case: [4] -> [2] (reverse is cheaper) and [2] -> [4] (forward is cheaper).
  const wide = (t: ad.Tensor): ad.Tensor =>
    ad.matmul(
      f64([
        [1, 2, 3, 4],
        [0, -1, 0, 1],
      ]),
      ad.square(t),
    );
  const tall = (t: ad.Tensor): ad.Tensor =>
    ad.matmul(
      f64([
        [1, 2],
        [3, 4],
        [0, 1],
        [-1, 0],
      ]),
      ad.exp(t),
    );
  const xw = f64([1, -1, 0.5, 2]);
  const xt = f64([0.25, -0.5]);
  for (const [fn, arg, shape] of [
    [wide, xw, [2, 4]],
    [tall, xt, [4, 2]],
  ] as const) {
    const num = numericJacobian(fn, arg);
    for (const jac of [ad.jacobian(fn), ad.jacfwd(fn), ad.jacrev(fn)]) {
      assertClose(jac(arg), num, "non-square Jacobian", { ...FD, shape });
    }
  }
});

test("gradients: Jacobians of a 0-d output have the input's shape; of a 0-d input, the output's", () => {
  const scalarOut = (x: ad.Tensor): ad.Tensor => ad.sum(ad.square(x));
  const x = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  for (const jac of [ad.jacobian(scalarOut), ad.jacfwd(scalarOut), ad.jacrev(scalarOut)]) {
    assertClose(
      jac(x),
      [
        [2, 4, 6],
        [8, 10, 12],
      ],
      "0-d output",
    );
  }
  // g(t) = sin(t * c), t 0-d, c = [[1, 2, 3]]: J = c cos(t c), shape [1, 3].
  const c = f64([[1, 2, 3]]);
  const scalarIn = (t: ad.Tensor): ad.Tensor => ad.sin(ad.mul(t, c));
  const t0 = 0.4;
  const want = [[1, 2, 3].map((ci) => ci * Math.cos(t0 * ci))];
  for (const jac of [ad.jacobian(scalarIn), ad.jacfwd(scalarIn), ad.jacrev(scalarIn)]) {
    assertClose(jac(s64(t0)), want, "0-d input", { atol: 1e-12 });
  }
  const both = (t: ad.Tensor): ad.Tensor => ad.exp(ad.mul(t, 2));
  for (const jac of [ad.jacobian(both), ad.jacfwd(both), ad.jacrev(both)]) {
    const got = jac(s64(0.3));
    assert.deepEqual([...got.shape], []);
    assertClose(got, 2 * Math.exp(0.6), "0-d to 0-d", { atol: 1e-12 });
  }
});

test("gradients: jacobian with an argnums array gives one block per argument", () => {
  // h(a, b) = a * b^2 (a: [2], b: [2]): dh/da = diag(b^2), dh/db = diag(2 a b).
  const h = (a: ad.Tensor, b: ad.Tensor): ad.Tensor => ad.mul(a, ad.square(b));
  const a = f64([1, 2]);
  const b = f64([3, -4]);
  for (const jac of [ad.jacobian, ad.jacfwd, ad.jacrev]) {
    const blocks = jac(h, { argnums: [0, 1] })(a, b) as unknown as ad.Tensor[];
    assert.ok(Array.isArray(blocks) && blocks.length === 2, "one block per argument");
    assertClose(
      blocks[0]!,
      [
        [9, 0],
        [0, 16],
      ],
      "d/da",
    );
    assertClose(
      blocks[1]!,
      [
        [6, 0],
        [0, -16],
      ],
      "d/db",
    );
    const onlyB = jac(h, { argnums: 1 })(a, b);
    assertClose(
      onlyB,
      [
        [6, 0],
        [0, -16],
      ],
      "argnums 1",
    );
  }
  // Blocks with different input shapes: k(a [2], m [2,3]) = matmul(a, m) -> [3].
  const k = (v: ad.Tensor, m: ad.Tensor): ad.Tensor => ad.matmul(v, m);
  const m = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const [dv, dm] = ad.jacobian(k, { argnums: [0, 1] })(a, m) as unknown as [ad.Tensor, ad.Tensor];
  assertClose(
    dv,
    [
      [1, 4],
      [2, 5],
      [3, 6],
    ],
    "d/dv = m^T",
  );
  // d out_j / d m_pq = v_p [j = q]
  const wantDm: number[][][] = [0, 1, 2].map((j) =>
    [0, 1].map((p) => [0, 1, 2].map((q) => (j === q ? [1, 2][p]! : 0))),
  );
  assertClose(dm, wantDm, "d/dm, shape [3] ++ [2,3]");
});
