/**
 * @file NumPy indexing (`x.index(...)`) and JAX-style functional updates (`x.at(...).set/add/mul/
 * min/max`), checked property-based (fast-check) against a plain-JS implementation of NumPy's
 * indexing rules written here, over random shapes and random index expressions: values, gradients
 * (the gradient of sum(w * x[idx]) is w scattered into zeros), jvp against vjp, vmap against a
 * loop; then fixed cases checked against NumPy's output, second derivatives and the errors.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as ad from "../../src/index.js";

// ---- a plain-JS reference of NumPy indexing -----------------------------------------------------

/** One index item in a test-side form, convertible both to adjoint's items and to the reference's. */
type RefItem =
  | { t: "int"; v: number }
  | { t: "slice"; start: number | null; stop: number | null; step: number | null }
  | { t: "new" }
  | { t: "ell" }
  | { t: "arr"; shape: number[]; data: number[] }
  | { t: "mask"; shape: number[]; data: boolean[] };

const prod = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Python's slice.indices(n) followed by len(range(...)). */
function sliceIndices(n: number, start: number | null, stop: number | null, step: number | null) {
  const st = step ?? 1;
  const lo = st > 0 ? 0 : -1;
  const hi = st > 0 ? n : n - 1;
  const clamp = (v: number) => (v < 0 ? Math.max(v + n, lo) : Math.min(v, hi));
  const b = start === null ? (st > 0 ? 0 : n - 1) : clamp(start);
  const e = stop === null ? (st > 0 ? n : -1) : clamp(stop);
  const len = st > 0 ? Math.max(0, Math.ceil((e - b) / st)) : Math.max(0, Math.ceil((b - e) / -st));
  return { first: b, step: st, len };
}

/** Row-major coordinates of flat position p in shape. */
function unravel(p: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = p % shape[d]!;
    p = Math.floor(p / shape[d]!);
  }
  return c;
}

function ravel(c: readonly number[], shape: readonly number[]): number {
  let p = 0;
  for (let d = 0; d < shape.length; d++) p = p * shape[d]! + c[d]!;
  return p;
}

/**
 * NumPy's x[items] for x of `shape`: the output shape and, per output element in row-major order,
 * the flat position in x it comes from. Written from NumPy's documentation, element by element.
 */
