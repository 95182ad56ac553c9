/**
 * @file The generated elementwise kernels (src/elementwise: reference, fast float64/float32 and
 * scalar-lane forms, generated code and the closure fallback) against naive scalar definitions
 * written here independently, bit for bit, on random data with NaN, ±Infinity, ±0, halves, huge
 * and tiny values. (Before the hand-written kernels were deleted, this compared against them.)
 * A naive definition is optional for a new op (its spec line's reference checks its values): an
 * op without one is checked against its expression's closure, so the generated code, the fast
 * loops and the scalar lane still have to agree with the closure fallback bit for bit.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { BinaryOp, UnaryOp } from "../../src/backend/backend.js";
import { erf } from "../../src/backend/reference/erf.js";
import {
  _forceClosureKernels,
  exprClosure,
  scalarBinary,
  scalarUnary,
} from "../../src/elementwise/compile.js";
import {
  floorDivide,
  mod,
  roundHalfEven,
  sigmoid,
  softplus,
} from "../../src/elementwise/helpers.js";
import {
  BINARY_SCALAR as GEN_BINARY_SCALAR,
  UNARY_SCALAR as GEN_UNARY_SCALAR,
  isFloatBinary,
  isFloatUnary,
  kernelSet,
  scalarTable,
} from "../../src/elementwise/kernels.js";
import {
  BINARY_KERNELS,
  BINARY_OPS,
  UNARY_KERNELS,
  UNARY_OPS,
} from "../../src/elementwise/table.js";

/** The definitions, written as plain functions (the helpers are shared: they are tested on their own). */
const NAIVE_UNARY: Partial<Record<UnaryOp, (x: number) => number>> = {
  neg: (x) => -x,
  abs: (x) => Math.abs(x),
  sign: (x) => Math.sign(x),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  log1p: (x) => Math.log1p(x),
  expm1: (x) => Math.expm1(x),
  sqrt: (x) => Math.sqrt(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sin: (x) => Math.sin(x),
  cos: (x) => Math.cos(x),
  tan: (x) => Math.tan(x),
  asin: (x) => Math.asin(x),
  acos: (x) => Math.acos(x),
  atan: (x) => Math.atan(x),
  sinh: (x) => Math.sinh(x),
  cosh: (x) => Math.cosh(x),
  tanh: (x) => Math.tanh(x),
  asinh: (x) => Math.asinh(x),
  acosh: (x) => Math.acosh(x),
  atanh: (x) => Math.atanh(x),
  erf,
  sigmoid,
  softplus,
  relu: (x) => (x > 0 || Number.isNaN(x) ? x : 0),
  floor: (x) => Math.floor(x),
  ceil: (x) => Math.ceil(x),
  round: roundHalfEven,
  log2: (x) => Math.log2(x),
  log10: (x) => Math.log10(x),
  exp2: (x) => 2 ** x,
  cbrt: (x) => Math.cbrt(x),
  trunc: (x) => Math.trunc(x),
  signbit: (x) => (x < 0 || Object.is(x, -0) ? 1 : 0),
  logicalNot: (x) => (x === 0 ? 1 : 0),
  isNaN: (x) => (Number.isNaN(x) ? 1 : 0),
  isFinite: (x) => (Number.isFinite(x) ? 1 : 0),
  bitwiseNot: (x) => -(x | 0) - 1,
  bitwiseCount: (x) => {
    // popcount of |x| as a uint32, bit by bit
    const v = Math.abs(x | 0);
    let c = 0;
    for (let k = 0; k < 32; k++) if (Math.floor(v / 2 ** k) % 2 === 1) c++;
    return c;
  },
};

const NAIVE_BINARY: Partial<Record<BinaryOp, (x: number, y: number) => number>> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: (x, y) => x ** y,
  max: (x, y) => Math.max(x, y),
  min: (x, y) => Math.min(x, y),
  atan2: (x, y) => Math.atan2(x, y),
  mod,
  hypot: (x, y) => Math.hypot(x, y),
  fmod: (x, y) => x % y,
  copysign: (x, y) => (y < 0 || Object.is(y, -0) ? -Math.abs(x) : Math.abs(x)),
  floorDivide,
  bitwiseAnd: (x, y) => x & y,
  bitwiseOr: (x, y) => x | y,
  bitwiseXor: (x, y) => x ^ y,
  // counts outside [0, 31] (compared unsigned): 0, resp. the sign fill
  shiftLeft: (x, y) => ((y | 0) >>> 0 < 32 ? x << (y | 0) : 0),
  shiftRight: (x, y) => ((y | 0) >>> 0 < 32 ? x >> (y | 0) : (x | 0) < 0 ? -1 : 0),
  eq: (x, y) => (x === y ? 1 : 0),
  ne: (x, y) => (x !== y ? 1 : 0),
  lt: (x, y) => (x < y ? 1 : 0),
  le: (x, y) => (x <= y ? 1 : 0),
  gt: (x, y) => (x > y ? 1 : 0),
  ge: (x, y) => (x >= y ? 1 : 0),
  and: (x, y) => (x !== 0 && y !== 0 ? 1 : 0),
  or: (x, y) => (x !== 0 || y !== 0 ? 1 : 0),
};

