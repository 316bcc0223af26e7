/**
 * Runs the tasks a fetch returned: each one's handler with its input parsed, its lock kept while it
 * runs, and its outcome handed to the reporter. It owns the set of running tasks, which bounds the
 * worker's parallelism and which the shutdown drains.
 *
 * Every handler is bounded by its topic's timeout. When it runs out, its signal aborts, the task is
 * reported as a failure (one retry spent, an incident when none are left) and its slot is freed, so a
 * hung call can neither hold a lock forever nor starve the worker. A handler that ignores the aborted
 * signal cannot be killed (JavaScript has no way to stop a promise): it is abandoned, counted, and
 * tracked as stuck until it settles, if ever; readiness fails once as many are stuck as there are slots.
 */
import type { HandlerContext, HandlerResult, TopicDefinition } from "#workers/handler.js";
import { failure } from "#workers/handler.js";
import { parseInput } from "#workers/input.js";
import type { Notifier } from "#workers/ports/notifier.js";
import type { PolicyStore } from "#workers/ports/policy-store.js";
import type { EngineClient, LockedTask } from "./engine-client.js";
import { describeError } from "./failure-report.js";
import { keepLock } from "./lock-keeper.js";
import type { Logger } from "./logger.js";
import type { WorkerMetrics } from "./metrics.js";
import type { OutcomeReporter } from "./outcome-reporter.js";
import type { RunningTask } from "./running-task.js";
import type { TaskTracing } from "./tracing.js";
import { fromTyped } from "./variables.js";

export interface TaskRunnerOptions {
  client: EngineClient;
  workerId: string;
  topics: Readonly<Record<string, TopicDefinition>>;
  /** The lock duration a topic's tasks are fetched with. */
  lockDuration: (definition: TopicDefinition) => number;
  /** How long a topic's handler may run. */
  timeout: (definition: TopicDefinition) => number;
  /** After a timeout, how long a handler has to settle before it counts as stuck. */
  cancelGraceMs: number;
  reporter: OutcomeReporter;
  policies: PolicyStore;
  notifier: Notifier;
  now: () => Date;
  metrics: WorkerMetrics;
  log: Logger;
  /** One span per task (tracing.ts); none in tests that do not ask for it. */
  tracing?: TaskTracing;
  /** Called whenever a task has finished: capacity is free again. */
  onSettled: () => void;
}

/** The reason a timed-out handler's signal carries. */
export class HandlerTimeoutError extends Error {
  constructor(topic: string, timeoutMs: number) {
    super(`the ${topic} handler did not finish within ${timeoutMs} ms`);
    this.name = "HandlerTimeoutError";
  }
}

interface StuckHandler {
  readonly topic: string;
  readonly taskId: string;
  readonly since: number;
}

export class TaskRunner {
  private readonly running = new Map<string, RunningTask>();
  /** Handlers that ignored their timeout and still run (keyed by a counter: a task id may repeat). */
  private readonly stuck = new Map<number, StuckHandler>();
  private stuckSeq = 0;
  /** Tasks that finished (reported or dropped) since the start. */
  private finished = 0;
  /** Moving average of how long a task took from start to reported outcome (ms); undefined before the first. */
  private meanMs: number | undefined;

  constructor(private readonly options: TaskRunnerOptions) {}

  get size(): number {
    return this.running.size;
  }

  get finishedCount(): number {
    return this.finished;
  }

  /** How long tasks take lately, start to reported outcome (exponential moving average, ms). */
  get meanTaskMs(): number | undefined {
    return this.meanMs;
  }

  /** Abandoned handlers still running. */
  get stuckCount(): number {
    return this.stuck.size;
  }

  /** The tasks running now. */
  tasks(): RunningTask[] {
    return [...this.running.values()];
  }

  /** Stops tracking a task the shutdown gave up on: its result will not be reported. */
  abandon(running: RunningTask): void {
    running.abort.abort();
    this.running.delete(running.id);
  }

  begin(task: LockedTask): void {
    const { topics, metrics, log } = this.options;
    const definition = task.topicName ? topics[task.topicName] : undefined;
    if (!task.id || !definition) {
      log.error(
        { taskId: task.id, topic: task.topicName },
        "engine returned a task for a topic this worker does not serve",
      );
      return;
    }
    const running: RunningTask = {
      task,
      id: task.id,
      topic: definition.topic,
      lockMs: this.options.lockDuration(definition),
      timeoutMs: this.options.timeout(definition),
      startedAt: performance.now(),
      abort: new AbortController(),
      reporting: false,
      span: this.options.tracing?.start(task),
    };
    this.running.set(running.id, running);
    metrics.tasksFetched.inc({ topic: running.topic });
    metrics.tasksInFlight.set(this.running.size);
    const work = () => this.execute(running, definition);
    running.done = (running.span ? running.span.run(work) : work())
      .catch((error) =>
        log.error({ err: describeError(error).message, taskId: running.id }, "task execution crashed"),
      )
      .finally(() => {
        if (this.running.get(running.id) === running) {
          this.running.delete(running.id);
          this.finished++;
          const took = performance.now() - running.startedAt;
          this.meanMs = this.meanMs === undefined ? took : this.meanMs + (took - this.meanMs) / 16;
        }
        running.span?.end();
        metrics.tasksInFlight.set(this.running.size);
        this.options.onSettled();
      });
  }

