/**
 * @file How a function with custom derivative rules (customJvp, customVjp) is staged: as one
 * `custom_call` equation that keeps the function itself (so its rules still apply when the
 * graph is differentiated) and its primal body as a graph (what it computes; what JSON keeps).
 * JAX stages such functions the same way (custom_jvp_call / custom_vjp_call with a sub-jaxpr).
 */

import { ValueError } from "../core/errors.js";
import type { ParamsCodec } from "../core/params-json.js";
import type { Aval } from "../core/primitive.js";
import { flatten, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { bindMulti } from "../core/trace.js";
import { Graph } from "../ir/graph.js";
import { zerosLike } from "../ops/index.js";
import { type BuiltinMultiPrimitive, declareMultiPrimitive } from "../primitives/names.js";
import { jvp } from "./jvp.js";
import { makeGraph } from "./stage.js";
import { vjp } from "./vjp.js";
import { vmap } from "./vmap.js";

/** The params of a custom_call equation. */
export interface CustomCallParams {
  /** Which kind of rule the function has. */
  readonly kind: "custom_jvp" | "custom_vjp";
  /**
   * The custom function on the call's tensor inputs, returning its result's tensor leaves; null
   * for a graph read from JSON (JavaScript rules cannot be written), where `body` stands in.
   */
  readonly fn: ((...ts: Tensor[]) => Tensor[]) | null;
  /** The function's primal computation, staged: its value, and its derivative when fn is null. */
  readonly body: Graph<Tensor[], Tensor[]>;
}

/** The function a custom_call applies: its custom function, or its body. */
function callee(p: CustomCallParams): (...ts: Tensor[]) => Tensor[] {
  return p.fn ?? ((...ts: Tensor[]) => p.body.call(...ts));
}

const CUSTOM_CALL_JSON: ParamsCodec<CustomCallParams> = {
  toJSON: (p) => ({ kind: p.kind, body: p.body.toJSON() }),
  fromJSON: (json, where) => {
    const r = json as { kind?: unknown; body?: unknown } | null;
    if (
      r === null ||
      typeof r !== "object" ||
      (r.kind !== "custom_jvp" && r.kind !== "custom_vjp")
    ) {
      throw new ValueError(`${where}: expected { kind: "custom_jvp" | "custom_vjp", body }`);
    }
    return { kind: r.kind, fn: null, body: Graph.fromJSON(r.body) as Graph<Tensor[], Tensor[]> };
  },
};

/** The output avals of a call: the body's outputs. */
function outputAvals(p: CustomCallParams): Aval[] {
  return p.body.outputs.map((id) => p.body.vars[id]!);
}

export const customCallPrim: BuiltinMultiPrimitive<"custom_call"> = declareMultiPrimitive({
  name: "custom_call",
  multipleResults: true,
  paramsJson: CUSTOM_CALL_JSON,
  shape: (inputs, p) => {
    const want = p.body.inputs.map((id) => p.body.vars[id]!);
    inputs.forEach((x, i) => {
      const w = want[i];
      if (w === undefined || w.dtype !== x.dtype || w.shape.join() !== x.shape.join()) {
        throw new ValueError(
          `custom_call: input ${i} is ${x.dtype}[${x.shape.join(",")}]; the staged function takes ${w === undefined ? "fewer inputs" : `${w.dtype}[${w.shape.join(",")}]`}`,
        );
      }
    });
    return outputAvals(p);
  },
  impl: (inputs, p) => callee(p)(...inputs).map((t) => t._data!),
  // The custom function's own forward-mode rule (customJvp), or f's derivative (customVjp).
  jvp: (primals, tangents, _outs, p) =>
    jvp(
      callee(p),
      [...primals],
      primals.map((x, i) => tangents[i] ?? zerosLike(x)),
    )[1],
  // The custom function's reverse-mode rule: its bwd (customVjp) or its rule's transpose.
  vjp: (cts, primals, outs, p) => {
    const [, pull] = vjp(callee(p), ...primals);
    return pull(outs.map((o, i) => cts[i] ?? zerosLike(o))) as Tensor[];
  },
  batch: (inputs, batched, p) =>
    vmap(callee(p), { inAxes: batched.map((b) => (b ? 0 : null)) })(...inputs),
});

/**
 * Stages a call of custom function `g` (kind `kind`, primal `f`) on `tensors`, the tensor leaves
 * of `rebuild`'s arguments, as one custom_call equation. Returns undefined when f closes over
 * values of the graph being staged (its body would not stand alone): the caller then stages f's
 * primal computation inline, without the rule.
 */
export function stageCustomCall(
  kind: CustomCallParams["kind"],
  g: (...args: unknown[]) => unknown,
  f: (...args: unknown[]) => unknown,
  tensors: readonly Tensor[],
  rebuild: (ts: readonly unknown[]) => unknown[],
): unknown {
  let outDef = flatten(null)[1];
  const leavesOf = (out: unknown): Tensor[] => {
    const [leaves, def] = flatten(out, kind);
    outDef = def;
    return leaves.map((l) => {
      if (!(l instanceof Tensor)) {
        throw new ValueError(
          `${kind === "custom_jvp" ? "customJvp" : "customVjp"}: the result's leaves must be tensors; got ${typeof l}`,
        );
      }
      return l;
    });
  };
  const body = makeGraph((...ts: Tensor[]) => leavesOf(f(...rebuild(ts))), ...tensors);
  if (body.consts.some((c) => c.value._trace !== null)) return undefined;
  const fn = (...ts: Tensor[]): Tensor[] => flatten(g(...rebuild(ts)))[0] as Tensor[];
  const outs = bindMulti(customCallPrim, tensors, { kind, fn, body });
  return unflatten(outDef, outs);
}
