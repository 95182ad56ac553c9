/**
 * @file ONNX's recurrent layers (RNN, GRU, LSTM) unrolled over the (static) sequence length:
 * the input projections of every step are one matmul, then each step is a matmul with the
 * recurrent weights and the gate activations. Forward, reverse and bidirectional; layout 0 and
 * 1; clip; GRU's linear_before_reset; LSTM's peepholes and input_forget.
 */

import type { Tensor } from "../core/tensor.js";
import {
  abs,
  add,
  clip,
  concat,
  div,
  expm1,
  greater,
  matmul,
  maximum,
  minimum,
  mul,
  relu,
  reshape,
  sigmoid,
  softplus,
  stridedSlice,
  sub,
  tanh,
  transpose,
  where,
  zeros,
} from "../ops/index.js";
import type { ImportOp } from "./import-ops.js";
import type { NodeAttrs, NodeContext } from "./node-context.js";

type Activation = (x: Tensor) => Tensor;

const ACTIVATIONS = [
  "Relu",
  "Tanh",
  "Sigmoid",
  "Affine",
  "LeakyRelu",
  "ThresholdedRelu",
  "ScaledTanh",
  "HardSigmoid",
  "Elu",
  "Softsign",
  "Softplus",
];

function activation(name: string, alpha: number | undefined, beta: number | undefined): Activation {
  switch (name) {
    case "Relu":
      return relu;
    case "Tanh":
      return tanh;
    case "Sigmoid":
      return sigmoid;
    case "Affine":
      return (x) => add(mul(x, alpha ?? 1), beta ?? 0);
    case "LeakyRelu":
      return (x) => where(greater(x, 0), x, mul(x, alpha ?? 0.01));
    case "ThresholdedRelu":
      return (x) => where(greater(x, alpha ?? 1), x, zeros([], x.dtype));
    case "ScaledTanh":
      return (x) => mul(tanh(mul(x, beta ?? 1)), alpha ?? 1);
    case "HardSigmoid":
      return (x) => clip(add(mul(x, alpha ?? 0.2), beta ?? 0.5), 0, 1);
    case "Elu":
      return (x) => where(greater(x, 0), x, mul(expm1(x), alpha ?? 1));
    case "Softsign":
      return (x) => div(x, add(abs(x), 1));
    default:
      return softplus;
  }
}

/** The activations per direction: `perDir` names each, defaults otherwise. */
function activationsOf(
  ctx: NodeAttrs,
  perDir: number,
  dirs: number,
  defaults: string[],
): Activation[][] {
  const names = ctx.strings("activations");
  const alphas = ctx.floats("activation_alpha") ?? [];
  const betas = ctx.floats("activation_beta") ?? [];
  const out: Activation[][] = [];
  for (let d = 0; d < dirs; d++) {
    const row: Activation[] = [];
    for (let k = 0; k < perDir; k++) {
      const i = d * perDir + k;
      const name = names?.[i] ?? defaults[k]!;
      row.push(activation(name, alphas[i], betas[i]));
    }
    out.push(row);
  }
  return out;
}

function checkRnn(ctx: NodeAttrs): string | undefined {
  const names = ctx.strings("activations") ?? [];
  const bad = names.find((n) => !ACTIVATIONS.includes(n));
  if (bad !== undefined) return `activation ${bad} is not supported`;
  const dir = ctx.string("direction", "forward");
  if (!["forward", "reverse", "bidirectional"].includes(dir))
    return `direction ${dir} is not supported`;
  return undefined;
}

/** Row d of a [dirs, ...] tensor, without its first axis. */
function dirRow(t: Tensor, d: number): Tensor {
  return reshape(stridedSlice(t, [d], [d + 1]), t.shape.slice(1));
}