  private async execute(running: RunningTask, definition: TopicDefinition): Promise<void> {
    const { task } = running;
    const stopKeeping = keepLock(running, this.options);
    let result: HandlerResult | undefined;
    try {
      const parsed = parseInput(definition, fromTyped(task.variables));
      result = parsed.ok ? await this.runHandler(running, definition, parsed.value) : parsed.failure;
    } catch (error) {
      const { message, details } = describeError(error);
      result = failure(message, { details });
    } finally {
      stopKeeping();
    }
    // Lock lost, or the stop gave up on this task and unlocked it: the result must not be reported.
    if (running.abort.signal.aborted || result === undefined) return;
    running.reporting = true;
    await this.options.reporter.report(running, result);
  }

  /**
   * The handler raced against its timeout and the task's abort. Resolves to its result, to a
   * timeout failure, or to undefined when the task was dropped (lock lost, stop gave up).
   */
  private async runHandler(
    running: RunningTask,
    definition: TopicDefinition,
    input: unknown,
  ): Promise<HandlerResult | undefined> {
    // The handler's own signal: aborted by the timeout, and by whatever aborts the task.
    const cancel = new AbortController();
    const onAbort = () => cancel.abort(running.abort.signal.reason);
    running.abort.signal.addEventListener("abort", onAbort, { once: true });
    const context: HandlerContext = {
      taskId: running.id,
      topic: running.topic,
      processInstanceId: running.task.processInstanceId ?? "",
      businessKey: running.task.businessKey ?? null,
      signal: cancel.signal,
      now: this.options.now,
      policies: this.options.policies,
      notifier: this.options.notifier,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), running.timeoutMs);
    });
    const dropped = new Promise<"dropped">((resolve) =>
      cancel.signal.addEventListener("abort", () => resolve("dropped"), { once: true }),
    );
    const handled = definition.handler(input, context);
    try {
      const winner = await Promise.race([handled, timedOut, dropped]);
      if (winner === "dropped") return undefined;
      if (winner !== "timeout") return winner;
    } finally {
      clearTimeout(timer);
      running.abort.signal.removeEventListener("abort", onAbort);
    }
    const reason = new HandlerTimeoutError(running.topic, running.timeoutMs);
    cancel.abort(reason);
    this.options.metrics.taskTimeouts.inc({ topic: running.topic });
    this.options.log.warn(
      { taskId: running.id, topic: running.topic, timeoutMs: running.timeoutMs },
      "handler timed out; reporting a failure and freeing its slot",
    );
    this.watchForStuck(running, handled);
    return failure(
      `${reason.message} (its timeout) and was given up; if this repeats, look at what the handler waits for, or raise the topic's timeoutMs.`,
      { details: `${reason.name}: ${reason.message}` },
    );
  }

  /** A timed-out handler gets the cancel grace to settle; after that it is abandoned and tracked as stuck. */
  private watchForStuck(running: RunningTask, handled: Promise<unknown>): void {
    let settled = false;
    let stuckId: number | undefined;
    const graceTimer = setTimeout(() => {
      if (settled) return;
      stuckId = ++this.stuckSeq;
      this.stuck.set(stuckId, { topic: running.topic, taskId: running.id, since: Date.now() });
      this.options.metrics.handlersAbandoned.inc({ topic: running.topic });
      this.options.metrics.handlersStuck.inc({ topic: running.topic });
      this.options.log.error(
        { taskId: running.id, topic: running.topic, stuck: this.stuck.size },
        "a timed-out handler ignores its aborted signal and keeps running; it is abandoned (its result will be dropped)",
      );
    }, this.options.cancelGraceMs);
    graceTimer.unref();
    const onSettled = () => {
      settled = true;
      clearTimeout(graceTimer);
      if (stuckId !== undefined && this.stuck.delete(stuckId)) {
        this.options.metrics.handlersStuck.dec({ topic: running.topic });
        this.options.log.warn(
          { taskId: running.id, topic: running.topic, stuck: this.stuck.size },
          "an abandoned handler finished at last; its result was dropped",
        );
      }
    };
    handled.then(onSettled, onSettled);
  }
}
