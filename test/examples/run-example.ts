/**
 * @file Runs an example script as a user would (`node --import tsx examples/<name>.ts --k=v`)
 * and reads the numbers off its stable result lines.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

/** Runs examples/<name>.ts with `--key=value` settings; returns its stdout. */
export function runExample(name: string, settings: Record<string, number> = {}): string {
  const args = Object.entries(settings).map(([k, v]) => `--${k}=${v}`);
  return execFileSync(process.execPath, ["--import", "tsx", `examples/${name}.ts`, ...args], {
    encoding: "utf8",
  });
}

/** The numbers captured by `pattern` (each group a number) in `out`; fails if it is absent. */
export function numbersAfter(out: string, pattern: RegExp): number[] {
  const m = pattern.exec(out);
  assert.ok(m, `no line matching ${pattern} in the output:\n${out}`);
  return m.slice(1).map(Number);
}
