/**
 * @file `ad.random`: a counter-based generator (Threefry-2x32, 20 rounds) with JAX-style keys, so
 * a seed gives the same numbers on every platform and every call order.
 *
 * A key is a 2-element int32 tensor holding the 64 key bits (JAX uses uint32[2]; we store the same
 * bits as int32). Element i of a draw is made from the block threefry2x32(key, counter = i, as
 * 64 bits split in two words), so results never depend on what was drawn before, and `split(key,
 * n)[i]` and `foldIn(key, d)` are blocks of the same function. The words are used as:
 * - a 53-bit uniform u in [0, 1): the top 53 bits of the 64-bit block (float64 draws use all 53;
 *   float32 uniform draws use the top 24, which float32 holds exactly);
 * - normal: the inverse normal CDF (Wichura's AS241) of u shifted half a step into (0, 1);
 * - truncatedNormal: the inverse CDF between Φ(lower) and Φ(upper), computed in the lower tail
 *   (the interval is mirrored when it lies mostly above 0) so that far-tail bounds stay accurate;
 * - bernoulli: u < p; categorical: Gumbel-max, argmax(logits - log(-log u)); permutation: a
 *   Fisher-Yates shuffle with swap j = floor(u (i + 1)) (bias below (i + 1) / 2^53).
 * Random results are constants: concrete tensors with no derivative (permutation of a tensor is a
 * `take`, differentiable w.r.t. that tensor).
 */

import { erf } from "../backend/reference/erf.js";
import { toTensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { getDefaultFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { broadcastsTo, checkShape, normalizeAxis, shapeSize } from "../core/shape.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { broadcastTo, take } from "./shape.js";

// ---- Threefry-2x32 --------------------------------------------------------------------------------

/**
 * Rotation distances of Threefry-2x32, from Salmon, Moraes, Dror and Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3" (SC'11), table 4.
 */
const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
/** The key-schedule parity constant of Threefish / Skein (SKEIN_KS_PARITY32). */
const KS_PARITY = 0x1bd11bda;

/**
 * Threefry-2x32 with 20 rounds: the block (y0, y1) for key (k0, k1) and counter (c0, c1), all
 * unsigned 32-bit words (any integer is taken modulo 2^32). Each round is x0 += x1; x1 = rotl(x1,
 * R) ^ x0, and the key schedule (k0, k1, k0 ^ k1 ^ parity) is injected every 4 rounds with the
 * injection count added to x1. Known answers (Random123's kat_vectors, also checked by JAX's
 * random tests): key (0, 0), counter (0, 0) -> (0x6b200159, 0x99ba4efe).
 * @example threefry2x32(0, 0, 0, 0) // [0x6b200159, 0x99ba4efe]
 */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const out = new Uint32Array(2);
  threefryInto(keySchedule(k0, k1), c0 | 0, c1 | 0, out, out, 0, 1);
  return [out[0]!, out[1]!];
}

/** The three key words of the schedule: k0, k1 and k0 ^ k1 ^ parity. */
function keySchedule(k0: number, k1: number): Int32Array {
  return Int32Array.of(k0, k1, k0 ^ k1 ^ KS_PARITY);
}

/**
 * One block, written to out0[at0] and out1[at1]. Words are int32 in flight: `| 0` wraps the sums
 * mod 2^32 (exact, since the double sums stay below 2^53) and `>>>` shifts in zeros.
 */
function threefryInto(
  ks: Int32Array,
  c0: number,
  c1: number,
  out0: Uint32Array,
  out1: Uint32Array,
  at0: number,
  at1: number,
): void {
  let x0 = (c0 + ks[0]!) | 0;
  let x1 = (c1 + ks[1]!) | 0;
  for (let round = 0; round < 20; round++) {
    const r = ROTATIONS[round & 7]!;
    x0 = (x0 + x1) | 0;
    x1 = ((x1 << r) | (x1 >>> (32 - r))) ^ x0;
    if ((round & 3) === 3) {
      // Key injection s = 1..5 after every 4 rounds: x0 += ks[s mod 3]; x1 += ks[(s + 1) mod 3] + s.
      const s = (round + 1) >> 2;
      x0 = (x0 + ks[s % 3]!) | 0;
      x1 = (x1 + ks[(s + 1) % 3]! + s) | 0;
    }
  }
  out0[at0] = x0;
  out1[at1] = x1;
}

/** A key's two words. */
type KeyWords = readonly [number, number];

/** The 64-bit two's complement of a safe integer as [high word, low word]. */
function words64(v: number): [number, number] {
  return [Math.floor(v / 2 ** 32) | 0, v | 0];
}

/** The blocks for counters 0..n-1 under `key`: element i of a draw uses (w0[i], w1[i]). */
function randomWords([k0, k1]: KeyWords, n: number): [Uint32Array, Uint32Array] {
  const w0 = new Uint32Array(n);
  const w1 = new Uint32Array(n);
  const ks = keySchedule(k0, k1);
  for (let i = 0; i < n; i++) {
    // The counter is i as 64 bits: (high word, low word); `i | 0` keeps the low 32 bits.
    threefryInto(ks, i < 2 ** 32 ? 0 : Math.floor(i / 2 ** 32) | 0, i | 0, w0, w1, i, i);
  }
  return [w0, w1];
}

/** The top 53 bits of the 64-bit block (w0, w1), as an integer in [0, 2^53). */
function top53(w0: number, w1: number): number {
  return w0 * 2 ** 21 + (w1 >>> 11);
}

/** A uniform in [0, 1) from 53 random bits. */
function unitInterval(w0: number, w1: number): number {
  return top53(w0, w1) * 2 ** -53;
}

/** A uniform in the open interval (0, 1): the 53-bit grid shifted by half a step (never 0 or 1). */
function openUnitInterval(w0: number, w1: number): number {
  return (top53(w0, w1) + 0.5) * 2 ** -53;
}

// ---- keys -----------------------------------------------------------------------------------------

function checkSeed(op: string, arg: string, seed: unknown): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new ValueError(
      `${op}: ${arg} must be an integer between -(2^53 - 1) and 2^53 - 1; got ${describeValue(seed)}`,
    );
  }
  return seed;
}

