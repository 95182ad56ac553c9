/**
 * @file The JavaScript emitter: one fused kernel (kernel-ir.ts) as the source of one loop, with
 * every register a local, the elementwise expressions inlined from the table's templates
 * (src/elementwise/expr.ts, the same text the eager kernels are generated from), each value
 * rounded to its dtype where the eager kernel's store would round it, loop-invariant loads and
 * constants hoisted; a size-1 kernel is straight-line code (long ones run as a register tape
 * instead: scalar-tape.ts). The source is built from the graph only: table templates, register
 * names and numbers formatted here; never a user string.
 */

import type { DType, TypedArray } from "../core/dtype.js";
import { exprSource, generate } from "../elementwise/compile.js";
import {
  type Fold,
  foldIdentity,
  type Kernel,
  type KernelIR,
  type KernelOp,
  type KernelReduce,
  opLevels,
  sumLanes,
} from "./kernel-ir.js";

/** A number as JavaScript source that reads back exactly (String is exact for doubles). */
export function numberSource(v: number): string {
  if (Object.is(v, -0)) return "(-0)";
  if (Number.isNaN(v)) return "NaN";
  return v < 0 ? `(${String(v)})` : String(v);
}

/** `src` rounded as a store of `dtype` rounds it. */
export function roundSource(src: string, dtype: DType): string {
  switch (dtype) {
    case "float64":
      return src;
    case "float32":
      return `Math.fround(${src})`;
    case "int32":
      return `(${src} | 0)`;
    case "bool":
      return `(${src} & 255)`;
  }
}

/** The source of op `k`'s value, with the loop's index expressions. */
function opSource(
  op: KernelOp,
  reg: (k: number) => string,
  idx: Index,
  ir: KernelIR,
  constant: (value: number) => string,
): string {
  switch (op.kind) {
    case "load": {
      const a = `in${op.input}`;
      switch (op.mode) {
        case "same":
          return `${a}[${idx.i}]`;
        case "scalar":
          return `${a}[0]`;
        case "row":
          return `${a}[${idx.j}]`;
        case "col":
          return `${a}[${idx.r}]`;
        case "offset":
          // A load at a shifted index (a recomputed value) may fall outside its array near the
          // ends of the loop, where a guard discards the value: clamp it there.
          return idx.part === "edge"
            ? `${a}[Math.min(Math.max(${idx.i} + ${op.offset}, 0), ${ir.inputSizes[op.input]! - 1})]`
            : `${a}[${idx.i} + ${op.offset}]`;
        case "pad":
          return `(${idx.i} >= ${op.offset} && ${idx.i} < ${op.end} ? ${a}[${idx.i} - ${op.offset}] : ${numberSource(op.value!)})`;
      }
      break;
    }
    case "const":
      return constant(op.value);
    case "expr": {
      const [x, y] = op.args;
      const src = exprSource(op.expr, [reg(x!), y === undefined ? undefined : reg(y)]);
      return op.bool ? `(${src} ? 1 : 0)` : roundSource(src, op.dtype);
    }
    case "select":
      return `(${reg(op.args[0])} !== 0 ? ${reg(op.args[1])} : ${reg(op.args[2])})`;
    case "cast": {
      const x = reg(op.args[0]);
      if (op.dtype === "bool") return `(${x} !== 0 ? 1 : 0)`;
      return roundSource(x, op.dtype);
    }
    case "sum0":
      return roundSource(`(0 + ${reg(op.args[0])})`, op.dtype);
    case "guard":
      // Inside the loop's interior every guard holds.
      return idx.part === "interior"
        ? reg(op.args[0])
        : `(${idx.i} >= ${op.lo} && ${idx.i} < ${op.hi} ? ${reg(op.args[0])} : ${numberSource(op.value)})`;
  }
}

interface Index {
  readonly i: string;
  readonly r: string;
  readonly j: string;
  /**
   * Which part of a loop with guards this is: the interior (every guard true, every shifted
   * load in bounds) or an edge (guards tested, shifted loads clamped); "plain" without guards.
   */
  readonly part: "plain" | "interior" | "edge";
}

/**
 * The interior [from, to) of a kernel's flat loop: where every guard holds and every load at an
 * offset is inside its array; null when the kernel has no guard (nothing to split).
 */
