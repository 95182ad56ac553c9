/**
 * @file Checks the float32 tanh and exp of the wasm loops (codegen-wasm.ts, `certified`) on every
 * float32 in their ranges: the lanes' float64 arithmetic, replayed here in the same order with
 * the same constants, against V8's Math.tanh / Math.exp. It prints the worst relative error
 * (which must stay far below the certification margin CERTAIN_EPS), how many values the lanes
 * leave uncertain (those call the Math function), and how many they would certify wrongly
 * (must be 0). tanh: every positive float32 up to 9.5 (tanh is odd, and beyond 9.5 every
 * float32 tanh is +-1); exp: every float32 in [EXP_MIN, EXP_MAX].
 *
 * Usage: `node --import tsx tools/check-lanes32.ts tanh|exp [STEP]` (every STEP-th float32;
 * default 1: all of them, ~30 s for tanh, ~60 s for exp).
 */

import {
  CERTAIN_EPS,
  EXP_MAX,
  EXP_MIN,
  EXP_TAYLOR,
  LN2_HI,
  LN2_LO,
  TANH_DOUBLINGS,
  TANH_P,
  TANH_Q,
} from "../src/compile/codegen-wasm.js";

function horner(k: readonly number[], x: number): number {
  let acc = k[k.length - 1]!;
  for (let i = k.length - 2; i >= 0; i--) acc = acc * x + k[i]!;
  return acc;
}

/** The tanh lanes' value (operation for operation as emitted, so bit for bit). */
function tanhLanes(v: number): number {
  const u = Math.max(Math.min(v, 9.5), -9.5) * (1 / 4);
  const w = u * u;
  let n = horner(TANH_P, w) * u;
  let d = horner(TANH_Q, w);
  for (let k = 0; k < TANH_DOUBLINGS; k++) {
    const n2 = (n + n) * d;
    d = d * d + n * n;
    n = n2;
  }
  return n / d;
}

/** Round to nearest, ties to even (f64x2.nearest). */
function nearest(y: number): number {
  const r = Math.round(y);
  return r - y === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The exp lanes' value (operation for operation as emitted). */
function expLanes(v: number): number {
  const c = Math.max(Math.min(v, EXP_MAX), EXP_MIN);
  const k = nearest(c * (1 / Math.LN2));
  const r = c - k * LN2_HI - k * LN2_LO;
  return horner(EXP_TAYLOR, r) * 2 ** k;
}

const fn = process.argv[2];
const step = Number(process.argv[3] ?? 1);
if ((fn !== "tanh" && fn !== "exp") || !Number.isInteger(step) || step < 1) {
  throw new Error("usage: check-lanes32.ts tanh|exp [STEP]");
}
const lanes = fn === "tanh" ? tanhLanes : expLanes;
const exact = fn === "tanh" ? Math.tanh : Math.exp;
const f = new Float32Array(1);
const bits = new Uint32Array(f.buffer);
/** Bit patterns [from, to] of the float32s to check (sign bit included). */
const ranges: [number, number][] = [];
const bitsOf = (x: number): number => {
  f[0] = x;
  return bits[0]!;
};
if (fn === "tanh") ranges.push([1, bitsOf(9.5)]);
else ranges.push([0, bitsOf(EXP_MAX)], [bitsOf(-0) + 1, bitsOf(EXP_MIN)]);
let worst = 0;
let worstAt = 0;
let uncertain = 0;
let wrong = 0;
let checked = 0;
for (const [from, to] of ranges) {
  for (let b = from; b <= to; b += step) {
    bits[0] = b;
    const v = f[0]!;
    const r = lanes(v);
    const ref = exact(v);
    const e = ref === 0 ? Math.abs(r) : Math.abs(r / ref - 1);
    if (e > worst) {
      worst = e;
      worstAt = v;
    }
    const lo = Math.fround(r * (1 - CERTAIN_EPS));
    if (lo !== Math.fround(r * (1 + CERTAIN_EPS))) uncertain++;
    else if (lo !== Math.fround(ref)) wrong++;
    checked++;
  }
}
console.log(
  `${fn}: ${checked} float32s: worst relative error against Math.${fn} ${worst.toExponential(3)} (at ${worstAt}; margin ${CERTAIN_EPS.toExponential(3)}), ${uncertain} uncertain (Math.${fn}), ${wrong} certified wrongly`,
);
if (wrong > 0 || worst >= CERTAIN_EPS / 8) process.exitCode = 1;
