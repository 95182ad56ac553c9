/** @file A tiny float64 n-d array for test references: independent of the library's kernels. */

export interface Nd {
  shape: number[];
  data: Float64Array;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const n = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < n; d++) {
    let v = 1;
    for (const s of shapes) {
      const k = s.length - n + d;
      const dim = k >= 0 ? s[k]! : 1;
      if (dim !== 1) v = dim;
    }
    out.push(v);
  }
  return out;
}

/** The element of `a` at output multi-index `idx` under broadcasting. */
export function at(a: Nd, idx: readonly number[]): number {
  const off = idx.length - a.shape.length;
  let flat = 0;
  const st = strides(a.shape);
  for (let d = 0; d < a.shape.length; d++) {
    const i = a.shape[d] === 1 ? 0 : idx[d + off]!;
    flat += i * st[d]!;
  }
  return a.data[flat]!;
}

/** Elementwise map with NumPy broadcasting. */
export function map(fn: (...v: number[]) => number, ...xs: Nd[]): Nd {
  const shape = broadcastShape(...xs.map((x) => x.shape));
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    data[i] = fn(...xs.map((x) => at(x, idx)));
  }
  return { shape, data };
}

/** Reduction over `axes` (all when undefined) with an accumulator function. */
export function reduce(
  x: Nd,
  axes: readonly number[] | undefined,
  init: number,
  fn: (acc: number, v: number) => number,
  keepdims = false,
): Nd {
  const nd = x.shape.length;
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + nd : a));
  const outShapeKeep = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const data = new Float64Array(size(outShapeKeep)).fill(init);
  const ost = strides(outShapeKeep);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    let flat = 0;
    for (let d = 0; d < nd; d++) if (!ax.includes(d)) flat += idx[d]! * ost[d]!;
    data[flat] = fn(data[flat]!, x.data[i]!);
  }
  const shape = keepdims ? outShapeKeep : x.shape.filter((_, i) => !ax.includes(i));
  return { shape, data };
}

/** Generic index map: out[idx] = x[source(idx)]. */
export function gatherBy(
  x: Nd,
  shape: number[],
  source: (idx: number[]) => number[] | null,
  fill = 0,
): Nd {
  const data = new Float64Array(size(shape));
  const st = strides(x.shape);
  for (let i = 0; i < data.length; i++) {
    const src = source(unravel(i, shape));
    data[i] = src === null ? fill : x.data[src.reduce((acc, v, d) => acc + v * st[d]!, 0)]!;
  }
  return { shape, data };
}

/** Batched matmul reference for >= 2-d operands. */
export function matmul(a: Nd, b: Nd): Nd {
  const m = a.shape[a.shape.length - 2]!;
  const k = a.shape[a.shape.length - 1]!;
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    const bi = idx.slice(0, -2);
    const r = idx[idx.length - 2]!;
    const c = idx[idx.length - 1]!;
    let acc = 0;
    for (let t = 0; t < k; t++) acc += at(a, [...bi, r, t]) * at(b, [...bi, t, c]);
    data[i] = acc;
  }
  return { shape, data };
}
