/**
 * @file debugNans: while on, every concrete primitive evaluation is checked, and the first one
 * that makes a NaN or an infinity from finite inputs throws a NanError naming the op, the phase
 * (its forward value, its VJP rule in the backward pass, or its JVP rule in forward mode) and the
 * user's call site of the op.
 *
 * The check is an EvalObserver (every concrete evaluation reaches it, including those inside
 * derivative rules); the tape and the forward-mode trace say which rule is running (a RuleScope)
 * and keep each recorded op's call site, but only while rule tracking is on. Off, nothing of this
 * runs: bind's observer check and one boolean per recorded op and per derivative walk.
 */

import { describeValue } from "../core/describe.js";
import { type DType, isFloat } from "../core/dtype.js";
import { NanError, type NanPhase, ValueError } from "../core/errors.js";
import type { AnyMultiPrimitive, AnyPrimitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import {
  captureSite,
  currentRuleScope,
  type EvalObserver,
  enterRuleScope,
  setEvalObserver,
  setRuleTracking,
} from "../core/trace.js";
import { finiteStats } from "./summary.js";

/** Elements of a tensor listed in a summary before it switches to min/mean/max. */
const LISTED = 8;

let enabled = false;
/** True while the watcher is the installed observer (or wraps the one installed after it). */
let installed = false;
/** The observer that was installed before the watcher; it still sees every evaluation. */
let previous: EvalObserver | null = null;

const watcher: EvalObserver = {
  afterEval(prim: AnyPrimitive | AnyMultiPrimitive, inputs: readonly Tensor[], out: Tensor) {
    if (previous !== null) previous.afterEval(prim, inputs, out);
    // An op without tensor inputs (a constant such as full(-Infinity)) states its values.
    if (!enabled || !isFloat(out.dtype) || inputs.length === 0) return;
    const kind = nonFinite(out);
    if (kind === null) return;
    for (const x of inputs) if (isFloat(x.dtype) && nonFinite(x) !== null) return;
    throw nanError(prim.name, inputs, kind);
  },
};

/**
 * Turns NaN debugging on or off. While it is on, every primitive evaluation is checked, and the
 * first one whose result holds a NaN or an infinity although its inputs are all finite throws a
 * {@link NanError}: in the forward pass (the op's own value), in the backward pass (the VJP rule
 * of a recorded op, e.g. the derivative of `sqrt` at 0) or in forward mode (a JVP rule). The
 * error names the op, the phase, the user's call site of the op (`file:line:column`, captured
 * while debugging is on, for the backward pass when the op ran forward) and its inputs' summary.
 * NaN or Inf already present in an op's inputs is not reported again: the error points at the op
 * where the first one appeared. Ops without tensor inputs (constants) are not checked.
 *
 * Debugging slows every op down (each result is scanned, each recorded op keeps a stack); off,
 * it costs nothing measurable. An error leaves no state behind: the next call runs normally.
 * @param on - True to check, false to stop checking.
 * @returns The previous setting, so that a caller can restore it.
 * @throws {@link ValueError} when `on` is not a boolean.
 * @example
 * ```ts
 * import * as ad from "adjoint";
 * // The where-trap: the masked branch's derivative, sqrt'(0) = Inf, still meets a zero cotangent.
 * const f = (x: ad.Tensor) => ad.where(ad.greater(x, 0), ad.sqrt(x), 0);
 * ad.grad(f)(ad.scalar(0)); // => tensor(NaN, dtype=float32)
 * ad.debugNans(true); // => false
 * ad.grad(f)(ad.scalar(0)); // throws: NanError: sqrt produced Inf from finite inputs in the backward pass (the VJP of sqrt called at
 * ad.debugNans(false); // => true
 * ```
 * @category Tools
 */
export function debugNans(on: boolean): boolean {
  if (typeof on !== "boolean") {
    throw new ValueError(
      `debugNans: on must be a boolean (true or false); got ${describeValue(on)}`,
    );
  }
  const was = enabled;
  if (on === was) return was;
  enabled = on;
  setRuleTracking(on);
  if (on) {
    if (!installed) {
      previous = setEvalObserver(watcher);
      installed = true;
    }
  } else {
    enterRuleScope(null);
    const current = setEvalObserver(previous);
    if (current === watcher) {
      installed = false;
      previous = null;
    } else {
      // Another observer was installed after the watcher (and will restore it): leave the chain
      // as it is; the watcher only forwards until then.
      setEvalObserver(current);
    }
  }
  return was;
}

/** "NaN" if x holds a NaN, else "Inf" or "-Inf" for an infinity, else null. */
function nonFinite(x: Tensor): "NaN" | "Inf" | "-Inf" | null {
  const buf = x._buf;
  if (buf === null) return kindOf(x._value);
  let found: "NaN" | "Inf" | "-Inf" | null = null;
  for (let i = 0; i < buf.length; i++) {
    const v = buf[i]!;
    if (v - v === 0) continue; // finite
    if (Number.isNaN(v)) return "NaN";
    found ??= v > 0 ? "Inf" : "-Inf";
  }
  return found;
}

function kindOf(v: number): "NaN" | "Inf" | "-Inf" | null {
  if (v - v === 0) return null;
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf";
}

/** The NanError for `op`'s result, attributed to the derivative rule running, if any. */
function nanError(op: string, inputs: readonly Tensor[], kind: string): NanError {
  const scope = currentRuleScope();
  const phase: NanPhase = scope === null ? "forward" : scope.phase;
  const primitive = scope === null ? op : scope.prim;
  const summaries = (scope === null ? inputs : scope.inputs).map(summarize);
  const callSite = userFrame(scope?.site ?? captureSite());
  const at = callSite === undefined ? "" : ` called at ${callSite}`;
  const where =
    phase === "forward"
      ? `in the forward pass (${primitive}${at || " (call site unknown)"})`
      : `in ${phase === "backward" ? "the backward pass (the VJP" : "forward mode (the JVP"} of ${primitive}${at}${
          op === primitive ? "" : `; ${op} inside the rule gave ${kind}`
        })`;
  const hint =
    phase === "forward"
      ? "Look at how these inputs reach it: a log or a division at 0, an exp that overflows, a probability that underflows to 0 (a stable form such as logSoftmax avoids that)."
      : `The derivative of ${primitive} is infinite or undefined at these inputs. If where() or a mask hides this value in the forward pass, its gradient still flows through the hidden branch: make the input safe before the op (e.g. sqrt(where(mask, x, 1))).`;
  const message = `${primitive} produced ${kind} from finite inputs ${where}; inputs of ${primitive}: ${summaries.join("; ")}. ${hint} (ad.debugNans(false) turns these checks off.)`;
  return new NanError(message, { primitive, phase, callSite, inputs: summaries, operation: op });
}

/** `float32[3] = [0, 0.5, 1]` up to LISTED elements, else `float32[1000] min=.. mean=.. max=..`. */
function summarize(x: Tensor): string {
  let c: Tensor;
  try {
    c = x._concrete();
  } catch {
    return `${x.dtype}[${x.shape.join(",")}] (value not kept)`;
  }
  const head = `${c.dtype}[${c.shape.join(",")}]`;
  const buf = c._buf;
  if (buf === null) return `${head} = ${show(c._value, c.dtype)}`;
  const n = buf.length;
  if (n === 0) return `${head} (empty)`;
  if (c.shape.length === 0) return `${head} = ${show(buf[0]!, c.dtype)}`;
  if (n <= LISTED) {
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(show(buf[i]!, c.dtype));
    return `${head} = [${items.join(", ")}]`;
  }
  return `${head} ${finiteStats(
    buf,
    (v) => show(v, c.dtype),
    (v) => show(v, "float64"),
  )}`;
}

function show(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  return String(Number(v.toPrecision(6)));
}

/**
 * The first frame of `site`'s stack outside adjoint's own code (this package's src/ and dist/;
 * its tests count as user code), as `file:line:column` relative to the working directory when
 * it lies below it; undefined when no frame is found.
 */
function userFrame(site: Error): string | undefined {
  for (const line of (site.stack ?? "").split("\n")) {
    const frame = parseFrame(line);
    if (frame === null) continue;
    const file = frame.file;
    if (file.startsWith("node:") || file.startsWith("internal/") || isOwn(file)) continue;
    return `${shorten(file)}:${frame.line}:${frame.column}`;
  }
  return undefined;
}

/** The file, line and column of one stack line (V8's `at f (file:1:2)`, Firefox's `f@file:1:2`). */
function parseFrame(line: string): { file: string; line: string; column: string } | null {
  const m = /(\S+):(\d+):(\d+)\)?\s*$/.exec(line);
  if (m === null) return null;
  let file = m[1]!;
  if (file.startsWith("(")) file = file.slice(1);
  const at = file.indexOf("@");
  if (at >= 0 && !/^(?:file:|https?:|\/)/.test(file)) file = file.slice(at + 1);
  return { file, line: m[2]!, column: m[3]! };
}