function interior(ir: KernelIR): [number, number] | null {
  let from = 0;
  let to = ir.size;
  let guarded = false;
  for (const op of ir.ops) {
    if (op.kind === "guard") {
      guarded = true;
      from = Math.max(from, op.lo);
      to = Math.min(to, op.hi);
    } else if (op.kind === "load" && op.mode === "offset") {
      from = Math.max(from, -op.offset);
      to = Math.min(to, ir.inputSizes[op.input]! - op.offset);
    }
  }
  if (!guarded) return null;
  // Guards and shifted loads can exclude every element: the interior is then empty.
  from = Math.min(from, ir.size);
  return [from, Math.max(from, Math.min(to, ir.size))];
}

/**
 * The JavaScript source of a kernel, `function (I, O, K) { ... }`, and its constants: they are
 * read from K (hoisted before the loop), so clusters that differ only in their constants (an
 * unrolled loop's steps) share one source and one compiled function.
 */
export function loopSource(ir: KernelIR): { src: string; constants: number[] } {
  const reg = (k: number): string => `r${k}`;
  const constants: number[] = [];
  const constant = (value: number): string => {
    constants.push(value);
    return `K[${constants.length - 1}]`;
  };
  const level = ir.size === 1 ? ir.ops.map(() => 0) : opLevels(ir);
  const head: string[] = [];
  for (let k = 0; k < ir.inputs; k++) head.push(`const in${k} = I[${k}];`);
  for (let k = 0; k < ir.outputs; k++) head.push(`const out${k} = O[${k}];`);
  const at = (l: number, idx: Index): string[] => {
    const lines: string[] = [];
    ir.ops.forEach((op, k) => {
      if (level[k] === l) {
        lines.push(`const ${reg(k)} = ${opSource(op, reg, idx, ir, constant)};`);
      }
    });
    return lines;
  };
  if (ir.size === 1) {
    const idx: Index = { i: "0", r: "0", j: "0", part: "plain" };
    const body = at(0, idx);
    for (const s of ir.stores) body.push(`out${s.out}[0] = ${reg(s.reg)};`);
    for (const s of ir.reduces) {
      const f = s.fold ?? "sum";
      body.push(`out${s.out}[0] = ${foldExpr(f, numberSource(foldIdentity(f)), reg(s.reg))};`);
    }
    return { src: `function (I, O, K) { ${head.join(" ")}\n${body.join("\n")}\n}`, constants };
  }
  const full = ir.reduces.filter((s) => s.over === "all");
  const rowSums = ir.reduces.filter((s) => s.over === "rows");
  const colSums = ir.reduces.filter((s) => s.over === "cols");
  const elementLines = (idx: Index): string[] => {
    const lines = at(2, idx);
    for (const s of ir.stores) lines.push(`out${s.out}[${idx.i}] = ${reg(s.reg)};`);
    for (const s of full) lines.push(foldStep(s, `s${s.out}`, reg(s.reg)));
    for (const s of rowSums) lines.push(foldStep(s, `t${s.out}`, reg(s.reg)));
    for (const s of colSums) lines.push(foldStep(s, `c${s.out}[${idx.j}]`, reg(s.reg)));
    return lines;
  };
  const lines = [...head, ...at(0, { i: "0", r: "0", j: "0", part: "plain" })];
  const split = interior(ir);
  const lanes = sumLanes(ir);
  const laned = full.filter((s) => (s.fold ?? "sum") === "sum");
  for (const s of full) lines.push(`let s${s.out} = ${init(s)};`);
  for (const s of colSums) lines.push(`c${s.out}.fill(${init(s)});`);
  if (ir.nested) {
    const idx: Index = { i: "i", r: "r", j: "j", part: split === null ? "plain" : "edge" };
    lines.push(`for (let r = 0, i = 0; r < ${ir.rows}; r++) {`);
    lines.push(...at(1, idx));
    for (const s of rowSums) lines.push(`let t${s.out} = ${init(s)};`);
    lines.push(`for (let j = 0; j < ${ir.len}; j++, i++) {`);
    lines.push(...elementLines(idx));
    lines.push("}");
    for (const s of rowSums) lines.push(`out${s.out}[r] = t${s.out};`);
    lines.push("}");
  } else if (split === null && lanes > 1 && laned.length > 0) {
    // A reordered sum: `lanes` independent accumulators, so the adds overlap (other folds keep
    // one accumulator, in element order).
    const main = ir.size - (ir.size % lanes);
    for (const s of laned) {
      for (let l = 1; l < lanes; l++) lines.push(`let s${s.out}_${l} = 0;`);
    }
    lines.push(`let i = 0;`, `for (; i < ${main}; i += ${lanes}) {`);
    for (let l = 0; l < lanes; l++) {
      const idx: Index = { i: l === 0 ? "i" : `(i + ${l})`, r: "0", j: "i", part: "plain" };
      const body = elementLines(idx).map((line) =>
        l === 0 ? line : line.replace(/^s(\d+) \+=/, `s$1_${l} +=`),
      );
      lines.push("{", ...body, "}");
    }
    lines.push("}");
    lines.push(
      `for (; i < ${ir.size}; i++) {`,
      ...elementLines({ i: "i", r: "0", j: "i", part: "plain" }),
      "}",
    );
    for (const s of laned) {
      const parts = [`s${s.out}`];
      for (let l = 1; l < lanes; l++) parts.push(`s${s.out}_${l}`);
      lines.push(`s${s.out} = ${pairwise(parts)};`);
    }
  } else if (split === null) {
    const idx: Index = { i: "i", r: "0", j: "i", part: "plain" };
    lines.push(`for (let i = 0; i < ${ir.size}; i++) {`);
    lines.push(...elementLines(idx));
    lines.push("}");
  } else {
    // Edge, interior, edge: the same elements in the same order (sums keep their order).
    const [from, to] = split;
    const edge: Index = { i: "i", r: "0", j: "i", part: "edge" };
    const inner: Index = { i: "i", r: "0", j: "i", part: "interior" };
    lines.push(`for (let i = 0; i < ${from}; i++) {`, ...elementLines(edge), "}");
    lines.push(`for (let i = ${from}; i < ${to}; i++) {`, ...elementLines(inner), "}");
    lines.push(`for (let i = ${to}; i < ${ir.size}; i++) {`, ...elementLines(edge), "}");
  }
  for (const s of full) lines.push(`out${s.out}[0] = s${s.out};`);
  for (const s of colSums) {
    lines.push(`for (let j = 0; j < ${ir.len}; j++) out${s.out}[j] = c${s.out}[j];`);
  }
  const kernel = `function (I, O, K) {\n${lines.join("\n")}\n}`;
  if (colSums.length === 0) return { src: kernel, constants };
  // Column sums accumulate in float64 arrays made once per kernel (kernels never re-enter).
  const accs = colSums.map((s) => `const c${s.out} = new Float64Array(${ir.len});`);
  return { src: `(function () {\n${accs.join("\n")}\nreturn ${kernel};\n})()`, constants };
}

