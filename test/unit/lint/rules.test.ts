import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { lintFixtures } from "./support.js";

/** Per rule: the failing fixture, the line and element the first finding must point at, and its severity. */
const cases = [
  { rule: "topic-required", file: "fail.bpmn", line: 5, elementId: "Task_NoTopic" },
  { rule: "service-task-implementation", file: "fail.bpmn", line: 5, elementId: "Task_NoImplementation" },
  { rule: "topic-registered", file: "fail.bpmn", line: 5, elementId: "Task_UnknownTopic" },
  { rule: "decision-ref-exists", file: "fail.bpmn", line: 5, elementId: "Task_MissingDecision" },
  { rule: "called-element-exists", file: "fail.bpmn", line: 5, elementId: "Call_Missing" },
  { rule: "gateway-flow-conditions", file: "fail.bpmn", line: 8, elementId: "Flow_ToA" },
  { rule: "juel-condition", file: "fail.bpmn", line: 6, elementId: "Flow_BadCondition" },
  { rule: "history-ttl", file: "fail.bpmn", line: 3, elementId: "Process_Fixture" },
  { rule: "history-ttl", file: "fail-decision.dmn", line: 3, elementId: "Decision_NoTtl", pass: "pass.bpmn" },
  { rule: "timer-definition", file: "fail.bpmn", line: 5, elementId: "Timer_Wait" },
  { rule: "undefined-reference", file: "fail.bpmn", line: 5, elementId: "Catch_Documents" },
  { rule: "duplicate-id", file: "fail.bpmn", line: 6, elementId: "Task_Same" },
  { rule: "executable-process", file: "fail.bpmn", line: 3, elementId: "Process_Draft" },
  { rule: "dmn-hit-policy", file: "fail.dmn", line: 4, elementId: "Table_Decision_Fixture" },
  { rule: "dmn-entry-count", file: "fail.dmn", line: 8, elementId: "Rule_1" },
  { rule: "dmn-output-names", file: "fail.dmn", line: 7, elementId: "Output_2" },
  { rule: "dmn-type-ref", file: "fail.dmn", line: 6, elementId: "Output_Score", severity: "warning" },
  { rule: "dmn-requirement-cycle", file: "fail.dmn", line: 3, elementId: "Decision_A" },
  { rule: "dmn-feel", file: "fail.dmn", line: 7, elementId: "InputEntry_Broken" },
] as const;

describe("project rule pack: one failing and one passing fixture per rule", () => {
  for (const c of cases) {
    const rule = `camunda-gitops/${c.rule}`;
    const passFile = "pass" in c ? c.pass : c.file.replace(/^fail[^.]*/, "pass");

    test(`${c.rule} reports ${c.elementId} on line ${c.line} of ${c.file}`, async () => {
      const report = await lintFixtures([`rules/${c.rule}/${c.file}`]);
      const found = report.findings.filter((f) => f.rule === rule);
      assert.ok(
        found.length > 0,
        `expected a ${rule} finding, got ${JSON.stringify(report.findings.map((f) => f.rule))}`,
      );
      const first = found[0]!;
      assert.equal(first.file, `test/fixtures/lint/rules/${c.rule}/${c.file}`);
      assert.equal(first.elementId, c.elementId);
      assert.equal(first.line, c.line);
      assert.ok(first.column >= 1);
      assert.equal(first.severity, "severity" in c ? c.severity : "error");
      assert.ok(first.message.length > 20, "the message explains the problem");
    });

    test(`${c.rule} accepts ${passFile}`, async () => {
      const report = await lintFixtures([`rules/${c.rule}/${passFile}`]);
      assert.deepEqual(
        report.findings.filter((f) => f.rule === rule),
        [],
      );
      assert.equal(report.summary.files, 1);
    });
  }

  test("unused-topic warns on the registry line of a topic no process uses, only when the whole index is linted", async () => {
    const whole = await lintFixtures(["index"]);
    const unused = whole.findings.filter((f) => f.rule === "camunda-gitops/unused-topic");
    assert.equal(unused.length, 1);
    assert.equal(unused[0]?.file, "test/fixtures/lint/registry/registry.ts");
    assert.equal(unused[0]?.line, 4);
    assert.equal(unused[0]?.severity, "warning");
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

  test("bpmnlint's recommended rules run beside the pack, with line numbers", async () => {
    const report = await lintFixtures(["rules/gateway-flow-conditions/fail.bpmn"]);
    const label = report.findings.find((f) => f.rule === "end-event-required");
    assert.ok(label, "bpmnlint's end-event-required reports the process without end event");
    assert.equal(label.elementId, "Process_Fixture");
    assert.equal(label.line, 3);
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
