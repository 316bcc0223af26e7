/**
 * release-processes.yml run by nektos/act (test/support/act.ts) against the real test engine: the tree
 * gets an environment file for that engine with a tenant of its own, and the workflow_dispatch inputs
 * choose it (act does not check `choice` options; GitHub would, which is why the file is not committed).
 * The scenarios build on each other, in order: a dry run, a release, the same release again, and an
 * engine that moves between the plan and the release.
 */
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { type ActLine, runWorkflow, WorkflowTree, workflowDispatchEvent } from "../../support/act.js";
import { testEngine, uniqueId } from "../../support/engine.js";

const workflow = ".github/workflows/release-processes.yml";
const environment = "workflow-test";
const tenantId = uniqueId("workflow");
let tree: WorkflowTree;

before(() => {
  tree = WorkflowTree.fromCheckout("release");
  tree.write(
    `environments/${environment}.yaml`,
    [
      `name: ${environment}`,
      "description: The engine the test runner started, for release-processes.yml run by act.",
      "camunda:",
      `  restUrl: ${testEngine().restUrl}`,
      `  tenantId: ${tenantId}`,
      "  deploymentName: insurance-platform",
      "  deploymentSource: github-actions",
      "",
    ].join("\n"),
  );
  tree.commit("an environment for the test engine");
});
after(() => tree?.dispose());

function release(t: TestContext, dryRun: boolean, onLine?: (line: ActLine) => void | Promise<void>) {
  const { username, password } = testEngine();
  return runWorkflow({
    tree,
    workflow,
    event: "workflow_dispatch",
    payload: workflowDispatchEvent({ environment, ref: "", "dry-run": String(dryRun), smoke: "false" }),
    secrets: { CAMUNDA_USERNAME: username, CAMUNDA_PASSWORD: password },
    timeoutMs: 300_000,
    ...(onLine ? { onLine } : {}),
  }).then((run) => {
    t.diagnostic(run.timings());
    // The password is a secret (act masks it) and the action registers it as one before anything
    // prints; the ::add-mask:: command that does so is the only line allowed to carry it.
    assert.ok(run.lines.some((l) => l.command === "add-mask" && l.arg === password));
    const leaks = run.lines.filter((l) => l.command !== "add-mask" && JSON.stringify(l).includes(password));
    assert.deepEqual(
      leaks.map((l) => JSON.stringify(l).replaceAll(password, "<PASSWORD>")),
      [],
      "the engine password appears in the log",
    );
    return run;
  });
}

async function deployments(): Promise<Array<{ id: string; name: string | null; source: string | null }>> {
  const { client } = testEngine();
  const found = await client.ok(
    client.api.GET("/deployment", { params: { query: { tenantIdIn: tenantId } } }),
  );
  return found.map((d) => ({ id: d.id ?? "", name: d.name ?? null, source: d.source ?? null }));
}

async function latestVersions(): Promise<Record<string, number>> {
  const { client } = testEngine();
  const query = { tenantIdIn: tenantId, latestVersion: true };
  const processes = await client.ok(client.api.GET("/process-definition", { params: { query } }));
  const decisions = await client.ok(client.api.GET("/decision-definition", { params: { query } }));
  return Object.fromEntries([...processes, ...decisions].map((d) => [d.key ?? "", d.version ?? 0]));
}

