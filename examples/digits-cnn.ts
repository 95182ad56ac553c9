/**
 * @file A small convolutional network on the 8x8 handwritten digits (examples/data/README.md),
 * images as [N, 1, 8, 8] with pixels scaled to [0, 1]: conv 3x3 (1 -> `channels`, same padding),
 * ReLU, 2x2 max-pool, conv 3x3 (`channels` -> 2 `channels`), ReLU, 2x2 max-pool, then a linear
 * layer from the 2 `channels` x 2 x 2 features to 10 logits; trained with `ad.optim.adam` on
 * shuffled minibatches of the training split (4 images in 5), tested on the held-out split
 * (every 5th image, 360 images).
 *
 * Run: `node --import tsx examples/digits-cnn.ts [--epochs=20] [--channels=8] [--batch=32]
 * [--lr=0.01] [--seed=0]` (or ADJOINT_EPOCHS=... etc., see example-settings.ts).
 * The last line is `test accuracy: <fraction> (<right>/<total>)`.
 *
 * Full settings (the defaults): 20 epochs of 45 minibatches, 1,898 parameters; test accuracy
 * 0.9806 (353/360).
 */

import * as ad from "../src/node.js";
import { loadDigits, splitDigits } from "./data/digits.js";
import { rng, setting, shuffled } from "./example-settings.js";

const epochs = setting("epochs", 20);
const channels = setting("channels", 8);
const batch = setting("batch", 32);
const lr = setting("lr", 0.01);
const seed = setting("seed", 0);

const { train, test } = splitDigits(loadDigits());
const images = (d: typeof train) => ad.div(ad.tensor(d.pixels, { shape: [d.count, 1, 8, 8] }), 16);
const xTrain = images(train);
const yTrain = ad.tensor(train.labels, { dtype: "int32" });
const xTest = images(test);
const yTest = ad.tensor(test.labels, { dtype: "int32" });

const c2 = 2 * channels;
const model = ad.nn.sequential([
  ad.nn.conv2d.layer(1, channels, 3, { padding: 1 }), // [N, c, 8, 8]
  ad.relu,
  (x: ad.Tensor) => ad.maxPool2d(x, 2), // [N, c, 4, 4]
  ad.nn.conv2d.layer(channels, c2, 3, { padding: 1 }), // [N, 2c, 4, 4]
  ad.relu,
  (x: ad.Tensor) => ad.maxPool2d(x, 2), // [N, 2c, 2, 2]
  (x: ad.Tensor) => ad.reshape(x, [x.shape[0]!, c2 * 4]),
  ad.nn.linear.layer(c2 * 4, 10),
]);
type Params = ReturnType<typeof model.init>;
let params: Params = model.init(ad.random.key(seed));
const opt = ad.optim.adam({ lr });
let state = opt.init(params);

const lossOn = (x: ad.Tensor, y: ad.Tensor) => (p: Params) =>
  ad.nn.softmaxCrossEntropy(model.apply(p, x), y);
const testAccuracy = () => Number(ad.nn.accuracy(model.apply(params, xTest), yTest).item());

console.log(
  `digits CNN, conv(1->${channels})-pool-conv(${channels}->${c2})-pool-linear(${c2 * 4}->10), ${ad.nn.countParams(params)} parameters: ${train.count} training images, ${test.count} test images`,
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
    console.log(
      `epoch ${String(epoch).padStart(3)}  mean training loss ${(total / steps).toFixed(4)}  test accuracy ${testAccuracy().toFixed(4)}`,
    );
  }
}

const right = Math.round(testAccuracy() * test.count);
console.log(`test accuracy: ${(right / test.count).toFixed(4)} (${right}/${test.count})`);
