/**
 * @file Accuracy of log2, log10, exp2, cbrt, hypot, fmod and trunc at the extremes, the reason
 * each has a kernel rather than being a composite: exact at powers of 2 and 10 and at cubes, no
 * overflow in hypot's squares, fmod's and trunc's signs of zero, and the derivatives at the
 * special points (hypot at the origin, cbrt at 0), in both float dtypes where it matters.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";

const f64 = (v: number[]) => ad.tensor(v, { dtype: "float64" });
const f32 = (v: number[]) => ad.tensor(v, { dtype: "float32" });
const values = (t: ad.Tensor) => Array.from(t.toArray() as number[]);

function same(got: number[], want: number[], msg: string): void {
  assert.equal(got.length, want.length, msg);
  for (const [i, w] of want.entries()) {
    assert.ok(Object.is(got[i], w), `${msg}[${i}]: ${got[i]} vs ${w}`);
  }
}

test("log2 and exp2 are exact at every power of 2 (float64 and float32)", () => {
  const ks = Array.from({ length: 1074 + 1024 }, (_, i) => i - 1074);
  same(values(ad.log2(f64(ks.map((k) => 2 ** k)))), ks, "log2 f64");
  same(
    values(ad.exp2(f64(ks))),
    ks.map((k) => 2 ** k),
    "exp2 f64",
  );
  // log(x) / ln 2 misses hundreds of them: the reason log2 is not a composite.
  assert.ok(ks.filter((k) => Math.log(2 ** k) / Math.LN2 !== k).length > 100);
  const ks32 = Array.from({ length: 149 + 128 }, (_, i) => i - 149);
  same(values(ad.log2(f32(ks32.map((k) => 2 ** k)))), ks32, "log2 f32");
  same(
    values(ad.exp2(f32(ks32))),
    ks32.map((k) => 2 ** k),
    "exp2 f32",
  );
  same(
    values(ad.exp2(f64([1024, -1075, -Infinity, Infinity]))),
    [Infinity, 0, 0, Infinity],
    "exp2 ends",
  );
  same(values(ad.log2(f64([0, -1, Infinity]))), [-Infinity, NaN, Infinity], "log2 ends");
});

test("log10 is exact at powers of 10 from 1e-22 to 1e22 (those floats hold exactly)", () => {
  const ks = Array.from({ length: 45 }, (_, i) => i - 22);
  same(values(ad.log10(f64(ks.map((k) => Number(`1e${k}`))))), ks, "log10");
  same(
    values(ad.log10(f32([1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7]))),
    [0, 1, 2, 3, 4, 5, 6, 7],
    "log10 f32",
  );
});

test("cbrt: defined for negatives, exact at cubes, keeps -0; derivative +Infinity at 0", () => {
  const ks = Array.from({ length: 201 }, (_, i) => i - 100);
  same(values(ad.cbrt(f64(ks.map((k) => k ** 3)))), ks, "cbrt cubes");
  same(values(ad.cbrt(f64([-0, -Infinity, NaN, 1e300]))), [-0, -Infinity, NaN, 1e100], "cbrt ends");
  const d = ad.grad((x: ad.Tensor) => ad.sum(ad.cbrt(x)))(f64([0, 8, -8]));
  same(values(d), [Infinity, 1 / 12, 1 / 12], "cbrt'");
});

test("hypot: no overflow or underflow in the squares; derivative 0 at the origin, finite far out", () => {
  // Within an ulp of the exact value (V8's Math.hypot scales; it is not correctly rounded).
  const got = values(ad.hypot(f64([3e200, 3e-200, 0, -5]), f64([4e200, 4e-200, 0, 12])));
  for (const [i, want] of [5e200, 5e-200, 0, 13].entries()) {
    assert.ok(Math.abs(got[i]! - want) <= want * Number.EPSILON, `hypot[${i}]: ${got[i]}`);
  }
  // An infinity wins over NaN (IEEE hypot, NumPy's).
  same(
    values(ad.hypot(f64([Infinity, NaN]), f64([NaN, -Infinity]))),
    [Infinity, Infinity],
    "hypot inf",
  );
  same(values(ad.hypot(f32([3e30]), f32([4e30]))), [Math.fround(5e30)], "hypot f32");
  const [gx, gy] = ad.grad((x: ad.Tensor, y: ad.Tensor) => ad.sum(ad.hypot(x, y)), {
    argnums: [0, 1],
  })(f64([0, 3e200, 3]), f64([0, 4e200, -4]));
  const near = (got: number[], want: number[], msg: string) => {
    for (const [i, w] of want.entries()) {
      assert.ok(Math.abs(got[i]! - w) <= 4 * Number.EPSILON, `${msg}[${i}]: ${got[i]} vs ${w}`);
    }
  };
  near(values(gx!), [0, 0.6, 0.6], "d hypot / dx");
  near(values(gy!), [0, 0.8, -0.8], "d hypot / dy");
  // Second derivative at the origin: no NaN.
  const h = ad.grad(ad.grad((x: ad.Tensor) => ad.hypot(x, 0)))(ad.scalar(0, "float64"));
  assert.ok(!Number.isNaN(h.item()));
});

test("fmod has the dividend's sign (mod the divisor's); fmod(x, 0) is NaN", () => {
  same(
    values(ad.fmod(f64([-7, 7, -7, 7, -0, 5, 5]), f64([3, -3, -3, 3, 3, Infinity, 0]))),
    [-1, 1, -1, 1, -0, 5, NaN],
    "fmod",
  );
  same(values(ad.mod(f64([-7, 7]), f64([3, -3]))), [2, -2], "mod");
  same(values(ad.fmod(f64([1e300]), f64([3]))), [1e300 % 3], "fmod exact");
  // d fmod / dy = -trunc(x / y)
  const [gx, gy] = ad.grad((x: ad.Tensor, y: ad.Tensor) => ad.sum(ad.fmod(x, y)), {
    argnums: [0, 1],
  })(f64([-7.5, 7.5]), f64([2, 2]));
  same(values(gx!), [1, 1], "d fmod / dx");
  same(values(gy!), [3, -3], "d fmod / dy");
});

test("trunc rounds toward zero, keeps -0 and NaN, and returns integer dtypes unchanged", () => {
  same(
    values(ad.trunc(f64([-0.5, 0.5, -1.7, 2.9, -0, NaN, -Infinity]))),
    [-0, 0, -1, 2, -0, NaN, -Infinity],
    "trunc",
  );
  const i = ad.tensor([3, -2], { dtype: "int32" });
  assert.equal(ad.trunc(i).dtype, "int32");
  same(values(ad.trunc(i)), [3, -2], "trunc int32");
});

test("signbit and copysign see -0 and -Infinity; copysign's derivative in y is 0", () => {
  same(
    values(ad.signbit(f64([-0, 0, -Infinity, Infinity, -1e-320, NaN]))).map(Number),
    [1, 0, 1, 0, 1, 0],
    "signbit",
  );
  same(
    values(ad.copysign(f64([1, 1, -2, 0, NaN]), f64([-0, 0, Infinity, -5, -1]))),
    [-1, 1, 2, -0, NaN],
    "copysign",
  );
  const [gx, gy] = ad.grad((x: ad.Tensor, y: ad.Tensor) => ad.sum(ad.copysign(x, y)), {
    argnums: [0, 1],
  })(f64([2, -2, 0]), f64([-1, -1, 1]));
  same(values(gx!), [-1, 1, 0], "d copysign / dx");
  same(values(gy!), [0, 0, 0], "d copysign / dy");
});

test("logaddexp and logaddexp2 at the extremes: no overflow, infinities, derivative sigmoid(x - y)", () => {
  same(
    values(
      ad.logaddexp(
        f64([1000, -Infinity, Infinity, -Infinity]),
        f64([1000, -Infinity, Infinity, 3]),
      ),
    ),
    [1000 + Math.LN2, -Infinity, Infinity, 3],
    "logaddexp",
  );
  same(
    values(ad.logaddexp2(f64([1e308, -Infinity, 3]), f64([1e308, -Infinity, 3]))),
    [1e308 + 1, -Infinity, 4],
    "logaddexp2",
  );
  const g = ad.grad((x: ad.Tensor) => ad.sum(ad.logaddexp(x, f64([0, 0, 0]))))(f64([0, 40, -40]));
  const want = [0.5, 1 / (1 + Math.exp(-40)), 1 / (1 + Math.exp(40))];
  for (const [i, w] of want.entries()) assert.ok(Math.abs(values(g)[i]! - w) <= 1e-15, `${i}`);
});

test("fmax/fmin ignore NaN; heaviside takes x2 at 0; nanToNum replaces only NaN and infinities", () => {
  same(values(ad.fmax(f64([NaN, 1, NaN, -0]), f64([2, NaN, NaN, 0]))), [2, 1, NaN, 0], "fmax");
  same(values(ad.fmin(f64([NaN, 1, NaN]), f64([2, NaN, NaN]))), [2, 1, NaN], "fmin");
  same(
    values(ad.heaviside(f64([-2, 0, 3, NaN]), f64([0.5, 0.5, 0.5, 0.5]))),
    [0, 0.5, 1, NaN],
    "heaviside",
  );
  same(
    values(ad.nanToNum(f64([NaN, Infinity, -Infinity, -0, 2]))),
    [0, Number.MAX_VALUE, -Number.MAX_VALUE, -0, 2],
    "nanToNum f64",
  );
  same(values(ad.nanToNum(f32([Infinity]))), [3.4028234663852886e38], "nanToNum f32");
  const i = ad.tensor([1, 2], { dtype: "int32" });
  assert.equal(ad.nanToNum(i), i);
  assert.throws(() => ad.nanToNum(i, { nan: 0, bogus: 1 } as ad.NanToNumOptions), /nanToNum/);
  const g = ad.grad((x: ad.Tensor) => ad.sum(ad.nanToNum(x)))(f64([NaN, 1, Infinity]));
  same(values(g), [0, 1, 0], "d nanToNum");
});

test("floorDivide is NumPy's (npy_divmod): x = q * y + mod(x, y), 1 // 0.1 = 9, ints stay ints", () => {
  same(
    values(
      ad.floorDivide(f64([1, -1, 7, -7, 0, -0, 5, 1]), f64([0.1, 0.1, -2, 2, 3, 3, Infinity, 0])),
    ),
    [9, -10, -4, -4, 0, -0, 0, Infinity],
    "floorDivide",
  );
  const [q, r] = ad.divmod(f64([7.5, -7.5]), f64([2, 2]));
  same(values(q), [3, -4], "divmod q");
  same(values(r), [1.5, 0.5], "divmod r");
  const i = ad.floorDivide(
    ad.tensor([7, -7], { dtype: "int32" }),
    ad.tensor([2, 2], { dtype: "int32" }),
  );
  assert.equal(i.dtype, "int32");
  same(values(i), [3, -4], "floorDivide int32");
  same(
    values(ad.grad((x: ad.Tensor) => ad.sum(ad.floorDivide(x, 2)))(f64([3.5]))),
    [0],
    "d floorDivide",
  );
});

test("ldexp is exact where 2^e alone overflows; modf keeps signs and handles infinities", () => {
  same(
    values(ad.ldexp(f64([2 ** -600, 2 ** 600, 3]), f64([1100, -1100, -1]))),
    [2 ** 500, 2 ** -500, 1.5],
    "ldexp",
  );
  same(
    values(ad.grad((x: ad.Tensor) => ad.sum(ad.ldexp(x, f64([3, -2]))))(f64([1, 1]))),
    [8, 0.25],
    "d ldexp",
  );
  const [frac, whole] = ad.modf(f64([2.5, -1.25, Infinity, -Infinity, -0]));
  same(values(frac), [0.5, -0.25, 0, -0, -0], "modf frac");
  same(values(whole), [2, -1, Infinity, -Infinity, -0], "modf whole");
  same(values(ad.rint(f64([0.5, 1.5, 2.5, -0.5]))), [0, 2, 2, -0], "rint");
});
