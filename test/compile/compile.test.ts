/**
 * @file The compiler (src/compile): a compiled graph's run equals the graph's eager evaluation
 * (graph.call) bit for bit, with generated JavaScript and with the closure interpreter, on W1's
 * function and gradient (float64 and float32), long scalar chains (the register tape), a mixed
 * graph (matmul, elementwise, reductions, a multi-output op), broadcasting, int and bool ops and
 * slices/pads read in place; fused clusters and the buffer plan are what the stats say, buffers
 * are reused, and running twice gives equal results (no stale state). Then every op of the
 * op-spec table, value and gradient graphs, in both modes.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { type CompiledProgram, compileGraph } from "../../src/compile/program.js";
import { _forceClosureKernels } from "../../src/elementwise/compile.js";
import * as ad from "../../src/index.js";
import { assertRunsMatch } from "../harness/compiled-runs.js";
import { randomFloat32Bits } from "../harness/float32-bits.js";
import { assertSameBits as same } from "../harness/same-bits.js";
import { makeInputs } from "../harness/spec.js";
import { specs } from "../op-specs/index.js";

/** The tensor leaves of a pytree. */
function tensors(tree: unknown): ad.Tensor[] {
  return ad.treeLeaves(tree).filter((l): l is ad.Tensor => l instanceof ad.Tensor);
}

/** Fused kernels the `wasm: true` programs ran as WebAssembly SIMD (checked at the end). */
let wasmKernels = 0;

/**
 * Compiles `f` staged at `args` in every mode, checks each run (twice) against graph.call and
 * returns the generated-code program.
 */
function check(
  what: string,
  f: (...a: ad.Tensor[]) => unknown,
  ...args: ad.Tensor[]
): CompiledProgram {
  const g = ad.makeGraph(f, ...args);
  const want = tensors(g.call(...args));
  const js = compileGraph(g);
  const interp = compileGraph(g, { codegen: false });
  const wasm = compileGraph(g, { wasm: true });
  wasmKernels += wasm.stats.wasm ?? 0;
  assert.equal(interp.stats.mode, "interpreter", `${what}: interpreter mode`);
  for (const [mode, p] of [
    ["js", js],
    ["interpreter", interp],
    ["wasm", wasm],
  ] as const) {
    assertRunsMatch(p, args, want, `${what} (${mode})`);
  }
  return js;
}

function rosenbrock(x: ad.Tensor): ad.Tensor {
  const n = x.shape[0]!;
  const head = ad.slice(x, [0], [n - 1]);
  const tail = ad.slice(x, [1], [n - 1]);
  return ad.sum(ad.add(ad.square(tail.sub(head.square())).mul(100), ad.square(ad.sub(1, head))));
}

const w1x = (n: number, dtype: ad.DType) =>
  ad.tensor(
    Float64Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.37 * i)),
    { shape: [n], dtype },
  );

test("W1 rosenbrock: f fuses into one kernel, its gradient into two (pads and slices read in place)", () => {
  for (const dtype of ["float64", "float32"] as const) {
    const x = w1x(1000, dtype);
    const f = check(`W1 f ${dtype}`, rosenbrock, x);
    assert.equal(f.stats.kernels, 1);
    assert.equal(f.stats.mode, "js");
    const g = check(`W1 grad ${dtype}`, ad.valueAndGrad(rosenbrock), x);
    assert.equal(g.stats.kernels, 2);
    assert.equal(g.stats.fused, 2);
    // The last loop recomputes the two values it reads through pads: nothing is stored.
    assert.equal(g.stats.materialized, 0);
  }
});

