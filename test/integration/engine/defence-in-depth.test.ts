/**
 * The engine settings that refuse code and data a model or a REST caller could smuggle in
 * (docs/identities.md, "The engine settings"; engine/run-7.23.0.yaml records them for both
 * packagings). Each is shown on the real engine: the refused case fails with the engine's own
 * refusal, at deployment or when the instance runs, and a case next to it that stays allowed passes.
 * Deployments go into a tenant of this file's own and are deleted at the end.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { CamundaError } from "#core/camunda/index.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { uniqueKey } from "../release/support.js";

const engine = testEngine();
const tenant = uniqueId("defence").replace(/-/g, "");
const deployments: string[] = [];
// biome-ignore lint/suspicious/noTemplateCurlyInString: a JUEL expression
const passThrough = '<bpmn:serviceTask id="Work" camunda:expression="${true}" />';
// biome-ignore lint/suspicious/noTemplateCurlyInString: a query expression, as Tasklist filters use
const groupsExpression = "${currentUserGroups()}";

after(async () => {
  for (const id of deployments) await call("DELETE", `/deployment/${id}?cascade=true`);
});

/** A REST call as the test admin: status and parsed body, never thrown. */
async function call(method: "GET" | "POST" | "DELETE", path: string, body?: unknown) {
  const response = await fetch(`${engine.restUrl}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`${engine.username}:${engine.password}`).toString("base64")}`,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Deploys one BPMN file into this file's tenant; the engine's error when it refuses. */
async function deploy(name: string, xml: string): Promise<{ id: string } | CamundaError> {
  try {
    const deployment = await engine.client.deploy({
      name: uniqueId(name),
      tenantId: tenant,
      resources: [{ name: `${name}.bpmn`, content: xml }],
    });
    const id = String(deployment.id);
    deployments.push(id);
    return { id };
  } catch (error) {
    if (error instanceof CamundaError) return error;
    throw error;
  }
}

function processWith(key: string, element: string, prolog = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${prolog}
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_${key}" targetNamespace="http://example.com/defence">
  <bpmn:process id="${key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Work" />
    ${element}
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Work" targetRef="Wait" />
    <bpmn:userTask id="Wait" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;
}

const script = (format: string, body: string) =>
  `<bpmn:scriptTask id="Work" scriptFormat="${format}" camunda:resultVariable="out"><bpmn:script><![CDATA[${body}]]></bpmn:script></bpmn:scriptTask>`;

/** Deploys and starts a process; the started instance's variables, or the engine's refusal. */
async function run(key: string, xml: string, variables: Record<string, unknown> = {}) {
  const deployed = await deploy(key, xml);
  assert.ok(!(deployed instanceof CamundaError), `deploys: ${String(deployed)}`);
  return call("POST", `/process-definition/key/${key}/tenant-id/${tenant}/start`, {
    variables,
    withVariablesInReturn: true,
  });
}

describe("defence in depth: what the engine itself refuses", () => {
  test("JavaScript never runs (configureScriptEngineHostAccess=false): a script reaching Java fails, and so does plain JavaScript", async () => {
    for (const [name, body] of [
      ["java", 'Java.type("java.lang.Runtime").getRuntime().availableProcessors()'],
      ["plain", "amount * 2"],
    ] as const) {
      const key = uniqueKey(`js_${name}`);
      const started = await run(key, processWith(key, script("javascript", body)), {
        amount: { value: 21, type: "Integer" },
      });
      assert.equal(started.status, 500, JSON.stringify(started.body));
      assert.match(
        String(started.body.message),
        /Unable to evaluate script while executing activity 'Work'.*ReferenceError: Java is not defined/,
      );
    }
    // The same computation in an expression runs.
    const key = uniqueKey("juel");
    const started = await run(
      key,
      processWith(
        key,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a JUEL expression
        '<bpmn:serviceTask id="Work" camunda:expression="${amount * 2}" camunda:resultVariable="out" />',
      ),
      { amount: { value: 21, type: "Integer" } },
    );
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.deepEqual((started.body.variables as Record<string, { value: unknown }>).out?.value, 42);
  });

  test("object variables deserialize only to allowed types (deserializationTypeValidationEnabled=true)", async () => {
    const key = uniqueKey("objects");
    const object = (type: string, json: string) => ({
      value: json,
      type: "Object",
      valueInfo: { objectTypeName: type, serializationDataFormat: "application/json" },
    });
    const deployed = await deploy(key, processWith(key, passThrough));
    assert.ok(!(deployed instanceof CamundaError));
    const started = await call("POST", `/process-definition/key/${key}/tenant-id/${tenant}/start`, {
      variables: {
        allowed: object("java.util.ArrayList", '["a","b"]'),
        refused: object("java.net.URL", '"https://example.com/metadata"'),
      },
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const id = String(started.body.id);
    const allowed = await call("GET", `/process-instance/${id}/variables/allowed`);
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.body.value, ["a", "b"]);
    const refused = await call("GET", `/process-instance/${id}/variables/refused`);
    assert.equal(refused.status, 500);
    assert.match(
      String(refused.body.message),
      /Cannot deserialize object in variable 'refused'.*java\.net\.URL/,
    );
    // Stored serialized, the value stays readable as text without deserializing it.
    const raw = await call("GET", `/process-instance/${id}/variables/refused?deserializeValue=false`);
    assert.equal(raw.body.value, '"https://example.com/metadata"');

    // A model that uses the object fails when it runs; the allowed type works in the same place.
    const useKey = uniqueKey("object_use");
    const use = await run(
      useKey,
      processWith(
        useKey,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a JUEL expression
        '<bpmn:serviceTask id="Work" camunda:expression="${target.getHost()}" camunda:resultVariable="out" />',
      ),
      { target: object("java.net.URL", '"https://example.com/metadata"') },
    );
    assert.equal(use.status, 500, JSON.stringify(use.body));
    assert.match(String(use.body.message), /Cannot deserialize object in variable 'target'/);
    const sizeKey = uniqueKey("object_size");
    const size = await run(
      sizeKey,
      processWith(
        sizeKey,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a JUEL expression
        '<bpmn:serviceTask id="Work" camunda:expression="${items.size()}" camunda:resultVariable="out" />',
      ),
      { items: object("java.util.ArrayList", '["a","b"]') },
    );
    assert.equal(size.status, 200, JSON.stringify(size.body));
    assert.equal((size.body.variables as Record<string, { value: unknown }>).out?.value, 2);
  });

  test("Java serialization is refused (javaSerializationFormatEnabled=false); JSON is not", async () => {
    const key = uniqueKey("java_serialized");
    await deploy(key, processWith(key, passThrough));
    const start = (valueInfo: Record<string, string>, value: string) =>
      call("POST", `/process-definition/key/${key}/tenant-id/${tenant}/start`, {
        variables: { payload: { type: "Object", value, valueInfo } },
      });
    const refused = await start(
      { objectTypeName: "java.lang.String", serializationDataFormat: "application/x-java-serialized-object" },
      "rO0ABXQAAXg=",
    );
    assert.equal(refused.status, 500, JSON.stringify(refused.body));
    assert.match(
      String(refused.body.message),
      /ENGINE-17007 Cannot set variable with name payload\. Java serialization format is prohibited/,
    );
    const json = await start(
      { objectTypeName: "java.lang.String", serializationDataFormat: "application/json" },
      '"x"',
    );
    assert.equal(json.status, 200, JSON.stringify(json.body));
  });

  test("a model with a DOCTYPE (external entities) is refused at deployment (enableXxeProcessing=false)", async () => {
    const key = uniqueKey("xxe");
    const refused = await deploy(
      key,
      processWith(
        key,
        '<bpmn:userTask id="Work" name="&xxe;" />',
        '\n<!DOCTYPE definitions [ <!ENTITY xxe SYSTEM "file:///etc/hostname"> ]>',
      ),
    );
    assert.ok(refused instanceof CamundaError, "the deployment is refused");
    assert.match(refused.message, /DOCTYPE is disallowed/);
    const plain = await deploy(key, processWith(key, '<bpmn:userTask id="Work" name="Check" />'));
    assert.ok(!(plain instanceof CamundaError), String(plain));
  });

  test("expressions run in stored filters, never in ad-hoc queries (enableExpressionsInAdhocQueries=false)", async () => {
    const adhoc = await call(
      "GET",
      `/task?candidateGroupsExpression=${encodeURIComponent(groupsExpression)}`,
    );
    assert.equal(adhoc.status, 400, JSON.stringify(adhoc.body));
    assert.match(String(adhoc.body.message), /Expressions are forbidden in adhoc queries/);
    // Tasklist filters as environments/*.yaml declare them keep their expressions.
    const filter = await call("POST", "/filter/create", {
      resourceType: "Task",
      name: uniqueId("expression filter"),
      query: { candidateGroupsExpression: groupsExpression, tenantIdIn: [tenant] },
    });
    assert.equal(filter.status, 200, JSON.stringify(filter.body));
    try {
      const listed = await call("GET", `/filter/${String(filter.body.id)}/list`);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
    } finally {
      await call("DELETE", `/filter/${String(filter.body.id)}`);
    }
  });
});
