/**
 * @file Checks the float32 tanh of the wasm loops (codegen-wasm.ts, `tanh32`) on every positive
 * float32 up to 9.5 (tanh is odd; beyond 9.5 every float32 tanh is +-1): the lanes' float64
 * arithmetic, replayed here in the same order with the same constants, against Math.tanh. It
 * prints the worst relative error (which must stay far below the certification margin
 * TANH_EPS), how many values the lanes leave uncertain (those call Math.tanh), and how many
 * they would certify wrongly (must be 0).
 *
 * Usage: `node --import tsx tools/check-tanh32.ts [STEP]` (every STEP-th float32; default 1,
 * all 1.09e9 of them, ~30 s).
 */

import { TANH_DOUBLINGS, TANH_EPS, TANH_P, TANH_Q } from "../src/compile/codegen-wasm.js";

/** The lanes' value for one float64 v (operation for operation as emitted, so bit for bit). */
function lanes(v: number): number {
  const c = Math.max(Math.min(v, 9.5), -9.5);
  const u = c * (1 / 4);
  const w = u * u;
  const horner = (k: readonly number[]): number => {
    let acc = k[k.length - 1]!;
    for (let i = k.length - 2; i >= 0; i--) acc = acc * w + k[i]!;
    return acc;
  };
  let n = horner(TANH_P) * u;
  let d = horner(TANH_Q);
  for (let k = 0; k < TANH_DOUBLINGS; k++) {
    const n2 = (n + n) * d;
    d = d * d + n * n;
    n = n2;
  }
  return n / d;
}

const step = Number(process.argv[2] ?? 1);
if (!Number.isInteger(step) || step < 1)
  throw new Error(`STEP must be a positive integer; got ${process.argv[2]}`);
const f = new Float32Array(1);
const bits = new Uint32Array(f.buffer);
f[0] = 9.5;
const last = bits[0]!;
let worst = 0;
let worstAt = 0;
let uncertain = 0;
let wrong = 0;
let checked = 0;
for (let b = 1; b <= last; b += step) {
  bits[0] = b;
  const v = f[0]!;
  const r = lanes(v);
  const ref = Math.tanh(v);
  const e = Math.abs(r / ref - 1);
  if (e > worst) {
    worst = e;
    worstAt = v;
  }
  const lo = Math.fround(r * (1 - TANH_EPS));
  if (lo !== Math.fround(r * (1 + TANH_EPS))) uncertain++;
  else if (lo !== Math.fround(ref)) wrong++;
  checked++;
}
console.log(
  `${checked} float32s in (0, 9.5]: worst relative error against Math.tanh ${worst.toExponential(3)} (at ${worstAt}; margin ${TANH_EPS.toExponential(3)}), ${uncertain} uncertain (Math.tanh), ${wrong} certified wrongly`,
);
if (wrong > 0 || worst >= TANH_EPS / 8) process.exitCode = 1;
