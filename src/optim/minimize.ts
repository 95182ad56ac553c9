/**
 * @file minimize: full-batch minimisation of a scalar loss over a pytree of parameters, by
 * L-BFGS (optionally with box constraints), BFGS, Newton-CG, gradient descent or Adam, as
 * scipy.optimize.minimize does for NumPy vectors. Derivatives come from adjoint's own
 * transformations (valueAndGrad for every method, hessian or hvp for Newton); the methods run on
 * one float64 vector of x0's leaves.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { checkOptions } from "../core/options.js";
import type { Tensor } from "../core/tensor.js";
import { nowMs } from "../core/web-globals.js";
import { checkFn } from "../transforms/args.js";
import { bfgs } from "./bfgs.js";
import { adamLoop, gradientDescent } from "./first-order.js";
import { lbfgs } from "./lbfgs.js";
import { type Box, clipToBox, lbfgsBounded, projectedGradientNorm } from "./lbfgs-bounds.js";
import { newton } from "./newton.js";
import type { Objective } from "./objective.js";
import { makeObjective } from "./objective.js";
import { type Iterate, Run } from "./run.js";
import { normInf } from "./vec.js";

/**
 * The methods of `ad.optim.minimize`.
 * @category Neural-net ops
 */
export type MinimizeMethod = "lbfgs" | "bfgs" | "newton" | "gd" | "adam";

/**
 * One side of a box constraint for `ad.optim.minimize`: a number for every element, a pytree with
 * x0's structure whose leaves are numbers or tensors broadcastable to the leaf's shape, or
 * null/undefined for no bound on that side.
 * @category Neural-net ops
 */
export type MinimizeBound<X> = number | BoundTree<X> | null | undefined;

/**
 * A pytree like X with each tensor leaf replaced by a tensor or a number (a side of
 * {@link MinimizeOptions.bounds}).
 * @category Neural-net ops
 */
export type BoundTree<X> = X extends Tensor
  ? Tensor | number
  : X extends readonly unknown[]
    ? { readonly [K in keyof X]: BoundTree<X[K]> }
    : X extends object
      ? { readonly [K in keyof X]: BoundTree<X[K]> }
      : X;

/**
 * What `ad.optim.minimize`'s callback receives after every iteration.
 * @category Neural-net ops
 */
export interface MinimizeIteration<X> {
  /** The iteration just finished, from 1. */
  readonly iteration: number;
  /** The current point, with x0's structure and dtypes. */
  readonly x: X;
  /** The loss at x. */
  readonly fun: number;
  /** The largest absolute entry of the gradient at x. */
  readonly gradNorm: number;
  /** Evaluations of f and its gradient so far. */
  readonly evaluations: number;
}

/**
 * Options of `ad.optim.minimize`. Method-specific options are errors with the other methods.
 * @category Neural-net ops
 */
