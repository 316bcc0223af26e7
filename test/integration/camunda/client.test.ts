import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CamundaError, createCamundaClient } from "#core/camunda/index.js";
import { testEngine, uniqueId, waitFor } from "../../support/engine.js";

/** A one-task process: start -> external task -> end, with the history TTL 7.23 enforces. */
function smallProcess(key: string, topic: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_${key}" targetNamespace="http://example.com/test">
  <bpmn:process id="${key}" name="Client test" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Work" />
    <bpmn:serviceTask id="Work" name="Work" camunda:type="external" camunda:topic="${topic}" />
    <bpmn:sequenceFlow id="F2" sourceRef="Work" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
`;
}

describe("typed Camunda client on the real engine", () => {
  it("deploys with credentials, runs an instance to the end and reads it back from history", async () => {
    const { client } = testEngine();
    const key = uniqueId("client_test").replace(/-/g, "_");
    const topic = uniqueId("client-topic");
    const deployment = await client.deploy({
      name: key,
      source: "integration-test",
      resources: [{ name: `${key}.bpmn`, content: smallProcess(key, topic) }],
    });
    const definitions = Object.values(deployment.deployedProcessDefinitions ?? {});
    assert.equal(definitions.length, 1);
    assert.equal(definitions[0]!.key, key);

    const instance = await client.ok(
      client.api.POST("/process-definition/key/{key}/start", {
        params: { path: { key } },
        body: { businessKey: `bk-${key}`, variables: { amount: { value: 42, type: "Integer" } } },
      }),
    );
    assert.ok(instance.id);

    const tasks = await waitFor("the external task", async () => {
      const locked = await client.ok(
        client.api.POST("/external-task/fetchAndLock", {
          body: {
            workerId: `worker-${key}`,
            maxTasks: 1,
            topics: [{ topicName: topic, lockDuration: 10_000 }],
          },
        }),
      );
      return locked.length > 0 ? locked : undefined;
    });
    await client.ok(
      client.api.POST("/external-task/{id}/complete", {
        params: { path: { id: tasks[0]!.id! } },
        body: { workerId: `worker-${key}`, variables: { done: { value: true, type: "Boolean" } } },
      }),
    );

    const historic = await waitFor("the finished instance in history", async () => {
      const found = await client.ok(
        client.api.GET("/history/process-instance/{id}", { params: { path: { id: instance.id! } } }),
      );
      return found.state === "COMPLETED" ? found : undefined;
    });
    assert.equal(historic.businessKey, `bk-${key}`);
    const activities = await client.ok(
      client.api.GET("/history/activity-instance", {
        params: { query: { processInstanceId: instance.id!, sortBy: "startTime", sortOrder: "asc" } },
      }),
    );
    assert.deepEqual(
      activities.map((a) => a.activityId),
      ["Start", "Work", "End"],
    );
  });

  it("gets 401 without credentials, while /engine stays open for health checks", async () => {
    const { restUrl } = testEngine();
    const anonymous = await fetch(`${restUrl}/process-definition`);
    assert.equal(anonymous.status, 401);
    // A user of its own, so the engine's login throttling never touches the shared admin.
    const { client } = testEngine();
    const userId = uniqueId("wrongpw").replace(/-/g, "");
    await client.ok(
      client.api.POST("/user/create", {
        body: {
          profile: { id: userId, firstName: "Wrong", lastName: "Password" },
          credentials: { password: "right-password-1" },
        },
      }),
    );
    const wrong = createCamundaClient({ baseUrl: restUrl, username: userId, password: "wrong-password" });
    await assert.rejects(wrong.ok(wrong.api.GET("/process-definition")), (error: unknown) => {
      assert.ok(error instanceof CamundaError);
      assert.equal(error.status, 401);
      assert.doesNotMatch(error.message, /wrong-password/);
      return true;
    });
    const health = await fetch(`${restUrl}/engine`);
    assert.equal(health.status, 200);
  });

  it("turns a broken BPMN into a typed error with resource name, line and column", async () => {
    const { client } = testEngine();
    const key = uniqueId("broken").replace(/-/g, "_");
    // An external task without a topic: the engine's BPMN parser reports it with line and column (400).
    const broken = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_${key}" targetNamespace="http://example.com/test">
  <bpmn:process id="${key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Work" />
    <bpmn:serviceTask id="Work" camunda:type="external" />
  </bpmn:process>
</bpmn:definitions>
`;
    await assert.rejects(
      client.deploy({ name: key, resources: [{ name: `${key}.bpmn`, content: broken }] }),
      (error: unknown) => {
        assert.ok(error instanceof CamundaError, String(error));
        assert.equal(error.status, 400);
        assert.equal(error.type, "ParseException");
        const report = error.resources.find((r) => r.resource === `${key}.bpmn`);
        assert.ok(report, `no report for the resource in ${JSON.stringify(error.resources)}`);
        const problem = report.errors[0]!;
        assert.equal(problem.line, 7);
        assert.ok((problem.column ?? 0) > 0);
        assert.equal(problem.mainElementId, "Work");
        assert.deepEqual(problem.elementIds, ["Work"]);
        assert.match(error.message, new RegExp(`${key}\\.bpmn`));
        assert.ok(
          error.details.some((d) => d.startsWith(`${key}.bpmn:7:`)),
          error.details.join("\n"),
        );
        return true;
      },
    );
  });

  it("reports an invalid expression, which the engine answers with 500 and no line, as a typed error", async () => {
    const { client } = testEngine();
    const key = uniqueId("badexpr").replace(/-/g, "_");
    const broken = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_${key}" targetNamespace="http://example.com/test">
  <bpmn:process id="${key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Gw" />
    <bpmn:exclusiveGateway id="Gw" />
    <bpmn:sequenceFlow id="F2" sourceRef="Gw" targetRef="End"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${amount &gt;</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
`;
    await assert.rejects(
      client.deploy({ name: key, resources: [{ name: `${key}.bpmn`, content: broken }] }),
      (error: unknown) => {
        assert.ok(error instanceof CamundaError, String(error));
        assert.equal(error.status, 500);
        assert.equal(error.type, "ProcessEngineException");
        assert.match(error.message, /Error parsing '\$\{amount >'/);
        return true;
      },
    );
  });
});
