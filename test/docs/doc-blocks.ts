/**
 * @file The doc-test blocks: every ```ts block of README.md and docs/**\/*.md (unless its info
 * string says `no-run`) and every `@example` of the public API, and their rewriting into modules
 * that check their `// =>` and `// throws:` lines.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import type { ApiItem } from "./api-surface.js";

/** One runnable block of documentation. */
export interface DocBlock {
  /** Repo-relative file (README.md, docs/x.md, src/x.ts). */
  file: string;
  /** 1-based line of the block's first code line in `file`. */
  line: number;
  code: string;
}

export const ROOT = resolve(import.meta.dirname, "../..");

function markdownFiles(): string[] {
  const out = ["README.md"];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) out.push(path);
    }
  };
  walk("docs");
  return out.sort();
}

/** The ```ts blocks of one markdown text (fences may be indented, e.g. inside a list). */
export function blocksOfMarkdown(file: string, text: string): DocBlock[] {
  const lines = text.split("\n");
  const out: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = "", fence = "```", lang = "", rest = ""] = open;
    // CommonMark: a backtick fence's info string has no backtick (```` ```ts ```` is inline code).
    if (fence.startsWith("`") && `${lang}${rest}`.includes("`")) continue;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) j++;
    const runs = /^(ts|typescript)$/i.test(lang) && !/\bno-run\b/.test(rest);
    if (runs) {
      const body = lines
        .slice(i + 1, j)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
      out.push({ file, line: i + 2, code: body.join("\n") });
    }
    i = j;
  }
  return out;
}

export function markdownBlocks(): DocBlock[] {
  return markdownFiles().flatMap((f) => blocksOfMarkdown(f, readFileSync(join(ROOT, f), "utf8")));
}

/** The `@example` blocks of the public API (each once, however many names reach it). */
export function tsdocBlocks(items: readonly ApiItem[]): DocBlock[] {
  const seen = new Set<string>();
  const out: DocBlock[] = [];
  for (const item of items) {
    for (const ex of item.examples) {
      const key = `${ex.file}:${ex.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ file: ex.file, line: ex.line, code: ex.code });
    }
  }
  return out;
}

/** A block rewritten as a module, with the problems found while rewriting it. */
export interface Rewritten {
  code: string;
  problems: string[];
}

/** A relative import specifier from `outDir` to a repo file. */
function specifier(outDir: string, file: string): string {
  const r = relative(outDir, join(ROOT, file)).replaceAll("\\", "/");
  return r.startsWith(".") ? r : `./${r}`;
}

const MARK = /\/\/\s*(=>|throws:)\s?(.*)$/;

/**
 * Rewrites a block into a module under `outDir` that imports the library from src/ and checks its
 * expectations, keeping every line where it was (so compiler errors map back line for line):
 * `expr; // => v` becomes `await __doc.expect("file:line", "expr", async () => (expr), "v");`,
 * `stmt; // throws: E: msg` becomes `await __doc.throws(..., async () => { stmt }, "E: msg");`.
 * `console.log(x); // => v` checks x. A block that does not import "adjoint" gets
 * `import * as ad from "adjoint"` (the line is appended: imports are hoisted).
 */
export function rewriteBlock(block: DocBlock, outDir: string): Rewritten {
  const src = block.code;
  const sf = ts.createSourceFile("block.ts", src, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const index = specifier(outDir, "src/index.js");
  const runtime = specifier(outDir, "test/docs/doc-runtime.js");
  const edits: { start: number; end: number; text: string }[] = [];
  const problems: string[] = [];
  let importsAdjoint = false;
  const at = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line;
  const where = (line: number): string => `${block.file}:${block.line + line}`;
  const consumed = new Set<number>();

  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
      if (stmt.moduleSpecifier.text === "adjoint") {
        importsAdjoint = true;
        const s = stmt.moduleSpecifier;
        edits.push({ start: s.getStart(sf), end: s.end, text: JSON.stringify(index) });
      }
      continue;
    }
    const comments = ts.getTrailingCommentRanges(src, stmt.end) ?? [];
    const mark = comments.map((c) => MARK.exec(src.slice(c.pos, c.end))).find((m) => m !== null);
    if (!mark) continue;
    const endLine = at(stmt.end);
    consumed.add(endLine);
    const expected = (mark[2] ?? "").trim();
    const start = stmt.getStart(sf);
    const text = src.slice(start, stmt.end);
    const label = JSON.stringify(where(endLine));
    if (mark[1] === "=>") {
      if (!ts.isExpressionStatement(stmt)) {
        problems.push(
          `${where(endLine)}: \`// =>\` must end an expression statement; got: ${text}`,
        );
        continue;
      }
      let expr: ts.Expression = stmt.expression;
      if (
        ts.isCallExpression(expr) &&
        expr.expression.getText(sf) === "console.log" &&
        expr.arguments.length === 1
      ) {
        expr = expr.arguments[0]!;
      }
      const exprText = src.slice(expr.getStart(sf), expr.end);
      const shown = JSON.stringify(
        src.slice(stmt.expression.getStart(sf), stmt.expression.end).replace(/\s+/g, " "),
      );
      edits.push({
        start,
        end: stmt.end,
        text: `await __doc.expect(${label}, ${shown}, async () => (${exprText}), ${JSON.stringify(expected)});`,
      });
    } else {
      const shown = JSON.stringify(text.replace(/\s+/g, " "));
      edits.push({
        start,
        end: stmt.end,
        text: `await __doc.throws(${label}, ${shown}, async () => { ${text} }, ${JSON.stringify(expected)});`,
      });
    }
  }
  // A mark anywhere else (inside a function, after a non-final line of a statement) would be
  // silently ignored: report it instead.
  src.split("\n").forEach((l, i) => {
    if (!consumed.has(i) && MARK.test(l)) {
      problems.push(`${where(i)}: \`${l.trim()}\` is not at the end of a top-level statement`);
    }
  });
  let out = src;
  for (const e of edits.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  }
  const tail = [`import { doc as __doc } from ${JSON.stringify(runtime)};`];
  if (!importsAdjoint) tail.push(`import * as ad from ${JSON.stringify(index)};`);
  return { code: `${out}\n${tail.join(" ")}\nexport {};\n`, problems };
}
