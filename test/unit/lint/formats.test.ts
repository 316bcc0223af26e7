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
      consequences: { deploy: findings.length, runtime: 0, policy: 0, style: 0 },
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
  consequence: "deploy",
  message: `100% wrong\nsecond line ${i}`,
});

describe("output formats", () => {
  test("json keeps the contract: findings with exactly the eight fields (consequence included), and a summary", async () => {
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
        "consequence",
        "message",
      ]);
      assert.ok(["error", "warning", "info"].includes(f.severity));
      assert.ok(["deploy", "runtime", "policy", "style"].includes(f.consequence));
    }
    assert.equal(json.summary.files, 1);
    assert.equal(typeof json.summary.errors, "number");
    assert.ok(Array.isArray(json.summary.suppressed));
    assert.deepEqual(Object.keys(json.summary.consequences), ["deploy", "runtime", "policy", "style"]);
    assert.ok(
      json.findings.some(
        (f: { rule: string; consequence: string }) =>
          f.rule === "camunda-gitops/topic-required" && f.consequence === "deploy",
      ),
    );
  });

  test("github: escaped workflow commands, capped per kind, with a line saying what was left out", () => {
    const findings = [...Array.from({ length: 12 }, (_, i) => finding(i)), finding(20, "warning")];
    const lines = formatReport(report(findings), "github").trimEnd().split("\n");
    const errors = lines.filter((l) => l.startsWith("::error "));
    assert.equal(errors.length, ANNOTATIONS_PER_KIND);
    assert.equal(lines.filter((l) => l.startsWith("::warning ")).length, 1);
    assert.equal(
      errors[0],
      "::error file=processes/a%2Cb.bpmn,line=1,col=3,title=deploy%3A camunda-gitops/topic-required (Task_0)::100%25 wrong%0Asecond line 0",
    );
    assert.match(lines.at(-1) ?? "", /2 errors not annotated/);
  });

  test("sarif: 2.1.0 with rules, levels, locations, the element as logical location, consequence and rule docs", async () => {
    const sarif = JSON.parse(
      formatReport(await lintFixtures(["rules/dmn-type-ref/fail.dmn"]), "sarif", {
        version: "1.2.3",
        docsBase: "https://example.test/repo/blob/abc/",
      }),
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
    assert.equal(result.properties.consequence, "runtime");
    const rule = run.tool.driver.rules[result.ruleIndex];
    assert.equal(rule.helpUri, "https://example.test/repo/blob/abc/docs/lint/rules/dmn-type-ref.md");
    assert.equal(rule.properties.consequence, "runtime");
    const bpmnlintRule = JSON.parse(
      formatReport(await lintFixtures(["rules/gateway-flow-conditions/fail.bpmn"]), "sarif"),
    ).runs[0].tool.driver.rules.find((r: { id: string }) => r.id === "end-event-required");
    assert.equal(
      bpmnlintRule.helpUri,
      "https://github.com/bpmn-io/bpmnlint/blob/main/docs/rules/end-event-required.md",
    );
  });

  test("text: grouped by file, one line per finding, no colour unless asked", () => {
    const text = formatReport(report([finding(0), finding(1, "warning")]), "text");
    const lines = text.split("\n");
    assert.equal(lines[0], "processes/a,b.bpmn");
    assert.match(
      lines[1] ?? "",
      /^ {2}processes\/a,b\.bpmn:1:3 {2}error {4}deploy {3}camunda-gitops\/topic-required {2}100% wrong/,
    );
    assert.ok(!text.includes("\u001b["));
    assert.ok(formatReport(report([finding(0)]), "text", { colour: true }).includes("\u001b[31m"));
    assert.match(
      text,
      /1 file\(s\) linted: 1 error\(s\), 1 warning\(s\), 0 info \(2 the engine would reject\)/,
    );
  });

  test("markdown job summary: counts per consequence, per-file table, findings grouped by consequence with line and rule links, notes", async () => {
    const lintReport = await lintFixtures([
      "rules/topic-required/fail.bpmn",
      "rules/topic-required/pass.bpmn",
      "rules/juel-condition/fail.bpmn",
    ]);
    const markdown = formatMarkdown(lintReport, (file, line) => `https://example.test/${file}#L${line}`, {
      top: 1,
      notes: ["2 finding(s) are not annotated"],
      docsBase: "https://example.test/",
    });
    assert.match(markdown, /\| The engine would reject the deployment \(`deploy`\) \| 2 \| 0 \|/);
    assert.match(markdown, /\| Deploys, then fails or misbehaves at run time \(`runtime`\) \| 2 \| 0 \|/);
    const deploy = markdown.indexOf("### The engine would reject the deployment (`deploy`): 1 of 2");
    const runtime = markdown.indexOf("### Deploys, then fails or misbehaves at run time (`runtime`): 1 of 2");
    assert.ok(deploy !== -1 && runtime > deploy, markdown);
    assert.match(
      markdown,
      /\[`camunda-gitops\/topic-required`\]\(https:\/\/example\.test\/docs\/lint\/rules\/topic-required\.md\)/,
    );
    assert.match(
      markdown,
      /\| `test\/fixtures\/lint\/rules\/topic-required\/fail\.bpmn` \| 2 \| \d+ \| 0 \|/,
    );
    assert.match(
      markdown,
      /\| `test\/fixtures\/lint\/rules\/topic-required\/pass\.bpmn` \| 0 \| \d+ \| 0 \|/,
    );
    assert.match(
      markdown,
      /\[test\/fixtures\/lint\/rules\/topic-required\/fail\.bpmn:6 \(Task_NoTopic\)\]\(https:\/\/example\.test\/test\/fixtures\/lint\/rules\/topic-required\/fail\.bpmn#L6\)/,
    );
    assert.match(markdown, /> 2 finding\(s\) are not annotated/);
  });
});
