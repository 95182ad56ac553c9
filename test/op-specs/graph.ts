/**
 * @file Op specs of the primitives that staging makes: custom_call, the one equation a function
 * with custom derivative rules (customJvp, customVjp) is staged as. Each op stages the custom
 * function and calls the graph, so values, derivatives (through the custom rules) and vmap are
 * checked on the staged call like any op.
 */

import * as ad from "../../src/index.js";
import type { OpSpec } from "../harness/spec.js";

/** log(1 + e^x) whose derivative comes from its own rule (sigmoid). */
const softplus = ad.customJvp((x: ad.Tensor) => ad.log1p(ad.exp(x)), {
  jvp: ([x], [dx]) => [ad.log1p(ad.exp(x)), ad.mul(dx, ad.sigmoid(x))],
});

/** x * sin(x) with a hand-written backward rule. */
const xSinX = ad.customVjp((x: ad.Tensor) => ad.mul(x, ad.sin(x)), {
  fwd: (x) => [ad.mul(x, ad.sin(x)), x],
  bwd: (x, ct) => [ad.mul(ct, ad.add(ad.sin(x), ad.mul(x, ad.cos(x))))],
});

export const graphSpecs: OpSpec[] = [
  {
    name: "custom_call (a staged customJvp function)",
    prims: ["custom_call"],
    fn: (x) => ad.makeGraph(softplus, x).call(x),
    shapes: [[[]], [[4]], [[2, 3]]],
    elementwise: (v) => Math.log1p(Math.exp(v)),
  },
  {
    name: "custom_call (a staged customVjp function)",
    prims: ["custom_call"],
    fn: (x) => ad.makeGraph(xSinX, x).call(x),
    shapes: [[[]], [[4]], [[2, 3]]],
    elementwise: (v) => v * Math.sin(v),
  },
];
