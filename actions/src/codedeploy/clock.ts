import { sleep } from "#core/util/sleep.js";

/** Time as the poller sees it; tests pass a virtual clock so no test waits or depends on timing. */
export interface Clock {
  now(): number;
  /** Resolves after ms, or early when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };
