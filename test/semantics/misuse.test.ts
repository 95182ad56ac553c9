/**
 * @file Misuse that used to give silently wrong answers (issue 9, section 3): each case is now
 * a typed error whose message names the op, or the right result; after every error the library
 * is in a clean state (the next transformation works as if the failed call never happened).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import * as ad from "../../src/index.js";
import { assertClose, assertThrowsWith, f64, s64 } from "./helpers.js";

/** grad, jvp, vjp and vmap give exact closed-form results (no level left on the stack). */
function assertClean(what: string): void {
  const f = (x: ad.Tensor): ad.Tensor => ad.sum(ad.mul(ad.sin(x), x));
  const xs = [0.5, -1.2];
  assertClose(
    ad.grad(f)(f64(xs)),
    xs.map((v) => Math.cos(v) * v + Math.sin(v)),
    `${what}: grad`,
    { atol: 1e-12 },
  );
  assertClose(ad.jvp(f, [f64(xs)], [f64([1, 0])])[1], Math.cos(0.5) * 0.5 + Math.sin(0.5), what);
  const rows = ad.vmap((r: ad.Tensor) => ad.sum(ad.square(r)))(
    f64([
      [1, 2],
      [3, 4],
    ]),
  );
  assertClose(rows, [5, 25], `${what}: vmap`);
  const outer = (t: ad.Tensor): ad.Tensor =>
    ad.mul(t, ad.grad((y: ad.Tensor) => ad.mul(t, y))(s64(1)));
  assertClose(ad.grad(outer)(s64(1.5)), 3, `${what}: nested grad`, { atol: 1e-12 });
  assert.equal(
    ad
      .sin(f64([0.5]))
      .toString()
      .includes("Traced"),
    false,
    `${what}: concrete`,
  );
}

test("misuse: grad of a constant JS number is zeros (JAX's answer); of {loss} or [loss] an error", () => {
  // d/dx 3 = 0: a constant output is differentiable, as in JAX (grad(lambda x: 3.)(x) is 0).
  assertClose(ad.grad((_x: ad.Tensor) => 3)(ad.ones([3], "float64")), [0, 0, 0], "constant number");
  const loss = (x: ad.Tensor): ad.Tensor => ad.sum(ad.square(x));
  const e1 = assertThrowsWith(
    () => ad.grad((x: ad.Tensor) => ({ loss: loss(x) }) as unknown as ad.Tensor)(f64([1, 2])),
    ad.ValueError,
    [
      "grad requires a scalar output",
      "an object {loss: leaf}",
      "Return the scalar itself",
      "hasAux",
    ],
  );
  assert.ok(e1.message.length < 300, e1.message);
  assertClean("after {loss}");
  assertThrowsWith(
    () => ad.grad((x: ad.Tensor) => [loss(x)] as unknown as ad.Tensor)(f64([1, 2])),
    ad.ValueError,
    ["grad requires a scalar output", "an array [leaf]"],
  );
  assertThrowsWith(
    () => ad.valueAndGrad((x: ad.Tensor) => [loss(x)] as unknown as ad.Tensor)(f64([1, 2])),
    ad.ValueError,
    ["valueAndGrad requires a scalar output"],
  );
  assertThrowsWith(
    () => ad.grad((() => undefined) as unknown as (x: ad.Tensor) => ad.Tensor)(f64([1])),
    ad.ValueError,
    ["grad requires a scalar output", "returned undefined", "missing return"],
  );
  assertClean("after [loss]");
});

