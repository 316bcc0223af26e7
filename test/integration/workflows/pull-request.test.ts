/**
 * pull-request.yml run by nektos/act (test/support/act.ts): the lint job on a clean tree and on a tree
 * with a topic no worker serves. The other jobs are not run here: `checks` and `engine-tests` run the
 * very test suite this file belongs to (engine-tests also needs a `services:` container), and
 * `image-probe` needs Docker.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, type TestContext, test } from "node:test";
import { pullRequestEvent, runWorkflow, testRepository, WorkflowTree } from "../../support/act.js";

const workflow = ".github/workflows/pull-request.yml";
const trees: WorkflowTree[] = [];
let sarifRoot: string;

before(() => {
  sarifRoot = mkdtempSync(path.join(os.tmpdir(), "act-sarif-"));
});
after(() => {
  for (const tree of trees) tree.dispose();
  rmSync(sarifRoot, { recursive: true, force: true });
});

interface Sarif {
  version: string;
  runs: Array<{
    results: Array<{
      ruleId: string;
      level: string;
      locations: Array<{
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
      }>;
    }>;
  }>;
}

async function runLint(t: TestContext, tree: WorkflowTree) {
  const sarifDir = mkdtempSync(path.join(sarifRoot, "run-"));
  const run = await runWorkflow({
    tree,
    workflow,
    event: "pull_request",
    payload: pullRequestEvent(tree),
    job: "lint-processes",
    env: { STAND_IN_SARIF_DIR: sarifDir },
    timeoutMs: 240_000,
  });
  t.diagnostic(run.timings());
  const handed = readdirSync(sarifDir);
  const sarif =
    handed.length > 0
      ? (JSON.parse(readFileSync(path.join(sarifDir, handed[0] as string), "utf8")) as Sarif)
      : undefined;
  return { run, handed, sarif };
}

describe("pull-request.yml, job lint-processes, run by act", () => {
  test("a clean tree passes: no error annotation, a summary with the file table, the SARIF handed on", async (t) => {
    const tree = WorkflowTree.fromCheckout("lint-clean");
    trees.push(tree);
    const { run, handed, sarif } = await runLint(t, tree);
    assert.equal(run.jobResult("lint-processes"), "success", run.log());
    assert.equal(run.exitCode, 0, run.log());
    assert.deepEqual(
      run.annotations("lint-processes").filter((a) => a.level === "error"),
      [],
    );
    const summary = run.summaries("lint-processes").join("\n");
    assert.match(summary, /## BPMN\/DMN lint/);
    assert.match(summary, /\*\*0 error\(s\)\*\*/);
    assert.match(summary, /\| `processes\/insurance_process\.bpmn` \| 0 \|/);
    assert.deepEqual(
      handed,
      ["camunda-gitops-lint.sarif"],
      "the upload step got the lint step's SARIF output",
    );
    assert.equal(sarif?.version, "2.1.0");
    assert.deepEqual(
      sarif?.runs.flatMap((r) => r.results).filter((r) => r.level === "error"),
      [],
    );
    const outputs = run.outputs("lint-processes", "lint");
    assert.equal(outputs["error-count"], "0");
  });

  test("a topic no worker serves fails the job with the annotation on its line, the summary table and the SARIF", async (t) => {
    const tree = WorkflowTree.fromCheckout("lint-topic");
    trees.push(tree);
    const file = "processes/insurance_process.bpmn";
    const original = tree.read(file);
    const changed = original.replace('camunda:topic="issue-policy"', 'camunda:topic="issue-polcy"');
    assert.notEqual(changed, original, "the fixture topic is still in the process");
    const line = changed.split("\n").findIndex((l) => l.includes('camunda:topic="issue-polcy"')) + 1;
    tree.write(file, changed);
    tree.commit("a topic with a typo");

    const { run, handed, sarif } = await runLint(t, tree);
    assert.equal(run.jobResult("lint-processes"), "failure", run.log());
    assert.equal(run.exitCode, 1);

    const errors = run.annotations("lint-processes").filter((a) => a.level === "error" && a.file);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const [annotation] = errors;
    assert.equal(annotation?.file, file);
    assert.equal(annotation?.line, line);
    assert.match(annotation?.title ?? "", /topic.*\(Task_IssuePolicy\)/);
    assert.match(annotation?.message ?? "", /issue-polcy/);
    assert.equal(annotation?.step, "Lint processes");

    const summary = run.summaries("lint-processes").join("\n");
    assert.match(summary, /❌ .*\*\*1 error\(s\)\*\*/);
    assert.match(summary, /\| `processes\/insurance_process\.bpmn` \| 1 \|/);
    // The summary links each finding to the reviewed head commit of the pull request.
    assert.ok(
      summary.includes(`https://github.com/${testRepository}/blob/${tree.head()}/${file}#L${line}`),
      summary,
    );

    // The lint step failed, and the upload step still ran (if: always()) with the lint step's file.
    const steps = run.steps("lint-processes");
    assert.equal(steps.find((s) => s.step === "Lint processes")?.result, "failure");
    assert.equal(steps.find((s) => s.step === "Upload SARIF")?.result, "success");
    assert.deepEqual(handed, ["camunda-gitops-lint.sarif"]);
    const results = sarif?.runs.flatMap((r) => r.results).filter((r) => r.level === "error") ?? [];
    assert.equal(results.length, 1);
    const location = results[0]?.locations[0]?.physicalLocation;
    assert.equal(location?.artifactLocation.uri, file);
    assert.equal(location?.region.startLine, line);
  });
});
