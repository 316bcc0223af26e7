/**
 * Traces on the real engine, from the workers' built file: an OTLP/HTTP receiver of the test's own
 * (loopback, JSON as the exporter sends it) gets one span per task the workers handled, with the
 * task's topic, process definition key, activity id, business key, worker id and outcome; a process
 * that passes a W3C `traceparent` variable gets its spans as children of that context, and the
 * workers' log lines of its tasks carry its trace id; no span holds a variable's value. Without an
 * endpoint the same bundle starts no exporter and still logs the passed trace id.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { SPAN_ATTRIBUTES } from "#workers/runtime/tracing.js";
import { testEngine, uniqueId, waitFor } from "../../../test/support/engine.js";
import {
  deployProcesses,
  newTenant,
  removeTempDataDirs,
  startInstance,
  startWorkersBundle,
  type Typed,
  waitForCompletion,
  workerEnv,
} from "../support/integration.js";

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

type OtlpAttribute = { key: string; value: Record<string, unknown> };

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (list ?? []).map(({ key, value }) => {
      const raw = value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
      return [key, typeof raw === "string" && "intValue" in value ? Number(raw) : raw];
    }),
  );
}

/** An OTLP/HTTP traces receiver: accepts the JSON export and keeps every span and raw body. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly bodies: string[] = [];
  readonly contentTypes: string[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        this.bodies.push(body);
        this.contentTypes.push(String(req.headers["content-type"]));
        if (req.method !== "POST" || req.url !== "/v1/traces") {
          res.writeHead(404).end();
          return;
        }
        // biome-ignore lint/suspicious/noExplicitAny: OTLP JSON, read field by field below
        const parsed = JSON.parse(body) as { resourceSpans?: any[] };
        for (const resourceSpans of parsed.resourceSpans ?? []) {
          const resource = attributes(resourceSpans.resource?.attributes);
          for (const scope of resourceSpans.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              this.spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? "",
                name: span.name,
                kind: span.kind,
                attributes: attributes(span.attributes),
                resource,
              });
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const tenantId = newTenant("workers-trace");
const receiver = new OtlpReceiver();
let endpoint = "";

// Personal data the spans must never carry (the GREEN example's values, with a unique name and email).
const applicantName = `Tracy ${randomBytes(4).toString("hex")}`;
const applicantEmail = `tracy.${randomBytes(4).toString("hex")}@example.com`;

function green(applicationId: string, extra: Typed = {}): Typed {
  return {
    applicationId: { value: applicationId, type: "String" },
    applicantName: { value: applicantName, type: "String" },
    applicantEmail: { value: applicantEmail, type: "String" },
    applicantAge: { value: 40, type: "Integer" },
    vehicleMake: { value: "Volkswagen", type: "String" },
    vehicleModel: { value: "Golf", type: "String" },
    region: { value: "Manchester", type: "String" },
    documents: { value: '["DRIVING_LICENCE","VEHICLE_REGISTRATION"]', type: "Json" },
    ...extra,
  };
}

/** The external tasks the engine saw completed for an instance: id → activity and topic. */
async function completedTasks(processInstanceId: string) {
  const { client } = testEngine();
  const logs = await client.ok(
    client.api.GET("/history/external-task-log", {
      params: { query: { processInstanceId, successLog: true } as never },
    }),
  );
  return new Map(logs.map((l) => [l.externalTaskId ?? "", { activityId: l.activityId, topic: l.topicName }]));
}

function logLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

before(async () => {
  endpoint = await receiver.start();
  await deployProcesses(testEngine().client, tenantId);
});
after(async () => {
  await receiver.stop();
  removeTempDataDirs();
});

