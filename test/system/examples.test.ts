/** @file The example scripts run and print what the docs say they print. */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

function run(script: string): string {
  return execFileSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
}

test("examples/demo-derivatives.ts (npm run demo:derivatives) runs and its nested-grad table equals the closed forms", () => {
  const out = run("examples/demo-derivatives.ts");
  assert.match(out, /largest \|grad - exact\| in the table: 0/);
  assert.match(out, /ad\.hessian\(f\)\(v\)/);
});

test("examples/custom-rules-and-loops.ts runs and prints the documented values", () => {
  const out = run("examples/custom-rules-and-loops.ts");
  assert.match(out, /customJvp d\/dx log\(1 \+ e\^x\) at 1000:\s+1\n/);
  assert.match(out, /second derivative at 0 \(= 1\/4\):\s+0\.25\n/);
  assert.match(out, /dy\(T\)\/dk by fori over 10,000 RK4 steps:\s+-0\.73979089182/);
});
