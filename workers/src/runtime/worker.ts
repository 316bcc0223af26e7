/**
 * The worker runtime: one long-poll fetch for all served topics, asking only for as many tasks as
 * there is free handler capacity (poller.ts); bounded parallelism with lock extension for long
 * handlers (task-runner.ts, lock-keeper.ts); every outcome reported to the engine — complete, BPMN
 * error, or failure with counted-down retries so an incident appears when they run out
 * (outcome-reporter.ts); capped, jittered backoff while the engine is unreachable; and a graceful stop
 * that aborts the pending poll, drains, and unlocks what cannot finish (shutdown.ts). This class wires
 * those parts together and keeps the worker's state.
 */
import { CamundaError } from "#core/camunda/errors.js";
import type { TopicDefinition } from "#workers/handler.js";
import type { Notifier } from "#workers/ports/notifier.js";
import type { PolicyStore } from "#workers/ports/policy-store.js";
import { EngineClient, type LockedTask } from "./engine-client.js";
import { describeError } from "./failure-report.js";
import { type FetchSizingInput, nextFetchSize, prefetchBudget } from "./fetch-sizing.js";
import type { Logger } from "./logger.js";
import { recordRequest, type WorkerMetrics } from "./metrics.js";
import { OutcomeReporter } from "./outcome-reporter.js";
import { Poller } from "./poller.js";
import { drainAndRelease, type ShutdownReport } from "./shutdown.js";
import { TaskRunner } from "./task-runner.js";
import type { TaskTracing } from "./tracing.js";

export type { ShutdownReport } from "./shutdown.js";

export interface WorkerSettings {
  baseUrl: string;
  username: string;
  password: string;
  workerId: string;
  tenantId?: string | undefined;
  parallelism: number;
  maxTasks: number;
  /** Cap of the tasks fetched ahead of free slots while handlers are quick (0 or absent = off). */
  prefetch?: number;
  /** 0 = each topic's lock duration from its definition. */
  lockDurationMs: number;
  /** 0 = each topic's timeout from its definition (default its lock duration). */
  taskTimeoutMs: number;
  /** No handler runs longer than this, whatever its topic says. */
  taskTimeoutMaxMs: number;
  /** After a timeout, how long a handler has to honour its aborted signal before it counts as stuck. */
  taskCancelGraceMs: number;
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
  /** Why the side-effect store cannot be used now (its database does not answer); undefined when it can. */
  storeNotReady?: () => string | undefined;
  now?: () => Date;
  /** One span per task, and the trace context variable the fetch asks for (tracing.ts). */
  tracing?: TaskTracing;
}

export type WorkerState = "new" | "running" | "stopping" | "stopped" | "failed";

export class Worker {
  readonly client: EngineClient;
  /** Requests made, by operation (tests and benchmarks count them; metrics carry them too). */
  readonly requestCounts: Record<string, number> = {};
  private readonly settings: WorkerSettings;
  private readonly deps: WorkerDependencies;
  private readonly log: Logger;
  private readonly runner: TaskRunner;
  private readonly poller: Poller;
  private readonly stopSignal = new AbortController();
  private readonly graceOver = new AbortController();
  private loopDone: Promise<void> | undefined;
  private stopping: Promise<ShutdownReport> | undefined;
  private engineReachable = false;
  private currentState: WorkerState = "new";
  /** Tasks fetched ahead, locked for us, waiting for a free slot (oldest first). */
  private readonly queued: { task: LockedTask; lockedAt: number; lockMs: number }[] = [];
  private readonly lockDuration: (definition: TopicDefinition) => number;
  private readonly shortestLockMs: number;

  constructor(settings: WorkerSettings, deps: WorkerDependencies) {
    this.settings = settings;
    this.deps = deps;
    this.log = deps.logger.child({ workerId: settings.workerId });
    this.client = new EngineClient({
      baseUrl: settings.baseUrl,
      username: settings.username,
      password: settings.password,
      timeoutMs: settings.httpTimeoutMs,
      // A socket per slot, one for the long poll, and a few for lock extensions and unlocks meanwhile.
      connections: settings.parallelism + 8,
      onRequest: (operation, outcome, seconds) => {
        this.requestCounts[operation] = (this.requestCounts[operation] ?? 0) + 1;
        recordRequest(deps.metrics, operation, outcome, seconds);
        // An answer below 500 means the engine works (a 4xx is our request's problem); 5xx, silence and
        // refused connections mean it does not.
        if (outcome !== "aborted") this.setEngineReachable(outcome === "ok" || outcome === "client_error");
      },
    });
    const common = { client: this.client, workerId: settings.workerId, metrics: deps.metrics, log: this.log };
    const lockDuration = (definition: TopicDefinition) =>
      settings.lockDurationMs > 0 ? settings.lockDurationMs : definition.lockDurationMs;
    this.lockDuration = lockDuration;
    this.shortestLockMs = Math.min(...Object.values(deps.topics).map(lockDuration));
    const timeout = (definition: TopicDefinition) =>
      Math.min(
        settings.taskTimeoutMaxMs,
        settings.taskTimeoutMs > 0
          ? settings.taskTimeoutMs
          : (definition.timeoutMs ?? lockDuration(definition)),
      );
    const reporter = new OutcomeReporter({
      ...common,
      retryPolicy: {
        retries: settings.retries,
        baseMs: settings.retryBackoffMs,
        maxMs: settings.retryBackoffMaxMs,
      },
      backoffInitialMs: settings.backoffInitialMs,
      backoffMaxMs: settings.backoffMaxMs,
    });
    this.runner = new TaskRunner({
      ...common,
      topics: deps.topics,
      lockDuration,
      timeout,
      cancelGraceMs: settings.taskCancelGraceMs,
      tracing: deps.tracing,
      reporter,
      policies: deps.policies,
      notifier: deps.notifier,
      now: deps.now ?? (() => new Date()),
      onSettled: () => {
        this.startQueued();
        this.poller.wake();
      },
    });
    this.poller = new Poller({
      ...common,
      tenantId: settings.tenantId,
      topics: deps.topics,
      extraVariables: deps.tracing?.variables,
      lockDuration,
      fetchSize: () => nextFetchSize(this.sizing(), this.runner.size + this.queued.length),
      longPollMs: settings.longPollMs,
      backoffInitialMs: settings.backoffInitialMs,
      backoffMaxMs: settings.backoffMaxMs,
      active: () => this.currentState === "running",
      stopSignal: this.stopSignal.signal,
      onTasks: (tasks) => {
        const lockedAt = performance.now();
        for (const task of tasks) {
          if (this.runner.size < settings.parallelism) this.runner.begin(task);
          else this.queued.push({ task, lockedAt, lockMs: this.lockOf(task) });
        }
      },
    });
  }

