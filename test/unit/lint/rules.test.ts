import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Consequence, Severity } from "#core/lint/index.js";
import { projectRules } from "#core/lint/plugin/index.js";
import { lintFixtures } from "./support.js";

type Expected =
  | [line: number, elementId: string | null]
  | [line: number, elementId: string | null, Consequence, Severity];

/**
 * Per rule: the failing fixture and EVERY finding of that rule in it (line, element id, and the
 * consequence and severity when they differ from the rule's default), then the passing fixture, which
 * must have no finding of the rule. Deploy rules' fixtures are also deployed to the real engine
 * (test/integration/lint/fixtures-on-engine.test.ts): the failing ones are refused, the passing accepted.
 */
const cases: Array<{ rule: string; file: string; pass?: string; findings: Expected[] }> = [
  {
    rule: "attribute-values",
    file: "fail.bpmn",
    findings: [
      [3, "Process_Fixture"],
      [5, "Task_Priority"],
      [6, "Task_Form"],
      [6, "Task_Form"],
      [7, "Task_Decide"],
      [10, "Flow_2"],
    ],
  },
  {
    rule: "call-activities",
    file: "fail.bpmn",
    findings: [
      [5, "Call_Nothing"],
      [6, "Call_Pinned"],
      [8, "Call_Pinned"],
      [9, "Call_Pinned"],
    ],
  },
  { rule: "called-element-exists", file: "fail.bpmn", findings: [[5, "Call_Missing"]] },
  {
    rule: "compensation",
    file: "fail.bpmn",
    findings: [
      [13, "Task_Undo"],
      [14, "Boundary_Compensate"],
    ],
  },
  { rule: "connector", file: "fail.bpmn", findings: [[7, "Task_Http"]] },
  { rule: "decision-ref-exists", file: "fail.bpmn", findings: [[5, "Task_MissingDecision"]] },
  {
    rule: "definitions",
    file: "fail.bpmn",
    findings: [
      [4, "Signal_RecallAgain"],
      [5, "Signal_NoName"],
      [6, "Definitions_definitions_fail"],
    ],
  },
  {
    rule: "delegate-expression",
    file: "fail.bpmn",
    findings: [
      [5, "Task_Bean"],
      [8, "Task_Next"],
    ],
  },
  {
    rule: "diagram",
    file: "fail.bpmn",
    findings: [
      [10, "Shape_Start"],
      [11, "Shape_Gone"],
      [14, "Edge_1"],
    ],
  },
  { rule: "dmn-entry-count", file: "fail.dmn", findings: [[8, "Rule_1"]] },
  { rule: "dmn-feel", file: "fail.dmn", findings: [[7, "InputEntry_Broken"]] },
  { rule: "dmn-hit-policy", file: "fail.dmn", findings: [[4, "Table_Decision_Fixture"]] },
  { rule: "dmn-output-names", file: "fail.dmn", findings: [[7, "Output_2"]] },
  { rule: "dmn-requirement-cycle", file: "fail.dmn", findings: [[3, "Decision_A"]] },
  {
    rule: "dmn-script",
    file: "fail.dmn",
    findings: [
      [5, "InputExpression_1"],
      [7, "OutputEntry_1"],
    ],
  },
  { rule: "dmn-type-ref", file: "fail.dmn", findings: [[6, "Output_Score", "runtime", "warning"]] },
  { rule: "duplicate-id", file: "fail.bpmn", findings: [[6, "Task_Same"]] },
  {
    rule: "engine-classpath",
    file: "fail.bpmn",
    findings: [
      [4, "Start"],
      [5, "Task_Mail"],
    ],
  },
  {
    rule: "escalations",
    file: "fail.bpmn",
    findings: [
      [11, "Sub_End"],
      [18, "Boundary_Late_2"],
      [21, "Boundary_OnTask"],
      [25, "Throw_Missing"],
    ],
  },
  {
    rule: "event-definitions",
    file: "fail.bpmn",
    findings: [
      [6, "Catch_Nothing"],
      [7, "Boundary_Nothing"],
      [9, "Boundary_Condition"],
    ],
  },
  {
    rule: "event-subscriptions",
    file: "fail.bpmn",
    findings: [
      [9, "Start_Message"],
      [16, "Boundary_Docs_2"],
      [19, "Catch_Unnamed"],
    ],
  },
  { rule: "executable-process", file: "fail.bpmn", findings: [[3, "Process_Draft"]] },
  {
    rule: "expression-code",
    file: "fail.bpmn",
    findings: [
      [5, "Task_Review"],
      [8, "Task_Next"],
      [15, "Flow_3"],
    ],
  },
  { rule: "expression-code", file: "fail.dmn", findings: [[5, "InputExpression_1"]] },
  {
    rule: "expression-syntax",
    file: "fail.bpmn",
    findings: [
      [5, "Task_Review"],
      [5, "Task_Review"],
      [9, "Flow_2"],
    ],
  },
  {
    rule: "form-reference",
    file: "fail.bpmn",
    findings: [
      [5, "Task_MissingForm"],
      [6, "Task_Latest", "runtime", "warning"],
      [7, "Task_MissingFile"],
      [8, "Task_Decide", "runtime", "warning"],
    ],
  },
  {
    rule: "forms",
    file: "fail.bpmn",
    findings: [
      [8, "Task_Review"],
      [9, "Task_Review"],
      [12, "Task_Review"],
    ],
  },
  { rule: "gateway-flow-conditions", file: "fail.bpmn", findings: [[9, "Flow_ToA"]] },
  {
    rule: "gateways",
    file: "fail.bpmn",
    findings: [
      [6, "Gateway_TwoOpen"],
      [6, "Gateway_TwoOpen"],
      [7, "Gateway_Default"],
      [8, "Gateway_Dead"],
      [9, "Gateway_Events"],
    ],
  },
  {
    rule: "history-ttl",
    file: "fail-decision.dmn",
    pass: "pass-decision.dmn",
    findings: [[3, "Decision_NoTtl"]],
  },
  {
    rule: "history-ttl",
    file: "fail.bpmn",
    findings: [
      [3, "Process_Fixture"],
      [8, "Process_Months"],
      [13, "Process_Negative"],
    ],
  },
  {
    rule: "inline-script",
    file: "fail.bpmn",
    findings: [
      [8, "Task_Review"],
      [12, "Task_Review"],
      [20, "Flow_2"],
    ],
  },
  {
    rule: "java-class",
    file: "fail.bpmn",
    findings: [
      [5, "Task_Delegate"],
      [8, "Task_Review"],
    ],
  },
  {
    rule: "juel-condition",
    file: "fail.bpmn",
    findings: [
      [11, "Flow_BadCondition"],
      [14, "Flow_TwoExpressions"],
    ],
  },
  {
    rule: "listeners-and-mappings",
    file: "fail.bpmn",
    findings: [
      [4, "Start"],
      [13, "Task_Review"],
      [14, "Task_Review"],
      [16, "Task_Review"],
      [20, "End"],
    ],
  },
  {
    rule: "multi-instance",
    file: "fail.bpmn",
    findings: [
      [6, "Task_Each"],
      [9, "Task_PerDriver"],
    ],
  },
  {
    rule: "schema",
    file: "fail.bpmn",
    findings: [
      [3, "Process_Fixture"],
      [7, "Lane_Clerks"],
      [16, "Start"],
      [18, "Gateway_Route"],
    ],
  },
  {
    rule: "script-task",
    file: "fail.bpmn",
    findings: [
      [5, "Task_Groovy"],
      [8, "Task_External"],
    ],
  },
  {
    rule: "sequence-flows",
    file: "fail.bpmn",
    findings: [
      [16, "Flow_2"],
      [17, "Flow_3"],
      [18, "Task_Async"],
      [19, "Flow_5"],
    ],
  },
  {
    rule: "service-task-implementation",
    file: "fail.bpmn",
    findings: [
      [5, "Task_NoImplementation"],
      [6, "Task_Send"],
      [7, "Task_Rest"],
      [7, "Task_Rest"],
      [8, "Task_Script"],
    ],
  },
  {
    rule: "start-events",
    file: "fail.bpmn",
    findings: [
      [3, "Process_NoStart"],
      [6, "Start_B"],
      [11, "Sub_Start"],
    ],
  },
  {
    rule: "timer-definition",
    file: "fail.bpmn",
    findings: [
      [6, "Start_Nightly"],
      [11, "Timer_Wait", "runtime", "error"],
      [15, "Timer_Empty"],
      // A start timer with expressions: scheduled when the process is deployed, before any variable exists.
      [21, "Start_Configured"],
      [23, "Start_Configured"],
    ],
  },
  { rule: "topic-registered", file: "fail.bpmn", findings: [[5, "Task_UnknownTopic"]] },
  {
    rule: "topic-required",
    file: "fail.bpmn",
    findings: [
      [6, "Task_NoTopic"],
      [8, "End_Notify"],
    ],
  },
  {
    rule: "transactions",
    file: "fail.bpmn",
    findings: [
      [9, "Sub_Cancel"],
      [13, "Boundary_Cancel"],
    ],
  },
  {
    rule: "undefined-reference",
    file: "fail.bpmn",
    findings: [
      [8, "Catch_Documents"],
      [11, "Catch_Recall"],
      [13, "Boundary_Stray"],
      [19, "End_Rejected"],
    ],
  },
];

