/**
 * @file toSvg: a DrawModel laid out by Graphviz compiled to WebAssembly (@viz-js/viz, an optional
 * peer dependency). The package is loaded lazily, on the first call, through a dynamic import
 * whose specifier bundlers do not follow: the core has no runtime dependency on it and bundles
 * without it. Bundled browser apps pass the module in (`{ viz: await import("@viz-js/viz") }`),
 * which lets their bundler split it into its own chunk.
 */

import { describeValue } from "../core/describe.js";
import { ValueError } from "../core/errors.js";
import { importOptionalPackage, MissingDependencyError } from "../core/optional-package.js";
import { dotOf } from "./draw-dot.js";

export { MissingDependencyError };

import type { DrawModel } from "./draw-model.js";
import { type DrawOptions, resolveDrawOptions } from "./draw-view.js";

/** The npm package toSvg lays graphs out with. */
export const VIZ_PACKAGE = "@viz-js/viz";

/**
 * What toSvg uses of @viz-js/viz's module (its `instance()`), so no type import is needed.
 * @category Tools
 */
export interface VizModule {
  instance(): Promise<VizInstance>;
}

/**
 * What toSvg uses of a Viz instance.
 * @category Tools
 */
export interface VizInstance {
  renderString(input: string, options?: { format?: string; engine?: string }): string;
}

/**
 * Options of {@link toSvg}: the drawing options, and the Graphviz module to use.
 * @category Tools
 */
export interface SvgOptions extends DrawOptions {
  /**
   * The @viz-js/viz module, for bundled browser apps: `{ viz: await import("@viz-js/viz") }`.
   * Without it toSvg imports the package by name (Node, or a page with an import map).
   */
  readonly viz?: VizModule;
}

let cached: Promise<VizInstance> | undefined;

function isVizModule(m: unknown): m is VizModule {
  return (
    typeof m === "object" &&
    m !== null &&
    typeof (m as { instance?: unknown }).instance === "function"
  );
}

/** Imports @viz-js/viz by a specifier held in a variable, so bundlers leave it out. */
async function importViz(): Promise<VizModule> {
  const mod = await importOptionalPackage(
    VIZ_PACKAGE,
    "toSvg",
    "Graphviz compiled to WebAssembly",
    `toSvg(model, { viz: await import("${VIZ_PACKAGE}") })`,
  );
  const m = (mod as { default?: unknown }).default;
  if (isVizModule(mod)) return mod;
  if (isVizModule(m)) return m;
  throw new MissingDependencyError(
    `toSvg: the module loaded as ${VIZ_PACKAGE} has no instance() function; install ${VIZ_PACKAGE} 3.x`,
  );
}

async function vizInstance(viz: VizModule | undefined): Promise<VizInstance> {
  if (viz !== undefined) return viz.instance();
  if (cached === undefined) {
    cached = importViz().then((m) => m.instance());
    // A failed load is not cached: installing the package and calling again works.
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

/**
 * The drawing of a graph as SVG text, laid out by Graphviz (the DOT of {@link toDot}) compiled
 * to WebAssembly. Works in Node and in browsers. Graphviz comes from the optional package
 * `@viz-js/viz` (`npm install @viz-js/viz`), loaded on the first call (about 1.2 MB of
 * JavaScript and WebAssembly, 470 KB gzipped) and kept for later calls; adjoint itself does not
 * depend on it. In a bundled browser app pass the module: `toSvg(model, { viz: await
 * import("@viz-js/viz") })`; a page without a bundler can map the name with an import map.
 * @param model - What to draw.
 * @param options - The options of {@link toDot}, and `viz` (the module to use).
 * @returns The SVG document's text (`<?xml ...><svg ...>...</svg>`).
 * @throws {@link MissingDependencyError} when @viz-js/viz is not installed or does not load;
 * {@link ValueError} for malformed options or when Graphviz rejects the drawing.
 * @category Tools
 */
export async function toSvg(model: DrawModel, options?: SvgOptions): Promise<string> {
  const o = resolveDrawOptions("toSvg", options, ["viz"]);
  const viz = options?.viz;
  if (viz !== undefined && !isVizModule(viz)) {
    throw new ValueError(
      `toSvg: options.viz must be the ${VIZ_PACKAGE} module (with an instance() function); got ${describeValue(viz)}`,
    );
  }
  const dot = dotOf(model, o);
  const instance = await vizInstance(viz);
  try {
    return instance.renderString(dot, { format: "svg", engine: "dot" });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ValueError(`toSvg: Graphviz could not lay out the drawing: ${reason}`, { cause });
  }
}
