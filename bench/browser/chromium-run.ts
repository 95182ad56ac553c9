/**
 * @file `npm run bench -- --browser`: the same workloads, peers, timing and checks as the Node
 * benchmark, in headless Chromium. For each peer, one after another: esbuild bundles the peer's
 * runner (from the repository's TypeScript source) with page.ts's driver, a fresh Chromium loads
 * it from server.ts (cross-origin isolated: COOP/COEP on every response, .wasm as
 * application/wasm) and runs every case in the page; the result lines come back through an
 * exposed function and are printed as they arrive, as run.ts does for its worker threads.
 *
 * Node built-ins reached by the shared bench code are replaced in the bundle by small browser
 * modules (NODE_SHIMS): performance from the page, no worker_threads, and the one file the
 * workloads read, W7's digits, embedded in the bundle (gunzipped here, parsed in the page by
 * examples/data/digits.ts's own loadDigits).
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import type { ResultLine, WorkerInput, WorkerMessage } from "../peers/worker.js";
import { startServer } from "./server.js";

/** One peer's run, as run.ts's table expects it. */
export interface BrowserPeerRun {
  readonly peer: string;
  info: Record<string, unknown>;
  readonly lines: ResultLine[];
  cases: number;
  seconds: number;
}

/** The repository's root: the nearest folder up holding bench/package.json (tsx or bench/build). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "bench", "package.json")) && existsSync(join(dir, "src"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`bench: repository root not found above ${import.meta.url}`);
    dir = up;
  }
}

const ROOT = repoRoot();
const HERE = join(ROOT, "bench", "browser");

/** Each peer's bundle entry: it imports the peer's runner and installs it in the page. */
const ENTRIES: Readonly<Record<string, string>> = {
  adjoint: `import { adjointBrowserRunner as runner } from "./peers/adjoint.ts";`,
  "tfjs-cpu": `import { tfjsBrowserRunner } from "./peers/tfjs.ts"; const runner = tfjsBrowserRunner("cpu");`,
  "tfjs-wasm": `import { tfjsBrowserRunner } from "./peers/tfjs.ts"; const runner = tfjsBrowserRunner("wasm");`,
  "jax-js": `import { jaxjsRunner as runner } from "../peers/jaxjs-runner.ts";`,
};

/** The browser stand-ins for the Node built-ins the shared bench code imports. */
const NODE_SHIMS: Readonly<Record<string, string>> = {
  "node:perf_hooks": "export const performance = globalThis.performance;",
  "node:worker_threads": `export const isMainThread = true;
    export const parentPort = null;
    export const workerData = undefined;
    export class Worker { constructor() { throw new Error("bench: no worker_threads in the browser"); } }`,
  "node:fs": `import { DIGITS } from "bench:digits";
    const isDigits = (p) => String(p).endsWith("/digits.csv.gz");
    export function existsSync(p) { return isDigits(p); }
    export function readFileSync(p) {
      if (!isDigits(p)) throw new Error("bench: no file system in the browser (" + p + ")");
      return DIGITS;
    }`,
  "node:zlib": `import { DIGITS } from "bench:digits";
    export function gunzipSync(data) {
      if (data !== DIGITS) throw new Error("bench: only the digits file is embedded in the browser bundle");
      return { toString: () => DIGITS.csv };
    }`,
  "node:url": "export function fileURLToPath(u) { return new URL(String(u)).pathname; }",
  "node:path": `export function dirname(p) { return p.replace(/\\/[^/]*$/, "") || "/"; }
    export function join(...parts) { return parts.join("/").replace(/\\/+/g, "/"); }`,
  "node:module": `export function createRequire() {
      throw new Error("bench: node:module is not available in the browser");
    }`,
};

/** Where the adjoint bundle takes the library from: the TypeScript source or `npm run build`'s dist. */
export type AdjointFrom = "src" | "dist";

