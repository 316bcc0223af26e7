/**
 * The business metrics exporter against the real engine, through its HTTP endpoint as Prometheus
 * and the CloudWatch agent scrape it. Everything happens in a tenant of this file's own (the exporter
 * counts only that tenant), so the other test files on the shared engine cannot change a number.
 *
 *   no workers, 5 GREEN applications → camunda_external_task_backlog{topic="validate-application"} 5,
 *                                      and the oldest task's age grows between polls
 *   workers started                  → backlog 0, and the 5 applications count as finished
 *   an always-failing handler        → camunda_incidents{insurance_process, Task_ValidateApplication,
 *                                      failedExternalTask} 1
 *   a YELLOW application             → camunda_user_tasks_open{candidate_group="underwriters"} 1
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { createCamundaClient } from "#core/camunda/index.js";
import { EngineCollector } from "#core/metrics/collect.js";
import { type RunningExporter, startExporter } from "#core/metrics/exporter.js";
import { countingFetch, type RequestCounter } from "#core/metrics/requests.js";
import { formatWork, summariseWork } from "#core/metrics/summary.js";
import { loadExamples } from "#core/platform/up.js";
import { defineTopic, type TopicDefinition } from "#workers/handler.js";
import type { RunningWorkers } from "#workers/runtime/run.js";
import {
  deployProcesses,
  newTenant,
  removeTempDataDirs,
  startInstance,
  startWorkers,
  type Typed,
  workerEnv,
} from "../../../workers/test/support/integration.js";
import { testEngine, uniqueId, waitFor } from "../../support/engine.js";
import { type Exposition, scrape } from "../../support/prometheus.js";
import { repoPath } from "../../support/repo.js";

const examples = Object.fromEntries(
  loadExamples(repoPath("processes", "examples")).map(({ name, example }) => [name, example]),
);

function application(name: "green" | "yellow", businessKey: string): Typed {
  const example = examples[name];
  assert.ok(example, `processes/examples/${name}.json exists`);
  return { ...(example.variables as Typed), applicationId: { value: businessKey, type: "String" } };
}

describe("business metrics exporter on the real engine", () => {
  const engine = testEngine();
  const tenantId = newTenant("metrics");
  let exporter: RunningExporter;
  let workers: RunningWorkers | undefined;

  /** Scrapes until `check` holds (the exporter polls every 300 ms), and returns that scrape. */
  const metricsWhen = (what: string, check: (m: Exposition) => boolean, timeoutMs = 60_000) =>
    waitFor(
      what,
      async () => {
        const metrics = await scrape(exporter.url);
        return check(metrics) ? metrics : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );

  const start = (processKey: string, name: "green" | "yellow") => {
    const businessKey = uniqueId(`M-${name.toUpperCase()}`);
    return startInstance(engine.client, tenantId, processKey, businessKey, application(name, businessKey));
  };

  before(async () => {
    await deployProcesses(engine.client, tenantId);
    exporter = await startExporter({
      baseUrl: engine.restUrl,
      username: engine.username,
      password: engine.password,
      host: "127.0.0.1",
      port: 0,
      intervalMs: 300,
      tenantId,
      defaultMetrics: false,
    });
  });

  after(async () => {
    await workers?.stop();
    await exporter?.stop();
    removeTempDataDirs();
  });

  it("without workers, 5 GREEN applications are a backlog of 5 on validate-application whose age grows", async () => {
    for (let i = 0; i < 5; i++) await start("insurance_process", "green");
    const first = await metricsWhen(
      "a backlog of 5",
      (m) => m.value("camunda_external_task_backlog", { topic: "validate-application" }) === 5,
    );
    assert.equal(first.types.get("camunda_external_task_backlog"), "gauge");
    assert.equal(first.value("camunda_external_tasks_locked", { topic: "validate-application" }), 0);
    assert.equal(
      first.value("camunda_process_instances_running", {
        process_definition_key: "insurance_process",
        version: "1",
      }),
      5,
    );
    const age = (m: Exposition) =>
      m.value("camunda_external_task_oldest_age_seconds", {
        topic: "validate-application",
        state: "backlog",
      });
    const before = age(first);
    assert.ok(before !== undefined && before >= 0, `an age for the oldest waiting task, got ${before}`);
    const later = await metricsWhen("the oldest task's age to grow", (m) => (age(m) ?? 0) >= before + 1);
    assert.equal(later.value("camunda_external_task_backlog", { topic: "validate-application" }), 5);
    assert.equal(later.value("camunda_exporter_up"), 1);
  });

  it("started workers drain the backlog to 0, and the five applications count as finished", async () => {
    workers = await startWorkers(workerEnv(engine, tenantId));
    const drained = await metricsWhen(
      "the backlog to drain and 5 applications to finish",
      (m) =>
        m.value("camunda_external_task_backlog", { topic: "validate-application" }) === 0 &&
        m.value("camunda_process_instances_finished_total", {
          process_definition_key: "insurance_process",
        }) === 5,
      120_000,
    );
    // The topic stays listed at 0, and its age series goes: nothing waits.
    assert.equal(
      drained.value("camunda_external_task_oldest_age_seconds", {
        topic: "validate-application",
        state: "backlog",
      }),
      undefined,
    );
    assert.equal(drained.types.get("camunda_process_instances_finished_total"), "counter");
    await workers.stop();
    workers = undefined;
  });

  it("a handler that always fails raises an incident, and the incident gauge is 1 with its process, activity and type", async () => {
    const failing = defineTopic({
      topic: "validate-application",
      description: "fails every time",
      input: z.object({}),
      outputs: [],
      bpmnErrors: [],
      lockDurationMs: 30_000,
      handler: async () => {
        throw new Error("the address service is down");
      },
    }) as unknown as TopicDefinition;
    // No retries: the first failure is an incident.
    workers = await startWorkers(workerEnv(engine, tenantId, { WORKER_RETRIES: "0" }), {
      "validate-application": failing,
    });
    await start("insurance_process", "green");
    const labels = {
      process_definition_key: "insurance_process",
      activity_id: "Task_ValidateApplication",
      incident_type: "failedExternalTask",
    };
    const metrics = await metricsWhen("an incident", (m) => m.value("camunda_incidents", labels) === 1);
    assert.deepEqual(
      metrics.find("camunda_incidents").map((s) => s.labels),
      [labels],
      "exactly one incident group, with these labels",
    );
    // A task with no retries left is an incident, not backlog.
    assert.equal(metrics.value("camunda_external_task_backlog", { topic: "validate-application" }), 0);
    await workers.stop();
    workers = undefined;
  });

  it("a YELLOW application waits as one open review task for underwriters", async () => {
    workers = await startWorkers(workerEnv(engine, tenantId));
    await start("insurance_process", "yellow");
    const metrics = await metricsWhen(
      "one open task for underwriters",
      (m) => m.value("camunda_user_tasks_open", { candidate_group: "underwriters" }) === 1,
      120_000,
    );
    assert.equal(metrics.value("camunda_user_tasks_unassigned", { candidate_group: "underwriters" }), 1);
    const age = metrics.value("camunda_user_task_oldest_age_seconds", { candidate_group: "underwriters" });
    assert.ok(age !== undefined && age >= 0, `the review's age, got ${age}`);
    const others = metrics
      .find("camunda_user_tasks_open")
      .filter((s) => s.labels.candidate_group !== "underwriters");
    assert.deepEqual(others, [], "no other group has open tasks in this tenant");
    // `camunda-gitops status` reads the same collector: the review is the oldest waiting one.
    const requests: RequestCounter = { count: 0 };
    const client = createCamundaClient({
      baseUrl: engine.restUrl,
      username: engine.username,
      password: engine.password,
      fetch: countingFetch(requests),
    });
    const work = await summariseWork(
      new EngineCollector({ client, requests, tenantId, metersIntervalMs: false }),
    );
    assert.equal(work.userTasks.oldest?.candidateGroup, "underwriters");
    assert.match(
      formatWork(work).join("\n"),
      /reviews {5}1 open user task\(s\): underwriters 1; oldest waiting/,
    );
    assert.equal(work.throughput.finished.insurance_process, 5, "the five GREEN applications");
  });

  it("reports its own cost: REST requests and duration of the last poll", async () => {
    const metrics = await scrape(exporter.url);
    const requests = metrics.value("camunda_exporter_poll_requests") ?? 0;
    assert.ok(requests > 0 && requests < 60, `requests per poll: ${requests}`);
    assert.ok((metrics.value("camunda_exporter_poll_duration_seconds") ?? -1) > 0);
    assert.ok((metrics.value("camunda_exporter_polls_total", { outcome: "ok" }) ?? 0) >= 1);
    assert.equal(metrics.value("camunda_exporter_polls_total", { outcome: "error" }), 0);
    const ready = await fetch(exporter.url.replace("/metrics", "/readyz"));
    assert.equal(ready.status, 200);
  });
});