test("misuse: reading a traced value (item, dataSync, toArray, data) is a TracerError", async () => {
  const x2 = s64(2);
  // The classic: x * x.item() would give 2 (x.item() detached), not 4.
  const e = assertThrowsWith(
    () => ad.grad((x: ad.Tensor) => ad.mul(x, x.item() as number))(x2),
    ad.TracerError,
    ["item: cannot read the value", "grad", "stopGradient"],
  );
  assert.ok(e.message.length < 500);
  assertClean("after item under grad");
  for (const read of [
    (x: ad.Tensor) => x.dataSync(),
    (x: ad.Tensor) => x.toArray(),
    (x: ad.Tensor) => x.item(),
  ]) {
    assertThrowsWith(
      () => ad.grad((x: ad.Tensor) => ad.mul(x, read(x) as unknown as number))(x2),
      ad.TracerError,
      ["cannot read the value"],
    );
    assertThrowsWith(
      () => ad.jvp((x: ad.Tensor) => ad.mul(x, read(x) as unknown as number), [x2], [s64(1)]),
      ad.TracerError,
      ["cannot read the value", "jvp"],
    );
    assertThrowsWith(
      () => ad.vjp((x: ad.Tensor) => ad.mul(x, read(x) as unknown as number), x2),
      ad.TracerError,
      ["cannot read the value", "vjp"],
    );
  }
  // data() is async: the promise rejects with the same error.
  let pending: Promise<unknown> | null = null;
  ad.grad((x: ad.Tensor) => {
    pending = x.data();
    return x;
  })(x2);
  await assert.rejects(pending!, ad.TracerError);
  // Inside vmap, the batch message (as before).
  assertThrowsWith(
    () => ad.vmap((r: ad.Tensor) => ad.mul(r, r.sum().item() as number))(f64([[1, 2]])),
    ad.TracerError,
    ["item", "vmap"],
  );
  // The deliberate way: stopGradient(x) is a constant, readable, and the derivative says so.
  assertClose(
    ad.grad((x: ad.Tensor) => ad.mul(x, ad.stopGradient(x).item() as number))(x2),
    2,
    "stopGradient(x).item() is a constant",
  );
  // Non-float results are not traced: branching on a comparison still works under grad.
  const relu = (x: ad.Tensor): ad.Tensor => (x.greater(0).item() ? x : ad.mul(x, 0));
  assertClose(ad.grad(relu)(x2), 1, "branch on a comparison");
  assertClean("after read-outs");
});

test("misuse: printing a tracer never throws and says it is traced", () => {
  let shown = "";
  let inVmap = "";
  ad.grad((x: ad.Tensor) => {
    shown = x.toString();
    return ad.sum(x);
  })(f64([1, 2]));
  assert.match(
    shown,
    /^Traced<float64\[2\]>\(grad, level \d+\) tensor\(\[1\., 2\.\], dtype=float64\)$/,
  );
  ad.vmap((r: ad.Tensor) => {
    inVmap = `${r}`;
    return r;
  })(f64([[1, 2]]));
  assert.match(inVmap, /^Traced<float64\[2\]>\(vmap, level \d+\)$/);
  assert.doesNotThrow(() => inspect({ x: ad.scalar(1) }));
});

test("misuse: a tracer that escapes vmap, grad or jvp is a TracerError when used", async () => {
  let leaked: ad.Tensor | null = null;
  const keep = (x: ad.Tensor): ad.Tensor => {
    leaked = x;
    return ad.sum(x);
  };
  const cases: [string, () => unknown][] = [
    [
      "vmap",
      () =>
        ad.vmap(keep)(
          f64([
            [1, 2],
            [3, 4],
          ]),
        ),
    ],
    ["grad", () => ad.grad(keep)(f64([1, 2]))],
    ["jvp", () => ad.jvp(keep, [f64([1, 2])], [f64([1, 1])])],
  ];
  for (const [name, run] of cases) {
    run();
    const escaped = leaked!;
    // An op on it, even inside a new transformation at the same level, must not use its data.
    assertThrowsWith(() => ad.add(escaped, 1), ad.TracerError, ["add", "escaped tracer", name]);
    assertThrowsWith(
      () => ad.grad((y: ad.Tensor) => ad.sum(ad.mul(y, escaped)))(f64([1, 2])),
      ad.TracerError,
      ["mul", "escaped tracer"],
    );
    assertThrowsWith(() => escaped.item(), ad.TracerError, ["item", "escaped tracer"]);
    assert.match(escaped.toString(), new RegExp(`escaped from ${name}`));
    assertClean(`after an escaped ${name} tracer`);
  }
  // Used after an await: the transformation returned at the first await.
  let later: Promise<ad.Tensor> | null = null;
  ad.vmap((x: ad.Tensor) => {
    later = (async () => {
      await null;
      return ad.mul(x, 2);
    })();
    return x;
  })(f64([[1], [2]]));
  await assert.rejects(later!, (err: unknown) => {
    assert.ok(err instanceof ad.TracerError);
    assert.match(err.message, /mul: .*escaped tracer/);
    return true;
  });
  assertClean("after a use after await");
});

