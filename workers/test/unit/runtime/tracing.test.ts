/**
 * Tracing in isolation: where the endpoint comes from, that without one no span records (so nothing
 * can be exported) while a passed trace id still reaches the log, and what an exported span of a
 * failed retry carries. The real engine and the built file are exercised in
 * workers/test/integration/tracing.test.ts.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { loadWorkerConfig } from "#workers/runtime/config.js";
import { createLogger } from "#workers/runtime/logger.js";
import { SPAN_ATTRIBUTES, startTracing, TRACEPARENT_VARIABLE } from "#workers/runtime/tracing.js";

const minimal = {
  CAMUNDA_URL: "http://localhost:8080/engine-rest",
  CAMUNDA_USERNAME: "demo",
  CAMUNDA_PASSWORD: "pw",
};
const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const parentId = "00f067aa0ba902b7";

function task(extra: Record<string, unknown> = {}) {
  return {
    id: "task-1",
    topicName: "issue-policy",
    processDefinitionKey: "insurance_process",
    processInstanceId: "pi-1",
    activityId: "IssuePolicy",
    businessKey: "APP-1",
    variables: {
      applicantName: { type: "String", value: "Maria Schneider" },
      [TRACEPARENT_VARIABLE]: { type: "String", value: `00-${traceId}-${parentId}-01` },
    },
    ...extra,
  };
}

function capturedLogger() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => {
    text += chunk;
  });
  return { logger: createLogger({ level: "info", destination: stream }), text: () => text };
}

describe("tracing configuration", () => {
  it("is off unless an OTLP endpoint is set; the traces endpoint wins over the general one", () => {
    assert.equal(loadWorkerConfig(minimal).tracing.endpoint, undefined);
    assert.equal(
      loadWorkerConfig({ ...minimal, OTEL_EXPORTER_OTLP_ENDPOINT: "" }).tracing.endpoint,
      undefined,
    );
    assert.equal(
      loadWorkerConfig({ ...minimal, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).tracing
        .endpoint,
      "http://collector:4318/v1/traces",
    );
    assert.equal(
      loadWorkerConfig({
        ...minimal,
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example.test/otlp/v1/traces",
      }).tracing.endpoint,
      "https://traces.example.test/otlp/v1/traces",
    );
    assert.equal(loadWorkerConfig(minimal).tracing.serviceName, "camunda-workers");
  });

  it("refuses an endpoint that is not an http(s) URL, naming the variable", () => {
    assert.throws(
      () => loadWorkerConfig({ ...minimal, OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4317" }),
      /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/,
    );
  });
});

describe("tracing without an endpoint", () => {
  it("starts no SDK: spans do not record, yet a passed trace id reaches the task's log lines", async () => {
    const { logger, text } = capturedLogger();
    const tracing = startTracing({ endpoint: undefined, serviceName: "s", workerId: "w" }, logger);
    assert.equal(tracing.exporting, false);
    assert.deepEqual(tracing.variables, [TRACEPARENT_VARIABLE]);
    const span = tracing.start(task() as never);
    assert.equal(span.recording, false);
    await span.run(async () => logger.child({ taskId: "task-1" }).info("inside the task"));
    span.end();
    logger.info("outside any task");
    await tracing.shutdown();
    const lines = text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines[0].traceId, traceId);
    assert.equal(lines[0].taskId, "task-1");
    assert.equal(lines[1].traceId, undefined, "no trace id outside a task");
    assert.doesNotMatch(text(), /exporting spans/);

    // A task without a passed context: a non-recording span with nothing to log.
    const plain = tracing.start(task({ variables: {} }) as never);
    const inside = capturedLogger();
    await plain.run(async () => inside.logger.info("x"));
    assert.equal(JSON.parse(inside.text()).traceId, undefined);
  });
});

describe("tracing with an endpoint", () => {
  it("exports a failed attempt's span with its retries, an error status and no variable value", async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        bodies.push(`${req.url} ${body}`);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
      const { logger } = capturedLogger();
      const tracing = startTracing(
        { endpoint: url, serviceName: "camunda-workers", workerId: "w-1" },
        logger,
      );
      assert.equal(tracing.exporting, true);
      const span = tracing.start(task({ retries: 2 }) as never);
      assert.equal(span.recording, true);
      await span.run(async () => undefined);
      span.outcome("failed");
      span.end();
      await tracing.shutdown();
      assert.equal(bodies.length, 1);
      const [path, json] = [bodies[0]!.split(" ", 1)[0], bodies[0]!.slice(bodies[0]!.indexOf(" ") + 1)];
      assert.equal(path, "/v1/traces");
      const exported = JSON.parse(json).resourceSpans[0].scopeSpans[0].spans[0];
      const attrs = Object.fromEntries(
        exported.attributes.map((a: { key: string; value: Record<string, unknown> }) => [
          a.key,
          Object.values(a.value)[0],
        ]),
      );
      assert.equal(exported.traceId, traceId);
      assert.equal(exported.parentSpanId, parentId);
      assert.equal(exported.status.code, 2, "STATUS_CODE_ERROR");
      assert.equal(Number(attrs[SPAN_ATTRIBUTES.retries]), 2);
      assert.equal(attrs[SPAN_ATTRIBUTES.outcome], "failed");
      assert.equal(attrs[SPAN_ATTRIBUTES.activityId], "IssuePolicy");
      assert.equal(attrs[SPAN_ATTRIBUTES.workerId], "w-1");
      assert.doesNotMatch(json, /Maria Schneider/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
