/**
 * @file Size settings and small utilities shared by the example scripts (digits-mlp.ts,
 * digits-cnn.ts, ...). Every setting has a default (the full run whose figures each script's
 * header states) and can be overridden on the command line, `--epochs=2` or `--epochs 2`, or by
 * an environment variable named after it in upper case with an `ADJOINT_` prefix
 * (`ADJOINT_EPOCHS=2`); the command line wins. The tests run the scripts with small settings.
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Reads the setting `name` as a number: `--name=v` / `--name v` on argv, then the env, then
 * `dflt`. A setting whose default is an integer (a count) must be an integer.
 */
export function setting(name: string, dflt: number): number {
  const raw = rawSetting(name);
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v)) {
    throw new Error(`setting ${name} must be a finite number; got ${JSON.stringify(raw)}`);
  }
  if (Number.isInteger(dflt) && !Number.isInteger(v)) {
    throw new Error(`setting ${name} must be an integer; got ${JSON.stringify(raw)}`);
  }
  return v;
}

function rawSetting(name: string): string | undefined {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  const env = `ADJOINT_${name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}`;
  return process.env[env];
}

/** A seeded generator of uniform numbers in [0, 1) (mulberry32), for shuffles and noise. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample from a uniform generator (Box-Muller). */
export function gaussian(next: () => number): number {
  const u = 1 - next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function shuffled(n: number, next: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** True when the module at `url` (import.meta.url) is the script node was asked to run. */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  const strip = (p: string) => p.replace(/\.ts$/, "");
  return strip(fileURLToPath(url)) === strip(resolve(script));
}