test("misuse: a '__proto__' key (JSON.parse) is an ordinary parameter everywhere", () => {
  const PROTO = "__proto__"; // read as a key (p[PROTO]), not the prototype accessor
  const params = JSON.parse('{"__proto__": 1.5, "w": 2}') as Record<string, ad.Tensor>;
  const loss = (p: Record<string, ad.Tensor>): ad.Tensor =>
    ad.add(ad.square(p[PROTO] as ad.Tensor), ad.mul(3, p.w!));
  const g = ad.grad(loss)(params) as Record<string, ad.Tensor>;
  assert.deepEqual(Object.keys(g), ["__proto__", "w"]);
  assert.equal(Object.getPrototypeOf(g), Object.prototype);
  assertClose(Object.getOwnPropertyDescriptor(g, "__proto__")!.value as ad.Tensor, 3, "d/dp");
  assertClose(g.w!, 3, "d/dw");
  const [out, back] = ad.vjp((p: Record<string, ad.Tensor>) => p, params);
  assert.deepEqual(Object.keys(out), ["__proto__", "w"]);
  const [ct] = back(JSON.parse('{"__proto__": 1, "w": 1}')) as [Record<string, ad.Tensor>];
  assert.deepEqual(Object.keys(ct), ["__proto__", "w"]);
  const batched = ad.vmap((p: Record<string, ad.Tensor>) => ad.treeMap((t) => ad.mul(t, 2), p))({
    [PROTO]: f64([3, 4]),
    w: f64([1, 2]),
  });
  assert.deepEqual(Object.keys(batched), ["__proto__", "w"]);
  assertClose(batched[PROTO]!, [6, 8], "vmap keeps the __proto__ leaf");
  const jac = ad.jacobian((p: Record<string, ad.Tensor>) => p[PROTO] as ad.Tensor)(
    JSON.parse('{"__proto__": 2, "w": 1}'),
  ) as Record<string, ad.Tensor>;
  assert.deepEqual(Object.keys(jac), ["__proto__", "w"]);
  const numbers = JSON.parse('{"__proto__": 1.5, "w": 2}') as Record<string, number>;
  const mapped = ad.treeMap((x: number) => x + 1, numbers);
  assert.deepEqual(Object.keys(mapped), ["__proto__", "w"]);
  assert.equal(Object.getOwnPropertyDescriptor(mapped, "__proto__")!.value, 2.5);
});

test("misuse: a cyclic pytree is a ValueError naming the path", () => {
  const p: { w: ad.Tensor; self?: unknown; list: unknown[] } = { w: f64([1]), list: [] };
  p.list.push(p);
  const e = assertThrowsWith(() => ad.grad((q: typeof p) => ad.sum(q.w))(p), ad.ValueError, [
    "cyclic",
    "tree.list[0]",
    "same object as tree",
  ]);
  assert.ok(!(e instanceof RangeError));
  assertThrowsWith(() => ad.treeLeaves(p), ad.ValueError, ["treeLeaves", "cyclic"]);
  // Shared (non-cyclic) subtrees are fine.
  const shared = f64([1, 2]);
  assertClose(
    ad.grad((t: ad.Tensor[]) => ad.sum(ad.mul(t[0]!, t[1]!)))([shared, shared])[0]!,
    [1, 2],
    "",
  );
  assertClean("after a cyclic tree");
});

