/**
 * @file debugNans: the classic traps (the where-trap, sqrt at 0 under a mask, log of a softmax,
 * 0 * inf) each throw a NanError naming the primitive, the phase and this file's call site; NaN or
 * Inf already in the inputs is not reported; off again, the same functions return NaN silently,
 * and an error leaves no state behind.
 */

// The package entry first: deep imports alone start the module graph in the middle of a cycle.
import "../../src/index.js";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { afterEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import { NanError, type NanPhase } from "../../src/core/errors.js";
import {
  currentRuleScope,
  hasEvalObserver,
  isTrackingRules,
  setEvalObserver,
} from "../../src/core/trace.js";
import * as ad from "../../src/index.js";
import { debugNans } from "../../src/tools/debug-nans.js";

const FILE = fileURLToPath(import.meta.url);
const SOURCE = readFileSync(FILE, "utf8").split("\n");

/**
 * The call site the error must name: the line of this file marked `// site: <marker>`, at the
 * column of `callee(` on it (V8 reports a method call at the method's name).
 */
function site(marker: string, callee: string): string {
  const i = SOURCE.findIndex((l) => l.includes(`// site: ${marker}`));
  assert.ok(i >= 0, `no line marked ${marker}`);
  const col = SOURCE[i]!.indexOf(`${callee}(`);
  assert.ok(col >= 0, `no ${callee}( on the line marked ${marker}`);
  return `${relative(process.cwd(), FILE)}:${i + 1}:${col + 1}`;
}

/** The NanError `f` throws (fails when it throws nothing or something else). */
function nanErrorOf(f: () => unknown): NanError {
  try {
    f();
  } catch (e) {
    if (e instanceof NanError) return e;
    throw e;
  }
  assert.fail("expected a NanError");
}

function expectNan(
  f: () => unknown,
  want: { primitive: string; phase: NanPhase; site: string; inputs?: string[] },
): NanError {
  const err = nanErrorOf(f);
  assert.ok(err instanceof ad.AdjointError);
  assert.equal(err.name, "NanError");
  assert.equal(err.primitive, want.primitive, err.message);
  assert.equal(err.phase, want.phase, err.message);
  assert.equal(err.callSite, want.site, err.message);
  if (want.inputs !== undefined) assert.deepEqual(err.inputs, want.inputs);
  assert.ok(err.message.includes(want.site), err.message);
  // Whatever happened, no derivative rule is left marked as running.
  assert.equal(currentRuleScope(), null);
  return err;
}

afterEach(() => {
  debugNans(false);
  assert.equal(hasEvalObserver(), false);
  assert.equal(isTrackingRules(), false);
  assert.equal(currentRuleScope(), null);
});

const whereTrap = (x: ad.Tensor) => ad.where(ad.greater(x, 0), ad.sqrt(x), 0); // site: where

test("the where-trap: NaN gradient when off; with debugNans, the VJP of sqrt at its call site", () => {
  assert.ok(Number.isNaN(ad.grad(whereTrap)(ad.scalar(0)).item()));
  assert.equal(debugNans(true), false);
  const err = expectNan(() => ad.grad(whereTrap)(ad.scalar(0)), {
    primitive: "sqrt",
    phase: "backward",
    site: site("where", "sqrt"),
    inputs: ["float32[] = 0"],
  });
  assert.equal(err.operation, "div");
  assert.match(
    err.message,
    /^sqrt produced Inf from finite inputs in the backward pass \(the VJP of sqrt called at .*debug-nans\.test\.ts:\d+:\d+; div inside the rule gave Inf\); inputs of sqrt: float32\[\] = 0\. The derivative of sqrt is infinite/,
  );
  assert.match(String(err), /^NanError: sqrt produced Inf/);
  // Away from the trap the same function differentiates normally with debugging on.
  assert.equal(ad.grad(whereTrap)(ad.scalar(4)).item(), 0.25);
  // Off again: NaN, silently.
  assert.equal(debugNans(false), true);
  assert.ok(Number.isNaN(ad.grad(whereTrap)(ad.scalar(0)).item()));
});

test("sqrt at 0 under a mask, and a hand-written norm at 0: the VJP of sqrt", () => {
  const masked = (x: ad.Tensor) => ad.sum(ad.where(ad.greater(x, 0), ad.sqrt(x), 0)); // site: mask
  const norm = (x: ad.Tensor) => ad.sqrt(ad.sum(ad.mul(x, x))); // site: norm
  const g = ad
    .grad(masked)(ad.tensor([0, 4]))
    .toArray() as number[];
  assert.ok(Number.isNaN(g[0]!));
  assert.equal(g[1], 0.25);
  assert.ok(
    (
      ad
        .grad(norm)(ad.tensor([0, 0]))
        .toArray() as number[]
    ).every(Number.isNaN),
  );
  debugNans(true);
  expectNan(() => ad.grad(masked)(ad.tensor([0, 4])), {
    primitive: "sqrt",
    phase: "backward",
    site: site("mask", "sqrt"),
    inputs: ["float32[2] = [0, 4]"],
  });
  expectNan(() => ad.grad(norm)(ad.tensor([0, 0])), {
    primitive: "sqrt",
    phase: "backward",
    site: site("norm", "sqrt"),
    inputs: ["float32[] = 0"],
  });
  // The safe forms pass: the masked branch gets a harmless input, the norm a guarded one.
  const safe = (x: ad.Tensor) => {
    const pos = ad.greater(x, 0);
    return ad.sum(ad.where(pos, ad.sqrt(ad.where(pos, x, 1)), 0));
  };
  assert.deepEqual(
    ad
      .grad(safe)(ad.tensor([0, 4]))
      .toArray(),
    [0, 0.25],
  );
});

test("log of a softmax with large logits: log in the forward pass (logSoftmax passes)", () => {
  const logits = ad.tensor([0, 1000]);
  const naive = (x: ad.Tensor) => ad.sum(ad.log(ad.softmax(x))); // site: softmax
  assert.equal(naive(logits).item(), -Infinity);
  debugNans(true);
  const err = expectNan(() => naive(logits), {
    primitive: "log",
    phase: "forward",
    site: site("softmax", "log"),
    inputs: ["float32[2] = [0, 1]"],
  });
  assert.equal(err.operation, "log");
  assert.match(
    err.message,
    /^log produced -Inf from finite inputs in the forward pass \(log called at /,
  );
  // Under grad the forward pass stops at the same op.
  expectNan(() => ad.grad(naive)(logits), {
    primitive: "log",
    phase: "forward",
    site: site("softmax", "log"),
  });
  assert.equal(ad.sum(ad.logSoftmax(logits)).item(), -1000);
  assert.deepEqual(
    ad
      .grad((x: ad.Tensor) => ad.sum(ad.logSoftmax(x)))(logits)
      .toArray(),
    [1, -1],
  );
});

test("0 * inf: x * log(x) at 0 stops at log (forward); x * sqrt(x) at 0 in the backward pass", () => {
  const xlogx = (x: ad.Tensor) => ad.mul(x, ad.log(x)); // site: xlogx
  const xsqrtx = (x: ad.Tensor) => ad.mul(x, ad.sqrt(x)); // site: xsqrtx
  assert.ok(Number.isNaN(xlogx(ad.scalar(0)).item()));
  // d/dx x^1.5 = 1.5 sqrt(x) is 0 at 0, but the product rule meets 0 * sqrt'(0) = 0 * Inf.
  assert.equal(xsqrtx(ad.scalar(0)).item(), 0);
  assert.ok(Number.isNaN(ad.grad(xsqrtx)(ad.scalar(0)).item()));
  debugNans(true);
  expectNan(() => xlogx(ad.scalar(0)), {
    primitive: "log",
    phase: "forward",
    site: site("xlogx", "log"),
    inputs: ["float32[] = 0"],
  });
  expectNan(() => ad.grad(xsqrtx)(ad.scalar(0)), {
    primitive: "sqrt",
    phase: "backward",
    site: site("xsqrtx", "sqrt"),
  });
});

test("forward mode: the JVP rule of sqrt at 0 (jvp and linearize's replay)", () => {
  const f = (x: ad.Tensor) => ad.sqrt(ad.mul(x, x)); // site: jvp
  const [, tangent] = ad.jvp(f, [ad.scalar(0)], [ad.scalar(1)]);
  assert.ok(Number.isNaN(tangent.item()));
  debugNans(true);
  const err = expectNan(() => ad.jvp(f, [ad.scalar(0)], [ad.scalar(1)]), {
    primitive: "sqrt",
    phase: "forward-mode derivative",
    site: site("jvp", "sqrt"),
    inputs: ["float32[] = 0"],
  });
  assert.match(err.message, /in forward mode \(the JVP of sqrt called at /);
  const [y, lin] = ad.linearize(f, ad.scalar(0));
  assert.equal(y.item(), 0);
  expectNan(() => lin(ad.scalar(1)), {
    primitive: "sqrt",
    phase: "forward-mode derivative",
    site: site("jvp", "sqrt"),
  });
});

test("second order: a NaN in the inner backward pass names the inner op's call site", () => {
  debugNans(true);
  expectNan(() => ad.grad(ad.grad(whereTrap))(ad.scalar(0)), {
    primitive: "sqrt",
    phase: "backward",
    site: site("where", "sqrt"),
  });
});

test("NaN or Inf already in the inputs is not reported; constants are not checked", () => {
  debugNans(true);
  assert.ok(Number.isNaN((ad.log(ad.tensor([Number.NaN, 1])).toArray() as number[])[0]!));
  assert.equal(ad.add(ad.scalar(Infinity), 1).item(), Infinity);
  assert.ok(Number.isNaN(ad.mul(ad.scalar(Infinity), 0).item()));
  assert.deepEqual(ad.full([2], -Infinity).toArray(), [-Infinity, -Infinity]);
  // An Inf input in the backward pass: the gradient is NaN or Inf, nothing is thrown.
  const g = ad.grad((x: ad.Tensor) => ad.sum(ad.sqrt(x)))(ad.tensor([Infinity, 4]));
  assert.deepEqual(g.toArray(), [0, 0.25]);
  assert.ok(
    Number.isNaN(
      ad
        .grad((x: ad.Tensor) => ad.sum(ad.sqrt(x)))(ad.tensor([Number.NaN]))
        .item(),
    ),
  );
});

test("large inputs are summarised as min/mean/max; integer ops are not checked", () => {
  debugNans(true);
  const err = nanErrorOf(() => ad.log(ad.linspace(0, 1, 101)));
  assert.deepEqual(err.inputs, ["float32[101] min=0 mean=0.5 max=1"]);
  assert.equal(ad.add(ad.tensor([2 ** 30], { dtype: "int32" }), 2 ** 30).dtype, "int32");
});

test("errors leave no state behind; off again restores the plain paths", () => {
  debugNans(true);
  debugNans(true); // twice: still one observer
  for (let i = 0; i < 3; i++) nanErrorOf(() => ad.grad(whereTrap)(ad.scalar(0)));
  assert.equal(currentRuleScope(), null);
  // The next calls with debugging on work, in every mode.
  const cube = (x: ad.Tensor) => ad.sum(ad.mul(ad.mul(x, x), x));
  assert.deepEqual(
    ad
      .grad(cube)(ad.tensor([1, 2], { dtype: "float64" }))
      .toArray(),
    [3, 12],
  );
  assert.equal(ad.jvp(cube, [ad.scalar(2)], [ad.scalar(1)])[1].item(), 12);
  assert.equal(ad.grad(ad.grad(cube))(ad.scalar(2)).item(), 12);
  debugNans(false);
  debugNans(false);
  assert.equal(hasEvalObserver(), false);
  assert.equal(isTrackingRules(), false);
  assert.deepEqual(
    ad
      .grad(cube)(ad.tensor([1, 2], { dtype: "float64" }))
      .toArray(),
    [3, 12],
  );
  assert.ok(Number.isNaN(ad.grad(whereTrap)(ad.scalar(0)).item()));
});

test("an observer installed before stays informed, and is back in place after", () => {
  const seen: string[] = [];
  const prev = setEvalObserver({ afterEval: (prim) => void seen.push(prim.name) });
  try {
    debugNans(true);
    nanErrorOf(() => ad.log(ad.scalar(0)));
    assert.deepEqual(seen, ["log"]);
    debugNans(false);
    ad.exp(ad.scalar(0));
    assert.deepEqual(seen, ["log", "exp"]);
  } finally {
    setEvalObserver(prev);
  }
});

test("debugNans rejects a non-boolean", () => {
  assert.throws(
    () => debugNans("yes" as unknown as boolean),
    (e: unknown) =>
      e instanceof ad.ValueError &&
      e.message === 'debugNans: on must be a boolean (true or false); got string "yes"',
  );
});
