/**
 * @file The op-spec format and the generator that turns each spec into checks: forward values
 * against an independent float64 reference, impl storage against the shape rule, JVP and VJP
 * against central finite differences (orders 1 and 2), forward against reverse, and float32 values.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { dtypeOfArray } from "../../src/core/dtype.js";
import { type AnyPrimitive, registeredPrimitives } from "../../src/core/primitive.js";
import { setEvalObserver } from "../../src/core/trace.js";
import * as ad from "../../src/index.js";
import { mulberry32 } from "./mulberry32.js";
import type { Nd } from "./nd.js";
import * as nd from "./nd.js";

/** How test inputs of an argument are drawn (values stay away from kinks and singularities). */
export type Domain =
  | "real" // (-2, 2)
  | "nonzero" // ±(0.3, 2): away from kinks at 0
  | "positive" // (0.3, 2)
  | "unit" // (-0.9, 0.9)
  | "gt1" // (1.2, 3)
  | "distinct" // (-2, 2), all values distinct and at least 0.05 apart (max/min/sort)
  | { int: [number, number] } // int32 in [lo, hi)
  | { fixed: readonly number[] }; // given values (cycled), float

export interface OpSpec {
  /** Test label. */
  name: string;
  /** The primitives this op is expected to bind (checked against what it really binds). */
  prims: readonly string[];
  /** The op under test, on tensors. */
  fn: (...xs: ad.Tensor[]) => ad.Tensor;
  /** Shape groups: each entry is one shape per argument (broadcasting groups included). */
  shapes: readonly (readonly (readonly number[])[])[];
  /** Input domain per argument (default "real"). */
  domains?: readonly Domain[];
  /** Independent reference in float64, on the same inputs. Omit only with `noReference` reason. */
  ref?: (...xs: Nd[]) => Nd;
  /** Elementwise reference (shortcut for ref with broadcasting). */
  elementwise?: (...v: number[]) => number;
  /** Highest derivative order to check (default 2; 0 = not differentiable, values only). */
  order?: 0 | 1 | 2;
  /** Indices of arguments that are not differentiated (e.g. integer indices). */
  constArgs?: readonly number[];
  /** Finite-difference step and tolerances (defaults from checkGrads). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Output dtype when not the inputs' float dtype (e.g. "bool", "int32"). */
  outDType?: ad.DType;
  /** Skip the float32 value check (e.g. ops that only take ints). */
  noFloat32?: boolean;
  /**
   * For an op that makeGraph cannot stage with all its arguments staged (its result's shape or
   * its algorithm depends on argument values; say why in a comment): the start of the
   * TracerError message that staging must throw instead (checked by test/ir/graph-ops.test.ts).
   */
  unstageable?: string;
}

let seedCounter = 1;
function sample(domain: Domain, n: number, next: () => number, arg: number): Float64Array {
  const out = new Float64Array(n);
  if (typeof domain === "object" && "fixed" in domain) {
    for (let i = 0; i < n; i++) out[i] = domain.fixed[i % domain.fixed.length]!;
    return out;
  }
  if (typeof domain === "object") {
    const [lo, hi] = domain.int;
    for (let i = 0; i < n; i++) out[i] = lo + Math.floor(next() * (hi - lo));
    return out;
  }
  if (domain === "distinct") {
    // A shuffled grid: distinct values 0.1 apart, scaled into (-2, 2).
    // Later arguments are offset so that two "distinct" arguments never tie with each other.
    const vals = Array.from(
      { length: n },
      (_, i) => -1.9 + (3.8 * (i + 0.5)) / Math.max(n, 1) + 0.173 * arg,
    );
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [vals[i], vals[j]] = [vals[j]!, vals[i]!];
    }
    return Float64Array.from(vals);
  }
  for (let i = 0; i < n; i++) {
    const u = next();
    switch (domain) {
      case "real":
        out[i] = -2 + 4 * u;
        break;
      case "nonzero":
        out[i] = (0.3 + 1.7 * u) * (next() < 0.5 ? -1 : 1);
        break;
      case "positive":
        out[i] = 0.3 + 1.7 * u;
        break;
      case "unit":
        out[i] = -0.9 + 1.8 * u;
        break;
      case "gt1":
        out[i] = 1.2 + 1.8 * u;
        break;
    }
  }
  return out;
}

