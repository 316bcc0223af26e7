/**
 * One task this worker holds, from the moment the engine locked it for us until its outcome is
 * reported (or the task is given up), and the one place where an outcome is counted and logged.
 */
import type { LockedTask } from "./engine-client.js";
import type { Logger } from "./logger.js";
import type { TaskOutcome, WorkerMetrics } from "./metrics.js";
import type { TaskSpan } from "./tracing.js";

export interface RunningTask {
  readonly task: LockedTask;
  readonly id: string;
  readonly topic: string;
  readonly lockMs: number;
  readonly startedAt: number;
  /** How long the handler may run before it is given up (its topic's timeout, capped). */
  readonly timeoutMs: number;
  /** Aborted when the lock is lost or the stop gives up on the task: its result is dropped. */
  readonly abort: AbortController;
  done?: Promise<void>;
  /** Set once the handler has returned and its result is being reported: the lock keeper stops. */
  reporting: boolean;
  /** The task's trace span (tracing.ts). */
  span?: TaskSpan;
}

/** Counts a task's outcome and how long it took, and logs it at debug level. */
export function recordOutcome(
  metrics: WorkerMetrics,
  log: Logger,
  running: RunningTask,
  outcome: TaskOutcome,
): void {
  metrics.tasks.inc({ topic: running.topic, outcome });
  running.span?.outcome(outcome);
  metrics.taskDuration.observe(
    { topic: running.topic, outcome },
    (performance.now() - running.startedAt) / 1000,
  );
  log.debug({ taskId: running.id, topic: running.topic, outcome }, "task done");
}