describe("release-processes.yml run by act against the test engine", () => {
  test("dry-run=true: the plan job passes and shows the plan, the release job never starts, nothing is deployed", async (t) => {
    const run = await release(t, true);
    assert.equal(run.jobResult("plan"), "success", run.log());
    assert.equal(run.exitCode, 0, run.log());
    assert.deepEqual(run.startedJobs(), ["plan"], "release is skipped by if: !inputs.dry-run");
    const summary = run.summaries("plan").join("\n");
    assert.match(summary, new RegExp(`### Process release: ${environment}`));
    assert.match(
      summary,
      /Dry run: nothing was deployed\. Plan for .*: 4 new, 0 changed, 0 unchanged file\(s\)\./,
    );
    for (const file of [
      "insurance_process.bpmn",
      "document_request.bpmn",
      "risk_rating.dmn",
      "review-application.form",
    ])
      assert.ok(summary.includes(file), `${file} is in the plan:\n${summary}`);
    const outputs = run.outputs("plan", "plan");
    assert.match(outputs["plan-digest"] ?? "", /^[0-9a-f]{16}$/);
    assert.equal(outputs["has-changes"], "true");
    assert.deepEqual(await deployments(), []);
  });

  test("dry-run=false: plan, then release with the plan's digest; definitions deployed and verified", async (t) => {
    const run = await release(t, false);
    assert.equal(run.exitCode, 0, run.log());
    assert.deepEqual(run.jobs(), [
      { jobID: "plan", result: "success" },
      { jobID: "release", result: "success" },
    ]);
    const planned = run.outputs("plan", "plan");
    const released = run.outputs("release", "release");
    // The release re-planned and found what the plan job showed: the digest passed between the jobs held.
    assert.equal(released["plan-digest"], planned["plan-digest"]);
    // Three definitions and the review form, deployed together.
    assert.equal(released["new-versions"], "4");
    const summary = run.summaries("release").join("\n");
    assert.match(summary, /Released .*: 4 new version\(s\) in deployment /);
    const found = await deployments();
    assert.equal(found.length, 1);
    assert.deepEqual([found[0]?.name, found[0]?.source], ["insurance-platform", "github-actions"]);
    assert.deepEqual(await latestVersions(), { document_request: 1, insurance_process: 1, risk_rating: 1 });
  });

  test("a second run deploys nothing", async (t) => {
    const before = await latestVersions();
    const run = await release(t, false);
    assert.equal(run.exitCode, 0, run.log());
    assert.equal(run.jobResult("release"), "success", run.log());
    assert.equal(run.outputs("plan", "plan")["has-changes"], "false");
    assert.equal(run.outputs("release", "release")["new-versions"], "0");
    assert.match(run.summaries("release").join("\n"), /no new versions; the engine already has every file/);
    assert.equal((await deployments()).length, 1);
    assert.deepEqual(await latestVersions(), before);
  });

  test("the engine changes between plan and release: the release job refuses and deploys nothing", async (t) => {
    const { client } = testEngine();
    const hotfix = tree
      .read("processes/document_request.bpmn")
      .replace(/name="Request documents"/, 'name="Request documents (hotfix)"');
    let planDigest: string | undefined;
    let releaseStartedFirst = false;
    const run = await release(t, false, (line) => {
      if (line.jobID === "plan" && line.command === "set-output" && line.name === "plan-digest") {
        planDigest = line.arg;
        // act and its children are stopped while this runs: the release job cannot start before it.
        return client
          .deploy({
            name: "hand deployment",
            source: "Camunda Modeler",
            tenantId,
            resources: [{ name: "document_request.bpmn", content: hotfix }],
          })
          .then(() => undefined);
      }
      if (line.jobID === "release" && planDigest === undefined) releaseStartedFirst = true;
      return undefined;
    });
    assert.ok(planDigest, "the plan job set plan-digest");
    assert.equal(releaseStartedFirst, false);
    assert.equal(run.jobResult("plan"), "success", run.log());
    assert.equal(run.jobResult("release"), "failure", run.log());
    assert.equal(run.exitCode, 1);
    const refusal = run.annotations("release").find((a) => a.level === "error");
    assert.match(
      refusal?.message ?? "",
      new RegExp(
        `the plan for ${environment} changed since it was approved \\(digest ${planDigest}, now [0-9a-f]{16}\\)`,
      ),
    );
    const found = await deployments();
    assert.deepEqual(
      found.map((d) => d.name).sort(),
      ["hand deployment", "insurance-platform"],
      "only the hand deployment was added",
    );
    assert.deepEqual(await latestVersions(), { document_request: 2, insurance_process: 1, risk_rating: 1 });
  });

  test("a lint error fails the plan job, with its annotation, and the release job never starts", async (t) => {
    const file = "processes/insurance_process.bpmn";
    const original = tree.read(file);
    const broken = original.replace('camunda:topic="issue-policy"', 'camunda:topic="issue-polcy"');
    assert.notEqual(broken, original);
    const line = broken.split("\n").findIndex((l) => l.includes("issue-polcy")) + 1;
    tree.write(file, broken);
    tree.commit("a topic with a typo");
    const before = await deployments();
    try {
      const run = await release(t, false);
      assert.equal(run.jobResult("plan"), "failure", run.log());
      assert.equal(run.exitCode, 1);
      assert.deepEqual(run.startedJobs(), ["plan"], "release needs plan: a failed plan stops it");
      const annotation = run.annotations("plan").find((a) => a.level === "error" && a.file === file);
      assert.equal(annotation?.line, line, JSON.stringify(run.annotations("plan")));
      assert.deepEqual(await deployments(), before);
    } finally {
      tree.write(file, original);
      tree.commit("topic fixed");
    }
  });
});
