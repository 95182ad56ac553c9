/** @file Data types, their typed-array storage, and the promotion lattice bool < int32 < float32 < float64. */

import { DTypeError } from "./errors.js";

/** The element types a Tensor can hold. */
export type DType = "float32" | "float64" | "int32" | "bool";

/** The storage of a tensor of each dtype (bool is stored as 0/1 bytes). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

let defaultFloat: "float32" | "float64" = "float32";

/** The dtype that JS numbers and `tensor([...])` of floats get when no dtype is given. */
export function getDefaultFloat(): "float32" | "float64" {
  return defaultFloat;
}

/**
 * Change the default float dtype (float32 unless changed).
 * @example ad.setDefaultFloat("float64"); ad.tensor([1.5]).dtype === "float64"
 */
export function setDefaultFloat(dtype: "float32" | "float64"): void {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(
      `setDefaultFloat: expected "float32" or "float64"; got ${JSON.stringify(dtype)}`,
    );
  }
  defaultFloat = dtype;
}

export function isFloat(dtype: DType): dtype is "float32" | "float64" {
  return dtype === "float32" || dtype === "float64";
}

export function isDType(v: unknown): v is DType {
  return v === "float32" || v === "float64" || v === "int32" || v === "bool";
}

/** The smallest dtype both a and b convert to without loss of kind. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Promotion with a weakly typed JS number: the tensor's dtype wins unless the number is of a
 * higher kind (a fractional number with an int/bool tensor, any number with a bool tensor).
 */
export function promoteWithWeak(strong: DType, value: number): DType {
  if (isFloat(strong)) return strong;
  if (!Number.isInteger(value)) return defaultFloat;
  return strong === "bool" ? "int32" : strong;
}

const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int32: 4,
  bool: 1,
};

/**
 * Small arrays are carved out of shared chunks. V8 allocates a typed array of more than 64 bytes
 * off-heap (malloc plus bookkeeping, ~0.5 us for 128 bytes), while a view into an existing
 * ArrayBuffer costs ~30 ns; small-tensor code (W6's RNN step: [32]-vectors) spends a fifth of its
 * time allocating otherwise. A chunk is freed by the GC once no view into it is alive, so a live
 * small tensor can keep at most CHUNK_BYTES alive; views are at most MAX_VIEW_BYTES, bounding
 * that overhead. Chunks are never reused, so views start zero-filled like new arrays.
 * See docs/decisions/0008-small-array-chunks.md.
 */
const CHUNK_BYTES = 16384;
const MAX_VIEW_BYTES = 1024;
let chunk = new ArrayBuffer(0);
let chunkUsed = CHUNK_BYTES;

/**
 * Large arrays are recycled, but only those known to be dead: arrays made during a first-order
 * backward pass (a scratch scope, see `withScratch`) that the pass did not return. Fresh large
 * arrays cost page faults (~170 us for 800 KB in Node 20, four times the arithmetic on them);
 * a recycled one costs a zero fill. See docs/decisions/0009-recycling-backward-scratch.md.
 */
const MIN_RECYCLED_BYTES = 65536;
const MAX_POOLED_BYTES = 64 * 1024 * 1024;
const pool = new Map<string, TypedArray[]>();
let pooledBytes = 0;
/** Large arrays allocated in the current scratch scope, or null outside one. */
let scratch: TypedArray[] | null = null;

/**
 * @internal Runs `body` as a scratch scope (a pass whose intermediates nobody else can see, see
 * `recyclingPass` in src/transforms/tape.ts): the large arrays it allocates, except those in
 * `escaping(result)`, go to the pool for reuse (up to a cap). Nothing is pooled if body throws.
 */
export function withScratch<T>(body: () => T, escaping: (result: T) => ReadonlySet<TypedArray>): T {
  const made: TypedArray[] = [];
  scratch = made;
  let result: T;
  try {
    result = body();
  } finally {
    scratch = null;
  }
  const kept = escaping(result);
  for (const a of made) {
    if (kept.has(a) || pooledBytes + a.byteLength > MAX_POOLED_BYTES) continue;
    const key = poolKey(dtypeOfArray(a), a.length);
    let list = pool.get(key);
    if (list === undefined) {
      list = [];
      pool.set(key, list);
    }
    list.push(a);
    pooledBytes += a.byteLength;
  }
  return result;
}

/** @internal True inside a scratch scope. */
export function inScratch(): boolean {
  return scratch !== null;
}

function poolKey(dtype: DType, size: number): string {
  return `${dtype}:${size}`;
}

/**
 * A zero-filled array of `size` elements of `dtype`. With `zeroed` false the caller promises to
 * write every element (elementwise kernels), and a recycled array skips its zero fill.
 */
export function allocate(dtype: DType, size: number, zeroed = true): TypedArray {
  const bytes = size * BYTES_PER_ELEMENT[dtype];
  if (bytes >= MIN_RECYCLED_BYTES) {
    const list = pooledBytes > 0 ? pool.get(poolKey(dtype, size)) : undefined;
    const reused = list?.pop();
    let a: TypedArray;
    if (reused !== undefined) {
      pooledBytes -= reused.byteLength;
      if (zeroed) reused.fill(0);
      a = reused;
    } else {
      a = fresh(dtype, size);
    }
    if (scratch !== null) scratch.push(a);
    return a;
  }
  if (bytes > 64 && bytes <= MAX_VIEW_BYTES) {
    if (chunkUsed + bytes > CHUNK_BYTES) {
      chunk = new ArrayBuffer(CHUNK_BYTES);
      chunkUsed = 0;
    }
    const offset = chunkUsed;
    chunkUsed += (bytes + 7) & ~7; // keeps every view 8-byte aligned (float64)
    switch (dtype) {
      case "float32":
        return new Float32Array(chunk, offset, size);
      case "float64":
        return new Float64Array(chunk, offset, size);
      case "int32":
        return new Int32Array(chunk, offset, size);
      case "bool":
        return new Uint8Array(chunk, offset, size);
    }
  }
  return fresh(dtype, size);
}

function fresh(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}