test("misuse: a shape too large to allocate is a ValueError naming the op, shape and bytes", () => {
  assertThrowsWith(() => ad.zeros([100000, 100000]), ad.ValueError, [
    "zeros: cannot allocate",
    "[100000,100000]",
    "10000000000 float32 elements (37.3 GB)",
  ]);
  assertThrowsWith(() => ad.ones([1e6, 1e6], "float64"), ad.ValueError, ["ones", "float64"]);
  const v = ad.ones([100000]);
  assertThrowsWith(() => ad.mul(ad.reshape(v, [100000, 1]), v), ad.ValueError, [
    "mul: cannot allocate",
    "[100000,100000]",
  ]);
  assertThrowsWith(() => ad.broadcastTo(v, [100000, 100000]), ad.ValueError, ["cannot allocate"]);
  assertClean("after an allocation failure");
});

test("misuse: scalar and int32 data reject values they cannot hold", () => {
  assertThrowsWith(() => ad.scalar("x" as unknown as number), ad.ValueError, [
    'scalar: value must be a number or boolean; got string "x"',
  ]);
  assertThrowsWith(() => ad.scalar([1, 2] as unknown as number), ad.ValueError, [
    "scalar",
    "[1,2]",
    "ad.tensor",
  ]);
  assertThrowsWith(() => ad.scalar(1, "int8" as ad.DType), ad.DTypeError, ["scalar", "int8"]);
  // NumPy/JAX refuse Python ints that overflow int32; fractions must be rounded explicitly.
  assertThrowsWith(() => ad.tensor([1e10], { dtype: "int32" }), ad.ValueError, [
    "tensor: data[0] = 10000000000 is outside the int32 range",
  ]);
  assertThrowsWith(
    () =>
      ad.tensor(
        [
          [1, 2],
          [3, 2.5],
        ],
        { dtype: "int32" },
      ),
    ad.ValueError,
    ["data[1][1] = 2.5 is not an integer"],
  );
  assertThrowsWith(() => ad.scalar(2 ** 31, "int32"), ad.ValueError, ["int32 range"]);
  assertThrowsWith(() => ad.add(ad.tensor([1], { dtype: "int32" }), 1e10), ad.ValueError, [
    "int32 range",
  ]);
  assert.deepEqual(
    ad.tensor([-2147483648, 2147483647], { dtype: "int32" }).toArray(),
    [-2147483648, 2147483647],
  );
  // astype truncates on purpose.
  assert.deepEqual(ad.tensor([2.7, -2.7]).astype("int32").toArray(), [2, -2]);
  assertClean("after bad scalars");
});

