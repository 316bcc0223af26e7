/**
 * The lint-processes action's run() in this process, with a recording runner standing in for the
 * GitHub runner: the real linter over real models and this checkout's worker registry, and what the
 * action makes of the report — annotations, outputs, SARIF, summary, the step's verdict.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ANNOTATIONS_PER_KIND } from "#core/lint/index.js";
import { run } from "../../../actions/lint-processes/run.js";
import { repoRoot } from "../../support/repo.js";
import { RecordingRunner } from "../../support/runner.js";

const temp = mkdtempSync(path.join(tmpdir(), "lint-action-"));
after(() => rmSync(temp, { recursive: true, force: true }));

const broken = "test/fixtures/lint/rules/history-ttl/fail.bpmn";

function runner(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): RecordingRunner {
  return new RecordingRunner(inputs, { GITHUB_WORKSPACE: repoRoot, RUNNER_TEMP: temp, ...env });
}

interface Sarif {
  version: string;
  runs: {
    results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    tool: { driver: { rules: { id: string; helpUri?: string }[] } };
  }[];
}

describe("lint-processes action: run()", () => {
  it("passes on the repository's own processes: no error annotation, zero errors, a SARIF file", async () => {
    const r = runner({ paths: "processes", "fail-on": "error" });
    await run(r);
    assert.equal(r.failure, undefined, r.failure);
    assert.deepEqual(r.errors(), []);
    assert.equal(r.outputs["error-count"], "0");
    assert.equal(r.outputs["sarif-file"], path.join(temp, "camunda-gitops-lint.sarif"));
    const sarif = JSON.parse(readFileSync(r.outputs["sarif-file"]!, "utf8")) as Sarif;
    assert.equal(sarif.version, "2.1.0");
    assert.match(r.summaryText, /processes\//);
  });

  it("fails on errors, annotates each on its file and line, and counts them", async () => {
    const r = runner({ paths: broken });
    await run(r);
    const errors = r.errors();
    assert.equal(r.outputs["error-count"], String(errors.length));
    assert.ok(errors.length >= 3, `${errors.length} error annotations`);
    for (const e of errors) {
      assert.equal(e.properties.file, broken);
      assert.ok((e.properties.startLine ?? 0) > 0);
      assert.match(e.properties.title ?? "", /^deploy: camunda-gitops\/history-ttl/);
    }
    assert.deepEqual(
      errors.map((e) => e.properties.startLine),
      [3, 8, 13],
    );
    assert.ok(Number(r.outputs["warning-count"]) > 0);
    assert.equal(
      r.failure,
      `Process lint found ${errors.length} error(s) and ${r.outputs["warning-count"]} warning(s); see the annotations and the job summary.`,
    );
    const sarif = JSON.parse(readFileSync(r.outputs["sarif-file"]!, "utf8")) as Sarif;
    const results = sarif.runs[0]!.results.filter((x) => x.ruleId === "camunda-gitops/history-ttl");
    assert.equal(results.length, 3);
    assert.equal(results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, broken);
  });

  it("fail-on never reports without failing; fail-on warning fails on warnings alone", async () => {
    const never = runner({ paths: broken, "fail-on": "never" });
    await run(never);
    assert.equal(never.failure, undefined);
    assert.ok(never.errors().length > 0, "the findings are still annotated");

    // The broken model with valid history TTLs: its unlabelled events and missing diagram stay as warnings.
    const warnOnly = path.join(temp, "warn-only.bpmn");
    writeFileSync(
      warnOnly,
      readFileSync(path.join(repoRoot, broken), "utf8").replace(
        /isExecutable="true"( camunda:historyTimeToLive="[^"]*")?/g,
        'isExecutable="true" camunda:historyTimeToLive="180"',
      ),
    );
    const strict = runner({ paths: warnOnly, "fail-on": "warning" });
    await run(strict);
    const relaxed = runner({ paths: warnOnly, "fail-on": "error" });
    await run(relaxed);
    assert.equal(strict.outputs["error-count"], "0", strict.failure);
    assert.ok(Number(strict.outputs["warning-count"]) > 0, "the edited model has a warning");
    assert.match(strict.failure ?? "", /^Process lint found 0 error\(s\) and \d+ warning\(s\)/);
    assert.equal(relaxed.failure, undefined);
  });

  it("links rule pages and lines to the reviewed commit when GitHub names it", async () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const r = runner({ paths: broken }, { GITHUB_REPOSITORY: "acme/claims", GITHUB_SHA: sha });
    await run(r);
    const base = `https://github.com/acme/claims/blob/${sha}/`;
    assert.ok(r.summaryText.includes(`${base}${broken}#L3`), "line links in the summary");
    const sarif = JSON.parse(readFileSync(r.outputs["sarif-file"]!, "utf8")) as Sarif;
    const rule = sarif.runs[0]!.tool.driver.rules.find((x) => x.id === "camunda-gitops/history-ttl");
    assert.ok(rule?.helpUri?.startsWith(base), `helpUri ${rule?.helpUri}`);
  });

  it("says when GitHub would drop annotations, and keeps every finding in the summary", async () => {
    // Enough copies of the broken model to exceed GitHub's annotations per kind and step.
    const many = path.join(temp, "many");
    mkdirSync(many);
    const text = readFileSync(path.join(repoRoot, broken), "utf8");
    for (let i = 0; i < Math.ceil(ANNOTATIONS_PER_KIND / 3) + 1; i++) {
      writeFileSync(path.join(many, `copy-${i}.bpmn`), text);
    }
    const r = runner({ paths: many, "fail-on": "never" });
    await run(r);
    assert.equal(r.errors().length, ANNOTATIONS_PER_KIND);
    assert.match(r.summaryText, /are not annotated on the diff \(GitHub shows \d+ per kind and step\)/);
  });

  it("refuses a bad input in one sentence, before linting anything", async () => {
    const r = runner({ paths: broken, "fail-on": "sometimes" });
    await run(r);
    assert.equal(r.failure, 'input fail-on must be one of error, warning, never, got "sometimes".');
    assert.deepEqual(r.annotations, []);
    assert.deepEqual(r.outputs, {});
  });

  it("reports a missing configuration file as one sentence, not a stack trace", async () => {
    const r = runner({ paths: broken, config: "processes/.no-such-lintrc" });
    await run(r);
    assert.match(r.failure ?? "", /^lint: cannot read the configuration processes\/\.no-such-lintrc; /);
    assert.doesNotMatch(r.failure ?? "", /\n\s+at /);
  });
});
