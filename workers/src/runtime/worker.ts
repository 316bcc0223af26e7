/**
 * The worker runtime: one long-poll fetch for all served topics, asking only for as many tasks as
 * there is free handler capacity; bounded parallelism; lock extension for long handlers; every
 * outcome reported to the engine (complete, BPMN error, or failure with counted-down retries so an
 * incident appears when they run out); capped, jittered backoff while the engine is unreachable;
 * and a graceful stop that aborts the pending poll, drains, and unlocks what cannot finish.
 */
import { CamundaError } from "#core/camunda/errors.js";
import type { HandlerContext, HandlerResult, TopicDefinition } from "#workers/handler.js";
import { failure } from "#workers/handler.js";
import { parseInput } from "#workers/input.js";
import type { Notifier } from "#workers/ports/notifier.js";
import type { PolicyStore } from "#workers/ports/policy-store.js";
import { Backoff, sleep } from "./backoff.js";
import { EngineClient, isAbort, isTransient, type LockedTask } from "./engine-client.js";
import { describeError, failureReport, type RetryPolicy } from "./failure-report.js";
import type { Logger } from "./logger.js";
import { recordRequest, type TaskOutcome, type WorkerMetrics } from "./metrics.js";
import { fromTyped, toTyped } from "./variables.js";

export interface WorkerSettings {
  baseUrl: string;
  username: string;
  password: string;
  workerId: string;
  tenantId?: string | undefined;
  parallelism: number;
  maxTasks: number;
  /** 0 = each topic's lock duration from its definition. */
  lockDurationMs: number;
  longPollMs: number;
  httpTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  shutdownGraceMs: number;
}

export interface WorkerDependencies {
  topics: Readonly<Record<string, TopicDefinition>>;
  policies: PolicyStore;
  notifier: Notifier;
  logger: Logger;
  metrics: WorkerMetrics;
  now?: () => Date;
  fetch?: typeof fetch;
}

export interface ShutdownReport {
  /** Tasks that finished (and were reported) during the grace period. */
  drained: number;
  /** Tasks unlocked because they could not finish in time, or were locked by a cut-off poll. */
  unlocked: number;
  /** Tasks still locked by this worker after the stop (unlock failed): they wait for lock expiry. */
  leftLocked: number;
}

interface RunningTask {
  readonly task: LockedTask;
  readonly id: string;
  readonly topic: string;
  readonly lockMs: number;
  readonly startedAt: number;
  /** Aborted when the lock is lost or the stop gives up on the task: its result is dropped. */
  readonly abort: AbortController;
  done?: Promise<void>;
  reporting: boolean;
}

export type WorkerState = "new" | "running" | "stopping" | "stopped" | "failed";

export class Worker {
  readonly client: EngineClient;
  private readonly settings: WorkerSettings;
  private readonly deps: WorkerDependencies;
  private readonly log: Logger;
  private readonly running = new Map<string, RunningTask>();
  private readonly backoff: Backoff;
  private readonly stopSignal = new AbortController();
  private readonly graceOver = new AbortController();
  private readonly retryPolicy: RetryPolicy;
  private pollAbort: AbortController | undefined;
  private capacityWaiter: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private stopping: Promise<ShutdownReport> | undefined;
  private engineReachable = false;
  private drained = 0;
  private currentState: WorkerState = "new";
  /** Fetch only when this much capacity is free (or nothing runs): fewer, fuller fetches under load. */
  private readonly minBatch: number;
  /** Requests made, by operation (tests and benchmarks count them; metrics carry them too). */
  readonly requestCounts: Record<string, number> = {};

  constructor(settings: WorkerSettings, deps: WorkerDependencies) {
    this.settings = settings;
    this.deps = deps;
    this.log = deps.logger.child({ workerId: settings.workerId });
    this.backoff = new Backoff(settings.backoffInitialMs, settings.backoffMaxMs);
    this.retryPolicy = {
      retries: settings.retries,
      baseMs: settings.retryBackoffMs,
      maxMs: settings.retryBackoffMaxMs,
    };
    this.minBatch = Math.max(1, Math.ceil(Math.min(settings.parallelism, settings.maxTasks) / 2));
    this.client = new EngineClient({
      baseUrl: settings.baseUrl,
      username: settings.username,
      password: settings.password,
      timeoutMs: settings.httpTimeoutMs,
      fetch: deps.fetch,
      onRequest: (operation, outcome, seconds) => {
        this.requestCounts[operation] = (this.requestCounts[operation] ?? 0) + 1;
        recordRequest(deps.metrics, operation, outcome, seconds);
        // An answer below 500 means the engine works (a 4xx is our request's problem); 5xx, silence and
        // refused connections mean it does not.
        if (outcome !== "aborted") this.setEngineReachable(outcome === "ok" || outcome === "client_error");
      },
    });
  }

