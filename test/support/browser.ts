/**
 * Debian's Chromium driven by playwright-core, for tests of what people see in Cockpit, Tasklist and
 * Admin. Never a browser download: the executable is the system's (CHROMIUM_PATH, default
 * /usr/bin/chromium; `.ci/run` installs it). Screenshots of failed checks are kept under
 * .local/test-logs/screenshots/ so a red run shows what the page looked like.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { findBrowser } from "#core/diff/render/browser.js";
import { repoRoot } from "./repo.js";

// Debian's chromium here; on GitHub's Ubuntu runners the preinstalled Google Chrome.
export const chromiumPath = process.env.CHROMIUM_PATH ?? findBrowser() ?? "/usr/bin/chromium";
export const screenshotDir = path.join(repoRoot, ".local", "test-logs", "screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}; install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // As root in a sandbox without user namespaces; no background traffic on a closed network.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Logs in through the web apps' own login form (any app's; the session cookie serves all three). */
export async function logIn(page: Page, appUrl: string, username: string, password: string): Promise<void> {
  // The login view is drawn while the app still starts; a field filled then can be redrawn or refocused
  // (the password once ended up typed after the user name). Wait for the app, and check what was filled.
  await page.goto(appUrl, { waitUntil: "networkidle" });
  const user = page.locator("input[ng-model=username]");
  const secret = page.locator("input[ng-model=password]");
  for (let attempt = 1; ; attempt++) {
    await user.fill(username);
    await secret.fill(password);
    if ((await user.inputValue()) === username && (await secret.inputValue()) === password) break;
    if (attempt === 3) throw new Error(`${appUrl}: the login form did not keep what was typed into it`);
    await page.waitForTimeout(500);
  }
  await page.click("button[type=submit]");
  // The login form goes away once the engine accepted the user; a refusal leaves it with a notice.
  const refused = page.getByText("Login Failed");
  // Both waits settle (the loser times out or ends with the page) and never reject unhandled.
  const outcome = await Promise.race([
    page.waitForSelector("input[ng-model=password]", { state: "detached", timeout: 30_000 }).then(
      () => "in" as const,
      () => "timeout" as const,
    ),
    refused.waitFor({ timeout: 30_000 }).then(
      () => "refused" as const,
      () => "timeout" as const,
    ),
  ]);
  if (outcome === "timeout")
    throw new Error(`${appUrl}: the login form of "${username}" did not go away in 30 s`);
  if (outcome === "refused") {
    throw new Error(
      `${appUrl} refused the login of "${username}": wrong password, locked user, or no ACCESS grant on the application`,
    );
  }
}

/**
 * Runs `check` on the page; when it throws, saves a full-page screenshot named after the check and
 * rethrows with the screenshot's path in the message.
 */
export async function withScreenshotOnFailure<T>(
  page: Page,
  name: string,
  check: () => Promise<T>,
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    mkdirSync(screenshotDir, { recursive: true });
    const file = path.join(screenshotDir, `${name.replace(/[^\w.-]+/g, "-")}-${Date.now()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\nscreenshot: ${path.relative(repoRoot, file)}`, { cause: error });
  }
}

/**
 * Saves a screenshot of a step that went well when CAMUNDA_TEST_SCREENSHOTS is set (to look at what a
 * person sees); returns its path, or null when not asked for.
 */
export async function keepScreenshot(page: Page, name: string): Promise<string | null> {
  if (!process.env.CAMUNDA_TEST_SCREENSHOTS) return null;
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