/** A fold's starting value as source. */
function init(s: KernelReduce): string {
  return numberSource(foldIdentity(s.fold ?? "sum"));
}

/** The source of one fold of `v` into `acc`, as the eager kernels write it. */
function foldExpr(fold: Fold, acc: string, v: string): string {
  switch (fold) {
    case "sum":
      return `(${acc} + ${v})`;
    case "prod":
      return `(${acc} * ${v})`;
    case "max":
      return `Math.max(${acc}, ${v})`;
    case "min":
      return `Math.min(${acc}, ${v})`;
  }
}

/** The statement folding `v` into the accumulator `acc` (sums as `acc += v`). */
function foldStep(s: KernelReduce, acc: string, v: string): string {
  const fold = s.fold ?? "sum";
  return fold === "sum" ? `${acc} += ${v};` : `${acc} = ${foldExpr(fold, acc, v)};`;
}

/** `a[0] + a[1] + ...` added pairwise: ((a0 + a1) + (a2 + a3)). */
export function pairwise(parts: readonly string[]): string {
  if (parts.length === 1) return parts[0]!;
  const half = parts.length >> 1;
  return `(${pairwise(parts.slice(0, half))} + ${pairwise(parts.slice(half))})`;
}

/** A generated kernel, reading its constants from K. */
type Generated = (
  ins: readonly TypedArray[],
  outs: readonly TypedArray[],
  K: readonly number[],
) => void;

/** Generated kernels by source: identical clusters (an RNN's steps) share one function. */
const cache = new Map<string, Generated>();
const CACHE_MAX = 2000;
const CACHE_KEY_MAX = 8192;

/**
 * The kernel of `ir` as generated JavaScript, or null where code generation is forbidden (the
 * caller then interprets the same form). `label` names the kernel in its source.
 */
export function jsKernel(ir: KernelIR, label: string): Kernel | null {
  const { src, constants } = loopSource(ir);
  let k = cache.get(src) ?? null;
  if (k === null) {
    k = generate<Generated>(`fused ${label}`, src);
    if (k === null) return null;
    // Long sources are rarely repeated and would keep megabytes of keys alive.
    if (src.length <= CACHE_KEY_MAX) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(src, k);
    }
  }
  const f = k;
  return (I, O) => f(I, O, constants);
}
