import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { openSource } from "#core/release/source.js";
import { UsageError } from "#core/util/errors.js";
import { decisionXml, processXml, TempRepo } from "../../integration/release/support.js";

describe("what a release reads", () => {
  const repo = new TempRepo();
  after(() => repo.dispose());
  repo.write("processes/a.bpmn", processXml("src_a"));
  repo.write("processes/sub/b.bpmn20.xml", processXml("src_b"));
  repo.write("processes/rates.dmn", decisionXml("src_d"));
  repo.write("processes/examples/e.bpmn", processXml("src_e"));
  repo.write("processes/tests/t.bpmn", processXml("src_t"));
  repo.write("processes/drafts/x.bpmn", processXml("src_x"));
  repo.write("processes/.hidden/h.bpmn", processXml("src_h"));
  repo.write("processes/notes.txt", "not a model");
  repo.write(
    "processes/.bpmnlintrc",
    JSON.stringify({
      extends: "bpmnlint:recommended",
      "camunda-gitops": { notForRelease: ["processes/drafts/"] },
    }),
  );
  const first = repo.commit("first");
  repo.write("processes/a.bpmn", processXml("src_a", { taskName: "Changed" }));
  repo.remove("processes/rates.dmn");
  const second = repo.commit("second");

  it("takes the working tree's models, without examples, tests, notForRelease and hidden folders", async () => {
    const source = await openSource({ repoRoot: repo.root });
    assert.deepEqual(
      source.resources.map((r) => [r.name, r.file, r.kind]),
      [
        ["a.bpmn", "processes/a.bpmn", "bpmn"],
        ["sub/b.bpmn20.xml", "processes/sub/b.bpmn20.xml", "bpmn"],
      ],
    );
    assert.equal(source.commit, second);
    assert.equal(source.ref, "main");
    assert.equal(source.dirty, false);
    assert.match(source.resources[0]!.text, /name="Changed"/);
    assert.equal(source.resources[0]!.sha256.length, 64);
  });

  it("notices uncommitted changes to the models", async () => {
    repo.write("processes/new.bpmn", processXml("src_new"));
    try {
      const source = await openSource({ repoRoot: repo.root });
      assert.equal(source.dirty, true);
      assert.ok(source.resources.some((r) => r.name === "new.bpmn"));
    } finally {
      repo.remove("processes/new.bpmn");
    }
  });

  it("reads the models of an older ref into a temporary folder and removes it afterwards", async () => {
    const source = await openSource({ repoRoot: repo.root, ref: first.slice(0, 8) });
    assert.equal(source.commit, first);
    assert.equal(source.dirty, false);
    assert.deepEqual(
      source.resources.map((r) => r.name),
      ["a.bpmn", "rates.dmn", "sub/b.bpmn20.xml"],
    );
    assert.match(source.resources[0]!.text, /name="Review"/);
    assert.ok(existsSync(source.processesDir));
    assert.notEqual(source.root, repo.root);
    await source.dispose();
    assert.equal(existsSync(source.root), false);
  });

  it("reads tags and relative refs", async () => {
    repo.git("tag", "v1.0.0", first);
    for (const ref of ["v1.0.0", "HEAD~1"]) {
      const source = await openSource({ repoRoot: repo.root, ref });
      assert.equal(source.commit, first, ref);
      await source.dispose();
    }
  });

  for (const [ref, pattern] of [
    ["no-such-tag", /git ref "no-such-tag" does not name a commit/],
    ["--upload-pack=evil", /is not a valid git ref/],
    ["a b", /is not a valid git ref/],
  ] as const) {
    it(`refuses the ref "${ref}" with a usage error`, async () => {
      await assert.rejects(openSource({ repoRoot: repo.root, ref }), (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, pattern);
        return true;
      });
    });
  }

  it("refuses a ref without a processes folder", async () => {
    const empty = new TempRepo();
    try {
      empty.write("README.md", "nothing\n");
      const commit = empty.commit("empty");
      empty.write("processes/a.bpmn", processXml("src_late"));
      empty.commit("models");
      await assert.rejects(openSource({ repoRoot: empty.root, ref: commit }), /has no processes\/ folder/);
    } finally {
      empty.dispose();
    }
  });

  it("works outside a git repository for the working tree, but not for a ref", async () => {
    const plain = new TempRepo();
    try {
      plain.write("processes/a.bpmn", processXml("src_plain"));
      rmSync(path.join(plain.root, ".git"), { recursive: true, force: true });
      const source = await openSource({ repoRoot: plain.root });
      assert.equal(source.commit, null);
      assert.equal(source.resources.length, 1);
      await assert.rejects(openSource({ repoRoot: plain.root, ref: "main" }), /is not a git repository/);
    } finally {
      plain.dispose();
    }
  });
});
