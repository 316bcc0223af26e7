/**
 * Models the Camunda 7.23 engine deploys, which linters commonly call broken: no finding may claim the
 * engine refuses them, and style findings stay warnings. Each case was deployed to the real engine
 * (the same shapes are in Camunda's own test resources; bench/RESULTS.md, "Lint against the engine").
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { lint } from "#core/lint/index.js";

async function lintText(text: string | Buffer, config?: object) {
  const dir = await mkdtemp(path.join(tmpdir(), "lint-truth-"));
  try {
    await writeFile(path.join(dir, "model.bpmn"), text);
    let configFile: string | null = null;
    if (config) {
      configFile = path.join(dir, "lintrc.json");
      await writeFile(configFile, JSON.stringify(config));
    }
    return await lint({
      paths: [path.join(dir, "model.bpmn")],
      root: dir,
      indexPaths: [],
      registry: null,
      configFile,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="http://example.com/truth">\n';

const deployFindings = (report: Awaited<ReturnType<typeof lint>>) =>
  report.findings.filter((f) => f.consequence === "deploy").map((f) => `${f.rule}@${f.line}: ${f.message}`);

describe("what the engine accepts is never called a rejection", () => {
  test("flows given only by sourceRef/targetRef: graph rules see the connections, as the engine does", async () => {
    const report = await lintText(`${OPEN}  <process id="P" isExecutable="true" camunda:historyTimeToLive="1">
    <startEvent id="Start" name="Start" />
    <task id="Task" name="Work" />
    <endEvent id="End" name="End" />
    <sequenceFlow id="F1" sourceRef="Start" targetRef="Task" />
    <sequenceFlow id="F2" sourceRef="Task" targetRef="End" />
  </process>
</definitions>
`);
    const graph = ["no-disconnected", "no-implicit-start", "no-implicit-end", "fake-join"];
    assert.deepEqual(
      report.findings.filter((f) => graph.includes(f.rule)),
      [],
    );
    assert.deepEqual(deployFindings(report), []);
  });

  test("the legacy Activiti namespace is read as Camunda's (TTL, external tasks, topics)", async () => {
    const report = await lintText(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn" id="Defs" targetNamespace="http://example.com/truth">
  <process id="P" isExecutable="true" activiti:historyTimeToLive="5">
    <startEvent id="Start" />
    <serviceTask id="Task" activiti:type="external" activiti:topic="score" />
    <sequenceFlow id="F1" sourceRef="Start" targetRef="Task" />
  </process>
</definitions>
`);
    assert.deepEqual(deployFindings(report), []);
  });

  test("an errorRef without an <error> is the error code; a tns: reference resolves through the target namespace", async () => {
    const report = await lintText(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tns="http://example.com/truth" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="http://example.com/truth">
  <message id="Msg" name="documents" />
  <process id="P" isExecutable="true" camunda:historyTimeToLive="1">
    <startEvent id="Start" />
    <intermediateCatchEvent id="Wait"><messageEventDefinition id="D1" messageRef="tns:Msg" /></intermediateCatchEvent>
    <endEvent id="End"><errorEventDefinition id="D2" errorRef="REJECTED" /></endEvent>
    <sequenceFlow id="F1" sourceRef="Start" targetRef="Wait" />
    <sequenceFlow id="F2" sourceRef="Wait" targetRef="End" />
  </process>
</definitions>
`);
    assert.deepEqual(deployFindings(report), []);
  });

  test("legal XML the modeler's reader dislikes: spaces around =, an id with a trailing space, unknown Camunda attributes", async () => {
    const report =
      await lintText(`${OPEN}  <process id = "P" isExecutable="true" camunda:historyTimeToLive="1" camunda:someFutureFlag="on">
    <startEvent id="Start " />
    <task id="Task" name = "Work" />
    <sequenceFlow id="F1" sourceRef="Start " targetRef="Task" />
  </process>
</definitions>
`);
    assert.deepEqual(deployFindings(report), []);
    assert.deepEqual(
      report.findings.filter((f) => f.severity === "error"),
      [],
    );
  });

  test("processes without end events and non-executable drafts with broken parts are not rejections", async () => {
    const report = await lintText(`${OPEN}  <process id="P" isExecutable="true" camunda:historyTimeToLive="1">
    <startEvent id="Start" />
  </process>
  <process id="Draft" isExecutable="false">
    <serviceTask id="NoImplementation" />
  </process>
</definitions>
`);
    assert.deepEqual(deployFindings(report), []);
    const end = report.findings.find((f) => f.rule === "end-event-required");
    assert.equal(end?.severity, "warning");
    assert.equal(end?.consequence, "style");
  });
});

describe("severities follow consequences unless the configuration names the rule", () => {
  const model = `${OPEN}  <process id="P" isExecutable="true" camunda:historyTimeToLive="1">
    <startEvent id="Start" />
    <exclusiveGateway id="G" />
    <task id="A" />
    <task id="B" />
    <sequenceFlow id="F1" sourceRef="Start" targetRef="G" />
    <sequenceFlow id="F2" sourceRef="G" targetRef="A" />
    <sequenceFlow id="F3" sourceRef="G" targetRef="B" />
  </process>
</definitions>
`;

  test("presets: deploy errors, style warnings (bpmnlint's recommended sets error on its style rules)", async () => {
    const report = await lintText(model, {
      extends: ["bpmnlint:recommended", "plugin:camunda-gitops/recommended"],
    });
    const gateways = report.findings.filter((f) => f.rule === "camunda-gitops/gateways");
    assert.equal(gateways.length, 2);
    assert.ok(gateways.every((f) => f.severity === "error" && f.consequence === "deploy"));
    const labels = report.findings.filter((f) => f.rule === "label-required");
    assert.ok(
      labels.length > 0 && labels.every((f) => f.severity === "warning" && f.consequence === "style"),
    );
  });

  test("a rule named in the configuration's own rules keeps that severity, and its consequence", async () => {
    const report = await lintText(model, {
      extends: ["bpmnlint:recommended", "plugin:camunda-gitops/recommended"],
      rules: { "label-required": "error", "camunda-gitops/gateways": "warn" },
    });
    const labels = report.findings.filter((f) => f.rule === "label-required");
    assert.ok(labels.length > 0 && labels.every((f) => f.severity === "error" && f.consequence === "style"));
    const gateways = report.findings.filter((f) => f.rule === "camunda-gitops/gateways");
    assert.ok(gateways.every((f) => f.severity === "warning" && f.consequence === "deploy"));
  });
});