function keyTensor(k0: number, k1: number): Tensor {
  return Tensor._fromData([2], "int32", Int32Array.of(k0, k1));
}

/** The words of a key argument, checked. */
function keyWords(op: string, key: unknown, arg = "key"): KeyWords {
  if (!(key instanceof Tensor)) {
    throw new ValueError(
      `${op}: ${arg} must be a key tensor from random.key, random.split or random.foldIn; got ${typeof key}`,
    );
  }
  if (key.dtype !== "int32") {
    throw new DTypeError(
      `${op}: ${arg} must be an int32 key (from random.key); got dtype ${key.dtype}`,
    );
  }
  if (key.ndim !== 1 || key.shape[0] !== 2) {
    throw new ShapeError(
      `${op}: ${arg} must be a key of shape [2] (from random.key); got shape ${fmtShape(key.shape)}`,
    );
  }
  const data = key._readable(op)._data as Int32Array;
  return [data[0]!, data[1]!];
}

/**
 * A key from an integer seed (its 64-bit two's complement: the high word, then the low word, as
 * JAX's `random.key`). Keys are 2-element int32 tensors; pass them as `{ key }` to the samplers.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const k = ad.random.key(42);
 * k; // => tensor([0, 42], dtype=int32)
 * ad.random.normal([3], { key: k }); // => tensor([-0.1847117, -2.169825, 0.1869356], dtype=float32)
 * ```
 * @category Random
 */
function key(seed: number): Tensor {
  const [hi, lo] = words64(checkSeed("random.key", "seed", seed));
  return keyTensor(hi, lo);
}

/**
 * `n` (default 2) new keys derived from `key`: child i is the Threefry block of counter i. Never
 * reuse a key after splitting it: draw from the children.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const keys = ad.random.split(ad.random.key(0), 3);
 * keys.length; // => 3
 * ad.stack(keys.map((k: ad.Tensor) => ad.random.uniform([], { key: k }))); // => tensor([0.969948, 0.08062434, 0.6519222], dtype=float32)
 * ```
 * @category Random
 */
function split(key: Tensor, n = 2): Tensor[] {
  const k = keyWords("random.split", key);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ValueError(`random.split: n must be a positive integer; got ${describeValue(n)}`);
  }
  const [w0, w1] = randomWords(k, n);
  return Array.from({ length: n }, (_, i) => keyTensor(w0[i]! | 0, w1[i]! | 0));
}

