/**
 * @file A small encoder transformer that learns to reverse sequences: the input is `length`
 * tokens drawn uniformly from `vocab` symbols, the target at position i is the input token at
 * position length - 1 - i. Token embeddings plus learned position embeddings, `layers` pre-norm
 * blocks (multi-head self-attention without a causal mask, then a GELU MLP, each a residual), a
 * final layer norm and a linear read-out of `vocab` logits at every position; trained with
 * `ad.optim.adam` (warm-up and cosine decay, gradient clipping) on fresh random batches, tested
 * on 1,000 held-out sequences. Nothing but attention can move a token to its mirrored position,
 * so the accuracy measures whether the model learned to attend by position.
 *
 * Run: `node --import tsx examples/transformer-reverse.ts [--steps=600] [--length=8]
 * [--vocab=10] [--dModel=32] [--heads=4] [--layers=2] [--batch=64] [--lr=0.003] [--seed=0]`
 * (or ADJOINT_STEPS=... etc., see example-settings.ts). The last line is
 * `test token accuracy: <fraction>, sequence accuracy: <fraction>`.
 *
 * Full settings (the defaults): 26,378 parameters; the loss plateaus near 1.7 for 200 steps
 * (copying the token statistics) until attention locks onto the mirrored positions; after 600
 * steps test token accuracy 1.0000 and sequence accuracy 1.0000 (chance: 0.1 per token).
 */

import * as ad from "../src/node.js";
import { rng, setting } from "./example-settings.js";

const steps = setting("steps", 600);
const length = setting("length", 8);
const vocab = setting("vocab", 10);
const dModel = setting("dModel", 32);
const heads = setting("heads", 4);
const layers = setting("layers", 2);
const batch = setting("batch", 64);
const lr = setting("lr", 0.003);
const seed = setting("seed", 0);

/** `n` random sequences and their reversals, as int32 [n, length] tensors. */
function sequences(n: number, next: () => number): { x: ad.Tensor; y: ad.Tensor } {
  const x = new Int32Array(n * length);
  const y = new Int32Array(n * length);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < length; i++) x[s * length + i] = Math.floor(next() * vocab);
    for (let i = 0; i < length; i++) y[s * length + i] = x[s * length + length - 1 - i]!;
  }
  const shape = [n, length];
  return { x: ad.tensor(x, { shape, dtype: "int32" }), y: ad.tensor(y, { shape, dtype: "int32" }) };
}

/** Learned position embeddings, added to the token embeddings ([N, length, dModel]). */
const positions: ad.Layer<{ pos: ad.Tensor }, null> = {
  init: (key) => ({ pos: ad.mul(ad.random.normal([length, dModel], { key }), 0.1) }),
  initState: () => null,
  call: (p, _state, x) => [ad.add(x, p.pos), null],
};

const block = (): ad.SequentialEntry[] => [
  ad.nn.residual([ad.nn.layerNorm.layer(dModel), ad.nn.multiHeadAttention.layer(dModel, heads)]),
  ad.nn.residual([
    ad.nn.layerNorm.layer(dModel),
    ad.nn.linear.layer(dModel, 4 * dModel),
    ad.gelu,
    ad.nn.linear.layer(4 * dModel, dModel),
  ]),
];
const model = ad.nn.sequential([
  ad.nn.embedding.layer(vocab, dModel),
  positions,
  ...Array.from({ length: layers }, block).flat(),
  ad.nn.layerNorm.layer(dModel),
  ad.nn.linear.layer(dModel, vocab),
]);
type Params = ReturnType<typeof model.init>;
let params: Params = model.init(ad.random.key(seed));
const opt = ad.optim.chain(
  ad.optim.clipByGlobalNorm(1),
  ad.optim.adam({
    lr: ad.optim.warmupCosineDecay({
      peak: lr,
      warmupSteps: Math.ceil(steps / 10),
      decaySteps: steps,
    }),
  }),
);
let state = opt.init(params);

const next = rng(seed + 1);
const held = sequences(1000, rng(seed + 1_000_003));
/** Token accuracy and the fraction of sequences reversed without a single error. */
function evaluate(): [number, number] {
  const predicted = ad.argmax(model.apply(params, held.x), { axis: -1 });
  const right = ad.astype(ad.equal(predicted, held.y), "float32");
  const token = Number(ad.mean(right).item());
  const sequence = Number(ad.mean(ad.min(right, { axis: 1 })).item());
  return [token, sequence];
}

console.log(
  `reverse ${length} tokens of ${vocab}: ${layers} pre-norm blocks, dModel ${dModel}, ${heads} heads, ${ad.nn.countParams(params)} parameters, ${steps} Adam steps of ${batch} sequences`,
);
let recent = 0;
for (let step = 1; step <= steps; step++) {
  const { x, y } = sequences(batch, next);
  const [loss, grads] = ad.valueAndGrad((p: Params) =>
    ad.nn.softmaxCrossEntropy(model.apply(p, x), y),
  )(params);
  ({ params, state } = opt.step(params, grads, state));
  recent += Number(loss.item());
  if (step % 100 === 0 || step === steps) {
    const [token] = evaluate();
    const span = step % 100 === 0 ? 100 : step % 100;
    console.log(
      `step ${String(step).padStart(5)}  mean training loss ${(recent / span).toFixed(4)}  test token accuracy ${token.toFixed(4)}`,
    );
    recent = 0;
  }
}

const [token, sequence] = evaluate();
console.log(`test token accuracy: ${token.toFixed(4)}, sequence accuracy: ${sequence.toFixed(4)}`);
