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

/**
 * What ops accept where a tensor is expected: a Tensor, a number, a boolean, nested arrays of
 * them or a typed array. Numbers are "weak": they take the float dtype of the tensor they meet.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const inputs: ad.TensorLike[] = [2, [1, 2], ad.tensor([3, 4]), new Float64Array([5, 6])];
 * inputs.map((x: ad.TensorLike) => ad.mul(x, 2).dtype); // => ['float32', 'float32', 'float32', 'float64']
 * ```
 * @category Tensors
 */
export type TensorLike = Tensor | number | boolean | TensorLikeArray | TypedArray;
/**
 * A nested array of {@link TensorLike} values (the recursive part of TensorLike).
 * @category Tensors
 */
export interface TensorLikeArray extends ReadonlyArray<TensorLike> {}

/**
 * Nested JS arrays of numbers (or one number for a 0-d tensor; booleans for bool), as
 * `toArray()` returns.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const rows: ad.NestedArray = ad.tensor([[1, 2], [3, 4]]).toArray();
 * rows; // => [[1, 2], [3, 4]]
 * ```
 * @category Tensors
 */
export type NestedArray = number | boolean | NestedArray[];

/**
 * Options of reductions (sum, mean, prod, max, min, logsumexp, variance, std): the axes to reduce
 * (default all; negative axes count from the end) and whether to keep them as size 1.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([[1, 2], [3, 4]]);
 * ad.sum(x, { axis: 1 }); // => tensor([3., 7.], dtype=float32)
 * ad.sum(x, { axis: -1, keepdims: true }); // => tensor([[3.], [7.]], dtype=float32)
 * ad.sum(x, { axis: [0, 1] }); // => tensor(10., dtype=float32)
 * ```
 * @category Reductions
 */
export interface ReduceOptions {
  /** The axis or axes to reduce (default: all of them). */
  axis?: number | readonly number[];
  /** Keep the reduced axes as size 1, so the result broadcasts against the input (default false). */
  keepdims?: boolean;
}

/** @internal The error for a use of a tracer after its transformation returned. */
export function escapedTracerError(op: string, x: Tensor, where: string): TracerError {
  const label = x._trace?.label ?? "a transformation";
  return new TracerError(
    `${op}: ${where} is an escaped tracer (${x.dtype}[${x.shape.join(",")}]) of ${label}, ` +
      `which has already returned; a value traced inside a transformation must not be kept ` +
      `(in a closure, a global or across an await) and used later; return it from the ` +
      `transformed function instead`,
  );
}

/** `_slot` of a deleted concrete tensor (a live concrete tensor's is -1). */
const DELETED = -2;

function deletedError(t: Tensor): ValueError {
  return new ValueError(
    `this ${t.dtype}[${t.shape.join(",")}] tensor was donated to a jitted call (jit's donateArgnums) and deleted by it: the compiled program may have written its results into the tensor's memory. Use what the call returned (for a training step, the new params and state), or do not donate the argument`,
  );
}

/**
 * An immutable n-dimensional array of float32, float64, int32 or bool values. Create tensors with
 * {@link tensor}, {@link scalar}, {@link zeros}, {@link ones}, {@link arange} and the other
 * creation functions (the constructor is internal). Every op is a root function (`ad.add(x, y)`)
 * and, for convenience, a method (`x.add(y)`); both accept numbers and arrays where a tensor is
 * expected ({@link TensorLike}). Inside grad, jvp or vmap the function's arguments are tracers:
 * Tensors that record the ops applied to them, so code is written once for both.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.tensor([[1, 2], [3, 4]]);
 * x.shape; // => [2, 2]
 * x.dtype; // => float32
 * x.mul(2).add(1).sum({ axis: 0 }); // => tensor([10., 14.], dtype=float32)
 * x.T.toArray(); // => [[1, 3], [2, 4]]
 * ad.grad((t: ad.Tensor) => t.square().sum())(x); // => tensor([[2., 4.], [6., 8.]], dtype=float32)
 * ```
 * @category Tensors
 */
