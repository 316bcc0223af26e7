import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  describeRecord,
  judgeOrigin,
  provenanceFromEnvironment,
  type ReleaseIdentity,
  type ReleaseRecord,
  repositoryName,
} from "#core/release/provenance.js";
import { TempRepo } from "../../integration/release/support.js";

const identity: ReleaseIdentity = {
  environment: "prod",
  deploymentName: "insurance-platform",
  deploymentSource: "github-actions",
  repository: "example-org/claims-platform",
};

const record: ReleaseRecord = {
  repository: "example-org/claims-platform",
  commit: "0123456789abcdef0123456789abcdef01234567",
  ref: "main",
  dirty: false,
  environment: "prod",
  run: { id: "77", attempt: 1, url: "https://github.example/r/77", workflow: "Release", actor: "alice" },
  resources: {},
};

const deployment = (name: string | null, source: string | null) => ({
  id: "d-1",
  name,
  source,
  time: "2026-11-29T08:00:00.000+0000",
});

describe("deployment provenance", () => {
  it("reads owner/name from the remote URLs git hands out", () => {
    assert.equal(
      repositoryName("git@github.com:example-org/claims-platform.git"),
      "example-org/claims-platform",
    );
    assert.equal(
      repositoryName("https://github.com/example-org/claims-platform"),
      "example-org/claims-platform",
    );
    assert.equal(
      repositoryName("https://ghe.example/example-org/claims-platform.git/"),
      "example-org/claims-platform",
    );
    assert.equal(repositoryName("ssh://git@host:22/org/repo.git"), "org/repo");
    assert.equal(repositoryName("not a url"), null);
    assert.equal(repositoryName(null), null);
  });

  it("counts a deployment as ours only with the release name, source and record of this repository", () => {
    const ours = judgeOrigin(deployment("insurance-platform", "github-actions"), record, identity);
    assert.equal(ours.ours, true);
    assert.equal(ours.foreignReason, null);

    const modeler = judgeOrigin(deployment("insurance-platform", "Camunda Modeler"), null, identity);
    assert.equal(modeler.ours, false);
    assert.match(modeler.foreignReason ?? "", /source "Camunda Modeler", not a release/);

    // Someone typed the release's name and source by hand: no release record, so not a release.
    const typed = judgeOrigin(deployment("insurance-platform", "github-actions"), null, identity);
    assert.equal(typed.ours, false);
    assert.match(typed.foreignReason ?? "", /without a release\.json record/);

    const otherRepo = judgeOrigin(
      deployment("insurance-platform", "github-actions"),
      { ...record, repository: "someone-else/processes" },
      identity,
    );
    assert.equal(otherRepo.ours, false);
    assert.match(otherRepo.foreignReason ?? "", /another repository \(someone-else\/processes\)/);

    // A record written before repositories were recorded still belongs to the environment's releases.
    assert.equal(
      judgeOrigin(
        deployment("insurance-platform", "github-actions"),
        { ...record, repository: null },
        identity,
      ).ours,
      true,
    );
  });

  it("takes the run from the CI variables and the repository from the origin remote otherwise", async () => {
    const repo = new TempRepo("provenance-");
    try {
      repo.git("remote", "add", "origin", "git@github.com:example-org/claims-platform.git");
      assert.deepEqual(await provenanceFromEnvironment({}, repo.root), {
        repository: "example-org/claims-platform",
        run: null,
      });
      const inCi = await provenanceFromEnvironment(
        {
          GITHUB_REPOSITORY: "example-org/claims-platform",
          GITHUB_SERVER_URL: "https://github.example/",
          GITHUB_RUN_ID: "4242",
          GITHUB_RUN_ATTEMPT: "1",
          GITHUB_WORKFLOW: "Release processes",
          GITHUB_ACTOR: "alice",
        },
        repo.root,
      );
      assert.deepEqual(inCi.run, {
        id: "4242",
        attempt: 1,
        url: "https://github.example/example-org/claims-platform/actions/runs/4242",
        workflow: "Release processes",
        actor: "alice",
      });
      repo.git("remote", "remove", "origin");
      assert.deepEqual(await provenanceFromEnvironment({}, repo.root), { repository: null, run: null });
    } finally {
      repo.dispose();
    }
  });

  it("describes a record in one line", () => {
    assert.equal(
      describeRecord(record),
      "commit 0123456789ab (main), run https://github.example/r/77, of example-org/claims-platform",
    );
  });
});
