/**
 * The "no warnings in the engine log" checks of the other files here are only worth something if a
 * real parse warning is caught: deploy a model the engine accepts with a warning (an unsupported
 * complex gateway, ignored with "ENGINE-09004 Warnings during parsing") and look for it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testEngine, uniqueId } from "../../test/support/engine.js";
import { watchEngineLog } from "./support/deployment.js";

const probe = (key: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_${key}" targetNamespace="http://example.com/processes-test">
  <bpmn:process id="${key}" name="Log probe" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="Flow" sourceRef="Start" targetRef="End" />
    <bpmn:endEvent id="End" />
    <bpmn:complexGateway id="Unsupported" />
  </bpmn:process>
</bpmn:definitions>
`;

describe("engine log check", () => {
  it("finds the parse warning of a resource it deployed, and nothing for other markers", async () => {
    const { client, logFile } = testEngine();
    assert.ok(logFile, "the test runner did not say where the engine log is (CAMUNDA_TEST_ENGINE_LOG)");
    const tenantId = uniqueId("log-probe");
    const resource = `${tenantId}.bpmn`;
    const log = watchEngineLog(logFile);
    await client.deploy({
      name: tenantId,
      tenantId,
      resources: [{ name: resource, content: probe(tenantId.replace(/-/g, "_")) }],
    });
    const problems = log.problemsSince([resource]);
    assert.equal(
      problems.length,
      1,
      `expected one log entry about ${resource}, got ${JSON.stringify(problems)}`,
    );
    assert.match(problems[0]!, /WARN/);
    assert.match(problems[0]!, /Ignoring unsupported activity type/);
    assert.deepEqual(log.problemsSince([uniqueId("nothing-logged-about-this")]), []);
  });
});
