/**
 * @file The long programs of `npm run bench:memory` (also used by test/system/recycling.test.ts):
 * issue 9's Euler repro, and a 2-d fluid simulation in the style of Stam's stable fluids,
 * differentiated end to end and written as a new user would (rolls from slices and concat,
 * bilinear advection by gathers, a Jacobi pressure solve). bench/fluidsim/fluidsim.py is the same
 * fluid program for autograd.
 */

import * as ad from "../../src/index.js";

export interface FluidConfig {
  /** Grid side (the grid is n x n, periodic). */
  readonly n: number;
  /** Time steps. */
  readonly steps: number;
  /** Jacobi iterations of the pressure solve per step. */
  readonly iters: number;
}

export const FLUID: FluidConfig = { n: 110, steps: 100, iters: 10 };

/** x shifted by `shift` along `axis` with wrap-around (NumPy's roll), from two slices. */
export function roll(x: ad.Tensor, shift: number, axis: number): ad.Tensor {
  const n = x.shape[axis]!;
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  const begin = x.shape.map(() => 0);
  const head = x.shape.slice();
  head[axis] = n - s;
  const tailBegin = begin.slice();
  tailBegin[axis] = n - s;
  const tail = x.shape.slice();
  tail[axis] = s;
  return ad.concat([ad.slice(x, tailBegin, tail), ad.slice(x, begin, head)], axis);
}

/** Removes the divergence of (vx, vy) with `iters` Jacobi sweeps for the pressure. */
function project(vx: ad.Tensor, vy: ad.Tensor, iters: number): [ad.Tensor, ad.Tensor] {
  const div = ad.mul(
    -0.5,
    ad.add(ad.sub(roll(vx, -1, 1), roll(vx, 1, 1)), ad.sub(roll(vy, -1, 0), roll(vy, 1, 0))),
  );
  let p = ad.zerosLike(div);
  for (let k = 0; k < iters; k++) {
    const around = ad.add(
      ad.add(roll(p, 1, 0), roll(p, -1, 0)),
      ad.add(roll(p, 1, 1), roll(p, -1, 1)),
    );
    p = ad.mul(0.25, ad.add(div, around));
  }
  return [
    ad.sub(vx, ad.mul(0.5, ad.sub(roll(p, -1, 1), roll(p, 1, 1)))),
    ad.sub(vy, ad.mul(0.5, ad.sub(roll(p, -1, 0), roll(p, 1, 0)))),
  ];
}

/** Flat indices (row * n + col) of the grid points (row, col), wrapped; integer-valued floats in. */
function flatIndex(row: ad.Tensor, col: ad.Tensor, n: number): ad.Tensor {
  return ad.astype(ad.add(ad.mul(ad.mod(row, n), n), ad.mod(col, n)), "int32");
}

/** f carried along (vx, vy) for one time step: f at the back-traced points, bilinearly. */
function advect(
  f: ad.Tensor,
  vx: ad.Tensor,
  vy: ad.Tensor,
  rows: ad.Tensor,
  cols: ad.Tensor,
): ad.Tensor {
  const n = f.shape[0]!;
  const cx = ad.sub(cols, vx);
  const cy = ad.sub(rows, vy);
  const x0 = ad.floor(cx);
  const y0 = ad.floor(cy);
  const tx = ad.sub(cx, x0);
  const ty = ad.sub(cy, y0);
  const x1 = ad.add(x0, 1);
  const y1 = ad.add(y0, 1);
  const flat = ad.reshape(f, [n * n]);
  const at = (r: ad.Tensor, c: ad.Tensor) => ad.take(flat, flatIndex(r, c, n));
  const top = ad.add(ad.mul(ad.sub(1, tx), at(y0, x0)), ad.mul(tx, at(y0, x1)));
  const bottom = ad.add(ad.mul(ad.sub(1, tx), at(y1, x0)), ad.mul(tx, at(y1, x1)));
  return ad.add(ad.mul(ad.sub(1, ty), top), ad.mul(ty, bottom));
}

export interface LossOptions {
  readonly onStep?: () => void;
  /** False: end with `sumWithoutRecycling`, which turns backward-pass recycling off. */
  readonly recycling?: boolean;
}

export interface FluidProblem {
  readonly init: { vx: ad.Tensor; vy: ad.Tensor };
  /**
   * The objective of the initial velocity; `onStep` is called once per time step, and
   * `recycling: false` ends it with `sumWithoutRecycling`.
   */
  loss(v: { vx: ad.Tensor; vy: ad.Tensor }, options?: LossOptions): ad.Tensor;
}

/** The benchmark problem: a smoke pattern pushed by the velocity field towards a target. */
export function fluidProblem(cfg: FluidConfig = FLUID): FluidProblem {
  const { n, steps, iters } = cfg;
  const grid = (f: (r: number, c: number) => number) =>
    ad.tensor(
      Float64Array.from({ length: n * n }, (_, i) => f(Math.floor(i / n), i % n)),
      { shape: [n, n] },
    );
  const w = (2 * Math.PI) / n;
  const rows = grid((r) => r);
  const cols = grid((_r, c) => c);
  const smoke = grid((r, c) => (Math.sin(3 * w * r) * Math.cos(2 * w * c) > 0.2 ? 1 : 0));
  const target = grid((r, c) => 0.5 + 0.5 * Math.sin(w * (r + 2 * c)));
  const init = {
    vx: grid((r, c) => 1.5 * Math.sin(w * r) + 0.3 * Math.cos(2 * w * c)),
    vy: grid((r, c) => 1.5 * Math.cos(w * c) - 0.3 * Math.sin(3 * w * r)),
  };
  return {
    init,
    loss({ vx, vy }, options = {}) {
      const onStep = options.onStep;
      let s = smoke;
      for (let t = 0; t < steps; t++) {
        onStep?.();
        [vx, vy] = project(vx, vy, iters);
        const ax = advect(vx, vx, vy, rows, cols);
        const ay = advect(vy, vx, vy, rows, cols);
        s = advect(s, vx, vy, rows, cols);
        vx = ax;
        vy = ay;
      }
      const sq = ad.square(ad.sub(s, target));
      return ad.div(options.recycling === false ? sumWithoutRecycling(sq) : ad.sum(sq), n * n);
    },
  };
}

/**
 * The repro: `steps` explicit Euler steps of dx/dt = sin(x) on 12,100 float64s (one
 * sin, one mul, one add each), and the sum at the end.
 */
export function reproProblem(size = 12_100): {
  init: ad.Tensor;
  loss(x: ad.Tensor, steps: number, options?: LossOptions): ad.Tensor;
} {
  const init = ad.tensor(
    Float64Array.from({ length: size }, (_, i) => Math.sin(0.01 * i) + 0.5),
    { shape: [size] },
  );
  const h = ad.scalar(0.01, "float64");
  return {
    init,
    loss(x, steps, options = {}) {
      for (let i = 0; i < steps; i++) {
        options.onStep?.();
        x = ad.add(x, ad.mul(ad.sin(x), h));
      }
      return options.recycling === false ? sumWithoutRecycling(x) : ad.sum(x);
    },
  };
}

/**
 * `sum` with a no-op custom rule: a recording that contains it runs user code backward, which
 * turns backward-pass recycling off (decision 0009), as the reporter did to compare.
 */
export const sumWithoutRecycling = ad.customVjp((x: ad.Tensor) => ad.sum(x), {
  fwd: (x: ad.Tensor) => [ad.sum(x), x.shape],
  bwd: (shape: readonly number[], ct: ad.Tensor) => [ad.broadcastTo(ct, shape)],
});
