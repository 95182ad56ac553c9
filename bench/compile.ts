/**
 * @file The compiler against eager mode on the graphs of W1 (f and grad), W3 (grad) and W6
 * (grad), in one process: staging and compile times (first compile of each graph) and the median
 * run time of the compiled program and of the eager function, measured in alternating rounds.
 * Checks that the compiled results equal eager's bit for bit before timing. The "4-lane sums"
 * column runs the same graph compiled with `reassociateSums` (long sums reordered), the "JS loops"
 * column with `wasm: false` (every fused loop as generated JavaScript, none as WebAssembly SIMD).
 *
 *     node --import tsx bench/compile.ts [--rounds N] [--all]
 *
 * `--all` adds W2 grad, W4 hessian and W5 jacrev (matmul-bound: the compiler fuses only their
 * elementwise parts).
 */

import { type CompiledProgram, compileGraph } from "../src/compile/program.js";
import * as ad from "../src/node.js";
import { logisticChain, mlpLoss, rnnLoss, rosenbrock } from "./adjoint-runner.js";
import {
  W3_STEPS,
  w1Inputs,
  w2Inputs,
  w3Inputs,
  w4Inputs,
  w5Inputs,
  w6Inputs,
} from "./workloads.js";

type Tensor = ad.Tensor;

interface Case {
  readonly name: string;
  readonly f: (...args: never[]) => unknown;
  readonly args: readonly unknown[];
}

function cases(): Case[] {
  const w1 = w1Inputs();
  const x = ad.tensor(w1.x, { shape: [w1.x.length] });
  const w3 = w3Inputs();
  const r = ad.scalar(w3.r, "float64");
  const x0 = ad.scalar(w3.x0, "float64");
  const w6 = w6Inputs();
  const f32 = (d: Float64Array, shape: number[]) => ad.tensor(Float32Array.from(d), { shape });
  const params = [
    f32(w6.wx.data, [w6.wx.rows, w6.wx.cols]),
    f32(w6.wh.data, [w6.wh.rows, w6.wh.cols]),
    f32(w6.b, [w6.b.length]),
  ];
  const xs = w6.xs.map((xt) => f32(xt, [xt.length]));
  const w2 = w2Inputs();
  const w2x = f32(w2.x.data, [w2.x.rows, w2.x.cols]);
  const picked = ad.tensor(
    Int32Array.from(w2.labels, (y, b) => b * 10 + y),
    { shape: [w2.labels.length] },
  );
  const mlp: Tensor[] = [];
  w2.weights.forEach((w, l) => {
    mlp.push(f32(w.data, [w.rows, w.cols]), f32(w2.biases[l]!, [w.cols]));
  });
  const w4 = w4Inputs();
  const a4 = ad.tensor(w4.a.data, { shape: [w4.a.rows, w4.a.cols] });
  const x4 = ad.tensor(w4.x, { shape: [w4.x.length] });
  const w5 = w5Inputs();
  const a5 = ad.tensor(w5.w.data, { shape: [w5.w.rows, w5.w.cols] });
  const b5 = ad.tensor(w5.b, { shape: [w5.b.length] });
  const x5 = ad.tensor(w5.x, { shape: [w5.x.length] });
  const extra = process.argv.includes("--all");
  return [
    { name: "W1 f", f: rosenbrock, args: [x] },
    { name: "W1 grad", f: ad.valueAndGrad(rosenbrock), args: [x] },
    {
      name: "W3 grad",
      f: ad.grad((rr: Tensor) => logisticChain(rr, x0, W3_STEPS)),
      args: [r],
    },
    { name: "W6 grad", f: ad.valueAndGrad(rnnLoss), args: [params, xs] },
    ...(extra
      ? [
          { name: "W2 grad", f: ad.valueAndGrad(mlpLoss), args: [mlp, w2x, picked] },
          {
            name: "W4 hessian",
            f: ad.hessian((v: Tensor) =>
              ad.logsumexp(ad.matmul(a4, v)).add(ad.sum(ad.square(v)).mul(0.5)),
            ),
            args: [x4],
          },
          {
            name: "W5 jacrev",
            f: ad.jacrev((v: Tensor) => ad.tanh(ad.matmul(a5, v).add(b5))),
            args: [x5],
          },
        ]
      : []),
  ];
}

function tensorLeaves(tree: unknown): Tensor[] {
  return ad.treeLeaves(tree).filter((l): l is Tensor => l instanceof ad.Tensor);
}

/** Fails loudly unless the compiled run equals eager's result bit for bit. */
function checkSame(name: string, program: CompiledProgram, inputs: Tensor[], eager: unknown): void {
  const got = program.run(inputs);
  const want = tensorLeaves(eager);
  if (got.length !== want.length)
    throw new Error(`${name}: ${got.length} outputs, want ${want.length}`);
  got.forEach((t, i) => {
    const a = t.dataSync();
    const b = want[i]!.dataSync();
    for (let k = 0; k < b.length; k++) {
      if (!Object.is(a[k], b[k])) throw new Error(`${name}: output ${i}[${k}] ${a[k]} vs ${b[k]}`);
    }
  });
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const now = (): number => performance.now();

function main(): void {
  const at = process.argv.indexOf("--rounds");
  const rounds = at >= 0 ? Number(process.argv[at + 1]) : 40;
  const rows: string[] = [];
  for (const c of cases()) {
    const f = c.f as (...args: unknown[]) => unknown;
    let t = now();
    const graph = ad.makeGraph(f, ...c.args);
    const stageMs = now() - t;
    t = now();
    const program = compileGraph(graph);
    const compileMs = now() - t;
    const inputs = tensorLeaves(c.args);
    checkSame(c.name, program, inputs, f(...c.args));
    const compiled: number[] = [];
    const lanes: number[] = [];
    const reordered = compileGraph(graph, { reassociateSums: true });
    const jsOnly = compileGraph(graph, { wasm: false });
    checkSame(`${c.name} (JS loops)`, jsOnly, inputs, f(...c.args));
    const jsLoops: number[] = [];
    const eager: number[] = [];
    // Past the first 50 runs, in which a program times its wasm loops against their JS versions.
    for (let k = 0; k < 60; k++) {
      program.run(inputs);
      jsOnly.run(inputs);
      if (k < 3) f(...c.args);
    }
    for (let k = 0; k < rounds; k++) {
      t = now();
      program.run(inputs);
      compiled.push(now() - t);
      t = now();
      f(...c.args);
      eager.push(now() - t);
      t = now();
      reordered.run(inputs);
      lanes.push(now() - t);
      t = now();
      jsOnly.run(inputs);
      jsLoops.push(now() - t);
    }
    const s = program.stats;
    rows.push(
      `| ${c.name} | ${graph.eqns.length} | ${s.kernels} (${s.fused} fused, ${s.wasm} wasm) | ${s.buffers}/${s.materialized} | ${stageMs.toFixed(1)} | ${compileMs.toFixed(1)} | ${median(compiled).toFixed(3)} | ${median(jsLoops).toFixed(3)} | ${median(lanes).toFixed(3)} | ${median(eager).toFixed(3)} | ${(median(eager) / median(compiled)).toFixed(1)}x |`,
    );
  }
  console.log(`compiled (${rounds} alternating rounds, medians, ms)`);
  console.log(
    "| graph | eqns | kernels | buffers/materialised | stage ms | compile ms | run ms | run ms, JS loops | run ms, 4-lane sums | eager ms | speed-up |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
}

main();
