/** @file NumPy-style indexing and JAX-style functional updates: `index`, `at`, `s`, `newaxis`. */

export * from "./at.js";
export { type IndexItem, newaxis, Slice, s } from "./items.js";
export { index } from "./lower.js";