function isIntDomain(d: Domain): boolean {
  return typeof d === "object" && "int" in d;
}

/** Inputs of one shape group as float64 Nd arrays and as tensors of `dtype` (seeded per call). */
export function makeInputs(spec: OpSpec, shapes: readonly (readonly number[])[], dtype: ad.DType) {
  const next = mulberry32(seedCounter++);
  return shapes.map((shape, i) => {
    const domain = spec.domains?.[i] ?? "real";
    const n = shape.reduce((a, b) => a * b, 1);
    const data = sample(domain, n, next, i);
    const nd: Nd = { shape: [...shape], data };
    const t = ad.tensor(data, { dtype: isIntDomain(domain) ? "int32" : dtype, shape });
    return { nd, t };
  });
}

/** Primitives bound (evaluated) while running `body`, with a storage check of every output. */
function observe<T>(body: () => T): [T, Set<string>] {
  const seen = new Set<string>();
  const prev = setEvalObserver({
    afterEval(prim: AnyPrimitive, _inputs, out) {
      seen.add(prim.name);
      const data = out._data!;
      assert.equal(
        data.length,
        out.size,
        `${prim.name}: impl wrote ${data.length} elements; shape rule says ${out.size}`,
      );
      assert.equal(
        dtypeOfArray(data),
        out.dtype,
        `${prim.name}: impl storage is ${dtypeOfArray(data)}; shape rule says ${out.dtype}`,
      );
    },
  });
  try {
    return [body(), seen];
  } finally {
    setEvalObserver(prev);
  }
}

/** Every primitive bound by any spec's checks (filled as the generated tests run). */
export const primitivesExercised = new Set<string>();

function closeArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    assert.ok(
      Math.abs(a - e) <= atol + rtol * Math.abs(e),
      `${what}: element ${i} is ${a}; expected ${e}`,
    );
  }
}