export interface MinimizeOptions<X> {
  /**
   * "lbfgs" (limited-memory BFGS, strong Wolfe line search), "bfgs" (dense inverse Hessian,
   * O(n²) memory), "newton" (line search Newton-CG with the exact Hessian or Hessian-vector
   * products), "gd" (gradient descent with a fixed step) or "adam" (Adam with a fixed step).
   */
  readonly method: MinimizeMethod;
  /** Converged when the gradient's infinity-norm is at most tol (default 1e-5, SciPy's gtol). */
  readonly tol?: number;
  /**
   * Converged when a step lowers the loss by at most ftol relative to max(|f|, |f_prev|, 1)
   * (default 2.22e-9, SciPy L-BFGS-B's); 0 disables it. Not used by "gd" and "adam".
   */
  readonly ftol?: number;
  /** Iterations allowed (default 15000; 1000 for "gd" and "adam"). */
  readonly maxIter?: number;
  /**
   * Evaluations of f and its gradient allowed (default: no limit); tested after each iteration,
   * so the last line search may pass it by a few.
   */
  readonly maxEvaluations?: number;
  /**
   * Called after every iteration (the last one included); returning `false` stops the run (not
   * converged), any other value is ignored.
   */
  readonly callback?: (state: MinimizeIteration<X>) => unknown;
  /**
   * "lbfgs", "bfgs", "newton": the line search's sufficient-decrease constant (default 1e-4).
   */
  readonly c1?: number;
  /**
   * "lbfgs", "bfgs", "newton": the line search's curvature constant, c1 < c2 < 1 (default 0.9,
   * which accepts most unit steps; a small value such as 0.1 makes the search nearly exact, so
   * that BFGS minimises a quadratic of n unknowns in about n iterations, at more evaluations).
   */
  readonly c2?: number;
  /** "lbfgs": the number of (s, y) pairs kept (default 10). */
  readonly memory?: number;
  /**
   * "lbfgs": box constraints `[lower, upper]` (each {@link MinimizeBound}; ±Infinity for no
   * bound). x0 is clipped into the box; the run converges when the projected gradient
   * P(x − g) − x has infinity-norm at most tol. A projected active-set L-BFGS, not L-BFGS-B's
   * Cauchy-point algorithm: see the note in `ad.optim.minimize`.
   */
  readonly bounds?: readonly [lower: MinimizeBound<X>, upper: MinimizeBound<X>];
  /**
   * "newton": how the Hessian is used. "exact" forms it with ad.hessian at every point and takes
   * the full Newton step (quadratic convergence; the cost of about n gradients per point);
   * "hvp" uses one ad.hvp product per conjugate-gradient step and truncates CG early while far
   * from the solution (truncated Newton, for large problems); "auto" (default) is "exact" for up
   * to 50 unknowns and "hvp" above. On a non-convex loss the two may reach different minima.
   */
  readonly hessian?: "exact" | "hvp" | "auto";
  /** "gd" and "adam": the step size (default 1e-3). */
  readonly lr?: number;
  /** "adam": the first-moment decay (default 0.9). */
  readonly b1?: number;
  /** "adam": the second-moment decay (default 0.999). */
  readonly b2?: number;
  /** "adam": the term added to the root of the second moment (default 1e-8). */
  readonly eps?: number;
}

/**
 * What `ad.optim.minimize` returns.
 * @category Neural-net ops
 */
export interface MinimizeResult<X> {
  /** The final point, with x0's structure and dtypes. */
  readonly x: X;
  /** The loss at x. */
  readonly fun: number;
  /** The gradient at x, with x0's structure and dtypes. */
  readonly grad: X;
  /** Iterations done (accepted steps). */
  readonly iterations: number;
  /** Evaluations of f with its gradient (SciPy's nfev). */
  readonly evaluations: number;
  /** Evaluations of the Hessian or of Hessian-vector products ("newton"; 0 otherwise). */
  readonly hessianEvaluations: number;
  /** True when a convergence test (tol or ftol) ended the run. */
  readonly converged: boolean;
  /** Why the run ended: the test that held, or what stopped it and at which iteration. */
  readonly message: string;
  /** Wall-clock time of the run in milliseconds. */
  readonly timeMs: number;
}

const METHODS: readonly MinimizeMethod[] = ["lbfgs", "bfgs", "newton", "gd", "adam"];
const COMMON = ["method", "tol", "ftol", "maxIter", "maxEvaluations", "callback"] as const;
/** Options that only some methods accept. */
const SPECIFIC: Readonly<Record<string, readonly MinimizeMethod[]>> = {
  c1: ["lbfgs", "bfgs", "newton"],
  c2: ["lbfgs", "bfgs", "newton"],
  memory: ["lbfgs"],
  bounds: ["lbfgs"],
  hessian: ["newton"],
  lr: ["gd", "adam"],
  b1: ["adam"],
  b2: ["adam"],
  eps: ["adam"],
};
/** n at and below which "newton" forms the dense Hessian when `hessian` is "auto". */
const EXACT_HESSIAN_MAX_N = 50;

