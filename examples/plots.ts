/**
 * @file The demo's three plots as Vega-Lite specs, rendered to SVG strings by Vega in Node (no
 * DOM, no canvas: docs/decisions/0020-demo-plots-with-vega-lite.md says why). Each function takes
 * plain numbers, so the plots know nothing about adjoint.
 */

import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { compile } from "vega-lite";

/** Compiles a Vega-Lite spec and renders it headless to an SVG document. */
async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    // Vega writes coordinates with every digit (87.46355685131195); a hundredth of a pixel is
    // plenty and halves the heat map's file.
    const svg = await view.toSVG();
    return svg.replace(
      /\b(d|transform)="([^"]*)"/g,
      (_, attr: string, value: string) => `${attr}="${value.replace(/(\.\d\d)\d+/g, "$1")}"`,
    );
  } finally {
    view.finalize();
  }
}

// Vega measures text without a canvas by an estimate (0.8 em a character) that overstates
// widths, so long titles widen the SVG: subtitles are kept short or split into lines.
// ARIA labels would triple the files' size (one per heat-map cell); the plots are pictures.
const FONT = {
  aria: false,
  font: "Helvetica, Arial, sans-serif",
  title: { fontSize: 15, anchor: "start" as const, subtitleColor: "#555" },
  view: { stroke: null },
};

/** Each training step's loss, and the test accuracy before training (epoch 0) and after each epoch. */
export interface TrainingHistory {
  readonly loss: readonly { step: number; loss: number }[];
  readonly accuracy: readonly { step: number; epoch: number; accuracy: number }[];
}

/**
 * (1) The training loss at every step (thin, with a moving average over it) next to the test
 * accuracy after each epoch, zoomed on the trained epochs (the untrained accuracy, near chance,
 * is in the subtitle instead of squashing the axis).
 */
export function lossCurveSvg(h: TrainingHistory, title: string): Promise<string> {
  const window = Math.max(1, Math.round(h.loss.length / 40));
  const untrained = h.accuracy.find((d) => d.epoch === 0);
  const trained = h.accuracy.filter((d) => d.epoch > 0);
  const last = trained[trained.length - 1];
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: title,
      subtitle: [
        "minibatch loss at every step (dark: moving average)",
        `test accuracy after each epoch${untrained ? ` (untrained: ${(100 * untrained.accuracy).toFixed(1)}%)` : ""}`,
      ],
    },
    config: FONT,
    background: "white",
    padding: 12,
    hconcat: [
      {
        width: 380,
        height: 240,
        data: { values: h.loss.map((d) => ({ ...d })) },
        transform: [
          { window: [{ op: "mean", field: "loss", as: "smoothed" }], frame: [-window, 0] },
        ],
        layer: [
          {
            mark: { type: "line", color: "#9ecae1", strokeWidth: 1 },
            encoding: {
              x: { field: "step", type: "quantitative", title: "step" },
              y: {
                field: "loss",
                type: "quantitative",
                scale: { type: "log" },
                title: "cross-entropy (log scale)",
                // Decades only; 0.001 and up as decimals, smaller ones as 1e-5 rather than 0.00001.
                axis: {
                  values: [10, 1, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8],
                  labelExpr:
                    "datum.value >= 0.001 ? format(datum.value, '~g') : format(datum.value, '.0e')",
                },
              },
            },
          },
          {
            mark: { type: "line", color: "#08519c", strokeWidth: 2.5 },
            encoding: {
              x: { field: "step", type: "quantitative" },
              y: { field: "smoothed", type: "quantitative" },
            },
          },
        ],
      },
      {
        width: 260,
        height: 240,
        data: { values: trained.map((d) => ({ ...d, last: d === last })) },
        layer: [
          {
            mark: { type: "line", color: "#d94801", strokeWidth: 2.5, point: { size: 50 } },
            encoding: {
              x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
              y: {
                field: "accuracy",
                type: "quantitative",
                title: "test accuracy",
                axis: { format: ".0%" },
                scale: { zero: false },
              },
            },
          },
          {
            transform: [{ filter: "datum.last" }],
            mark: { type: "text", dy: 14, align: "right", fontWeight: "bold", color: "#d94801" },
            encoding: {
              x: { field: "epoch", type: "quantitative" },
              y: { field: "accuracy", type: "quantitative" },
              text: { field: "accuracy", type: "quantitative", format: ".1%" },
            },
          },
        ],
      },
    ],
  };
  return toSvg(spec);
}

/** A test image with what the model said: `pixels` is 8x8 row-major in 0..16. */
export interface LabelledDigit {
  readonly pixels: ArrayLike<number>;
  readonly predicted: number;
  readonly truth: number;
}

/**
 * (2) A grid of digits, each titled with its predicted and true label; the misclassified ones
 * get a red frame and a red title.
 */