describe("traces of the workers on the real engine", () => {
  const traceId = randomBytes(16).toString("hex");
  const parentSpanId = randomBytes(8).toString("hex");
  const workerId = uniqueId("trace-worker");
  let traced = "";
  let untraced = "";
  let log = "";

  before(async () => {
    const engine = testEngine();
    const workers = await startWorkersBundle(
      workerEnv(engine, tenantId, {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        WORKER_ID: workerId,
        LOG_LEVEL: "debug",
      }),
      { captureLog: true },
    );
    try {
      traced = await startInstance(
        engine.client,
        tenantId,
        "insurance_process",
        uniqueId("BK-TRACED"),
        green(uniqueId("APP-TRACED"), {
          traceparent: { value: `00-${traceId}-${parentSpanId}-01`, type: "String" },
        }),
      );
      untraced = await startInstance(
        engine.client,
        tenantId,
        "insurance_process",
        uniqueId("BK-UNTRACED"),
        green(uniqueId("APP-UNTRACED")),
      );
      await waitForCompletion(engine.client, traced);
      await waitForCompletion(engine.client, untraced);
    } finally {
      // The stop flushes the spans still batched.
      assert.equal(await workers.stop(), 0, "the workers stop cleanly");
      log = workers.log();
    }
  });

  it("exports one span per handled task, as OTLP/HTTP JSON, with the task's attributes", async () => {
    for (const instance of [traced, untraced]) {
      const tasks = await completedTasks(instance);
      assert.ok(tasks.size >= 3, `the GREEN path runs at least 3 external tasks, found ${tasks.size}`);
      const spans = receiver.spans.filter(
        (s) => s.attributes[SPAN_ATTRIBUTES.processInstanceId] === instance,
      );
      assert.deepEqual(
        spans.map((s) => s.attributes[SPAN_ATTRIBUTES.taskId]).sort(),
        [...tasks.keys()].sort(),
        "one span for each task the engine logged as completed, and no other",
      );
      for (const span of spans) {
        const task = tasks.get(String(span.attributes[SPAN_ATTRIBUTES.taskId]));
        assert.equal(span.attributes[SPAN_ATTRIBUTES.topic], task?.topic);
        assert.equal(span.attributes[SPAN_ATTRIBUTES.activityId], task?.activityId);
        assert.equal(span.attributes[SPAN_ATTRIBUTES.processDefinitionKey], "insurance_process");
        assert.match(String(span.attributes[SPAN_ATTRIBUTES.businessKey]), /^BK-(UN)?TRACED-/);
        assert.equal(span.attributes[SPAN_ATTRIBUTES.workerId], workerId);
        assert.equal(span.attributes[SPAN_ATTRIBUTES.outcome], "completed");
        assert.equal(span.name, `${task?.topic} process`);
        assert.equal(span.kind, 5, "SPAN_KIND_CONSUMER");
        assert.equal(span.resource["service.name"], "camunda-workers");
        assert.equal(span.resource["service.instance.id"], workerId);
      }
    }
    assert.ok(receiver.contentTypes.every((t) => t.startsWith("application/json")));
  });

  it("continues the traceparent the process passed; other instances start traces of their own", () => {
    const spans = receiver.spans.filter((s) => s.attributes[SPAN_ATTRIBUTES.processInstanceId] === traced);
    assert.ok(spans.length > 0);
    for (const span of spans) {
      assert.equal(span.traceId, traceId);
      assert.equal(span.parentSpanId, parentSpanId);
    }
    const others = receiver.spans.filter((s) => s.attributes[SPAN_ATTRIBUTES.processInstanceId] === untraced);
    assert.ok(others.length > 0);
    for (const span of others) {
      assert.notEqual(span.traceId, traceId);
      assert.equal(span.parentSpanId, "", "a task without a passed context is a root span");
    }
  });

  it("puts no variable value into a span", () => {
    const exported = receiver.bodies.join("\n");
    assert.ok(exported.length > 0);
    for (const value of [applicantName, applicantEmail, "APP-TRACED", "APP-UNTRACED", "Volkswagen", "Golf"])
      assert.ok(!exported.includes(value), `a span carries the variable value ${value}`);
  });

  it("logs the trace id with every task's log lines", async () => {
    const tasks = await completedTasks(traced);
    const lines = logLines(log).filter((l) => tasks.has(String(l.taskId)));
    assert.ok(lines.length >= tasks.size, `expected a log line per task, found ${lines.length}`);
    for (const line of lines) assert.equal(line.traceId, traceId, JSON.stringify(line));
    assert.match(log, /tracing: exporting spans over OTLP\/HTTP/);
  });
});

describe("without an OTLP endpoint", () => {
  // That its spans do not record, so nothing could be exported, is shown in workers/test/unit/runtime/tracing.test.ts.
  it("starts no exporter and still logs the passed trace id", async () => {
    const engine = testEngine();
    const traceId = randomBytes(16).toString("hex");
    const workers = await startWorkersBundle(workerEnv(engine, tenantId, { LOG_LEVEL: "debug" }), {
      captureLog: true,
    });
    let log = "";
    try {
      const instance = await startInstance(
        engine.client,
        tenantId,
        "insurance_process",
        uniqueId("BK-NOEXPORT"),
        green(uniqueId("APP-NOEXPORT"), {
          traceparent: { value: `00-${traceId}-${randomBytes(8).toString("hex")}-01`, type: "String" },
        }),
      );
      await waitForCompletion(engine.client, instance);
      const tasks = await completedTasks(instance);
      await waitFor("the last task's log line", async () =>
        logLines(workers.log()).some((l) => tasks.has(String(l.taskId)) && l.msg === "task done"),
      );
    } finally {
      assert.equal(await workers.stop(), 0);
      log = workers.log();
    }
    assert.doesNotMatch(log, /tracing: exporting/);
    assert.ok(logLines(log).some((l) => l.traceId === traceId));
  });
});
