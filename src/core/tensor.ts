/**
 * @file The Tensor class: an immutable n-d array, which is also the box (tracer) that
 * transformations wrap values in.
 *
 * One class serves both roles so that every op and method works the same inside and outside a
 * transformation and V8 sees a single object shape on the hot path. A concrete tensor has `_data`;
 * a tracer has `_trace` (the transformation that owns it), `_primal` (the value one level down)
 * and either `_tangent` (forward mode) or `_slot` (its node on the reverse-mode tape).
 */

import * as ops from "../ops/index.js";
import { allocate, type DType, type TypedArray } from "./dtype.js";
import { TracerError, ValueError } from "./errors.js";
import { formatTensor } from "./format.js";
import type { Shape } from "./shape.js";
import { shapeSize } from "./shape.js";
import type { Trace } from "./trace.js";

/** What ops accept where a tensor is expected: a Tensor, a number, a boolean or nested arrays. */
export type TensorLike = Tensor | number | boolean | TensorLikeArray | TypedArray;
export interface TensorLikeArray extends ReadonlyArray<TensorLike> {}

/** Nested JS arrays of numbers (or one number for a 0-d tensor), as `toArray()` returns. */
export type NestedArray = number | boolean | NestedArray[];

/** Options of reductions: the axes to reduce (default all) and whether to keep them as size 1. */
export interface ReduceOptions {
  axis?: number | readonly number[];
  keepdims?: boolean;
}

