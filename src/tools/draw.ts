/**
 * @file The drawing tools in one place: a graph's DrawModel as Graphviz DOT (`toDot`), a Mermaid
 * flowchart (`toMermaid`) or SVG laid out by Graphviz in WebAssembly (`toSvg`), and the options
 * they share (grouping by named scope, collapsing large groups).
 */

export { toDot } from "./draw-dot.js";
export { toMermaid } from "./draw-mermaid.js";
export { type DrawEdge, type DrawModel, type DrawNode, drawModelOf } from "./draw-model.js";
export {
  MissingDependencyError,
  type SvgOptions,
  toSvg,
  type VizInstance,
  type VizModule,
} from "./draw-svg.js";
export type { DrawOptions } from "./draw-view.js";