/**
 * A new key from `key` and an integer `data` (e.g. a step number or a layer index): the Threefry
 * block of counter `data` (64-bit two's complement), as JAX's fold_in.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const base = ad.random.key(0);
 * const step7 = ad.random.foldIn(base, 7);
 * ad.random.uniform([2], { key: step7 }); // => tensor([0.2015228, 0.3529544], dtype=float32)
 * ad.equal(step7, ad.random.foldIn(base, 7)); // => tensor([true, true], dtype=bool)
 * ```
 * @category Random
 */
function foldIn(key: Tensor, data: number): Tensor {
  const k = keyWords("random.foldIn", key);
  const [c0, c1] = words64(checkSeed("random.foldIn", "data", data));
  const [y0, y1] = threefry2x32(k[0], k[1], c0, c1);
  return keyTensor(y0 | 0, y1 | 0);
}

// ---- options --------------------------------------------------------------------------------------

/**
 * Where the randomness comes from: an integer seed, or a key (from key/split/foldIn).
 * @category Random
 */
export type RandomSource = { seed: number; key?: undefined } | { key: Tensor; seed?: undefined };

function resolveKey(op: string, options: unknown): KeyWords {
  if (typeof options !== "object" || options === null) {
    throw new ValueError(
      `${op}: options must be an object with a seed or a key; got ${describeValue(options)}`,
    );
  }
  const { seed, key: k } = options as { seed?: unknown; key?: unknown };
  if (seed !== undefined && k !== undefined) {
    throw new ValueError(`${op}: give either a seed or a key, not both`);
  }
  if (k !== undefined) return keyWords(op, k);
  if (seed === undefined) {
    throw new ValueError(`${op}: options must give a seed (an integer) or a key; got neither`);
  }
  return words64(checkSeed(op, "seed", seed));
}

function floatDType(op: string, dtype: unknown): "float32" | "float64" {
  const dt = dtype ?? getDefaultFloat();
  if (dt !== "float32" && dt !== "float64") {
    throw new DTypeError(`${op}: dtype must be "float32" or "float64"; got ${describeValue(dt)}`);
  }
  return dt;
}

function finiteNumber(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ValueError(`${op}: ${arg} must be a finite number; got ${describeValue(v)}`);
  }
  return v;
}

/** The float next to x (towards +Infinity if `up`) in `dtype`. Rare path: nudging into bounds. */
function adjacentFloat(x: number, up: boolean, dtype: "float32" | "float64"): number {
  if (x === 0) {
    const tiny = dtype === "float32" ? 2 ** -149 : Number.MIN_VALUE;
    return up ? tiny : -tiny;
  }
  const view = new DataView(new ArrayBuffer(8));
  // Moving away from zero increases the magnitude bits; towards zero decreases them.
  const away = x > 0 === up;
  if (dtype === "float32") {
    view.setFloat32(0, x);
    view.setInt32(0, view.getInt32(0) + (away ? 1 : -1));
    return view.getFloat32(0);
  }
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + (away ? 1n : -1n));
  return view.getFloat64(0);
}

// ---- the normal distribution's CDF and its inverse ------------------------------------------------

// Wichura's AS241 (PPND16), "The percentage points of the normal distribution", Applied Statistics
// 37 (1988) 477-484: rational approximations of the normal quantile with relative error about 1e-16.
// Coefficients lowest order first, as published (printed here in their shortest float64 form).
const CENTRAL_NUM = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const CENTRAL_DEN = [
  1.0, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597,
  39307.89580009271, 28729.085735721943, 5226.495278852854,
];
const NEAR_NUM = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const NEAR_DEN = [
  1.0, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9,
];
const FAR_NUM = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
];
const FAR_DEN = [
  1.0, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/** c[0] + c[1] t + c[2] t² + ... by Horner's rule. */
function polynomial(c: readonly number[], t: number): number {
  let acc = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) acc = acc * t + c[i]!;
  return acc;
}

/** The quantile Φ⁻¹(1/2 + q) for |q| <= 0.425. */
function quantileCentral(q: number): number {
  const r = 0.180625 - q * q;
  return (q * polynomial(CENTRAL_NUM, r)) / polynomial(CENTRAL_DEN, r);
}

