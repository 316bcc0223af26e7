/**
 * drift.yml run by nektos/act (test/support/act.ts), dev's leg of the matrix: the tree's dev
 * environment points at the real test engine (a tenant of its own) and the drift issue goes to the
 * local fake GitHub API (github.com cannot be reached here: a mock, see test/support/fake-github.ts).
 * First nothing of git is deployed there (every model missing: one issue opened, the job still
 * passes: drift is reported, not failed); then the tree is released to that tenant and the next run
 * finds it in sync and closes the issue.
 */
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { release } from "#core/release/release.js";
import { runWorkflow, testRepository, WorkflowTree, workflowDispatchEvent } from "../../support/act.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { FakeGitHub } from "../../support/fake-github.js";
import { projectLint, quietSteps } from "../release/support.js";

const workflow = ".github/workflows/drift.yml";
const tenantId = uniqueId("drift");
const token = "ghs_drift_workflow_token";
let tree: WorkflowTree;
let github: FakeGitHub;

before(async () => {
  tree = WorkflowTree.fromCheckout("drift");
  tree.write(
    "environments/dev.yaml",
    tree
      .read("environments/dev.yaml")
      .replace(/^ {2}restUrl: .*$/m, `  restUrl: ${testEngine().restUrl}\n  tenantId: ${tenantId}`),
  );
  tree.commit("dev points at the test engine");
  github = new FakeGitHub({ token });
  await github.start();
});

after(async () => {
  await github?.stop();
  tree?.dispose();
});

async function drift(t: TestContext) {
  const { username, password } = testEngine();
  const run = await runWorkflow({
    tree,
    workflow,
    event: "workflow_dispatch",
    payload: workflowDispatchEvent({}),
    matrix: { environment: "dev" },
    secrets: { GITHUB_TOKEN: token, CAMUNDA_USERNAME: username, CAMUNDA_PASSWORD: password },
    actEnv: { GITHUB_API_URL: github.url },
    timeoutMs: 300_000,
  });
  t.diagnostic(run.timings());
  const leaks = run.lines.filter((l) => l.command !== "add-mask" && JSON.stringify(l).includes(password));
  assert.equal(leaks.length, 0, "the engine password appears in the log");
  return run;
}

const openIssues = () => github.issuesOf(testRepository).filter((i) => i.state === "open");

describe("drift.yml run by act against the test engine", () => {
  test("nothing of git deployed: the job passes and opens one issue naming the missing models", async (t) => {
    const run = await drift(t);
    assert.equal(run.jobResult("drift"), "success", run.log());
    assert.equal(openIssues().length, 1, JSON.stringify(github.issuesOf(testRepository)));
    assert.match(openIssues()[0]?.body ?? "", /insurance_process/);
    assert.ok(github.requests.every((r) => r.authorization?.endsWith(token)));
  });

  test("released from git: the next run finds dev in sync and closes the issue", async (t) => {
    const { client } = testEngine();
    await release({
      client,
      target: {
        environment: "dev",
        restUrl: testEngine().restUrl,
        tenantId,
        deploymentName: "insurance-platform",
        deploymentSource: "github-actions",
      },
      repoRoot: tree.root,
      lint: projectLint,
      step: quietSteps,
      provenance: { repository: testRepository, run: null },
    });
    const run = await drift(t);
    assert.equal(run.jobResult("drift"), "success", run.log());
    assert.equal(openIssues().length, 0, JSON.stringify(github.issuesOf(testRepository)));
    assert.equal(github.issuesOf(testRepository).length, 1, "the same issue, closed; never a second one");
  });
});
