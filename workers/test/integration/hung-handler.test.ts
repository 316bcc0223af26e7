/**
 * A handler that never returns and ignores its signal, on the real engine: every attempt ends as a
 * failure after the topic's timeout, the retries count down to an incident, the lock is extended only
 * while the handler may still run, and /readyz and the metrics show the stuck handlers.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { z } from "zod";
import { defineTopic, type HandlerResult, type TopicDefinition } from "#workers/handler.js";
import { testEngine, uniqueId, waitFor } from "../../../test/support/engine.js";
import {
  deploySingleTask,
  incidentsOf,
  newTenant,
  removeTempDataDirs,
  startInstance,
  startWorkers,
  workerEnv,
} from "../support/integration.js";

after(removeTempDataDirs);

const TOPIC = "hangs-forever";

describe("a handler that never returns, on the real engine", () => {
  it("fails after its timeout each time, retries count down to an incident, readiness and metrics change", async () => {
    const engine = testEngine();
    const tenantId = newTenant("workers-hang");
    await deploySingleTask(engine.client, tenantId, "hangs_forever", TOPIC);
    let started = 0;
    let aborted = 0;
    const hangs = defineTopic({
      topic: TOPIC,
      description: "calls something that never answers and ignores its signal",
      input: z.object({}),
      outputs: ["never"],
      bpmnErrors: [],
      lockDurationMs: 1_000,
      timeoutMs: 1_500,
      handler: async (_input, ctx) => {
        started++;
        ctx.signal.addEventListener("abort", () => aborted++);
        return new Promise<HandlerResult>(() => undefined);
      },
    }) as unknown as TopicDefinition;
    const workers = await startWorkers(
      workerEnv(engine, tenantId, {
        WORKER_PARALLELISM: "3",
        WORKER_RETRIES: "2",
        WORKER_RETRY_BACKOFF_MS: "200",
        WORKER_LONG_POLL_MS: "1000",
        WORKER_TASK_CANCEL_GRACE_MS: "200",
      }),
      { [TOPIC]: hangs },
    );
    const base = `http://127.0.0.1:${workers.health.port}`;
    try {
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const id = await startInstance(engine.client, tenantId, "hangs_forever", uniqueId("W-hang"), {});
      const incident = await waitFor(
        "an incident after the last timed-out attempt",
        async () => (await incidentsOf(engine.client, tenantId)).find((i) => i.activityId === "work"),
        { timeoutMs: 90_000 },
      );
      assert.match(incident.message, /the hangs-forever handler did not finish within 1500 ms/);
      assert.equal(started, 3, "1 attempt + 2 retries");
      assert.equal(aborted, 3, "each attempt's signal was aborted");

      // The engine's own record of the failures: each entry holds the retries the task had when the
      // attempt failed (none yet, then 2, then 1), and the task is left with 0 and the incident.
      const log = await engine.client.ok(
        engine.client.api.GET("/history/external-task-log", {
          params: {
            query: { processInstanceId: id, failureLog: true, sortBy: "timestamp", sortOrder: "asc" },
          },
        }),
      );
      assert.deepEqual(
        log.map((entry) => entry.retries),
        [null, 2, 1],
      );
      const [task] = await engine.client.ok(
        engine.client.api.GET("/external-task", { params: { query: { processInstanceId: id } } }),
      );
      assert.equal(task?.retries, 0);

      // Three handlers still run, ignoring their signal: as many as the parallelism, so not ready.
      await waitFor("three stuck handlers", async () => workers.worker.stuck === 3, { timeoutMs: 10_000 });
      const readiness = await fetch(`${base}/readyz`);
      assert.equal(readiness.status, 503);
      assert.match(
        ((await readiness.json()) as { reason: string }).reason,
        /3 handlers ignored their timeout and still run, as many as WORKER_PARALLELISM \(3\)/,
      );
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /camunda_worker_task_timeouts_total\{topic="hangs-forever"\} 3/);
      assert.match(metrics, /camunda_worker_handlers_abandoned_total\{topic="hangs-forever"\} 3/);
      assert.match(metrics, /camunda_worker_handlers_stuck\{topic="hangs-forever"\} 3/);
      assert.match(metrics, /camunda_worker_tasks_total\{topic="hangs-forever",outcome="incident"\} 1/);
      // The lock was extended only while an attempt could still run (every 500 ms within 1.5 s).
      const extensions = [
        ...metrics.matchAll(
          /camunda_worker_lock_extensions_total\{topic="hangs-forever",outcome="ok"\} (\d+)/g,
        ),
      ].reduce((sum, m) => sum + Number(m[1]), 0);
      assert.ok(extensions <= 9, `${extensions} lock extensions for 3 attempts of at most 1.5 s`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const later = await (await fetch(`${base}/metrics`)).text();
      assert.match(
        later,
        new RegExp(
          `camunda_worker_lock_extensions_total\\{topic="hangs-forever",outcome="ok"\\} ${extensions}\\b`,
        ),
        "no extensions after the attempts timed out",
      );
    } finally {
      await workers.stop();
    }
  });
});