test("reassociateSums: long full sums add in 4 lanes (to a tolerance), both modes agree bit for bit", () => {
  for (const n of [5000, 4099, 100]) {
    const x = w1x(n, "float64");
    const g = ad.makeGraph(ad.valueAndGrad(rosenbrock), x);
    const want = tensors(g.call(x));
    const fast = compileGraph(g, { reassociateSums: true });
    const slow = compileGraph(g, { reassociateSums: true, codegen: false });
    const a = fast.run([x]);
    const b = slow.run([x]);
    for (let i = 0; i < a.length; i++) same(a[i]!, b[i]!, `lanes ${n}: js vs interpreter ${i}`);
    // The gradient is elementwise (unchanged); the sum is reordered.
    same(a[1]!, want[1]!, `lanes ${n}: gradient`);
    const got = a[0]!.item();
    const ref = want[0]!.item();
    assert.ok(Math.abs(got - ref) <= 1e-12 * Math.abs(ref), `lanes ${n}: ${got} vs ${ref}`);
    if (n < 4096) assert.ok(Object.is(got, ref), "short sums keep eager's order");
  }
  const x32 = w1x(8192, "float32");
  const g32 = ad.makeGraph(rosenbrock, x32);
  const got = compileGraph(g32, { reassociateSums: true }).run([x32])[0]!.item();
  const ref = (g32.call(x32) as ad.Tensor).item();
  assert.ok(Math.abs(got - ref) <= 1e-6 * Math.abs(ref), `float32: ${got} vs ${ref}`);
});

test("long scalar chains run as a register tape, float64 and float32, with their gradients", () => {
  const chain = (r: ad.Tensor, x0: ad.Tensor): ad.Tensor => {
    let x = x0;
    for (let k = 0; k < 400; k++) x = r.mul(x).mul(ad.sub(1, x));
    return x;
  };
  for (const dtype of ["float64", "float32"] as const) {
    const r = ad.scalar(2.5, dtype);
    const x0 = ad.scalar(0.3, dtype);
    const p = check(`chain ${dtype}`, chain, r, x0);
    assert.equal(p.stats.kernels, 1);
    check(`chain grad ${dtype}`, ad.grad(chain, { argnums: [0, 1] }), r, x0);
    // Mixed in: a transcendental, a comparison and a select in the long chain (generic ops).
    const mixed = (a: ad.Tensor): ad.Tensor => {
      let x = a;
      for (let k = 0; k < 200; k++) x = ad.where(ad.greater(x, 0.5), ad.tanh(x), x.mul(1.5));
      return x;
    };
    check(`generic chain ${dtype}`, ad.valueAndGrad(mixed), ad.scalar(0.7, dtype));
  }
});

test("long loop bodies run as passes with spill arrays (a recurrence on a vector)", () => {
  const chain = (r: ad.Tensor, x0: ad.Tensor): ad.Tensor => {
    let x = x0;
    for (let k = 0; k < 60; k++) x = r.mul(x).mul(ad.sub(1, x)).add(ad.sin(x).mul(1e-3));
    return ad.sum(x.mul(r));
  };
  for (const dtype of ["float64", "float32"] as const) {
    const r = ad.tensor(
      Float64Array.from({ length: 37 }, (_, i) => 2.5 + i / 40),
      { dtype },
    );
    const x0 = ad.tensor(
      Float64Array.from({ length: 37 }, (_, i) => 0.1 + i / 50),
      { dtype },
    );
    const p = check(`vector chain ${dtype}`, chain, r, x0);
    assert.equal(p.stats.kernels, 1);
    check(`vector chain grad ${dtype}`, ad.valueAndGrad(chain, { argnums: [0, 1] }), r, x0);
  }
});

