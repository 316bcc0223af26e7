/**
 * Prometheus metrics of one worker process, on their own registry (several runtimes can live in one
 * process in tests). Names end in _total / _seconds; labels are only topic and outcome, whose values
 * are bounded (the registry's topics, a fixed set of outcomes): never ids or variable values.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RequestOutcome } from "./engine-client.js";

export type TaskOutcome =
  | "completed"
  | "bpmn_error"
  | "failed"
  | "incident"
  | "unlocked"
  | "lock_lost"
  | "report_failed";

export interface WorkerMetrics {
  readonly registry: Registry;
  readonly tasksFetched: Counter<"topic">;
  readonly tasks: Counter<"topic" | "outcome">;
  readonly taskDuration: Histogram<"topic" | "outcome">;
  readonly tasksInFlight: Gauge;
  readonly engineRequests: Counter<"outcome">;
  readonly engineRequestDuration: Histogram<"outcome">;
  readonly pollBackoff: Counter;
  readonly pollBackoffSeconds: Counter;
  readonly lockExtensions: Counter<"topic" | "outcome">;
  readonly taskTimeouts: Counter<"topic">;
  readonly handlersAbandoned: Counter<"topic">;
  readonly handlersStuck: Gauge<"topic">;
  readonly engineUp: Gauge;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: "camunda_worker_" });
  const registers = [registry];
  return {
    registry,
    tasksFetched: new Counter({
      name: "camunda_worker_tasks_fetched_total",
      help: "External tasks fetched and locked, by topic.",
      labelNames: ["topic"],
      registers,
    }),
    tasks: new Counter({
      name: "camunda_worker_tasks_total",
      help: "External tasks handled, by topic and outcome (completed, bpmn_error, failed, incident, unlocked, lock_lost, report_failed).",
      labelNames: ["topic", "outcome"],
      registers,
    }),
    taskDuration: new Histogram({
      name: "camunda_worker_task_duration_seconds",
      help: "Time from lock to the engine accepting the result, by topic and outcome.",
      labelNames: ["topic", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    tasksInFlight: new Gauge({
      name: "camunda_worker_tasks_in_flight",
      help: "Tasks locked by this worker and not yet reported.",
      registers,
    }),
    engineRequests: new Counter({
      name: "camunda_worker_engine_requests_total",
      help: "HTTP requests to the engine, by outcome (ok, client_error, server_error, network_error, timeout, aborted).",
      labelNames: ["outcome"],
      registers,
    }),
    engineRequestDuration: new Histogram({
      name: "camunda_worker_engine_request_duration_seconds",
      help: "Duration of engine requests other than long polls, by outcome.",
      labelNames: ["outcome"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    pollBackoff: new Counter({
      name: "camunda_worker_poll_backoffs_total",
      help: "Times the fetch loop backed off after the engine was unreachable or failed.",
      registers,
    }),
    pollBackoffSeconds: new Counter({
      name: "camunda_worker_poll_backoff_seconds_total",
      help: "Time the fetch loop spent backing off.",
      registers,
    }),
    lockExtensions: new Counter({
      name: "camunda_worker_lock_extensions_total",
      help: "Lock extensions of long-running tasks, by topic and outcome (ok, failed).",
      labelNames: ["topic", "outcome"],
      registers,
    }),
    taskTimeouts: new Counter({
      name: "camunda_worker_task_timeouts_total",
      help: "Handlers that ran past their topic's timeout: the task was reported as a failure (one retry spent) and its slot freed, by topic.",
      labelNames: ["topic"],
      registers,
    }),
    handlersAbandoned: new Counter({
      name: "camunda_worker_handlers_abandoned_total",
      help: "Timed-out handlers that ignored their aborted signal and were left running, by topic.",
      labelNames: ["topic"],
      registers,
    }),
    handlersStuck: new Gauge({
      name: "camunda_worker_handlers_stuck",
      help: "Abandoned handlers still running now, by topic; /readyz fails when they are as many as the parallelism.",
      labelNames: ["topic"],
      registers,
    }),
    engineUp: new Gauge({
      name: "camunda_worker_engine_up",
      help: "1 when the last request to the engine got an answer, else 0.",
      registers,
    }),
  };
}

export function recordRequest(
  metrics: WorkerMetrics,
  operation: string,
  outcome: RequestOutcome,
  seconds: number,
): void {
  metrics.engineRequests.inc({ outcome });
  if (operation !== "fetchAndLock") metrics.engineRequestDuration.observe({ outcome }, seconds);
}
