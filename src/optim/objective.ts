/**
 * @file The objective seen by minimize's methods: x0's pytree flattened to one float64 vector, and
 * f's value, gradient, Hessian-vector products and Hessian as functions of that vector. The
 * methods are plain numeric code on Float64Arrays; only this file crosses into tensors, so each
 * method is written once whatever x0's structure is.
 */

import { tensor } from "../core/convert.js";
import { describeValue } from "../core/describe.js";
import { type DType, isFloat } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { describeTree, flatten, treeDefsEqual, unflatten } from "../core/pytree.js";
import { Tensor } from "../core/tensor.js";
import { broadcastTo, reshape } from "../ops/index.js";
import { hessian, hvp } from "../transforms/jacobian.js";
import { valueAndGrad } from "../transforms/vjp.js";

/** One leaf of x0: where its elements sit in the flat vector, its shape and its dtype. */
interface LeafLayout {
  readonly offset: number;
  readonly size: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** f's value and gradient at a point; `g` is a fresh array the caller may keep. */
export interface Evaluation {
  readonly f: number;
  readonly g: Float64Array;
}

/** The flattened problem: what every method of minimize works on. */
export interface Objective {
  /** Number of scalar unknowns (all leaves' elements). */
  readonly n: number;
  /** x0 as a float64 vector. */
  readonly x0: Float64Array;
  /** f and its gradient at x (one evaluation in minimize's count). */
  evaluate(x: Float64Array): Evaluation;
  /** The Hessian at x times v (by forward over reverse, one Hessian evaluation). */
  hessianVector(x: Float64Array, v: Float64Array): Float64Array;
  /** The dense n×n Hessian at x, row-major (one Hessian evaluation). */
  hessianMatrix(x: Float64Array): Float64Array;
  /** A vector as a pytree with x0's structure, in float64 (what f receives). */
  toTree64(x: Float64Array): unknown;
  /** A vector as a pytree with x0's structure and x0's dtypes (what minimize returns). */
  toTree(x: Float64Array): unknown;
  /**
   * A per-element vector from `spec`: a number for every element, or a pytree shaped like x0
   * whose leaves are numbers or tensors broadcastable to the leaf's shape (bounds). `name` is
   * the option's name for messages.
   */
  vectorOf(spec: unknown, name: string): Float64Array;
  /** Where element i of the flat vector is, for messages: `element 3 of leaf 1 (shape [2,2])`. */
  locate(i: number): string;
  /** Calls of evaluate so far. */
  evaluations: number;
  /** Calls of hessianVector and hessianMatrix so far. */
  hessianEvaluations: number;
}

/**
 * The objective of `f` around `x0`. x0 must be a pytree whose leaves are float tensors (at least
 * one element in all); f must return a size-1 float tensor. Checked here so that every method
 * fails the same way.
 */
export function makeObjective(op: string, f: (x: never) => unknown, x0: unknown): Objective {
  const [leaves, def] = flatten(x0, op);
  const layout: LeafLayout[] = [];
  let n = 0;
  leaves.forEach((leaf, i) => {
    if (!(leaf instanceof Tensor)) {
      throw new ValueError(
        `${op}: x0 must be a pytree of float tensors; leaf ${i} is ${describeValue(leaf)}`,
      );
    }
    if (!isFloat(leaf.dtype)) {
      throw new DTypeError(
        `${op}: x0 must be a pytree of float tensors; leaf ${i} has dtype ${leaf.dtype}`,
      );
    }
    layout.push({ offset: n, size: leaf.size, shape: [...leaf.shape], dtype: leaf.dtype });
    n += leaf.size;
  });
  if (n === 0) {
    throw new ValueError(
      `${op}: x0 must hold at least one float element; got ${describeValue(x0)} with ${leaves.length} leaves and 0 elements`,
    );
  }
  const x0Flat = new Float64Array(n);
  leaves.forEach((leaf, i) => {
    const { offset } = layout[i]!;
    x0Flat.set((leaf as Tensor).dataSync(), offset);
  });

  const toTreeAs = (x: Float64Array, as64: boolean): unknown =>
    unflatten(
      def,
      layout.map((l) =>
        tensor(x.slice(l.offset, l.offset + l.size), {
          dtype: as64 ? "float64" : l.dtype,
          shape: l.shape,
        }),
      ),
    );

  // The user's f as a function of the float64 tree returning a 0-d loss, with f's result checked.
  const loss = (tree: unknown): Tensor => {
    const out = f(tree as never);
    if (!(out instanceof Tensor)) {
      throw new ValueError(
        `${op}: f must return a size-1 float tensor (the loss); got ${describeValue(out)}`,
      );
    }
    if (out.size !== 1) {
      throw new ValueError(
        `${op}: f must return a size-1 float tensor (the loss); got shape [${out.shape.join(",")}]`,
      );
    }
    if (!isFloat(out.dtype)) {
      throw new DTypeError(
        `${op}: f must return a size-1 float tensor (the loss); got dtype ${out.dtype}`,
      );
    }
    return out.ndim === 0 ? out : reshape(out, []);
  };
  const lossAndGrad = valueAndGrad(loss);
  const lossHessian = hessian(loss);

  const flatOf = (tree: unknown, what: string): Float64Array => {
    const [ls] = flatten(tree, op);
    const out = new Float64Array(n);
    if (ls.length !== layout.length) {
      throw new ValueError(`${op}: the ${what} has ${ls.length} leaves, x0 has ${layout.length}`);
    }
    ls.forEach((leaf, i) => {
      out.set((leaf as Tensor).dataSync(), layout[i]!.offset);
    });
    return out;
  };

  const objective: Objective = {
    n,
    x0: x0Flat,
    evaluations: 0,
    hessianEvaluations: 0,
    evaluate(x) {
      objective.evaluations++;
      const [value, g] = lossAndGrad(toTreeAs(x, true));
      return { f: (value as Tensor).item(), g: flatOf(g, "gradient") };
    },
    hessianVector(x, v) {
      objective.hessianEvaluations++;
      const [hv] = hvp(loss, [toTreeAs(x, true)], [toTreeAs(v, true)]);
      return flatOf(hv, "Hessian-vector product");
    },
    hessianMatrix(x) {
      objective.hessianEvaluations++;
      return assembleHessian(lossHessian(toTreeAs(x, true)), layout, n, op);
    },
    vectorOf(spec, name) {
      const out = new Float64Array(n);
      if (typeof spec === "number") return out.fill(spec);
      const [specLeaves, specDef] = flatten(spec, op);
      if (!treeDefsEqual(specDef, def)) {
        throw new ValueError(
          `${op}: ${name} must be a number or a pytree with x0's structure ${describeTree(def)}; got ${describeTree(specDef)}`,
        );
      }
      specLeaves.forEach((leaf, i) => {
        const l = layout[i]!;
        if (typeof leaf === "number") {
          out.fill(leaf, l.offset, l.offset + l.size);
          return;
        }
        if (!(leaf instanceof Tensor) || leaf.dtype === "bool") {
          throw new ValueError(
            `${op}: ${name} leaf ${i} must be a number or a numeric tensor; got ${describeValue(leaf)}`,
          );
        }
        let values: Tensor;
        try {
          values = broadcastTo(leaf, l.shape);
        } catch {
          throw new ValueError(
            `${op}: ${name} leaf ${i} has shape [${leaf.shape.join(",")}], which does not broadcast to x0's leaf shape [${l.shape.join(",")}]`,
          );
        }
        out.set(values.dataSync(), l.offset);
      });
      return out;
    },
    locate(i) {
      const leaf = layout.findIndex((l) => i < l.offset + l.size);
      const l = layout[leaf]!;
      return layout.length === 1 && l.shape.length === 1
        ? `element ${i} of x`
        : `element ${i - l.offset} of x's leaf ${leaf} (shape [${l.shape.join(",")}])`;
    },
    toTree64: (x) => toTreeAs(x, true),
    toTree: (x) => toTreeAs(x, false),
  };
  return objective;
}

/**
 * The Hessian as a dense row-major matrix from hessian's tree of trees: its leaves come block by
 * block, the block of leaves (a, b) holding d²f/da db with a's shape followed by b's.
 */
function assembleHessian(
  tree: unknown,
  layout: readonly LeafLayout[],
  n: number,
  op: string,
): Float64Array {
  const [blocks] = flatten(tree, op);
  const h = new Float64Array(n * n);
  const L = layout.length;
  for (let a = 0; a < L; a++) {
    const la = layout[a]!;
    for (let b = 0; b < L; b++) {
      const lb = layout[b]!;
      const data = (blocks[a * L + b] as Tensor).dataSync();
      for (let i = 0; i < la.size; i++) {
        const row = (la.offset + i) * n + lb.offset;
        for (let j = 0; j < lb.size; j++) h[row + j] = data[i * lb.size + j]!;
      }
    }
  }
  return h;
}
