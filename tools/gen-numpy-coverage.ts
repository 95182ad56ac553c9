/**
 * @file Writes docs/numpy-coverage.md (`npm run docs:numpy`). With `--refresh`, first rewrites
 * tools/jaxjs-numpy-names.json from the jax-js package installed in bench/node_modules.
 */

import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as ad from "../src/index.js";
import { specs } from "../test/op-specs/index.js";
import { numpyCoverageMarkdown } from "./numpy-coverage.js";

if (process.argv.includes("--refresh")) {
  const require = createRequire(new URL("../bench/package.json", import.meta.url));
  const path = require.resolve("@jax-js/jax");
  const jax = (await import(path)) as { numpy: Record<string, unknown> & { linalg: object } };
  const version = (require("@jax-js/jax/package.json") as { version: string }).version;
  const names = {
    package: "@jax-js/jax",
    version,
    numpy: Object.keys(jax.numpy).sort(),
    linalg: Object.keys(jax.numpy.linalg).sort(),
  };
  writeFileSync(
    new URL("jaxjs-numpy-names.json", import.meta.url),
    `${JSON.stringify(names, null, 2)}\n`,
  );
}
const page = numpyCoverageMarkdown(
  ad as unknown as Record<string, unknown>,
  ad.numpy as unknown as Record<string, unknown>,
  ad.linalg as unknown as Record<string, unknown>,
  specs,
);
writeFileSync("docs/numpy-coverage.md", page);
console.log("wrote docs/numpy-coverage.md");
