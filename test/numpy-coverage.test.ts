/**
 * @file `ad.numpy` covers jax-js's numpy namespace: every name jax-js 0.1.25 exports is offered
 * or listed with a reason, every op offered is checked by the op-spec table (or is a creation
 * function, a value or a helper), entries are the root functions themselves where the name
 * differs only in spelling, and docs/numpy-coverage.md is what the generator writes.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as ad from "../src/index.js";
import {
  ADAPTERS,
  CREATION,
  jaxJsNames,
  NOT_OFFERED,
  NOT_OPS,
  numpyCoverageMarkdown,
  specsOf,
  VALUE_SHAPED,
} from "../tools/numpy-coverage.js";
import { specs } from "./op-specs/index.js";

const np = ad.numpy as unknown as Record<string, unknown>;
const root = ad as unknown as Record<string, unknown>;
const linalg = ad.linalg as unknown as Record<string, unknown>;
const names = jaxJsNames();

test("every jax-js numpy name is offered by ad.numpy or listed as not offered, with a reason", () => {
  const unaccounted = names.numpy.filter((n) => !(n in np) && !(n in NOT_OFFERED));
  assert.deepEqual(unaccounted, [], `neither offered nor explained: ${unaccounted.join(", ")}`);
  const both = Object.keys(NOT_OFFERED).filter((n) => n in np);
  assert.deepEqual(both, [], `offered but listed as not offered: ${both.join(", ")}`);
  const linalgMissing = names.linalg.filter((n) => !(n in linalg));
  assert.deepEqual(linalgMissing, [], `numpy.linalg names missing: ${linalgMissing.join(", ")}`);
});

test("every op of ad.numpy is a root function (or a listed adapter) checked by op specs", () => {
  const rootFns = new Set([...Object.values(root), ...Object.values(linalg)]);
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(np)) {
    if (NOT_OPS.has(name) || typeof entry !== "function") continue;
    if (!rootFns.has(entry) && !(name in ADAPTERS)) {
      problems.push(`${name}: not a root function and not a listed adapter`);
      continue;
    }
    if (CREATION.has(name) || VALUE_SHAPED.has(name)) continue;
    const rootName = Object.entries(root).find(([, v]) => v === entry)?.[0];
    const op = rootName ?? ADAPTERS[name] ?? name;
    if (specsOf(op, specs).length === 0 && specsOf(`linalg.${op}`, specs).length === 0) {
      const linalgName = Object.entries(linalg).find(([, v]) => v === entry)?.[0];
      if (!linalgName || specsOf(`linalg.${linalgName}`, specs).length === 0) {
        problems.push(`${name} (${op}): no op spec`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("docs/numpy-coverage.md is generated (run npm run docs:numpy after changing ad.numpy)", () => {
  assert.equal(
    readFileSync("docs/numpy-coverage.md", "utf8"),
    numpyCoverageMarkdown(root, np, linalg, specs),
  );
});