/** The upper-tail quantile Φ⁻¹(1 - t) > 0 from r = sqrt(-log t), for t < 0.075 (r > 1.6). */
function quantileTail(r: number): number {
  if (r <= 5) return polynomial(NEAR_NUM, r - 1.6) / polynomial(NEAR_DEN, r - 1.6);
  return polynomial(FAR_NUM, r - 5) / polynomial(FAR_DEN, r - 5);
}

/**
 * The standard normal quantile Φ⁻¹(p) (Wichura's AS241), relative error about 1e-16 for p in
 * (0, 1), including p down to the smallest doubles (the tail is computed from p itself, not 1 - p).
 * Φ⁻¹(0) = -Infinity, Φ⁻¹(1) = Infinity; NaN outside [0, 1].
 * @example ndtri(0.975) // 1.959963984540054
 */
export function ndtri(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) return quantileCentral(q);
  // 1 - p is exact for p >= 1/2, so the upper tail loses nothing either.
  const x = quantileTail(Math.sqrt(-Math.log(q < 0 ? p : 1 - p)));
  return q < 0 ? -x : x;
}

/**
 * The inverse error function, erf(erfinv(y)) = y for y in [-1, 1], from the same AS241
 * approximations: erfinv(y) = Φ⁻¹((1 + y) / 2) / √2, with (1 + y) / 2 and (1 - y) / 2 formed
 * exactly, so the relative error stays near 1e-16 also as |y| -> 1. NaN outside [-1, 1].
 * @example erfinv(0.5) // 0.4769362762044699
 */
export function erfinv(y: number): number {
  if (!(Math.abs(y) < 1)) return Math.abs(y) === 1 ? y * Infinity : Number.NaN;
  if (Math.abs(y) <= 0.85) return quantileCentral(0.5 * y) * Math.SQRT1_2;
  const x = quantileTail(Math.sqrt(-Math.log(0.5 * (1 - Math.abs(y))))) * Math.SQRT1_2;
  return y < 0 ? -x : x;
}

/** erfc(z) for z >= 0: 1 - erf(z) below 2, the continued fraction (modified Lentz) above. */
function erfcNonNegative(z: number): number {
  if (z < 2) return 1 - erf(z);
  // erfc z = e^(-z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))); z >= 2 converges in < 60 steps.
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = 1 / (z + a * d);
    c = z + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
}

/** The standard normal CDF Φ(x), with relative accuracy in the lower tail (x -> -Infinity). */
export function ndtr(x: number): number {
  if (x === -Infinity) return 0;
  if (x === Infinity) return 1;
  const z = x * Math.SQRT1_2;
  return z < 0 ? 0.5 * erfcNonNegative(-z) : 1 - 0.5 * erfcNonNegative(z);
}

// ---- samplers -------------------------------------------------------------------------------------

/**
 * Options of `random.uniform` (besides the seed or key): the interval [low, high) and the dtype.
 * @category Random
 */
export interface UniformOptions {
  /** Inclusive lower bound (default 0). */
  low?: number;
  /** Exclusive upper bound (default 1). */
  high?: number;
  dtype?: "float32" | "float64";
}

/**
 * Uniform samples in [low, high) (default [0, 1)). float64 draws have 53 random bits, float32
 * draws 24 (every value on that grid equally likely).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.random.uniform([2, 3], { seed: 0, low: -1, high: 1 }); // => tensor([[-0.1630858, -0.5674092, 0.9306428], [0.149001, 0.06445289, -0.2901897]], dtype=float32)
 * ad.random.uniform([2], { seed: 0, dtype: "float64" }); // => tensor([0.4184571, 0.2162955], dtype=float64)
 * ```
 * @category Random
 */
