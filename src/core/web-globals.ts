/**
 * @file The web-standard globals that adjoint uses beyond ECMAScript (TextEncoder, TextDecoder,
 * performance.now), typed here because the package compiles against the ES library alone (no
 * DOM, no Node types): every browser and Node >= 18 has them.
 */

interface Globals {
  TextEncoder?: new () => { encode(s: string): Uint8Array };
  TextDecoder?: new () => { decode(bytes: Uint8Array): string };
  performance?: { now(): number };
}

const g = globalThis as Globals;

/** `s` as UTF-8 bytes. */
export function utf8Encode(s: string): Uint8Array {
  return new g.TextEncoder!().encode(s);
}

/** UTF-8 `bytes` as a string. */
export function utf8Decode(bytes: Uint8Array): string {
  return new g.TextDecoder!().decode(bytes);
}

/** A monotonic clock in milliseconds (Date.now where performance is missing). */
export function nowMs(): number {
  return g.performance?.now() ?? Date.now();
}
