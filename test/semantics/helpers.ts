/**
 * @file Shared helpers of the semantics tests: a NaN- and Infinity-aware closeness assertion,
 * float64 constructors, and central finite differences computed independently of the library's
 * derivative rules (only its forward values are used).
 */

import assert from "node:assert/strict";
import * as ad from "../../src/index.js";

/** Nested JS numbers (as written in a test's expected value). */
export type Expected = number | readonly Expected[];

/** A float64 tensor from nested arrays. */
export function f64(data: ad.TensorLike): ad.Tensor {
  return ad.tensor(data, { dtype: "float64" });
}

/** A float64 0-d tensor. */
export function s64(v: number): ad.Tensor {
  return ad.scalar(v, "float64");
}

function shapeOf(e: Expected): number[] {
  const shape: number[] = [];
  let cur: Expected = e;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as Expected;
  }
  return shape;
}

function flat(e: Expected): number[] {
  if (typeof e === "number") return [e];
  return (e as readonly Expected[]).flatMap((c) => flat(c));
}

/** The elements of a tensor (or a number) as JS numbers. */
export function valuesOf(x: ad.Tensor | number): number[] {
  if (typeof x === "number") return [x];
  assert.ok(x instanceof ad.Tensor, `expected a Tensor, got ${String(x)}`);
  return Array.from(x.dataSync(), Number);
}

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** Also require the tensor to have this shape (default: the expected value's nesting, if any). */
  shape?: readonly number[];
}

/**
 * Asserts `actual` equals `expected` elementwise within atol + rtol * |expected|. NaN must match
 * NaN and infinities must match exactly. When `expected` is a nested array (or a Tensor), the
 * shape of `actual` must match too.
 */
export function assertClose(
  actual: ad.Tensor | number,
  expected: Expected | ad.Tensor,
  message = "",
  options: CloseOptions = {},
): void {
  const atol = options.atol ?? 1e-9;
  const rtol = options.rtol ?? 1e-9;
  let want: number[];
  let wantShape: readonly number[] | undefined = options.shape;
  if (expected instanceof ad.Tensor) {
    want = valuesOf(expected);
    wantShape ??= expected.shape;
  } else {
    want = flat(expected);
    if (Array.isArray(expected)) wantShape ??= shapeOf(expected);
  }
  const got = valuesOf(actual);
  const label = message === "" ? "" : `${message}: `;
  if (wantShape !== undefined && actual instanceof ad.Tensor) {
    assert.deepEqual([...actual.shape], [...wantShape], `${label}shape`);
  }
  assert.equal(got.length, want.length, `${label}number of elements`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    const where = `${label}element ${i}: expected ${w}, got ${g} (all: [${got.join(", ")}])`;
    if (Number.isNaN(w)) {
      assert.ok(Number.isNaN(g), where);
    } else if (!Number.isFinite(w)) {
      assert.equal(g, w, where);
    } else {
      assert.ok(Number.isFinite(g) && Math.abs(g - w) <= atol + rtol * Math.abs(w), where);
    }
  }
}

/** Runs `body` with float64 as the default float dtype, restoring the previous default after. */
export function withFloat64<T>(body: () => T): T {
  const prev = ad.getDefaultFloat();
  ad.setDefaultFloat("float64");
  try {
    return body();
  } finally {
    ad.setDefaultFloat(prev);
  }
}

/** `x` with element `i` moved by `delta`, as a float64 tensor of x's shape. */
function nudge(x: ad.Tensor, i: number, delta: number): ad.Tensor {
  const data = Float64Array.from(x.dataSync(), Number);
  data[i] = data[i]! + delta;
  return ad.tensor(data, { dtype: "float64", shape: x.shape });
}

/**
 * Central finite differences of the (size-1) result of `fn` with respect to argument `argIndex`,
 * in float64, as a float64 tensor of that argument's shape.
 */
export function numericGrad(
  fn: (...args: ad.Tensor[]) => ad.Tensor,
  args: readonly ad.Tensor[],
  argIndex = 0,
  h = 1e-6,
): ad.Tensor {
  const base = args.map((a) => a.astype("float64"));
  const x = base[argIndex]!;
  const out: number[] = [];
  for (let i = 0; i < x.size; i++) {
    const at = (d: number): number => {
      const moved = [...base];
      moved[argIndex] = nudge(x, i, d);
      return Number(fn(...moved).item());
    };
    out.push((at(h) - at(-h)) / (2 * h));
  }
  return ad.tensor(out, { dtype: "float64", shape: x.shape });
}

/**
 * The Jacobian of `fn` at `x` by central finite differences in float64, as a float64 tensor of
 * shape out.shape ++ x.shape.
 */
export function numericJacobian(
  fn: (x: ad.Tensor) => ad.Tensor,
  x: ad.Tensor,
  h = 1e-6,
): ad.Tensor {
  const x64 = x.astype("float64");
  const outShape = fn(x64).shape;
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const jac = new Array<number>(outSize * x.size).fill(0);
  for (let j = 0; j < x.size; j++) {
    const plus = valuesOf(fn(nudge(x64, j, h)));
    const minus = valuesOf(fn(nudge(x64, j, -h)));
    for (let i = 0; i < outSize; i++) jac[i * x.size + j] = (plus[i]! - minus[i]!) / (2 * h);
  }
  return ad.tensor(jac, { dtype: "float64", shape: [...outShape, ...x.shape] });
}

/** Asserts that `fn` throws an instance of `cls` whose message contains every given fragment. */
export function assertThrowsWith(
  fn: () => unknown,
  cls: new (...args: never[]) => Error,
  fragments: readonly string[],
): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected a ${cls.name} to be thrown, but nothing was thrown`);
  assert.ok(
    caught instanceof cls,
    `expected a ${cls.name}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`,
  );
  for (const f of fragments) {
    assert.ok(
      caught.message.includes(f),
      `expected the message to contain ${JSON.stringify(f)}; got ${JSON.stringify(caught.message)}`,
    );
  }
  return caught;
}
