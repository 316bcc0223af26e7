/**
 * Keeps a task's lock while its handler runs: extends it at half its duration, so a handler that is
 * slower than the topic's lock duration does not lose the task to another worker. A lock the engine
 * refuses to extend is lost: the task is dropped (its handler's signal aborts, its result is never
 * reported), because another worker may own it by now.
 */

import type { EngineClient } from "./engine-client.js";
import { isTransient } from "./engine-client.js";
import { describeError } from "./failure-report.js";
import type { Logger } from "./logger.js";
import type { WorkerMetrics } from "./metrics.js";
import { type RunningTask, recordOutcome } from "./running-task.js";

export interface LockKeeperContext {
  client: EngineClient;
  workerId: string;
  metrics: WorkerMetrics;
  log: Logger;
}

/** Starts extending the lock of `running`; call the returned function when the handler has returned. */
export function keepLock(running: RunningTask, context: LockKeeperContext): () => void {
  const { client, workerId, metrics, log } = context;
  const interval = Math.max(250, Math.floor(running.lockMs / 2));
  const timer = setInterval(() => {
    if (running.reporting || running.abort.signal.aborted) return;
    client.extendLock(running.id, workerId, running.lockMs).then(
      () => metrics.lockExtensions.inc({ topic: running.topic, outcome: "ok" }),
      (error) => {
        metrics.lockExtensions.inc({ topic: running.topic, outcome: "failed" });
        if (isTransient(error)) return; // try again at the next tick; the lock may still hold
        // The handler returned meanwhile: the reporter owns the task's outcome now.
        if (running.reporting || running.abort.signal.aborted) return;
        log.warn(
          { taskId: running.id, topic: running.topic, err: describeError(error).message },
          "lock lost; dropping the task",
        );
        recordOutcome(metrics, log, running, "lock_lost");
        running.abort.abort();
      },
    );
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
