/**
 * @file A multilayer perceptron on the 8x8 handwritten digits (examples/data/README.md):
 * 64 pixels (scaled to [0, 1] by /16) -> `hidden` ReLU units -> 10 logits, trained with
 * `ad.optim.adam` on shuffled minibatches of the training split (4 images in 5) and tested on
 * the held-out split (every 5th image, 360 images it never saw).
 *
 * Run: `node --import tsx examples/digits-mlp.ts [--epochs=30] [--hidden=64] [--batch=32]
 * [--lr=0.003] [--seed=0]` (or ADJOINT_EPOCHS=... etc., see example-settings.ts).
 * The last line is `test accuracy: <fraction> (<right>/<total>)`.
 *
 * Full settings (the defaults): 30 epochs of 45 minibatches, 4,810 parameters; test accuracy
 * 0.9750 (351/360), the "about 97%".
 */

import * as ad from "../src/node.js";
import { loadDigits, splitDigits } from "./data/digits.js";
import { rng, setting, shuffled } from "./example-settings.js";

const epochs = setting("epochs", 30);
const hidden = setting("hidden", 64);
const batch = setting("batch", 32);
const lr = setting("lr", 0.003);
const seed = setting("seed", 0);

const { train, test } = splitDigits(loadDigits());
const images = (d: typeof train) => ad.div(ad.tensor(d.pixels, { shape: [d.count, 64] }), 16);
const xTrain = images(train);
const yTrain = ad.tensor(train.labels, { dtype: "int32" });
const xTest = images(test);
const yTest = ad.tensor(test.labels, { dtype: "int32" });

const model = ad.nn.sequential([
  ad.nn.linear.layer(64, hidden),
  ad.relu,
  ad.nn.linear.layer(hidden, 10),
]);
type Params = ReturnType<typeof model.init>;
let params: Params = model.init(ad.random.key(seed));
const opt = ad.optim.adam({ lr });
let state = opt.init(params);

const lossOn = (x: ad.Tensor, y: ad.Tensor) => (p: Params) =>
  ad.nn.softmaxCrossEntropy(model.apply(p, x), y);

console.log(
  `digits MLP 64-${hidden}-10 (${ad.nn.countParams(params)} parameters): ${train.count} training images, ${test.count} test images`,
);
const next = rng(seed + 1);
const steps = Math.ceil(train.count / batch);
for (let epoch = 1; epoch <= epochs; epoch++) {
  const order = shuffled(train.count, next);
  let total = 0;
  for (let s = 0; s < steps; s++) {
    const idx = ad.tensor(order.subarray(s * batch, (s + 1) * batch), { dtype: "int32" });
    const [loss, grads] = ad.valueAndGrad(lossOn(ad.take(xTrain, idx, 0), ad.take(yTrain, idx, 0)))(
      params,
    );
    ({ params, state } = opt.step(params, grads, state));
    total += Number(loss.item());
  }
  if (epoch === 1 || epoch === epochs || epoch % 5 === 0) {
    const acc = Number(ad.nn.accuracy(model.apply(params, xTest), yTest).item());
    console.log(
      `epoch ${String(epoch).padStart(3)}  mean training loss ${(total / steps).toFixed(4)}  test accuracy ${acc.toFixed(4)}`,
    );
  }
}

const right = Math.round(
  Number(ad.nn.accuracy(model.apply(params, xTest), yTest).item()) * test.count,
);
console.log(`test accuracy: ${(right / test.count).toFixed(4)} (${right}/${test.count})`);
