/**
 * @file `npm run demo` (examples/demo.ts) at its quick settings: it trains both models, prints
 * the epoch lines, writes the three SVG plots with the marks each plot is made of, and ends by
 * naming the files it wrote.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

/** The `<path>` elements of every Vega mark group of class `mark-<type> role-mark`. */
function markPaths(svg: string, type: string): string[][] {
  const groups = svg.split(`<g class="mark-${type} role-mark`).slice(1);
  // A mark group holds its items as self-closing paths up to its own closing tag; an empty
  // group is itself self-closing.
  return groups.map((g) =>
    g.slice(0, g.indexOf(">") + 1).endsWith("/>")
      ? []
      : (g.slice(0, g.indexOf("</g>")).match(/<path [^>]*\/>/g) ?? []),
  );
}

test("npm run demo (quick): trains, writes three SVG plots with their marks, names them last", () => {
  const out = mkdtempSync(join(tmpdir(), "adjoint-demo-"));
  try {
    const stdout = execFileSync(process.execPath, ["--import", "tsx", "examples/demo.ts"], {
      encoding: "utf8",
      env: { ...process.env, ADJOINT_DEMO_QUICK: "1", ADJOINT_DEMO_OUT: out },
    });
    assert.match(stdout, /epoch {2}0 {2}\(untrained\)/);
    assert.match(stdout, /epoch {2}2 {2}mean train loss \d\.\d{4} {2}test accuracy \d+\.\d%/);
    assert.match(stdout, /two moons: .* training accuracy \d+\.\d%/);
    const names = ["digits-training.svg", "digits-predictions.svg", "moons-decision-boundary.svg"];
    const lines = stdout.trimEnd().split("\n");
    assert.match(lines[lines.length - 4]!, /^wrote 3 plots to .*:$/);
    assert.deepEqual(
      lines.slice(-3).map((l) => l.trim().split("/").pop()),
      names,
      "the output ends with the three files' names",
    );

    const svg = Object.fromEntries(
      names.map((n) => {
        const file = join(out, n);
        assert.ok(existsSync(file), `${n} was written`);
        const text = readFileSync(file, "utf8");
        assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="\d+"/);
        assert.ok(text.trimEnd().endsWith("</svg>"), `${n} is a complete SVG document`);
        return [n, text];
      }),
    );

    // (1) Loss curve: raw and smoothed loss lines and the accuracy line with a point per epoch.
    const training = svg["digits-training.svg"]!;
    assert.equal(markPaths(training, "line").length, 3);
    assert.equal(markPaths(training, "symbol")[0]!.length, 2, "one accuracy point per epoch");
    assert.match(training, /cross-entropy \(log scale\)/);

    // (2) Digits: 24 images of 64 pixel cells; every red frame has a red title.
    const digits = svg["digits-predictions.svg"]!;
    const rects = markPaths(digits, "rect").map((g) => g.length);
    const pixels = rects.filter((n) => n === 64).length;
    const frames = rects.filter((n) => n === 1).length;
    assert.equal(pixels, 24);
    assert.ok(frames > 0, "the quick model misclassifies some of the digits shown");
    assert.equal((digits.match(/stroke="#cb181d"/g) ?? []).length, frames);
    const title = /<tspan>pred \d<\/tspan><tspan [^>]*>true \d<\/tspan>/g;
    assert.equal((digits.match(title) ?? []).length, 24, "a two-line title per digit");
    assert.equal((digits.match(/fill="#cb181d"[^>]*><tspan>pred \d/g) ?? []).length, frames);

    // (3) Decision boundary: the probability grid under the 240 training points, two legends.
    const moons = svg["moons-decision-boundary.svg"]!;
    assert.ok(markPaths(moons, "rect")[0]!.length >= 48 * 30, "the P(class 1) grid");
    assert.equal(markPaths(moons, "symbol")[0]!.length, 240);
    assert.match(moons, />P\(class 1\)</);
    assert.match(moons, />training points</);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
