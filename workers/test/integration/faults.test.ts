/**
 * Faults on the real engine: a worker killed with -9 mid-task, a handler that always throws, and
 * SIGTERM mid-batch. (The engine outage has its own file: it needs an engine of its own to stop.)
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { defineTopic, type TopicDefinition } from "#workers/handler.js";
import { FileIdempotencyStore } from "#workers/ports/file-idempotency-store.js";
import type { OutboxMessage } from "#workers/ports/notifier.js";
import type { Policy } from "#workers/ports/policy-store.js";
import { testEngine, uniqueId, waitFor } from "../../../test/support/engine.js";
import {
  deployProcesses,
  deploySingleTask,
  finalVariables,
  incidentsOf,
  newTenant,
  removeTempDataDirs,
  startInstance,
  startWorkers,
  tempDataDir,
  waitForCompletion,
  workerEnv,
} from "../support/integration.js";

after(removeTempDataDirs);

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "worker-process.ts");

function spawnWorker(
  env: Record<string, string>,
): ChildProcess & { exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", fixture], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return Object.assign(child, { exited, output: () => output });
}

async function externalTasks(tenantId: string, query: Record<string, string> = {}) {
  const { client } = testEngine();
  return client.ok(
    client.api.GET("/external-task", { params: { query: { tenantIdIn: tenantId, ...query } as never } }),
  );
}

describe("worker faults on the real engine", { concurrency: true }, () => {
  it("kill -9 after the policy was issued but before completion: picked up after lock expiry, exactly one policy", async () => {
    const engine = testEngine();
    const tenantId = newTenant("workers-kill");
    await deployProcesses(engine.client, tenantId);
    const dataDir = tempDataDir("workers-kill-");
    const marker = path.join(dataDir, "issued.json");
    const businessKey = uniqueId("W-kill");
    const id = await startInstance(engine.client, tenantId, "insurance_process", businessKey, {
      applicationId: { value: businessKey, type: "String" },
      applicantName: { value: "Kim Kill", type: "String" },
      applicantEmail: { value: "kim@example.org", type: "String" },
      applicantAge: { value: 40, type: "Integer" },
      vehicleMake: { value: "Skoda", type: "String" },
      vehicleModel: { value: "Octavia", type: "String" },
      region: { value: "Leeds", type: "String" },
      documents: { value: '["DRIVING_LICENCE","VEHICLE_REGISTRATION"]', type: "Json" },
    });

    const doomed = spawnWorker({
      ...workerEnv(engine, tenantId, { WORKER_DATA_DIR: dataDir, WORKER_LOCK_DURATION_MS: "4000" }),
      FIXTURE_MODE: "hang-after-issue",
      FIXTURE_MARKER: marker,
    });
    await waitFor("the doomed worker to issue the policy", async () => existsSync(marker), {
      timeoutMs: 120_000,
    });
    doomed.kill("SIGKILL");
    assert.equal(await doomed.exited, null, "killed by the signal, not exited");

    // A fresh worker on the same store: it finds the task once the dead worker's lock has expired.
    const survivor = await startWorkers(
      workerEnv(engine, tenantId, { WORKER_DATA_DIR: dataDir, WORKER_LONG_POLL_MS: "1000" }),
    );
    try {
      await waitForCompletion(engine.client, id, 120_000);
    } finally {
      await survivor.stop();
    }
    const store = new FileIdempotencyStore(path.join(dataDir, "store"));
    const policies = (await store.list<Policy>("policies")).filter((p) => p.applicationId === businessKey);
    assert.equal(policies.length, 1, "exactly one policy");
    const values = await finalVariables(engine.client, id);
    assert.equal(values.policyNumber, policies[0]?.policyNumber, "the process holds that policy's number");
    const sent = (await store.list<OutboxMessage>("outbox")).filter((m) => m.applicationId === businessKey);
    assert.deepEqual(
      sent.map((m) => m.kind),
      ["policy-issued"],
    );
    assert.deepEqual(await incidentsOf(engine.client, tenantId), []);
  });

  it("a handler that always throws: reported each time, incident after the configured retries", async () => {
    const engine = testEngine();
    const tenantId = newTenant("workers-throw");
    await deploySingleTask(engine.client, tenantId, "always_fails", "always-fails");
    let attempts = 0;
    const failing = defineTopic({
      topic: "always-fails",
      description: "throws every time",
      input: z.object({}),
      outputs: ["never"],
      bpmnErrors: [],
      lockDurationMs: 30_000,
      handler: async () => {
        attempts++;
        throw new Error("the policy administration system is down");
      },
    }) as unknown as TopicDefinition;
    const workers = await startWorkers(
      workerEnv(engine, tenantId, {
        WORKER_RETRIES: "2",
        WORKER_RETRY_BACKOFF_MS: "200",
        WORKER_LONG_POLL_MS: "1000",
      }),
      { "always-fails": failing },
    );
    try {
      const id = await startInstance(engine.client, tenantId, "always_fails", uniqueId("W-throw"), {});
      const incident = await waitFor(
        "an incident",
        async () => (await incidentsOf(engine.client, tenantId)).find((i) => i.activityId === "work"),
        { timeoutMs: 60_000 },
      );
      assert.match(incident.message, /Error: the policy administration system is down/);
      assert.equal(attempts, 3, "1 attempt + 2 retries");
      const [task] = await externalTasks(tenantId, { processInstanceId: id });
      assert.equal(task?.retries, 0);
    } finally {
      await workers.stop();
    }
  });

  for (const variant of [
    { name: "handlers finish within the grace period", delayMs: "300", graceMs: "20000" },
    { name: "handlers outlast the grace period and are unlocked", delayMs: "60000", graceMs: "500" },
  ]) {
    it(`SIGTERM mid-batch (${variant.name}): clean exit, no incident, no retry spent, no task lost`, async () => {
      const engine = testEngine();
      const tenantId = newTenant("workers-term");
      await deploySingleTask(engine.client, tenantId, "slow_work", "slow-work");
      const ids = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          startInstance(engine.client, tenantId, "slow_work", uniqueId(`W-term-${i}`), {}),
        ),
      );
      const env = workerEnv(engine, tenantId, {
        WORKER_PARALLELISM: "8",
        WORKER_SHUTDOWN_GRACE_MS: variant.graceMs,
      });
      const child = spawnWorker({ ...env, FIXTURE_MODE: "slow", FIXTURE_DELAY_MS: variant.delayMs });
      await waitFor(
        "tasks running in the worker",
        async () => (await externalTasks(tenantId, { locked: "true" })).length >= 4,
        {
          timeoutMs: 60_000,
          intervalMs: 50,
        },
      );
      child.kill("SIGTERM");
      const code = await Promise.race([
        child.exited,
        new Promise<string>((resolve) =>
          setTimeout(() => resolve("still running"), Number(variant.graceMs) + 15_000),
        ),
      ]);
      assert.equal(code, 0, `exit code (output: ${child.output().slice(-2000)})`);
      const shutdown = JSON.parse(
        child
          .output()
          .split("\n")
          .find((line) => line.startsWith('{"shutdown"')) ?? "{}",
      ).shutdown;
      if (variant.delayMs === "300") assert.equal(shutdown.unlocked, 0, "everything drained");
      else assert.ok(shutdown.unlocked >= 1, "running tasks were unlocked");

      assert.deepEqual(await externalTasks(tenantId, { locked: "true" }), [], "nothing stays locked");
      const left = await externalTasks(tenantId);
      assert.ok(
        left.every((task) => task.retries === null && !task.errorMessage),
        "no failure was reported, so no retry was spent",
      );
      assert.deepEqual(await incidentsOf(engine.client, tenantId), []);

      // Nothing lost: a fresh worker finishes every instance.
      const rest = spawnWorker({ ...env, FIXTURE_MODE: "slow", FIXTURE_DELAY_MS: "10" });
      try {
        for (const id of ids) await waitForCompletion(engine.client, id, 120_000);
      } finally {
        rest.kill("SIGTERM");
        assert.equal(await rest.exited, 0);
      }
    });
  }
});