/** Columns [k*h, (k+1)*h) of the last axis. */
function gate(t: Tensor, k: number, h: number): Tensor {
  const begin = t.shape.map((_, i) => (i === t.ndim - 1 ? k * h : null));
  const end = t.shape.map((_, i) => (i === t.ndim - 1 ? (k + 1) * h : null));
  return stridedSlice(t, begin, end);
}

/** One time step: the projected input (batch, G*H) and the states; returns the new states. */
type Step = (xw: Tensor, states: Tensor[], d: number) => Tensor[];

function runRecurrent(
  ctx: NodeContext,
  gates: number,
  nStates: number,
  step: (d: number) => Step,
): (Tensor | undefined)[] {
  let x = ctx.input(0);
  const layout = ctx.int("layout", 0);
  if (layout === 1) x = transpose(x, [1, 0, 2]);
  const [seq, batch] = x.shape as [number, number, number];
  const w = ctx.input(1);
  const r = ctx.input(2);
  const h = ctx.int("hidden_size", r.shape[2]!);
  const dirs = w.shape[0]!;
  const direction = ctx.string("direction", "forward");
  const lens = ctx.values(4, "sequence_lens");
  if (lens?.some((n) => n !== seq)) {
    throw ctx.unsupported("sequence_lens shorter than the sequence is not supported");
  }
  const initial = (i: number): Tensor | undefined => ctx.inputs[i];
  const ys: Tensor[] = [];
  const finals: Tensor[][] = [];
  for (let d = 0; d < dirs; d++) {
    const reverse = direction === "reverse" || (direction === "bidirectional" && d === 1);
    const wd = dirRow(w, d);
    let xw = matmul(x, transpose(wd)); // [seq, batch, G*H]
    const b = ctx.inputs[3];
    if (b !== undefined) {
      const bd = dirRow(b, d);
      xw = add(xw, add(gate(bd, 0, gates * h), gate(bd, 1, gates * h)));
    }
    const states: Tensor[] = [];
    for (let s = 0; s < nStates; s++) {
      const init = initial(5 + s);
      if (init === undefined) states.push(zeros([batch, h], x.dtype));
      else states.push(dirRow(layout === 1 ? transpose(init, [1, 0, 2]) : init, d));
    }
    const run = step(d);
    const outs: Tensor[] = new Array<Tensor>(seq);
    let cur = states;
    for (let i = 0; i < seq; i++) {
      const t = reverse ? seq - 1 - i : i;
      cur = run(reshape(stridedSlice(xw, [t], [t + 1]), [batch, gates * h]), cur, d);
      outs[t] = reshape(cur[0]!, [1, 1, batch, h]);
    }
    ys.push(concat(outs, 0));
    finals.push(cur);
  }
  let y = concat(ys, 1); // [seq, dirs, batch, h]
  const stack = (k: number) =>
    concat(
      finals.map((f) => reshape(f[k]!, [1, batch, h])),
      0,
    );
  let yh = stack(0);
  let yc = nStates > 1 ? stack(1) : undefined;
  if (layout === 1) {
    y = transpose(y, [2, 0, 1, 3]);
    yh = transpose(yh, [1, 0, 2]);
    if (yc !== undefined) yc = transpose(yc, [1, 0, 2]);
  }
  return [y, yh, yc];
}

/** x W^T + h R^T with the recurrent bias, clipped when asked. */
function recurrent(ctx: NodeContext, d: number, gates: number) {
  const r = dirRow(ctx.input(2), d);
  const h = r.shape[1]!;
  const b = ctx.inputs[3];
  const rb = b === undefined ? undefined : gate(dirRow(b, d), 1, gates * h);
  return { rt: transpose(r), rb, h };
}

function maybeClip(ctx: NodeContext, t: Tensor): Tensor {
  if (!ctx.has("clip")) return t;
  const c = ctx.float("clip", 0);
  return maximum(minimum(t, c), -c);
}

