/**
 * @file JAX's functional updates, `x.at(...).set(v)` / `.add` / `.mul` / `.min` / `.max` / `.get()`:
 * the index expression is lowered once on the positions of x (an arange of its shape), then the
 * values are scattered there with scatter_add and chosen with select, so derivatives in x and v
 * and batch rules come from those primitives'.
 */

import { toTensor } from "../../core/convert.js";
import { fmtShape, ShapeError } from "../../core/errors.js";
import { broadcastsTo, shapesEqual } from "../../core/shape.js";
import { Tensor, type TensorLike } from "../../core/tensor.js";
import { bind } from "../../core/trace.js";
import { gatherPrim, scatterAddPrim } from "../../primitives/indexing.js";
import { arange, full, zeros } from "../creation.js";
import { astype, equal, greater, maximum, minimum, mul, sub, where } from "../elementwise.js";
import { argsort } from "../indexing.js";
import { cumsum } from "../reduce.js";
import { broadcastTo, reshape, take } from "../shape.js";
import type { IndexItem } from "./items.js";
import { indexTensor } from "./lower.js";

type UpdateKind = "set" | "add" | "mul" | "min" | "max";

/** How an update combines the old value `a` with the scattered value `u` at a written position. */
const COMBINE: Record<Exclude<UpdateKind, "add">, (a: Tensor, u: Tensor) => Tensor> = {
  set: (_a, u) => u,
  mul: (a, u) => mul(a, u),
  min: (a, u) => minimum(a, u),
  max: (a, u) => maximum(a, u),
};

/** The positions 0..size-1 of x laid out in its shape: indexing them gives flat positions. */
function positionsOf(shape: readonly number[]): Tensor {
  let size = 1;
  for (const n of shape) size *= n;
  const data = new Int32Array(size);
  for (let i = 0; i < size; i++) data[i] = i;
  return Tensor._fromData(shape, "int32", data);
}

/**
 * For each update entry, how many earlier entries write the same position: entries of rank r are
 * applied in round r, so duplicates apply in order (set: the last wins) and each round is a
 * scatter to distinct positions. Concrete positions: counted in JavaScript. Positions that vary
 * over a vmap batch: with ops, in O(m log m + size): a stable sort groups equal positions in
 * order of occurrence, and an entry's rank is its place in the sorted order minus where its
 * group starts (the exclusive running count of positions below it).
 */
function ranks(flatPos: Tensor, size: number): { rank: Int32Array | Tensor; rounds: number } {
  const m = flatPos.shape[0]!;
  if (!flatPos._varies()) {
    const pos = flatPos._concrete()._data as Int32Array;
    const seen = new Int32Array(size);
    const rank = new Int32Array(m);
    let rounds = m > 0 ? 1 : 0;
    for (let j = 0; j < m; j++) {
      rank[j] = seen[pos[j]!]!++;
      if (rank[j]! + 1 > rounds) rounds = rank[j]! + 1;
    }
    return { rank, rounds };
  }
  const order = argsort(flatPos);
  const sorted = take(flatPos, order);
  const counts = bind(scatterAddPrim, [zeros([size], "int32"), flatPos, full([m], 1, "int32")], {
    axis: 0,
  });
  const below = sub(cumsum(counts), counts);
  const sortedRank = sub(arange(m), take(below, sorted));
  // Back to the entries' order: order is a permutation, so one scatter inverts it.
  const rank = bind(scatterAddPrim, [zeros([m], "int32"), order, sortedRank], { axis: 0 });
  const all = rank._concrete()._data as Int32Array;
  let rounds = 0;
  for (let i = 0; i < all.length; i++) rounds = Math.max(rounds, all[i]! + 1);
  return { rank, rounds };
}

function update(
  kind: UpdateKind,
  x: Tensor,
  items: readonly IndexItem[],
  values: TensorLike,
): Tensor {
  const op = `at(...).${kind}`;
  const pos = indexTensor(op, positionsOf(x.shape), items);
  // Updates keep x's dtype (as JAX); bool goes through int32 (add: or, mul: and, as NumPy).
  const dtype = x.dtype === "bool" ? "int32" : x.dtype;
  let v = astype(values instanceof Tensor ? values : toTensor(values, dtype), dtype);
  if (!shapesEqual(v.shape, pos.shape)) {
    if (!broadcastsTo(v.shape, pos.shape)) {
      throw new ShapeError(
        `${op}: values of shape ${fmtShape(v.shape)} do not broadcast to the indexed shape ${fmtShape(pos.shape)} (x has shape ${fmtShape(x.shape)})`,
      );
    }
    v = broadcastTo(v, pos.shape);
  }
  const size = x.size;
  const m = pos.size;
  if (m === 0) return x;
  const flatX = reshape(astype(x, dtype), [size]);
  const flatPos = reshape(pos, [m]);
  const flatV = reshape(v, [m]);
  let out: Tensor;
  if (kind === "add") {
    // Duplicates accumulate: scatter_add does exactly NumPy's np.add.at.
    out = bind(scatterAddPrim, [flatX, flatPos, flatV], { axis: 0 });
  } else {
    const combine = COMBINE[kind];
    const { rank, rounds } = ranks(flatPos, size);
    out = flatX;
    for (let r = 0; r < rounds; r++) {
      let where_: Tensor;
      let u: Tensor;
      let written: Tensor;
      if (rank instanceof Int32Array) {
        const pick: number[] = [];
        for (let j = 0; j < m; j++) if (rank[j] === r) pick.push(j);
        const posData = flatPos._concrete()._data as Int32Array;
        const mask = new Uint8Array(size);
        const at = new Int32Array(pick.length);
        pick.forEach((j, i) => {
          at[i] = posData[j]!;
          mask[posData[j]!] = 1;
        });
        where_ = rounds === 1 ? flatPos : Tensor._fromData([pick.length], "int32", at);
        u =
          rounds === 1
            ? flatV
            : bind(
                gatherPrim,
                [flatV, Tensor._fromData([pick.length], "int32", Int32Array.from(pick))],
                {
                  axis: 0,
                },
              );
        written = Tensor._fromData([size], "bool", mask);
      } else {
        // Varying positions: every entry scatters, those of other rounds with value 0 (and count 0).
        const sel = equal(rank, r);
        where_ = flatPos;
        u = where(sel, flatV, zeros([], dtype));
        const counts = bind(
          scatterAddPrim,
          [zeros([size], "int32"), flatPos, astype(sel, "int32")],
          {
            axis: 0,
          },
        );
        written = greater(counts, 0);
      }
      const scattered = bind(scatterAddPrim, [zeros([size], dtype), where_, u], { axis: 0 });
      out = where(written, combine(out, scattered), out);
    }
  }
  const shaped = reshape(out, x.shape);
  return x.dtype === "bool" ? astype(shaped, "bool") : shaped;
}

