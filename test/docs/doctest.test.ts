/**
 * @file Doc-tests: every ```ts block of README.md and docs/**\/*.md and every `@example` of the
 * public API runs as its own test (named file:line) and its `// =>` and `// throws:` lines are
 * checked. All blocks are first type-checked together by one run of the project's compiler
 * (TypeScript 7, the repo's strict settings), so an example whose types are wrong fails too.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { getBackend, getDefaultFloat, setBackend, setDefaultFloat } from "../../src/index.js";
import { readApiSurface } from "./api-surface.js";
import { type DocBlock, markdownBlocks, ROOT, rewriteBlock, tsdocBlocks } from "./doc-blocks.js";

// One folder per run: two runs at once (a helper's and the full suite) must not share files.
const OUT = join(ROOT, "build/doctest", `run-${process.pid}`);
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
after(() => rmSync(OUT, { recursive: true, force: true }));

interface Job {
  block: DocBlock;
  module: string;
  problems: string[];
  typeErrors: string[];
}

const blocks = [...markdownBlocks(), ...tsdocBlocks(readApiSurface())];
const jobs = new Map<string, Job>();
for (const block of blocks) {
  const module = `${block.file.replace(/[^\w]+/g, "_")}_${block.line}.ts`;
  const { code, problems } = rewriteBlock(block, OUT);
  writeFileSync(join(OUT, module), code);
  jobs.set(module, { block, module, problems, typeErrors: [] });
}

// One compiler run for all blocks, with the repo's settings.
writeFileSync(
  join(OUT, "tsconfig.json"),
  JSON.stringify({
    extends: relative(OUT, join(ROOT, "tsconfig.json")),
    compilerOptions: { noEmit: true, declaration: false, sourceMap: false, rootDir: ROOT },
    include: ["./*.ts"],
  }),
);
let tscOutput = "";
try {
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules/typescript-native/bin/tsc"),
      "-p",
      join(OUT, "tsconfig.json"),
      "--pretty",
      "false",
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
} catch (err) {
  tscOutput = String((err as { stdout?: unknown }).stdout ?? err);
}
let last: Job | undefined;
for (const raw of tscOutput.split("\n")) {
  const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(raw);
  if (m) {
    last = jobs.get(basename(m[1]!));
    if (!m[1]!.includes("build/doctest/")) last = undefined;
    if (last) {
      const line = Number(m[2]) - 1;
      const text = last.block.code.split("\n")[line]?.trim() ?? "";
      last.typeErrors.push(
        `${last.block.file}:${last.block.line + line}: ${m[4]}: ${m[5]}\n    ${text}`,
      );
    }
  } else if (last && raw.startsWith(" ")) {
    last.typeErrors[last.typeErrors.length - 1] += `\n  ${raw.trim()}`;
  }
}

test("doc-tests found blocks in README.md, docs/ and the TSDoc examples", () => {
  assert.ok(
    blocks.some((b) => b.file === "README.md"),
    "no ```ts block in README.md",
  );
  assert.ok(
    blocks.some((b) => b.file.startsWith("docs/")),
    "no ```ts block in docs/",
  );
  assert.ok(
    blocks.some((b) => b.file.startsWith("src/")),
    "no @example in src/",
  );
});

for (const job of jobs.values()) {
  const { block } = job;
  test(`${block.file}:${block.line}`, async () => {
    assert.equal(job.problems.length, 0, job.problems.join("\n"));
    assert.equal(job.typeErrors.length, 0, `type errors:\n${job.typeErrors.join("\n")}`);
    const float = getDefaultFloat();
    const backend = getBackend();
    const { log, info } = console;
    // Blocks may print; keep the test output to the results.
    console.log = () => {};
    console.info = () => {};
    try {
      await import(pathToFileURL(join(OUT, job.module)).href);
    } finally {
      console.log = log;
      console.info = info;
      setDefaultFloat(float);
      setBackend(backend);
    }
  });
}
