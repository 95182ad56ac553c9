/**
 * @file Type tests of the typed primitive registry (issue 10, section 0; decision 0016): a
 * built-in declaration with a name outside the union, without a JVP, VJP or batch rule, or with
 * rules for another primitive's params does not compile, nor does a table of the built-ins that
 * lacks a name; params are checked where a primitive is bound. The run-time half checks that the
 * table and the registry agree and that a duplicate name throws.
 */

// The package entry first: deep imports alone start the module graph in the middle of a cycle.
import "../../src/index.js";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { ValueError } from "../../src/core/errors.js";
import { NO_PARAMS, paramsCodec } from "../../src/core/params-json.js";
import { definePrimitive, registeredPrimitives } from "../../src/core/primitive.js";
import { bind } from "../../src/core/trace.js";
import * as ad from "../../src/index.js";
import { BUILTIN_MULTI_PRIMITIVES, BUILTIN_PRIMITIVES } from "../../src/primitives/all.js";
import { elementwiseBatch } from "../../src/primitives/batching.js";
import { reshapePrim } from "../../src/primitives/movement.js";
import {
  type BuiltinPrimitive,
  declarePrimitive,
  type MultiPrimitiveName,
  type PrimitiveName,
  type PrimitiveParams,
} from "../../src/primitives/names.js";
import { reduceSumPrim } from "../../src/primitives/reduce.js";
import { type Equal, expectType, typeOnly } from "./expect.js";

const same = ([x]: readonly ad.Aval[]) => ({ shape: x!.shape, dtype: x!.dtype });
const data = ([x]: readonly ad.Tensor[]) => x!.dataSync();

test("types: names and params come from one map", () => {
  expectType<Equal<PrimitiveParams["reshape"], { readonly shape: readonly number[] }>>(true);
  expectType<Equal<PrimitiveParams["add"], undefined>>(true);
  expectType<Equal<typeof reshapePrim.name, "reshape">>(true);
  expectType<Equal<Extract<PrimitiveName, MultiPrimitiveName>, never>>(true);
  typeOnly(() => {
    // @ts-expect-error -- not a built-in primitive's name
    const unknown: PrimitiveName = "reduce_mean";
    void unknown;
  });
});

test("types: a built-in declaration needs a name in the union and every rule", () => {
  typeOnly(() => {
    const prim: BuiltinPrimitive<"neg"> = declarePrimitive({
      name: "neg",
      paramsJson: NO_PARAMS,
      shape: same,
      impl: data,
      jvp: (_p, [dx]) => dx ?? null,
      vjp: (ct) => [ct],
      batch: elementwiseBatch(() => prim),
    });
    // A complete declaration compiles; each of the following lacks one part.
    void prim;

    declarePrimitive({
      // @ts-expect-error -- a name outside PrimitiveName: add it to the union first
      name: "not_a_primitive",
      shape: same,
      impl: data,
      jvp: () => null,
      vjp: () => [null],
      batch: ([x]) => x!,
    });
    // @ts-expect-error -- no params serializer: a graph holding it could not be written to JSON
    declarePrimitive({
      name: "neg",
      shape: same,
      impl: data,
      jvp: () => null,
      vjp: () => [null],
      batch: ([x]: readonly ad.Tensor[]) => x!,
    });
    declarePrimitive({
      name: "reshape",
      // @ts-expect-error -- a serializer of other params (reshape's are { shape })
      paramsJson: paramsCodec<{ readonly axes: readonly number[] }>({ axes: "ints" }),
      shape: same,
      impl: data,
      jvp: () => null,
      vjp: () => [null],
      batch: ([x]: readonly ad.Tensor[]) => x!,
    });
    // @ts-expect-error -- no batch rule: built-ins must not fall back to a loop under vmap
    declarePrimitive({
      name: "neg",
      paramsJson: NO_PARAMS,
      shape: same,
      impl: data,
      jvp: () => null,
      vjp: () => [null],
    });
    // @ts-expect-error -- no VJP rule
    declarePrimitive({
      name: "neg",
      paramsJson: NO_PARAMS,
      shape: same,
      impl: data,
      jvp: () => null,
      batch: ([x]: readonly ad.Tensor[]) => x!,
    });
    // @ts-expect-error -- no JVP rule
    declarePrimitive({
      name: "neg",
      paramsJson: NO_PARAMS,
      shape: same,
      impl: data,
      vjp: () => [null],
      batch: ([x]: readonly ad.Tensor[]) => x!,
    });
    declarePrimitive({
      name: "reduce_sum",
      paramsJson: paramsCodec<{ readonly axes: readonly number[] }>({ axes: "ints" }),
      shape: same,
      impl: data,
      // @ts-expect-error -- reduce_sum's params are { axes }, not reshape's { shape }
      jvp: (_p, [dx], _out, params) => ad.reshape(dx!, params.shape),
      vjp: () => [null],
      batch: ([x]) => x!,
    });
  });
});

