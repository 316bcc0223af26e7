/**
 * Every path of the insurance process, completed by the real workers on the real engine. The test
 * plays only the people (underwriter, clerk) and the applicant (DocumentsReceived message); every
 * external task is served by the workers as they ship — their built file (workers/dist/main.mjs, what
 * the Dockerfile copies) run by Node alone — bound to this file's own tenant.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { FileIdempotencyStore } from "#workers/ports/file-idempotency-store.js";
import type { OutboxMessage } from "#workers/ports/notifier.js";
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
  type Typed,
  type WorkersProcess,
  waitForCompletion,
  workerEnv,
} from "../support/integration.js";

const tenantId = newTenant("workers-scn");
let workers: WorkersProcess | undefined;
let dataDir = "";
const waitMs = 180_000;

before(async () => {
  const engine = testEngine();
  await deployProcesses(engine.client, tenantId);
  const env = workerEnv(engine, tenantId);
  dataDir = env.WORKER_DATA_DIR ?? "";
  workers = await startWorkersBundle(env);
});
after(async () => {
  const code = await workers?.stop();
  removeTempDataDirs();
  assert.equal(code, 0, "the workers' bundle stops cleanly on SIGTERM");
});

function example(
  name: "green" | "yellow" | "red" | "incomplete",
  extra: Typed = {},
): { businessKey: string; variables: Typed } {
  const payload = JSON.parse(readFileSync(repoPath("processes", "examples", `${name}.json`), "utf8")) as {
    variables: Typed;
  };
  const businessKey = uniqueId(`W-${name}`);
  return {
    businessKey,
    variables: { ...payload.variables, applicationId: { value: businessKey, type: "String" }, ...extra },
  };
}

async function start(payload: { businessKey: string; variables: Typed }): Promise<string> {
  return startInstance(
    testEngine().client,
    tenantId,
    "insurance_process",
    payload.businessKey,
    payload.variables,
  );
}

async function completeUserTask(
  businessKey: string,
  taskDefinitionKey: string,
  variables: Typed,
): Promise<void> {
  const { client } = testEngine();
  const task = await waitFor(
    `user task ${taskDefinitionKey} of ${businessKey}`,
    async () =>
      (
        await client.ok(
          client.api.GET("/task", {
            params: {
              query: { processInstanceBusinessKey: businessKey, taskDefinitionKey, tenantIdIn: tenantId },
            },
          }),
        )
      )[0],
    { timeoutMs: waitMs },
  );
  await client.ok(
    client.api.POST("/task/{id}/complete", {
      params: { path: { id: task.id ?? "" } },
      body: { variables, withVariablesInReturn: false },
    }),
  );
}

async function sendDocuments(businessKey: string, documents: string[]): Promise<void> {
  const { client } = testEngine();
  await waitFor(
    `document request of ${businessKey} waiting for DocumentsReceived`,
    async () =>
      (
        await client.ok(
          client.api.GET("/execution", {
            params: {
              query: { businessKey, messageEventSubscriptionName: "DocumentsReceived", tenantIdIn: tenantId },
            },
          }),
        )
      ).length > 0,
    { timeoutMs: waitMs },
  );
  await client.ok(
    client.api.POST("/message", {
      body: {
        messageName: "DocumentsReceived",
        businessKey,
        tenantId,
        processVariables: { documents: { value: JSON.stringify(documents), type: "Json" } },
        all: false,
        resultEnabled: false,
        variablesInResultEnabled: false,
        withoutTenantId: false,
      },
    }),
  );
}

async function outbox(applicationId: string): Promise<OutboxMessage[]> {
  const all = await new FileIdempotencyStore(`${dataDir}/store`).list<OutboxMessage>("outbox");
  return all
    .filter((m) => m.applicationId === applicationId)
    .sort((a, b) => a.sentAt.localeCompare(b.sentAt));
}

async function finish(id: string): Promise<Record<string, unknown>> {
  const { client } = testEngine();
  await waitForCompletion(client, id, waitMs);
  return finalVariables(client, id);
}

describe("insurance_process served by the real workers", { concurrency: true }, () => {
  it("GREEN: policy issued and sent", async () => {
    const payload = example("green");
    const values = await finish(await start(payload));
    assert.equal(values.applicationComplete, true);
    assert.deepEqual(values.missingDocuments, []);
    assert.equal(values.riskGroup, "GREEN");
    assert.equal(values.premium, 560, "family class base premium × 1.0");
    assert.match(String(values.policyNumber), /^MTR-\d{2}-[0-9A-Z]{10}$/);
    const messages = await outbox(payload.businessKey);
    assert.deepEqual(
      messages.map((m) => m.kind),
      ["policy-issued"],
    );
    assert.match(messages[0]?.body ?? "", new RegExp(String(values.policyNumber)));
  });

  it("YELLOW approved: review by the decision's group, then policy", async () => {
    const payload = example("yellow");
    const id = await start(payload);
    await completeUserTask(payload.businessKey, "Task_ReviewApplication", {
      approved: { value: true, type: "Boolean" },
    });
    const values = await finish(id);
    assert.equal(values.riskGroup, "YELLOW");
    assert.equal(values.premium, 672, "city class 420 × 1.6");
    assert.ok(values.policyNumber);
  });

  it("YELLOW declined: rejected in review and told so", async () => {
    const payload = example("yellow");
    const id = await start(payload);
    // A decline needs its reason (the review form asks for it; the process refuses a decline without).
    await completeUserTask(payload.businessKey, "Task_ReviewApplication", {
      approved: { value: false, type: "Boolean" },
      reviewComment: { value: "Three claims in the last two years.", type: "String" },
    });
    const values = await finish(id);
    assert.equal(values.rejectionReason, "DECLINED_IN_REVIEW");
    assert.equal(values.policyNumber, undefined);
    assert.deepEqual(
      (await outbox(payload.businessKey)).map((m) => m.kind),
      ["application-rejected"],
    );
  });

  it("YELLOW escalated: the overdue review is escalated to the supervisors, then approved", async () => {
    const payload = example("yellow", { reviewTimeout: { value: "PT1S", type: "String" } });
    const id = await start(payload);
    await waitFor(
      "the escalation message",
      async () => (await outbox(payload.businessKey)).some((m) => m.kind === "review-escalated"),
      {
        timeoutMs: waitMs,
      },
    );
    await completeUserTask(payload.businessKey, "Task_ReviewApplication", {
      approved: { value: true, type: "Boolean" },
    });
    const values = await finish(id);
    assert.ok(values.policyNumber);
    const escalation = (await outbox(payload.businessKey)).find((m) => m.kind === "review-escalated");
    assert.deepEqual(escalation?.to, { type: "group", group: "underwriters-supervisors" });
  });

  it("RED: rejected as not insurable", async () => {
    const payload = example("red");
    const values = await finish(await start(payload));
    assert.equal(values.riskGroup, "RED");
    assert.equal(values.rejectionReason, "RISK_NOT_INSURABLE");
    assert.equal(values.premium, 0);
  });

  it("incomplete → documents received → accepted → policy", async () => {
    const payload = example("incomplete");
    const id = await start(payload);
    await sendDocuments(payload.businessKey, ["DRIVING_LICENCE", "VEHICLE_REGISTRATION"]);
    await completeUserTask(payload.businessKey, "Task_CheckDocuments", {
      documentsAccepted: { value: true, type: "Boolean" },
    });
    const values = await finish(id);
    assert.equal(values.applicationComplete, true);
    assert.ok(values.policyNumber);
    const kinds = (await outbox(payload.businessKey)).map((m) => m.kind);
    assert.deepEqual(kinds, ["documents-requested", "policy-issued"]);
  });

  it("incomplete → documents rejected with a comment, requested again → accepted", async () => {
    const payload = example("incomplete");
    const id = await start(payload);
    await sendDocuments(payload.businessKey, ["DRIVING_LICENCE"]);
    await completeUserTask(payload.businessKey, "Task_CheckDocuments", {
      documentsAccepted: { value: false, type: "Boolean" },
      documentsComment: { value: "The registration certificate is missing.", type: "String" },
    });
    await sendDocuments(payload.businessKey, ["DRIVING_LICENCE", "VEHICLE_REGISTRATION"]);
    await completeUserTask(payload.businessKey, "Task_CheckDocuments", {
      documentsAccepted: { value: true, type: "Boolean" },
    });
    const values = await finish(id);
    assert.ok(values.policyNumber);
    const requests = (await outbox(payload.businessKey)).filter((m) => m.kind === "documents-requested");
    assert.equal(requests.length, 2, "each request is its own message");
    assert.match(requests[1]?.body ?? "", /registration certificate is missing/);
  });

  it("incomplete → no documents, reminder, deadline → rejected", async () => {
    const payload = example("incomplete", {
      documentTimeout: { value: "PT1S", type: "String" },
      reminderTimeout: { value: "PT1S", type: "String" },
    });
    const values = await finish(await start(payload));
    assert.equal(values.rejectionReason, "DOCUMENTS_NOT_RECEIVED");
    assert.deepEqual(
      (await outbox(payload.businessKey)).map((m) => m.kind),
      ["documents-requested", "documents-reminder", "application-rejected"],
    );
  });
});

describe("after the scenarios", () => {
  it("no incident was raised in this tenant", async () => {
    assert.deepEqual(await incidentsOf(testEngine().client, tenantId), []);
  });
});
