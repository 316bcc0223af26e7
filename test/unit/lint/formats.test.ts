import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ANNOTATIONS_PER_KIND,
  type Finding,
  formatMarkdown,
  formatReport,
  type LintReport,
} from "#core/lint/index.js";
import { lintFixtures } from "./support.js";

function report(findings: Finding[]): LintReport {
  return {
    findings,
    summary: {
      files: 1,
      errors: findings.filter((f) => f.severity === "error").length,
      warnings: findings.filter((f) => f.severity === "warning").length,
      infos: 0,
      suppressed: [],
      perFile: [],
    },
  };
}

const finding = (i: number, severity: Finding["severity"] = "error"): Finding => ({
  file: "processes/a,b.bpmn",
  line: i + 1,
  column: 3,
  elementId: `Task_${i}`,
  rule: "camunda-gitops/topic-required",
  severity,
  message: `100% wrong\nsecond line ${i}`,
});

describe("output formats", () => {
  test("json keeps the contract: findings with exactly the seven fields, and a summary", async () => {
    const json = JSON.parse(formatReport(await lintFixtures(["rules/topic-required/fail.bpmn"]), "json"));
    assert.deepEqual(Object.keys(json), ["findings", "summary"]);
    for (const f of json.findings) {
      assert.deepEqual(Object.keys(f), [
        "file",
        "line",
        "column",
        "elementId",
        "rule",
        "severity",
        "message",
      ]);
      assert.ok(["error", "warning", "info"].includes(f.severity));
    }
    assert.equal(json.summary.files, 1);
    assert.equal(typeof json.summary.errors, "number");
    assert.ok(Array.isArray(json.summary.suppressed));
  });

  test("github: escaped workflow commands, capped per kind, with a line saying what was left out", () => {
    const findings = [...Array.from({ length: 12 }, (_, i) => finding(i)), finding(20, "warning")];
    const lines = formatReport(report(findings), "github").trimEnd().split("\n");
    const errors = lines.filter((l) => l.startsWith("::error "));
    assert.equal(errors.length, ANNOTATIONS_PER_KIND);
    assert.equal(lines.filter((l) => l.startsWith("::warning ")).length, 1);
    assert.equal(
      errors[0],
      "::error file=processes/a%2Cb.bpmn,line=1,col=3,title=camunda-gitops/topic-required (Task_0)::100%25 wrong%0Asecond line 0",
    );
    assert.match(lines.at(-1) ?? "", /2 errors not annotated/);
  });

  test("sarif: 2.1.0 with rules, levels, locations and the element as logical location", async () => {
    const sarif = JSON.parse(
      formatReport(await lintFixtures(["rules/dmn-type-ref/fail.dmn"]), "sarif", { version: "1.2.3" }),
    );
    assert.equal(sarif.version, "2.1.0");
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.version, "1.2.3");
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === "camunda-gitops/dmn-type-ref");
    assert.equal(result.level, "warning");
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, "camunda-gitops/dmn-type-ref");
    const location = result.locations[0];
    assert.equal(
      location.physicalLocation.artifactLocation.uri,
      "test/fixtures/lint/rules/dmn-type-ref/fail.dmn",
    );
    assert.equal(location.physicalLocation.region.startLine, 6);
    assert.equal(location.logicalLocations[0].name, "Output_Score");
  });

  test("text: grouped by file, one line per finding, no colour unless asked", () => {
    const text = formatReport(report([finding(0), finding(1, "warning")]), "text");
    const lines = text.split("\n");
    assert.equal(lines[0], "processes/a,b.bpmn");
    assert.match(
      lines[1] ?? "",
      /^ {2}processes\/a,b\.bpmn:1:3 {2}error {4}camunda-gitops\/topic-required {2}100% wrong/,
    );
    assert.ok(!text.includes("\u001b["));
    assert.ok(formatReport(report([finding(0)]), "text", { colour: true }).includes("\u001b[31m"));
    assert.match(text, /1 file\(s\) linted: 1 error\(s\), 1 warning\(s\)/);
  });

  test("markdown job summary: per-file table, top findings linked to their lines, notes", async () => {
    const lintReport = await lintFixtures([
      "rules/topic-required/fail.bpmn",
      "rules/topic-required/pass.bpmn",
    ]);
    const markdown = formatMarkdown(lintReport, (file, line) => `https://example.test/${file}#L${line}`, {
      top: 3,
      notes: ["2 finding(s) are not annotated"],
    });
    assert.match(
      markdown,
      /\| `test\/fixtures\/lint\/rules\/topic-required\/fail\.bpmn` \| \d+ \| 0 \| 0 \|/,
    );
    assert.match(
      markdown,
      /\| `test\/fixtures\/lint\/rules\/topic-required\/pass\.bpmn` \| \d+ \| 0 \| 0 \|/,
    );
    assert.match(markdown, /### Top findings \(3 of \d+\)/);
    assert.match(
      markdown,
      /\[test\/fixtures\/lint\/rules\/topic-required\/fail\.bpmn:3 \(Process_Fixture\)\]\(https:\/\/example\.test\/test\/fixtures\/lint\/rules\/topic-required\/fail\.bpmn#L3\)/,
    );
    assert.match(markdown, /> 2 finding\(s\) are not annotated/);
  });
});