test("a mixed graph: matmul, elementwise, reductions, broadcasting, a multi-output op", () => {
  const a = ad.tensor([
    [1, 2, 3],
    [4, 5, 6.5],
  ]);
  const b = ad.tensor([
    [0.5, -1],
    [2, 0.25],
    [-3, 1],
  ]);
  const row = ad.tensor([0.1, -0.2]);
  const col = ad.tensor([[3], [-4]]);
  const f = (a: ad.Tensor, b: ad.Tensor, row: ad.Tensor, col: ad.Tensor) => {
    const m = ad.matmul(a, b); // [2, 2]
    const h = ad
      .tanh(m.add(row))
      .mul(col)
      .sub(ad.exp(m.mul(0.1)));
    const rows = ad.sum(h, { axis: -1 }); // last-axis sum that ends the cluster
    const all = ad.sum(h.square());
    const [q, r] = ad.linalg.qr(ad.add(a.T, 1));
    const soft = ad.softmax(h, { axis: -1 });
    return [rows, all, ad.sum(q.mul(2)), r.abs(), soft, ad.logsumexp(h)];
  };
  for (const dtype of ["float64", "float32"] as const) {
    const args = [a, b, row, col].map((t) => t.astype(dtype));
    check(`mixed ${dtype}`, f, ...args);
    check(
      `mixed grad ${dtype}`,
      ad.grad(
        (...xs: ad.Tensor[]) => {
          const out = f(xs[0]!, xs[1]!, xs[2]!, xs[3]!);
          return ad
            .sum(out[0]!)
            .add(out[1]!)
            .add(out[2]!)
            .add(ad.sum(out[4]!.mul(out[3]!.sum())));
        },
        { argnums: [0, 1, 2, 3] },
      ),
      ...args,
    );
  }
});

test("broadcasting: scalars, rows, columns, outer products (library), middle axes", () => {
  const x = ad.tensor(
    Float64Array.from({ length: 24 }, (_, i) => Math.sin(i) * 3),
    {
      shape: [2, 3, 4],
    },
  );
  const s = ad.scalar(1.5, "float64");
  const row = ad.tensor([1, -2, 3, 0.5], { dtype: "float64" });
  const col = ad.tensor(Float64Array.from([1, 2, 3, 4, 5, 6]), { shape: [2, 3, 1] });
  const mid = ad.tensor(Float64Array.from([1, 2, 3]), { shape: [3, 1] });
  const lead = ad.tensor(Float64Array.from([7, 8]), { shape: [2, 1, 1] });
  check(
    "broadcast",
    (x, s, row, col, mid, lead) =>
      ad.sum(
        x
          .mul(s)
          .add(row)
          .div(col.add(10))
          .sub(mid)
          .mul(lead)
          .maximum(row.reshape([4, 1]).sum()),
      ),
    x,
    s,
    row,
    col,
    mid,
    lead,
  );
  const u = ad.tensor([1, 2, 3], { dtype: "float64" });
  const v = ad.tensor([[1], [2]], { dtype: "float64" });
  check("outer", (u, v) => u.mul(v).exp().sum({ axis: 0 }), u, v);
});

test("slices and pads of computed values: recomputed at shifted indices, edges guarded", () => {
  const x = ad.tensor(
    Float64Array.from({ length: 30 }, (_, i) => Math.cos(i) * 2),
    {
      shape: [5, 6],
    },
  );
  const f = (x: ad.Tensor) => {
    const y = ad.exp(x.mul(0.5)).sub(x); // [5, 6]
    const rows = ad.slice(y, [1, 0], [3, 6]); // contiguous rows
    const padded = ad.pad(
      rows,
      [
        [2, 0],
        [0, 0],
      ],
      -1.5,
    ); // [5, 6]
    const flat = ad.reshape(y, [30]);
    const shifted = ad.pad(ad.slice(flat, [2], [27]), [[0, 3]], 7); // [30]
    const inner = ad.pad(ad.slice(ad.tanh(shifted), [1], [28]), [[1, 1]]);
    return [padded.mul(y).add(1), shifted.add(flat).mul(inner), ad.sum(padded)];
  };
  for (const dtype of ["float64", "float32"] as const) {
    check(`recompute ${dtype}`, f, x.astype(dtype));
    check(
      `recompute grad ${dtype}`,
      ad.grad((t: ad.Tensor) => {
        const [a, b, c] = f(t);
        return ad.sum(a!).add(ad.sum(b!.square())).add(c!);
      }),
      x.astype(dtype),
    );
  }
  const i = ad.tensor(Int32Array.from({ length: 12 }, (_, k) => k * 7 - 30));
  check("int pads", (i: ad.Tensor) => ad.pad(ad.slice(i.mul(3), [2], [8]), [[1, 3]], 5).add(i), i);
});