/**
 * Resolves the shims, the embedded digits, worker.ts's peer registry (unused in a page) and,
 * for `adjointFrom` "dist", the runner's import of src/node.js to dist/node.js.
 */
function browserShims(digitsCsv: string, adjointFrom: AdjointFrom): Plugin {
  return {
    name: "bench-browser-shims",
    setup(b) {
      if (adjointFrom === "dist") {
        b.onResolve({ filter: /\/src\/node\.js$/ }, (args) =>
          args.importer.endsWith("adjoint-runner.ts") ||
          args.importer.endsWith(join("browser", "peers", "adjoint.ts"))
            ? { path: join(ROOT, "dist", "node.js") }
            : undefined,
        );
      }
      b.onResolve({ filter: /^node:/ }, (args) => {
        if (NODE_SHIMS[args.path] === undefined)
          return { errors: [{ text: `bench: no browser shim for ${args.path}` }] };
        return { path: args.path, namespace: "bench-shim" };
      });
      b.onResolve({ filter: /^bench:digits$/ }, () => ({
        path: "digits",
        namespace: "bench-shim",
      }));
      // worker.ts's main() (never run in a page) loads peers through the registry; without this
      // every peer's library would be bundled into every page.
      b.onResolve({ filter: /\/registry\.js$/ }, (args) =>
        args.importer.endsWith(join("peers", "worker.ts"))
          ? { path: "registry", namespace: "bench-shim" }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "bench-shim" }, (args) => {
        if (args.path === "digits")
          return { contents: `export const DIGITS = { csv: ${JSON.stringify(digitsCsv)} };` };
        if (args.path === "registry") return { contents: "export const PEERS = [];" };
        return { contents: NODE_SHIMS[args.path]!, loader: "js" };
      });
    },
  };
}

/** The page: it loads the peer's bundle; the driver waits for `__benchRun`. No favicon request. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>adjoint benchmark</title>
<link rel="icon" href="data:,">
<script type="module" src="/peer.js"></script>
`;

/** Bundles one peer for the browser (ES module, in memory). */
export async function bundlePeer(peer: string, adjointFrom: AdjointFrom = "src"): Promise<string> {
  const entry = ENTRIES[peer];
  if (entry === undefined) throw new Error(`bench: no browser build for peer "${peer}"`);
  const csv = gunzipSync(readFileSync(join(ROOT, "examples", "data", "digits.csv.gz"))).toString(
    "utf8",
  );
  const result = await build({
    stdin: {
      contents: `${entry}\nimport { installRunner } from "./page.ts";\ninstallRunner(runner);\n`,
      resolveDir: HERE,
      loader: "ts",
      sourcefile: `bench-entry-${peer}.ts`,
    },
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "silent",
    // Progress lines from worker.ts's runPeer go to the driver (printed on Node's stderr).
    define: { "process.stderr.write": "globalThis.__benchProgress" },
    plugins: [browserShims(csv, adjointFrom)],
  });
  return result.outputFiles[0]!.text;
}

/** playwright-core's chromium, loaded lazily (a root devDependency, not needed by `npm run bench`). */
async function chromium(): Promise<typeof import("playwright-core").chromium> {
  const mod = await import("playwright-core");
  return mod.chromium;
}

const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** TOOLCHAIN.md's flags for these machines. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
];

/**
 * V8 flags per peer. jax-js's eager gradient of W3's 10,000-step chain recurses once per step
 * (../peers/registry.ts gives its Node worker a 256 MB stack); Chromium's V8 default (~1 MB)
 * overflows. 7,000 KB fits under the renderer main thread's 8 MB stack (the default `ulimit -s`);
 * a V8 limit above the real stack would crash the renderer instead of throwing.
 */
const JS_FLAGS: Readonly<Record<string, string>> = { "jax-js": "--stack-size=7000" };

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e);
}

/**
 * Runs `input.workloads` for each peer, one peer at a time, each in a fresh Chromium; prints
 * each result line on stdout as it arrives. Returns the runs and the browser's version.
 */
