/**
 * Reports what a handler decided to the engine: complete, BPMN error, or a failure with retries
 * counted down (so an incident appears when they run out). Reports survive short engine outages:
 * transient errors are retried with backoff while the lock still holds. A completion or BPMN error the
 * engine refuses (e.g. a variable it cannot store) becomes a failure, so an incident shows it instead
 * of the task silently waiting for its lock to expire.
 */

import { Backoff } from "#core/util/backoff.js";
import { sleep } from "#core/util/sleep.js";
import type { HandlerResult } from "#workers/handler.js";
import { type EngineClient, isLockLost, isTransient } from "./engine-client.js";
import { describeError, failureReport, type RetryPolicy } from "./failure-report.js";
import type { Logger } from "./logger.js";
import type { TaskOutcome, WorkerMetrics } from "./metrics.js";
import { type RunningTask, recordOutcome } from "./running-task.js";
import { toTyped } from "./variables.js";

export interface OutcomeReporterOptions {
  client: EngineClient;
  workerId: string;
  retryPolicy: RetryPolicy;
  /** Backoff between attempts at one report while the engine answers with transient errors. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  metrics: WorkerMetrics;
  log: Logger;
}

export class OutcomeReporter {
  constructor(private readonly options: OutcomeReporterOptions) {}

  async report(running: RunningTask, result: HandlerResult): Promise<void> {
    const { client, workerId } = this.options;
    try {
      if (result.kind === "complete") {
        await this.withRetries(running, () =>
          client.complete(running.id, { workerId, variables: toTyped(result.variables) }),
        );
        this.count(running, "completed");
        return;
      }
      if (result.kind === "bpmnError") {
        await this.withRetries(running, () =>
          client.bpmnError(running.id, {
            workerId,
            errorCode: result.errorCode,
            errorMessage: result.message,
            ...(result.variables ? { variables: toTyped(result.variables) } : {}),
          }),
        );
        this.count(running, "bpmn_error");
        return;
      }
      await this.reportFailure(running, result.message, result.details ?? result.message, result.retryable);
    } catch (error) {
      if (isLockLost(error)) {
        // Another worker took the task after our lock lapsed (its side effects are idempotent).
        this.count(running, "lock_lost");
        this.options.log.warn(
          { taskId: running.id, topic: running.topic, err: describeError(error).message },
          "the task is no longer ours; its result is dropped",
        );
        return;
      }
      if (result.kind === "failure") {
        this.count(running, "report_failed");
        this.couldNotReport(running, error);
        return;
      }
      // The engine refused the result: report that as a failure.
      const { message, details } = describeError(error);
      try {
        await this.reportFailure(
          running,
          `the engine refused the ${result.kind === "complete" ? "completion" : "BPMN error"}: ${message}`,
          details,
          true,
        );
      } catch (second) {
        this.count(running, isLockLost(second) ? "lock_lost" : "report_failed");
        this.couldNotReport(running, second);
      }
    }
  }

  private async reportFailure(
    running: RunningTask,
    message: string,
    details: string,
    retryable: boolean,
  ): Promise<void> {
    const { client, workerId, retryPolicy, log } = this.options;
    const report = failureReport(message, details, running.task.retries, retryPolicy, retryable);
    await this.withRetries(running, () => client.failure(running.id, { workerId, ...report }));
    this.count(running, report.retries === 0 ? "incident" : "failed");
    log.warn(
      {
        taskId: running.id,
        topic: running.topic,
        retriesLeft: report.retries,
        retryTimeoutMs: report.retryTimeout,
        error: report.errorMessage,
      },
      report.retries === 0
        ? "task failed; no retries left, the engine raises an incident"
        : "task failed; the engine retries it later",
    );
  }

  /**
   * Transient errors are retried while the lock still holds; after that another worker may own the
   * task (the handler's idempotency covers a rerun).
   */
  private async withRetries(running: RunningTask, call: () => Promise<void>): Promise<void> {
    const backoff = new Backoff(this.options.backoffInitialMs, this.options.backoffMaxMs);
    const deadline = Date.now() + running.lockMs;
    for (;;) {
      try {
        await call();
        return;
      } catch (error) {
        const delay = backoff.next();
        if (!isTransient(error) || Date.now() + delay >= deadline) throw error;
        await sleep(delay);
      }
    }
  }

  private count(running: RunningTask, outcome: TaskOutcome): void {
    recordOutcome(this.options.metrics, this.options.log, running, outcome);
  }

  private couldNotReport(running: RunningTask, error: unknown): void {
    this.options.log.error(
      { taskId: running.id, topic: running.topic, err: describeError(error).message },
      "could not report the task",
    );
  }
}