test("sums that end a cluster: all, rows, columns, with size-1 axes; reshapes inside clusters", () => {
  const x = ad.tensor(
    Float64Array.from({ length: 60 }, (_, i) => Math.sin(i * 1.3) * 4),
    {
      shape: [3, 1, 4, 5],
    },
  );
  const f = (x: ad.Tensor) => {
    const y = ad.tanh(x).mul(x).add(0.25); // [3,1,4,5]
    return [
      ad.sum(y, { axis: [0, 1, 2] }), // columns: every axis but the last
      ad.sum(y, { axis: 3 }), // rows
      ad.sum(y, { axis: [1, 3] }), // rows (axis 1 has size 1)
      ad.sum(y), // all
      ad.sum(y, { axis: 1 }), // size-preserving: 0 + x
      ad.sum(y, { axis: [0, 2] }), // neither: a library call
      ad
        .reshape(y, [12, 5])
        .mul(ad.reshape(x, [60, 1]).reshape([12, 5]))
        .exp(),
    ];
  };
  for (const dtype of ["float64", "float32"] as const) {
    const p = check(`sums ${dtype}`, f, x.astype(dtype));
    assert.ok(p.stats.fused! >= 1);
    check(
      `sums grad ${dtype}`,
      ad.grad((t: ad.Tensor) => {
        const outs = f(t);
        let total = ad.scalar(0, dtype);
        for (const o of outs) total = total.add(ad.sum(o.square()));
        return total;
      }),
      x.astype(dtype),
    );
  }
  // max, min and product folds, with NaN, -0 and ties.
  const z = ad.tensor([0, -0, 3, Number.NaN, -2, 5, 1.5, -0, 0, 2, 2, -7], { dtype: "float64" });
  const folds = (z: ad.Tensor) => {
    const m = ad.reshape(z.mul(1.5).sub(0.25), [3, 4]);
    const n = ad.reshape(ad.abs(z).add(0.5), [3, 4]);
    return [
      ad.max(m, { axis: 1 }),
      ad.min(m, { axis: 0 }),
      ad.max(n),
      ad.min(ad.reshape(z.neg(), [3, 4]), { axis: 1 }),
      ad.prod(n, { axis: 1 }),
      ad.prod(n, { axis: 0 }),
      ad.prod(n),
      ad.max(ad.reshape(n, [3, 4, 1]), { axis: 2 }),
    ];
  };
  for (const dtype of ["float64", "float32"] as const)
    check(`folds ${dtype}`, folds, z.astype(dtype));
  const zi = ad.tensor(Int32Array.from([3, -4, 7, 0, 9, -1]), { shape: [2, 3] });
  check(
    "int folds",
    (t: ad.Tensor) => [ad.max(t.mul(3), { axis: 1 }), ad.min(t, { axis: 0 }), ad.prod(t.add(2))],
    zi,
  );
  const b = ad.tensor(Uint8Array.from([1, 0, 1, 1, 0, 0]), { shape: [2, 3], dtype: "bool" });
  check(
    "bool sums",
    (b: ad.Tensor) => [ad.sum(b, { axis: 0 }), ad.sum(b, { axis: 1 }), ad.sum(b)],
    b,
  );
});

