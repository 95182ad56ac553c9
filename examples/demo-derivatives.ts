/**
 * @file A tour of adjoint in one page of output (`npm run demo:derivatives`): derivatives to
 * third order by nested grad against their closed forms, a Jacobian and a Hessian, gradient
 * descent on the Rosenbrock function of ../shared/WORKLOADS.md (W1) with a small n, and
 * per-example gradients of a least-squares fit with vmap(grad) against a loop.
 */

import * as ad from "../src/node.js";

type Tensor = ad.Tensor;

// Everything below computes in float64, so that AD and the closed forms agree to ~1e-16.
ad.setDefaultFloat("float64");

const num = (t: Tensor): number => Number(t.item());
const fmt = (v: number, width = 14, digits = 10): string => v.toFixed(digits).padStart(width);
const heading = (text: string): void => console.log(`\n${text}\n${"-".repeat(text.length)}`);

// ---- (a) tanh and its derivatives by nested grad ------------------------------------------------

function tanhDerivatives(): void {
  heading("(a) tanh and its first three derivatives: nested grad vs closed forms");
  console.log(
    "closed forms, with t = tanh x:  t' = 1 - t^2,  t'' = -2 t t',  t''' = (6 t^2 - 2) t'\n",
  );

  // Each grad is a function of the same kind as the one it differentiates, so they nest.
  const d0 = (x: Tensor): Tensor => ad.tanh(x);
  const d1 = ad.grad(d0);
  const d2 = ad.grad(d1);
  const d3 = ad.grad(d2);
  const exact = (x: number): number[] => {
    const t = Math.tanh(x);
    const t1 = 1 - t * t;
    return [t, t1, -2 * t * t1, (6 * t * t - 2) * t1];
  };

  console.log(
    `${"x".padStart(5)}        ${["tanh x", "tanh'", "tanh''", "tanh'''"].map((h) => h.padStart(14)).join("")}`,
  );
  let worst = 0;
  for (const x of [-2, -1, 0, 0.5, 1, 2]) {
    const xt = ad.scalar(x);
    const byGrad = [d0, d1, d2, d3].map((d) => num(d(xt)));
    const closed = exact(x);
    byGrad.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - closed[i]!));
    });
    console.log(`${x.toFixed(1).padStart(5)}  grad  ${byGrad.map((v) => fmt(v)).join("")}`);
    console.log(`${"".padStart(5)}  exact ${closed.map((v) => fmt(v)).join("")}`);
  }
  const diff = worst === 0 ? "0 (equal to the last bit)" : worst.toExponential(1);
  console.log(`\nlargest |grad - exact| in the table: ${diff}`);
}

// ---- (b) a Jacobian and a Hessian ---------------------------------------------------------------

function jacobianAndHessian(): void {
  heading("(b) Jacobian of polar -> cartesian, Hessian of a scalar function");

  // p = [r, theta] -> [r cos theta, r sin theta]
  const polar = (p: Tensor): Tensor => {
    const [r, theta] = ad.split(p, 2) as [Tensor, Tensor];
    return ad.concat([r.mul(ad.cos(theta)), r.mul(ad.sin(theta))]);
  };
  const r = 2;
  const theta = Math.PI / 6;
  const expectedJ = [
    [Math.cos(theta), -r * Math.sin(theta)],
    [Math.sin(theta), r * Math.cos(theta)],
  ];
  console.log("J at (r, theta) = (2, pi/6), closed form [[cos, -r sin], [sin, r cos]]:");
  console.log(ad.tensor(expectedJ).toString());
  console.log("ad.jacobian(polar)(p):");
  const jac = ad.jacobian(polar)(ad.tensor([r, theta]));
  console.log(jac.toString());

  // f(x, y) = x^2 y + sin(x y), as a function of v = [x, y]
  const f = (v: Tensor): Tensor => {
    const [x, y] = ad.split(v, 2) as [Tensor, Tensor];
    return ad.add(ad.mul(ad.square(x), y), ad.sin(ad.mul(x, y)));
  };
  const [x, y] = [1, 2];
  const s = Math.sin(x * y);
  const c = Math.cos(x * y);
  const h01 = 2 * x + c - x * y * s;
  const expectedH = [
    [2 * y - y * y * s, h01],
    [h01, -x * x * s],
  ];
  console.log("\nf(x, y) = x^2 y + sin(x y) at (1, 2); Hessian in closed form");
  console.log("[[2y - y^2 sin(xy), 2x + cos(xy) - xy sin(xy)], [same, -x^2 sin(xy)]]:");
  console.log(ad.tensor(expectedH).toString());
  console.log("ad.hessian(f)(v):");
  const hess = ad.hessian(f)(ad.tensor([x, y]));
  console.log(hess.toString());
}