/** Registers the generated tests of one spec. */
export function specTests(spec: OpSpec): void {
  const diffArgs = (n: number) =>
    Array.from({ length: n }, (_, i) => i).filter((i) => !spec.constArgs?.includes(i));
  spec.shapes.forEach((shapes) => {
    const label = `${spec.name} [${shapes.map((s) => `[${s.join(",")}]`).join(" ")}]`;
    test(`${label}: values, shape rule and storage (float64)`, () => {
      const inputs = makeInputs(spec, shapes, "float64");
      const [out, seen] = observe(() => spec.fn(...inputs.map((x) => x.t)));
      for (const p of seen) primitivesExercised.add(p);
      for (const p of spec.prims)
        assert.ok(seen.has(p), `${spec.name} should bind ${p}; it bound ${[...seen].join(", ")}`);
      const ref =
        spec.ref ?? (spec.elementwise ? (...xs: Nd[]) => nd.map(spec.elementwise!, ...xs) : null);
      assert.ok(ref !== null, `${spec.name}: a spec needs a reference`);
      const expected = ref(...inputs.map((x) => x.nd));
      assert.deepEqual(out.shape, expected.shape, `${spec.name}: output shape`);
      assert.equal(out.dtype, spec.outDType ?? "float64");
      closeArrays(out.dataSync(), expected.data, 1e-12, 1e-12, `${spec.name} value`);
    });
    if (!spec.noFloat32) {
      test(`${label}: values in float32`, () => {
        const inputs = makeInputs(spec, shapes, "float32");
        const out = spec.fn(...inputs.map((x) => x.t));
        const ref = spec.ref ?? ((...xs: Nd[]) => nd.map(spec.elementwise!, ...xs));
        // The reference sees the float32-rounded inputs.
        const rounded = inputs.map((x) => ({
          shape: x.nd.shape,
          data: Float64Array.from(x.t.dataSync()),
        }));
        assert.equal(out.dtype, spec.outDType ?? "float32");
        closeArrays(out.dataSync(), ref(...rounded).data, 2e-6, 2e-6, `${spec.name} float32 value`);
      });
    }
    test(`${label}: vmap matches a loop over the batch`, () => {
      // Three input sets, stacked: vmap over all arguments, then over each one alone.
      const sets = [0, 1, 2].map(() => makeInputs(spec, shapes, "float64").map((x) => x.t));
      const stacked = shapes.map((_, i) => ad.stack(sets.map((set) => set[i]!)));
      const expectAll = ad.stack(sets.map((set) => spec.fn(...set)));
      const all = ad.vmap(spec.fn)(...stacked);
      assert.deepEqual(all.shape, expectAll.shape, `${spec.name} vmap shape`);
      closeArrays(all.dataSync(), expectAll.dataSync(), 1e-12, 1e-12, `${spec.name} vmap`);
      if (shapes.length < 2) return;
      for (let k = 0; k < shapes.length; k++) {
        const inAxes = shapes.map((_, i) => (i === k ? 0 : null));
        const args = sets[0]!.map((x, i) => (i === k ? stacked[k]! : x));
        const one = ad.vmap(spec.fn, { inAxes })(...args);
        const expectOne = ad.stack(
          sets.map((set) => spec.fn(...sets[0]!.map((x, i) => (i === k ? set[k]! : x)))),
        );
        closeArrays(
          one.dataSync(),
          expectOne.dataSync(),
          1e-12,
          1e-12,
          `${spec.name} vmap of argument ${k} alone`,
        );
      }
    });
    const order = spec.order ?? 2;
    if (order === 0) return;
    for (const k of diffArgs(shapes.length)) {
      test(`${label}: JVP and VJP vs finite differences to order ${order}, argument ${k}`, () => {
        const inputs = makeInputs(spec, shapes, "float64");
        const args = inputs.map((x) => x.t);
        const f = (xk: ad.Tensor) => spec.fn(...args.map((a, i) => (i === k ? xk : a)));
        const [, seen] = observe(() =>
          ad.checkGrads(f, [args[k]], {
            order,
            ...(spec.eps !== undefined ? { eps: spec.eps } : {}),
            ...(spec.atol !== undefined ? { atol: spec.atol } : {}),
            ...(spec.rtol !== undefined ? { rtol: spec.rtol } : {}),
          }),
        );
        for (const p of seen) primitivesExercised.add(p);
      });
      test(`${label}: forward and reverse Jacobians agree, argument ${k}`, () => {
        const inputs = makeInputs(spec, shapes, "float64");
        const args = inputs.map((x) => x.t);
        const f = (xk: ad.Tensor) => spec.fn(...args.map((a, i) => (i === k ? xk : a)));
        const jf = ad.jacfwd(f)(args[k]!);
        const jr = ad.jacrev(f)(args[k]!);
        assert.deepEqual(jf.shape, jr.shape);
        closeArrays(jf.dataSync(), jr.dataSync(), 1e-12, 1e-12, `${spec.name} jacfwd vs jacrev`);
        // jvp (its own forward trace) agrees with the tape replay used by jacfwd.
        const v = ad.onesLike(args[k]!);
        const [, tv] = ad.jvp(f, [args[k]!], [v]);
        const jv = ad.sum(ad.reshape(jr, [...tv.shape, -1]), { axis: -1 });
        closeArrays(tv.dataSync(), jv.dataSync(), 1e-12, 1e-12, `${spec.name} jvp vs jacrev`);
      });
    }
  });
}

/** The coverage test: every registered primitive is bound by some spec. Register it last. */
export function coverageTest(): void {
  test("coverage: every registered primitive has a batch rule (vmap never falls back to a loop)", () => {
    const missing = [...registeredPrimitives().values()]
      .filter((p) => p.batch === undefined)
      .map((p) => p.name);
    assert.deepEqual(missing, [], `primitives without a batch rule: ${missing.join(", ")}`);
  });
  test("coverage: every registered primitive is exercised by an op spec", () => {
    const missing = [...registeredPrimitives().keys()].filter((p) => !primitivesExercised.has(p));
    assert.deepEqual(missing, [], `primitives without a spec: ${missing.join(", ")}`);
  });
}