test("int32 and bool: wrapping arithmetic, comparisons, logic, casts, where, sums of bools", () => {
  const i = ad.tensor(Int32Array.from([2147483647, -5, 7, 0, -2147483648, 3]));
  const j = ad.tensor(Int32Array.from([1, 3, -2, 5, -1, 3]));
  const x = ad.tensor([0.5, -1.5, Number.NaN, 0, -0, 1e10], { dtype: "float64" });
  check(
    "ints",
    (i, j, x) => {
      const k = i.add(j).mul(j).sub(i.abs());
      const b = ad.logicalAnd(ad.greater(k, 0), ad.logicalNot(ad.equal(j, 3)));
      const c = x.astype("int32").add(k).astype("float32");
      const d = ad.where(b, c, x.astype("float32").neg());
      return [k, b, ad.sum(b), d, x.astype("bool"), ad.mod(i, j), ad.floorDivide(i, j), x.floor()];
    },
    i,
    j,
    x,
  );
});

test("the buffer plan reuses dead intermediates and never the inputs; results do not go stale", () => {
  const x = ad.tensor(
    Float64Array.from({ length: 64 }, (_, i) => i / 10),
    { shape: [8, 8] },
  );
  // Each transpose is a library call, so the value before it is materialised.
  const f = (x: ad.Tensor) => {
    let h = x;
    for (let k = 0; k < 6; k++) h = ad.transpose(ad.tanh(h.mul(0.9)).add(1));
    return h.sum();
  };
  const p = check("transposes", f, x);
  assert.equal(p.stats.materialized, 6);
  assert.ok(p.stats.buffers! < p.stats.materialized!, `buffers ${p.stats.buffers}`);
  const before = x.dataSync().slice();
  const first = p.run([x])[0]!.item();
  const y = ad.tensor(
    Float64Array.from({ length: 64 }, (_, i) => -i / 7),
    { shape: [8, 8] },
  );
  const other = p.run([y])[0]!.item();
  assert.notEqual(first, other);
  assert.equal(p.run([x])[0]!.item(), first);
  assert.deepEqual(x.dataSync(), before);
  // An output escapes: a second run does not overwrite the first run's result.
  const g = compileGraph(ad.makeGraph((x: ad.Tensor) => ad.transpose(x.mul(2)).add(1), x));
  const r1 = g.run([x])[0]!;
  const snapshot = r1.dataSync().slice();
  g.run([y]);
  assert.deepEqual(r1.dataSync(), snapshot);
});

test("a value shared through a reshape lives as long as the reshape's result", () => {
  const x = ad.tensor(
    Float64Array.from({ length: 64 }, (_, i) => i / 9 - 3),
    { shape: [8, 8] },
  );
  const f = (x: ad.Tensor) => {
    const a = ad.exp(x.mul(0.1)).mul(2); // stored: a library reshape reads it
    const r = ad.reshape(ad.stopGradient(a), [4, 16]); // shares a's array
    const c = ad.transpose(ad.sin(ad.transpose(x)).add(1)); // same size as a, after a's last read
    return ad.concat([r, ad.reshape(c, [4, 16])], 0);
  };
  const p = check("aliases", f, x);
  assert.ok(p.stats.materialized! >= 2);
});

test("code generation forbidden: the same plan runs interpreted, same bits", () => {
  _forceClosureKernels(true);
  try {
    const x = w1x(500, "float64");
    const g = ad.makeGraph(ad.valueAndGrad(rosenbrock), x);
    const p = compileGraph(g);
    assert.equal(p.stats.mode, "interpreter");
    const want = tensors(g.call(x));
    const got = p.run([x]);
    for (let i = 0; i < got.length; i++) same(got[i]!, want[i]!, `forbidden output ${i}`);
  } finally {
    _forceClosureKernels(false);
  }
});

test("tracer inputs run every equation through bind (grad of a compiled run)", () => {
  const x = w1x(50, "float64");
  const p = compileGraph(ad.makeGraph(rosenbrock, x));
  const viaProgram = ad.grad((t: ad.Tensor) => p.run([t])[0]!)(x);
  same(viaProgram, ad.grad(rosenbrock)(x), "grad through run");
});

