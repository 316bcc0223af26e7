/**
 * A headless Chromium or Google Chrome already installed on the machine (Debian's chromium here,
 * Google Chrome on GitHub's Ubuntu runners), driven through playwright-core. Nothing is downloaded:
 * without a browser the pictures are skipped with a sentence that says how to get one.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { UserError } from "#core/util/errors.js";

/** Where Debian, Ubuntu and GitHub's runner images install a Chromium-based browser. */
const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/opt/google/chrome/chrome",
];

/** The browser to use: the explicit path, CHROMIUM_PATH, or the first installed candidate; null when none. */
export function findBrowser(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string | null {
  if (explicit) return existsSync(explicit) ? explicit : null;
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  return CANDIDATES.find((file) => existsSync(file)) ?? null;
}

export type HeadlessBrowser = Browser;
export type BrowserPage = Page;

/** `toolRoot` is the checkout whose node_modules hold playwright-core (it is not bundled into the action). */
export async function launchHeadless(executablePath: string, toolRoot: string): Promise<HeadlessBrowser> {
  let chromium: typeof import("playwright-core").chromium;
  try {
    const load = createRequire(path.join(toolRoot, "package.json"));
    ({ chromium } = load("playwright-core") as typeof import("playwright-core"));
  } catch {
    throw new UserError(
      `playwright-core is not installed in ${toolRoot}; run \`npm ci\` there to draw the pictures.`,
    );
  }
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  } catch (error) {
    throw new UserError(
      `the browser at ${executablePath} did not start (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); set CHROMIUM_PATH to a working Chromium or Chrome.`,
    );
  }
}
