/**
 * @file A tiny type-assertion helper for the type tests: `expectType<Equal<A, B>>(true)` fails
 * to compile (so `npm run typecheck`, and `npm test`, fail) unless A and B are the same type.
 */

/** true when X and Y are identical types (not merely assignable either way), else false. */
export type Equal<X, Y> =
  (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;

/** Compiles only when its type argument is `true` (e.g. an `Equal<...>` that holds). */
export function expectType<T extends true>(ok: T): T {
  return ok;
}

/**
 * Type-checks `body` without running it: for negative cases (`// @ts-expect-error` lines that
 * would throw at run time) that sit next to run-time assertions in one test file.
 */
export function typeOnly(_body: () => void): void {}
