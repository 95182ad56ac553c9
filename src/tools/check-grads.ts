/**
 * @file checkGrads: compares a function's derivatives with central finite differences in float64,
 * in forward and/or reverse mode, to first or second order. Throws a GradientCheckError naming
 * the mode, order, argument and worst element on a mismatch.
 */

import { describeValue } from "../core/describe.js";
import { isFloat } from "../core/dtype.js";
import { GradientCheckError, ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import { flatten, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { add, astype, mul, scalar, sum, tensor } from "../ops/index.js";
import { jvp } from "../transforms/jvp.js";
import { callFn } from "../transforms/types.js";
import { vjp } from "../transforms/vjp.js";

/**
 * Options of {@link checkGrads}: derivative order, modes, finite-difference step and tolerances.
 * An element passes when |analytic - numeric| <= atol + rtol * |numeric|.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const opts: ad.CheckGradsOptions = { order: 1, modes: ["rev"], atol: 1e-8 };
 * ad.checkGrads((x: ad.Tensor) => ad.sum(ad.exp(x)), [ad.tensor([0.5, -1])], opts); // => undefined
 * ```
 * @category Tools
 */
export interface CheckGradsOptions {
  /** 1: first derivatives; 2: also the derivatives of the derivative functions (default 2). */
  order?: 1 | 2;
  /** Which modes to check (default both). */
  modes?: readonly ("fwd" | "rev")[];
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Seed of the random directions (default 0). */
  seed?: number;
  /** Above this many input elements, reverse mode is checked by a dot-product test (default 64). */
  elementwiseUpTo?: number;
}

type Fx = (x: unknown) => unknown;

interface Settings {
  eps: number;
  atol: number;
  rtol: number;
  elementwiseUpTo: number;
  next: () => number;
}

/** A small deterministic generator (mulberry32) for the random directions. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function floatLeaves(tree: unknown): Tensor[] {
  return flatten(tree)[0].filter((l): l is Tensor => l instanceof Tensor && isFloat(l.dtype));
}

/** A tree like `like` whose float leaves are random float64 tensors in [-1, 1). */
function randomLike(like: unknown, s: Settings): unknown {
  const [leaves, def] = flatten(like);
  return unflatten(
    def,
    leaves.map((l) => {
      if (!(l instanceof Tensor) || !isFloat(l.dtype)) return l;
      const data = new Float64Array(l.size);
      for (let i = 0; i < data.length; i++) data[i] = 2 * s.next() - 1;
      return tensor(data, { dtype: "float64", shape: l.shape });
    }),
  );
}

/** x + t * v on the float leaves of two trees of the same structure. */
function axpy(x: unknown, t: number, v: unknown): unknown {
  const [xl, def] = flatten(x);
  const vl = flatten(v)[0];
  return unflatten(
    def,
    xl.map((l, i) =>
      l instanceof Tensor && isFloat(l.dtype) ? add(l, mul(vl[i] as Tensor, t)) : l,
    ),
  );
}

/** The sum over float leaves of <a_i, b_i>, as a JS number. */
function inner(a: unknown, b: unknown): number {
  const al = floatLeaves(a);
  const bl = floatLeaves(b);
  let total = 0;
  al.forEach((t, i) => {
    total += sum(mul(t, bl[i]!)).item() as number;
  });
  return total;
}

/** Values of the float leaves of a tree, flattened into one list per leaf. */
function values(tree: unknown): Float64Array[] {
  return floatLeaves(tree).map((t) => Float64Array.from(t.dataSync()));
}

function fail(label: string, detail: string): never {
  throw new GradientCheckError(`checkGrads: ${label} does not match finite differences: ${detail}`);
}

function compareArrays(
  label: string,
  analytic: Float64Array[],
  numeric: Float64Array[],
  s: Settings,
): void {
  let worst = { excess: 0, leaf: -1, index: -1, a: 0, n: 0, tol: 0 };
  analytic.forEach((arr, leaf) => {
    const num = numeric[leaf]!;
    for (let i = 0; i < arr.length; i++) {
      const a = arr[i]!;
      const n = num[i]!;
      const tol = s.atol + s.rtol * Math.abs(n);
      const diff = Math.abs(a - n);
      const bad = !(diff <= tol) && !(a === n); // NaN-safe; equal infinities pass
      if (bad && (worst.leaf < 0 || !(diff / tol <= worst.excess))) {
        worst = { excess: diff / tol, leaf, index: i, a, n, tol };
      }
    }
  });
  if (worst.leaf >= 0) {
    fail(
      label,
      `worst element ${worst.index} of leaf ${worst.leaf}: analytic ${worst.a}, numeric ${worst.n} ` +
        `(|diff| ${Math.abs(worst.a - worst.n).toExponential(2)} > tol ${worst.tol.toExponential(2)})`,
    );
  }
}

/** Forward mode: the JVP along a random direction against the central difference along it. */
function checkFwd(label: string, fx: Fx, x: unknown, s: Settings): void {
  const v = randomLike(x, s);
  const [, tangentOut] = jvp(fx as (x: unknown) => unknown, [x], [v]);
  const plus = fx(axpy(x, s.eps, v));
  const minus = fx(axpy(x, -s.eps, v));
  const minusValues = values(minus);
  const numeric = values(plus).map((p, i) => {
    const m = minusValues[i]!;
    return p.map((pv, j) => (pv - m[j]!) / (2 * s.eps));
  });
  compareArrays(label, values(tangentOut), numeric, s);
}

/** Reverse mode: the VJP with a random cotangent against central differences of <u, f(x)>. */
function checkRev(label: string, fx: Fx, x: unknown, s: Settings): void {
  const [out, back] = vjp(fx as (x: unknown) => unknown, x);
  const u = randomLike(out, s);
  const [gx] = back(u) as unknown[];
  const scalarized = (y: unknown): number => inner(fx(y), u);
  const size = floatLeaves(x).reduce((n, t) => n + t.size, 0);
  if (size <= s.elementwiseUpTo) {
    // Every input element: d<u, f>/dx_i by central differences.
    const [leaves, def] = flatten(x);
    const numeric: Float64Array[] = [];
    leaves.forEach((leaf, li) => {
      if (!(leaf instanceof Tensor) || !isFloat(leaf.dtype)) return;
      const base = Float64Array.from(leaf.dataSync());
      const col = new Float64Array(base.length);
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number): unknown => {
          const moved = base.slice();
          moved[i] = base[i]! + delta;
          const copy = leaves.slice();
          copy[li] = tensor(moved, { dtype: "float64", shape: leaf.shape });
          return unflatten(def, copy);
        };
        col[i] = (scalarized(at(s.eps)) - scalarized(at(-s.eps))) / (2 * s.eps);
      }
      numeric.push(col);
    });
    compareArrays(label, values(gx), numeric, s);
  } else {
    const v = randomLike(x, s);
    const analytic = inner(gx, v);
    const numeric = (scalarized(axpy(x, s.eps, v)) - scalarized(axpy(x, -s.eps, v))) / (2 * s.eps);
    compareArrays(
      `${label} (dot-product test <vjp(u), v>)`,
      [Float64Array.of(analytic)],
      [Float64Array.of(numeric)],
      s,
    );
  }
}

