/**
 * Two worker hosts on one PostgreSQL, on the real engine: two processes of the workers' built file
 * (as the containers run it), each with its own data folder, sharing only the database schema the data
 * stack provisions. The races the issue names are forced, not hoped for:
 *
 *   the database holds worker A's insert of the side effect (a table lock taken as the workers' own
 *   role), A is frozen (SIGSTOP: a long GC pause, a frozen VM) so its lock lapses, worker B fetches the
 *   same task and blocks on the same insert; the lock is released, A is thawed.
 *
 * Exactly one policy and one notification per application, asserted by querying the store.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { testEngine, uniqueId, waitFor } from "../../../test/support/engine.js";
import { repoPath } from "../../../test/support/repo.js";
import {
  deployProcesses,
  finalVariables,
  incidentsOf,
  newTenant,
  removeTempDataDirs,
  startInstance,
  startWorkersBundle,
  tempDataDir,
  type WorkersProcess,
  waitForCompletion,
  workerEnv,
} from "../support/integration.js";
import { type WorkersDatabase, workersDatabase } from "../support/postgres-store.js";

const green = JSON.parse(readFileSync(repoPath("processes", "examples", "green.json"), "utf8")) as {
  variables: Record<string, { value: unknown; type: string }>;
};

let wdb: WorkersDatabase;
let store: pg.Pool;
const running: WorkersProcess[] = [];

before(async () => {
  wdb = await workersDatabase();
  store = new pg.Pool({ ...wdb.settings, ssl: false, max: 3 });
});
after(async () => {
  for (const w of running) {
    w.kill("SIGCONT");
    await w.stop().catch(() => undefined);
  }
  await store?.end();
  await wdb?.drop();
  removeTempDataDirs();
});

const engine = testEngine();

/** A worker host: its own worker id and data folder, the shared store, a short lock to make expiry quick. */
async function host(name: string, tenantId: string, extra: Record<string, string> = {}) {
  const workerId = `${name}-${randomBytes(3).toString("hex")}`;
  const worker = await startWorkersBundle(
    workerEnv(
      engine,
      tenantId,
      wdb.env({
        WORKER_ID: workerId,
        WORKER_CLUSTER: "true",
        WORKER_DATA_DIR: tempDataDir(`${name}-data-`),
        WORKER_LOCK_DURATION_MS: "3000",
        // Longer than the lock: a handler waiting for the database keeps its task by extending the lock.
        WORKER_TASK_TIMEOUT_MS: "60000",
        WORKER_LONG_POLL_MS: "1000",
        LOG_LEVEL: "info",
        ...extra,
      }),
    ),
    { captureLog: true },
  );
  running.push(worker);
  return Object.assign(worker, { workerId });
}

async function startGreen(tenantId: string, businessKey: string): Promise<string> {
  return startInstance(engine.client, tenantId, "insurance_process", businessKey, {
    ...green.variables,
    applicationId: { value: businessKey, type: "String" },
  });
}

/** The worker's session waiting on a lock while inserting into `table` (pg_stat_activity). */
async function blockedInsert(workerId: string, table: "policies" | "notifications"): Promise<boolean> {
  const { rows } = await store.query(
    "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE $2",
    [workerId, `INSERT INTO "camunda_workers".${table}%`],
  );
  return rows.length > 0;
}

async function lockedBy(tenantId: string, processInstanceId: string, topicName: string) {
  const tasks = await engine.client.ok(
    engine.client.api.GET("/external-task", {
      params: { query: { processInstanceId, topicName, tenantIdIn: tenantId } as never },
    }),
  );
  return tasks[0]?.workerId;
}

