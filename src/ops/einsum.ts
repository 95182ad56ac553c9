/**
 * @file einsum: Einstein summation as a composite of take (diagonals), sum, transpose, reshape,
 * mul and matmul. It has no derivative rules of its own: its derivatives (of every order) are
 * those of the ops it is built from, which amounts to einsums of the cotangent.
 */

import { tensor } from "../core/convert.js";
import { fmtShape, ValueError } from "../core/errors.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { astype, mul } from "./elementwise.js";
import { matmul } from "./linalg.js";
import { promoteArgs } from "./promote.js";
import { sum } from "./reduce.js";
import { reshape, take, transpose } from "./shape.js";

/**
 * A subscript label. Letters are their char codes (65..122); the dims covered by `...` get
 * `ELLIPSIS + j`, j counting the broadcast ellipsis dims from the left, so they sort first.
 */
type Label = number;
const ELLIPSIS = -1000;

/** One operand in flight: a tensor and the label of each of its axes. */
interface Term {
  t: Tensor;
  labels: Label[];
}

/** A term of the spec as written: its letters and where its `...` is (-1: none). */
interface RawTerm {
  letters: Label[];
  ellipsisAt: number;
}

const isLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);
const labelName = (l: Label): string =>
  l >= 0 ? String.fromCharCode(l) : `... (dimension ${l - ELLIPSIS})`;
const product = (dims: readonly number[]): number => dims.reduce((p, n) => p * n, 1);

/** Parses one comma-separated term: letters and at most one `...`. */
function parseTerm(term: string, spec: string, where: string): RawTerm {
  const letters: Label[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; ) {
    const c = term[i]!;
    if (term.startsWith("...", i)) {
      if (ellipsisAt >= 0) {
        throw new ValueError(`einsum: ${where} of spec '${spec}' has more than one '...'`);
      }
      ellipsisAt = letters.length;
      i += 3;
    } else if (isLetter(c)) {
      letters.push(c.charCodeAt(0));
      i += 1;
    } else {
      throw new ValueError(
        `einsum: invalid character '${c}' in spec '${spec}'; subscripts are letters a-z, A-Z and '...'`,
      );
    }
  }
  return { letters, ellipsisAt };
}

/** The parsed spec, with every operand's axes labelled and the output labels. */
interface Plan {
  inputs: Label[][];
  output: Label[];
  sizes: Map<Label, number>;
}