/**
 * Checks f's derivatives against central finite differences in float64 (float arguments are
 * promoted to float64 for the check), the way to test a {@link customVjp} or {@link customJvp}
 * rule or a new primitive. Each float argument is checked in turn: in forward mode along random
 * directions, in reverse mode element by element (or by a dot-product test above
 * `elementwiseUpTo` elements); with `order: 2` (the default) the derivative functions are
 * checked too. Arguments and results may be pytrees. Returns nothing when every check passes.
 *
 * @param f - The function to check; it is called with `args` spread.
 * @param args - f's arguments (tensors, numbers or pytrees of them); integer and bool leaves are
 *   held fixed.
 * @param options - Order, modes, step and tolerances (see {@link CheckGradsOptions}).
 * @throws {@link GradientCheckError} naming the mode, order, argument and worst element when a
 *   derivative does not match its estimate.
 * @throws {@link ValueError} when `args` is not an array.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const f = (x: ad.Tensor, y: ad.Tensor) => ad.sum(ad.mul(ad.tanh(x), y));
 * ad.checkGrads(f, [ad.tensor([0.3, -1.2]), ad.tensor([2, 3])]); // => undefined
 * ad.checkGrads(f, [ad.tensor([0.3, -1.2]), ad.tensor([2, 3])], { order: 1, modes: ["fwd"] }); // => undefined
 * ```
 * @category Tools
 */
export function checkGrads(
  f: (...args: never[]) => unknown,
  args: readonly unknown[],
  options: CheckGradsOptions = {},
): void {
  if (typeof f !== "function") {
    throw new ValueError(`checkGrads: f must be a function; got ${describeValue(f)}`);
  }
  if (!Array.isArray(args))
    throw new ValueError("checkGrads: args must be an array of f's arguments");
  options = checkOptions("checkGrads", options, [
    "order",
    "modes",
    "eps",
    "atol",
    "rtol",
    "seed",
    "elementwiseUpTo",
  ]);
  const order = options.order ?? 2;
  const modes = options.modes ?? ["fwd", "rev"];
  const s: Settings = {
    eps: options.eps ?? 1e-6,
    atol: options.atol ?? 1e-6,
    rtol: options.rtol ?? 1e-5,
    elementwiseUpTo: options.elementwiseUpTo ?? 64,
    next: generator(options.seed ?? 0),
  };
  const args64 = args.map((a) => {
    const [leaves, def] = flatten(a);
    return unflatten(
      def,
      leaves.map((l) =>
        typeof l === "number"
          ? scalar(l, "float64")
          : l instanceof Tensor && isFloat(l.dtype)
            ? astype(l, "float64")
            : l,
      ),
    );
  });
  args64.forEach((arg, k) => {
    if (floatLeaves(arg).length === 0) return;
    const fx: Fx = (x) =>
      callFn(
        f,
        args64.map((a, i) => (i === k ? x : a)),
      );
    for (const mode of modes) {
      const check = mode === "fwd" ? checkFwd : checkRev;
      check(`${mode}-mode order 1 derivative w.r.t. argument ${k}`, fx, arg, s);
      if (order === 2) {
        // The derivative function in this mode is itself checked in the same mode.
        let dfx: Fx;
        if (mode === "fwd") {
          const v = randomLike(arg, s);
          dfx = (x) => jvp(fx as (x: unknown) => unknown, [x], [v])[1];
        } else {
          const u = randomLike(fx(arg), s);
          dfx = (x) => (vjp(fx as (x: unknown) => unknown, x)[1](u) as unknown[])[0];
        }
        check(`${mode}-mode order 2 derivative w.r.t. argument ${k}`, dfx, arg, s);
      }
    }
  });
}
