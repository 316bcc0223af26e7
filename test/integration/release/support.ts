/**
 * Helpers for the release tests: small lint-clean models with unique keys, a throwaway git
 * repository to commit versions of them to, and release targets isolated by a unique tenant.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectLintGate } from "#core/release/lint-gate.js";
import type { ReleaseTarget } from "#core/release/plan.js";
import type { StepRunner } from "#core/release/release.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { repoRoot } from "../../support/repo.js";

/** A key that is unique on the shared engine and valid as a BPMN/DMN id. */
export function uniqueKey(prefix: string): string {
  return uniqueId(prefix).replace(/-/g, "_");
}

/** The project's linter as the release gate, with this checkout's worker topic registry. */
export const projectLint = projectLintGate({ toolRoot: repoRoot });

/** Progress goes nowhere in tests; the step's result and errors pass through. */
export const quietSteps: StepRunner = (_title, fn) => fn(() => {});

/** A release target on the test engine, isolated from every other test by its own tenant. */
export function isolatedTarget(prefix: string): ReleaseTarget {
  return {
    environment: "test",
    restUrl: testEngine().restUrl,
    tenantId: uniqueId(prefix),
    deploymentName: "insurance-platform",
    deploymentSource: "release-integration-test",
  };
}

export interface ProcessOptions {
  /** Name of the user task; change it to make a new version. */
  taskName?: string;
  /** Condition of the "large amount" flow, as written inside the XML element (already escaped). */
  condition?: string;
  /** Extra attributes of the conditionExpression element. */
  conditionAttributes?: string;
  /** Key of a Camunda Form the review task takes from its own deployment (camunda:formRef). */
  formRef?: string;
}

/** start -> gateway (amount > 1000?) -> user task "Review" -> end; with DI, names and history TTL. */
export function processXml(key: string, options: ProcessOptions = {}): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a JUEL expression, not a template
  const condition = options.condition ?? "${amount &gt; 1000}";
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_${key}" targetNamespace="http://example.com/release-test">
  <bpmn:process id="${key}" name="Release test" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" name="Started">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Gateway_Amount" />
    <bpmn:exclusiveGateway id="Gateway_Amount" name="Amount large?" default="Flow_Small">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_Large</bpmn:outgoing>
      <bpmn:outgoing>Flow_Small</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_Large" name="yes" sourceRef="Gateway_Amount" targetRef="Task_Review">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"${options.conditionAttributes ?? ""}>${condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_Small" name="no" sourceRef="Gateway_Amount" targetRef="Gateway_Join" />
    <bpmn:userTask id="Task_Review" name="${options.taskName ?? "Review"}"${options.formRef ? ` camunda:formRef="${options.formRef}" camunda:formRefBinding="deployment"` : ""} camunda:candidateGroups="clerks">
      <bpmn:incoming>Flow_Large</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Review" targetRef="Gateway_Join" />
    <bpmn:exclusiveGateway id="Gateway_Join" name="Join">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:incoming>Flow_Small</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_Join" targetRef="End" />
    <bpmn:endEvent id="End" name="Done">
      <bpmn:incoming>Flow_3</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_1">
    <bpmndi:BPMNPlane id="Plane_1" bpmnElement="${key}">
      <bpmndi:BPMNShape id="Start_di" bpmnElement="Start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_Amount_di" bpmnElement="Gateway_Amount" isMarkerVisible="true"><dc:Bounds x="245" y="95" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_Review_di" bpmnElement="Task_Review"><dc:Bounds x="350" y="-20" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_Join_di" bpmnElement="Gateway_Join" isMarkerVisible="true"><dc:Bounds x="505" y="95" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_di" bpmnElement="End"><dc:Bounds x="612" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="188" y="120" /><di:waypoint x="245" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_Large_di" bpmnElement="Flow_Large"><di:waypoint x="270" y="95" /><di:waypoint x="270" y="20" /><di:waypoint x="350" y="20" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_Small_di" bpmnElement="Flow_Small"><di:waypoint x="295" y="120" /><di:waypoint x="505" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="450" y="20" /><di:waypoint x="530" y="20" /><di:waypoint x="530" y="95" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3"><di:waypoint x="555" y="120" /><di:waypoint x="612" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

/** A Camunda Form with the given key and fields (a textfield per key, read from and written to variables). */
export function formJson(key: string, fields: string[]): string {
  const components = fields.map((field) => ({
    id: `Field_${field}`,
    type: "textfield",
    key: field,
    label: field,
  }));
  return `${JSON.stringify({ id: key, type: "default", schemaVersion: 16, components }, null, 2)}\n`;
}

/** A FIRST-hit decision: amount > 1000 -> `discount`, otherwise 0.0. */
export function decisionXml(key: string, options: { discount?: string; hitPolicy?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Defs_${key}" name="Release test decision" namespace="http://example.com/release-test">
  <decision id="${key}" name="Discount" camunda:historyTimeToLive="P1D">
    <decisionTable id="Table_${key}" hitPolicy="${options.hitPolicy ?? "FIRST"}">
      <input id="Input_Amount" label="Amount">
        <inputExpression id="InputExpression_Amount" typeRef="integer">
          <text>amount</text>
        </inputExpression>
      </input>
      <output id="Output_Discount" label="Discount" name="discount" typeRef="double" />
      <rule id="Rule_Large">
        <inputEntry id="Entry_Large"><text>&gt; 1000</text></inputEntry>
        <outputEntry id="Out_Large"><text>${options.discount ?? "0.1"}</text></outputEntry>
      </rule>
      <rule id="Rule_Other">
        <inputEntry id="Entry_Other"><text>-</text></inputEntry>
        <outputEntry id="Out_Other"><text>0.0</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_1">
      <dmndi:DMNShape id="DMNShape_${key}" dmnElementRef="${key}"><dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
`;
}

/** A throwaway git repository holding a processes/ folder. */
export class TempRepo {
  readonly root: string;

  constructor(prefix = "release-repo-") {
    this.root = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.git("init", "-q", "-b", "main");
    this.git("config", "user.email", "release-test@example.com");
    this.git("config", "user.name", "Release test");
    this.git("config", "commit.gpgsign", "false");
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-C", this.root, ...args], { encoding: "utf8" }).trim();
  }

  write(relative: string, content: string): void {
    const file = path.join(this.root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }

  remove(relative: string): void {
    rmSync(path.join(this.root, relative), { force: true });
  }

  /** Commits everything and returns the commit id. */
  commit(message: string): string {
    this.git("add", "-A");
    this.git("commit", "-q", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
