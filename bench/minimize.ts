/**
 * @file minimize on Rosenbrock's function (`node --import tsx bench/minimize.ts`): iterations,
 * evaluations of f with its gradient, Hessian (or Hessian-vector) evaluations, the final loss and
 * the time, for every method and n = 2, 100, 1000, from (-1.2, 1, -1.2, 1, ...), beside SciPy
 * 1.10's figures for the same problem (issue 12), and a box-constrained variant. `--quick` skips
 * n = 1000.
 */

import "../src/index.js";
import * as ad from "../src/index.js";
import { type MinimizeOptions, minimize } from "../src/optim/minimize.js";

/** SciPy's chained Rosenbrock: sum of 100 (x[i+1] - x[i]²)² + (1 - x[i])². */
export function rosenbrock(x: ad.Tensor): ad.Tensor {
  const n = x.shape[0]!;
  const a = ad.slice(x, [0], [n - 1]);
  const b = ad.slice(x, [1], [n - 1]);
  return ad.sum(ad.add(ad.mul(100, ad.square(ad.sub(b, ad.square(a)))), ad.square(ad.sub(1, a))));
}

/** The classic start (-1.2, 1, -1.2, 1, ...) in float64. */
export function rosenbrockStart(n: number): ad.Tensor {
  const data = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  return ad.tensor(data);
}

/** SciPy 1.10 (method, n) -> "iterations / evaluations" to f < 1e-9, from issue 12. */
const SCIPY: Record<string, string> = {
  "lbfgs 2": "L-BFGS-B 36 / 44",
  "lbfgs 100": "L-BFGS-B 514 / 621",
  "lbfgs 1000": "L-BFGS-B 4938 / 5794",
  "bfgs 100": "BFGS 542 / 650",
  "lbfgs (bounds) 100": "L-BFGS-B 1.17 (gtol 1e-8): 28 / 33, f = 95.0917",
  "newton 2": "trust-exact 25 its",
  "newton 100": "trust-ncg 430 its (trust-exact: local min 3.99)",
};

interface Case {
  readonly n: number;
  readonly options: MinimizeOptions<ad.Tensor>;
  readonly label?: string;
}

const quick = process.argv.includes("--quick");
const sizes = quick ? [2, 100] : [2, 100, 1000];
const cases: Case[] = [];
for (const n of sizes) {
  cases.push({ n, options: { method: "lbfgs", ftol: 0 } });
  // The box of test/optim/minimize-bounds.test.ts: lower 0 at every third element, else -0.5;
  // upper 0.8.
  const lower = ad.tensor(Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : -0.5)));
  cases.push({
    n,
    options: { method: "lbfgs", ftol: 0, bounds: [lower, 0.8] },
    label: "lbfgs (bounds)",
  });
  cases.push({ n, options: { method: "bfgs", ftol: 0 } });
  cases.push({ n, options: { method: "newton" } });
  if (n <= 100) {
    const other = n <= 50 ? "hvp" : "exact";
    cases.push({ n, options: { method: "newton", hessian: other }, label: `newton (${other})` });
  }
  if (n <= 100) {
    cases.push({ n, options: { method: "gd", lr: 1e-3, maxIter: 20000 } });
    cases.push({ n, options: { method: "adam", lr: 1e-2, maxIter: 20000 } });
  }
}

const rows: string[][] = [
  ["method", "n", "iterations", "evaluations", "H evals", "f", "ms", "converged", "SciPy"],
];
for (const c of cases) {
  const r = minimize(rosenbrock, rosenbrockStart(c.n), c.options);
  const method = c.label ?? c.options.method;
  rows.push([
    method,
    String(c.n),
    String(r.iterations),
    String(r.evaluations),
    String(r.hessianEvaluations),
    r.fun.toExponential(2),
    r.timeMs.toFixed(0),
    String(r.converged),
    SCIPY[`${method} ${c.n}`] ?? "",
  ]);
}
const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
for (const row of rows)
  console.log(`| ${row.map((cell, j) => cell.padEnd(widths[j]!)).join(" | ")} |`);