test("misuse: unknown or malformed options name the op and the option", () => {
  const x = ad.ones([2, 3]);
  assertThrowsWith(() => ad.sum(x, "garbage" as unknown as ad.ReduceOptions), ad.ValueError, [
    'sum: options must be an object with keys { axis, keepdims }; got string "garbage"',
  ]);
  assertThrowsWith(() => ad.sum(x, { axes: 0 } as unknown as ad.ReduceOptions), ad.ValueError, [
    'sum: unknown option "axes"; sum accepts { axis, keepdims } (did you mean "axis"?)',
  ]);
  assertThrowsWith(() => x.mean({ keepDims: true } as ad.ReduceOptions), ad.ValueError, [
    '"keepDims"',
    'did you mean "keepdims"',
  ]);
  assertThrowsWith(() => ad.softmax(x, { dim: 0 } as { axis?: number }), ad.ValueError, [
    "softmax",
    '"dim"',
  ]);
  assertThrowsWith(() => ad.gelu(x, { approx: true } as { approximate?: boolean }), ad.ValueError, [
    "gelu",
    '"approx"',
  ]);
  const f = (a: ad.Tensor): ad.Tensor => ad.sum(a);
  assertThrowsWith(
    () => ad.grad(f, { argnums: null } as unknown as { argnums: number }),
    ad.ValueError,
    ["grad: argnums must be an integer or an array of integers; got null"],
  );
  assertThrowsWith(
    () => ad.grad(f, { argnums: "0" } as unknown as { argnums: number }),
    ad.ValueError,
    ["grad: argnums", 'string "0"'],
  );
  assertThrowsWith(
    () => ad.grad(f, { argnums: ["0"] } as unknown as { argnums: number[] }),
    ad.ValueError,
    ["grad: argnums entries must be integers", "not a string"],
  );
  assertThrowsWith(() => ad.grad(f, { hasaux: true } as { hasAux?: boolean }), ad.ValueError, [
    'grad: unknown option "hasaux"',
    'did you mean "hasAux"',
  ]);
  assertThrowsWith(
    () => ad.grad(f, { hasAux: "yes" } as unknown as { argnums: 0 }),
    ad.ValueError,
    ["hasAux must be true or false"],
  );
  assertThrowsWith(() => ad.vmap(f, { inAxis: 0 } as ad.VmapOptions), ad.ValueError, [
    'vmap: unknown option "inAxis"',
    'did you mean "inAxes"',
  ]);
  assertThrowsWith(() => ad.jacrev(f, { argnum: 0 } as { argnums?: number }), ad.ValueError, [
    "jacrev",
    '"argnum"',
  ]);
  assertThrowsWith(() => ad.hessian(f, { hasAux: true } as { argnums?: number }), ad.ValueError, [
    "hessian",
    '"hasAux"',
  ]);
  assertThrowsWith(
    () =>
      ad.scan((c: ad.Tensor, y: ad.Tensor) => [c, y], s64(0), f64([1]), { lenght: 1 } as {
        length?: number;
      }),
    ad.ValueError,
    ["scan", '"lenght"', 'did you mean "length"'],
  );
  assertClean("after bad options");
});

test("misuse: hasAux without a pair, a non-function, new Tensor() and a string operand", () => {
  const e = assertThrowsWith(
    () =>
      ad.grad(((x: ad.Tensor) => ad.sum(x)) as unknown as (x: ad.Tensor) => [ad.Tensor, null], {
        hasAux: true,
      })(f64([1])),
    ad.ValueError,
    [
      "grad: with hasAux: true, the function must return a pair [value, aux]",
      "got Tracer(float64[])",
    ],
  );
  assert.ok(e instanceof ad.AdjointError);
  assertThrowsWith(() => ad.grad("nope" as unknown as () => ad.Tensor), ad.ValueError, [
    'grad: f must be a function; got string "nope"',
  ]);
  assertThrowsWith(() => ad.vmap(42 as unknown as () => ad.Tensor), ad.ValueError, [
    "vmap: f must be a function",
  ]);
  assertThrowsWith(() => ad.jvp(null as unknown as () => ad.Tensor, [], []), ad.ValueError, [
    "jvp: f",
  ]);
  const Ctor = ad.Tensor as unknown as new () => ad.Tensor;
  assertThrowsWith(() => new Ctor(), ad.ValueError, [
    "Tensor: the constructor is internal",
    "ad.tensor",
  ]);
  assertThrowsWith(() => ad.add(ad.ones([2]), "s" as unknown as number), ad.ValueError, [
    'add: argument y must be a Tensor, number, boolean or nested array; got string "s"',
  ]);
  assertThrowsWith(() => ad.mul({} as unknown as number, 2), ad.ValueError, [
    "mul: argument x",
    "{}",
  ]);
  assertThrowsWith(() => ad.exp("e" as unknown as number), ad.ValueError, [
    "exp: argument x",
    '"e"',
  ]);
  assertClean("after typed misuse errors");
});

test("misuse: an async function under grad rejects later without an unhandled rejection", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on("unhandledRejection", onUnhandled);
  try {
    const f = async (x: ad.Tensor): Promise<ad.Tensor> => {
      await new Promise((r) => setTimeout(r, 1));
      return ad.sum(ad.mul(x, x)); // x escaped: this throws a TracerError
    };
    assertThrowsWith(
      () => ad.grad(f as unknown as (x: ad.Tensor) => ad.Tensor)(f64([1, 2])),
      ad.TracerError,
      ["grad: the function returned a Promise"],
    );
    assertThrowsWith(
      () => ad.vmap(f as unknown as (x: ad.Tensor) => ad.Tensor)(f64([[1, 2]])),
      ad.TracerError,
      ["vmap: the function returned a Promise"],
    );
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  assertClean("after an async function");
});

