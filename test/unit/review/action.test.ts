/**
 * The review-processes action bundle against a recorded pull_request event, with the GitHub API
 * answered by a local fake server (github.com is unreachable here): one sticky comment, created once,
 * updated in place, never duplicated; forks and read-only tokens get the job summary without failing.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, afterEach, beforeEach, describe, test } from "node:test";
import { COMMENT_MARKER } from "#core/diff/format/markdown.js";
import { FakeGitHub } from "../../support/fake-github.js";
import { fixture, type TempGit } from "../diff/support.js";
import { ISSUE, pullRequestCheckout, runAction } from "./support.js";

let github: FakeGitHub;
const repos: TempGit[] = [];
beforeEach(async () => {
  github = new FakeGitHub({ token: "ghs_workflow_token" });
  await github.start();
});
afterEach(() => github.stop());
after(() => {
  for (const repo of repos) {
    rmSync(`${repo.root}-runner`, { recursive: true, force: true });
    repo.dispose();
  }
});

function checkout(): TempGit {
  const repo = pullRequestCheckout();
  repos.push(repo);
  return repo;
}

describe("review-processes action (GitHub API answered by a local fake server)", () => {
  test("creates one comment, then updates it in place on the next push, never a second one", async () => {
    const repo = checkout();
    const first = await runAction(repo, github, { inputs: { pictures: "true" } });
    assert.equal(first.code, 0, first.log);
    const comments = github.list(ISSUE);
    assert.equal(comments.length, 1);
    const [comment] = comments;
    assert.ok(comment!.body.startsWith(`${COMMENT_MARKER}\n### Process changes`));
    assert.ok(
      comment!.body.includes(
        "| changed | rule Rule\\_London in premium\\_factor | `Premium factor` | `1.25` | `1.3` |",
      ),
      comment!.body,
    );
    assert.ok(
      comment!.body.includes("`timerEventDefinition.timeDuration` | `PT48H` | `PT24H`"),
      comment!.body,
    );
    assert.ok(
      comment!.body.includes(
        "[this run's artifacts](https://github.example/example-org/claims-platform/actions/runs/4242#artifacts)",
      ),
    );
    assert.deepEqual(
      github.writes().map((r) => `${r.method} ${r.path}`),
      ["POST /repos/example-org/claims-platform/issues/7/comments"],
    );
    assert.equal(github.requests[0]!.authorization, "token ghs_workflow_token");
    // The same Markdown, without the hidden marker, is the job summary.
    assert.ok(first.summary.startsWith("### Process changes"));
    assert.equal(first.summary.trim(), comment!.body.replace(`${COMMENT_MARKER}\n`, "").trim());
    assert.equal(first.outputs["changed-files"], "2");
    assert.equal(first.outputs["behaviour-changes"], "2");
    assert.equal(first.outputs["comment-url"], comment!.html_url);
    const reportDir = first.outputs["report-dir"]!;
    for (const file of [
      "report.html",
      "report.json",
      "report.md",
      "pictures/processes/claim.before.png",
      "pictures/processes/claim.after.svg",
    ]) {
      assert.ok(existsSync(path.join(reportDir, file)), `${file} in the report folder`);
    }
    assert.equal(JSON.parse(readFileSync(path.join(reportDir, "report.json"), "utf8")).files.length, 2);

    // A second push changes the topic too: the comment is edited, not added.
    repo.write(
      "processes/claim.bpmn",
      fixture("bpmn", "timer-changed").replace("policy-check", "policy-verification"),
    );
    repo.commit("topic renamed");
    const second = await runAction(repo, github);
    assert.equal(second.code, 0, second.log);
    assert.equal(github.list(ISSUE).length, 1);
    assert.equal(github.list(ISSUE)[0]!.id, comment!.id);
    assert.ok(github.list(ISSUE)[0]!.body.includes("`policy-verification`"));
    assert.deepEqual(
      github.writes().map((r) => `${r.method} ${r.path}`),
      [
        "POST /repos/example-org/claims-platform/issues/7/comments",
        `PATCH /repos/example-org/claims-platform/issues/comments/${comment!.id}`,
      ],
    );
    assert.match(second.log, /Review comment updated/);

    // Re-running on the same commit writes nothing.
    const third = await runAction(repo, github);
    assert.equal(third.code, 0, third.log);
    assert.equal(github.writes().length, 2);
    assert.match(third.log, /Review comment unchanged/);
  });

  test("finds its comment across pages, ignores a look-alike by someone else, removes duplicates", async () => {
    const repo = checkout();
    for (let i = 0; i < 120; i++) github.seed(ISSUE, "reviewer", `comment ${i}`);
    const mallory = github.seed(ISSUE, "mallory", `${COMMENT_MARKER}\nLooks good, merge it`);
    const ours = github.seed(ISSUE, "github-actions[bot]", `${COMMENT_MARKER}\nold review`);
    const duplicate = github.seed(ISSUE, "github-actions[bot]", `${COMMENT_MARKER}\nracing review`);
    const run = await runAction(repo, github);
    assert.equal(run.code, 0, run.log);
    assert.ok(
      github.requests.some((r) => r.method === "GET" && r.path.includes("page=2")),
      "read the second page",
    );
    assert.deepEqual(
      github
        .writes()
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
      [
        `DELETE /repos/example-org/claims-platform/issues/comments/${duplicate.id}`,
        `PATCH /repos/example-org/claims-platform/issues/comments/${ours.id}`,
      ],
    );
    assert.equal(mallory.body, `${COMMENT_MARKER}\nLooks good, merge it`);
    assert.equal(github.list(ISSUE).filter((c) => c.body.startsWith(COMMENT_MARKER)).length, 2);
  });

  test("a fork's pull request gets the job summary and no API call, without failing", async () => {
    const repo = checkout();
    const run = await runAction(repo, github, {
      inputs: { token: "" },
      event: (event) => {
        const pr = event.pull_request as { head: { repo: { full_name: string; fork: boolean } } };
        pr.head.repo.full_name = "someone/claims-platform";
        pr.head.repo.fork = true;
      },
    });
    assert.equal(run.code, 0, run.log);
    assert.deepEqual(github.requests, []);
    assert.match(run.log, /::notice::Pull request from a fork: its token is read-only/);
    assert.match(run.summary, /rule Rule\\_London/);
    assert.equal(run.outputs["comment-url"], "");
  });

  test("a read-only token (403) is a warning and the summary still holds the review", async () => {
    await github.stop();
    github = new FakeGitHub({ token: "ghs_workflow_token", readOnly: true });
    await github.start();
    const repo = checkout();
    const run = await runAction(repo, github);
    assert.equal(run.code, 0, run.log);
    assert.match(
      run.log,
      /::warning::The token cannot write the review comment on #7 \(403: .*Resource not accessible by integration.*\); give the job "pull-requests: write"/,
    );
    assert.match(run.summary, /### Process changes/);
    assert.equal(github.list(ISSUE).length, 0);
  });

  test("a model that is not XML fails the step with file:line, after the summary is written", async () => {
    const repo = checkout();
    repo.write("processes/claim.bpmn", "<bpmn:definitions>\n  <broken");
    repo.commit("broken");
    const run = await runAction(repo, github);
    assert.equal(run.code, 1);
    assert.match(
      run.log,
      /::error::1 model file\(s\) could not be compared:%0A {2}processes\/claim\.bpmn:\d+:\d+ \(after\) is not well-formed XML/,
    );
    assert.match(run.summary, /processes\/claim\.bpmn/);
    assert.ok(!/\n\s+at /.test(run.log), "no stack trace");
  });
});