/** Parses and validates the spec against the operands' shapes. */
function plan(spec: string, shapes: readonly (readonly number[])[]): Plan {
  if (typeof spec !== "string") {
    throw new ValueError(`einsum: spec must be a string like 'ij,jk->ik'; got ${typeof spec}`);
  }
  const clean = spec.replace(/\s+/g, "");
  const sides = clean.split("->");
  if (sides.length > 2) {
    throw new ValueError(`einsum: spec '${spec}' has more than one '->'`);
  }
  const lhs = sides[0]!.split(",");
  if (lhs.length !== shapes.length) {
    throw new ValueError(
      `einsum: spec '${spec}' has ${lhs.length} input term${lhs.length === 1 ? "" : "s"} but ${shapes.length} operand${shapes.length === 1 ? " was" : "s were"} given`,
    );
  }
  const raw = lhs.map((term, i) => parseTerm(term, spec, `input term ${i}`));

  // Ellipsis dims: each operand's are right-aligned against the widest (NumPy broadcasting).
  const ellipsisDims = raw.map((r, i) => {
    const nd = shapes[i]!.length;
    const n = r.letters.length;
    if (r.ellipsisAt < 0 && nd !== n) {
      throw new ValueError(
        `einsum: operand ${i} has ${nd} dimension${nd === 1 ? "" : "s"} (shape ${fmtShape(shapes[i]!)}) but its subscripts '${lhs[i]}' name ${n}`,
      );
    }
    if (r.ellipsisAt >= 0 && nd < n) {
      throw new ValueError(
        `einsum: operand ${i} has ${nd} dimension${nd === 1 ? "" : "s"} (shape ${fmtShape(shapes[i]!)}) but its subscripts '${lhs[i]}' need at least ${n}`,
      );
    }
    return r.ellipsisAt < 0 ? 0 : nd - n;
  });
  const width = Math.max(0, ...ellipsisDims);

  const sizes = new Map<Label, number>();
  const firstSeen = new Map<Label, number>();
  const inputs = raw.map((r, i) => {
    const e = ellipsisDims[i]!;
    const labels =
      r.ellipsisAt < 0
        ? r.letters.slice()
        : [
            ...r.letters.slice(0, r.ellipsisAt),
            ...Array.from({ length: e }, (_, k) => ELLIPSIS + width - e + k),
            ...r.letters.slice(r.ellipsisAt),
          ];
    const own = new Map<Label, number>();
    labels.forEach((l, axis) => {
      const n = shapes[i]![axis]!;
      const mine = own.get(l);
      if (mine !== undefined && mine !== n) {
        throw new ValueError(
          `einsum: index '${labelName(l)}' repeats in operand ${i} over dimensions of different sizes ${mine} and ${n} (shape ${fmtShape(shapes[i]!)}); a diagonal needs equal sizes`,
        );
      }
      own.set(l, n);
      const seen = sizes.get(l);
      if (seen === undefined) {
        sizes.set(l, n);
        firstSeen.set(l, i);
      } else if (seen !== n) {
        const j = firstSeen.get(l)!;
        if (seen === 1 || n === 1) {
          // Size 1 stretches against a larger size (NumPy), for letters as for '...' dims.
          sizes.set(l, Math.max(seen, n));
        } else if (l < 0) {
          throw new ValueError(
            `einsum: the '...' dimensions of operand ${j} and operand ${i} do not broadcast (sizes ${seen} and ${n}; shapes ${shapes.map(fmtShape).join(", ")})`,
          );
        } else {
          throw new ValueError(
            `einsum: index '${labelName(l)}' has size ${seen} in operand ${j} but size ${n} in operand ${i}; sizes must be equal or 1 (shapes ${shapes.map(fmtShape).join(", ")})`,
          );
        }
      }
    });
    return labels;
  });

  const ellipsisLabels = Array.from({ length: width }, (_, j) => ELLIPSIS + j);
  let output: Label[];
  if (sides.length === 2) {
    const out = parseTerm(sides[1]!, spec, "the output");
    const seen = new Set<Label>();
    for (const l of out.letters) {
      if (seen.has(l)) {
        throw new ValueError(
          `einsum: output index '${labelName(l)}' appears more than once in spec '${spec}'`,
        );
      }
      if (!sizes.has(l)) {
        throw new ValueError(
          `einsum: output index '${labelName(l)}' does not appear in any input of spec '${spec}'`,
        );
      }
      seen.add(l);
    }
    // Without '...' in the output, the ellipsis dims are summed over (as jnp.einsum does).
    output =
      out.ellipsisAt < 0
        ? out.letters
        : [
            ...out.letters.slice(0, out.ellipsisAt),
            ...ellipsisLabels,
            ...out.letters.slice(out.ellipsisAt),
          ];
  } else {
    // Implicit output (NumPy): the ellipsis dims, then the letters used exactly once, sorted.
    const counts = new Map<Label, number>();
    for (const labels of inputs) {
      for (const l of labels) if (l >= 0) counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    const once = [...counts].filter(([, c]) => c === 1).map(([l]) => l);
    once.sort((a, b) => a - b);
    output = [...ellipsisLabels, ...once];
  }
  return { inputs, output, sizes };
}

/** Where each label of `order` sits in `labels`: the transpose that brings `labels` to `order`. */
function positions(labels: readonly Label[], order: readonly Label[]): number[] {
  return order.map((l) => labels.indexOf(l));
}

/** t's axes reordered to `order` (a permutation of its labels). */
function arrange(term: Term, order: readonly Label[]): Tensor {
  return transpose(term.t, positions(term.labels, order));
}

/** Replaces each label repeated within one operand by its diagonal (e.g. `ii` -> `i`). */
function takeDiagonals(term: Term): Term {
  let { t, labels } = term;
  for (;;) {
    const repeated = labels.find((l, i) => labels.indexOf(l) !== i);
    if (repeated === undefined) return { t, labels };
    const at = labels.flatMap((l, i) => (l === repeated ? [i] : []));
    const n = t.shape[at[0]!]!;
    const others = labels.flatMap((l, i) => (l === repeated ? [] : [i]));
    // Move the k repeated axes last and flatten them to n^k entries: the diagonal entry i sits
    // at i * (1 + n + ... + n^(k-1)).
    const moved = transpose(t, [...others, ...at]);
    const keep = others.map((i) => t.shape[i]!);
    const flat = reshape(moved, [...keep, n ** at.length]);
    let step = 0;
    for (let j = 0; j < at.length; j++) step += n ** j;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i * step;
    t = take(flat, tensor(idx), keep.length);
    labels = [...others.map((i) => labels[i]!), repeated];
  }
}

/** Sums out the labels of `term` for which `needed` is false. */
function sumUnneeded(term: Term, needed: (l: Label) => boolean): Term {
  const axes = term.labels.flatMap((l, i) => (needed(l) ? [] : [i]));
  if (axes.length === 0) return term;
  return { t: sum(term.t, { axis: axes }), labels: term.labels.filter((l) => needed(l)) };
}

/**
 * Size-1 dims of an operand whose label's broadcast size is larger ('...' dims and letters alike)
 * are squeezed away: the operand then simply lacks that label, and the products below broadcast
 * it (or, when the label is summed, the other operands sum it; the reshape's derivative sums
 * the cotangent over it).
 */
function dropBroadcastDims(term: Term, sizes: Map<Label, number>): Term {
  const drop = term.labels.map((l, i) => term.t.shape[i] === 1 && sizes.get(l)! > 1);
  if (!drop.includes(true)) return term;
  return {
    t: reshape(
      term.t,
      term.t.shape.filter((_, i) => !drop[i]),
    ),
    labels: term.labels.filter((_, i) => !drop[i]),
  };
}

/**
 * Contracts two terms, keeping the labels in `keep`: shared kept labels are batch dims, shared
 * others are summed by one matmul (or a broadcast multiply when there is nothing to sum).
 */
function contract(a: Term, b: Term, keep: Set<Label>, sizes: Map<Label, number>): Term {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const freeA = a.labels.filter((l) => !inB.has(l));
  const freeB = b.labels.filter((l) => !inA.has(l));
  if ([...freeA, ...freeB].some((l) => !keep.has(l))) {
    // Cannot happen after the early sums in einsum; kept so the contraction is right on its own.
    const needed = (l: Label) => keep.has(l) || (inA.has(l) && inB.has(l));
    return contract(sumUnneeded(a, needed), sumUnneeded(b, needed), keep, sizes);
  }
  const dims = (ls: readonly Label[]): number[] => ls.map((l) => sizes.get(l)!);
  const labels = [...batch, ...freeA, ...freeB];
  if (summed.length === 0) {
    // An outer product over the free labels, elementwise over the batch labels.
    const ta = reshape(arrange(a, [...batch, ...freeA]), [
      ...dims(batch),
      ...dims(freeA),
      ...freeB.map(() => 1),
    ]);
    const tb = reshape(arrange(b, [...batch, ...freeB]), [
      ...dims(batch),
      ...freeA.map(() => 1),
      ...dims(freeB),
    ]);
    return { t: mul(ta, tb), labels };
  }
  const k = product(dims(summed));
  const ta = reshape(arrange(a, [...batch, ...freeA, ...summed]), [
    ...dims(batch),
    product(dims(freeA)),
    k,
  ]);
  const tb = reshape(arrange(b, [...batch, ...summed, ...freeB]), [
    ...dims(batch),
    k,
    product(dims(freeB)),
  ]);
  return { t: reshape(matmul(ta, tb), dims(labels)), labels };
}

/** The size of the result of contracting a and b, used to pick the cheapest pair first. */
function resultSize(a: Term, b: Term, keep: Set<Label>, sizes: Map<Label, number>): number {
  const labels = new Set([...a.labels, ...b.labels].filter((l) => keep.has(l)));
  return product([...labels].map((l) => sizes.get(l)!));
}

/**
 * Einstein summation over the operands, as NumPy's einsum: `ij,jk->ik` (explicit output),
 * `ij,jk` (implicit output: the indices used once, sorted), `ii->i` (diagonal), `ii` (trace),
 * `...ij,...jk->...ik` (ellipsis dims broadcast), `i,j->ij` (outer), any number of operands.
 * Spaces are ignored. Indices absent from the output are summed over, and so are the `...` dims
 * when an explicit output has no `...` (as jnp.einsum). An index must have the same size wherever
 * it appears, or size 1, which broadcasts against the larger size (as NumPy: `mnd,mdo->mno` with
 * shapes [1, 3, 2] and [4, 2, 5] gives [4, 3, 5]); the `...` dims broadcast by NumPy's rules,
 * right-aligned. A repeated index within one operand (a diagonal) needs equal sizes. With several
 * operands the pair whose result is smallest is contracted first. Dtypes are promoted (bool
 * computes as int32). Gradients of every order come from the ops it is built from (the gradient
 * with respect to a size-1 operand sums over the broadcast index).
 * @throws {@link ValueError} when the spec is malformed, does not match the number of operands,
 *   or gives an index different sizes (other than 1).
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * ad.einsum("ij,jk->ik", ad.ones([2, 3]), ad.ones([3, 4])).shape; // => [2, 4]
 * ad.einsum("ii", ad.eye(3)); // => tensor(3., dtype=float32)
 * ad.einsum("i,i->", ad.tensor([1, 2, 3]), ad.tensor([4, 5, 6])); // => tensor(32., dtype=float32)
 * ad.einsum("bij->bji", ad.ones([2, 3, 4])).shape; // => [2, 4, 3]
 * ad.einsum("mnd,mdo->mno", ad.ones([1, 3, 2]), ad.ones([4, 2, 5])).shape; // => [4, 3, 5]
 * ```
 * @category Linear algebra
 */
export function einsum(spec: string, ...xs: TensorLike[]): Tensor {
  if (xs.length === 0) {
    throw new ValueError(`einsum: expected at least one operand after the spec '${spec}'`);
  }
  let ts = promoteArgs(xs);
  if (ts[0]!.dtype === "bool") ts = ts.map((t) => astype(t, "int32"));
  const { inputs, output, sizes } = plan(
    spec,
    ts.map((t) => t.shape),
  );
  const outSet = new Set(output);

  let terms: Term[] = ts.map((t, i) =>
    dropBroadcastDims(takeDiagonals({ t, labels: inputs[i]! }), sizes),
  );
  // A label needed by the output or by another operand stays; the rest are summed out early.
  const neededBeyond = (i: number) => (l: Label) =>
    outSet.has(l) || terms.some((other, j) => j !== i && other.labels.includes(l));
  terms = terms.map((term, i) => sumUnneeded(term, neededBeyond(i)));

  while (terms.length > 1) {
    let best: [number, number] = [0, 1];
    let bestSize = Infinity;
    for (let i = 0; i < terms.length; i++) {
      for (let j = i + 1; j < terms.length; j++) {
        const keep = new Set(
          [...terms[i]!.labels, ...terms[j]!.labels].filter(
            (l) =>
              outSet.has(l) || terms.some((o, m) => m !== i && m !== j && o.labels.includes(l)),
          ),
        );
        const size = resultSize(terms[i]!, terms[j]!, keep, sizes);
        if (size < bestSize) {
          bestSize = size;
          best = [i, j];
        }
      }
    }
    const [i, j] = best;
    const a = terms[i]!;
    const b = terms[j]!;
    const rest = terms.filter((_, m) => m !== i && m !== j);
    const keep = new Set(
      [...a.labels, ...b.labels].filter(
        (l) => outSet.has(l) || rest.some((o) => o.labels.includes(l)),
      ),
    );
    terms = [contract(a, b, keep, sizes), ...rest];
  }
  const last = sumUnneeded(terms[0]!, (l) => outSet.has(l));
  return arrange(last, output);
}
