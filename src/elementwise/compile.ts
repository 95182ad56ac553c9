/**
 * @file Kernels generated from the elementwise expressions of table.ts: the scalar functions of
 * the tape's scalar lane, the reference loops (any typed-array class) and the fast loops (one
 * float class each), all from the same tree, so they agree bit for bit by construction.
 *
 * Loops are generated as JavaScript source and compiled with `new Function`: per form (unary,
 * binary contiguous, scalar-operand and strided run) and specialisation, one function that
 * switches on the op to that op's loop, with the expression inlined in the loop (no call per
 * element), which is the structure the hand-written kernels had. Each specialisation's functions
 * see only its array classes, so V8 keeps their element loads monomorphic; the source carries the
 * form and specialisation in a comment, so no two share compiled code or inline caches. Where
 * generating code is forbidden (a Content-Security-Policy without 'unsafe-eval'), the same loops
 * are built from closures instead: slower, identical results.
 */

import type { TypedArray } from "../core/dtype.js";
import { ALU, type Expr, isBool } from "./expr.js";
import { HELPERS } from "./helpers.js";

/** A kernel definition as the generators read it. */
export interface LoopDef {
  readonly expr: Expr;
  readonly unroll: boolean;
}

/** out[i] = op(x[i]) for i < x.length; false for an op this dispatcher does not have. */
export type UnaryDispatch<A> = (op: string, x: A, out: A) => boolean;

/** The loops of the binary ops over arrays of class A; each returns false for an op it lacks. */
export interface BinaryDispatch<A> {
  /** out[i] = op(a[i], b[i]), i < n. */
  readonly contig: (op: string, a: A, b: A, out: A, n: number) => boolean;
  /** out[i] = op(s, b[i]), i < n. */
  readonly scalarA: (op: string, s: number, b: A, out: A, n: number) => boolean;
  /** out[i] = op(a[i], s), i < n. */
  readonly scalarB: (op: string, a: A, s: number, out: A, n: number) => boolean;
  /** out[o + k] = op(a[ai + k*aStep], b[bi + k*bStep]), k < n. */
  readonly run: (
    op: string,
    a: A,
    ai: number,
    aStep: number,
    b: A,
    bi: number,
    bStep: number,
    out: A,
    o: number,
    n: number,
  ) => boolean;
}

/** JavaScript source of `e` with the operands named `names[0]`, `names[1]`. */
export function exprSource(e: Expr, names: readonly [string, string?]): string {
  switch (e.kind) {
    case "arg": {
      const name = e.index === 2 ? undefined : names[e.index];
      if (name === undefined)
        throw new Error(`exprSource: a kernel cannot read operand ${e.index}`);
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
      if (e.index === 2) throw new Error("exprClosure: a kernel cannot read operand 2");
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

/** Whether code generation works here (undefined until first tried). */
let codegenAllowed: boolean | undefined;

/**
 * Compiles `body` (a function expression's source) with the helpers in scope; null where code
 * generation is forbidden.
 */
export function generate<F>(label: string, body: string): F | null {
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

/**
 * A function `(op, ...params)` that switches on op to one loop per op, the structure a
 * hand-written kernel has: one call and a few string compares per kernel call, each loop inlined
 * in its case, and one set of inline caches for the array class the specialisation sees.
 */
function dispatcher<F>(
  label: string,
  params: string,
  prologue: string,
  defs: readonly (readonly [string, LoopDef])[],
  loop: (d: LoopDef) => string,
): F | null {
  const cases = defs.map(([op, d]) => `case ${JSON.stringify(op)}: { ${loop(d)} return true; }`);
  return generate<F>(
    label,
    `function (op, ${params}) { ${prologue} switch (op) { ${cases.join("\n")} default: return false; } }`,
  );
}

/** The unary dispatcher over `defs` for arrays of one class per specialisation `label`. */
export function unaryDispatch<A extends TypedArray>(
  label: string,
  defs: readonly (readonly [string, LoopDef])[],
): UnaryDispatch<A> {
  const g = dispatcher<UnaryDispatch<A>>(
    `unary ${label}`,
    "x, out",
    "const n = x.length;",
    defs,
    (d) => (d.unroll ? unrolled : plain)((k) => unaryStore(d.expr, k)),
  );
  if (g !== null) return g;
  const fs = new Map(defs.map(([op, d]) => [op, scalarUnary(op, d.expr)]));
  return (op, xs, out) => {
    const f = fs.get(op);
    if (f === undefined) return false;
    for (let i = 0; i < xs.length; i++) out[i] = f(xs[i]!);
    return true;
  };
}

/** The binary dispatchers over `defs` for arrays of one class per specialisation `label`. */
export function binaryDispatch<A extends TypedArray>(
  label: string,
  defs: readonly (readonly [string, LoopDef])[],
): BinaryDispatch<A> {
  const loopOf = (d: LoopDef) => (d.unroll ? unrolled : plain);
  const contig = dispatcher<BinaryDispatch<A>["contig"]>(
    `contig ${label}`,
    "a, b, out, n",
    "",
    defs,
    (d) => loopOf(d)((k) => binaryStore(d.expr, `a[${k}]`, `b[${k}]`, k)),
  );
  const scalarA = dispatcher<BinaryDispatch<A>["scalarA"]>(
    `scalarA ${label}`,
    "s, b, out, n",
    "",
    defs,
    (d) => loopOf(d)((k) => binaryStore(d.expr, "s", `b[${k}]`, k)),
  );
  const scalarB = dispatcher<BinaryDispatch<A>["scalarB"]>(
    `scalarB ${label}`,
    "a, s, out, n",
    "",
    defs,
    (d) => loopOf(d)((k) => binaryStore(d.expr, `a[${k}]`, "s", k)),
  );
  const run = dispatcher<BinaryDispatch<A>["run"]>(
    `run ${label}`,
    "a, ai, aStep, b, bi, bStep, out, o, n",
    "const end = o + n;",
    defs,
    (d) =>
      `for (; o < end; o++, ai += aStep, bi += bStep) ${binaryStore(d.expr, "a[ai]", "b[bi]", "o")}`,
  );
  if (contig !== null && scalarA !== null && scalarB !== null && run !== null) {
    return { contig, scalarA, scalarB, run };
  }
  const fs = new Map(defs.map(([op, d]) => [op, scalarBinary(op, d.expr)]));
  return {
    contig: (op, a, b, out, n) => {
      const f = fs.get(op);
      if (f === undefined) return false;
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
      return true;
    },
    scalarA: (op, s, b, out, n) => {
      const f = fs.get(op);
      if (f === undefined) return false;
      for (let i = 0; i < n; i++) out[i] = f(s, b[i]!);
      return true;
    },
    scalarB: (op, a, s, out, n) => {
      const f = fs.get(op);
      if (f === undefined) return false;
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, s);
      return true;
    },
    run: (op, a, ai, aStep, b, bi, bStep, out, o, n) => {
      const f = fs.get(op);
      if (f === undefined) return false;
      for (const end = o + n; o < end; o++, ai += aStep, bi += bStep) out[o] = f(a[ai]!, b[bi]!);
      return true;
    },
  };
}
