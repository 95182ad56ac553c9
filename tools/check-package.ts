/**
 * @file The package check (`npm run check:package`, run by .ci/run): tests adjoint the way users
 * get it. It packs the package (`npm pack`, which builds it), checks the tarball's file list,
 * installs the tarball into a scratch project outside the repository, and there (a) imports it
 * from a plain .mjs file in Node, (b) type-checks a strict TypeScript consumer with NodeNext and
 * bundler resolution under both of the repo's compilers (5.9 and 7) without @types/node, and
 * (c) bundles a page with esbuild and runs it in headless Chromium. Prints a line per step and
 * exits non-zero if any step failed. Fixtures: tools/package-check/.
 *
 * Chromium: /usr/bin/chromium or CHROMIUM_PATH. Without it the browser step is skipped, unless
 * ADJOINT_BROWSER_TESTS=required (as on CI), where it fails. KEEP_PACKAGE_CHECK=1 keeps the
 * scratch directories.
 */

import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = path.join(ROOT, "tools", "package-check");
const COMPILERS = [
  { name: "TypeScript 5.9", tsc: path.join(ROOT, "node_modules", "typescript", "bin", "tsc") },
  { name: "TypeScript 7", tsc: path.join(ROOT, "node_modules", "typescript-native", "bin", "tsc") },
];
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
];
/** Files a tarball may hold outside dist/ (npm adds package.json, README and LICENSE itself). */
const ALLOWED_OUTSIDE_DIST =
  /^(package\.json|README(\.md)?|LICEN[CS]E(\.md|\.txt)?|CHANGELOG\.md)$/i;

class CheckFailure extends Error {}

function fail(message: string): never {
  throw new CheckFailure(message);
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * The environment for child processes: what `npm run` adds for its script (this package's
 * fields, the lifecycle, the repo as local prefix) and NODE_OPTIONS are dropped, so the scratch
 * project sees what a user's shell gives it. npm's configuration (registry, cache) is kept.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const fromScript =
      /^npm_(package|lifecycle)_/.test(k) ||
      ["npm_config_local_prefix", "INIT_CWD", "NODE_OPTIONS"].includes(k);
    if (!fromScript) env[k] = v;
  }
  return env;
}

/** Runs a command; returns its stdout, or fails with its output. */
function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) fail(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) {
    const out = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-40).join("\n");
    fail(`\`${cmd} ${args.join(" ")}\` exited with ${r.status} in ${cwd}:\n${out}`);
  }
  return r.stdout;
}

let failures = 0;

