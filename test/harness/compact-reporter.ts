/**
 * @file A compact node:test reporter for `npm test`: one line per test file, every failure in
 * full, and the totals as the last lines (node's `# tests N` / `# pass N` / `# fail N`, then
 * `N passed, N failed`), which is what CI reads. The full spec log goes to a file beside it.
 *
 * test/harness/run-tests.ts wires it to node:test's `run()`. Counting follows node's own summary:
 * a suite is not a test, a skipped or todo test is neither passed nor failed, and a file that
 * crashes outside its tests is one failure.
 */

import path from "node:path";
import type { TestEvent } from "node:test/reporters";

interface FileTally {
  pass: number;
  fail: number;
  skipped: number;
  todo: number;
  /** Failure reports, printed under the file's line. */
  failures: string[];
  /** The failed tests' names, for the list before the summary. */
  failedNames: string[];
  /** The last lines the file's process wrote to stderr (shown when the file itself crashed). */
  stderr: string[];
  /** Names of the tests running at each nesting level, for "parent > child" failure names. */
  stack: string[];
}

const STDERR_LINES_KEPT = 40;
const STACK_LINES_SHOWN = 8;

function relative(file: string | undefined): string {
  if (file === undefined) return "(no file)";
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/** The error a test threw: node wraps it (ERR_TEST_FAILURE) with the original as `cause`. */
function describeError(error: unknown): string {
  const inner =
    error instanceof Error && error.cause !== undefined && error.cause !== null
      ? error.cause
      : error;
  if (!(inner instanceof Error)) return `    ${String(inner)}`;
  const head = `${inner.name}: ${inner.message}`;
  const frames = (inner.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && !/\(node:|at node:|node_modules/.test(l))
    .slice(0, STACK_LINES_SHOWN)
    .map((l) => l.trim());
  return [...head.split("\n"), ...frames.map((f) => `  ${f}`)].map((l) => `    ${l}`).join("\n");
}

/** True when a failure only reports its subtests' failures (those are reported themselves). */
function onlySubtestsFailed(error: unknown): boolean {
  return (error as { failureType?: unknown } | null)?.failureType === "subtestsFailed";
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * The reporter: an async generator from node:test events to output text. `logPath` names the file
 * that holds the full log, for the summary to point at.
 */
export function compactReporter(
  logPath?: string,
): (source: AsyncIterable<TestEvent>) => AsyncGenerator<string, void> {
  return (source) => report(source, logPath);
}

async function* report(
  source: AsyncIterable<TestEvent>,
  logPath: string | undefined,
): AsyncGenerator<string, void> {
  const fresh = (): FileTally => ({
    pass: 0,
    fail: 0,
    skipped: 0,
    todo: 0,
    failures: [],
    failedNames: [],
    stderr: [],
    stack: [],
  });
  // Events name the file where a test was *defined* (a helper module for generated tests), not
  // the test file that ran it. Files report one after another, each ending with a complete event
  // named after the file, so everything since the previous one belongs to that file.
  let current = fresh();
  const fileLine = (file: string, t: FileTally, ms: number | undefined): string => {
    const parts = [`${t.pass} passed`];
    if (t.fail > 0) parts.push(`${t.fail} failed`);
    if (t.skipped > 0) parts.push(`${t.skipped} skipped`);
    if (t.todo > 0) parts.push(`${t.todo} todo`);
    const time = ms === undefined ? "" : ` (${seconds(ms)})`;
    const mark = t.fail > 0 ? "FAIL" : "ok  ";
    const body = t.failures.length > 0 ? `\n${t.failures.join("\n")}` : "";
    return `${mark} ${file}: ${parts.join(", ")}${time}${body}\n`;
  };
  const failedNames: string[] = [];
  const summary = new Map<string, string>();
  const isFileEvent = (data: { name: string; file?: string }) =>
    data.file !== undefined && data.name === data.file;

  for await (const event of source) {
    switch (event.type) {
      case "test:start": {
        if (isFileEvent(event.data)) break;
        current.stack.length = event.data.nesting;
        current.stack.push(event.data.name);
        break;
      }
      case "test:stderr": {
        const t = current;
        t.stderr.push(...event.data.message.replace(/\n$/, "").split("\n"));
        if (t.stderr.length > STDERR_LINES_KEPT) {
          t.stderr.splice(0, t.stderr.length - STDERR_LINES_KEPT);
        }
        break;
      }
      case "test:pass":
      case "test:fail": {
        const { data } = event;
        // The file's own result comes after its complete event, which already counted it.
        if (isFileEvent(data)) break;
        if (data.details.type === "suite" && event.type === "test:pass") break;
        const t = current;
        if (data.skip !== undefined) t.skipped++;
        else if (data.todo !== undefined) t.todo++;
        else if (event.type === "test:pass") t.pass++;
        else {
          if (data.details.type !== "suite") t.fail++;
          const error = event.data.details.error;
          if (onlySubtestsFailed(error)) break;
          const name = [...t.stack.slice(0, data.nesting), data.name].join(" > ");
          t.failedNames.push(name);
          t.failures.push(`  x ${name}\n${describeError(error)}`);
        }
        break;
      }
      case "test:complete": {
        const { data } = event;
        if (data.nesting !== 0 || !isFileEvent(data)) break;
        const t = current;
        current = fresh();
        const file = relative(data.file);
        // The file fails on its own only when it failed outside its tests (a crash at load,
        // a non-zero exit, a timeout).
        const error = data.details.error;
        if (!data.details.passed && !onlySubtestsFailed(error)) {
          t.fail++;
          t.failedNames.push("(the file itself failed)");
          let report = `  x the file itself failed\n${describeError(error)}`;
          if (t.stderr.length > 0) {
            report += `\n    stderr (last lines):\n${t.stderr.map((l) => `      ${l}`).join("\n")}`;
          }
          t.failures.push(report);
        }
        failedNames.push(...t.failedNames.map((n) => `${file}: ${n}`));
        yield fileLine(file, t, data.details.duration_ms);
        break;
      }
      case "test:diagnostic": {
        const m = /^(\w+) (.*)$/.exec(event.data.message);
        if (m && event.data.file === undefined && event.data.nesting === 0) {
          summary.set(m[1]!, m[2]!);
        }
        break;
      }
      default:
        break;
    }
  }

  if (current.pass + current.fail + current.skipped + current.todo > 0) {
    failedNames.push(...current.failedNames.map((n) => `(no file): ${n}`));
    yield fileLine("(tests outside any file)", current, undefined);
  }
  const out: string[] = [""];
  if (failedNames.length > 0) {
    out.push(`Failed (${failedNames.length}):`, ...failedNames.map((n) => `  ${n}`), "");
  }
  if (logPath !== undefined) out.push(`Full log (spec reporter): ${logPath}`);
  for (const key of [
    "duration_ms",
    "tests",
    "suites",
    "pass",
    "fail",
    "cancelled",
    "skipped",
    "todo",
  ]) {
    const value = summary.get(key);
    if (value !== undefined) out.push(`# ${key} ${value}`);
  }
  const count = (key: string): number => Number(summary.get(key) ?? 0);
  // A cancelled test (its file timed out or crashed mid-run) did not pass: count it as failed.
  let last = `${count("pass")} passed, ${count("fail") + count("cancelled")} failed`;
  if (count("skipped") > 0) last += `, ${count("skipped")} skipped`;
  out.push(last);
  yield `${out.join("\n")}\n`;
}