function refIndex(
  shape: readonly number[],
  items: readonly RefItem[],
): { shape: number[]; src: number[] } {
  // Masks become one integer array per axis they cover (nonzero), each a separate item.
  type Arr = { shape: number[]; data: number[] };
  type E =
    | { t: "int"; v: number }
    | { t: "slice"; s: RefItem & { t: "slice" } }
    | { t: "new" }
    | { t: "arr"; a: Arr };
  const expanded: (E | { t: "ell" })[] = [];
  for (const it of items) {
    if (it.t === "mask") {
      const hits: number[][] = [];
      for (let p = 0; p < it.data.length; p++) if (it.data[p]) hits.push(unravel(p, it.shape));
      for (let d = 0; d < it.shape.length; d++) {
        expanded.push({ t: "arr", a: { shape: [hits.length], data: hits.map((h) => h[d]!) } });
      }
    } else if (it.t === "arr") expanded.push({ t: "arr", a: { shape: it.shape, data: it.data } });
    else if (it.t === "slice") expanded.push({ t: "slice", s: it });
    else expanded.push(it);
  }
  const consumed = expanded.filter((e) => e.t !== "new" && e.t !== "ell").length;
  const full: E[] = [];
  const whole: RefItem & { t: "slice" } = { t: "slice", start: null, stop: null, step: null };
  for (const e of expanded) {
    if (e.t === "ell")
      for (let i = 0; i < shape.length - consumed; i++) full.push({ t: "slice", s: whole });
    else full.push(e);
  }
  while (full.filter((e) => e.t !== "new").length < shape.length)
    full.push({ t: "slice", s: whole });
  const hasArr = full.some((e) => e.t === "arr");
  // Advanced items (arrays, and integers when arrays are present) and their broadcast shape.
  const advPos: number[] = [];
  full.forEach((e, i) => {
    if (e.t === "arr" || (hasArr && e.t === "int")) advPos.push(i);
  });
  const advArrays: Arr[] = advPos.map((i) => {
    const e = full[i]!;
    return e.t === "arr" ? e.a : { shape: [], data: [(e as { v: number }).v] };
  });
  const bnd = Math.max(0, ...advArrays.map((a) => a.shape.length));
  const bshape = new Array<number>(bnd).fill(1);
  for (const a of advArrays) {
    a.shape.forEach((n, d) => {
      const o = bnd - a.shape.length + d;
      if (n !== 1) bshape[o] = n;
    });
  }
  const adjacent = advPos.every((p, j) => j === 0 || p === advPos[j - 1]! + 1);
  // Output dimensions, each saying what drives it.
  type Dim =
    | { kind: "slice"; axis: number; first: number; step: number; len: number }
    | { kind: "new" }
    | { kind: "b"; d: number };
  const dims: Dim[] = [];
  if (hasArr && !adjacent) for (let d = 0; d < bnd; d++) dims.push({ kind: "b", d });
  const axisOf: number[] = [];
  let axis = 0;
  full.forEach((e, i) => {
    if (e.t === "new") {
      dims.push({ kind: "new" });
      axisOf.push(-1);
      return;
    }
    axisOf.push(axis);
    if (e.t === "slice") {
      const r = sliceIndices(shape[axis]!, e.s.start, e.s.stop, e.s.step);
      dims.push({ kind: "slice", axis, ...r });
    } else if (hasArr && adjacent && i === advPos[0]) {
      for (let d = 0; d < bnd; d++) dims.push({ kind: "b", d });
    }
    axis++;
  });
  const outShape = dims.map((d) =>
    d.kind === "slice" ? d.len : d.kind === "new" ? 1 : bshape[d.d]!,
  );
  const src: number[] = [];
  const total = prod(outShape);
  for (let p = 0; p < total; p++) {
    const oc = unravel(p, outShape);
    const b = new Array<number>(bnd).fill(0);
    const xc = new Array<number>(shape.length).fill(0);
    dims.forEach((d, k) => {
      if (d.kind === "slice") xc[d.axis] = d.first + d.step * oc[k]!;
      else if (d.kind === "b") b[d.d] = oc[k]!;
    });
    full.forEach((e, i) => {
      const a = axisOf[i]!;
      if (a < 0) return;
      const n = shape[a]!;
      let v: number | null = null;
      if (e.t === "int" && !hasArr) v = e.v;
      else if (e.t === "int" || e.t === "arr") {
        const arr = advArrays[advPos.indexOf(i)]!;
        const ac = arr.shape.map((m, d) => (m === 1 ? 0 : b[bnd - arr.shape.length + d]!));
        v = arr.data[ravel(ac, arr.shape)]!;
      }
      if (v !== null) xc[a] = v < 0 ? v + n : v;
    });
    src.push(ravel(xc, shape));
  }
  return { shape: outShape, src };
}

/** The test-side items as adjoint's index items (several spellings, chosen by `style`). */
function toItems(items: readonly RefItem[], style: number): ad.IndexItem[] {
  return items.map((it, i) => {
    const spell = (style + i) % 2 === 0;
    switch (it.t) {
      case "int":
        return spell ? it.v : String(it.v);
      case "slice": {
        if (spell) return ad.s(it.start, it.stop, it.step);
        const part = (v: number | null) => (v === null ? "" : String(v));
        return `${part(it.start)}:${part(it.stop)}${it.step === null ? "" : `:${it.step}`}`;
      }
      case "new":
        return spell ? ad.newaxis : "None";
      case "ell":
        return "...";
      case "arr":
        return ad.tensor(Int32Array.from(it.data), { dtype: "int32", shape: it.shape });
      default:
        // A mask. An empty JS array reads as integers (as in NumPy), so empty masks are bool tensors.
        return spell || it.data.length === 0
          ? ad.tensor(it.data, { dtype: "bool" }).reshape(it.shape)
          : nest(it.data, it.shape);
    }
  });
}