export class Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  /**
   * @internal Row-major storage of a concrete tensor (null for a tracer). Size-1 float results of
   * the scalar fast path keep their value in `_value` and get storage only when a kernel asks.
   */
  _buf: TypedArray | null;
  /** @internal The value of a size-1 concrete tensor made without storage (see `_buf`). */
  readonly _value: number;
  /** @internal The transformation this tracer belongs to; null for a concrete tensor. */
  readonly _trace: Trace | null;
  /** @internal The value one level down (a concrete tensor or a lower-level tracer). */
  readonly _primal: Tensor | null;
  /** @internal Forward mode: the tangent carried with the primal. */
  readonly _tangent: Tensor | null;
  /** @internal Reverse mode: this value's index on its trace's tape (-1 otherwise). */
  readonly _slot: number;

  /** @internal Use `tensor()`, `zeros()` and the other creation functions. */
  constructor(
    shape: Shape,
    dtype: DType,
    data: TypedArray | null,
    trace: Trace | null,
    primal: Tensor | null,
    tangent: Tensor | null,
    slot: number,
    value = 0,
  ) {
    this.shape = shape;
    this.dtype = dtype;
    this._buf = data;
    this._value = value;
    this._trace = trace;
    this._primal = primal;
    this._tangent = tangent;
    this._slot = slot;
  }

  /** @internal A concrete tensor over `data` (taken, not copied). */
  static _fromData(shape: Shape, dtype: DType, data: TypedArray): Tensor {
    return new Tensor(shape, dtype, data, null, null, null, -1);
  }

  /** @internal A concrete size-1 float tensor holding `value` without a typed array (yet). */
  static _fromScalar(shape: Shape, dtype: DType, value: number): Tensor {
    return new Tensor(shape, dtype, null, null, null, null, -1, value);
  }

  /** @internal The storage of a concrete tensor (created on first use for scalars); null for a tracer. */
  get _data(): TypedArray | null {
    if (this._buf === null && this._trace === null) {
      const buf = allocate(this.dtype, 1);
      buf[0] = this._value;
      this._buf = buf;
    }
    return this._buf;
  }

  /** @internal The single value of a concrete size-1 tensor. */
  _scalarValue(): number {
    const buf = this._buf;
    return buf === null ? this._value : buf[0]!;
  }

  /** @internal A tracer of `trace` boxing `primal`. */
  static _tracer(trace: Trace, primal: Tensor, tangent: Tensor | null, slot: number): Tensor {
    return new Tensor(primal.shape, primal.dtype, null, trace, primal, tangent, slot);
  }

  /** @internal A vmap tracer: `batched` carries the batch axis first; the tracer's shape is one element's. */
  static _batchTracer(trace: Trace, batched: Tensor): Tensor {
    return new Tensor(batched.shape.slice(1), batched.dtype, null, trace, batched, null, -1);
  }

  /**
   * @internal A vmap tracer over a scaled identity basis of `shape`: batch element e is d[e] times
   * the e-th unit tensor. Its batched value is made only when an op needs it (`_primal` is null).
   */
  static _diagonalTracer(trace: Trace, shape: Shape, d: Tensor): Tensor {
    return new Tensor(shape, d.dtype, null, trace, null, d, -1);
  }

  /**
   * @internal A reverse-mode tracer of the tape's scalar lane: a size-1 float whose value is kept
   * as a number in `_value`; the Tensor one level down is made only if an op needs it.
   */
  static _scalarTracer(
    trace: Trace,
    shape: Shape,
    dtype: DType,
    slot: number,
    value: number,
  ): Tensor {
    return new Tensor(shape, dtype, null, trace, null, null, slot, value);
  }

  /** The number of elements (the product of the shape). */
  get size(): number {
    return shapeSize(this.shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** @internal The concrete value under all tracer boxes. */
  _concrete(): Tensor {
    let t: Tensor = this;
    while (t._trace !== null) t = t._primal ?? t._trace.valueOf(t);
    return t;
  }

  /** @internal True inside vmap for a value that varies over the batch (its elements differ per batch element). */
  _varies(): boolean {
    for (let t: Tensor = this; t._trace !== null; t = t._primal ?? t._trace.valueOf(t)) {
      if (t._trace.batching && !t._trace.done) return true;
    }
    return false;
  }

  /**
   * @internal The concrete value, for code that reads elements as this tensor's own: a TracerError
   * inside vmap, where the value under the box holds every batch element. `op` names the reader.
   */
  _readable(op: string): Tensor {
    let t: Tensor = this;
    while (t._trace !== null) {
      if (t._trace.batching && !t._trace.done) {
        throw new TracerError(
          `${op}: cannot read the elements of a value that varies over a vmap batch (shape [${this.shape.join(",")}] per element); keep data-dependent JavaScript outside vmap`,
        );
      }
      t = t._primal ?? t._trace.valueOf(t);
    }
    return t;
  }

  // ---- read-out -------------------------------------------------------------------------------

  /** A copy of the elements in row-major order. */
  dataSync(): TypedArray {
    return this._readable("dataSync")._data!.slice();
  }

  /** Same as dataSync, as a promise (for backends whose memory lives elsewhere). */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** Nested JS arrays (a number for a 0-d tensor; booleans for bool tensors). */
  toArray(): NestedArray {
    const data = this._readable("toArray")._data!;
    const isBool = this.dtype === "bool";
    const at = (i: number): number | boolean => (isBool ? data[i] !== 0 : data[i]!);
    if (this.shape.length === 0) return at(0);
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const out = new Array<NestedArray>(n);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = at(offset + i);
        return out;
      }
      let stride = 1;
      for (let d = dim + 1; d < this.shape.length; d++) stride *= this.shape[d]!;
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** The single element of a size-1 tensor as a JS number (or boolean for bool). */
  item(): number | boolean {
    if (this.size !== 1) {
      throw new ValueError(
        `item: expected a tensor with exactly one element; got shape [${this.shape.join(",")}] (${this.size} elements)`,
      );
    }
    const v = this._readable("item")._data![0]!;
    return this.dtype === "bool" ? v !== 0 : v;
  }

  /** NumPy-like printing, e.g. `tensor([[1, 2], [3, 4]], dtype=float32)`. */
  toString(): string {
    return formatTensor(this.shape, this.dtype, this._concrete()._data!, this._trace !== null);
  }

  // ---- unary ----------------------------------------------------------------------------------
  neg(): Tensor {
    return ops.neg(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  sign(): Tensor {
    return ops.sign(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  log1p(): Tensor {
    return ops.log1p(this);
  }
  expm1(): Tensor {
    return ops.expm1(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  square(): Tensor {
    return ops.square(this);
  }
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  sin(): Tensor {
    return ops.sin(this);
  }
  cos(): Tensor {
    return ops.cos(this);
  }
  tan(): Tensor {
    return ops.tan(this);
  }
  asin(): Tensor {
    return ops.asin(this);
  }
  acos(): Tensor {
    return ops.acos(this);
  }
  atan(): Tensor {
    return ops.atan(this);
  }
  sinh(): Tensor {
    return ops.sinh(this);
  }
  cosh(): Tensor {
    return ops.cosh(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  asinh(): Tensor {
    return ops.asinh(this);
  }
  acosh(): Tensor {
    return ops.acosh(this);
  }
  atanh(): Tensor {
    return ops.atanh(this);
  }
  erf(): Tensor {
    return ops.erf(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  logSigmoid(): Tensor {
    return ops.logSigmoid(this);
  }
  softplus(): Tensor {
    return ops.softplus(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  gelu(options?: { approximate?: boolean }): Tensor {
    return ops.gelu(this, options);
  }
  floor(): Tensor {
    return ops.floor(this);
  }
  ceil(): Tensor {
    return ops.ceil(this);
  }
  round(): Tensor {
    return ops.round(this);
  }

  // ---- binary ---------------------------------------------------------------------------------
  add(y: TensorLike): Tensor {
    return ops.add(this, y);
  }
  sub(y: TensorLike): Tensor {
    return ops.sub(this, y);
  }
  mul(y: TensorLike): Tensor {
    return ops.mul(this, y);
  }
  div(y: TensorLike): Tensor {
    return ops.div(this, y);
  }
  pow(y: TensorLike): Tensor {
    return ops.pow(this, y);
  }
  maximum(y: TensorLike): Tensor {
    return ops.maximum(this, y);
  }
  minimum(y: TensorLike): Tensor {
    return ops.minimum(this, y);
  }
  atan2(y: TensorLike): Tensor {
    return ops.atan2(this, y);
  }
  mod(y: TensorLike): Tensor {
    return ops.mod(this, y);
  }

  // ---- comparison and logic -------------------------------------------------------------------
  equal(y: TensorLike): Tensor {
    return ops.equal(this, y);
  }
  notEqual(y: TensorLike): Tensor {
    return ops.notEqual(this, y);
  }
  less(y: TensorLike): Tensor {
    return ops.less(this, y);
  }
  lessEqual(y: TensorLike): Tensor {
    return ops.lessEqual(this, y);
  }
  greater(y: TensorLike): Tensor {
    return ops.greater(this, y);
  }
  greaterEqual(y: TensorLike): Tensor {
    return ops.greaterEqual(this, y);
  }
  logicalAnd(y: TensorLike): Tensor {
    return ops.logicalAnd(this, y);
  }
  logicalOr(y: TensorLike): Tensor {
    return ops.logicalOr(this, y);
  }
  logicalNot(): Tensor {
    return ops.logicalNot(this);
  }
  isNaN(): Tensor {
    return ops.isNaN(this);
  }
  isFinite(): Tensor {
    return ops.isFinite(this);
  }

  // ---- selection ------------------------------------------------------------------------------
  /** `cond.where(a, b)`: elements of a where this (bool) is true, else of b. */
  where(a: TensorLike, b: TensorLike): Tensor {
    return ops.where(this, a, b);
  }
  clip(lo: TensorLike, hi: TensorLike): Tensor {
    return ops.clip(this, lo, hi);
  }

  // ---- reductions -----------------------------------------------------------------------------
  sum(options?: ReduceOptions): Tensor {
    return ops.sum(this, options);
  }
  mean(options?: ReduceOptions): Tensor {
    return ops.mean(this, options);
  }
  prod(options?: ReduceOptions): Tensor {
    return ops.prod(this, options);
  }
  max(options?: ReduceOptions): Tensor {
    return ops.max(this, options);
  }
  min(options?: ReduceOptions): Tensor {
    return ops.min(this, options);
  }
  argmax(options?: { axis?: number; keepdims?: boolean }): Tensor {
    return ops.argmax(this, options);
  }
  argmin(options?: { axis?: number; keepdims?: boolean }): Tensor {
    return ops.argmin(this, options);
  }
  logsumexp(options?: ReduceOptions): Tensor {
    return ops.logsumexp(this, options);
  }
  variance(options?: ReduceOptions & { ddof?: number }): Tensor {
    return ops.variance(this, options);
  }
  std(options?: ReduceOptions & { ddof?: number }): Tensor {
    return ops.std(this, options);
  }
  norm(options?: ops.NormOptions): Tensor {
    return ops.norm(this, options);
  }
  softmax(options?: { axis?: number }): Tensor {
    return ops.softmax(this, options);
  }
  logSoftmax(options?: { axis?: number }): Tensor {
    return ops.logSoftmax(this, options);
  }
  cumsum(options?: { axis?: number; reverse?: boolean }): Tensor {
    return ops.cumsum(this, options);
  }
  cumprod(options?: { axis?: number; reverse?: boolean }): Tensor {
    return ops.cumprod(this, options);
  }

  // ---- shape ----------------------------------------------------------------------------------
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }
  transpose(axes?: readonly number[]): Tensor {
    return ops.transpose(this, axes);
  }
  /** All axes reversed, as NumPy's `.T` (a matrix transpose for 2-d tensors). */
  get T(): Tensor {
    return ops.transpose(this);
  }
  swapAxes(a: number, b: number): Tensor {
    return ops.swapAxes(this, a, b);
  }
  expandDims(axis: number): Tensor {
    return ops.expandDims(this, axis);
  }
  squeeze(axis?: number | readonly number[]): Tensor {
    return ops.squeeze(this, axis);
  }
  broadcastTo(shape: readonly number[]): Tensor {
    return ops.broadcastTo(this, shape);
  }
  flatten(): Tensor {
    return ops.flatten(this);
  }
  split(sectionsOrSizes: number | readonly number[], axis?: number): Tensor[] {
    return ops.split(this, sectionsOrSizes, axis);
  }
  slice(begin: readonly number[], size?: readonly number[]): Tensor {
    return ops.slice(this, begin, size);
  }
  take(indices: TensorLike, axis?: number): Tensor {
    return ops.take(this, indices, axis);
  }
  scatterAdd(indices: TensorLike, updates: TensorLike, axis?: number): Tensor {
    return ops.scatterAdd(this, indices, updates, axis);
  }
  pad(widths: ops.PadWidths, value?: number): Tensor {
    return ops.pad(this, widths, value);
  }
  tile(reps: number | readonly number[]): Tensor {
    return ops.tile(this, reps);
  }
  flip(axis?: number | readonly number[]): Tensor {
    return ops.flip(this, axis);
  }
  astype(dtype: DType): Tensor {
    return ops.astype(this, dtype);
  }

  // ---- indexing and sorting -------------------------------------------------------------------
  takeAlongAxis(indices: TensorLike, axis: number | null): Tensor {
    return ops.takeAlongAxis(this, indices, axis);
  }
  stridedSlice(
    begin: readonly ops.SliceEntry[],
    end?: readonly ops.SliceEntry[] | null,
    step?: readonly ops.SliceEntry[] | null,
  ): Tensor {
    return ops.stridedSlice(this, begin, end, step);
  }
  sliceUpdate(begin: readonly number[], values: TensorLike): Tensor {
    return ops.sliceUpdate(this, begin, values);
  }
  unstack(axis?: number): Tensor[] {
    return ops.unstack(this, axis);
  }
  sort(options?: ops.SortOptions): Tensor {
    return ops.sort(this, options);
  }
  argsort(options?: ops.SortOptions): Tensor {
    return ops.argsort(this, options);
  }
  topk(k: number, options?: { axis?: number }): [Tensor, Tensor] {
    return ops.topk(this, k, options);
  }

  // ---- neural-net ops ---------------------------------------------------------------------------
  conv2d(w: TensorLike, options?: ops.Conv2dOptions): Tensor {
    return ops.conv2d(this, w, options);
  }
  conv1d(w: TensorLike, options?: ops.Conv1dOptions): Tensor {
    return ops.conv1d(this, w, options);
  }
  maxPool2d(kernel: number | readonly [number, number], options?: ops.Pool2dOptions): Tensor {
    return ops.maxPool2d(this, kernel, options);
  }
  avgPool2d(kernel: number | readonly [number, number], options?: ops.Pool2dOptions): Tensor {
    return ops.avgPool2d(this, kernel, options);
  }

  // ---- linear algebra -------------------------------------------------------------------------
  matmul(y: TensorLike): Tensor {
    return ops.matmul(this, y);
  }
  dot(y: TensorLike): Tensor {
    return ops.dot(this, y);
  }
  outer(y: TensorLike): Tensor {
    return ops.outer(this, y);
  }
}