function uniform(
  shape: number | readonly number[],
  options: RandomSource & UniformOptions,
): Tensor {
  const op = "random.uniform";
  options = checkOptions(op, options, ["seed", "key", "low", "high", "dtype"]) as typeof options;
  const s = checkShape(op, shape).slice();
  const k = resolveKey(op, options);
  const dtype = floatDType(op, options.dtype);
  const low = finiteNumber(op, "low", options.low ?? 0);
  const high = finiteNumber(op, "high", options.high ?? 1);
  if (!(low < high)) {
    throw new ValueError(`${op}: low must be less than high; got low ${low}, high ${high}`);
  }
  const n = shapeSize(s);
  const [w0, w1] = randomWords(k, n);
  const width = high - low;
  if (dtype === "float64") {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = low + unitInterval(w0[i]!, w1[i]!) * width;
      // Rounding of low + u * width can reach high; the interval is half-open.
      data[i] = v < high ? v : adjacentFloat(high, false, "float64");
    }
    return Tensor._fromData(s, dtype, data);
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = Math.fround(low + (w0[i]! >>> 8) * 2 ** -24 * width);
    if (v >= high) v = adjacentFloat(Math.fround(high), false, "float32");
    if (v < low) v = adjacentFloat(v, true, "float32");
    data[i] = v;
  }
  return Tensor._fromData(s, dtype, data);
}

/**
 * Standard normal samples (mean 0, variance 1), by the inverse CDF of a 53-bit uniform; float32
 * draws are the float64 draws rounded.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.random.normal([3], { seed: 1 }); // => tensor([-1.184284, -0.1161704, 0.1726903], dtype=float32)
 * const z = ad.random.normal([100000], { seed: 1, dtype: "float64" });
 * ad.mean(z); // => tensor(-0.0007659588, dtype=float64)
 * ad.std(z); // => tensor(1.000034, dtype=float64)
 * ```
 * @category Random
 */
function normal(
  shape: number | readonly number[],
  options: RandomSource & { dtype?: "float32" | "float64" },
): Tensor {
  const op = "random.normal";
  options = checkOptions(op, options, ["seed", "key", "dtype"]) as typeof options;
  const s = checkShape(op, shape).slice();
  const k = resolveKey(op, options);
  const dtype = floatDType(op, options.dtype);
  const n = shapeSize(s);
  const [w0, w1] = randomWords(k, n);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ndtri(openUnitInterval(w0[i]!, w1[i]!));
  return Tensor._fromData(s, dtype, data);
}

/**
 * Options of `random.truncatedNormal` (besides the seed or key): the bounds in standard deviations
 * and the dtype.
 * @category Random
 */
export interface TruncatedNormalOptions {
  /** Lower bound (default -2; may be -Infinity). */
  lower?: number;
  /** Upper bound (default 2; may be Infinity). */
  upper?: number;
  dtype?: "float32" | "float64";
}

/**
 * Samples of the standard normal restricted to [lower, upper] (default [-2, 2]), by the inverse
 * CDF: Φ⁻¹(Φ(a) + u (Φ(b) - Φ(a))), computed on the mirrored interval when it lies mostly above
 * 0 so that both tails keep full relative precision (bounds like [5, 6] work).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.random.truncatedNormal([4], { seed: 0, lower: -1, upper: 1 }); // => tensor([-0.1399961, -0.5063146, 0.9065216, 0.1278363], dtype=float32)
 * ad.min(ad.random.truncatedNormal([1000], { seed: 0, lower: 0, upper: Infinity })); // => tensor(0.0004981373, dtype=float32)
 * ```
 * @category Random
 */
function truncatedNormal(
  shape: number | readonly number[],
  options: RandomSource & TruncatedNormalOptions,
): Tensor {
  const op = "random.truncatedNormal";
  options = checkOptions(op, options, ["seed", "key", "lower", "upper", "dtype"]) as typeof options;
  const s = checkShape(op, shape).slice();
  const k = resolveKey(op, options);
  const dtype = floatDType(op, options.dtype);
  const lower = options.lower ?? -2;
  const upper = options.upper ?? 2;
  if (typeof lower !== "number" || typeof upper !== "number" || !(lower < upper)) {
    throw new ValueError(
      `${op}: lower must be a number less than upper; got lower ${describeValue(lower)}, upper ${describeValue(upper)}`,
    );
  }
  // Work with a <= b where most of [a, b] is below 0: the lower tail, where Φ is accurate.
  const mirror = lower + upper > 0;
  const a = mirror ? -upper : lower;
  const b = mirror ? -lower : upper;
  const pa = ndtr(a);
  const pb = ndtr(b);
  const n = shapeSize(s);
  const [w0, w1] = randomWords(k, n);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  // The bounds as stored values: float32 rounds them inwards, so that no sample leaves [lower, upper].
  let lo = lower;
  let hi = upper;
  if (dtype === "float32") {
    lo = Math.fround(lower) < lower ? adjacentFloat(Math.fround(lower), true, dtype) : lower;
    hi = Math.fround(upper) > upper ? adjacentFloat(Math.fround(upper), false, dtype) : upper;
  }
  for (let i = 0; i < n; i++) {
    const x = ndtri(pa + openUnitInterval(w0[i]!, w1[i]!) * (pb - pa));
    const v = mirror ? -x : x;
    // Rounding (of Φ, Φ⁻¹ or to float32) can step just outside the bounds: clamp.
    const stored = dtype === "float32" ? Math.fround(v) : v;
    data[i] = stored < lo ? lo : stored > hi ? hi : stored;
  }
  return Tensor._fromData(s, dtype, data);
}

