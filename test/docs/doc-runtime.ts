/**
 * @file What a doc-test block calls at run time: `doc.expect` for a `// => <expected>` line and
 * `doc.throws` for a `// throws: <Error>: <message prefix>` line (the team's doc-test convention),
 * with the printed-form comparison the convention describes.
 */

import { AssertionError } from "node:assert";
import { inspect } from "node:util";
import { Tensor } from "../../src/index.js";

/** A stand-in that prints a tensor as `toString()` inside `util.inspect` output. */
class Shown {
  constructor(readonly text: string) {}
  [inspect.custom](): string {
    return this.text;
  }
}

function plain(v: unknown, seen: Set<unknown>): unknown {
  if (v instanceof Tensor) return new Shown(v.toString());
  if (v === null || typeof v !== "object" || seen.has(v)) return v;
  seen.add(v);
  let out: unknown = v;
  if (Array.isArray(v)) out = v.map((x) => plain(x, seen));
  else {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const o: Record<string, unknown> = {};
      // defineProperty: a "__proto__" key stays an ordinary own key.
      for (const [k, x] of Object.entries(v)) {
        Object.defineProperty(o, k, { value: plain(x, seen), enumerable: true, writable: true });
      }
      out = o;
    }
  }
  seen.delete(v);
  return out;
}

/** The printed form the convention compares: a Tensor as `toString()`, numbers as JS prints them, a string as itself, arrays and objects as `util.inspect` prints them. */
export function show(v: unknown): string {
  if (v instanceof Tensor) return v.toString();
  if (typeof v === "string") return v;
  return inspect(plain(v, new Set()), {
    depth: Number.POSITIVE_INFINITY,
    breakLength: Number.POSITIVE_INFINITY,
    maxArrayLength: null,
    maxStringLength: null,
  });
}

type Token =
  | { kind: "num"; text: string; value: number }
  | { kind: "wild" }
  | { kind: "text"; text: string };

const NUMBER = /^-?(?:\d+(?:\.(?!\.\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD = /^[A-Za-z_$][\w$]*/;

export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    if (rest.startsWith("...") || rest.startsWith("…")) {
      out.push({ kind: "wild" });
      i += rest.startsWith("…") ? 1 : 3;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      out.push({ kind: "text", text: word[0] });
      i += word[0].length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num) {
      out.push({ kind: "num", text: num[0], value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    out.push({ kind: "text", text: rest[0]! });
    i += 1;
  }
  return out;
}

/**
 * Half a unit in the last shown digit of `text` (a whole unit when the number is truncated with
 * `...`). A number shown without decimals (`4`, `1.`) is taken as exact: it gets no rounding slack.
 */
function tolerance(text: string, truncated: boolean): number {
  const m = /^-?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  const decimals = m?.[2]?.length ?? 0;
  if (decimals === 0 && !truncated) return 0;
  const exponent = Number(m?.[3] ?? 0);
  const unit = 10 ** (exponent - decimals);
  return truncated ? unit : unit / 2;
}

function numbersMatch(
  expected: Token & { kind: "num" },
  actual: number,
  truncated: boolean,
): boolean {
  const tol = Math.max(tolerance(expected.text, truncated), 1e-6 * Math.abs(actual));
  return Math.abs(expected.value - actual) <= tol;
}

/** Whether `actual` matches `expected` under the convention: whitespace-insensitive, numbers to the precision shown, `...` matches any text. */
export function matches(expected: string, actual: string): boolean {
  const e = tokenize(expected);
  const a = tokenize(actual);
  const failed = new Set<number>();
  const go = (i: number, j: number): boolean => {
    const key = i * (a.length + 1) + j;
    if (failed.has(key)) return false;
    let ok = false;
    if (i === e.length) ok = j === a.length;
    else {
      const et = e[i]!;
      if (et.kind === "wild") {
        for (let k = j; k <= a.length && !ok; k++) ok = go(i + 1, k);
      } else if (j < a.length) {
        const at = a[j]!;
        if (et.kind === "num") {
          const truncated = e[i + 1]?.kind === "wild";
          ok = at.kind === "num" && numbersMatch(et, at.value, truncated) && go(i + 1, j + 1);
        } else ok = at.kind === "text" && at.text === et.text && go(i + 1, j + 1);
      }
    }
    if (!ok) failed.add(key);
    return ok;
  };
  return go(0, 0);
}

function fail(where: string, source: string, lines: string[]): never {
  throw new AssertionError({ message: [`${where}: ${source}`, ...lines].join("\n") });
}

/** The checks a generated doc-test module calls. */
export const doc = {
  /** `expr; // => expected`: the printed form of the value matches `expected`. */
  async expect(where: string, source: string, run: () => Promise<unknown>, expected: string) {
    let value: unknown;
    try {
      value = await run();
    } catch (err) {
      fail(where, source, [`  expected: ${expected}`, `  threw:    ${String(err)}`]);
    }
    const actual = show(value);
    if (!matches(expected, actual)) {
      fail(where, source, [`  expected: ${expected}`, `  actual:   ${actual}`]);
    }
  },
  /** `stmt; // throws: ErrorClass: message prefix`: the statement throws that error. */
  async throws(where: string, source: string, run: () => Promise<unknown>, expected: string) {
    const m = /^([\w$]+)(?::\s*([\s\S]*))?$/.exec(expected.trim());
    const cls = m?.[1] ?? expected;
    const prefix = (m?.[2] ?? "").replace(/\s+/g, " ").trim();
    let err: unknown;
    try {
      await run();
    } catch (e) {
      err = e;
    }
    if (err === undefined)
      fail(where, source, [`  expected to throw: ${expected}`, "  it did not throw"]);
    const name = err instanceof Error ? err.name : typeof err;
    const ctor = err instanceof Error ? err.constructor.name : "";
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ");
    if ((name !== cls && ctor !== cls) || !message.startsWith(prefix)) {
      fail(where, source, [
        `  expected to throw: ${expected}`,
        `  threw:             ${name}: ${message}`,
      ]);
    }
  },
};
