/**
 * @file `nn.sequential` and `nn.residual`: layers composed in order, with parameters and state
 * as arrays (one entry per layer, null for parameter-free entries) so that the whole model is
 * one pytree that grad, the optimisers and saveParams take as it is.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { flatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { add } from "../ops/elementwise.js";
import { random } from "../ops/random.js";
import { checkInput, checkKey, type Layer, type LayerContext } from "./layer.js";

/**
 * An entry of {@link nn.sequential}: a {@link Layer} (from a `.layer(...)` factory, another
 * sequential or residual) or a parameter-free function of a tensor (`ad.relu`, a reshape).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const entries: ad.SequentialEntry[] = [ad.nn.linear.layer(2, 2), ad.tanh];
 * entries.length; // => 2
 * ```
 * @category Neural-net ops
 */
export type SequentialEntry = Layer | ((x: Tensor) => Tensor);

/**
 * The params of a sequential model of entries L: a tuple with each layer's params (null for a
 * function entry), so that `params[0].w` and the gradients are typed.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const model = ad.nn.sequential([ad.nn.linear.layer(2, 2), ad.relu]);
 * const params: ad.ParamsOf<typeof model.layers> = model.init(ad.random.key(0));
 * params[1]; // => null
 * ```
 * @category Neural-net ops
 */
export type ParamsOf<L extends readonly SequentialEntry[]> = {
  -readonly [K in keyof L]: L[K] extends Layer<infer P, infer _S> ? P : null;
};

/**
 * The state of a sequential model of entries L: each layer's state (null when it has none).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const model = ad.nn.sequential([ad.nn.batchNorm.layer(2)]);
 * const state: ad.StateOf<typeof model.layers> = model.initState();
 * state[0].var; // => tensor([1., 1.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export type StateOf<L extends readonly SequentialEntry[]> = {
  -readonly [K in keyof L]: L[K] extends Layer<infer _P, infer S> ? S : null;
};

/**
 * Options of a sequential model's `apply`: training mode and the key for dropout.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.ApplyOptions = { training: true, key: ad.random.key(1) };
 * opts.training; // => true
 * ```
 * @category Neural-net ops
 */
export interface ApplyOptions {
  /** Training mode (default false): dropout active, batch statistics used. */
  training?: boolean;
  /** Randomness (dropout); layer i gets `random.foldIn(key, i)`. */
  key?: Tensor;
}

/**
 * A model made by {@link nn.sequential}: a {@link Layer} (so it nests) with `apply` for models
 * without state and `applyWithState` for models with state (batchNorm).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const model: ad.Sequential = ad.nn.sequential([ad.nn.linear.layer(4, 1)]);
 * model.layers.length; // => 1
 * ```
 * @category Neural-net ops
 */
export interface Sequential<L extends readonly SequentialEntry[] = readonly SequentialEntry[]>
  extends Layer<ParamsOf<L>, StateOf<L>> {
  /** The entries, in order. */
  readonly layers: L;
  /** The output for x; throws if a layer has state (use applyWithState). */
  apply(params: ParamsOf<L>, x: Tensor, options?: ApplyOptions): Tensor;
  /** `[output, newState]`: state in, updated state out (running statistics). */
  applyWithState(
    params: ParamsOf<L>,
    state: StateOf<L>,
    x: Tensor,
    options?: ApplyOptions,
  ): [Tensor, StateOf<L>];
}

function isLayer(v: unknown): v is Layer {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as Layer).init === "function" &&
    typeof (v as Layer).call === "function" &&
    typeof (v as Layer).initState === "function"
  );
}

function checkEntries(op: string, entries: unknown): SequentialEntry[] {
  if (!Array.isArray(entries)) {
    throw new ValueError(
      `${op}: layers must be an array of layers and functions; got ${describeValue(entries)}`,
    );
  }
  entries.forEach((e, i) => {
    if (typeof e === "function" && "init" in e) {
      throw new ValueError(
        `${op}: layers[${i}] is a layer function; pass a layer made by its factory, e.g. nn.linear.layer(inFeatures, outFeatures)`,
      );
    }
    if (typeof e !== "function" && !isLayer(e)) {
      throw new ValueError(
        `${op}: layers[${i}] must be a Layer (from a .layer(...) factory) or a function of a tensor; got ${describeValue(e)}`,
      );
    }
  });
  return entries as SequentialEntry[];
}

function checkList(op: string, arg: string, v: unknown, n: number): unknown[] {
  if (!Array.isArray(v) || v.length !== n) {
    throw new ValueError(
      `${op}: ${arg} must be an array with one entry per layer (${n}, from init${arg === "state" ? "State" : ""}); got ${describeValue(v)}`,
    );
  }
  return v as unknown[];
}

function compose(op: string, entries: SequentialEntry[]): Layer<unknown[], unknown[]> {
  const n = entries.length;
  return {
    init(key) {
      checkKey(`${op}.init`, key);
      const keys = n > 0 ? random.split(key, n) : [];
      return entries.map((e, i) => (typeof e === "function" ? null : e.init(keys[i]!)));
    },
    initState() {
      return entries.map((e) => (typeof e === "function" ? null : e.initState()));
    },
    call(params, state, x, ctx) {
      const ps = checkList(op, "params", params, n);
      const ss = checkList(op, "state", state, n);
      checkInput(op, "x", x);
      let y = x;
      const next: unknown[] = [];
      entries.forEach((e, i) => {
        if (typeof e === "function") {
          y = e(y);
          if (!(y instanceof Tensor)) {
            throw new ValueError(
              `${op}: layers[${i}] must return a Tensor; got ${describeValue(y)}`,
            );
          }
          next.push(null);
          return;
        }
        const key = ctx.key === undefined ? undefined : random.foldIn(ctx.key, i);
        const [out, s] = e.call(ps[i], ss[i], y, { training: ctx.training, key });
        y = out;
        next.push(s);
      });
      return [y, next];
    },
  };
}

