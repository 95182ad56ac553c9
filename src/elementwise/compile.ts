/**
 * @file Kernels generated from the elementwise expressions of table.ts: the scalar functions of
 * the tape's scalar lane, the reference loops (any typed-array class) and the fast loops (one
 * float class each), all from the same tree, so they agree bit for bit by construction.
 *
 * Loops are generated as JavaScript source and compiled with `new Function`, once per op, form
 * and specialisation, on first use: each generated function sees only the array classes of its
 * specialisation, so V8 keeps its element loads monomorphic, and the expression is inlined in the
 * loop (no call per element). The source carries the op and specialisation in a comment so no
 * two specialisations share a compiled function or its inline caches. Where generating code is
 * forbidden (a Content-Security-Policy without 'unsafe-eval'), the same loops are built from
 * closures instead: slower, identical results.
 */

import type { TypedArray } from "../core/dtype.js";
import { ALU, type Expr, isBool } from "./expr.js";
import { HELPERS } from "./helpers.js";

/** A unary loop: out[i] = f(x[i]) for i < x.length. */
export type UnaryLoop<A> = (x: A, out: A) => void;

/** The loops of one binary op over arrays of class A. */
export interface BinaryLoops<A> {
  /** out[i] = f(a[i], b[i]), i < n. */
  readonly contig: (a: A, b: A, out: A, n: number) => void;
  /** out[i] = f(s, b[i]), i < n. */
  readonly scalarA: (s: number, b: A, out: A, n: number) => void;
  /** out[i] = f(a[i], s), i < n. */
  readonly scalarB: (a: A, s: number, out: A, n: number) => void;
  /** out[o + k] = f(a[ai + k*aStep], b[bi + k*bStep]), k < n. */
  readonly run: (
    a: A,
    ai: number,
    aStep: number,
    b: A,
    bi: number,
    bStep: number,
    out: A,
    o: number,
    n: number,
  ) => void;
}

/** JavaScript source of `e` with the operands named `names[0]`, `names[1]`. */
export function exprSource(e: Expr, names: readonly [string, string?]): string {
  switch (e.kind) {
    case "arg": {
      const name = names[e.index];
      if (name === undefined) throw new Error("exprSource: the expression reads y");
      return name;
    }
    case "const":
      // Negative constants and -0 parenthesised so `a - -1` never reads as `a--1`.
      return Object.is(e.value, -0) ? "(-0)" : e.value < 0 ? `(${e.value})` : String(e.value);
    case "alu": {
      const spec = ALU[e.op] as { js: (...a: string[]) => string };
      return spec.js(...e.args.map((a) => exprSource(a, names)));
    }
  }
}

/** The value source a kernel stores: a boolean tree stores 1 or 0. */
function storedSource(e: Expr, names: readonly [string, string?]): string {
  const src = exprSource(e, names);
  return isBool(e) ? `(${src} ? 1 : 0)` : src;
}

/** `e` as a closure over numbers (booleans for boolean trees), without generating code. */
export function exprClosure(e: Expr): (a: number, b: number) => number | boolean {
  switch (e.kind) {
    case "arg":
      return e.index === 0 ? (a) => a : (_a, b) => b;
    case "const": {
      const v = e.value;
      return () => v;
    }
    case "alu": {
      const fn = ALU[e.op].fn as (...a: (number | boolean)[]) => number | boolean;
      const args = e.args.map(exprClosure);
      if (args.length === 1) {
        const [f] = args as [(a: number, b: number) => number | boolean];
        return (a, b) => fn(f(a, b));
      }
      if (args.length === 2) {
        const [f, g] = args as [
          (a: number, b: number) => number | boolean,
          (a: number, b: number) => number | boolean,
        ];
        return (a, b) => fn(f(a, b), g(a, b));
      }
      const [c, f, g] = args as [
        (a: number, b: number) => number | boolean,
        (a: number, b: number) => number | boolean,
        (a: number, b: number) => number | boolean,
      ];
      return (a, b) => fn(c(a, b), f(a, b), g(a, b));
    }
  }
}

const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = Object.values(HELPERS);

/**
 * Compiles `body` (a function expression's source) with the helpers in scope; null where code
 * generation is forbidden. `force` turns generation off, for the fallback's tests.
 */
let codegenAllowed: boolean | undefined;
function generate<F>(label: string, body: string): F | null {
  if (codegenAllowed === false) return null;
  try {
    // The label goes inside the function, so the compiled source names its op and class.
    const labelled = body.replace("{", `{ /* ${label} */`);
    const make = new Function(...HELPER_NAMES, `"use strict"; return ${labelled};`);
    codegenAllowed = true;
    return make(...HELPER_VALUES) as F;
  } catch (err) {
    // EvalError: a Content-Security-Policy forbids it; anything else is a bug in the generator.
    if (err instanceof EvalError) {
      codegenAllowed = false;
      return null;
    }
    throw err;
  }
}