/** A boolean tree's value as the kernels store it. */
const stored = (v: number | boolean): number => (typeof v === "boolean" ? (v ? 1 : 0) : v);

/** The naive definition of a unary op, else its expression's closure. */
function naive1(op: UnaryOp): (x: number) => number {
  const f = exprClosure(UNARY_KERNELS[op].expr);
  return NAIVE_UNARY[op] ?? ((x) => stored(f(x, 0)));
}

/** The naive definition of a binary op, else its expression's closure. */
function naive2(op: BinaryOp): (x: number, y: number) => number {
  const f = exprClosure(BINARY_KERNELS[op].expr);
  return NAIVE_BINARY[op] ?? ((x, y) => stored(f(x, y)));
}

type Arr = Float64Array | Float32Array | Int32Array | Uint8Array;

function naiveUnary(op: UnaryOp, x: Arr, out: Arr): void {
  const f = naive1(op);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
}

/** out[o + k] = f(a[ai + k*aStep], b[bi + k*bStep]). */
function naiveRun(
  op: BinaryOp,
  a: Arr,
  ai: number,
  as: number,
  b: Arr,
  bi: number,
  bs: number,
  out: Arr,
  n: number,
): void {
  const f = naive2(op);
  for (let k = 0; k < n; k++) out[k] = f(a[ai + k * as]!, b[bi + k * bs]!);
}

const SPECIALS = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  1,
  -1,
  1e300,
  -1e300,
  5e-324,
  1e-8,
  3,
];

function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.3) out.push(SPECIALS[Math.floor(rand() * SPECIALS.length)]!);
    else if (r < 0.6) out.push(rand() * 2 - 1);
    else if (r < 0.8) out.push(Math.round((rand() * 20 - 10) * 4) / 4);
    else out.push((rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20));
  }
  return out;
}

