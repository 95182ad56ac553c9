/** @file Data types, their typed-array storage, and the promotion lattice bool < int32 < float32 < float64. */

import { describeValue } from "./describe.js";
import { DTypeError, ValueError } from "./errors.js";

/**
 * The element types a Tensor can hold: float32 (the default float), float64, int32 and bool.
 * Ops promote mixed operands along bool < int32 < float32 < float64; JS numbers are "weak" and
 * take the other operand's float dtype.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const dt: ad.DType = "float64";
 * ad.ones([2], dt).dtype; // => float64
 * ad.add(ad.ones([2], "int32"), ad.ones([2], "float64")).dtype; // => float64
 * ad.mul(ad.ones([2], "float64"), 0.5).dtype; // => float64
 * ```
 * @category Tensors
 */
export type DType = "float32" | "float64" | "int32" | "bool";

/**
 * The storage of a tensor of each dtype (bool is stored as 0/1 bytes), as `dataSync()` returns it.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const data: ad.TypedArray = ad.tensor([1, 2], { dtype: "float64" }).dataSync();
 * data; // => Float64Array(2) [1, 2]
 * ad.tensor([true, false]).dataSync(); // => Uint8Array(2) [1, 0]
 * ```
 * @category Tensors
 */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

let defaultFloat: "float32" | "float64" = "float32";

/**
 * The dtype that JS numbers and `tensor([...])` of numbers get when no dtype is given: float32
 * unless changed with {@link setDefaultFloat}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.getDefaultFloat(); // => float32
 * ```
 * @category Tensors
 */
export function getDefaultFloat(): "float32" | "float64" {
  return defaultFloat;
}

/**
 * Changes the default float dtype (float32 unless changed) for tensors created afterwards from JS
 * numbers, for int and bool inputs of float ops, and for creation functions without a dtype.
 * It is global state: set it once at start-up (float64 for precise work, such as gradient checks).
 * @throws {@link DTypeError} for anything but "float32" or "float64".
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.setDefaultFloat("float64");
 * ad.tensor([1.5]); // => tensor([1.5], dtype=float64)
 * ad.sqrt(2); // => tensor(1.4142135623731, dtype=float64)
 * ad.setDefaultFloat("float32");
 * ad.sqrt(2); // => tensor(1.414214, dtype=float32)
 * ```
 * @category Tensors
 */
export function setDefaultFloat(dtype: "float32" | "float64"): void {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(
      `setDefaultFloat: expected "float32" or "float64"; got ${describeValue(dtype)}`,
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

/** The typed array of `dtype` over `size` elements of `buffer` from byte `offset`. */
export function typedView(
  dtype: DType,
  buffer: ArrayBufferLike,
  offset: number,
  size: number,
): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, offset, size);
    case "float64":
      return new Float64Array(buffer, offset, size);
    case "int32":
      return new Int32Array(buffer, offset, size);
    case "bool":
      return new Uint8Array(buffer, offset, size);
  }
}

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
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
 * backward pass (a scratch scope, see `withScratch`) that nothing can reach any more. Fresh large
 * arrays cost page faults (~170 us for 800 KB in Node 20, four times the arithmetic on them);
 * a recycled one costs a zero fill. A pass that sweeps (`scratchSweep`) releases its dead arrays
 * as it goes, so recycling never keeps more alive than the pass itself holds.
 * See docs/decisions/0009-recycling-backward-scratch.md.
 */
const MIN_RECYCLED_BYTES = 65536;
const MAX_POOLED_BYTES = 64 * 1024 * 1024;
const pool = new Map<string, TypedArray[]>();
let pooledBytes = 0;

/** The bookkeeping of one scratch scope. */
interface Scratch {
  /**
   * Large arrays made since the last sweep (at most MAX_POOLED_BYTES of them: in a pass that
   * never sweeps, noting more would keep alive arrays that the pool could not take anyway).
   */
  readonly made: TypedArray[];
  madeBytes: number;
  /** Arrays made in the scope that were held at a sweep (they live in the pass's table). */
  readonly kept: Set<TypedArray>;
  /** How many places of the pass's table hold each large array (see `scratchHold`). */
  readonly holds: Map<TypedArray, number>;
  /** Arrays whose hold count fell to zero since the last sweep. */
  readonly dropped: TypedArray[];
  /** Set when a hold could not be tracked: no more sweeps; the scope ends as a non-sweeping one. */
  unsafe: boolean;
}

/** The current scratch scope, or null outside one. */
let scratch: Scratch | null = null;

/**
 * @internal Runs `body` as a scratch scope (a pass whose intermediates nobody else can see, see
 * `recyclingPass` in src/transforms/tape.ts). Sweeps inside it recycle what has died; at the end,
 * the large arrays it made, except those in `escaping(result)`, go to the pool for reuse (up to
 * a cap). Nothing more is pooled if body throws.
 */
export function withScratch<T>(body: () => T, escaping: (result: T) => ReadonlySet<TypedArray>): T {
  const scope: Scratch = {
    made: [],
    madeBytes: 0,
    kept: new Set(),
    holds: new Map(),
    dropped: [],
    unsafe: false,
  };
  scratch = scope;
  let result: T;
  try {
    result = body();
  } finally {
    scratch = null;
  }
  const kept = escaping(result);
  for (const a of scope.made) if (!kept.has(a)) release(a);
  for (const a of scope.kept) if (!kept.has(a)) release(a);
  return result;
}