export async function runInChromium(
  peers: readonly string[],
  input: Omit<WorkerInput, "peer">,
  adjointFrom: AdjointFrom = "src",
): Promise<{ runs: BrowserPeerRun[]; browser: string }> {
  if (!existsSync(EXECUTABLE))
    throw new Error(`bench --browser: no Chromium at ${EXECUTABLE} (apt-get install -y chromium)`);
  const launcher = await chromium();
  const wasmDir = join(ROOT, "bench", "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  const server = await startServer({
    files: new Map([["/index.html", PAGE]]),
    folders: new Map([["/tfjs-wasm/", wasmDir]]),
  });
  const runs: BrowserPeerRun[] = [];
  let browserVersion = "unknown";
  // Thrown when a page is not cross-origin isolated: the whole run stops (no table).
  let isolationFailure: Error | undefined;
  try {
    for (const peer of peers) {
      process.stderr.write(`bench: starting ${peer} in a fresh headless Chromium\n`);
      const run: BrowserPeerRun = { peer, info: {}, lines: [], cases: 0, seconds: 0 };
      runs.push(run);
      const add = (line: ResultLine): void => {
        run.lines.push(line);
        process.stdout.write(`${JSON.stringify(line)}\n`);
      };
      const start = performance.now();
      const fail = (message: string): void => {
        const done = new Set(run.lines.map((l) => l.workload));
        const workload = input.workloads.find((w) => !done.has(w)) ?? input.workloads.at(-1)!;
        add({ peer, workload, variant: "*", error: message });
      };
      if (ENTRIES[peer] === undefined) {
        for (const workload of input.workloads)
          add({ peer, workload, variant: "*", unsupported: "no browser build of this peer" });
        continue;
      }
      let bundle: string;
      try {
        bundle = await bundlePeer(peer, adjointFrom);
      } catch (e) {
        fail(`browser bundle failed: ${errorText(e)}`);
        continue;
      }
      server.setFile("/peer.js", bundle);
      const jsFlags = JS_FLAGS[peer];
      const browser = await launcher.launch({
        executablePath: EXECUTABLE,
        args: [...FLAGS, ...(jsFlags === undefined ? [] : [`--js-flags=${jsFlags}`])],
      });
      browserVersion = browser.version();
      try {
        const page = await browser.newPage();
        page.on("pageerror", (e) => process.stderr.write(`bench: ${peer} page error: ${e}\n`));
        page.on("console", (m) => process.stderr.write(`[${peer} console] ${m.text()}\n`));
        await page.exposeFunction("__benchProgress", (text: string) => {
          process.stderr.write(String(text));
        });
        await page.exposeFunction("__benchSend", (m: WorkerMessage) => {
          if (m.kind === "info")
            run.info = { ...m.info, ...(peer === "adjoint" ? { adjoint_from: adjointFrom } : {}) };
          else if (m.kind === "line") add(m.line);
          else run.cases = m.cases;
        });
        await page.goto(`${server.origin}/`);
        if ((await page.evaluate("globalThis.crossOriginIsolated === true")) !== true) {
          isolationFailure = new Error(
            `bench --browser: the page at ${server.origin}/ is not cross-origin isolated ` +
              "(crossOriginIsolated !== true): its timings would not be comparable; stopping",
          );
          throw isolationFailure;
        }
        await page.waitForFunction(() => "__benchRun" in globalThis, undefined, {
          timeout: 60_000,
        });
        await page.evaluate(
          (arg) =>
            (globalThis as unknown as { __benchRun(i: WorkerInput): Promise<void> }).__benchRun(
              arg,
            ),
          { peer, ...input },
        );
      } catch (e) {
        if (e === isolationFailure) throw e;
        fail(`page failed: ${errorText(e)}`);
      } finally {
        await browser.close();
      }
      run.seconds = (performance.now() - start) / 1000;
    }
  } finally {
    await server.close();
  }
  return { runs, browser: `Chromium ${browserVersion}` };
}
