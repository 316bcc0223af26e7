import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startHealthServer } from "#workers/runtime/health-server.js";
import { createMetrics } from "#workers/runtime/metrics.js";

describe("health server", () => {
  it("answers /healthz, /readyz by state and /metrics in Prometheus format", async () => {
    const source: {
      state: string;
      ready: boolean;
      inFlight: number;
      stuck: number;
      notReadyReason?: string;
    } = { state: "running", ready: false, inFlight: 2, stuck: 0 };
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.tasks.inc({ topic: "issue-policy", outcome: "completed" });
    const server = await startHealthServer({
      host: "127.0.0.1",
      port: 0,
      worker: source,
      registry: metrics.registry,
    });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const notReady = await fetch(`${base}/readyz`);
      assert.equal(notReady.status, 503);
      assert.deepEqual(await notReady.json(), {
        status: "not ready",
        state: "running",
        inFlight: 2,
        stuck: 0,
      });
      source.stuck = 4;
      source.notReadyReason = "4 handlers ignored their timeout";
      assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), {
        status: "not ready",
        reason: "4 handlers ignored their timeout",
        state: "running",
        inFlight: 2,
        stuck: 4,
      });
      source.ready = true;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const text = await (await fetch(`${base}/metrics`)).text();
      assert.match(text, /camunda_worker_tasks_total\{topic="issue-policy",outcome="completed"\} 1/);
      assert.match(text, /# TYPE camunda_worker_task_duration_seconds histogram/);
      for (const name of text.matchAll(/^# TYPE (\S+) (counter|histogram)/gm)) {
        assert.match(name[1] ?? "", /_(total|seconds)$/, `${name[1]} follows the naming convention`);
      }
      source.state = "failed";
      assert.equal((await fetch(`${base}/healthz`)).status, 503);
      assert.equal((await fetch(`${base}/nope`)).status, 404);
    } finally {
      await server.close();
    }
  });
});