function same(a: ArrayLike<number>, b: ArrayLike<number>, msg: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${msg}[${i}]: generated ${a[i]}, naive ${b[i]}`);
  }
}

type Ctor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor;
const CTORS: Ctor[] = [Float64Array, Float32Array, Int32Array, Uint8Array];

for (const closures of [false, true]) {
  test(`generated kernels equal naive scalar definitions (${closures ? "closures" : "codegen"})`, () => {
    _forceClosureKernels(closures);
    try {
      const REFERENCE_KERNELS = kernelSet("reference");
      const F64_KERNELS = kernelSet("f64");
      const F32_KERNELS = kernelSet("f32");
      const UNARY_SCALAR = closures ? scalarTable(UNARY_KERNELS, scalarUnary) : GEN_UNARY_SCALAR;
      const BINARY_SCALAR = closures
        ? scalarTable(BINARY_KERNELS, scalarBinary)
        : GEN_BINARY_SCALAR;
      const probe = new Float64Array(1);
      assert.ok(REFERENCE_KERNELS.unary("neg", probe, probe));
      assert.equal(REFERENCE_KERNELS.unary.toString().includes("unary reference"), !closures);
      assert.ok(!F64_KERNELS.unary("isNaN", probe, probe), "the fast loops have no bool ops");
      for (const n of [0, 1, 3, 4, 5, 37, 400]) {
        const vx = values(n, n + 11);
        const vy = values(n, n + 97);
        for (const op of UNARY_OPS) {
          for (const C of CTORS) {
            const x = new C(vx);
            const OutC = isFloatUnary(op) ? C : Uint8Array;
            const want = new OutC(n);
            const got = new OutC(n);
            naiveUnary(op, x, want);
            assert.ok(REFERENCE_KERNELS.unary(op, x, got));
            same(got, want, `ref ${op} ${C.name}`);
          }
          if (isFloatUnary(op)) {
            const w64 = new Float64Array(n);
            const g64 = new Float64Array(n);
            naiveUnary(op, new Float64Array(vx), w64);
            assert.ok(F64_KERNELS.unary(op, new Float64Array(vx), g64));
            same(g64, w64, `f64 ${op}`);
            const w32 = new Float32Array(n);
            const g32 = new Float32Array(n);
            naiveUnary(op, new Float32Array(vx), w32);
            assert.ok(F32_KERNELS.unary(op, new Float32Array(vx), g32));
            same(g32, w32, `f32 ${op}`);
            const sf = UNARY_SCALAR[op]!;
            const of = naive1(op);
            same(
              vx.map((v) => sf(v)),
              vx.map((v) => of(v)),
              `scalar ${op}`,
            );
          } else {
            assert.equal(UNARY_SCALAR[op], undefined);
          }
        }
        for (const op of BINARY_OPS) {
          for (const C of CTORS) {
            const a = new C(vx);
            const b = new C(vy);
            const OutC = isFloatBinary(op) ? C : Uint8Array;
            for (const [sa, sb] of [
              [[n], [n]],
              [[1], [n]],
              [[n], [1]],
            ] as const) {
              const aa = sa[0] === 1 ? a.subarray(0, Math.min(1, n)) : a;
              const bb = sb[0] === 1 ? b.subarray(0, Math.min(1, n)) : b;
              if (n === 0 && (sa[0] === 1 || sb[0] === 1)) continue;
              const want = new OutC(n);
              const got = new OutC(n);
              naiveRun(op, aa, 0, sa[0] === 1 ? 0 : 1, bb, 0, sb[0] === 1 ? 0 : 1, want, n);
              REFERENCE_KERNELS.binary.run(
                op,
                aa,
                0,
                sa[0] === 1 ? 0 : 1,
                bb,
                0,
                sb[0] === 1 ? 0 : 1,
                got,
                0,
                n,
              );
              same(got, want, `ref ${op} ${C.name} ${sa}x${sb}`);
            }
          }
          if (!isFloatBinary(op)) {
            assert.equal(BINARY_SCALAR[op], undefined);
            continue;
          }
          for (const [NEW, C] of [
            [F64_KERNELS, Float64Array],
            [F32_KERNELS, Float32Array],
          ] as const) {
            const a = new C(vx) as Float64Array;
            const b = new C(vy) as Float64Array;
            const k = (NEW as typeof F64_KERNELS).binary;
            const w = new C(n) as Float64Array;
            const g = new C(n) as Float64Array;
            naiveRun(op, a, 0, 1, b, 0, 1, w, n);
            assert.ok(k.contig(op, a, b, g, n));
            same(g, w, `contig ${op} ${C.name}`);
            const s = b[0] ?? 0.5; // of the class, as the fast backend reads it
            naiveRun(op, new C([s]), 0, 0, b, 0, 1, w, n);
            assert.ok(k.scalarA(op, s, b, g, n));
            same(g, w, `scalarA ${op} ${C.name}`);
            naiveRun(op, a, 0, 1, new C([s]), 0, 0, w, n);
            assert.ok(k.scalarB(op, a, s, g, n));
            same(g, w, `scalarB ${op} ${C.name}`);
            const half = n >> 1;
            naiveRun(op, a, 1, 1, b, 0, 0, w, half);
            assert.ok(k.run(op, a, 1, 1, b, 0, 0, g, 0, half));
            same(g, w, `run ${op} ${C.name}`);
          }
          const sf = BINARY_SCALAR[op]!;
          const of = naive2(op);
          same(
            vx.map((v, i) => sf(v, vy[i]!)),
            vx.map((v, i) => of(v, vy[i]!)),
            `scalar ${op}`,
          );
        }
      }
    } finally {
      _forceClosureKernels(false);
    }
  });
}
