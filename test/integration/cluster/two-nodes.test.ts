/**
 * Scale-out on the real engine: two nodes of the local engine (the engine/ build) on one PostgreSQL
 * database form a homogeneous Camunda 7 cluster, as the Auto Scaling group runs it in production.
 *
 * The three models are deployed through node A; the production workers poll node B only; people and
 * the applicant act through node A. Every application must complete exactly once: one finished
 * instance per business key, the expected end event, issue-policy run once per issued application and
 * one distinct policy number each. Then node A is stopped while a second batch is in flight, and node
 * B alone (people now acting through it) must finish all of it.
 *
 * The database is private to this file (test/support/postgres.ts), so no tenant is needed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type CamundaClient, createCamundaClient } from "#core/camunda/index.js";
import {
  defaultJvmArgs,
  type EngineHandle,
  engineAnswers,
  findFreePort,
  startEngine,
  startupFailureLines,
  stopEngine,
} from "#core/engine/local-engine.js";
import { readModels } from "../../../processes/tests/support/models.js";
import { waitFor } from "../../support/engine.js";
import { type PostgresDatabase, postgresDatabase } from "../../support/postgres.js";
import { engineDir } from "../../support/repo.js";
import {
  type Application,
  activityCount,
  application,
  applicationHistory,
  completeUserTask,
  endEvents,
  historyVariable,
  logTail,
  sendDocuments,
  startApplication,
  startWorkers,
  type WorkersProcess,
} from "./support.js";

const personWaitMs = 120_000;
const completionWaitMs = 150_000;

const issued = "EndEvent_PolicyIssued";
const rejected = "EndEvent_ApplicationRejected";

/** What a person or the applicant does for one application, and how it must end. */
interface Case {
  app: Application;
  expectedEnd: typeof issued | typeof rejected;
  /** Validations expected in history: 2 when documents were sent later. */
  validations: number;
  review?: { approved: boolean; waitForEscalation?: boolean };
  documents?: boolean;
}

function cases(
  prefix: string,
  spec: {
    green: number;
    yellow: number;
    declined: number;
    red: number;
    incomplete: number;
    escalated: number;
  },
): Case[] {
  const out: Case[] = [];
  let n = 0;
  const key = (example: string) => `${prefix}-${example}-${String(++n).padStart(2, "0")}`;
  for (let i = 0; i < spec.green; i++)
    out.push({ app: application("green", key("green")), expectedEnd: issued, validations: 1 });
  for (let i = 0; i < spec.yellow; i++)
    out.push({
      app: application("yellow", key("yellow")),
      expectedEnd: issued,
      validations: 1,
      review: { approved: true },
    });
  for (let i = 0; i < spec.escalated; i++)
    out.push({
      // A one-second review timeout: the escalation timer fires on whichever node acquires it, once.
      app: application("yellow", key("escalated"), { reviewTimeout: { value: "PT1S", type: "String" } }),
      expectedEnd: issued,
      validations: 1,
      review: { approved: true, waitForEscalation: true },
    });
  for (let i = 0; i < spec.declined; i++)
    out.push({
      app: application("yellow", key("declined")),
      expectedEnd: rejected,
      validations: 1,
      review: { approved: false },
    });
  for (let i = 0; i < spec.red; i++)
    out.push({ app: application("red", key("red")), expectedEnd: rejected, validations: 1 });
  for (let i = 0; i < spec.incomplete; i++)
    out.push({
      app: application("incomplete", key("incomplete")),
      expectedEnd: issued,
      validations: 2,
      documents: true,
    });
  return out;
}

/** The people's and the applicant's part of one case, through `client`'s node. */
async function act(
  client: CamundaClient,
  c: Case,
  escalations: () => Promise<Map<string, number>>,
): Promise<void> {
  const key = c.app.businessKey;
  if (c.documents) {
    await sendDocuments(client, key, personWaitMs);
    await completeUserTask(
      client,
      key,
      "Task_CheckDocuments",
      { documentsAccepted: { value: true, type: "Boolean" } },
      personWaitMs,
    );
  }
  if (c.review) {
    if (c.review.waitForEscalation) {
      await waitFor(
        `the review of ${key} to be escalated (notify-supervisor done)`,
        async () => (await escalations()).get(key)! > 0,
        {
          timeoutMs: personWaitMs,
          intervalMs: 500,
        },
      );
    }
    await completeUserTask(
      client,
      key,
      "Task_ReviewApplication",
      {
        approved: { value: c.review.approved, type: "Boolean" },
        ...(c.review.approved
          ? {}
          : { reviewComment: { value: "declined in the cluster test", type: "String" } }),
      },
      personWaitMs,
    );
  }
}