test("misuse: scan over zero-length xs returns [0, ...] ys of the step's shape and dtype", () => {
  const step = (c: ad.Tensor, x: ad.Tensor): [ad.Tensor, { y: ad.Tensor; i: ad.Tensor }] => [
    ad.add(c, ad.sum(x)),
    { y: ad.mul(x, 2), i: ad.tensor([1, 2, 3], { dtype: "int32" }) },
  ];
  const [carry, ys] = ad.scan(step, s64(5), ad.zeros([0, 4], "float64"));
  assertClose(carry, 5, "carry unchanged");
  assert.deepEqual(ys.y.shape, [0, 4]);
  assert.equal(ys.y.dtype, "float64");
  assert.deepEqual(ys.i.shape, [0, 3]);
  assert.equal(ys.i.dtype, "int32");
  // With xs null and length 0.
  const [, ys2] = ad.scan((c: ad.Tensor) => [c, ad.stack([c, c])], s64(1), null, { length: 0 });
  assert.deepEqual((ys2 as ad.Tensor).shape, [0, 2]);
  // Under grad the dummy step records nothing and the gradient is the carry's.
  const g = ad.grad((c0: ad.Tensor) => {
    const [c, y] = ad.scan(step, c0, ad.zeros([0, 2], "float64"));
    return ad.add(ad.mul(c, 3), ad.sum(y.y));
  })(s64(1));
  assertClose(g, 3, "grad through an empty scan");
  assertClean("after empty scans");
});

test("misuse: error messages stay short when a big tensor is passed where a shape or axis goes", () => {
  const big = ad.zeros([1000]);
  const x = ad.ones([2, 3]);
  const bad = big as unknown;
  const attempts: [string, () => unknown][] = [
    ["reshape", () => ad.reshape(x, bad as number[])],
    ["zeros", () => ad.zeros(bad as number[])],
    ["sum axis", () => ad.sum(x, { axis: bad as number })],
    ["transpose", () => ad.transpose(x, bad as number[])],
    ["tile", () => ad.tile(x, bad as number[])],
    ["broadcastTo", () => ad.broadcastTo(x, bad as number[])],
    ["slice", () => ad.slice(x, bad as number[])],
    ["pad", () => ad.pad(x, bad as number)],
    ["softmax", () => ad.softmax(x, { axis: bad as number })],
    ["tensor options", () => ad.tensor([1], bad as ad.TensorOptions)],
    ["grad argnums", () => ad.grad((a: ad.Tensor) => ad.sum(a), { argnums: bad as number })],
  ];
  for (const [name, run] of attempts) {
    let caught: unknown = null;
    try {
      run();
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ad.AdjointError, `${name}: a typed error (got ${String(caught)})`);
    const message = (caught as Error).message;
    assert.ok(
      message.length < 400,
      `${name}: ${message.length} characters: ${message.slice(0, 200)}`,
    );
    assert.ok(!message.includes("0., 0., 0."), `${name}: no buffer in ${message}`);
  }
});

test("misuse: console.log of tensors and pytrees of them prints like toString()", () => {
  const t = ad.tensor([1, 2]);
  assert.equal(inspect(t), t.toString());
  const tree = { w: ad.tensor([[1, 2]], { dtype: "float64" }), b: [ad.scalar(0.5)] };
  const shown = inspect(tree);
  assert.ok(shown.includes("w: tensor([[1., 2.]], dtype=float64)"), shown);
  assert.ok(shown.includes("b: [ tensor(0.5, dtype=float32) ]"), shown);
  assert.ok(!shown.includes("_buf") && !shown.includes("_trace"), shown);
});
