/**
 * The CloudWatch agent configuration on the engine hosts against the alarms and the dashboard: every
 * metric an alarm or a widget names is published by the agent with that dimension set, and every
 * published metric is produced by the exporter the agent scrapes (the business exporter's and the
 * workers' registries as the code builds them, the JVM agent's families as the integration test reads
 * them from the real agent). The dashboard body is valid JSON with widgets on CloudWatch's 24-column
 * grid. Each check is also shown failing on a broken copy.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  type AgentConfig,
  agentConfigOf,
  type Family,
  familiesByPort,
  loadAgentAndAlarms,
  parseInsightsQuery,
  publishedMetrics,
  queriesOf,
  unpublishedReferences,
} from "../../support/cloudwatch-agent.js";

const { app, alarms } = loadAgentAndAlarms();

describe("CloudWatch contract: agent configuration → alarms and dashboard", () => {
  let config: AgentConfig;
  let byPort: Map<number, Family[]>;
  before(async () => {
    config = agentConfigOf(app);
    byPort = await familiesByPort();
  });

  test("the agent scrapes the exporter, the workers and the JVM agent on loopback, tagged with the host", () => {
    assert.equal(config.namespace, "Camunda/ENV");
    assert.deepEqual(
      [...config.jobs].map(([job, { port, labels }]) => [job, port, labels]),
      [
        ["camunda-exporter", 9465, ["host"]],
        ["camunda-workers", 9464, ["host"]],
        ["camunda-jvm", 9404, ["host"]],
      ],
    );
  });

  test("every declaration selects metrics its job's exporter serves, with the labels its dimensions name", () => {
    const { published, problems } = publishedMetrics(config, byPort);
    assert.deepEqual(problems, []);
    assert.ok(published.size >= 20, `published ${published.size} metric/dimension pairs`);
  });

  test("every alarm and widget names a metric and dimension set the agent publishes", () => {
    const { published } = publishedMetrics(config, byPort);
    const { references } = queriesOf(alarms);
    assert.ok(references.length >= 15, `${references.length} queries`);
    assert.deepEqual(unpublishedReferences(references, published, config.namespace), []);
  });

  test("the dashboard shows backlog, oldest task, incidents, throughput, worker timeouts, JVM heap and DB connections", () => {
    const { references, dashboard } = queriesOf(alarms);
    const named = new Set(
      references
        .filter((r) => r.where.startsWith("Dashboard"))
        .map((r) => parseInsightsQuery(r.query).metric),
    );
    for (const metric of [
      "camunda_external_task_backlog",
      "camunda_external_task_oldest_age_seconds",
      "camunda_user_task_oldest_age_seconds",
      "camunda_incidents",
      "camunda_process_instances_finished_total",
      "camunda_worker_task_timeouts_total",
      "jvm_memory_used_bytes",
      "hikaricp_connections_active",
    ])
      assert.ok(named.has(metric), `a widget shows ${metric}`);
    const widgets = (dashboard as { widgets: Array<Record<string, unknown>> }).widgets;
    for (const widget of widgets) {
      const { type, x, y, width, height, properties } = widget as {
        type: string;
        x: number;
        y: number;
        width: number;
        height: number;
        properties: Record<string, unknown>;
      };
      assert.ok(["metric", "text"].includes(type), `widget type ${type}`);
      assert.ok(x >= 0 && width >= 1 && x + width <= 24, `widget at x ${x} width ${width} fits 24 columns`);
      assert.ok(y >= 0 && height >= 1);
      if (type === "metric") {
        assert.equal(properties.region, "placeholder", "each metric widget names the stack's region");
        assert.ok(Array.isArray(properties.metrics) && properties.metrics.length > 0);
        assert.equal(typeof properties.title, "string");
      }
    }
  });

  test("the alarms page on the business flow: waiting task, waiting review, incidents, timeouts, exporter down, pool wait, JVM heap", () => {
    const { references } = queriesOf(alarms);
    const alarmed: Record<string, string[]> = {};
    for (const r of references.filter((r) => !r.where.startsWith("Dashboard")))
      alarmed[r.where] = [...(alarmed[r.where] ?? []), parseInsightsQuery(r.query).metric];
    assert.deepEqual(alarmed, {
      OldestExternalTaskAlarm: ["camunda_external_task_oldest_age_seconds"],
      OldestReviewAlarm: ["camunda_user_task_oldest_age_seconds"],
      IncidentsAlarm: ["camunda_incidents"],
      WorkerTimeoutsAlarm: ["camunda_worker_task_timeouts_total"],
      ExporterDownAlarm: ["camunda_exporter_up"],
      DatabasePoolWaitAlarm: ["hikaricp_connections_pending"],
      JvmHeapAlarm: ["jvm_memory_used_bytes", "jvm_memory_max_bytes"],
    });
    // The heap alarm watches used / max in percent, against the environment's threshold.
    const heap = alarms.Resources.JvmHeapAlarm?.Properties as {
      Metrics: Array<{ Id: string; Expression: unknown; ReturnData: boolean }>;
      Threshold: unknown;
    };
    const watched = heap.Metrics.filter((m) => m.ReturnData);
    assert.deepEqual(
      watched.map((m) => m.Expression),
      ["100 * used / heapMax"],
    );
    assert.deepEqual(
      heap.Metrics.filter((m) => !m.ReturnData)
        .map((m) => m.Id)
        .sort(),
      ["heapMax", "used"],
    );
    assert.deepEqual(heap.Threshold, { Ref: "HeapUsedPercent" });
    const down = alarms.Resources.ExporterDownAlarm?.Properties;
    assert.equal(down?.TreatMissingData, "breaching", "a silent exporter is an alarm, not a quiet night");
  });

  test("the contract fails when the agent stops publishing a metric an alarm names, or a dimension drifts", () => {
    const withoutIncidents: AgentConfig = {
      ...config,
      declarations: config.declarations.filter((d) => !d.metric_selectors.includes("^camunda_incidents$")),
    };
    const { published } = publishedMetrics(withoutIncidents, byPort);
    const problems = unpublishedReferences(queriesOf(alarms).references, published, config.namespace);
    assert.ok(
      problems.some((p) =>
        /^IncidentsAlarm: camunda_incidents with dimensions \(activity_id, incident_type, process_definition_key\) is not published/.test(
          p,
        ),
      ),
      problems.join("\n"),
    );
    const wrongLabel: AgentConfig = {
      ...config,
      declarations: [
        {
          source_labels: ["job"],
          label_matcher: "^camunda-exporter$",
          dimensions: [["queue"]],
          metric_selectors: ["^camunda_external_task_backlog$"],
        },
        {
          source_labels: ["job"],
          label_matcher: "^camunda-exporter$",
          dimensions: [["topic"]],
          metric_selectors: ["^camunda_no_such_metric$"],
        },
        {
          source_labels: ["job"],
          label_matcher: "^nobody$",
          dimensions: [["topic"]],
          metric_selectors: [".*"],
        },
      ],
    };
    assert.deepEqual(publishedMetrics(wrongLabel, byPort).problems, [
      "metric_declaration[0]: camunda_external_task_backlog has no label queue",
      "metric_declaration[1]: ^camunda_no_such_metric$ selects no metric the job's exporter serves",
      "metric_declaration[2]: ^nobody$ matches no scrape job",
      "metric_declaration[2]: .* selects no metric the job's exporter serves",
    ]);
  });
});
