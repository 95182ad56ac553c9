/**
 * @file jit over the whole op-spec table. For every op and shape group, on float64 inputs (int32
 * where the spec's domain is integer) and on float32 inputs (unless the spec has none):
 * `jit(f)(x)` equals `f(x)` bit for bit, and for differentiable ops `jit(grad(loss))` and
 * `grad(jit(loss))` equal `grad(loss)` bit for bit (float32 checks that a fused loop rounds every
 * intermediate as the eager ops do). A second call hits the cache. An op marked `unstageable`
 * must make the jitted call throw the staging TracerError, reworded for jit, with the original as
 * its cause. Every shape group runs (the whole table takes about 6 s of CPU).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertSameBits as same } from "../harness/same-bits.js";
import { makeInputs, type OpSpec } from "../harness/spec.js";
import { specs } from "../op-specs/index.js";

/** jit(f) = f, jit(grad) = grad = grad(jit) on `args` (of one dtype). */
function check(
  spec: OpSpec,
  shapes: readonly (readonly number[])[],
  args: ad.Tensor[],
  dt: string,
): void {
  const jf = ad.jit(spec.fn);
  const want = spec.fn(...args);
  const first = jf(...args);
  same(first, want, `${spec.name} jit (${dt})`);
  same(jf(...args), want, `${spec.name} jit, second call (${dt})`);
  same(first, want, `${spec.name}: the first result is not overwritten by the second call (${dt})`);
  assert.equal(jf.compiles, 1, `${spec.name}: the second call hits the cache`);

  if ((spec.order ?? 2) === 0) return;
  const k = [...shapes.keys()].find((i) => !spec.constArgs?.includes(i));
  if (k === undefined) return;
  // A fixed weighting makes any output a scalar loss.
  const w = ad.sin(ad.arange(want.size, { dtype: want.dtype })).reshape(want.shape);
  const loss = (fn: (...xs: ad.Tensor[]) => ad.Tensor) => (xk: ad.Tensor) =>
    ad.sum(ad.mul(fn(...args.map((a, i) => (i === k ? xk : a))), w));
  const g = ad.grad(loss(spec.fn))(args[k]!);
  same(ad.jit(ad.grad(loss(spec.fn)))(args[k]!), g, `${spec.name} jit(grad) (${dt})`);
  same(ad.grad(loss(jf))(args[k]!), g, `${spec.name} grad(jit) (${dt})`);
}

function jitTests(spec: OpSpec): void {
  spec.shapes.forEach((shapes) => {
    const label = `${spec.name} [${shapes.map((s) => `[${s.join(",")}]`).join(" ")}]`;
    test(`${label}: jit(f) = f (cached), jit(grad) = grad = grad(jit)`, () => {
      const args = makeInputs(spec, shapes, "float64").map((x) => x.t);
      if (spec.unstageable !== undefined) {
        const jf = ad.jit(spec.fn);
        const prefix = spec.unstageable.replace(/^makeGraph: /, "");
        assert.throws(
          () => jf(...args),
          (e: unknown) =>
            e instanceof ad.TracerError &&
            e.message.startsWith(`jit(fn): ${prefix}`) &&
            e.cause instanceof ad.TracerError,
        );
        assert.equal(jf.compiles, 0, `${spec.name}: nothing cached after the error`);
        return;
      }
      check(spec, shapes, args, "float64");
      if (!spec.noFloat32) {
        check(
          spec,
          shapes,
          makeInputs(spec, shapes, "float32").map((x) => x.t),
          "float32",
        );
      }
    });
  });
}

for (const spec of specs) jitTests(spec);