function nest<T>(data: readonly T[], shape: readonly number[]): ad.TensorLike {
  if (shape.length === 0) return data[0] as unknown as ad.TensorLike;
  const n = shape[0]!;
  const step = prod(shape.slice(1));
  return Array.from({ length: n }, (_, i) =>
    nest(data.slice(i * step, (i + 1) * step), shape.slice(1)),
  );
}

// ---- generators ---------------------------------------------------------------------------------

/** A shape and a valid index expression for it. */
const caseArb = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) },
      { weight: 1, arbitrary: fc.constant(0) },
    ),
    {
      minLength: 0,
      maxLength: 4,
    },
  )
  .chain((shape) => {
    const nd = shape.length;
    return fc
      .record({
        count: fc.integer({ min: 0, max: nd }),
        kinds: fc.array(fc.constantFrom("int", "slice", "slice", "arr", "mask"), {
          minLength: nd,
          maxLength: nd,
        }),
        useEllipsis: fc.boolean(),
        ellipsisAt: fc.nat(),
        newaxes: fc.array(fc.nat(), { maxLength: 2 }),
        bshape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }),
        seed: fc.integer(),
        style: fc.nat(),
      })
      .map(({ count, kinds, useEllipsis, ellipsisAt, newaxes, bshape, seed, style }) => {
        let rnd = seed >>> 0 || 1;
        const next = () => {
          rnd = (rnd * 1103515245 + 12345) >>> 0;
          return rnd / 2 ** 32;
        };
        const randInt = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
        // The axes indexed: with an ellipsis, a leading and a trailing run (the ellipsis between
        // them stands for the rest); without one, the leading `count` axes.
        const lead = useEllipsis ? ellipsisAt % (count + 1) : count;
        const axes = [
          ...Array.from({ length: lead }, (_, i) => i),
          ...Array.from({ length: count - lead }, (_, i) => nd - (count - lead) + i),
        ];
        const items: RefItem[] = [];
        let usedMask = false;
        let usedArr = false;
        for (let j = 0; j < axes.length; j++) {
          const axis = axes[j]!;
          if (useEllipsis && j === lead) items.push({ t: "ell" });
          const n = shape[axis]!;
          let kind = kinds[axis]!;
          // Integers and arrays need a non-empty axis; one mask, never mixed with arrays (their
          // lengths would have to agree).
          if ((kind === "int" || kind === "arr") && n === 0) kind = "slice";
          if (kind === "mask" && (usedArr || usedMask)) kind = "slice";
          if (kind === "arr" && usedMask) kind = "int";
          if (kind === "int") items.push({ t: "int", v: randInt(-n, n - 1) });
          else if (kind === "slice") {
            const bound = () => (next() < 0.3 ? null : randInt(-n - 2, n + 2));
            const step = next() < 0.4 ? null : [1, 2, 3, -1, -2, -3][randInt(0, 5)]!;
            items.push({ t: "slice", start: bound(), stop: bound(), step });
          } else if (kind === "arr") {
            // A shape that broadcasts to bshape: a suffix of it with some entries set to 1.
            const keep = randInt(0, bshape.length);
            const ashape = bshape.slice(bshape.length - keep).map((m) => (next() < 0.3 ? 1 : m));
            const data = Array.from({ length: prod(ashape) }, () => randInt(-n, n - 1));
            items.push({ t: "arr", shape: ashape, data });
            usedArr = true;
          } else {
            // Over two axes when the next indexed axis follows on (not across the ellipsis).
            const span =
              j + 1 < axes.length && j + 1 !== lead && axes[j + 1] === axis + 1 && next() < 0.4
                ? 2
                : 1;
            const mshape = shape.slice(axis, axis + span);
            const data = Array.from({ length: prod(mshape) }, () => next() < 0.5);
            items.push({ t: "mask", shape: mshape, data });
            usedMask = true;
            j += span - 1;
          }
        }
        if (useEllipsis && lead === axes.length) items.push({ t: "ell" });
        for (const at of newaxes) items.splice(at % (items.length + 1), 0, { t: "new" });
        return { shape, items, style };
      });
  });