/**
 * Bernoulli samples as bool: true with probability p (a number or a tensor broadcasting to
 * `shape`, each in [0, 1]; default 0.5).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.random.bernoulli([6], { seed: 3, p: 0.5 }); // => tensor([false, true, true, true, true, false], dtype=bool)
 * ad.random.bernoulli([2, 2], { seed: 3, p: ad.tensor([0, 1]) }); // => tensor([[false, true], [false, true]], dtype=bool)
 * ```
 * @category Random
 */
function bernoulli(
  shape: number | readonly number[],
  options: RandomSource & { p?: TensorLike },
): Tensor {
  const op = "random.bernoulli";
  options = checkOptions(op, options, ["seed", "key", "p"]) as typeof options;
  const s = checkShape(op, shape).slice();
  const k = resolveKey(op, options);
  const n = shapeSize(s);
  const pArg = options.p ?? 0.5;
  let p: ArrayLike<number>;
  if (typeof pArg === "number") {
    p = [pArg];
  } else {
    const pt = toTensor(pArg);
    if (!broadcastsTo(pt.shape, s)) {
      throw new ShapeError(
        `${op}: p of shape ${fmtShape(pt.shape)} does not broadcast to shape ${fmtShape(s)}`,
      );
    }
    p = broadcastTo(pt, s)._readable(op)._data!;
  }
  for (let i = 0; i < p.length; i++) {
    if (!(p[i]! >= 0 && p[i]! <= 1)) {
      throw new ValueError(`${op}: p must be in [0, 1]; got ${p[i]}`);
    }
  }
  const [w0, w1] = randomWords(k, n);
  const data = new Uint8Array(n);
  const scalarP = p.length === 1 && n !== 1;
  for (let i = 0; i < n; i++) {
    data[i] = unitInterval(w0[i]!, w1[i]!) < p[scalarP ? 0 : i]! ? 1 : 0;
  }
  return Tensor._fromData(s, "bool", data);
}

/**
 * Samples of class indices (int32) with probabilities softmax(logits) along `axis` (default -1),
 * by the Gumbel-max trick. The result has `shape` (default: logits' shape without the axis); a
 * given shape must end with that batch shape (or broadcast from it), its leading dims drawing
 * independent samples. -Infinity logits are never drawn.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.random.categorical(ad.tensor([0, 1, 2]), { seed: 0, shape: [10] }); // => tensor([2, 2, 2, 1, 1, 2, 1, 2, 2, 2], dtype=int32)
 * ad.random.categorical(ad.log(ad.tensor([[0.5, 0.5, 0], [0, 0, 1]])), { seed: 0 }); // => tensor([0, 2], dtype=int32)
 * ```
 * @category Random
 */