/** @internal True inside a scratch scope. */
export function inScratch(): boolean {
  return scratch !== null;
}

/**
 * @internal Notes that one more place of the current pass's table (its adjoints) holds `a`;
 * `scratchDrop` undoes it. Arrays made in the scope and not held at a sweep are dead.
 */
export function scratchHold(a: TypedArray): void {
  if (a.byteLength < MIN_RECYCLED_BYTES || scratch === null) return;
  const holds = scratch.holds;
  holds.set(a, (holds.get(a) ?? 0) + 1);
}

/** @internal Undoes one `scratchHold(a)`. */
export function scratchDrop(a: TypedArray): void {
  if (a.byteLength < MIN_RECYCLED_BYTES || scratch === null) return;
  const holds = scratch.holds;
  const n = holds.get(a);
  if (n === undefined) return;
  if (n > 1) {
    holds.set(a, n - 1);
  } else {
    holds.delete(a);
    scratch.dropped.push(a);
  }
}

/**
 * @internal Stops sweeping in the current scope (a held value was a tracer, whose arrays cannot
 * be followed): its arrays are then recycled only at the end, as in a pass that never sweeps.
 */
export function scratchUnsafe(): void {
  if (scratch !== null) scratch.unsafe = true;
}

/**
 * @internal Recycles the large arrays of the current scope that are dead: made in it and not held
 * (see `scratchHold`). Call it only where nothing but the held values can reach the scope's
 * arrays: between the entries of a backward walk, after the rule's results have been stored.
 */
export function scratchSweep(): void {
  const s = scratch;
  if (s === null || s.unsafe || (s.made.length === 0 && s.dropped.length === 0)) return;
  const { made, kept, holds, dropped } = s;
  for (let i = 0; i < made.length; i++) {
    const a = made[i]!;
    if (holds.has(a)) kept.add(a);
    else release(a);
  }
  made.length = 0;
  s.madeBytes = 0;
  for (let i = 0; i < dropped.length; i++) {
    const a = dropped[i]!;
    if (!holds.has(a) && kept.delete(a)) release(a);
  }
  dropped.length = 0;
}

/** Puts a dead array in the pool (or leaves it to the GC when the pool is full). */
function release(a: TypedArray): void {
  if (pooledBytes + a.byteLength > MAX_POOLED_BYTES) return;
  const key = poolKey(dtypeOfArray(a), a.length);
  let list = pool.get(key);
  if (list === undefined) {
    list = [];
    pool.set(key, list);
  }
  list.push(a);
  pooledBytes += a.byteLength;
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
    const scope = scratch;
    if (scope !== null && scope.madeBytes + bytes <= MAX_POOLED_BYTES) {
      scope.made.push(a);
      scope.madeBytes += bytes;
    }
    return a;
  }
  if (bytes > 64 && bytes <= MAX_VIEW_BYTES) {
    if (chunkUsed + bytes > CHUNK_BYTES) {
      chunk = new ArrayBuffer(CHUNK_BYTES);
      chunkUsed = 0;
    }
    const offset = chunkUsed;
    chunkUsed += (bytes + 7) & ~7; // keeps every view 8-byte aligned (float64)
    return typedView(dtype, chunk, offset, size);
  }
  return fresh(dtype, size);
}

function fresh(dtype: DType, size: number): TypedArray {
  try {
    return freshArray(dtype, size);
  } catch (e) {
    // V8 reports "Invalid typed array length" or "Array buffer allocation failed" as a bare
    // RangeError; the op that asked adds its name and shape (allocationContext).
    if (e instanceof RangeError) throw new AllocationError(dtype, size);
    throw e;
  }
}

/** @internal A typed array that could not be allocated (too large for the engine or memory). */
export class AllocationError extends ValueError {
  constructor(
    readonly dtype: DType,
    readonly size: number,
  ) {
    super(`cannot allocate ${describeAllocation(dtype, size)}`);
  }
}

function describeAllocation(dtype: DType, size: number): string {
  const bytes = size * BYTES_PER_ELEMENT[dtype];
  const units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const amount = u === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[u]}`;
  return `${size} ${dtype} elements (${amount})`;
}

/**
 * @internal `e`, or for an AllocationError a ValueError naming the op and the shape it was
 * making: "matmul: cannot allocate the result of shape [100000,100000] (1e10 float32 ...)".
 */
export function allocationContext(
  e: unknown,
  op: string,
  shape: readonly number[],
  dtype: DType,
): unknown {
  if (!(e instanceof AllocationError)) return e;
  return new ValueError(
    `${op}: cannot allocate an array of shape [${shape.join(",")}] and dtype ${dtype}: ` +
      `${describeAllocation(e.dtype, e.size)} is more than this JavaScript engine can allocate; ` +
      `use smaller shapes (or split the work into chunks)`,
  );
}

function freshArray(dtype: DType, size: number): TypedArray {
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
