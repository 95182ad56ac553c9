/**
 * @file adjoint's kernel micro-benchmark cases, written with the public API as a user would:
 * `ad.matmul(a, b.T)` for the transposed products (the transpose is part of the timed run, as
 * adjoint has no transpose flags), eager elementwise ops, and the add chain plain or under
 * `ad.grad`. adjoint is eager and has no manual memory: a run's result is computed when it
 * returns, and nothing needs disposing.
 */

import * as ad from "../../src/node.js";
import { variant } from "../runner.js";
import {
  CHAIN_LENGTH,
  checksum,
  elementwiseInputs,
  type MicroCase,
  type MicroRunner,
  type MicroVariant,
  matmulInputs,
  overheadInput,
  withInputs,
} from "./cases.js";

type Tensor = ad.Tensor;

const total = (t: Tensor): number => checksum(t.dataSync());

function chain(x: Tensor): Tensor {
  let s = x;
  for (let i = 0; i < CHAIN_LENGTH; i++) s = ad.add(s, x);
  return s;
}

function setup(c: MicroCase): MicroVariant {
  const nothing = (): void => {};
  switch (c.group) {
    case "matmul": {
      const [da, db] = matmulInputs(c);
      const a = ad.tensor(da, { shape: [c.n, c.n] });
      const b = ad.tensor(db, { shape: [c.n, c.n] });
      const product =
        c.transpose === "NN"
          ? () => ad.matmul(a, b)
          : c.transpose === "NT"
            ? () => ad.matmul(a, b.T)
            : () => ad.matmul(a.T, b);
      return withInputs(variant(c.transpose, product, total), nothing);
    }
    case "elementwise": {
      const [dx, dy] = elementwiseInputs(c);
      const x = ad.tensor(dx, { shape: c.op === "add-bcast" ? [1000, 1000] : [dx.length] });
      const y = ad.tensor(dy, { shape: [dy.length] });
      const op = {
        add: () => ad.add(x, y),
        "add-bcast": () => ad.add(x, y),
        mul: () => ad.mul(x, y),
        exp: () => ad.exp(x),
        tanh: () => ad.tanh(x),
      }[c.op];
      return withInputs(variant(c.op, op, total), nothing);
    }
    case "overhead": {
      const x = ad.tensor(overheadInput(c), { shape: c.shape });
      if (!c.grad)
        return withInputs(
          variant("chain", () => chain(x), total),
          nothing,
        );
      const g = ad.grad((v: Tensor) => ad.sum(chain(v)));
      return withInputs(
        variant("grad", () => g(x), total),
        nothing,
      );
    }
  }
}

export const adjointMicro: MicroRunner = {
  peer: "adjoint",
  async init() {
    return { version: "working tree", float64: "yes" };
  },
  setup,
};
