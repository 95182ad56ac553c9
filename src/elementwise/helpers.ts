/**
 * @file The scalar helpers that elementwise expressions call by name: functions whose bodies need
 * more than one expression (branches, a correction step). Generated kernels receive them as
 * arguments, so every kernel and the scalar lane call the very same function.
 */

import { erf } from "../backend/reference/erf.js";

/** Logistic function without overflow: exp is only ever taken of a non-positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x, no early underflow to 0. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Round half to even (NumPy's `round`); keeps -0 and NaN. */
export function roundHalfEven(x: number): number {
  // Math.round rounds halves up; a tie that landed on an odd integer goes down instead. r - x is
  // exact whenever x has a fractional part (|x| < 2^52), and 0 otherwise.
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * NumPy's floating `mod` (npy_divmod): the result has the divisor's sign. fmod is exact, and the
 * correction `m + y` happens only when the signs differ, which is what NumPy does, e.g.
 * mod(-1e-20, 1) is 1 (the exact answer rounds up to 1). mod(x, 0) is NaN (fmod's result); a zero
 * result takes the divisor's sign.
 */
export function mod(x: number, y: number): number {
  // Integer-valued operands in int32 range (grid indices, counters): the int32 remainder equals
  // fmod's exactly (same sign rule, no rounding) and costs a tenth of the float `%`.
  const xi = x | 0;
  const yi = y | 0;
  let m = xi === x && yi === y && yi !== 0 ? xi % yi : x % y;
  if (y === 0) return m;
  if (m !== 0) {
    if (y < 0 !== m < 0) m += y;
  } else {
    m = y < 0 ? -0 : 0;
  }
  return m;
}

/**
 * NumPy's floor division of floats (npy_divmod): (x - mod(x, y)) / y snapped to the integer it
 * is meant to be, so floorDivide(1, 0.1) is 9 (x = 9 * 0.1 + 0.0999...), where floor(1 / 0.1)
 * is 10. Division by 0 gives x / 0 (±Infinity or NaN).
 */
export function floorDivide(x: number, y: number): number {
  if (y === 0) return x / y;
  let m = x % y;
  let div = (x - m) / y;
  if (m !== 0 && y < 0 !== m < 0) {
    m += y;
    div -= 1;
  }
  if (div === 0) {
    const r = x / y; // the zero takes the sign of the true quotient
    return r < 0 || Object.is(r, -0) ? -0 : 0;
  }
  let q = Math.floor(div);
  if (div - q > 0.5) q += 1;
  return q;
}

/**
 * x << y on int32 as XLA's shift_left (jnp.left_shift): a count outside [0, 31] gives 0, where
 * JavaScript's << would take the count modulo 32.
 */
export function shiftLeft(x: number, y: number): number {
  const n = y | 0; // the int32 the count is (the identity on int32 data)
  return n >= 0 && n < 32 ? x << n : 0;
}

/**
 * x >> y on int32, arithmetic (sign-filling, as C's >> on signed ints and XLA's
 * shift_right_arithmetic): a count outside [0, 31] fills with the sign, giving -1 or 0.
 */
export function shiftRight(x: number, y: number): number {
  const n = y | 0;
  return n >= 0 && n < 32 ? x >> n : (x | 0) < 0 ? -1 : 0;
}

/** The number of 1 bits of |x| (NumPy's bitwise_count): |-2^31| = 2^31 has one. */
export function bitCount(x: number): number {
  let v = Math.abs(x | 0) >>> 0;
  let c = 0;
  while (v !== 0) {
    v = (v & (v - 1)) >>> 0;
    c++;
  }
  return c;
}

/** The helpers by the name expressions call them with. */
export const HELPERS = {
  erf,
  sigmoid,
  softplus,
  roundHalfEven,
  mod,
  floorDivide,
  shiftLeft,
  shiftRight,
  bitCount,
} as const;

/** The name of a helper. */
export type HelperName = keyof typeof HELPERS;
