/**
 * @file float64 forms of the elementwise functions that ONNX Runtime implements for float32 only
 * (Tan, Atan, Asin, Acos, Sinh, Cosh, Asinh, Acosh, Atanh, Erf have no double kernel on its CPU
 * and WebAssembly backends), written with operators it has in double (Exp, Log, Sqrt, Sin, Cos,
 * arithmetic, Where). A float64 model then runs everywhere and keeps float64 accuracy; float32
 * keeps ONNX's single operators.
 */

import type { ExportBuilder } from "./export-builder.js";

type B = ExportBuilder;

const c = (b: B, v: number): string => b.scalar(v, "float64");
const add = (b: B, x: string, y: string): string => b.node("Add", [x, y]);
const sub = (b: B, x: string, y: string): string => b.node("Sub", [x, y]);
const mul = (b: B, x: string, y: string): string => b.node("Mul", [x, y]);
const div = (b: B, x: string, y: string): string => b.node("Div", [x, y]);
const sqrt = (b: B, x: string): string => b.node("Sqrt", [x]);
const where = (b: B, cond: string, x: string, y: string): string => b.node("Where", [cond, x, y]);
const less = (b: B, x: string, y: string): string => b.node("Less", [x, y]);

/** Σ coefs[k] s^k by Horner's rule. */
function horner(b: B, s: string, coefs: readonly number[]): string {
  let acc = c(b, coefs[coefs.length - 1]!);
  for (let k = coefs.length - 2; k >= 0; k--) acc = add(b, mul(b, acc, s), c(b, coefs[k]!));
  return acc;
}

/** log(1 + x) accurate near 0 (log(u) x / (u - 1) with u = 1 + x). */
export function log1p64(b: B, x: string): string {
  const one = c(b, 1);
  const u = add(b, x, one);
  const r = div(b, mul(b, b.node("Log", [u]), x), sub(b, u, one));
  const small = where(b, b.node("Equal", [u, one]), x, r);
  return where(b, b.node("IsInf", [u]), b.node("Log", [u]), small);
}

/** exp(x) - 1 accurate near 0 ((u - 1) x / log(u) with u = exp(x)). */
export function expm164(b: B, x: string): string {
  const one = c(b, 1);
  const u = b.node("Exp", [x]);
  const um1 = sub(b, u, one);
  const r = div(b, mul(b, um1, x), b.node("Log", [u]));
  const small = where(b, b.node("Equal", [u, one]), x, r);
  const low = where(b, b.node("Equal", [um1, c(b, -1)]), um1, small);
  return where(b, b.node("IsInf", [u]), u, low);
}

/**
 * atan: |x| > 1 reflected (atan a = π/2 - atan(1/a)), then three halvings
 * (atan t = 2 atan(t / (1 + √(1 + t²)))) bring t under tan(π/32) ≈ 0.098, where ten terms of
 * the Maclaurin series are exact to double precision.
 */
export function atan64(b: B, x: string): string {
  const a = b.node("Abs", [x]);
  const one = c(b, 1);
  const inv = b.node("Greater", [a, one]);
  let t = where(b, inv, div(b, one, a), a);
  for (let i = 0; i < 3; i++) t = div(b, t, add(b, one, sqrt(b, add(b, one, mul(b, t, t)))));
  const series = horner(
    b,
    mul(b, t, t),
    Array.from({ length: 10 }, (_, k) => (k % 2 === 0 ? 1 : -1) / (2 * k + 1)),
  );
  const r = mul(b, mul(b, t, series), c(b, 8));
  const reflected = where(b, inv, sub(b, c(b, Math.PI / 2), r), r);
  // The sign of x (atan is odd); NaN stays NaN through the comparisons' false branches.
  return where(
    b,
    less(b, x, c(b, 0)),
    b.node("Neg", [reflected]),
    where(b, b.node("IsNaN", [x]), x, reflected),
  );
}

/** asin x = 2 atan(x / (1 + √((1 - x)(1 + x)))). */
export function asin64(b: B, x: string): string {
  const one = c(b, 1);
  const root = sqrt(b, mul(b, sub(b, one, x), add(b, one, x)));
  return mul(b, c(b, 2), atan64(b, div(b, x, add(b, one, root))));
}

/** acos x = 2 atan(√((1 - x) / (1 + x))). */
export function acos64(b: B, x: string): string {
  const one = c(b, 1);
  return mul(b, c(b, 2), atan64(b, sqrt(b, div(b, sub(b, one, x), add(b, one, x)))));
}

/** tan = sin / cos. */
export function tan64(b: B, x: string): string {
  return div(b, b.node("Sin", [x]), b.node("Cos", [x]));
}

