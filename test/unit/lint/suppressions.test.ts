import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { lint } from "#core/lint/index.js";
import { fixtures } from "./support.js";

async function lintText(text: string, config?: object) {
  const dir = await mkdtemp(path.join(tmpdir(), "lint-suppress-"));
  try {
    await writeFile(path.join(dir, "model.bpmn"), text);
    let configFile: string | null = null;
    if (config) {
      configFile = path.join(dir, "lintrc.json");
      await writeFile(configFile, JSON.stringify(config, null, 2));
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

const failing = () => readFile(path.join(fixtures, "rules/called-element-exists/fail.bpmn"), "utf8");
const RULE = "camunda-gitops/called-element-exists";
const PACK = { extends: "plugin:camunda-gitops/recommended" };

describe("suppressions need a reason and are reported", () => {
  test("an element comment silences that element's finding and the summary lists it with the reason", async () => {
    const text = (await failing()).replace(
      "    <bpmn:callActivity",
      "    <!-- camunda-gitops-disable called-element-exists: deployed by the partner team -->\n    <bpmn:callActivity",
    );
    const report = await lintText(text, PACK);
    assert.equal(report.findings.filter((f) => f.rule === RULE).length, 0);
    assert.equal(report.summary.suppressed.length, 1);
    const waived = report.summary.suppressed[0]!;
    assert.equal(waived.rule, RULE);
    assert.equal(waived.elementId, "Call_Missing");
    assert.equal(waived.reason, "deployed by the partner team");
    assert.equal(waived.suppressedBy, "model.bpmn:5");
    assert.equal(report.summary.perFile[0]?.suppressed, 1);
  });

  test("an element comment does not silence other elements", async () => {
    const text = (await failing()).replace(
      "    <bpmn:startEvent",
      "    <!-- camunda-gitops-disable called-element-exists: wrong place -->\n    <bpmn:startEvent",
    );
    const report = await lintText(text, PACK);
    assert.equal(report.findings.filter((f) => f.rule === RULE).length, 1);
    assert.ok(
      report.findings.some(
        (f) => f.rule === "camunda-gitops/suppression" && /matches no finding/.test(f.message),
      ),
    );
  });

  test("a file comment silences the rule in the whole file", async () => {
    const text = (await failing()).replace(
      "<bpmn:definitions",
      "<!-- camunda-gitops-disable-file called-element-exists, history-ttl: legacy model kept for reference -->\n<bpmn:definitions",
    );
    const report = await lintText(text, PACK);
    assert.equal(report.findings.filter((f) => f.rule === RULE).length, 0);
    assert.equal(report.summary.suppressed[0]?.reason, "legacy model kept for reference");
  });

  test("a suppression without a reason is an error and silences nothing", async () => {
    const text = (await failing()).replace(
      "    <bpmn:callActivity",
      "    <!-- camunda-gitops-disable called-element-exists -->\n    <bpmn:callActivity",
    );
    const report = await lintText(text, PACK);
    assert.equal(report.findings.filter((f) => f.rule === RULE).length, 1);
    const problem = report.findings.find((f) => f.rule === "camunda-gitops/suppression");
    assert.equal(problem?.severity, "error");
    assert.equal(problem?.line, 5);
    assert.match(problem?.message ?? "", /no reason/);
  });

  test("a config entry silences a finding and names the config file", async () => {
    const report = await lintText(await failing(), {
      ...PACK,
      "camunda-gitops": {
        suppress: [{ file: "model.bpmn", elementId: "Call_Missing", rule: RULE, reason: "partner process" }],
      },
    });
    assert.equal(report.findings.filter((f) => f.rule === RULE).length, 0);
    assert.equal(report.summary.suppressed[0]?.reason, "partner process");
    assert.match(report.summary.suppressed[0]?.suppressedBy ?? "", /lintrc\.json$/);
  });

  test("a config entry without a reason is a usage error", async () => {
    await assert.rejects(
      lintText(await failing(), {
        ...PACK,
        "camunda-gitops": { suppress: [{ file: "model.bpmn", rule: RULE, reason: " " }] },
      }),
      (error: Error & { exitCode?: number }) => error.exitCode === 2 && /reason/.test(error.message),
    );
  });
});

describe("the code-policy allow-list: waivers with a reason, in the configuration only", () => {
  const script = () => readFile(path.join(fixtures, "rules/script-task/fail.bpmn"), "utf8");
  const SCRIPT = "camunda-gitops/script-task";
  const allow = (entries: object[]) => ({ ...PACK, "camunda-gitops": { allowCode: entries } });

  test("an entry with file, element and reason waives the element's code finding; the summary shows why", async () => {
    const report = await lintText(
      await script(),
      allow([
        {
          file: "model.bpmn",
          elementId: "Task_Groovy",
          rule: "script-task",
          reason: "CLAIMS-42: replaced by a worker in Q3",
        },
      ]),
    );
    const left = report.findings.filter((f) => f.rule === SCRIPT);
    assert.deepEqual(
      left.map((f) => f.elementId),
      ["Task_External"],
      "only the allow-listed element is waived",
    );
    const waived = report.summary.suppressed.find((s) => s.rule === SCRIPT);
    assert.equal(waived?.elementId, "Task_Groovy");
    assert.equal(waived?.reason, "CLAIMS-42: replaced by a worker in Q3");
    assert.match(waived?.suppressedBy ?? "", /lintrc\.json:\d+$/);
  });

  test("an entry without a rule waives every code-policy finding of that element, and no other rule", async () => {
    const report = await lintText(
      await script(),
      allow([{ file: "model.bpmn", elementId: "Task_External", reason: "legacy script, reviewed" }]),
    );
    assert.deepEqual(
      report.findings.filter((f) => f.rule === SCRIPT).map((f) => f.elementId),
      ["Task_Groovy"],
    );
  });

  test("an entry without a reason (or element) is itself a policy error on its line, and waives nothing", async () => {
    const report = await lintText(
      await script(),
      allow([
        { file: "model.bpmn", elementId: "Task_Groovy", rule: "script-task" },
        { file: "model.bpmn", rule: "script-task", reason: "all of them" },
      ]),
    );
    assert.equal(report.findings.filter((f) => f.rule === SCRIPT).length, 2);
    const problems = report.findings.filter((f) => f.rule === "camunda-gitops/allow-code");
    assert.equal(problems.length, 2);
    assert.ok(problems.every((f) => f.severity === "error" && f.consequence === "policy"));
    assert.match(problems[0]?.message ?? "", /entry 1 has no reason: it waives nothing/);
    assert.match(problems[1]?.message ?? "", /entry 2 has no elementId/);
    assert.ok(problems.every((f) => /lintrc\.json$/.test(f.file) && f.line > 1));
  });

  test("an entry naming a rule that is not a code-policy rule is an error", async () => {
    const report = await lintText(
      await script(),
      allow([{ file: "model.bpmn", elementId: "Task_Groovy", rule: "history-ttl", reason: "no" }]),
    );
    assert.match(
      report.findings.find((f) => f.rule === "camunda-gitops/allow-code")?.message ?? "",
      /not a code-policy rule/,
    );
  });

  test("a comment in the model cannot waive code: the finding stays and the comment is flagged", async () => {
    const text = (await script()).replace(
      '    <bpmn:scriptTask id="Task_Groovy"',
      '    <!-- camunda-gitops-disable script-task: trust me -->\n    <bpmn:scriptTask id="Task_Groovy"',
    );
    const report = await lintText(text, PACK);
    assert.equal(report.findings.filter((f) => f.rule === SCRIPT).length, 2);
    assert.match(
      report.findings.find((f) => f.rule === "camunda-gitops/suppression")?.message ?? "",
      /can be waived only by a camunda-gitops\.allowCode entry/,
    );
  });

  test("an entry that matches nothing is a warning to remove it", async () => {
    const report = await lintText(
      await script(),
      allow([{ file: "model.bpmn", elementId: "Task_Gone", rule: "script-task", reason: "was here once" }]),
    );
    const stale = report.findings.find((f) => f.rule === "camunda-gitops/allow-code");
    assert.equal(stale?.severity, "warning");
    assert.match(
      stale?.message ?? "",
      /allowCode entry for script-task on Task_Gone in model\.bpmn matches no finding/,
    );
  });
});
