/**
 * The engine goes away for a while mid-run. This test starts an engine of its own (never the shared
 * one), stops it for 10 s plus its restart time, and checks that the worker backs off instead of
 * hammering (its requests are counted while the engine is down), reports not-ready meanwhile, and
 * serves tasks again once the engine is back.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { z } from "zod";
import { createCamundaClient } from "#core/camunda/index.js";
import { findFreePort, startEngine, stopEngine } from "#core/engine/local-engine.js";
import { complete, defineTopic, type TopicDefinition } from "#workers/handler.js";
import { uniqueId, waitFor } from "../../../test/support/engine.js";
import { engineDir } from "../../../test/support/repo.js";
import {
  deploySingleTask,
  newTenant,
  removeTempDataDirs,
  startInstance,
  startWorkers,
  waitForCompletion,
  workerEnv,
} from "../support/integration.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "workers-outage-engine-"));
after(async () => {
  removeTempDataDirs();
  await stopEngine({ dataDir });
  rmSync(dataDir, { recursive: true, force: true });
});

const noop = defineTopic({
  topic: "outage-work",
  description: "completes at once",
  input: z.object({}),
  outputs: ["done"],
  bpmnErrors: [],
  lockDurationMs: 30_000,
  handler: async () => complete({ done: true }),
}) as unknown as TopicDefinition;

describe("engine outage", () => {
  it("backs off while the engine is down and resumes when it is back", { timeout: 600_000 }, async () => {
    const port = await findFreePort();
    const engine = await startEngine({ engineDir, port, dataDir });
    const credentials = { restUrl: engine.restUrl, ...engine.credentials };
    const client = createCamundaClient({ baseUrl: engine.restUrl, ...engine.credentials });
    const tenantId = newTenant("workers-outage");
    await deploySingleTask(client, tenantId, "outage_work", "outage-work");

    // Defaults for backoff (500 ms doubling to 30 s); a short long poll so the loop is busy when up.
    const workers = await startWorkers(workerEnv(credentials, tenantId, { WORKER_LONG_POLL_MS: "1000" }), {
      "outage-work": noop,
    });
    try {
      const before = await startInstance(client, tenantId, "outage_work", uniqueId("W-before"), {});
      await waitForCompletion(client, before, 60_000);

      await stopEngine({ dataDir });
      const downFrom = workers.worker.requestCounts.fetchAndLock ?? 0;
      const downAt = Date.now();
      await waitFor("the worker to notice", async () => !workers.worker.ready, { timeoutMs: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const restarted = await startEngine({ engineDir, port, dataDir });
      const downFor = Date.now() - downAt;
      const whileDown = (workers.worker.requestCounts.fetchAndLock ?? 0) - downFrom;
      // A fixed 300 ms poll (the stock client's default) would have made downFor / 300 requests.
      const hammer = Math.floor(downFor / 300);
      console.log(
        `engine down for ${Math.round(downFor / 1000)} s: ${whileDown} fetch attempts (a 300 ms poll: ${hammer})`,
      );
      assert.ok(whileDown >= 2, "the worker kept trying");
      assert.ok(
        whileDown * 4 < hammer,
        `${whileDown} attempts while down is not a backoff (fixed polling: ${hammer})`,
      );

      const afterRestart = await startInstance(client, tenantId, "outage_work", uniqueId("W-after"), {});
      await waitForCompletion(client, afterRestart, 120_000);
      await waitFor("ready again", async () => workers.worker.ready, { timeoutMs: 60_000 });
      assert.equal(restarted.port, port);
    } finally {
      await workers.stop();
    }
  });
});