function metric(text: string, name: string, labels: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

async function rows(sql: string, params: unknown[]) {
  return (await store.query(sql, params)).rows;
}

/**
 * Forces the race on `table`: A blocks inside the side effect, freezes, loses its lock; B fetches the
 * same task and blocks too; then the database lets both through and A thaws.
 */
async function forceRace(options: {
  tenantId: string;
  table: "policies" | "notifications";
  topic: "issue-policy" | "send-notification";
  businessKey: string;
}) {
  const { tenantId, table, topic, businessKey } = options;
  const locker = await store.connect();
  await locker.query("BEGIN");
  await locker.query(`LOCK TABLE "camunda_workers".${table} IN SHARE ROW EXCLUSIVE MODE`);
  const a = await host("host-a", tenantId);
  let b: Awaited<ReturnType<typeof host>> | undefined;
  try {
    const id = await startGreen(tenantId, businessKey);
    await waitFor(`host A blocked inserting into ${table}`, () => blockedInsert(a.workerId, table), {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    assert.equal(await lockedBy(tenantId, id, topic), a.workerId);
    a.kill("SIGSTOP");
    b = await host("host-b", tenantId);
    await waitFor(
      `host B fetching ${topic} once A's lock lapsed`,
      async () => (await lockedBy(tenantId, id, topic)) === b?.workerId,
      {
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    await waitFor(`host B blocked inserting into ${table}`, () => blockedInsert(b!.workerId, table), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await locker.query("COMMIT");
    a.kill("SIGCONT");
    await waitForCompletion(engine.client, id, 120_000);
    // A finds its task completed by B: its result is dropped, not reported.
    await waitFor(
      "host A to notice it lost the task",
      async () =>
        metric(await a.metrics(), "camunda_worker_tasks_total", `topic="${topic}",outcome="lock_lost"`) === 1,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    for (const worker of [a, b]) {
      assert.equal(
        metric(await worker.metrics(), "camunda_worker_tasks_fetched_total", `topic="${topic}"`),
        1,
        `${worker.workerId} fetched the ${topic} task`,
      );
    }
    return { id, a, b };
  } finally {
    await locker.query("ROLLBACK").catch(() => undefined);
    locker.release();
    a.kill("SIGCONT");
    await a.stop();
    await b?.stop();
  }
}

async function assertOnePolicyAndOneNotification(processInstanceId: string, businessKey: string) {
  const policies = await rows(
    `SELECT policy_number, worker_id FROM "camunda_workers".policies WHERE application_id = $1`,
    [businessKey],
  );
  assert.equal(policies.length, 1, "exactly one policy");
  const notifications = await rows(
    `SELECT kind, worker_id FROM "camunda_workers".notifications WHERE application_id = $1`,
    [businessKey],
  );
  assert.deepEqual(
    notifications.map((n) => n.kind),
    ["policy-issued"],
    "exactly one notification",
  );
  const values = await finalVariables(engine.client, processInstanceId);
  assert.equal(
    values.policyNumber,
    policies[0]?.policy_number,
    "the process holds the stored policy's number",
  );
  return { policy: policies[0], notification: notifications[0] };
}

describe("two worker hosts on one PostgreSQL (real engine, the workers' built file)", () => {
  it("refuse to start with the file store when told they run in a cluster", async () => {
    const tenantId = newTenant("cluster-refuse");
    await assert.rejects(
      startWorkersBundle(workerEnv(engine, tenantId, { WORKER_CLUSTER: "true", WORKER_HTTP_PORT: "0" }), {
        captureLog: true,
      }),
      /exited during startup \(exit code 2\).*WORKER_CLUSTER=true but the idempotency store is the local file store/s,
    );
  });

  it("first start of two workers at once: the schema migration runs once", async () => {
    const tenantId = newTenant("cluster-start");
    const [a, b] = await Promise.all([host("start-a", tenantId), host("start-b", tenantId)]);
    try {
      const versions = await rows(`SELECT version, applied_by FROM "camunda_workers".schema_migrations`, []);
      assert.equal(versions.length, 1);
      assert.ok([a.workerId, b.workerId].includes(versions[0]?.applied_by), "applied by one of the two");
      const migrated = [a, b].filter((w) => w.log().includes('"msg":"database schema migrated"'));
      const upToDate = [a, b].filter((w) => w.log().includes('"msg":"database schema up to date"'));
      assert.equal(migrated.length, 1, "one worker migrated");
      assert.equal(upToDate.length, 1, "the other found it done");
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("both hosts serving 12 applications: one policy and one notification each", async () => {
    const tenantId = newTenant("cluster-share");
    await deployProcesses(engine.client, tenantId);
    const a = await host("share-a", tenantId, { WORKER_PARALLELISM: "4" });
    const b = await host("share-b", tenantId, { WORKER_PARALLELISM: "4" });
    try {
      const keys = Array.from({ length: 12 }, (_, i) => uniqueId(`CL-share-${i}`));
      const ids = await Promise.all(keys.map((key) => startGreen(tenantId, key)));
      for (const id of ids) await waitForCompletion(engine.client, id, 180_000);
      for (const [i, id] of ids.entries()) await assertOnePolicyAndOneNotification(id, keys[i] as string);
      assert.deepEqual(await incidentsOf(engine.client, tenantId), []);
      const served = await Promise.all(
        [a, b].map(async (w) =>
          metric(
            await w.metrics(),
            "camunda_worker_tasks_total",
            'topic="validate-application",outcome="completed"',
          ),
        ),
      );
      assert.equal(served[0]! + served[1]!, 12);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("issue-policy run by both hosts after A's lock lapsed mid-insert: one policy, one notification", async () => {
    const tenantId = newTenant("cluster-policy");
    await deployProcesses(engine.client, tenantId);
    const businessKey = uniqueId("CL-policy");
    const { id, a, b } = await forceRace({ tenantId, table: "policies", topic: "issue-policy", businessKey });
    const { policy } = await assertOnePolicyAndOneNotification(id, businessKey);
    // Both inserts ran once the table lock went; one of them stored the row, and B, which completed
    // the task, returned that row's number (the process holds it), whoever won.
    assert.ok([a.workerId, b.workerId].includes(policy?.worker_id), `stored by ${policy?.worker_id}`);
    assert.deepEqual(await incidentsOf(engine.client, tenantId), []);
  });

  it("send-notification run by both hosts after A's lock lapsed mid-insert: one notification", async () => {
    const tenantId = newTenant("cluster-mail");
    await deployProcesses(engine.client, tenantId);
    const businessKey = uniqueId("CL-mail");
    const { id, a, b } = await forceRace({
      tenantId,
      table: "notifications",
      topic: "send-notification",
      businessKey,
    });
    const { notification } = await assertOnePolicyAndOneNotification(id, businessKey);
    assert.ok(
      [a.workerId, b.workerId].includes(notification?.worker_id),
      `stored by ${notification?.worker_id}`,
    );
    assert.deepEqual(await incidentsOf(engine.client, tenantId), []);
  });
});
