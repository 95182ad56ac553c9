/**
 * @file ONNX's backend test suite (Debian's libonnx-testdata) run through `ad.onnx.load`: every
 * test directory holds model.onnx and test_data_set_N/{input,output}_K.pb. Shared by the import
 * test and tools/gen-onnx-doc.ts (the generated section of docs/onnx.md).
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import onnxProtoModule from "onnx-proto";
import * as ad from "../../src/index.js";
import { OnnxError } from "../../src/onnx/errors.js";
import { tensorFromProto } from "../../src/onnx/tensor-proto.js";

const { onnx } = onnxProtoModule;

/** Where Debian installs the suite (the first that exists). */
const ROOTS = ["/usr/share/libonnx-testdata/data", "/usr/include/onnx/backend/test/data"];

/** The suite's data directory, or undefined when it is not installed. */
export function suiteRoot(): string | undefined {
  return ROOTS.find((r) => existsSync(path.join(r, "node")));
}

/** The suites run: node tests, models converted from PyTorch, PyTorch operators, simple ones. */
export const SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"] as const;

export interface SuiteTest {
  suite: (typeof SUITES)[number];
  name: string;
  dir: string;
}

/** Every test of the suites, sorted by suite then name. */
export function suiteTests(root: string): SuiteTest[] {
  const out: SuiteTest[] = [];
  for (const suite of SUITES) {
    const dir = path.join(root, suite);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (existsSync(path.join(dir, name, "model.onnx")))
        out.push({ suite, name, dir: path.join(dir, name) });
    }
  }
  return out;
}

/**
 * Tests whose expected outputs contradict the ONNX specification in this version of the suite
 * (ONNX 1.12), with the reason. They still run: they must fail the way the reason says (an
 * unexpected pass or another failure is reported), and docs/onnx.md lists them.
 */
export const KNOWN_BAD: Readonly<Record<string, string>> = {
  test_adam_multiple:
    "the expected values were computed with epsilon 1e-2 but the node omits the attribute, whose default is 1e-6 (ONNX fixed the test later: onnx/backend/test/case/node/adam.py now sets epsilon)",
};

export interface TestResult {
  test: SuiteTest;
  /** The operators of the model (domain-prefixed outside the default domain). */
  ops: string[];
  status: "pass" | "fail" | "unsupported" | "known-bad";
  /** Why it failed or is unsupported. */
  reason?: string;
  /** Unsupported operators (status "unsupported" with operators missing). */
  missing?: string[];
  graph?: ad.Graph<unknown[], ad.Tensor | ad.Tensor[]>;
  inputs?: ad.Tensor[];
}

function readTensor(file: string): ad.Tensor {
  return tensorFromProto(onnx.TensorProto.decode(readFileSync(file)), path.basename(file));
}

function dataSets(dir: string): { inputs: string[]; outputs: string[] }[] {
  return readdirSync(dir)
    .filter((d) => d.startsWith("test_data_set_"))
    .sort()
    .map((d) => {
      const files = readdirSync(path.join(dir, d)).sort((a, b) =>
        a.localeCompare(b, "en", { numeric: true }),
      );
      return {
        inputs: files.filter((f) => f.startsWith("input_")).map((f) => path.join(dir, d, f)),
        outputs: files.filter((f) => f.startsWith("output_")).map((f) => path.join(dir, d, f)),
      };
    });
}

/** ONNX's backend runner tolerances for floats; ints and bools exactly. */
export const RTOL = 1e-3;
export const ATOL = 1e-7;

/** Why `got` differs from `want`, or undefined when they agree. */
export function compare(got: ad.Tensor, want: ad.Tensor): string | undefined {
  if (got.shape.join(",") !== want.shape.join(","))
    return `shape [${got.shape}] != expected [${want.shape}]`;
  const isFloat = (t: ad.Tensor) => t.dtype === "float32" || t.dtype === "float64";
  if (isFloat(got) !== isFloat(want) || (want.dtype === "bool") !== (got.dtype === "bool")) {
    return `dtype ${got.dtype} != expected ${want.dtype}`;
  }
  const g = got.dataSync();
  const w = want.dataSync();
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (
      Number.isNaN(b)
        ? !Number.isNaN(a)
        : isFloat(want)
          ? !(Math.abs(a - b) <= ATOL + RTOL * Math.abs(b))
          : a !== b
    ) {
      return `element ${i}: ${a} != expected ${b}`;
    }
  }
  return undefined;
}

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** A load error: an unsupported operator or feature (a deliberate rejection), or a failure. */
function loadFailure(test: SuiteTest, ops: string[], e: unknown): TestResult {
  if (e instanceof OnnxError && e.kind !== "model") {
    return {
      test,
      ops,
      status: "unsupported",
      reason: e.message,
      missing: e.kind === "operator" ? e.unsupported.map((u) => u.op) : [],
    };
  }
  return { test, ops, status: "fail", reason: `load: ${describe(e)}` };
}