function rnn(ctx: NodeContext): (Tensor | undefined)[] {
  const dirs = ctx.input(1).shape[0]!;
  const acts = activationsOf(ctx, 1, dirs, ["Tanh"]);
  return runRecurrent(ctx, 1, 1, (d) => {
    const { rt } = recurrent(ctx, d, 1);
    return (xw, [hPrev]) => [acts[d]![0]!(maybeClip(ctx, add(xw, matmul(hPrev!, rt))))];
  });
}

function gru(ctx: NodeContext): (Tensor | undefined)[] {
  const dirs = ctx.input(1).shape[0]!;
  const acts = activationsOf(ctx, 2, dirs, ["Sigmoid", "Tanh"]);
  const linearBeforeReset = ctx.int("linear_before_reset", 0) === 1;
  // The input projection already holds both biases; the h gate's recurrent bias must move
  // inside the reset gate's product when linear_before_reset is set, so it is handled apart.
  return runRecurrent(ctx, 3, 1, (d) => {
    const { rt, rb, h } = recurrent(ctx, d, 3);
    const [f, g] = acts[d] as [Activation, Activation];
    return (xw, [hPrev]) => {
      const hr = matmul(hPrev!, rt); // [batch, 3H] without bias
      const z = f(maybeClip(ctx, add(gate(xw, 0, h), gate(hr, 0, h))));
      const r = f(maybeClip(ctx, add(gate(xw, 1, h), gate(hr, 1, h))));
      const rbh = rb === undefined ? undefined : gate(rb, 2, h);
      let pre: Tensor;
      if (linearBeforeReset) {
        pre = add(gate(xw, 2, h), mul(r, gate(hr, 2, h)));
        if (rbh !== undefined) pre = add(pre, sub(mul(r, rbh), rbh));
      } else {
        const rh = matmul(mul(r, hPrev!), gate(rt, 2, h));
        pre = add(gate(xw, 2, h), rh);
      }
      const hh = g(maybeClip(ctx, pre));
      return [add(mul(sub(1, z), hh), mul(z, hPrev!))];
    };
  });
}

function lstm(ctx: NodeContext): (Tensor | undefined)[] {
  const dirs = ctx.input(1).shape[0]!;
  const acts = activationsOf(ctx, 3, dirs, ["Sigmoid", "Tanh", "Tanh"]);
  const inputForget = ctx.int("input_forget", 0) === 1;
  const peep = ctx.inputs[7];
  return runRecurrent(ctx, 4, 2, (d) => {
    const { rt, h } = recurrent(ctx, d, 4);
    const [f, g, hAct] = acts[d] as [Activation, Activation, Activation];
    const p = peep === undefined ? undefined : dirRow(peep, d);
    return (xw, [hPrev, cPrev]) => {
      const pre = add(xw, matmul(hPrev!, rt));
      let iPre = gate(pre, 0, h);
      let fPre = gate(pre, 2, h);
      if (p !== undefined) {
        iPre = add(iPre, mul(gate(p, 0, h), cPrev!));
        fPre = add(fPre, mul(gate(p, 2, h), cPrev!));
      }
      const i = f(maybeClip(ctx, iPre));
      const fg = inputForget ? sub(1, i) : f(maybeClip(ctx, fPre));
      const c = g(maybeClip(ctx, gate(pre, 3, h)));
      const cNew = add(mul(fg, cPrev!), mul(i, c));
      let oPre = gate(pre, 1, h);
      if (p !== undefined) oPre = add(oPre, mul(gate(p, 1, h), cNew));
      const o = f(maybeClip(ctx, oPre));
      return [mul(o, hAct(cNew)), cNew];
    };
  });
}

/** The recurrent operators' table entries. */
export const RNN_OPS: Readonly<Record<string, ImportOp>> = {
  RNN: { run: rnn, check: checkRnn, static: [4] },
  GRU: { run: gru, check: checkRnn, static: [4] },
  LSTM: { run: lstm, check: checkRnn, static: [4] },
};