async function step(name: string, fn: () => string | undefined | Promise<string | undefined>) {
  process.stdout.write(`- ${name}\n`);
  const t0 = performance.now();
  try {
    const detail = await fn();
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    process.stdout.write(
      `  ok (${secs} s)${detail ? `: ${detail.split("\n").join("\n    ")}` : ""}\n`,
    );
  } catch (e) {
    failures++;
    const msg =
      e instanceof CheckFailure
        ? e.message
        : e instanceof Error
          ? (e.stack ?? e.message)
          : String(e);
    process.stdout.write(`  FAILED: ${msg.split("\n").join("\n    ")}\n`);
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Every path string in package.json's exports, main and types. */
function entryPaths(pkg: { exports?: unknown; main?: unknown; types?: unknown }): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === "string") out.push(v.replace(/^\.\//, ""));
    else if (v !== null && typeof v === "object") for (const w of Object.values(v)) visit(w);
  };
  visit(pkg.exports);
  visit(pkg.main);
  visit(pkg.types);
  return [...new Set(out)];
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

// ---- the steps -----------------------------------------------------------------------------

const packDir = mkdtempSync(path.join(os.tmpdir(), "adjoint-pack-"));
const scratch = mkdtempSync(path.join(os.tmpdir(), "adjoint-consumer-"));
let packed: PackResult | undefined;
let tarball = "";
let installed = false;

process.stdout.write(
  `package check: ${ROOT}\n  tarball in ${packDir}\n  scratch project in ${scratch}\n`,
);

await step("npm pack (runs the build through the prepare script)", () => {
  const out = run("npm", ["pack", "--json", "--pack-destination", packDir], ROOT);
  // npm 11 prints only the JSON on stdout; older npms put the prepare output before it.
  const json = out.slice(Math.max(0, out.search(/^\[\s*$/m)));
  const results = JSON.parse(json) as PackResult[];
  packed = results[0] ?? fail("npm pack printed no result");
  tarball = path.join(packDir, packed.filename);
  if (!existsSync(tarball))
    fail(`npm pack reported ${packed.filename}, but ${tarball} does not exist`);
  return `${packed.filename}: ${kb(packed.size)} packed, ${kb(packed.unpackedSize)} unpacked, ${packed.files.length} files`;
});

await step("(d) the tarball holds dist with declarations and source maps, and nothing else", () => {
  if (packed === undefined) fail("no tarball (npm pack failed)");
  const files = packed.files.map((f) => f.path);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    exports?: unknown;
    main?: unknown;
    types?: unknown;
    sideEffects?: unknown;
  };
  const required = ["dist/index.js", "dist/index.d.ts", "package.json", ...entryPaths(pkg)];
  const missing = [...new Set(required)].filter((f) => !files.includes(f));
  if (missing.length > 0) fail(`missing from the tarball: ${missing.join(", ")}`);
  const stray = files.filter((f) => !f.startsWith("dist/") && !ALLOWED_OUTSIDE_DIST.test(f));
  if (stray.length > 0)
    fail(`files outside dist/ in the tarball: ${stray.slice(0, 20).join(", ")}`);
  const forbidden = files.filter(
    (f) => /(^|\/)(test|tests|bench|node_modules|src)\//.test(f) || /\.test\.[jt]s$/.test(f),
  );
  if (forbidden.length > 0)
    fail(
      `tests, benchmarks, sources or node_modules in the tarball: ${forbidden.slice(0, 20).join(", ")}`,
    );
  const js = files.filter((f) => f.endsWith(".js"));
  const maps = new Set(files.filter((f) => f.endsWith(".js.map")));
  const unmapped = js.filter((f) => !maps.has(`${f}.map`));
  if (unmapped.length > 0)
    fail(`JavaScript files without a source map: ${unmapped.slice(0, 20).join(", ")}`);
  const dts = files.filter((f) => f.endsWith(".d.ts"));
  const undeclared = js.filter((f) => !dts.includes(f.replace(/\.js$/, ".d.ts")));
  if (undeclared.length > 0)
    fail(`JavaScript files without declarations: ${undeclared.slice(0, 20).join(", ")}`);
  if (pkg.sideEffects === undefined || pkg.sideEffects === true) {
    fail(
      `package.json must declare sideEffects (false, or the few files that have them); got ${String(pkg.sideEffects)}`,
    );
  }
  return `${js.length} .js, ${dts.length} .d.ts, ${maps.size} .js.map; sideEffects: ${JSON.stringify(pkg.sideEffects)}`;
});

await step("npm install <tarball> into a scratch project outside the repository", () => {
  if (tarball === "") fail("no tarball (npm pack failed)");
  writeFileSync(
    path.join(scratch, "package.json"),
    `${JSON.stringify({ name: "adjoint-consumer", private: true, type: "module" }, null, 2)}\n`,
  );
  run("npm", ["install", tarball, "--no-audit", "--no-fund"], scratch);
  const dir = path.join(scratch, "node_modules", "adjoint");
  if (!existsSync(path.join(dir, "package.json"))) fail(`${dir} was not installed`);
  installed = true;
  const all = walk(path.join(scratch, "node_modules"));
  const bytes = all.reduce((s, f) => s + statSync(f).size, 0);
  const others = readdirSync(path.join(scratch, "node_modules")).filter(
    (d) => d !== "adjoint" && !d.startsWith("."),
  );
  if (others.length > 0) fail(`installing adjoint brought other packages: ${others.join(", ")}`);
  return `node_modules: ${all.length} files, ${kb(bytes)} (adjoint alone, no dependencies)`;
});

await step(
  "the installed files: source maps carry their sources, declarations name no Node or DOM types",
  () => {
    if (!installed) fail("not installed");
    const dist = path.join(scratch, "node_modules", "adjoint", "dist");
    const files = walk(dist);
    const problems: string[] = [];
    for (const f of files.filter((f) => f.endsWith(".js.map"))) {
      const map = JSON.parse(readFileSync(f, "utf8")) as {
        sources?: string[];
        sourcesContent?: (string | null)[];
      };
      const n = map.sources?.length ?? 0;
      if (
        n === 0 ||
        map.sourcesContent?.length !== n ||
        map.sourcesContent.some((s) => typeof s !== "string")
      ) {
        problems.push(`${path.relative(dist, f)}: sources not inlined`);
      }
    }
    for (const f of files.filter((f) => f.endsWith(".js"))) {
      const tail = readFileSync(f, "utf8").slice(-200);
      if (!tail.includes(`//# sourceMappingURL=${path.basename(f)}.map`))
        problems.push(`${path.relative(dist, f)}: no sourceMappingURL`);
    }
    for (const f of files.filter((f) => f.endsWith(".d.ts"))) {
      const text = readFileSync(f, "utf8");
      if (
        /\/\/\/\s*<reference\s+(types=["']node["']|lib=["']dom)/i.test(text) ||
        /\bNodeJS\./.test(text)
      ) {
        problems.push(`${path.relative(dist, f)}: refers to Node or DOM types`);
      }
    }
    if (problems.length > 0) fail(problems.slice(0, 20).join("\n"));
    return undefined;
  },
);

await step('(a) plain Node: a .mjs file imports "adjoint" and checks a derivative', () => {
  if (!installed) fail("not installed");
  copyFileSync(path.join(FIXTURES, "smoke.mjs"), path.join(scratch, "smoke.mjs"));
  return run(process.execPath, ["smoke.mjs"], scratch).trim();
});

for (const resolution of ["NodeNext", "bundler"] as const) {
  for (const compiler of COMPILERS) {
    await step(
      `(b) strict TypeScript consumer, moduleResolution ${resolution}, ${compiler.name}`,
      () => {
        if (!installed) fail("not installed");
        copyFileSync(path.join(FIXTURES, "consumer.ts"), path.join(scratch, "consumer.ts"));
        const config = `tsconfig.${resolution.toLowerCase()}.json`;
        const compilerOptions = {
          target: "ES2022",
          lib: ["ES2022"],
          module: resolution === "NodeNext" ? "NodeNext" : "ESNext",
          moduleResolution: resolution,
          strict: true,
          noUncheckedIndexedAccess: true,
          // The package's own declarations are checked too, under these options and libs.
          skipLibCheck: false,
          types: [],
          noEmit: true,
        };
        writeFileSync(
          path.join(scratch, config),
          `${JSON.stringify({ compilerOptions, files: ["consumer.ts"] }, null, 2)}\n`,
        );
        const version = run(process.execPath, [compiler.tsc, "--version"], scratch).trim();
        run(process.execPath, [compiler.tsc, "-p", config], scratch);
        return version;
      },
    );
  }
}

interface PageResult {
  got?: number[];
  want?: number[];
  error?: string;
  nodeGlobals?: boolean;
  failure?: string;
}

await step(
  '(c) esbuild bundles a page importing "adjoint"; headless Chromium runs it',
  async () => {
    if (!installed) fail("not installed");
    copyFileSync(path.join(FIXTURES, "page.mjs"), path.join(scratch, "page.mjs"));
    const bundle = await build({
      entryPoints: [path.join(scratch, "page.mjs")],
      absWorkingDir: scratch,
      bundle: true,
      platform: "browser",
      format: "esm",
      minify: true,
      write: false,
      logLevel: "silent",
    });
    const js = bundle.outputFiles[0]?.text ?? fail("esbuild wrote no output");
    if (/require\(["']node:|from\s*["']node:/.test(js))
      fail("the browser bundle refers to node: modules");
    const size = `bundle ${kb(js.length)} minified, ${kb(gzipSync(js).length)} gzipped`;

    const required = process.env.ADJOINT_BROWSER_TESTS === "required";
    if (!existsSync(CHROMIUM)) {
      if (required) fail(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
      return `${size}; SKIPPED the browser run: no Chromium at ${CHROMIUM}`;
    }
    const html = `<!doctype html><html><body><script type="module" src="/bundle.js"></script></body></html>`;
    const server = createServer((req, res) => {
      const isJs = req.url === "/bundle.js";
      res.writeHead(200, { "content-type": isJs ? "text/javascript" : "text/html" });
      res.end(isJs ? js : html);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction("document.body.dataset.result !== undefined", undefined, {
        timeout: 30_000,
      });
      const r = JSON.parse(
        String(await page.evaluate("document.body.dataset.result")),
      ) as PageResult;
      if (r.failure !== undefined) fail(`the page threw: ${r.failure}`);
      const got = r.got ?? [];
      const want = r.want ?? [];
      const err = Math.max(...want.map((w, i) => Math.abs((got[i] ?? Number.NaN) - w)));
      if (!(got.length === 3 && err < 1e-12))
        fail(`derivative in the browser: got ${got}, want ${want}`);
      if (r.error !== "ShapeError")
        fail(`add([2], [3]) in the browser should throw ShapeError; got ${r.error}`);
      if (r.nodeGlobals !== false) fail("the page saw Node globals");
      return `${size}; grad in Chromium = closed form (max error ${err.toExponential(1)})`;
    } finally {
      await browser.close();
      server.close();
    }
  },
);

if (failures === 0 && process.env.KEEP_PACKAGE_CHECK !== "1") {
  rmSync(packDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}
if (failures > 0) {
  process.stdout.write(`package check: ${failures} step(s) FAILED (scratch kept in ${scratch})\n`);
  process.exit(1);
}
process.stdout.write("package check: all steps passed\n");
