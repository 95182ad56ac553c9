/**
 * @file The public API surface as the TypeScript 5.9 compiler sees it from src/index.ts: every
 * root export, the members of the `linalg` and `random` namespaces and the public Tensor members,
 * each with its TSDoc (summary, `@example` blocks and `@category`), for the coverage test and the
 * doc-tests.
 */

import { resolve } from "node:path";
import ts from "typescript";

/** One documented (or undocumented) item of the public API. */
export interface ApiItem {
  /** How users reach it: `grad`, `linalg.inv`, `Tensor.add`. */
  name: string;
  /** "function" needs an `@example`; the others need only a comment. */
  kind: "function" | "class" | "type" | "value" | "namespace" | "member";
  /** Whether a TSDoc comment (summary text or any tag) is attached. */
  documented: boolean;
  /** The `@category` tag's text, if any. */
  category: string | undefined;
  /** The `@example` blocks. */
  examples: ApiExample[];
  /** Where it is declared (repo-relative file and 1-based line). */
  file: string;
  line: number;
}

/** One `@example` block: its code and where the code starts. */
export interface ApiExample {
  file: string;
  /** 1-based line of the example's first code line in `file`. */
  line: number;
  code: string;
}

const ROOT = resolve(import.meta.dirname, "../..");

function rel(fileName: string): string {
  return fileName.startsWith(`${ROOT}/`) ? fileName.slice(ROOT.length + 1) : fileName;
}

function jsDocsOf(decl: ts.Node): ts.JSDoc[] {
  return ts.getJSDocCommentsAndTags(decl).filter((d): d is ts.JSDoc => ts.isJSDoc(d));
}

/** Strips the ` * ` gutter of a JSDoc line. */
function ungutter(line: string): string {
  return line.replace(/^\s*\*(?: |$)/, "");
}

