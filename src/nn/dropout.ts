/**
 * @file `nn.dropout`: inverted dropout (kept entries scaled by 1 / (1 - rate) while training, so
 * evaluation is the identity), seeded by an explicit key.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor } from "../core/tensor.js";
import { zerosLike } from "../ops/creation.js";
import { div, where } from "../ops/elementwise.js";
import { random } from "../ops/random.js";
import { checkInput, type Layer } from "./layer.js";

/**
 * Options of {@link nn.dropout}.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.DropoutOptions = { rate: 0.5, training: false };
 * ad.nn.dropout(ad.random.key(0), ad.ones([2]), opts); // => tensor([1., 1.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export interface DropoutOptions {
  /** The probability of zeroing an entry, in [0, 1]. */
  rate: number;
  /** Dropout is applied only when true; otherwise x is returned unchanged. */
  training: boolean;
}

function checkRate(op: string, rate: unknown): number {
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
    throw new ValueError(`${op}: rate must be a number in [0, 1]; got ${describeValue(rate)}`);
  }
  return rate;
}

function apply(key: Tensor | undefined, x: Tensor, options: DropoutOptions): Tensor {
  const op = "nn.dropout";
  const opts = checkOptions(op, options, ["rate", "training"]);
  checkInput(op, "x", x);
  const rate = checkRate(op, opts.rate);
  if (typeof opts.training !== "boolean") {
    throw new ValueError(
      `${op}: training must be true or false; got ${describeValue(opts.training)}`,
    );
  }
  if (!opts.training || rate === 0) return x;
  if (rate === 1) return zerosLike(x);
  if (key === undefined) {
    throw new ValueError(`${op}: a key is needed while training (rate ${rate}); got undefined`);
  }
  const keep = random.bernoulli(x.shape, { key, p: 1 - rate });
  return where(keep, div(x, 1 - rate), 0);
}

/**
 * Inverted dropout: while `training`, each entry of x is zeroed with probability `rate` and the
 * others are divided by 1 - rate (so the expected value is x); otherwise x itself. The mask
 * comes from `key` (`random.bernoulli`); use a new key per step (`random.foldIn(key, step)`).
 * `nn.dropout.layer(rate)` makes a {@link Layer} that takes its key and training flag from the
 * call's context.
 * @throws {@link ValueError} for a rate outside [0, 1], a missing training flag, or no key while
 *   training.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const k = ad.random.key(0);
 * ad.nn.dropout(k, ad.ones([6]), { rate: 0.5, training: true }); // => tensor([2., 2., 0., 0., 0., 2.], dtype=float32)
 * ad.nn.dropout(k, ad.ones([3]), { rate: 0.5, training: false }); // => tensor([1., 1., 1.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export const dropout = Object.assign(apply, {
  /** A {@link Layer} dropping entries at `rate` while the context is training. */
  layer(rate: number): Layer<null, null> {
    checkRate("nn.dropout.layer", rate);
    return {
      init: () => null,
      initState: () => null,
      call: (_params, _state, x, ctx) => [
        apply(ctx.key, x, { rate, training: ctx.training }),
        null,
      ],
    };
  },
});
