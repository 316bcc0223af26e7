/**
 * The fetch loop: one long poll for all served topics, asking for what fetch-sizing.ts allows (free
 * slots plus a buffer fetched ahead while handlers are quick, and only once a fetch can bring at least
 * half of what it could, so fetches are few and full). It fetches again as soon as that much room is
 * free, while handlers still run, so no slot waits for a fetch's round trip. While the engine is
 * unreachable or failing it backs off (capped, jittered) and logs the first failure and every tenth,
 * so an outage does not flood the logs.
 */

import { Backoff } from "#core/util/backoff.js";
import { sleep } from "#core/util/sleep.js";
import type { TopicDefinition } from "#workers/handler.js";
import { type EngineClient, isAbort, isTransient, type LockedTask } from "./engine-client.js";
import { describeError } from "./failure-report.js";
import type { Logger } from "./logger.js";
import type { WorkerMetrics } from "./metrics.js";

export interface PollerOptions {
  client: EngineClient;
  workerId: string;
  tenantId?: string | undefined;
  topics: Readonly<Record<string, TopicDefinition>>;
  /** Variables asked for on every topic besides its own (the trace context); absent ones are not returned. */
  extraVariables?: readonly string[];
  lockDuration: (definition: TopicDefinition) => number;
  /** The next fetch's size now, or 0 to wait until a task finishes (fetch-sizing.ts). */
  fetchSize: () => number;
  longPollMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** False once the worker stops: the loop ends. */
  active: () => boolean;
  /** Aborted when the worker stops: cuts every pause short. */
  stopSignal: AbortSignal;
  onTasks: (tasks: LockedTask[]) => void;
  metrics: WorkerMetrics;
  log: Logger;
}

export class Poller {
  private readonly backoff: Backoff;
  private pending: AbortController | undefined;
  private capacityWaiter: (() => void) | undefined;

  constructor(private readonly options: PollerOptions) {
    this.backoff = new Backoff(options.backoffInitialMs, options.backoffMaxMs);
  }

  /** Capacity changed (a task finished) or the worker stops: a loop waiting for capacity looks again. */
  wake(): void {
    this.capacityWaiter?.();
  }

  /** Aborts the long poll in flight, if any (the worker is stopping). */
  abortPending(): void {
    this.pending?.abort();
  }

  async run(): Promise<void> {
    const { options } = this;
    const topics = Object.values(options.topics).map((definition) => ({
      topicName: definition.topic,
      lockDuration: options.lockDuration(definition),
      variables: [...definition.variables, ...(options.extraVariables ?? [])],
      ...(options.tenantId ? { tenantIdIn: [options.tenantId] } : {}),
    }));
    while (options.active()) {
      const size = options.fetchSize();
      if (size <= 0) {
        await this.waitForCapacity();
        continue;
      }
      this.pending = new AbortController();
      try {
        const tasks = await options.client.fetchAndLock(
          {
            workerId: options.workerId,
            maxTasks: size,
            usePriority: true,
            asyncResponseTimeout: options.longPollMs,
            topics: topics as never,
          },
          this.pending.signal,
        );
        this.backoff.reset();
        options.onTasks(tasks);
        // Without long polling an empty answer comes back at once: pause instead of spinning.
        if (tasks.length === 0 && options.longPollMs === 0)
          await sleep(options.backoffInitialMs, options.stopSignal);
      } catch (error) {
        if (!options.active() && isAbort(error)) break;
        await this.backOff(error);
      } finally {
        this.pending = undefined;
      }
    }
  }

  private async backOff(error: unknown): Promise<void> {
    const delay = this.backoff.next();
    const failures = this.backoff.consecutiveFailures;
    if (failures === 1 || failures % 10 === 0) {
      this.options.log.warn(
        {
          err: describeError(error).message,
          consecutiveFailures: failures,
          retryInMs: delay,
          transient: isTransient(error),
        },
        "fetchAndLock failed; backing off",
      );
    }
    this.options.metrics.pollBackoff.inc();
    this.options.metrics.pollBackoffSeconds.inc(delay / 1000);
    await sleep(delay, this.options.stopSignal);
  }

  private waitForCapacity(): Promise<void> {
    return new Promise((resolve) => {
      this.capacityWaiter = () => {
        this.capacityWaiter = undefined;
        resolve();
      };
    });
  }
}
