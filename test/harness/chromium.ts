/**
 * @file Headless Chromium for the browser tests: playwright-core driving the system's Chromium
 * (CHROMIUM_PATH or /usr/bin/chromium; TOOLCHAIN.md's flags). Without a browser a test is
 * skipped with the reason, except where CI sets ADJOINT_BROWSER_TESTS=required (.ci/run installs
 * Chromium): there a missing browser fails the test.
 */

import { existsSync } from "node:fs";

export interface Page {
  goto(url: string): Promise<unknown>;
  evaluate<T>(fn: () => Promise<T>): Promise<T>;
}

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

interface Chromium {
  launch(opts: { executablePath: string; args: string[] }): Promise<Browser>;
}

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function loadChromium(): Promise<Chromium | undefined> {
  try {
    const mod = (await import(process.env.PLAYWRIGHT_CORE ?? "playwright-core")) as {
      chromium?: Chromium;
      default?: { chromium?: Chromium };
    };
    return mod.chromium ?? mod.default?.chromium;
  } catch {
    return undefined;
  }
}

const chromium = await loadChromium();

/** Why a browser test cannot run here (false: it can): no browser, or `otherMissing`. */
export function browserMissing(otherMissing: string | false = false): string | false {
  if (chromium === undefined) return "playwright-core is not installed";
  if (!existsSync(executablePath))
    return `no Chromium at ${executablePath} (apt-get install -y chromium)`;
  return otherMissing;
}

/**
 * A browser test's `skip` option: the reason it cannot run, or false. Under
 * ADJOINT_BROWSER_TESTS=required (CI) it is never skipped: the test then fails on `missing`.
 */
export function browserSkip(missing: string | false): string | false {
  return process.env.ADJOINT_BROWSER_TESTS === "required" ? false : missing;
}

/** A headless Chromium with the flags that work on these machines. */
export async function launchChromium(): Promise<Browser> {
  if (chromium === undefined) throw new Error("playwright-core is not installed");
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
    ],
  });
}