/**
 * The functional-update view of a tensor at an index expression, returned by {@link at} and
 * {@link Tensor.at} (JAX's `x.at[idx]`): each method returns a new tensor; x is never changed.
 * Values broadcast to the indexed shape (`x.index(...)`'s) and are cast to x's dtype.
 * Repeated positions (from index arrays with duplicates): `add` accumulates every value and `mul`
 * multiplies them all in (NumPy's `np.add.at` / `np.multiply.at`), `min` / `max` take the extreme
 * of all, and `set` applies them in order so the last one wins (as NumPy's `x[idx] = v`; JAX leaves
 * the winner unspecified). Every method is differentiable in x and in the values (to any order,
 * both modes, under vmap): where a value is overwritten, its derivative is 0.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.zeros([4]);
 * x.at(1).set(5); // => tensor([0., 5., 0., 0.], dtype=float32)
 * x.at([0, 0, 3]).add(1); // => tensor([2., 0., 0., 1.], dtype=float32)
 * x.at([2, 2]).set(ad.tensor([7, 8])); // => tensor([0., 0., 8., 0.], dtype=float32)
 * ad.ones([2, 3]).at(ad.s(), "1:").mul(ad.tensor([2, 3])); // => tensor([[1., 2., 3.], [1., 2., 3.]], dtype=float32)
 * ad.tensor([1, 5, 3]).at("::2").max(2); // => tensor([2., 5., 3.], dtype=float32)
 * ```
 * @category Indexing
 */
export class IndexUpdateRef {
  /** The tensor being updated. */
  readonly x: Tensor;
  /** The index expression. */
  readonly items: readonly IndexItem[];
  /** @internal Use {@link at} or {@link Tensor.at}. */
  constructor(x: Tensor, items: readonly IndexItem[]) {
    this.x = x;
    this.items = items;
  }
  /** The indexed elements, `x.index(...items)`. */
  get(): Tensor {
    return indexTensor("at(...).get", this.x, this.items);
  }
  /** x with the indexed elements replaced by `values` (repeated positions: the last value wins). */
  set(values: TensorLike): Tensor {
    return update("set", this.x, this.items, values);
  }
  /** x with `values` added at the indexed elements (repeated positions accumulate). */
  add(values: TensorLike): Tensor {
    return update("add", this.x, this.items, values);
  }
  /** x with the indexed elements multiplied by `values` (repeated positions multiply in turn). */
  mul(values: TensorLike): Tensor {
    return update("mul", this.x, this.items, values);
  }
  /** x with the indexed elements replaced by their minimum with `values`. */
  min(values: TensorLike): Tensor {
    return update("min", this.x, this.items, values);
  }
  /** x with the indexed elements replaced by their maximum with `values`. */
  max(values: TensorLike): Tensor {
    return update("max", this.x, this.items, values);
  }
}

/**
 * JAX's `x.at[idx]` as a function: the functional-update view of x at an index expression (the
 * items of {@link index}), with methods `get`, `set`, `add`, `mul`, `min` and `max` that return a
 * new tensor (see {@link IndexUpdateRef} for repeated positions). Same as {@link Tensor.at}.
 * @throws {@link ValueError} / {@link ShapeError} as {@link index} does (when a method is called),
 * and a ShapeError when the values do not broadcast to the indexed shape.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * const x = ad.arange(6).reshape([2, 3]);
 * ad.at(x, 0, -1).set(9); // => tensor([[0, 1, 9], [3, 4, 5]], dtype=int32)
 * ad.at(x, ad.s(), 0).add(ad.tensor([10, 20], { dtype: "int32" })); // => tensor([[10, 1, 2], [23, 4, 5]], dtype=int32)
 * ad.at(x, x.greater(3)).set(0); // => tensor([[0, 1, 2], [3, 0, 0]], dtype=int32)
 * ad.grad((v: ad.Tensor) => ad.zeros([3]).at([0, 0]).set(v).sum())(ad.tensor([1, 2])); // => tensor([0., 1.], dtype=float32)
 * ```
 * @category Indexing
 */
export function at(x: TensorLike, ...items: IndexItem[]): IndexUpdateRef {
  return new IndexUpdateRef(toTensor(x), items);
}