export function digitGridSvg(
  digits: readonly LabelledDigit[],
  title: string,
  subtitle: string,
  columns = 8,
): Promise<string> {
  const values: Record<string, number | string | boolean>[] = [];
  digits.forEach((d, k) => {
    const wrong = d.predicted !== d.truth;
    const label = `#${k + 1}  pred ${d.predicted} · true ${d.truth}${wrong ? "  ✗" : ""}`;
    for (let p = 0; p < 64; p++) {
      const [row, col] = [Math.floor(p / 8), p % 8];
      values.push({ k, label, wrong, row, col, row1: row + 1, col1: col + 1, v: d.pixels[p]! });
    }
  });
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, subtitle },
    config: { ...FONT, header: { labelFontSize: 11, labelPadding: 4 } },
    background: "white",
    padding: 12,
    data: { values },
    facet: {
      field: "label",
      type: "nominal",
      sort: { field: "k", op: "min" },
      title: null,
      header: {
        // Two lines ("pred 9", "true 5"): Vega's width estimate spaces one-line labels wide.
        labelExpr: "split(split(datum.value, '  ')[1], ' · ')",
        // Wrapped facets title each cell group, whose facet value is parent.label.
        labelColor: { expr: "indexof(parent.label, '✗') >= 0 ? '#cb181d' : '#222'" },
      },
    },
    columns,
    spacing: { row: 6, column: 10 },
    spec: {
      width: 72,
      height: 72,
      layer: [
        {
          mark: { type: "rect" },
          encoding: {
            x: { field: "col", type: "quantitative", scale: { domain: [0, 8] }, axis: null },
            x2: { field: "col1" },
            y: {
              field: "row",
              type: "quantitative",
              scale: { domain: [8, 0] },
              axis: null,
            },
            y2: { field: "row1" },
            color: {
              field: "v",
              type: "quantitative",
              scale: { domain: [0, 16], range: ["#ffffff", "#000000"] },
              legend: null,
            },
          },
        },
        {
          transform: [{ filter: "datum.wrong && datum.row == 0 && datum.col == 0" }],
          mark: { type: "rect", fill: null, stroke: "#cb181d", strokeWidth: 3 },
          encoding: {
            x: { datum: 0, type: "quantitative" },
            x2: { datum: 8 },
            y: { datum: 0, type: "quantitative" },
            y2: { datum: 8 },
          },
        },
      ],
    },
  };
  return toSvg(spec);
}

/** A 2-D classification problem: points with labels 0/1 and the model's P(class 1) on a grid. */
export interface BoundaryData {
  readonly points: readonly { x: number; y: number; label: number }[];
  /** Grid cells: lower-left corner, size `step`, and the predicted probability of class 1. */
  readonly grid: readonly { x: number; y: number; p: number }[];
  readonly step: number;
}

/**
 * (3) The decision boundary of a 2-D classifier: P(class 1) as a diverging heat map (white
 * where the model is undecided, so the boundary is the white band) with the training points on
 * top.
 */
export function decisionBoundarySvg(
  d: BoundaryData,
  title: string,
  subtitle: string | string[],
): Promise<string> {
  const s = d.step;
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, subtitle },
    config: FONT,
    background: "white",
    padding: 12,
    width: 420,
    height: 300,
    layer: [
      {
        // Cells overlap by a tenth so that anti-aliasing leaves no hairline seams between them.
        data: { values: d.grid.map((g) => ({ ...g, x2: g.x + 1.1 * s, y2: g.y + 1.1 * s })) },
        mark: { type: "rect", strokeWidth: 0, clip: true },
        encoding: {
          x: { field: "x", type: "quantitative", title: "x₁", scale: { nice: false, zero: false } },
          x2: { field: "x2" },
          y: { field: "y", type: "quantitative", title: "x₂", scale: { nice: false, zero: false } },
          y2: { field: "y2" },
          color: {
            field: "p",
            type: "quantitative",
            title: "P(class 1)",
            // Light ends, so that the dark training points stand out on both sides.
            scale: { domain: [0, 0.5, 1], range: ["#6baed6", "#f7f7f7", "#fdae6b"] },
          },
        },
      },
      {
        data: { values: d.points.map((p) => ({ ...p, cls: `class ${p.label}` })) },
        mark: { type: "point", filled: true, size: 34, opacity: 0.95 },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
          color: {
            field: "cls",
            type: "nominal",
            title: "training points",
            scale: { domain: ["class 0", "class 1"], range: ["#08306b", "#a63603"] },
          },
          shape: {
            field: "cls",
            type: "nominal",
            scale: { domain: ["class 0", "class 1"], range: ["circle", "triangle-up"] },
            title: "training points",
          },
        },
      },
    ],
    // The heat map's colour scale is its own; the points' colour and shape share one legend.
    resolve: { scale: { color: "independent", shape: "independent" } },
  };
  return toSvg(spec);
}
