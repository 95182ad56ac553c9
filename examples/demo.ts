/**
 * @file What `npm run demo` shows a newcomer: a real model trained for real. An MLP learns the
 * 8x8 handwritten digits (examples/data/) with Adam under a progress bar (cli-progress), printing
 * the loss and the test accuracy as it goes; a tiny MLP then learns the two-moons toy problem;
 * and three SVG plots (Vega-Lite, examples/plots.ts) go to demo-output/: the loss curve with the
 * test accuracy, test digits with their predicted and true labels, and the moons' decision
 * boundary. It ends by naming the files it wrote. The derivative walk-through that used to be
 * the demo is `npm run demo:derivatives` (examples/demo-derivatives.ts).
 *
 * Settings: ADJOINT_DEMO_QUICK=1 trains for a few seconds only (the tests use it);
 * ADJOINT_DEMO_OUT=<dir> writes the plots elsewhere.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MultiBar, Presets } from "cli-progress";
import * as ad from "../src/node.js";
import { type Digits, loadDigits, splitDigits } from "./data/digits.js";
import {
  type BoundaryData,
  decisionBoundarySvg,
  digitGridSvg,
  type LabelledDigit,
  lossCurveSvg,
  type TrainingHistory,
} from "./plots.js";

type Tensor = ad.Tensor;

const QUICK = process.env.ADJOINT_DEMO_QUICK === "1";
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = resolve(process.env.ADJOINT_DEMO_OUT ?? join(ROOT, "demo-output"));

const settings = QUICK
  ? { epochs: 2, batch: 64, hidden: [32], moonsSteps: 60 }
  : { epochs: 30, batch: 16, hidden: [256, 128], moonsSteps: 300 };

/** A small seeded generator (mulberry32) so that every run shuffles and samples the same way. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n: number, rand: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

/** Images `rows` of `d` as a [rows.length, 64] tensor scaled to 0..1, and their labels. */
function batchOf(d: Digits, rows: readonly number[]): [Tensor, Tensor] {
  const x = new Float32Array(rows.length * 64);
  const y = new Int32Array(rows.length);
  rows.forEach((r, k) => {
    for (let j = 0; j < 64; j++) x[k * 64 + j] = d.pixels[r * 64 + j]! / 16;
    y[k] = d.labels[r]!;
  });
  return [ad.tensor(x, { shape: [rows.length, 64] }), ad.tensor(y, { dtype: "int32" })];
}

// ---- 1. The digits MLP -------------------------------------------------------------------------

interface DigitsResult {
  history: TrainingHistory;
  shown: LabelledDigit[];
  /** The plot's subtitle: how many test images it shows of how many misclassified. */
  note: string;
}