export class Tensor {
  /** The length of each axis; `[]` for a 0-d (scalar) tensor. */
  readonly shape: Shape;
  /** The element type: "float32", "float64", "int32" or "bool". */
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
    // Every internal call passes all of shape..slot; a user's `new Tensor(...)` does not.
    if (slot === undefined) {
      throw new ValueError(
        "Tensor: the constructor is internal; create tensors with ad.tensor(data), ad.zeros(shape), ad.ones(shape) or another creation function",
      );
    }
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

  /**
   * @internal Deletes a concrete tensor whose storage was given away (a jitted call's donated
   * argument: jit's `donateArgnums`): reading it afterwards throws a ValueError.
   */
  static _delete(t: Tensor): void {
    if (t._trace !== null) return;
    t._buf = null;
    (t as { _slot: number })._slot = DELETED;
  }

  /** @internal Whether the tensor was deleted (see `_delete`). */
  get _deleted(): boolean {
    return this._slot === DELETED && this._trace === null;
  }

  /** @internal The storage of a concrete tensor (created on first use for scalars); null for a tracer. */
  get _data(): TypedArray | null {
    if (this._buf === null && this._trace === null) {
      if (this._slot === DELETED) throw deletedError(this);
      const buf = allocate(this.dtype, 1);
      buf[0] = this._value;
      this._buf = buf;
    }
    return this._buf;
  }

  /** @internal The single value of a concrete size-1 tensor. */
  _scalarValue(): number {
    const buf = this._buf;
    if (buf !== null) return buf[0]!;
    if (this._slot === DELETED && this._trace === null) throw deletedError(this);
    return this._value;
  }

  /** @internal A tracer of `trace` boxing `primal`. */
  static _tracer(trace: Trace, primal: Tensor, tangent: Tensor | null, slot: number): Tensor {
    return new Tensor(primal.shape, primal.dtype, null, trace, primal, tangent, slot);
  }

