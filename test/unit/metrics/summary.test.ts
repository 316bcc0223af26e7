/**
 * What `camunda-gitops status` prints under "Work:" from one poll's snapshot, and the Prometheus
 * names and label sets the exporter gives the same snapshot: one source for both.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createExporterMetrics } from "#core/metrics/prometheus.js";
import type { EngineSnapshot } from "#core/metrics/snapshot.js";
import { formatAge, formatWork, summarise } from "#core/metrics/summary.js";
import { parseExposition } from "../../support/prometheus.js";

const snapshot: EngineSnapshot = {
  takenAt: new Date("2026-11-29T10:00:00Z"),
  topics: [
    { topic: "validate-application", backlog: 5, locked: 1, oldestBacklogAgeSeconds: 75.4 },
    { topic: "rate-risk", backlog: 0, locked: 0 },
  ],
  userTasks: [
    { candidateGroup: "underwriters", open: 2, unassigned: 1, oldestAgeSeconds: 7300 },
    { candidateGroup: null, open: 1, unassigned: 1, oldestAgeSeconds: 30 },
  ],
  incidents: [
    {
      processDefinitionKey: "insurance_process",
      activityId: "Task_ValidateApplication",
      incidentType: "failedExternalTask",
      count: 1,
    },
  ],
  definitions: [{ key: "insurance_process", version: 2, running: 8, failedJobs: 0 }],
  finishedSinceLastPoll: { insurance_process: 3 },
  requests: 14,
  durationSeconds: 0.05,
};

describe("exporter snapshot → status summary and Prometheus text", () => {
  test("status names the backlog per topic, the oldest review and its group, incidents and throughput", () => {
    const lines = formatWork(summarise(snapshot, { insurance_process: 30 }));
    assert.deepEqual(lines, [
      "Work:",
      "  backlog     5 external task(s) waiting for a worker: validate-application 5 (oldest 1m 15s); 1 in progress",
      "  reviews     3 open user task(s): underwriters 2, no group 1; oldest waiting 2h 1m (underwriters)",
      "  incidents   1: insurance_process/Task_ValidateApplication failedExternalTask 1",
      "  throughput  2/min over the last 15 min (finished: insurance_process 30)",
    ]);
  });

  test("ages read as a person says them", () => {
    assert.equal(formatAge(30), "30s");
    assert.equal(formatAge(75), "1m 15s");
    assert.equal(formatAge(7300), "2h 1m");
    assert.equal(formatAge(90_000), "1d 1h");
  });

  test("the same snapshot in Prometheus text: names, types and bounded labels only", async () => {
    const metrics = createExporterMetrics({ defaultMetrics: false });
    metrics.update(snapshot);
    const text = parseExposition(await metrics.registry.metrics());
    assert.equal(text.value("camunda_external_task_backlog", { topic: "validate-application" }), 5);
    assert.equal(text.value("camunda_external_task_backlog", { topic: "rate-risk" }), 0);
    assert.equal(
      text.value("camunda_external_task_oldest_age_seconds", {
        topic: "validate-application",
        state: "backlog",
      }),
      75.4,
    );
    assert.equal(text.value("camunda_user_tasks_open", { candidate_group: "(none)" }), 1);
    assert.equal(
      text.value("camunda_process_instances_finished_total", { process_definition_key: "insurance_process" }),
      3,
    );
    assert.equal(text.types.get("camunda_process_instances_finished_total"), "counter");
    assert.equal(text.value("camunda_exporter_up"), 1);
    assert.equal(text.value("camunda_exporter_poll_requests"), 14);
    // A failed poll withdraws the business series: a gap on the dashboard, not a stale number.
    metrics.failed(0.01, 1);
    const after = parseExposition(await metrics.registry.metrics());
    assert.deepEqual(after.find("camunda_external_task_backlog"), []);
    assert.equal(after.value("camunda_exporter_up"), 0);
    assert.equal(after.value("camunda_exporter_polls_total", { outcome: "error" }), 1);
    // Counters keep their totals across a failed poll.
    assert.equal(
      after.value("camunda_process_instances_finished_total", {
        process_definition_key: "insurance_process",
      }),
      3,
    );
  });
});
