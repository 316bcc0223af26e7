/**
 * The exporter's Prometheus metrics, fed from each poll's snapshot. Names follow Prometheus
 * conventions: a `camunda_` prefix, base units (`_seconds`), `_total` on counters only. Labels hold
 * bounded values only (topics, candidate groups, process keys and versions, activity ids, incident
 * types): never ids, business keys or variables.
 *
 * When a poll fails, the business series are withdrawn rather than left at their last value, so a
 * dashboard shows a gap and `camunda_exporter_up` 0 instead of a stale, reassuring number.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { type EngineMeterName, engineMeterNames } from "./collect.js";
import type { EngineSnapshot } from "./snapshot.js";

/** Label value for user tasks that have no candidate group. */
export const noCandidateGroup = "(none)";

/** camunda_engine_<meter with _ for ->_total, e.g. camunda_engine_job_failed_total. */
export function meterMetricName(meter: EngineMeterName): string {
  return `camunda_engine_${meter.replaceAll("-", "_")}_total`;
}

export interface ExporterMetrics {
  readonly registry: Registry;
  /** Applies a successful poll. */
  update(snapshot: EngineSnapshot): void;
  /** Records a failed poll: business series withdrawn, up = 0. */
  failed(durationSeconds: number, requests: number): void;
}

