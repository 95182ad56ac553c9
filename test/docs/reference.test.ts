/**
 * @file The generated API reference (`npm run docs`, TypeDoc with typedoc.json) builds without
 * errors or broken links, into build/reference/, and has a page for every root export.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  Application,
  DeclarationReflection,
  Logger,
  LogLevel,
  ReflectionKind,
  ReflectionType,
} from "typedoc";
import { NAMESPACES, readApiSurface } from "./api-surface.js";
import { ROOT } from "./doc-blocks.js";

/** Keeps TypeDoc's messages instead of printing them. */
class CollectingLogger extends Logger {
  readonly messages: { level: LogLevel; text: string }[] = [];
  override log(text: string, level: LogLevel): void {
    super.log(text, level);
    this.messages.push({ level, text });
  }
}

/** Whether a reflection shows a comment: its own, its signatures' or its function type's. */
function hasComment(r: DeclarationReflection): boolean {
  if (r.comment || r.signatures?.some((s) => s.comment)) return true;
  return (
    r.type instanceof ReflectionType && (r.type.declaration.signatures ?? []).some((s) => s.comment)
  );
}

test("npm run docs builds the API reference with a page for every export", async (t) => {
  // Its own folder: `npm run docs` (build/reference/) and other runs may be writing at once.
  const out = join(ROOT, "build/reference-test", `run-${process.pid}`);
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const app = await Application.bootstrapWithPlugins({ options: join(ROOT, "typedoc.json") });
  const logger = new CollectingLogger();
  app.logger = logger;
  const project = await app.convert();
  assert.ok(
    project,
    `TypeDoc could not convert src/index.ts:\n${logger.messages.map((m) => m.text).join("\n")}`,
  );
  await app.generateDocs(project, out);

  // Every warning counts, including a type that an export names but the root does not export
  // (it would show as a plain name without a page; typedoc.json lists the few internal helpers).
  const problems = logger.messages
    .filter((m) => m.level >= LogLevel.Warn)
    .map((m) => `${LogLevel[m.level]}: ${m.text}`);
  assert.deepEqual(problems, [], `TypeDoc reported:\n${problems.join("\n")}`);

  const surface = readApiSurface();
  const documented = new Set((project.children ?? []).map((r) => r.name));
  const missing = surface
    .filter((i) => !i.name.includes("."))
    .map((i) => i.name)
    .filter((n) => !documented.has(n));
  assert.deepEqual(missing, [], `exports missing from the reference: ${missing.join(", ")}`);

  // linalg and random are objects in the code; the reference shows them as namespaces whose
  // members carry their functions' TSDoc (the `@namespace` tag on their declaration does this).
  const undocumented = surface
    .filter((i) => NAMESPACES.includes(i.name.split(".")[0]!) && i.name.includes("."))
    .map((i) => i.name)
    .filter((n) => {
      const r = project.getChildByName(n.split("."));
      return !(r instanceof DeclarationReflection && hasComment(r));
    });
  assert.deepEqual(
    undocumented,
    [],
    `namespace members without a documented page: ${undocumented.join(", ")}`,
  );

  const grad = project.getChildByName("grad");
  assert.equal(grad?.kind, ReflectionKind.Function);
  assert.ok(existsSync(join(out, "functions/grad.html")), "no page for grad");
  assert.match(readFileSync(join(out, "index.html"), "utf8"), /functions\/grad\.html/);
});