function categorical(
  logits: TensorLike,
  options: RandomSource & { axis?: number; shape?: readonly number[] },
): Tensor {
  const op = "random.categorical";
  options = checkOptions(op, options, ["seed", "key", "axis", "shape"]) as typeof options;
  const l = toTensor(logits);
  const k = resolveKey(op, options);
  if (l.dtype === "bool") {
    throw new DTypeError(`${op}: logits must be numbers (float or int32); got dtype bool`);
  }
  const axis = normalizeAxis(op, options.axis ?? -1, l.ndim);
  const classes = l.shape[axis]!;
  if (classes === 0) {
    throw new ValueError(
      `${op}: logits need at least one class; axis ${axis} of shape ${fmtShape(l.shape)} is empty`,
    );
  }
  const batch = l.shape.filter((_, d) => d !== axis);
  const outShape = options.shape === undefined ? batch : checkShape(op, options.shape).slice();
  if (!broadcastsTo(batch, outShape)) {
    throw new ShapeError(
      `${op}: shape ${fmtShape(outShape)} must end with the logits' batch shape ${fmtShape(batch)} (logits ${fmtShape(l.shape)} without axis ${axis})`,
    );
  }
  const values = l._readable(op)._data!;
  // Strides of logits, split into the batch axes and the class axis.
  const strides = new Array<number>(l.ndim);
  for (let d = l.ndim - 1, acc = 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= l.shape[d]!;
  }
  const classStride = strides[axis]!;
  const batchStrides = strides.filter((_, d) => d !== axis);
  const lead = outShape.length - batch.length;
  const size = shapeSize(outShape);
  const [w0, w1] = randomWords(k, size * classes);
  const out = new Int32Array(size);
  const coord = new Array<number>(outShape.length).fill(0);
  for (let p = 0; p < size; p++) {
    let base = 0;
    for (let d = 0; d < batch.length; d++) {
      if (batch[d] !== 1) base += coord[lead + d]! * batchStrides[d]!;
    }
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      const j = p * classes + c;
      const gumbel = -Math.log(-Math.log(openUnitInterval(w0[j]!, w1[j]!)));
      const score = values[base + c * classStride]! + gumbel;
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    out[p] = best;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++coord[d]! < outShape[d]!) break;
      coord[d] = 0;
    }
  }
  return Tensor._fromData(outShape, "int32", out);
}

/**
 * A random permutation: of 0..n-1 (int32) for a number n, or of a tensor's entries along `axis`
 * (default 0) for a tensor (differentiable w.r.t. the tensor: it is a `take`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.random.permutation(5, { seed: 0 }); // => tensor([1, 0, 3, 4, 2], dtype=int32)
 * ad.random.permutation(ad.tensor([[1, 2], [3, 4], [5, 6]]), { seed: 0 }); // => tensor([[3., 4.], [1., 2.], [5., 6.]], dtype=float32)
 * ```
 * @category Random
 */
function permutation(x: number | TensorLike, options: RandomSource & { axis?: number }): Tensor {
  const op = "random.permutation";
  options = checkOptions(op, options, ["seed", "key", "axis"]) as typeof options;
  const k = resolveKey(op, options);
  if (typeof x === "number") {
    if (!Number.isInteger(x) || x < 0 || x > 2 ** 31 - 1) {
      throw new ValueError(
        `${op}: n must be a non-negative int32 integer; got ${describeValue(x)}`,
      );
    }
    return Tensor._fromData([x], "int32", shuffledRange(k, x));
  }
  const t = toTensor(x);
  if (t.ndim === 0) {
    throw new ValueError(
      `${op}: x must have at least one dimension (or be a number n for a permutation of 0..n-1); got a 0-d tensor`,
    );
  }
  const axis = normalizeAxis(op, options.axis ?? 0, t.ndim);
  const n = t.shape[axis]!;
  return take(t, Tensor._fromData([n], "int32", shuffledRange(k, n)), axis);
}

/** 0..n-1 shuffled by Fisher-Yates; step i (from n-1 down) uses the block of counter i. */
function shuffledRange(k: KeyWords, n: number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const [w0, w1] = randomWords(k, n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(unitInterval(w0[i]!, w1[i]!) * (i + 1));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/**
 * Random numbers, deterministic for a seed or key on every platform (Threefry-2x32 counters).
 * Every sampler takes `{ seed }` (an integer) or `{ key }` (from `key`, `split` or `foldIn`).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const k = ad.random.key(0);
 * const w = ad.random.normal([2, 2], { key: ad.random.foldIn(k, 0) });
 * const mask = ad.random.bernoulli([2, 2], { key: ad.random.foldIn(k, 1), p: 0.9 });
 * ad.where(mask, w, 0).shape; // => [2, 2]
 * ad.random.uniform([3], { seed: 7 }); // => tensor([0.8441069, 0.04541254, 0.2249846], dtype=float32)
 * ```
 * @category Random
 * @namespace
 */
export const random = {
  key,
  split,
  foldIn,
  uniform,
  normal,
  truncatedNormal,
  bernoulli,
  categorical,
  permutation,
} as const;
