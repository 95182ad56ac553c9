/**
 * @file The 8x8 handwritten digits (examples/data/README.md): 1,797 images of 64 pixels in 0..16
 * and their labels 0..9, read from the gzipped CSV next to this file and checked as it is read.
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** The digits: `pixels[i * 64 + j]` is pixel j of image i (row-major 8x8, 0..16). */
export interface Digits {
  readonly count: number;
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** Reads examples/data/digits.csv.gz; throws with the line number on any malformed line. */
export function loadDigits(path = join(HERE, "digits.csv.gz")): Digits {
  const text = gunzipSync(readFileSync(path)).toString("utf8");
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const pixels = new Float32Array(lines.length * 64);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(",");
    if (cells.length !== 65) {
      throw new Error(
        `digits: line ${i + 1} has ${cells.length} values; expected 64 pixels and a label`,
      );
    }
    for (let j = 0; j < 65; j++) {
      const v = Number(cells[j]);
      const max = j < 64 ? 16 : 9;
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw new Error(
          `digits: line ${i + 1}, value ${j + 1} is ${cells[j]}; expected an integer in 0..${max}`,
        );
      }
      if (j < 64) pixels[i * 64 + j] = v;
      else labels[i] = v;
    }
  });
  return { count: lines.length, pixels, labels };
}

/**
 * A deterministic split into training and test images: every `testEvery`-th image is a test
 * image (the labels cycle through the file, so both parts hold every digit).
 */
export function splitDigits(d: Digits, testEvery = 5): { train: Digits; test: Digits } {
  const pick = (keep: (i: number) => boolean): Digits => {
    const idx = Array.from({ length: d.count }, (_, i) => i).filter(keep);
    const pixels = new Float32Array(idx.length * 64);
    const labels = new Int32Array(idx.length);
    idx.forEach((src, k) => {
      pixels.set(d.pixels.subarray(src * 64, src * 64 + 64), k * 64);
      labels[k] = d.labels[src]!;
    });
    return { count: idx.length, pixels, labels };
  };
  return { train: pick((i) => i % testEvery !== 0), test: pick((i) => i % testEvery === 0) };
}
