/**
 * @file Browser bundle sizes of adjoint (esbuild, minified, gzip -9): the whole API, and pages
 * that import only what they use. `npm run size` prints the table recorded in docs/bundle-size.md;
 * test/system/tree-shaking.test.ts uses `bundlePage` to check what a grad-only page leaves out.
 */

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A page's bundle: its code, sizes, and the source files (relative to the repo) it contains. */
export interface PageBundle {
  code: string;
  minified: number;
  gzipped: number;
  files: string[];
}

/** Bundles `source` (a module importing from "adjoint") for the browser, minified, as an ES module. */
export async function bundlePage(source: string, entry = "src/index.ts"): Promise<PageBundle> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "ts", sourcefile: "page.ts" },
    bundle: true,
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    alias: { adjoint: `./${entry}` },
  });
  const code = result.outputFiles[0]!.text;
  const output = Object.values(result.metafile.outputs)[0]!;
  const files = Object.entries(output.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
  return {
    code,
    minified: Buffer.byteLength(code),
    gzipped: gzipSync(code, { level: 9 }).length,
    files,
  };
}

/** The pages whose sizes docs/bundle-size.md records. */
export const PAGES: Record<string, string> = {
  "everything (`import * as ad`, all of it used)": `import * as ad from "adjoint"; (globalThis as any).ad = ad;`,
  "grad + four elementwise ops": `import { grad, sin, cos, mul, add, sum, tensor } from "adjoint";
const f = (x: any) => sum(add(mul(sin(x), cos(x)), x));
console.log(grad(f)(tensor([1, 2])).toString());`,
  "grad + linalg": `import { grad, linalg, sum, tensor } from "adjoint";
console.log(grad((a: any) => sum(linalg.inv(a)))(tensor([[2, 1], [1, 3]])).toString());`,
  "grad + matmul with threads": `import { grad, matmul, sum, tanh, tensor, enableMatmulThreads } from "adjoint";
enableMatmulThreads();
console.log(grad((w: any) => sum(tanh(matmul(w, w))))(tensor([[1, 2], [3, 4]])).toString());`,
  "random only": `import { random } from "adjoint";
console.log(random.normal([3], { seed: 0 }).toString());`,
};

async function main(): Promise<void> {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log("| page | minified | gzipped |\n|---|---|---|");
  for (const [name, source] of Object.entries(PAGES)) {
    const b = await bundlePage(source);
    console.log(`| ${name} | ${kb(b.minified)} | ${kb(b.gzipped)} |`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
