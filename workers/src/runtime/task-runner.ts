/**
 * Runs the tasks a fetch returned: each one's handler with its input parsed, its lock kept while it
 * runs, and its outcome handed to the reporter. It owns the set of running tasks, which bounds the
 * worker's parallelism and which the shutdown drains.
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
import { fromTyped } from "./variables.js";

export interface TaskRunnerOptions {
  client: EngineClient;
  workerId: string;
  topics: Readonly<Record<string, TopicDefinition>>;
  /** The lock duration a topic's tasks are fetched with. */
  lockDuration: (definition: TopicDefinition) => number;
  reporter: OutcomeReporter;
  policies: PolicyStore;
  notifier: Notifier;
  now: () => Date;
  metrics: WorkerMetrics;
  log: Logger;
  /** Called whenever a task has finished: capacity is free again. */
  onSettled: () => void;
}

export class TaskRunner {
  private readonly running = new Map<string, RunningTask>();
  /** Tasks that finished (reported or dropped) since the start. */
  private finished = 0;

  constructor(private readonly options: TaskRunnerOptions) {}

  get size(): number {
    return this.running.size;
  }

  get finishedCount(): number {
    return this.finished;
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
      startedAt: performance.now(),
      abort: new AbortController(),
      reporting: false,
    };
    this.running.set(running.id, running);
    metrics.tasksFetched.inc({ topic: running.topic });
    metrics.tasksInFlight.set(this.running.size);
    running.done = this.execute(running, definition)
      .catch((error) =>
        log.error({ err: describeError(error).message, taskId: running.id }, "task execution crashed"),
      )
      .finally(() => {
        if (this.running.get(running.id) === running) {
          this.running.delete(running.id);
          this.finished++;
        }
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
      if (!parsed.ok) {
        result = parsed.failure;
      } else {
        const context: HandlerContext = {
          taskId: running.id,
          topic: running.topic,
          processInstanceId: task.processInstanceId ?? "",
          businessKey: task.businessKey ?? null,
          signal: running.abort.signal,
          now: this.options.now,
          policies: this.options.policies,
          notifier: this.options.notifier,
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
      stopKeeping();
    }
    // Lock lost, or the stop gave up on this task and unlocked it: the result must not be reported.
    if (running.abort.signal.aborted || result === undefined) return;
    running.reporting = true;
    await this.options.reporter.report(running, result);
  }
}
