/**
 * @file treeMap, treeLeaves, treeStructure and treeUnflatten: the same pytrees the transformations
 * take (plain arrays and objects; null/undefined are structure), with structure checks that name
 * the path, and result types that follow the input's.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import * as ad from "../../src/index.js";
import { assertClose, assertThrowsWith, f64 } from "./helpers.js";

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

test("pytree utils: treeMap over one tree keeps structure and type", () => {
  const params = { w: f64([1, 2]), b: [f64([3]), null] as const };
  const doubled = ad.treeMap((t) => ad.mul(t, 2), params);
  expectType<Equal<typeof doubled, { w: ad.Tensor; b: [ad.Tensor, null] }>>(true);
  assertClose(doubled.w, [2, 4], "w");
  assertClose(doubled.b[0], [6], "b[0]");
  assert.equal(doubled.b[1], null);
  const sizes = ad.treeMap((t) => t.size, params);
  expectType<Equal<typeof sizes, { w: number; b: [number, null] }>>(true);
  assert.deepEqual(sizes, { w: 2, b: [1, null] });
});

test("pytree utils: treeMap over several trees (an SGD step) and a structure mismatch", () => {
  const params = { w: f64([1, 2]), b: f64([0.5]) };
  const loss = (p: typeof params): ad.Tensor => ad.add(ad.sum(ad.square(p.w)), ad.sum(p.b));
  const grads = ad.grad(loss)(params);
  const next = ad.treeMap((p, g) => ad.sub(p, ad.mul(g, 0.1)), params, grads);
  assertClose(next.w, [0.8, 1.6], "w - 0.1 * 2w");
  assertClose(next.b, [0.4], "b - 0.1");
  const e = assertThrowsWith(
    () =>
      ad.treeMap((a, b) => ad.add(a, b), params, {
        w: f64([1, 2]),
        c: f64([1]),
      } as unknown as typeof params),
    ad.ValueError,
    ["treeMap: tree 1 does not have the structure of tree 0", "at tree", "{w, b}", "{w, c}"],
  );
  assert.ok(e.message.length < 300);
  assertThrowsWith(
    () => ad.treeMap((a: number, b: number) => a + b, { x: [1, 2] }, { x: [1, [2]] }),
    ad.ValueError,
    ["at tree.x[1]: expected a leaf; got an array of 1"],
  );
  assertThrowsWith(() => ad.treeMap(5 as unknown as () => 0, {}), ad.ValueError, ["treeMap"]);
});

test("pytree utils: leaves, structure and unflatten round-trip in the transformations' order", () => {
  const tree = { b: [1, { c: 2 }], a: 3, n: undefined, z: null };
  const leaves = ad.treeLeaves(tree);
  expectType<Equal<typeof leaves, number[]>>(true);
  assert.deepEqual(leaves, [1, 2, 3]);
  const s = ad.treeStructure(tree);
  const rebuilt = ad.treeUnflatten(
    s,
    leaves.map((x) => x * 10),
  );
  assert.deepEqual(rebuilt, { b: [10, { c: 20 }], a: 30, n: undefined, z: null });
  // The structure is plain data (can be stored as JSON) and the order matches grad's.
  const plain = ad.treeStructure({ a: [1, null], b: 2 });
  assert.deepEqual(JSON.parse(JSON.stringify(plain)), plain);
  const g = ad.grad((p: { b: ad.Tensor[]; a: ad.Tensor }) => ad.add(ad.mul(p.b[0]!, 2), p.a))({
    b: [f64([1])],
    a: f64([1]),
  });
  assert.deepEqual(
    ad.treeLeaves(g).map((t) => t.toArray()),
    [[2], [1]],
  );
  assertThrowsWith(() => ad.treeUnflatten(s, [1, 2]), ad.ValueError, [
    "treeUnflatten: the structure has 3 leaves; got an array of 2",
  ]);
  assertThrowsWith(
    () => ad.treeUnflatten({ kind: "bogus" } as unknown as ad.TreeDef, []),
    ad.ValueError,
    ["treeStructure"],
  );
});

test("pytree utils: a '__proto__' key stays an ordinary own key", () => {
  const tree = JSON.parse('{"__proto__": [1, 2], "w": 3}') as Record<string, unknown>;
  assert.deepEqual(ad.treeLeaves(tree), [1, 2, 3]);
  const out = ad.treeUnflatten(ad.treeStructure(tree), [4, 5, 6]) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ["__proto__", "w"]);
  assert.deepEqual(Object.getOwnPropertyDescriptor(out, "__proto__")!.value, [4, 5]);
  const mapped = ad.treeMap((x) => -(x as number), tree) as Record<string, unknown>;
  assert.deepEqual(Object.getOwnPropertyDescriptor(mapped, "__proto__")!.value, [-1, -2]);
  assert.equal(({} as Record<string, unknown>).w, undefined, "Object.prototype untouched");
});
