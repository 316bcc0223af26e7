/**
 * The review-processes action with `environment`: the running instances come from the real engine
 * the test runner starts (its own tenant), the comment goes to the local fake GitHub API.
 */
import assert from "node:assert/strict";
import { rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { testEngine, uniqueId } from "../../support/engine.js";
import { FakeGitHub } from "../../support/fake-github.js";
import { repoPath } from "../../support/repo.js";
import { fixture, TempGit } from "../../unit/diff/support.js";
import { ISSUE, runAction } from "../../unit/review/support.js";

const key = uniqueId("claim_review").replace(/-/g, "_");
const tenantId = uniqueId("review");
const model = (name: string) => fixture("bpmn", name).replace(/claim_review/g, key);
let github: FakeGitHub;
let repo: TempGit;

before(async () => {
  const { client, restUrl } = testEngine();
  await client.deploy({
    name: "review-action",
    tenantId,
    resources: [{ name: "claim.bpmn", content: model("base") }],
  });
  for (let i = 0; i < 3; i++) {
    await client.ok(
      client.api.POST("/process-definition/key/{key}/tenant-id/{tenant-id}/start", {
        params: { path: { key, "tenant-id": tenantId } },
        body: { startInstructions: [{ type: "startBeforeActivity", activityId: "Task_Review" }] },
      }),
    );
  }
  repo = new TempGit();
  repo.write(".gitignore", "node_modules\n");
  repo.write(
    "environments/test.yaml",
    ["name: test", "camunda:", `  restUrl: ${restUrl}`, `  tenantId: ${tenantId}`, ""].join("\n"),
  );
  repo.write("processes/claim.bpmn", model("base"));
  repo.commit("deployed version");
  repo.git("checkout", "--quiet", "-b", "rename-review");
  repo.write("processes/claim.bpmn", model("id-renamed"));
  repo.commit("Task_Review renamed");
  symlinkSync(repoPath("node_modules"), path.join(repo.root, "node_modules"));
  github = new FakeGitHub({ token: "ghs_workflow_token" });
  await github.start();
});

after(async () => {
  await github?.stop();
  rmSync(`${repo.root}-runner`, { recursive: true, force: true });
  repo.dispose();
});

describe("review-processes with the running instances of an environment (real engine)", () => {
  test("the comment says how many instances wait in the renamed task; the password is masked", async () => {
    const { username, password } = testEngine();
    const run = await runAction(repo, github, {
      inputs: { environment: "test" },
      env: { CAMUNDA_USERNAME: username, CAMUNDA_PASSWORD: password },
    });
    assert.equal(run.code, 0, run.log);
    const body = github.list(ISSUE)[0]?.body ?? "";
    assert.ok(body.includes(`Running instances in test now: ${key} 3 running (1 version deployed).`), body);
    assert.match(body, /\| Change \| Element \| Property \| Before \| After \| Running \|/);
    assert.match(
      body,
      /\| ⚠️ \*\*changed\*\* \| \*\*user task Task\\_UnderwriterReview "Review claim"\*\* \| `id` \| `Task_Review` \| `Task_UnderwriterReview` \| \*\*3\*\* \|/,
    );
    assert.ok(run.log.includes(`::add-mask::${password}`));
    assert.equal(run.log.split(password).length, 2, "the password appears only in the mask command");
  });

  test("wrong credentials: the review is still posted, with a warning that says what to check", async () => {
    const run = await runAction(repo, github, {
      inputs: { environment: "test" },
      env: { CAMUNDA_USERNAME: testEngine().username, CAMUNDA_PASSWORD: "not-the-password" },
    });
    assert.equal(run.code, 0, run.log);
    assert.match(
      run.log,
      /::warning::Running instances in test were not counted: the Camunda engine rejected the credentials of user ".*" \(401 at GET /,
    );
    assert.match(
      github.list(ISSUE)[0]?.body ?? "",
      /could not be counted: the Camunda engine rejected the credentials/,
    );
  });
});
