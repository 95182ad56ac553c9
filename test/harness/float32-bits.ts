/** @file randomFloat32Bits: float32s from random bit patterns (every class of value). */

/**
 * `n` float32s whose bits come from a seeded linear congruential generator: NaNs, infinities,
 * subnormals, both zeros and normal values of every exponent, in their natural proportions.
 */
export function randomFloat32Bits(n: number, seed: number): Float32Array {
  const data = new Float32Array(n);
  const bits = new Uint32Array(data.buffer);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    bits[i] = (s ^ (s << 13)) >>> 0;
  }
  return data;
}
