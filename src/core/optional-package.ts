/**
 * @file Optional peer packages (onnx-proto for ONNX, @viz-js/viz for SVG drawings): imported by
 * a specifier held in a variable, so bundlers leave them out, and a typed error that says which
 * package is missing and how to install it or pass it in.
 */

import { AdjointError } from "./errors.js";

/**
 * A needed optional package is not installed (or failed to load): the message says which one
 * and how to install it.
 * @category Errors
 */
export class MissingDependencyError extends AdjointError {
  override name = "MissingDependencyError";
}

/**
 * Imports the optional package `name` for `op`. If it does not load, throws a
 * MissingDependencyError naming the package, `what` it is for, and how to install it or pass it
 * in (`passIn`, e.g. `toSvg(model, { viz: await import("@viz-js/viz") })`).
 */
export async function importOptionalPackage(
  name: string,
  op: string,
  what: string,
  passIn: string,
): Promise<unknown> {
  const specifier: string = name;
  try {
    return await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new MissingDependencyError(
      `${op}: needs the optional package ${name} (${what}), which did not load: ${reason}. ` +
        `Install it with \`npm install ${name}\`; in a bundled browser app pass it in: ${passIn}.`,
      { cause },
    );
  }
}
