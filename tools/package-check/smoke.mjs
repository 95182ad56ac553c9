/**
 * @file Plain Node, no TypeScript: imports the installed package and checks a real derivative
 * against its closed form. Run by tools/check-package.ts inside the scratch project.
 */

import * as ad from "adjoint";

const xs = [-1.5, 0.25, 2];
// d/dx sum(tanh(x) * x) = tanh(x) + x * (1 - tanh(x)^2)
const want = xs.map((v) => Math.tanh(v) + v * (1 - Math.tanh(v) ** 2));
const g = ad.grad((x) => ad.sum(ad.mul(ad.tanh(x), x)))(ad.tensor(xs, { dtype: "float64" }));
const got = Array.from(g.dataSync());
const err = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
if (!(err < 1e-12)) {
  console.error(`grad of sum(tanh(x) * x): got ${got}, want ${want}`);
  process.exit(1);
}

let caught;
try {
  ad.add(ad.ones([2]), ad.ones([3]));
} catch (e) {
  caught = e;
}
if (!(caught instanceof ad.ShapeError && caught instanceof ad.AdjointError)) {
  console.error(`add([2], [3]) should throw a ShapeError; got ${caught}`);
  process.exit(1);
}

const entry = import.meta.resolve("adjoint");
console.log(
  `ok: grad of sum(tanh(x) * x) = closed form (max error ${err.toExponential(1)}), ShapeError thrown, "adjoint" -> ${entry}`,
);
