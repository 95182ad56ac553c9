/**
 * @file checkOptions: the one validator of option objects for ops and transformations, so that a
 * misspelt key (`{ axes: 0 }`) or a non-object (`sum(x, "garbage")`) is an error naming the op
 * instead of being silently ignored.
 */

import { describeValue } from "./describe.js";
import { ValueError } from "./errors.js";
import { isPlainObject } from "./pytree.js";

/**
 * `options` checked against the keys `op` accepts: undefined (and null) mean no options and give
 * an empty object; anything but a plain object, or an unknown key, is a ValueError that lists the
 * accepted keys and suggests the closest one. Values are checked by each op.
 */
export function checkOptions<T extends object>(
  op: string,
  options: T | null | undefined,
  accepted: readonly string[],
  arg = "options",
): Partial<T> {
  if (options === undefined || options === null) return {};
  if (!isPlainObject(options)) {
    throw new ValueError(
      `${op}: ${arg} must be an object with keys ${listKeys(accepted)}; got ${describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key)) {
      const near = closest(key, accepted);
      throw new ValueError(
        `${op}: unknown option "${key.length > 40 ? `${key.slice(0, 40)}...` : key}"; ${op} accepts ${listKeys(accepted)}` +
          (near === null ? "" : ` (did you mean "${near}"?)`),
      );
    }
  }
  return options;
}

function listKeys(keys: readonly string[]): string {
  return keys.length === 0 ? "no options" : `{ ${keys.join(", ")} }`;
}

/** The accepted key nearest to `key` (case-insensitive edit distance at most 2), or null. */
function closest(key: string, accepted: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const k of accepted) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}
