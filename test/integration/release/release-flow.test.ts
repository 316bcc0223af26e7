import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { deployedXml, latestDefinition } from "#core/release/definitions.js";
import { planRelease, RELEASE_INFO_RESOURCE, release } from "#core/release/release.js";
import { testEngine } from "../../support/engine.js";
import {
  decisionXml,
  isolatedTarget,
  processXml,
  projectLint,
  quietSteps,
  TempRepo,
  uniqueKey,
} from "./support.js";

/**
 * The life of one repository on the real engine, in order: plan on an empty tenant, first release,
 * idempotent re-release, a change to one file, a commit without model changes, and a rollback.
 * Each run has its own tenant and keys, so other tests on the shared engine cannot interfere.
 */
describe("release to the real engine, from plan to rollback", () => {
  const { client } = testEngine();
  const target = isolatedTarget("release-flow");
  const tenantId = target.tenantId!;
  const repo = new TempRepo();
  const claim = uniqueKey("flow_claim");
  const review = uniqueKey("flow_review");
  const discount = uniqueKey("flow_discount");
  let firstCommit = "";
  const base = { client, target, repoRoot: repo.root, step: quietSteps, lint: projectLint };

  const deploymentCount = async () =>
    (await client.ok(client.api.GET("/deployment/count", { params: { query: { tenantIdIn: tenantId } } })))
      .count ?? 0;
  const latest = async (key: string, type: "process" | "decision" = "process") => {
    const found = await latestDefinition(client, { type, key }, tenantId);
    assert.ok(found, `${key} is not deployed`);
    return found;
  };

  before(() => {
    repo.write("processes/claim.bpmn", processXml(claim));
    repo.write("processes/review/review.bpmn", processXml(review));
    repo.write("processes/discount.dmn", decisionXml(discount));
    // Never released: examples and tests beside the models.
    repo.write("processes/tests/fixture.bpmn", processXml(uniqueKey("flow_fixture")));
    repo.write("processes/examples/example.bpmn", processXml(uniqueKey("flow_example")));
    firstCommit = repo.commit("first version");
  });
  after(() => repo.dispose());

  it("plans every file as new on an empty tenant, and writes nothing", async () => {
    const { plan, rows } = await planRelease(base);
    assert.deepEqual(
      plan.resources.map((r) => [r.name, r.status]),
      [
        ["claim.bpmn", "new"],
        ["discount.dmn", "new"],
        ["review/review.bpmn", "new"],
      ],
    );
    assert.deepEqual(plan.counts, { new: 3, changed: 0, unchanged: 0 });
    assert.deepEqual(rows.map((r) => r.key).sort(), [claim, discount, review].sort());
    assert.equal(plan.commit, firstCommit);
    assert.equal(await deploymentCount(), 0);
  });

  it("releases version 1 of every key in one deployment, verified, with the commit recorded", async () => {
    const result = await release(base);
    assert.equal(result.newVersions, 3);
    assert.deepEqual(
      result.rows.map((r) => [r.key, r.previousVersion, r.newVersion, r.status]).sort(),
      [
        [claim, null, 1, "new"],
        [discount, null, 1, "new"],
        [review, null, 1, "new"],
      ].sort(),
    );
    assert.ok(result.deployment?.created);
    assert.equal(await deploymentCount(), 1);
    assert.equal(result.lint?.errors, 0);

    const deploymentId = result.deployment!.id;
    const deployment = await client.ok(
      client.api.GET("/deployment/{id}", { params: { path: { id: deploymentId } } }),
    );
    assert.equal(deployment.name, target.deploymentName);
    assert.equal(deployment.source, target.deploymentSource);
    assert.equal(deployment.tenantId, tenantId);
    const resources = await client.ok(
      client.api.GET("/deployment/{id}/resources", { params: { path: { id: deploymentId } } }),
    );
    assert.deepEqual(
      resources.map((r) => r.name).sort(),
      ["claim.bpmn", "discount.dmn", RELEASE_INFO_RESOURCE, "review/review.bpmn"].sort(),
    );
    const info = resources.find((r) => r.name === RELEASE_INFO_RESOURCE)!;
    const data = await fetch(`${testEngine().restUrl}/deployment/${deploymentId}/resources/${info.id}/data`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${testEngine().username}:${testEngine().password}`).toString("base64")}`,
      },
    });
    const recorded = (await data.json()) as { commit: string; ref: string };
    assert.equal(recorded.commit, firstCommit);
    assert.equal(recorded.ref, "main");

    const claimLatest = await latest(claim);
    assert.equal(claimLatest.resource, "claim.bpmn");
    assert.equal(await deployedXml(client, claimLatest), processXml(claim));
  });

  it("releasing the same commit again creates no new versions and no deployment", async () => {
    const before = await deploymentCount();
    const result = await release(base);
    assert.equal(result.newVersions, 0);
    assert.ok(result.rows.every((r) => r.status === "unchanged" && r.newVersion === 1));
    assert.equal(result.deployment?.created, false);
    assert.equal(await deploymentCount(), before);
  });

  it("a change to one file gives only its key a new version; the plan says what changed", async () => {
    repo.write("processes/review/review.bpmn", processXml(review, { taskName: "Review the claim" }));
    repo.commit("rename the review task");

    const { plan } = await planRelease(base);
    const planned = plan.resources.find((r) => r.name === "review/review.bpmn")!;
    assert.equal(planned.status, "changed");
    assert.match(planned.summary ?? "", /Task_Review "Review the claim" \(name\)/);
    assert.deepEqual(plan.counts, { new: 0, changed: 1, unchanged: 2 });

    const result = await release(base);
    assert.equal(result.newVersions, 1);
    const byKey = new Map(result.rows.map((r) => [r.key, r]));
    assert.deepEqual(
      [byKey.get(review)?.previousVersion, byKey.get(review)?.newVersion, byKey.get(review)?.status],
      [1, 2, "updated"],
    );
    assert.equal(byKey.get(claim)?.newVersion, 1);
    assert.equal(byKey.get(discount)?.newVersion, 1);
    assert.equal((await latest(review)).version, 2);
  });

  it("a new commit without model changes creates no deployment", async () => {
    repo.write("README.md", "docs only\n");
    repo.commit("docs");
    const before = await deploymentCount();
    const result = await release(base);
    assert.equal(result.newVersions, 0);
    assert.equal(await deploymentCount(), before);
  });

  it("rolls back: releasing the first commit makes its XML the latest version again", async () => {
    const before = await deploymentCount();
    const { plan } = await planRelease({ ...base, ref: firstCommit.slice(0, 10) });
    assert.equal(plan.commit, firstCommit);
    assert.deepEqual(
      plan.resources.map((r) => [r.name, r.status]),
      [
        ["claim.bpmn", "unchanged"],
        ["discount.dmn", "unchanged"],
        ["review/review.bpmn", "changed"],
      ],
    );

    const result = await release({ ...base, ref: firstCommit });
    const reviewRow = result.rows.find((r) => r.key === review)!;
    assert.deepEqual([reviewRow.previousVersion, reviewRow.newVersion, reviewRow.status], [2, 3, "updated"]);
    assert.equal(result.newVersions, 1);
    assert.equal(await deploymentCount(), before + 1);
    const reviewLatest = await latest(review);
    assert.equal(reviewLatest.version, 3);
    assert.equal(await deployedXml(client, reviewLatest), processXml(review));
    // The working tree is untouched by a release of another ref.
    assert.match(repo.git("show", "HEAD:processes/review/review.bpmn"), /Review the claim/);
  });

  it("refuses an unknown ref with a usage error", async () => {
    await assert.rejects(
      release({ ...base, ref: "v9.9.9-does-not-exist" }),
      (error: Error & { exitCode?: number }) =>
        error.exitCode === 2 &&
        /git ref "v9\.9\.9-does-not-exist" does not name a commit/.test(error.message),
    );
  });
});