/**
 * Where adjoint's own code lives, as stack frames spell it (a path or a URL), found from this
 * module's own frame: `root` is the folder holding this package's src/ and dist/, null when the
 * module sits in a bundle (then `file`, the bundle, is what counts as adjoint's).
 */
let own: { root: string | null; file: string } | undefined;

/** True for a frame in adjoint's own code. */
function isOwn(file: string): boolean {
  if (own === undefined) {
    const line = (new Error().stack ?? "").split("\n").find((l) => parseFrame(l) !== null);
    const self = line === undefined ? "" : parseFrame(line)!.file;
    const m = /^(.*[/\\])(?:src|dist)[/\\]tools[/\\]/.exec(self);
    own = { root: m === null ? null : m[1]!, file: self };
  }
  const root = own.root;
  if (root === null) return file === own.file;
  const sep = root[root.length - 1]!; // "/" or, in a Windows path, "\\"
  return file.startsWith(`${root}src${sep}`) || file.startsWith(`${root}dist${sep}`);
}

/** A file path or file: URL relative to the working directory when it is below it (Node). */
function shorten(file: string): string {
  let path = file;
  if (path.startsWith("file://")) {
    try {
      path = decodeURIComponent(path.slice("file://".length));
    } catch {
      return file;
    }
  }
  const proc = (globalThis as { process?: { cwd?: () => string } }).process;
  const cwd = typeof proc?.cwd === "function" ? proc.cwd() : undefined;
  if (cwd !== undefined && path.startsWith(`${cwd}/`)) return path.slice(cwd.length + 1);
  return path;
}
