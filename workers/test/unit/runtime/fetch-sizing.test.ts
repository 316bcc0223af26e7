import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type FetchSizingInput,
  nextFetchSize,
  PREFETCH_HORIZON_MS,
  prefetchBudget,
} from "#workers/runtime/fetch-sizing.js";

/** 32 slots, a buffer of at most 64, fetches of at most 64, 60 s locks, no-op-quick tasks (20 ms). */
const quick: FetchSizingInput = {
  parallelism: 32,
  prefetchCap: 64,
  maxTasks: 64,
  meanTaskMs: 20,
  shortestLockMs: 60_000,
};

describe("prefetch budget", () => {
  it("is zero before a task time has been measured, and when prefetch is off", () => {
    assert.equal(prefetchBudget({ ...quick, meanTaskMs: undefined }), 0);
    assert.equal(prefetchBudget({ ...quick, prefetchCap: 0 }), 0);
  });

  it("is the whole cap while the slots finish more than the cap within the horizon", () => {
    // 32 slots × 1000 ms / 20 ms = 1600 tasks a second: far more than the cap.
    assert.equal(prefetchBudget(quick), 64);
  });

  it("shrinks with slower tasks so a fetched-ahead task starts within the horizon", () => {
    // 32 slots finish 32 × 1000 / 800 = 40 tasks of 800 ms within the horizon.
    assert.equal(prefetchBudget({ ...quick, meanTaskMs: 800 }), 40);
    assert.equal(prefetchBudget({ ...quick, meanTaskMs: 1_000 }), 32);
    // One task alone longer than the horizon (the first slot may free only after it): nothing ahead.
    assert.equal(prefetchBudget({ ...quick, meanTaskMs: 1_001 }), 0);
    assert.equal(prefetchBudget({ ...quick, meanTaskMs: 40_000 }), 0);
    // The waiting this budget implies stays within the horizon.
    for (const meanTaskMs of [5, 50, 500, 900, 1_500, 5_000]) {
      const budget = prefetchBudget({ ...quick, meanTaskMs });
      assert.ok((budget * meanTaskMs) / quick.parallelism <= PREFETCH_HORIZON_MS, `${meanTaskMs} ms tasks`);
    }
  });

  it("keeps the horizon within an eighth of the shortest lock", () => {
    // A 2 s lock: horizon 250 ms, so 32 × 250 / 100 = 80 → the cap; 32 × 250 / 200 = 40; a 500 ms task
    // is longer than the horizon.
    assert.equal(prefetchBudget({ ...quick, shortestLockMs: 2_000, meanTaskMs: 100 }), 64);
    assert.equal(prefetchBudget({ ...quick, shortestLockMs: 2_000, meanTaskMs: 200 }), 40);
    assert.equal(prefetchBudget({ ...quick, shortestLockMs: 2_000, meanTaskMs: 500 }), 0);
    // A lock shorter than eight tasks' time: nothing ahead.
    assert.equal(prefetchBudget({ ...quick, shortestLockMs: 7, meanTaskMs: 1 }), 0);
  });
});

describe("next fetch size", () => {
  it("asks for the free slots only before anything is measured, never more than a fetch may bring", () => {
    const cold = { ...quick, meanTaskMs: undefined };
    assert.equal(nextFetchSize(cold, 0), 32);
    assert.equal(nextFetchSize({ ...cold, maxTasks: 10 }, 0), 10);
    assert.equal(nextFetchSize(cold, 32), 0);
  });

  it("always fetches when nothing is held, so a long poll waits for the first task", () => {
    assert.equal(nextFetchSize({ ...quick, parallelism: 1, prefetchCap: 0 }, 0), 1);
    assert.equal(nextFetchSize(quick, 0), 64);
  });

  it("fetches ahead while every slot is busy, and only once half a full fetch fits", () => {
    // Capacity 32 + 64 = 96; a full fetch is 64, so fetch once 32 are free.
    assert.equal(nextFetchSize(quick, 32), 64, "all slots busy, the buffer empty: a full fetch");
    assert.equal(nextFetchSize(quick, 64), 32);
    assert.equal(nextFetchSize(quick, 65), 0, "31 free: wait for a fuller fetch");
    assert.equal(nextFetchSize(quick, 96), 0);
  });

  it("never lets the tasks held exceed the slots plus the current budget", () => {
    for (const meanTaskMs of [undefined, 1, 20, 700, 3_000, 90_000]) {
      const input = { ...quick, meanTaskMs };
      for (let held = 0; held <= 120; held++) {
        const size = nextFetchSize(input, held);
        assert.ok(size >= 0 && size <= input.maxTasks);
        assert.ok(held + size <= input.parallelism + prefetchBudget(input) || size === 0);
      }
    }
  });

  it("with slow handlers fetches only for free slots, and once half of them are free", () => {
    const slow = { ...quick, meanTaskMs: 90_000 };
    assert.equal(nextFetchSize(slow, 0), 32);
    assert.equal(nextFetchSize(slow, 20), 0, "12 free of 32: wait");
    assert.equal(nextFetchSize(slow, 16), 16);
  });
});