function randomData(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let r = seed >>> 0 || 7;
  for (let i = 0; i < n; i++) {
    r = (r * 1664525 + 1013904223) >>> 0;
    out[i] = Math.round((r / 2 ** 32) * 200 - 100) / 10;
  }
  return out;
}

const f64 = (data: Float64Array, shape: readonly number[]) =>
  ad.tensor(data, { dtype: "float64", shape });
const describe = (c: { shape: number[]; items: RefItem[] }) =>
  `shape ${JSON.stringify(c.shape)} items ${JSON.stringify(c.items)}`;

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, msg: string) {
  assert.equal(actual.length, expected.length, msg);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= 1e-9 * (1 + Math.abs(expected[i]!)),
      `${msg}: element ${i}: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

// ---- properties: index ----------------------------------------------------------------------------

test("index: values match the NumPy reference over random shapes and index expressions", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const data = randomData(prod(c.shape), 3);
      const ref = refIndex(c.shape, c.items);
      const out = f64(data, c.shape).index(...toItems(c.items, c.style));
      assert.deepEqual(out.shape, ref.shape, describe(c));
      close(
        out.dataSync(),
        ref.src.map((p) => data[p]!),
        describe(c),
      );
    }),
    { numRuns: 400 },
  );
});

test("index: the gradient of sum(w * x[idx]) is w scattered (accumulated) into zeros", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const x = f64(randomData(prod(c.shape), 5), c.shape);
      const ref = refIndex(c.shape, c.items);
      const w = randomData(ref.src.length, 11);
      const items = toItems(c.items, c.style);
      const g = ad.grad((t: ad.Tensor) => ad.sum(ad.mul(t.index(...items), f64(w, ref.shape))))(x);
      const expected = new Float64Array(prod(c.shape));
      ref.src.forEach((p, k) => {
        expected[p]! += w[k]!;
      });
      assert.deepEqual(g.shape, c.shape);
      close(g.dataSync(), expected, describe(c));
    }),
    { numRuns: 200 },
  );
});

test("index: forward mode agrees with reverse mode (<w, J t> = <J^T w, t>)", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const x = f64(randomData(prod(c.shape), 5), c.shape);
      const t = f64(randomData(prod(c.shape), 9), c.shape);
      const items = toItems(c.items, c.style);
      const f = (v: ad.Tensor) => v.index(...items);
      const [, jt] = ad.jvp(f, [x], [t]);
      const [out, back] = ad.vjp(f, x);
      const w = f64(randomData(out.size, 13), out.shape);
      const [jtw] = back(w);
      const lhs = ad.sum(ad.mul(w, jt)).item();
      const rhs = ad.sum(ad.mul(jtw, t)).item();
      assert.ok(
        Math.abs(lhs - rhs) <= 1e-9 * (1 + Math.abs(lhs)),
        `${describe(c)}: ${lhs} vs ${rhs}`,
      );
    }),
    { numRuns: 150 },
  );
});

test("index: vmap over x (and over index arrays) equals a loop", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const n = prod(c.shape);
      const batch = [randomData(n, 1), randomData(n, 2)].map((d) => f64(d, c.shape));
      const items = toItems(c.items, c.style);
      const batched = ad.vmap((v: ad.Tensor) => v.index(...items))(ad.stack(batch));
      const looped = ad.stack(batch.map((v) => v.index(...items)));
      assert.deepEqual(batched.shape, looped.shape, describe(c));
      close(batched.dataSync(), looped.dataSync(), describe(c));
      // Batched index arrays: the first array item replaced by a batch of two (itself and its
      // reverse), so the positions vary over the batch.
      const k = c.items.findIndex((it) => it.t === "arr");
      if (k < 0) return;
      const arr = c.items[k] as RefItem & { t: "arr" };
      const versions = [arr.data, [...arr.data].reverse()].map((d) =>
        ad.tensor(Int32Array.from(d), { dtype: "int32", shape: arr.shape }),
      );
      const withIdx = (i: ad.Tensor, v: ad.Tensor) =>
        v.index(...items.map((it, j) => (j === k ? i : it)));
      const vb = ad.vmap((i: ad.Tensor) => withIdx(i, batch[0]!))(ad.stack(versions));
      const vl = ad.stack(versions.map((i) => withIdx(i, batch[0]!)));
      close(vb.dataSync(), vl.dataSync(), `${describe(c)} (batched indices)`);
      // Both batched, under grad.
      const gb = ad.vmap(ad.grad((v: ad.Tensor, i: ad.Tensor) => ad.sum(ad.square(withIdx(i, v)))))(
        ad.stack(batch),
        ad.stack(versions),
      );
      const gl = ad.stack(
        batch.map((v, b) =>
          ad.grad((u: ad.Tensor) => ad.sum(ad.square(withIdx(versions[b]!, u))))(v),
        ),
      );
      close(gb.dataSync(), gl.dataSync(), `${describe(c)} (grad of both batched)`);
    }),
    { numRuns: 120 },
  );
});

// ---- properties: at -------------------------------------------------------------------------------

type Kind = "set" | "add" | "mul" | "min" | "max";
const APPLY: Record<Kind, (a: number, v: number) => number> = {
  set: (_a, v) => v,
  add: (a, v) => a + v,
  mul: (a, v) => a * v,
  min: (a, v) => Math.min(a, v),
  max: (a, v) => Math.max(a, v),
};

test("at: set/add/mul/min/max match NumPy's in-order application (set: the last write wins)", () => {
  fc.assert(
    fc.property(
      caseArb,
      fc.constantFrom<Kind>("set", "add", "mul", "min", "max"),
      fc.boolean(),
      (c, kind, scalarValue) => {
        const data = randomData(prod(c.shape), 3);
        const ref = refIndex(c.shape, c.items);
        const vals = scalarValue ? [2.5] : Array.from(randomData(ref.src.length, 17));
        const expected = Float64Array.from(data);
        ref.src.forEach((p, k) => {
          expected[p] = APPLY[kind](expected[p]!, vals[scalarValue ? 0 : k]!);
        });
        const v = scalarValue ? 2.5 : f64(Float64Array.from(vals), ref.shape);
        const out = f64(data, c.shape)
          .at(...toItems(c.items, c.style))
          [kind](v);
        assert.deepEqual(out.shape, c.shape);
        close(out.dataSync(), expected, `${kind} ${describe(c)}`);
      },
    ),
    { numRuns: 300 },
  );
});

test("at: gradients of set and add in x and in the values (overwritten values get 0)", () => {
  fc.assert(
    fc.property(caseArb, fc.constantFrom<Kind>("set", "add"), (c, kind) => {
      const x = f64(randomData(prod(c.shape), 3), c.shape);
      const ref = refIndex(c.shape, c.items);
      const v = f64(randomData(ref.src.length, 17), ref.shape);
      const w = randomData(prod(c.shape), 23);
      const items = toItems(c.items, c.style);
      const [gx, gv] = ad.grad(
        (a: ad.Tensor, b: ad.Tensor) => ad.sum(ad.mul(a.at(...items)[kind](b), f64(w, c.shape))),
        {
          argnums: [0, 1],
        },
      )(x, v);
      const ex = Float64Array.from(w);
      const ev = new Float64Array(ref.src.length);
      const last = new Map<number, number>();
      ref.src.forEach((p, k) => {
        last.set(p, k);
      });
      ref.src.forEach((p, k) => {
        if (kind === "add") ev[k] = w[p]!;
        else {
          ex[p] = 0;
          ev[k] = last.get(p) === k ? w[p]! : 0;
        }
      });
      close(gx.dataSync(), ex, `gx ${kind} ${describe(c)}`);
      close(gv.dataSync(), ev, `gv ${kind} ${describe(c)}`);
    }),
    { numRuns: 150 },
  );
});

test("at: vmap over x, values and index arrays equals a loop", () => {
  fc.assert(
    fc.property(caseArb, fc.constantFrom<Kind>("set", "add", "mul", "max"), (c, kind) => {
      const n = prod(c.shape);
      const ref = refIndex(c.shape, c.items);
      const xs = [randomData(n, 1), randomData(n, 2)].map((d) => f64(d, c.shape));
      const vs = [randomData(ref.src.length, 3), randomData(ref.src.length, 4)].map((d) =>
        f64(d, ref.shape),
      );
      const items = toItems(c.items, c.style);
      const k = c.items.findIndex((it) => it.t === "arr");
      const arr = k < 0 ? null : (c.items[k] as RefItem & { t: "arr" });
      const idx = [arr?.data ?? [0], arr ? [...arr.data].reverse() : [0]].map((d) =>
        ad.tensor(Int32Array.from(d), { dtype: "int32", shape: arr?.shape ?? [1] }),
      );
      const f = (x: ad.Tensor, v: ad.Tensor, i: ad.Tensor) =>
        x.at(...items.map((it, j) => (j === k ? i : it)))[kind](v);
      const batched = ad.vmap(f)(ad.stack(xs), ad.stack(vs), ad.stack(idx));
      const looped = ad.stack(xs.map((x, b) => f(x, vs[b]!, idx[b]!)));
      close(batched.dataSync(), looped.dataSync(), `${kind} ${describe(c)}`);
      // Gradients in x and v under vmap, with the index arrays varying over the batch.
      const loss = (x: ad.Tensor, v: ad.Tensor, i: ad.Tensor) => ad.sum(ad.sin(f(x, v, i)));
      const dl = ad.grad(loss, { argnums: [0, 1] });
      const [gxb, gvb] = ad.vmap(dl)(ad.stack(xs), ad.stack(vs), ad.stack(idx));
      const loopG = xs.map((x, b) => dl(x, vs[b]!, idx[b]!));
      close(
        gxb.dataSync(),
        ad.stack(loopG.map((g) => g[0])).dataSync(),
        `gx ${kind} ${describe(c)}`,
      );
      close(
        gvb.dataSync(),
        ad.stack(loopG.map((g) => g[1])).dataSync(),
        `gv ${kind} ${describe(c)}`,
      );
    }),
    { numRuns: 120 },
  );
});

// ---- fixed cases: NumPy's outputs, higher orders ----------------------------------------------------

test("index: NumPy's placement of advanced dimensions (outputs recorded from NumPy 2.4)", () => {
  const x = ad.arange(24).reshape([2, 3, 4]);
  const shape = (...items: ad.IndexItem[]) => x.index(...items).shape;
  assert.deepEqual(shape([0], "...", [1]), [1, 3]); // separated by a slice: first
  assert.deepEqual(shape(0, ad.s(), [1, 2]), [2, 3]); // an integer is advanced next to an array
  assert.deepEqual(shape(ad.s(), [0], [1]), [2, 1]); // adjacent: in place
  assert.deepEqual(shape(true), [1, 2, 3, 4]);
  assert.deepEqual(shape(false), [0, 2, 3, 4]);
  assert.deepEqual(shape([0, 1], true), [2, 3, 4]);
  assert.deepEqual(shape(ad.s(), true, [0, 1]), [2, 2, 4]);
  assert.deepEqual(shape([0, 1], null, [0, 1]), [2, 1, 4]);
  assert.deepEqual(shape(ad.tensor(1, { dtype: "int32" }), ad.s(), [0, 1]), [2, 3]);
  // An ellipsis that stands for no axes leaves its neighbours adjacent.
  assert.deepEqual(ad.zeros([2, 3]).index([0], "...", [1]).shape, [1]);
  assert.deepEqual(x.index(0, [0, 2], "1::2").toArray(), [
    [1, 3],
    [9, 11],
  ]);
  assert.deepEqual(x.index("::-1", [[0], [2]], "1::2").toArray(), [
    [[[13, 15]], [[21, 23]]],
    [[[1, 3]], [[9, 11]]],
  ]);
  assert.deepEqual(x.index(x.greater(20)).toArray(), [21, 22, 23]);
  assert.deepEqual(
    x
      .index([
        [true, false, true],
        [false, false, true],
      ])
      .toArray(),
    [
      [0, 1, 2, 3],
      [8, 9, 10, 11],
      [20, 21, 22, 23],
    ],
  );
});

test("index and at: second derivatives against finite differences, both modes", () => {
  const x = ad.tensor(
    [
      [0.3, -1.2, 0.7],
      [1.1, 0.4, -0.6],
    ],
    { dtype: "float64" },
  );
  const v = ad.tensor([0.5, -0.8], { dtype: "float64" });
  ad.checkGrads(
    (t: ad.Tensor) => ad.sum(ad.mul(ad.tanh(t.index([1, 0, 1], "::-1")), t.index(-1, null))),
    [x],
  );
  for (const kind of ["set", "add", "mul", "min", "max"] as const) {
    ad.checkGrads(
      (t: ad.Tensor, u: ad.Tensor) => ad.sum(ad.sin(t.at(ad.s(), [2, 0])[kind](u))),
      [x, v],
    );
  }
  // A repeated index: add accumulates, mul multiplies both in.
  ad.checkGrads((t: ad.Tensor, u: ad.Tensor) => ad.sum(ad.sin(t.at(0, [1, 1]).mul(u))), [x, v]);
});

test("index: a mask under grad is read as a constant; varying under vmap it is a TracerError", () => {
  const g = ad.grad((t: ad.Tensor) => ad.sum(t.index(t.greater(0))))(ad.tensor([-1, 2, 3]));
  assert.deepEqual(g.toArray(), [0, 1, 1]);
  assert.throws(
    () =>
      ad.vmap((t: ad.Tensor) => t.index(t.greater(0)))(
        ad.tensor([
          [-1, 2],
          [3, 4],
        ]),
      ),
    (e: unknown) =>
      e instanceof ad.TracerError &&
      /index: a boolean mask .* varies over a vmap batch/.test(e.message),
  );
  // A mask that does not vary is fine inside vmap.
  const y = ad.vmap((t: ad.Tensor) => t.index([true, false, true]))(
    ad.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
  );
  assert.deepEqual(y.toArray(), [
    [1, 3],
    [4, 6],
  ]);
});

test("at: values take x's dtype; bool tensors update as NumPy's (add: or)", () => {
  const b = ad.tensor([true, false, false]);
  assert.deepEqual(b.at([1, 2]).set([true, false]).toArray(), [true, true, false]);
  assert.deepEqual(b.at([1, 1]).add(true).toArray(), [true, true, false]);
  const i = ad.arange(4);
  assert.deepEqual(
    i
      .at(ad.s(null, null, 2))
      .mul(3)
      .toArray(),
    [0, 1, 6, 3],
  );
  assert.equal(i.at(0).set(ad.tensor(2.9)).dtype, "int32"); // a float tensor is cast (truncated)
  const y = ad
    .zeros([2])
    .at(0)
    .add(ad.tensor(1.5, { dtype: "float64" }));
  assert.equal(y.dtype, "float32");
  assert.deepEqual(y.toArray(), [1.5, 0]);
  // A 0-d tensor: no items, or only newaxis and the ellipsis.
  assert.equal(ad.scalar(3).at().set(5).item(), 5);
  assert.deepEqual(ad.scalar(3).index(null, "...").shape, [1]);
  // Nothing selected: x unchanged.
  assert.deepEqual(ad.zeros([3]).at([]).set(1).toArray(), [0, 0, 0]);
});

// ---- errors ---------------------------------------------------------------------------------------

function throwsWith(fn: () => unknown, cls: new (...args: never[]) => Error, fragments: string[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
    return true;
  });
}

test("index: out-of-range integers and array entries, and mismatched masks, throw on random shapes", () => {
  const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(
      shapeArb,
      fc.nat(),
      fc.integer({ min: 0, max: 3 }),
      fc.boolean(),
      (shape, a, over, below) => {
        const axis = a % shape.length;
        const n = shape[axis]!;
        const bad = below ? -n - 1 - over : n + over;
        const x = ad.zeros(shape);
        const lead = Array.from({ length: axis }, () => ad.s());
        throwsWith(() => x.index(...lead, bad), ad.ValueError, [
          `index: index ${bad} is out of range for axis ${axis} of size ${n}`,
        ]);
        throwsWith(() => x.index(...lead, [0, bad]), ad.ValueError, [
          `index ${bad} is out of range`,
        ]);
        throwsWith(() => x.at(...lead, bad).set(0), ad.ValueError, ["at(...).set: index"]);
        // A mask one element longer than the axis it covers.
        const mask = new Array<boolean>(n + 1).fill(true);
        throwsWith(() => x.index(...lead, mask), ad.ShapeError, [
          `boolean mask of shape [${n + 1}]`,
        ]);
        // One index more than the axes.
        throwsWith(() => x.index(...shape.map(() => 0), 0), ad.ValueError, ["too many indices"]);
      },
    ),
    { numRuns: 100 },
  );
});

test("index and at: errors name the op, the argument and what came", () => {
  const x = ad.zeros([2, 3]);
  throwsWith(() => x.index(2), ad.ValueError, [
    "index: index 2 is out of range for axis 0 of size 2",
  ]);
  throwsWith(() => x.index(0, -4), ad.ValueError, [
    "index -4 is out of range for axis 1 of size 3",
  ]);
  throwsWith(() => x.index(ad.s(), [0, 3]), ad.ValueError, ["index 3 is out of range for axis 1"]);
  throwsWith(() => x.index(0, 0, 0), ad.ValueError, [
    "too many indices",
    "[2,3]",
    "3 axes indexed",
  ]);
  throwsWith(() => x.index("...", 0, "..."), ad.ValueError, ["at most one ellipsis"]);
  throwsWith(() => x.index([true, false, true]), ad.ShapeError, [
    "boolean mask of shape [3]",
    "sizes [2]",
  ]);
  throwsWith(() => x.index([0, 1], [[0, 1, 2]].flat().slice(0, 3)), ad.ShapeError, [
    "do not broadcast together",
  ]);
  throwsWith(() => x.index(ad.tensor([0, 1])), ad.DTypeError, ["int32 or bool", "float32"]);
  throwsWith(() => x.index(0.5), ad.ValueError, ["must be an integer; got 0.5"]);
  throwsWith(() => x.index("1:2:3:4"), ad.ValueError, ["at most two colons"]);
  throwsWith(() => x.index("a"), ad.ValueError, ['"a"']);
  throwsWith(() => x.index("::0"), ad.ValueError, ["step must not be 0"]);
  throwsWith(() => ad.s(0, 1, 0), ad.ValueError, ["s: step must not be 0"]);
  throwsWith(() => x.at(0).set([1, 2]), ad.ShapeError, [
    "at(...).set: values of shape [2]",
    "indexed shape [3]",
  ]);
  throwsWith(() => x.at(5).add(1), ad.ValueError, [
    "at(...).add: index 5 is out of range for axis 0 of size 2",
  ]);
});
