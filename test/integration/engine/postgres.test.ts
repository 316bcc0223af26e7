/**
 * Two engines on one real PostgreSQL database, as the platform runs them: what one node deploys the
 * other one sees. Runs when CAMUNDA_TEST_DB=postgres with SPRING_DATASOURCE_URL/_USERNAME/_PASSWORD
 * (as .ci/run provides); skipped otherwise.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type EngineHandle, findFreePort, startEngine, stopEngine } from "#core/engine/local-engine.js";
import { isAlive } from "#core/engine/state.js";
import { engineDir } from "../../support/repo.js";

const configured =
  process.env.CAMUNDA_TEST_DB === "postgres" &&
  Boolean(
    process.env.SPRING_DATASOURCE_URL &&
      process.env.SPRING_DATASOURCE_USERNAME &&
      process.env.SPRING_DATASOURCE_PASSWORD,
  );

function bpmn(processKey: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://example.com/engine-test">
  <bpmn:process id="${processKey}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="flow" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

describe("two local engines on one PostgreSQL database", {
  skip: !configured && "needs CAMUNDA_TEST_DB=postgres and SPRING_DATASOURCE_*",
}, () => {
  // A user of its own: the database is shared with the test runner's engine.
  const env = {
    CAMUNDA_BPM_ADMIN_USER_ID: `enginetest${randomBytes(3).toString("hex")}`,
    CAMUNDA_BPM_ADMIN_USER_PASSWORD: randomBytes(18).toString("base64url"),
  };
  const dataDirs: string[] = [];
  const nodes: EngineHandle[] = [];

  before(async () => {
    // One after the other: the first start creates the admin user the second one then finds.
    for (let i = 0; i < 2; i++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), `engine-pg-node${i}-`));
      dataDirs.push(dataDir);
      nodes.push(await startEngine({ engineDir, db: "postgres", port: await findFreePort(), dataDir, env }));
    }
  });

  after(async () => {
    for (const dataDir of dataDirs) {
      await stopEngine({ dataDir }).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("runs both nodes on PostgreSQL with the same admin user", () => {
    assert.equal(nodes.length, 2);
    for (const node of nodes) {
      assert.equal(node.db, "postgres");
      assert.equal(node.credentials.username, env.CAMUNDA_BPM_ADMIN_USER_ID);
      assert.equal(node.credentialsSource, "environment");
    }
    assert.notEqual(nodes[0]!.port, nodes[1]!.port);
  });

  it("lets the second node start an instance of what the first node deployed", async () => {
    const [first, second] = nodes as [EngineHandle, EngineHandle];
    const auth = `Basic ${Buffer.from(`${env.CAMUNDA_BPM_ADMIN_USER_ID}:${env.CAMUNDA_BPM_ADMIN_USER_PASSWORD}`).toString("base64")}`;
    const processKey = `engine_pg_${randomBytes(4).toString("hex")}`;
    const form = new FormData();
    form.append("deployment-name", processKey);
    form.append("data", new Blob([bpmn(processKey)], { type: "application/xml" }), `${processKey}.bpmn`);
    const deployed = await fetch(`${first.restUrl}/deployment/create`, {
      method: "POST",
      headers: { authorization: auth },
      body: form,
    });
    assert.equal(deployed.status, 200, await deployed.text());
    const started = await fetch(`${second.restUrl}/process-definition/key/${processKey}/start`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ businessKey: processKey }),
    });
    assert.equal(started.status, 200, await started.text());
    const history = await fetch(
      `${first.restUrl}/history/process-instance?processDefinitionKey=${processKey}&finished=true`,
      { headers: { authorization: auth } },
    );
    const instances = (await history.json()) as { businessKey: string }[];
    assert.deepEqual(
      instances.map((instance) => instance.businessKey),
      [processKey],
    );
  });

  it("stops both nodes without leaving a process behind", async () => {
    for (const [i, node] of nodes.entries()) {
      const result = await stopEngine({ dataDir: dataDirs[i]! });
      assert.equal(result.wasRunning, true);
      assert.equal(isAlive(node.pid), false);
    }
  });
});
