/** @file The user-facing ops, re-exported by family. Tensor methods and the package root use these. */

export * from "./bitwise.js";
export * from "./creation.js";
export * from "./einsum.js";
export * from "./elementwise.js";
export * from "./elementwise-more.js";
export * from "./indexing.js";
export * from "./indexing-numpy/index.js";
export * from "./joining.js";
export * from "./linalg.js";
export * from "./logic.js";
export * from "./matrix-structure.js";
export * from "./nan-reductions.js";
export * from "./nn.js";
export * from "./nonzero.js";
export * from "./polynomials.js";
export * from "./products.js";
export * from "./reduce.js";
export * from "./roll-split.js";
export * from "./searching.js";
export * from "./sequences.js";
export * from "./sets.js";
export * from "./shape.js";
export * from "./spacing.js";
export * from "./statistics.js";
export * from "./windows.js";