async function trainDigits(): Promise<DigitsResult> {
  const { train, test } = splitDigits(loadDigits());
  console.log(
    `digits: ${train.count} training and ${test.count} test images of 8x8 pixels (UCI, CC BY 4.0)`,
  );
  // Dense layers with relu between them: 64 -> hidden... -> 10 class scores.
  const widths = [64, ...settings.hidden, 10];
  const layers = widths.slice(1).flatMap((out, i) => {
    const dense = ad.nn.linear.layer(widths[i]!, out);
    return i === 0 ? [dense] : [ad.relu, dense];
  });
  const model = ad.nn.sequential(layers);
  let params = model.init(ad.random.key(0));
  type Params = typeof params;
  const stepsPerEpoch = Math.ceil(train.count / settings.batch);
  const total = stepsPerEpoch * settings.epochs;
  console.log(
    `model: ${widths.join(" -> ")} (relu), ${ad.nn.countParams(params)} parameters; Adam with ` +
      `a cosine-decayed learning rate from 2e-3, batches of ${settings.batch}, ${settings.epochs} epochs; ` +
      "each training step is one program compiled by ad.jit\n",
  );
  const opt = ad.optim.adam({ lr: ad.optim.cosineDecay({ init: 2e-3, decaySteps: total }) });
  let state = opt.init(params);
  const lossAndGrads = ad.valueAndGrad((p: Params, x: Tensor, y: Tensor) =>
    ad.nn.softmaxCrossEntropy(model.apply(p, x), y),
  );
  // The whole step (loss, gradient, Adam with its schedule) is compiled once by jit: fused
  // loops, buffers planned ahead; the same bits as running it eagerly. The step donates the
  // params and state it replaces (donateArgnums), so it writes the new ones into their memory.
  const trainStep = ad.jit(
    (p: Params, s: ad.OptimizerState, x: Tensor, y: Tensor) => {
      const [value, grads] = lossAndGrads(p, x, y);
      const next = opt.step(p, grads, s);
      return { value, params: next.params, state: next.state };
    },
    { donateArgnums: [0, 1] },
  );
  const [testX, testY] = batchOf(
    test,
    Array.from({ length: test.count }, (_, i) => i),
  );
  const testAccuracy = (p: Params): number => ad.nn.accuracy(model.apply(p, testX), testY).item();

  // The bar draws only on a terminal; piped output (CI, the tests) gets the epoch lines alone.
  const tty = process.stdout.isTTY === true;
  const bars = new MultiBar(
    {
      stream: process.stdout,
      format:
        " training |{bar}| {percentage}% | step {value}/{total} | epoch {epoch} | loss {loss} | test acc {acc} | {rate} steps/s",
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  const bar = tty ? bars.create(total, 0, { epoch: 1, loss: "-", acc: "-", rate: "-" }) : undefined;
  const say = (line: string): void => {
    if (tty) bars.log(`${line}\n`);
    else console.log(line);
  };
  // cli-progress redraws from a timer, and a synchronous training loop would starve it: the
  // loop lets the event loop run every 50 ms so that the bar moves and the epoch lines appear.
  let lastYield = performance.now();
  const letTheBarDraw = async (): Promise<void> => {
    if (!tty || performance.now() - lastYield < 50) return;
    await new Promise((resolve) => setImmediate(resolve));
    lastYield = performance.now();
  };

  const rand = rng(42);
  const loss: { step: number; loss: number }[] = [];
  const accuracy: { step: number; epoch: number; accuracy: number }[] = [];
  const first = testAccuracy(params);
  accuracy.push({ step: 0, epoch: 0, accuracy: first });
  say(`epoch  0  (untrained)            test accuracy ${(100 * first).toFixed(1)}%`);
  const start = performance.now();
  let step = 0;
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const order = shuffled(train.count, rand);
    let sum = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      const rows = order.slice(b * settings.batch, (b + 1) * settings.batch);
      const [x, y] = batchOf(train, rows);
      const out = trainStep(params, state, x, y);
      ({ params, state } = out);
      const v = out.value.item();
      sum += v;
      step++;
      loss.push({ step, loss: v });
      const rate = (1000 * step) / (performance.now() - start);
      const shown = v >= 1e-3 ? v.toFixed(4) : v.toExponential(1);
      bar?.update(step, { epoch, loss: shown, rate: rate.toFixed(0) });
      await letTheBarDraw();
    }
    const acc = testAccuracy(params);
    accuracy.push({ step, epoch, accuracy: acc });
    bar?.update(step, { acc: `${(100 * acc).toFixed(1)}%` });
    // About ten epoch lines whatever the number of epochs; the bar shows every step.
    if (epoch % Math.ceil(settings.epochs / 10) !== 0 && epoch !== settings.epochs) continue;
    say(
      `epoch ${String(epoch).padStart(2)}  mean train loss ${(sum / stepsPerEpoch).toFixed(4)}` +
        `  test accuracy ${(100 * acc).toFixed(1)}%`,
    );
  }
  if (tty) {
    bars.update(); // stop() draws the bar but not the lines logged since the last redraw
    bars.stop();
  }
  const seconds = (performance.now() - start) / 1000;
  const final = accuracy[accuracy.length - 1]!.accuracy;
  console.log(
    `\ntrained ${step} steps in ${seconds.toFixed(1)} s (${(step / seconds).toFixed(0)} steps/s); ` +
      `test accuracy ${(100 * final).toFixed(1)}% on ${test.count} images never seen in training`,
  );

  // The plot shows the first misclassified test images and fills up with correct ones.
  const predicted = ad.argmax(model.apply(params, testX), { axis: -1 }).toArray() as number[];
  const wrong = predicted.flatMap((p, i) => (p !== test.labels[i] ? [i] : []));
  const right = predicted.flatMap((p, i) => (p === test.labels[i] ? [i] : []));
  const picked = [...wrong.slice(0, 8), ...right.slice(0, 24 - Math.min(8, wrong.length))];
  picked.sort((a, b) => a - b);
  const shown = picked.map((i) => ({
    pixels: test.pixels.subarray(i * 64, i * 64 + 64),
    predicted: predicted[i]!,
    truth: test.labels[i]!,
  }));
  const shownWrong = Math.min(8, wrong.length);
  const note =
    `${shown.length} of the ${test.count} test images, among them ${shownWrong} of the ` +
    `${wrong.length} misclassified (red)`;
  return { history: { loss, accuracy }, shown, note };
}

