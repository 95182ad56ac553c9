/**
 * @file Builds docs/ops.md from the op-spec table: for every API op, the specs that cover it,
 * the primitives they bind, and the derivative support those specs check (JVP and VJP against
 * finite differences, to order 1 or 2). Used by `npm run docs:ops` and by the drift test.
 */

import type { OpSpec } from "../test/harness/spec.js";
import { API_OPS, NAMESPACED } from "./api-ops.js";

/** The specs whose name mentions `op` as a whole word. */
export function specsFor(op: string, specs: readonly OpSpec[]): OpSpec[] {
  const word = new RegExp(`(^|[^A-Za-z0-9_])${op}($|[^A-Za-z0-9_])`);
  return specs.filter((s) => word.test(s.name));
}

export function opsMarkdown(specs: readonly OpSpec[]): string {
  const lines = [
    "# Ops and their derivative support",
    "",
    "Generated from the op-spec table (`test/op-specs/`) by `npm run docs:ops`; a test fails when",
    "this file and the table disagree. Every spec is checked by `test/ops.generated.test.ts`:",
    "forward values against an independent float64 reference (and float32), the impl's storage",
    "against the shape rule, JVP and VJP against central finite differences in float64 to the",
    "order shown, and forward against reverse mode.",
    "",
    "This page lists the ops of the API contract (docs/api.md). The NumPy surface, every function",
    "of `ad.numpy` under its JAX name with the same derivative columns, is in",
    "[numpy-coverage.md](numpy-coverage.md).",
    "",
  ];
  for (const [category, ops] of Object.entries(API_OPS)) {
    lines.push(
      `## ${category}`,
      "",
      "| op | jvp | vjp | order 2 | primitives | specs |",
      "|---|---|---|---|---|---|",
    );
    for (const op of ops) {
      const covering = specsFor(op, specs);
      const differentiated = covering.filter((s) => (s.order ?? 2) >= 1);
      const second = covering.filter((s) => (s.order ?? 2) >= 2);
      const prims = [...new Set(covering.flatMap((s) => s.prims))].sort();
      const name = NAMESPACED[op] ? `${NAMESPACED[op]}.${op}` : op;
      const outDTypes = [
        ...new Set(covering.map((s) => s.outDType).filter((d) => d !== undefined)),
      ];
      const mark = (ok: boolean): string => {
        if (ok) return "yes";
        if (covering.length === 0) return "NO SPEC";
        if (outDTypes.length > 0) return `— (${outDTypes.join("/")} result)`;
        return "0 by definition";
      };
      lines.push(
        `| \`${name}\` | ${mark(differentiated.length > 0)} | ${mark(differentiated.length > 0)} | ${mark(second.length > 0)} | ${prims.map((p) => `\`${p}\``).join(", ")} | ${covering.length} |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