describe("business metrics exporter when the engine refuses or is gone", () => {
  it("a wrong password: up 0, no business series, /readyz says why in one sentence", async () => {
    const engine = testEngine();
    const exporter = await startExporter({
      baseUrl: engine.restUrl,
      username: engine.username,
      password: "not-the-password",
      host: "127.0.0.1",
      port: 0,
      intervalMs: 60_000,
      defaultMetrics: false,
    });
    try {
      await exporter.nextPoll();
      const metrics = await scrape(exporter.url);
      assert.equal(metrics.value("camunda_exporter_up"), 0);
      assert.equal(metrics.value("camunda_exporter_polls_total", { outcome: "error" }), 1);
      assert.deepEqual(metrics.find("camunda_external_task_backlog"), []);
      const ready = await fetch(exporter.url.replace("/metrics", "/readyz"));
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { reason: string };
      assert.match(body.reason, /401/);
      assert.doesNotMatch(body.reason, /not-the-password|\n/);
    } finally {
      await exporter.stop();
    }
  });

  it("an engine that is not there: up 0, and the exporter keeps serving", async () => {
    const exporter = await startExporter({
      baseUrl: "http://127.0.0.1:9/engine-rest",
      username: "monitoring",
      password: "irrelevant",
      host: "127.0.0.1",
      port: 0,
      intervalMs: 60_000,
      defaultMetrics: false,
    });
    try {
      await exporter.nextPoll();
      const metrics = await scrape(exporter.url);
      assert.equal(metrics.value("camunda_exporter_up"), 0);
      const health = await fetch(exporter.url.replace("/metrics", "/healthz"));
      assert.equal(health.status, 200);
      const ready = (await (await fetch(exporter.url.replace("/metrics", "/readyz"))).json()) as {
        reason: string;
      };
      assert.match(ready.reason, /cannot reach the Camunda engine at http:\/\/127\.0\.0\.1:9\/engine-rest/);
    } finally {
      await exporter.stop();
    }
  });
});