/** Loads one test's model, calls it on every data set and compares the outputs. */
export async function runTest(test: SuiteTest): Promise<TestResult> {
  const bytes = readFileSync(path.join(test.dir, "model.onnx"));
  const model = onnx.ModelProto.decode(bytes);
  const ops = [
    ...new Set(
      (model.graph?.node ?? []).map((n) =>
        n.domain && n.domain !== "ai.onnx" ? `${n.domain}.${n.opType}` : (n.opType ?? ""),
      ),
    ),
  ].sort();
  const sets = dataSets(test.dir);
  const inputNames = (model.graph?.input ?? [])
    .map((vi) => vi.name ?? "")
    .filter((n) => !(model.graph?.initializer ?? []).some((i) => i.name === n));
  let graph: ad.Graph<unknown[], ad.Tensor | ad.Tensor[]> | undefined;
  // Graph inputs read as static values (shapes, axes) are given as constants, per data set.
  let staticInputs: readonly string[] = [];
  // Dynamic dimensions take the first data set's shapes.
  let inputShapes: Record<string, number[]> = {};
  try {
    graph = await ad.onnx.load(bytes);
  } catch (e) {
    if (e instanceof OnnxError && /has dynamic shape/.test(e.message) && sets.length > 0) {
      const shapes = sets[0]!.inputs.map((f) => [...readTensor(f).shape]);
      inputShapes = Object.fromEntries(inputNames.map((n, i) => [n, shapes[i]!]));
      try {
        graph = await ad.onnx.load(bytes, { inputShapes });
      } catch (e2) {
        if (e2 instanceof OnnxError && e2.staticInputs.length > 0) staticInputs = e2.staticInputs;
        else return loadFailure(test, ops, e2);
      }
    } else if (e instanceof OnnxError && e.staticInputs.length > 0) staticInputs = e.staticInputs;
    else return loadFailure(test, ops, e);
  }
  let first: ad.Tensor[] | undefined;
  for (const set of sets) {
    const all = set.inputs.map(readTensor);
    const byName = new Map(inputNames.map((n, i) => [n, all[i]!]));
    if (staticInputs.length > 0) {
      try {
        graph = await ad.onnx.load(bytes, {
          inputShapes: Object.fromEntries(
            Object.entries(inputShapes).filter(([n]) => !staticInputs.includes(n)),
          ),
          constants: Object.fromEntries(staticInputs.map((n) => [n, byName.get(n)!])),
        });
      } catch (e) {
        return loadFailure(test, ops, e);
      }
    }
    if (graph === undefined) throw new Error("unreachable");
    const inputs = inputNames.filter((n) => !staticInputs.includes(n)).map((n) => byName.get(n)!);
    first ??= inputs;
    let outs: ad.Tensor[];
    try {
      const r = graph.call(...inputs);
      outs = Array.isArray(r) ? r : [r];
    } catch (e) {
      return { test, ops, status: "fail", reason: `call: ${describe(e)}` };
    }
    for (let k = 0; k < set.outputs.length; k++) {
      const want = readTensor(set.outputs[k]!);
      const got = outs[k];
      const why = got === undefined ? "missing output" : compare(got, want);
      if (why !== undefined) {
        const known = Object.hasOwn(KNOWN_BAD, test.name) ? KNOWN_BAD[test.name] : undefined;
        return {
          test,
          ops,
          status: known === undefined ? "fail" : "known-bad",
          reason: known ?? `output ${k}: ${why}`,
        };
      }
    }
  }
  if (graph === undefined) return { test, ops, status: "fail", reason: "no test data" };
  if (Object.hasOwn(KNOWN_BAD, test.name)) {
    return {
      test,
      ops,
      status: "fail",
      reason: "listed in KNOWN_BAD but passes: remove it from the list",
    };
  }
  return { test, ops, status: "pass", graph, inputs: first ?? [] };
}