export function createExporterMetrics(options: { defaultMetrics?: boolean } = {}): ExporterMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: "camunda_exporter_" });
  const registers = [registry];

  const backlog = new Gauge({
    name: "camunda_external_task_backlog",
    help: "External tasks waiting for a worker (not locked, retries left, active), by topic.",
    labelNames: ["topic"],
    registers,
  });
  const locked = new Gauge({
    name: "camunda_external_tasks_locked",
    help: "External tasks locked by a worker right now, by topic.",
    labelNames: ["topic"],
    registers,
  });
  const oldestTask = new Gauge({
    name: "camunda_external_task_oldest_age_seconds",
    help: "Age of the oldest external task of a topic, waiting (state=backlog) or locked (state=locked).",
    labelNames: ["topic", "state"],
    registers,
  });
  const userTasks = new Gauge({
    name: "camunda_user_tasks_open",
    help: `Open user tasks offered to a candidate group, assigned or not ("${noCandidateGroup}": tasks without one).`,
    labelNames: ["candidate_group"],
    registers,
  });
  const unassignedUserTasks = new Gauge({
    name: "camunda_user_tasks_unassigned",
    help: "Open user tasks nobody has claimed yet, by candidate group.",
    labelNames: ["candidate_group"],
    registers,
  });
  const oldestUserTask = new Gauge({
    name: "camunda_user_task_oldest_age_seconds",
    help: "Age of the oldest open user task of a candidate group (absent while it has none).",
    labelNames: ["candidate_group"],
    registers,
  });
  const incidents = new Gauge({
    name: "camunda_incidents",
    help: "Open incidents, by process definition key, activity and incident type.",
    labelNames: ["process_definition_key", "activity_id", "incident_type"],
    registers,
  });
  const failedJobs = new Gauge({
    name: "camunda_jobs_failed",
    help: "Jobs of running process instances with no retries left, by process definition key.",
    labelNames: ["process_definition_key"],
    registers,
  });
  const running = new Gauge({
    name: "camunda_process_instances_running",
    help: "Running process instances, by process definition key and version (latest versions always listed).",
    labelNames: ["process_definition_key", "version"],
    registers,
  });
  const finished = new Counter({
    name: "camunda_process_instances_finished_total",
    help: "Process instances that ended (completed or cancelled) since the exporter started, by process definition key.",
    labelNames: ["process_definition_key"],
    registers,
  });
  const meters = new Map(
    engineMeterNames.map((meter) => [
      meter,
      new Counter({
        name: meterMetricName(meter),
        help: `The engine's "${meter}" meter: its total in the meter log (the engine writes it every 15 minutes).`,
        registers,
      }),
    ]),
  );

  const up = new Gauge({
    name: "camunda_exporter_up",
    help: "1 when the last poll of the engine succeeded, else 0.",
    registers,
  });
  const lastSuccess = new Gauge({
    name: "camunda_exporter_last_success_timestamp_seconds",
    help: "When the last successful poll began (Unix time).",
    registers,
  });
  const pollDuration = new Gauge({
    name: "camunda_exporter_poll_duration_seconds",
    help: "How long the last poll took.",
    registers,
  });
  const pollRequests = new Gauge({
    name: "camunda_exporter_poll_requests",
    help: "REST requests the last poll made to the engine.",
    registers,
  });
  const polls = new Counter({
    name: "camunda_exporter_polls_total",
    help: "Polls of the engine, by outcome (ok, error).",
    labelNames: ["outcome"],
    registers,
  });
  const requestsTotal = new Counter({
    name: "camunda_exporter_engine_requests_total",
    help: "REST requests made to the engine since the exporter started.",
    registers,
  });
  up.set(0);
  polls.inc({ outcome: "ok" }, 0);
  polls.inc({ outcome: "error" }, 0);

  const business = [
    backlog,
    locked,
    oldestTask,
    userTasks,
    unassignedUserTasks,
    oldestUserTask,
    incidents,
    failedJobs,
    running,
  ];

  return {
    registry,
    update(snapshot) {
      for (const gauge of business) gauge.reset();
      for (const topic of snapshot.topics) {
        backlog.set({ topic: topic.topic }, topic.backlog);
        locked.set({ topic: topic.topic }, topic.locked);
        if (topic.oldestBacklogAgeSeconds !== undefined)
          oldestTask.set({ topic: topic.topic, state: "backlog" }, round(topic.oldestBacklogAgeSeconds));
        if (topic.oldestLockedAgeSeconds !== undefined)
          oldestTask.set({ topic: topic.topic, state: "locked" }, round(topic.oldestLockedAgeSeconds));
      }
      for (const group of snapshot.userTasks) {
        const candidate_group = group.candidateGroup ?? noCandidateGroup;
        userTasks.set({ candidate_group }, group.open);
        unassignedUserTasks.set({ candidate_group }, group.unassigned);
        if (group.oldestAgeSeconds !== undefined)
          oldestUserTask.set({ candidate_group }, round(group.oldestAgeSeconds));
      }
      for (const incident of snapshot.incidents) {
        incidents.set(
          {
            process_definition_key: incident.processDefinitionKey,
            activity_id: incident.activityId,
            incident_type: incident.incidentType,
          },
          incident.count,
        );
      }
      const failedByKey = new Map<string, number>();
      for (const definition of snapshot.definitions) {
        running.set(
          { process_definition_key: definition.key, version: String(definition.version) },
          definition.running,
        );
        failedByKey.set(definition.key, (failedByKey.get(definition.key) ?? 0) + definition.failedJobs);
      }
      for (const [key, count] of failedByKey) failedJobs.set({ process_definition_key: key }, count);
      for (const [key, count] of Object.entries(snapshot.finishedSinceLastPoll))
        finished.inc({ process_definition_key: key }, count);
      for (const [meter, total] of Object.entries(snapshot.engineMeters ?? {})) {
        const counter = meters.get(meter as EngineMeterName);
        // A counter cannot be set; reset and add is a set. The meter log only grows (history cleanup
        // may shrink it, which Prometheus reads as a counter reset).
        counter?.reset();
        counter?.inc(total);
      }
      up.set(1);
      lastSuccess.set(snapshot.takenAt.getTime() / 1000);
      pollDuration.set(snapshot.durationSeconds);
      pollRequests.set(snapshot.requests);
      polls.inc({ outcome: "ok" });
      requestsTotal.inc(snapshot.requests);
    },
    failed(durationSeconds, requests) {
      for (const gauge of business) gauge.reset();
      up.set(0);
      pollDuration.set(durationSeconds);
      pollRequests.set(requests);
      polls.inc({ outcome: "error" });
      requestsTotal.inc(requests);
    },
  };
}

/** Ages to the millisecond: finer is noise. */
function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