/**
 * Minimises a scalar loss `f(x)` over a pytree `x` of float tensors from `x0`, for full-batch
 * problems (fitting a model to a whole data set, a curve to points, a simulation's parameters),
 * as `scipy.optimize.minimize` does. `f` receives x with x0's structure in float64 (the methods
 * work in float64 on x0's flattened leaves) and must return a size-1 float tensor; the result's
 * `x` and `grad` have x0's structure and dtypes.
 *
 * Methods: "lbfgs" and "bfgs" (quasi-Newton with a strong Wolfe line search; L-BFGS keeps
 * `memory` pairs, BFGS a dense n×n matrix), "newton" (Newton-CG with the same line search; CG
 * runs on the exact Hessian from {@link hessian} for small problems, or on Hessian-vector
 * products from {@link hvp} for large ones, never forming H; where H is indefinite CG stops at
 * the first negative curvature with a descent direction), "gd" and "adam" (fixed-step loops, for
 * comparison). The run stops when the gradient's infinity-norm is at most `tol`, when a step
 * lowers the loss by less than `ftol` relative to it, when `maxIter` or `maxEvaluations` is
 * reached, or when `callback` returns false; `message` says which.
 *
 * Box constraints (`bounds`, with "lbfgs"): a projected active-set L-BFGS. A variable at (or
 * near) a bound with the gradient pushing outward is held there, the others take the L-BFGS
 * step, and steps are cut back to the box; convergence is tested on the projected gradient
 * P(x − g) − x, as L-BFGS-B's pgtol. It is not L-BFGS-B's generalized-Cauchy-point algorithm,
 * but reaches the same constrained minima (tested against SciPy), and a problem whose bounds
 * are never reached takes exactly the unbounded L-BFGS steps.
 *
 * A non-finite loss or gradient never passes silently: at x0, after a fixed step ("gd",
 * "adam"), or when the line search can find no finite point that lowers the loss, the run
 * stops with `converged: false` and a message naming the iteration (and, for the gradient, the
 * element); `x` is then the last point where both were finite (x0 itself when x0 is the bad
 * point). A line search that meets a NaN first shortens the step, so a loss that is undefined
 * beyond some boundary (a logarithm of a parameter) is minimised normally.
 *
 * @param f - The loss: a function of a pytree shaped like x0 returning a size-1 float tensor.
 * @param x0 - The starting point: a tensor or a pytree of float tensors.
 * @param options - `{ method, tol?, ftol?, maxIter?, maxEvaluations?, callback? }` and the
 *   method's own options; see {@link MinimizeOptions}.
 * @returns `{ x, fun, grad, iterations, evaluations, hessianEvaluations, converged, message,
 *   timeMs }`; see {@link MinimizeResult}.
 * @throws {@link ValueError} when f is not a function, x0 has a leaf that is not a tensor or no
 *   element, an option is unknown, belongs to another method or is out of range, or f returns
 *   something other than a size-1 tensor; {@link DTypeError} when a leaf of x0 or the loss is
 *   not float. Errors thrown by f or the callback propagate.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // Rosenbrock's function of two variables, minimum 0 at (1, 1).
 * const rosen = (x: ad.Tensor) => {
 *   const [a, b] = [ad.take(x, 0), ad.take(x, 1)];
 *   return ad.add(ad.mul(100, ad.square(ad.sub(b, ad.square(a)))), ad.square(ad.sub(1, a)));
 * };
 * const r = ad.optim.minimize(rosen, ad.tensor([-1.2, 1]), { method: "lbfgs" });
 * r.x; // => tensor([1., 1.], dtype=float32)
 * r.converged; // => true
 * r.fun < 1e-9; // => true
 * [r.iterations, r.evaluations]; // => [36, 45]
 * // Box constraints: with x ≤ 0.8 the minimum is at (0.8, 0.64).
 * const boxed = ad.optim.minimize(rosen, ad.tensor([-1.2, 1]), { method: "lbfgs", bounds: [-2, 0.8] });
 * boxed.x; // => tensor([0.8, 0.64], dtype=float32)
 * boxed.fun; // => 0.04
 * // x0 may be a pytree; Newton uses the exact Hessian of this small problem.
 * const fit = (p: { w: ad.Tensor; b: ad.Tensor }) =>
 *   ad.sum(ad.square(ad.sub(ad.add(ad.mul(p.w, ad.tensor([0, 1, 2])), p.b), ad.tensor([1, 3, 5]))));
 * const s = ad.optim.minimize(fit, { w: ad.scalar(0), b: ad.scalar(0) }, { method: "newton" });
 * s.x; // => { w: tensor(2., dtype=float32), b: tensor(1., dtype=float32) }
 * s.message; // => converged: gradient infinity-norm ...
 * ad.optim.minimize(rosen, ad.tensor([-1.2, 1]), { method: "lbfgs", memory: 0 }); // throws: ValueError: minimize: memory must be
 * ```
 * @category Neural-net ops
 */