  /**
   * @internal A tracer of a staging trace (makeGraph): only a shape and a dtype, no value at any
   * level below; `slot` is its variable's id in the graph being built.
   */
  static _stagedTracer(trace: Trace, shape: Shape, dtype: DType, id: number): Tensor {
    return new Tensor(shape, dtype, null, trace, null, null, id);
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

  /** The number of axes (0 for a scalar). */
  get ndim(): number {
    return this.shape.length;
  }

  /** @internal The concrete value under all tracer boxes. */
  _concrete(): Tensor {
    let t: Tensor = this;
    while (t._trace !== null) t = t._primal ?? t._trace.valueOf(t);
    return t;
  }

  /**
   * @internal True when the elements are not fixed values of this tensor: inside vmap for a value
   * that varies over the batch, and for a staged value (makeGraph), which varies from call to
   * call. Code that reads values must then compute with ops instead.
   */
  _varies(): boolean {
    return this._underTrace((trace) => trace.batching || trace.staging);
  }

  /** @internal True for a staged value (makeGraph) or one computed from it: it has no value. */
  _staged(): boolean {
    return this._underTrace((trace) => trace.staging);
  }

  /** True when a live trace among the boxes around this value satisfies `kind`. */
  private _underTrace(kind: (trace: Trace) => boolean): boolean {
    for (let t: Tensor = this; t._trace !== null; t = t._primal ?? t._trace.valueOf(t)) {
      if (kind(t._trace) && !t._trace.done) return true;
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

  /**
   * @internal The tensor itself for reading its elements as JavaScript values (item, dataSync,
   * toArray, data): a TracerError for a tracer, whose value read as numbers would lose its
   * derivative (or, inside vmap, mix up the batch; or belongs to a transformation that returned).
   */
  _readOut(op: string): Tensor {
    const trace = this._trace;
    if (trace === null) return this;
    if (trace.done) throw escapedTracerError(op, this, "the value read");
    this._readable(op); // inside vmap: the batch message; a staged value: makeGraph's message
    throw new TracerError(
      `${op}: cannot read the value of a tensor that ${trace.label} is differentiating ` +
        `(${this.dtype}[${this.shape.join(",")}]): as a JavaScript number or array it would lose ` +
        `its derivative and the result would be silently wrong. Keep it a tensor; to use its ` +
        `value as a constant, read ad.stopGradient(x) instead, or compute it outside the ` +
        `transformed function`,
    );
  }

  /** A copy of the elements in row-major order. */
  dataSync(): TypedArray {
    return this._readOut("dataSync")._data!.slice();
  }

  /** Same as dataSync, as a promise (for backends whose memory lives elsewhere). */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** Nested JS arrays (a number for a 0-d tensor; booleans for bool tensors). */
  toArray(): NestedArray {
    const data = this._readOut("toArray")._data!;
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

  /**
   * The single element of a size-1 tensor as a JS number. A bool tensor reads as 1 or 0, as in
   * `dataSync()` (so the type stays `number`; decision 0012): `x.item() !== 0` is its boolean.
   * @example
   * ```ts
   * import * as ad from "adjoint";
   * ad.tensor([[2.5]], { dtype: "float64" }).item(); // => 2.5
   * ad.greater(2, 1).item(); // => 1
   * ```
   */
  item(): number {
    const concrete = this._readOut("item");
    if (this.size !== 1) {
      throw new ValueError(
        `item: expected a tensor with exactly one element; got shape [${this.shape.join(",")}] (${this.size} elements)`,
      );
    }
    return concrete._data![0]!;
  }

  /**
   * NumPy-like printing, e.g. `tensor([[1, 2], [3, 4]], dtype=float32)`. A tracer prints as
   * `Traced<float32[2]>(grad, level 1)`, followed by its value where it has one of its own (not
   * inside vmap, whose values hold the whole batch); printing never throws.
   */
  toString(): string {
    const trace = this._trace;
    if (trace === null && this._deleted) {
      return `tensor(<deleted: donated to a jitted call>, shape=[${this.shape.join(",")}], dtype=${this.dtype})`;
    }
    if (trace === null) return formatTensor(this.shape, this.dtype, this._data!, false);
    const head = `Traced<${this.dtype}[${this.shape.join(",")}]>`;
    if (trace.done) return `${head}(escaped from ${trace.label})`;
    if (this._varies()) return `${head}(${trace.label}, level ${trace.level})`;
    const value = formatTensor(this.shape, this.dtype, this._concrete()._data!, false);
    return `${head}(${trace.label}, level ${trace.level}) ${value}`;
  }

  /** Node's util.inspect and console.log print a tensor as toString() does. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- unary ----------------------------------------------------------------------------------
  /** Elementwise negation; see {@link ops.neg | neg}. */
  neg(): Tensor {
    return ops.neg(this);
  }
  /** Elementwise absolute value; see {@link ops.abs | abs}. */
  abs(): Tensor {
    return ops.abs(this);
  }
  /** Elementwise sign (-1, 0 or 1); see {@link ops.sign | sign}. */
  sign(): Tensor {
    return ops.sign(this);
  }
  /** Elementwise e^x; see {@link ops.exp | exp}. */
  exp(): Tensor {
    return ops.exp(this);
  }
  /** Elementwise natural logarithm; see {@link ops.log | log}. */
  log(): Tensor {
    return ops.log(this);
  }
  /** Elementwise log(1 + x), accurate for small x; see {@link ops.log1p | log1p}. */
  log1p(): Tensor {
    return ops.log1p(this);
  }
  /** Elementwise e^x - 1, accurate for small x; see {@link ops.expm1 | expm1}. */
  expm1(): Tensor {
    return ops.expm1(this);
  }
  /** Elementwise square root; see {@link ops.sqrt | sqrt}. */
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  /** Elementwise 1 / sqrt(x); see {@link ops.rsqrt | rsqrt}. */
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  /** Elementwise x * x; see {@link ops.square | square}. */
  square(): Tensor {
    return ops.square(this);
  }
  /** Elementwise 1 / x; see {@link ops.reciprocal | reciprocal}. */
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  /** Elementwise sine; see {@link ops.sin | sin}. */
  sin(): Tensor {
    return ops.sin(this);
  }
  /** Elementwise cosine; see {@link ops.cos | cos}. */
  cos(): Tensor {
    return ops.cos(this);
  }
  /** Elementwise tangent; see {@link ops.tan | tan}. */
  tan(): Tensor {
    return ops.tan(this);
  }
  /** Elementwise arcsine; see {@link ops.asin | asin}. */
  asin(): Tensor {
    return ops.asin(this);
  }
  /** Elementwise arccosine; see {@link ops.acos | acos}. */
  acos(): Tensor {
    return ops.acos(this);
  }
  /** Elementwise arctangent; see {@link ops.atan | atan}. */
  atan(): Tensor {
    return ops.atan(this);
  }
  /** Elementwise hyperbolic sine; see {@link ops.sinh | sinh}. */
  sinh(): Tensor {
    return ops.sinh(this);
  }
  /** Elementwise hyperbolic cosine; see {@link ops.cosh | cosh}. */
  cosh(): Tensor {
    return ops.cosh(this);
  }
  /** Elementwise hyperbolic tangent; see {@link ops.tanh | tanh}. */
  tanh(): Tensor {
    return ops.tanh(this);
  }
  /** Elementwise inverse hyperbolic sine; see {@link ops.asinh | asinh}. */
  asinh(): Tensor {
    return ops.asinh(this);
  }
  /** Elementwise inverse hyperbolic cosine; see {@link ops.acosh | acosh}. */
  acosh(): Tensor {
    return ops.acosh(this);
  }
  /** Elementwise inverse hyperbolic tangent; see {@link ops.atanh | atanh}. */
  atanh(): Tensor {
    return ops.atanh(this);
  }
  /** Elementwise Gauss error function; see {@link ops.erf | erf}. */
  erf(): Tensor {
    return ops.erf(this);
  }
  /** Elementwise logistic function; see {@link ops.sigmoid | sigmoid}. */
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  /** Elementwise log(sigmoid(x)); see {@link ops.logSigmoid | logSigmoid}. */
  logSigmoid(): Tensor {
    return ops.logSigmoid(this);
  }
  /** Elementwise log(1 + e^x); see {@link ops.softplus | softplus}. */
  softplus(): Tensor {
    return ops.softplus(this);
  }
  /** Elementwise max(x, 0); see {@link ops.relu | relu}. */
  relu(): Tensor {
    return ops.relu(this);
  }
  /** Gaussian error linear unit; see {@link ops.gelu | gelu}. */
  gelu(options?: { approximate?: boolean }): Tensor {
    return ops.gelu(this, options);
  }
  /** Elementwise round toward -Infinity; see {@link ops.floor | floor}. */
  floor(): Tensor {
    return ops.floor(this);
  }
  /** Elementwise round toward +Infinity; see {@link ops.ceil | ceil}. */
  ceil(): Tensor {
    return ops.ceil(this);
  }
  /** Elementwise round half to even; see {@link ops.round | round}. */
  round(): Tensor {
    return ops.round(this);
  }

  // ---- binary ---------------------------------------------------------------------------------
  /** Elementwise this + y with broadcasting; see {@link ops.add | add}. */
  add(y: TensorLike): Tensor {
    return ops.add(this, y);
  }
  /** Elementwise this - y with broadcasting; see {@link ops.sub | sub}. */
  sub(y: TensorLike): Tensor {
    return ops.sub(this, y);
  }
  /** Elementwise this * y with broadcasting; see {@link ops.mul | mul}. */
  mul(y: TensorLike): Tensor {
    return ops.mul(this, y);
  }
  /** Elementwise this / y with broadcasting; see {@link ops.div | div}. */
  div(y: TensorLike): Tensor {
    return ops.div(this, y);
  }
  /** Elementwise this ^ y with broadcasting; see {@link ops.pow | pow}. */
  pow(y: TensorLike): Tensor {
    return ops.pow(this, y);
  }
  /** Elementwise maximum with y; see {@link ops.maximum | maximum}. */
  maximum(y: TensorLike): Tensor {
    return ops.maximum(this, y);
  }
  /** Elementwise minimum with y; see {@link ops.minimum | minimum}. */
  minimum(y: TensorLike): Tensor {
    return ops.minimum(this, y);
  }
  /** Elementwise arctangent of this / y with the quadrant; see {@link ops.atan2 | atan2}. */
  atan2(y: TensorLike): Tensor {
    return ops.atan2(this, y);
  }
  /** Elementwise remainder with the sign of y; see {@link ops.mod | mod}. */
  mod(y: TensorLike): Tensor {
    return ops.mod(this, y);
  }

  // ---- comparison and logic -------------------------------------------------------------------
  /** Elementwise this == y, as bool; see {@link ops.equal | equal}. */
  equal(y: TensorLike): Tensor {
    return ops.equal(this, y);
  }
  /** Elementwise this != y, as bool; see {@link ops.notEqual | notEqual}. */
  notEqual(y: TensorLike): Tensor {
    return ops.notEqual(this, y);
  }
  /** Elementwise this < y, as bool; see {@link ops.less | less}. */
  less(y: TensorLike): Tensor {
    return ops.less(this, y);
  }
  /** Elementwise this <= y, as bool; see {@link ops.lessEqual | lessEqual}. */
  lessEqual(y: TensorLike): Tensor {
    return ops.lessEqual(this, y);
  }
  /** Elementwise this > y, as bool; see {@link ops.greater | greater}. */
  greater(y: TensorLike): Tensor {
    return ops.greater(this, y);
  }
  /** Elementwise this >= y, as bool; see {@link ops.greaterEqual | greaterEqual}. */
  greaterEqual(y: TensorLike): Tensor {
    return ops.greaterEqual(this, y);
  }
  /** Elementwise logical and, as bool; see {@link ops.logicalAnd | logicalAnd}. */
  logicalAnd(y: TensorLike): Tensor {
    return ops.logicalAnd(this, y);
  }
  /** Elementwise logical or, as bool; see {@link ops.logicalOr | logicalOr}. */
  logicalOr(y: TensorLike): Tensor {
    return ops.logicalOr(this, y);
  }
  /** Elementwise logical not, as bool; see {@link ops.logicalNot | logicalNot}. */
  logicalNot(): Tensor {
    return ops.logicalNot(this);
  }
  /** Elementwise test for NaN; see {@link ops.isNaN | isNaN}. */
  isNaN(): Tensor {
    return ops.isNaN(this);
  }
  /** Elementwise test for a finite value; see {@link ops.isFinite | isFinite}. */
  isFinite(): Tensor {
    return ops.isFinite(this);
  }

  // ---- selection ------------------------------------------------------------------------------
  /** `cond.where(a, b)`: elements of a where this (bool) is true, else of b. */
  where(a: TensorLike, b: TensorLike): Tensor {
    return ops.where(this, a, b);
  }
  /** Elementwise clamp to [lo, hi]; see {@link ops.clip | clip}. */
  clip(lo: TensorLike, hi: TensorLike): Tensor {
    return ops.clip(this, lo, hi);
  }

  // ---- reductions -----------------------------------------------------------------------------
  /** The sum over axes; see {@link ops.sum | sum}. */
  sum(options?: ReduceOptions): Tensor {
    return ops.sum(this, options);
  }
  /** The mean over axes; see {@link ops.mean | mean}. */
  mean(options?: ReduceOptions): Tensor {
    return ops.mean(this, options);
  }
  /** The product over axes; see {@link ops.prod | prod}. */
  prod(options?: ReduceOptions): Tensor {
    return ops.prod(this, options);
  }
  /** The maximum over axes; see {@link ops.max | max}. */
  max(options?: ReduceOptions): Tensor {
    return ops.max(this, options);
  }
  /** The minimum over axes; see {@link ops.min | min}. */
  min(options?: ReduceOptions): Tensor {
    return ops.min(this, options);
  }
  /** The index of the first maximum; see {@link ops.argmax | argmax}. */
  argmax(options?: { axis?: number; keepdims?: boolean }): Tensor {
    return ops.argmax(this, options);
  }
  /** The index of the first minimum; see {@link ops.argmin | argmin}. */
  argmin(options?: { axis?: number; keepdims?: boolean }): Tensor {
    return ops.argmin(this, options);
  }
  /** log(sum(exp(x))) over axes, computed stably; see {@link ops.logsumexp | logsumexp}. */
  logsumexp(options?: ReduceOptions): Tensor {
    return ops.logsumexp(this, options);
  }
  /** The variance over axes; see {@link ops.variance | variance}. */
  variance(options?: ReduceOptions & { ddof?: number }): Tensor {
    return ops.variance(this, options);
  }
  /** The standard deviation over axes; see {@link ops.std | std}. */
  std(options?: ReduceOptions & { ddof?: number }): Tensor {
    return ops.std(this, options);
  }
  /** A vector norm over axes; see {@link ops.norm | norm}. */
  norm(options?: ops.NormOptions): Tensor {
    return ops.norm(this, options);
  }
  /** Softmax along an axis; see {@link ops.softmax | softmax}. */
  softmax(options?: { axis?: number }): Tensor {
    return ops.softmax(this, options);
  }
  /** Log-softmax along an axis; see {@link ops.logSoftmax | logSoftmax}. */
  logSoftmax(options?: { axis?: number }): Tensor {
    return ops.logSoftmax(this, options);
  }
  /** Cumulative sum along an axis; see {@link ops.cumsum | cumsum}. */
  cumsum(options?: { axis?: number; reverse?: boolean }): Tensor {
    return ops.cumsum(this, options);
  }
  /** Cumulative product along an axis; see {@link ops.cumprod | cumprod}. */
  cumprod(options?: { axis?: number; reverse?: boolean }): Tensor {
    return ops.cumprod(this, options);
  }

  // ---- shape ----------------------------------------------------------------------------------
  /** The same data in a new shape; see {@link ops.reshape | reshape}. */
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }
  /** Permutes the axes; see {@link ops.transpose | transpose}. */
  transpose(axes?: readonly number[]): Tensor {
    return ops.transpose(this, axes);
  }
  /** All axes reversed, as NumPy's `.T` (a matrix transpose for 2-d tensors). */
  get T(): Tensor {
    return ops.transpose(this);
  }
  /** Exchanges two axes; see {@link ops.swapAxes | swapAxes}. */
  swapAxes(a: number, b: number): Tensor {
    return ops.swapAxes(this, a, b);
  }
  /** Inserts a size-1 axis; see {@link ops.expandDims | expandDims}. */
  expandDims(axis: number): Tensor {
    return ops.expandDims(this, axis);
  }
  /** Removes size-1 axes; see {@link ops.squeeze | squeeze}. */
  squeeze(axis?: number | readonly number[]): Tensor {
    return ops.squeeze(this, axis);
  }
  /** Broadcasts to a shape; see {@link ops.broadcastTo | broadcastTo}. */
  broadcastTo(shape: readonly number[]): Tensor {
    return ops.broadcastTo(this, shape);
  }
  /** The elements as a 1-d tensor; see {@link ops.flatten | flatten}. */
  flatten(): Tensor {
    return ops.flatten(this);
  }
  /** Splits along an axis; see {@link ops.split | split}. */
  split(sectionsOrSizes: number | readonly number[], axis?: number): Tensor[] {
    return ops.split(this, sectionsOrSizes, axis);
  }
  /** The block starting at `begin` with `size` elements per axis; see {@link ops.slice | slice}. */
  slice(begin: readonly number[], size?: readonly number[]): Tensor {
    return ops.slice(this, begin, size);
  }
  /** Gathers entries at `indices` along an axis; see {@link ops.take | take}. */
  take(indices: TensorLike, axis?: number): Tensor {
    return ops.take(this, indices, axis);
  }
  /** Adds `updates` at `indices` along an axis; see {@link ops.scatterAdd | scatterAdd}. */
  scatterAdd(indices: TensorLike, updates: TensorLike, axis?: number): Tensor {
    return ops.scatterAdd(this, indices, updates, axis);
  }
  /** Pads with a constant; see {@link ops.pad | pad}. */
  pad(widths: ops.PadWidths, value?: number): Tensor {
    return ops.pad(this, widths, value);
  }
  /** Repeats along each axis; see {@link ops.tile | tile}. */
  tile(reps: number | readonly number[]): Tensor {
    return ops.tile(this, reps);
  }
  /** Reverses the order of elements along axes; see {@link ops.flip | flip}. */
  flip(axis?: number | readonly number[]): Tensor {
    return ops.flip(this, axis);
  }
  /** Converts to another dtype; see {@link ops.astype | astype}. */
  astype(dtype: DType): Tensor {
    return ops.astype(this, dtype);
  }

  // ---- indexing and sorting -------------------------------------------------------------------
  /** Picks values along an axis by an index tensor; see {@link ops.takeAlongAxis | takeAlongAxis}. */
  takeAlongAxis(indices: TensorLike, axis: number | null): Tensor {
    return ops.takeAlongAxis(this, indices, axis);
  }
  /** Python/NumPy slicing with steps; see {@link ops.stridedSlice | stridedSlice}. */
  stridedSlice(
    begin: readonly ops.SliceEntry[],
    end?: readonly ops.SliceEntry[] | null,
    step?: readonly ops.SliceEntry[] | null,
  ): Tensor {
    return ops.stridedSlice(this, begin, end, step);
  }
  /** A copy with a block replaced; see {@link ops.sliceUpdate | sliceUpdate}. */
  sliceUpdate(begin: readonly number[], values: TensorLike): Tensor {
    return ops.sliceUpdate(this, begin, values);
  }
  /** The slices along an axis, as an array; see {@link ops.unstack | unstack}. */
  unstack(axis?: number): Tensor[] {
    return ops.unstack(this, axis);
  }
  /** Sorted along an axis; see {@link ops.sort | sort}. */
  sort(options?: ops.SortOptions): Tensor {
    return ops.sort(this, options);
  }
  /** The indices that sort along an axis; see {@link ops.argsort | argsort}. */
  argsort(options?: ops.SortOptions): Tensor {
    return ops.argsort(this, options);
  }
  /** The k largest entries and their indices; see {@link ops.topk | topk}. */
  topk(k: number, options?: { axis?: number }): [Tensor, Tensor] {
    return ops.topk(this, k, options);
  }
  /**
   * NumPy indexing, `x[i0, i1, ...]`: integers, slices (`ad.s(start, stop, step)` or strings such
   * as `"1:, ::-1"`), `ad.newaxis`, `"..."`, integer arrays and boolean masks; differentiable. See
   * {@link ops.index | index}.
   */
  index(...items: ops.IndexItem[]): Tensor {
    return ops.index(this, ...items);
  }
  /**
   * JAX's `x.at[...]`: functional updates at an index expression, `.set(v)`, `.add(v)`, `.mul(v)`,
   * `.min(v)`, `.max(v)` and `.get()`, each returning a new tensor. See {@link ops.at | at}.
   */
  at(...items: ops.IndexItem[]): ops.IndexUpdateRef {
    return ops.at(this, ...items);
  }

  // ---- neural-net ops ---------------------------------------------------------------------------
  /** 2-d convolution of an NCHW batch; see {@link ops.conv2d | conv2d}. */
  conv2d(w: TensorLike, options?: ops.Conv2dOptions): Tensor {
    return ops.conv2d(this, w, options);
  }
  /** 1-d convolution of an NCW batch; see {@link ops.conv1d | conv1d}. */
  conv1d(w: TensorLike, options?: ops.Conv1dOptions): Tensor {
    return ops.conv1d(this, w, options);
  }
  /** 2-d max pooling; see {@link ops.maxPool2d | maxPool2d}. */
  maxPool2d(kernel: number | readonly [number, number], options?: ops.Pool2dOptions): Tensor {
    return ops.maxPool2d(this, kernel, options);
  }
  /** 2-d average pooling; see {@link ops.avgPool2d | avgPool2d}. */
  avgPool2d(kernel: number | readonly [number, number], options?: ops.Pool2dOptions): Tensor {
    return ops.avgPool2d(this, kernel, options);
  }

  // ---- linear algebra -------------------------------------------------------------------------
  /** The matrix product with y; see {@link ops.matmul | matmul}. */
  matmul(y: TensorLike): Tensor {
    return ops.matmul(this, y);
  }
  /** The dot product with y; see {@link ops.dot | dot}. */
  dot(y: TensorLike): Tensor {
    return ops.dot(this, y);
  }
  /** The outer product with y; see {@link ops.outer | outer}. */
  outer(y: TensorLike): Tensor {
    return ops.outer(this, y);
  }
}