function context(op: string, options: ApplyOptions | undefined): LayerContext {
  const opts = checkOptions(op, options, ["training", "key"]);
  if (opts.training !== undefined && typeof opts.training !== "boolean") {
    throw new ValueError(
      `${op}: training must be true or false; got ${describeValue(opts.training)}`,
    );
  }
  if (opts.key !== undefined) checkKey(op, opts.key);
  return { training: opts.training ?? false, key: opts.key };
}

/**
 * Composes layers in order: `nn.sequential([nn.linear.layer(64, 32), ad.relu,
 * nn.linear.layer(32, 10)])`. Entries are {@link Layer}s (the `.layer(...)` factories of the
 * layer functions, other sequentials, {@link nn.residual}) or parameter-free functions of a
 * tensor. The model's `init(key)` returns the params as an array with one entry per layer (null
 * for functions; layer i gets key `random.split(key, n)[i]`), `initState()` the state likewise,
 * `apply(params, x, { training?, key? })` the output (layer i's key is `random.foldIn(key, i)`),
 * and `applyWithState(params, state, x, options)` `[output, newState]` for models with state.
 * @throws {@link ValueError} for an entry that is neither a Layer nor a function (a layer
 *   function such as `nn.linear` itself is pointed to its `.layer` factory), params or state
 *   that are not one entry per layer, or `apply` on a model with state.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const mlp = ad.nn.sequential([ad.nn.linear.layer(4, 8), ad.relu, ad.nn.linear.layer(8, 3)]);
 * const params = mlp.init(ad.random.key(0));
 * mlp.apply(params, ad.ones([2, 4])).shape; // => [2, 3]
 * ad.nn.countParams(params); // => 67
 * const loss = (p: typeof params) => ad.nn.mse(mlp.apply(p, ad.ones([2, 4])), ad.zeros([2, 3]));
 * ad.grad(loss)(params)[0]; // => { w: tensor([[...]], dtype=float32), b: tensor([...], dtype=float32) }
 * ```
 * @category Neural-net ops
 */
export function sequential<const L extends readonly SequentialEntry[]>(layers: L): Sequential<L> {
  const op = "nn.sequential";
  const entries = checkEntries(op, layers);
  const inner = compose(op, entries);
  const hasState = (): boolean => flatten(inner.initState())[0].length > 0;
  // The composed layer works on arrays; the tuple types of the params and state are L's.
  const model: Layer<unknown[], unknown[]> & {
    layers: readonly SequentialEntry[];
    apply(params: unknown[], x: Tensor, options?: ApplyOptions): Tensor;
    applyWithState(
      params: unknown[],
      state: unknown[],
      x: Tensor,
      options?: ApplyOptions,
    ): [Tensor, unknown[]];
  } = {
    layers: entries,
    init: inner.init,
    initState: inner.initState,
    call: inner.call,
    apply(params, x, options) {
      if (hasState()) {
        throw new ValueError(
          `${op}: the model has state (e.g. batchNorm's running statistics); use applyWithState(params, state, x, options)`,
        );
      }
      return inner.call(params, inner.initState(), x, context(`${op}.apply`, options))[0];
    },
    applyWithState(params, state, x, options) {
      return inner.call(params, state, x, context(`${op}.applyWithState`, options));
    },
  };
  return model as Sequential<L>;
}

/**
 * A residual block: `x + f(x)` where f is the entries composed as {@link nn.sequential} (so the
 * output of f must have x's shape). The pre-norm transformer block is two of them:
 * `nn.residual([nn.layerNorm.layer(d), nn.multiHeadAttention.layer(d, h, { causal: true })])`
 * then `nn.residual([nn.layerNorm.layer(d), nn.linear.layer(d, 4 * d), ad.gelu,
 * nn.linear.layer(4 * d, d)])`.
 * @throws {@link ValueError} as {@link nn.sequential}; {@link ShapeError} when f(x) does not
 *   broadcast with x.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const block = ad.nn.residual([ad.nn.linear.layer(3, 3)]);
 * const params = block.init(ad.random.key(0));
 * params[0].w = ad.zeros([3, 3]);
 * block.call(params, block.initState(), ad.tensor([1, 2, 3]), { training: false })[0]; // => tensor([1., 2., 3.], dtype=float32)
 * ```
 * @category Neural-net ops
 */
export function residual<const L extends readonly SequentialEntry[]>(
  layers: L,
): Layer<ParamsOf<L>, StateOf<L>> {
  const op = "nn.residual";
  const inner = compose(op, checkEntries(op, layers));
  const block: Layer<unknown[], unknown[]> = {
    init: inner.init,
    initState: inner.initState,
    call(params, state, x, ctx) {
      const [y, s] = inner.call(params, state, x, ctx);
      return [add(x, y), s];
    },
  };
  return block as Layer<ParamsOf<L>, StateOf<L>>;
}
