/**
 * pull-request.yml's review-processes job run by nektos/act (test/support/act.ts): a pull request that
 * renames a user task in which instances wait on the test engine. The comment goes to the local fake
 * GitHub API (github.com cannot be reached here: a mock, see test/support/fake-github.ts), the running
 * instances come from the real engine the test runner starts (a tenant of its own), the report folder
 * reaches the upload-artifact stand-in.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, type TestContext, test } from "node:test";
import { pullRequestEvent, runWorkflow, testRepository, WorkflowTree } from "../../support/act.js";
import { testEngine, uniqueId } from "../../support/engine.js";
import { FakeGitHub } from "../../support/fake-github.js";

const workflow = ".github/workflows/pull-request.yml";
const environment = "workflow-review";
const tenantId = uniqueId("review");
const token = "ghs_workflow_review_token";
const issue = `${testRepository}#42`;
const processFile = "processes/insurance_process.bpmn";
let tree: WorkflowTree;
let base: string;
let github: FakeGitHub;
let artifacts: string;

before(async () => {
  tree = WorkflowTree.fromCheckout("review");
  tree.write(
    `environments/${environment}.yaml`,
    [
      `name: ${environment}`,
      "description: The engine the test runner started, for the review job run by act.",
      "camunda:",
      `  restUrl: ${testEngine().restUrl}`,
      `  tenantId: ${tenantId}`,
      "",
    ].join("\n"),
  );
  base = tree.commit("an environment for the test engine");

  // What is deployed in that environment: the base version, with two applications under review.
  const { client } = testEngine();
  await client.deploy({
    name: "insurance-platform",
    tenantId,
    resources: [{ name: "insurance_process.bpmn", content: tree.read(processFile) }],
  });
  for (let i = 0; i < 2; i++) {
    await client.ok(
      client.api.POST("/process-definition/key/{key}/tenant-id/{tenant-id}/start", {
        params: { path: { key: "insurance_process", "tenant-id": tenantId } },
        body: {
          variables: { reviewGroup: { value: "underwriters", type: "String" } },
          startInstructions: [{ type: "startBeforeActivity", activityId: "Task_ReviewApplication" }],
        },
      }),
    );
  }

  // The pull request: the review task gets a new id, which running instances do not follow.
  const renamed = tree.read(processFile).replaceAll("Task_ReviewApplication", "Task_UnderwriterReview");
  tree.write(processFile, renamed);
  tree.commit("review task renamed");

  github = new FakeGitHub({ token });
  await github.start();
  artifacts = mkdtempSync(path.join(os.tmpdir(), "act-artifacts-"));
});

after(async () => {
  await github?.stop();
  tree?.dispose();
  if (artifacts) rmSync(artifacts, { recursive: true, force: true });
});

async function review(t: TestContext, options: { headRepository?: string } = {}) {
  const { username, password } = testEngine();
  const artifactDir = mkdtempSync(path.join(artifacts, "run-"));
  const payload = pullRequestEvent(tree, { base, ...options });
  const run = await runWorkflow({
    tree,
    workflow,
    event: "pull_request",
    payload,
    job: "review-processes",
    secrets: { GITHUB_TOKEN: token, CAMUNDA_USERNAME: username, CAMUNDA_PASSWORD: password },
    vars: { CAMUNDA_REVIEW_ENVIRONMENT: environment },
    actEnv: { GITHUB_API_URL: github.url },
    env: { STAND_IN_ARTIFACT_DIR: artifactDir },
    timeoutMs: 300_000,
  });
  t.diagnostic(run.timings());
  const leaks = run.lines.filter((l) => l.command !== "add-mask" && JSON.stringify(l).includes(password));
  assert.equal(leaks.length, 0, "the engine password appears in the log");
  return { run, artifactDir };
}

const renameRow =
  /\| ⚠️ \*\*changed\*\* \| \*\*user task Task\\_UnderwriterReview "Review application"\*\* \| `id` \| `Task_ReviewApplication` \| `Task_UnderwriterReview` \| \*\*2\*\* \|/;

describe("pull-request.yml, job review-processes, run by act", () => {
  test("one comment with the rename and the instances waiting in it, the same summary, the report as artifact", async (t) => {
    const { run, artifactDir } = await review(t);
    assert.equal(run.jobResult("review-processes"), "success", run.log());
    assert.equal(run.exitCode, 0, run.log());

    const comments = github.list(issue);
    assert.equal(comments.length, 1, JSON.stringify(github.writes()));
    const body = comments[0]?.body ?? "";
    assert.match(body, renameRow);
    assert.ok(body.includes(`Running instances in ${environment} now:`), body);
    // The workflow token, and nothing else, went to the API.
    assert.ok(github.requests.every((r) => r.authorization?.endsWith(token)));

    const summary = run.summaries("review-processes").join("\n");
    assert.match(summary, renameRow);
    assert.equal(run.outputs("review-processes", "review")["migration-relevant"], "1");

    const report = path.join(artifactDir, "process-review");
    assert.ok(existsSync(path.join(report, "report.html")), `artifact holds ${readdirSync(artifactDir)}`);
    // The pictures were drawn with the runner's browser (Chromium here, Chrome on GitHub's runners).
    const pictures = readdirSync(path.join(report, "pictures"), { recursive: true }).map(String);
    assert.ok(
      pictures.some((p) => p.endsWith(".before.svg")) && pictures.some((p) => p.endsWith(".after.png")),
      `pictures: ${pictures.join(", ")}`,
    );
    const json = JSON.parse(readFileSync(path.join(report, "report.json"), "utf8")) as {
      files: Array<{ file: string; status: string }>;
    };
    assert.deepEqual(
      json.files.map((f) => [f.file, f.status]),
      [[processFile, "changed"]],
    );
  });

  test("the next push updates the same comment instead of adding one", async (t) => {
    const [before] = github.list(issue);
    const posts = github.writes().filter((r) => r.method === "POST").length;
    const { run } = await review(t);
    assert.equal(run.jobResult("review-processes"), "success", run.log());
    assert.equal(github.list(issue).length, 1);
    assert.equal(github.list(issue)[0]?.id, before?.id);
    assert.equal(github.writes().filter((r) => r.method === "POST").length, posts, "no new comment");
  });

  test("a pull request from a fork: the review is in the job summary only, nothing is written to GitHub", async (t) => {
    const writes = github.writes().length;
    const { run } = await review(t, { headRepository: "someone/camunda-gitops" });
    assert.equal(run.jobResult("review-processes"), "success", run.log());
    assert.equal(github.writes().length, writes);
    assert.match(run.summaries("review-processes").join("\n"), renameRow);
    assert.ok(
      run.annotations("review-processes").some((a) => a.level === "notice" && /fork/.test(a.message)),
    );
  });
});