/** @internal Turns code generation off (true) or back on (false), for tests of the fallback. */
export function _forceClosureKernels(on: boolean): void {
  codegenAllowed = on ? false : undefined;
}

/** The scalar function of a unary expression, for the scalar lane. */
export function scalarUnary(label: string, e: Expr): (x: number) => number {
  const g = generate<(x: number) => number>(
    `scalar ${label}`,
    `function (x) { return ${storedSource(e, ["x"])}; }`,
  );
  if (g !== null) return g;
  const f = exprClosure(e);
  return isBool(e) ? (v) => (f(v, 0) ? 1 : 0) : (v) => f(v, 0) as number;
}

/** The scalar function of a binary expression, for the scalar lane. */
export function scalarBinary(label: string, e: Expr): (x: number, y: number) => number {
  const g = generate<(x: number, y: number) => number>(
    `scalar ${label}`,
    `function (x, y) { return ${storedSource(e, ["x", "y"])}; }`,
  );
  if (g !== null) return g;
  const f = exprClosure(e);
  return isBool(e) ? (a, b) => (f(a, b) ? 1 : 0) : (a, b) => f(a, b) as number;
}

/** Statements storing f(x[idx]) into out[idx]. */
function unaryStore(e: Expr, idx: string): string {
  return `{ const v = x[${idx}]; out[${idx}] = ${storedSource(e, ["v"])}; }`;
}

/** A unary loop over arrays of one class per specialisation `label`; unrolled 4 ways if asked. */
export function unaryLoop<A extends TypedArray>(
  label: string,
  e: Expr,
  unroll: boolean,
): UnaryLoop<A> {
  const body = unroll
    ? `let i = 0;
      for (const e = n - 3; i < e; i += 4) {
        ${unaryStore(e, "i")} ${unaryStore(e, "i + 1")} ${unaryStore(e, "i + 2")} ${unaryStore(e, "i + 3")}
      }
      for (; i < n; i++) ${unaryStore(e, "i")}`
    : `for (let i = 0; i < n; i++) ${unaryStore(e, "i")}`;
  const g = generate<UnaryLoop<A>>(
    `unary ${label}`,
    `function (x, out) { const n = x.length; ${body} }`,
  );
  if (g !== null) return g;
  const f = scalarUnary(label, e);
  return (xs, out) => {
    for (let i = 0; i < xs.length; i++) out[i] = f(xs[i]!);
  };
}

/** A loop body storing f(A, B) into out[O], with A and B the operands' sources. */
function binaryStore(e: Expr, a: string, b: string, o: string): string {
  return `{ const va = ${a}, vb = ${b}; out[${o}] = ${storedSource(e, ["va", "vb"])}; }`;
}

/** `store(k)` for k = i .. i+3, then the remainder: a 4-way unrolled loop over i < n. */
function unrolled(store: (k: string) => string): string {
  return `let i = 0;
    for (const e = n - 3; i < e; i += 4) { ${store("i")} ${store("i + 1")} ${store("i + 2")} ${store("i + 3")} }
    for (; i < n; i++) ${store("i")}`;
}

function plain(store: (k: string) => string): string {
  return `for (let i = 0; i < n; i++) ${store("i")}`;
}

/** The four loops of a binary op over arrays of one class per specialisation `label`. */
export function binaryLoops<A extends TypedArray>(
  label: string,
  e: Expr,
  unroll: boolean,
): BinaryLoops<A> {
  const loop = unroll ? unrolled : plain;
  const contig = generate<BinaryLoops<A>["contig"]>(
    `contig ${label}`,
    `function (a, b, out, n) { ${loop((k) => binaryStore(e, `a[${k}]`, `b[${k}]`, k))} }`,
  );
  const scalarA = generate<BinaryLoops<A>["scalarA"]>(
    `scalarA ${label}`,
    `function (s, b, out, n) { ${loop((k) => binaryStore(e, "s", `b[${k}]`, k))} }`,
  );
  const scalarB = generate<BinaryLoops<A>["scalarB"]>(
    `scalarB ${label}`,
    `function (a, s, out, n) { ${loop((k) => binaryStore(e, `a[${k}]`, "s", k))} }`,
  );
  const run = generate<BinaryLoops<A>["run"]>(
    `run ${label}`,
    `function (a, ai, aStep, b, bi, bStep, out, o, n) {
      for (const end = o + n; o < end; o++, ai += aStep, bi += bStep) ${binaryStore(e, "a[ai]", "b[bi]", "o")}
    }`,
  );
  if (contig !== null && scalarA !== null && scalarB !== null && run !== null) {
    return { contig, scalarA, scalarB, run };
  }
  const f = scalarBinary(label, e);
  return {
    contig: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    },
    scalarA: (s, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = f(s, b[i]!);
    },
    scalarB: (a, s, out, n) => {
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, s);
    },
    run: (a, ai, aStep, b, bi, bStep, out, o, n) => {
      for (const end = o + n; o < end; o++, ai += aStep, bi += bStep) out[o] = f(a[ai]!, b[bi]!);
    },
  };
}
