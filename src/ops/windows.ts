/**
 * @file Window functions of signal processing, as NumPy defines them: hann, hamming, blackman
 * and bartlett. Each builds M symmetric samples in float64 arithmetic, then stores them in the
 * requested float dtype; they take no tensor input, so there is nothing to differentiate.
 */

import { tensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { type DType, getDefaultFloat } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";

function windowOf(
  op: string,
  m: number,
  dtype: DType | undefined,
  sample: (n: number, last: number) => number,
): Tensor {
  if (!Number.isInteger(m) || m < 0) {
    throw new ValueError(`${op}: M must be a non-negative integer; got ${describeValue(m)}`);
  }
  const data = new Float64Array(m);
  // NumPy's convention: a window of one sample is [1] (the formulas would divide by M - 1 = 0).
  if (m === 1) data[0] = 1;
  else for (let n = 0; n < m; n++) data[n] = sample(n, m - 1);
  return tensor(data, { dtype: dtype ?? getDefaultFloat() });
}

/**
 * The Hann window of M samples: 0.5 - 0.5 cos(2πn / (M - 1)), n = 0..M-1 (NumPy's `hanning`).
 * @param m - The number of samples (0 gives an empty window, 1 gives [1]).
 * @param dtype - A float dtype (default: the default float).
 * @throws {@link ValueError} when M is not a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.hann(5); // => tensor([0., 0.5, 1., 0.5, 0.], dtype=float32)
 * ```
 * @category Creation
 */
export function hann(m: number, dtype?: DType): Tensor {
  return windowOf("hann", m, dtype, (n, l) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / l));
}

/**
 * The Hamming window of M samples: 0.54 - 0.46 cos(2πn / (M - 1)), n = 0..M-1.
 * @throws {@link ValueError} when M is not a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.hamming(3); // => tensor([0.08, 1., 0.08], dtype=float32)
 * ```
 * @category Creation
 */
export function hamming(m: number, dtype?: DType): Tensor {
  return windowOf("hamming", m, dtype, (n, l) => 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / l));
}

/**
 * The Blackman window of M samples: 0.42 - 0.5 cos(2πn / (M - 1)) + 0.08 cos(4πn / (M - 1)).
 * @throws {@link ValueError} when M is not a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.blackman(3, "float64"); // => tensor([-1.387779e-17, 1., -1.387779e-17], dtype=float64)
 * ```
 * @category Creation
 */
export function blackman(m: number, dtype?: DType): Tensor {
  return windowOf(
    "blackman",
    m,
    dtype,
    (n, l) => 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / l) + 0.08 * Math.cos((4 * Math.PI * n) / l),
  );
}

/**
 * The Bartlett (triangular) window of M samples: 1 - |2n / (M - 1) - 1|, zero at both ends.
 * @throws {@link ValueError} when M is not a non-negative integer.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.bartlett(5); // => tensor([0., 0.5, 1., 0.5, 0.], dtype=float32)
 * ```
 * @category Creation
 */
export function bartlett(m: number, dtype?: DType): Tensor {
  return windowOf("bartlett", m, dtype, (n, l) => 1 - Math.abs((2 * n) / l - 1));
}
