/**
 * The check-drift action's run() on the real engine, with its GitHub issue written to the local fake
 * GitHub API (github.com cannot be reached from here): in sync → no issue; a Modeler hot-fix → one issue
 * opened; more drift → the same issue updated; copies left by a racing run closed as duplicates, never
 * two; back in sync → closed; a token that cannot write issues → one sentence.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { release } from "#core/release/release.js";
import { run } from "../../../actions/check-drift/run.js";
import { testEngine } from "../../support/engine.js";
import { FakeGitHub } from "../../support/fake-github.js";
import { RecordingRunner } from "../../support/runner.js";
import {
  isolatedTarget,
  processXml,
  projectLint,
  quietSteps,
  TempRepo,
  uniqueKey,
} from "../release/support.js";

const REPOSITORY = "example-org/claims-platform";
const TOKEN = "ghs_drift_workflow_token";
const MARKER = "<!-- camunda-gitops drift: test -->";

describe("check-drift action: one issue per environment (fake GitHub API, real engine)", () => {
  const { client, username, password } = testEngine();
  const target = { ...isolatedTarget("drift-issue"), deploymentSource: "github-actions" };
  const tenantId = target.tenantId!;
  const repo = new TempRepo("drift-issue-repo-");
  const key = uniqueKey("claim");
  const unmanaged = uniqueKey("hotfix_only");
  const github = new FakeGitHub({ token: TOKEN });
  const base = {
    client,
    target,
    repoRoot: repo.root,
    step: quietSteps,
    lint: projectLint,
    provenance: { repository: REPOSITORY, run: null },
  };
  const issues = () => github.issuesOf(REPOSITORY);
  const openDriftIssues = () =>
    issues().filter(
      (i) => i.state === "open" && i.body.startsWith(MARKER) && i.user.login === "github-actions[bot]",
    );

  async function check(server: FakeGitHub = github): Promise<RecordingRunner> {
    const runner = new RecordingRunner(
      { environment: "test", token: TOKEN, issue: "true" },
      {
        GITHUB_WORKSPACE: repo.root,
        GITHUB_REPOSITORY: REPOSITORY,
        GITHUB_API_URL: server.url,
        CAMUNDA_USERNAME: username,
        CAMUNDA_PASSWORD: password,
      },
    );
    await run(runner);
    return runner;
  }

  const modelerDeploy = (name: string, xml: string) =>
    client.deploy({
      name: "diagram_1",
      source: "Camunda Modeler",
      tenantId,
      resources: [{ name, content: xml }],
    });

  before(async () => {
    repo.write(
      "environments/test.yaml",
      [
        "name: test",
        "camunda:",
        `  restUrl: ${target.restUrl}`,
        `  tenantId: ${tenantId}`,
        `  deploymentName: ${target.deploymentName}`,
        `  deploymentSource: ${target.deploymentSource}`,
        "",
      ].join("\n"),
    );
    repo.write(`processes/${key}.bpmn`, processXml(key));
    repo.commit("one process");
    await release(base);
    await github.start();
  });
  after(async () => {
    await github.stop();
    repo.dispose();
  });

  it("in sync: no issue, nothing written; both secrets masked", async () => {
    const runner = await check();
    assert.equal(runner.failure, undefined, runner.log.join("\n"));
    assert.equal(runner.outputs["in-sync"], "true");
    assert.equal(runner.outputs["issue-action"], "none");
    assert.deepEqual(issues(), []);
    assert.deepEqual(github.writes(), []);
    assert.ok(runner.secrets.includes(password) && runner.secrets.includes(TOKEN));
  });

  it("a Modeler hot-fix: one issue opened, labelled, naming the key as foreign and modified", async () => {
    await modelerDeploy(`${key}.bpmn`, processXml(key, { taskName: "Review (hot-fix)" }));
    const runner = await check();
    assert.equal(runner.failure, undefined, runner.log.join("\n"));
    assert.deepEqual(
      [runner.outputs["in-sync"], runner.outputs["issue-action"], runner.outputs["issue-number"]],
      ["false", "opened", "1"],
    );
    const [issue] = openDriftIssues();
    assert.equal(issue?.title, "Process drift in test");
    assert.deepEqual(issue?.labels, [{ name: "process-drift" }]);
    assert.ok(issue?.body.includes(`\`${key}\``), issue?.body);
    assert.match(issue?.body ?? "", /foreign/);
    assert.match(issue?.body ?? "", /modified/);
    assert.match(runner.summaryText, /### Process drift: test/);
  });

  it("a token that cannot write issues: the check reports it in one sentence", async () => {
    const readOnly = new FakeGitHub({ token: TOKEN, readOnly: true });
    await readOnly.start();
    try {
      const runner = await check(readOnly);
      assert.equal(
        runner.failure,
        `GitHub refused to open or update the drift issue of test in ${REPOSITORY} (403); give the job "issues: write" and pass its token.`,
      );
    } finally {
      await readOnly.stop();
    }
  });

  it("while drift lasts the same issue is updated, and copies are closed: never two", async () => {
    await modelerDeploy(`${unmanaged}.bpmn`, processXml(unmanaged));
    // A run racing this one opened a second issue; a person copied the marker; prod has its own issue.
    const racing = github.seedIssue(REPOSITORY, "github-actions[bot]", {
      title: "Process drift in test",
      body: `${MARKER}\nolder copy`,
      labels: ["process-drift"],
    });
    const copied = github.seedIssue(REPOSITORY, "mallory", {
      title: "Process drift in test",
      body: `${MARKER}\nnot the workflow's`,
      labels: ["process-drift"],
    });
    const prod = github.seedIssue(REPOSITORY, "github-actions[bot]", {
      title: "Process drift in prod",
      body: "<!-- camunda-gitops drift: prod -->\nprod drifts",
      labels: ["process-drift"],
    });
    const runner = await check();
    assert.equal(runner.failure, undefined, runner.log.join("\n"));
    assert.deepEqual([runner.outputs["issue-action"], runner.outputs["issue-number"]], ["updated", "1"]);
    assert.deepEqual(
      openDriftIssues().map((i) => i.number),
      [1],
      "one open issue for the environment",
    );
    assert.ok(openDriftIssues()[0]!.body.includes(`\`${unmanaged}\``), "the update names the new drift");
    assert.deepEqual([racing.state, racing.state_reason], ["closed", "not_planned"]);
    assert.equal(copied.state, "open", "an issue by someone else is never taken over or closed");
    assert.equal(prod.state, "open", "another environment's issue is left alone");
    assert.ok(
      github.requests.some(
        (r) =>
          r.method === "POST" &&
          r.path === `/repos/${REPOSITORY}/issues/${racing.number}/comments` &&
          String((r.body as { body?: string }).body).includes("Duplicate of #1"),
      ),
    );
    assert.ok(runner.log.some((l) => l.includes("1 duplicate(s) closed")));
  });

  it("back in sync: the issue is closed with a comment; the next run opens nothing", async () => {
    const [deployment] = await client.ok(
      client.api.GET("/deployment", { params: { query: { nameLike: "diagram_1", tenantIdIn: tenantId } } }),
    );
    // The hot-fix that only the Modeler had goes (as a person would after the incident) …
    const unmanagedDeployment = await client.ok(
      client.api.GET("/process-definition", { params: { query: { key: unmanaged, tenantIdIn: tenantId } } }),
    );
    assert.ok(deployment && unmanagedDeployment[0]?.deploymentId);
    await client.ok(
      client.api.DELETE("/deployment/{id}", {
        params: { path: { id: unmanagedDeployment[0].deploymentId }, query: { cascade: true } },
      }),
    );
    // … and a release puts git's version back on top of the other hot-fix.
    assert.equal((await release(base)).newVersions, 1);
    const runner = await check();
    assert.equal(runner.failure, undefined, runner.log.join("\n"));
    assert.deepEqual(
      [runner.outputs["in-sync"], runner.outputs["issue-action"], runner.outputs["issue-number"]],
      ["true", "closed", "1"],
    );
    const first = issues().find((i) => i.number === 1)!;
    assert.deepEqual([first.state, first.state_reason], ["closed", "completed"]);
    assert.ok(
      github.requests.some(
        (r) =>
          r.method === "POST" &&
          r.path === `/repos/${REPOSITORY}/issues/1/comments` &&
          /in sync/.test(String((r.body as { body?: string }).body)),
      ),
    );
    const writes = github.writes().length;
    const again = await check();
    assert.equal(again.outputs["issue-action"], "none");
    assert.equal(github.writes().length, writes, "nothing written while in sync");
    assert.deepEqual(openDriftIssues(), []);
  });
});