/** The code blocks of one `@example` tag: its fenced blocks, or all of it when it has no fence. */
function examplesOf(tag: ts.JSDocTag, sf: ts.SourceFile): ApiExample[] {
  const start = tag.tagName.end;
  const raw = sf.text.slice(start, tag.end);
  const firstLine = sf.getLineAndCharacterOfPosition(start).line; // 0-based
  const lines = raw.split("\n").map((l, i) => (i === 0 ? l : ungutter(l)));
  // Drop a trailing comment close that belongs to the last tag.
  const clean = lines.map((l) => l.replace(/\s*\*\/\s*$/, ""));
  const out: ApiExample[] = [];
  const fence = clean.findIndex((l) => /^\s*```/.test(l));
  if (fence >= 0) {
    for (let i = 0; i < clean.length; i++) {
      const open = /^\s*```\s*(\S*)(.*)$/.exec(clean[i]!);
      if (!open) continue;
      const info = open[1] ?? "";
      const noRun = /\bno-run\b/.test(open[2] ?? "");
      let j = i + 1;
      while (j < clean.length && !/^\s*```\s*$/.test(clean[j]!)) j++;
      if (/^(ts|typescript)?$/.test(info) && !noRun) {
        out.push({
          file: rel(sf.fileName),
          line: firstLine + i + 2,
          code: clean.slice(i + 1, j).join("\n"),
        });
      }
      i = j;
    }
    return out;
  }
  // No fence: the tag's text is the code (TypeDoc renders it as code too).
  let first = 0;
  while (first < clean.length && clean[first]!.trim() === "") first++;
  let last = clean.length;
  while (last > first && clean[last - 1]!.trim() === "") last--;
  if (first < last) {
    out.push({
      file: rel(sf.fileName),
      line: firstLine + first + 1,
      code: clean.slice(first, last).join("\n"),
    });
  }
  return out;
}

function describe(name: string, kind: ApiItem["kind"], decls: readonly ts.Declaration[]): ApiItem {
  let documented = false;
  let category: string | undefined;
  const examples: ApiExample[] = [];
  const seen = new Set<string>();
  for (const decl of decls) {
    const sf = decl.getSourceFile();
    for (const doc of jsDocsOf(decl)) {
      const text = typeof doc.comment === "string" ? doc.comment : (doc.comment?.length ?? 0);
      const tags = doc.tags ?? [];
      if (text || tags.length > 0) documented = true;
      for (const tag of tags) {
        const tagName = tag.tagName.text;
        if (tagName === "category") {
          category = ts.getTextOfJSDocComment(tag.comment)?.trim();
        } else if (tagName === "example") {
          const key = `${sf.fileName}:${tag.pos}`;
          if (seen.has(key)) continue;
          seen.add(key);
          examples.push(...examplesOf(tag, sf));
        }
      }
    }
  }
  const first = decls[0];
  const sf = first?.getSourceFile();
  return {
    name,
    kind,
    documented,
    category,
    examples,
    file: sf ? rel(sf.fileName) : "?",
    line: sf && first ? sf.getLineAndCharacterOfPosition(first.getStart(sf)).line + 1 : 0,
  };
}

function isInternal(decl: ts.Declaration): boolean {
  return jsDocsOf(decl).some((d) => (d.tags ?? []).some((t) => t.tagName.text === "internal"));
}

function hasCallSignatures(checker: ts.TypeChecker, sym: ts.Symbol): boolean {
  const decl = sym.valueDeclaration;
  if (!decl) return false;
  return checker.getTypeOfSymbolAtLocation(sym, decl).getCallSignatures().length > 0;
}

function unalias(checker: ts.TypeChecker, sym: ts.Symbol): ts.Symbol {
  return sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
}

/** The members of a namespace-like export: an object literal of functions or a module. */
function namespaceMembers(checker: ts.TypeChecker, sym: ts.Symbol): [string, ts.Symbol][] {
  if (sym.flags & ts.SymbolFlags.ValueModule) {
    return checker.getExportsOfModule(sym).map((s) => [s.name, unalias(checker, s)]);
  }
  const decl = sym.valueDeclaration;
  if (!decl) return [];
  const type = checker.getTypeOfSymbolAtLocation(sym, decl);
  return checker.getPropertiesOfType(type).map((prop): [string, ts.Symbol] => {
    const pd = prop.valueDeclaration;
    if (pd && ts.isShorthandPropertyAssignment(pd)) {
      const target = checker.getShorthandAssignmentValueSymbol(pd);
      if (target) return [prop.name, unalias(checker, target)];
    }
    if (pd && ts.isPropertyAssignment(pd) && ts.isIdentifier(pd.initializer)) {
      const target = checker.getSymbolAtLocation(pd.initializer);
      if (target) return [prop.name, unalias(checker, target)];
    }
    return [prop.name, prop];
  });
}

/** Namespaces exported from the root whose members are documented one by one. */
export const NAMESPACES = ["linalg", "random", "nn", "optim", "onnx"];

/** Reads the public API from src/index.ts (about 1-2 s). */
export function readApiSurface(): ApiItem[] {
  const entry = resolve(ROOT, "src/index.ts");
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2022.d.ts"],
  });
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(entry);
  if (!sf) throw new Error(`cannot read ${entry}`);
  const moduleSym = checker.getSymbolAtLocation(sf);
  if (!moduleSym) throw new Error("src/index.ts is not a module");
  const items: ApiItem[] = [];
  for (const exported of checker.getExportsOfModule(moduleSym)) {
    const sym = unalias(checker, exported);
    const decls = sym.declarations ?? [];
    const name = exported.name;
    if (NAMESPACES.includes(name)) {
      items.push(describe(name, "namespace", decls));
      for (const [member, msym] of namespaceMembers(checker, sym)) {
        const mk = hasCallSignatures(checker, msym) ? "function" : "value";
        items.push(describe(`${name}.${member}`, mk, msym.declarations ?? []));
      }
      continue;
    }
    let kind: ApiItem["kind"];
    if (sym.flags & ts.SymbolFlags.Class) kind = "class";
    else if (sym.flags & ts.SymbolFlags.Function) kind = "function";
    else if (sym.flags & ts.SymbolFlags.Variable)
      kind = hasCallSignatures(checker, sym) ? "function" : "value";
    else if (sym.flags & ts.SymbolFlags.ValueModule) kind = "namespace";
    else kind = "type";
    items.push(describe(name, kind, decls));
    if (name === "Tensor") items.push(...classMembers(checker, sym, "Tensor"));
  }
  return items;
}

function classMembers(checker: ts.TypeChecker, cls: ts.Symbol, prefix: string): ApiItem[] {
  const out: ApiItem[] = [];
  const members = [...(cls.members?.values() ?? []), ...(cls.exports?.values() ?? [])];
  for (const m of members) {
    const decls = (m.declarations ?? []).filter((d) => !ts.isConstructorDeclaration(d));
    if (decls.length === 0 || m.name.startsWith("_") || m.name === "__constructor") continue;
    if (decls.some(isInternal)) continue;
    const mods = ts.getCombinedModifierFlags(decls[0]!);
    if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
    if (ts.isPrivateIdentifier((decls[0] as ts.NamedDeclaration).name ?? decls[0]!)) continue;
    out.push(describe(`${prefix}.${m.name}`, "member", decls));
  }
  void checker;
  return out;
}
