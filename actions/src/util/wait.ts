import { sleep } from "./sleep.js";

/**
 * Checks `check` every `intervalMs` until it returns true (resolves true) or `timeoutMs` has passed
 * (resolves false). It checks at least once, and once more when the time is up, so a condition that
 * became true during the last pause is not missed. A check that throws ends the wait with its error.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number; signal?: AbortSignal },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return true;
    const remaining = deadline - Date.now();
    if (remaining <= 0 || options.signal?.aborted) return false;
    await sleep(Math.min(options.intervalMs, remaining), options.signal);
  }
}
