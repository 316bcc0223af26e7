/**
 * The end of a worker's life, after it stopped fetching: running handlers get the grace period to
 * finish and report; what still runs then is unlocked (no retry is spent, another worker takes it at
 * once), and so is whatever a long poll cut off by the stop may have locked for this worker id.
 */
import { sleep } from "#core/util/sleep.js";
import { type EngineClient, isGone } from "./engine-client.js";
import { describeError } from "./failure-report.js";
import type { Logger } from "./logger.js";
import type { WorkerMetrics } from "./metrics.js";
import { recordOutcome } from "./running-task.js";
import type { TaskRunner } from "./task-runner.js";

export interface ShutdownReport {
  /** Tasks that finished (and were reported) during the grace period. */
  drained: number;
  /** Tasks unlocked because they could not finish in time, or were locked by a cut-off poll. */
  unlocked: number;
  /** Tasks still locked by this worker after the stop (unlock failed): they wait for lock expiry. */
  leftLocked: number;
}

export interface DrainOptions {
  runner: TaskRunner;
  client: EngineClient;
  workerId: string;
  graceMs: number;
  /** Aborting it ends the grace period at once (a second SIGTERM/SIGINT). */
  graceOver: AbortSignal;
  metrics: WorkerMetrics;
  log: Logger;
}

export async function drainAndRelease(options: DrainOptions): Promise<ShutdownReport> {
  const { runner, client, metrics, log } = options;
  const finishedBefore = runner.finishedCount;
  const pending = runner.tasks().map((r) => r.done);
  const graceTimer = new AbortController();
  await Promise.race([
    Promise.allSettled(pending),
    sleep(options.graceMs, AbortSignal.any([options.graceOver, graceTimer.signal])),
  ]);
  // Clears the grace timer when every task finished early: it must not keep the process alive.
  graceTimer.abort();

  let unlocked = 0;
  let leftLocked = 0;
  const released = new Set<string>();
  for (const task of runner.tasks()) {
    runner.abandon(task);
    released.add(task.id);
    if (await unlock(client, log, task.id)) {
      unlocked++;
      recordOutcome(metrics, log, task, "unlocked");
    } else {
      leftLocked++;
    }
  }
  // A long poll cut off by the stop may have locked tasks whose response never arrived.
  try {
    for (const orphan of await client.lockedBy(options.workerId)) {
      if (!orphan.id || released.has(orphan.id)) continue;
      if (await unlock(client, log, orphan.id)) unlocked++;
      else leftLocked++;
    }
  } catch (error) {
    log.warn({ err: describeError(error).message }, "could not list tasks still locked by this worker");
  }
  metrics.tasksInFlight.set(0);
  return { drained: runner.finishedCount - finishedBefore, unlocked, leftLocked };
}

async function unlock(client: EngineClient, log: Logger, taskId: string): Promise<boolean> {
  try {
    await client.unlock(taskId);
    return true;
  } catch (error) {
    if (isGone(error)) return true;
    log.warn(
      { taskId, err: describeError(error).message },
      "could not unlock the task; it waits for its lock to expire",
    );
    return false;
  }
}