/** sinh x = (expm1(x) - expm1(-x)) / 2: no cancellation near 0. */
export function sinh64(b: B, x: string): string {
  const d = sub(b, expm164(b, x), expm164(b, b.node("Neg", [x])));
  return mul(b, d, c(b, 0.5));
}

/** cosh x = (e^x + e^-x) / 2. */
export function cosh64(b: B, x: string): string {
  const s = add(b, b.node("Exp", [x]), b.node("Exp", [b.node("Neg", [x])]));
  return mul(b, s, c(b, 0.5));
}

/** asinh x = sign(x) log1p(a + a² / (1 + √(1 + a²))), a = |x|; log(2a) once a² would overflow. */
export function asinh64(b: B, x: string): string {
  const a = b.node("Abs", [x]);
  const one = c(b, 1);
  const a2 = mul(b, a, a);
  const near = log1p64(b, add(b, a, div(b, a2, add(b, one, sqrt(b, add(b, one, a2))))));
  const far = add(b, b.node("Log", [a]), c(b, Math.LN2));
  const r = where(b, less(b, a, c(b, 1e150)), near, far);
  return where(b, less(b, x, c(b, 0)), b.node("Neg", [r]), where(b, b.node("IsNaN", [x]), x, r));
}

/** acosh x = log1p(t + √(2t + t²)), t = x - 1; log(2x) once the square would overflow. */
export function acosh64(b: B, x: string): string {
  const t = sub(b, x, c(b, 1));
  const near = log1p64(b, add(b, t, sqrt(b, add(b, mul(b, c(b, 2), t), mul(b, t, t)))));
  const far = add(b, b.node("Log", [x]), c(b, Math.LN2));
  return where(b, b.node("Greater", [x, c(b, 1e150)]), far, near);
}

/** atanh x = log1p(2x / (1 - x)) / 2. */
export function atanh64(b: B, x: string): string {
  const r = log1p64(b, div(b, mul(b, c(b, 2), x), sub(b, c(b, 1), x)));
  return mul(b, r, c(b, 0.5));
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf in three regions, as the reference backend computes it (src/backend/reference/erf.ts), with
 * fixed term counts: |x| < 0.75 the Maclaurin series (18 terms); |x| < 2 the all-positive series
 * e^(-x²) Σ 2^n x^(2n+1) / (2n+1)!! (40 terms); |x| < 6 1 - erfc with erfc's continued fraction
 * evaluated from depth 80; beyond, ±1.
 */
export function erf64(b: B, x: string): string {
  const a = b.node("Abs", [x]);
  const y = mul(b, a, a);
  // Maclaurin on the signed x: Σ (-1)^n y^n / (n! (2n+1)).
  const mac: number[] = [];
  let fact = 1;
  for (let n = 0; n < 18; n++) {
    if (n > 0) fact *= n;
    mac.push((n % 2 === 0 ? 1 : -1) / (fact * (2 * n + 1)));
  }
  const small = mul(b, mul(b, x, horner(b, y, mac)), c(b, TWO_OVER_SQRT_PI));
  // The positive series on a: Σ 2^n y^n / (2n+1)!!.
  const pos: number[] = [];
  let coef = 1;
  for (let n = 0; n < 40; n++) {
    if (n > 0) coef = (coef * 2) / (2 * n + 1);
    pos.push(coef);
  }
  const expNegY = b.node("Exp", [b.node("Neg", [y])]);
  const middle = mul(b, mul(b, mul(b, a, horner(b, y, pos)), expNegY), c(b, TWO_OVER_SQRT_PI));
  // erfc's continued fraction a + (1/2)/(a + 1/(a + (3/2)/(a + ...))), from the bottom.
  const a2 = where(b, less(b, a, c(b, 2)), c(b, 2), a);
  let f = a2;
  for (let n = 80; n >= 1; n--) f = add(b, a2, div(b, c(b, n / 2), f));
  const erfc = div(
    b,
    mul(b, b.node("Exp", [b.node("Neg", [mul(b, a2, a2)])]), c(b, 1 / Math.sqrt(Math.PI))),
    f,
  );
  const large = sub(b, c(b, 1), erfc);
  const magnitude = where(
    b,
    less(b, a, c(b, 2)),
    middle,
    where(b, less(b, a, c(b, 6)), large, c(b, 1)),
  );
  const signed = where(b, less(b, x, c(b, 0)), b.node("Neg", [magnitude]), magnitude);
  const r = where(b, less(b, a, c(b, 0.75)), small, signed);
  return where(b, b.node("IsNaN", [x]), x, r);
}
