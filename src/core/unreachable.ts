/**
 * @file `unreachable`, the default case of a switch over a closed union (kernel ops, primitive
 * names): its `never` parameter makes a union member without a case a compile error, and a value
 * that escaped the types (a cast, plain JS) an internal error instead of a silent no-op.
 */

// errors.ts only: kernels import this file, and describe.ts would pull in Tensor (an import cycle).
import { AdjointError } from "./errors.js";

/** Throws for a value no case handled; compiles only where every member has its case. */
export function unreachable(value: never, what: string): never {
  throw new AdjointError(`internal error: no case for ${what} ${JSON.stringify(value)}`);
}