export function minimize<X>(
  f: (x: X) => Tensor,
  x0: X,
  options: MinimizeOptions<X>,
): MinimizeResult<X> {
  const op = "minimize";
  const started = nowMs();
  checkFn(op, f);
  const opts = checkOptions(op, options, [...COMMON, ...Object.keys(SPECIFIC)]);
  const method = opts.method;
  if (!METHODS.includes(method as MinimizeMethod)) {
    throw new ValueError(
      `${op}: method must be one of ${METHODS.map((m) => `"${m}"`).join(", ")}; got ${describeValue(method)}`,
    );
  }
  const m = method as MinimizeMethod;
  for (const key of Object.keys(SPECIFIC)) {
    const owners = SPECIFIC[key]!;
    if ((opts as Record<string, unknown>)[key] !== undefined && !owners.includes(m)) {
      throw new ValueError(
        `${op}: option "${key}" applies to method ${owners.map((o) => `"${o}"`).join(" and ")} only; got method "${m}"`,
      );
    }
  }
  const fixedStep = m === "gd" || m === "adam";
  const tol = number(op, "tol", opts.tol, 1e-5, { min: 0 });
  const ftol = number(op, "ftol", opts.ftol, 2.220446049250313e-9, { min: 0 });
  const maxIter = integer(op, "maxIter", opts.maxIter, fixedStep ? 1000 : 15000, 0);
  const maxEvaluations =
    opts.maxEvaluations === undefined
      ? Number.POSITIVE_INFINITY
      : integer(op, "maxEvaluations", opts.maxEvaluations, 0, 1);
  const callback = opts.callback;
  if (callback !== undefined) checkFn(op, callback, "callback");
  const memory = integer(op, "memory", opts.memory, 10, 1);
  const hessianMode = opts.hessian ?? "auto";
  if (hessianMode !== "exact" && hessianMode !== "hvp" && hessianMode !== "auto") {
    throw new ValueError(
      `${op}: hessian must be "exact", "hvp" or "auto"; got ${describeValue(hessianMode)}`,
    );
  }
  const lr = number(op, "lr", opts.lr, 1e-3, { min: 0, exclusive: true });
  const b1 = number(op, "b1", opts.b1, 0.9, { min: 0, max: 1 });
  const b2 = number(op, "b2", opts.b2, 0.999, { min: 0, max: 1 });
  const eps = number(op, "eps", opts.eps, 1e-8, { min: 0 });
  const c1 = number(op, "c1", opts.c1, 1e-4, { min: 0, max: 1, exclusive: true });
  const c2 = number(op, "c2", opts.c2, 0.9, { min: 0, max: 1, exclusive: true });
  if (!(c1 < c2)) {
    throw new ValueError(`${op}: c1 must be less than c2; got c1 = ${c1}, c2 = ${c2}`);
  }
  const search = { c1, c2, maxEvaluations: 20 };

  const objective = makeObjective(op, f as (x: never) => unknown, x0);
  const box = opts.bounds === undefined ? null : parseBounds(op, opts.bounds, objective);
  if (box !== null) clipToBox(objective.x0, box);
  const run = new Run(objective, {
    tol,
    ftol: fixedStep ? 0 : ftol,
    ...(box === null
      ? {}
      : {
          stationarity: {
            name: "projected gradient infinity-norm",
            of: (it: Iterate) => projectedGradientNorm(it, box),
          },
        }),
    maxIter,
    maxEvaluations,
    callback:
      callback === undefined
        ? null
        : (iteration: number, it: Iterate) =>
            callback({
              iteration,
              x: objective.toTree(it.x) as X,
              fun: it.f,
              gradNorm: normInf(it.g),
              evaluations: objective.evaluations,
            }) !== false,
  });
  const start: Iterate = { x: objective.x0, ...objective.evaluate(objective.x0) };
  let last = start;
  if (!run.begin(start)) {
    switch (m) {
      case "lbfgs":
        last =
          box === null
            ? lbfgs(objective, run, start, memory, search)
            : lbfgsBounded(objective, run, start, memory, search, box);
        break;
      case "bfgs":
        last = bfgs(objective, run, start, search);
        break;
      case "newton":
        last = newton(
          objective,
          run,
          start,
          hessianMode === "auto"
            ? objective.n <= EXACT_HESSIAN_MAX_N
              ? "exact"
              : "hvp"
            : hessianMode,
          search,
        );
        break;
      case "gd":
        last = gradientDescent(objective, run, start, lr);
        break;
      case "adam":
        last = adamLoop(objective, run, start, { lr, b1, b2, eps });
        break;
    }
  }
  const outcome = run.outcome ?? { converged: false, message: "stopped" };
  return {
    x: objective.toTree(last.x) as X,
    fun: last.f,
    grad: objective.toTree(last.g) as X,
    iterations: run.iterations,
    evaluations: objective.evaluations,
    hessianEvaluations: objective.hessianEvaluations,
    converged: outcome.converged,
    message: outcome.message,
    timeMs: nowMs() - started,
  };
}

