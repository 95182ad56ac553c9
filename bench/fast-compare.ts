/**
 * @file The fast backend against the reference backend on W1 and W6 (f and grad), in one process:
 * `npx tsc -p bench/tsconfig.core.json && node bench/build/bench/fast-compare.js [rounds] [seconds]`.
 *
 * Uses the adjoint runner's own formulations and inputs, switching only the backend. Rounds
 * alternate reference / fast so JIT state and machine drift affect both alike; the first round
 * is a warm-up (by its end the reference kernels have seen both float classes, as they do in
 * `npm run bench`), and each figure is the median of the later rounds'
 * medians (and the least single run, less sensitive to other load on the machine). The check
 * values must be identical: the fast kernels are bit-identical to the reference ones.
 */

import { createFastBackend } from "../src/backend/fast/index.js";
import { getBackend, setBackend } from "../src/backend/index.js";
import { adjointRunner } from "./adjoint-runner.js";
import type { Variant } from "./runner.js";
import { measure, median } from "./timing.js";
import type { WorkloadId } from "./workloads.js";

const rounds = Math.max(2, Number(process.argv[2] ?? 4));
const targetMs = 1000 * Number(process.argv[3] ?? 1);

const reference = getBackend();
const fast = createFastBackend(reference);
const configs = [
  { name: "reference", backend: reference },
  { name: "fast", backend: fast },
] as const;

const workloads: WorkloadId[] = ["W1", "W6"];
const cases: { id: string; variant: Variant }[] = [];
for (const w of workloads) {
  const setup = adjointRunner.workloads[w];
  if (setup === undefined) continue;
  for (const v of setup()) if ("run" in v) cases.push({ id: `${w} ${v.variant}`, variant: v });
}

/** medians[case][config] = per-round medians (ms), mins likewise; checks = latest check. */
const medians = new Map<string, number[][]>();
const mins = new Map<string, number[][]>();
const checks = new Map<string, number[]>();

for (let round = 0; round < rounds; round++) {
  for (const c of cases) {
    for (let ci = 0; ci < configs.length; ci++) {
      setBackend(configs[ci]!.backend);
      try {
        const t = await measure(() => c.variant.run(), { targetMs, warmup: 5 });
        const per = medians.get(c.id) ?? configs.map(() => []);
        const lows = mins.get(c.id) ?? configs.map(() => []);
        if (round > 0) {
          per[ci]!.push(t.median_ms);
          lows[ci]!.push(t.min_ms);
        }
        medians.set(c.id, per);
        mins.set(c.id, lows);
        const chk = checks.get(c.id) ?? [];
        chk[ci] = await c.variant.check();
        checks.set(c.id, chk);
      } finally {
        setBackend(reference);
      }
    }
  }
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}

for (const c of cases) {
  const per = medians.get(c.id)!;
  const [ref, fst] = per.map((xs) => median(xs)) as [number, number];
  const [refMin, fastMin] = mins.get(c.id)!.map((xs) => Math.min(...xs)) as [number, number];
  const [refCheck, fastCheck] = checks.get(c.id)! as [number, number];
  process.stdout.write(
    `${JSON.stringify({
      case: c.id,
      reference_ms: Number(ref.toPrecision(4)),
      fast_ms: Number(fst.toPrecision(4)),
      speedup: Number((ref / fst).toFixed(2)),
      reference_min_ms: Number(refMin.toPrecision(4)),
      fast_min_ms: Number(fastMin.toPrecision(4)),
      min_speedup: Number((refMin / fastMin).toFixed(2)),
      rounds: rounds - 1,
      checks_identical: Object.is(refCheck, fastCheck),
      check: fastCheck,
    })}\n`,
  );
}