const defaultSeverity = (consequence: Consequence): Severity =>
  consequence === "style" ? "warning" : "error";

describe("project rule pack: a failing and a passing fixture per rule, every finding asserted", () => {
  for (const c of cases) {
    const rule = `camunda-gitops/${c.rule}`;
    const passFile = c.pass ?? (c.file.endsWith(".dmn") ? "pass.dmn" : "pass.bpmn");
    const own = projectRules.find((r) => r.name === c.rule);

    test(`${c.rule}: ${c.file} has exactly ${c.findings.length} finding(s) of the rule`, async () => {
      assert.ok(own, `${c.rule} is a rule of the pack`);
      const report = await lintFixtures([`rules/${c.rule}/${c.file}`]);
      const found = report.findings.filter((f) => f.rule === rule);
      const expected = c.findings.map(([line, elementId, consequence, severity]) => {
        const effective = consequence ?? own.consequence;
        return { line, elementId, consequence: effective, severity: severity ?? defaultSeverity(effective) };
      });
      assert.deepEqual(
        found.map((f) => ({
          line: f.line,
          elementId: f.elementId,
          consequence: f.consequence,
          severity: f.severity,
        })),
        expected,
      );
      for (const f of found) {
        assert.equal(f.file, `test/fixtures/lint/rules/${c.rule}/${c.file}`);
        assert.ok(f.column >= 1);
        assert.ok(f.message.length > 20, `the message explains the problem: ${f.message}`);
      }
      // Two findings on one element say different things.
      const messages = found.map((f) => `${f.line}|${f.elementId}|${f.message}`);
      assert.equal(new Set(messages).size, messages.length);
    });

    test(`${c.rule}: ${passFile} has none, and nothing the engine would refuse`, async () => {
      const report = await lintFixtures([`rules/${c.rule}/${passFile}`]);
      assert.deepEqual(
        report.findings.filter((f) => f.rule === rule),
        [],
      );
      assert.deepEqual(
        report.findings.filter((f) => f.consequence === "deploy"),
        [],
      );
      assert.equal(report.summary.files, 1);
    });
  }

  test("every rule of the pack has a case here (unused-topic is a repository-wide check, tested below)", () => {
    const covered = new Set(cases.map((c) => c.rule));
    assert.deepEqual(
      projectRules.map((r) => r.name).filter((name) => !covered.has(name) && name !== "unused-topic"),
      [],
    );
  });

  test("unused-topic warns on the registry line of a topic no process uses, only when the whole index is linted", async () => {
    const whole = await lintFixtures(["index"]);
    const unused = whole.findings.filter((f) => f.rule === "camunda-gitops/unused-topic");
    assert.equal(unused.length, 1);
    assert.equal(unused[0]?.file, "test/fixtures/lint/registry/registry.ts");
    assert.equal(unused[0]?.line, 4);
    assert.equal(unused[0]?.severity, "warning");
    assert.equal(unused[0]?.consequence, "style");
    assert.match(unused[0]?.message ?? "", /orphan-topic/);

    const partial = await lintFixtures(["index/known.bpmn"]);
    assert.equal(partial.findings.filter((f) => f.rule === "camunda-gitops/unused-topic").length, 0);
  });

  test("an unloadable topic registry is a warning, and topic checks are skipped rather than guessed", async () => {
    const report = await lintFixtures(["rules/topic-registered/fail.bpmn"], {
      registry: { file: "test/fixtures/lint/registry/missing.ts" },
    });
    assert.ok(
      report.findings.some((f) => f.rule === "camunda-gitops/topic-registry" && f.severity === "warning"),
    );
    assert.equal(report.findings.filter((f) => f.rule === "camunda-gitops/topic-registered").length, 0);
  });

  test("bpmnlint's recommended rules run beside the pack, with line numbers, as style warnings", async () => {
    const report = await lintFixtures(["rules/gateway-flow-conditions/fail.bpmn"]);
    const label = report.findings.find((f) => f.rule === "end-event-required");
    assert.ok(label, "bpmnlint's end-event-required reports the process without end event");
    assert.equal(label.elementId, "Process_Fixture");
    assert.equal(label.line, 3);
    // The engine deploys processes without end events: readability, not a rejection.
    assert.equal(label.consequence, "style");
    assert.equal(label.severity, "warning");
  });

  test("DMN 1.1 and 1.2 namespaces are read like DMN 1.3", async (t) => {
    const { mkdtemp, readFile, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { fixtures } = await import("./support.js");
    const dir = await mkdtemp(path.join(tmpdir(), "lint-dmn-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const source = await readFile(path.join(fixtures, "rules/dmn-hit-policy/fail.dmn"), "utf8");
    const versions = {
      "dmn11.dmn": "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
      "dmn12.dmn": "http://www.omg.org/spec/DMN/20180521/MODEL/",
    };
    for (const [name, ns] of Object.entries(versions)) {
      await writeFile(
        path.join(dir, name),
        source.replace("https://www.omg.org/spec/DMN/20191111/MODEL/", ns),
      );
    }
    const report = await lintFixtures([], { paths: [dir], root: dir, registry: null });
    assert.deepEqual(
      report.findings.map((f) => [f.file, f.rule, f.line, f.elementId]),
      [
        ["dmn11.dmn", "camunda-gitops/dmn-hit-policy", 4, "Table_Decision_Fixture"],
        ["dmn12.dmn", "camunda-gitops/dmn-hit-policy", 4, "Table_Decision_Fixture"],
      ],
    );
  });
});