  /** What the fetch sizing needs to know now (fetch-sizing.ts). */
  private sizing(): FetchSizingInput {
    return {
      parallelism: this.settings.parallelism,
      prefetchCap: this.settings.prefetch ?? 0,
      maxTasks: this.settings.maxTasks,
      meanTaskMs: this.runner.meanTaskMs,
      shortestLockMs: this.shortestLockMs,
    };
  }

  /**
   * How many tasks may be held fetched ahead of free slots now: sized from the measured task time so
   * a fetched-ahead task starts well within its lock (fetch-sizing.ts); 0 before anything is measured.
   */
  prefetchAllowance(): number {
    return prefetchBudget(this.sizing());
  }

  /** Tasks fetched ahead and waiting for a slot. */
  get queuedCount(): number {
    return this.queued.length;
  }

  private lockOf(task: LockedTask): number {
    const definition = task.topicName ? this.deps.topics[task.topicName] : undefined;
    return definition ? this.lockDuration(definition) : 0;
  }

  /**
   * Starts fetched-ahead tasks while slots are free. One that waited past half its lock is handed
   * back (unlocked) instead: its lock could lapse before the first extension, and another fetch takes
   * it at once.
   */
  private startQueued(): void {
    while (this.currentState === "running" && this.runner.size < this.settings.parallelism) {
      const next = this.queued.shift();
      if (!next) return;
      if (performance.now() - next.lockedAt < next.lockMs / 2) {
        this.runner.begin(next.task);
        continue;
      }
      const taskId = next.task.id ?? "";
      this.log.warn(
        { taskId, topic: next.task.topicName },
        "a fetched-ahead task waited past half its lock; unlocking it",
      );
      this.client
        .unlock(taskId)
        .catch((error) =>
          this.log.warn(
            { taskId, err: describeError(error).message },
            "could not unlock a fetched-ahead task; it waits for its lock to expire",
          ),
        );
    }
  }

  get state(): WorkerState {
    return this.currentState;
  }

  /** Ready = running, the engine answered the last request, and not every slot's worth of handlers is stuck. */
  get ready(): boolean {
    return this.notReadyReason === undefined;
  }

  /** Why the worker is not ready, in one sentence; undefined when it is. */
  get notReadyReason(): string | undefined {
    if (this.currentState !== "running") return `the worker is ${this.currentState}`;
    if (!this.engineReachable) return "the engine did not answer the last request";
    const store = this.deps.storeNotReady?.();
    if (store) return store;
    const stuck = this.runner.stuckCount;
    if (stuck >= this.settings.parallelism) {
      return `${stuck} handlers ignored their timeout and still run, as many as WORKER_PARALLELISM (${this.settings.parallelism}); see the log for their topics and restart the worker`;
    }
    return undefined;
  }

  /** Abandoned handlers (timed out, ignoring their signal) still running. */
  get stuck(): number {
    return this.runner.stuckCount;
  }

  get inFlight(): number {
    return this.runner.size;
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
    this.log.info(
      {
        topics: Object.keys(this.deps.topics),
        parallelism: this.settings.parallelism,
        maxTasks: this.settings.maxTasks,
        longPollMs: this.settings.longPollMs,
      },
      "worker started",
    );
    this.loopDone = this.poller.run().catch((error) => {
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
      { inFlight: this.runner.size, graceMs },
      "stopping: no more fetches, draining running tasks",
    );
    this.stopSignal.abort();
    this.poller.abortPending();
    this.poller.wake();
    await this.loopDone;
    // Fetched-ahead tasks never started: they stay locked for this worker id until the release below
    // unlocks them with whatever a cut-off poll locked.
    this.queued.length = 0;
    const report = await drainAndRelease({
      runner: this.runner,
      client: this.client,
      workerId: this.settings.workerId,
      graceMs,
      graceOver: this.graceOver.signal,
      metrics: this.deps.metrics,
      log: this.log,
    });
    await this.client.close().catch(() => undefined);
    this.currentState = "stopped";
    this.log.info(report, "stopped");
    return report;
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