// ---- 2. Two moons and a tiny MLP ---------------------------------------------------------------

function moons(n: number, noise: number, rand: () => number) {
  // Gaussian noise by Box-Muller from the seeded uniform generator.
  const gauss = (): number =>
    Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()) * noise;
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2;
    const t = Math.PI * rand();
    const [x, y] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    return { x: x + gauss(), y: y + gauss(), label };
  });
}

function trainMoons(): { data: BoundaryData; subtitle: string[] } {
  const points = moons(240, 0.15, rng(7));
  const x = ad.tensor(
    points.map((p) => [p.x, p.y]),
    { dtype: "float32" },
  );
  const y = ad.tensor(
    points.map((p) => p.label),
    { dtype: "int32" },
  );
  const model = ad.nn.sequential([
    ad.nn.linear.layer(2, 16),
    ad.tanh,
    ad.nn.linear.layer(16, 16),
    ad.tanh,
    ad.nn.linear.layer(16, 2),
  ]);
  let params = model.init(ad.random.key(1));
  type Params = typeof params;
  const opt = ad.optim.adam({ lr: 0.02 });
  let state = opt.init(params);
  const lossAndGrads = ad.valueAndGrad((p: Params) =>
    ad.nn.softmaxCrossEntropy(model.apply(p, x), y),
  );
  const start = performance.now();
  let last = Number.NaN;
  for (let i = 0; i < settings.moonsSteps; i++) {
    const [value, grads] = lossAndGrads(params);
    ({ params, state } = opt.step(params, grads, state));
    last = value.item();
  }
  const acc = ad.nn.accuracy(model.apply(params, x), y).item();
  const seconds = (performance.now() - start) / 1000;
  const subtitle = [
    `2 -> 16 -> 16 -> 2 tanh MLP, ${settings.moonsSteps} full-batch Adam steps`,
    `on ${points.length} points: loss ${last.toFixed(3)}, training accuracy ${(100 * acc).toFixed(1)}%`,
  ];
  console.log(`two moons: ${subtitle.join(" ")} (${seconds.toFixed(1)} s)`);

  // P(class 1) on a grid of cells over the data's range.
  const [x0, x1, y0, y1, n] = [-1.5, 2.5, -1.25, 1.5, 48];
  const step = (x1 - x0) / n;
  const rows = Math.ceil((y1 - y0) / step);
  const corners: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < n; c++) corners.push([x0 + c * step, y0 + r * step]);
  }
  const centres = ad.tensor(corners.map(([cx, cy]) => [cx + step / 2, cy + step / 2]));
  const prob = ad.softmax(model.apply(params, centres), { axis: -1 }).toArray() as number[][];
  const grid = corners.map(([cx, cy], i) => ({ x: cx, y: cy, p: prob[i]![1]! }));
  return { data: { points, grid, step }, subtitle };
}

// ---- 3. The plots ------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`adjoint demo${QUICK ? " (quick settings)" : ""}\n`);
  const { history, shown, note } = await trainDigits();
  console.log();
  const moonsResult = trainMoons();
  mkdirSync(OUT, { recursive: true });
  const finalAcc = history.accuracy[history.accuracy.length - 1]!.accuracy;
  const files: [string, string][] = [
    [
      "digits-training.svg",
      await lossCurveSvg(
        history,
        `Digits MLP: ${history.loss.length} Adam steps, ${(100 * finalAcc).toFixed(1)}% test accuracy`,
      ),
    ],
    [
      "digits-predictions.svg",
      await digitGridSvg(shown, "Test digits: predicted vs true label", note),
    ],
    [
      "moons-decision-boundary.svg",
      await decisionBoundarySvg(
        moonsResult.data,
        "Two moons: decision boundary",
        moonsResult.subtitle,
      ),
    ],
  ];
  const rel = relative(process.cwd(), OUT) || ".";
  console.log(`\nwrote ${files.length} plots to ${rel}/ (open them in a browser):`);
  for (const [name, svg] of files) {
    writeFileSync(join(OUT, name), svg);
    console.log(`  ${join(rel, name)}`);
  }
}

await main();