// ---- the op-spec table ------------------------------------------------------------------------

for (const spec of specs) {
  if (spec.unstageable !== undefined) continue;
  test(`op table: ${spec.name}: compiled value and gradient graphs equal graph.call`, () => {
    for (const dtype of spec.noFloat32 === true ? ["float64"] : ["float64", "float32"]) {
      spec.shapes.forEach((shapes) => {
        const args = makeInputs(spec, shapes, dtype as ad.DType).map((x) => x.t);
        const label = `${spec.name} ${dtype} [${shapes.map((s) => `[${s.join(",")}]`).join(" ")}]`;
        check(label, spec.fn, ...args);
        const order = spec.order ?? 2;
        const wrt = args.map((_, i) => i).filter((i) => !(spec.constArgs ?? []).includes(i));
        if (order > 0 && wrt.length > 0) {
          const loss = (...xs: ad.Tensor[]) => ad.sum(spec.fn(...xs).astype(dtype as ad.DType));
          const floatArgs = wrt.every((i) => args[i]!.dtype === dtype);
          if (floatArgs && (spec.outDType === undefined || spec.outDType === dtype)) {
            check(`grad ${label}`, ad.grad(loss, { argnums: wrt }), ...args);
          }
        }
      });
    }
  });
}

test("wasm: the checks above ran fused loops as WebAssembly SIMD", () => {
  // Every check() compiles with { wasm: true } too; most of the table's ops have an instruction.
  assert.ok(wasmKernels > 100, `wasm kernels: ${wasmKernels}`);
});

test("wasm: a program constant read by a wasm loop is copied into its memory once, same bits", () => {
  const c = ad.tensor(Float64Array.from({ length: 4096 }, (_, i) => Math.cos(i) * 3));
  const f = (x: ad.Tensor) => ad.add(ad.mul(x, c), ad.square(c));
  const x = ad.tensor(Float64Array.from({ length: 4096 }, (_, i) => Math.sin(i)));
  const program = check("constant operand", f, x);
  assert.equal(program.stats.wasm, 1);
  const y = ad.tensor(Float64Array.from({ length: 4096 }, (_, i) => i / 7));
  same(program.run([y])[0]!, f(y), "second input");
});

test("wasm: by default a program's runs time its wasm loops against their JS versions; every run has eager's bits", () => {
  const x = ad.tensor(Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 2));
  const g = ad.makeGraph(ad.valueAndGrad(rosenbrock), x);
  const program = compileGraph(g);
  assert.ok((program.stats.wasm ?? 0) > 0);
  const [value, grad] = ad.valueAndGrad(rosenbrock)(x);
  // The choice is made within the first 50 runs and again ~300 runs later; runs before, during
  // and after each agree.
  for (let k = 0; k < 400; k++) {
    const [v, dx] = program.run([x]);
    same(v!, value, `value, run ${k}`);
    same(dx!, grad, `gradient, run ${k}`);
  }
});

test("wasm: float32 tanh in lanes equals Math.fround(Math.tanh(x)) bit for bit, uncertain lanes and NaN included", () => {
  // Every class of float32: NaNs, infinities, subnormals, both zeros.
  const data = randomFloat32Bits(1 << 18, 7);
  // A dense sweep through the range where the rounding is decided, and the edges.
  for (let i = 0; i < 65536; i++) data[i] = -12 + (i * 24) / 65536;
  data.set([0, -0, Infinity, -Infinity, Number.NaN, 1e-45, -1e-45, 9.5, -9.5, 9.01, 20], 65536);
  const x = ad.tensor(data, { dtype: "float32" });
  const f = (v: ad.Tensor) => ad.mul(ad.tanh(v), 2);
  const program = check("float32 tanh", f, x);
  assert.equal(compileGraph(ad.makeGraph(f, x), { wasm: true }).stats.wasm, 1);
  assert.ok(program.stats.fused === 1);
});
