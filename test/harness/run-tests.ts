/**
 * @file The test command (`npm run test:unit`): runs every test/**\/*.test.ts (or the files given
 * as arguments) with node:test, prints the compact report on stdout and writes the full spec
 * report to test-results.log. Run it as `node --import tsx --expose-gc test/harness/run-tests.ts`:
 * each test file runs in its own process with the same Node flags.
 *
 * Programmatic `run()` rather than `node --test --test-reporter=...ts`: Node 20 loads reporter
 * modules without the tsx hooks, so a TypeScript reporter cannot be named on the command line.
 */

import { createWriteStream, readdirSync } from "node:fs";
import path from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { compactReporter } from "./compact-reporter.js";

const LOG = "test-results.log";

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (entry.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const files = (args.length > 0 ? args : testFiles("test")).sort().map((f) => path.resolve(f));

// As `node --test` does: one process per file, as many at once as there are cores but one.
const stream = run({ files, concurrency: true });

let failed = false;
stream.on("test:diagnostic", (data: { message: string; file?: string; nesting: number }) => {
  if (data.file !== undefined || data.nesting !== 0) return;
  const m = /^(fail|cancelled) (\d+)$/.exec(data.message);
  if (m && Number(m[2]) > 0) failed = true;
});
stream.on("test:fail", (data: { todo?: unknown }) => {
  if (data.todo === undefined) failed = true;
});

const log = createWriteStream(LOG);
stream.compose(new spec()).pipe(log);
const compact = stream.compose(compactReporter(LOG));
compact.pipe(process.stdout);
compact.on("end", () => {
  if (failed) process.exitCode = 1;
});
