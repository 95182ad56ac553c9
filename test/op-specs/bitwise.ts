/**
 * @file Op specs of the bitwise ops (src/ops/bitwise.ts) on int32 over the whole int32 range and
 * at the edge shift counts, and on bool, against references written with arithmetic on the
 * two's-complement digits (not with JavaScript's bit operators, which the kernels use). Values
 * only: integer outputs have no derivative.
 */

import * as ad from "../../src/index.js";
import type { Domain, OpSpec } from "../harness/spec.js";

const TWO32 = 2 ** 32;
const TWO31 = 2 ** 31;

/** The 32 bits of an int32's two's complement, least significant first. */
function bits(v: number): number[] {
  let u = ((v % TWO32) + TWO32) % TWO32;
  const out: number[] = [];
  for (let k = 0; k < 32; k++) {
    out.push(u % 2);
    u = Math.floor(u / 2);
  }
  return out;
}

/** The int32 whose two's-complement bits these are. */
function fromBits(b: readonly number[]): number {
  let u = 0;
  for (let k = 31; k >= 0; k--) u = u * 2 + b[k]!;
  return u >= TWO31 ? u - TWO32 : u;
}

/** An int32 from any integer, wrapping modulo 2^32. */
const wrap = (v: number): number => fromBits(bits(v));

const bitwise = (f: (p: number, q: number) => number) => (a: number, b: number) => {
  const p = bits(a);
  const q = bits(b);
  return fromBits(p.map((v, k) => f(v, q[k]!)));
};

const shl = (a: number, n: number): number => (n >= 0 && n <= 31 ? wrap(a * 2 ** n) : 0);
const shr = (a: number, n: number): number =>
  n >= 0 && n <= 31 ? Math.floor(a / 2 ** n) : a < 0 ? -1 : 0;
const count = (a: number): number => bits(Math.abs(a)).filter((b) => b === 1).length;

const FULL: Domain = { int: [-TWO31, TWO31] };
const COUNTS: Domain = { int: [-3, 36] };
const BINARY_SHAPES = [
  [[4], [4]],
  [[2, 3], [3]],
  [
    [2, 1],
    [1, 3],
  ],
] as const;

/** Edge values (cast to int32 in the op): the extremes, -1, 0 and counts 0, 31, 32, -1, 40. */
const EDGE_X = [-TWO31, TWO31 - 1, -1, 0, 1, -7, 5, -TWO31];
const EDGE_N = [0, 31, 32, -1, 40, 1, 31, 1];
const i32 = (t: ad.Tensor) => ad.astype(t, "int32");

function intBinary(
  name: string,
  prim: string,
  fn: (x: ad.Tensor, y: ad.Tensor) => ad.Tensor,
  ref: (a: number, b: number) => number,
  second: Domain,
): OpSpec[] {
  const common = { prims: [prim], order: 0, outDType: "int32", noFloat32: true } as const;
  return [
    { name, fn, shapes: BINARY_SHAPES, domains: [FULL, second], elementwise: ref, ...common },
    {
      name: `${name} (edges)`,
      fn: (x, y) => fn(i32(x), i32(y)),
      shapes: [[[8], [8]]],
      domains: [{ fixed: EDGE_X }, { fixed: EDGE_N }],
      elementwise: ref,
      ...common,
    },
  ];
}

/** Two bools (drawn as 0/1 ints, cast), and the result as 0/1. */
function boolBinary(
  name: string,
  prim: string,
  fn: (x: ad.Tensor, y: ad.Tensor) => ad.Tensor,
  ref: (a: number, b: number) => number,
): OpSpec {
  const b = (t: ad.Tensor) => ad.astype(t, "bool");
  return {
    name: `${name} (bool)`,
    prims: [prim],
    fn: (x, y) => fn(b(x), b(y)),
    shapes: [
      [[4], [4]],
      [[2, 3], [3]],
    ],
    domains: [{ int: [0, 2] }, { int: [0, 2] }],
    elementwise: ref,
    order: 0,
    outDType: "bool",
    noFloat32: true,
  };
}

export const bitwiseSpecs: OpSpec[] = [
  ...intBinary(
    "bitwiseAnd",
    "bitwise_and",
    ad.bitwiseAnd,
    bitwise((p, q) => p * q),
    FULL,
  ),
  ...intBinary(
    "bitwiseOr",
    "bitwise_or",
    ad.bitwiseOr,
    bitwise((p, q) => Math.max(p, q)),
    FULL,
  ),
  ...intBinary(
    "bitwiseXor",
    "bitwise_xor",
    ad.bitwiseXor,
    bitwise((p, q) => (p + q) % 2),
    FULL,
  ),
  ...intBinary("leftShift", "shift_left", ad.leftShift, shl, COUNTS),
  ...intBinary("rightShift", "shift_right_arithmetic", ad.rightShift, shr, COUNTS),
  {
    name: "bitwiseNot",
    prims: ["bitwise_not"],
    fn: ad.bitwiseNot,
    shapes: [[[5]], [[2, 3]]],
    domains: [FULL],
    elementwise: (a) => fromBits(bits(a).map((p) => 1 - p)),
    order: 0,
    outDType: "int32",
    noFloat32: true,
  },
  {
    name: "bitwiseCount",
    prims: ["population_count"],
    fn: ad.bitwiseCount,
    shapes: [[[5]], [[2, 3]]],
    domains: [FULL],
    elementwise: count,
    order: 0,
    outDType: "int32",
    noFloat32: true,
  },
  {
    name: "bitwiseCount (edges)",
    prims: ["population_count"],
    fn: (x) => ad.bitwiseCount(i32(x)),
    shapes: [[[8]]],
    domains: [{ fixed: EDGE_X }],
    elementwise: count,
    order: 0,
    outDType: "int32",
    noFloat32: true,
  },
  boolBinary("bitwiseAnd", "logical_and", ad.bitwiseAnd, (a, b) => a * b),
  boolBinary("bitwiseOr", "logical_or", ad.bitwiseOr, (a, b) => Math.max(a, b)),
  boolBinary("bitwiseXor", "not_equal", ad.bitwiseXor, (a, b) => +(a !== b)),
  {
    name: "bitwiseNot (bool)",
    prims: ["logical_not"],
    fn: (x) => ad.bitwiseNot(ad.astype(x, "bool")),
    shapes: [[[4]]],
    domains: [{ int: [0, 2] }],
    elementwise: (a) => 1 - a,
    order: 0,
    outDType: "bool",
    noFloat32: true,
  },
];
