/**
 * @file Short summaries of values for the graph tools (traceGraph, explain): a size-1 tensor as
 * its number, in full (the shortest text that reads back to the same float, so float64 values
 * match docs/how-it-works.md's digits and float32 values do not show float64 noise); a larger
 * one as its type and min/mean/max (counts of true for bool, of NaN and Inf for floats).
 */

import type { DType } from "../core/dtype.js";
import type { Tensor } from "../core/tensor.js";
import { avalString, shortestFloat32 } from "../ir/print.js";

/** Significant digits of the statistics of a summarised (non size-1) tensor. */
const STAT_DIGITS = 6;

/**
 * One element as text: the shortest decimal that reads back to the same value of `dtype`
 * (float32: rounded with Math.fround), `true`/`false` for bool, `NaN`/`Inf`/`-Inf`.
 */
export function formatElement(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  return dtype === "float32" ? shortestFloat32(v) : String(v);
}

/** A statistic to STAT_DIGITS significant digits (in exponent form below 1e-4: 2.45571e-5). */
function stat(v: number): string {
  const r = Number(v.toPrecision(STAT_DIGITS));
  return r !== 0 && Math.abs(r) < 1e-4 ? r.toExponential() : String(r);
}

/**
 * The summary of a concrete tensor: `2.5838531634528574` for size 1; `f32[3] min=0 mean=1
 * max=2` otherwise (`(empty)` for no elements, `bool[4] 3 of 4 true` for bool, ` (1 NaN, 2 Inf)`
 * appended when some elements are not finite; the statistics are over the finite ones).
 */
export function summarize(t: Tensor): string {
  const data = t.dataSync();
  const n = data.length;
  if (n === 1 && t.shape.every((d) => d === 1)) return formatElement(data[0]!, t.dtype);
  const head = avalString(t);
  if (n === 0) return `${head} (empty)`;
  if (t.dtype === "bool") {
    let trues = 0;
    for (let i = 0; i < n; i++) if (data[i] !== 0) trues++;
    return `${head} ${trues} of ${n} true`;
  }
  return `${head} ${finiteStats(data, stat, stat)}`;
}

/**
 * `min=… mean=… max=…` over the finite elements of `data` (min and max written by `extreme`, the
 * mean by `mean`), then ` (k NaN, m Inf)` when some are not finite; "no finite values" when none is.
 */
export function finiteStats(
  data: ArrayLike<number>,
  extreme: (v: number) => string,
  mean: (v: number) => string,
): string {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  let nans = 0;
  let infs = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v === 0) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      finite++;
    } else if (Number.isNaN(v)) nans++;
    else infs++;
  }
  const stats =
    finite === 0
      ? "no finite values"
      : `min=${extreme(min)} mean=${mean(sum / finite)} max=${extreme(max)}`;
  const odd = [nans > 0 ? `${nans} NaN` : "", infs > 0 ? `${infs} Inf` : ""].filter((s) => s);
  return `${stats}${odd.length > 0 ? ` (${odd.join(", ")})` : ""}`;
}

/**
 * A summary for a drawing, where space is short: as {@link summarize}, with a size-1 float
 * rounded to 6 significant digits (2.58385 for 2.5838531634528574).
 */
export function shortSummary(t: Tensor): string {
  if (t.size === 1 && (t.dtype === "float32" || t.dtype === "float64")) {
    const v = t.dataSync()[0]!;
    if (Number.isFinite(v)) return formatElement(Number(v.toPrecision(STAT_DIGITS)), "float64");
  }
  return summarize(t);
}
