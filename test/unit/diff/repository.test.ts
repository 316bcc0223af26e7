import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, test } from "node:test";
import { diffRepository } from "#core/diff/repository.js";
import { repoPath } from "../../support/repo.js";
import { fixture, TempGit } from "./support.js";

const repos: TempGit[] = [];
after(() => {
  for (const repo of repos) repo.dispose();
});

/** main: claim.bpmn, premium.dmn, old.bpmn, legacy/keep.bpmn; branch "review" changes each in one way. */
function reviewBranch(): TempGit {
  const repo = new TempGit();
  repos.push(repo);
  repo.write("processes/claim.bpmn", fixture("bpmn", "base"));
  repo.write("processes/premium.dmn", fixture("dmn", "base"));
  repo.write("processes/old.bpmn", fixture("bpmn", "base").replace(/claim_review/g, "old_review"));
  repo.write("processes/legacy/keep.bpmn", fixture("bpmn", "base").replace(/claim_review/g, "kept"));
  repo.write("README.md", "models\n");
  repo.commit("models");
  repo.git("checkout", "--quiet", "-b", "review");
  repo.write("processes/claim.bpmn", fixture("bpmn", "topic-changed"));
  repo.remove("processes/old.bpmn");
  repo.git("mv", "processes/legacy/keep.bpmn", "processes/kept.bpmn");
  repo.write("README.md", "models, changed\n");
  repo.commit("review changes");
  // Uncommitted and untracked work is part of the default head (the working tree).
  repo.write("processes/premium.dmn", fixture("dmn", "rule-value"));
  repo.write("processes/new.dmn", fixture("dmn", "base").replace(/premium_factor/g, "new_decision"));
  return repo;
}

function cli(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [repoPath("bin/camunda-gitops.mjs"), "diff", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", CI: "true" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("camunda-gitops diff over git", () => {
  test("head = working tree, base = merge base with main: added, removed, renamed, changed files", async () => {
    const repo = reviewBranch();
    const report = await diffRepository({ repoRoot: repo.root });
    assert.equal(report.base, repo.git("rev-parse", "main"));
    assert.equal(report.head, "WORKTREE");
    assert.deepEqual(
      report.files.map((f) => [f.file, f.kind, f.status, f.layoutOnly, f.previousFile ?? null]),
      [
        ["processes/claim.bpmn", "bpmn", "changed", false, null],
        ["processes/kept.bpmn", "bpmn", "changed", false, "processes/legacy/keep.bpmn"],
        ["processes/new.dmn", "dmn", "added", false, null],
        ["processes/old.bpmn", "bpmn", "removed", false, null],
        ["processes/premium.dmn", "dmn", "changed", false, null],
      ],
    );
    const kept = report.files[1]!;
    assert.deepEqual(
      kept.changes.map((c) => [c.property, c.before, c.after]),
      [["file", "processes/legacy/keep.bpmn", "processes/kept.bpmn"]],
    );
  });

  test("--head names a commit: the working tree is then ignored", async () => {
    const repo = reviewBranch();
    const report = await diffRepository({ repoRoot: repo.root, head: "review" });
    assert.equal(report.head, repo.git("rev-parse", "review"));
    assert.deepEqual(
      report.files.map((f) => f.file),
      ["processes/claim.bpmn", "processes/kept.bpmn", "processes/old.bpmn"],
    );
  });

  test("--format json keeps the documented contract, key for key", () => {
    const repo = reviewBranch();
    const run = cli(repo.root, "--format", "json", "processes/claim.bpmn", "processes/premium.dmn");
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(json), ["base", "head", "files"]);
    assert.equal(json.head, "WORKTREE");
    assert.match(json.base, /^[0-9a-f]{40}$/);
    for (const file of json.files) {
      assert.deepEqual(Object.keys(file), ["file", "kind", "status", "layoutOnly", "changes"]);
      for (const change of file.changes) {
        assert.deepEqual(Object.keys(change), [
          "elementId",
          "type",
          "property",
          "before",
          "after",
          "migrationRelevant",
          "message",
        ]);
      }
    }
    assert.deepEqual(json.files[1].changes[0], {
      elementId: "Rule_London",
      type: "changed",
      property: "Premium factor",
      before: "1.25",
      after: "1.3",
      migrationRelevant: false,
      message:
        'decision premium_factor "Premium factor": rule Rule_London (row 1), Premium factor: 1.25 → 1.3',
    });
  });

  test("text output: one line per change, and exit 0", () => {
    const repo = reviewBranch();
    const run = cli(repo.root);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Comparing [0-9a-f]{7} → WORKTREE: 5 model files changed/);
    assert.match(
      run.stdout,
      /~ service task Task_CheckPolicy "Check policy": external task topic "policy-check" → "policy-verification"/,
    );
    assert.match(run.stdout, /! removed process old_review "Claim review": its running instances stay/);
  });

  test("usage errors exit 2 with one sentence: unknown ref, not a repository, path outside", () => {
    const repo = reviewBranch();
    const unknown = cli(repo.root, "--base", "no-such-tag");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: git ref "no-such-tag" does not name a commit/m);
    const outside = cli(repo.root, "/etc");
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /is outside the repository/);
    const format = cli(repo.root, "--format", "yaml");
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format must be one of text, markdown, json, html/);
    const nowhere = cli("/", "--base", "HEAD");
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /is not inside a git repository/);
    assert.ok(!/\n\s+at /.test(unknown.stderr + outside.stderr + nowhere.stderr), "no stack trace");
  });

  test("without a main branch the default base is refused with what to pass", async () => {
    const repo = new TempGit();
    repos.push(repo);
    repo.git("checkout", "--quiet", "-b", "trunk");
    repo.write("processes/a.bpmn", fixture("bpmn", "base"));
    repo.commit("one");
    await assert.rejects(
      diffRepository({ repoRoot: repo.root }),
      /no main branch found .*; pass --base <ref>/,
    );
  });

  test("a model that is not XML is reported and makes the exit code 1; the others are still compared", () => {
    const repo = reviewBranch();
    repo.write("processes/claim.bpmn", "<bpmn:definitions>\n<broken");
    const run = cli(repo.root, "--format", "json");
    assert.equal(run.code, 1);
    const json = JSON.parse(run.stdout);
    const broken = json.files.find((f: { file: string }) => f.file === "processes/claim.bpmn");
    assert.equal(broken.changes[0].property, "unreadable");
    assert.match(
      broken.changes[0].message,
      /processes\/claim\.bpmn:\d+:\d+ \(after\) is not well-formed XML/,
    );
    assert.ok(
      json.files.some(
        (f: { file: string; changes: unknown[] }) =>
          f.file === "processes/premium.dmn" && f.changes.length === 1,
      ),
    );
  });
});