describe("two engine nodes on one PostgreSQL database", () => {
  const suffix = randomBytes(4).toString("hex");
  const credentials = { username: `cluster${suffix}`, password: randomBytes(18).toString("base64url") };
  const work = mkdtempSync(path.join(tmpdir(), "cluster-test-"));
  const dataDirs = { a: path.join(work, "node-a"), b: path.join(work, "node-b") };
  let db: PostgresDatabase | undefined;
  let nodeA: EngineHandle;
  let nodeB: EngineHandle;
  let clientA: CamundaClient;
  let clientB: CamundaClient;
  let workers: WorkersProcess | undefined;
  let failed = false;
  /** processInstanceId by business key, over both batches. */
  const instanceIds = new Map<string, string>();
  const allIssued: string[] = [];

  const startNode = async (dataDir: string) =>
    startEngine({
      engineDir,
      db: "postgres",
      port: await findFreePort(),
      dataDir,
      timeoutMs: 240_000,
      env: {
        SPRING_DATASOURCE_URL: db!.jdbcUrl,
        SPRING_DATASOURCE_USERNAME: db!.username,
        SPRING_DATASOURCE_PASSWORD: db!.password,
        CAMUNDA_BPM_ADMIN_USER_ID: credentials.username,
        CAMUNDA_BPM_ADMIN_USER_PASSWORD: credentials.password,
      },
      // An idle job executor backs off up to 60 s between acquisitions; the one-second review timer of
      // the escalation case should not wait that long in a test.
      jvmArgs: [...defaultJvmArgs, "-Dcamunda.bpm.job-execution.max-wait=5000"],
    });

  before(async () => {
    db = await postgresDatabase(`cluster_${suffix}`);
    // One after the other: the first node creates the schema and the admin user, the second finds them.
    nodeA = await startNode(dataDirs.a);
    nodeB = await startNode(dataDirs.b);
    clientA = createCamundaClient({ baseUrl: nodeA.restUrl, ...credentials });
    clientB = createCamundaClient({ baseUrl: nodeB.restUrl, ...credentials });
    workers = await startWorkers({
      restUrl: nodeB.restUrl,
      ...credentials,
      dataDir: work,
      timeoutMs: 90_000,
    });
  });

  after(async () => {
    await workers?.stop().catch(() => undefined);
    if (failed) {
      for (const [name, dir] of Object.entries(dataDirs)) {
        const lines = startupFailureLines(path.join(dir, "engine.log"));
        if (lines.length > 0) console.log(`node ${name.toUpperCase()} log:\n  ${lines.join("\n  ")}`);
      }
      if (workers) console.log(`workers log:\n${logTail(workers.logFile, 20)}`);
    }
    for (const dir of Object.values(dataDirs)) await stopEngine({ dataDir: dir }).catch(() => undefined);
    await db
      ?.drop()
      .catch((error) => console.log(`could not drop the test database: ${(error as Error).message}`));
    rmSync(work, { recursive: true, force: true });
  });

  /** Starts the batch through `starter`, lets people act through `people`, waits until every instance finished. */
  async function runBatch(
    prefix: string,
    batch: Case[],
    starter: CamundaClient,
    people: () => CamundaClient,
    midRun?: () => Promise<void>,
  ): Promise<void> {
    for (const c of batch) instanceIds.set(c.app.businessKey, await startApplication(starter, c.app));
    await midRun?.();
    const client = people();
    const escalations = async () => {
      const ids = batch.map((c) => instanceIds.get(c.app.businessKey)!);
      const counts = await activityCount(client, "Task_NotifySupervisor", ids);
      return new Map(
        batch.map((c) => [c.app.businessKey, counts.get(instanceIds.get(c.app.businessKey)!) ?? 0]),
      );
    };
    await Promise.all(batch.map((c) => act(client, c, escalations)));
    await waitFor(
      `all ${batch.length} applications of ${prefix} to complete`,
      async () => {
        const history = await applicationHistory(client, `${prefix}-`);
        return history.filter((h) => h.state === "COMPLETED").length >= batch.length;
      },
      { timeoutMs: completionWaitMs, intervalMs: 500 },
    );
    await assertCompletedExactlyOnce(prefix, batch, client);
  }

  async function assertCompletedExactlyOnce(
    prefix: string,
    batch: Case[],
    client: CamundaClient,
  ): Promise<void> {
    const history = await applicationHistory(client, `${prefix}-`);
    assert.deepEqual(
      history.map((h) => h.businessKey).sort(),
      batch.map((c) => c.app.businessKey).sort(),
      "exactly one insurance_process instance per business key",
    );
    for (const h of history) assert.equal(h.state, "COMPLETED", `${h.businessKey} is ${h.state}`);
    const ids = history.map((h) => h.processInstanceId);
    const byKey = new Map(history.map((h) => [h.businessKey, h.processInstanceId]));

    const ends = await endEvents(client, ids);
    const policyRuns = await activityCount(client, "Task_IssuePolicy", ids);
    const validations = await activityCount(client, "Task_ValidateApplication", ids);
    const policies = await historyVariable(client, "policyNumber", ids);
    for (const c of batch) {
      const id = byKey.get(c.app.businessKey)!;
      const key = c.app.businessKey;
      // The escalation is a non-interrupting branch with an end event of its own.
      const expectedEnds = c.review?.waitForEscalation
        ? [c.expectedEnd, "EndEvent_SupervisorNotified"]
        : [c.expectedEnd];
      assert.deepEqual(
        ends.get(id)?.sort(),
        expectedEnds.sort(),
        `${key} reached exactly the end event(s) ${expectedEnds.join(", ")}`,
      );
      assert.equal(validations.get(id), c.validations, `${key} was validated ${c.validations} time(s)`);
      if (c.expectedEnd === issued) {
        assert.equal(policyRuns.get(id), 1, `issue-policy ran exactly once for ${key}`);
        const numbers = policies.get(id) ?? [];
        assert.equal(
          numbers.length,
          1,
          `${key} has exactly one policyNumber, got ${JSON.stringify(numbers)}`,
        );
        assert.match(String(numbers[0]), /^MTR-\d{2}-[0-9A-Z]{10}$/);
        allIssued.push(String(numbers[0]));
      } else {
        assert.equal(policyRuns.get(id), 0, `no policy was issued for the rejected ${key}`);
        assert.equal(policies.get(id), undefined, `the rejected ${key} has no policyNumber`);
      }
    }
    assert.equal(
      new Set(allIssued).size,
      allIssued.length,
      `duplicate policy numbers: ${allIssued.join(", ")}`,
    );
    const incidents = await client.ok(client.api.GET("/incident/count", {}));
    assert.equal(incidents.count, 0, "no incident in the cluster");
  }

  it("completes every application exactly once with workers on node B and people on node A", async () => {
    try {
      const batch = cases("B1", { green: 4, yellow: 1, escalated: 1, declined: 1, red: 2, incomplete: 3 });
      const deployment = await clientA.deploy({
        name: `cluster-${suffix}`,
        source: "cluster test",
        resources: readModels(),
      });
      assert.deepEqual(
        Object.values(deployment.deployedProcessDefinitions ?? {})
          .map((d) => d.key)
          .sort(),
        ["document_request", "insurance_process"],
      );
      // Node B serves what node A deployed: the definitions live in the shared database.
      const seenByB = await clientB.ok(
        clientB.api.GET("/process-definition/count", { params: { query: { latestVersion: true } } }),
      );
      assert.equal(seenByB.count, 2);
      await runBatch("B1", batch, clientA, () => clientA);
      const escalated = batch.find((c) => c.review?.waitForEscalation)!;
      const counts = await activityCount(clientA, "Task_NotifySupervisor", [
        instanceIds.get(escalated.app.businessKey)!,
      ]);
      assert.equal(
        counts.get(instanceIds.get(escalated.app.businessKey)!),
        1,
        "the escalation timer fired once, although both nodes run a job executor",
      );
    } catch (error) {
      failed = true;
      throw error;
    }
  });

  it("finishes an in-flight batch on node B alone after node A stops", async () => {
    try {
      const batch = cases("B2", { green: 3, yellow: 3, escalated: 0, declined: 0, red: 1, incomplete: 2 });
      await runBatch(
        "B2",
        batch,
        clientA,
        () => clientB,
        async () => {
          // Every application of the batch is mid-run now: waiting for a worker, a person or the applicant.
          const stopped = await stopEngine({ dataDir: dataDirs.a });
          assert.equal(stopped.wasRunning, true, "node A was running until now");
          assert.equal(await engineAnswers(nodeA.restUrl), false, "node A no longer answers");
          assert.equal(await engineAnswers(nodeB.restUrl), true, "node B still answers");
        },
      );
      const open = await clientB.ok(clientB.api.GET("/external-task/count", {}));
      assert.equal(open.count, 0, "no external task is left");
      const tasks = await clientB.ok(clientB.api.GET("/task/count", {}));
      assert.equal(tasks.count, 0, "no user task is left");
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});