  get state(): WorkerState {
    return this.currentState;
  }

  /** Ready = running and the engine answered the last request. */
  get ready(): boolean {
    return this.currentState === "running" && this.engineReachable;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Starts the fetch loop. Credentials are checked first with one cheap authenticated call: a 401
   * or 403 is a configuration error and rejects; an unreachable engine is not (the loop backs off
   * until it is up, e.g. while compose starts both).
   */
  async start(): Promise<void> {
    if (this.currentState !== "new") throw new Error("a worker can be started once");
    try {
      await this.client.version();
    } catch (error) {
      if (error instanceof CamundaError && (error.status === 401 || error.status === 403)) throw error;
      this.log.warn(
        { err: describeError(error).message },
        "engine not reachable yet; the worker keeps trying",
      );
    }
    this.currentState = "running";
    const topics = Object.keys(this.deps.topics);
    this.log.info(
      {
        topics,
        parallelism: this.settings.parallelism,
        maxTasks: this.settings.maxTasks,
        longPollMs: this.settings.longPollMs,
      },
      "worker started",
    );
    this.loopDone = this.fetchLoop().catch((error) => {
      // The loop handles every engine error itself; reaching here is a bug. Stop fetching, say so.
      this.log.fatal(
        { err: describeError(error).message },
        "fetch loop crashed; /healthz now fails so the worker is restarted",
      );
      this.currentState = "failed";
    });
  }

  /**
   * Stops fetching, aborts the pending long poll, waits up to graceMs for running handlers, then
   * unlocks what is still running (no retry is spent) and whatever a cut-off poll may have locked.
   */
  stop(graceMs = this.settings.shutdownGraceMs): Promise<ShutdownReport> {
    this.stopping ??= this.shutdown(graceMs);
    return this.stopping;
  }

  /** Ends the grace period of a stop in progress at once (a second SIGTERM/SIGINT). */
  skipGrace(): void {
    this.graceOver.abort();
  }

  private async shutdown(graceMs: number): Promise<ShutdownReport> {
    this.currentState = "stopping";
    this.log.info(
      { inFlight: this.running.size, graceMs },
      "stopping: no more fetches, draining running tasks",
    );
    this.stopSignal.abort();
    this.pollAbort?.abort();
    this.capacityWaiter?.();
    await this.loopDone;

    const drainedBefore = this.drained;
    const pending = [...this.running.values()].map((r) => r.done);
    await Promise.race([Promise.allSettled(pending), sleep(graceMs, this.graceOver.signal)]);
    this.graceOver.abort();

    let unlocked = 0;
    let leftLocked = 0;
    const released = new Set<string>();
    for (const task of [...this.running.values()]) {
      task.abort.abort();
      released.add(task.id);
      this.running.delete(task.id);
      if (await this.unlock(task.id)) {
        unlocked++;
        this.countTask(task, "unlocked");
      } else {
        leftLocked++;
      }
    }
    // A long poll cut off by the abort may have locked tasks whose response never arrived.
    try {
      for (const orphan of await this.client.lockedBy(this.settings.workerId)) {
        if (!orphan.id || released.has(orphan.id)) continue;
        if (await this.unlock(orphan.id)) unlocked++;
        else leftLocked++;
      }
    } catch (error) {
      this.log.warn(
        { err: describeError(error).message },
        "could not list tasks still locked by this worker",
      );
    }
    this.deps.metrics.tasksInFlight.set(0);
    this.currentState = "stopped";
    const report = { drained: this.drained - drainedBefore, unlocked, leftLocked };
    this.log.info(report, "stopped");
    return report;
  }

  private async fetchLoop(): Promise<void> {
    const topics = Object.values(this.deps.topics).map((definition) => ({
      topicName: definition.topic,
      lockDuration: this.lockDuration(definition),
      variables: [...definition.variables],
      ...(this.settings.tenantId ? { tenantIdIn: [this.settings.tenantId] } : {}),
    }));
    while (this.currentState === "running") {
      const free = this.settings.parallelism - this.running.size;
      if (free <= 0 || (this.running.size > 0 && free < this.minBatch)) {
        await this.waitForCapacity();
        continue;
      }
      this.pollAbort = new AbortController();
      try {
        const tasks = await this.client.fetchAndLock(
          {
            workerId: this.settings.workerId,
            maxTasks: Math.min(free, this.settings.maxTasks),
            usePriority: true,
            asyncResponseTimeout: this.settings.longPollMs,
            topics: topics as never,
          },
          this.pollAbort.signal,
        );
        this.backoff.reset();
        for (const task of tasks) this.begin(task);
        // Without long polling an empty answer comes back at once: pause instead of spinning.
        if (tasks.length === 0 && this.settings.longPollMs === 0)
          await sleep(this.settings.backoffInitialMs, this.stopSignal.signal);
      } catch (error) {
        if (this.currentState !== "running" && isAbort(error)) break;
        const delay = this.backoff.next();
        const failures = this.backoff.consecutiveFailures;
        // Log the first failure and then every tenth: an outage must not flood the logs.
        if (failures === 1 || failures % 10 === 0) {
          this.log.warn(
            {
              err: describeError(error).message,
              consecutiveFailures: failures,
              retryInMs: delay,
              transient: isTransient(error),
            },
            "fetchAndLock failed; backing off",
          );
        }
        this.deps.metrics.pollBackoff.inc();
        this.deps.metrics.pollBackoffSeconds.inc(delay / 1000);
        await sleep(delay, this.stopSignal.signal);
      } finally {
        this.pollAbort = undefined;
      }
    }
  }

  private waitForCapacity(): Promise<void> {
    return new Promise((resolve) => {
      this.capacityWaiter = () => {
        this.capacityWaiter = undefined;
        resolve();
      };
    });
  }

  private lockDuration(definition: TopicDefinition): number {
    return this.settings.lockDurationMs > 0 ? this.settings.lockDurationMs : definition.lockDurationMs;
  }

  private begin(task: LockedTask): void {
    const definition = task.topicName ? this.deps.topics[task.topicName] : undefined;
    if (!task.id || !definition) {
      this.log.error(
        { taskId: task.id, topic: task.topicName },
        "engine returned a task for a topic this worker does not serve",
      );
      return;
    }
    const running: RunningTask = {
      task,
      id: task.id,
      topic: definition.topic,
      lockMs: this.lockDuration(definition),
      startedAt: performance.now(),
      abort: new AbortController(),
      reporting: false,
    };
    this.running.set(running.id, running);
    this.deps.metrics.tasksFetched.inc({ topic: running.topic });
    this.deps.metrics.tasksInFlight.set(this.running.size);
    running.done = this.execute(running, definition)
      .catch((error) =>
        this.log.error({ err: describeError(error).message, taskId: running.id }, "task execution crashed"),
      )
      .finally(() => {
        if (this.running.get(running.id) === running) {
          this.running.delete(running.id);
          this.drained++;
        }
        this.deps.metrics.tasksInFlight.set(this.running.size);
        this.capacityWaiter?.();
      });
  }

  private async execute(running: RunningTask, definition: TopicDefinition): Promise<void> {
    const { task } = running;
    const stopExtending = this.extendLockWhileRunning(running);
    let result: HandlerResult | undefined;
    try {
      const parsed = parseInput(definition, fromTyped(task.variables));
      if (!parsed.ok) {
        result = parsed.failure;
      } else {
        const context: HandlerContext = {
          taskId: running.id,
          topic: running.topic,
          processInstanceId: task.processInstanceId ?? "",
          businessKey: task.businessKey ?? null,
          signal: running.abort.signal,
          now: this.deps.now ?? (() => new Date()),
          policies: this.deps.policies,
          notifier: this.deps.notifier,
        };
        const aborted = new Promise<undefined>((resolve) =>
          running.abort.signal.addEventListener("abort", () => resolve(undefined), { once: true }),
        );
        result = await Promise.race([definition.handler(parsed.value, context), aborted]);
      }
    } catch (error) {
      const { message, details } = describeError(error);
      result = failure(message, { details });
    } finally {
      stopExtending();
    }
    // Lock lost, or the stop gave up on this task and unlocked it: the result must not be reported.
    if (running.abort.signal.aborted || result === undefined) return;
    running.reporting = true;
    await this.report(running, result);
  }

  /** Extends the lock at half its duration for as long as the handler runs. */
  private extendLockWhileRunning(running: RunningTask): () => void {
    const interval = Math.max(250, Math.floor(running.lockMs / 2));
    const timer = setInterval(() => {
      if (running.reporting || running.abort.signal.aborted) return;
      this.client.extendLock(running.id, this.settings.workerId, running.lockMs).then(
        () => this.deps.metrics.lockExtensions.inc({ topic: running.topic, outcome: "ok" }),
        (error) => {
          this.deps.metrics.lockExtensions.inc({ topic: running.topic, outcome: "failed" });
          if (isTransient(error)) return; // try again at the next tick; the lock may still hold
          this.log.warn(
            { taskId: running.id, topic: running.topic, err: describeError(error).message },
            "lock lost; dropping the task",
          );
          this.countTask(running, "lock_lost");
          running.abort.abort();
        },
      );
    }, interval);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async report(running: RunningTask, result: HandlerResult): Promise<void> {
    const { workerId } = this.settings;
    try {
      if (result.kind === "complete") {
        await this.withRetries(running, () =>
          this.client.complete(running.id, { workerId, variables: toTyped(result.variables) }),
        );
        this.countTask(running, "completed");
        return;
      }
      if (result.kind === "bpmnError") {
        await this.withRetries(running, () =>
          this.client.bpmnError(running.id, {
            workerId,
            errorCode: result.errorCode,
            errorMessage: result.message,
            ...(result.variables ? { variables: toTyped(result.variables) } : {}),
          }),
        );
        this.countTask(running, "bpmn_error");
        return;
      }
      await this.reportFailure(running, result.message, result.details ?? result.message, result.retryable);
    } catch (error) {
      if (result.kind === "failure" || isGone(error)) {
        this.countTask(running, isGone(error) ? "lock_lost" : "report_failed");
        this.log.error(
          { taskId: running.id, topic: running.topic, err: describeError(error).message },
          "could not report the task",
        );
        return;
      }
      // The engine refused the result (e.g. a variable it cannot store): report that as a failure,
      // so an incident shows it instead of the task silently waiting for its lock to expire.
      const { message, details } = describeError(error);
      try {
        await this.reportFailure(
          running,
          `the engine refused the ${result.kind === "complete" ? "completion" : "BPMN error"}: ${message}`,
          details,
          true,
        );
      } catch (second) {
        this.countTask(running, "report_failed");
        this.log.error(
          { taskId: running.id, topic: running.topic, err: describeError(second).message },
          "could not report the task",
        );
      }
    }
  }

  private async reportFailure(
    running: RunningTask,
    message: string,
    details: string,
    retryable: boolean,
  ): Promise<void> {
    const report = failureReport(message, details, running.task.retries, this.retryPolicy, retryable);
    await this.withRetries(running, () =>
      this.client.failure(running.id, { workerId: this.settings.workerId, ...report }),
    );
    const outcome: TaskOutcome = report.retries === 0 ? "incident" : "failed";
    this.countTask(running, outcome);
    this.log.warn(
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
   * Reports survive short engine outages: transient errors are retried with backoff while the lock
   * still holds (after that another worker may own the task; the handler's idempotency covers a rerun).
   */
  private async withRetries(running: RunningTask, call: () => Promise<void>): Promise<void> {
    const backoff = new Backoff(this.settings.backoffInitialMs, this.settings.backoffMaxMs);
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

  private async unlock(taskId: string): Promise<boolean> {
    try {
      await this.client.unlock(taskId);
      return true;
    } catch (error) {
      if (isGone(error)) return true;
      this.log.warn(
        { taskId, err: describeError(error).message },
        "could not unlock the task; it waits for its lock to expire",
      );
      return false;
    }
  }

  private countTask(running: RunningTask, outcome: TaskOutcome): void {
    this.deps.metrics.tasks.inc({ topic: running.topic, outcome });
    this.deps.metrics.taskDuration.observe(
      { topic: running.topic, outcome },
      (performance.now() - running.startedAt) / 1000,
    );
    this.log.debug({ taskId: running.id, topic: running.topic, outcome }, "task done");
  }

  private setEngineReachable(reachable: boolean): void {
    if (reachable !== this.engineReachable) {
      this.engineReachable = reachable;
      this.deps.metrics.engineUp.set(reachable ? 1 : 0);
      if (reachable) this.log.info("engine reachable");
      else this.log.warn("engine unreachable");
    }
  }
}

/** 404: the task no longer exists (completed elsewhere after lock expiry, or its instance ended). */
function isGone(error: unknown): boolean {
  return error instanceof CamundaError && error.status === 404;
}
