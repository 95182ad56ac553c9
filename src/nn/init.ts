/**
 * @file Parameter initialisers of `ad.nn`, called like `ad.random`'s samplers: `(shape, { key,
 * dtype? })`. The variance-scaling family follows jax.nn.initializers: fans are computed from an
 * input axis and an output axis of the kernel, every other axis being a receptive field.
 */

import { describeValue } from "../core/describe.js";
import { getDefaultFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { checkShape, normalizeAxis, shapeSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { ones as onesOf, zeros as zerosOf } from "../ops/creation.js";
import { astype, mul, sign } from "../ops/elementwise.js";
import { linalg } from "../ops/linalg-decompositions.js";
import { diagonal } from "../ops/linalg-more.js";
import { type RandomSource, random } from "../ops/random.js";
import { reshape, transpose } from "../ops/shape.js";

/**
 * A float dtype, the dtypes parameters are made in.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const dt: ad.FloatDType = "float64";
 * ad.nn.ones([1], { dtype: dt }); // => tensor([1.], dtype=float64)
 * ```
 * @category Neural-net ops
 */
export type FloatDType = "float32" | "float64";

/**
 * Options of the variance-scaling initialisers: the randomness (`key` or `seed`), the dtype and
 * which kernel axes hold the inputs and the outputs.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // A conv kernel in OIHW layout: inputs on axis 1, outputs on axis 0.
 * const opts: ad.InitOptions = { key: ad.random.key(0), inAxis: 1, outAxis: 0 };
 * ad.nn.heNormal([8, 3, 3, 3], opts).shape; // => [8, 3, 3, 3]
 * ```
 * @category Neural-net ops
 */
export type InitOptions = RandomSource & {
  /** float32 or float64 (default: the default float dtype). */
  dtype?: FloatDType;
  /** The axis of input features (default -2: a dense kernel [in, out]). */
  inAxis?: number;
  /** The axis of output features (default -1). */
  outAxis?: number;
};

/**
 * An initialiser: a shape and options (key, dtype, fan axes) in, a new parameter tensor out.
 * Every `ad.nn` initialiser is one, so they can be passed as `kernelInit` to the layers.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const init: ad.Initializer = ad.nn.heUniform;
 * ad.nn.linear.init(ad.random.key(0), 4, 2, { kernelInit: init }).w.shape; // => [4, 2]
 * ```
 * @category Neural-net ops
 */
export type Initializer = (shape: number | readonly number[], options: InitOptions) => Tensor;

/** Which fan the variance is scaled by. */
type FanMode = "fanIn" | "fanOut" | "fanAvg";
/** Which distribution has that variance. */
type Distribution = "uniform" | "truncatedNormal";

/** The standard deviation of a standard normal truncated to [-2, 2] (JAX's constant). */
const TRUNCATED_STD = 0.8796256610342398;

/**
 * fan-in and fan-out of a kernel: shape[inAxis] and shape[outAxis] times the receptive field (the
 * product of the other axes). Below 2 dimensions, as Keras: fan-in = fan-out = size (1 for a 0-d).
 */
export function fans(
  op: string,
  shape: readonly number[],
  inAxis = -2,
  outAxis = -1,
): [number, number] {
  if (shape.length < 2) {
    const n = shape.length === 0 ? 1 : shape[0]!;
    return [n, n];
  }
  const i = normalizeAxis(op, inAxis, shape.length, "inAxis");
  const o = normalizeAxis(op, outAxis, shape.length, "outAxis");
  if (i === o) {
    throw new ValueError(`${op}: inAxis and outAxis must be different axes; both are axis ${i}`);
  }
  const receptive = shapeSize(shape.filter((_, k) => k !== i && k !== o));
  return [shape[i]! * receptive, shape[o]! * receptive];
}

function varianceScaling(
  op: string,
  scale: number,
  mode: FanMode,
  distribution: Distribution,
  shape: number | readonly number[],
  options: InitOptions,
): Tensor {
  const opts = checkOptions(op, options, ["key", "seed", "dtype", "inAxis", "outAxis"]);
  const s = checkShape(op, shape);
  const [fanIn, fanOut] = fans(op, s, opts.inAxis, opts.outAxis);
  const fan = mode === "fanIn" ? fanIn : mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2;
  // A kernel with a zero-sized axis has fan 0; nothing is drawn then, so any finite variance does.
  const variance = scale / Math.max(1, fan);
  const source = randomSource(opts);
  const dtype = opts.dtype;
  if (distribution === "uniform") {
    const limit = Math.sqrt(3 * variance);
    return random.uniform(s, { ...source, low: -limit, high: limit, dtype });
  }
  const z = random.truncatedNormal(s, { ...source, lower: -2, upper: 2, dtype: "float64" });
  return astype(mul(z, Math.sqrt(variance) / TRUNCATED_STD), dtype ?? getDefaultFloat());
}

/** The seed or key of an options object, as a RandomSource (the samplers check it). */
function randomSource(opts: { key?: Tensor; seed?: number }): RandomSource {
  return (opts.key !== undefined ? { key: opts.key } : { seed: opts.seed }) as RandomSource;
}

/**
 * Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)). Fans as
 * jax.nn.initializers: `inAxis` (default -2) and `outAxis` (default -1) times the receptive field
 * (the other axes), so a dense kernel is [in, out] and an OIHW conv kernel takes
 * `{ inAxis: 1, outAxis: 0 }`.
 * @throws {@link ValueError} for a missing key/seed, a bad axis or an unknown option.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nn.glorotUniform([2, 3], { key: ad.random.key(0) }); // => tensor([[...]], dtype=float32)
 * ad.max(ad.abs(ad.nn.glorotUniform([100, 50], { seed: 1 }))).item() <= Math.sqrt(6 / 150); // => true
 * ```
 * @category Neural-net ops
 */
export function glorotUniform(shape: number | readonly number[], options: InitOptions): Tensor {
  return varianceScaling("nn.glorotUniform", 1, "fanAvg", "uniform", shape, options);
}

/**
 * Glorot (Xavier) normal: a normal truncated at 2 standard deviations, rescaled to variance
 * 2 / (fanIn + fanOut) (jax.nn.initializers.glorot_normal). Fans as `ad.nn.glorotUniform`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const w = ad.nn.glorotNormal([400, 600], { seed: 0, dtype: "float64" });
 * ad.variance(w).item() * 1000; // => 2.003
 * ```
 * @category Neural-net ops
 */
export function glorotNormal(shape: number | readonly number[], options: InitOptions): Tensor {
  return varianceScaling("nn.glorotNormal", 1, "fanAvg", "truncatedNormal", shape, options);
}

/**
 * He (Kaiming) normal: a truncated normal rescaled to variance 2 / fanIn, for ReLU layers
 * (jax.nn.initializers.he_normal). Fans as `ad.nn.glorotUniform`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const w = ad.nn.heNormal([200, 300], { seed: 0, dtype: "float64" });
 * ad.variance(w).item() * 100; // => 1.0...
 * ```
 * @category Neural-net ops
 */
export function heNormal(shape: number | readonly number[], options: InitOptions): Tensor {
  return varianceScaling("nn.heNormal", 2, "fanIn", "truncatedNormal", shape, options);
}

/**
 * He (Kaiming) uniform: U(-l, l) with l = sqrt(6 / fanIn) (jax.nn.initializers.he_uniform).
 * Fans as `ad.nn.glorotUniform`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.max(ad.abs(ad.nn.heUniform([24, 10], { seed: 3 }))).item() <= 0.5; // => true
 * ```
 * @category Neural-net ops
 */
export function heUniform(shape: number | readonly number[], options: InitOptions): Tensor {
  return varianceScaling("nn.heUniform", 2, "fanIn", "uniform", shape, options);
}

/**
 * LeCun normal: a truncated normal rescaled to variance 1 / fanIn
 * (jax.nn.initializers.lecun_normal; flax's default for dense kernels). Fans as
 * `ad.nn.glorotUniform`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const w = ad.nn.lecunNormal([500, 200], { seed: 2, dtype: "float64" });
 * ad.variance(w).item() * 500; // => 1.001
 * ```
 * @category Neural-net ops
 */
export function lecunNormal(shape: number | readonly number[], options: InitOptions): Tensor {
  return varianceScaling("nn.lecunNormal", 1, "fanIn", "truncatedNormal", shape, options);
}

/**
 * Options of `ad.nn.orthogonal`: the randomness, the dtype, a gain and the column axis.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.OrthogonalOptions = { seed: 0, scale: 2 };
 * ad.nn.orthogonal([2, 2], opts).shape; // => [2, 2]
 * ```
 * @category Neural-net ops
 */
export type OrthogonalOptions = RandomSource & {
  dtype?: FloatDType;
  /** A gain multiplying the matrix (default 1). */
  scale?: number;
  /** The axis of columns (default -1); the other axes are flattened into rows. */
  columnAxis?: number;
};

/**
 * A (semi-)orthogonal matrix: Q of the QR decomposition of a standard normal matrix, with the
 * signs of R's diagonal folded in so that Q is uniform over the orthogonal group (Mezzadri
 * 2007), times `scale`. The shape is read as rows x columns, columns being `columnAxis`
 * (default -1) and rows the product of the other axes; with rows >= columns the columns are
 * orthonormal, otherwise the rows are.
 * @throws {@link ValueError} for a shape with fewer than 2 dimensions.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const q = ad.nn.orthogonal([3, 3], { key: ad.random.key(0), dtype: "float64" });
 * ad.allclose(ad.matmul(ad.transpose(q), q), ad.eye(3, undefined, "float64")); // => tensor(true, dtype=bool)
 * ```
 * @category Neural-net ops
 */
export function orthogonal(shape: number | readonly number[], options: OrthogonalOptions): Tensor {
  const op = "nn.orthogonal";
  const opts = checkOptions(op, options, ["key", "seed", "dtype", "scale", "columnAxis"]);
  const s = checkShape(op, shape);
  if (s.length < 2) {
    throw new ValueError(
      `${op}: shape must have at least 2 dimensions; got ${describeValue(s.slice())}`,
    );
  }
  const scale = opts.scale ?? 1;
  if (typeof scale !== "number" || !Number.isFinite(scale)) {
    throw new ValueError(`${op}: scale must be a finite number; got ${describeValue(scale)}`);
  }
  const c = normalizeAxis(op, opts.columnAxis ?? -1, s.length, "columnAxis");
  const cols = s[c]!;
  const rows = shapeSize(s) / Math.max(1, cols);
  const dtype = opts.dtype ?? getDefaultFloat();
  // QR of the taller orientation, in float64 so float32 kernels are orthogonal to rounding.
  const tall: [number, number] = rows >= cols ? [rows, cols] : [cols, rows];
  const a = random.normal(tall, { ...randomSource(opts), dtype: "float64" });
  const [q, r] = linalg.qr(a);
  let m = mul(q, sign(diagonal(r)));
  if (rows < cols) m = transpose(m);
  // Rows are the other axes in order, columns the column axis: move it back into place.
  const others = s.filter((_, i) => i !== c);
  const moved = reshape(m, [...others, cols]);
  const perm = Array.from({ length: s.length - 1 }, (_, i) => i);
  perm.splice(c, 0, s.length - 1);
  return astype(mul(transpose(moved, perm), scale), dtype);
}

/**
 * Zeros of `shape` (biases). Takes the same options as the random initialisers so that any
 * initialiser can be passed where one is expected; the key is not used.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nn.zeros([2], { key: ad.random.key(0) }); // => tensor([0., 0.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function zeros(
  shape: number | readonly number[],
  options: Partial<InitOptions> = {},
): Tensor {
  const opts = checkOptions("nn.zeros", options, ["key", "seed", "dtype", "inAxis", "outAxis"]);
  return zerosOf(checkShape("nn.zeros", shape), opts.dtype ?? getDefaultFloat());
}

/**
 * Ones of `shape` (scales of normalisation layers); the key is not used.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.nn.ones([2], { key: ad.random.key(0), dtype: "float64" }); // => tensor([1., 1.], dtype=float64)
 * ```
 * @category Neural-net ops
 */
export function ones(
  shape: number | readonly number[],
  options: Partial<InitOptions> = {},
): Tensor {
  const opts = checkOptions("nn.ones", options, ["key", "seed", "dtype", "inAxis", "outAxis"]);
  return onesOf(checkShape("nn.ones", shape), opts.dtype ?? getDefaultFloat());
}