// ---- (c) gradient descent on Rosenbrock ---------------------------------------------------------

/** W1's f(x) = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2. */
function rosenbrock(x: Tensor): Tensor {
  const n = x.shape[0]!;
  const head = ad.slice(x, [0], [n - 1]);
  const tail = ad.slice(x, [1], [n - 1]);
  return ad.sum(ad.add(ad.square(tail.sub(head.square())).mul(100), ad.square(ad.sub(1, head))));
}

function gradientDescent(): void {
  const n = 10;
  const steps = 10;
  heading(`(c) gradient descent on Rosenbrock (W1), n = ${n}, float64`);
  console.log(
    "x_i = 0.5 sin(0.37 i); step size by backtracking: halve t until f drops by >= t |g|^2 / 2\n",
  );

  const valueAndGrad = ad.valueAndGrad(rosenbrock);
  let x = ad.tensor(Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.37 * i)));
  let t = 1e-2;
  console.log(
    `${"step".padStart(4)}${"f(x)".padStart(16)}${"||grad f||".padStart(14)}${"t".padStart(11)}`,
  );
  for (let k = 0; k <= steps; k++) {
    const [fx, g] = valueAndGrad(x);
    const f0 = num(fx);
    const g2 = num(ad.sum(ad.square(g)));
    const row = `${String(k).padStart(4)}${fmt(f0, 16, 8)}${fmt(Math.sqrt(g2), 14, 6)}`;
    if (k === steps) {
      console.log(row);
      break;
    }
    // Armijo backtracking from twice the last accepted step.
    t *= 2;
    let next = x.sub(g.mul(t));
    while (num(rosenbrock(next)) > f0 - 0.5 * t * g2) {
      t /= 2;
      next = x.sub(g.mul(t));
    }
    console.log(`${row}${t.toExponential(2).padStart(11)}`);
    x = next;
  }
  console.log("(the minimum is f = 0 at x = (1, ..., 1). Gradient descent is slow in Rosenbrock's");
  console.log(" curved valley: the steep walls limit the step size along the valley floor.)");
}

// ---- (d) per-example gradients with vmap --------------------------------------------------------

function perExampleGradients(): void {
  heading("(d) per-example gradients: vmap(grad(loss)) over a batch, against a loop of grads");
  // A line fit y = w0 + w1 x; the squared error of each example, and its gradient in (w0, w1).
  const loss = (w: Tensor, xy: Tensor): Tensor => {
    const [x, y] = ad.unstack(xy);
    return ad.square(
      ad.sub(ad.add(w.take([0]).reshape([]), ad.mul(w.take([1]).reshape([]), x!)), y!),
    );
  };
  const w = ad.tensor([0.5, 2]);
  const batch = ad.tensor([
    [0, 1],
    [1, 2.5],
    [2, 4.5],
    [3, 7],
  ]);
  const perExample = ad.vmap(ad.grad(loss), { inAxes: [null, 0] })(w, batch);
  console.log("vmap(grad(loss), { inAxes: [null, 0] })(w, batch), one row per example:");
  console.log(perExample.toString());
  const rows = ad.unstack(batch).map((xy) => ad.grad(loss)(w, xy));
  const closed = ad.unstack(batch).map((xy) => {
    const [x, y] = (xy.toArray() as number[]).map(Number) as [number, number];
    const r = 0.5 + 2 * x - y;
    return [2 * r, 2 * r * x];
  });
  const diff = Math.max(
    num(ad.max(ad.abs(ad.sub(perExample, ad.stack(rows))))),
    num(ad.max(ad.abs(ad.sub(perExample, ad.tensor(closed))))),
  );
  console.log(
    `max |vmap - loop of grads|, |vmap - closed form 2r (1, x)|: ${diff.toExponential(1)}`,
  );
}

tanhDerivatives();
jacobianAndHessian();
gradientDescent();
perExampleGradients();
