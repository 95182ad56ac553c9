/**
 * @file The elementwise functions on plain JS numbers, for the scalar fast path of bind (size-1
 * float results computed without typed arrays). They are generated from the same expressions as
 * the reference and fast kernels (src/elementwise), so both paths agree bit for bit.
 */

export { BINARY_SCALAR, UNARY_SCALAR } from "../elementwise/kernels.js";
