/**
 * @file jax-js 0.1.25 refers to the global `Float16Array` (an `instanceof` test when it builds an
 * array from typed data), which Node 20 does not have. A placeholder class nothing is an
 * instance of makes that test false. Import this module before "@jax-js/jax".
 */

const scope = globalThis as { Float16Array?: unknown };
scope.Float16Array ??= class Float16Array {};
