/**
 * @file The Layer interface of `ad.nn`: what `sequential` composes. A layer is three pure
 * functions: parameters from a key, explicit state (running statistics) and a call that maps
 * (params, state, x) to (y, new state). The layer functions (`nn.linear`, ...) make one with
 * their `.layer(...)` factory, which binds the sizes and options.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";

/**
 * What a layer's call sees besides its parameters and state: whether it is training (dropout
 * active, batch statistics used and updated) and, when training needs randomness, a key.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const ctx: ad.LayerContext = { training: true, key: ad.random.key(0) };
 * ctx.training; // => true
 * ```
 * @category Neural-net ops
 */
export interface LayerContext {
  /** Training mode (default false in `apply`). */
  training: boolean;
  /** Randomness for the layer (dropout); `sequential` gives layer i `random.foldIn(key, i)`. */
  key?: Tensor | undefined;
}

/**
 * A layer as pure functions, for {@link nn.sequential}: `init(key)` makes the parameters (a
 * pytree of tensors, or null), `initState()` the explicit state (null when there is none) and
 * `call(params, state, x, ctx)` returns `[y, newState]`. Made by `nn.linear.layer(...)`,
 * `nn.conv2d.layer(...)` and the other `.layer` factories, by `nn.sequential` and `nn.residual`.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const layer: ad.Layer<ad.LinearParams, null> = ad.nn.linear.layer(3, 2);
 * const params = layer.init(ad.random.key(0));
 * const [y] = layer.call(params, layer.initState(), ad.ones([5, 3]), { training: false });
 * y.shape; // => [5, 2]
 * ```
 * @category Neural-net ops
 */
export interface Layer<P = unknown, S = unknown> {
  init(key: Tensor): P;
  initState(): S;
  call(params: P, state: S, x: Tensor, ctx: LayerContext): [Tensor, S];
}

/** A stateless layer from an init function and an apply function. */
export function statelessLayer<P>(
  init: (key: Tensor) => P,
  apply: (params: P, x: Tensor, ctx: LayerContext) => Tensor,
): Layer<P, null> {
  return {
    init,
    initState: () => null,
    call: (params, _state, x, ctx) => [apply(params, x, ctx), null],
  };
}

/** Checks that `key` is a Tensor (the random functions check it is a valid key). */
export function checkKey(op: string, key: unknown): Tensor {
  if (!(key instanceof Tensor)) {
    throw new ValueError(
      `${op}: key must be a key tensor from ad.random.key or ad.random.split; got ${describeValue(key)}`,
    );
  }
  return key;
}

/** Checks a positive integer size argument. */
export function checkSize(op: string, arg: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) {
    throw new ValueError(`${op}: ${arg} must be a positive integer; got ${describeValue(v)}`);
  }
  return v as number;
}

/** Checks that `x` is a Tensor input of a layer. */
export function checkInput(op: string, arg: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${op}: ${arg} must be a Tensor; got ${describeValue(x)}`);
  }
  return x;
}

/** Checks that a params object is a plain object with the given tensor entries. */
export function checkParams(op: string, params: unknown, keys: readonly string[]): void {
  if (params === null || typeof params !== "object") {
    throw new ValueError(
      `${op}: params must be an object with ${keys.join(", ")} (from ${op}.init); got ${describeValue(params)}`,
    );
  }
  const p = params as Record<string, unknown>;
  for (const k of keys) {
    if (!(p[k] instanceof Tensor)) {
      throw new ValueError(
        `${op}: params.${k} must be a Tensor (from ${op}.init); got ${describeValue(p[k])}`,
      );
    }
  }
}