/**
 * The box of the `bounds` option as flat vectors: `[lower, upper]`, each side a number, a pytree
 * like x0, or null/undefined; null when no element has a finite bound. NaN, or a lower bound
 * above the upper one, is a ValueError naming the element.
 */
function parseBounds(op: string, bounds: unknown, objective: Objective): Box | null {
  if (!Array.isArray(bounds) || bounds.length !== 2) {
    throw new ValueError(
      `${op}: bounds must be a pair [lower, upper] (numbers, pytrees like x0, or null); got ${describeValue(bounds)}`,
    );
  }
  const side = (spec: unknown, name: string, fill: number): Float64Array =>
    spec === null || spec === undefined
      ? new Float64Array(objective.n).fill(fill)
      : objective.vectorOf(spec, name);
  const lower = side(bounds[0], "bounds[0] (lower)", Number.NEGATIVE_INFINITY);
  const upper = side(bounds[1], "bounds[1] (upper)", Number.POSITIVE_INFINITY);
  let any = false;
  for (let i = 0; i < objective.n; i++) {
    const l = lower[i]!;
    const u = upper[i]!;
    if (Number.isNaN(l) || Number.isNaN(u) || l > u) {
      throw new ValueError(
        `${op}: bounds must have lower <= upper and no NaN; got lower ${l} and upper ${u} at ${objective.locate(i)}`,
      );
    }
    if (l > Number.NEGATIVE_INFINITY || u < Number.POSITIVE_INFINITY) any = true;
  }
  return any ? { lower, upper } : null;
}

/** A finite number option in a range, or its default. */
function number(
  op: string,
  name: string,
  value: unknown,
  fallback: number,
  range: { min: number; max?: number; exclusive?: boolean },
): number {
  if (value === undefined) return fallback;
  const { min, max, exclusive } = range;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (exclusive ? value > min : value >= min) &&
    (max === undefined || value < max);
  if (!ok) {
    const want =
      max === undefined
        ? `a finite number ${exclusive ? ">" : ">="} ${min}`
        : `a number in ${exclusive ? "(" : "["}${min}, ${max})`;
    throw new ValueError(`${op}: ${name} must be ${want}; got ${describeValue(value)}`);
  }
  return value as number;
}

/** An integer option at least `min`, or its default. */
function integer(op: string, name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ValueError(
      `${op}: ${name} must be an integer >= ${min}; got ${describeValue(value)}`,
    );
  }
  return value;
}