test("types: the table of built-ins must list every name, each with its own declaration", () => {
  typeOnly(() => {
    const { reshape: _dropped, ...rest } = BUILTIN_PRIMITIVES;
    // @ts-expect-error -- a name of the union without an entry
    const missing: { readonly [N in PrimitiveName]: BuiltinPrimitive<N> } = rest;
    const swapped: { readonly [N in PrimitiveName]: BuiltinPrimitive<N> } = {
      ...BUILTIN_PRIMITIVES,
      // @ts-expect-error -- an entry that is another primitive's declaration
      reshape: BUILTIN_PRIMITIVES.transpose,
    };
    void missing;
    void swapped;
  });
});

test("types: bind checks a built-in's params", () => {
  typeOnly(() => {
    const x = ad.tensor([1, 2]);
    bind(reshapePrim, [x], { shape: [2, 1] });
    bind(reduceSumPrim, [x], { axes: [0] });
    // @ts-expect-error -- reshape takes { shape }
    bind(reshapePrim, [x], { axes: [0] });
    // @ts-expect-error -- reduce_sum takes params
    bind(reduceSumPrim, [x], undefined);
  });
});

test("registry: the table lists exactly the registered built-ins, under their own names", () => {
  const table = { ...BUILTIN_PRIMITIVES, ...BUILTIN_MULTI_PRIMITIVES };
  for (const [name, prim] of Object.entries(table)) {
    assert.equal(prim.name, name);
    assert.equal(registeredPrimitives().get(name), prim, `${name} is registered as declared`);
    assert.equal(typeof prim.batch, "function", `${name} has a batch rule`);
  }
  // Every built-in is in the table (user primitives of other tests carry an example_ prefix).
  const builtins = [...registeredPrimitives().keys()].filter((n) => !n.startsWith("example_"));
  assert.deepEqual(builtins.filter((n) => !(n in table)).sort(), []);
});

test("registry: a second declaration of a name throws, for built-in and user names alike", () => {
  assert.throws(
    () =>
      definePrimitive({
        name: "add",
        shape: same,
        impl: data,
        jvp: () => null,
        vjp: () => [null],
      }),
    (e: unknown) => e instanceof ValueError && /"add" is already registered/.test(e.message),
  );
  const decl = {
    name: "example_registry_twice",
    shape: same,
    impl: data,
    jvp: () => null,
    vjp: () => [null],
  };
  definePrimitive(decl);
  assert.throws(() => definePrimitive({ ...decl }), ValueError);
  assert.equal(registeredPrimitives().get("example_registry_twice"), decl);
});

test("registry: the library declares its primitives with declarePrimitive, never the open form", () => {
  const root = join(import.meta.dirname, "../../src");
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(root, f));
  const open = files.filter((f) => {
    const rel = relative(root, f).replaceAll("\\", "/");
    if (rel === "core/primitive.ts" || rel === "primitives/names.ts") return false;
    // Calls, not mentions in TSDoc ({@link definePrimitive}) or re-exports.
    return /\b(ad\.)?define(Multi)?Primitive(<[^>]*>)?\(/.test(
      readFileSync(f, "utf8").replace(/^\s*\*.*$/gm, ""),
    );
  });
  assert.deepEqual(
    open.map((f) => relative(root, f)),
    [],
  );
});
