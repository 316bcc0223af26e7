/**
 * The fetch loop: one long poll for all served topics, asking only for as many tasks as there is
 * free handler capacity — and, under load, only once at least half of it is free, so fetches are
 * fewer and fuller. While handlers are quick, capacity includes a bounded prefetch: the next batch is
 * fetched while every slot is still busy, so no slot waits for a fetch's round trip. While the engine is unreachable or failing it backs off (capped, jittered) and
 * logs the first failure and every tenth, so an outage does not flood the logs.
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
  parallelism: number;
  /** Tasks that may be fetched ahead of free slots right now (0 = fetch only for free slots). */
  prefetch: () => number;
  maxTasks: number;
  longPollMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Tasks held now: running, and fetched ahead waiting for a slot. */
  inFlight: () => number;
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
  /** Fetch only when this much capacity is free (or nothing runs). */
  private readonly minBatch: number;
  private pending: AbortController | undefined;
  private capacityWaiter: (() => void) | undefined;

  constructor(private readonly options: PollerOptions) {
    this.backoff = new Backoff(options.backoffInitialMs, options.backoffMaxMs);
    this.minBatch = Math.max(1, Math.ceil(Math.min(options.parallelism, options.maxTasks) / 2));
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
      const running = options.inFlight();
      const free = options.parallelism + options.prefetch() - running;
      if (free <= 0 || (running > 0 && free < this.minBatch)) {
        await this.waitForCapacity();
        continue;
      }
      this.pending = new AbortController();
      try {
        const tasks = await options.client.fetchAndLock(
          {
            workerId: options.workerId,
            maxTasks: Math.min(free, options.maxTasks),
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
