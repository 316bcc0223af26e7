/**
 * "What is running now" against the real engine the test runner starts: instances are put into the
 * activities a change renames or removes, and the review says how many wait there. The lookup must
 * stay read-only (plan credentials): every request it makes is recorded and must be a GET.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { createCamundaClient } from "#core/camunda/index.js";
import { diffModel } from "#core/diff/model.js";
import { addRunningInstances } from "#core/diff/running.js";
import type { DiffReport } from "#core/diff/types.js";
import { findFreePort } from "#core/engine/ports.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { fixture } from "../../unit/diff/support.js";

const key = uniqueId("claim_review").replace(/-/g, "_");
const tenantId = uniqueId("diff");
const model = (name: string) => fixture("bpmn", name).replace(/claim_review/g, key);

async function startBefore(activityId: string, count: number): Promise<void> {
  const { client } = testEngine();
  for (let i = 0; i < count; i++) {
    await client.ok(
      client.api.POST("/process-definition/key/{key}/tenant-id/{tenant-id}/start", {
        params: { path: { key, "tenant-id": tenantId } },
        body: {
          businessKey: `${key}-${activityId}-${i}`,
          startInstructions: [{ type: "startBeforeActivity", activityId }],
        },
      }),
    );
  }
}

async function review(): Promise<DiffReport> {
  return {
    base: "0".repeat(40),
    head: "WORKTREE",
    files: [
      await diffModel({
        file: "processes/renamed.bpmn",
        kind: "bpmn",
        before: model("base"),
        after: model("id-renamed"),
      }),
      await diffModel({
        file: "processes/removed.bpmn",
        kind: "bpmn",
        before: model("base"),
        after: model("task-removed"),
      }),
      await diffModel({
        file: "processes/topic.bpmn",
        kind: "bpmn",
        before: model("base"),
        after: model("topic-changed"),
      }),
    ],
  };
}

describe("running instances per removed or migration-relevant activity (real engine)", () => {
  before(async () => {
    const { client } = testEngine();
    await client.deploy({
      name: "diff-running",
      tenantId,
      resources: [{ name: "claim.bpmn", content: model("base") }],
    });
    await startBefore("Task_Review", 3);
    await startBefore("Task_Escalate", 2);
  });

  test("counts the instances waiting in the renamed and the removed task, with GET requests only", async () => {
    const engine = testEngine();
    const methods: string[] = [];
    const recording: typeof fetch = (input, init) => {
      methods.push(input instanceof Request ? input.method : (init?.method ?? "GET"));
      return fetch(input, init);
    };
    const client = createCamundaClient({
      baseUrl: engine.restUrl,
      username: engine.username,
      password: engine.password,
      fetch: recording,
    });
    const report = await review();
    const note = await addRunningInstances(report, { environment: "test", client, tenantId });

    assert.equal(note, `Running instances in test now: ${key} 5 running (1 version deployed).`);
    const [renamed, removed, topic] = report.files;
    const rename = renamed!.changes.find((c) => c.property === "id")!;
    assert.equal(rename.runningInstances, 3);
    assert.match(rename.message, /\(3 instances wait in Task_Review in test now\)$/);
    const gone = removed!.changes.find((c) => c.elementId === "Task_Escalate")!;
    assert.equal(gone.runningInstances, 2);
    assert.match(
      gone.message,
      /\(2 instances wait in Task_Escalate in test now, which this change removes\)$/,
    );
    // A change that concerns no running instance is not annotated.
    assert.equal(topic!.changes[0]!.runningInstances, undefined);
    assert.ok(methods.length >= 3);
    assert.deepEqual([...new Set(methods)], ["GET"]);
  });

  test("a process that is not deployed there counts zero and says so", async () => {
    const report = await review();
    const engine = testEngine();
    const note = await addRunningInstances(report, {
      environment: "test",
      client: engine.client,
      tenantId: uniqueId("empty"),
    });
    assert.equal(note, `Running instances in test now: ${key} 0 running (not deployed).`);
    assert.equal(report.files[0]!.changes.find((c) => c.property === "id")!.runningInstances, 0);
  });

  test("a wrong password is refused (401) with a sentence naming the user and the variables", async () => {
    const engine = testEngine();
    const client = createCamundaClient({
      baseUrl: engine.restUrl,
      username: engine.username,
      password: "wrong",
    });
    await assert.rejects(
      addRunningInstances(await review(), { environment: "test", client, tenantId }),
      new RegExp(
        `^CamundaError: the Camunda engine rejected the credentials of user "${engine.username}" \\(401 at GET .*\\); check CAMUNDA_USERNAME and CAMUNDA_PASSWORD\\.$`,
      ),
    );
  });

  test("an engine that does not answer is one sentence, not a stack trace", async () => {
    const port = await findFreePort();
    const client = createCamundaClient({ baseUrl: `http://127.0.0.1:${port}/engine-rest`, retries: 0 });
    await assert.rejects(
      addRunningInstances(await review(), { environment: "test", client, tenantId }),
      /cannot reach the Camunda engine at http:\/\/127\.0\.0\.1:\d+\/engine-rest after 1 attempt\(s\)/,
    );
  });
});
